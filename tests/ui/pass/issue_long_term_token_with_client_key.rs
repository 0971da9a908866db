//! `issue_long_term_token` accepts the client key.

use c2m_auth::{Client, security, types};

fn request() -> types::LongTokenRequest {
    types::LongTokenRequest {
        grant_type: types::LongTokenRequestGrantType::ClientCredentials,
        client_id: "c2m_abc123".into(),
        client_secret: Some("supersecret123".into()),
        otp_code: None,
        assertion_type: None,
        assertion: None,
        scopes: vec!["jobs:submit".into()],
        ttl_seconds: Some(86_400),
    }
}

async fn call(client: &Client, credential: &security::ClientKey) {
    let _ = client.issue_long_term_token(credential, &request()).await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ClientKey::new("c2m_abc123");
    let _ = call(&client, &credential);
}
