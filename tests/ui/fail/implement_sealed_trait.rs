//! The per-operation credential traits are sealed: a type of the user's,
//! even a valid `Credential`, cannot be made acceptable to an operation.

use c2m_auth::runtime::{Credential, CredentialError, Placement};
use c2m_auth::security::RevokeTokenCredential;

struct MyToken;

impl Credential for MyToken {
    fn place(&self, _: &mut Placement) -> Result<(), CredentialError> {
        Ok(())
    }
}

impl RevokeTokenCredential for MyToken {}

fn main() {
    let _ = MyToken.place(&mut Placement::default());
}
