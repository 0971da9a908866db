//! `c2m-auth-codegen`: generate, check or compare OpenAPI documents.
//!
//! ```text
//! c2m-auth-codegen generate SPEC [--overlay FILE]... [--out FILE]
//!                                               print (or write) the generated Rust,
//!                                               the overlays merged into SPEC in order
//! c2m-auth-codegen check SPEC [--overlay FILE]...  only report errors in the spec
//! c2m-auth-codegen merge SPEC [--overlay FILE]... [--out FILE]
//!                                               print (or write) the merged document, as JSON
//! c2m-auth-codegen diff OLD NEW                 API change report, as Markdown
//! c2m-auth-codegen diff --base REV [NEW]        the same, OLD being NEW at git revision REV
//!     … --check-version FROM TO                 and check the version bump FROM → TO
//!                                               (each a version or a Cargo.toml)
//! c2m-auth-codegen review BASE HEAD             spec review of a change between two git
//!                                               revisions (spec/auth.yaml, Cargo.toml)
//! ```
//!
//! Exit status: 0 on success (for `diff`: no breaking change; with
//! `--check-version` and for `review`: the version bump is big enough), 1
//! when the spec has an error (for `diff`: a breaking change; with
//! `--check-version` and for `review`: a bump too small), 2 on bad usage or
//! when `diff` or `review` cannot read its inputs.

use std::path::Path;
use std::process::{Command, ExitCode};

use c2m_auth_codegen::bump::{Check, Version, manifest_version};
use c2m_auth_codegen::review::{Sources, failure_markdown, review};
use c2m_auth_codegen::{Config, diff, load_document};

const USAGE: &str = "usage: c2m-auth-codegen generate SPEC [--overlay FILE]... [--out FILE]
       c2m-auth-codegen check SPEC [--overlay FILE]...
       c2m-auth-codegen merge SPEC [--overlay FILE]... [--out FILE]
       c2m-auth-codegen diff OLD NEW [--check-version FROM TO]
       c2m-auth-codegen diff --base REV [NEW] [--check-version FROM TO]
                        (NEW defaults to spec/auth.yaml; FROM and TO are versions or Cargo.toml files)
       c2m-auth-codegen review BASE_REV HEAD_REV";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut versions = None;
    if args.first() == Some(&"diff") && args.len() >= 3 && args[args.len() - 3] == "--check-version"
    {
        versions = Some((args[args.len() - 2], args[args.len() - 1]));
        args.truncate(args.len() - 3);
    }
    let outcome = match args.as_slice() {
        ["merge", spec, options @ ..] => return run_merge(spec, options),
        [command @ ("generate" | "check"), spec, options @ ..] => {
            let Some((config, out)) = generation(spec, options) else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            match (*command, out) {
                ("check", None) => config.generate().map(|_| eprintln!("{spec}: ok")),
                ("check", Some(_)) => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
                (_, Some(out)) => config.write(out).map(|_| ()),
                (_, None) => config.generate().map(|source| print!("{source}")),
            }
        }
        ["diff", "--base", base] => {
            return run_diff(Old::Revision(base), "spec/auth.yaml", versions);
        }
        ["diff", "--base", base, new] => return run_diff(Old::Revision(base), new, versions),
        ["diff", old, new] => return run_diff(Old::File(old), new, versions),
        ["review", base, head] => return run_review(base, head),
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

/// Prints (or writes) the merged document as JSON, for tools that read one
/// document (Prism, schemathesis).
fn run_merge(spec: &str, options: &[&str]) -> ExitCode {
    let Some((config, out)) = generation(spec, options) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let merged = match config.merged_document() {
        Ok(merged) => merged,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let text = format!("{merged:#}\n");
    let written = match out {
        Some(out) => c2m_auth_codegen::write_if_changed(Path::new(out), &text).map(|_| ()),
        None => {
            print!("{text}");
            Ok(())
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the merged document: {error}");
            ExitCode::from(2)
        }
    }
}

/// `--overlay FILE` (repeated) and `--out FILE`, in any order; `None` on
/// anything else.
fn overlays_and_out<'a>(mut options: &[&'a str]) -> Option<(Vec<&'a str>, Option<&'a str>)> {
    let (mut overlays, mut out) = (Vec::new(), None);
    while let [flag, value, rest @ ..] = options {
        match *flag {
            "--overlay" => overlays.push(*value),
            "--out" if out.is_none() => out = Some(*value),
            _ => return None,
        }
        options = rest;
    }
    options.is_empty().then_some((overlays, out))
}

/// The `Config` for `SPEC` and its options (`--overlay FILE`, repeated,
/// and `--out FILE`), with where to write; `None` on bad usage.
fn generation<'a>(spec: &str, options: &[&'a str]) -> Option<(Config, Option<&'a str>)> {
    let (overlays, out) = overlays_and_out(options)?;
    let mut config = Config::new(spec);
    for overlay in overlays {
        config.overlay(overlay);
    }
    Some((config, out))
}

enum Old<'a> {
    File(&'a str),
    Revision(&'a str),
}

/// Prints the review's Markdown (on failure too, so that a pull request's
/// comment says why) and exits by its version check.
fn run_review(base: &str, head: &str) -> ExitCode {
    match review(&Sources::default(), base, head) {
        Ok(review) => {
            print!("{}", review.markdown);
            if review.ok {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: the version bump is too small for this spec change (see the report's **Version** line)"
                );
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            print!("{}", failure_markdown(base, head, &error));
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

/// A version given on the command line, or read from a Cargo.toml.
fn version_argument(argument: &str) -> Result<Version, String> {
    if let Ok(version) = Version::parse(argument) {
        return Ok(version);
    }
    let text = std::fs::read_to_string(argument).map_err(|e| {
        format!("error: `{argument}` is neither a version nor a readable Cargo.toml: {e}")
    })?;
    manifest_version(&text, argument).map_err(|e| format!("error: {e}"))
}

fn run_diff(old: Old<'_>, new: &str, versions: Option<(&str, &str)>) -> ExitCode {
    let versions = match versions
        .map(|(from, to)| Ok::<_, String>((version_argument(from)?, version_argument(to)?)))
        .transpose()
    {
        Ok(versions) => versions,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
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
    if let Some((from, to)) = versions {
        let check = Check::new(&report, from, to);
        println!("\n**Version:** {}", check.message);
        if !check.ok {
            eprintln!("error: {}", check.message.trim_start_matches("❌ "));
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    }
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
