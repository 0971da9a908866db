//! An owned token string is not a credential either.

use c2m_auth::Client;

fn main() {
    let client = Client::new().unwrap();
    let token = String::from("long-token");
    let _ = client.issue_short_term_token(&token, None);
}
