//! Errors in the OpenAPI document, each naming the file, where in it, and
//! what to do next. All messages come from [`SpecErrorKind`], the one
//! catalogue, so that they read alike and tests can pin them; the checks
//! put every problem they find into one [`Problems`] sink, so that one
//! [`SpecError`] reports them all.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use crate::locate::LineColumn;

/// Where in the spec an error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The whole file (it could not be read at all).
    File,
    /// A position in the YAML text.
    Text(LineColumn),
    /// A node of the document, by JSON pointer, with its position in the
    /// text when it could be found.
    Node {
        /// RFC 6901 pointer to the offending node, e.g. `/paths/~1auth/post`.
        pointer: String,
        /// Where the node starts in the text.
        position: Option<LineColumn>,
    },
}

/// What is wrong with the spec: the catalogue of every message the generator
/// gives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecErrorKind {
    /// The file could not be read.
    Unreadable {
        /// The operating system's reason.
        reason: String,
    },
    /// The text is not valid YAML.
    InvalidYaml {
        /// The YAML parser's message.
        reason: String,
    },
    /// The document has no `openapi` field, or names a version other than 3.0.x.
    UnsupportedVersion {
        /// The version found, if any.
        found: Option<String>,
    },
    /// The YAML is well formed but does not have the shape of an OpenAPI 3.0 document.
    NotOpenApi {
        /// The deserializer's message.
        reason: String,
    },
    /// A `$ref` points at nothing in the document.
    DanglingRef {
        /// The reference as written.
        reference: String,
    },
    /// A `$ref` points outside the document.
    ExternalRef {
        /// The reference as written.
        reference: String,
    },
    /// An operation has no `operationId`.
    MissingOperationId {
        /// HTTP method and path, e.g. `POST /auth/tokens/long`.
        operation: String,
    },
    /// Two operations share one `operationId`.
    DuplicateOperationId {
        /// The repeated id.
        operation_id: String,
        /// Pointer to the first operation that uses it.
        first: String,
    },
    /// Two names of the spec that become the same Rust name (`getPart` and
    /// `get_part` one method, `Part` and `part` one type), which would
    /// generate one item twice. Reported at the second name; the message
    /// names the first and where it is.
    NameCollision {
        /// The operation the names are in, when they are in one (for
        /// operationIds: `None`, the names being operations).
        operation_id: Option<String>,
        /// What the names name, and so what Rust item they become.
        what: Named,
        /// The name reported.
        name: String,
        /// The earlier name that becomes the same Rust name.
        first: String,
        /// JSON pointer to the earlier name's node (or its operation, for
        /// operationIds).
        first_at: String,
        /// The Rust name both become.
        rust_name: String,
    },
    /// A construct the generator cannot turn into Rust.
    Unsupported {
        /// The operation it is in, if any.
        operation_id: Option<String>,
        /// What the construct is.
        what: String,
        /// What to do instead.
        hint: String,
    },
    /// An overlay writes a mapping where an earlier document has a scalar
    /// or a sequence (or the other way round): the merge rule cannot
    /// settle it. Reported in the overlay, naming the earlier place.
    OverlayConflict {
        /// What the overlay has there: `a mapping`, `a string`, …
        overlay_has: String,
        /// What the earlier document has there.
        earlier_has: String,
        /// The earlier place, as `file:line:column`.
        earlier_at: String,
    },
    /// The underlying generator (progenitor) refused or failed on the document.
    Generator {
        /// The operation it was working on, if known.
        operation_id: Option<String>,
        /// Its message.
        reason: String,
    },
    /// The generated code did not parse as Rust (a bug in the generator).
    Unparsable {
        /// The parser's message.
        reason: String,
    },
    /// The output file could not be written.
    Unwritable {
        /// Where the output was to go.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
}

/// What two colliding names ([`SpecErrorKind::NameCollision`]) name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Named {
    /// Operations, whose ids become methods of `Client`.
    OperationId,
    /// Schemas of `components/schemas`, which become types.
    Schema,
    /// Properties (or required names) of one schema, which become fields.
    Property,
    /// Parameters of one operation, which become arguments.
    Parameter {
        /// Where the reported one is sent (`path`, `query`, `header`).
        location: String,
        /// Where the earlier one is sent.
        first_location: String,
    },
    /// Headers of one response, which become fields.
    ResponseHeader {
        /// The response's status (`201`, `default`).
        status: String,
    },
}

impl Named {
    /// What one such name is called in messages, with `name` (and its
    /// location, for a parameter) quoted in it.
    fn describe(&self, name: &str, first: bool) -> String {
        match self {
            Self::OperationId => format!("operationId `{name}`"),
            Self::Schema => format!("schema `{name}`"),
            Self::Property => format!("property `{name}`"),
            Self::Parameter {
                location,
                first_location,
            } => {
                let location = if first { first_location } else { location };
                format!("parameter `{name}` (in {location})")
            }
            // The first is in the same response.
            Self::ResponseHeader { .. } if first => format!("header `{name}`"),
            Self::ResponseHeader { status } => format!("response `{status}` header `{name}`"),
        }
    }

    /// The Rust item such a name becomes.
    fn rust_item(&self) -> &'static str {
        match self {
            Self::OperationId => "method",
            Self::Schema => "type",
            Self::Property | Self::ResponseHeader { .. } => "field",
            Self::Parameter { .. } => "argument",
        }
    }

    fn hint(&self) -> String {
        let (fix, names, extra) = match self {
            Self::OperationId => ("rename", "operationIds", ""),
            Self::Schema => ("rename", "schema names", ""),
            Self::Property => ("rename", "property names", ""),
            Self::Parameter { .. } => ("rename", "parameter names", ""),
            Self::ResponseHeader { .. } => (
                "rename or remove",
                "header names",
                " (and HTTP header names ignore case)",
            ),
        };
        format!(
            "{fix} one of them: {names} that differ only in case or separators become the same {}{extra}",
            self.rust_item()
        )
    }
}

impl SpecErrorKind {
    fn message(&self) -> String {
        match self {
            Self::Unreadable { reason } => format!("cannot read the spec: {reason}"),
            Self::InvalidYaml { reason } => format!("invalid YAML: {reason}"),
            Self::UnsupportedVersion { found: Some(v) } => {
                format!("`openapi: {v}` is not supported; this generator reads OpenAPI 3.0.x")
            }
            Self::UnsupportedVersion { found: None } => {
                "not an OpenAPI document: there is no top-level `openapi` field".to_string()
            }
            Self::NotOpenApi { reason } => format!("not a valid OpenAPI 3.0 document: {reason}"),
            Self::DanglingRef { reference } => {
                format!("`$ref: '{reference}'` points at nothing in this document")
            }
            Self::ExternalRef { reference } => {
                format!("`$ref: '{reference}'` points outside this document")
            }
            Self::MissingOperationId { operation } => {
                format!("operation `{operation}` has no operationId")
            }
            Self::DuplicateOperationId {
                operation_id,
                first,
            } => {
                format!("operationId `{operation_id}` is already used by the operation at {first}")
            }
            Self::NameCollision {
                operation_id,
                what,
                name,
                first,
                first_at,
                rust_name,
            } => {
                let collision = format!(
                    "{} would be the {} `{rust_name}`, like {} at #{first_at}",
                    what.describe(name, false),
                    what.rust_item(),
                    what.describe(first, true),
                );
                match operation_id {
                    Some(id) => format!("operation `{id}`: {collision}"),
                    None => collision,
                }
            }
            Self::Unsupported {
                operation_id, what, ..
            } => match operation_id {
                Some(id) => format!("operation `{id}`: {what}"),
                None => what.clone(),
            },
            Self::Generator {
                operation_id,
                reason,
            } => match operation_id {
                Some(id) => format!("operation `{id}`: the generator failed: {reason}"),
                None => format!("the generator failed: {reason}"),
            },
            Self::OverlayConflict {
                overlay_has,
                earlier_has,
                earlier_at,
            } => format!(
                "the overlay has {overlay_has} here, where {earlier_at} has {earlier_has}: the merge cannot combine them"
            ),
            Self::Unparsable { reason } => {
                format!("the generated code is not valid Rust: {reason}")
            }
            Self::Unwritable { path, reason } => {
                format!(
                    "cannot write the generated code to {}: {reason}",
                    path.display()
                )
            }
        }
    }

    fn hint(&self) -> String {
        match self {
            Self::Unreadable { .. } => {
                "the path is resolved from the crate root (where Cargo.toml is)".into()
            }
            Self::InvalidYaml { .. } => {
                "check indentation and quoting at that line; a value containing `: ` or starting with `*`, `&`, `@` or a quote needs quotes".into()
            }
            Self::UnsupportedVersion { found: Some(v) } if v.starts_with('2') => {
                "convert the Swagger 2.0 document to OpenAPI 3.0.3 first".into()
            }
            Self::UnsupportedVersion { .. } => {
                "set `openapi: 3.0.3` at the top of the document; OpenAPI 3.1 is not supported by progenitor".into()
            }
            Self::NotOpenApi { .. } => {
                "compare the node at that position with the OpenAPI 3.0.3 specification; a linter such as `npx @stoplight/spectral-cli lint` explains more".into()
            }
            Self::DanglingRef { .. } => {
                "define the target under `components`, or fix the name in the reference (names are case-sensitive)".into()
            }
            Self::ExternalRef { .. } => {
                "inline the referenced definition under `components` and refer to it as `#/components/...`".into()
            }
            Self::MissingOperationId { .. } => {
                "add a unique `operationId`; it becomes the method name (in snake_case)".into()
            }
            Self::DuplicateOperationId { .. } => {
                "give each operation its own `operationId`; each becomes a method of `Client`".into()
            }
            Self::NameCollision { what, .. } => what.hint(),
            Self::Unsupported { hint, .. } => hint.clone(),
            Self::Generator { .. } => {
                "progenitor does not support a construct there: simplify or remove it (the message above names it)".into()
            }
            Self::OverlayConflict { .. } => {
                "write the same kind of node in both files (mappings merge key by key; a scalar or sequence in the overlay replaces the earlier one)".into()
            }
            Self::Unparsable { .. } => {
                "this is a bug in c2m-auth-codegen; please report it with the spec".into()
            }
            Self::Unwritable { .. } => "check that the directory exists and is writable".into(),
        }
    }
}

/// How many errors one [`SpecError`] lists by default; the rest are only
/// counted ("and 3 more errors"). See [`crate::Config::error_limit`].
pub const DEFAULT_ERROR_LIMIT: usize = 20;

/// Everything wrong with an OpenAPI document, or what stopped the
/// generator: each error names the file, where in it, what is wrong and a
/// hint.
///
/// The checks of the document all run before it fails, so one `SpecError`
/// holds every problem they found, up to a limit ([`DEFAULT_ERROR_LIMIT`]),
/// past which the rest are counted ([`SpecError::unlisted`]). Its accessors
/// ([`kind`](Self::kind), [`location`](Self::location),
/// [`message`](Self::message), …) are those of the first, and
/// [`errors`](Self::errors) yields each, the first included, as a
/// `SpecError` of its own.
///
/// Its `Display` is the complete report a user sees when the build fails,
/// every error in turn:
///
/// ```text
/// error: spec/auth.yaml:42:7: `$ref: '#/components/schemas/Nope'` points at nothing in this document
///   --> at #/paths/~1auth~1tokens~1long/post/requestBody/content/application~1json/schema/$ref
///   = hint: define the target under `components`, ...
/// error: spec/auth.yaml:97:20: operationId `revoke` is already used by the operation at #/paths/~1auth/post
///   --> at #/paths/~1auth~1revoke/post/operationId
///   = hint: give each operation its own `operationId`; ...
/// error: spec/auth.yaml: and 3 more errors (only the first 20 are listed)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    file: String,
    location: Location,
    kind: SpecErrorKind,
    /// Every error listed, this one first, each standing alone; empty when
    /// this is the only one.
    all: Vec<SpecError>,
    /// How many more were found than are listed.
    unlisted: usize,
}

impl SpecError {
    pub(crate) fn new(file: &str, location: Location, kind: SpecErrorKind) -> Self {
        Self(Box::new(Details {
            file: file.to_string(),
            location,
            kind,
            all: Vec::new(),
            unlisted: 0,
        }))
    }

    /// The spec file as it is named in messages (e.g. `spec/auth.yaml`).
    pub fn file(&self) -> &str {
        &self.0.file
    }

    /// Where in the file the first error is.
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// What is wrong, by the first error.
    pub fn kind(&self) -> &SpecErrorKind {
        &self.0.kind
    }

    /// The first error's one-line message, without the file, location or hint.
    pub fn message(&self) -> String {
        self.0.kind.message()
    }

    /// What to do about the first error.
    pub fn hint(&self) -> String {
        self.0.kind.hint()
    }

    /// The line and column of the first error in the spec, where known.
    pub fn position(&self) -> Option<LineColumn> {
        match &self.0.location {
            Location::Text(position) => Some(*position),
            Location::Node { position, .. } => *position,
            Location::File => None,
        }
    }

    /// Every error listed, in the order found, each a `SpecError` that
    /// stands alone (its `errors()` is only itself, and none are unlisted);
    /// the first is the one this `SpecError`'s accessors describe.
    pub fn errors(&self) -> &[SpecError] {
        if self.0.all.is_empty() {
            std::slice::from_ref(self)
        } else {
            &self.0.all
        }
    }

    /// How many errors are listed: at least one, at most the limit.
    pub fn len(&self) -> usize {
        self.errors().len()
    }

    /// Always `false`: a `SpecError` holds at least one error. (Here
    /// because [`len`](Self::len) is.)
    pub fn is_empty(&self) -> bool {
        false
    }

    /// How many more errors were found than are listed (beyond the limit).
    pub fn unlisted(&self) -> usize {
        self.0.unlisted
    }

    /// The first error's lines: `FILE:LINE:COLUMN: message` (or
    /// `FILE: message`), then the JSON pointer when there is one, then the
    /// hint.
    fn own_lines(&self) -> Vec<String> {
        let mut lines = Vec::with_capacity(3);
        lines.push(match self.position() {
            Some(position) => format!("{}:{}: {}", self.0.file, position, self.message()),
            None => format!("{}: {}", self.0.file, self.message()),
        });
        if let Location::Node { pointer, .. } = &self.0.location {
            lines.push(format!("  --> at #{pointer}"));
        }
        lines.push(format!("  = hint: {}", self.hint()));
        lines
    }

    /// The line that counts the errors not listed, if there are any.
    fn unlisted_line(&self) -> Option<String> {
        let more = self.0.unlisted;
        (more > 0).then(|| {
            let errors = if more == 1 { "error" } else { "errors" };
            format!(
                "{}: and {more} more {errors} (only the first {} are listed)",
                self.0.file,
                self.len()
            )
        })
    }
}

impl SpecError {
    /// The report as lines: for each error `FILE:LINE:COLUMN: message` (or
    /// `FILE: message`), then the JSON pointer when there is one, then the
    /// hint; last, when more errors were found than are listed,
    /// `FILE: and N more errors (only the first 20 are listed)`. `build.rs`
    /// prints each as a `cargo::error=` line.
    pub fn report_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .errors()
            .iter()
            .flat_map(SpecError::own_lines)
            .collect();
        lines.extend(self.unlisted_line());
        lines
    }
}

impl fmt::Display for SpecError {
    /// Each error as its lines, the first prefixed `error: `, one error
    /// after another, then the count of those not listed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blocks = self
            .errors()
            .iter()
            .map(|error| error.own_lines().join("\n"))
            .chain(self.unlisted_line());
        for (index, block) in blocks.enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {block}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Where the checks of a document put what they find, so that one run
/// reports them all: the first `limit` are kept as errors, the rest only
/// counted. A node gets at most one error, the first found: a later check
/// that trips over a node already reported would only repeat its cause.
pub(crate) struct Problems {
    limit: usize,
    found: Vec<SpecError>,
    unlisted: usize,
    /// The JSON pointer of every problem found, listed or not.
    nodes: BTreeSet<String>,
}

impl Problems {
    /// A sink that keeps `limit` errors (at least one).
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            found: Vec::new(),
            unlisted: 0,
            nodes: BTreeSet::new(),
        }
    }

    /// Records a problem at the node `pointer`, unless that node has one;
    /// `error` builds it (finding its line and column), and runs only while
    /// there is room, so that a document with a million problems costs
    /// a million counts, not a million searches of its text.
    pub(crate) fn add(&mut self, pointer: &str, error: impl FnOnce() -> SpecError) {
        if !self.nodes.insert(pointer.to_string()) {
            return;
        }
        if self.found.len() < self.limit {
            self.found.push(error());
        } else {
            self.unlisted += 1;
        }
    }

    /// The pointers of every problem found, listed or not, sorted.
    pub(crate) fn nodes(&self) -> &BTreeSet<String> {
        &self.nodes
    }

    /// `Ok` when nothing was found, else one error holding them all.
    pub(crate) fn into_result(self) -> Result<(), SpecError> {
        let Some(mut report) = self.found.first().cloned() else {
            return Ok(());
        };
        report.0.unlisted = self.unlisted;
        if self.found.len() > 1 {
            report.0.all = self.found;
        }
        Err(report)
    }
}
