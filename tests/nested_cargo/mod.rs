//! Cargo run from inside a test, on a crate under Cargo's `target/tmp`, the
//! way a user's build would run it.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// A `cargo` command in `dir`, building into `target_dir`, offline: the
/// outer build has already fetched every crate the lock file names.
///
/// These builds are checked, never debugged, so debug info and incremental
/// state are off: they would double the disk this second set of dependencies
/// takes, and a full disk is a failure no assertion explains.
pub fn command(dir: &Path, target_dir: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_PROFILE_TEST_DEBUG", "false");
    command
}

/// Runs `command` to completion.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run cargo: {error}"))
}

/// The exit status and both streams, for a failure message: a nested build
/// that fails for a reason of its own (no disk, no network) must say so.
pub fn describe(output: &Output) -> String {
    format!(
        "cargo exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// What generated code needs beside the `c2m-auth` runtime, as
/// `[dependencies]` lines of a scratch crate's manifest.
pub const CLIENT_DEPENDENCIES: &str = r#"progenitor-client = "0.15"
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "clock", "std"] }
uuid = { version = "1", features = ["serde"] }
futures = "0.3"
base64 = "0.23"
rand = "0.9"
regress = "0.12"
"#;

/// Checks generated clients, `(module, source)` each, in one scratch crate
/// at `root` with warnings denied, as a user's crate would build them: it
/// depends on the `c2m-auth` runtime of `workspace` and on what generated
/// code needs beside it, and builds offline with the workspace's lock file
/// into `target_dir`. `Err` holds Cargo's account of the failure.
pub fn check_clients(
    root: &Path,
    target_dir: &Path,
    workspace: &Path,
    sources: &[(String, String)],
) -> Result<(), String> {
    run_on_clients(
        root,
        target_dir,
        workspace,
        sources,
        &["check", "--quiet", "--lib"],
    )
}

/// [`check_clients`]' scratch crate, with its own Cargo command (`test
/// --doc`, say) in place of `check`.
pub fn run_on_clients(
    root: &Path,
    target_dir: &Path,
    workspace: &Path,
    sources: &[(String, String)],
    cargo_args: &[&str],
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write the scratch crate: {e}");
    let crate_name = root
        .file_name()
        .map(|n| n.to_string_lossy().replace('_', "-"))
        .unwrap_or_else(|| "generated-clients".to_string());
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root.join("src")).map_err(io)?;
    let mut lib = String::from("#![deny(warnings)]\n//! Generated clients.\n");
    for (module, source) in sources {
        std::fs::write(root.join(format!("src/{module}.rs")), source).map_err(io)?;
        lib.push_str(&format!(
            "/// A generated client.\n#[allow(missing_docs)]\npub mod {module} {{\n    include!(\"{module}.rs\");\n}}\n"
        ));
    }
    std::fs::write(root.join("src/lib.rs"), lib).map_err(io)?;
    let manifest = format!(
        r#"[package]
name = "{crate_name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
c2m-auth = {{ path = "{}" }}
{CLIENT_DEPENDENCIES}
# Its own workspace, not a member of the one it sits in.
[workspace]
"#,
        workspace.display().to_string().replace('\\', "/")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).map_err(io)?;
    // The workspace's lock file pins the same versions, offline.
    std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).map_err(io)?;
    let output = command(root, target_dir)
        .args(cargo_args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(describe(&output))
    }
}
