//! User code written against the client generated from the unchanged spec
//! (`codegen/tests/fixtures/auth.yaml`), as a crate using it would write it:
//! test doubles build response and header values with their constructors and
//! set every optional field, every enum is matched (with the wildcard arm
//! `#[non_exhaustive]` asks for), every result type is named and every
//! method called.
//! `tests/catalogue.rs` compiles it against each changed spec's client.

use c2m_api::{Client, Server, headers, security, types};
use c2m_auth::runtime::{Error, Response, Secret};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;

/// A test double's long-term token.
pub fn long_token() -> types::LongTokenResponse {
    let mut token = types::LongTokenResponse::new(
        types::LongTokenResponseTokenType::Bearer,
        Secret::from("lt"),
        2_592_000,
        DateTime::<Utc>::UNIX_EPOCH,
    );
    token.scopes = vec!["jobs:*".to_string()];
    token.token_id = Some("tok_lt".to_string());
    token
}

/// A test double's short-term token.
pub fn short_token() -> types::ShortTokenResponse {
    let mut token = types::ShortTokenResponse::new(
        "Bearer",
        "st",
        900,
        DateTime::<Utc>::UNIX_EPOCH,
    );
    token.scopes = Vec::new();
    token.token_id = None;
    token
}

/// A test double's error body.
pub fn auth_error() -> types::AuthError {
    let mut error = types::AuthError::new("invalid_grant", "no");
    error.details = serde_json::Map::new();
    error
}

/// A test double's whole responses, headers included.
pub fn responses() -> (
    Response<types::LongTokenResponse, headers::IssueLongTermTokenHeaders>,
    Response<types::ShortTokenResponse, headers::IssueShortTermTokenHeaders>,
    Response<(), headers::RevokeTokenHeaders>,
) {
    let mut headers = headers::IssueLongTermTokenHeaders::new();
    headers.x_token_id = Some("tok_lt".to_string());
    (
        Response::new(StatusCode::CREATED, headers, long_token()),
        Response::new(
            StatusCode::CREATED,
            headers::IssueShortTermTokenHeaders::new(),
            short_token(),
        ),
        Response::new(
            StatusCode::NO_CONTENT,
            headers::RevokeTokenHeaders::new(),
            (),
        ),
    )
}

/// Every enum, every variant matched (a test double reading a request
/// too), and its text read.
pub fn names(
    grant: types::LongTokenRequestGrantType,
    long: types::LongTokenResponseTokenType,
    short: types::ShortTokenResponseTokenType,
) -> [&'static str; 3] {
    let _: [&str; 3] = [grant.as_str(), long.as_str(), short.as_str()];
    [
        match grant {
            types::LongTokenRequestGrantType::ClientCredentials => "client_credentials",
            types::LongTokenRequestGrantType::Assertion => "assertion",
            _ => "another",
        },
        match long {
            types::LongTokenResponseTokenType::Bearer => "Bearer",
            _ => "another",
        },
        match short {
            types::ShortTokenResponseTokenType::Bearer => "Bearer",
            _ => "another",
        },
    ]
}

/// The text of an unlisted value, read through the catch-all variant (which
/// a spec value named `Unknown` would rename).
pub fn unlisted<'a>(
    grant: &'a types::LongTokenRequestGrantType,
    long: &'a types::LongTokenResponseTokenType,
    short: &'a types::ShortTokenResponseTokenType,
) -> [Option<&'a str>; 3] {
    [
        match grant {
            types::LongTokenRequestGrantType::Unknown(value) => Some(value.as_str()),
            _ => None,
        },
        match long {
            types::LongTokenResponseTokenType::Unknown(value) => Some(value.as_str()),
            _ => None,
        },
        match short {
            types::ShortTokenResponseTokenType::Unknown(value) => Some(value.as_str()),
            _ => None,
        },
    ]
}

/// Reads every field of what the client returns, by its type.
pub fn read(
    long: &types::LongTokenResponse,
    short: &types::ShortTokenResponse,
    error: &types::AuthError,
    headers: &headers::IssueLongTermTokenHeaders,
) -> usize {
    let _: (&Secret, &DateTime<Utc>, i64, &Vec<String>, &Option<String>) = (
        &long.access_token,
        &long.expires_at,
        long.expires_in,
        &long.scopes,
        &long.token_id,
    );
    let _: (&Secret, &DateTime<Utc>, i64, &Vec<String>, &Option<String>) = (
        &short.access_token,
        &short.expires_at,
        short.expires_in,
        &short.scopes,
        &short.token_id,
    );
    let _: (
        &String,
        &String,
        &serde_json::Map<String, serde_json::Value>,
    ) = (&error.code, &error.message, &error.details);
    let _: &Option<String> = &headers.x_token_id;
    0
}

/// Reads every field of a request, by its type (a test double's server).
pub fn read_requests(long: &types::LongTokenRequest, short: &types::ShortTokenRequest) -> usize {
    let _: (
        &types::LongTokenRequestGrantType,
        &String,
        &Option<Secret>,
        &Option<Secret>,
        &Option<String>,
        &Option<Secret>,
        &Vec<String>,
        &Option<i64>,
    ) = (
        &long.grant_type,
        &long.client_id,
        &long.client_secret,
        &long.otp_code,
        &long.assertion_type,
        &long.assertion,
        &long.scopes,
        &long.ttl_seconds,
    );
    let _: (&Option<Secret>, &Vec<String>) = (&short.long_token, &short.scopes);
    0
}

/// Every request type, built the documented way.
pub fn requests() -> (types::LongTokenRequest, types::ShortTokenRequest) {
    let mut long = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    long.client_secret = Some(Secret::from("secret"));
    long.otp_code = None::<Secret>;
    long.assertion = None::<Secret>;
    long.assertion_type = None::<String>;
    long.scopes = vec!["jobs:submit".to_string()];
    long.ttl_seconds = Some(3600_i64);
    let mut short = types::ShortTokenRequest::new();
    short.long_token = None::<Secret>;
    short.scopes = Vec::new();
    (long, short)
}

/// The list of servers, with its type named: a server added to the spec
/// must not change it.
pub fn servers() -> &'static [Server] {
    Server::ALL
}

/// Every method, with every credential it accepts, and its result type named.
pub async fn calls() -> Result<(), Error<types::AuthError>> {
    let client: Client = Client::for_server(Server::Production)
        .or_else(|_| Client::for_server(Server::Example))
        .or_else(|_| Client::new())
        .or_else(|_| Client::with_base_url("http://127.0.0.1:1"))
        .map_err(|e| Error::Other(e.to_string()))?;
    let (long_body, short_body) = requests();
    let key = security::ClientKey::new("c2m_abc123");
    let short_auth = security::ShortTokenAuth::new("st");
    let issued: Response<types::LongTokenResponse, headers::IssueLongTermTokenHeaders> =
        client.issue_long_term_token(&key, &long_body).await?;
    let _: Response<types::LongTokenResponse, headers::IssueLongTermTokenHeaders> = client
        .issue_long_term_token(&short_auth, &long_body)
        .await?;
    let long_auth = security::LongTokenAuth::from(issued.body());
    let short: Response<types::ShortTokenResponse, headers::IssueShortTermTokenHeaders> = client
        .issue_short_term_token(&long_auth, Some(&short_body))
        .await?;
    let _: Response<types::ShortTokenResponse, headers::IssueShortTermTokenHeaders> =
        client.issue_short_term_token(&long_auth, None).await?;
    let short_auth = security::ShortTokenAuth::from(short.body());
    let _: Response<(), headers::RevokeTokenHeaders> =
        client.revoke_token(&short_auth, "tok_lt").await?;
    let _: Response<(), headers::RevokeTokenHeaders> =
        client.revoke_token(&long_auth, "tok_lt").await?;
    Ok(())
}
