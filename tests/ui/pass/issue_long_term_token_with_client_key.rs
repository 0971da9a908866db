//! `issue_long_term_token` accepts the client key.

use c2m_auth::{Client, security, types};

fn request() -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    request.client_secret = Some("supersecret123".into());
    request.scopes = vec!["jobs:submit".into()];
    request.ttl_seconds = Some(86_400);
    request
}

async fn call(client: &Client, credential: &security::ClientKey) {
    let _ = client.issue_long_term_token(credential, &request()).await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ClientKey::new("c2m_abc123");
    let _ = call(&client, &credential);
}
