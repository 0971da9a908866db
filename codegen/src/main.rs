//! `c2m-auth-codegen`: generate, check or compare OpenAPI documents.
//!
//! ```text
//! c2m-auth-codegen generate SPEC [--out FILE]   print (or write) the generated Rust
//! c2m-auth-codegen check SPEC                   only report errors in the spec
//! c2m-auth-codegen diff OLD NEW                 API change report, as Markdown
//! c2m-auth-codegen diff --base REV [NEW]        the same, OLD being NEW at git revision REV
//! ```
//!
//! Exit status: 0 on success (for `diff`: no breaking change), 1 when the
//! spec has an error (for `diff`: a breaking change), 2 on bad usage or when
//! `diff` cannot read its inputs.

use std::path::Path;
use std::process::{Command, ExitCode};

use c2m_auth_codegen::{Config, diff, load_document};

const USAGE: &str = "usage: c2m-auth-codegen generate SPEC [--out FILE]
       c2m-auth-codegen check SPEC
       c2m-auth-codegen diff OLD NEW
       c2m-auth-codegen diff --base REV [NEW]   (NEW defaults to spec/auth.yaml)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["generate", spec] => Config::new(spec)
            .generate()
            .map(|source| print!("{source}")),
        ["generate", spec, "--out", out] => Config::new(spec).write(out).map(|_| ()),
        ["check", spec] => Config::new(spec)
            .generate()
            .map(|_| eprintln!("{spec}: ok")),
        ["diff", "--base", base] => return run_diff(Old::Revision(base), "spec/auth.yaml"),
        ["diff", "--base", base, new] => return run_diff(Old::Revision(base), new),
        ["diff", old, new] => return run_diff(Old::File(old), new),
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

enum Old<'a> {
    File(&'a str),
    Revision(&'a str),
}

fn run_diff(old: Old<'_>, new: &str) -> ExitCode {
    let new_text = match std::fs::read_to_string(new) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {new}: cannot read the spec: {e}");
            return ExitCode::from(2);
        }
    };
    let (old_name, old_text) = match old {
        Old::File(path) => match std::fs::read_to_string(path) {
            Ok(text) => (path.to_string(), text),
            Err(e) => {
                eprintln!("error: {path}: cannot read the spec: {e}");
                return ExitCode::from(2);
            }
        },
        Old::Revision(revision) => match at_revision(revision, new) {
            Ok(text) => (format!("{new}@{revision}"), text),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        },
    };
    let documents = load_document(&old_text, &old_name)
        .and_then(|old| load_document(&new_text, new).map(|new| (old, new)));
    let (old_doc, new_doc) = match documents {
        Ok(pair) => pair,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let report = diff::compare(&old_doc, &new_doc);
    print!("{}", report.to_markdown(&old_name, new));
    if report.is_breaking() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The text of `path` at git revision `revision`.
fn at_revision(revision: &str, path: &str) -> Result<String, String> {
    let path = Path::new(path);
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let output = Command::new("git")
        .arg("-C")
        .arg(directory)
        .args(["show", &format!("{revision}:./{file}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git cannot show {} at `{revision}`: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("{} at `{revision}` is not UTF-8", path.display()))
}
