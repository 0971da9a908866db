//! A typed Rust client for the Click2Mail **C2M API v2 — Auth Overlay**: issue
//! long-term tokens, exchange them for short-term tokens, and revoke tokens.
//!
//! The client is generated at build time from `spec/auth.yaml`, the OpenAPI
//! document the other languages' clients come from, so it cannot drift from
//! the published API: edit the spec, run `cargo build`, and the methods and
//! types follow.
//!
//! # Example
//!
//! Against the in-process sandbox server (module `sandbox`, feature `sandbox`); against the
//! real API, use `https://api.click2mail.com/v2` as the base URL.
//!
//! ```
//! # #[cfg(feature = "sandbox")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use c2m_auth::{types, Client};
//! use c2m_auth::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await?;
//!
//! // Long-term token, authenticated by the client key and secret.
//! let client = Client::with_default_headers(
//!     &sandbox.base_url(),
//!     c2m_auth::client_key_header("c2m_abc123")?,
//! )?;
//! let request = types::LongTokenRequest {
//!     grant_type: types::LongTokenRequestGrantType::ClientCredentials,
//!     client_id: "c2m_abc123".into(),
//!     client_secret: Some("supersecret123".into()),
//!     otp_code: None,
//!     assertion_type: None,
//!     assertion: None,
//!     scopes: vec!["jobs:submit".into(), "tokens:revoke".into()],
//!     ttl_seconds: Some(86_400),
//! };
//! let long = client.issue_long_term_token(&request).await?.into_inner();
//!
//! // Short-term token, authenticated by the long-term token.
//! let client = Client::with_default_headers(
//!     &sandbox.base_url(),
//!     c2m_auth::bearer_header(&long.access_token)?,
//! )?;
//! let short = client
//!     .issue_short_term_token(&types::ShortTokenRequest::default())
//!     .await?
//!     .into_inner();
//! assert_eq!(short.token_type, types::ShortTokenResponseTokenType::Bearer);
//!
//! // Revoke the long-term token; revoking is idempotent.
//! let token_id = long.token_id.as_deref().ok_or("no token id")?;
//! client.revoke_token(token_id).await?;
//! client.revoke_token(token_id).await?;
//! # Ok(())
//! # }
//! # #[cfg(feature = "sandbox")]
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```
//!
//! # Errors
//!
//! Each method returns [`Error<types::AuthError>`](Error): a status the spec
//! lists (400, 401, 403, 404, 429) comes back as
//! [`Error::ErrorResponse`] with the decoded [`types::AuthError`] body and
//! the status; anything else (transport failures, undocumented statuses,
//! bodies that do not decode) has its own variant.

#![warn(missing_docs)]

#[allow(missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/c2m_auth.rs"));
}

pub use generated::*;

#[cfg(feature = "sandbox")]
pub mod sandbox;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, InvalidHeaderValue};

impl Client {
    /// A client that sends `headers` with every request: the way to attach a
    /// credential until per-operation credentials arrive.
    ///
    /// Uses the same 15-second connect and request timeouts as
    /// [`Client::new`], but reports a failure to build the HTTP client
    /// (e.g. no TLS backend) as an error instead of panicking.
    pub fn with_default_headers(
        base_url: &str,
        headers: HeaderMap,
    ) -> Result<Self, reqwest::Error> {
        let timeout = std::time::Duration::from_secs(15);
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .default_headers(headers)
            .build()?;
        Ok(Self::new_with_client(base_url, http))
    }
}

/// `Authorization: Bearer <token>`, marked sensitive so that `Debug` of the
/// header map does not show the token.
pub fn bearer_header(token: &str) -> Result<HeaderMap, InvalidHeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    Ok(headers)
}

/// `X-Client-Id: <client id>`, the `ClientKey` scheme.
pub fn client_key_header(client_id: &str) -> Result<HeaderMap, InvalidHeaderValue> {
    let mut value = HeaderValue::from_str(client_id)?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(HeaderName::from_static("x-client-id"), value);
    Ok(headers)
}
