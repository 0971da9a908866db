//! Behaviour of the three operations, through the generated client, against
//! the in-process sandbox over loopback. Each test starts its own sandbox.
//!
//! Requests the typed client cannot send (malformed JSON, unknown fields, no
//! credential or two at once) go through plain `reqwest`.

use std::time::Duration;

use c2m_auth::runtime::{Error, Response, Secret};
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
    JWT_BEARER_ASSERTION_TYPE, Sandbox, SandboxClient,
};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, Server, types};

type BoxError = Box<dyn std::error::Error>;
type TestResult = Result<(), BoxError>;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A client for the sandbox; credentials are given per call.
fn client(sandbox: &Sandbox) -> Result<Client, BoxError> {
    Ok(Client::with_base_url(&sandbox.base_url())?)
}

/// The `LongTokenAuth` credential of an issued long-term token.
fn long_auth(token: &types::LongTokenResponse) -> LongTokenAuth {
    LongTokenAuth::new(token.access_token.clone())
}

/// The `ShortTokenAuth` credential of an issued short-term token.
fn short_auth(token: &types::ShortTokenResponse) -> ShortTokenAuth {
    ShortTokenAuth::new(token.access_token.clone())
}

fn strings(scopes: &[&str]) -> Vec<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

/// A `LongTokenRequest` for the example client with no mechanism filled in.
fn bare_request(
    grant: types::LongTokenRequestGrantType,
    scopes: &[&str],
) -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(grant, EXAMPLE_CLIENT_ID);
    request.scopes = strings(scopes);
    request
}

fn secret_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    request
}

fn otp_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    request.otp_code = Some(EXAMPLE_OTP_CODE.into());
    request
}

fn assertion_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::Assertion, scopes);
    request.assertion_type = Some(JWT_BEARER_ASSERTION_TYPE.into());
    request.assertion = Some(EXAMPLE_ASSERTION.into());
    request
}

/// A `ShortTokenRequest` (the type is `#[non_exhaustive]`: built with `new`).
fn short_request(long_token: Option<Secret>, scopes: Vec<String>) -> types::ShortTokenRequest {
    let mut request = types::ShortTokenRequest::new();
    request.long_token = long_token;
    request.scopes = scopes;
    request
}

/// A long-term token for the example client, by client secret.
async fn long_token(
    sandbox: &Sandbox,
    scopes: &[&str],
) -> Result<types::LongTokenResponse, BoxError> {
    Ok(client(sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(scopes))
        .await?
        .into_body())
}

/// A short-term token exchanged from `long`, narrowed to `scopes` if any.
async fn short_token(
    sandbox: &Sandbox,
    long: &types::LongTokenResponse,
    scopes: &[&str],
) -> Result<types::ShortTokenResponse, BoxError> {
    let request = short_request(None, strings(scopes));
    Ok(client(sandbox)?
        .issue_short_term_token(&long_auth(long), Some(&request))
        .await?
        .into_body())
}

fn token_id(id: &Option<String>) -> Result<&str, BoxError> {
    Ok(id.as_deref().ok_or("response has no token_id")?)
}

/// An error response the spec lists, decoded.
struct Refusal {
    status: u16,
    error: types::AuthError,
}

/// The documented error response of `result`; an error on success or on
/// any other kind of failure. Never prints a successful body (it holds a
/// token, though redacted).
fn refusal<T, H>(
    result: Result<Response<T, H>, Error<types::AuthError>>,
) -> Result<Refusal, BoxError> {
    match result {
        Ok(response) => {
            Err(format!("expected an error response, got {}", response.status()).into())
        }
        Err(Error::Api { status, body, .. }) => Ok(Refusal {
            status: status.as_u16(),
            error: body,
        }),
        Err(other) => Err(format!("expected an AuthError response, got: {other}").into()),
    }
}

fn assert_refused(refusal: &Refusal, status: u16, code: &str) {
    assert_eq!(
        (refusal.status, refusal.error.code.as_str()),
        (status, code),
        "message: {}",
        refusal.error.message
    );
    assert!(!refusal.error.message.is_empty());
}

/// The `X-Client-Id` header of the `ClientKey` scheme, for raw requests.
fn key_header(client_id: &str) -> (&'static str, String) {
    ("x-client-id", client_id.to_owned())
}

/// `Authorization: Bearer <token>`, for raw requests.
fn bearer_header(token: &Secret) -> (&'static str, String) {
    ("authorization", format!("Bearer {}", token.expose()))
}

/// POSTs `body` (if any) with `headers`, bypassing the typed client.
async fn raw_post(
    sandbox: &Sandbox,
    path: &str,
    headers: &[(&'static str, String)],
    body: Option<(&str, &str)>,
) -> Result<reqwest::Response, BoxError> {
    let mut request = reqwest::Client::new().post(format!("{}{path}", sandbox.base_url()));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    if let Some((content_type, body)) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_owned());
    }
    Ok(request.send().await?)
}

/// Status and decoded `AuthError` of a raw error response; checks its
/// content type.
async fn raw_refusal(response: reqwest::Response) -> Result<(u16, types::AuthError), BoxError> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    Ok((status, response.json().await?))
}

/// The `Retry-After` header of a raw response, in seconds.
fn retry_after(response: &reqwest::Response) -> Result<u64, BoxError> {
    Ok(response
        .headers()
        .get("retry-after")
        .ok_or("no Retry-After header")?
        .to_str()?
        .parse()?)
}

fn assert_close_to_now_plus(expires_at: chrono::DateTime<chrono::Utc>, expires_in: i64) {
    let expected = chrono::Utc::now() + chrono::TimeDelta::seconds(expires_in);
    let off = (expires_at - expected).num_seconds().abs();
    assert!(off <= 5, "expires_at is {off} s away from now + expires_in");
}

// ---------------------------------------------------------------------------
// Client construction
// ---------------------------------------------------------------------------

#[test]
fn base_urls_are_https_or_loopback_http() -> TestResult {
    let refused = Client::with_base_url("http://api.example.com/v1")
        .err()
        .ok_or("plain http off loopback was accepted")?;
    assert!(refused.to_string().contains("plain http"), "{refused}");

    let example = Client::for_server(Server::Example)?;
    assert_eq!(example.base_url(), "https://api.example.com/v1");
    assert_eq!(example.base_url(), Server::Example.url());
    let production = Client::new()?;
    assert_eq!(production.base_url(), "https://api.click2mail.com/v2");
    assert_eq!(
        Client::for_server(Server::Production)?.base_url(),
        production.base_url()
    );

    // Loopback http is fine (the sandbox), and a trailing slash is dropped.
    let local = Client::with_base_url("http://127.0.0.1:8080/")?;
    assert_eq!(local.base_url(), "http://127.0.0.1:8080");
    Ok(())
}

// ---------------------------------------------------------------------------
// issueLongTermToken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn long_term_token_by_client_secret() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&["jobs:submit", "templates:read"]);
    request.ttl_seconds = Some(7_776_000);

    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response
        .headers()
        .x_token_id
        .clone()
        .ok_or("no X-Token-Id header")?;
    let body = response.into_body();

    assert_eq!(Some(header.as_str()), body.token_id.as_deref());
    assert!(header.starts_with("tok_lt_"), "{header}");
    assert_eq!(body.token_type, types::LongTokenResponseTokenType::Bearer);
    let access = body.access_token.expose();
    assert!(access.starts_with("lt_"));
    assert_eq!(access.len(), 3 + 32);
    assert!(access[3..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(body.expires_in, 7_776_000);
    assert_close_to_now_plus(body.expires_at, body.expires_in);
    assert_eq!(body.scopes, ["jobs:submit", "templates:read"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_otp_code() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = otp_request(&["jobs:*"]);
    request.ttl_seconds = Some(2_592_000);

    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    // The response dereferences to its body.
    assert_eq!(response.headers().x_token_id, response.token_id);
    assert!(response.token_id.is_some());
    assert_eq!(response.expires_in, 2_592_000);
    assert_close_to_now_plus(response.expires_at, response.expires_in);
    assert_eq!(response.scopes, ["jobs:*"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_assertion_defaults_scopes_and_ttl() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &assertion_request(&[]))
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response.headers().x_token_id.clone();
    let body = response.into_body();
    assert_eq!(header, body.token_id);
    // No scopes requested: all the client may have. No ttl: 30 days.
    assert_eq!(body.scopes, EXAMPLE_SCOPES);
    assert_eq!(body.expires_in, 30 * 24 * 3600);
    assert_close_to_now_plus(body.expires_at, body.expires_in);
    Ok(())
}

#[tokio::test]
async fn default_long_token_ttl_is_configurable_and_clamped() -> TestResult {
    let sandbox = Sandbox::builder()
        .default_long_token_ttl(Duration::from_secs(7_200))
        .start()
        .await?;
    assert_eq!(long_token(&sandbox, &[]).await?.expires_in, 7_200);

    let sandbox = Sandbox::builder()
        .default_long_token_ttl(Duration::from_secs(60))
        .start()
        .await?;
    assert_eq!(long_token(&sandbox, &[]).await?.expires_in, 3_600);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_with_tokens_write() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:write", "jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &["tokens:write"]).await?;

    // No secret in the body: the short-term token is the step-up.
    let request = bare_request(
        types::LongTokenRequestGrantType::ClientCredentials,
        &["jobs:submit"],
    );
    let response = client(&sandbox)?
        .issue_long_term_token(&short_auth(&short), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let rotated = response.into_body();
    assert_ne!(rotated.access_token, long.access_token);
    assert_ne!(rotated.token_id, long.token_id);
    assert_eq!(rotated.scopes, ["jobs:submit"]);

    // The new long-term token works.
    let again = short_token(&sandbox, &rotated, &[]).await?;
    assert_eq!(again.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_unknown_field() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = format!(
        r#"{{"grant_type":"client_credentials","client_id":"{EXAMPLE_CLIENT_ID}",
            "client_secret":"{EXAMPLE_CLIENT_SECRET}","color":"blue"}}"#
    );
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
    assert!(error.message.contains("color"), "{}", error.message);
    assert!(!error.message.contains(EXAMPLE_CLIENT_SECRET));
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_malformed_bodies() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let cases = [
        ("application/json", "{not json", None),
        (
            "application/json",
            r#"{"grant_type":"client_credentials"}"#,
            Some("client_id"),
        ),
        (
            "text/plain",
            r#"{"grant_type":"client_credentials","client_id":"c2m_abc123"}"#,
            Some("application/json"),
        ),
    ];
    for (content_type, body, names) in cases {
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some((content_type, body)),
        )
        .await?;
        let (status, error) = raw_refusal(response).await?;
        assert_eq!(
            (status, error.code.as_str()),
            (400, "invalid_request"),
            "{body}"
        );
        if let Some(name) = names {
            assert!(error.message.contains(name), "{}", error.message);
        }
    }
    // An unlisted grant type decodes (enums are open) and is refused as
    // OAuth refuses it, without echoing it.
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some((
            "application/json",
            r#"{"grant_type":"password","client_id":"c2m_abc123"}"#,
        )),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!(
        (status, error.code.as_str()),
        (400, "unsupported_grant_type")
    );
    assert!(error.message.contains("grant_type"), "{}", error.message);
    assert!(!error.message.contains("password"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_ttl_out_of_bounds() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let cases = [
        (3_599, "less than the minimum 3600"),
        (7_776_001, "more than the maximum 7776000"),
        (-1, "less than the minimum 3600"),
    ];

    // The client refuses before sending: nothing reaches the server.
    for (ttl, bound) in cases {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        match client.issue_long_term_token(&key, &request).await {
            Err(Error::InvalidRequest(error)) => {
                assert_eq!(error.path, "ttl_seconds");
                let message = error.to_string();
                assert!(message.contains("`ttl_seconds`"), "{message}");
                assert!(message.contains(bound), "{message}");
            }
            Err(other) => {
                return Err(format!("ttl {ttl}: expected InvalidRequest, got {other}").into());
            }
            Ok(response) => return Err(format!("ttl {ttl} accepted: {}", response.status()).into()),
        }
    }
    assert_eq!(sandbox.request_count("issueLongTermToken"), 0);

    // Sent anyway, the sandbox refuses it with the same words.
    for (ttl, bound) in cases {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let body = serde_json::to_string(&request)?;
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some(("application/json", &body)),
        )
        .await?;
        let (status, error) = raw_refusal(response).await?;
        assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
        assert!(error.message.contains("`ttl_seconds`"), "{}", error.message);
        assert!(error.message.contains(bound), "{}", error.message);
        assert_eq!(
            error.details.get("field").and_then(|v| v.as_str()),
            Some("ttl_seconds")
        );
        assert!(!error.message.contains(EXAMPLE_CLIENT_SECRET));
    }
    assert_eq!(sandbox.request_count("issueLongTermToken"), 3);

    // The bounds themselves are accepted.
    for ttl in [3_600, 7_776_000] {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let body = client
            .issue_long_term_token(&key, &request)
            .await?
            .into_body();
        assert_eq!(body.expires_in, ttl);
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_wrong_credentials() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);

    let mut wrong_secret = secret_request(&[]);
    wrong_secret.client_secret = Some("not-the-secret".into());
    let mut wrong_otp = otp_request(&[]);
    wrong_otp.otp_code = Some("000000".into());
    let mut wrong_assertion = assertion_request(&[]);
    wrong_assertion.assertion = Some("eyJub3QiOiJpdCJ9.x.y".into());

    for request in [wrong_secret, wrong_otp, wrong_assertion] {
        let refusal = refusal(client.issue_long_term_token(&key, &request).await)?;
        assert_refused(&refusal, 400, "invalid_grant");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_wants_exactly_one_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    use types::LongTokenRequestGrantType::{Assertion, ClientCredentials};

    let mut secret_and_otp = secret_request(&[]);
    secret_and_otp.otp_code = Some(EXAMPLE_OTP_CODE.into());
    let mut secret_and_assertion = secret_request(&[]);
    secret_and_assertion.assertion = Some(EXAMPLE_ASSERTION.into());
    let mut assertion_with_secret = assertion_request(&[]);
    assertion_with_secret.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    let mut assertion_without_type = assertion_request(&[]);
    assertion_without_type.assertion_type = None;
    let mut assertion_bad_type = assertion_request(&[]);
    assertion_bad_type.assertion_type = Some("urn:example:saml".into());

    for request in [
        secret_and_otp,
        secret_and_assertion,
        assertion_with_secret,
        assertion_without_type,
        assertion_bad_type,
        bare_request(ClientCredentials, &[]),
        bare_request(Assertion, &[]),
    ] {
        let refusal = refusal(client.issue_long_term_token(&key, &request).await)?;
        assert_refused(&refusal, 400, "invalid_request");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_scopes_not_allowed() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&["jobs:submit", "billing:read"]))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_scope");
    assert!(refusal.error.message.contains("billing:read"));

    // `jobs:*` covers any `jobs:` scope.
    let body = client
        .issue_long_term_token(&key, &secret_request(&["jobs:cancel"]))
        .await?
        .into_body();
    assert_eq!(body.scopes, ["jobs:cancel"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_client_id_must_match_the_credential() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("c2m_one")
                .secret("s1")
                .allowed_scopes(["jobs:submit"]),
        )
        .client(
            SandboxClient::new("c2m_two")
                .secret("s2")
                .allowed_scopes(["jobs:submit"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let mut request = secret_request(&[]);
    request.client_id = "c2m_two".into();
    request.client_secret = Some("s2".into());
    let refusal = refusal(
        client
            .issue_long_term_token(&ClientKey::new("c2m_one"), &request)
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_grant");

    // Each client with its own secret is fine.
    let body = client
        .issue_long_term_token(&ClientKey::new("c2m_two"), &request)
        .await?
        .into_body();
    assert_eq!(body.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn registering_a_client_replaces_the_example_client() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("acme")
                .otp_code("424242")
                .allowed_scopes(["templates:read"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let refusal = refusal(
        client
            .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_client");

    let mut request = otp_request(&[]);
    request.client_id = "acme".into();
    request.otp_code = Some("424242".into());
    let body = client
        .issue_long_term_token(&ClientKey::new("acme"), &request)
        .await?
        .into_body();
    assert_eq!(body.scopes, ["templates:read"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_needs_exactly_one_credential() -> TestResult {
    // The typed client cannot send none or two: only raw requests can.
    let sandbox = Sandbox::start().await?;
    let body = serde_json::to_string(&secret_request(&[]))?;
    let none = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(raw_refusal(none).await?.1.code, "invalid_token");

    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let both = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[
            key_header(EXAMPLE_CLIENT_ID),
            bearer_header(&short.access_token),
        ],
        Some(("application/json", &body)),
    )
    .await?;
    let (status, error) = raw_refusal(both).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_bad_bearer_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);

    let unknown = refusal(
        client
            .issue_long_term_token(&ShortTokenAuth::new("st_unknown"), &request)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // A long-term token is not a ShortTokenAuth credential, though the
    // types cannot tell the two strings apart.
    let long = long_token(&sandbox, &[]).await?;
    let wrong_kind = refusal(
        client
            .issue_long_term_token(&ShortTokenAuth::new(long.access_token.clone()), &request)
            .await,
    )?;
    assert_refused(&wrong_kind, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_unknown_client_key() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&[]);
    request.client_id = "c2m_nobody".into();
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&ClientKey::new("c2m_nobody"), &request)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_client");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_without_tokens_write_is_forbidden() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&short_auth(&short), &request)
            .await,
    )?;
    assert_refused(&refusal, 403, "insufficient_scope");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_takes_no_second_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&short_auth(&short), &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_request");
    Ok(())
}

#[tokio::test]
async fn long_term_token_is_rate_limited() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(60))
        .start()
        .await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;

    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 429, "rate_limited");

    // `Error::Api` carries no headers (the spec declares none on 429), so
    // Retry-After is read from a raw request.
    let body = serde_json::to_string(&secret_request(&[]))?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    let retry_after = retry_after(&response)?;
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(sandbox.request_count("issueLongTermToken"), 4);
    Ok(())
}

#[tokio::test]
async fn rate_limit_window_reopens() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_millis(300))
        .start()
        .await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    let body = serde_json::to_string(&secret_request(&[]))?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    // Less than a second left: Retry-After rounds up to 1.
    assert_eq!(retry_after(&response)?, 1);
    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 429, "rate_limited");
    tokio::time::sleep(Duration::from_millis(350)).await;
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// issueShortTermToken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn short_term_token_with_default_request() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "templates:read"]).await?;
    let response = client(&sandbox)?
        .issue_short_term_token(
            &long_auth(&long),
            Some(&types::ShortTokenRequest::default()),
        )
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let short = response.into_body();
    assert_eq!(short.token_type, types::ShortTokenResponseTokenType::Bearer);
    assert_eq!(short.expires_in, 900);
    assert_close_to_now_plus(short.expires_at, short.expires_in);
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);
    assert!(token_id(&short.token_id)?.starts_with("tok_st_"));
    assert_eq!(
        short.access_token.expose().split('.').count(),
        3,
        "JWT-shaped"
    );
    Ok(())
}

#[tokio::test]
async fn short_term_token_with_no_body_at_all() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    // The body is optional in the spec: `None` sends none.
    let response = client(&sandbox)?
        .issue_short_term_token(&long_auth(&long), None)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.scopes, ["jobs:submit"]);

    // The same without the typed client.
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        None,
    )
    .await?;
    assert_eq!(response.status().as_u16(), 201);
    let short: types::ShortTokenResponse = response.json().await?;
    assert_eq!(short.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn short_term_token_lifetime_is_configurable() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(60))
        .start()
        .await?;
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    assert_eq!(short.expires_in, 60);
    assert_close_to_now_plus(short.expires_at, 60);
    Ok(())
}

#[tokio::test]
async fn expired_short_term_token_is_refused() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::ZERO)
        .start()
        .await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    assert_eq!(short.expires_in, 0);
    let refusal = refusal(
        client(&sandbox)?
            .revoke_token(&short_auth(&short), token_id(&long.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn short_term_token_narrows_scopes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:*", "templates:read", "tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit", "templates:read"]).await?;
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);

    // long_token in the body may repeat the header's token.
    let request = short_request(Some(long.access_token.clone()), strings(&["tokens:revoke"]));
    let short = client(&sandbox)?
        .issue_short_term_token(&long_auth(&long), Some(&request))
        .await?
        .into_body();
    assert_eq!(short.scopes, ["tokens:revoke"]);
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_scope_not_held() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let request = short_request(None, strings(&["jobs:submit", "tokens:write"]));
    let refusal = refusal(
        client(&sandbox)?
            .issue_short_term_token(&long_auth(&long), Some(&request))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_scope");
    assert!(refusal.error.message.contains("tokens:write"));
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_unknown_field() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        Some((
            "application/json",
            r#"{"scopes":["jobs:submit"],"not_in_the_spec":"x"}"#,
        )),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
    assert!(
        error.message.contains("not_in_the_spec"),
        "{}",
        error.message
    );
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_a_different_long_token_in_the_body() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let other = long_token(&sandbox, &[]).await?;
    let request = short_request(Some(other.access_token.clone()), Vec::new());
    let refusal = refusal(
        client(&sandbox)?
            .issue_short_term_token(&long_auth(&long), Some(&request))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_request");
    assert!(!refusal.error.message.contains(other.access_token.expose()));
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_missing_unknown_and_short_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;

    // No credential: only a raw request can send that.
    let missing = raw_post(&sandbox, "/auth/tokens/short", &[], None).await?;
    let (status, error) = raw_refusal(missing).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));

    let unknown = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new("lt_0000"), None)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // A short-term token cannot be exchanged for another one.
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let short_as_long = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new(short.access_token.clone()), None)
            .await,
    )?;
    assert_refused(&short_as_long, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn short_term_token_is_rate_limited_with_the_other_operations() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(30))
        .start()
        .await?;
    // One long, one short: the shared window is now full.
    let long = long_token(&sandbox, &[]).await?;
    short_token(&sandbox, &long, &[]).await?;
    let client = client(&sandbox)?;
    let refusal = refusal(client.issue_short_term_token(&long_auth(&long), None).await)?;
    assert_refused(&refusal, 429, "rate_limited");
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        None,
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    assert!(retry_after(&response)? >= 1);

    // revokeToken is not limited (the spec lists no 429 for it).
    client
        .revoke_token(&long_auth(&long), token_id(&long.token_id)?)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// revokeToken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn revoke_is_idempotent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);

    let first = client
        .revoke_token(&with_long, token_id(&short.token_id)?)
        .await?;
    assert_eq!(first.status().as_u16(), 204);
    let second = client
        .revoke_token(&with_long, token_id(&short.token_id)?)
        .await?;
    assert_eq!(second.status().as_u16(), 204);

    // The revoked short-term token is refused.
    let refusal = refusal(
        client
            .revoke_token(&short_auth(&short), token_id(&long.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoked_long_term_token_is_refused_and_cascades() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke", "jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;
    let with_short = short_auth(&short);

    // Revoked with a short-term token issued from it.
    let response = client.revoke_token(&with_short, long_id).await?;
    assert_eq!(response.status().as_u16(), 204);

    // The long-term token can no longer be exchanged...
    let exchange = refusal(client.issue_short_term_token(&long_auth(&long), None).await)?;
    assert_refused(&exchange, 401, "invalid_token");

    // ...and its short-term tokens are dead too: they can no longer revoke
    // another token...
    let other = long_token(&sandbox, &[]).await?;
    let cascaded = refusal(
        client
            .revoke_token(&with_short, token_id(&other.token_id)?)
            .await,
    )?;
    assert_refused(&cascaded, 401, "invalid_token");
    // ...nor themselves be exchanged for anything (sent as a long-term
    // token, which the types cannot tell apart).
    let exchange = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new(short.access_token.clone()), None)
            .await,
    )?;
    assert_refused(&exchange, 401, "invalid_token");

    // Only a retry of the revocation that disabled it still succeeds.
    let retry = client.revoke_token(&with_short, long_id).await?;
    assert_eq!(retry.status().as_u16(), 204);
    Ok(())
}

#[tokio::test]
async fn self_revocation_is_idempotent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);
    assert_eq!(
        client
            .revoke_token(&with_long, long_id)
            .await?
            .status()
            .as_u16(),
        204
    );
    // A retry with the now-revoked token, e.g. after a lost response.
    assert_eq!(
        client
            .revoke_token(&with_long, long_id)
            .await?
            .status()
            .as_u16(),
        204
    );
    // It is refused for anything else.
    let exchange = refusal(client.issue_short_term_token(&with_long, None).await)?;
    assert_refused(&exchange, 401, "invalid_token");
    let not_own = refusal(client.revoke_token(&with_long, "tok_lt_000000").await)?;
    assert_refused(&not_own, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoke_needs_a_valid_token_with_tokens_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;

    // No credential: only a raw request can send that.
    let missing = raw_post(
        &sandbox,
        &format!("/auth/tokens/{long_id}/revoke"),
        &[],
        None,
    )
    .await?;
    let (status, error) = raw_refusal(missing).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));

    let unknown = refusal(
        client
            .revoke_token(&LongTokenAuth::new("lt_nope"), long_id)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // Valid but without tokens:revoke: 401 (the spec lists no 403 here).
    let narrow = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let lacking = refusal(client.revoke_token(&short_auth(&narrow), long_id).await)?;
    assert_refused(&lacking, 401, "insufficient_scope");

    // Nothing was revoked by the refused calls.
    short_token(&sandbox, &long, &[]).await?;
    Ok(())
}

#[tokio::test]
async fn revoked_token_cannot_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let other = long_token(&sandbox, &["tokens:revoke"]).await?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);
    client
        .revoke_token(&with_long, token_id(&long.token_id)?)
        .await?;
    let refusal = refusal(
        client
            .revoke_token(&with_long, token_id(&other.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoke_unknown_or_foreign_token_is_not_found() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("c2m_one")
                .secret("s1")
                .allowed_scopes(["tokens:revoke"]),
        )
        .client(
            SandboxClient::new("c2m_two")
                .secret("s2")
                .allowed_scopes(["tokens:revoke"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let issue = |id: &'static str, secret: &'static str| {
        let mut request = secret_request(&[]);
        request.client_id = id.into();
        request.client_secret = Some(secret.into());
        let client = &client;
        async move {
            Ok::<_, BoxError>(
                client
                    .issue_long_term_token(&ClientKey::new(id), &request)
                    .await?
                    .into_body(),
            )
        }
    };
    let one = issue("c2m_one", "s1").await?;
    let two = issue("c2m_two", "s2").await?;
    let with_one = long_auth(&one);

    let unknown = refusal(client.revoke_token(&with_one, "tok_lt_000000").await)?;
    assert_refused(&unknown, 404, "not_found");

    let foreign = refusal(
        client
            .revoke_token(&with_one, token_id(&two.token_id)?)
            .await,
    )?;
    assert_refused(&foreign, 404, "not_found");

    // The other client's token still works.
    short_token(&sandbox, &two, &[]).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Sandbox itself
// ---------------------------------------------------------------------------

#[tokio::test]
async fn request_count_counts_every_request() -> TestResult {
    let sandbox = Sandbox::start().await?;
    assert_eq!(sandbox.request_count("issueLongTermToken"), 0);

    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let client = client(&sandbox)?;
    // A refused request counts too.
    let _ = refusal(
        client
            .issue_long_term_token(&ClientKey::new("c2m_nobody"), &secret_request(&[]))
            .await,
    )?;
    let short = short_token(&sandbox, &long, &[]).await?;
    for _ in 0..3 {
        client
            .revoke_token(&long_auth(&long), token_id(&short.token_id)?)
            .await?;
    }

    assert_eq!(sandbox.request_count("issueLongTermToken"), 2);
    assert_eq!(sandbox.request_count("issueShortTermToken"), 1);
    assert_eq!(sandbox.request_count("revokeToken"), 3);
    assert_eq!(sandbox.request_count("noSuchOperation"), 0);
    Ok(())
}

#[tokio::test]
async fn error_messages_never_contain_secrets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let with_long = long_auth(&long);
    let with_short = short_auth(&short);
    let wrong_secret = "wrong-secret-value-1";

    let mut errors = Vec::new();
    let mut request = secret_request(&[]);
    request.client_secret = Some(wrong_secret.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    let mut request = secret_request(&[]);
    request.otp_code = Some(EXAMPLE_OTP_CODE.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    let mut request = assertion_request(&[]);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    // The long-term token sent where a short-term one is expected.
    let long_as_short = ShortTokenAuth::new(long.access_token.clone());
    errors.push(
        refusal(
            client
                .issue_long_term_token(&long_as_short, &secret_request(&[]))
                .await,
        )?
        .error,
    );
    errors.push(
        refusal(
            client
                .issue_long_term_token(&with_short, &secret_request(&[]))
                .await,
        )?
        .error,
    );
    let short_as_long = LongTokenAuth::new(short.access_token.clone());
    errors.push(refusal(client.issue_short_term_token(&short_as_long, None).await)?.error);
    errors.push(refusal(client.revoke_token(&with_short, "tok_lt_x").await)?.error);
    let request = short_request(Some(short.access_token.clone()), Vec::new());
    errors.push(
        refusal(
            client
                .issue_short_term_token(&with_long, Some(&request))
                .await,
        )?
        .error,
    );
    // Values of the wrong type are not echoed either.
    for body in [
        format!(
            r#"{{"grant_type":"client_credentials","client_id":"{EXAMPLE_CLIENT_ID}","client_secret":["{EXAMPLE_CLIENT_SECRET}"]}}"#
        ),
        format!(r#"{{"grant_type":"{EXAMPLE_CLIENT_SECRET}","client_id":"{EXAMPLE_CLIENT_ID}"}}"#),
        format!(
            r#"{{"grant_type":"assertion","client_id":"{EXAMPLE_CLIENT_ID}","assertion":"{EXAMPLE_ASSERTION}","ttl_seconds":"{EXAMPLE_OTP_CODE}"}}"#
        ),
    ] {
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some(("application/json", &body)),
        )
        .await?;
        errors.push(raw_refusal(response).await?.1);
    }

    assert_eq!(errors.len(), 11);
    let secrets = [
        EXAMPLE_CLIENT_SECRET,
        EXAMPLE_OTP_CODE,
        EXAMPLE_ASSERTION,
        wrong_secret,
        long.access_token.expose(),
        short.access_token.expose(),
    ];
    for error in &errors {
        let text = serde_json::to_string(error)?;
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "error {} leaks a secret",
                error.code
            );
        }
    }
    Ok(())
}

/// Fails if `text`, the printed form of `what`, contains any of `secrets`.
fn assert_hides(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows a secret");
    }
}

#[tokio::test]
async fn printing_values_never_shows_secrets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;

    // Requests with every secret field filled in (not a valid grant, but
    // printing does not care).
    let mut long_request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    long_request.client_secret = Some(Secret::from(EXAMPLE_CLIENT_SECRET));
    long_request.otp_code = Some(Secret::from(EXAMPLE_OTP_CODE));
    long_request.assertion = Some(Secret::from(EXAMPLE_ASSERTION));
    let request_secrets = [EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_ASSERTION];
    assert_hides(
        "LongTokenRequest",
        &format!("{long_request:?} {long_request:#?}"),
        &request_secrets,
    );
    // The wire format still carries them.
    let json = serde_json::to_string(&long_request)?;
    for secret in request_secrets {
        assert!(json.contains(secret), "the JSON body lost a secret");
    }

    // Issued tokens, and the responses that hold them.
    let long_response = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(&[]))
        .await?;
    let long = long_response.body().clone();
    let short_response = client
        .issue_short_term_token(&long_auth(&long), None)
        .await?;
    let short = short_response.body().clone();
    let tokens = [long.access_token.expose(), short.access_token.expose()];
    assert_hides("LongTokenResponse", &format!("{long:?}"), &tokens);
    assert_hides("ShortTokenResponse", &format!("{short:?}"), &tokens);
    assert_hides(
        "Response",
        &format!("{long_response:?} {short_response:?}"),
        &tokens,
    );
    assert_hides(
        "Secret",
        &format!("{:?} {}", long.access_token, long.access_token),
        &tokens,
    );
    assert_hides("Secret", &short.access_token.to_string(), &tokens);

    let short_request = short_request(Some(long.access_token.clone()), Vec::new());
    assert_hides("ShortTokenRequest", &format!("{short_request:?}"), &tokens);

    // Credentials.
    let key = ClientKey::new("c2m_key_value_7");
    assert_hides("ClientKey", &format!("{key:?}"), &["c2m_key_value_7"]);
    assert_hides("LongTokenAuth", &format!("{:?}", long_auth(&long)), &tokens);
    assert_hides(
        "ShortTokenAuth",
        &format!("{:?}", short_auth(&short)),
        &tokens,
    );

    // Errors of failed calls: a 401 for an unknown token, and a request
    // refused before sending.
    let unknown_token = "lt_unknown_token_value_9";
    let unauthorized = client
        .issue_short_term_token(&LongTokenAuth::new(unknown_token), None)
        .await
        .err()
        .ok_or("an unknown token was accepted")?;
    assert_eq!(unauthorized.status().map(|s| s.as_u16()), Some(401));
    assert_hides(
        "Error::Api",
        &format!("{unauthorized:?} {unauthorized}"),
        &[unknown_token],
    );
    let mut out_of_bounds = long_request.clone();
    out_of_bounds.otp_code = None;
    out_of_bounds.assertion = None;
    out_of_bounds.ttl_seconds = Some(10);
    let invalid = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &out_of_bounds)
        .await
        .err()
        .ok_or("ttl 10 was accepted")?;
    assert!(matches!(invalid, Error::InvalidRequest(_)), "{invalid}");
    assert_hides(
        "Error::InvalidRequest",
        &format!("{invalid:?} {invalid}"),
        &request_secrets,
    );

    // The client holds no credential at all.
    assert_hides(
        "Client",
        &format!("{client:?}"),
        &[&tokens[..], &request_secrets[..], &[unknown_token]].concat(),
    );
    Ok(())
}

#[tokio::test]
async fn debug_output_hides_secrets() -> TestResult {
    let client = SandboxClient::new("c2m_dbg")
        .secret("dbg-secret")
        .otp_code("dbg-otp")
        .assertion("dbg-assertion");
    let builder = Sandbox::builder().client(client.clone());
    let text = format!("{client:?} {builder:?}");
    assert!(text.contains("c2m_dbg"));
    for secret in ["dbg-secret", "dbg-otp", "dbg-assertion"] {
        assert!(!text.contains(secret), "{secret} in Debug output");
    }
    let sandbox = builder.start().await?;
    assert!(format!("{sandbox:?}").contains(&sandbox.base_url()));
    Ok(())
}

#[tokio::test]
async fn base_url_and_shutdown() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let base_url = sandbox.base_url();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(!base_url.ends_with('/'));
    let port: u16 = base_url.trim_start_matches("http://127.0.0.1:").parse()?;
    assert_ne!(port, 0);

    sandbox.shutdown().await;
    let after = reqwest::Client::new()
        .post(format!("{base_url}/auth/tokens/short"))
        .send()
        .await;
    assert!(after.is_err(), "the server still answers after shutdown");
    Ok(())
}

#[tokio::test]
async fn drop_stops_the_server() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let base_url = sandbox.base_url();
    drop(sandbox);
    // The aborted task releases the listener at its next poll.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let after = reqwest::Client::new()
        .post(format!("{base_url}/auth/tokens/short"))
        .send()
        .await;
    assert!(after.is_err(), "the server still answers after drop");
    Ok(())
}

// ---------------------------------------------------------------------------
// Explicit nulls
// ---------------------------------------------------------------------------

/// A body with `"field": null` for each field; everything else makes a
/// request the sandbox accepts, so that only the null can be refused.
fn with_null(valid: &serde_json::Value, field: &str) -> Result<String, BoxError> {
    let mut body = valid.clone();
    body.as_object_mut()
        .ok_or("not an object")?
        .insert(field.to_owned(), serde_json::Value::Null);
    Ok(body.to_string())
}

/// Checks that `response` is 400 `invalid_request` naming `field`, in the
/// message or in `details.field`.
async fn assert_null_refused(response: reqwest::Response, field: &str) -> TestResult {
    // A success body holds a token: say only that it was accepted.
    assert_eq!(response.status(), 400, "null {field} accepted");
    let (status, error) = raw_refusal(response).await?;
    assert_eq!(
        (status, error.code.as_str()),
        (400, "invalid_request"),
        "null {field}: {}",
        error.message
    );
    let named = error.message.contains(field)
        || error.details.get("field") == Some(&serde_json::Value::from(field));
    assert!(named, "null {field} not named: {}", error.message);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_null_for_required_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let valid = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
    });
    for field in ["grant_type", "client_id"] {
        let body = with_null(&valid, field)?;
        let headers = [key_header(EXAMPLE_CLIENT_ID)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_null_for_optional_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    // Each body is accepted (201) without its null field.
    let by_otp = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "otp_code": EXAMPLE_OTP_CODE,
    });
    let by_secret = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
    });
    let cases = [
        (&by_otp, "client_secret"),
        (&by_secret, "otp_code"),
        (&by_secret, "assertion_type"),
        (&by_secret, "assertion"),
        (&by_secret, "scopes"),
        (&by_secret, "ttl_seconds"),
    ];
    for (valid, field) in cases {
        let body = with_null(valid, field)?;
        let headers = [key_header(EXAMPLE_CLIENT_ID)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    // Through the step-up (ShortTokenAuth) too.
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let step_up = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
    });
    let body = with_null(&step_up, "scopes")?;
    let headers = [bearer_header(&short.access_token)];
    let json = Some(("application/json", body.as_str()));
    let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
    assert_null_refused(response, "scopes").await?;
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_null_for_optional_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let valid = serde_json::json!({ "scopes": ["jobs:submit"] });
    for field in ["long_token", "scopes"] {
        let body = with_null(&valid, field)?;
        let headers = [bearer_header(&long.access_token)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/short", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    // The long-term token still works: the refusals changed nothing.
    short_token(&sandbox, &long, &[]).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Binding and the sandbox binary
// ---------------------------------------------------------------------------

/// A port that was free a moment ago (the listener is closed on return).
async fn free_port(ip: &str) -> Result<u16, BoxError> {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
    Ok(listener.local_addr()?.port())
}

#[tokio::test]
async fn builder_binds_the_given_address_and_port() -> TestResult {
    let port = free_port("127.0.0.2").await?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 2], port));
    let sandbox = Sandbox::builder().bind(addr).start().await?;
    assert_eq!(sandbox.local_addr(), addr);
    assert_eq!(sandbox.base_url(), format!("http://127.0.0.2:{port}"));
    long_token(&sandbox, &[]).await?;
    // The port is taken now: a second sandbox on it fails to start.
    assert!(Sandbox::builder().bind(addr).start().await.is_err());

    // An unspecified address is reached, and named, through loopback.
    let any = Sandbox::builder()
        .bind(std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
        .start()
        .await?;
    assert!(any.local_addr().ip().is_unspecified());
    let port = any.local_addr().port();
    assert_eq!(any.base_url(), format!("http://127.0.0.1:{port}"));
    long_token(&any, &[]).await?;
    Ok(())
}

/// The sandbox binary, killed when dropped.
struct SandboxProcess(std::process::Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const SANDBOX_BIN: &str = env!("CARGO_BIN_EXE_c2m-auth-sandbox");

/// Runs the sandbox binary with `args` to completion: status, stdout, stderr.
fn sandbox_bin(args: &[&str]) -> Result<(Option<i32>, String, String), BoxError> {
    let output = std::process::Command::new(SANDBOX_BIN)
        .args(args)
        .output()?;
    Ok((
        output.status.code(),
        String::from_utf8(output.stdout)?,
        String::from_utf8(output.stderr)?,
    ))
}

#[tokio::test]
async fn sandbox_binary_serves_on_the_given_port() -> TestResult {
    use std::io::BufRead;

    let port = free_port("127.0.0.1").await?;
    let mut child = std::process::Command::new(SANDBOX_BIN)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let _process = SandboxProcess(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().ok_or("no output")??;
    let base_url = format!("http://127.0.0.1:{port}");
    assert_eq!(first, format!("base URL: {base_url}"));
    let banner: Vec<String> = lines.take(6).collect::<Result<_, _>>()?;
    let banner = banner.join("\n");
    for credential in [
        EXAMPLE_CLIENT_ID,
        EXAMPLE_CLIENT_SECRET,
        EXAMPLE_OTP_CODE,
        EXAMPLE_ASSERTION,
        JWT_BEARER_ASSERTION_TYPE,
    ] {
        assert!(banner.contains(credential), "{credential} not printed");
    }

    let client = Client::with_base_url(&base_url)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let long = client
        .issue_long_term_token(&key, &otp_request(&[]))
        .await?
        .into_body();
    assert_eq!(long.scopes, strings(&EXAMPLE_SCOPES));
    let with_long = long_auth(&long);
    client.issue_short_term_token(&with_long, None).await?;
    client
        .revoke_token(&with_long, token_id(&long.token_id)?)
        .await?;
    Ok(())
}

#[test]
fn sandbox_binary_explains_and_refuses_bad_arguments() -> TestResult {
    let (status, stdout, _) = sandbox_bin(&["--help"])?;
    assert_eq!(status, Some(0));
    assert!(
        stdout.contains("--port") && stdout.contains("--host"),
        "{stdout}"
    );

    for (args, needle) in [
        (&["--port", "70000"][..], "not a port number"),
        (&["--port"], "needs a value"),
        (&["--host", "not-an-ip"], "not an IP address"),
        (&["--bogus"], "unexpected argument"),
    ] {
        let (status, stdout, stderr) = sandbox_bin(args)?;
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    Ok(())
}

#[tokio::test]
async fn sandbox_binary_reports_a_taken_port() -> TestResult {
    let taken = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = taken.local_addr()?.port().to_string();
    let (status, _, stderr) = sandbox_bin(&["--port", &port])?;
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ok(())
}
