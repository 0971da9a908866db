//! An in-process, stateful server implementing the Auth Overlay, for tests
//! and examples that must run offline (feature `sandbox`).
//!
//! [`Sandbox::start`] binds an HTTP server to `127.0.0.1` on an ephemeral
//! port ([`SandboxBuilder::bind`] chooses another address) and serves the
//! three operations of `spec/auth.yaml`:
//!
//! | operation              | route                                | success |
//! |------------------------|--------------------------------------|---------|
//! | `issueLongTermToken`   | `POST /auth/tokens/long`             | 201     |
//! | `issueShortTermToken`  | `POST /auth/tokens/short`            | 201     |
//! | `revokeToken`          | `POST /auth/tokens/{tokenId}/revoke` | 204     |
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

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, SubsecRound, Utc};
use rand::Rng;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::runtime::{Secret, Validate};
use crate::types;

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
/// ([`Validate`]); this constant clamps
/// [`SandboxBuilder::default_long_token_ttl`].
pub const MIN_LONG_TOKEN_TTL_SECONDS: i64 = 3_600;
/// Largest `ttl_seconds` accepted by `issueLongTermToken` (90 days), the
/// spec's `maximum`. Requests are checked against the spec itself
/// ([`Validate`]); this constant clamps
/// [`SandboxBuilder::default_long_token_ttl`].
pub const MAX_LONG_TOKEN_TTL_SECONDS: i64 = 7_776_000;

const OP_LONG: &str = "issueLongTermToken";
const OP_SHORT: &str = "issueShortTermToken";
const OP_REVOKE: &str = "revokeToken";
const SCOPE_WRITE: &str = "tokens:write";
const SCOPE_REVOKE: &str = "tokens:revoke";
const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_TOKEN_ID: HeaderName = HeaderName::from_static("x-token-id");

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

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
                window: self.rate_limit.map(|(max_requests, per)| Window {
                    max_requests,
                    per,
                    started: Instant::now(),
                    used: 0,
                }),
            }),
        });

        let app = Router::new()
            .route("/auth/tokens/long", post(issue_long_term_token))
            .route("/auth/tokens/short", post(issue_short_term_token))
            .route("/auth/tokens/{token_id}/revoke", post(revoke_token))
            .with_state(Arc::clone(&shared));

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

/// A registered API client: its `client_id`, the credentials it may use
/// (any of a secret, a one-time code and an assertion) and the scopes it may
/// request.
///
/// A client with no credential can still get long-term tokens through a
/// short-term token with `tokens:write`, but never a first one.
#[derive(Clone)]
pub struct SandboxClient {
    client_id: String,
    secret: Option<String>,
    otp_code: Option<String>,
    assertion: Option<String>,
    allowed_scopes: Vec<String>,
}

impl SandboxClient {
    /// A client with no credentials and no allowed scopes.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: None,
            otp_code: None,
            assertion: None,
            allowed_scopes: Vec::new(),
        }
    }

    /// Accepts `client_credentials` with this `client_secret`.
    pub fn secret(mut self, s: impl Into<String>) -> Self {
        self.secret = Some(s.into());
        self
    }

    /// Accepts `client_credentials` with this `otp_code` (any number of
    /// times: the sandbox does not rotate codes).
    pub fn otp_code(mut self, s: impl Into<String>) -> Self {
        self.otp_code = Some(s.into());
        self
    }

    /// Accepts grant `assertion` (with [`JWT_BEARER_ASSERTION_TYPE`]) with
    /// exactly this assertion string; the sandbox cannot verify signatures.
    pub fn assertion(mut self, s: impl Into<String>) -> Self {
        self.assertion = Some(s.into());
        self
    }

    /// The scopes this client may request, replacing any set before. A scope
    /// `prefix:*` also allows every `prefix:anything`.
    pub fn allowed_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    fn example() -> Self {
        Self::new(EXAMPLE_CLIENT_ID)
            .secret(EXAMPLE_CLIENT_SECRET)
            .otp_code(EXAMPLE_OTP_CODE)
            .assertion(EXAMPLE_ASSERTION)
            .allowed_scopes(EXAMPLE_SCOPES)
    }
}

impl fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("SandboxClient")
            .field("client_id", &self.client_id)
            .field("secret", &redact(&self.secret))
            .field("otp_code", &redact(&self.otp_code))
            .field("assertion", &redact(&self.assertion))
            .field("allowed_scopes", &self.allowed_scopes)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

struct Shared {
    short_token_ttl: Duration,
    default_long_token_ttl: Duration,
    long_token_lifetime: Option<Duration>,
    state: Mutex<Store>,
}

impl Shared {
    /// Locks the store. A poisoned lock is recovered: every update of the
    /// store is a single insert or field write, so it is never left
    /// half-updated.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Store {
    clients: HashMap<String, SandboxClient>,
    /// By access token.
    tokens: HashMap<String, Token>,
    /// Token id to access token.
    ids: HashMap<String, String>,
    counts: HashMap<&'static str, u64>,
    window: Option<Window>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Long,
    Short,
}

struct Token {
    id: String,
    kind: Kind,
    client_id: String,
    scopes: Vec<String>,
    expires_at: DateTime<Utc>,
    revoked: bool,
    /// For a short-term token, the id of the long-term token it came from.
    parent: Option<String>,
}

struct Window {
    max_requests: u32,
    per: Duration,
    started: Instant,
    used: u32,
}

impl Store {
    fn count(&mut self, operation: &'static str) {
        let n = self.counts.entry(operation).or_insert(0);
        *n = n.saturating_add(1);
    }

    fn check_rate(&mut self) -> Result<(), ApiError> {
        let Some(w) = self.window.as_mut() else {
            return Ok(());
        };
        let now = Instant::now();
        if now.duration_since(w.started) >= w.per {
            w.started = now;
            w.used = 0;
        }
        w.used = w.used.saturating_add(1);
        if w.used <= w.max_requests {
            return Ok(());
        }
        let left = w.per.saturating_sub(now.duration_since(w.started));
        let secs = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
        let mut err = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests; retry after {secs} seconds."),
        );
        err.retry_after = Some(secs);
        err.details
            .insert("retry_after_seconds".into(), serde_json::Value::from(secs));
        Err(err)
    }

    fn is_revoked_by_parent(&self, token: &Token) -> bool {
        token
            .parent
            .as_ref()
            .and_then(|id| self.ids.get(id))
            .and_then(|access| self.tokens.get(access))
            .is_some_and(|parent| parent.revoked)
    }

    /// The valid token `access`, or 401 `invalid_token`.
    fn authenticate(&self, access: &str, now: DateTime<Utc>) -> Result<&Token, ApiError> {
        let token = self
            .tokens
            .get(access)
            .ok_or_else(|| invalid_token("The bearer token is not known."))?;
        if token.revoked || self.is_revoked_by_parent(token) {
            return Err(invalid_token("The bearer token has been revoked."));
        }
        if now >= token.expires_at {
            return Err(invalid_token("The bearer token has expired."));
        }
        Ok(token)
    }

    /// Whether `access`, refused by [`Store::authenticate`], is repeating the
    /// revocation that disabled it: it is unexpired, holds `tokens:revoke`,
    /// and `target_id` is its own id or its parent's, already revoked. This
    /// keeps a retried self-revocation idempotent (204) while a revoked
    /// token can do nothing else.
    fn repeats_revocation(
        &self,
        access: &str,
        target_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> bool {
        let (Some(token), Some(target_id)) = (self.tokens.get(access), target_id) else {
            return false;
        };
        let own = token.id == target_id || token.parent.as_deref() == Some(target_id);
        let target_revoked = self
            .ids
            .get(target_id)
            .and_then(|a| self.tokens.get(a))
            .is_some_and(|t| t.revoked);
        own && target_revoked && now < token.expires_at && holds(&token.scopes, SCOPE_REVOKE)
    }

    fn insert(&mut self, access: String, token: Token) {
        self.ids.insert(token.id.clone(), access.clone());
        self.tokens.insert(access, token);
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Boxed: the map is large (with serde_json's `preserve_order`), and
    /// every handler step returns `Result<_, ApiError>`.
    details: Box<serde_json::Map<String, serde_json::Value>>,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Box::default(),
            retry_after: None,
        }
    }
}

fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
}

fn invalid_grant(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", message)
}

fn invalid_token(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = types::AuthError::new(self.code, self.message);
        body.details = *self.details;
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

// ---------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------

/// The bearer token of the `Authorization` header: `Ok(None)` when there is
/// no such header, 401 when it is not a usable bearer credential.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| invalid_token("The Authorization header is not valid text."))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| invalid_token("The Authorization header must be `Bearer <token>`."))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(invalid_token(
            "The Authorization header must be `Bearer <token>`.",
        ));
    }
    Ok(Some(token))
}

/// Parses a JSON body into a generated request type. `Ok(None)` for an empty
/// body. Messages name the offending field but never echo a value.
fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<T>, ApiError> {
    let body = body.map_err(|_| invalid_request("The request body could not be read."))?;
    if body.is_empty() {
        return Ok(None);
    }
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(invalid_request(
            "The request body must have content type application/json.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(&body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(describe_json_error)?;
    de.end().map_err(|e| {
        invalid_request(format!(
            "The request body is not valid JSON: trailing characters at line {} column {}.",
            e.line(),
            e.column()
        ))
    })?;
    Ok(Some(value))
}

fn describe_json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.inner();
    let message = match inner.classify() {
        serde_json::error::Category::Data => {
            let text = inner.to_string();
            // Strip serde_json's " at line L column C" suffix.
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(head, _)| head);
            if text.starts_with("missing field") || text.starts_with("unknown field") {
                // These name fields (from the spec or the request's keys),
                // never values.
                format!("Invalid request body: {text}.")
            } else {
                // "invalid type: string \"...\", expected ..." and
                // "unknown variant `...`, expected ..." would echo the
                // value, which may be a secret: keep only what was expected.
                let field = if path == "." {
                    "the body".to_owned()
                } else {
                    format!("`{path}`")
                };
                match text.split_once(", expected ") {
                    Some((_, expected)) => {
                        format!("Invalid value for {field}: expected {expected}.")
                    }
                    None => format!("Invalid value for {field}."),
                }
            }
        }
        // Syntax messages ("expected value", "EOF while parsing a string",
        // ...) describe the position, not the content.
        _ => format!("The request body is not valid JSON: {inner}."),
    };
    let mut err = invalid_request(message);
    if path != "." {
        err.details
            .insert("field".into(), serde_json::Value::from(path));
    }
    err
}

/// Checks `request` against the spec's bounds (the generated
/// [`Validate`], so the sandbox enforces exactly what the spec says) and
/// returns the lifetime to grant: `ttl_seconds`, or `default`.
fn check_ttl(request: &types::LongTokenRequest, default: Duration) -> Result<Duration, ApiError> {
    request.validate().map_err(|e| {
        // The message names the field and the bound, never a string value.
        let mut err = invalid_request(format!("Invalid request body: {e}."));
        if !e.path.is_empty() {
            err.details.insert("field".into(), e.path.into());
        }
        err
    })?;
    let Some(ttl) = request.ttl_seconds else {
        return Ok(default);
    };
    // Only reachable if the spec stopped bounding `ttl_seconds` below.
    let secs = u64::try_from(ttl)
        .map_err(|_| invalid_request("Invalid request body: `ttl_seconds` is negative."))?;
    Ok(Duration::from_secs(secs))
}

/// Whether holding scope `held` grants scope `wanted`: equal, or `held` is
/// `prefix:*` and `wanted` is `prefix:something`.
fn covers(held: &str, wanted: &str) -> bool {
    if held == wanted {
        return true;
    }
    held.strip_suffix('*')
        .filter(|prefix| prefix.ends_with(':'))
        .and_then(|prefix| wanted.strip_prefix(prefix))
        .is_some_and(|rest| !rest.is_empty())
}

fn holds(held: &[String], wanted: &str) -> bool {
    held.iter().any(|h| covers(h, wanted))
}

/// The scopes to grant: `requested` (deduplicated) if each is covered by
/// `held`, all of `held` if none was requested, else 400 `invalid_scope`.
fn grant_scopes(
    held: &[String],
    requested: Vec<String>,
    of: &str,
) -> Result<Vec<String>, ApiError> {
    if requested.is_empty() {
        return Ok(held.to_vec());
    }
    let mut granted: Vec<String> = Vec::with_capacity(requested.len());
    for scope in requested {
        if !holds(held, &scope) {
            let mut err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("Scope `{scope}` is not held by {of}."),
            );
            err.details.insert("scope".into(), scope.into());
            return Err(err);
        }
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    Ok(granted)
}

// ---------------------------------------------------------------------------
// Token generation
// ---------------------------------------------------------------------------

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

fn random_base64url(len: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `now + ttl`, in whole seconds, and `expires_in`.
fn expiry(now: DateTime<Utc>, ttl: Duration) -> (DateTime<Utc>, i64) {
    let secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let at = chrono::TimeDelta::try_seconds(secs)
        .and_then(|d| now.trunc_subsecs(0).checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    (at, secs)
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

type App = Arc<Shared>;

async fn issue_long_term_token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match long_term(&app, &headers, body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn issue_short_term_token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match short_term(&app, &headers, body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn revoke_token(
    State(app): State<App>,
    headers: HeaderMap,
    token_id: Result<Path<String>, PathRejection>,
) -> Response {
    match revoke(&app, &headers, token_id) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// How the caller of `issueLongTermToken` authenticated.
enum LongAuth<'a> {
    ClientKey(&'a str),
    ShortToken(&'a str),
}

fn long_term(
    app: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_LONG);
    store.check_rate()?;
    let now = Utc::now();

    let client_key = headers.get(X_CLIENT_ID);
    let has_bearer = headers.contains_key(AUTHORIZATION);
    let auth = match (client_key, has_bearer) {
        (Some(_), true) => {
            return Err(invalid_token(
                "Send either X-Client-Id or a short-term bearer token, not both.",
            ));
        }
        (None, false) => {
            return Err(invalid_token(
                "No credential: send X-Client-Id or a short-term bearer token.",
            ));
        }
        (Some(id), false) => LongAuth::ClientKey(id.to_str().map_err(|_| unknown_client())?),
        (None, true) => LongAuth::ShortToken(bearer(headers)?.unwrap_or_default()),
    };

    // Authenticate before looking at the body; find the client and the
    // scopes it may be granted.
    let client_id = match auth {
        LongAuth::ClientKey(id) => {
            if !store.clients.contains_key(id) {
                return Err(unknown_client());
            }
            id.to_owned()
        }
        LongAuth::ShortToken(access) => {
            let token = store.authenticate(access, now)?;
            if token.kind != Kind::Short {
                return Err(invalid_token(
                    "This operation takes a short-term token, not a long-term one.",
                ));
            }
            if !holds(&token.scopes, SCOPE_WRITE) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient_scope",
                    "The short-term token lacks the scope tokens:write.",
                ));
            }
            token.client_id.clone()
        }
    };

    let request: types::LongTokenRequest = parse_body(headers, body)?
        .ok_or_else(|| invalid_request("The request body is required."))?;
    if request.client_id != client_id {
        return Err(invalid_grant(
            "The body's client_id is not the authenticated client.",
        ));
    }

    let client = store.clients.get(&client_id).ok_or_else(unknown_client)?;
    match auth {
        LongAuth::ClientKey(_) => check_grant(client, &request)?,
        LongAuth::ShortToken(_) => {
            if request.client_secret.is_some()
                || request.otp_code.is_some()
                || request.assertion.is_some()
                || request.assertion_type.is_some()
            {
                return Err(invalid_request(
                    "Only one mechanism per call: a short-term token needs no \
                     client_secret, otp_code or assertion.",
                ));
            }
        }
    }
    let requested = check_ttl(&request, app.default_long_token_ttl)?;
    let ttl = app.long_token_lifetime.unwrap_or(requested);
    let scopes = grant_scopes(&client.allowed_scopes, request.scopes, "this client")?;

    let (expires_at, expires_in) = expiry(now, ttl);
    let access = format!("lt_{}", random_hex(16));
    let id = format!("tok_lt_{}", random_hex(6));
    let mut response = types::LongTokenResponse::new(
        types::LongTokenResponseTokenType::Bearer,
        access.as_str(),
        expires_in,
        expires_at,
    );
    response.scopes = scopes.clone();
    response.token_id = Some(id.clone());
    store.insert(
        access,
        Token {
            id: id.clone(),
            kind: Kind::Long,
            client_id,
            scopes,
            expires_at,
            revoked: false,
            parent: None,
        },
    );
    drop(store);

    let mut response = (StatusCode::CREATED, axum::Json(response)).into_response();
    if let Ok(value) = HeaderValue::try_from(id) {
        response.headers_mut().insert(X_TOKEN_ID, value);
    }
    Ok(response)
}

fn unknown_client() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "X-Client-Id does not name a registered client.",
    )
}

/// Checks the grant of a `ClientKey`-authenticated request: exactly one
/// mechanism, consistent with `grant_type`, with the right value.
fn check_grant(client: &SandboxClient, request: &types::LongTokenRequest) -> Result<(), ApiError> {
    use types::LongTokenRequestGrantType as Grant;

    let wrong =
        || invalid_grant("The client credentials are invalid or do not match the grant type.");
    let matches = |given: &Option<Secret>, expected: &Option<String>| matches!((given, expected), (Some(g), Some(e)) if g.expose() == e);
    let assertion_fields = request.assertion.is_some() || request.assertion_type.is_some();

    match request.grant_type {
        Grant::ClientCredentials => {
            if assertion_fields {
                return Err(invalid_request(
                    "assertion and assertion_type go with grant_type assertion, \
                     not client_credentials.",
                ));
            }
            match (&request.client_secret, &request.otp_code) {
                (Some(_), Some(_)) => Err(invalid_request(
                    "Only one mechanism per call: send client_secret or otp_code, not both.",
                )),
                (None, None) => Err(invalid_request(
                    "grant_type client_credentials needs client_secret or otp_code.",
                )),
                (Some(_), None) if matches(&request.client_secret, &client.secret) => Ok(()),
                (None, Some(_)) if matches(&request.otp_code, &client.otp_code) => Ok(()),
                _ => Err(wrong()),
            }
        }
        Grant::Assertion => {
            if request.client_secret.is_some() || request.otp_code.is_some() {
                return Err(invalid_request(
                    "Only one mechanism per call: grant_type assertion takes no \
                     client_secret or otp_code.",
                ));
            }
            match request.assertion_type.as_deref() {
                None => {
                    return Err(invalid_request(
                        "grant_type assertion needs assertion_type.",
                    ));
                }
                Some(JWT_BEARER_ASSERTION_TYPE) => {}
                Some(_) => {
                    return Err(invalid_request(format!(
                        "Unsupported assertion_type; use {JWT_BEARER_ASSERTION_TYPE}."
                    )));
                }
            }
            if request.assertion.is_none() {
                return Err(invalid_request("grant_type assertion needs assertion."));
            }
            if matches(&request.assertion, &client.assertion) {
                Ok(())
            } else {
                Err(wrong())
            }
        }
        // A value the spec does not list (kept by the open enum), or one a
        // later spec adds before the sandbox learns it. Its text is the
        // caller's, so it is not echoed.
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "This grant_type is not supported; use client_credentials or assertion.",
        )),
    }
}

fn short_term(
    app: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_SHORT);
    store.check_rate()?;
    let now = Utc::now();

    let access = bearer(headers)?
        .ok_or_else(|| invalid_token("No credential: send a long-term bearer token."))?;
    let long = store.authenticate(access, now)?;
    if long.kind != Kind::Long {
        return Err(invalid_token(
            "This operation takes a long-term token, not a short-term one.",
        ));
    }
    let request: types::ShortTokenRequest = parse_body(headers, body)?.unwrap_or_default();
    if request
        .long_token
        .as_ref()
        .is_some_and(|t| t.expose() != access)
    {
        return Err(invalid_request(
            "long_token in the body is not the token of the Authorization header.",
        ));
    }
    let scopes = grant_scopes(&long.scopes, request.scopes, "the long-term token")?;
    let client_id = long.client_id.clone();
    let parent = long.id.clone();

    let (expires_at, expires_in) = expiry(now, app.short_token_ttl);
    let access = format!(
        "{}.{}.{}",
        random_base64url(20),
        random_base64url(40),
        random_base64url(43)
    );
    let id = format!("tok_st_{}", random_hex(6));
    let mut response = types::ShortTokenResponse::new(
        types::ShortTokenResponseTokenType::Bearer,
        access.as_str(),
        expires_in,
        expires_at,
    );
    response.scopes = scopes.clone();
    response.token_id = Some(id.clone());
    store.insert(
        access,
        Token {
            id,
            kind: Kind::Short,
            client_id,
            scopes,
            expires_at,
            revoked: false,
            parent: Some(parent),
        },
    );
    drop(store);

    Ok((StatusCode::CREATED, axum::Json(response)).into_response())
}

fn revoke(
    app: &Shared,
    headers: &HeaderMap,
    token_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let mut store = app.lock();
    store.count(OP_REVOKE);
    let now = Utc::now();

    let access =
        bearer(headers)?.ok_or_else(|| invalid_token("No credential: send a bearer token."))?;
    let target_id = token_id.as_ref().ok().map(|Path(id)| id.as_str());
    let caller = match store.authenticate(access, now) {
        Ok(caller) => caller,
        Err(_) if store.repeats_revocation(access, target_id, now) => {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        Err(err) => return Err(err),
    };
    if !holds(&caller.scopes, SCOPE_REVOKE) {
        // The spec lists no 403 for revokeToken: refuse with 401.
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "insufficient_scope",
            "The bearer token lacks the scope tokens:revoke.",
        ));
    }
    let caller_client = caller.client_id.clone();

    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No token with this id exists.",
        )
    };
    let Ok(Path(token_id)) = token_id else {
        return Err(not_found());
    };
    let access = store.ids.get(&token_id).cloned().ok_or_else(not_found)?;
    let target = store.tokens.get_mut(&access).ok_or_else(not_found)?;
    if target.client_id != caller_client {
        return Err(not_found());
    }
    target.revoked = true;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_scopes_cover_their_prefix_only() {
        assert!(covers("jobs:*", "jobs:submit"));
        assert!(covers("jobs:*", "jobs:*"));
        assert!(covers("jobs:submit", "jobs:submit"));
        assert!(!covers("jobs:*", "jobs:"));
        assert!(!covers("jobs:*", "templates:read"));
        assert!(!covers("jobs:submit", "jobs:*"));
        assert!(!covers("*", "jobs:submit"));
    }

    #[test]
    fn client_debug_redacts_credentials() {
        let text = format!("{:?}", SandboxClient::example());
        assert!(text.contains(EXAMPLE_CLIENT_ID));
        for secret in [EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_ASSERTION] {
            assert!(!text.contains(secret), "{secret:?} leaked");
        }
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn json_errors_do_not_echo_values() {
        let headers = {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h
        };
        for body in [
            r#"{"grant_type":"client_credentials","client_id":"c","client_secret":314159}"#,
            r#"{"grant_type":"client_credentials","client_id":["s3cr3t-value"]}"#,
            r#"{"grant_type":"client_credentials","client_id":"c","ttl_seconds":"s3cr3t-value"}"#,
        ] {
            let result = parse_body::<types::LongTokenRequest>(&headers, Ok(Bytes::from(body)));
            let Err(err) = result else {
                panic!("{body} parsed");
            };
            assert_eq!(err.code, "invalid_request");
            assert!(!err.message.contains("314159"), "{}", err.message);
            assert!(!err.message.contains("s3cr3t-value"), "{}", err.message);
            assert!(err.message.contains('`'), "no field named: {}", err.message);
        }
    }

    fn with_ttl(ttl: Option<i64>) -> types::LongTokenRequest {
        let mut request = types::LongTokenRequest::new(
            types::LongTokenRequestGrantType::ClientCredentials,
            EXAMPLE_CLIENT_ID,
        );
        request.client_secret = Some(Secret::from(EXAMPLE_CLIENT_SECRET));
        request.ttl_seconds = ttl;
        request
    }

    #[test]
    fn ttl_bounds_are_the_specs() {
        let d = Duration::from_secs(10);
        for ttl in [
            MIN_LONG_TOKEN_TTL_SECONDS - 1,
            MAX_LONG_TOKEN_TTL_SECONDS + 1,
            -1,
        ] {
            let Err(err) = check_ttl(&with_ttl(Some(ttl)), d) else {
                panic!("ttl {ttl} accepted");
            };
            assert_eq!(err.code, "invalid_request");
            assert!(err.message.contains("`ttl_seconds`"), "{}", err.message);
            assert_eq!(err.details.get("field"), Some(&"ttl_seconds".into()));
        }
        // The constants that clamp the default lifetime are the spec's bounds.
        for ttl in [MIN_LONG_TOKEN_TTL_SECONDS, MAX_LONG_TOKEN_TTL_SECONDS] {
            assert_eq!(
                check_ttl(&with_ttl(Some(ttl)), d).ok(),
                Some(Duration::from_secs(ttl.unsigned_abs()))
            );
        }
        assert_eq!(check_ttl(&with_ttl(None), d).ok(), Some(d));
    }
}
