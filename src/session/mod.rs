//! [`TokenSession`]: gets, caches, refreshes and revokes tokens by itself.
//!
//! A session is built from the client credentials (a client secret, a
//! one-time code or a signed assertion, per the spec's grant types) or from
//! an existing long-term token, and the scopes wanted. It hands out a valid
//! short-term credential for the calls that accept one:
//!
//! ```
//! # #[cfg(feature = "sandbox")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use c2m_auth::{Client, TokenSession};
//! # let sandbox = c2m_auth::sandbox::Sandbox::start().await?;
//! # let base_url = sandbox.base_url();
//!
//! let client = Client::with_base_url(&base_url)?;
//! let session = TokenSession::builder(client.clone())
//!     .client_secret("c2m_abc123", "supersecret123")
//!     .scopes(["jobs:submit"])
//!     .build();
//!
//! // Gets a long-term token, exchanges it, and caches the short-term one.
//! let credential = session.credential().await?;
//! // Revokes what the session issued.
//! session.close().await?;
//! # Ok(())
//! # }
//! # #[cfg(feature = "sandbox")]
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```
//!
//! # How it behaves
//!
//! - **Caching.** A short-term token is reused until `refresh_margin` before
//!   it expires (at most half its lifetime), judged by `expires_at` and
//!   `expires_in` on the local clock, whichever is earlier. The long-term
//!   token is renewed the same way before it expires.
//! - **One refresh at a time.** However many tasks ask while a refresh is
//!   due, one request goes to the server and all of them get its result or
//!   its error. A failed refresh is not cached: the next ask tries again.
//! - **The cached path** takes no lock across an await: a read lock around
//!   an `Arc` clone, then a clock read.
//! - **Retries** ([`RetryPolicy`]): a 429 was not processed, so it is retried
//!   after its `Retry-After` (seconds or HTTP date), or a jittered
//!   exponential backoff when there is none, up to a number of retries and a
//!   total wait. A connection that could not be made is retried too. A token
//!   issue that may have reached the server (a timeout, a 5xx) is not
//!   repeated blindly; a revocation, being idempotent, is.
//! - **A rejected long-term token** (revoked, expired) is replaced by a new
//!   one from the client credentials, once per refresh; a session built
//!   from a long-term token alone, or from a one-time code already used,
//!   reports [`SessionError::NoCredentials`] instead.
//! - **Revocation.** [`TokenSession::close`] revokes every token the session
//!   issued that the server gave a `token_id` for, short-term first, using
//!   the long-term token (the session asks for the `tokens:revoke` scope when
//!   it asks for scopes at all). It is idempotent; afterwards the session
//!   hands out nothing.
//! - **On drop** nothing is revoked: the tokens stay valid until they
//!   expire. Call `close().await` to revoke them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::Shared;
use reqwest::StatusCode;

use crate::runtime::{self, Secret};
use crate::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use crate::{Client, types};

/// How a session retries what is safe to retry. The defaults: 3 retries,
/// at most 30 s of waiting in all, backoff from 200 ms doubling to 5 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The most a request may spend waiting between attempts; a
    /// `Retry-After` beyond it ends the retries at once.
    pub max_total_wait: Duration,
    /// The first backoff where the server gives no `Retry-After`.
    pub initial_backoff: Duration,
    /// The largest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_total_wait: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backoff before retry `attempt` (0-based): exponential, capped,
    /// with full jitter so that many clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        let fraction: f64 = rand::random();
        ceiling.mul_f64(fraction)
    }
}

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
            Self::Closed => f.write_str("the token session is closed"),
        }
    }
}

impl std::error::Error for SessionError {}

/// Where new long-term tokens come from.
#[derive(Clone)]
enum Source {
    ClientSecret {
        client_id: String,
        secret: Secret,
    },
    Assertion {
        client_id: String,
        assertion_type: String,
        assertion: Secret,
    },
    /// A one-time code: good for one long-term token.
    OneTimeCode {
        client_id: String,
        code: Secret,
    },
    /// A long-term token given by the caller; nothing to renew it with.
    LongTermToken,
}

/// Builds a [`TokenSession`].
pub struct TokenSessionBuilder {
    client: Client,
    source: Source,
    given_long: Option<(LongTokenAuth, Option<String>)>,
    scopes: Vec<String>,
    long_token_ttl: Option<Duration>,
    refresh_margin: Duration,
    retry: RetryPolicy,
}

impl fmt::Debug for TokenSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSessionBuilder")
            .field("client", &self.client)
            .field("scopes", &self.scopes)
            .field("long_token_ttl", &self.long_token_ttl)
            .field("refresh_margin", &self.refresh_margin)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl TokenSessionBuilder {
    /// Long-term tokens from `client_credentials` with a client secret.
    pub fn client_secret(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        self.source = Source::ClientSecret {
            client_id: client_id.into(),
            secret: secret.into(),
        };
        self
    }

    /// Long-term tokens from the `assertion` grant (e.g. a signed JWT,
    /// `assertion_type` `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).
    pub fn assertion(
        mut self,
        client_id: impl Into<String>,
        assertion_type: impl Into<String>,
        assertion: impl Into<Secret>,
    ) -> Self {
        self.source = Source::Assertion {
            client_id: client_id.into(),
            assertion_type: assertion_type.into(),
            assertion: assertion.into(),
        };
        self
    }

    /// One long-term token from `client_credentials` with a one-time code;
    /// a code works once, so the session cannot renew it.
    pub fn one_time_code(mut self, client_id: impl Into<String>, code: impl Into<Secret>) -> Self {
        self.source = Source::OneTimeCode {
            client_id: client_id.into(),
            code: code.into(),
        };
        self
    }

    /// An existing long-term token (and its id, to be able to name it); the
    /// session cannot renew it.
    pub fn long_term_token(mut self, token: LongTokenAuth, token_id: Option<String>) -> Self {
        self.source = Source::LongTermToken;
        self.given_long = Some((token, token_id));
        self
    }

    /// The scopes the short-term tokens carry (and the long-term token,
    /// with `tokens:revoke` added so the session can revoke what it issued).
    /// None: the server's defaults.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The lifetime asked for long-term tokens (`ttl_seconds`); the server's
    /// default when not set.
    pub fn long_token_ttl(mut self, ttl: Duration) -> Self {
        self.long_token_ttl = Some(ttl);
        self
    }

    /// How long before expiry a token is renewed; default 60 s, and never
    /// more than half a token's lifetime.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How requests are retried; see [`RetryPolicy`].
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The session. It makes no request until a credential is asked for.
    pub fn build(self) -> TokenSession {
        let long = self.given_long.map(|(credential, token_id)| {
            Arc::new(Cached {
                credential,
                token_id,
                // Its expiry is unknown: used until the server rejects it.
                refresh_at: None,
            })
        });
        TokenSession {
            inner: Arc::new(Inner {
                client: self.client,
                source: self.source,
                scopes: self.scopes,
                long_token_ttl: self.long_token_ttl,
                refresh_margin: self.refresh_margin,
                retry: self.retry,
                short: RwLock::new(None),
                long: Mutex::new(long),
                one_time_code_used: AtomicBool::new(false),
                flight: Mutex::new(None),
                generation: AtomicU64::new(0),
                issued: Mutex::new(Vec::new()),
                closed: AtomicBool::new(false),
            }),
        }
    }
}

/// A token and when to renew it.
struct Cached<C> {
    credential: C,
    token_id: Option<String>,
    /// `None`: no known expiry.
    refresh_at: Option<Instant>,
}

impl<C> Cached<C> {
    /// A token issued in answer to a request sent at `sent`, with the
    /// response's `(expires_in, expires_at)`.
    fn issued(
        credential: C,
        token_id: Option<String>,
        sent: Instant,
        (expires_in, expires_at): (i64, chrono::DateTime<chrono::Utc>),
        margin: Duration,
    ) -> Self {
        Self {
            credential,
            token_id,
            refresh_at: Some(refresh_at(sent, expires_in, expires_at, margin)),
        }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

type Refresh =
    Shared<Pin<Box<dyn Future<Output = Result<Arc<Cached<ShortTokenAuth>>, SessionError>> + Send>>>;

struct Inner {
    client: Client,
    source: Source,
    scopes: Vec<String>,
    long_token_ttl: Option<Duration>,
    refresh_margin: Duration,
    retry: RetryPolicy,
    short: RwLock<Option<Arc<Cached<ShortTokenAuth>>>>,
    long: Mutex<Option<Arc<Cached<LongTokenAuth>>>>,
    one_time_code_used: AtomicBool,
    /// The refresh under way, if any, and its generation.
    flight: Mutex<Option<(u64, Refresh)>>,
    generation: AtomicU64,
    /// Tokens this session issued, short-term ones last: `(token_id, long)`.
    issued: Mutex<Vec<(String, bool)>>,
    closed: AtomicBool,
}

impl Inner {
    /// Caches a token issued in answer to a request sent at `sent` and
    /// records its id, if it has one, for [`TokenSession::revoke`].
    fn remember<C>(
        &self,
        credential: C,
        token_id: Option<String>,
        sent: Instant,
        expiry: (i64, chrono::DateTime<chrono::Utc>),
        long: bool,
    ) -> Arc<Cached<C>> {
        if let Some(id) = &token_id {
            lock(&self.issued).push((id.clone(), long));
        }
        Arc::new(Cached::issued(
            credential,
            token_id,
            sent,
            expiry,
            self.refresh_margin,
        ))
    }
}

/// Locks a mutex, recovering from poisoning: every update under these locks
/// is a single assignment or push, never left half done.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Gets, caches, refreshes and revokes tokens for one client; cheap to
/// clone (clones share the tokens). See the [module docs](self).
#[derive(Clone)]
pub struct TokenSession {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSession")
            .field("base_url", &self.inner.client.base_url())
            .field("scopes", &self.inner.scopes)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TokenSession {
    /// A session over `client`; choose where long-term tokens come from
    /// with [`client_secret`](TokenSessionBuilder::client_secret),
    /// [`assertion`](TokenSessionBuilder::assertion),
    /// [`one_time_code`](TokenSessionBuilder::one_time_code) or
    /// [`long_term_token`](TokenSessionBuilder::long_term_token).
    pub fn builder(client: Client) -> TokenSessionBuilder {
        TokenSessionBuilder {
            client,
            source: Source::LongTermToken,
            given_long: None,
            scopes: Vec::new(),
            long_token_ttl: None,
            refresh_margin: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }

    /// A valid short-term credential, from the cache or, when it is due,
    /// from one refresh shared by every task asking meanwhile.
    pub async fn credential(&self) -> Result<ShortTokenAuth, SessionError> {
        if let Some(credential) = self.cached_credential() {
            return Ok(credential);
        }
        self.refresh().await.map(|cached| cached.credential.clone())
    }

    /// The cached short-term credential if it is not due for renewal; never
    /// makes a request.
    pub fn cached_credential(&self) -> Option<ShortTokenAuth> {
        if self.inner.closed.load(Ordering::Acquire) {
            return None;
        }
        self.with_fresh_short(|cached| cached.credential.clone())
    }

    /// The current long-term credential, getting one if needed (for calls
    /// that take one, such as `revoke_token`).
    pub async fn long_term_credential(&self) -> Result<LongTokenAuth, SessionError> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(SessionError::Closed);
        }
        // Long-term tokens change only inside a refresh, so go through one
        // when the cached one is due.
        if let Some(long) = lock(&self.inner.long).clone()
            && long.is_fresh(Instant::now())
        {
            return Ok(long.credential.clone());
        }
        self.refresh().await?;
        lock(&self.inner.long)
            .clone()
            .map(|long| long.credential.clone())
            .ok_or(SessionError::Closed)
    }

    /// Joins the refresh under way, or starts one.
    async fn refresh(&self) -> Result<Arc<Cached<ShortTokenAuth>>, SessionError> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(SessionError::Closed);
        }
        let flight = {
            let mut slot = lock(&self.inner.flight);
            match &*slot {
                Some((_, flight)) => flight.clone(),
                None => {
                    // A refresh may have finished between the caller's cache
                    // check and this lock.
                    if let Some(cached) = self.with_fresh_short(Arc::clone) {
                        return Ok(cached);
                    }
                    let generation = self.inner.generation.fetch_add(1, Ordering::Relaxed);
                    let inner = Arc::clone(&self.inner);
                    let future: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(async move {
                        let result = refresh(&inner).await;
                        let mut slot = lock(&inner.flight);
                        if slot.as_ref().is_some_and(|(g, _)| *g == generation) {
                            *slot = None;
                        }
                        result
                    });
                    let flight = future.shared();
                    *slot = Some((generation, flight.clone()));
                    flight
                }
            }
        };
        flight.await
    }

    /// Forgets the cached short-term token, so the next ask refreshes: for
    /// when a call was refused because the token is no longer accepted.
    pub fn invalidate(&self) {
        *self
            .inner
            .short
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The `token_id` (`X-Token-Id`) of the current long-term token, when
    /// the session has one and the server named it.
    pub fn long_term_token_id(&self) -> Option<String> {
        lock(&self.inner.long)
            .as_ref()
            .and_then(|long| long.token_id.clone())
    }

    /// Reads the cached short-term token if it is not due for renewal,
    /// under the read lock (taking only what `read` returns out of it).
    fn with_fresh_short<R>(
        &self,
        read: impl FnOnce(&Arc<Cached<ShortTokenAuth>>) -> R,
    ) -> Option<R> {
        let short = self
            .inner
            .short
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        short
            .as_ref()
            .filter(|cached| cached.is_fresh(Instant::now()))
            .map(read)
    }

    /// Revokes every token this session issued (that has a `token_id`),
    /// short-term first, and stops handing out credentials. Idempotent: a
    /// second call revokes nothing more. A token the server no longer knows
    /// (404) counts as revoked; the first other failure is returned after
    /// trying the rest, which a later `close` tries again.
    pub async fn close(&self) -> Result<(), SessionError> {
        self.inner.closed.store(true, Ordering::Release);
        *self
            .inner
            .short
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
        let long = lock(&self.inner.long).clone();
        let issued: Vec<(String, bool)> = lock(&self.inner.issued).clone();
        if issued.is_empty() {
            return Ok(());
        }
        let Some(long) = long else {
            return Err(SessionError::NoCredentials {
                reason: "revoking the issued tokens needs the long-term token".into(),
            });
        };
        let mut first_error = None;
        // Short-term tokens first: revoking the long-term one may end them.
        let mut order = issued.clone();
        order.sort_by_key(|(_, is_long)| *is_long);
        for (token_id, _) in order {
            let result = with_retry(&self.inner.retry, "revokeToken", true, || {
                self.inner.client.revoke_token(&long.credential, &token_id)
            })
            .await;
            match result {
                Ok(_)
                | Err(SessionError::Refused {
                    status: StatusCode::NOT_FOUND,
                    ..
                }) => {
                    lock(&self.inner.issued).retain(|(id, _)| *id != token_id);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => {
                *lock(&self.inner.long) = None;
                Ok(())
            }
        }
    }
}

/// Gets a fresh short-term token: a long-term token if the cached one is
/// due (or rejected), then the exchange.
async fn refresh(inner: &Arc<Inner>) -> Result<Arc<Cached<ShortTokenAuth>>, SessionError> {
    let mut renewed = false;
    loop {
        let long = ensure_long(inner, renewed).await?;
        match exchange(inner, &long).await {
            Ok(short) => return Ok(short),
            Err(SessionError::Refused {
                status: StatusCode::UNAUTHORIZED,
                code,
                ..
            }) if !renewed => {
                // The long-term token was revoked or has expired: forget it
                // and get another from the credentials, once.
                *lock(&inner.long) = None;
                if !can_issue(inner) {
                    return Err(SessionError::NoCredentials {
                        reason: format!("the long-term token was rejected (`{code}`)"),
                    });
                }
                renewed = true;
            }
            Err(error) => return Err(error),
        }
    }
}

fn can_issue(inner: &Inner) -> bool {
    match inner.source {
        Source::ClientSecret { .. } | Source::Assertion { .. } => true,
        Source::OneTimeCode { .. } => !inner.one_time_code_used.load(Ordering::Acquire),
        Source::LongTermToken => false,
    }
}

/// The current long-term token, or a new one when it is due or `force`d.
async fn ensure_long(
    inner: &Arc<Inner>,
    force: bool,
) -> Result<Arc<Cached<LongTokenAuth>>, SessionError> {
    if !force
        && let Some(long) = lock(&inner.long).clone()
        && long.is_fresh(Instant::now())
    {
        return Ok(long);
    }
    let (client_id, grant) = match &inner.source {
        Source::ClientSecret { client_id, secret } => (client_id, Grant::Secret(secret)),
        Source::Assertion {
            client_id,
            assertion_type,
            assertion,
        } => (client_id, Grant::Assertion(assertion_type, assertion)),
        Source::OneTimeCode { client_id, code } => {
            if inner.one_time_code_used.swap(true, Ordering::AcqRel) {
                return Err(SessionError::NoCredentials {
                    reason: "the long-term token is due and the one-time code was used".into(),
                });
            }
            (client_id, Grant::OneTimeCode(code))
        }
        Source::LongTermToken => {
            return Err(SessionError::NoCredentials {
                reason: "the long-term token is due".into(),
            });
        }
    };
    let mut request = match grant {
        Grant::Assertion(..) => types::LongTokenRequest::new(
            types::LongTokenRequestGrantType::Assertion,
            client_id.as_str(),
        ),
        _ => types::LongTokenRequest::new(
            types::LongTokenRequestGrantType::ClientCredentials,
            client_id.as_str(),
        ),
    };
    match grant {
        Grant::Secret(secret) => request.client_secret = Some(secret.clone()),
        Grant::OneTimeCode(code) => request.otp_code = Some(code.clone()),
        Grant::Assertion(kind, assertion) => {
            request.assertion_type = Some(kind.clone());
            request.assertion = Some(assertion.clone());
        }
    }
    if !inner.scopes.is_empty() {
        let mut scopes = inner.scopes.clone();
        if !scopes.iter().any(|s| s == "tokens:revoke") {
            scopes.push("tokens:revoke".into());
        }
        request.scopes = scopes;
    }
    request.ttl_seconds = inner
        .long_token_ttl
        .map(|ttl| i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
    let key = ClientKey::new(client_id.as_str());
    // A one-time code must not be replayed: no retry for that grant.
    let retry = match inner.source {
        Source::OneTimeCode { .. } => RetryPolicy::none(),
        _ => inner.retry,
    };
    let sent = Instant::now();
    let response = with_retry(&retry, "issueLongTermToken", false, || {
        inner.client.issue_long_term_token(&key, &request)
    })
    .await?;
    let token_id = response
        .headers()
        .x_token_id
        .clone()
        .or_else(|| response.token_id.clone());
    let long = inner.remember(
        LongTokenAuth::from(response.body()),
        token_id,
        sent,
        (response.expires_in, response.expires_at),
        true,
    );
    *lock(&inner.long) = Some(Arc::clone(&long));
    Ok(long)
}

enum Grant<'a> {
    Secret(&'a Secret),
    OneTimeCode(&'a Secret),
    Assertion(&'a String, &'a Secret),
}

/// Exchanges the long-term token for a short-term one and caches it.
async fn exchange(
    inner: &Arc<Inner>,
    long: &Cached<LongTokenAuth>,
) -> Result<Arc<Cached<ShortTokenAuth>>, SessionError> {
    let body = (!inner.scopes.is_empty()).then(|| {
        let mut request = types::ShortTokenRequest::new();
        request.scopes = inner.scopes.clone();
        request
    });
    let sent = Instant::now();
    let response = with_retry(&inner.retry, "issueShortTermToken", false, || {
        inner
            .client
            .issue_short_term_token(&long.credential, body.as_ref())
    })
    .await?;
    let short = inner.remember(
        ShortTokenAuth::from(response.body()),
        response.token_id.clone(),
        sent,
        (response.expires_in, response.expires_at),
        false,
    );
    *inner.short.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&short));
    Ok(short)
}

/// When to renew a token issued in a response to a request sent at `sent`:
/// the earlier of `expires_in` after sending and `expires_at` on the local
/// clock, less the margin (at most half the lifetime).
fn refresh_at(
    sent: Instant,
    expires_in: i64,
    expires_at: chrono::DateTime<chrono::Utc>,
    margin: Duration,
) -> Instant {
    let by_duration = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
    let by_date = (expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or(Duration::ZERO);
    let lifetime = by_duration.min(by_date);
    // A lifetime too far out to represent is treated as a year.
    sent.checked_add(lifetime - margin.min(lifetime / 2))
        .unwrap_or_else(|| sent + Duration::from_secs(365 * 24 * 3600))
}

/// Runs `call`, retrying what [`RetryPolicy`] and `idempotent` allow.
async fn with_retry<T, F, Fut>(
    policy: &RetryPolicy,
    operation: &'static str,
    idempotent: bool,
    mut call: F,
) -> Result<T, SessionError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, runtime::Error<types::AuthError>>>,
{
    let mut waited = Duration::ZERO;
    let mut attempt: u32 = 0;
    loop {
        let error = match call().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        attempt += 1;
        let rate_limited = error.status() == Some(StatusCode::TOO_MANY_REQUESTS);
        let retryable = rate_limited
            || match &error {
                // The connection was never made: nothing reached the server.
                runtime::Error::Transport(e) if e.is_connect() => true,
                // It may have been processed: only idempotent calls repeat.
                runtime::Error::Transport(_) => idempotent,
                runtime::Error::UnexpectedStatus { status, .. } => {
                    idempotent && status.is_server_error()
                }
                _ => false,
            };
        let wait = error
            .retry_after()
            .unwrap_or_else(|| policy.backoff(attempt - 1));
        // Saturating: a server may send any `Retry-After`.
        let within_caps =
            attempt <= policy.max_retries && waited.saturating_add(wait) <= policy.max_total_wait;
        if !retryable || !within_caps {
            return Err(if rate_limited {
                SessionError::RateLimited {
                    operation,
                    attempts: attempt,
                    retry_after: error.retry_after(),
                }
            } else {
                session_error(operation, error)
            });
        }
        tokio::time::sleep(wait).await;
        waited = waited.saturating_add(wait);
    }
}

fn session_error(operation: &'static str, error: runtime::Error<types::AuthError>) -> SessionError {
    match error {
        runtime::Error::Api { status, body, .. } => SessionError::Refused {
            operation,
            status,
            code: body.code,
            message: body.message,
        },
        other => SessionError::Request {
            operation,
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for attempt in 0..10 {
            let ceiling = policy
                .initial_backoff
                .saturating_mul(1 << attempt)
                .min(policy.max_backoff);
            let wait = policy.backoff(attempt);
            assert!(wait <= ceiling, "attempt {attempt}: {wait:?} > {ceiling:?}");
        }
        // Jitter: 20 draws at the cap are not all equal.
        let draws: std::collections::BTreeSet<u128> =
            (0..20).map(|_| policy.backoff(8).as_nanos()).collect();
        assert!(draws.len() > 1);
    }

    #[test]
    fn refresh_comes_a_margin_before_the_earlier_expiry() {
        let sent = Instant::now();
        let in_15_min = chrono::Utc::now() + chrono::TimeDelta::seconds(900);
        let at = refresh_at(sent, 900, in_15_min, Duration::from_secs(60));
        let lead = at.duration_since(sent);
        assert!(
            lead <= Duration::from_secs(840) && lead > Duration::from_secs(835),
            "{lead:?}"
        );
        // A server clock that says it expires sooner wins.
        let in_5_min = chrono::Utc::now() + chrono::TimeDelta::seconds(300);
        let lead = refresh_at(sent, 900, in_5_min, Duration::from_secs(60)).duration_since(sent);
        assert!(lead <= Duration::from_secs(240), "{lead:?}");
        // The margin is at most half the lifetime.
        let lead = refresh_at(
            sent,
            10,
            chrono::Utc::now() + chrono::TimeDelta::seconds(10),
            Duration::from_secs(60),
        )
        .duration_since(sent);
        assert!(
            lead >= Duration::from_secs(4) && lead <= Duration::from_secs(5),
            "{lead:?}"
        );
    }

    #[test]
    fn extreme_lifetimes_do_not_overflow() {
        let sent = Instant::now();
        let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
        let at = refresh_at(sent, i64::MAX, far, Duration::from_secs(60));
        assert!(at > sent);
        let past = chrono::Utc::now() - chrono::TimeDelta::seconds(30);
        assert_eq!(refresh_at(sent, -5, past, Duration::from_secs(60)), sent);
    }

    #[tokio::test]
    async fn an_absurd_retry_after_ends_the_retries_without_overflow() {
        let mut calls = 0;
        let result: Result<(), SessionError> = with_retry(
            &RetryPolicy::default(),
            "issueShortTermToken",
            false,
            || {
                calls += 1;
                async {
                    Err(runtime::Error::Api {
                        status: StatusCode::TOO_MANY_REQUESTS,
                        body: types::AuthError {
                            code: "rate_limited".into(),
                            message: "later".into(),
                            details: Default::default(),
                        },
                        retry_after: Some(Duration::MAX),
                    })
                }
            },
        )
        .await;
        assert_eq!(calls, 1);
        assert!(matches!(
            result,
            Err(SessionError::RateLimited {
                attempts: 1,
                retry_after: Some(Duration::MAX),
                ..
            })
        ));
    }

    /// A server on loopback that accepts connections and never answers,
    /// counting them.
    async fn silent_server() -> (String, Arc<AtomicU64>) {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(e) => panic!("bind: {e}"),
        };
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
        let accepted = Arc::new(AtomicU64::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        (url, accepted)
    }

    #[tokio::test]
    async fn a_timeout_is_retried_only_for_idempotent_calls() {
        let (url, accepted) = silent_server().await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(150))
            .build()
            .unwrap_or_default();
        let client = Client::with_http_client(&url, http).unwrap_or_else(|e| panic!("{e}"));
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let credential = LongTokenAuth::new("t");

        // An exchange that may have reached the server is not repeated.
        let result = with_retry(&policy, "issueShortTermToken", false, || {
            client.issue_short_term_token(&credential, None)
        })
        .await;
        assert!(
            matches!(result, Err(SessionError::Request { .. })),
            "{result:?}"
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 1);

        // A revocation is idempotent: it is retried up to the policy.
        let result = with_retry(&policy, "revokeToken", true, || {
            client.revoke_token(&credential, "tok_x")
        })
        .await;
        assert!(
            matches!(result, Err(SessionError::Request { .. })),
            "{result:?}"
        );
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1 + 1 + u64::from(policy.max_retries)
        );
    }

    #[test]
    fn session_errors_show_no_secret_and_read_well() {
        let error = SessionError::RateLimited {
            operation: "issueShortTermToken",
            attempts: 4,
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(
            error.to_string(),
            "issueShortTermToken was rate limited 4 times; the server asks to retry after 60 s, beyond the retry policy"
        );
    }
}
