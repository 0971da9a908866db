//! A bare token string is not a credential: it must be wrapped in the type
//! of its scheme.

use c2m_auth::Client;

fn main() {
    let client = Client::new().unwrap();
    let _ = client.revoke_token("long-token", "tok_123");
}
