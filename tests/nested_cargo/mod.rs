//! Cargo run from inside a test, on a crate under Cargo's `target/tmp`, the
//! way a user's build would run it.

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
