//! [`Error`]: everything a generated method can fail with.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::redact::{ClippedDebug, ClippedText};
use super::{BoundsError, CredentialError};

/// Why a call failed. `E` is the error body type the spec declares for the
/// operation (for this API, [`crate::types::AuthError`]).
///
/// No variant holds a request body, a credential or a URL with its path or
/// query, so printing an error never shows a secret. The one server body
/// kept, [`Error::Api`]'s, has every credential value the call sent
/// replaced by `<redacted>`; `Display` and `Debug` print at most 512
/// characters of it (and of any other server-influenced text), with
/// control characters escaped.
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with an error status the spec lists for this
    /// operation, with a body of the declared type.
    Api {
        /// The status.
        status: StatusCode,
        /// The decoded error body.
        body: E,
        /// The response's `Retry-After`, as a delay, when it had one.
        retry_after: Option<Duration>,
    },
    /// A value in the request breaks a bound of the spec; nothing was sent.
    InvalidRequest(BoundsError),
    /// The credential cannot be put on a request; nothing was sent.
    InvalidCredential(CredentialError),
    /// The response does not match the spec: its body does not decode or
    /// breaks a bound, or a declared header is missing or malformed.
    InvalidResponse {
        /// The status, where known.
        status: Option<StatusCode>,
        /// What does not match, naming the field or header (never its value).
        reason: String,
    },
    /// The server answered with a redirect (a `3xx` the spec does not list
    /// for this operation) that the client did not follow: by default it
    /// follows none, and never one to another origin
    /// ([`ClientOptions::redirects`](super::ClientOptions)). Nothing was
    /// sent to the target.
    Redirect {
        /// The status.
        status: StatusCode,
        /// The target's origin, `scheme://host:port` (never its path or
        /// query), when the `Location` header names one.
        origin: Option<String>,
    },
    /// The server answered with a status the spec does not list for this
    /// operation.
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
        /// The response's `Retry-After`, as a delay, when it had one.
        retry_after: Option<Duration>,
    },
    /// The request could not be sent or the response not read (connection,
    /// timeout, TLS). The URL is removed from the error, since a query
    /// parameter may hold a credential.
    Transport(reqwest::Error),
    /// progenitor's own request-building failure.
    Other(String),
}

impl<E> Error<E> {
    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            Self::InvalidResponse { status, .. } => *status,
            Self::Transport(error) => error.status(),
            _ => None,
        }
    }

    /// How long the server asked to wait before retrying (`Retry-After`),
    /// when it answered with an error status and said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } | Self::UnexpectedStatus { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// The decoded error body of an [`Error::Api`].
    pub fn body(&self) -> Option<&E> {
        match self {
            Self::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether nothing reached the server because the request or credential
    /// was refused locally.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::InvalidRequest(_) | Self::InvalidCredential(_))
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { status, body, .. } => {
                write!(f, "the server answered {status}: {}", ClippedDebug(body))
            }
            Self::InvalidRequest(error) => write!(f, "request not sent: {error}"),
            Self::InvalidCredential(error) => write!(f, "request not sent: {error}"),
            Self::InvalidResponse {
                status: Some(status),
                reason,
            } => write!(
                f,
                "the {status} response does not match the spec: {}",
                ClippedText(reason)
            ),
            Self::InvalidResponse {
                status: None,
                reason,
            } => write!(
                f,
                "the response does not match the spec: {}",
                ClippedText(reason)
            ),
            Self::Redirect { status, origin } => {
                write!(f, "the server answered {status}, a redirect ")?;
                match origin {
                    Some(origin) => write!(f, "to {}", ClippedText(origin))?,
                    None => f.write_str("without a usable Location")?,
                }
                f.write_str(
                    ", which was not followed (the client follows no redirect unless allowed, and never one to another origin)",
                )
            }
            Self::UnexpectedStatus { status, .. } => {
                write!(
                    f,
                    "the server answered {status}, which the spec does not list for this operation"
                )
            }
            Self::Transport(error) => write!(f, "transport error: {error}"),
            Self::Other(message) => write!(f, "request failed: {}", ClippedText(message)),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    /// As derived, but with server text cut and escaped as in `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                status,
                body,
                retry_after,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("body", &ClippedDebug(body))
                .field("retry_after", retry_after)
                .finish(),
            Self::InvalidRequest(error) => f.debug_tuple("InvalidRequest").field(error).finish(),
            Self::InvalidCredential(error) => {
                f.debug_tuple("InvalidCredential").field(error).finish()
            }
            Self::InvalidResponse { status, reason } => f
                .debug_struct("InvalidResponse")
                .field("status", status)
                .field("reason", &ClippedText(reason))
                .finish(),
            Self::Redirect { status, origin } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("origin", &origin.as_deref().map(ClippedText))
                .finish(),
            Self::UnexpectedStatus {
                status,
                retry_after,
            } => f
                .debug_struct("UnexpectedStatus")
                .field("status", status)
                .field("retry_after", retry_after)
                .finish(),
            Self::Transport(error) => f.debug_tuple("Transport").field(error).finish(),
            Self::Other(message) => f.debug_tuple("Other").field(&ClippedText(message)).finish(),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidRequest(error) => Some(error),
            Self::InvalidCredential(error) => Some(error),
            Self::Transport(error) => Some(error),
            _ => None,
        }
    }
}

impl<E> From<BoundsError> for Error<E> {
    fn from(error: BoundsError) -> Self {
        Self::InvalidRequest(error)
    }
}

impl<E> From<CredentialError> for Error<E> {
    fn from(error: CredentialError) -> Self {
        Self::InvalidCredential(error)
    }
}

/// Says where a body that failed to decode as `T` breaks the schema, or
/// `None` when it decodes. Names the path and the kind of problem, never the
/// value.
pub fn describe_payload<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = serde_path_to_error::deserialize::<_, T>(&mut deserializer).err()?;
    let path = error.path().to_string();
    let inner = error.inner();
    let message = inner.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    // These serde messages name a field of the schema, never a value.
    let problem = if let Some(field) = message.strip_prefix("missing field ") {
        format!("lacks the required field {field}")
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        format!("has the unknown field {field}")
    } else if message == super::nulls::NULL_REFUSED {
        format!("is {message}")
    } else {
        match inner.classify() {
            serde_json::error::Category::Data => "has the wrong type or value".to_string(),
            serde_json::error::Category::Syntax => "is not valid JSON".to_string(),
            serde_json::error::Category::Eof => "ends early".to_string(),
            serde_json::error::Category::Io => "could not be read".to_string(),
        }
    };
    Some(if path == "." {
        format!("the body {problem}")
    } else {
        format!("`{path}` {problem}")
    })
}
