//! `issueShortTermToken`: exchange, lifetime, scope narrowing and refusals.

use std::time::Duration;

use c2m_auth::sandbox::Sandbox;
use c2m_auth::security::LongTokenAuth;
use c2m_auth::types;

use crate::fixture::{
    TestResult, assert_close_to_now_plus, assert_refused, bearer_header, client, long_auth,
    long_token, raw_post, raw_refusal, refusal, retry_after, short_auth, short_request,
    short_token, strings, token_id,
};

#[tokio::test]
async fn short_term_token_with_default_request() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "templates:read"]).await?;
    let response = client(&sandbox)?
        .issue_short_term_token(
            &long_auth(&long),
            Some(&types::ShortTokenRequest::default()),
        )
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let short = response.into_body();
    assert_eq!(short.token_type, types::ShortTokenResponseTokenType::Bearer);
    assert_eq!(short.expires_in, 900);
    assert_close_to_now_plus(short.expires_at, short.expires_in);
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);
    assert!(token_id(&short.token_id)?.starts_with("tok_st_"));
    assert_eq!(
        short.access_token.expose().split('.').count(),
        3,
        "JWT-shaped"
    );
    Ok(())
}

#[tokio::test]
async fn short_term_token_with_no_body_at_all() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    // The body is optional in the spec: `None` sends none.
    let response = client(&sandbox)?
        .issue_short_term_token(&long_auth(&long), None)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.scopes, ["jobs:submit"]);

    // The same without the typed client.
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        None,
    )
    .await?;
    assert_eq!(response.status().as_u16(), 201);
    let short: types::ShortTokenResponse = response.json().await?;
    assert_eq!(short.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn short_term_token_lifetime_is_configurable() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::from_secs(60))
        .start()
        .await?;
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    assert_eq!(short.expires_in, 60);
    assert_close_to_now_plus(short.expires_at, 60);
    Ok(())
}

#[tokio::test]
async fn expired_short_term_token_is_refused() -> TestResult {
    let sandbox = Sandbox::builder()
        .short_token_ttl(Duration::ZERO)
        .start()
        .await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    assert_eq!(short.expires_in, 0);
    let refusal = refusal(
        client(&sandbox)?
            .revoke_token(&short_auth(&short), token_id(&long.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn short_term_token_narrows_scopes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:*", "templates:read", "tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit", "templates:read"]).await?;
    assert_eq!(short.scopes, ["jobs:submit", "templates:read"]);

    // long_token in the body may repeat the header's token.
    let request = short_request(Some(long.access_token.clone()), strings(&["tokens:revoke"]));
    let short = client(&sandbox)?
        .issue_short_term_token(&long_auth(&long), Some(&request))
        .await?
        .into_body();
    assert_eq!(short.scopes, ["tokens:revoke"]);
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_scope_not_held() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let request = short_request(None, strings(&["jobs:submit", "tokens:write"]));
    let refusal = refusal(
        client(&sandbox)?
            .issue_short_term_token(&long_auth(&long), Some(&request))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_scope");
    assert!(refusal.error.message.contains("tokens:write"));
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_unknown_field() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        Some((
            "application/json",
            r#"{"scopes":["jobs:submit"],"not_in_the_spec":"x"}"#,
        )),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
    assert!(
        error.message.contains("not_in_the_spec"),
        "{}",
        error.message
    );
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_a_different_long_token_in_the_body() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let other = long_token(&sandbox, &[]).await?;
    let request = short_request(Some(other.access_token.clone()), Vec::new());
    let refusal = refusal(
        client(&sandbox)?
            .issue_short_term_token(&long_auth(&long), Some(&request))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_request");
    assert!(!refusal.error.message.contains(other.access_token.expose()));
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_missing_unknown_and_short_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;

    // No credential: only a raw request can send that.
    let missing = raw_post(&sandbox, "/auth/tokens/short", &[], None).await?;
    let (status, error) = raw_refusal(missing).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));

    let unknown = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new("lt_0000"), None)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // A short-term token cannot be exchanged for another one.
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let short_as_long = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new(short.access_token.clone()), None)
            .await,
    )?;
    assert_refused(&short_as_long, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn short_term_token_is_rate_limited_with_the_other_operations() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(30))
        .start()
        .await?;
    // One long, one short: the shared window is now full.
    let long = long_token(&sandbox, &[]).await?;
    short_token(&sandbox, &long, &[]).await?;
    let client = client(&sandbox)?;
    let refusal = refusal(client.issue_short_term_token(&long_auth(&long), None).await)?;
    assert_refused(&refusal, 429, "rate_limited");
    let response = raw_post(
        &sandbox,
        "/auth/tokens/short",
        &[bearer_header(&long.access_token)],
        None,
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    assert!(retry_after(&response)? >= 1);

    // revokeToken is not limited (the spec lists no 429 for it).
    client
        .revoke_token(&long_auth(&long), token_id(&long.token_id)?)
        .await?;
    Ok(())
}
