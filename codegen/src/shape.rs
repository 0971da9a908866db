//! Checks that the document has the shape of an OpenAPI 3.0 document, one
//! object at a time, innermost first, so that a mistyped node is reported
//! where it is and in time linear in the document's size.
//!
//! openapiv3 reads schemas (and references) as untagged enums: when a node
//! deep inside fails, every enclosing level retries its variants, each of
//! which reads the whole subtree again, so one mistyped bound twenty levels
//! down took minutes. Here each object is read alone after its children
//! have been, so a failure is found at the deepest object it is in and
//! costs one read of that object.
//!
//! Every mistyped object is reported, not only the first: an object's
//! siblings and parent are still read (with stand-ins for what is inside),
//! and only the keywords already reported are not read again.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Problems, SpecErrorKind};
use crate::locate::escape_token;
use crate::model::METHODS;
use crate::validate::Document;

/// The OpenAPI objects this walk reads alone: those that contain others.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Info,
    Components,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    MediaType,
    Encoding,
    Response,
    Header,
    SecurityScheme,
    Schema,
}

/// Checks every object of the document, then the document as a whole.
pub(crate) fn check(doc: &Document<'_>, problems: &mut Problems) {
    let mut pointer = String::new();
    visit(doc, doc.json, Kind::Root, &mut pointer, problems);
}

fn visit(
    doc: &Document<'_>,
    node: &Value,
    kind: Kind,
    pointer: &mut String,
    problems: &mut Problems,
) {
    let Value::Object(object) = node else {
        return read(doc, node, node, kind, pointer, problems);
    };
    let mistyped = match kind {
        Kind::Schema => check_keywords(doc, object, pointer, problems),
        _ => Vec::new(),
    };
    let length = pointer.len();
    let mut children = children(kind, object);
    // A keyword reported as mistyped is not read again as a child.
    children.retain(|(path, _)| !mistyped.contains(&path[0].as_str()));
    for (path, child_kind) in &children {
        // By pointer, so that a list index finds its element.
        let relative: String = path
            .iter()
            .map(|t| format!("/{}", escape_token(t)))
            .collect();
        let Some(child) = node.pointer(&relative) else {
            continue;
        };
        for token in path {
            pointer.push('/');
            pointer.push_str(&escape_token(token));
        }
        visit(doc, child, *child_kind, pointer, problems);
        pointer.truncate(length);
    }
    // Nor is the object whose keywords were: the reader would fail on
    // the same keyword.
    if mistyped.is_empty() {
        // The children have been checked: the object is read with stand-ins
        // for them, so that each object is read once, not once per
        // enclosing object.
        let shallow = with_stand_ins(object, &children);
        read(doc, node, &shallow, kind, pointer, problems);
    }
}

/// A copy of `object` with each child at `children` replaced by the
/// smallest value of its kind that reads at that place.
fn with_stand_ins(object: &Map<String, Value>, children: &[(Vec<String>, Kind)]) -> Value {
    let paths: Vec<(&[String], Kind)> = children
        .iter()
        .map(|(path, kind)| (path.as_slice(), *kind))
        .collect();
    Value::Object(copy_map(object, &paths))
}

fn copy_map(object: &Map<String, Value>, paths: &[(&[String], Kind)]) -> Map<String, Value> {
    let mut by_key = by_first_token(paths);
    object
        .iter()
        .map(|(key, value)| {
            let below = by_key.remove(key.as_str()).unwrap_or_default();
            (key.clone(), copy_below(value, &below))
        })
        .collect()
}

/// `paths` grouped by their first token, each without it: one lookup per
/// key rather than a scan of every path.
fn by_first_token<'p>(
    paths: &[(&'p [String], Kind)],
) -> HashMap<&'p str, Vec<(&'p [String], Kind)>> {
    let mut grouped: HashMap<&str, Vec<(&[String], Kind)>> = HashMap::new();
    for (path, kind) in paths {
        if let Some((first, rest)) = path.split_first() {
            grouped
                .entry(first.as_str())
                .or_default()
                .push((rest, *kind));
        }
    }
    grouped
}

/// `value` copied, with the children at `paths` (relative to it) replaced.
fn copy_below(value: &Value, paths: &[(&[String], Kind)]) -> Value {
    if paths.is_empty() {
        return value.clone();
    }
    if let Some((_, kind)) = paths.iter().find(|(rest, _)| rest.is_empty()) {
        return stand_in(*kind);
    }
    match value {
        Value::Object(map) => Value::Object(copy_map(map, paths)),
        Value::Array(items) => {
            let mut by_index = by_first_token(paths);
            items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let below = by_index.remove(index.to_string().as_str());
                    copy_below(item, &below.unwrap_or_default())
                })
                .collect()
        }
        other => other.clone(),
    }
}

/// The smallest value that reads as `kind` wherever such a child sits: a
/// reference where the place takes one, else an object with only the
/// required fields.
fn stand_in(kind: Kind) -> Value {
    match kind {
        Kind::Info => serde_json::json!({ "title": "", "version": "" }),
        Kind::Operation => serde_json::json!({ "responses": {} }),
        // Callbacks hold path items that cannot be references.
        Kind::Root | Kind::Components | Kind::PathItem | Kind::MediaType | Kind::Encoding => {
            Value::Object(Map::new())
        }
        Kind::Parameter
        | Kind::RequestBody
        | Kind::Response
        | Kind::Header
        | Kind::SecurityScheme
        | Kind::Schema => serde_json::json!({ "$ref": "#" }),
    }
}

/// The objects inside `object` that are read alone, by their path from it.
fn children(kind: Kind, object: &Map<String, Value>) -> Vec<(Vec<String>, Kind)> {
    let mut found = Vec::new();
    let mut single = |key: &str, child: Kind| {
        if object.contains_key(key) {
            found.push((vec![key.to_string()], child));
        }
    };
    match kind {
        Kind::Root => {
            single("info", Kind::Info);
            single("components", Kind::Components);
        }
        Kind::PathItem => {
            for method in METHODS {
                single(method, Kind::Operation);
            }
        }
        Kind::Operation => single("requestBody", Kind::RequestBody),
        Kind::Parameter | Kind::Header | Kind::MediaType => single("schema", Kind::Schema),
        Kind::Schema => {
            single("items", Kind::Schema);
            single("not", Kind::Schema);
            if object
                .get("additionalProperties")
                .is_some_and(Value::is_object)
            {
                single("additionalProperties", Kind::Schema);
            }
        }
        _ => {}
    }
    // Extensions (`x-…`) sit beside paths and status codes, but a schema
    // or other component may be named so.
    let extensible = matches!(kind, Kind::Root | Kind::Operation);
    let mut each = |key: &str, child: Kind| match object.get(key) {
        Some(Value::Object(map)) => {
            let names = map
                .keys()
                .filter(|name| !(extensible && name.starts_with("x-")));
            for name in names {
                found.push((vec![key.to_string(), name.clone()], child));
            }
        }
        Some(Value::Array(items)) => {
            for index in 0..items.len() {
                found.push((vec![key.to_string(), index.to_string()], child));
            }
        }
        _ => {}
    };
    match kind {
        Kind::Root => each("paths", Kind::PathItem),
        Kind::Components => {
            each("schemas", Kind::Schema);
            each("responses", Kind::Response);
            each("parameters", Kind::Parameter);
            each("requestBodies", Kind::RequestBody);
            each("headers", Kind::Header);
            each("securitySchemes", Kind::SecurityScheme);
        }
        Kind::PathItem => each("parameters", Kind::Parameter),
        Kind::Operation => {
            each("parameters", Kind::Parameter);
            each("responses", Kind::Response);
        }
        Kind::Parameter | Kind::Header | Kind::RequestBody => each("content", Kind::MediaType),
        Kind::MediaType => each("encoding", Kind::Encoding),
        Kind::Encoding => each("headers", Kind::Header),
        Kind::Response => {
            each("headers", Kind::Header);
            each("content", Kind::MediaType);
        }
        Kind::Schema => {
            each("properties", Kind::Schema);
            for key in ["allOf", "oneOf", "anyOf"] {
                each(key, Kind::Schema);
            }
        }
        _ => {}
    }
    // Callbacks hold path items, which may hold callbacks again.
    if matches!(kind, Kind::Operation | Kind::Components)
        && let Some(Value::Object(callbacks)) = object.get("callbacks")
    {
        for (name, callback) in callbacks {
            for expression in callback.as_object().into_iter().flat_map(Map::keys) {
                let path = vec!["callbacks".to_string(), name.clone(), expression.clone()];
                found.push((path, Kind::PathItem));
            }
        }
    }
    found
}

/// Reads `node` as the object `kind` names, its children being checked
/// already. `shallow` is `node` with its children replaced by stand-ins
/// (or `node` itself); messages are about `node`.
fn read(
    doc: &Document<'_>,
    node: &Value,
    shallow: &Value,
    kind: Kind,
    pointer: &str,
    problems: &mut Problems,
) {
    use openapiv3 as o;
    let referable = !matches!(
        kind,
        Kind::Root
            | Kind::Info
            | Kind::Components
            | Kind::Operation
            | Kind::MediaType
            | Kind::Encoding
    );
    if referable && let Some(reference) = node.get("$ref") {
        if !reference.is_string() {
            let at = format!("{pointer}/$ref");
            not_openapi(doc, problems, &at, "`$ref` must be a string");
        }
        return;
    }
    if !node.is_object() {
        let what = match kind {
            Kind::Schema => "a schema",
            Kind::Root => "an OpenAPI document",
            _ => "an OpenAPI object",
        };
        let reason = format!("{what} must be a mapping, not `{}`", brief(node));
        return not_openapi(doc, problems, pointer, &reason);
    }
    let outcome = match kind {
        Kind::Root => parse::<o::OpenAPI>(node, shallow),
        Kind::Info => parse::<o::Info>(node, shallow),
        Kind::Components => parse::<o::Components>(node, shallow),
        Kind::PathItem => parse::<o::PathItem>(node, shallow),
        Kind::Operation => parse::<o::Operation>(node, shallow),
        Kind::Parameter => parse::<o::Parameter>(node, shallow),
        Kind::RequestBody => parse::<o::RequestBody>(node, shallow),
        Kind::MediaType => parse::<o::MediaType>(node, shallow),
        Kind::Encoding => parse::<o::Encoding>(node, shallow),
        Kind::Response => parse::<o::Response>(node, shallow),
        Kind::Header => parse::<o::Header>(node, shallow),
        Kind::SecurityScheme => parse::<o::SecurityScheme>(node, shallow),
        Kind::Schema => parse::<o::Schema>(node, shallow),
    };
    if let Err((path, reason)) = outcome {
        not_openapi(doc, problems, &format!("{pointer}{path}"), &reason);
    }
}

/// Reads `shallow` (`node`, its children replaced) as `T`: on failure, the
/// pointer below `node` of the field that failed (as far as the reader
/// could tell) and its message.
fn parse<T: DeserializeOwned>(node: &Value, shallow: &Value) -> Result<(), (String, String)> {
    match serde_path_to_error::deserialize::<_, T>(shallow) {
        Ok(_) => Ok(()),
        Err(error) => {
            let mut below = String::new();
            for segment in error.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Map { key } => {
                        below.push('/');
                        below.push_str(&escape_token(key));
                    }
                    serde_path_to_error::Segment::Seq { index } => {
                        below.push('/');
                        below.push_str(&index.to_string());
                    }
                    _ => break,
                }
            }
            // Only where the node really is: a reader inside an untagged
            // enum may name a field of a variant the text does not have.
            let below = match node.pointer(&below) {
                Some(_) => below,
                None => String::new(),
            };
            Err((below, error.into_inner().to_string()))
        }
    }
}

fn not_openapi(doc: &Document<'_>, problems: &mut Problems, pointer: &str, reason: &str) {
    let kind = SpecErrorKind::NotOpenApi {
        reason: reason.to_string(),
    };
    doc.report(problems, pointer, kind);
}

/// What a schema keyword's value must be.
#[derive(Clone, Copy)]
enum Expected {
    Text,
    Number,
    Count,
    Flag,
    Map,
    List,
    ListOfMaps,
    ListOfText,
    FlagOrMap,
}

const KEYWORDS: &[(&str, Expected)] = &[
    ("type", Expected::Text),
    ("format", Expected::Text),
    ("pattern", Expected::Text),
    ("title", Expected::Text),
    ("description", Expected::Text),
    ("minimum", Expected::Number),
    ("maximum", Expected::Number),
    ("multipleOf", Expected::Number),
    ("exclusiveMinimum", Expected::Flag),
    ("exclusiveMaximum", Expected::Flag),
    ("minLength", Expected::Count),
    ("maxLength", Expected::Count),
    ("minItems", Expected::Count),
    ("maxItems", Expected::Count),
    ("minProperties", Expected::Count),
    ("maxProperties", Expected::Count),
    ("uniqueItems", Expected::Flag),
    ("nullable", Expected::Flag),
    ("readOnly", Expected::Flag),
    ("writeOnly", Expected::Flag),
    ("deprecated", Expected::Flag),
    ("required", Expected::ListOfText),
    ("enum", Expected::List),
    ("properties", Expected::Map),
    ("items", Expected::Map),
    ("not", Expected::Map),
    ("additionalProperties", Expected::FlagOrMap),
    ("allOf", Expected::ListOfMaps),
    ("oneOf", Expected::ListOfMaps),
    ("anyOf", Expected::ListOfMaps),
    ("discriminator", Expected::Map),
    ("externalDocs", Expected::Map),
    ("xml", Expected::Map),
];

/// The type of each keyword a schema has, named at the keyword, so that the
/// message says which one is wrong and what it must be; returns the
/// keywords reported.
fn check_keywords(
    doc: &Document<'_>,
    schema: &Map<String, Value>,
    pointer: &str,
    problems: &mut Problems,
) -> Vec<&'static str> {
    let mut mistyped = Vec::new();
    if schema.contains_key("$ref") {
        return mistyped;
    }
    for (keyword, expected) in KEYWORDS {
        let Some(value) = schema.get(*keyword) else {
            continue;
        };
        let (fits, what) = match expected {
            Expected::Text => (value.is_string(), "a string"),
            Expected::Number => (value.is_number(), "a number"),
            Expected::Count => (value.is_u64(), "a non-negative integer"),
            Expected::Flag => (value.is_boolean(), "`true` or `false`"),
            Expected::Map => (value.is_object(), "a mapping"),
            Expected::List => (value.is_array(), "a list"),
            Expected::ListOfMaps => (
                value
                    .as_array()
                    .is_some_and(|l| l.iter().all(Value::is_object)),
                "a list of schemas",
            ),
            Expected::ListOfText => (
                value
                    .as_array()
                    .is_some_and(|l| l.iter().all(Value::is_string)),
                "a list of property names",
            ),
            Expected::FlagOrMap => (
                value.is_boolean() || value.is_object(),
                "`true`, `false` or a schema",
            ),
        };
        if !fits {
            let reason = format!("`{keyword}` must be {what}, not `{}`", brief(value));
            let at = format!("{pointer}/{}", escape_token(keyword));
            not_openapi(doc, problems, &at, &reason);
            mistyped.push(*keyword);
        }
    }
    mistyped
}

/// A value as it might be quoted in a message: short.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The pointers of the problems found, in the order found.
    fn error_pointers(json: &Value) -> Vec<String> {
        let doc = Document::single("t.yaml", "", json);
        let mut problems = Problems::new(100);
        check(&doc, &mut problems);
        let Err(error) = problems.into_result() else {
            return Vec::new();
        };
        error
            .errors()
            .iter()
            .map(|error| match error.location() {
                crate::Location::Node { pointer, .. } => pointer.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn error_pointer(json: &Value) -> Option<String> {
        let pointers = error_pointers(json);
        assert!(pointers.len() <= 1, "{pointers:?}");
        pointers.into_iter().next()
    }

    fn document(schema: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"post": {
                "operationId": "op",
                "requestBody": {"content": {"multipart/form-data": {
                    "schema": {"type": "object"},
                    "encoding": {"file": {"headers": {"X-Part": {"schema": schema}}}}
                }}},
                "responses": {"204": {"description": "ok"}}
            }}}
        })
    }

    #[test]
    fn a_mistyped_keyword_is_named_wherever_its_schema_is() {
        assert_eq!(error_pointer(&document(json!({"type": "string"}))), None);
        let deep = json!({"oneOf": [{"not": {"items": {"maxItems": -1}}}]});
        assert_eq!(
            error_pointer(&document(deep)).as_deref(),
            Some(
                "/paths/~1a/post/requestBody/content/multipart~1form-data/encoding/file/headers/X-Part/schema/oneOf/0/not/items/maxItems"
            )
        );
    }

    /// Each mistyped object is reported once, at the keyword or field at
    /// fault: neither a mistyped keyword's schema nor its value is read
    /// again, and siblings still are.
    #[test]
    fn every_mistyped_object_is_reported_once() {
        let mut json = document(json!({"items": 5, "maxItems": "x"}));
        json["info"]["version"] = json!(1.0);
        json["paths"]["/a"]["post"]["responses"]["204"] = json!("ok");
        let mut found = error_pointers(&json);
        found.sort();
        let header = "/paths/~1a/post/requestBody/content/multipart~1form-data/encoding/file/headers/X-Part/schema";
        assert_eq!(
            found,
            [
                "/info/version".to_string(),
                format!("{header}/items"),
                format!("{header}/maxItems"),
                "/paths/~1a/post/responses/204".to_string(),
            ]
        );
    }

    #[test]
    fn the_field_at_fault_is_named_in_objects_that_are_not_schemas() {
        let mut json = document(json!({"type": "string"}));
        json["info"]["version"] = json!(1.0);
        assert_eq!(error_pointer(&json).as_deref(), Some("/info/version"));
        let mut json = document(json!({"type": "string"}));
        json["paths"]["/a"]["post"]["responses"]["204"] = json!("ok");
        assert_eq!(
            error_pointer(&json).as_deref(),
            Some("/paths/~1a/post/responses/204")
        );
    }
}
