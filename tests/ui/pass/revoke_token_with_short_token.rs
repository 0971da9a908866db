//! `revoke_token` accepts a short-term token (scope `tokens:revoke`).

use c2m_auth::{Client, security};

async fn call(client: &Client, credential: &security::ShortTokenAuth) {
    let _ = client.revoke_token(credential, "tok_123").await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ShortTokenAuth::new("short-jwt");
    let _ = call(&client, &credential);
}
