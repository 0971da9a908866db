//! `issue_short_term_token` accepts a long-term token, with or without a body.

use c2m_auth::{Client, security, types};

async fn without_body(client: &Client, credential: &security::LongTokenAuth) {
    let _ = client.issue_short_term_token(credential, None).await;
}

async fn with_body(client: &Client, credential: &security::LongTokenAuth) {
    let mut body = types::ShortTokenRequest::new();
    body.scopes = vec!["jobs:submit".into()];
    let _ = client.issue_short_term_token(credential, Some(&body)).await;
}

fn main() {
    let client = Client::new().unwrap();
    let credential = security::LongTokenAuth::new(String::from("long-token"));
    let _ = without_body(&client, &credential);
    let _ = with_body(&client, &credential);
}
