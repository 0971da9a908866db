//! The token session over the sandbox: caching, refresh before expiry, one
//! refresh for many askers, 429 handling, revocation, and renewal of a
//! revoked long-term token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use c2m_auth::sandbox::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, Sandbox};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, Error, RetryPolicy, SessionError, TokenSession, types};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn session(sandbox: &Sandbox) -> Result<TokenSession, Box<dyn std::error::Error>> {
    let client = Client::with_base_url(&sandbox.base_url())?;
    Ok(TokenSession::builder(client)
        .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET)
        .scopes(["jobs:submit"])
        .build())
}

fn counts(sandbox: &Sandbox) -> (u64, u64, u64) {
    (
        sandbox.request_count("issueLongTermToken"),
        sandbox.request_count("issueShortTermToken"),
        sandbox.request_count("revokeToken"),
    )
}

/// Whether the sandbox still accepts `token`: revoking an unknown id is a
/// 404 for a valid token with the revoke scope, a 401 `insufficient_scope`
/// for a valid one without, and a 401 `invalid_token` for a revoked or
/// expired one. (The probe is itself a `revokeToken` request.)
async fn accepted(
    client: &Client,
    token: &ShortTokenAuth,
) -> Result<bool, Box<dyn std::error::Error>> {
    match client.revoke_token(token, "tok_no_such_token").await {
        Err(Error::Api { status, .. }) if status == 404 => Ok(true),
        Err(Error::Api { status, body, .. }) if status == 401 => Ok(body.code != "invalid_token"),
        other => Err(format!("unexpected: {other:?}").into()),
    }
}

#[tokio::test]
async fn the_first_ask_issues_and_exchanges_and_later_asks_are_cached() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let session = session(&sandbox)?;
    assert!(session.cached_credential().is_none());
    let first = session.credential().await?;
    let second = session.credential().await?;
    assert_eq!(first.token().expose(), second.token().expose());
    assert_eq!(counts(&sandbox), (1, 1, 0));
    assert!(
        session
            .long_term_token_id()
            .is_some_and(|id| id.starts_with("tok_lt_"))
    );
    // The credential works for the calls that take a short-term token.
    assert!(accepted(&Client::with_base_url(&sandbox.base_url())?, &first).await?);
    Ok(())
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() -> TestResult {
    // 4 s tokens, renewed 2 s before expiry (the margin is capped at half).
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(4))
        .start()
        .await?;
    let session = session(&sandbox)?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let first = session.credential().await?;
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let second = session.credential().await?;
    assert_ne!(first.token().expose(), second.token().expose());
    // The old token had not expired yet when it was replaced.
    assert!(accepted(&client, &first).await?);
    assert_eq!(counts(&sandbox).1, 2);
    // The long-term token was reused.
    assert_eq!(counts(&sandbox).0, 1);
    Ok(())
}

#[tokio::test]
async fn a_thousand_concurrent_asks_across_an_expiry_make_one_exchange() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let session = session(&sandbox)?;
    let stale = session.credential().await?;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(session.cached_credential().is_none(), "the token is due");
    let before = counts(&sandbox);

    let start = Arc::new(tokio::sync::Barrier::new(1000));
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let session = session.clone();
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            session.credential().await
        }));
    }
    let mut tokens = std::collections::BTreeSet::new();
    for task in tasks {
        tokens.insert(task.await??.token().expose().to_string());
    }
    assert_eq!(tokens.len(), 1, "every asker got the same token");
    assert!(!tokens.contains(stale.token().expose()));
    let after = counts(&sandbox);
    assert_eq!(after.1 - before.1, 1, "exactly one exchange request");
    assert_eq!(after.0, before.0, "no new long-term token");
    Ok(())
}

#[tokio::test]
async fn a_failed_refresh_reaches_every_asker_and_is_not_cached() -> TestResult {
    // One request per two seconds: the long-term token takes it, the
    // exchange is refused with 429, and no retry is allowed.
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_secs(2))
        .start()
        .await?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let session = TokenSession::builder(client)
        .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET)
        .retry_policy(RetryPolicy::none())
        .build();
    let (a, b) = tokio::join!(session.credential(), session.credential());
    let (a, b) = (a.expect_err("rate limited"), b.expect_err("rate limited"));
    assert_eq!(a, b, "both askers get the one refresh's error");
    assert!(
        matches!(a, SessionError::RateLimited { attempts: 1, .. }),
        "{a}"
    );
    assert_eq!(counts(&sandbox).1, 1, "one exchange for both");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    session.credential().await?;
    assert_eq!(counts(&sandbox).1, 2, "the next ask tried again");
    Ok(())
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_secs(2))
        .start()
        .await?;
    let session = session(&sandbox)?;
    let started = Instant::now();
    session.credential().await?;
    // The exchange was refused once and retried after the window.
    assert_eq!(counts(&sandbox), (1, 2, 0));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_a_clear_error() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .await?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let session = TokenSession::builder(client)
        .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET)
        .retry_policy(RetryPolicy {
            max_total_wait: Duration::from_secs(1),
            ..RetryPolicy::default()
        })
        .build();
    let started = Instant::now();
    let error = session
        .credential()
        .await
        .expect_err("rate limited for a minute");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait a minute"
    );
    match &error {
        SessionError::RateLimited {
            operation,
            retry_after: Some(wait),
            ..
        } => {
            assert_eq!(*operation, "issueShortTermToken");
            assert!(*wait > Duration::from_secs(50), "{wait:?}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(error.to_string().contains("was rate limited"), "{error}");
    Ok(())
}

#[tokio::test]
async fn close_revokes_what_the_session_issued_and_twice_is_fine() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let session = session(&sandbox)?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let short = session.credential().await?;
    let long = session.long_term_credential().await?;
    session.close().await?;
    assert_eq!(
        counts(&sandbox).2,
        2,
        "the short-term, then the long-term token"
    );
    session.close().await?;
    assert_eq!(counts(&sandbox).2, 2, "nothing left to revoke");

    assert!(!accepted(&client, &short).await?);
    let refused = client.issue_short_term_token(&long, None).await;
    assert!(matches!(refused, Err(Error::Api { status, .. }) if status == 401));
    assert_eq!(
        session.credential().await.expect_err("closed"),
        SessionError::Closed
    );
    Ok(())
}

#[tokio::test]
async fn a_revoked_long_term_token_is_replaced_from_the_credentials() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let session = session(&sandbox)?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    session.credential().await?;
    let long = session.long_term_credential().await?;
    let long_id = session.long_term_token_id().ok_or("no token id")?;
    client.revoke_token(&long, &long_id).await?;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fresh = session.credential().await?;
    assert!(accepted(&client, &fresh).await?);
    assert_eq!(counts(&sandbox).0, 2, "a second long-term token");
    assert_ne!(session.long_term_token_id(), Some(long_id));
    Ok(())
}

#[tokio::test]
async fn a_session_without_credentials_says_so_when_its_long_term_token_is_revoked() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        EXAMPLE_CLIENT_ID,
    );
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    let issued = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    let long = LongTokenAuth::from(issued.body());
    let long_id = issued.headers().x_token_id.clone().ok_or("no token id")?;

    let session = TokenSession::builder(client.clone())
        .long_term_token(long.clone(), Some(long_id.clone()))
        .build();
    session.credential().await?;
    client.revoke_token(&long, &long_id).await?;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let error = session.credential().await.expect_err("no way to renew");
    assert!(
        matches!(error, SessionError::NoCredentials { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the long-term token was rejected (`invalid_token`), and the session has no client credentials to get a new long-term token"
    );
    Ok(())
}

#[tokio::test]
async fn a_one_time_code_gets_one_long_term_token() -> TestResult {
    let sandbox = Sandbox::builder()
        .long_token_lifetime(Duration::from_secs(2))
        .short_token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let session = TokenSession::builder(client)
        .one_time_code(EXAMPLE_CLIENT_ID, EXAMPLE_OTP_CODE)
        .build();
    session.credential().await?;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let error = session.credential().await.expect_err("the code was used");
    assert!(
        matches!(error, SessionError::NoCredentials { .. }),
        "{error:?}"
    );
    assert_eq!(counts(&sandbox).0, 1);
    Ok(())
}

#[tokio::test]
async fn the_long_term_token_is_renewed_before_it_expires() -> TestResult {
    let sandbox = Sandbox::builder()
        .long_token_lifetime(Duration::from_secs(4))
        .short_token_ttl(Duration::from_secs(4))
        .start()
        .await?;
    let session = session(&sandbox)?;
    session.credential().await?;
    let first_long = session.long_term_token_id();
    tokio::time::sleep(Duration::from_millis(2300)).await;
    session.credential().await?;
    assert_eq!(
        counts(&sandbox).0,
        2,
        "a new long-term token before the old expired"
    );
    assert_ne!(session.long_term_token_id(), first_long);
    Ok(())
}

#[test]
fn debug_output_shows_no_secret() {
    let builder = TokenSession::builder(Client::new().expect("default client"))
        .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET);
    assert!(!format!("{builder:?}").contains(EXAMPLE_CLIENT_SECRET));
    let session = builder.build();
    assert!(!format!("{session:?}").contains(EXAMPLE_CLIENT_SECRET));
}
