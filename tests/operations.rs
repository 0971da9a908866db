//! Behaviour of the three operations, through the generated client, against
//! the in-process sandbox over loopback. Each test starts its own sandbox.

use std::time::Duration;

use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
    JWT_BEARER_ASSERTION_TYPE, Sandbox, SandboxClient,
};
use c2m_auth::{Client, Error, ResponseValue, types};
use reqwest::header::HeaderMap;

type TestResult = Result<(), Box<dyn std::error::Error>>;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A client authenticated by the `ClientKey` scheme.
fn keyed(sandbox: &Sandbox, client_id: &str) -> Result<Client, Box<dyn std::error::Error>> {
    Ok(Client::with_default_headers(
        &sandbox.base_url(),
        c2m_auth::client_key_header(client_id)?,
    )?)
}

/// A client sending `Authorization: Bearer <token>`.
fn bearer(sandbox: &Sandbox, token: &str) -> Result<Client, Box<dyn std::error::Error>> {
    Ok(Client::with_default_headers(
        &sandbox.base_url(),
        c2m_auth::bearer_header(token)?,
    )?)
}

/// A client sending no credential at all.
fn anonymous(sandbox: &Sandbox) -> Result<Client, Box<dyn std::error::Error>> {
    Ok(Client::with_default_headers(
        &sandbox.base_url(),
        HeaderMap::new(),
    )?)
}

fn strings(scopes: &[&str]) -> Vec<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

/// A `LongTokenRequest` for the example client with no mechanism filled in.
fn bare_request(
    grant: types::LongTokenRequestGrantType,
    scopes: &[&str],
) -> types::LongTokenRequest {
    types::LongTokenRequest {
        grant_type: grant,
        client_id: EXAMPLE_CLIENT_ID.into(),
        client_secret: None,
        otp_code: None,
        assertion_type: None,
        assertion: None,
        scopes: strings(scopes),
        ttl_seconds: None,
    }
}

fn secret_request(scopes: &[&str]) -> types::LongTokenRequest {
    types::LongTokenRequest {
        client_secret: Some(EXAMPLE_CLIENT_SECRET.into()),
        ..bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes)
    }
}

fn otp_request(scopes: &[&str]) -> types::LongTokenRequest {
    types::LongTokenRequest {
        otp_code: Some(EXAMPLE_OTP_CODE.into()),
        ..bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes)
    }
}

fn assertion_request(scopes: &[&str]) -> types::LongTokenRequest {
    types::LongTokenRequest {
        assertion_type: Some(JWT_BEARER_ASSERTION_TYPE.into()),
        assertion: Some(EXAMPLE_ASSERTION.into()),
        ..bare_request(types::LongTokenRequestGrantType::Assertion, scopes)
    }
}

/// A long-term token for the example client, by client secret.
async fn long_token(
    sandbox: &Sandbox,
    scopes: &[&str],
) -> Result<types::LongTokenResponse, Box<dyn std::error::Error>> {
    let client = keyed(sandbox, EXAMPLE_CLIENT_ID)?;
    Ok(client
        .issue_long_term_token(&secret_request(scopes))
        .await?
        .into_inner())
}

/// A short-term token exchanged from `long`, narrowed to `scopes` if any.
async fn short_token(
    sandbox: &Sandbox,
    long: &str,
    scopes: &[&str],
) -> Result<types::ShortTokenResponse, Box<dyn std::error::Error>> {
    let request = types::ShortTokenRequest {
        long_token: None,
        scopes: strings(scopes),
    };
    Ok(bearer(sandbox, long)?
        .issue_short_term_token(&request)
        .await?
        .into_inner())
}

fn token_id(id: &Option<String>) -> Result<&str, Box<dyn std::error::Error>> {
    Ok(id.as_deref().ok_or("response has no token_id")?)
}

/// An error response the spec lists, decoded.
struct Refusal {
    status: u16,
    error: types::AuthError,
    headers: HeaderMap,
}

/// The documented error response of `result`; panics on success or on any
/// other kind of error. Never prints a successful body (it holds a token).
fn refusal<T>(result: Result<ResponseValue<T>, Error<types::AuthError>>) -> Refusal {
    match result {
        Ok(response) => panic!("expected an error response, got {}", response.status()),
        Err(Error::ErrorResponse(rv)) => Refusal {
            status: rv.status().as_u16(),
            headers: rv.headers().clone(),
            error: rv.into_inner(),
        },
        Err(other) => panic!("expected an AuthError response, got: {other}"),
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

/// POSTs `body` (if any) with `headers`, bypassing the typed client.
async fn raw_post(
    sandbox: &Sandbox,
    path: &str,
    headers: HeaderMap,
    body: Option<(&str, &str)>,
) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .headers(headers);
    if let Some((content_type, body)) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_owned());
    }
    Ok(request.send().await?)
}

/// Status and decoded `AuthError` of a raw error response; checks its
/// content type.
async fn raw_refusal(
    response: reqwest::Response,
) -> Result<(u16, types::AuthError), Box<dyn std::error::Error>> {
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

fn assert_close_to_now_plus(expires_at: chrono::DateTime<chrono::Utc>, expires_in: i64) {
    let expected = chrono::Utc::now() + chrono::TimeDelta::seconds(expires_in);
    let off = (expires_at - expected).num_seconds().abs();
    assert!(off <= 5, "expires_at is {off} s away from now + expires_in");
}

// ---------------------------------------------------------------------------
// issueLongTermToken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn long_term_token_by_client_secret() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&["jobs:submit", "templates:read"]);
    request.ttl_seconds = Some(7_776_000);

    let response = keyed(&sandbox, EXAMPLE_CLIENT_ID)?
        .issue_long_term_token(&request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response
        .headers()
        .get("x-token-id")
        .ok_or("no X-Token-Id header")?
        .to_str()?
        .to_owned();
    let body = response.into_inner();

    assert_eq!(Some(header.as_str()), body.token_id.as_deref());
    assert!(header.starts_with("tok_lt_"), "{header}");
    assert_eq!(body.token_type, types::LongTokenResponseTokenType::Bearer);
    assert!(body.access_token.starts_with("lt_"));
    assert_eq!(body.access_token.len(), 3 + 32);
    assert!(
        body.access_token[3..]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
    );
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

    let response = keyed(&sandbox, EXAMPLE_CLIENT_ID)?
        .issue_long_term_token(&request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response.headers().get("x-token-id").cloned();
    let body = response.into_inner();
    assert_eq!(
        header.as_ref().and_then(|h| h.to_str().ok()),
        body.token_id.as_deref()
    );
    assert_eq!(body.expires_in, 2_592_000);
    assert_close_to_now_plus(body.expires_at, body.expires_in);
    assert_eq!(body.scopes, ["jobs:*"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_assertion_defaults_scopes_and_ttl() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let response = keyed(&sandbox, EXAMPLE_CLIENT_ID)?
        .issue_long_term_token(&assertion_request(&[]))
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response.headers().get("x-token-id").cloned();
    let body = response.into_inner();
    assert_eq!(
        header.as_ref().and_then(|h| h.to_str().ok()),
        body.token_id.as_deref()
    );
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
    let short = short_token(&sandbox, &long.access_token, &["tokens:write"]).await?;

    // No secret in the body: the short-term token is the step-up.
    let request = bare_request(
        types::LongTokenRequestGrantType::ClientCredentials,
        &["jobs:submit"],
    );
    let response = bearer(&sandbox, &short.access_token)?
        .issue_long_term_token(&request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let rotated = response.into_inner();
    assert_ne!(rotated.access_token, long.access_token);
    assert_ne!(rotated.token_id, long.token_id);
    assert_eq!(rotated.scopes, ["jobs:submit"]);

    // The new long-term token works.
    let again = short_token(&sandbox, &rotated.access_token, &[]).await?;
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
        c2m_auth::client_key_header(EXAMPLE_CLIENT_ID)?,
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
            "application/json",
            r#"{"grant_type":"password","client_id":"c2m_abc123"}"#,
            Some("grant_type"),
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
            c2m_auth::client_key_header(EXAMPLE_CLIENT_ID)?,
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
    // A bad enum value is reported without echoing it.
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        c2m_auth::client_key_header(EXAMPLE_CLIENT_ID)?,
        Some((
            "application/json",
            r#"{"grant_type":"password","client_id":"c2m_abc123"}"#,
        )),
    )
    .await?;
    let (_, error) = raw_refusal(response).await?;
    assert!(!error.message.contains("password"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_ttl_out_of_bounds() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
    for (ttl, bound) in [(3_599, "3600"), (7_776_001, "7776000"), (-1, "3600")] {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let refusal = refusal(client.issue_long_term_token(&request).await);
        assert_refused(&refusal, 400, "invalid_request");
        assert!(
            refusal.error.message.contains("ttl_seconds"),
            "{}",
            refusal.error.message
        );
        assert!(
            refusal.error.message.contains(bound),
            "{}",
            refusal.error.message
        );
    }
    // The bounds themselves are accepted.
    for ttl in [3_600, 7_776_000] {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let body = client.issue_long_term_token(&request).await?.into_inner();
        assert_eq!(body.expires_in, ttl);
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_wrong_credentials() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;

    let mut wrong_secret = secret_request(&[]);
    wrong_secret.client_secret = Some("not-the-secret".into());
    let mut wrong_otp = otp_request(&[]);
    wrong_otp.otp_code = Some("000000".into());
    let mut wrong_assertion = assertion_request(&[]);
    wrong_assertion.assertion = Some("eyJub3QiOiJpdCJ9.x.y".into());

    for request in [wrong_secret, wrong_otp, wrong_assertion] {
        let refusal = refusal(client.issue_long_term_token(&request).await);
        assert_refused(&refusal, 400, "invalid_grant");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_wants_exactly_one_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
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
        let refusal = refusal(client.issue_long_term_token(&request).await);
        assert_refused(&refusal, 400, "invalid_request");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_scopes_not_allowed() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
    let refusal = refusal(
        client
            .issue_long_term_token(&secret_request(&["jobs:submit", "billing:read"]))
            .await,
    );
    assert_refused(&refusal, 400, "invalid_scope");
    assert!(refusal.error.message.contains("billing:read"));

    // `jobs:*` covers any `jobs:` scope.
    let body = client
        .issue_long_term_token(&secret_request(&["jobs:cancel"]))
        .await?
        .into_inner();
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
    let mut request = secret_request(&[]);
    request.client_id = "c2m_two".into();
    request.client_secret = Some("s2".into());
    let refusal = refusal(
        keyed(&sandbox, "c2m_one")?
            .issue_long_term_token(&request)
            .await,
    );
    assert_refused(&refusal, 400, "invalid_grant");

    // Each client with its own secret is fine.
    let body = keyed(&sandbox, "c2m_two")?
        .issue_long_term_token(&request)
        .await?
        .into_inner();
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
    let refusal = refusal(
        keyed(&sandbox, EXAMPLE_CLIENT_ID)?
            .issue_long_term_token(&secret_request(&[]))
            .await,
    );
    assert_refused(&refusal, 401, "invalid_client");

    let mut request = otp_request(&[]);
    request.client_id = "acme".into();
    request.otp_code = Some("424242".into());
    let body = keyed(&sandbox, "acme")?
        .issue_long_term_token(&request)
        .await?
        .into_inner();
    assert_eq!(body.scopes, ["templates:read"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_needs_exactly_one_credential() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let refusal_none = refusal(
        anonymous(&sandbox)?
            .issue_long_term_token(&secret_request(&[]))
            .await,
    );
    assert_refused(&refusal_none, 401, "invalid_token");

    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let mut both = c2m_auth::client_key_header(EXAMPLE_CLIENT_ID)?;
    both.extend(c2m_auth::bearer_header(&short.access_token)?);
    let client = Client::with_default_headers(&sandbox.base_url(), both)?;
    let refusal_both = refusal(client.issue_long_term_token(&secret_request(&[])).await);
    assert_refused(&refusal_both, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_bad_bearer_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);

    let unknown = refusal(
        bearer(&sandbox, "st_unknown")?
            .issue_long_term_token(&request)
            .await,
    );
    assert_refused(&unknown, 401, "invalid_token");

    // A long-term token is not a ShortTokenAuth credential.
    let long = long_token(&sandbox, &[]).await?;
    let wrong_kind = refusal(
        bearer(&sandbox, &long.access_token)?
            .issue_long_term_token(&request)
            .await,
    );
    assert_refused(&wrong_kind, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_unknown_client_key() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&[]);
    request.client_id = "c2m_nobody".into();
    let refusal = refusal(
        keyed(&sandbox, "c2m_nobody")?
            .issue_long_term_token(&request)
            .await,
    );
    assert_refused(&refusal, 401, "invalid_client");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_without_tokens_write_is_forbidden() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:write"]).await?;
    let short = short_token(&sandbox, &long.access_token, &["jobs:submit"]).await?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    let refusal = refusal(
        bearer(&sandbox, &short.access_token)?
            .issue_long_term_token(&request)
            .await,
    );
    assert_refused(&refusal, 403, "insufficient_scope");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_takes_no_second_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let refusal = refusal(
        bearer(&sandbox, &short.access_token)?
            .issue_long_term_token(&secret_request(&[]))
            .await,
    );
    assert_refused(&refusal, 400, "invalid_request");
    Ok(())
}

#[tokio::test]
async fn long_term_token_is_rate_limited() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(60))
        .start()
        .await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
    client.issue_long_term_token(&secret_request(&[])).await?;
    client.issue_long_term_token(&secret_request(&[])).await?;

    let refusal = refusal(client.issue_long_term_token(&secret_request(&[])).await);
    assert_refused(&refusal, 429, "rate_limited");
    let retry_after: u64 = refusal
        .headers
        .get("retry-after")
        .ok_or("no Retry-After header")?
        .to_str()?
        .parse()?;
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(sandbox.request_count("issueLongTermToken"), 3);
    Ok(())
}

#[tokio::test]
async fn rate_limit_window_reopens() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_millis(300))
        .start()
        .await?;
    let client = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
    client.issue_long_term_token(&secret_request(&[])).await?;
    let refusal = refusal(client.issue_long_term_token(&secret_request(&[])).await);
    assert_refused(&refusal, 429, "rate_limited");
    // Less than a second left: Retry-After rounds up to 1.
    assert_eq!(
        refusal
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    client.issue_long_term_token(&secret_request(&[])).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// issueShortTermToken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn short_term_token_with_default_request() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "templates:read"]).await?;
    let response = bearer(&sandbox, &long.access_token)?
        .issue_short_term_token(&types::ShortTokenRequest::default())
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let short = response.into_inner();
    assert_eq!(short.token_type, types::ShortTokenResponseTokenType::Bearer);
    assert_eq!(short.expires_in, 900);
    assert_close_to_now_plus(short.expires_at, short.expires_in);
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);
    assert!(token_id(&short.token_id)?.starts_with("tok_st_"));
    assert_eq!(short.access_token.split('.').count(), 3, "JWT-shaped");
    Ok(())
}

#[tokio::test]
async fn short_term_token_with_no_body_at_all() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        c2m_auth::bearer_header(&long.access_token)?,
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
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
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
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    assert_eq!(short.expires_in, 0);
    let refusal = refusal(
        bearer(&sandbox, &short.access_token)?
            .revoke_token(token_id(&long.token_id)?)
            .await,
    );
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn short_term_token_narrows_scopes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:*", "templates:read", "tokens:revoke"]).await?;
    let short = short_token(
        &sandbox,
        &long.access_token,
        &["jobs:submit", "templates:read"],
    )
    .await?;
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);

    // long_token in the body may repeat the header's token.
    let request = types::ShortTokenRequest {
        long_token: Some(long.access_token.clone()),
        scopes: strings(&["tokens:revoke"]),
    };
    let short = bearer(&sandbox, &long.access_token)?
        .issue_short_term_token(&request)
        .await?
        .into_inner();
    assert_eq!(short.scopes, ["tokens:revoke"]);
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_scope_not_held() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let request = types::ShortTokenRequest {
        long_token: None,
        scopes: strings(&["jobs:submit", "tokens:write"]),
    };
    let refusal = refusal(
        bearer(&sandbox, &long.access_token)?
            .issue_short_term_token(&request)
            .await,
    );
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
        c2m_auth::bearer_header(&long.access_token)?,
        Some((
            "application/json",
            r#"{"scopes":["jobs:submit"],"audience":"x"}"#,
        )),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
    assert!(error.message.contains("audience"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_a_different_long_token_in_the_body() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let other = long_token(&sandbox, &[]).await?;
    let request = types::ShortTokenRequest {
        long_token: Some(other.access_token.clone()),
        scopes: Vec::new(),
    };
    let refusal = refusal(
        bearer(&sandbox, &long.access_token)?
            .issue_short_term_token(&request)
            .await,
    );
    assert_refused(&refusal, 400, "invalid_request");
    assert!(!refusal.error.message.contains(&other.access_token));
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_missing_unknown_and_short_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let request = types::ShortTokenRequest::default();

    let missing = refusal(anonymous(&sandbox)?.issue_short_term_token(&request).await);
    assert_refused(&missing, 401, "invalid_token");

    let unknown = refusal(
        bearer(&sandbox, "lt_0000")?
            .issue_short_term_token(&request)
            .await,
    );
    assert_refused(&unknown, 401, "invalid_token");

    // A short-term token cannot be exchanged for another one.
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let short_as_long = refusal(
        bearer(&sandbox, &short.access_token)?
            .issue_short_term_token(&request)
            .await,
    );
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
    short_token(&sandbox, &long.access_token, &[]).await?;
    let refusal = refusal(
        bearer(&sandbox, &long.access_token)?
            .issue_short_term_token(&types::ShortTokenRequest::default())
            .await,
    );
    assert_refused(&refusal, 429, "rate_limited");
    assert!(refusal.headers.contains_key("retry-after"));

    // revokeToken is not limited (the spec lists no 429 for it).
    bearer(&sandbox, &long.access_token)?
        .revoke_token(token_id(&long.token_id)?)
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
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let client = bearer(&sandbox, &long.access_token)?;

    let first = client.revoke_token(token_id(&short.token_id)?).await?;
    assert_eq!(first.status().as_u16(), 204);
    let second = client.revoke_token(token_id(&short.token_id)?).await?;
    assert_eq!(second.status().as_u16(), 204);

    // The revoked short-term token is refused.
    let refusal = refusal(
        bearer(&sandbox, &short.access_token)?
            .revoke_token(token_id(&long.token_id)?)
            .await,
    );
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoked_long_term_token_is_refused_and_cascades() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke", "jobs:submit"]).await?;
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let long_id = token_id(&long.token_id)?;

    // Revoked with a short-term token issued from it.
    let response = bearer(&sandbox, &short.access_token)?
        .revoke_token(long_id)
        .await?;
    assert_eq!(response.status().as_u16(), 204);

    // The long-term token can no longer be exchanged...
    let exchange = refusal(
        bearer(&sandbox, &long.access_token)?
            .issue_short_term_token(&types::ShortTokenRequest::default())
            .await,
    );
    assert_refused(&exchange, 401, "invalid_token");

    // ...and its short-term tokens are dead too: they can no longer revoke
    // another token...
    let other = long_token(&sandbox, &[]).await?;
    let cascaded = refusal(
        bearer(&sandbox, &short.access_token)?
            .revoke_token(token_id(&other.token_id)?)
            .await,
    );
    assert_refused(&cascaded, 401, "invalid_token");
    // ...nor themselves be exchanged for anything.
    let exchange = refusal(
        bearer(&sandbox, &short.access_token)?
            .issue_short_term_token(&types::ShortTokenRequest::default())
            .await,
    );
    assert_refused(&exchange, 401, "invalid_token");

    // Only a retry of the revocation that disabled it still succeeds.
    let retry = bearer(&sandbox, &short.access_token)?
        .revoke_token(long_id)
        .await?;
    assert_eq!(retry.status().as_u16(), 204);
    Ok(())
}

#[tokio::test]
async fn self_revocation_is_idempotent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = bearer(&sandbox, &long.access_token)?;
    assert_eq!(client.revoke_token(long_id).await?.status().as_u16(), 204);
    // A retry with the now-revoked token, e.g. after a lost response.
    assert_eq!(client.revoke_token(long_id).await?.status().as_u16(), 204);
    // It is refused for anything else.
    let exchange = refusal(
        client
            .issue_short_term_token(&types::ShortTokenRequest::default())
            .await,
    );
    assert_refused(&exchange, 401, "invalid_token");
    let not_own = refusal(client.revoke_token("tok_lt_000000").await);
    assert_refused(&not_own, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoke_needs_a_valid_token_with_tokens_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;

    let missing = refusal(anonymous(&sandbox)?.revoke_token(long_id).await);
    assert_refused(&missing, 401, "invalid_token");

    let unknown = refusal(bearer(&sandbox, "lt_nope")?.revoke_token(long_id).await);
    assert_refused(&unknown, 401, "invalid_token");

    // Valid but without tokens:revoke: 401 (the spec lists no 403 here).
    let narrow = short_token(&sandbox, &long.access_token, &["jobs:submit"]).await?;
    let lacking = refusal(
        bearer(&sandbox, &narrow.access_token)?
            .revoke_token(long_id)
            .await,
    );
    assert_refused(&lacking, 401, "insufficient_scope");

    // Nothing was revoked by the refused calls.
    short_token(&sandbox, &long.access_token, &[]).await?;
    Ok(())
}

#[tokio::test]
async fn revoked_token_cannot_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let other = long_token(&sandbox, &["tokens:revoke"]).await?;
    let client = bearer(&sandbox, &long.access_token)?;
    client.revoke_token(token_id(&long.token_id)?).await?;
    let refusal = refusal(client.revoke_token(token_id(&other.token_id)?).await);
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
    let issue = |id: &'static str, secret: &'static str| {
        let mut request = secret_request(&[]);
        request.client_id = id.into();
        request.client_secret = Some(secret.into());
        let client = keyed(&sandbox, id);
        async move {
            Ok::<_, Box<dyn std::error::Error>>(
                client?.issue_long_term_token(&request).await?.into_inner(),
            )
        }
    };
    let one = issue("c2m_one", "s1").await?;
    let two = issue("c2m_two", "s2").await?;
    let client = bearer(&sandbox, &one.access_token)?;

    let unknown = refusal(client.revoke_token("tok_lt_000000").await);
    assert_refused(&unknown, 404, "not_found");

    let foreign = refusal(client.revoke_token(token_id(&two.token_id)?).await);
    assert_refused(&foreign, 404, "not_found");

    // The other client's token still works.
    short_token(&sandbox, &two.access_token, &[]).await?;
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
    // A refused request counts too.
    let _ = refusal(
        anonymous(&sandbox)?
            .issue_long_term_token(&secret_request(&[]))
            .await,
    );
    let short = short_token(&sandbox, &long.access_token, &[]).await?;
    let client = bearer(&sandbox, &long.access_token)?;
    for _ in 0..3 {
        client.revoke_token(token_id(&short.token_id)?).await?;
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
    let short = short_token(&sandbox, &long.access_token, &["jobs:submit"]).await?;
    let keyed = keyed(&sandbox, EXAMPLE_CLIENT_ID)?;
    let with_long = bearer(&sandbox, &long.access_token)?;
    let with_short = bearer(&sandbox, &short.access_token)?;
    let wrong_secret = "wrong-secret-value-1";

    let mut errors = Vec::new();
    let mut request = secret_request(&[]);
    request.client_secret = Some(wrong_secret.into());
    errors.push(refusal(keyed.issue_long_term_token(&request).await).error);
    let mut request = secret_request(&[]);
    request.otp_code = Some(EXAMPLE_OTP_CODE.into());
    errors.push(refusal(keyed.issue_long_term_token(&request).await).error);
    let mut request = assertion_request(&[]);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    errors.push(refusal(keyed.issue_long_term_token(&request).await).error);
    errors.push(refusal(with_long.issue_long_term_token(&secret_request(&[])).await).error);
    errors.push(refusal(with_short.issue_long_term_token(&secret_request(&[])).await).error);
    errors.push(refusal(with_short.issue_short_term_token(&Default::default()).await).error);
    errors.push(refusal(with_short.revoke_token("tok_lt_x").await).error);
    let request = types::ShortTokenRequest {
        long_token: Some(short.access_token.clone()),
        scopes: Vec::new(),
    };
    errors.push(refusal(with_long.issue_short_term_token(&request).await).error);
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
            c2m_auth::client_key_header(EXAMPLE_CLIENT_ID)?,
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
        &long.access_token,
        &short.access_token,
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
