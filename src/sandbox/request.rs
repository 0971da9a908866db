//! Reading a request: its bearer token and its JSON body, checked against
//! the spec's bounds.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use super::error::{ApiError, invalid_request, invalid_token};
use crate::runtime::Validate;
use crate::types;

/// The bearer token of the `Authorization` header: `Ok(None)` when there is
/// no such header, 401 when it is not a usable bearer credential.
pub(super) fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| invalid_token("The Authorization header is not valid text."))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| invalid_token("The Authorization header must be `Bearer <token>`."))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(invalid_token(
            "The Authorization header must be `Bearer <token>`.",
        ));
    }
    Ok(Some(token))
}

/// Parses a JSON body into a generated request type. `Ok(None)` for an empty
/// body. Messages name the offending field but never echo a value.
pub(super) fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<T>, ApiError> {
    let body = body.map_err(|_| invalid_request("The request body could not be read."))?;
    if body.is_empty() {
        return Ok(None);
    }
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(invalid_request(
            "The request body must have content type application/json.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(&body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(describe_json_error)?;
    de.end().map_err(|e| {
        invalid_request(format!(
            "The request body is not valid JSON: trailing characters at line {} column {}.",
            e.line(),
            e.column()
        ))
    })?;
    Ok(Some(value))
}

fn describe_json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.inner();
    let message = match inner.classify() {
        serde_json::error::Category::Data => {
            let text = inner.to_string();
            // Strip serde_json's " at line L column C" suffix.
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(head, _)| head);
            if text.starts_with("missing field") || text.starts_with("unknown field") {
                // These name fields (from the spec or the request's keys),
                // never values.
                format!("Invalid request body: {text}.")
            } else {
                // "invalid type: string \"...\", expected ..." and
                // "unknown variant `...`, expected ..." would echo the
                // value, which may be a secret: keep only what was expected.
                let field = if path == "." {
                    "the body".to_owned()
                } else {
                    format!("`{path}`")
                };
                match text.split_once(", expected ") {
                    Some((_, expected)) => {
                        format!("Invalid value for {field}: expected {expected}.")
                    }
                    None => format!("Invalid value for {field}."),
                }
            }
        }
        // Syntax messages ("expected value", "EOF while parsing a string",
        // ...) describe the position, not the content.
        _ => format!("The request body is not valid JSON: {inner}."),
    };
    let mut err = invalid_request(message);
    if path != "." {
        err.details
            .insert("field".into(), serde_json::Value::from(path));
    }
    err
}

/// Checks `request` against the spec's bounds (the generated
/// [`Validate`], so the sandbox enforces exactly what the spec says) and
/// returns the lifetime to grant: `ttl_seconds`, or `default`.
pub(super) fn check_ttl(
    request: &types::LongTokenRequest,
    default: Duration,
) -> Result<Duration, ApiError> {
    request.validate().map_err(|e| {
        // The message names the field and the bound, never a string value.
        let mut err = invalid_request(format!("Invalid request body: {e}."));
        if !e.path.is_empty() {
            err.details.insert("field".into(), e.path.into());
        }
        err
    })?;
    let Some(ttl) = request.ttl_seconds else {
        return Ok(default);
    };
    // Only reachable if the spec stopped bounding `ttl_seconds` below.
    let secs = u64::try_from(ttl)
        .map_err(|_| invalid_request("Invalid request body: `ttl_seconds` is negative."))?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::runtime::Secret;
    use crate::sandbox::{
        EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, MAX_LONG_TOKEN_TTL_SECONDS,
        MIN_LONG_TOKEN_TTL_SECONDS,
    };

    #[test]
    fn json_errors_do_not_echo_values() {
        let headers = {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h
        };
        for body in [
            r#"{"grant_type":"client_credentials","client_id":"c","client_secret":314159}"#,
            r#"{"grant_type":"client_credentials","client_id":["s3cr3t-value"]}"#,
            r#"{"grant_type":"client_credentials","client_id":"c","ttl_seconds":"s3cr3t-value"}"#,
        ] {
            let result = parse_body::<types::LongTokenRequest>(&headers, Ok(Bytes::from(body)));
            let Err(err) = result else {
                panic!("{body} parsed");
            };
            assert_eq!(err.code, "invalid_request");
            assert!(!err.message.contains("314159"), "{}", err.message);
            assert!(!err.message.contains("s3cr3t-value"), "{}", err.message);
            assert!(err.message.contains('`'), "no field named: {}", err.message);
        }
    }

    fn with_ttl(ttl: Option<i64>) -> types::LongTokenRequest {
        let mut request = types::LongTokenRequest::new(
            types::LongTokenRequestGrantType::ClientCredentials,
            EXAMPLE_CLIENT_ID,
        );
        request.client_secret = Some(Secret::from(EXAMPLE_CLIENT_SECRET));
        request.ttl_seconds = ttl;
        request
    }

    #[test]
    fn ttl_bounds_are_the_specs() {
        let d = Duration::from_secs(10);
        for ttl in [
            MIN_LONG_TOKEN_TTL_SECONDS - 1,
            MAX_LONG_TOKEN_TTL_SECONDS + 1,
            -1,
        ] {
            let Err(err) = check_ttl(&with_ttl(Some(ttl)), d) else {
                panic!("ttl {ttl} accepted");
            };
            assert_eq!(err.code, "invalid_request");
            assert!(err.message.contains("`ttl_seconds`"), "{}", err.message);
            assert_eq!(err.details.get("field"), Some(&"ttl_seconds".into()));
        }
        // The constants that clamp the default lifetime are the spec's bounds.
        for ttl in [MIN_LONG_TOKEN_TTL_SECONDS, MAX_LONG_TOKEN_TTL_SECONDS] {
            assert_eq!(
                check_ttl(&with_ttl(Some(ttl)), d).ok(),
                Some(Duration::from_secs(ttl.unsigned_abs()))
            );
        }
        assert_eq!(check_ttl(&with_ttl(None), d).ok(), Some(d));
    }
}
