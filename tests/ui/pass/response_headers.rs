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
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    request.client_secret = Some("supersecret123".into());
    let _ = token_id(&client, &credential, &request);
}
