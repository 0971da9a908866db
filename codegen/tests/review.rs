//! `c2m-auth-codegen review BASE HEAD` on a scratch git repository: the
//! report's sections, its exit status by the version check, and its errors
//! for revisions, files and specs it cannot use.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod frozen_spec;

use frozen_spec::{SPEC, edited};

/// The base document the overlay `spec/auth.yaml` is merged into: a small
/// stand-in for upstream's, with one job operation of its own.
const BASE: &str = "openapi: 3.0.3
info:
  title: Jobs
  version: '1'
paths:
  /jobs:
    post:
      operationId: submitJob
      security: []
      responses:
        '204':
          description: accepted
";
const BASE_PATH: &str = "spec/c2m-api-v2-base.yaml";

const MANIFEST: &str = "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";

/// A removed credential alternative: breaking.
const BREAKING: (&str, &str) = ("        - ClientKey: []\n", "");
/// An optional field added to a request type: compatible.
const COMPATIBLE: (&str, &str) = (
    "      properties:\n        long_token:\n",
    "      properties:\n        audience:\n          type: string\n        long_token:\n",
);

struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A fresh repository, or `None` (with a note) when git cannot run.
    fn new(name: &str) -> Option<Scratch> {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("git is not installed: the review command is not exercised");
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("c2m-auth-review-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("spec")).unwrap();
        let scratch = Scratch { dir };
        scratch.git(&["init", "-q"]);
        scratch.git(&["config", "user.name", "Review Test"]);
        scratch.git(&["config", "user.email", "review@example.invalid"]);
        scratch.git(&["config", "commit.gpgsign", "false"]);
        Some(scratch)
    }

    fn git(&self, args: &[&str]) {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Writes the files (`None` deletes one) and commits them under `tag`.
    fn commit(&self, tag: &str, files: &[(&str, Option<&str>)]) {
        for (path, text) in files {
            let path = self.dir.join(path);
            match text {
                Some(text) => std::fs::write(&path, text).unwrap(),
                None => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        self.git(&["add", "-A", "."]);
        self.git(&["commit", "-q", "--allow-empty", "-m", tag]);
        self.git(&["tag", tag]);
    }

    fn review(&self, base: &str, head: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
            .args(["review", base, head])
            .current_dir(&self.dir)
            .output()
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// base: the spec at 0.1.0; compatible: an optional request field added;
/// breaking: a credential alternative removed on top, still 0.1.0;
/// bumped: the same at 0.2.0.
fn history(scratch: &Scratch) {
    let bumped = MANIFEST.replace("0.1.0", "0.2.0");
    let compatible = edited(&[COMPATIBLE]);
    let breaking = edited(&[COMPATIBLE, BREAKING]);
    scratch.commit(
        "base",
        &[
            (BASE_PATH, Some(BASE)),
            ("spec/auth.yaml", Some(SPEC)),
            ("Cargo.toml", Some(MANIFEST)),
        ],
    );
    scratch.commit("compatible", &[("spec/auth.yaml", Some(&compatible))]);
    scratch.commit("breaking", &[("spec/auth.yaml", Some(&breaking))]);
    scratch.commit("bumped", &[("Cargo.toml", Some(&bumped))]);
}

#[test]
fn a_report_has_the_version_the_verdicts_the_spec_diff_and_the_api_diff() {
    let Some(scratch) = Scratch::new("sections") else {
        return;
    };
    history(&scratch);
    let output = scratch.review("compatible", "breaking");
    let report = stdout(&output);
    assert!(
        report.starts_with("<!-- c2m-auth-spec-review -->\n# Spec review: `compatible ("),
        "{report}"
    );
    // The verdict table.
    assert!(
        report.contains(
            "### API changes: `spec/c2m-api-v2-base.yaml@compatible` → `spec/c2m-api-v2-base.yaml@breaking`"
        ),
        "{report}"
    );
    assert!(
        report.contains("| verdict | file | where | change |"),
        "{report}"
    );
    assert!(
        report.contains(
            "| **breaking** | spec/auth.yaml | operation `issueLongTermToken` security |"
        ),
        "{report}"
    );
    assert!(
        report.contains("Version bump needed: **major**"),
        "{report}"
    );
    // The spec's unified diff.
    let spec = section(&report, "### Spec diff");
    assert!(
        spec.contains("--- spec/auth.yaml@compatible\n+++ spec/auth.yaml@breaking\n"),
        "{spec}"
    );
    assert!(spec.contains("\n-        - ClientKey: []\n"), "{spec}");
    // The public API: the credential trait is no longer implemented for
    // the client key, and nothing else moves.
    let api = section(&report, "### Generated public API");
    assert!(api.starts_with("0 added, 1 removed, 0 changed."), "{api}");
    assert!(
        api.contains("- impl IssueLongTermTokenCredential for security::ClientKey"),
        "{api}"
    );
    assert!(api.lines().count() < 20, "{api}");

    let output = scratch.review("base", "compatible");
    let report = stdout(&output);
    let api = section(&report, "### Generated public API");
    assert!(
        api.contains("+ field types::ShortTokenRequest.audience"),
        "{api}"
    );
}

/// The text after `heading`, up to the next `###`.
fn section<'r>(report: &'r str, heading: &str) -> &'r str {
    let start = report
        .find(heading)
        .map(|i| i + heading.len())
        .unwrap_or_else(|| panic!("no {heading} in {report}"));
    let rest = report[start..].trim_start();
    rest.find("\n### ").map_or(rest, |end| &rest[..end])
}

#[test]
fn only_a_breaking_change_without_its_bump_fails() {
    let Some(scratch) = Scratch::new("exit") else {
        return;
    };
    history(&scratch);

    let output = scratch.review("compatible", "breaking");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("❌ `0.1.0` → `0.1.0` is too small: a major bump to `0.2.0` or later is needed, for\n- operation `issueLongTermToken` security: no longer accepts `ClientKey`"),
        "{report}"
    );
    assert!(stderr(&output).contains("version bump is too small"));

    let output = scratch.review("compatible", "bumped");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("✅ `0.1.0` → `0.2.0` is enough for a major change"));

    let output = scratch.review("base", "compatible");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("✅ The version stays `0.1.0`: fine for a minor change"));

    let output = scratch.review("base", "base");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("No change to the generated API."),
        "{report}"
    );
    assert!(report.contains("The spec is unchanged."), "{report}");
    assert!(
        report.contains("No change to the generated public API."),
        "{report}"
    );
}

#[test]
fn bad_inputs_are_named_with_where_they_are() {
    let Some(scratch) = Scratch::new("errors") else {
        return;
    };
    let broken = SPEC.replacen("paths:\n", "paths:\n  - [unclosed\n", 1);
    scratch.commit("nothing", &[("Cargo.toml", Some(MANIFEST))]);
    scratch.commit(
        "base",
        &[(BASE_PATH, Some(BASE)), ("spec/auth.yaml", Some(SPEC))],
    );
    scratch.commit("broken", &[("spec/auth.yaml", Some(&broken))]);

    let failed = |output: &Output, expected: &str| {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
        assert!(stderr(output).contains(expected), "{}", stderr(output));
        assert!(!stderr(output).contains("panicked"), "{}", stderr(output));
        // The report says so too, for the pull request's comment.
        let report = stdout(output);
        assert!(
            report.starts_with("<!-- c2m-auth-spec-review -->\n"),
            "{report}"
        );
        assert!(
            report.contains("❌ The review could not run") && report.contains(expected),
            "{report}"
        );
    };

    failed(
        &scratch.review("base", "no-such-revision"),
        "revision `no-such-revision` does not exist in the git repository",
    );
    failed(
        &scratch.review("nothing", "base"),
        "spec/c2m-api-v2-base.yaml does not exist at revision `nothing (",
    );
    let line = broken.lines().position(|l| l == "  - [unclosed").unwrap() + 2;
    let output = scratch.review("base", "broken");
    failed(&output, &format!("spec/auth.yaml@broken:{line}:"));
    let output = scratch.review("broken", "base");
    failed(&output, "spec/auth.yaml@broken:");
    // Valid YAML that the generator refuses is located too.
    let duplicate = SPEC.replacen(
        "operationId: revokeToken",
        "operationId: issueShortTermToken",
        1,
    );
    scratch.commit("duplicate", &[("spec/auth.yaml", Some(&duplicate))]);
    let line = SPEC
        .lines()
        .position(|l| l.contains("operationId: revokeToken"))
        .unwrap()
        + 1;
    failed(
        &scratch.review("base", "duplicate"),
        &format!("spec/auth.yaml@duplicate:{line}:"),
    );
    scratch.git(&["rm", "-q", "Cargo.toml"]);
    scratch.commit("unversioned", &[]);
    failed(
        &scratch.review("base", "unversioned"),
        "Cargo.toml does not exist at revision `unversioned (",
    );
    assert!(Path::new(&scratch.dir).exists());
}

/// Each change is named by the file whose edit makes it: the base's new
/// operation by the base, the overlay's new field by the overlay.
#[test]
fn each_change_names_the_file_it_comes_from() {
    let Some(scratch) = Scratch::new("files") else {
        return;
    };
    history(&scratch);
    let more_jobs = BASE.to_string()
        + "  /jobs/{id}:\n    get:\n      operationId: getJob\n      security: []\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204':\n          description: found\n";
    scratch.commit(
        "both",
        &[
            (BASE_PATH, Some(&more_jobs)),
            ("spec/auth.yaml", Some(&edited(&[COMPATIBLE]))),
        ],
    );
    let output = scratch.review("base", "both");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("| compatible | spec/c2m-api-v2-base.yaml | operation `getJob` | added: GET /jobs/{id} |"),
        "{report}"
    );
    assert!(
        report.contains("| compatible | spec/auth.yaml | `ShortTokenRequest.audience` |"),
        "{report}"
    );
    let spec = section(&report, "### Spec diff");
    assert!(
        spec.contains("+++ spec/c2m-api-v2-base.yaml@both\n"),
        "{spec}"
    );
    assert!(spec.contains("+++ spec/auth.yaml@both\n"), "{spec}");
}

#[test]
fn diff_checks_a_proposed_version() {
    let dir = std::env::temp_dir().join(format!("c2m-auth-check-version-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (old, new, manifest) = (
        dir.join("old.yaml"),
        dir.join("new.yaml"),
        dir.join("Cargo.toml"),
    );
    std::fs::write(&old, SPEC).unwrap();
    std::fs::write(&new, edited(&[BREAKING])).unwrap();
    std::fs::write(&manifest, MANIFEST.replace("0.1.0", "0.2.0")).unwrap();
    let run = |from: &str, to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .arg("--check-version")
            .arg(from)
            .arg(to)
            .output()
            .unwrap()
    };
    let output = run("0.1.0", Path::new("0.1.3"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("`0.1.0` → `0.1.3` is too small: a major bump to `0.2.0` or later is needed, for\n- operation `issueLongTermToken` security: no longer accepts `ClientKey`"),
        "{}",
        stderr(&output)
    );
    let output = run("0.1.0", &manifest);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("**Version:** ✅ `0.1.0` → `0.2.0` is enough for a major change")
    );
    let output = run("0.1", &manifest);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`0.1` is neither a version nor a readable Cargo.toml"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn commit_ids_are_named_short() {
    let Some(scratch) = Scratch::new("ids") else {
        return;
    };
    history(&scratch);
    let id = |tag: &str| {
        let output = Command::new("git")
            .arg("-C")
            .arg(&scratch.dir)
            .args(["rev-parse", tag])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    let (base, head) = (id("base"), id("compatible"));
    let output = scratch.review(&base, &head);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    let title = format!("# Spec review: `{}` → `{}`\n", &base[..10], &head[..10]);
    assert!(report.contains(&title), "{report}");
    assert!(
        report.contains(&format!("--- spec/auth.yaml@{}\n", &base[..10])),
        "{report}"
    );
}
