//! Small valid request bodies for the job operations, built from the merged
//! document the client is generated from. Shared by `tests/operations` and
//! `examples/contract.rs` (included with `#[path]`), so that the behaviour
//! tests and the contract driver send the same kind of body.

use serde_json::{Map, Value, json};

/// The merged document the client is generated from, read as the build
/// reads it.
pub fn document() -> Result<Value, Box<dyn std::error::Error>> {
    let base = include_str!("../../spec/c2m-api-v2-base.yaml");
    let overlay = include_str!("../../spec/auth.yaml");
    Ok(c2m_auth_codegen::load_merged(&[
        (base, "spec/c2m-api-v2-base.yaml"),
        (overlay, "spec/auth.yaml"),
    ])?)
}

/// A small valid instance of `schema`: its required properties, the first
/// shape of a `oneOf`, the first value of an `enum`.
fn instance(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 16 {
        return Value::Null;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = doc.pointer(reference.trim_start_matches('#'));
        return instance(doc, target.unwrap_or(&Value::Null), depth + 1);
    }
    if let Some(first) = schema.get("oneOf").and_then(|shapes| shapes.get(0)) {
        return instance(doc, first, depth + 1);
    }
    if let Some(first) = schema.get("enum").and_then(|values| values.get(0)) {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let required = schema.get("required").and_then(Value::as_array);
            let properties: Map<String, Value> = required
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|name| {
                    let property = &schema["properties"][name];
                    (name.to_string(), instance(doc, property, depth + 1))
                })
                .collect();
            Value::Object(properties)
        }
        Some("array") => json!([instance(doc, &schema["items"], depth + 1)]),
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("uri") => json!("https://example.com/letter.pdf"),
            _ => json!("text"),
        },
    }
}

/// A valid body of the job operation at `path`.
pub fn body_of(doc: &Value, path: &str) -> Value {
    let pointer = format!(
        "/paths/{}/post/requestBody/content/application~1json/schema",
        path.replace('/', "~1")
    );
    instance(doc, doc.pointer(&pointer).unwrap_or(&Value::Null), 0)
}

