//! [`ClientOptions`]: what a generated client refuses (redirects, large
//! bodies, slow servers), and the HTTP client built to enforce it.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;
use reqwest::redirect::{Attempt, Policy};

/// Connect and whole-request timeout of the clients this crate builds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The largest response body a client reads by default: 1 MiB.
///
/// Every response of a token API is a few hundred bytes of JSON; 1 MiB is
/// three orders of magnitude more, and small enough that a hostile or
/// broken server cannot make the client hold much memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// What the client does when a server answers with a redirect (a `3xx`
/// status the operation does not list).
///
/// A redirect to another origin (scheme, host or port) is never followed,
/// whatever the choice: the credential and the body are only ever sent to
/// the origin of the base URL. That also rules out `https` → `http`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redirects {
    /// Follow none: a redirect is [`Error::Redirect`](super::Error::Redirect),
    /// naming its status and the target's origin. The default, since this
    /// API never redirects.
    #[default]
    Refuse,
    /// Follow redirects to the base URL's own origin, at most `max` in a
    /// row; one to another origin, or one more, is
    /// [`Error::Redirect`](super::Error::Redirect).
    SameOrigin {
        /// How many redirects one call follows at most.
        max: usize,
    },
}

/// How a generated client treats its server: the response-size cap, the
/// redirect rule and the timeout. `ClientOptions::default()` is what
/// `Client::new`, `Client::for_server` and `Client::with_base_url` use.
///
/// ```
/// use std::time::Duration;
/// use c2m_auth::runtime::{ClientOptions, Redirects};
///
/// let options = ClientOptions::default()
///     .max_response_bytes(64 * 1024)
///     .redirects(Redirects::SameOrigin { max: 3 })
///     .timeout(Duration::from_secs(5));
/// assert_eq!(options.max_response_bytes, 64 * 1024);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The largest response body read, in bytes.
    pub max_response_bytes: usize,
    /// What to do with redirects.
    pub redirects: Redirects,
    /// The connect timeout, and the timeout of a whole call.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], [`Redirects::Refuse`] and
    /// [`DEFAULT_TIMEOUT`].
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            redirects: Redirects::Refuse,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl ClientOptions {
    /// The largest response body read, in bytes; a longer one is
    /// [`Error::InvalidResponse`](super::Error::InvalidResponse) and is not
    /// read past the cap. Default [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// What to do with redirects. Default [`Redirects::Refuse`].
    pub fn redirects(mut self, redirects: Redirects) -> Self {
        self.redirects = redirects;
        self
    }

    /// The connect timeout, and the timeout of a whole call (connecting,
    /// sending, reading the body). Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// The HTTP client generated constructors use: rustls, `options`' redirect
/// rule and timeout, and a `User-Agent` naming this crate.
pub fn http_client(options: &ClientOptions) -> Result<reqwest::Client, reqwest::Error> {
    let builder = reqwest::Client::builder().user_agent(HeaderValue::from_static(concat!(
        env!("CARGO_PKG_NAME"),
        "/",
        env!("CARGO_PKG_VERSION")
    )));
    configure(builder, options).build()
}

/// Forces `options`' redirect rule and timeouts onto a builder the caller
/// configured (proxies, TLS roots, headers): whatever redirect policy it
/// had is replaced, so no setting of it can send a credential to another
/// origin.
pub fn configure(
    builder: reqwest::ClientBuilder,
    options: &ClientOptions,
) -> reqwest::ClientBuilder {
    let rule = options.redirects;
    builder
        .connect_timeout(options.timeout)
        .timeout(options.timeout)
        .redirect(Policy::custom(move |attempt: Attempt<'_>| {
            let follow = follows(rule, attempt.url(), attempt.previous());
            if follow {
                attempt.follow()
            } else {
                // The 3xx comes back as the response; `finish` makes it
                // `Error::Redirect`.
                attempt.stop()
            }
        }))
}

/// Whether `rule` follows a redirect to `next`, after `previous` (the
/// first is the URL the call asked for, the rest redirects followed).
pub(crate) fn follows(rule: Redirects, next: &Url, previous: &[Url]) -> bool {
    let Redirects::SameOrigin { max } = rule else {
        return false;
    };
    let Some(first) = previous.first() else {
        return false;
    };
    // `previous` holds the first URL plus each redirect followed so far.
    let followed = previous.len() - 1;
    followed < max && same_origin(first, next)
}

/// Same scheme, host and port (RFC 6454). Different schemes are different
/// origins, so `https` → `http` is never the same origin.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `scheme://host:port` of `url`, with nothing of its path, query or
/// user info (which might hold a credential).
pub(crate) fn origin_of(url: &Url) -> Option<String> {
    let host = url.host()?;
    let port = url.port_or_known_default()?;
    let host = match host {
        url::Host::Ipv6(ip) => format!("[{ip}]"),
        other => other.to_string(),
    };
    Some(format!("{}://{host}:{port}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn by_default_no_redirect_is_followed() {
        let first = url("https://api.example.com/v2/auth/tokens/long");
        let next = url("https://api.example.com/v2/other");
        assert!(!follows(Redirects::default(), &next, &[first]));
    }

    #[test]
    fn same_origin_follows_only_the_same_scheme_host_and_port() {
        let rule = Redirects::SameOrigin { max: 5 };
        let first = url("https://api.example.com/v2/auth/tokens/long");
        let previous = [first];
        assert!(follows(
            rule,
            &url("https://api.example.com/elsewhere?x=1"),
            &previous
        ));
        assert!(follows(
            rule,
            &url("https://API.example.com:443/x"),
            &previous
        ));
        // https -> http is never followed, not even to the same host.
        assert!(!follows(rule, &url("http://api.example.com/x"), &previous));
        assert!(!follows(
            rule,
            &url("http://api.example.com:443/x"),
            &previous
        ));
        assert!(!follows(
            rule,
            &url("https://api.example.com:8443/x"),
            &previous
        ));
        assert!(!follows(
            rule,
            &url("https://evil.example.com/x"),
            &previous
        ));
        assert!(!follows(rule, &url("https://127.0.0.1/x"), &previous));
    }

    #[test]
    fn same_origin_stops_after_max_and_compares_with_the_first_url() {
        let rule = Redirects::SameOrigin { max: 2 };
        let first = url("http://127.0.0.1:4000/a");
        let hop = url("http://127.0.0.1:4000/b");
        let next = url("http://127.0.0.1:4000/c");
        assert!(follows(rule, &next, std::slice::from_ref(&first)));
        assert!(follows(rule, &next, &[first.clone(), hop.clone()]));
        assert!(!follows(rule, &next, &[first.clone(), hop.clone(), hop]));
        assert!(!follows(Redirects::SameOrigin { max: 0 }, &next, &[first]));
    }

    #[test]
    fn origins_name_scheme_host_and_port_only() {
        let target = url("https://user:pw@evil.example.com/steal?key=secret#frag");
        assert_eq!(
            origin_of(&target).as_deref(),
            Some("https://evil.example.com:443")
        );
        assert_eq!(
            origin_of(&url("http://[::1]:8080/x")).as_deref(),
            Some("http://[::1]:8080")
        );
    }
}
