//! What the fuzz tests share: generation under a watchdog, the shape of an
//! acceptable error, and a scratch crate that compiles generated clients
//! with warnings denied, as a user's crate would build them.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use c2m_auth_codegen::{Location, SpecError, SpecErrorKind};

/// How long one generation may take before the test calls it a hang. A
/// watchdog, not a speed check: the slowest document takes about a second.
pub const WATCHDOG: Duration = Duration::from_secs(20);

/// The stack of the thread generation runs on: that of a build script's
/// main thread, which is where `build.rs` runs the generator.
const STACK: usize = 8 * 1024 * 1024;

/// How one generation ended.
pub enum Outcome {
    /// Generated code.
    Accepted(String),
    /// A spec error.
    Rejected(SpecError),
    /// A panic, with its message.
    Panicked(String),
    /// No answer within [`WATCHDOG`] (the thread is left behind).
    Hung,
}

/// Generates from `text` on a thread of its own, under the watchdog,
/// catching a panic; also returns how long it took.
pub fn generate_bounded(text: &str, name: &str, limit: Duration) -> (Outcome, Duration) {
    let (send, receive) = mpsc::channel();
    let text = text.to_string();
    let name = name.to_string();
    let started = Instant::now();
    let spawned = thread::Builder::new()
        .name("generate".into())
        .stack_size(STACK)
        .spawn(move || {
            let outcome =
                std::panic::catch_unwind(|| c2m_auth_codegen::generate_from_str(&text, &name));
            let _ = send.send(outcome);
        });
    if let Err(error) = spawned {
        return (
            Outcome::Panicked(format!("cannot spawn: {error}")),
            started.elapsed(),
        );
    }
    let outcome = match receive.recv_timeout(limit) {
        Ok(Ok(Ok(source))) => Outcome::Accepted(source),
        Ok(Ok(Err(error))) => Outcome::Rejected(error),
        Ok(Err(payload)) => Outcome::Panicked(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
        Err(_) => Outcome::Hung,
    };
    (outcome, started.elapsed())
}

/// Why `error` is not a located spec error, if it is not: every error must
/// give a line and column, and a JSON pointer unless the text itself is not
/// YAML (a syntax error is in no node). Errors that say they are a bug in
/// the generator are not acceptable either.
pub fn unlocated(error: &SpecError) -> Option<String> {
    let report = error.report_lines().join("\n");
    let prefix = format!("{}:", error.file());
    let Some(position) = error.position() else {
        return Some(format!("no line and column: {report}"));
    };
    if !report.starts_with(&format!("{prefix}{position}: ")) {
        return Some(format!(
            "the report does not start with file:line:col: {report}"
        ));
    }
    let has_pointer = matches!(error.location(), Location::Node { .. });
    let is_syntax = matches!(error.kind(), SpecErrorKind::InvalidYaml { .. });
    if !has_pointer && !is_syntax {
        return Some(format!("no JSON pointer: {report}"));
    }
    if has_pointer && !report.contains("\n  --> at #") {
        return Some(format!("the pointer is not in the report: {report}"));
    }
    if error.message().contains("a bug") {
        return Some(format!("a generator bug: {report}"));
    }
    None
}

/// Checks `sources` (`(module name, generated code)`) in one scratch crate
/// with warnings denied; `Err` holds Cargo's account of the failure.
///
/// The crate depends on the `c2m-auth` runtime of this workspace and builds
/// offline with its lock file, in the target directory that the root
/// crate's `tests/corpus.rs` also uses, so dependencies build once.
pub fn compile(crate_name: &str, sources: &[(String, String)]) -> Result<(), String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
    let root = base.join(crate_name);
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("src")).map_err(|e| e.to_string())?;
    let mut lib = String::from("#![deny(warnings)]\n//! Generated clients.\n");
    for (module, source) in sources {
        fs::write(root.join(format!("src/{module}.rs")), source).map_err(|e| e.to_string())?;
        lib.push_str(&format!(
            "/// A generated client.\n#[allow(missing_docs)]\npub mod {module} {{\n    include!(\"{module}.rs\");\n}}\n"
        ));
    }
    fs::write(root.join("src/lib.rs"), lib).map_err(|e| e.to_string())?;
    let manifest = format!(
        r#"[package]
name = "{crate_name}"
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
        workspace.display().to_string().replace('\\', "/")
    );
    fs::write(root.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let output = cargo(&root, &base.join("target"))
        .args(["check", "--quiet", "--lib"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(describe(&output))
    }
}

/// Cargo in `dir`, offline, building into `target_dir` without debug info
/// or incremental state (checked, never debugged).
fn cargo(dir: &Path, target_dir: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false");
    command
}

fn describe(output: &Output) -> String {
    format!(
        "cargo exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
