//! What a running sandbox remembers: its settings, clients, tokens and
//! counters, behind one lock.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::SCOPE_REVOKE;
use super::client::SandboxClient;
use super::error::{ApiError, invalid_token};
use super::grant::holds;
use super::rate_limit::Window;

/// The sandbox's state, shared by its handlers.
pub(super) struct Shared {
    pub(super) short_token_ttl: Duration,
    pub(super) default_long_token_ttl: Duration,
    pub(super) long_token_lifetime: Option<Duration>,
    pub(super) state: Mutex<Store>,
}

impl Shared {
    /// Locks the store. A poisoned lock is recovered: every update of the
    /// store is a single insert or field write, so it is never left
    /// half-updated.
    pub(super) fn lock(&self) -> MutexGuard<'_, Store> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The mutable part of [`Shared`].
pub(super) struct Store {
    pub(super) clients: HashMap<String, SandboxClient>,
    /// By access token.
    pub(super) tokens: HashMap<String, Token>,
    /// Token id to access token.
    pub(super) ids: HashMap<String, String>,
    pub(super) counts: HashMap<&'static str, u64>,
    /// The jobs accepted, in order.
    pub(super) jobs: Vec<super::AcceptedJob>,
    pub(super) window: Option<Window>,
}

/// Whether a token is long-term or short-term.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Long,
    Short,
}

/// An issued token, stored under its access token.
pub(super) struct Token {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) client_id: String,
    pub(super) scopes: Vec<String>,
    pub(super) expires_at: DateTime<Utc>,
    pub(super) revoked: bool,
    /// For a short-term token, the id of the long-term token it came from.
    pub(super) parent: Option<String>,
}

impl Store {
    /// Counts a request for `operation`, whatever its outcome.
    pub(super) fn count(&mut self, operation: &'static str) {
        let n = self.counts.entry(operation).or_insert(0);
        *n = n.saturating_add(1);
    }

    /// 429 `rate_limited` if the request is over the rate limit.
    pub(super) fn check_rate(&mut self) -> Result<(), ApiError> {
        self.window.as_mut().map_or(Ok(()), Window::admit)
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
    pub(super) fn authenticate(
        &self,
        access: &str,
        now: DateTime<Utc>,
    ) -> Result<&Token, ApiError> {
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
    pub(super) fn repeats_revocation(
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

    pub(super) fn insert(&mut self, access: String, token: Token) {
        self.ids.insert(token.id.clone(), access.clone());
        self.tokens.insert(access, token);
    }
}
