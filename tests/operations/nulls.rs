//! Explicit `null`s, refused for every field that is not nullable.

use c2m_auth::sandbox::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, Sandbox};

use crate::fixture::{
    BoxError, TestResult, bearer_header, key_header, long_token, raw_post, raw_refusal, short_token,
};

/// A body with `"field": null` for each field; everything else makes a
/// request the sandbox accepts, so that only the null can be refused.
fn with_null(valid: &serde_json::Value, field: &str) -> Result<String, BoxError> {
    let mut body = valid.clone();
    body.as_object_mut()
        .ok_or("not an object")?
        .insert(field.to_owned(), serde_json::Value::Null);
    Ok(body.to_string())
}

/// Checks that `response` is 400 `invalid_request` naming `field`, in the
/// message or in `details.field`.
async fn assert_null_refused(response: reqwest::Response, field: &str) -> TestResult {
    // A success body holds a token: say only that it was accepted.
    assert_eq!(response.status(), 400, "null {field} accepted");
    let (status, error) = raw_refusal(response).await?;
    assert_eq!(
        (status, error.code.as_str()),
        (400, "invalid_request"),
        "null {field}: {}",
        error.message
    );
    let named = error.message.contains(field)
        || error.details.get("field") == Some(&serde_json::Value::from(field));
    assert!(named, "null {field} not named: {}", error.message);
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_null_for_required_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let valid = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
    });
    for field in ["grant_type", "client_id"] {
        let body = with_null(&valid, field)?;
        let headers = [key_header(EXAMPLE_CLIENT_ID)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    Ok(())
}

#[tokio::test]
async fn long_term_token_refuses_null_for_optional_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    // Each body is accepted (201) without its null field.
    let by_otp = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "otp_code": EXAMPLE_OTP_CODE,
    });
    let by_secret = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
    });
    let cases = [
        (&by_otp, "client_secret"),
        (&by_secret, "otp_code"),
        (&by_secret, "assertion_type"),
        (&by_secret, "assertion"),
        (&by_secret, "scopes"),
        (&by_secret, "ttl_seconds"),
    ];
    for (valid, field) in cases {
        let body = with_null(valid, field)?;
        let headers = [key_header(EXAMPLE_CLIENT_ID)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    // Through the step-up (ShortTokenAuth) too.
    let long = long_token(&sandbox, &[]).await?;
    let short = short_token(&sandbox, &long, &[]).await?;
    let step_up = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": EXAMPLE_CLIENT_ID,
    });
    let body = with_null(&step_up, "scopes")?;
    let headers = [bearer_header(&short.access_token)];
    let json = Some(("application/json", body.as_str()));
    let response = raw_post(&sandbox, "/auth/tokens/long", &headers, json).await?;
    assert_null_refused(response, "scopes").await?;
    Ok(())
}

#[tokio::test]
async fn short_term_token_refuses_null_for_optional_fields() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &[]).await?;
    let valid = serde_json::json!({ "scopes": ["jobs:submit"] });
    for field in ["long_token", "scopes"] {
        let body = with_null(&valid, field)?;
        let headers = [bearer_header(&long.access_token)];
        let json = Some(("application/json", body.as_str()));
        let response = raw_post(&sandbox, "/auth/tokens/short", &headers, json).await?;
        assert_null_refused(response, field).await?;
    }
    // The long-term token still works: the refusals changed nothing.
    short_token(&sandbox, &long, &[]).await?;
    Ok(())
}
