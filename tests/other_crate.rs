//! The generator used by another crate: a client generated from our spec
//! into a crate of another name, `auth-client`, as its module `auth`, on
//! `c2m_auth::runtime` (`Config::client_path("auth_client::auth")`). Its
//! doc examples and its spec-example tests must compile and pass there,
//! which they cannot if they name `c2m_auth::types` for its own types.

mod nested_cargo;

use std::path::{Path, PathBuf};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn a_client_generated_into_another_crate_passes_its_own_doc_and_example_tests() {
    let source = c2m_auth_codegen::Config::new(Path::new(WORKSPACE).join("spec/auth.yaml"))
        .client_path("auth_client::auth")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        source.contains("auth_client::auth::types::LongTokenRequest"),
        "the doc examples do not name the client's own path"
    );
    assert!(
        !source.contains("c2m_auth::types::"),
        "an example still names c2m_auth's types"
    );
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
    let result = nested_cargo::run_on_clients(
        &base.join("auth_client"),
        &base.join("target"),
        Path::new(WORKSPACE),
        &[("auth".to_string(), source)],
        &["test", "--quiet"],
    );
    if let Err(report) = result {
        panic!("the other crate's tests fail: {report}");
    }
}
