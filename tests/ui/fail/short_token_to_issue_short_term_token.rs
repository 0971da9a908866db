//! `issue_short_term_token` does not accept a short-term token.

use c2m_auth::{Client, security};

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ShortTokenAuth::new("short-jwt");
    let _ = client.issue_short_term_token(&credential, None);
}
