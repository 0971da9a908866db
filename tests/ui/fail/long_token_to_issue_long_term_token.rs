//! `issue_long_term_token` does not accept a long-term token.

use c2m_auth::{Client, security, types};

fn main() {
    let client = Client::new().unwrap();
    let credential = security::LongTokenAuth::new("long-token");
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
    let _ = client.issue_long_term_token(&credential, &request);
}
