//! The fixed-window rate limit set by
//! [`SandboxBuilder::rate_limit`](super::SandboxBuilder::rate_limit).

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use super::error::ApiError;

/// At most `max_requests` per window of `per`, the window starting at
/// `started`.
pub(super) struct Window {
    max_requests: u32,
    per: Duration,
    started: Instant,
    used: u32,
}

impl Window {
    /// A window starting now, with nothing used.
    pub(super) fn new(max_requests: u32, per: Duration) -> Self {
        Self {
            max_requests,
            per,
            started: Instant::now(),
            used: 0,
        }
    }

    /// Counts one request: `Ok` within the limit, else 429 `rate_limited`
    /// with the whole seconds until the window ends, at least 1.
    pub(super) fn admit(&mut self) -> Result<(), ApiError> {
        let now = Instant::now();
        if now.duration_since(self.started) >= self.per {
            self.started = now;
            self.used = 0;
        }
        self.used = self.used.saturating_add(1);
        if self.used <= self.max_requests {
            return Ok(());
        }
        let left = self.per.saturating_sub(now.duration_since(self.started));
        let secs = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
        let mut err = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests; retry after {secs} seconds."),
        );
        err.retry_after = Some(secs);
        err.details
            .insert("retry_after_seconds".into(), serde_json::Value::from(secs));
        Err(err)
    }
}
