//! A credential's secret is not a field: it is read only through the
//! explicit accessor.

use c2m_auth::security;

fn main() {
    let credential = security::LongTokenAuth::new("long-token");
    let _ = &credential.token;
}
