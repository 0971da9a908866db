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
//! - **Lifetimes** are measured on our monotonic clock from when the
//!   response arrived: `expires_in` seconds. `expires_at` only shortens
//!   that, and only when it lies in the future on our clock; one in the
//!   past means the server's clock is behind ours (common with mocks) and is
//!   ignored. A lifetime above a year is capped to a year.
//! - **Caching.** A token is reused until `refresh_margin` before it
//!   expires (at most half its lifetime, and never within 1 s of its
//!   arrival). The long-term token is renewed the same way.
//! - **Unusable lifetimes.** A token living less than 1 s (an `expires_in`
//!   of 0 or below, say) is not used: the ask fails with
//!   [`SessionError::UnusableLifetime`], and asks within 1 s of that issue
//!   get the same error without a request. So no lifetime, however wrong,
//!   makes more than one issue a second.
//! - **One refresh at a time.** However many tasks ask while a refresh is
//!   due, one request goes to the server and all of them get its result or
//!   its error. A failed refresh is not cached: the next ask tries again.
//! - **The cached path** takes no lock across an await: a read lock around
//!   an `Arc` clone, then a clock read.
//! - **Retries** ([`RetryPolicy`]): a 429 was not processed, so it is retried
//!   after its `Retry-After` (seconds or HTTP date), or a jittered
//!   exponential backoff when there is none, up to a number of retries and a
//!   total time per operation that counts the attempts as well as the waits
//!   ([`RetryPolicy::max_total_wait`]). A connection that could not be made
//!   is retried too. A token
//!   issue that may have reached the server (a timeout, a 5xx) is not
//!   repeated blindly; a revocation, being idempotent, is.
//! - **A rejected long-term token** (revoked, expired) is replaced by a new
//!   one from the client credentials, once per refresh; a session built
//!   from a long-term token alone, or from a one-time code already used,
//!   reports [`SessionError::NoCredentials`] instead.
//! - **Revocation.** The session keeps the `token_id` of each token it
//!   issued until that token expires, then forgets it: memory is bounded by
//!   the live tokens. [`TokenSession::close`] revokes the live ones, short-term
//!   first, using the long-term token (the session asks for the
//!   `tokens:revoke` scope when it asks for scopes at all), all within a
//!   deadline ([`TokenSessionBuilder::close_deadline`], 10 s by default) that
//!   covers every attempt, not only the waits. It is idempotent; afterwards
//!   the session hands out nothing.
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

use crate::runtime::Secret;
use crate::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use crate::{Client, types};

mod error;
mod lifetime;
mod retry;

pub use error::SessionError;
use lifetime::{Expiry, UNUSABLE_COOLDOWN};
pub use retry::RetryPolicy;
use retry::with_retry;

/// How long [`TokenSession::close`] may take in all, unless
/// [`TokenSessionBuilder::close_deadline`] says otherwise.
const DEFAULT_CLOSE_DEADLINE: Duration = Duration::from_secs(10);

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
    close_deadline: Duration,
}

impl fmt::Debug for TokenSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSessionBuilder")
            .field("client", &self.client)
            .field("scopes", &self.scopes)
            .field("long_token_ttl", &self.long_token_ttl)
            .field("refresh_margin", &self.refresh_margin)
            .field("retry", &self.retry)
            .field("close_deadline", &self.close_deadline)
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

    /// How long [`TokenSession::close`] may take in all, every revocation
    /// attempt and every wait included; default 10 s. When it runs out,
    /// `close` returns [`SessionError::CloseDeadline`] and the tokens not
    /// yet revoked are left for a later `close`.
    pub fn close_deadline(mut self, deadline: Duration) -> Self {
        self.close_deadline = deadline;
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
                close_deadline: self.close_deadline,
                short: RwLock::new(None),
                long: Mutex::new(long),
                one_time_code_used: AtomicBool::new(false),
                flight: Mutex::new(None),
                generation: AtomicU64::new(0),
                issued: Mutex::new(Vec::new()),
                unusable: Mutex::new(None),
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
    close_deadline: Duration,
    short: RwLock<Option<Arc<Cached<ShortTokenAuth>>>>,
    long: Mutex<Option<Arc<Cached<LongTokenAuth>>>>,
    one_time_code_used: AtomicBool,
    /// The refresh under way, if any, and its generation.
    flight: Mutex<Option<(u64, Refresh)>>,
    generation: AtomicU64,
    /// The named tokens this session issued that may still be live.
    issued: Mutex<Vec<Issued>>,
    /// The last issue with an unusable lifetime: when, and its error.
    unusable: Mutex<Option<(Instant, SessionError)>>,
    closed: AtomicBool,
}

/// A token this session issued that the server gave an id for.
#[derive(Clone)]
struct Issued {
    token_id: String,
    long: bool,
    /// Dead from then on: forgotten, not revoked.
    expires: Instant,
}

impl Inner {
    /// Caches a token whose response arrived at `received`, with its
    /// `(expires_in, expires_at)`, and records its id, if it has one, for
    /// [`TokenSession::close`]; or, for a lifetime too short to use, the
    /// error (remembered for [`UNUSABLE_COOLDOWN`]).
    fn remember<C>(
        &self,
        operation: &'static str,
        credential: C,
        token_id: Option<String>,
        received: Instant,
        (expires_in, expires_at): (i64, chrono::DateTime<chrono::Utc>),
        long: bool,
    ) -> Result<Arc<Cached<C>>, SessionError> {
        let lifetime = lifetime::lifetime(expires_in, expires_at, chrono::Utc::now());
        let Some(expiry) = Expiry::new(received, lifetime, self.refresh_margin) else {
            let error = SessionError::UnusableLifetime {
                operation,
                expires_in,
                lifetime,
            };
            *lock(&self.unusable) = Some((received, error.clone()));
            return Err(error);
        };
        if let Some(id) = &token_id {
            let mut issued = lock(&self.issued);
            let now = Instant::now();
            issued.retain(|token| token.expires > now);
            issued.push(Issued {
                token_id: id.clone(),
                long,
                expires: expiry.expires,
            });
        }
        Ok(Arc::new(Cached {
            credential,
            token_id,
            refresh_at: Some(expiry.refresh_at),
        }))
    }

    /// The error of an issue with an unusable lifetime less than
    /// [`UNUSABLE_COOLDOWN`] ago, if any.
    fn cooling_down(&self) -> Option<SessionError> {
        lock(&self.unusable)
            .as_ref()
            .filter(|(at, _)| at.elapsed() < UNUSABLE_COOLDOWN)
            .map(|(_, error)| error.clone())
    }

    /// The issued tokens still live, short-term first (revoking the
    /// long-term one may end them); the dead ones are forgotten.
    fn live_tokens(&self) -> Vec<Issued> {
        let mut issued = lock(&self.issued);
        let now = Instant::now();
        issued.retain(|token| token.expires > now);
        let mut live = issued.clone();
        live.sort_by_key(|token| token.long);
        live
    }

    /// Forgets a revoked token.
    fn forget(&self, token_id: &str) {
        lock(&self.issued).retain(|token| token.token_id != token_id);
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
            close_deadline: DEFAULT_CLOSE_DEADLINE,
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

    /// Revokes every live token this session issued (that has a
    /// `token_id`), short-term first, and stops handing out credentials,
    /// all within the [`close_deadline`](TokenSessionBuilder::close_deadline)
    /// (10 s by default), attempts included. Idempotent: a second call
    /// revokes nothing more. A token the server no longer knows (404) counts
    /// as revoked; the first other failure is returned after trying the
    /// rest, which a later `close` tries again. Tokens that have expired
    /// are not revoked: the session no longer holds their ids.
    pub async fn close(&self) -> Result<(), SessionError> {
        self.inner.closed.store(true, Ordering::Release);
        *self
            .inner
            .short
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
        let live = self.inner.live_tokens();
        if live.is_empty() {
            return Ok(());
        }
        let Some(long) = lock(&self.inner.long).clone() else {
            return Err(SessionError::NoCredentials {
                reason: "revoking the issued tokens needs the long-term token".into(),
            });
        };
        let deadline = self.inner.close_deadline;
        match tokio::time::timeout(deadline, self.revoke_all(&long.credential, live)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(SessionError::CloseDeadline {
                deadline,
                unrevoked: self.inner.live_tokens().len(),
            }),
        }
    }

    /// Revokes `tokens` in turn with `long`, forgetting each one revoked.
    async fn revoke_all(
        &self,
        long: &LongTokenAuth,
        tokens: Vec<Issued>,
    ) -> Result<(), SessionError> {
        let mut first_error = None;
        for token in tokens {
            let result = with_retry(&self.inner.retry, "revokeToken", true, || {
                self.inner.client.revoke_token(long, &token.token_id)
            })
            .await;
            match result {
                Ok(_)
                | Err(SessionError::Refused {
                    status: StatusCode::NOT_FOUND,
                    ..
                }) => self.inner.forget(&token.token_id),
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
    if let Some(error) = inner.cooling_down() {
        return Err(error);
    }
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
    let response = with_retry(&retry, "issueLongTermToken", false, || {
        inner.client.issue_long_term_token(&key, &request)
    })
    .await?;
    let received = Instant::now();
    let token_id = response
        .headers()
        .x_token_id
        .clone()
        .or_else(|| response.token_id.clone());
    let long = inner.remember(
        "issueLongTermToken",
        LongTokenAuth::from(response.body()),
        token_id,
        received,
        (response.expires_in, response.expires_at),
        true,
    )?;
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
    let response = with_retry(&inner.retry, "issueShortTermToken", false, || {
        inner
            .client
            .issue_short_term_token(&long.credential, body.as_ref())
    })
    .await?;
    let received = Instant::now();
    let short = inner.remember(
        "issueShortTermToken",
        ShortTokenAuth::from(response.body()),
        response.token_id.clone(),
        received,
        (response.expires_in, response.expires_at),
        false,
    )?;
    *inner.short.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&short));
    Ok(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> TokenSession {
        let client = Client::with_base_url("http://127.0.0.1:9").unwrap();
        TokenSession::builder(client).build()
    }

    fn far_past() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    }

    fn issue(inner: &Inner, id: &str, ago: Duration, expires_in: i64) -> Result<(), SessionError> {
        let received = Instant::now().checked_sub(ago).unwrap();
        let credential = ShortTokenAuth::new("t");
        let expiry = (expires_in, far_past());
        inner
            .remember(
                "issueShortTermToken",
                credential,
                Some(id.into()),
                received,
                expiry,
                false,
            )
            .map(drop)
    }

    #[test]
    fn expired_ids_are_forgotten_so_memory_is_bounded_by_live_tokens() {
        let session = session();
        let inner = &session.inner;
        // A thousand tokens that lived 2 s and arrived 5 s ago.
        for n in 0..1000 {
            issue(inner, &format!("tok_dead_{n}"), Duration::from_secs(5), 2).unwrap();
            assert!(lock(&inner.issued).len() <= 1);
        }
        issue(inner, "tok_live", Duration::ZERO, 900).unwrap();
        let live: Vec<String> = inner
            .live_tokens()
            .into_iter()
            .map(|token| token.token_id)
            .collect();
        assert_eq!(live, ["tok_live"]);
        assert_eq!(lock(&inner.issued).len(), 1);
    }

    #[test]
    fn an_unusable_lifetime_is_remembered_for_a_second_and_its_id_is_not_kept() {
        let session = session();
        let inner = &session.inner;
        let error = issue(inner, "tok_zero", Duration::ZERO, 0).unwrap_err();
        assert!(
            matches!(
                error,
                SessionError::UnusableLifetime {
                    operation: "issueShortTermToken",
                    expires_in: 0,
                    lifetime: Duration::ZERO,
                }
            ),
            "{error:?}"
        );
        assert_eq!(inner.cooling_down(), Some(error));
        assert!(inner.live_tokens().is_empty());
        // One that arrived over a second ago no longer holds asks back.
        issue(inner, "tok_neg", Duration::from_millis(1100), -5).unwrap_err();
        assert_eq!(inner.cooling_down(), None);
    }
}
