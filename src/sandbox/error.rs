//! The sandbox's error responses.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::types;

/// An error response: an [`AuthError`](types::AuthError) body with a
/// status, and `Retry-After` when rate limited.
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    /// Boxed: the map is large (with serde_json's `preserve_order`), and
    /// every handler step returns `Result<_, ApiError>`.
    pub(super) details: Box<serde_json::Map<String, serde_json::Value>>,
    pub(super) retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Box::default(),
            retry_after: None,
        }
    }
}

pub(super) fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
}

pub(super) fn invalid_grant(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", message)
}

pub(super) fn invalid_token(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
}

pub(super) fn unknown_client() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "X-Client-Id does not name a registered client.",
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = types::AuthError::new(self.code, self.message);
        body.details = *self.details;
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
