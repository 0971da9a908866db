//! A successful `issue_long_term_token` response carries its typed headers.

use c2m_auth::{Client, security, types};

async fn token_id(
    client: &Client,
    credential: &security::ClientKey,
    request: &types::LongTokenRequest,
) -> Option<String> {
    let response = client
        .issue_long_term_token(credential, request)
        .await
        .ok()?;
    let from_header: &Option<String> = &response.headers().x_token_id;
    from_header.clone()
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ClientKey::new("c2m_abc123");
    let request = types::LongTokenRequest {
        grant_type: types::LongTokenRequestGrantType::ClientCredentials,
        client_id: "c2m_abc123".into(),
        client_secret: Some("supersecret123".into()),
        otp_code: None,
        assertion_type: None,
        assertion: None,
        scopes: Vec::new(),
        ttl_seconds: None,
    };
    let _ = token_id(&client, &credential, &request);
}
