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

use std::fs;
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
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
    let root = base.join("corpus");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("src")).expect("create the scratch crate");

    let mut modules =
        String::from("#![deny(warnings)]\n//! Clients generated from other documents.\n");
    for (module, file) in DOCUMENTS {
        let spec = Path::new(WORKSPACE).join("codegen/tests").join(file);
        let source = c2m_auth_codegen::Config::new(&spec)
            .generate()
            .unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join(format!("src/{module}.rs")), source).expect("write generated code");
        modules.push_str(&format!(
            "/// Generated from `{file}`.\n#[allow(missing_docs)]\npub mod {module} {{\n    include!(\"{module}.rs\");\n}}\n"
        ));
    }
    fs::write(root.join("src/lib.rs"), modules).expect("write lib.rs");
    // What generated code needs beside c2m-auth, as a user's crate lists it.
    let manifest = format!(
        r#"[package]
name = "corpus-check"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
c2m-auth = {{ path = "{}" }}
progenitor-client = "0.15"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query", "stream"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "clock", "std"] }}
uuid = {{ version = "1", features = ["serde"] }}
futures = "0.3"
base64 = "0.23"
rand = "0.9"
regress = "0.12"

# Its own workspace, not a member of the one it sits in.
[workspace]
"#,
        WORKSPACE.replace('\\', "/")
    );
    fs::write(root.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    // The workspace's lock file pins the same versions, offline.
    fs::copy(
        Path::new(WORKSPACE).join("Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");

    let output = nested_cargo::run(
        nested_cargo::command(&root, &base.join("target")).args(["check", "--quiet", "--lib"]),
    );
    assert!(
        output.status.success(),
        "the generated clients do not compile cleanly: {}",
        nested_cargo::describe(&output)
    );
}
