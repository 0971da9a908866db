//! `revoke_token` accepts a long-term token (scope `tokens:revoke`).

use c2m_auth::{Client, security};

async fn call(client: &Client, credential: &security::LongTokenAuth) {
    let _ = client.revoke_token(credential, "tok_123").await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::LongTokenAuth::new("long-token");
    let _ = call(&client, &credential);
}
