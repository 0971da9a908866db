//! The seal itself cannot be named from outside the crate.

struct MyToken;

impl c2m_auth::security::sealed::Sealed for MyToken {}

fn main() {
    let _ = MyToken;
}
