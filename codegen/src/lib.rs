//! The generator behind the `c2m-auth` crate: it turns an OpenAPI 3.0 document
//! into the Rust source of a typed client.
//!
//! It is a library so that it can be tested without Cargo and called from a
//! few lines of `build.rs`:
//!
//! ```no_run
//! // build.rs
//! println!("cargo::rerun-if-changed=spec/auth.yaml");
//! let out_dir = std::env::var_os("OUT_DIR").expect("run by Cargo");
//! let out = std::path::Path::new(&out_dir).join("c2m_auth.rs");
//! if let Err(error) = c2m_auth_codegen::Config::new("spec/auth.yaml").write(&out) {
//!     // Each line becomes an error in Cargo's output and fails the build.
//!     for line in error.report_lines() {
//!         println!("cargo::error={line}");
//!     }
//! }
//! ```
//!
//! and the crate includes the result with
//! `include!(concat!(env!("OUT_DIR"), "/c2m_auth.rs"));`.
//!
//! The generator reads only the spec it is given, writes only where it is
//! told, and touches no network.
//!
//! # Spec errors
//!
//! Every problem with the document, including those the underlying
//! generator (progenitor) would panic on, comes back in a [`SpecError`]:
//! for each, the file, the line and column, the JSON pointer of the node
//! and a hint. The generator works in three phases, and a phase that finds
//! a problem is the last:
//!
//! 1. **Loading**: reading the file, parsing the YAML, the limits (at most
//!    [`MAX_DOCUMENT_BYTES`] and [`MAX_NESTING`] levels, finite numbers) and
//!    the version (`openapi: 3.0.x`). Each of these ends generation alone,
//!    as the only error: nothing after it can read the document.
//! 2. **Checking**, in one pass: the document's shape, its references and
//!    cycles, security requirements, operationIds, names that would become
//!    one Rust name ([`SpecErrorKind::NameCollision`]), what progenitor
//!    cannot generate, patterns and secret marks. Every check runs, and
//!    every problem is reported, in the order the checks run (and within
//!    one, in the document's order), at most one per node. The first
//!    [`Config::error_limit`] ([`DEFAULT_ERROR_LIMIT`], 20) are listed and
//!    the rest counted: `and 5 more errors`. A check that follows
//!    references skips a part of an operation that leads to a problem
//!    already found (a dangling `$ref`, a mistyped object, a cycle), since
//!    what it would find there follows from that problem.
//! 3. **Generating**, from a document that passed the checks: progenitor
//!    and the typed layer. What they refuse (a security scheme the client
//!    cannot send, a response header it cannot parse, a construct
//!    progenitor fails on) is reported alone.
//!
//! ```
//! // Two problems: a reference to nothing, and one operationId twice.
//! let spec = "openapi: 3.0.3
//! info: {title: t, version: '1'}
//! paths:
//!   /a:
//!     get:
//!       operationId: fetch
//!       responses: {'200': {$ref: '#/components/responses/Nope'}}
//!   /b:
//!     get:
//!       operationId: fetch
//!       responses: {'204': {description: done}}
//! ";
//! let error = c2m_auth_codegen::generate_from_str(spec, "api.yaml").expect_err("broken");
//! assert_eq!(error.len(), 2);
//! // The accessors describe the first; `errors()` lists each.
//! assert!(error.message().contains("points at nothing"));
//! let second = &error.errors()[1];
//! assert_eq!(second.position().map(|p| (p.line, p.column)), Some((10, 7)));
//! assert!(second.message().contains("operationId `fetch` is already used"));
//! // `Display` (and `report_lines`, for build.rs) show them all.
//! assert!(error.to_string().contains("api.yaml:10:7: operationId `fetch`"));
//! ```

#![deny(missing_docs)]

pub mod api;
pub use diff::bump;
mod broken;
mod cycles;
pub mod diff;
mod error;
mod growth;
mod json_response;
mod json_text;
mod limits;
mod locate;
mod model;
mod naming;
mod nulls;
mod one_of;
mod overlay;
mod paths;
mod preprocess;
pub mod review;
mod rules;
mod serde_attrs;
mod servers;
mod shape;
mod snapshot;
mod tokens;
mod typed;
mod validate;
mod version_header;
mod walk;

use std::borrow::Cow;
use std::cell::Cell;
use std::fs;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

pub use error::{DEFAULT_ERROR_LIMIT, Location, Named, SpecError, SpecErrorKind};
pub use limits::{MAX_DOCUMENT_BYTES, MAX_NESTING};
pub use locate::LineColumn;
pub use snapshot::{REFRESH_VARIABLE, Snapshot, check_snapshot};

use validate::{Document, Layer};

/// What to generate from and how to name it: the entry point, shaped like
/// `prost_build::Config`.
#[derive(Clone, Debug)]
pub struct Config {
    spec: PathBuf,
    overlays: Vec<PathBuf>,
    display_name: Option<String>,
    runtime_crate: String,
    client_path: Option<String>,
    error_limit: usize,
}

/// The crate whose `runtime` module generated code uses by default.
pub const DEFAULT_RUNTIME_CRATE: &str = "c2m_auth";

/// Whether [`Config::write`] changed the output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The file already held exactly this code and was left untouched, so
    /// its modification time did not change.
    Unchanged,
    /// The file was created or replaced.
    Updated,
}

impl Config {
    /// Generate from the OpenAPI document at `spec` (YAML or JSON).
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Self {
            spec: spec.into(),
            overlays: Vec::new(),
            display_name: None,
            runtime_crate: DEFAULT_RUNTIME_CRATE.to_string(),
            client_path: None,
            error_limit: DEFAULT_ERROR_LIMIT,
        }
    }

    /// Merges the document at `path` into the spec before generating, by
    /// the rule upstream merges its C2M API v2 overlays with: mappings
    /// merge key by key, the overlay's scalars and sequences win, and under
    /// `paths` the overlay only adds paths the spec lacks. Overlays apply in
    /// the order given. An error is reported in the file that wrote the
    /// node; a mapping against a scalar is an error naming both places.
    pub fn overlay(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.overlays.push(path.into());
        self
    }

    /// How many errors a [`SpecError`] lists at most (at least one);
    /// defaults to [`DEFAULT_ERROR_LIMIT`]. The errors past it are counted,
    /// not listed ([`SpecError::unlisted`]).
    pub fn error_limit(&mut self, limit: usize) -> &mut Self {
        self.error_limit = limit.max(1);
        self
    }

    /// The crate whose `runtime` module (secrets, credentials, errors,
    /// bounds) the generated code refers to as `::NAME::runtime`; defaults
    /// to [`DEFAULT_RUNTIME_CRATE`]. A crate generating into itself declares
    /// `extern crate self as NAME;`.
    pub fn runtime_crate(&mut self, name: impl Into<String>) -> &mut Self {
        self.runtime_crate = name.into();
        self
    }

    /// The path other crates name the generated items by
    /// (`my_client`, or `my_client::auth` for a module in it), as the doc
    /// examples and the compiler notes write them; defaults to the runtime
    /// crate, for a crate that generates into itself as `c2m-auth` does.
    pub fn client_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.client_path = Some(path.into());
        self
    }

    /// How to name the spec in messages and in the `@generated` line;
    /// defaults to the path given to [`Config::new`].
    pub fn display_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.display_name = Some(name.into());
        self
    }

    fn name(&self) -> String {
        self.display_name
            .clone()
            .unwrap_or_else(|| self.spec.display().to_string())
    }

    /// The spec and each overlay, as `(text, name in messages)`.
    fn read_files(&self) -> Result<Vec<(String, String)>, SpecError> {
        let name = self.name();
        let mut files = vec![(read_spec(&self.spec, &name)?, name)];
        for overlay in &self.overlays {
            let name = overlay.display().to_string();
            files.push((read_spec(overlay, &name)?, name));
        }
        Ok(files)
    }

    /// Reads the spec and its overlays and returns the merged document, as
    /// [`Config::generate`] reads it (for tools that take one document).
    pub fn merged_document(&self) -> Result<serde_json::Value, SpecError> {
        let files = self.read_files()?;
        load_merged(&as_sources(&files))
    }

    /// Reads the spec (and its overlays) and returns the generated,
    /// formatted Rust source.
    pub fn generate(&self) -> Result<String, SpecError> {
        let files = self.read_files()?;
        let sources = as_sources(&files);
        let client_path = self
            .client_path
            .clone()
            .unwrap_or_else(|| self.runtime_crate.replace('-', "_"));
        let target = Target {
            runtime_crate: &self.runtime_crate,
            client_path: &client_path,
            error_limit: self.error_limit,
        };
        generate(&sources, &target)
    }

    /// Generates and writes the source to `out`, leaving the file untouched
    /// when it already holds the same code. The new file is written beside
    /// the old one and renamed over it, so a failure leaves no half-written
    /// file behind.
    pub fn write(&self, out: impl AsRef<Path>) -> Result<Written, SpecError> {
        let source = self.generate()?;
        let out = out.as_ref();
        write_if_changed(out, &source).map_err(|e| {
            SpecError::new(
                &self.name(),
                Location::File,
                SpecErrorKind::Unwritable {
                    path: out.to_path_buf(),
                    reason: e.to_string(),
                },
            )
        })
    }
}

/// `(text, name)` pairs borrowed from their owned form.
fn as_sources(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(text, name)| (text.as_str(), name.as_str()))
        .collect()
}

/// The text of the spec file at `path`, named `name` in messages.
fn read_spec(path: &Path, name: &str) -> Result<String, SpecError> {
    fs::read_to_string(path).map_err(|e| {
        SpecError::new(
            name,
            Location::File,
            SpecErrorKind::Unreadable {
                reason: e.to_string(),
            },
        )
    })
}

/// Writes `contents` to `path` unless it already holds exactly that,
/// through a temporary file renamed into place.
pub fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<Written> {
    if fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(Written::Unchanged);
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated.rs".to_string());
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map(|()| Written::Updated)
}

/// Generates the client from the text of an OpenAPI document; `file` names
/// it in messages and in the `@generated` line. The code uses the runtime
/// of [`DEFAULT_RUNTIME_CRATE`].
pub fn generate_from_str(text: &str, file: &str) -> Result<String, SpecError> {
    generate(&[(text, file)], &Target::DEFAULT)
}

/// [`generate_from_str`] for a base document and overlays merged into it
/// in order (as [`Config::overlay`] does), each given as `(text, file)`.
pub fn generate_merged_from_str(
    base: (&str, &str),
    overlays: &[(&str, &str)],
) -> Result<String, SpecError> {
    let mut sources = vec![base];
    sources.extend_from_slice(overlays);
    generate(&sources, &Target::DEFAULT)
}

/// What [`Config`] says beside the spec: the names the code uses, and how
/// many errors to list.
struct Target<'a> {
    runtime_crate: &'a str,
    client_path: &'a str,
    error_limit: usize,
}

impl Target<'static> {
    /// [`DEFAULT_RUNTIME_CRATE`] for both names, and the default limit.
    const DEFAULT: Target<'static> = Target {
        runtime_crate: DEFAULT_RUNTIME_CRATE,
        client_path: DEFAULT_RUNTIME_CRATE,
        error_limit: DEFAULT_ERROR_LIMIT,
    };
}

/// Generates from `sources`, `(text, file)` each: the spec, then its
/// overlays (see [`Config::overlay`]).
fn generate(sources: &[(&str, &str)], target: &Target<'_>) -> Result<String, SpecError> {
    let Target {
        runtime_crate,
        client_path,
        error_limit,
    } = *target;
    let file = sources.first().map_or("spec", |(_, file)| *file);
    if let Some(reason) = naming::crate_name_problem(runtime_crate) {
        return Err(generator_error(
            file,
            format!("the runtime crate set in `Config::runtime_crate`: {reason}"),
        ));
    }
    if let Some(reason) = naming::path_problem(client_path) {
        return Err(generator_error(
            file,
            format!("the path set in `Config::client_path`: {reason}"),
        ));
    }
    let loaded = load_sources(sources)?;
    let layers = layers(&loaded);
    let json = merged(&layers)?;
    let doc = Document {
        file,
        text: layers.first().map_or("", |layer| layer.text),
        json: &json,
        layers: if layers.len() > 1 { &layers } else { &[] },
    };
    check_document(&doc, error_limit)?;
    let model = model::Spec::build(&json);
    let spec = openapi_model(&doc, runtime_crate)?;
    let mut raw = progenitor_output(&doc, &spec, runtime_crate)?;
    let typed = typed_layer(&doc, &model, &mut raw, (runtime_crate, client_path))?;
    Ok(assemble(&doc, &spec, raw, typed))
}

/// Each source size-checked, normalised and loaded, as `(text, file, json)`;
/// a loading error ends generation alone.
fn load_sources<'s>(
    sources: &[(&str, &'s str)],
) -> Result<Vec<(String, &'s str, serde_json::Value)>, SpecError> {
    sources
        .iter()
        .map(|(text, file)| {
            limits::check_size(text, file)?;
            let text = limits::normalise(text).into_owned();
            let json = load_normalised(&text, file)?;
            Ok((text, *file, json))
        })
        .collect()
}

/// The loaded sources as layers, base first.
fn layers<'l>(loaded: &'l [(String, &'l str, serde_json::Value)]) -> Vec<Layer<'l>> {
    loaded
        .iter()
        .map(|(text, file, json)| Layer { file, text, json })
        .collect()
}

/// The layers merged into one document, base first (borrowed as it is when
/// there is no overlay); each conflict is an error in the overlay, naming
/// the earlier place.
fn merged<'l>(layers: &[Layer<'l>]) -> Result<Cow<'l, serde_json::Value>, SpecError> {
    let Some((base, overlays)) = layers.split_first() else {
        return Ok(Cow::Owned(serde_json::Value::Null));
    };
    if overlays.is_empty() {
        return Ok(Cow::Borrowed(base.json));
    }
    let mut json = base.json.clone();
    let overlay_json: Vec<&serde_json::Value> = overlays.iter().map(|l| l.json).collect();
    let conflicts = overlay::merge(&mut json, &overlay_json);
    if conflicts.is_empty() {
        return Ok(Cow::Owned(json));
    }
    let mut problems = error::Problems::new(DEFAULT_ERROR_LIMIT);
    for conflict in conflicts {
        let earlier = &layers[overlay::origin(
            &conflict.pointer,
            base.json,
            &overlay_json[..conflict.overlay],
        )];
        let at = locate::locate_nearest(earlier.text, &conflict.pointer);
        let layer = &overlays[conflict.overlay];
        let overlay_doc = Document::single(layer.file, layer.text, layer.json);
        let kind = SpecErrorKind::OverlayConflict {
            overlay_has: conflict.overlay_kind.to_string(),
            earlier_has: conflict.merged_kind.to_string(),
            earlier_at: format!("{}:{at}", earlier.file),
        };
        overlay_doc.report(&mut problems, &conflict.pointer, kind);
    }
    problems.into_result().map(|()| Cow::Owned(json))
}

/// A failure of the generator itself, not of a place in the document.
fn generator_error(file: &str, reason: String) -> SpecError {
    SpecError::new(
        file,
        Location::File,
        SpecErrorKind::Generator {
            operation_id: None,
            reason,
        },
    )
}

/// Everything the generator can check before running progenitor, in one
/// pass: every check runs and reports all it finds, each error placed in
/// the document, the first `limit` listed.
fn check_document(doc: &Document<'_>, limit: usize) -> Result<(), SpecError> {
    let mut problems = error::Problems::new(limit);
    // The structure, which every later check reads.
    shape::check(doc, &mut problems);
    validate::check_refs(doc, &mut problems);
    cycles::check(doc, &mut problems);
    // What these problems make unreliable: the checks that follow
    // references skip it.
    let structure = problems.nodes().clone();
    let broken = broken::Broken::find(doc.json, &structure);
    validate::check_security(doc, &mut problems);
    validate::check_operation_ids(doc, &mut problems);
    validate::check_schema_names(doc, &mut problems);
    validate::check_property_names(doc, &mut problems);
    validate::check_operations(doc, &broken, &mut problems);
    validate::check_patterns(doc, &mut problems);
    validate::check_secret_marks(doc, &mut problems);
    problems.into_result()
}

/// The document rewritten for progenitor (secrets, optional bodies) and
/// read into `openapiv3`'s model.
fn openapi_model(doc: &Document<'_>, runtime_crate: &str) -> Result<openapiv3::OpenAPI, SpecError> {
    let mut rewritten = doc.json.clone();
    preprocess::rewrite(&mut rewritten, runtime_crate);
    serde_json::from_value(rewritten).map_err(|e| {
        doc.error_at(
            "",
            SpecErrorKind::NotOpenApi {
                reason: e.to_string(),
            },
        )
    })
}

/// progenitor's client and types, as syntax, with path parameters escaped
/// and JSON bodies read by the runtime, and without progenitor's undeclared
/// `api-version` header; a failure names the operation that causes it.
fn progenitor_output(
    doc: &Document<'_>,
    spec: &openapiv3::OpenAPI,
    runtime_crate: &str,
) -> Result<syn::File, SpecError> {
    let tokens = run_progenitor(spec, runtime_crate).map_err(|reason| {
        let reason = concise(&reason);
        let (pointer, operation_id) = match failing_operation(spec, runtime_crate) {
            Some((pointer, operation_id)) => (pointer, Some(operation_id)),
            None => (String::new(), None),
        };
        doc.error_at(
            &pointer,
            SpecErrorKind::Generator {
                operation_id,
                reason,
            },
        )
    })?;
    let mut raw: syn::File = syn::parse2(tokens).map_err(|e| unparsable(doc.file, e))?;
    if !paths::encode_with_runtime(&mut raw, runtime_crate) {
        return Err(generator_error(
            doc.file,
            "progenitor's output no longer imports `encode_path`, so path parameters would not be escaped by the runtime (a bug; please report it)".to_string(),
        ));
    }
    json_response::read_with_runtime(&mut raw, runtime_crate);
    if !version_header::drop_version_header(&mut raw) {
        return Err(generator_error(
            doc.file,
            "progenitor's output no longer adds its `api-version` header as expected, so the undeclared header would be sent (a bug; please report it)".to_string(),
        ));
    }
    Ok(raw)
}

/// Generated code that does not parse (a bug of the generator's).
fn unparsable(file: &str, error: syn::Error) -> SpecError {
    SpecError::new(
        file,
        Location::File,
        SpecErrorKind::Unparsable {
            reason: error.to_string(),
        },
    )
}

/// Rewrites progenitor's types (growth, nulls) and writes the typed layer
/// over them.
fn typed_layer(
    doc: &Document<'_>,
    model: &model::Spec<'_>,
    raw: &mut syn::File,
    (runtime_crate, client_path): (&str, &str),
) -> Result<syn::File, SpecError> {
    // The typed layer is this crate's own code; should it ever panic on a
    // document, that too becomes a message rather than a backtrace.
    let layered = quietly(|| {
        one_of::name_variants(raw);
        one_of::enforce_exactly_one(raw, runtime_crate);
        growth::make_growable(raw, model, runtime_crate);
        nulls::refuse_nulls(raw, model, runtime_crate);
        typed::generate(doc, model, raw, runtime_crate, client_path)
    });
    let typed = match layered {
        Ok(result) => result?,
        Err(message) => {
            return Err(generator_error(
                doc.file,
                format!("c2m-auth-codegen failed (a bug; please report it): {message}"),
            ));
        }
    };
    syn::parse2(typed).map_err(|e| unparsable(doc.file, e))
}

/// The output file: the `@generated` line, progenitor's code in `mod raw`,
/// and the typed layer.
fn assemble(
    doc: &Document<'_>,
    spec: &openapiv3::OpenAPI,
    raw: syn::File,
    mut syntax: syn::File,
) -> String {
    // progenitor's output is already syntax: it goes into `mod raw` as it
    // is rather than back through tokens.
    let mut module: syn::ItemMod = syn::parse_quote! {
        /// What progenitor generates: the request and response code, and the
        /// types. The typed layer below wraps it.
        #[allow(dead_code, unused_imports, missing_docs, clippy::all)]
        mod raw {}
    };
    module.attrs.extend(raw.attrs);
    module.content = Some((Default::default(), raw.items));
    syntax.items.insert(0, syn::Item::Mod(module));
    let body = prettyplease::unparse(&syntax);
    let from = match doc.layers.split_first() {
        Some((base, overlays)) => {
            let overlays: Vec<&str> = overlays.iter().map(|layer| layer.file).collect();
            format!("{} with the overlay {}", base.file, overlays.join(", "))
        }
        None => doc.file.to_string(),
    };
    format!(
        "// @generated by c2m-auth-codegen from {from} ({} {}). Do not edit: change the spec and rebuild.\n\n{body}",
        spec.info.title, spec.info.version
    )
}

/// The first line of a progenitor message: some end in a multi-line `Debug`
/// dump of the offending node (`… are not supported Cookie {`), which says
/// less than the JSON pointer beside it.
fn concise(reason: &str) -> String {
    let first = reason.lines().next().unwrap_or_default().trim_end();
    match first.strip_suffix('{') {
        Some(opening) => {
            let opening = opening.trim_end();
            // Drop the dumped type's name too.
            opening
                .rsplit_once(' ')
                .map_or(opening, |(head, _)| head)
                .trim_end()
                .to_string()
        }
        None => first.to_string(),
    }
}

/// Parses a document and checks that it is OpenAPI 3.0.x, returning its
/// JSON form (for the change report, which needs no generation).
pub fn load_document(text: &str, file: &str) -> Result<serde_json::Value, SpecError> {
    limits::check_size(text, file)?;
    load_normalised(&limits::normalise(text), file)
}

/// [`load_document`] for a base document and overlays merged into it in
/// order, each `(text, file)`, as [`Config::overlay`] merges them.
pub fn load_merged(files: &[(&str, &str)]) -> Result<serde_json::Value, SpecError> {
    if let [(text, file)] = files {
        return load_document(text, file);
    }
    let loaded = load_sources(files)?;
    merged(&layers(&loaded)).map(Cow::into_owned)
}

/// [`load_document`] for text already size-checked and normalised.
fn load_normalised(text: &str, file: &str) -> Result<serde_json::Value, SpecError> {
    // Plain JSON skips the YAML parser, to the same value; anything else,
    // errors included, is read as YAML.
    let json = match json_text::read(text) {
        Some(json) => json,
        None => load_yaml(text, file)?,
    };
    validate::check_version(&Document::single(file, text, &json))?;
    Ok(json)
}

/// The document read as YAML, within the limits, in its JSON form.
fn load_yaml(text: &str, file: &str) -> Result<serde_json::Value, SpecError> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| yaml_error(file, &e))?;
    let unchecked = Document::single(file, text, &serde_json::Value::Null);
    limits::check_value(&unchecked, &yaml)?;
    serde_json::to_value(&yaml).map_err(|e| {
        unchecked.error_at(
            "",
            SpecErrorKind::NotOpenApi {
                reason: e.to_string(),
            },
        )
    })
}

fn yaml_error(file: &str, error: &serde_yaml::Error) -> SpecError {
    let location = match error.location() {
        Some(l) => Location::Text(LineColumn {
            line: l.line(),
            column: l.column(),
        }),
        // The parser's rare messages without a position are about the
        // whole text.
        None => Location::Text(LineColumn { line: 1, column: 1 }),
    };
    SpecError::new(
        file,
        location,
        SpecErrorKind::InvalidYaml {
            reason: strip_position(&error.to_string()),
        },
    )
}

/// serde_yaml appends " at line L column C" to its messages; the position is
/// already in front of ours.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// When progenitor fails on the whole document, finds an operation it
/// also fails on alone, so the message can name it: `(pointer, operationId)`.
/// It halves the operations while one half fails by itself, so a large
/// document costs a few runs of progenitor rather than one per operation.
fn failing_operation(spec: &openapiv3::OpenAPI, runtime_crate: &str) -> Option<(String, String)> {
    let mut candidates: Vec<(&String, &str, &openapiv3::Operation, &openapiv3::PathItem)> =
        Vec::new();
    for (path, item) in &spec.paths.paths {
        if let openapiv3::ReferenceOr::Item(item) = item {
            for (method, operation) in item.iter() {
                candidates.push((path, method, operation, item));
            }
        }
    }
    let fails = |some: &[(&String, &str, &openapiv3::Operation, &openapiv3::PathItem)]| {
        let mut alone = spec.clone();
        alone.paths.paths.clear();
        for (path, method, operation, item) in some {
            let entry = alone.paths.paths.entry((*path).clone()).or_insert_with(|| {
                openapiv3::ReferenceOr::Item(openapiv3::PathItem {
                    parameters: item.parameters.clone(),
                    ..Default::default()
                })
            });
            let openapiv3::ReferenceOr::Item(single) = entry else {
                continue;
            };
            let slot = match *method {
                "get" => &mut single.get,
                "put" => &mut single.put,
                "post" => &mut single.post,
                "delete" => &mut single.delete,
                "options" => &mut single.options,
                "head" => &mut single.head,
                "patch" => &mut single.patch,
                "trace" => &mut single.trace,
                _ => continue,
            };
            *slot = Some((*operation).clone());
        }
        run_progenitor(&alone, runtime_crate).is_err()
    };
    while candidates.len() > 1 {
        let (first, second) = candidates.split_at(candidates.len() / 2);
        if fails(first) {
            candidates.truncate(first.len());
        } else if fails(second) {
            candidates.drain(..first.len());
        } else {
            // Only a combination fails: try each on its own.
            break;
        }
    }
    candidates
        .iter()
        .find(|candidate| fails(std::slice::from_ref(*candidate)))
        .map(|(path, method, operation, _)| {
            let pointer = format!("/paths/{}/{method}", locate::escape_token(path));
            (pointer, operation.operation_id.clone().unwrap_or_default())
        })
}

thread_local! {
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Runs progenitor, turning its errors and its panics (it has `todo!`s and
/// asserts for constructs it does not support) into a message. The panic
/// is kept off stderr by a hook that stays quiet only on this thread and
/// only while progenitor runs, so other threads' panics still print.
/// Runs `f`, turning a panic into its message. The panic is kept off
/// stderr by a hook that stays quiet only on this thread and only while `f`
/// runs, so other threads' panics still print.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL_HOOK: Once = Once::new();
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(false));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "an unsupported construct".to_string())
    })
}

/// Runs progenitor, turning its errors and its panics (it has `todo!`s and
/// asserts for constructs it does not support) into a message.
fn run_progenitor(
    spec: &openapiv3::OpenAPI,
    runtime_crate: &str,
) -> Result<proc_macro2::TokenStream, String> {
    let runtime = naming::crate_ident(runtime_crate);
    let context: proc_macro2::TokenStream = format!("::{runtime}::runtime::CallContext")
        .parse()
        .map_err(|e| format!("bad runtime crate name `{runtime_crate}`: {e}"))?;
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_inner_type(context)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_crate(runtime_crate, progenitor::CrateVers::Any, None);
    let mut generator = progenitor::Generator::new(&settings);
    match quietly(|| generator.generate_tokens(spec)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(error)) => Err(error.to_string()),
        Err(message) => Err(format!("progenitor cannot handle this document: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_ERROR_LIMIT, Target, concise};

    fn target<'a>(runtime_crate: &'a str, client_path: &'a str) -> Target<'a> {
        Target {
            runtime_crate,
            client_path,
            error_limit: DEFAULT_ERROR_LIMIT,
        }
    }

    #[test]
    fn generator_messages_lose_their_debug_dumps() {
        assert_eq!(
            concise(
                "unexpected format: cookie parameters are not supported Cookie {\n    parameter_data: ParameterData {\n}"
            ),
            "unexpected format: cookie parameters are not supported"
        );
        assert_eq!(
            concise("invalid operation: no body type\n"),
            "invalid operation: no body type"
        );
    }

    /// A runtime crate name that code cannot write is refused by name,
    /// before anything is generated (it used to reach `Ident::new`).
    #[test]
    fn a_runtime_crate_name_code_cannot_write_is_an_error() {
        let spec = include_str!("../tests/fixtures/auth.yaml");
        for bad in ["c2m auth", "9lives", "self", "a::b"] {
            let error = match super::generate(&[(spec, "auth.yaml")], &target(bad, "c2m_auth")) {
                Ok(_) => panic!("{bad:?} was accepted"),
                Err(error) => error.to_string(),
            };
            assert!(error.contains("Config::runtime_crate"), "{error}");
            assert!(error.contains(bad), "{error}");
        }
        assert!(super::generate(&[(spec, "auth.yaml")], &target("my-runtime", "c2m_auth")).is_ok());
        for bad in ["", "a b", "a::", "::a", "a::self"] {
            assert!(
                super::generate(&[(spec, "auth.yaml")], &target("c2m_auth", bad)).is_err(),
                "{bad:?}"
            );
        }
        assert!(
            super::generate(
                &[(spec, "auth.yaml")],
                &target("c2m_auth", "my_client::auth")
            )
            .is_ok()
        );
    }
}
