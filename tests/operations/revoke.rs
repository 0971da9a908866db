//! `revokeToken`: idempotence, the cascade to short-term tokens, and who
//! may revoke what.

use c2m_auth::sandbox::{Sandbox, SandboxClient};
use c2m_auth::security::{ClientKey, LongTokenAuth};

use crate::fixture::{
    BoxError, TestResult, assert_refused, client, long_auth, long_token, raw_post, raw_refusal,
    refusal, secret_request, short_auth, short_token, token_id,
};

#[tokio::test]
async fn revoke_is_idempotent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);

    let first = client
        .revoke_token(&with_long, token_id(&short.token_id)?)
        .await?;
    assert_eq!(first.status().as_u16(), 204);
    let second = client
        .revoke_token(&with_long, token_id(&short.token_id)?)
        .await?;
    assert_eq!(second.status().as_u16(), 204);

    // The revoked short-term token is refused.
    let refusal = refusal(
        client
            .revoke_token(&short_auth(&short), token_id(&long.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoked_long_term_token_is_refused_and_cascades() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke", "jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;
    let with_short = short_auth(&short);

    // Revoked with a short-term token issued from it.
    let response = client.revoke_token(&with_short, long_id).await?;
    assert_eq!(response.status().as_u16(), 204);

    // The long-term token can no longer be exchanged...
    let exchange = refusal(client.issue_short_term_token(&long_auth(&long), None).await)?;
    assert_refused(&exchange, 401, "invalid_token");

    // ...and its short-term tokens are dead too: they can no longer revoke
    // another token...
    let other = long_token(&sandbox, &[]).await?;
    let cascaded = refusal(
        client
            .revoke_token(&with_short, token_id(&other.token_id)?)
            .await,
    )?;
    assert_refused(&cascaded, 401, "invalid_token");
    // ...nor themselves be exchanged for anything (sent as a long-term
    // token, which the types cannot tell apart).
    let exchange = refusal(
        client
            .issue_short_term_token(&LongTokenAuth::new(short.access_token.clone()), None)
            .await,
    )?;
    assert_refused(&exchange, 401, "invalid_token");

    // Only a retry of the revocation that disabled it still succeeds.
    let retry = client.revoke_token(&with_short, long_id).await?;
    assert_eq!(retry.status().as_u16(), 204);
    Ok(())
}

#[tokio::test]
async fn self_revocation_is_idempotent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);
    assert_eq!(
        client
            .revoke_token(&with_long, long_id)
            .await?
            .status()
            .as_u16(),
        204
    );
    // A retry with the now-revoked token, e.g. after a lost response.
    assert_eq!(
        client
            .revoke_token(&with_long, long_id)
            .await?
            .status()
            .as_u16(),
        204
    );
    // It is refused for anything else.
    let exchange = refusal(client.issue_short_term_token(&with_long, None).await)?;
    assert_refused(&exchange, 401, "invalid_token");
    let not_own = refusal(client.revoke_token(&with_long, "tok_lt_000000").await)?;
    assert_refused(&not_own, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoke_needs_a_valid_token_with_tokens_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:revoke"]).await?;
    let long_id = token_id(&long.token_id)?;
    let client = client(&sandbox)?;

    // No credential: only a raw request can send that.
    let missing = raw_post(
        &sandbox,
        &format!("/auth/tokens/{long_id}/revoke"),
        &[],
        None,
    )
    .await?;
    let (status, error) = raw_refusal(missing).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));

    let unknown = refusal(
        client
            .revoke_token(&LongTokenAuth::new("lt_nope"), long_id)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // Valid but without tokens:revoke: 401 (the spec lists no 403 here).
    let narrow = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let lacking = refusal(client.revoke_token(&short_auth(&narrow), long_id).await)?;
    assert_refused(&lacking, 401, "insufficient_scope");

    // Nothing was revoked by the refused calls.
    short_token(&sandbox, &long, &[]).await?;
    Ok(())
}

#[tokio::test]
async fn revoked_token_cannot_revoke() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let other = long_token(&sandbox, &["tokens:revoke"]).await?;
    let client = client(&sandbox)?;
    let with_long = long_auth(&long);
    client
        .revoke_token(&with_long, token_id(&long.token_id)?)
        .await?;
    let refusal = refusal(
        client
            .revoke_token(&with_long, token_id(&other.token_id)?)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn revoke_unknown_or_foreign_token_is_not_found() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("c2m_one")
                .secret("s1")
                .allowed_scopes(["tokens:revoke"]),
        )
        .client(
            SandboxClient::new("c2m_two")
                .secret("s2")
                .allowed_scopes(["tokens:revoke"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let issue = |id: &'static str, secret: &'static str| {
        let mut request = secret_request(&[]);
        request.client_id = id.into();
        request.client_secret = Some(secret.into());
        let client = &client;
        async move {
            Ok::<_, BoxError>(
                client
                    .issue_long_term_token(&ClientKey::new(id), &request)
                    .await?
                    .into_body(),
            )
        }
    };
    let one = issue("c2m_one", "s1").await?;
    let two = issue("c2m_two", "s2").await?;
    let with_one = long_auth(&one);

    let unknown = refusal(client.revoke_token(&with_one, "tok_lt_000000").await)?;
    assert_refused(&unknown, 404, "not_found");

    let foreign = refusal(
        client
            .revoke_token(&with_one, token_id(&two.token_id)?)
            .await,
    )?;
    assert_refused(&foreign, 404, "not_found");

    // The other client's token still works.
    short_token(&sandbox, &two, &[]).await?;
    Ok(())
}
