//! `issueLongTermToken`: each credential, the step-up, and every refusal,
//! rate limit included.

use std::time::Duration;

use c2m_auth::runtime::Error;
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
    Sandbox, SandboxClient,
};
use c2m_auth::security::{ClientKey, ShortTokenAuth};
use c2m_auth::types;

use crate::fixture::{
    TestResult, assert_close_to_now_plus, assert_refused, assertion_request, bare_request,
    bearer_header, client, key_header, long_token, otp_request, raw_post, raw_refusal, refusal,
    retry_after, secret_request, short_auth, short_token,
};

#[tokio::test]
async fn long_term_token_by_client_secret() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&["jobs:submit", "templates:read"]);
    request.ttl_seconds = Some(7_776_000);

    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response
        .headers()
        .x_token_id
        .clone()
        .ok_or("no X-Token-Id header")?;
    let body = response.into_body();

    assert_eq!(Some(header.as_str()), body.token_id.as_deref());
    assert!(header.starts_with("tok_lt_"), "{header}");
    assert_eq!(body.token_type, types::LongTokenResponseTokenType::Bearer);
    let access = body.access_token.expose();
    assert!(access.starts_with("lt_"));
    assert_eq!(access.len(), 3 + 32);
    assert!(access[3..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(body.expires_in, 7_776_000);
    assert_close_to_now_plus(body.expires_at, body.expires_in);
    assert_eq!(body.scopes, ["jobs:submit", "templates:read"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_otp_code() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = otp_request(&["jobs:*"]);
    request.ttl_seconds = Some(2_592_000);

    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    // The response dereferences to its body.
    assert_eq!(response.headers().x_token_id, response.token_id);
    assert!(response.token_id.is_some());
    assert_eq!(response.expires_in, 2_592_000);
    assert_close_to_now_plus(response.expires_at, response.expires_in);
    assert_eq!(response.scopes, ["jobs:*"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_assertion_defaults_scopes_and_ttl() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let response = client(&sandbox)?
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &assertion_request(&[]))
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let header = response.headers().x_token_id.clone();
    let body = response.into_body();
    assert_eq!(header, body.token_id);
    // No scopes requested: all the client may have. No ttl: 30 days.
    assert_eq!(body.scopes, EXAMPLE_SCOPES);
    assert_eq!(body.expires_in, 30 * 24 * 3600);
    assert_close_to_now_plus(body.expires_at, body.expires_in);
    Ok(())
}

#[tokio::test]
async fn default_long_token_ttl_is_configurable_and_clamped() -> TestResult {
    let sandbox = Sandbox::builder()
        .default_long_token_ttl(Duration::from_secs(7_200))
        .start()
        .await?;
    assert_eq!(long_token(&sandbox, &[]).await?.expires_in, 7_200);

    let sandbox = Sandbox::builder()
        .default_long_token_ttl(Duration::from_secs(60))
        .start()
        .await?;
    assert_eq!(long_token(&sandbox, &[]).await?.expires_in, 3_600);
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_with_tokens_write() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:write", "jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &["tokens:write"]).await?;

    // No secret in the body: the short-term token is the step-up.
    let request = bare_request(
        types::LongTokenRequestGrantType::ClientCredentials,
        &["jobs:submit"],
    );
    let response = client(&sandbox)?
        .issue_long_term_token(&short_auth(&short), &request)
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let rotated = response.into_body();
    assert_ne!(rotated.access_token, long.access_token);
    assert_ne!(rotated.token_id, long.token_id);
    assert_eq!(rotated.scopes, ["jobs:submit"]);

    // The new long-term token works.
    let again = short_token(&sandbox, &rotated, &[]).await?;
    assert_eq!(again.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_unknown_field() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = format!(
        r#"{{"grant_type":"client_credentials","client_id":"{EXAMPLE_CLIENT_ID}",
            "client_secret":"{EXAMPLE_CLIENT_SECRET}","color":"blue"}}"#
    );
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
    assert!(error.message.contains("color"), "{}", error.message);
    assert!(!error.message.contains(EXAMPLE_CLIENT_SECRET));
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_malformed_bodies() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let cases = [
        ("application/json", "{not json", None),
        (
            "application/json",
            r#"{"grant_type":"client_credentials"}"#,
            Some("client_id"),
        ),
        (
            "text/plain",
            r#"{"grant_type":"client_credentials","client_id":"c2m_abc123"}"#,
            Some("application/json"),
        ),
    ];
    for (content_type, body, names) in cases {
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some((content_type, body)),
        )
        .await?;
        let (status, error) = raw_refusal(response).await?;
        assert_eq!(
            (status, error.code.as_str()),
            (400, "invalid_request"),
            "{body}"
        );
        if let Some(name) = names {
            assert!(error.message.contains(name), "{}", error.message);
        }
    }
    // An unlisted grant type decodes (enums are open) and is refused as
    // OAuth refuses it, without echoing it.
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some((
            "application/json",
            r#"{"grant_type":"password","client_id":"c2m_abc123"}"#,
        )),
    )
    .await?;
    let (status, error) = raw_refusal(response).await?;
    assert_eq!(
        (status, error.code.as_str()),
        (400, "unsupported_grant_type")
    );
    assert!(error.message.contains("grant_type"), "{}", error.message);
    assert!(!error.message.contains("password"), "{}", error.message);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_ttl_out_of_bounds() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let cases = [
        (3_599, "less than the minimum 3600"),
        (7_776_001, "more than the maximum 7776000"),
        (-1, "less than the minimum 3600"),
    ];

    // The client refuses before sending: nothing reaches the server.
    for (ttl, bound) in cases {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        match client.issue_long_term_token(&key, &request).await {
            Err(Error::InvalidRequest(error)) => {
                assert_eq!(error.path, "ttl_seconds");
                let message = error.to_string();
                assert!(message.contains("`ttl_seconds`"), "{message}");
                assert!(message.contains(bound), "{message}");
            }
            Err(other) => {
                return Err(format!("ttl {ttl}: expected InvalidRequest, got {other}").into());
            }
            Ok(response) => return Err(format!("ttl {ttl} accepted: {}", response.status()).into()),
        }
    }
    assert_eq!(sandbox.request_count("issueLongTermToken"), 0);

    // Sent anyway, the sandbox refuses it with the same words.
    for (ttl, bound) in cases {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let body = serde_json::to_string(&request)?;
        let response = raw_post(
            &sandbox,
            "/auth/tokens/long",
            &[key_header(EXAMPLE_CLIENT_ID)],
            Some(("application/json", &body)),
        )
        .await?;
        let (status, error) = raw_refusal(response).await?;
        assert_eq!((status, error.code.as_str()), (400, "invalid_request"));
        assert!(error.message.contains("`ttl_seconds`"), "{}", error.message);
        assert!(error.message.contains(bound), "{}", error.message);
        assert_eq!(
            error.details.get("field").and_then(|v| v.as_str()),
            Some("ttl_seconds")
        );
        assert!(!error.message.contains(EXAMPLE_CLIENT_SECRET));
    }
    assert_eq!(sandbox.request_count("issueLongTermToken"), 3);

    // The bounds themselves are accepted.
    for ttl in [3_600, 7_776_000] {
        let mut request = secret_request(&[]);
        request.ttl_seconds = Some(ttl);
        let body = client
            .issue_long_term_token(&key, &request)
            .await?
            .into_body();
        assert_eq!(body.expires_in, ttl);
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_wrong_credentials() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);

    let mut wrong_secret = secret_request(&[]);
    wrong_secret.client_secret = Some("not-the-secret".into());
    let mut wrong_otp = otp_request(&[]);
    wrong_otp.otp_code = Some("000000".into());
    let mut wrong_assertion = assertion_request(&[]);
    wrong_assertion.assertion = Some("eyJub3QiOiJpdCJ9.x.y".into());

    for request in [wrong_secret, wrong_otp, wrong_assertion] {
        let refusal = refusal(client.issue_long_term_token(&key, &request).await)?;
        assert_refused(&refusal, 400, "invalid_grant");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_wants_exactly_one_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    use types::LongTokenRequestGrantType::{Assertion, ClientCredentials};

    let mut secret_and_otp = secret_request(&[]);
    secret_and_otp.otp_code = Some(EXAMPLE_OTP_CODE.into());
    let mut secret_and_assertion = secret_request(&[]);
    secret_and_assertion.assertion = Some(EXAMPLE_ASSERTION.into());
    let mut assertion_with_secret = assertion_request(&[]);
    assertion_with_secret.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    let mut assertion_without_type = assertion_request(&[]);
    assertion_without_type.assertion_type = None;
    let mut assertion_bad_type = assertion_request(&[]);
    assertion_bad_type.assertion_type = Some("urn:example:saml".into());

    for request in [
        secret_and_otp,
        secret_and_assertion,
        assertion_with_secret,
        assertion_without_type,
        assertion_bad_type,
        bare_request(ClientCredentials, &[]),
        bare_request(Assertion, &[]),
    ] {
        let refusal = refusal(client.issue_long_term_token(&key, &request).await)?;
        assert_refused(&refusal, 400, "invalid_request");
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_scopes_not_allowed() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&["jobs:submit", "billing:read"]))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_scope");
    assert!(refusal.error.message.contains("billing:read"));

    // `jobs:*` covers any `jobs:` scope.
    let body = client
        .issue_long_term_token(&key, &secret_request(&["jobs:cancel"]))
        .await?
        .into_body();
    assert_eq!(body.scopes, ["jobs:cancel"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_client_id_must_match_the_credential() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("c2m_one")
                .secret("s1")
                .allowed_scopes(["jobs:submit"]),
        )
        .client(
            SandboxClient::new("c2m_two")
                .secret("s2")
                .allowed_scopes(["jobs:submit"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let mut request = secret_request(&[]);
    request.client_id = "c2m_two".into();
    request.client_secret = Some("s2".into());
    let refusal = refusal(
        client
            .issue_long_term_token(&ClientKey::new("c2m_one"), &request)
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_grant");

    // Each client with its own secret is fine.
    let body = client
        .issue_long_term_token(&ClientKey::new("c2m_two"), &request)
        .await?
        .into_body();
    assert_eq!(body.scopes, ["jobs:submit"]);
    Ok(())
}

#[tokio::test]
async fn registering_a_client_replaces_the_example_client() -> TestResult {
    let sandbox = Sandbox::builder()
        .client(
            SandboxClient::new("acme")
                .otp_code("424242")
                .allowed_scopes(["templates:read"]),
        )
        .start()
        .await?;
    let client = client(&sandbox)?;
    let refusal = refusal(
        client
            .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_client");

    let mut request = otp_request(&[]);
    request.client_id = "acme".into();
    request.otp_code = Some("424242".into());
    let body = client
        .issue_long_term_token(&ClientKey::new("acme"), &request)
        .await?
        .into_body();
    assert_eq!(body.scopes, ["templates:read"]);
    Ok(())
}

#[tokio::test]
async fn long_term_token_needs_exactly_one_credential() -> TestResult {
    // The typed client cannot send none or two: only raw requests can.
    let sandbox = Sandbox::start().await?;
    let body = serde_json::to_string(&secret_request(&[]))?;
    let none = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(raw_refusal(none).await?.1.code, "invalid_token");

    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let both = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[
            key_header(EXAMPLE_CLIENT_ID),
            bearer_header(&short.access_token),
        ],
        Some(("application/json", &body)),
    )
    .await?;
    let (status, error) = raw_refusal(both).await?;
    assert_eq!((status, error.code.as_str()), (401, "invalid_token"));
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_bad_bearer_tokens() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);

    let unknown = refusal(
        client
            .issue_long_term_token(&ShortTokenAuth::new("st_unknown"), &request)
            .await,
    )?;
    assert_refused(&unknown, 401, "invalid_token");

    // A long-term token is not a ShortTokenAuth credential, though the
    // types cannot tell the two strings apart.
    let long = long_token(&sandbox, &[]).await?;
    let wrong_kind = refusal(
        client
            .issue_long_term_token(&ShortTokenAuth::new(long.access_token.clone()), &request)
            .await,
    )?;
    assert_refused(&wrong_kind, 401, "invalid_token");
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_unknown_client_key() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut request = secret_request(&[]);
    request.client_id = "c2m_nobody".into();
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&ClientKey::new("c2m_nobody"), &request)
            .await,
    )?;
    assert_refused(&refusal, 401, "invalid_client");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_without_tokens_write_is_forbidden() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let request = bare_request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&short_auth(&short), &request)
            .await,
    )?;
    assert_refused(&refusal, 403, "insufficient_scope");
    Ok(())
}

#[tokio::test]
async fn long_term_token_by_short_token_takes_no_second_mechanism() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["tokens:write"]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let refusal = refusal(
        client(&sandbox)?
            .issue_long_term_token(&short_auth(&short), &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 400, "invalid_request");
    Ok(())
}

#[tokio::test]
async fn long_term_token_is_rate_limited() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(60))
        .start()
        .await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;

    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 429, "rate_limited");

    // `Error::Api` carries no headers (the spec declares none on 429), so
    // Retry-After is read from a raw request.
    let body = serde_json::to_string(&secret_request(&[]))?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    let retry_after = retry_after(&response)?;
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(sandbox.request_count("issueLongTermToken"), 4);
    Ok(())
}

#[tokio::test]
async fn rate_limit_window_reopens() -> TestResult {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_millis(300))
        .start()
        .await?;
    let client = client(&sandbox)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    let body = serde_json::to_string(&secret_request(&[]))?;
    let response = raw_post(
        &sandbox,
        "/auth/tokens/long",
        &[key_header(EXAMPLE_CLIENT_ID)],
        Some(("application/json", &body)),
    )
    .await?;
    assert_eq!(response.status().as_u16(), 429);
    // Less than a second left: Retry-After rounds up to 1.
    assert_eq!(retry_after(&response)?, 1);
    let refusal = refusal(
        client
            .issue_long_term_token(&key, &secret_request(&[]))
            .await,
    )?;
    assert_refused(&refusal, 429, "rate_limited");
    tokio::time::sleep(Duration::from_millis(350)).await;
    client
        .issue_long_term_token(&key, &secret_request(&[]))
        .await?;
    Ok(())
}
