//! Errors in the OpenAPI document, each naming the file, where in it, and
//! what to do next. All messages come from [`SpecErrorKind`], the one
//! catalogue, so that they read alike and tests can pin them.

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
    /// A construct the generator cannot turn into Rust.
    Unsupported {
        /// The operation it is in, if any.
        operation_id: Option<String>,
        /// What the construct is.
        what: String,
        /// What to do instead.
        hint: String,
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
            Self::Unsupported { hint, .. } => hint.clone(),
            Self::Generator { .. } => {
                "progenitor does not support a construct there: simplify or remove it (the message above names it)".into()
            }
            Self::Unparsable { .. } => {
                "this is a bug in c2m-auth-codegen; please report it with the spec".into()
            }
            Self::Unwritable { .. } => "check that the directory exists and is writable".into(),
        }
    }
}

/// An error in, or while generating from, an OpenAPI document: what is
/// wrong, which file, where in it, and a hint.
///
/// Its `Display` is the complete message a user sees when the build fails:
///
/// ```text
/// error: spec/auth.yaml:42:7: `$ref: '#/components/schemas/Nope'` points at nothing in this document
///   --> at #/paths/~1auth~1tokens~1long/post/requestBody/content/application~1json/schema
///   = hint: define the target under `components`, ...
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    file: String,
    location: Location,
    kind: SpecErrorKind,
}

impl SpecError {
    pub(crate) fn new(file: &str, location: Location, kind: SpecErrorKind) -> Self {
        Self(Box::new(Details {
            file: file.to_string(),
            location,
            kind,
        }))
    }

    /// The spec file as it is named in messages (e.g. `spec/auth.yaml`).
    pub fn file(&self) -> &str {
        &self.0.file
    }

    /// Where in the file.
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// What is wrong.
    pub fn kind(&self) -> &SpecErrorKind {
        &self.0.kind
    }

    /// The one-line message, without the file, location or hint.
    pub fn message(&self) -> String {
        self.0.kind.message()
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        self.0.kind.hint()
    }

    /// The line and column in the spec, where known.
    pub fn position(&self) -> Option<LineColumn> {
        match &self.0.location {
            Location::Text(position) => Some(*position),
            Location::Node { position, .. } => *position,
            Location::File => None,
        }
    }
}

impl SpecError {
    /// The message as lines: `FILE:LINE:COLUMN: message` (or `FILE: message`),
    /// then the JSON pointer when there is one, then the hint. `build.rs`
    /// prints each as a `cargo::error=` line.
    pub fn report_lines(&self) -> Vec<String> {
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
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.report_lines().join("\n"))
    }
}

impl std::error::Error for SpecError {}
