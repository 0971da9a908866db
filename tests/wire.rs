//! What the generated client puts on the wire, and what it makes of replies
//! that break the spec, against the recording HTTP server of
//! `tests/recording` (not the sandbox, which would refuse most of these
//! replies' requests).
//!
//! The server answers each path of `spec/auth.yaml` with the spec's success.
//! Under `/hostile/<case>/…` it answers with one kind of broken reply
//! instead; a client whose base URL ends in `/hostile/<case>` gets it.

mod recording;

use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use c2m_auth::runtime::{Error, Secret};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, types};
use recording::{Recorded, RecordingServer};
use serde_json::{Value, json};

type BoxError = Box<dyn std::error::Error>;
type TestResult = Result<(), BoxError>;

/// The long-term token the server issues; it must never show up in an error.
const LONG_TOKEN: &str = "lt_wire_0d51e9bd2f6449cf_secret";
/// The short-term token the server issues.
const SHORT_TOKEN: &str = "eyJ.wire-short-secret.sig";
const TOKEN_ID: &str = "tok_lt_b8e0aa";
const CLIENT_ID: &str = "c2m_abc123";
const CLIENT_SECRET: &str = "supersecret123";

/// The recording server of `recording`, answering as [`reply`] says.
struct Recorder(RecordingServer);

impl Recorder {
    async fn start() -> std::io::Result<Self> {
        RecordingServer::start(|request: &Recorded| reply(&request.path))
            .await
            .map(Self)
    }

    /// A client of the spec-abiding server.
    fn client(&self) -> Result<Client, BoxError> {
        Ok(Client::with_base_url(&self.0.base_url())?)
    }

    /// A client of the server answering with the broken reply `case`.
    fn hostile(&self, case: &str) -> Result<Client, BoxError> {
        Ok(Client::with_base_url(&format!(
            "{}/hostile/{case}",
            self.0.base_url()
        ))?)
    }

    /// The one request received since the last call; an error if there
    /// were none or several.
    fn take_one(&self) -> Result<Recorded, BoxError> {
        self.0.take_one()
    }

    fn count(&self) -> usize {
        self.0.count()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operation {
    Long,
    Short,
    Revoke,
}

fn long_body() -> Value {
    json!({
        "token_type": "Bearer",
        "access_token": LONG_TOKEN,
        "expires_in": 2_592_000,
        "expires_at": "2025-09-25T22:45:00Z",
        "scopes": ["jobs:*"],
        "token_id": TOKEN_ID,
    })
}

fn short_body() -> Value {
    json!({
        "token_type": "Bearer",
        "access_token": SHORT_TOKEN,
        "expires_in": 900,
        "expires_at": "2025-08-26T22:45:00Z",
        "scopes": ["jobs:submit", "templates:read"],
        "token_id": "tok_st_9f3d2c",
    })
}

fn without(mut body: Value, field: &str) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove(field);
    }
    body
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.insert(field.to_owned(), value);
    }
    body
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

fn created_with_token_id(body: Value, token_id: HeaderValue) -> Response {
    let mut response = created(body);
    response
        .headers_mut()
        .insert(HeaderName::from_static("x-token-id"), token_id);
    response
}

/// The reply to `path`: the spec's success, or under `/hostile/<case>` the
/// broken reply `case`.
fn reply(path: &str) -> Response {
    let (case, rest) = match path.strip_prefix("/hostile/") {
        Some(rest) => rest.split_once('/').unwrap_or((rest, "")),
        None => ("spec", path.trim_start_matches('/')),
    };
    let operation = match rest {
        "auth/tokens/long" => Operation::Long,
        "auth/tokens/short" => Operation::Short,
        _ if rest.starts_with("auth/tokens/") && rest.ends_with("/revoke") => Operation::Revoke,
        _ => return (StatusCode::NOT_FOUND, "no such route").into_response(),
    };
    let success = |body: Value| match operation {
        Operation::Long => created_with_token_id(body, HeaderValue::from_static(TOKEN_ID)),
        Operation::Short => created(body),
        Operation::Revoke => StatusCode::NO_CONTENT.into_response(),
    };
    let body = match operation {
        Operation::Long => long_body(),
        _ => short_body(),
    };
    match case {
        "spec" => success(body),
        // The header holds the token, then a byte that is not ASCII.
        "token-id-not-ascii" => {
            let mut bytes = LONG_TOKEN.as_bytes().to_vec();
            bytes.push(0xE9);
            match HeaderValue::from_bytes(&bytes) {
                Ok(value) => created_with_token_id(long_body(), value),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        "missing-expires-at" => success(without(body, "expires_at")),
        "missing-access-token" => success(without(body, "access_token")),
        "expires-at-not-a-date" => success(with(body, "expires_at", json!("next tuesday"))),
        "error-body-not-json" => (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::CONTENT_TYPE, "text/html")],
            format!("<html>{LONG_TOKEN}</html>"),
        )
            .into_response(),
        "status-500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"code": "server_error", "message": "Something broke."})),
        )
            .into_response(),
        "status-418" => (StatusCode::IM_A_TEAPOT, "I'm a teapot").into_response(),
        // A listed error status whose body lacks the required `message`.
        "error-body-lacks-message" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": "invalid_grant"})),
        )
            .into_response(),
        "rate-limited" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "7")],
            axum::Json(json!({"code": "rate_limited", "message": "Retry after 7 seconds."})),
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "no such case").into_response(),
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn long_request() -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        CLIENT_ID,
    );
    request.client_secret = Some(Secret::from(CLIENT_SECRET));
    request.scopes = vec!["jobs:submit".into()];
    request.ttl_seconds = Some(86_400);
    request
}

/// What every request of the generated client carries, whatever the
/// operation: its method, no query, its own User-Agent, JSON accepted, and
/// not progenitor's undeclared `api-version`.
fn assert_common(request: &Recorded, path: &str) {
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, path);
    assert_eq!(request.query, None);
    assert_eq!(request.header("api-version"), None);
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("c2m-auth/"), "user-agent {agent:?}");
    assert_eq!(request.header("accept"), Some("application/json"));
}

/// Exactly the `ClientKey` mechanism: `X-Client-Id` and no Authorization.
fn assert_client_key(request: &Recorded, client_id: &str) {
    assert_eq!(request.header("x-client-id"), Some(client_id));
    assert_eq!(request.header("authorization"), None);
}

/// Exactly a bearer mechanism: Authorization and no `X-Client-Id`.
fn assert_bearer(request: &Recorded, token: &str) {
    let expected = format!("Bearer {token}");
    assert_eq!(request.header("authorization"), Some(expected.as_str()));
    assert_eq!(request.header("x-client-id"), None);
}

fn assert_json_body(request: &Recorded) {
    assert_eq!(request.header("content-type"), Some("application/json"));
}

fn assert_no_body(request: &Recorded) {
    assert!(request.body.is_empty(), "{} body bytes", request.body.len());
    assert_eq!(request.header("content-type"), None);
}

/// The reason of an `Error::InvalidResponse`, checking that neither it nor
/// the error's `Display`/`Debug` shows a token.
fn invalid_response<T, H>(
    result: Result<c2m_auth::Response<T, H>, Error<types::AuthError>>,
) -> Result<String, BoxError> {
    let error = match result {
        Err(error @ Error::InvalidResponse { .. }) => error,
        Err(other) => return Err(format!("expected InvalidResponse, got {other}").into()),
        Ok(response) => return Err(format!("accepted a {} reply", response.status()).into()),
    };
    let printed = format!("{error} {error:?}");
    for token in [LONG_TOKEN, SHORT_TOKEN] {
        assert!(!printed.contains(token), "the error shows a token");
    }
    match error {
        Error::InvalidResponse { reason, .. } => Ok(reason),
        _ => Err("unreachable: matched above".into()),
    }
}

fn unexpected_status<T, H>(
    result: Result<c2m_auth::Response<T, H>, Error<types::AuthError>>,
) -> Result<u16, BoxError> {
    match result {
        Err(Error::UnexpectedStatus { status, .. }) => Ok(status.as_u16()),
        Err(other) => Err(format!("expected UnexpectedStatus, got {other}").into()),
        Ok(response) => Err(format!("accepted a {} reply", response.status()).into()),
    }
}

/// Decodes `%XX` escapes of a path segment.
fn percent_decode(segment: &str) -> Result<String, BoxError> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3).ok_or("truncated escape")?;
            out.push(u8::from_str_radix(hex, 16)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8(out)?)
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn issue_long_term_token_with_client_key() -> TestResult {
    let server = Recorder::start().await?;
    let request = long_request();
    let response = server
        .client()?
        .issue_long_term_token(&ClientKey::new(CLIENT_ID), &request)
        .await?;

    let sent = server.take_one()?;
    assert_common(&sent, "/auth/tokens/long");
    assert_client_key(&sent, CLIENT_ID);
    assert_json_body(&sent);
    assert_eq!(sent.body_json()?, serde_json::to_value(&request)?);
    // The secret travels as plain JSON, where the spec puts it.
    assert_eq!(sent.body_json()?["client_secret"], CLIENT_SECRET);

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers().x_token_id.as_deref(), Some(TOKEN_ID));
    assert_eq!(response.access_token.expose(), LONG_TOKEN);
    assert_eq!(
        response.expires_at.to_rfc3339(),
        "2025-09-25T22:45:00+00:00"
    );
    Ok(())
}

#[tokio::test]
async fn issue_long_term_token_with_short_token() -> TestResult {
    let server = Recorder::start().await?;
    let mut request = long_request();
    request.client_secret = None;
    server
        .client()?
        .issue_long_term_token(&ShortTokenAuth::new(SHORT_TOKEN), &request)
        .await?;

    let sent = server.take_one()?;
    assert_common(&sent, "/auth/tokens/long");
    assert_bearer(&sent, SHORT_TOKEN);
    assert_json_body(&sent);
    assert_eq!(sent.body_json()?, serde_json::to_value(&request)?);
    Ok(())
}

#[tokio::test]
async fn issue_short_term_token_without_a_body_sends_none() -> TestResult {
    let server = Recorder::start().await?;
    let response = server
        .client()?
        .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), None)
        .await?;

    let sent = server.take_one()?;
    assert_common(&sent, "/auth/tokens/short");
    assert_bearer(&sent, LONG_TOKEN);
    assert_no_body(&sent);

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.access_token.expose(), SHORT_TOKEN);
    assert_eq!(response.expires_in, 900);
    Ok(())
}

#[tokio::test]
async fn issue_short_term_token_with_a_body_sends_it() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.client()?;
    let credential = LongTokenAuth::new(LONG_TOKEN);

    client
        .issue_short_term_token(&credential, Some(&types::ShortTokenRequest::default()))
        .await?;
    let sent = server.take_one()?;
    assert_common(&sent, "/auth/tokens/short");
    assert_bearer(&sent, LONG_TOKEN);
    assert_json_body(&sent);
    assert_eq!(&sent.body[..], b"{}");

    let mut request = types::ShortTokenRequest::new();
    request.long_token = Some(Secret::from(LONG_TOKEN));
    request.scopes = vec!["jobs:submit".into()];
    client
        .issue_short_term_token(&credential, Some(&request))
        .await?;
    let sent = server.take_one()?;
    assert_json_body(&sent);
    assert_eq!(
        sent.body_json()?,
        json!({"long_token": LONG_TOKEN, "scopes": ["jobs:submit"]})
    );
    Ok(())
}

#[tokio::test]
async fn revoke_token_with_either_bearer_credential() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.client()?;

    let response = client
        .revoke_token(&ShortTokenAuth::new(SHORT_TOKEN), TOKEN_ID)
        .await?;
    assert_eq!(response.status().as_u16(), 204);
    let sent = server.take_one()?;
    assert_common(&sent, &format!("/auth/tokens/{TOKEN_ID}/revoke"));
    assert_bearer(&sent, SHORT_TOKEN);
    assert_no_body(&sent);

    client
        .revoke_token(&LongTokenAuth::new(LONG_TOKEN), TOKEN_ID)
        .await?;
    let sent = server.take_one()?;
    assert_common(&sent, &format!("/auth/tokens/{TOKEN_ID}/revoke"));
    assert_bearer(&sent, LONG_TOKEN);
    assert_no_body(&sent);
    Ok(())
}

#[tokio::test]
async fn revoke_token_keeps_the_id_in_one_path_segment() -> TestResult {
    let server = Recorder::start().await?;
    let awkward = "tok/../x?y=1#z %";
    server
        .client()?
        .revoke_token(&LongTokenAuth::new(LONG_TOKEN), awkward)
        .await?;

    let sent = server.take_one()?;
    assert_eq!(sent.query, None);
    let segment = sent
        .path
        .strip_prefix("/auth/tokens/")
        .and_then(|rest| rest.strip_suffix("/revoke"))
        .ok_or(format!("unexpected path {}", sent.path))?;
    assert!(!segment.contains('/'), "{segment}");
    assert_eq!(percent_decode(segment)?, awkward);
    Ok(())
}

#[tokio::test]
async fn a_request_out_of_bounds_never_reaches_the_server() -> TestResult {
    let server = Recorder::start().await?;
    let mut request = long_request();
    request.ttl_seconds = Some(10);
    let result = server
        .client()?
        .issue_long_term_token(&ClientKey::new(CLIENT_ID), &request)
        .await;
    match result {
        Err(Error::InvalidRequest(error)) => {
            assert_eq!(
                error.to_string(),
                "`ttl_seconds` is 10, less than the minimum 3600"
            );
        }
        Err(other) => return Err(format!("expected InvalidRequest, got {other}").into()),
        Ok(_) => return Err("ttl_seconds 10 was accepted".into()),
    }
    assert_eq!(server.count(), 0, "the server saw a request");
    Ok(())
}

#[tokio::test]
async fn a_credential_that_cannot_be_a_header_is_never_sent() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.client()?;
    let smuggled = "c2m_abc123\r\nX-Injected: yes";

    let result = client
        .issue_long_term_token(&ClientKey::new(smuggled), &long_request())
        .await;
    let Err(error @ Error::InvalidCredential(_)) = result else {
        return Err("a key holding CR LF was not refused".into());
    };
    assert!(error.is_local());
    assert!(!format!("{error} {error:?}").contains("X-Injected"));

    let result = client
        .issue_short_term_token(&LongTokenAuth::new("lt_line\nbreak"), None)
        .await;
    assert!(matches!(result, Err(Error::InvalidCredential(_))));
    assert_eq!(server.count(), 0, "the server saw a request");
    Ok(())
}

// ---------------------------------------------------------------------------
// Replies that break the spec
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_token_id_header_that_is_not_text_is_an_invalid_response() -> TestResult {
    let server = Recorder::start().await?;
    let result = server
        .hostile("token-id-not-ascii")?
        .issue_long_term_token(&ClientKey::new(CLIENT_ID), &long_request())
        .await;
    let reason = invalid_response(result)?;
    assert!(reason.contains("X-Token-Id"), "{reason}");
    // The base URL's path is kept in front of the operation's.
    assert_eq!(
        server.take_one()?.path,
        "/hostile/token-id-not-ascii/auth/tokens/long"
    );
    Ok(())
}

#[tokio::test]
async fn a_body_missing_a_required_field_is_an_invalid_response() -> TestResult {
    let server = Recorder::start().await?;
    let key = ClientKey::new(CLIENT_ID);
    let long_auth = LongTokenAuth::new(LONG_TOKEN);

    let client = server.hostile("missing-expires-at")?;
    let reason = invalid_response(client.issue_long_term_token(&key, &long_request()).await)?;
    assert!(reason.contains("expires_at"), "{reason}");
    let reason = invalid_response(client.issue_short_term_token(&long_auth, None).await)?;
    assert!(reason.contains("expires_at"), "{reason}");

    let client = server.hostile("missing-access-token")?;
    let reason = invalid_response(client.issue_long_term_token(&key, &long_request()).await)?;
    assert!(reason.contains("access_token"), "{reason}");
    let reason = invalid_response(client.issue_short_term_token(&long_auth, None).await)?;
    assert!(reason.contains("access_token"), "{reason}");
    Ok(())
}

#[tokio::test]
async fn an_expiry_that_is_not_a_date_time_is_an_invalid_response() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.hostile("expires-at-not-a-date")?;
    let reason = invalid_response(
        client
            .issue_long_term_token(&ClientKey::new(CLIENT_ID), &long_request())
            .await,
    )?;
    assert!(reason.contains("expires_at"), "{reason}");
    assert!(!reason.contains("next tuesday"), "{reason}");
    let reason = invalid_response(
        client
            .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), None)
            .await,
    )?;
    assert!(reason.contains("expires_at"), "{reason}");
    Ok(())
}

#[tokio::test]
async fn a_listed_error_status_with_a_body_that_is_not_json_is_an_invalid_response() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.hostile("error-body-not-json")?;
    invalid_response(
        client
            .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), None)
            .await,
    )?;
    invalid_response(
        client
            .revoke_token(&LongTokenAuth::new(LONG_TOKEN), TOKEN_ID)
            .await,
    )?;
    Ok(())
}

#[tokio::test]
async fn an_unlisted_status_is_an_unexpected_status() -> TestResult {
    let server = Recorder::start().await?;
    for (case, status) in [("status-500", 500), ("status-418", 418)] {
        let client = server.hostile(case)?;
        let long = client
            .issue_long_term_token(&ClientKey::new(CLIENT_ID), &long_request())
            .await;
        assert_eq!(unexpected_status(long)?, status);
        let short = client
            .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), None)
            .await;
        assert_eq!(unexpected_status(short)?, status);
        let revoke = client
            .revoke_token(&ShortTokenAuth::new(SHORT_TOKEN), TOKEN_ID)
            .await;
        assert_eq!(unexpected_status(revoke)?, status);
    }
    Ok(())
}

#[tokio::test]
async fn an_error_body_that_does_not_decode_is_described_as_the_error_type() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.hostile("error-body-lacks-message")?;
    let result = client
        .issue_long_term_token(&ClientKey::new(CLIENT_ID), &long_request())
        .await;
    let reason = invalid_response(result)?;
    assert_eq!(reason, "the body lacks the required field `message`");
    Ok(())
}

#[tokio::test]
async fn a_retry_after_on_a_listed_429_is_kept() -> TestResult {
    let server = Recorder::start().await?;
    let client = server.hostile("rate-limited")?;
    let error = match client
        .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), None)
        .await
    {
        Err(error) => error,
        Ok(_) => return Err("a 429 was accepted".into()),
    };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(7)));
    assert!(matches!(error, Error::Api { .. }), "{error}");
    Ok(())
}
