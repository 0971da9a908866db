//! `issue_long_term_token` accepts a short-term token (scope `tokens:write`).

use c2m_auth::{Client, security, types};

fn request() -> types::LongTokenRequest {
    types::LongTokenRequest {
        grant_type: types::LongTokenRequestGrantType::ClientCredentials,
        client_id: "c2m_abc123".into(),
        client_secret: None,
        otp_code: None,
        assertion_type: None,
        assertion: None,
        scopes: vec!["jobs:submit".into()],
        ttl_seconds: None,
    }
}

async fn call(client: &Client, credential: &security::ShortTokenAuth) {
    let _ = client.issue_long_term_token(credential, &request()).await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ShortTokenAuth::new("short-jwt");
    let _ = call(&client, &credential);
}
