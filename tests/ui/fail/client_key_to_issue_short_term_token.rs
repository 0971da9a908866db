//! `issue_short_term_token` does not accept the client key.

use c2m_auth::{Client, security};

fn main() {
    let client = Client::new().unwrap();
    let credential = security::ClientKey::new("c2m_abc123");
    let _ = client.issue_short_term_token(&credential, None);
}
