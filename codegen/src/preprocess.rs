//! Rewrites of the document before progenitor sees it, so that its output
//! already carries two things it would otherwise ignore:
//!
//! - secret strings (`format: password` or `x-secret: true`) become the
//!   runtime's `Secret` type, through typify's `x-rust-type` extension;
//! - an optional request body (`required` not `true`) becomes nullable, so
//!   progenitor takes `Option<&T>` for it.

use serde_json::{Map, Value, json};

use crate::validate::{Document, operations_mut};
use crate::{SpecError, SpecErrorKind};

/// The extension that marks a string schema as secret, besides `format: password`.
pub const SECRET_EXTENSION: &str = "x-secret";

/// Whether a schema object is a secret string.
pub fn is_secret(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && (schema.get("format").and_then(Value::as_str) == Some("password")
            || schema.get(SECRET_EXTENSION).and_then(Value::as_bool) == Some(true))
}

/// Applies both rewrites to `json`. `runtime_crate` is the crate whose
/// `runtime::Secret` the generated code uses.
pub(crate) fn rewrite(
    doc: &Document<'_>,
    json: &mut Value,
    runtime_crate: &str,
) -> Result<(), SpecError> {
    check_secret_marks(doc, doc.json, String::new())?;
    mark_secrets(json, runtime_crate);
    make_optional_bodies_nullable(json);
    Ok(())
}

/// `x-secret: true` only makes sense on a string.
fn check_secret_marks(doc: &Document<'_>, value: &Value, pointer: String) -> Result<(), SpecError> {
    match value {
        Value::Object(map) => {
            if map.get(SECRET_EXTENSION).and_then(Value::as_bool) == Some(true)
                && map.get("type").and_then(Value::as_str) != Some("string")
            {
                return Err(doc.error_at(
                    &format!("{pointer}/{SECRET_EXTENSION}"),
                    SpecErrorKind::Unsupported {
                        operation_id: None,
                        what: format!("`{SECRET_EXTENSION}: true` is set on a schema that is not `type: string`"),
                        hint: "mark the string fields that hold secrets, not the object around them".into(),
                    },
                ));
            }
            for (key, child) in map {
                if key == "example" || key == "examples" {
                    continue;
                }
                check_secret_marks(
                    doc,
                    child,
                    format!("{pointer}/{}", crate::locate::escape_token(key)),
                )?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_secret_marks(doc, item, format!("{pointer}/{i}"))),
        _ => Ok(()),
    }
}

fn mark_secrets(value: &mut Value, runtime_crate: &str) {
    match value {
        Value::Object(map) => {
            if is_secret(&Value::Object(map.clone())) {
                map.insert(
                    "x-rust-type".to_string(),
                    json!({
                        "crate": runtime_crate,
                        "version": "*",
                        "path": format!("{}::runtime::Secret", runtime_crate.replace('-', "_")),
                    }),
                );
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    mark_secrets(child, runtime_crate);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| mark_secrets(item, runtime_crate)),
        _ => {}
    }
}

fn make_optional_bodies_nullable(json: &mut Value) {
    // Bodies defined under components and referenced by operations.
    let mut referenced: Vec<String> = Vec::new();
    for op in operations_mut(json) {
        let Some(body) = op.get_mut("requestBody") else {
            continue;
        };
        if let Some(reference) = body.get("$ref").and_then(Value::as_str) {
            referenced.push(reference.trim_start_matches('#').to_string());
        } else {
            nullable_body(body);
        }
    }
    for pointer in referenced {
        if let Some(body) = json.pointer_mut(&pointer) {
            nullable_body(body);
        }
    }
}

fn nullable_body(body: &mut Value) {
    if body.get("required").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let Some(Value::Object(content)) = body.get_mut("content") else {
        return;
    };
    for (media, media_type) in content.iter_mut() {
        if !(media == "application/json" || media.starts_with("application/json;")) {
            continue;
        }
        let Some(schema) = media_type.get_mut("schema") else {
            continue;
        };
        if schema.get("$ref").is_some() {
            let mut wrapper = Map::new();
            wrapper.insert("nullable".into(), Value::Bool(true));
            wrapper.insert("allOf".into(), Value::Array(vec![schema.take()]));
            *schema = Value::Object(wrapper);
        } else if let Value::Object(inline) = schema {
            inline.insert("nullable".into(), Value::Bool(true));
        }
    }
}
