//! An in-process, stateful server implementing the Auth Overlay, for tests
//! and examples that must run offline (feature `sandbox`).
//!
//! [`Sandbox::start`] binds an HTTP server to `127.0.0.1` on an ephemeral
//! port ([`SandboxBuilder::bind`] chooses another address) and serves the
//! three token operations of `spec/auth.yaml`:
//!
//! | operation              | route                                | success |
//! |------------------------|--------------------------------------|---------|
//! | `issueLongTermToken`   | `POST /auth/tokens/long`             | 201     |
//! | `issueShortTermToken`  | `POST /auth/tokens/short`            | 201     |
//! | `revokeToken`          | `POST /auth/tokens/{tokenId}/revoke` | 204     |
//!
//! and the nine job operations of `spec/c2m-api-v2-base.yaml` (`POST
//! /jobs/...`). A job needs a short-term token holding `jobs:submit` (else
//! 401) and a body that decodes into the operation's request type (else
//! 400; both without a body, as the spec lists them). It is answered with a
//! `StandardResponse` holding a fresh `jobId`, and kept: [`Sandbox::jobs`]
//! lists what arrived. (A `oneOf` body is decoded as its generated type
//! decodes it: the first shape that fits.)
//!
//! Point a [`Client`](crate::Client) at [`Sandbox::base_url`]. For tools
//! outside Rust, the binary `c2m-auth-sandbox` (same feature) serves it on
//! a port of your choice. Tokens are
//! random, kept in memory, expire and can be revoked; the server stops when
//! the [`Sandbox`] is dropped or [`Sandbox::shutdown`] is awaited.
//!
//! Unless configured otherwise with [`SandboxBuilder::client`], the sandbox
//! knows one client, the one used in the spec's examples: see
//! [`EXAMPLE_CLIENT_ID`] and the constants next to it.
//!
//! # Errors
//!
//! Every error is a JSON [`AuthError`](crate::types::AuthError) with one of
//! the statuses the spec lists for the operation:
//!
//! | status | `code`               | when |
//! |--------|----------------------|------|
//! | 400    | `invalid_request`    | malformed JSON, missing or unknown field, `null` for a field that is not nullable, bad enum value, `ttl_seconds` out of bounds, a non-JSON content type, no or several credential mechanisms, `long_token` differing from the bearer token |
//! | 400    | `invalid_grant`      | wrong client secret, one-time code or assertion; a body `client_id` that is not the authenticated client |
//! | 400    | `invalid_scope`      | a requested scope the client (or the long-term token) does not hold |
//! | 401    | `invalid_client`     | `X-Client-Id` names no registered client |
//! | 401    | `invalid_token`      | bearer token missing, unknown, expired, revoked or of the wrong kind; both or neither credential on `issueLongTermToken` (but see below) |
//! | 401    | `insufficient_scope` | `revokeToken` with a token lacking `tokens:revoke` (the spec lists no 403 for that operation) |
//! | 403    | `insufficient_scope` | `issueLongTermToken` with a short-term token lacking `tokens:write` |
//! | 404    | `not_found`          | `revokeToken` with an unknown token id, or the id of another client's token |
//! | 429    | `rate_limited`       | over the [`SandboxBuilder::rate_limit`] window, with a `Retry-After` header |
//!
//! Error messages never contain a secret, a token or the request body.
//!
//! `issueLongTermToken` with a short-term token (`ShortTokenAuth`) is the
//! step-up on its own: the body must then carry no `client_secret`,
//! `otp_code`, `assertion` or `assertion_type` (400 `invalid_request`), and
//! its `grant_type` is not checked.
//!
//! `revokeToken` is idempotent, also for a token that revoked itself: a
//! revoked (unexpired) token holding `tokens:revoke` may repeat the
//! revocation of its own id, or of its long-term parent's, and gets 204
//! again, so that a retried call does not fail. For anything else a revoked
//! token gets 401 `invalid_token`.

mod client;
mod error;
mod grant;
mod handlers;
mod rate_limit;
mod request;
mod store;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderName;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use client::SandboxClient;
use rate_limit::Window;
use store::{Shared, Store};

/// Client id of the default sandbox client, as in the spec's examples.
pub const EXAMPLE_CLIENT_ID: &str = "c2m_abc123";
/// Client secret of the default sandbox client, as in the spec's examples.
pub const EXAMPLE_CLIENT_SECRET: &str = "supersecret123";
/// One-time code accepted for the default sandbox client, as in the spec's
/// examples. The sandbox accepts it any number of times.
pub const EXAMPLE_OTP_CODE: &str = "123456";
/// Assertion accepted for the default sandbox client, as in the spec's
/// examples. The sandbox cannot verify signatures: it accepts exactly this
/// string.
pub const EXAMPLE_ASSERTION: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...";
/// Scopes the default sandbox client may request.
pub const EXAMPLE_SCOPES: [&str; 5] = [
    "jobs:*",
    "jobs:submit",
    "templates:read",
    "tokens:write",
    "tokens:revoke",
];
/// The only `assertion_type` the sandbox accepts with `grant_type`
/// `assertion`.
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Smallest `ttl_seconds` accepted by `issueLongTermToken` (1 hour), the
/// spec's `minimum`. Requests are checked against the spec itself
/// ([`Validate`](crate::runtime::Validate)); this constant clamps
/// [`SandboxBuilder::default_long_token_ttl`].
pub const MIN_LONG_TOKEN_TTL_SECONDS: i64 = 3_600;
/// Largest `ttl_seconds` accepted by `issueLongTermToken` (90 days), the
/// spec's `maximum`. Requests are checked against the spec itself
/// ([`Validate`](crate::runtime::Validate)); this constant clamps
/// [`SandboxBuilder::default_long_token_ttl`].
pub const MAX_LONG_TOKEN_TTL_SECONDS: i64 = 7_776_000;

const OP_LONG: &str = "issueLongTermToken";
const OP_SHORT: &str = "issueShortTermToken";
const OP_REVOKE: &str = "revokeToken";
const SCOPE_WRITE: &str = "tokens:write";
const SCOPE_REVOKE: &str = "tokens:revoke";
const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_TOKEN_ID: HeaderName = HeaderName::from_static("x-token-id");

/// A running sandbox server.
///
/// The server runs on a Tokio task; it is aborted when the `Sandbox` is
/// dropped, or stopped gracefully by [`Sandbox::shutdown`].
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// A job the sandbox accepted, as [`Sandbox::jobs`] lists it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AcceptedJob {
    /// The `jobId` it was answered with.
    pub job_id: String,
    /// The operation it was submitted with (`singleDocJobParams`, …).
    pub operation_id: &'static str,
    /// The client whose token submitted it.
    pub client_id: String,
    /// The body as it arrived (it decoded as the operation's request
    /// type).
    pub body: serde_json::Value,
}

impl Sandbox {
    /// Starts a sandbox with the default settings: the example client
    /// ([`EXAMPLE_CLIENT_ID`]), 900-second short-term tokens, 30-day
    /// long-term tokens by default, no rate limit.
    ///
    /// Same as `Sandbox::builder().start()`.
    ///
    /// # Errors
    ///
    /// Fails if the loopback listener cannot be bound.
    ///
    /// # Panics
    ///
    /// Must be called from within a Tokio runtime with I/O enabled.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::builder().start().await
    }

    /// A builder to configure clients, token lifetimes and a rate limit.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The base URL to give to [`Client`](crate::Client), e.g.
    /// `http://127.0.0.1:49152` (no trailing slash).
    ///
    /// When bound to an unspecified address (`0.0.0.0` or `::`), the URL
    /// names the loopback address of the same family (`127.0.0.1`, `[::1]`),
    /// which reaches the sandbox from this machine.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                IpAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                IpAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{addr}")
    }

    /// The address the sandbox listens on, with the port chosen by the
    /// system when it was asked for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The jobs accepted so far, in the order they arrived.
    pub fn jobs(&self) -> Vec<AcceptedJob> {
        self.shared.lock().jobs.clone()
    }

    /// How many requests the sandbox has received for `operation_id`
    /// (`"issueLongTermToken"`, `"issueShortTermToken"` or `"revokeToken"`,
    /// as in the spec), whatever their outcome, including refused and
    /// rate-limited ones. Unknown ids count 0.
    pub fn request_count(&self, operation_id: &str) -> u64 {
        self.shared
            .lock()
            .counts
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// Stops accepting connections, lets in-flight requests finish, and
    /// waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // The receiver is gone only if the server already stopped.
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A join error means the task panicked or was aborted; either
            // way the server is no longer running, which is the goal.
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

/// Configures a [`Sandbox`] before [`start`](SandboxBuilder::start)ing it.
pub struct SandboxBuilder {
    addr: SocketAddr,
    clients: Vec<SandboxClient>,
    replaced_default: bool,
    short_token_ttl: Duration,
    default_long_token_ttl: Duration,
    long_token_lifetime: Option<Duration>,
    rate_limit: Option<(u32, Duration)>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            clients: vec![SandboxClient::example()],
            replaced_default: false,
            short_token_ttl: Duration::from_secs(900),
            default_long_token_ttl: Duration::from_secs(30 * 24 * 3600),
            long_token_lifetime: None,
            rate_limit: None,
        }
    }
}

impl SandboxBuilder {
    /// Listens on `addr` instead of `127.0.0.1` with a port chosen by the
    /// system. Port 0 still lets the system choose; see
    /// [`Sandbox::local_addr`] for the port it chose.
    ///
    /// Any address other than a loopback one makes the sandbox, and its
    /// publicly known example credentials, reachable from other machines;
    /// and [`Client`](crate::Client) speaks plain `http` to loopback only.
    ///
    /// ```no_run
    /// # async fn f() -> std::io::Result<()> {
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// let sandbox = c2m_auth::sandbox::Sandbox::builder()
    ///     .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 4010)))
    ///     .start()
    ///     .await?;
    /// assert_eq!(sandbox.base_url(), "http://127.0.0.1:4010");
    /// # Ok(())
    /// # }
    /// ```
    pub fn bind(mut self, addr: impl Into<SocketAddr>) -> Self {
        self.addr = addr.into();
        self
    }

    /// Registers a client. The first call replaces the default example
    /// client; later calls add more clients. Registering a `client_id` twice
    /// keeps the last registration.
    pub fn client(mut self, client: SandboxClient) -> Self {
        if !self.replaced_default {
            self.clients.clear();
            self.replaced_default = true;
        }
        self.clients.push(client);
        self
    }

    /// Lifetime of short-term tokens (default 900 seconds). `expires_in` is
    /// reported in whole seconds, rounded down.
    pub fn short_token_ttl(mut self, ttl: Duration) -> Self {
        self.short_token_ttl = ttl;
        self
    }

    /// Lifetime of long-term tokens requested without `ttl_seconds` (default
    /// 30 days). It is clamped to the spec's bounds, 1 hour to 90 days.
    pub fn default_long_token_ttl(mut self, ttl: Duration) -> Self {
        self.default_long_token_ttl = ttl;
        self
    }

    /// Every long-term token lives exactly `lifetime`, whatever was asked
    /// and even below the spec's one-hour minimum: for testing code that
    /// must renew long-term tokens without waiting an hour.
    pub fn long_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.long_token_lifetime = Some(lifetime);
        self
    }

    /// Accepts at most `max_requests` requests per fixed window of `per`,
    /// counted over `issueLongTermToken` and `issueShortTermToken` together.
    /// Requests beyond that get `429` with code `rate_limited` and a
    /// `Retry-After` header: the whole seconds until the window ends, at
    /// least 1.
    ///
    /// `revokeToken` is neither counted nor limited: the spec lists no 429
    /// for it.
    pub fn rate_limit(mut self, max_requests: u32, per: Duration) -> Self {
        self.rate_limit = Some((max_requests, per));
        self
    }

    /// Binds the address (by default `127.0.0.1:0`) and starts serving on a
    /// Tokio task.
    ///
    /// # Errors
    ///
    /// Fails if the listener cannot be bound (the port is taken, the
    /// address is not one of this machine's, ...).
    ///
    /// # Panics
    ///
    /// Must be called from within a Tokio runtime with I/O enabled.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;

        let min = Duration::from_secs(MIN_LONG_TOKEN_TTL_SECONDS.unsigned_abs());
        let max = Duration::from_secs(MAX_LONG_TOKEN_TTL_SECONDS.unsigned_abs());
        let shared = Arc::new(Shared {
            short_token_ttl: self.short_token_ttl,
            default_long_token_ttl: self.default_long_token_ttl.clamp(min, max),
            long_token_lifetime: self.long_token_lifetime,
            state: Mutex::new(Store {
                clients: self
                    .clients
                    .into_iter()
                    .map(|c| (c.client_id.clone(), c))
                    .collect(),
                tokens: HashMap::new(),
                ids: HashMap::new(),
                counts: HashMap::new(),
                jobs: Vec::new(),
                window: self
                    .rate_limit
                    .map(|(max_requests, per)| Window::new(max_requests, per)),
            }),
        });

        let app = handlers::router(Arc::clone(&shared));

        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                // Either a shutdown request or the sender being dropped.
                let _ = stopped.await;
            });
            // An accept error ends the sandbox; there is nobody to report
            // it to but the requests that will now fail to connect.
            let _ = server.await;
        });

        Ok(Sandbox {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("addr", &self.addr)
            .field("clients", &self.clients)
            .field("short_token_ttl", &self.short_token_ttl)
            .field("default_long_token_ttl", &self.default_long_token_ttl)
            .field("long_token_lifetime", &self.long_token_lifetime)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}
