//! The plumbing between the generated typed methods and progenitor's
//! generated request code: the per-call context its hooks read, base URLs,
//! and turning its results into [`Response`]/[`Error`].

use std::fmt;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use super::options::DEFAULT_MAX_RESPONSE_BYTES;
use super::{
    BoundsError, ClientOptions, Credential, CredentialError, Error, FromHeaders, Placement,
    Response, Secret,
};

/// What one call adds to progenitor's request: the credential, whether to
/// send no body at all, and the response-size cap. progenitor's client
/// carries it as its "inner" value; the generated hooks apply it with
/// [`prepare_request`], send with [`execute`](super::execute) (which notes
/// what it saw of the response here) and check it with
/// [`after_response`](super::after_response).
#[derive(Debug)]
pub struct CallContext {
    placement: Placement,
    omit_body: bool,
    pub(crate) max_response_bytes: usize,
    seen: OnceLock<Seen>,
    refused: OnceLock<Refusal>,
}

/// What the hook saw of the response before progenitor decoded it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    /// For a `3xx`, the origin its `Location` names.
    pub(crate) redirect_origin: Option<String>,
}

/// Why a response's body was not read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal {
    /// Its `Content-Length` is over the cap.
    Declared { declared: u64, cap: usize },
    /// It grew past the cap while being read.
    Longer { cap: usize },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Declared { declared, cap } => write!(
                f,
                "the body declares {declared} bytes (Content-Length), more than the client's cap of {cap} bytes (`ClientOptions::max_response_bytes`); it was not read"
            ),
            Self::Longer { cap } => write!(
                f,
                "the body is longer than the client's cap of {cap} bytes (`ClientOptions::max_response_bytes`); reading stopped there"
            ),
        }
    }
}

impl Default for CallContext {
    /// No credential, a body, and the default cap.
    fn default() -> Self {
        Self {
            placement: Placement::default(),
            omit_body: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            seen: OnceLock::new(),
            refused: OnceLock::new(),
        }
    }
}

impl Clone for CallContext {
    /// A copy for another call: the same credential and cap, nothing seen yet.
    fn clone(&self) -> Self {
        Self {
            placement: self.placement.clone(),
            omit_body: self.omit_body,
            max_response_bytes: self.max_response_bytes,
            seen: OnceLock::new(),
            refused: OnceLock::new(),
        }
    }
}

impl CallContext {
    /// The context for a call with `credential`; `omit_body` when the
    /// caller gave no body for an operation whose body is optional. The
    /// cap is the default until [`CallContext::with_options`].
    pub fn new<C: Credential + ?Sized>(
        credential: &C,
        omit_body: bool,
    ) -> Result<Self, CredentialError> {
        let mut placement = Placement::default();
        credential.place(&mut placement)?;
        Ok(Self {
            placement,
            omit_body,
            ..Self::default()
        })
    }

    /// The same context, with the response-size cap of `options`.
    pub fn with_options(mut self, options: &ClientOptions) -> Self {
        self.max_response_bytes = options.max_response_bytes;
        self
    }

    pub(crate) fn note(&self, seen: Seen) {
        let _ = self.seen.set(seen);
    }

    pub(crate) fn refuse(&self, refusal: Refusal) {
        let _ = self.refused.set(refusal);
    }

    pub(crate) fn refusal(&self) -> Option<Refusal> {
        self.refused.get().copied()
    }

    fn status(&self) -> Option<StatusCode> {
        self.seen.get().map(|seen| seen.status)
    }

    fn retry_after(&self) -> Option<Duration> {
        self.seen.get().and_then(|seen| seen.retry_after)
    }

    fn redirect_origin(&self) -> Option<String> {
        self.seen
            .get()
            .and_then(|seen| seen.redirect_origin.clone())
    }

    /// The credential values this call sends, to redact if echoed.
    fn sent_secrets(&self) -> &[Secret] {
        &self.placement.sent
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); a
/// date in the past is no delay.
pub fn parse_retry_after(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let delay = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delay.to_std().unwrap_or(Duration::ZERO))
}

/// Applies `context` to a request progenitor has built: puts the
/// credential on it, and removes the body when the caller gave none.
/// (progenitor's undeclared `api-version` header is taken out of its code
/// by the generator.)
pub fn prepare_request(context: &CallContext, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    for (name, value) in &context.placement.headers {
        headers.insert(name.clone(), value.clone());
    }
    if let Some(cookie) = context.placement.cookie_header() {
        headers.append(reqwest::header::COOKIE, cookie);
    }
    if context.omit_body {
        headers.remove(CONTENT_TYPE);
        *request.body_mut() = None;
    }
    if !context.placement.query.is_empty() {
        let mut pairs = request.url_mut().query_pairs_mut();
        for (name, value) in &context.placement.query {
            pairs.append_pair(name, value.expose());
        }
    }
}

/// Checks a base URL: `https://…`, or `http://…` only on a loopback host,
/// so a credential is never sent in clear text by accident. Returns it
/// without a trailing `/`.
pub fn check_base_url(url: &str) -> Result<String, BaseUrlError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| BaseUrlError {
        problem: format!("is not a valid URL ({e})"),
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(BaseUrlError {
                problem: format!(
                    "uses plain http on `{}`, which is not a loopback address; credentials would travel in clear text (use https)",
                    parsed.host_str().unwrap_or_default()
                ),
            });
        }
        other => {
            return Err(BaseUrlError {
                problem: format!("has the scheme `{other}`; use https"),
            });
        }
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(BaseUrlError {
            problem: "has a query or fragment; give only scheme, host, port and path".to_string(),
        });
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(BaseUrlError {
            problem: "holds a user name or password; pass credentials to each call instead"
                .to_string(),
        });
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A base URL that was refused. It never repeats a password the URL held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrlError {
    problem: String,
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the base URL {}", self.problem)
    }
}

impl std::error::Error for BaseUrlError {}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The base URL was refused.
    BaseUrl(BaseUrlError),
    /// The HTTP client could not be built (e.g. no TLS roots).
    Http(reqwest::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseUrl(error) => error.fmt(f),
            Self::Http(error) => write!(f, "cannot build the HTTP client: {error}"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::BaseUrl(error) => Some(error),
            Self::Http(error) => Some(error),
        }
    }
}

impl From<BaseUrlError> for ClientError {
    fn from(error: BaseUrlError) -> Self {
        Self::BaseUrl(error)
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(error: reqwest::Error) -> Self {
        Self::Http(error)
    }
}

/// Turns progenitor's result into this crate's: parses the declared
/// headers into `H`, checks the body (success or error) against its bounds,
/// and maps progenitor's errors, dropping bodies and URLs.
///
/// `context` is the call's, holding what its hooks saw (status, a refused
/// body, a redirect's origin); `describe_body` and `describe_error` explain
/// a success or error body that did not decode. For an error body,
/// `sent_in_body` lists the [`Secret`]s of the request body (called only
/// then, so a success costs nothing), and `redact_error` replaces each
/// credential value sent that the server echoed back (see
/// [`redact_echo`](super::redact_echo)).
#[allow(clippy::too_many_arguments)] // One call per generated method, each argument named there.
pub fn finish<T, H, E>(
    result: Result<ResponseValue<T>, RawError<E>>,
    context: &CallContext,
    check_body: fn(&T) -> Result<(), BoundsError>,
    check_error: fn(&E) -> Result<(), BoundsError>,
    describe_body: fn(&[u8]) -> Option<String>,
    describe_error: fn(&[u8]) -> Option<String>,
    redact_error: fn(E, &[&str]) -> Option<E>,
    sent_in_body: impl FnOnce() -> Vec<Secret>,
) -> Result<Response<T, H>, Error<E>>
where
    H: FromHeaders,
{
    if let Some(refusal) = context.refusal() {
        return Err(Error::InvalidResponse {
            status: context.status(),
            reason: refusal.to_string(),
        });
    }
    match result {
        Ok(value) => success(value, check_body),
        Err(RawError::ErrorResponse(value)) => {
            let status = value.status();
            let body = value.into_inner();
            if let Err(e) = check_error(&body) {
                return Err(Error::InvalidResponse {
                    status: Some(status),
                    reason: e.to_string(),
                });
            }
            let in_body = sent_in_body();
            let sent: Vec<&str> = context
                .sent_secrets()
                .iter()
                .chain(&in_body)
                .map(Secret::expose)
                .collect();
            match redact_error(body, &sent) {
                Some(body) => Err(Error::Api {
                    status,
                    body,
                    retry_after: context.retry_after(),
                }),
                None => Err(Error::InvalidResponse {
                    status: Some(status),
                    reason:
                        "the error body echoes a credential the client sent, and cannot be redacted"
                            .to_string(),
                }),
            }
        }
        Err(RawError::InvalidResponsePayload(bytes, _)) => {
            let status = context.status();
            let (first, second) = match status {
                Some(s) if !s.is_success() => (describe_error, describe_body),
                _ => (describe_body, describe_error),
            };
            let reason = first(&bytes)
                .or_else(|| second(&bytes))
                .unwrap_or_else(|| "the body does not decode".to_string());
            Err(Error::InvalidResponse { status, reason })
        }
        Err(RawError::UnexpectedResponse(response)) if response.status().is_redirection() => {
            Err(Error::Redirect {
                status: response.status(),
                origin: context.redirect_origin(),
            })
        }
        Err(RawError::UnexpectedResponse(response)) => Err(Error::UnexpectedStatus {
            status: response.status(),
            retry_after: context.retry_after(),
        }),
        Err(
            RawError::CommunicationError(e)
            | RawError::ResponseBodyError(e)
            | RawError::InvalidUpgrade(e),
        ) => Err(Error::Transport(e.without_url())),
        Err(RawError::InvalidRequest(message) | RawError::Custom(message)) => {
            Err(Error::Other(message))
        }
    }
}

/// A success: its declared headers parsed, its body checked.
fn success<T, H: FromHeaders, E>(
    value: ResponseValue<T>,
    check_body: fn(&T) -> Result<(), BoundsError>,
) -> Result<Response<T, H>, Error<E>> {
    let status = value.status();
    let headers = H::from_headers(value.headers()).map_err(|e| Error::InvalidResponse {
        status: Some(status),
        reason: e.to_string(),
    })?;
    let body = value.into_inner();
    check_body(&body).map_err(|e| Error::InvalidResponse {
        status: Some(status),
        reason: e.to_string(),
    })?;
    Ok(Response::new(status, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        assert_eq!(parse_retry_after("60"), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(120)).to_rfc2822();
        let delay = parse_retry_after(&later).unwrap_or_default();
        assert!(
            delay > Duration::from_secs(100) && delay <= Duration::from_secs(120),
            "{delay:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn base_urls_are_https_or_loopback_http() {
        assert_eq!(
            check_base_url("https://api.click2mail.com/v2/").as_deref(),
            Ok("https://api.click2mail.com/v2")
        );
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://127.3.4.5").is_ok());
        assert!(check_base_url("http://localhost:3000/v1").is_ok());
        assert!(check_base_url("http://[::1]:3000").is_ok());

        let refused = check_base_url("http://api.example.com/v1")
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("plain http on `api.example.com`"),
            "{refused}"
        );
        assert!(check_base_url("http://10.0.0.1").is_err());
        assert!(check_base_url("ftp://example.com").is_err());
        assert!(check_base_url("not a url").is_err());
        let with_password = check_base_url("https://user:hunter2@example.com").unwrap_err();
        assert!(!with_password.to_string().contains("hunter2"));
    }
}
