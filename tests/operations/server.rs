//! The sandbox itself and the client around it: base URLs, request
//! counts, secrets kept out of every message and printout, shutdown.

use std::time::Duration;

use c2m_auth::runtime::{Error, Secret};
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, Sandbox,
    SandboxClient,
};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, Server, types};

use crate::fixture::{
    TestResult, assertion_request, bare_request, client, key_header, long_auth, long_token,
    raw_post, raw_refusal, refusal, secret_request, short_auth, short_request, short_token,
    token_id,
};

#[test]
fn base_urls_are_https_or_loopback_http() -> TestResult {
    let refused = Client::with_base_url("http://api.example.com/v1")
        .err()
        .ok_or("plain http off loopback was accepted")?;
    assert!(refused.to_string().contains("plain http"), "{refused}");

    let example = Client::for_server(Server::Example)?;
    assert_eq!(example.base_url(), "https://api.example.com/v1");
    assert_eq!(example.base_url(), Server::Example.url());
    let production = Client::new()?;
    assert_eq!(production.base_url(), "https://api.click2mail.com/v2");
    assert_eq!(
        Client::for_server(Server::Production)?.base_url(),
        production.base_url()
    );

    // Loopback http is fine (the sandbox), and a trailing slash is dropped.
    let local = Client::with_base_url("http://127.0.0.1:8080/")?;
    assert_eq!(local.base_url(), "http://127.0.0.1:8080");
    Ok(())
}

#[tokio::test]
async fn request_count_counts_every_request() -> TestResult {
    let sandbox = Sandbox::start().await?;
    assert_eq!(sandbox.request_count("issueLongTermToken"), 0);

    let long = long_token(&sandbox, &["tokens:revoke"]).await?;
    let client = client(&sandbox)?;
    // A refused request counts too.
    let _ = refusal(
        client
            .issue_long_term_token(&ClientKey::new("c2m_nobody"), &secret_request(&[]))
            .await,
    )?;
    let short = short_token(&sandbox, &long, &[]).await?;
    for _ in 0..3 {
        client
            .revoke_token(&long_auth(&long), token_id(&short.token_id)?)
            .await?;
    }

    assert_eq!(sandbox.request_count("issueLongTermToken"), 2);
    assert_eq!(sandbox.request_count("issueShortTermToken"), 1);
    assert_eq!(sandbox.request_count("revokeToken"), 3);
    assert_eq!(sandbox.request_count("noSuchOperation"), 0);
    Ok(())
}

#[tokio::test]
async fn error_messages_never_contain_secrets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let with_long = long_auth(&long);
    let with_short = short_auth(&short);
    let wrong_secret = "wrong-secret-value-1";

    let mut errors = Vec::new();
    let mut request = secret_request(&[]);
    request.client_secret = Some(wrong_secret.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    let mut request = secret_request(&[]);
    request.otp_code = Some(EXAMPLE_OTP_CODE.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    let mut request = assertion_request(&[]);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    errors.push(refusal(client.issue_long_term_token(&key, &request).await)?.error);
    // The long-term token sent where a short-term one is expected.
    let long_as_short = ShortTokenAuth::new(long.access_token.clone());
    errors.push(
        refusal(
            client
                .issue_long_term_token(&long_as_short, &secret_request(&[]))
                .await,
        )?
        .error,
    );
    errors.push(
        refusal(
            client
                .issue_long_term_token(&with_short, &secret_request(&[]))
                .await,
        )?
        .error,
    );
    let short_as_long = LongTokenAuth::new(short.access_token.clone());
    errors.push(refusal(client.issue_short_term_token(&short_as_long, None).await)?.error);
    errors.push(refusal(client.revoke_token(&with_short, "tok_lt_x").await)?.error);
    let request = short_request(Some(short.access_token.clone()), Vec::new());
    errors.push(
        refusal(
            client
                .issue_short_term_token(&with_long, Some(&request))
                .await,
        )?
        .error,
    );
    // Values of the wrong type are not echoed either.
    for body in [
        format!(
            r#"{{"grant_type":"client_credentials","client_id":"{EXAMPLE_CLIENT_ID}","client_secret":["{EXAMPLE_CLIENT_SECRET}"]}}"#
        ),
        format!(r#"{{"grant_type":"{EXAMPLE_CLIENT_SECRET}","client_id":"{EXAMPLE_CLIENT_ID}"}}"#),
        format!(
            r#"{{"grant_type":"assertion","client_id":"{EXAMPLE_CLIENT_ID}","assertion":"{EXAMPLE_ASSERTION}","ttl_seconds":"{EXAMPLE_OTP_CODE}"}}"#
        ),
    ] {
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some(("application/json", &body)),
        )
        .await?;
        errors.push(raw_refusal(response).await?.1);
    }

    assert_eq!(errors.len(), 11);
    let secrets = [
        EXAMPLE_CLIENT_SECRET,
        EXAMPLE_OTP_CODE,
        EXAMPLE_ASSERTION,
        wrong_secret,
        long.access_token.expose(),
        short.access_token.expose(),
    ];
    for error in &errors {
        let text = serde_json::to_string(error)?;
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "error {} leaks a secret",
                error.code
            );
        }
    }
    Ok(())
}

/// Fails if `text`, the printed form of `what`, contains any of `secrets`.
fn assert_hides(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows a secret");
    }
}

#[tokio::test]
async fn printing_values_never_shows_secrets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;

    // Requests with every secret field filled in (not a valid grant, but
    // printing does not care).
    let mut long_request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    long_request.client_secret = Some(Secret::from(EXAMPLE_CLIENT_SECRET));
    long_request.otp_code = Some(Secret::from(EXAMPLE_OTP_CODE));
    long_request.assertion = Some(Secret::from(EXAMPLE_ASSERTION));
    let request_secrets = [EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_ASSERTION];
    assert_hides(
        "LongTokenRequest",
        &format!("{long_request:?} {long_request:#?}"),
        &request_secrets,
    );
    // The wire format still carries them.
    let json = serde_json::to_string(&long_request)?;
    for secret in request_secrets {
        assert!(json.contains(secret), "the JSON body lost a secret");
    }

    // Issued tokens, and the responses that hold them.
    let long_response = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(&[]))
        .await?;
    let long = long_response.body().clone();
    let short_response = client
        .issue_short_term_token(&long_auth(&long), None)
        .await?;
    let short = short_response.body().clone();
    let tokens = [long.access_token.expose(), short.access_token.expose()];
    assert_hides("LongTokenResponse", &format!("{long:?}"), &tokens);
    assert_hides("ShortTokenResponse", &format!("{short:?}"), &tokens);
    assert_hides(
        "Response",
        &format!("{long_response:?} {short_response:?}"),
        &tokens,
    );
    assert_hides(
        "Secret",
        &format!("{:?} {}", long.access_token, long.access_token),
        &tokens,
    );
    assert_hides("Secret", &short.access_token.to_string(), &tokens);

    let short_request = short_request(Some(long.access_token.clone()), Vec::new());
    assert_hides("ShortTokenRequest", &format!("{short_request:?}"), &tokens);

    // Credentials.
    let key = ClientKey::new("c2m_key_value_7");
    assert_hides("ClientKey", &format!("{key:?}"), &["c2m_key_value_7"]);
    assert_hides("LongTokenAuth", &format!("{:?}", long_auth(&long)), &tokens);
    assert_hides(
        "ShortTokenAuth",
        &format!("{:?}", short_auth(&short)),
        &tokens,
    );

    // Errors of failed calls: a 401 for an unknown token, and a request
    // refused before sending.
    let unknown_token = "lt_unknown_token_value_9";
    let unauthorized = client
        .issue_short_term_token(&LongTokenAuth::new(unknown_token), None)
        .await
        .err()
        .ok_or("an unknown token was accepted")?;
    assert_eq!(unauthorized.status().map(|s| s.as_u16()), Some(401));
    assert_hides(
        "Error::Api",
        &format!("{unauthorized:?} {unauthorized}"),
        &[unknown_token],
    );
    let mut out_of_bounds = long_request.clone();
    out_of_bounds.otp_code = None;
    out_of_bounds.assertion = None;
    out_of_bounds.ttl_seconds = Some(10);
    let invalid = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &out_of_bounds)
        .await
        .err()
        .ok_or("ttl 10 was accepted")?;
    assert!(matches!(invalid, Error::InvalidRequest(_)), "{invalid}");
    assert_hides(
        "Error::InvalidRequest",
        &format!("{invalid:?} {invalid}"),
        &request_secrets,
    );

    // The client holds no credential at all.
    assert_hides(
        "Client",
        &format!("{client:?}"),
        &[&tokens[..], &request_secrets[..], &[unknown_token]].concat(),
    );
    Ok(())
}

#[tokio::test]
async fn debug_output_hides_secrets() -> TestResult {
    let client = SandboxClient::new("c2m_dbg")
        .secret("dbg-secret")
        .otp_code("dbg-otp")
        .assertion("dbg-assertion");
    let builder = Sandbox::builder().client(client.clone());
    let text = format!("{client:?} {builder:?}");
    assert!(text.contains("c2m_dbg"));
    for secret in ["dbg-secret", "dbg-otp", "dbg-assertion"] {
        assert!(!text.contains(secret), "{secret} in Debug output");
    }
    let sandbox = builder.start().await?;
    assert!(format!("{sandbox:?}").contains(&sandbox.base_url()));
    Ok(())
}

#[tokio::test]
async fn base_url_and_shutdown() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let base_url = sandbox.base_url();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(!base_url.ends_with('/'));
    let port: u16 = base_url.trim_start_matches("http://127.0.0.1:").parse()?;
    assert_ne!(port, 0);

    sandbox.shutdown().await;
    let after = reqwest::Client::new()
        .post(format!("{base_url}/auth/tokens/short"))
        .send()
        .await;
    assert!(after.is_err(), "the server still answers after shutdown");
    Ok(())
}

#[tokio::test]
async fn drop_stops_the_server() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let base_url = sandbox.base_url();
    drop(sandbox);
    // The aborted task releases the listener at its next poll.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let after = reqwest::Client::new()
        .post(format!("{base_url}/auth/tokens/short"))
        .send()
        .await;
    assert!(after.is_err(), "the server still answers after drop");
    Ok(())
}
