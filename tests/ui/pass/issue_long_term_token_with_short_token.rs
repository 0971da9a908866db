//! `issue_long_term_token` accepts a short-term token (scope `tokens:write`).

use c2m_auth::{Client, security, types};

fn request() -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    request.scopes = vec!["jobs:submit".into()];
    request
}

async fn call(client: &Client, credential: &security::ShortTokenAuth) {
    let _ = client.issue_long_term_token(credential, &request()).await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ShortTokenAuth::new("short-jwt");
    let _ = call(&client, &credential);
}
