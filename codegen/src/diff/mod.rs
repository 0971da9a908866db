//! The API change report: what a spec change does to the generated Rust
//! API, each change marked **breaking** or **compatible** for code that uses
//! the client.
//!
//! The verdicts follow how the client is generated: methods take their
//! parameters positionally; every generated struct (request, response and
//! headers) is `#[non_exhaustive]` and built with `new(required fields)`,
//! so only a required field changes it; every operation returns
//! `Response<T, headers::…Headers>`, even with no headers; enums are
//! `#[non_exhaustive]` and keep text they do not know as `Unknown`, so a new
//! value breaks no `match` and no older client; `Server` is
//! non-exhaustive; and each operation takes one of the credentials its
//! `security` alternatives name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Keyword, Operation, Schema, Spec};

pub mod bump;
mod operations;
mod schemas;
mod security;
mod servers;

/// Whether a change breaks code that uses the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Code using the client may no longer compile, or may now be refused.
    Breaking,
    /// Code using the client keeps compiling and working.
    Compatible,
}

/// One change between two versions of a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Breaking or compatible.
    pub verdict: Verdict,
    /// Where: an operation, a schema field, a server, a security scheme.
    pub place: String,
    /// What changed and, where it helps, what it means for callers.
    pub description: String,
    /// For a document merged from several files, the files whose edits
    /// make this change (set by [`Report::attribute`]); empty otherwise.
    pub files: Vec<String>,
}

/// All changes between two documents, breaking first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, in a stable order.
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.verdict == Verdict::Breaking)
    }

    /// Markdown to paste into a pull request.
    pub fn to_markdown(&self, old_name: &str, new_name: &str) -> String {
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.verdict == Verdict::Breaking)
            .count();
        let compatible = self.changes.len() - breaking;
        let mut out = String::new();
        let _ = writeln!(out, "## API changes: `{old_name}` → `{new_name}`\n");
        if self.changes.is_empty() {
            out.push_str("No change to the generated API.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} for code that uses the client: **{breaking} breaking**, {compatible} compatible.\n",
            if breaking > 0 {
                "⚠️ Breaking"
            } else {
                "✅ Compatible"
            }
        );
        let _ = writeln!(out, "{}\n", bump::Bump::needed(self).summary());
        let by_file = self.changes.iter().any(|c| !c.files.is_empty());
        out.push_str(if by_file {
            "| verdict | file | where | change |\n| --- | --- | --- | --- |\n"
        } else {
            "| verdict | where | change |\n| --- | --- | --- |\n"
        });
        for change in &self.changes {
            let verdict = match change.verdict {
                Verdict::Breaking => "**breaking**",
                Verdict::Compatible => "compatible",
            };
            let file = if by_file {
                format!(" {} |", escape_cell(&change.files.join(", ")))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {verdict} |{file} {} | {} |",
                escape_cell(&change.place),
                escape_cell(&change.description)
            );
        }
        out
    }

    /// Names, for each change, the files it comes from: `file` makes the
    /// changes in `alone`, the report of that file's edit by itself.
    /// A change no single file's edit makes is named by every file given.
    pub fn attribute(&mut self, by_file: &[(String, Report)]) {
        for change in &mut self.changes {
            let same = |other: &Change| {
                other.verdict == change.verdict
                    && other.place == change.place
                    && other.description == change.description
            };
            change.files = by_file
                .iter()
                .filter(|(_, alone)| alone.changes.iter().any(same))
                .map(|(file, _)| file.clone())
                .collect();
            if change.files.is_empty() {
                change.files = by_file.iter().map(|(file, _)| file.clone()).collect();
            }
        }
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Compares two OpenAPI documents in their JSON form.
pub fn compare(old: &Value, new: &Value) -> Report {
    let (old, new) = (Spec::build(old), Spec::build(new));
    let mut diff = Diff {
        old: &old,
        new: &new,
        changes: Vec::new(),
        old_usage: usage(&old),
        new_usage: usage(&new),
    };
    diff.servers();
    diff.schemes();
    diff.operations();
    diff.conversions();
    diff.components();
    let mut changes = diff.changes;
    changes.sort_by(|a, b| (a.verdict, &a.place).cmp(&(b.verdict, &b.place)));
    changes.dedup();
    Report { changes }
}

/// How a schema is used: in requests (built by callers), in responses
/// (read by callers), or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Usage {
    input: bool,
    output: bool,
}

impl Usage {
    fn or(self, other: Usage) -> Usage {
        Usage {
            input: self.input || other.input,
            output: self.output || other.output,
        }
    }
    const INPUT: Usage = Usage {
        input: true,
        output: false,
    };
    const OUTPUT: Usage = Usage {
        input: false,
        output: true,
    };
}

/// Which component schemas requests and responses reach.
fn usage(spec: &Spec<'_>) -> BTreeMap<String, Usage> {
    fn reach(spec: &Spec<'_>, schema: Schema<'_>, how: Usage, found: &mut BTreeMap<String, Usage>) {
        if let Some(name) = schema.component() {
            let entry = found.entry(name.clone()).or_default();
            let before = *entry;
            *entry = entry.or(how);
            if *entry == before && (before.input || before.output) {
                return; // already walked this way
            }
            if let Some(target) = spec.schema(&name) {
                reach(spec, target, how, found);
            }
            return;
        }
        for child in children(schema) {
            reach(spec, child, how, found);
        }
    }
    let mut found: BTreeMap<String, Usage> = BTreeMap::new();
    for op in &spec.operations {
        for (schema, how) in operation_schemas(op) {
            reach(spec, schema, how, &mut found);
        }
    }
    found
}

/// A schema's subschemas.
fn children(schema: Schema<'_>) -> Vec<Schema<'_>> {
    let mut list: Vec<Schema<'_>> = schema.properties().into_iter().map(|(_, s)| s).collect();
    list.extend(schema.items());
    list.extend(schema.additional());
    for composition in [Keyword::AllOf, Keyword::OneOf, Keyword::AnyOf] {
        list.extend(schema.parts(composition));
    }
    list
}

/// The schemas an operation sends (its body's and parameters') and
/// receives (its responses').
fn operation_schemas<'v>(op: &Operation<'v>) -> Vec<(Schema<'v>, Usage)> {
    let body = op.body.as_ref().and_then(|body| body.json.as_ref()?.schema);
    let parameters = op.parameters.iter().filter_map(|p| p.schema);
    let responses = op
        .responses
        .iter()
        .filter_map(|response| response.json.as_ref()?.schema);
    body.into_iter()
        .chain(parameters)
        .map(|schema| (schema, Usage::INPUT))
        .chain(responses.map(|schema| (schema, Usage::OUTPUT)))
        .collect()
}

struct Diff<'a> {
    old: &'a Spec<'a>,
    new: &'a Spec<'a>,
    changes: Vec<Change>,
    old_usage: BTreeMap<String, Usage>,
    new_usage: BTreeMap<String, Usage>,
}

impl Diff<'_> {
    fn push(&mut self, verdict: Verdict, place: impl Into<String>, description: impl Into<String>) {
        self.changes.push(Change {
            verdict,
            place: place.into(),
            description: description.into(),
            files: Vec::new(),
        });
    }
}

/// `` `Type.field` `` for a field of a named schema, `` place › `field` ``
/// elsewhere; `[]` stands for array items.
fn field_place(place: &str, name: &str) -> String {
    let separator = if name == "[]" { "" } else { "." };
    match place.strip_suffix('`') {
        Some(inside) if place.starts_with('`') => format!("{inside}{separator}{name}`"),
        _ => format!("{place} › `{name}`"),
    }
}
