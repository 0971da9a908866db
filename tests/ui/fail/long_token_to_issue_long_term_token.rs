//! `issue_long_term_token` does not accept a long-term token.

use c2m_auth::{Client, security, types};

fn main() {
    let client = Client::new().unwrap();
    let credential = security::LongTokenAuth::new("long-token");
    let request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    let _ = client.issue_long_term_token(&credential, &request);
}
