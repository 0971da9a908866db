//! The generator on other projects' documents (`codegen/tests/corpus/`,
//! 4 documents, 227 operations) and on our own edge cases
//! (`codegen/tests/edge/`: names that clash with the generated code's own,
//! recursive and keyword-named schemas, server variables, cookie keys): the
//! whole generated client, typed layer included, must compile with warnings
//! denied in a crate of its own, as a user's crate would build it.
//!
//! The scratch crate lives under Cargo's `target/tmp` and shares its target
//! directory with `tests/regenerate.rs`, so dependencies build once.

mod nested_cargo;

use std::path::{Path, PathBuf};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");
/// `(module, path under codegen/tests/)`.
const DOCUMENTS: [(&str, &str); 5] = [
    ("keeper", "corpus/keeper.json"),
    ("buildomat", "corpus/buildomat.json"),
    ("propolis_server", "corpus/propolis-server.json"),
    ("nexus", "corpus/nexus.json"),
    ("edge_names", "edge/names.yaml"),
];

#[test]
fn other_documents_generate_clients_that_compile_without_warnings() {
    let sources: Vec<(String, String)> = DOCUMENTS
        .iter()
        .map(|(module, file)| {
            let spec = Path::new(WORKSPACE).join("codegen/tests").join(file);
            let source = c2m_auth_codegen::Config::new(&spec)
                .generate()
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            (module.to_string(), source)
        })
        .collect();
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
    let checked = nested_cargo::check_clients(
        &base.join("corpus"),
        &base.join("target"),
        Path::new(WORKSPACE),
        &sources,
    );
    if let Err(account) = checked {
        panic!("the generated clients do not compile cleanly: {account}");
    }
}
