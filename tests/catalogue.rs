//! The change report checked against the compiler and cargo-semver-checks,
//! over a catalogue of single changes to the spec.
//!
//! For each change: the report's verdict; whether user code written against
//! the unchanged client (`tests/catalogue/probe.rs`: response and header
//! values built with `new`, every enum variant matched, every result type
//! named, every method called) still compiles against the changed spec's client; and whether
//! `cargo semver-checks` asks for a major bump between the two clients. It
//! fails when the report says compatible and either oracle sees a break, and
//! when the report says breaking, both see nothing and the entry does not
//! say why.
//!
//! Each client is generated into a scratch crate, `c2m-api`, that depends on
//! this crate's runtime by path, under Cargo's `target/tmp` and sharing the
//! target directory of `tests/corpus.rs` and `tests/regenerate.rs`. The
//! compatible changes are compiled together, and one by one only when that
//! fails. cargo-semver-checks compares rustdoc JSON of the two clients; where
//! it is not installed, the output says so and only the probe judges.
//! `cargo test --test catalogue -- --nocapture` prints the table.

mod nested_cargo;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use c2m_auth_codegen::diff::{Report, compare};
use c2m_auth_codegen::{generate_from_str, load_document};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");
/// The unchanged spec: the generator's frozen copy of `spec/auth.yaml`, which
/// the probe is written against.
const SPEC: &str = include_str!("../codegen/tests/fixtures/auth.yaml");
const PROBE: &str = include_str!("catalogue/probe.rs");

/// One change to the spec.
struct Entry {
    name: &'static str,
    /// `(from, to)` text edits of the spec; each `from` occurs exactly once.
    edits: &'static [(&'static str, &'static str)],
    /// Why the report calls it breaking though neither the probe nor
    /// cargo-semver-checks can see it (a change of behaviour, not of types).
    why: Option<&'static str>,
}

const fn entry(name: &'static str, edits: &'static [(&'static str, &'static str)]) -> Entry {
    Entry {
        name,
        edits,
        why: None,
    }
}

const fn unseen(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    why: &'static str,
) -> Entry {
    Entry {
        name,
        edits,
        why: Some(why),
    }
}

const LONG_RESPONSE_REQUIRED: &str = "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at]";
const SHORT_RESPONSE_REQUIRED: &str = "      description: A short-term access token.\n      required: [token_type, access_token, expires_in, expires_at]";
const TOKEN_ID: &str = "        token_id:\n          type: string\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:";

const CATALOGUE: &[Entry] = &[
    // Schemas.
    entry(
        "schema added",
        &[(
            "  schemas:\n",
            "  schemas:\n    TokenInfo:\n      type: object\n      properties:\n        note:\n          type: string\n",
        )],
    ),
    // Properties, in requests and responses, both directions.
    entry(
        "optional field added to a request type",
        &[(
            "        long_token:\n",
            "        audience:\n          type: string\n        long_token:\n",
        )],
    ),
    entry(
        "required field added to a request type",
        &[
            (
                "      required: [grant_type, client_id]\n",
                "      required: [grant_type, client_id, audience]\n",
            ),
            (
                "      properties:\n        grant_type:\n",
                "      properties:\n        audience:\n          type: string\n        grant_type:\n",
            ),
        ],
    ),
    entry(
        "optional field added to a response type",
        &[(
            "          description: Lifetime in seconds (e.g. 900).\n",
            "          description: Lifetime in seconds (e.g. 900).\n        issued_at:\n          type: string\n",
        )],
    ),
    entry(
        "required field added to a response type",
        &[
            (
                SHORT_RESPONSE_REQUIRED,
                "      description: A short-term access token.\n      required: [token_type, access_token, expires_in, expires_at, issued_at]",
            ),
            (
                "          description: Lifetime in seconds (e.g. 900).\n",
                "          description: Lifetime in seconds (e.g. 900).\n        issued_at:\n          type: string\n",
            ),
        ],
    ),
    entry(
        "field removed from a response type",
        &[(TOKEN_ID, "    ShortTokenRequest:")],
    ),
    entry(
        "optional request field becomes required",
        &[(
            "      required: [grant_type, client_id]\n",
            "      required: [grant_type, client_id, ttl_seconds]\n",
        )],
    ),
    entry(
        "required request field becomes optional",
        &[(
            "      required: [grant_type, client_id]\n",
            "      required: [grant_type]\n",
        )],
    ),
    entry(
        "optional response field becomes required",
        &[(
            LONG_RESPONSE_REQUIRED,
            "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at, token_id]",
        )],
    ),
    entry(
        "required response field becomes optional",
        &[(
            LONG_RESPONSE_REQUIRED,
            "      description: A long-term token.\n      required: [token_type, access_token, expires_at]",
        )],
    ),
    entry(
        "response field's type changes",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: string\n          description: Lifetime in seconds.\n",
        )],
    ),
    // Enums.
    entry(
        "value added to a request enum",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials, assertion, refresh_token]",
        )],
    ),
    entry(
        "value `unknown` added to a request enum (it takes the catch-all's name)",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials, assertion, unknown]",
        )],
    ),
    entry(
        "value removed from a request enum",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials]",
        )],
    ),
    entry(
        "value added to a response enum",
        &[(
            "      required: [token_type, access_token, expires_in, expires_at]\n      properties:\n        token_type:\n          type: string\n          enum: [Bearer]\n        access_token:\n          type: string\n          format: password\n          description: The long-term token",
            "      required: [token_type, access_token, expires_in, expires_at]\n      properties:\n        token_type:\n          type: string\n          enum: [Bearer, DPoP]\n        access_token:\n          type: string\n          format: password\n          description: The long-term token",
        )],
    ),
    // Nullability.
    entry(
        "response field becomes nullable",
        &[(
            "          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
            "          nullable: true\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
        )],
    ),
    entry(
        "required response field becomes nullable",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: integer\n          nullable: true\n          description: Lifetime in seconds.\n",
        )],
    ),
    // Formats.
    entry(
        "request field becomes secret (`format: password`)",
        &[(
            "          description: Client identifier issued by Click2Mail.\n",
            "          format: password\n          description: Client identifier issued by Click2Mail.\n",
        )],
    ),
    entry(
        "response field gains `format: uuid`",
        &[(
            "          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
            "          format: uuid\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
        )],
    ),
    // Bounds.
    unseen(
        "request bound tightened",
        &[("          maximum: 7776000", "          maximum: 2592000")],
        "a refusal at run time, not a type change: a request that passed is refused before sending",
    ),
    entry(
        "request bound loosened",
        &[("          minimum: 3600", "          minimum: 60")],
    ),
    entry(
        "response integer bound added",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: integer\n          maximum: 99999999\n          description: Lifetime in seconds.\n",
        )],
    ),
    entry(
        "response integer gains `minimum: 0` (`u64` replaces `i64`)",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: integer\n          minimum: 0\n          description: Lifetime in seconds.\n",
        )],
    ),
    entry(
        "response string bound added (a newtype replaces `String`)",
        &[(
            "          description: A human-readable explanation.\n",
            "          description: A human-readable explanation.\n          maxLength: 500\n",
        )],
    ),
    // Operations.
    entry(
        "operation added",
        &[(
            "components:\n  securitySchemes:",
            "  /auth/tokens:\n    get:\n      operationId: listTokens\n      responses:\n        '204':\n          description: none\ncomponents:\n  securitySchemes:",
        )],
    ),
    entry(
        "operation removed",
        &[(
            "  /auth/tokens/{tokenId}/revoke:\n    post:",
            "  /auth/tokens/{tokenId}/revoke:\n    x-removed:",
        )],
    ),
    entry(
        "operationId renamed",
        &[("operationId: revokeToken", "operationId: revokeAnyToken")],
    ),
    entry(
        "operation's path changes",
        &[(
            "  /auth/tokens/{tokenId}/revoke:",
            "  /auth/tokens/{tokenId}/revocation:",
        )],
    ),
    entry(
        "token operation's path changes (it leaves its `tokenUrl`)",
        &[("  /auth/tokens/short:", "  /auth/tokens/exchange:")],
    ),
    // Parameters.
    entry(
        "optional query parameter added",
        &[(
            "      parameters:\n        - name: tokenId\n",
            "      parameters:\n        - name: reason\n          in: query\n          schema:\n            type: string\n        - name: tokenId\n",
        )],
    ),
    entry(
        "optional header parameter added",
        &[(
            "      parameters:\n        - name: tokenId\n",
            "      parameters:\n        - name: X-Request-Id\n          in: header\n          schema:\n            type: string\n        - name: tokenId\n",
        )],
    ),
    entry(
        "path parameter's type changes",
        &[(
            "          description: The token ID to revoke\n          schema:\n            type: string\n",
            "          description: The token ID to revoke\n          schema:\n            type: integer\n",
        )],
    ),
    // Request bodies.
    entry(
        "optional request body becomes required",
        &[(
            "      requestBody:\n        required: false",
            "      requestBody:\n        required: true",
        )],
    ),
    entry(
        "request body added",
        &[(
            "      parameters:\n        - name: tokenId\n",
            "      requestBody:\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/ShortTokenRequest'\n      parameters:\n        - name: tokenId\n",
        )],
    ),
    // Responses and statuses.
    entry(
        "error status added",
        &[(
            "        '404':\n          $ref: '#/components/responses/Error404'\n",
            "        '404':\n          $ref: '#/components/responses/Error404'\n        '409':\n          $ref: '#/components/responses/Error400'\n",
        )],
    ),
    entry(
        "success response gains a body",
        &[(
            "        '204':\n          description: Revoked (idempotent)\n",
            "        '204':\n          description: Revoked (idempotent)\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/AuthError'\n",
        )],
    ),
    // Response headers.
    entry(
        "response header added beside another",
        &[(
            "            X-Token-Id:\n",
            "            X-Request-Id:\n              schema:\n                type: string\n            X-Token-Id:\n",
        )],
    ),
    entry(
        "first response header of an operation added",
        &[(
            "          description: Short-term token issued\n",
            "          description: Short-term token issued\n          headers:\n            X-Token-Id:\n              schema:\n                type: string\n",
        )],
    ),
    entry(
        "required response header added",
        &[(
            "            X-Token-Id:\n",
            "            X-Request-Id:\n              required: true\n              schema:\n                type: string\n            X-Token-Id:\n",
        )],
    ),
    entry(
        "first response header of a body-less operation added",
        &[(
            "          description: Revoked (idempotent)\n",
            "          description: Revoked (idempotent)\n          headers:\n            X-Revoked-At:\n              schema:\n                type: string\n                format: date-time\n",
        )],
    ),
    entry(
        "response header removed",
        &[("            X-Token-Id:\n", "            X-Token-Ref:\n")],
    ),
    entry(
        "response header becomes required",
        &[(
            "            X-Token-Id:\n",
            "            X-Token-Id:\n              required: true\n",
        )],
    ),
    // Security.
    entry(
        "security alternative added",
        &[(
            "      security:\n        - LongTokenAuth: []\n",
            "      security:\n        - LongTokenAuth: []\n        - ClientKey: []\n",
        )],
    ),
    entry(
        "security alternative removed",
        &[("        - ClientKey: []\n", "")],
    ),
    entry(
        "required scopes change",
        &[(
            "        - ShortTokenAuth: ['tokens:write']",
            "        - ShortTokenAuth: ['tokens:admin']",
        )],
    ),
    // Servers.
    entry(
        "server added",
        &[(
            "    description: Example host used by the published clients' documentation\n",
            "    description: Example host used by the published clients' documentation\n  - url: https://sandbox.click2mail.com/v2\n    description: Sandbox\n",
        )],
    ),
    unseen(
        "default server's URL changes",
        &[(
            "  - url: https://api.click2mail.com/v2\n",
            "  - url: https://api-eu.click2mail.com/v2\n",
        )],
        "a change of behaviour, not of types: `Server::Production` sends requests elsewhere",
    ),
    entry(
        "server description reworded (its variant is renamed)",
        &[(
            "    description: Example host used by",
            "    description: Documentation host used by",
        )],
    ),
];

/// The spec with `edits` applied to `text`, or `None` when an edit's `from`
/// does not occur exactly once.
fn apply(text: &str, edits: &[(&str, &str)]) -> Option<String> {
    let mut text = text.to_string();
    for (from, to) in edits {
        if text.matches(from).count() != 1 {
            return None;
        }
        text = text.replacen(from, to, 1);
    }
    Some(text)
}

/// What the compiler says of the probe.
#[derive(Clone, Debug, PartialEq)]
enum Probe {
    Compiles,
    /// The error codes it reports.
    Fails(Vec<String>),
}

/// What cargo-semver-checks says between the unchanged client and a changed one.
#[derive(Clone, Debug, PartialEq)]
enum Semver {
    NotInstalled,
    /// No major bump needed (a minor one may be).
    NoMajor(String),
    /// A major bump, with the lints that ask for it.
    Major(Vec<String>),
}

/// The scratch workspace: `api` (the generated client) and `probe`.
struct Scratch {
    root: PathBuf,
    target: PathBuf,
}

const API_MANIFEST: &str = r#"[package]
name = "c2m-api"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
path = "lib.rs"

[dependencies]
c2m-auth = { path = "WORKSPACE" }
"#;

const PROBE_MANIFEST: &str = r#"[package]
name = "c2m-probe"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
path = "lib.rs"

[dependencies]
c2m-api = { path = "../api" }
c2m-auth = { path = "WORKSPACE" }
reqwest = { version = "0.13", default-features = false }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["std"] }
"#;

impl Scratch {
    fn new() -> Self {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regenerate");
        let root = base.join("catalogue");
        let _ = fs::remove_dir_all(&root);
        let workspace = WORKSPACE.replace('\\', "/");
        for (dir, manifest, lib) in [
            (
                "api",
                API_MANIFEST,
                "//! A client generated from one variant of the spec.\n#![allow(missing_docs)]\ninclude!(\"generated.rs\");\n",
            ),
            ("probe", PROBE_MANIFEST, PROBE),
        ] {
            fs::create_dir_all(root.join(dir)).expect("create the scratch crate");
            fs::write(
                root.join(dir).join("Cargo.toml"),
                // The client also gets what generated code needs.
                match dir {
                    "api" => format!("{manifest}{}", nested_cargo::CLIENT_DEPENDENCIES),
                    _ => manifest.to_string(),
                }
                .replace("WORKSPACE", &workspace),
            )
            .expect("write Cargo.toml");
            fs::write(root.join(dir).join("lib.rs"), lib).expect("write lib.rs");
        }
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"api\", \"probe\"]\nresolver = \"3\"\n",
        )
        .expect("write the workspace manifest");
        // The workspace's lock file pins the same versions, offline.
        fs::copy(
            Path::new(WORKSPACE).join("Cargo.lock"),
            root.join("Cargo.lock"),
        )
        .expect("copy Cargo.lock");
        // rustdoc's JSON output is unstable: allowed for rustdoc only, so
        // the dependencies' build scripts see the same environment as in a
        // plain `cargo check` and are not rebuilt.
        let wrapper = root.join("rustdoc-json");
        fs::write(
            &wrapper,
            "#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec rustdoc \"$@\"\n",
        )
        .expect("write the rustdoc wrapper");
        make_executable(&wrapper);
        Self {
            root,
            target: base.join("target"),
        }
    }

    /// Generates the client of `spec` into the `api` crate.
    fn set_spec(&self, spec: &str) {
        let source = generate_from_str(spec, "auth.yaml").unwrap_or_else(|e| panic!("{e}"));
        fs::write(self.root.join("api/generated.rs"), source).expect("write generated code");
    }

    fn cargo(&self) -> Command {
        nested_cargo::command(&self.root, &self.target)
    }

    /// Checks the probe against the current client; the client itself must
    /// compile.
    fn probe(&self) -> Probe {
        let output = nested_cargo::run(self.cargo().args([
            "check",
            "--quiet",
            "-p",
            "c2m-probe",
            "--message-format",
            "short",
        ]));
        if output.status.success() {
            return Probe::Compiles;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("could not compile `c2m-api`") && stderr.contains("c2m-probe"),
            "the generated client does not compile, or the probe fails for a reason of its own: {}",
            nested_cargo::describe(&output)
        );
        let mut codes: Vec<String> = stderr
            .match_indices("error[E")
            .map(|(at, _)| stderr[at + 6..at + 11].to_string())
            .collect();
        codes.sort();
        codes.dedup();
        if codes.is_empty() {
            codes.push("error".to_string());
        }
        Probe::Fails(codes)
    }

    /// The current client's rustdoc JSON, copied to `name`.
    fn rustdoc(&self, name: &str) -> PathBuf {
        let output = nested_cargo::run(
            self.cargo()
                .env("RUSTDOC", self.root.join("rustdoc-json"))
                .args([
                    "rustdoc",
                    "--quiet",
                    "-p",
                    "c2m-api",
                    "--lib",
                    "--",
                    "-Zunstable-options",
                    "--output-format",
                    "json",
                ]),
        );
        assert!(
            output.status.success(),
            "rustdoc JSON of the client: {}",
            nested_cargo::describe(&output)
        );
        let to = self.root.join(name);
        fs::copy(self.target.join("doc/c2m_api.json"), &to).expect("copy the rustdoc JSON");
        to
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod the wrapper");
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// `cargo semver-checks`, when it is installed: its version.
fn semver_checks_version() -> Option<String> {
    let output = Command::new(cargo())
        .args(["semver-checks", "--version"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// cargo-semver-checks between two rustdoc JSON files.
fn semver_checks(scratch: &Scratch, baseline: &Path, current: &Path) -> Semver {
    let output: Output = Command::new(cargo())
        .current_dir(&scratch.root)
        .env("CARGO_TERM_COLOR", "never")
        .args(["semver-checks", "--color", "never", "--baseline-rustdoc"])
        .arg(baseline)
        .arg("--current-rustdoc")
        .arg(current)
        .output()
        .expect("run cargo semver-checks");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if text.contains("requires new major version") {
        let mut lints: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--- failure "))
            .filter_map(|l| l.split(':').next())
            .map(str::to_string)
            .collect();
        lints.dedup();
        return Semver::Major(lints);
    }
    assert!(
        output.status.success() || text.contains("requires new minor version"),
        "cargo semver-checks failed: {text}"
    );
    Semver::NoMajor(if text.contains("requires new minor version") {
        "minor".to_string()
    } else {
        "none".to_string()
    })
}

/// One change's verdicts.
struct Row {
    name: &'static str,
    breaking: bool,
    probe: Probe,
    semver: Semver,
    together: bool,
    why: Option<&'static str>,
}

impl Row {
    fn problem(&self) -> Option<String> {
        let probe_breaks = self.probe != Probe::Compiles;
        let semver_breaks = matches!(self.semver, Semver::Major(_));
        if !self.breaking && (probe_breaks || semver_breaks) {
            return Some(format!(
                "{}: the report says compatible, but {:?} / {:?}",
                self.name, self.probe, self.semver
            ));
        }
        if self.breaking && !probe_breaks && !semver_breaks && self.why.is_none() {
            return Some(format!(
                "{}: the report says breaking, the probe compiles and semver-checks sees no major change ({:?}), and the catalogue does not say why",
                self.name, self.semver
            ));
        }
        if self.why.is_some() && (probe_breaks || semver_breaks) {
            return Some(format!(
                "{}: the catalogue says neither oracle sees it, but {:?} / {:?}",
                self.name, self.probe, self.semver
            ));
        }
        None
    }

    fn line(&self) -> String {
        let report = if self.breaking {
            "**breaking**"
        } else {
            "compatible"
        };
        let probe = match &self.probe {
            Probe::Compiles if self.together => "compiles (with every compatible change)".into(),
            Probe::Compiles => "compiles".to_string(),
            Probe::Fails(codes) => format!("fails ({})", codes.join(", ")),
        };
        let semver = match &self.semver {
            Semver::NotInstalled => "not installed".to_string(),
            Semver::NoMajor(bump) if self.together => {
                format!("no major bump ({bump}, with every compatible change)")
            }
            Semver::NoMajor(bump) => format!("no major bump ({bump})"),
            Semver::Major(lints) => format!("major ({})", lints.join(", ")),
        };
        let why = self.why.map(|w| format!(" — {w}")).unwrap_or_default();
        format!("| {}{why} | {report} | {probe} | {semver} |", self.name)
    }
}

/// Probe and semver-checks for the current client.
fn judge(scratch: &Scratch, baseline: Option<&Path>) -> (Probe, Semver) {
    let probe = scratch.probe();
    let semver = match baseline {
        Some(baseline) => {
            let current = scratch.rustdoc("current.json");
            semver_checks(scratch, baseline, &current)
        }
        None => Semver::NotInstalled,
    };
    (probe, semver)
}

fn report(spec: &str) -> Report {
    let old = load_document(SPEC, "old.yaml").expect("the unchanged spec loads");
    let new = load_document(spec, "new.yaml").unwrap_or_else(|e| panic!("{e}"));
    compare(&old, &new)
}

#[test]
fn the_report_agrees_with_the_compiler_and_semver_checks() {
    assert!(CATALOGUE.len() >= 24);
    let started = Instant::now();
    let scratch = Scratch::new();

    // The probe compiles against the unchanged client, or it proves nothing.
    scratch.set_spec(SPEC);
    assert_eq!(
        scratch.probe(),
        Probe::Compiles,
        "the probe on the unchanged client"
    );
    let version = semver_checks_version();
    match &version {
        Some(v) => println!("cargo-semver-checks: {v}"),
        None => println!(
            "cargo-semver-checks is not installed (`cargo install --locked cargo-semver-checks`): only the probe judges"
        ),
    }
    let baseline = version.as_ref().map(|_| scratch.rustdoc("baseline.json"));

    let mut compatible = Vec::new();
    let mut rows = Vec::new();
    for entry in CATALOGUE {
        let spec = apply(SPEC, entry.edits)
            .unwrap_or_else(|| panic!("{}: an edit does not apply once", entry.name));
        let report = report(&spec);
        assert!(
            !report.changes.is_empty(),
            "{}: the report sees no change",
            entry.name
        );
        if report.is_breaking() {
            scratch.set_spec(&spec);
            let (probe, semver) = judge(&scratch, baseline.as_deref());
            rows.push(Row {
                name: entry.name,
                breaking: true,
                probe,
                semver,
                together: false,
                why: entry.why,
            });
        } else {
            compatible.push(entry);
        }
    }

    // The compatible changes, all together; one by one only if that fails.
    let edits: Vec<(&str, &str)> = compatible.iter().flat_map(|e| e.edits).copied().collect();
    let together = apply(SPEC, &edits).map(|spec| {
        scratch.set_spec(&spec);
        judge(&scratch, baseline.as_deref())
    });
    match together {
        Some((Probe::Compiles, semver)) if !matches!(semver, Semver::Major(_)) => {
            for entry in &compatible {
                rows.push(Row {
                    name: entry.name,
                    breaking: false,
                    probe: Probe::Compiles,
                    semver: semver.clone(),
                    together: true,
                    why: entry.why,
                });
            }
        }
        _ => {
            for entry in &compatible {
                let spec = apply(SPEC, entry.edits).expect("applied above");
                scratch.set_spec(&spec);
                let (probe, semver) = judge(&scratch, baseline.as_deref());
                rows.push(Row {
                    name: entry.name,
                    breaking: false,
                    probe,
                    semver,
                    together: false,
                    why: entry.why,
                });
            }
        }
    }

    println!("\n| change | report | probe | semver-checks |\n| --- | --- | --- | --- |");
    for row in &rows {
        println!("{}", row.line());
    }
    println!(
        "\n{} changes ({} compatible) in {:.0?}",
        rows.len(),
        compatible.len(),
        started.elapsed()
    );
    let problems: Vec<String> = rows.iter().filter_map(Row::problem).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Not vacuous: the probe sees breaking changes.
    assert!(rows.iter().any(|r| r.probe != Probe::Compiles));
}
