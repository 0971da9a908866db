//! How long an issued token lives and when to renew it, on our monotonic
//! clock, whatever the server's clock says.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// A token that lives less than this on our clock is not used
/// ([`SessionError::UnusableLifetime`](super::SessionError::UnusableLifetime)).
pub(crate) const MIN_LIFETIME: Duration = Duration::from_secs(1);

/// After an unusable lifetime, asks within this of that issue get the same
/// error without a request: at most one such issue a second.
pub(crate) const UNUSABLE_COOLDOWN: Duration = Duration::from_secs(1);

/// Longer lifetimes are capped to this (a year): a server may send any
/// `expires_in`, and a token it no longer accepts is replaced on the 401.
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// A token is reused at least this long after it arrived (never past its
/// expiry, since [`MIN_LIFETIME`] is as long), so no lifetime makes more
/// than one issue a second.
const MIN_REUSE: Duration = Duration::from_secs(1);

/// The lifetime of a token from its response's `expires_in` and
/// `expires_at`, read when the response arrived (`now` on the wall clock).
/// `expires_in` counts; `expires_at` only shortens it, and only when it
/// lies in the future on our clock: one in the past means the server's
/// clock is behind ours (common with mocks), not that the token is dead.
pub(crate) fn lifetime(expires_in: i64, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    let declared = u64::try_from(expires_in)
        .map_or(Duration::ZERO, Duration::from_secs)
        .min(MAX_LIFETIME);
    match (expires_at - now).to_std() {
        Ok(left) if !left.is_zero() => declared.min(left),
        _ => declared,
    }
}

/// When a token that arrived at `received` is renewed, and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Expiry {
    /// Reuse it until then.
    pub(crate) refresh_at: Instant,
    /// It is dead from then on: its id is forgotten, not revoked.
    pub(crate) expires: Instant,
}

impl Expiry {
    /// `margin` before the end of `lifetime` (at most half of it, and at
    /// least [`MIN_REUSE`] after arrival); `None` for a lifetime under
    /// [`MIN_LIFETIME`].
    pub(crate) fn new(received: Instant, lifetime: Duration, margin: Duration) -> Option<Self> {
        if lifetime < MIN_LIFETIME {
            return None;
        }
        let reuse = lifetime
            .saturating_sub(margin.min(lifetime / 2))
            .max(MIN_REUSE);
        Some(Self {
            refresh_at: received.checked_add(reuse)?,
            expires: received.checked_add(lifetime)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    const MARGIN: Duration = Duration::from_secs(60);

    fn lead(lifetime: Duration) -> Duration {
        let received = Instant::now();
        let expiry = Expiry::new(received, lifetime, MARGIN).unwrap();
        expiry.refresh_at.duration_since(received)
    }

    #[test]
    fn expires_in_counts_and_a_future_expires_at_shortens_it() {
        let now = Utc::now();
        let in_15_min = now + TimeDelta::seconds(900);
        assert_eq!(lifetime(900, in_15_min, now), Duration::from_secs(900));
        // A server clock that says it expires sooner wins.
        let in_5_min = now + TimeDelta::seconds(300);
        assert_eq!(lifetime(900, in_5_min, now), Duration::from_secs(300));
        // A later expires_at does not lengthen it.
        let in_1_h = now + TimeDelta::seconds(3600);
        assert_eq!(lifetime(900, in_1_h, now), Duration::from_secs(900));
    }

    #[test]
    fn a_past_expires_at_is_a_clock_behind_ours_and_is_ignored() {
        let now = Utc::now();
        for behind in [1, 900, 86_400 * 365 * 20] {
            let past = now - TimeDelta::seconds(behind);
            assert_eq!(lifetime(900, past, now), Duration::from_secs(900));
        }
        assert_eq!(lifetime(900, now, now), Duration::from_secs(900));
    }

    #[test]
    fn zero_negative_and_absurd_lifetimes() {
        let now = Utc::now();
        let past = now - TimeDelta::seconds(30);
        assert_eq!(lifetime(0, past, now), Duration::ZERO);
        assert_eq!(lifetime(-5, past, now), Duration::ZERO);
        assert_eq!(lifetime(i64::MIN, past, now), Duration::ZERO);
        assert_eq!(lifetime(i64::MAX, past, now), MAX_LIFETIME);
        assert_eq!(
            lifetime(i64::MAX, DateTime::<Utc>::MAX_UTC, now),
            MAX_LIFETIME
        );
        assert_eq!(
            lifetime(900, DateTime::<Utc>::MIN_UTC, now),
            lifetime(900, past, now)
        );
        let received = Instant::now();
        assert_eq!(Expiry::new(received, Duration::ZERO, MARGIN), None);
        assert_eq!(
            Expiry::new(received, Duration::from_millis(999), MARGIN),
            None
        );
        assert!(Expiry::new(received, MAX_LIFETIME, MARGIN).is_some());
    }

    #[test]
    fn renewal_comes_a_margin_before_expiry_at_most_half_and_not_within_a_second() {
        assert_eq!(lead(Duration::from_secs(900)), Duration::from_secs(840));
        // The margin is at most half the lifetime.
        assert_eq!(lead(Duration::from_secs(10)), Duration::from_secs(5));
        // Never renewed within a second of arrival, nor after expiry.
        assert_eq!(lead(Duration::from_millis(1500)), Duration::from_secs(1));
        assert_eq!(lead(Duration::from_secs(1)), Duration::from_secs(1));
        let received = Instant::now();
        let expiry = Expiry::new(received, Duration::from_secs(2), MARGIN).unwrap();
        assert_eq!(
            expiry.expires.duration_since(received),
            Duration::from_secs(2)
        );
    }
}
