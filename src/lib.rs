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

// The generated code names the runtime `::c2m_auth::runtime`, as it would
// from any other crate.
extern crate self as c2m_auth;

pub mod runtime;

#[allow(missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/c2m_auth.rs"));
}

pub use generated::*;
pub use runtime::{Error, Response, Secret};

#[cfg(feature = "sandbox")]
pub mod sandbox;
