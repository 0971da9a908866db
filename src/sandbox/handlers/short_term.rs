//! `issueShortTermToken`: a long-term bearer token exchanged for a
//! short-term one with some or all of its scopes.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{expiry, random_base64url, random_hex};
use crate::sandbox::OP_SHORT;
use crate::sandbox::error::{ApiError, invalid_request, invalid_token};
use crate::sandbox::grant::grant_scopes;
use crate::sandbox::request::{bearer, parse_body};
use crate::sandbox::store::{Kind, Shared, Token};
use crate::types;

pub(super) fn short_term(
    app: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_SHORT);
    store.check_rate()?;
    let now = Utc::now();

    let access = bearer(headers)?
        .ok_or_else(|| invalid_token("No credential: send a long-term bearer token."))?;
    let long = store.authenticate(access, now)?;
    if long.kind != Kind::Long {
        return Err(invalid_token(
            "This operation takes a long-term token, not a short-term one.",
        ));
    }
    let request: types::ShortTokenRequest = parse_body(headers, body)?.unwrap_or_default();
    if request
        .long_token
        .as_ref()
        .is_some_and(|t| t.expose() != access)
    {
        return Err(invalid_request(
            "long_token in the body is not the token of the Authorization header.",
        ));
    }
    let scopes = grant_scopes(&long.scopes, request.scopes, "the long-term token")?;
    let client_id = long.client_id.clone();
    let parent = long.id.clone();

    let (expires_at, expires_in) = expiry(now, app.short_token_ttl);
    let access = format!(
        "{}.{}.{}",
        random_base64url(20),
        random_base64url(40),
        random_base64url(43)
    );
    let id = format!("tok_st_{}", random_hex(6));
    let mut response = types::ShortTokenResponse::new(
        types::ShortTokenResponseTokenType::Bearer,
        access.as_str(),
        expires_in,
        expires_at,
    );
    response.scopes = scopes.clone();
    response.token_id = Some(id.clone());
    store.insert(
        access,
        Token {
            id,
            kind: Kind::Short,
            client_id,
            scopes,
            expires_at,
            revoked: false,
            parent: Some(parent),
        },
    );
    drop(store);

    Ok((StatusCode::CREATED, axum::Json(response)).into_response())
}
