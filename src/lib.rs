//! A typed Rust client for the Click2Mail **C2M API v2**: submit mail jobs,
//! and issue, exchange and revoke the tokens that authorize them.
//!
//! The client is generated at build time from upstream's base document
//! (`spec/c2m-api-v2-base.yaml`, the job operations) with the auth overlay
//! (`spec/auth.yaml`, the token operations) merged in, as the other
//! languages' clients were, so it cannot drift from
//! the published API: edit the spec, run `cargo build`, and the methods and
//! types follow. What the spec says, the types enforce:
//!
//! - **credentials per operation**: each method takes a credential from
//!   [`security`], and one the spec does not accept for that operation does
//!   not compile; exactly one mechanism goes on the wire;
//! - **typed response headers**: `X-Token-Id` is
//!   [`headers::IssueLongTermTokenHeaders::x_token_id`], and a malformed
//!   declared header is an error;
//! - **optional bodies**: `issue_short_term_token(&credential, None)` sends no
//!   body at all;
//! - **types that grow**: every generated struct (request, response and
//!   headers) is built with `new(required fields…)` and its optional fields
//!   set afterwards; they are `#[non_exhaustive]`, so a new optional field
//!   or header in the spec breaks no caller, test doubles included (see
//!   [Test doubles](#test-doubles));
//! - **open enums**: a value the spec does not list decodes as `Unknown`
//!   (see [`runtime::UnknownValue`]) instead of failing the response, and
//!   enums are `#[non_exhaustive]`, so a value the spec adds breaks no
//!   `match`;
//! - **bounds**: a value outside the spec's bounds (`ttl_seconds: 10`) is
//!   refused with [`Error::InvalidRequest`] before anything is sent, and a
//!   response that breaks them is [`Error::InvalidResponse`];
//! - **secrets**: tokens, client secrets, one-time codes and assertions are
//!   [`Secret`]s, redacted in `Debug` and `Display`; errors never carry
//!   request bodies, credentials or URLs, and the one server body they keep
//!   (an [`Error::Api`]'s) has any credential the call sent redacted;
//! - **servers**: [`Client::new`] talks to production, [`Client::for_server`]
//!   to any [`Server`] of the spec, and [`Client::with_base_url`] to any
//!   `https` URL (plain `http` only on loopback);
//! - **hostile servers**: no redirect is followed by default, and none ever
//!   to another origin; responses are capped in size (1 MiB by default) and
//!   calls in time (15 s); path parameters stay in their segment; an
//!   explicit `null` where the spec allows none is an invalid response (see
//!   [`runtime::ClientOptions`]).
//!
//! # Example
//!
//! Against the in-process sandbox server (module `sandbox`, feature
//! `sandbox`); against the real API, use [`Client::new`].
//!
//! ```
//! # #[cfg(feature = "sandbox")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use c2m_auth::{Client, security, types};
//! use c2m_auth::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await?;
//! let client = Client::with_base_url(&sandbox.base_url())?;
//!
//! // A long-term token, for the client key and its secret.
//! let mut request = types::LongTokenRequest::new(
//!     types::LongTokenRequestGrantType::ClientCredentials,
//!     "c2m_abc123",
//! );
//! request.client_secret = Some("supersecret123".into());
//! request.scopes = vec!["jobs:submit".into(), "tokens:revoke".into()];
//! request.ttl_seconds = Some(86_400);
//! let long = client
//!     .issue_long_term_token(&security::ClientKey::new("c2m_abc123"), &request)
//!     .await?;
//! let token_id = long.headers().x_token_id.clone().ok_or("no X-Token-Id")?;
//!
//! // A short-term token, for the long-term one; the body is optional.
//! let long_token = security::LongTokenAuth::from(long.body());
//! let short = client.issue_short_term_token(&long_token, None).await?;
//! assert_eq!(short.token_type, types::ShortTokenResponseTokenType::Bearer);
//!
//! // Revoke the long-term token with the short-term one.
//! let short_token = security::ShortTokenAuth::from(short.body());
//! client.revoke_token(&short_token, &token_id).await?;
//! # Ok(())
//! # }
//! # #[cfg(feature = "sandbox")]
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```
//!
//! # Test doubles
//!
//! Code that stands in for the client builds its responses the way the
//! generated API asks, so a compatible spec change leaves it compiling:
//!
//! ```
//! use c2m_auth::runtime::Response;
//! use c2m_auth::{headers, types};
//!
//! let mut token = types::ShortTokenResponse::new("Bearer", "st_test", 900, chrono::Utc::now());
//! token.scopes = vec!["jobs:submit".into()];
//! let response = Response::new(
//!     reqwest::StatusCode::CREATED,
//!     headers::IssueShortTermTokenHeaders::new(),
//!     token,
//! );
//! let kind = match response.token_type {
//!     types::ShortTokenResponseTokenType::Bearer => "bearer",
//!     // Required by `#[non_exhaustive]`; takes `Unknown` too.
//!     _ => "another",
//! };
//! assert_eq!(kind, "bearer");
//! ```
//!
//! # Errors
//!
//! Each method returns [`Error<types::AuthError>`](Error): a status the spec
//! lists for the operation comes back as [`Error::Api`] with the status and
//! the decoded [`types::AuthError`]; requests refused before sending,
//! transport failures, unlisted statuses and responses that do not match the
//! spec each have their own variant.

#![warn(missing_docs)]

// The generated code names the runtime `::c2m_auth::runtime`, as it would
// from any other crate.
extern crate self as c2m_auth;

pub mod runtime;

// The generated code is checked with warnings denied whenever the crate's
// tests build it (its checked-in snapshot, `tests/snapshots/auth.rs`, is the
// same text); users' builds are not failed by a future compiler's new lint.
#[cfg_attr(test, deny(warnings))]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/c2m_auth.rs"));
}

pub use generated::*;
pub use runtime::{Error, Response, Secret};
pub use session::{RetryPolicy, SessionError, TokenSession, TokenSessionBuilder};

pub mod session;

#[cfg(feature = "sandbox")]
pub mod sandbox;

// `cargo test --doc` compiles and runs the Rust examples of README.md and
// CONTRIBUTING.md, so the pages cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../CONTRIBUTING.md")]
struct ContributingDoctests;
