//! [`RetryPolicy`] and the retry loop the session runs every request in.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::SessionError;
use crate::{runtime, types};

/// How a session retries what is safe to retry. The defaults: 3 retries,
/// at most 30 s per operation in all, backoff from 200 ms doubling to 5 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The most one operation (one token issue, one revocation) may take
    /// in all, counted from its first attempt: the attempts themselves and
    /// the waits between them. An attempt still under way then is
    /// abandoned with [`SessionError::TimedOut`]; a wait (a `Retry-After`
    /// or a backoff) that would end past it ends the retries at once with
    /// the last error.
    pub max_total_wait: Duration,
    /// The first backoff where the server gives no `Retry-After`.
    pub initial_backoff: Duration,
    /// The largest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_total_wait: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (the first attempt still ends at
    /// [`max_total_wait`](Self::max_total_wait)).
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backoff before retry `attempt` (0-based): exponential, capped,
    /// with full jitter so that many clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        let fraction: f64 = rand::random();
        ceiling.mul_f64(fraction)
    }
}

/// Runs `call`, retrying what [`RetryPolicy`] and `idempotent` allow, all
/// within the policy's `max_total_wait`.
pub(crate) async fn with_retry<T, F, Fut>(
    policy: &RetryPolicy,
    operation: &'static str,
    idempotent: bool,
    mut call: F,
) -> Result<T, SessionError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, runtime::Error<types::AuthError>>>,
{
    // `None`: a limit too far out to represent, i.e. none.
    let deadline = Instant::now().checked_add(policy.max_total_wait);
    let timed_out = SessionError::TimedOut {
        operation,
        after: policy.max_total_wait,
    };
    let mut attempt: u32 = 0;
    loop {
        let outcome = match deadline {
            Some(at) => tokio::time::timeout_at(at.into(), call()).await,
            None => Ok(call().await),
        };
        let error = match outcome {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => error,
            Err(_elapsed) => return Err(timed_out),
        };
        attempt += 1;
        let wait = error
            .retry_after()
            .unwrap_or_else(|| policy.backoff(attempt - 1));
        // A server may send any `Retry-After`: compared, never added.
        let within_caps = attempt <= policy.max_retries
            && deadline.is_none_or(|at| wait <= at.saturating_duration_since(Instant::now()));
        if !retryable(&error, idempotent) || !within_caps {
            return Err(give_up(operation, attempt, error));
        }
        tokio::time::sleep(wait).await;
    }
}

/// Whether a failed attempt may be repeated.
fn retryable(error: &runtime::Error<types::AuthError>, idempotent: bool) -> bool {
    match error {
        // A 429 was not processed.
        _ if error.status() == Some(StatusCode::TOO_MANY_REQUESTS) => true,
        // The connection was never made: nothing reached the server.
        runtime::Error::Transport(e) if e.is_connect() => true,
        // It may have been processed: only idempotent calls repeat.
        runtime::Error::Transport(_) => idempotent,
        runtime::Error::UnexpectedStatus { status, .. } => idempotent && status.is_server_error(),
        _ => false,
    }
}

/// The error an operation ends with after `attempts`.
fn give_up(
    operation: &'static str,
    attempts: u32,
    error: runtime::Error<types::AuthError>,
) -> SessionError {
    if error.status() == Some(StatusCode::TOO_MANY_REQUESTS) {
        return SessionError::RateLimited {
            operation,
            attempts,
            retry_after: error.retry_after(),
        };
    }
    match error {
        runtime::Error::Api { status, body, .. } => SessionError::Refused {
            operation,
            status,
            code: body.code,
            message: body.message,
        },
        other => SessionError::Request {
            operation,
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::Client;
    use crate::security::LongTokenAuth;

    #[test]
    fn backoff_grows_and_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for attempt in 0..10 {
            let ceiling = policy
                .initial_backoff
                .saturating_mul(1 << attempt)
                .min(policy.max_backoff);
            let wait = policy.backoff(attempt);
            assert!(wait <= ceiling, "attempt {attempt}: {wait:?} > {ceiling:?}");
        }
        // Jitter: 20 draws at the cap are not all equal.
        let draws: std::collections::BTreeSet<u128> =
            (0..20).map(|_| policy.backoff(8).as_nanos()).collect();
        assert!(draws.len() > 1);
    }

    #[tokio::test]
    async fn an_absurd_retry_after_ends_the_retries_without_overflow() {
        let mut calls = 0;
        let result: Result<(), SessionError> = with_retry(
            &RetryPolicy::default(),
            "issueShortTermToken",
            false,
            || {
                calls += 1;
                async {
                    Err(runtime::Error::Api {
                        status: StatusCode::TOO_MANY_REQUESTS,
                        body: types::AuthError::new("rate_limited", "later"),
                        retry_after: Some(Duration::MAX),
                    })
                }
            },
        )
        .await;
        assert_eq!(calls, 1);
        assert!(matches!(
            result,
            Err(SessionError::RateLimited {
                attempts: 1,
                retry_after: Some(Duration::MAX),
                ..
            })
        ));
    }

    #[tokio::test]
    async fn an_absurd_max_total_wait_means_no_limit_without_overflow() {
        let policy = RetryPolicy {
            max_total_wait: Duration::MAX,
            ..RetryPolicy::none()
        };
        let result = with_retry(&policy, "revokeToken", true, || async {
            Ok::<_, runtime::Error<types::AuthError>>(7)
        })
        .await;
        assert_eq!(result, Ok(7));
    }

    /// A server on loopback that accepts connections and never answers,
    /// counting them.
    async fn silent_server() -> (String, Arc<AtomicU64>) {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(e) => panic!("bind: {e}"),
        };
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
        let accepted = Arc::new(AtomicU64::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        (url, accepted)
    }

    fn client_with_timeout(url: &str, timeout: Duration) -> Client {
        let options = crate::runtime::ClientOptions::default().timeout(timeout);
        Client::with_options(url, options).unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_timeout_is_retried_only_for_idempotent_calls() {
        let (url, accepted) = silent_server().await;
        let client = client_with_timeout(&url, Duration::from_millis(150));
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let credential = LongTokenAuth::new("t");

        // An exchange that may have reached the server is not repeated.
        let result = with_retry(&policy, "issueShortTermToken", false, || {
            client.issue_short_term_token(&credential, None)
        })
        .await;
        assert!(
            matches!(result, Err(SessionError::Request { .. })),
            "{result:?}"
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 1);

        // A revocation is idempotent: it is retried up to the policy.
        let result = with_retry(&policy, "revokeToken", true, || {
            client.revoke_token(&credential, "tok_x")
        })
        .await;
        assert!(
            matches!(result, Err(SessionError::Request { .. })),
            "{result:?}"
        );
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1 + 1 + u64::from(policy.max_retries)
        );
    }

    #[tokio::test]
    async fn max_total_wait_bounds_the_attempts_not_only_the_sleeps() {
        // Each attempt would take 10 s; the operation may take 300 ms.
        let (url, accepted) = silent_server().await;
        let client = client_with_timeout(&url, Duration::from_secs(10));
        let policy = RetryPolicy {
            max_total_wait: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        let credential = LongTokenAuth::new("t");
        let started = Instant::now();
        let result = with_retry(&policy, "revokeToken", true, || {
            client.revoke_token(&credential, "tok_x")
        })
        .await;
        let took = started.elapsed();
        assert_eq!(
            result.map(drop),
            Err(SessionError::TimedOut {
                operation: "revokeToken",
                after: Duration::from_millis(300)
            })
        );
        // A correctness bound, not a speed check: the limit plus slack.
        assert!(took < Duration::from_secs(3), "{took:?}");
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn session_errors_show_no_secret_and_read_well() {
        let error = SessionError::RateLimited {
            operation: "issueShortTermToken",
            attempts: 4,
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(
            error.to_string(),
            "issueShortTermToken was rate limited 4 times; the server asks to retry after 60 s, beyond the retry policy"
        );
    }
}
