//! `issueLongTermToken`: a client key with its credential, or a short-term
//! token with `tokens:write` (the step-up).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{expiry, random_hex};
use crate::sandbox::error::{
    ApiError, invalid_grant, invalid_request, invalid_token, unknown_client,
};
use crate::sandbox::grant::{check_grant, grant_scopes, holds};
use crate::sandbox::request::{bearer, check_ttl, parse_body};
use crate::sandbox::store::{Kind, Shared, Token};
use crate::sandbox::{OP_LONG, SCOPE_WRITE, X_CLIENT_ID, X_TOKEN_ID};
use crate::types;

/// How the caller of `issueLongTermToken` authenticated.
enum LongAuth<'a> {
    ClientKey(&'a str),
    ShortToken(&'a str),
}

pub(super) fn long_term(
    app: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_LONG);
    store.check_rate()?;
    let now = Utc::now();

    let client_key = headers.get(X_CLIENT_ID);
    let has_bearer = headers.contains_key(AUTHORIZATION);
    let auth = match (client_key, has_bearer) {
        (Some(_), true) => {
            return Err(invalid_token(
                "Send either X-Client-Id or a short-term bearer token, not both.",
            ));
        }
        (None, false) => {
            return Err(invalid_token(
                "No credential: send X-Client-Id or a short-term bearer token.",
            ));
        }
        (Some(id), false) => LongAuth::ClientKey(id.to_str().map_err(|_| unknown_client())?),
        (None, true) => LongAuth::ShortToken(bearer(headers)?.unwrap_or_default()),
    };

    // Authenticate before looking at the body; find the client and the
    // scopes it may be granted.
    let client_id = match auth {
        LongAuth::ClientKey(id) => {
            if !store.clients.contains_key(id) {
                return Err(unknown_client());
            }
            id.to_owned()
        }
        LongAuth::ShortToken(access) => {
            let token = store.authenticate(access, now)?;
            if token.kind != Kind::Short {
                return Err(invalid_token(
                    "This operation takes a short-term token, not a long-term one.",
                ));
            }
            if !holds(&token.scopes, SCOPE_WRITE) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient_scope",
                    "The short-term token lacks the scope tokens:write.",
                ));
            }
            token.client_id.clone()
        }
    };

    let request: types::LongTokenRequest = parse_body(headers, body)?
        .ok_or_else(|| invalid_request("The request body is required."))?;
    if request.client_id != client_id {
        return Err(invalid_grant(
            "The body's client_id is not the authenticated client.",
        ));
    }

    let client = store.clients.get(&client_id).ok_or_else(unknown_client)?;
    match auth {
        LongAuth::ClientKey(_) => check_grant(client, &request)?,
        LongAuth::ShortToken(_) => {
            if request.client_secret.is_some()
                || request.otp_code.is_some()
                || request.assertion.is_some()
                || request.assertion_type.is_some()
            {
                return Err(invalid_request(
                    "Only one mechanism per call: a short-term token needs no \
                     client_secret, otp_code or assertion.",
                ));
            }
        }
    }
    let requested = check_ttl(&request, app.default_long_token_ttl)?;
    let ttl = app.long_token_lifetime.unwrap_or(requested);
    let scopes = grant_scopes(&client.allowed_scopes, request.scopes, "this client")?;

    let (expires_at, expires_in) = expiry(now, ttl);
    let access = format!("lt_{}", random_hex(16));
    let id = format!("tok_lt_{}", random_hex(6));
    let mut response = types::LongTokenResponse::new(
        types::LongTokenResponseTokenType::Bearer,
        access.as_str(),
        expires_in,
        expires_at,
    );
    response.scopes = scopes.clone();
    response.token_id = Some(id.clone());
    store.insert(
        access,
        Token {
            id: id.clone(),
            kind: Kind::Long,
            client_id,
            scopes,
            expires_at,
            revoked: false,
            parent: None,
        },
    );
    drop(store);

    let mut response = (StatusCode::CREATED, axum::Json(response)).into_response();
    if let Ok(value) = HeaderValue::try_from(id) {
        response.headers_mut().insert(X_TOKEN_ID, value);
    }
    Ok(response)
}
