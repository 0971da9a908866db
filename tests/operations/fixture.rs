//! The shared fixture: typed requests for the example client, issued
//! tokens, raw requests the typed client cannot send, and the checks of a
//! refusal.

use c2m_auth::runtime::{Error, Response, Secret};
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE,
    JWT_BEARER_ASSERTION_TYPE, Sandbox,
};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, types};

pub type BoxError = Box<dyn std::error::Error>;
pub type TestResult = Result<(), BoxError>;

/// A client for the sandbox; credentials are given per call.
pub fn client(sandbox: &Sandbox) -> Result<Client, BoxError> {
    Ok(Client::with_base_url(&sandbox.base_url())?)
}

/// The `LongTokenAuth` credential of an issued long-term token.
pub fn long_auth(token: &types::LongTokenResponse) -> LongTokenAuth {
    LongTokenAuth::new(token.access_token.clone())
}

/// The `ShortTokenAuth` credential of an issued short-term token.
pub fn short_auth(token: &types::ShortTokenResponse) -> ShortTokenAuth {
    ShortTokenAuth::new(token.access_token.clone())
}

pub fn strings(scopes: &[&str]) -> Vec<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

/// A `LongTokenRequest` for the example client with no mechanism filled in.
pub fn bare_request(
    grant: types::LongTokenRequestGrantType,
    scopes: &[&str],
) -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(grant, EXAMPLE_CLIENT_ID);
    request.scopes = strings(scopes);
    request
}

pub fn secret_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    request
}

pub fn otp_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    request.otp_code = Some(EXAMPLE_OTP_CODE.into());
    request
}

pub fn assertion_request(scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = bare_request(types::LongTokenRequestGrantType::Assertion, scopes);
    request.assertion_type = Some(JWT_BEARER_ASSERTION_TYPE.into());
    request.assertion = Some(EXAMPLE_ASSERTION.into());
    request
}

/// A `ShortTokenRequest` (the type is `#[non_exhaustive]`: built with `new`).
pub fn short_request(long_token: Option<Secret>, scopes: Vec<String>) -> types::ShortTokenRequest {
    let mut request = types::ShortTokenRequest::new();
    request.long_token = long_token;
    request.scopes = scopes;
    request
}

/// A long-term token for the example client, by client secret.
pub async fn long_token(
    sandbox: &Sandbox,
    scopes: &[&str],
) -> Result<types::LongTokenResponse, BoxError> {
    Ok(client(sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(scopes))
        .await?
        .into_body())
}

/// A short-term token exchanged from `long`, narrowed to `scopes` if any.
pub async fn short_token(
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

pub fn token_id(id: &Option<String>) -> Result<&str, BoxError> {
    Ok(id.as_deref().ok_or("response has no token_id")?)
}

/// An error response the spec lists, decoded.
pub struct Refusal {
    pub status: u16,
    pub error: types::AuthError,
}

/// The documented error response of `result`; an error on success or on
/// any other kind of failure. Never prints a successful body (it holds a
/// token, though redacted).
pub fn refusal<T, H>(
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

pub fn assert_refused(refusal: &Refusal, status: u16, code: &str) {
    assert_eq!(
        (refusal.status, refusal.error.code.as_str()),
        (status, code),
        "message: {}",
        refusal.error.message
    );
    assert!(!refusal.error.message.is_empty());
}

/// The `X-Client-Id` header of the `ClientKey` scheme, for raw requests.
pub fn key_header(client_id: &str) -> (&'static str, String) {
    ("x-client-id", client_id.to_owned())
}

/// `Authorization: Bearer <token>`, for raw requests.
pub fn bearer_header(token: &Secret) -> (&'static str, String) {
    ("authorization", format!("Bearer {}", token.expose()))
}

/// POSTs `body` (if any) with `headers`, bypassing the typed client.
pub async fn raw_post(
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
pub async fn raw_refusal(response: reqwest::Response) -> Result<(u16, types::AuthError), BoxError> {
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
pub fn retry_after(response: &reqwest::Response) -> Result<u64, BoxError> {
    Ok(response
        .headers()
        .get("retry-after")
        .ok_or("no Retry-After header")?
        .to_str()?
        .parse()?)
}

pub fn assert_close_to_now_plus(expires_at: chrono::DateTime<chrono::Utc>, expires_in: i64) {
    let expected = chrono::Utc::now() + chrono::TimeDelta::seconds(expires_in);
    let off = (expires_at - expected).num_seconds().abs();
    assert!(off <= 5, "expires_at is {off} s away from now + expires_in");
}
