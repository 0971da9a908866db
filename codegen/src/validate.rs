//! Checks of the document made before progenitor sees it, so that what it
//! would panic or `todo!` on is reported as a [`SpecError`] that names the
//! operation and the node instead. Each check reports every problem it
//! finds into one [`Problems`] sink and goes on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::broken::Broken;
use crate::error::{Location, Named, Problems, SpecError, SpecErrorKind};
use crate::locate::{escape_token, locate_nearest};
use crate::model::{METHODS, is_json};

/// The spec's text and its JSON form, and how to name it in messages.
pub(crate) struct Document<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub json: &'a Value,
    /// With overlays, the files merged into `json`, the base first: an
    /// error is placed in the file that wrote its node. Empty for one file.
    pub layers: &'a [Layer<'a>],
}

/// One of the files an overlaid document was merged from.
pub(crate) struct Layer<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub json: &'a Value,
}

impl<'a> Document<'a> {
    /// A document read from one file.
    pub fn single(file: &'a str, text: &'a str, json: &'a Value) -> Self {
        Document {
            file,
            text,
            json,
            layers: &[],
        }
    }

    /// An error at the node `pointer`, with its line and column (or its
    /// nearest ancestor's, when the node is not in the text).
    pub fn error_at(&self, pointer: &str, kind: SpecErrorKind) -> SpecError {
        let (file, text) = self.origin(pointer);
        SpecError::new(
            file,
            Location::Node {
                pointer: pointer.to_string(),
                position: Some(locate_nearest(text, pointer)),
            },
            kind,
        )
    }

    /// The file, and its text, that wrote the node at `pointer`.
    fn origin(&self, pointer: &str) -> (&'a str, &'a str) {
        let Some((base, overlays)) = self.layers.split_first() else {
            return (self.file, self.text);
        };
        let overlays: Vec<&Value> = overlays.iter().map(|layer| layer.json).collect();
        let layer = &self.layers[crate::overlay::origin(pointer, base.json, &overlays)];
        (layer.file, layer.text)
    }

    /// Reports a problem at the node `pointer` into `problems` (which
    /// finds its line and column only if it lists it).
    pub fn report(&self, problems: &mut Problems, pointer: &str, kind: SpecErrorKind) {
        problems.add(pointer, || self.error_at(pointer, kind));
    }
}

/// The `openapi` field must name version 3.0.x.
pub(crate) fn check_version(doc: &Document<'_>) -> Result<(), SpecError> {
    match doc.json.get("openapi") {
        Some(Value::String(v)) if v.trim().starts_with("3.0.") => Ok(()),
        Some(other) => {
            let found = match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            Err(doc.error_at(
                "/openapi",
                SpecErrorKind::UnsupportedVersion { found: Some(found) },
            ))
        }
        None => {
            let found = doc.json.get("swagger").map(|v| match v {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            });
            match found {
                Some(found) => Err(doc.error_at(
                    "/swagger",
                    SpecErrorKind::UnsupportedVersion { found: Some(found) },
                )),
                None => Err(doc.error_at("", SpecErrorKind::UnsupportedVersion { found: None })),
            }
        }
    }
}

/// Every `$ref` must point at a node of this document.
pub(crate) fn check_refs(doc: &Document<'_>, problems: &mut Problems) {
    crate::walk::for_each_object(doc.json, |pointer, object| {
        let Some(Value::String(reference)) = object.get("$ref") else {
            return;
        };
        let at = format!("{pointer}/$ref");
        let reference = reference.clone();
        match reference.strip_prefix('#') {
            None => doc.report(problems, &at, SpecErrorKind::ExternalRef { reference }),
            Some(target) if doc.json.pointer(target).is_none() => {
                doc.report(problems, &at, SpecErrorKind::DanglingRef { reference });
            }
            Some(_) => {}
        }
    });
}

/// One operation of the document, as found under `paths`.
pub(crate) struct Operation<'a> {
    pub pointer: String,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a Value,
    pub path_item: &'a Value,
}

impl<'a> Operation<'a> {
    /// Every parameter that applies, as `(pointer, resolved parameter)`:
    /// the operation's own first, then its path item's.
    pub fn parameters(&self, doc: &'a Value) -> Vec<(String, &'a Value)> {
        let lists = [
            (self.body, format!("{}/parameters", self.pointer)),
            (
                self.path_item,
                format!("/paths/{}/parameters", escape_token(self.path)),
            ),
        ];
        let mut found = Vec::new();
        for (holder, list_pointer) in lists {
            let params = holder.get("parameters").and_then(Value::as_array);
            for (index, param) in params.into_iter().flatten().enumerate() {
                found.push((format!("{list_pointer}/{index}"), resolved(doc, param)));
            }
        }
        found
    }
}

pub(crate) fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut found = Vec::new();
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return found;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(body) = item.get(method) {
                found.push(Operation {
                    pointer: format!("/paths/{}/{method}", escape_token(path)),
                    method,
                    path,
                    body,
                    path_item: item,
                });
            }
        }
    }
    found
}

/// Operation ids: present and unique; path items: not references.
pub(crate) fn check_operation_ids(doc: &Document<'_>, problems: &mut Problems) {
    if let Some(Value::Object(paths)) = doc.json.get("paths") {
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                doc.report(
                    problems,
                    &format!("/paths/{}/$ref", escape_token(path)),
                    SpecErrorKind::Unsupported {
                        operation_id: None,
                        what: format!("path item `{path}` is a `$ref`"),
                        hint: "write the path item's operations in place".into(),
                    },
                );
            }
        }
    }
    // Method name → (operationId, pointer) of the first operation with it:
    // the same id twice is a duplicate, two ids with one method a collision.
    let mut methods: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for op in operations(doc.json) {
        let id = match op.body.get("operationId") {
            None => {
                let operation = format!("{} {}", op.method.to_uppercase(), op.path);
                let kind = SpecErrorKind::MissingOperationId { operation };
                doc.report(problems, &op.pointer, kind);
                continue;
            }
            Some(Value::String(id)) => id.as_str(),
            // Not text: the shape check has said so at the id.
            Some(_) => continue,
        };
        let method = crate::naming::method_name(id);
        let kind = match methods.get(&method) {
            None => {
                methods.insert(method, (id, op.pointer.clone()));
                continue;
            }
            Some((first_id, first)) if *first_id == id => SpecErrorKind::DuplicateOperationId {
                operation_id: id.to_string(),
                first: format!("#{first}"),
            },
            Some((first_id, first)) => SpecErrorKind::NameCollision {
                operation_id: None,
                what: Named::OperationId,
                name: id.to_string(),
                first: first_id.to_string(),
                first_at: first.clone(),
                rust_name: method,
            },
        };
        doc.report(problems, &format!("{}/operationId", op.pointer), kind);
    }
}

/// Each name in `names` that `convert` maps to the same Rust name as an
/// earlier one: `(that name, the earlier one, the Rust name)`.
fn collisions<'n>(
    names: impl Iterator<Item = &'n str>,
    convert: fn(&str) -> String,
) -> Vec<(&'n str, &'n str, String)> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut found = Vec::new();
    for name in names {
        let rust = convert(name);
        match seen.get(&rust) {
            Some(first) => found.push((name, *first, rust)),
            None => {
                seen.insert(rust, name);
            }
        }
    }
    found
}

/// Properties of one schema whose names become the same Rust field
/// (`page-size` and `page_size`).
pub(crate) fn check_property_names(doc: &Document<'_>, problems: &mut Problems) {
    crate::walk::for_each_object(doc.json, |pointer, object| {
        let empty = serde_json::Map::new();
        let properties = object
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        // A required name without a property is a field too.
        let required = object.get("required").and_then(Value::as_array);
        let required_only: Vec<(usize, &str)> = required
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, name)| Some((index, name.as_str()?)))
            .filter(|(_, name)| !properties.contains_key(*name))
            .collect();
        let names = properties
            .keys()
            .map(String::as_str)
            .chain(required_only.iter().map(|(_, name)| *name));
        // Where a name is written: as a property, or only in `required`.
        let place = |name: &str| match required_only.iter().find(|(_, n)| *n == name) {
            Some((index, _)) => format!("{pointer}/required/{index}"),
            None => format!("{pointer}/properties/{}", escape_token(name)),
        };
        for (name, first, field) in collisions(names, crate::naming::field_name) {
            let kind = SpecErrorKind::NameCollision {
                operation_id: None,
                what: Named::Property,
                name: name.to_string(),
                first: first.to_string(),
                first_at: place(first),
                rust_name: field,
            };
            doc.report(problems, &place(name), kind);
        }
    });
}

/// Component schemas whose names become the same Rust type (`Part` and
/// `part`) would generate two definitions of it.
pub(crate) fn check_schema_names(doc: &Document<'_>, problems: &mut Problems) {
    let Some(Value::Object(schemas)) = doc.json.pointer("/components/schemas") else {
        return;
    };
    let place = |name: &str| format!("/components/schemas/{}", escape_token(name));
    let names = schemas.keys().map(String::as_str);
    for (name, first, type_name) in collisions(names, crate::naming::type_name) {
        let kind = SpecErrorKind::NameCollision {
            operation_id: None,
            what: Named::Schema,
            name: name.to_string(),
            first: first.to_string(),
            first_at: place(first),
            rust_name: type_name,
        };
        doc.report(problems, &place(name), kind);
    }
}

/// What progenitor can turn into one method: one request media type, one
/// success body type and one error body type, and path parameters that
/// match the path template. A part of an operation that leads to a broken
/// node (a dangling `$ref`, a mistyped object) is not checked: what it
/// would say follows from that problem.
pub(crate) fn check_operations(doc: &Document<'_>, broken: &Broken, problems: &mut Problems) {
    for op in operations(doc.json) {
        let mut report = Reporter {
            doc,
            operation_id: op
                .body
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string),
            problems: &mut *problems,
        };
        if !broken.leads_to_problem(&format!("{}/requestBody", op.pointer)) {
            check_request_media(&op, &mut report);
        }
        if !broken.leads_to_problem(&format!("{}/responses", op.pointer)) {
            let (success, failure) = response_kinds(&op, &mut report);
            check_one_body_type(&op, &success, &failure, &mut report);
        }
        let path_parameters = format!("/paths/{}/parameters", escape_token(op.path));
        if !broken.leads_to_problem(&format!("{}/parameters", op.pointer))
            && !broken.leads_to_problem(&path_parameters)
        {
            let parameters = op.parameters(doc.json);
            check_path_parameters(&op, &parameters, &mut report);
            check_parameter_names(&parameters, &mut report);
            check_parameter_schemas(doc.json, &parameters, &mut report);
        }
    }
}

/// Reports the problems of one operation, naming it.
struct Reporter<'r, 'd> {
    doc: &'r Document<'d>,
    operation_id: Option<String>,
    problems: &'r mut Problems,
}

impl Reporter<'_, '_> {
    /// A construct the generator cannot turn into Rust, at `pointer`.
    fn unsupported(&mut self, pointer: &str, what: String, hint: &str) {
        let kind = SpecErrorKind::Unsupported {
            operation_id: self.operation_id.clone(),
            what,
            hint: hint.to_string(),
        };
        self.doc.report(self.problems, pointer, kind);
    }

    /// `name` at `pointer` becomes the same Rust name as `first` at
    /// `first_at`.
    fn collision(
        &mut self,
        pointer: &str,
        what: Named,
        names: (&str, &str),
        first_at: String,
        rust_name: String,
    ) {
        let (name, first) = names;
        let kind = SpecErrorKind::NameCollision {
            operation_id: self.operation_id.clone(),
            what,
            name: name.to_string(),
            first: first.to_string(),
            first_at,
            rust_name,
        };
        self.doc.report(self.problems, pointer, kind);
    }
}

/// Response statuses by the kind of body they declare.
type StatusesByKind = BTreeMap<String, Vec<String>>;

/// progenitor takes one request media type.
fn check_request_media(op: &Operation<'_>, report: &mut Reporter<'_, '_>) {
    let Some(body) = op.body.get("requestBody") else {
        return;
    };
    let body = resolved(report.doc.json, body);
    if let Some(Value::Object(content)) = body.get("content")
        && content.len() > 1
    {
        let types: Vec<&str> = content.keys().map(String::as_str).collect();
        report.unsupported(
            &format!("{}/requestBody/content", op.pointer),
            format!(
                "the request body offers {} media types ({}); the generator supports one",
                types.len(),
                types.join(", ")
            ),
            "keep one media type, usually `application/json`",
        );
    }
}

/// Each response's body kind, grouped by status as progenitor groups them
/// (success and error), after refusing header names that collide and media
/// types without a schema (a response with no schema has no kind).
fn response_kinds(
    op: &Operation<'_>,
    report: &mut Reporter<'_, '_>,
) -> (StatusesByKind, StatusesByKind) {
    let json = report.doc.json;
    let mut success = StatusesByKind::new();
    let mut failure = StatusesByKind::new();
    let Some(Value::Object(responses)) = op.body.get("responses") else {
        return (success, failure);
    };
    for (status, response) in responses {
        let pointer = format!("{}/responses/{}", op.pointer, escape_token(status));
        // Where the response is written: here, or where its `$ref` points.
        let written_at = match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference.trim_start_matches('#').to_string(),
            None => pointer,
        };
        let response = resolved(json, response);
        check_header_names(status, response, &written_at, report);
        let kind = match response_body_kind(json, response) {
            Ok(kind) => kind,
            Err(media) => {
                // At the response as written, which may be a component.
                report.unsupported(
                    &format!("{written_at}/content/{}", escape_token(&media)),
                    format!("response `{status}` declares `{media}` without a schema"),
                    "add a `schema` to the media type, or remove the `content`",
                );
                continue;
            }
        };
        // Grouped as progenitor groups them; 1xx (but 101) and 3xx
        // responses are left to its catch-all.
        let is_default = status == "default";
        if is_default || status.starts_with('2') || status == "101" {
            success
                .entry(kind.clone())
                .or_default()
                .push(status.clone());
        }
        if is_default || status.starts_with('4') || status.starts_with('5') {
            failure.entry(kind).or_default().push(status.clone());
        }
    }
    (success, failure)
}

/// Headers of one response whose names become the same Rust field.
fn check_header_names(
    status: &str,
    response: &Value,
    written_at: &str,
    report: &mut Reporter<'_, '_>,
) {
    let Some(Value::Object(headers)) = response.get("headers") else {
        return;
    };
    let place = |name: &str| format!("{written_at}/headers/{}", escape_token(name));
    let names = headers.keys().map(String::as_str);
    for (name, first, field) in collisions(names, crate::naming::header_field) {
        let what = Named::ResponseHeader {
            status: status.to_string(),
        };
        report.collision(&place(name), what, (name, first), place(first), field);
    }
}

/// A method returns one success type and one error type.
fn check_one_body_type(
    op: &Operation<'_>,
    success: &StatusesByKind,
    failure: &StatusesByKind,
    report: &mut Reporter<'_, '_>,
) {
    for (bodies, what) in [(success, "success"), (failure, "error")] {
        if bodies.len() > 1 {
            let listed: Vec<String> = bodies
                .iter()
                .map(|(kind, statuses)| format!("{} → {kind}", statuses.join(", ")))
                .collect();
            let has_default = bodies.values().flatten().any(|status| status == "default");
            let hint = if has_default {
                format!(
                    "`default` counts as both a success and an error response: give it the same schema as the {what} responses, or list error statuses (`4XX`, `5XX`) instead of `default`"
                )
            } else {
                "give every such response the same schema (e.g. one shared error schema), or none"
                    .to_string()
            };
            // One problem for the node: the error responses' clash, if
            // any, is reported once the successes agree.
            return report.unsupported(
                &format!("{}/responses", op.pointer),
                format!(
                    "its {what} responses have different body types ({}); a method returns one {what} type",
                    listed.join("; ")
                ),
                &hint,
            );
        }
    }
}

/// Two parameters of one operation whose names become the same Rust
/// argument (`page-size` in the query, `page_size` in a header).
fn check_parameter_names(parameters: &[(String, &Value)], report: &mut Reporter<'_, '_>) {
    // Argument → the (name, location, pointer) that takes it.
    let mut arguments: BTreeMap<String, (&str, &str, &str)> = BTreeMap::new();
    for (pointer, param) in parameters {
        let (Some(name), Some(location)) = (
            param.get("name").and_then(Value::as_str),
            param.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let argument = crate::naming::parameter_name(name);
        match arguments.get(&argument) {
            // The operation's own parameter overrides the path's.
            Some((first, first_in, _)) if *first == name && *first_in == location => {}
            Some((first, first_in, first_pointer)) => {
                let what = Named::Parameter {
                    location: location.to_string(),
                    first_location: first_in.to_string(),
                };
                let first_at = format!("{first_pointer}/name");
                let names = (name, *first);
                report.collision(&format!("{pointer}/name"), what, names, first_at, argument);
            }
            None => {
                arguments.insert(argument, (name, location, pointer));
            }
        }
    }
}

/// Path and header parameters are sent as text (`to_string()`), so their
/// schema must be one value: not an object, a list or nullable.
fn check_parameter_schemas(
    json: &Value,
    parameters: &[(String, &Value)],
    report: &mut Reporter<'_, '_>,
) {
    for (pointer, param) in parameters {
        let location = param.get("in").and_then(Value::as_str);
        if !matches!(location, Some("path" | "header")) {
            continue;
        }
        let Some(schema) = param.get("schema") else {
            continue;
        };
        if let Some(what) = structured(json, schema, 0) {
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let location = location.unwrap_or_default();
            report.unsupported(
                &format!("{pointer}/schema"),
                format!("{location} parameter `{name}` has {what} schema; it is sent as text"),
                "give it a string, number, integer or boolean schema (or an enum of them), or send structured data in the body or the query",
            );
        }
    }
}

/// What makes `schema` other than one text value, if anything: an object,
/// a list or `nullable`, through references and `allOf`/`oneOf`/`anyOf`
/// parts.
fn structured(json: &Value, schema: &Value, depth: usize) -> Option<&'static str> {
    let schema = resolved(json, schema);
    // Cycles were refused before; the bound keeps this cheap regardless.
    if depth > 16 {
        return None;
    }
    // Generated as an `Option`, which has no text form.
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return Some("a nullable");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => return Some("an object"),
        Some("array") => return Some("an array"),
        _ => {}
    }
    if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
        return Some("an object");
    }
    if schema.get("items").is_some() {
        return Some("an array");
    }
    // A choice of text values (a name or an id) is one text value.
    ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|keyword| schema.get(*keyword).and_then(Value::as_array))
        .flatten()
        .find_map(|part| structured(json, part, depth + 1))
}

fn check_path_parameters(
    op: &Operation<'_>,
    parameters: &[(String, &Value)],
    report: &mut Reporter<'_, '_>,
) {
    let in_template: BTreeSet<&str> = op
        .path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let mut declared: BTreeSet<&str> = BTreeSet::new();
    for (pointer, param) in parameters {
        // Without a name, the shape check has said so.
        let name = param.get("name").and_then(Value::as_str);
        match (param.get("in").and_then(Value::as_str), name) {
            (Some("cookie"), _) => report.unsupported(
                &format!("{pointer}/in"),
                format!(
                    "parameter `{}` is sent `in: cookie`, which the generator does not support",
                    name.unwrap_or_default()
                ),
                "send it as a header or query parameter, or leave it out of the spec and set the cookie on your own `reqwest::ClientBuilder` (`Client::with_http_client`)",
            ),
            (Some("path"), Some(name)) if in_template.contains(name) => {
                declared.insert(name);
            }
            (Some("path"), Some(name)) => report.unsupported(
                pointer,
                format!(
                    "path parameter `{name}` does not appear in the path `{}`",
                    op.path
                ),
                &format!(
                    "add `{{{name}}}` to the path, or declare the parameter `in: query` or `in: header`"
                ),
            ),
            _ => {}
        }
    }
    if let Some(missing) = in_template.iter().find(|name| !declared.contains(**name)) {
        report.unsupported(
            &op.pointer,
            format!(
                "the path `{}` uses `{{{missing}}}` but no path parameter declares it",
                op.path
            ),
            "declare it under `parameters` with `in: path` and `required: true`",
        );
    }
}

pub(crate) use crate::model::resolved;

/// A name for the body a response carries, as progenitor groups them:
/// one JSON schema, some other content, or none. `Err` names a JSON media
/// type that has no schema.
fn response_body_kind(doc: &Value, response: &Value) -> Result<String, String> {
    let Some(Value::Object(content)) = response.get("content") else {
        return Ok("no body".to_string());
    };
    let json = content.iter().find(|(media, _)| is_json(media));
    match json {
        Some((media, media_type)) => match media_type.get("schema") {
            Some(schema) => Ok(schema_name(doc, schema)),
            None => Err(media.clone()),
        },
        None if content.is_empty() => Ok("no body".to_string()),
        None => Ok("raw bytes".to_string()),
    }
}

fn schema_name(doc: &Value, schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        // Two references to one schema are one type.
        let target = resolved(doc, schema);
        if target.get("$ref").is_none() {
            return format!("`{}`", reference.rsplit('/').next().unwrap_or(reference));
        }
    }
    format!("inline schema {schema}")
}

/// The operation objects under `paths`, for rewriting.
pub(crate) fn operations_mut(doc: &mut Value) -> Vec<&mut Value> {
    let mut found = Vec::new();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return found;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for (key, operation) in item.iter_mut() {
            if METHODS.contains(&key.as_str()) {
                found.push(operation);
            }
        }
    }
    found
}

/// Every `pattern` must be an ECMA-262 regular expression (as OpenAPI
/// requires) that the client's engine compiles: the generated types and the
/// bounds checks both use it.
pub(crate) fn check_patterns(doc: &Document<'_>, problems: &mut Problems) {
    crate::walk::for_each_object(doc.json, |pointer, object| {
        let Some(Value::String(source)) = object.get("pattern") else {
            return;
        };
        if let Err(error) = regress::Regex::new(source) {
            let kind = SpecErrorKind::Unsupported {
                operation_id: None,
                what: format!(
                    "`pattern: {source}` is not a regular expression the client can check: {error}"
                ),
                hint: "write an ECMA-262 regular expression, as OpenAPI requires".into(),
            };
            doc.report(problems, &format!("{pointer}/pattern"), kind);
        }
    });
}

/// `x-secret: true` only makes sense on a string.
pub(crate) fn check_secret_marks(doc: &Document<'_>, problems: &mut Problems) {
    const SECRET: &str = crate::preprocess::SECRET_EXTENSION;
    crate::walk::for_each_object(doc.json, |pointer, object| {
        if object.get(SECRET).and_then(Value::as_bool) == Some(true)
            && object.get("type").and_then(Value::as_str) != Some("string")
        {
            let kind = SpecErrorKind::Unsupported {
                operation_id: None,
                what: format!("`{SECRET}: true` is set on a schema that is not `type: string`"),
                hint: "mark the string fields that hold secrets, not the object around them".into(),
            };
            doc.report(problems, &format!("{pointer}/{SECRET}"), kind);
        }
    });
}

/// Every security requirement, the document's and each operation's, names
/// a scheme of `components/securitySchemes`; reported where it is written.
pub(crate) fn check_security(doc: &Document<'_>, problems: &mut Problems) {
    let schemes = doc.json.pointer("/components/securitySchemes");
    let mut lists = vec![(String::new(), None, doc.json)];
    for op in operations(doc.json) {
        let id = op.body.get("operationId").and_then(Value::as_str);
        lists.push((op.pointer.clone(), id, op.body));
    }
    for (at, operation_id, holder) in lists {
        let requirements = holder.get("security").and_then(Value::as_array);
        for (index, requirement) in requirements.into_iter().flatten().enumerate() {
            let Some(requirement) = requirement.as_object() else {
                continue;
            };
            for scheme in requirement.keys() {
                if schemes.and_then(|s| s.get(scheme)).is_some() {
                    continue;
                }
                let kind = SpecErrorKind::Unsupported {
                    operation_id: operation_id.map(str::to_string),
                    what: format!(
                        "security requirement names `{scheme}`, which `components.securitySchemes` does not define"
                    ),
                    hint: "define the scheme under `components.securitySchemes`, or fix the name"
                        .into(),
                };
                let pointer = format!("{at}/security/{index}/{}", escape_token(scheme));
                doc.report(problems, &pointer, kind);
            }
        }
    }
}
