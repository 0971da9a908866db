//! [`SessionError`]: why a session could not hand out a credential, revoke,
//! or close.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use super::lifetime::{MIN_LIFETIME, UNUSABLE_COOLDOWN};

/// Why a session could not hand out a credential, revoke, or close.
/// Cloneable, so every task waiting on one refresh gets the same error. No
/// variant holds a token or secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The server refused with a status the spec lists, and this body.
    Refused {
        /// The operation.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// The `AuthError` code, e.g. `invalid_grant`.
        code: String,
        /// The `AuthError` message.
        message: String,
    },
    /// The server kept answering 429 beyond the retry policy's caps.
    RateLimited {
        /// The operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The last `Retry-After`, if the server gave one.
        retry_after: Option<Duration>,
    },
    /// A new long-term token is needed but the session has no credentials
    /// to get one (built from a long-term token, or a one-time code already
    /// used).
    NoCredentials {
        /// Why a new long-term token was needed.
        reason: String,
    },
    /// Any other failure of a call (transport, an unlisted status, a
    /// response that does not match the spec), as text.
    Request {
        /// The operation.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The server issued a token that lives less than one second on our
    /// clock: `expires_in` is zero or negative, or `expires_at` (counted
    /// only when it lies in the future) leaves less than that. The token
    /// is not used. Asks within one second of that issue get this error
    /// again without a request, so such a server sees at most one issue a
    /// second.
    UnusableLifetime {
        /// The operation that issued the token.
        operation: &'static str,
        /// The `expires_in` the server sent, in seconds.
        expires_in: i64,
        /// What is left of the lifetime once `expires_at` is counted.
        lifetime: Duration,
    },
    /// An operation, its attempts and the waits between them, took longer
    /// than the retry policy's
    /// [`max_total_wait`](super::RetryPolicy::max_total_wait); the attempt
    /// under way was abandoned.
    TimedOut {
        /// The operation.
        operation: &'static str,
        /// The limit it ran into.
        after: Duration,
    },
    /// [`close`](super::TokenSession::close) ran out of its deadline
    /// ([`close_deadline`](super::TokenSessionBuilder::close_deadline))
    /// before revoking every live token; a later `close` tries the rest.
    CloseDeadline {
        /// The deadline.
        deadline: Duration,
        /// Live tokens not revoked.
        unrevoked: usize,
    },
    /// The session was closed.
    Closed,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused {
                operation,
                status,
                code,
                message,
            } => write!(
                f,
                "{operation} was refused with {status} `{code}`: {message}"
            ),
            Self::RateLimited {
                operation,
                attempts,
                retry_after,
            } => {
                write!(f, "{operation} was rate limited {attempts} times")?;
                match retry_after {
                    Some(wait) => write!(
                        f,
                        "; the server asks to retry after {} s, beyond the retry policy",
                        wait.as_secs()
                    ),
                    None => write!(f, "; giving up under the retry policy"),
                }
            }
            Self::NoCredentials { reason } => write!(
                f,
                "{reason}, and the session has no client credentials to get a new long-term token"
            ),
            Self::Request { operation, message } => write!(f, "{operation} failed: {message}"),
            Self::UnusableLifetime {
                operation,
                expires_in,
                lifetime,
            } => write!(
                f,
                "{operation} issued a token with `expires_in` {expires_in} that lives {} ms on \
                 our clock, below the {} s the session needs; asks within {} s of it get this \
                 error without a new request",
                lifetime.as_millis(),
                MIN_LIFETIME.as_secs(),
                UNUSABLE_COOLDOWN.as_secs()
            ),
            Self::TimedOut { operation, after } => write!(
                f,
                "{operation} did not finish within the retry policy's max_total_wait of {} ms",
                after.as_millis()
            ),
            Self::CloseDeadline {
                deadline,
                unrevoked,
            } => write!(
                f,
                "close() did not finish within its deadline of {} ms; {unrevoked} live \
                 token(s) were not revoked (a later close() tries again)",
                deadline.as_millis()
            ),
            Self::Closed => f.write_str("the token session is closed"),
        }
    }
}

impl std::error::Error for SessionError {}
