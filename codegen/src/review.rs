//! The review of a spec change between two git revisions: what
//! `c2m-auth-codegen review BASE HEAD` prints, and what a pull request's
//! comment shows.
//!
//! It reads the spec files and `Cargo.toml` at both revisions with `git
//! show`, and reports the version check, the verdict table (for a spec of
//! several files, with the file each change comes from), each file's
//! unified diff and the generated public API's diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::api::{ApiDiff, fenced, public_api};
use crate::bump::{Check, manifest_version};
use crate::{diff, generate_merged_from_str, load_merged};

/// The hidden line that marks the review's pull-request comment, so that a
/// later run updates that comment instead of adding another.
pub const MARKER: &str = "<!-- c2m-auth-spec-review -->";

/// A spec diff longer than this is cut, keeping a comment under GitHub's
/// 65,536-character limit.
const SPEC_DIFF_LIMIT: usize = 40_000;

/// Where to read from.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The git work tree (or any directory inside it).
    pub repository: PathBuf,
    /// The spec's path in the repository: the base document.
    pub spec: String,
    /// The overlays merged into it, in order (see `Config::overlay`).
    pub overlays: Vec<String>,
    /// The manifest whose `[package]` version is checked.
    pub manifest: String,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            repository: PathBuf::from("."),
            spec: "spec/c2m-api-v2-base.yaml".to_string(),
            overlays: vec!["spec/auth.yaml".to_string()],
            manifest: "Cargo.toml".to_string(),
        }
    }
}

/// A finished review.
#[derive(Clone, Debug)]
pub struct Review {
    /// The Markdown report, starting with [`MARKER`].
    pub markdown: String,
    /// Whether the version bump is big enough (the only thing that fails a
    /// review).
    pub ok: bool,
}

/// One side of the change, read from git.
struct Side {
    label: String,
    /// Each spec file as `(name@revision, text)`, the base first.
    files: Vec<(String, String)>,
    manifest: String,
}

impl Side {
    /// The files as `(text, name)`, with file `swap` taken from `other`.
    fn sources<'s>(&'s self, swap: Option<(usize, &'s Side)>) -> Vec<(&'s str, &'s str)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, (name, text))| match swap {
                Some((swapped, other)) if swapped == index => {
                    let (_, text) = &other.files[index];
                    (text.as_str(), name.as_str())
                }
                _ => (text.as_str(), name.as_str()),
            })
            .collect()
    }

    /// The merged document.
    fn document(&self, swap: Option<(usize, &Side)>) -> Result<serde_json::Value, String> {
        load_merged(&self.sources(swap)).map_err(|e| e.to_string())
    }

    /// The generated code.
    fn code(&self) -> Result<String, String> {
        let sources = self.sources(None);
        let (base, overlays) = sources.split_first().ok_or("error: no spec file")?;
        generate_merged_from_str(*base, overlays).map_err(|e| e.to_string())
    }

    fn name(&self) -> &str {
        self.files.first().map_or("spec", |(name, _)| name.as_str())
    }
}

/// Reviews the change from `base` to `head`. An error names what could not
/// be read and where: a revision, a file at a revision, or a place in a
/// broken spec.
pub fn review(sources: &Sources, base: &str, head: &str) -> Result<Review, String> {
    let old = side(sources, base)?;
    let new = side(sources, head)?;
    let old_doc = old.document(None)?;
    let new_doc = new.document(None)?;
    let old_code = old.code()?;
    let new_code = new.code()?;
    let unparsable = |name: &str, e: syn::Error| {
        format!("error: the code generated from {name} does not parse: {e}")
    };
    let old_api = public_api(&old_code).map_err(|e| unparsable(old.name(), e))?;
    let new_api = public_api(&new_code).map_err(|e| unparsable(new.name(), e))?;
    let old_manifest = format!("{}@{}", sources.manifest, old.label);
    let new_manifest = format!("{}@{}", sources.manifest, new.label);
    let from = manifest_version(&old.manifest, &old_manifest).map_err(|e| format!("error: {e}"))?;
    let to = manifest_version(&new.manifest, &new_manifest).map_err(|e| format!("error: {e}"))?;

    let mut report = diff::compare(&old_doc, &new_doc);
    if old.files.len() > 1 {
        report.attribute(&by_file(sources, (&old, &new), &old_doc)?);
    }
    let check = Check::new(&report, from, to);
    let mut out = format!(
        "{MARKER}\n# Spec review: `{}` → `{}`\n\n",
        old.label, new.label
    );
    out.push_str(&format!(
        "**Version** (`{}`): {}\n\n",
        sources.manifest, check.message
    ));
    out.push_str(
        &report
            .to_markdown(old.name(), new.name())
            .replacen("## ", "### ", 1),
    );
    out.push_str("\n### Spec diff\n\n");
    out.push_str(&spec_diff(&old, &new));
    out.push_str("\n### Generated public API\n\n");
    out.push_str(&ApiDiff::new(&old_api, &new_api).to_markdown());
    Ok(Review {
        markdown: out,
        ok: check.ok,
    })
}

/// The Markdown a failed review prints, so that the pull request's
/// comment says why there is no report.
pub fn failure_markdown(base: &str, head: &str, error: &str) -> String {
    format!(
        "{MARKER}\n# Spec review: `{base}` → `{head}`\n\n❌ The review could not run:\n\n{}",
        fenced("text", error)
    )
}

/// Each changed file's own report: the old side with only that file's
/// edit, so a change is named by the file that makes it.
fn by_file(
    sources: &Sources,
    (old, new): (&Side, &Side),
    old_doc: &serde_json::Value,
) -> Result<Vec<(String, diff::Report)>, String> {
    let paths = std::iter::once(&sources.spec).chain(&sources.overlays);
    let mut reports = Vec::new();
    for (index, path) in paths.enumerate() {
        if old.files.get(index).map(|(_, text)| text) == new.files.get(index).map(|(_, text)| text)
        {
            continue;
        }
        let edited = old.document(Some((index, new)))?;
        reports.push((path.clone(), diff::compare(old_doc, &edited)));
    }
    Ok(reports)
}

/// The unified diff of each spec file that changed.
fn spec_diff(old: &Side, new: &Side) -> String {
    let changed: Vec<String> = old
        .files
        .iter()
        .zip(&new.files)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((old_name, a), (new_name, b))| file_diff((old_name, a), (new_name, b)))
        .collect();
    if changed.is_empty() {
        return "The spec is unchanged.\n".to_string();
    }
    changed.concat()
}

fn file_diff((old_name, old): (&str, &str), (new_name, new): (&str, &str)) -> String {
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    if text.len() <= SPEC_DIFF_LIMIT {
        return fenced("diff", &text);
    }
    let mut cut = SPEC_DIFF_LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let kept = &text[..text[..cut].rfind('\n').map_or(cut, |i| i + 1)];
    format!(
        "{}\n(The diff is cut at {} of its {} characters; `git diff` shows it whole.)\n",
        fenced("diff", kept),
        kept.len(),
        text.len()
    )
}

fn side(sources: &Sources, revision: &str) -> Result<Side, String> {
    let commit = resolve(&sources.repository, revision)?;
    let short = &commit[..commit.len().min(10)];
    // A commit id (as CI passes them) is named by its short form alone.
    let name = if commit.starts_with(revision) {
        short
    } else {
        revision
    };
    let label = if name == short {
        short.to_string()
    } else {
        format!("{revision} ({short})")
    };
    let mut files = Vec::new();
    for path in std::iter::once(&sources.spec).chain(&sources.overlays) {
        let text = show(&sources.repository, &commit, path, &label)?;
        files.push((format!("{path}@{name}"), text));
    }
    let manifest = show(&sources.repository, &commit, &sources.manifest, &label)?;
    Ok(Side {
        label,
        files,
        manifest,
    })
}

fn git(repository: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(args)
        .output()
        .map_err(|e| format!("error: cannot run git: {e}"))
}

/// The commit a revision names.
fn resolve(repository: &Path, revision: &str) -> Result<String, String> {
    let output = git(
        repository,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{revision}^{{commit}}"),
        ],
    )?;
    if !output.status.success() {
        return Err(format!(
            "error: revision `{revision}` does not exist in the git repository at {}",
            repository.display()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The text of `path` at `commit`.
fn show(repository: &Path, commit: &str, path: &str, label: &str) -> Result<String, String> {
    let object = format!("{commit}:{path}");
    let exists = git(repository, &["cat-file", "-e", &object])?;
    if !exists.status.success() {
        return Err(format!(
            "error: {path} does not exist at revision `{label}`"
        ));
    }
    let output = git(repository, &["show", &object])?;
    if !output.status.success() {
        return Err(format!(
            "error: git cannot show {path} at `{label}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("error: {path} at `{label}` is not UTF-8"))
}
