//! Rewrites of the document before progenitor sees it, so that its output
//! already carries two things it would otherwise ignore:
//!
//! - secret strings (`format: password` or `x-secret: true`) become the
//!   runtime's `Secret` type, through typify's `x-rust-type` extension;
//! - an optional request body (`required` not `true`) becomes nullable, so
//!   progenitor takes `Option<&T>` for it;
//! - an enum listing `null` becomes nullable, and a nullable enum loses its
//!   `title`, which typify would also give the enum inside it.

use serde_json::{Map, Value, json};

use crate::validate::operations_mut;

/// The extension that marks a string schema as secret, besides `format: password`.
pub const SECRET_EXTENSION: &str = "x-secret";

/// Whether a schema object is a secret string.
pub fn is_secret(schema: &Value) -> bool {
    schema.as_object().is_some_and(is_secret_object)
}

fn is_secret_object(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && (schema.get("format").and_then(Value::as_str) == Some("password")
            || schema.get(SECRET_EXTENSION).and_then(Value::as_bool) == Some(true))
}

/// Applies the rewrites to `json`, a document the checks have passed
/// (`validate::check_secret_marks` among them). `runtime_crate` is the
/// crate whose `runtime::Secret` the generated code uses.
pub(crate) fn rewrite(json: &mut Value, runtime_crate: &str) {
    mark_secrets(json, runtime_crate);
    make_optional_bodies_nullable(json);
    untitle_nullable_enums(json);
}

/// typify wraps a nullable enum in a type holding `Option<Inner>`, and
/// names the inner enum after the schema's `title`, which for a component
/// is usually the component's own name: two types of one name, which does
/// not compile. An enum that lists `null` without `nullable: true` gets the
/// same two names. So such an enum is made `nullable` (which listing `null`
/// means), and loses its title (documentation only), so that typify names
/// the inner enum after the wrapper (`UrgencyInner`).
fn untitle_nullable_enums(json: &mut Value) {
    let enums = crate::walk::pointers_where(json, |schema| {
        let lists_null = schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.contains(&Value::Null));
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        (lists_null && !nullable)
            || (nullable && schema.contains_key("enum") && schema.contains_key("title"))
    });
    for pointer in enums {
        if let Some(Value::Object(schema)) = json.pointer_mut(&pointer) {
            schema.insert("nullable".into(), Value::Bool(true));
            schema.remove("title");
        }
    }
}

/// Points every secret string schema at the runtime's `Secret`.
fn mark_secrets(json: &mut Value, runtime_crate: &str) {
    let secrets = crate::walk::pointers_where(json, is_secret_object);
    for pointer in secrets {
        if let Some(Value::Object(schema)) = json.pointer_mut(&pointer) {
            schema.insert(
                "x-rust-type".to_string(),
                json!({
                    "crate": runtime_crate,
                    "version": "*",
                    "path": format!("{}::runtime::Secret", crate::naming::crate_ident(runtime_crate)),
                }),
            );
        }
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
        if !crate::model::is_json(media) {
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
