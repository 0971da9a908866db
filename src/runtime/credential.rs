//! Credentials: what the generated security types put on a request.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::Secret;

/// A credential the spec defines: it puts exactly its own mechanism on a
/// request (an `Authorization` header, a named header, a query parameter
/// or a cookie), and nothing else.
///
/// The generator implements it for one type per security scheme, and it is
/// implemented here for tuples (schemes the spec requires together) and for
/// [`Anonymous`] (an operation that may be called without credentials).
pub trait Credential {
    /// Adds this credential's mechanism to `placement`.
    fn place(&self, placement: &mut Placement) -> Result<(), CredentialError>;
}

/// No credential, for operations whose security allows an empty alternative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Anonymous;

impl Credential for Anonymous {
    fn place(&self, _: &mut Placement) -> Result<(), CredentialError> {
        Ok(())
    }
}

impl<A: Credential, B: Credential> Credential for (A, B) {
    fn place(&self, placement: &mut Placement) -> Result<(), CredentialError> {
        self.0.place(placement)?;
        self.1.place(placement)
    }
}

impl<A: Credential, B: Credential, C: Credential> Credential for (A, B, C) {
    fn place(&self, placement: &mut Placement) -> Result<(), CredentialError> {
        self.0.place(placement)?;
        self.1.place(placement)?;
        self.2.place(placement)
    }
}

/// Where a credential goes on a request. Values are marked sensitive
/// (headers) or kept as [`Secret`]s (query, cookie), so `Debug` never shows
/// them.
#[derive(Clone, Default)]
pub struct Placement {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) query: Vec<(&'static str, Secret)>,
    pub(crate) cookies: Vec<(&'static str, Secret)>,
    /// Every secret value placed, to redact if a server echoes it.
    pub(crate) sent: Vec<Secret>,
}

impl fmt::Debug for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        let query: Vec<&str> = self.query.iter().map(|(n, _)| *n).collect();
        let cookies: Vec<&str> = self.cookies.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Placement")
            .field("headers", &headers)
            .field("query", &query)
            .field("cookies", &cookies)
            .finish_non_exhaustive()
    }
}

impl Placement {
    /// `Authorization: Bearer <token>` (oauth2, openIdConnect and http
    /// bearer schemes).
    pub fn bearer(&mut self, scheme: &'static str, token: &Secret) -> Result<(), CredentialError> {
        let value = sensitive(scheme, format!("Bearer {}", token.expose()))?;
        self.headers.push((AUTHORIZATION, value));
        self.sent.push(token.clone());
        Ok(())
    }

    /// `Authorization: Basic <base64(user:password)>` (http basic schemes).
    pub fn basic(
        &mut self,
        scheme: &'static str,
        username: &str,
        password: &Secret,
    ) -> Result<(), CredentialError> {
        use base64::Engine as _;
        let pair = format!("{username}:{}", password.expose());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let value = sensitive(scheme, format!("Basic {encoded}"))?;
        self.headers.push((AUTHORIZATION, value));
        self.sent.push(password.clone());
        Ok(())
    }

    /// A named header (apiKey schemes `in: header`).
    pub fn header(
        &mut self,
        scheme: &'static str,
        name: &'static str,
        value: &Secret,
    ) -> Result<(), CredentialError> {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| CredentialError { scheme })?;
        self.headers
            .push((name, sensitive(scheme, value.expose())?));
        self.sent.push(value.clone());
        Ok(())
    }

    /// A query parameter (apiKey schemes `in: query`).
    pub fn query(&mut self, name: &'static str, value: &Secret) {
        self.query.push((name, value.clone()));
        self.sent.push(value.clone());
    }

    /// A cookie (apiKey schemes `in: cookie`).
    pub fn cookie(
        &mut self,
        scheme: &'static str,
        name: &'static str,
        value: &Secret,
    ) -> Result<(), CredentialError> {
        // A cookie value may not hold separators; refuse rather than split.
        if value.expose().contains([';', ',', ' ', '\r', '\n']) {
            return Err(CredentialError { scheme });
        }
        self.cookies.push((name, value.clone()));
        self.sent.push(value.clone());
        Ok(())
    }

    pub(crate) fn cookie_header(&self) -> Option<HeaderValue> {
        if self.cookies.is_empty() {
            return None;
        }
        let text = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={}", value.expose()))
            .collect::<Vec<_>>()
            .join("; ");
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

/// `text` as a header value marked sensitive. A `String` becomes the
/// value's buffer as it is, without a copy.
fn sensitive<T>(scheme: &'static str, text: T) -> Result<HeaderValue, CredentialError>
where
    HeaderValue: TryFrom<T>,
{
    let mut value = HeaderValue::try_from(text).map_err(|_| CredentialError { scheme })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A credential that cannot be put on a request, such as a token holding a
/// line break. It names the scheme, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialError {
    /// The security scheme's name in the spec.
    pub scheme: &'static str,
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the `{}` credential holds characters that cannot be sent in a request",
            self.scheme
        )
    }
}

impl std::error::Error for CredentialError {}
