//! The token lifecycle, against the in-process sandbox: five steps by hand,
//! then the same flow by a `TokenSession`:
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! To run against the real API, build the client with `Client::new()`
//! (`https://api.click2mail.com/v2`) instead of `sandbox.base_url()`, and
//! use your own client id and secret. Tokens are credentials: this example
//! prints their length, never them.

use c2m_auth::sandbox::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, Sandbox};
use c2m_auth::security::{ClientKey, LongTokenAuth};
use c2m_auth::{Client, Error, Secret, TokenSession, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. An offline Auth Overlay server on 127.0.0.1, random port.
    let sandbox = Sandbox::start().await?;
    println!("1. sandbox listening at {}", sandbox.base_url());

    // 2. A long-term token, authenticated by the client key (X-Client-Id
    //    header) and the client secret (in the body). The credential is
    //    given per call; the client holds none.
    let client = Client::with_base_url(&sandbox.base_url())?;
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        EXAMPLE_CLIENT_ID,
    );
    request.client_secret = Some(Secret::from(EXAMPLE_CLIENT_SECRET));
    request.scopes = vec!["jobs:submit".into(), "tokens:revoke".into()];
    request.ttl_seconds = Some(7 * 24 * 3600);
    let response = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    // The token id also comes back in the X-Token-Id response header.
    let token_id = response
        .headers()
        .x_token_id
        .clone()
        .ok_or("the response has no X-Token-Id header")?;
    let long = response.into_body();
    println!("2. long-term token issued");
    println!("   X-Token-Id: {token_id}");
    println!("   expires at: {}", long.expires_at);
    println!("   scopes:     {}", long.scopes.join(", "));
    println!(
        "   token:      <{} characters, not shown>",
        long.access_token.len()
    );

    // 3. Exchange it for a short-term token: the long-term token is the
    //    bearer credential; no body keeps all of its scopes.
    let with_long = LongTokenAuth::new(long.access_token);
    let short = client
        .issue_short_term_token(&with_long, None)
        .await?
        .into_body();
    println!(
        "3. short-term token issued, valid {} s, scopes: {}",
        short.expires_in,
        short.scopes.join(", ")
    );

    // 4. Revoke the long-term token by its id (it holds tokens:revoke).
    client.revoke_token(&with_long, &token_id).await?;
    println!("4. long-term token {token_id} revoked");

    // 5. The revoked token can no longer be exchanged.
    match client.issue_short_term_token(&with_long, None).await {
        Err(Error::Api { status, body, .. }) => {
            println!(
                "5. exchange refused as expected: {status}, code {}: {}",
                body.code, body.message
            );
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the revoked token was accepted".into()),
    }

    // 6. The same flow, managed: a session gets a long-term token from the
    //    credentials, exchanges it, caches the short-term token (renewing
    //    it before it expires, one refresh however many tasks ask), and
    //    revokes what it issued on close.
    let session = TokenSession::builder(client.clone())
        .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET)
        .scopes(["jobs:submit"])
        .build();
    let credential = session.credential().await?;
    let again = session.credential().await?;
    println!(
        "6. session: short-term token of {} characters, cached for the next ask: {}",
        credential.token().len(),
        credential.token().expose() == again.token().expose()
    );
    println!(
        "   long-term X-Token-Id: {}",
        session.long_term_token_id().unwrap_or_default()
    );
    session.close().await?;
    println!(
        "   closed: {} tokens revoked",
        sandbox.request_count("revokeToken") - 1
    );

    sandbox.shutdown().await;
    Ok(())
}
