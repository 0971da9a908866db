//! What a client may be granted: its credentials checked against the grant
//! type, and the scopes it asks for against those it holds.

use axum::http::StatusCode;

use super::JWT_BEARER_ASSERTION_TYPE;
use super::client::SandboxClient;
use super::error::{ApiError, invalid_grant, invalid_request};
use crate::runtime::Secret;
use crate::types;

/// Whether holding scope `held` grants scope `wanted`: equal, or `held` is
/// `prefix:*` and `wanted` is `prefix:something`.
pub(super) fn covers(held: &str, wanted: &str) -> bool {
    if held == wanted {
        return true;
    }
    held.strip_suffix('*')
        .filter(|prefix| prefix.ends_with(':'))
        .and_then(|prefix| wanted.strip_prefix(prefix))
        .is_some_and(|rest| !rest.is_empty())
}

/// Whether any scope of `held` grants `wanted`.
pub(super) fn holds(held: &[String], wanted: &str) -> bool {
    held.iter().any(|h| covers(h, wanted))
}

/// The scopes to grant: `requested` (deduplicated) if each is covered by
/// `held`, all of `held` if none was requested, else 400 `invalid_scope`.
pub(super) fn grant_scopes(
    held: &[String],
    requested: Vec<String>,
    of: &str,
) -> Result<Vec<String>, ApiError> {
    if requested.is_empty() {
        return Ok(held.to_vec());
    }
    let mut granted: Vec<String> = Vec::with_capacity(requested.len());
    for scope in requested {
        if !holds(held, &scope) {
            let mut err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("Scope `{scope}` is not held by {of}."),
            );
            err.details.insert("scope".into(), scope.into());
            return Err(err);
        }
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    Ok(granted)
}

/// Checks the grant of a `ClientKey`-authenticated request: exactly one
/// mechanism, consistent with `grant_type`, with the right value.
pub(super) fn check_grant(
    client: &SandboxClient,
    request: &types::LongTokenRequest,
) -> Result<(), ApiError> {
    use types::LongTokenRequestGrantType as Grant;

    let wrong =
        || invalid_grant("The client credentials are invalid or do not match the grant type.");
    let matches = |given: &Option<Secret>, expected: &Option<String>| matches!((given, expected), (Some(g), Some(e)) if g.expose() == e);
    let assertion_fields = request.assertion.is_some() || request.assertion_type.is_some();

    match request.grant_type {
        Grant::ClientCredentials => {
            if assertion_fields {
                return Err(invalid_request(
                    "assertion and assertion_type go with grant_type assertion, \
                     not client_credentials.",
                ));
            }
            match (&request.client_secret, &request.otp_code) {
                (Some(_), Some(_)) => Err(invalid_request(
                    "Only one mechanism per call: send client_secret or otp_code, not both.",
                )),
                (None, None) => Err(invalid_request(
                    "grant_type client_credentials needs client_secret or otp_code.",
                )),
                (Some(_), None) if matches(&request.client_secret, &client.secret) => Ok(()),
                (None, Some(_)) if matches(&request.otp_code, &client.otp_code) => Ok(()),
                _ => Err(wrong()),
            }
        }
        Grant::Assertion => {
            if request.client_secret.is_some() || request.otp_code.is_some() {
                return Err(invalid_request(
                    "Only one mechanism per call: grant_type assertion takes no \
                     client_secret or otp_code.",
                ));
            }
            match request.assertion_type.as_deref() {
                None => {
                    return Err(invalid_request(
                        "grant_type assertion needs assertion_type.",
                    ));
                }
                Some(JWT_BEARER_ASSERTION_TYPE) => {}
                Some(_) => {
                    return Err(invalid_request(format!(
                        "Unsupported assertion_type; use {JWT_BEARER_ASSERTION_TYPE}."
                    )));
                }
            }
            if request.assertion.is_none() {
                return Err(invalid_request("grant_type assertion needs assertion."));
            }
            if matches(&request.assertion, &client.assertion) {
                Ok(())
            } else {
                Err(wrong())
            }
        }
        // A value the spec does not list (kept by the open enum), or one a
        // later spec adds before the sandbox learns it. Its text is the
        // caller's, so it is not echoed.
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "This grant_type is not supported; use client_credentials or assertion.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_scopes_cover_their_prefix_only() {
        assert!(covers("jobs:*", "jobs:submit"));
        assert!(covers("jobs:*", "jobs:*"));
        assert!(covers("jobs:submit", "jobs:submit"));
        assert!(!covers("jobs:*", "jobs:"));
        assert!(!covers("jobs:*", "templates:read"));
        assert!(!covers("jobs:submit", "jobs:*"));
        assert!(!covers("*", "jobs:submit"));
    }
}
