//! `revokeToken`: a token with `tokens:revoke` revokes one of its client's
//! tokens, idempotently.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::sandbox::error::{ApiError, invalid_token};
use crate::sandbox::grant::holds;
use crate::sandbox::request::bearer;
use crate::sandbox::store::Shared;
use crate::sandbox::{OP_REVOKE, SCOPE_REVOKE};

pub(super) fn revoke(
    app: &Shared,
    headers: &HeaderMap,
    token_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_REVOKE);
    let now = Utc::now();

    let access =
        bearer(headers)?.ok_or_else(|| invalid_token("No credential: send a bearer token."))?;
    let target_id = token_id.as_ref().ok().map(|Path(id)| id.as_str());
    let caller = match store.authenticate(access, now) {
        Ok(caller) => caller,
        Err(_) if store.repeats_revocation(access, target_id, now) => {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        Err(err) => return Err(err),
    };
    if !holds(&caller.scopes, SCOPE_REVOKE) {
        // The spec lists no 403 for revokeToken: refuse with 401.
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "insufficient_scope",
            "The bearer token lacks the scope tokens:revoke.",
        ));
    }
    let caller_client = caller.client_id.clone();

    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No token with this id exists.",
        )
    };
    let Ok(Path(token_id)) = token_id else {
        return Err(not_found());
    };
    let access = store.ids.get(&token_id).cloned().ok_or_else(not_found)?;
    let target = store.tokens.get_mut(&access).ok_or_else(not_found)?;
    if target.client_id != caller_client {
        return Err(not_found());
    }
    target.revoked = true;
    Ok(StatusCode::NO_CONTENT.into_response())
}
