//! What the fuzz tests share: generation under a watchdog, the shape of an
//! acceptable error, and a scratch crate that compiles generated clients
//! with warnings denied, as a user's crate would build them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use c2m_auth_codegen::{Location, SpecError, SpecErrorKind};

// The root crate's nested-Cargo helpers, so that both crates' tests build
// their scratch crates the same way, into the same target directory.
#[path = "../../../tests/nested_cargo/mod.rs"]
mod nested_cargo;

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

/// Why `error` is not a located spec error, if it is not: every error it
/// lists must give a line and column, and a JSON pointer unless the text
/// itself is not YAML (a syntax error is in no node). Errors that say they
/// are a bug in the generator are not acceptable either, nor two errors at
/// one node.
pub fn unlocated(error: &SpecError) -> Option<String> {
    let mut nodes = std::collections::BTreeSet::new();
    for each in error.errors() {
        if let Location::Node { pointer, .. } = each.location()
            && !nodes.insert(pointer.clone())
        {
            return Some(format!("two errors at #{pointer}: {error}"));
        }
        if let Some(problem) = unlocated_one(each) {
            return Some(problem);
        }
    }
    None
}

fn unlocated_one(error: &SpecError) -> Option<String> {
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
    nested_cargo::check_clients(
        &base.join(crate_name),
        &base.join("target"),
        &workspace,
        sources,
    )
}
