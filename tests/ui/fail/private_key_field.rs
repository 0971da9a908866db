//! The client key is not a field either.

use c2m_auth::security;

fn main() {
    let credential = security::ClientKey::new("c2m_abc123");
    let _ = &credential.key;
}
