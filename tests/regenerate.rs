//! The build as a user runs it: `cargo check` on a copy of this workspace
//! regenerates the client when `spec/auth.yaml` changes, leaves it alone when
//! it does not, and stops with a message naming the file and line (never a
//! panic) when the spec is broken.
//!
//! The copy and its target directory live under Cargo's `target/tmp`, so
//! later runs reuse the compiled dependencies.

mod nested_cargo;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, MutexGuard, PoisonError};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

/// Copies the workspace, minus build output and VCS data, into `to`.
fn copy_workspace(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("list workspace") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name();
        // `.ci` holds the CI tools (a Python venv of symlinks, npm packages).
        if name == "target" || name == ".git" || name == "node_modules" || name == ".ci" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("create directory");
            copy_workspace(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

struct Copy {
    root: PathBuf,
    /// Held while the copy lives. The copies share one target directory
    /// and Cargo gives each the same unit hashes, so one copy's build could
    /// replace the binaries another is about to run: they take turns.
    _turn: MutexGuard<'static, ()>,
}

static TURN: Mutex<()> = Mutex::new(());

impl Copy {
    /// A fresh copy in its own directory, once no other copy lives; all
    /// copies share one target directory.
    fn new(name: &str) -> Self {
        // A test that failed holding the turn leaves it usable.
        let turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
        let root = base.join(name);
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("create copy");
        copy_workspace(Path::new(WORKSPACE), &root);
        Self { root, _turn: turn }
    }

    fn spec(&self) -> PathBuf {
        self.root.join("spec/auth.yaml")
    }

    /// Cargo in the copy, on the crate's library.
    fn cargo(&self, args: &[&str]) -> Output {
        self.cargo_with(&[args, &["-p", "c2m-auth", "--lib"]].concat())
    }

    /// Cargo in the copy, with exactly `args`.
    fn cargo_with(&self, args: &[&str]) -> Output {
        nested_cargo::run(
            nested_cargo::command(&self.root, &self.root.join("../target")).args(args),
        )
    }

    /// `cargo check`, verbose: should the build script rerun when it need
    /// not, Cargo's stderr says which input it took as changed.
    fn cargo_check(&self) -> Output {
        self.cargo(&["check", "--verbose", "--message-format", "json"])
    }

    /// Runs `cargo check`, expecting success, and returns the generated file,
    /// its text and Cargo's account of the build.
    fn generated(&self) -> (PathBuf, String, String) {
        let output = self.cargo_check();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "cargo check failed: {}",
            nested_cargo::describe(&output)
        );
        let out_dir = stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["reason"] == "build-script-executed")
            .filter(|message| {
                message["package_id"]
                    .as_str()
                    .is_some_and(|id| id.contains("c2m-auth") && !id.contains("codegen"))
            })
            .find_map(|message| message["out_dir"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| {
                panic!(
                    "cargo reports no OUT_DIR for the build script: {}",
                    nested_cargo::describe(&output)
                )
            });
        let file = out_dir.join("c2m_auth.rs");
        let source = fs::read_to_string(&file).expect("read generated file");
        (file, source, nested_cargo::describe(&output))
    }

    /// The one-based line of `anchor` in the copy's spec.
    fn line_of(&self, anchor: &str) -> usize {
        let text = fs::read_to_string(self.spec()).expect("read spec");
        let offset = text.find(anchor).expect("anchor in spec");
        text[..offset].matches('\n').count() + 1
    }

    /// Runs `cargo check`, expecting it to fail, and returns its stderr.
    fn failure(&self) -> String {
        let output = self.cargo_check();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !output.status.success(),
            "the broken spec built: {}",
            nested_cargo::describe(&output)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
        stderr
    }
}

/// A schema appended to the spec. The edits below only append to the end of
/// the document, which is `components.schemas`, so this test does not follow
/// edits of the spec's own text.
const PROBE: &str = "    RegenerateProbe:\n      type: object\n      properties:\n        probe_field:\n          type: string\n";

#[test]
fn editing_the_spec_regenerates_and_a_broken_spec_fails_the_build_clearly() {
    let copy = Copy::new("edits");
    let original = fs::read_to_string(copy.spec()).expect("read spec");
    let last_section = original
        .lines()
        .rfind(|line| !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty());
    assert_eq!(
        last_section,
        Some("components:"),
        "these edits append to components.schemas"
    );
    let with = |tail: &str| {
        fs::write(copy.spec(), format!("{original}{tail}")).expect("write spec");
    };

    let (file, source, _) = copy.generated();
    assert!(source.starts_with("// @generated by c2m-auth-codegen from spec/c2m-api-v2-base.yaml with the overlay spec/auth.yaml"));
    assert!(!source.contains("probe_field"));

    // Nothing changed: the generated file is left alone.
    let modified = fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    let (_, unchanged, report) = copy.generated();
    assert_eq!(unchanged, source);
    assert_eq!(
        fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified,
        "an unchanged spec rewrote the generated file: {report}"
    );

    // A new schema and field in the spec are a new type and field in the
    // client on the next build.
    with(PROBE);
    let (_, regenerated, _) = copy.generated();
    assert!(regenerated.contains("pub struct RegenerateProbe"));
    assert!(regenerated.contains("pub probe_field: ::std::option::Option<::std::string::String>"));

    // Invalid YAML: file, line and column, and a hint.
    with("   broken: [unclosed\n");
    let stderr = copy.failure();
    let line = copy.line_of("   broken:");
    assert!(
        stderr.contains(&format!("error: c2m-auth@0.1.0: spec/auth.yaml:{line}:")),
        "expected line {line}: {stderr}"
    );
    assert!(stderr.contains("invalid YAML"), "{stderr}");
    assert!(stderr.contains("= hint: "), "{stderr}");

    // A dangling reference: file, line and column, and the JSON pointer;
    // and beside it, in the same build, a pattern that does not compile.
    with(
        "    RegenerateProbe:\n      $ref: '#/components/schemas/NoSuchSchema'\n    RegenerateOther:\n      type: string\n      pattern: '(unclosed'\n",
    );
    let stderr = copy.failure();
    let line = copy.line_of("pattern: '(unclosed'");
    assert!(
        stderr.contains(&format!(
            "spec/auth.yaml:{line}:7: `pattern: (unclosed` is not"
        )),
        "expected line {line}: {stderr}"
    );
    assert!(
        stderr.contains("--> at #/components/schemas/RegenerateOther/pattern"),
        "{stderr}"
    );
    let line = copy.line_of("NoSuchSchema'");
    assert!(
        stderr.contains(&format!("spec/auth.yaml:{line}:")),
        "expected line {line}: {stderr}"
    );
    assert!(
        stderr.contains("--> at #/components/schemas/RegenerateProbe/$ref"),
        "{stderr}"
    );

    // Fixed again: the build succeeds.
    with("");
    copy.generated();
}

#[test]
fn an_example_that_no_longer_fits_fails_the_tests_naming_it() {
    let copy = Copy::new("example");
    let original = fs::read_to_string(copy.spec()).expect("read spec");
    let probe = format!("{PROBE}      example:\n        probe_field: 42\n");
    fs::write(copy.spec(), format!("{original}{probe}")).expect("write spec");
    let output = copy.cargo(&["test", "--quiet", "spec_examples"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = nested_cargo::describe(&output);
    assert!(
        stdout.contains("running "),
        "the tests did not build: {report}"
    );
    assert!(
        !output.status.success(),
        "the misfit example passed: {report}"
    );
    assert!(
        stdout.contains("example `example` of the `RegenerateProbe` schema does not fit"),
        "{report}"
    );
    assert!(stdout.contains("at `probe_field`"), "{report}");
    // Only that example's test fails.
    assert!(
        stdout.contains("schema_regenerate_probe_example"),
        "{report}"
    );
    assert!(stdout.contains("1 failed"), "{report}");
}

/// Changes the report calls compatible, all at once, on the live spec:
/// an optional field on a request and on a response, a value on a request
/// enum and on a response enum, an operation's first response header and
/// one beside another.
const COMPATIBLE_EDITS: &[(&str, &str)] = &[
    (
        "        long_token:\n",
        "        audience:\n          type: string\n        long_token:\n",
    ),
    (
        "          description: Lifetime in seconds (e.g. 900).\n",
        "          description: Lifetime in seconds (e.g. 900).\n        issued_at:\n          type: string\n",
    ),
    (
        "enum: [client_credentials, assertion]",
        "enum: [client_credentials, assertion, refresh_token]",
    ),
    (
        "          enum: [Bearer]\n        access_token:\n          type: string\n          format: password\n          description: The long-term token",
        "          enum: [Bearer, DPoP]\n        access_token:\n          type: string\n          format: password\n          description: The long-term token",
    ),
    (
        "          description: Short-term token issued\n",
        "          description: Short-term token issued\n          headers:\n            X-Token-Id:\n              schema:\n                type: string\n",
    ),
    (
        "            X-Token-Id:\n              # chosen",
        "            X-Request-Id:\n              schema:\n                type: string\n            X-Token-Id:\n              # chosen",
    ),
];

/// The hand-written code (runtime, session, sandbox, examples, tests and
/// benches) builds generated types with `new`, matches enums with a
/// wildcard arm and names headers structs that always exist, so a change
/// the report calls compatible leaves all of it compiling.
#[test]
fn compatible_spec_changes_leave_the_hand_written_code_compiling() {
    let copy = Copy::new("compatible");
    let original = fs::read_to_string(copy.spec()).expect("read spec");
    let mut edited = original.clone();
    for (from, to) in COMPATIBLE_EDITS {
        assert_eq!(edited.matches(from).count(), 1, "anchor {from:?}");
        edited = edited.replacen(from, to, 1);
    }
    let old = c2m_auth_codegen::load_document(&original, "old.yaml").expect("the spec loads");
    let new = c2m_auth_codegen::load_document(&edited, "new.yaml").expect("the edit loads");
    let report = c2m_auth_codegen::diff::compare(&old, &new);
    assert!(
        !report.is_breaking() && report.changes.len() >= COMPATIBLE_EDITS.len(),
        "the premise: the report calls every edit compatible\n{}",
        report.to_markdown("old", "new")
    );
    fs::write(copy.spec(), edited).expect("write spec");
    let output = copy.cargo_with(&[
        "check",
        "-p",
        "c2m-auth",
        "--all-targets",
        "--features",
        "sandbox",
    ]);
    assert!(
        output.status.success(),
        "hand-written code broke on a compatible change: {}",
        nested_cargo::describe(&output)
    );
    // And it still works: the sandbox, the session and the client against
    // each other (the snapshot test, by design, would see the change).
    let output = copy.cargo_with(&[
        "test",
        "-p",
        "c2m-auth",
        "--features",
        "sandbox",
        "--lib",
        "--test",
        "operations",
        "--test",
        "session",
    ]);
    assert!(
        output.status.success(),
        "the tests fail after a compatible change: {}",
        nested_cargo::describe(&output)
    );
}
