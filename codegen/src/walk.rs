//! One walk over the OpenAPI objects of a document, for the checks and
//! rewrites that look at every node.
//!
//! Two things make a plain walk over the JSON wrong. Example values
//! (`example`, an Example object's `value`) and `default`/`enum` values are
//! data: a `$ref` or `pattern` inside them is not OpenAPI. And many maps are
//! keyed by names the spec chose (`properties`, `paths`, `responses`, …), so
//! a property may well be called `example` or `default`: it is a schema like
//! any other, and must not be skipped as data.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// What the keys of a JSON object are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// OpenAPI keywords: `type`, `properties`, `example`, `$ref`, …
    Keywords,
    /// An Example object's keywords, whose `value` is data.
    ExampleKeywords,
    /// Names the spec chose (properties, paths, status codes, media types,
    /// component names); each value is an OpenAPI object.
    Names,
    /// Names of Example objects.
    ExampleNames,
    /// Names of Callback objects, which are themselves keyed by names.
    CallbackNames,
}

/// Keywords whose value, when it is a JSON object, is keyed by names.
/// (A `match` rather than a list: every key of every walk is tested.)
fn is_name_map(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "paths"
            | "schemas"
            | "responses"
            | "parameters"
            | "requestBodies"
            | "headers"
            | "securitySchemes"
            | "links"
            | "content"
            | "encoding"
            | "variables"
            | "scopes"
            | "mapping"
    )
}

/// Keywords whose value is data, never OpenAPI.
fn is_data(key: &str) -> bool {
    matches!(key, "example" | "default" | "enum" | "const")
}

/// What the keys of `child` are, found at `key` in an object whose keys are
/// `keys`; `None` when `child` is data.
fn child_keys(keys: Keys, key: &str, child: &Value) -> Option<Keys> {
    match keys {
        Keys::Names => Some(Keys::Keywords),
        Keys::ExampleNames => Some(Keys::ExampleKeywords),
        Keys::CallbackNames => Some(Keys::Names),
        Keys::ExampleKeywords if key == "value" => None,
        Keys::Keywords | Keys::ExampleKeywords => {
            if is_data(key) {
                None
            } else if key == "examples" {
                // A map of Example objects; a list (as JSON Schema has it)
                // is data.
                child.is_object().then_some(Keys::ExampleNames)
            } else if key == "callbacks" {
                Some(Keys::CallbackNames)
            } else if is_name_map(key) && child.is_object() {
                Some(Keys::Names)
            } else {
                Some(Keys::Keywords)
            }
        }
    }
}

/// Calls `visit` with the JSON pointer and the fields of every OpenAPI
/// object in `json` (schemas, operations, responses, …), outermost first,
/// stopping at the first error.
pub(crate) fn try_for_each_object<E>(
    json: &Value,
    visit: &mut impl FnMut(&str, &Map<String, Value>) -> Result<(), E>,
) -> Result<(), E> {
    walk(json, Keys::Keywords, &mut String::new(), visit)
}

/// Calls `visit` with the JSON pointer and the fields of every OpenAPI
/// object in `json`, outermost first.
pub(crate) fn for_each_object(json: &Value, mut visit: impl FnMut(&str, &Map<String, Value>)) {
    let _: Result<(), std::convert::Infallible> = try_for_each_object(json, &mut |pointer, map| {
        visit(pointer, map);
        Ok(())
    });
}

/// Every OpenAPI object in `json` for which `select` holds, as JSON
/// pointers, outermost first.
pub(crate) fn pointers_where(
    json: &Value,
    mut select: impl FnMut(&Map<String, Value>) -> bool,
) -> Vec<String> {
    let mut found = Vec::new();
    let _: Result<(), std::convert::Infallible> = try_for_each_object(json, &mut |pointer, map| {
        if select(map) {
            found.push(pointer.to_string());
        }
        Ok(())
    });
    found
}

/// Appends `token` escaped as a JSON pointer's token (`~0`, `~1`), as
/// `escape_token` does, without building a string for each key.
fn push_escaped(pointer: &mut String, token: &str) {
    // Byte searches: in the dev profile a build script's generator runs
    // in, `contains(['~', '/'])` costs ten times as much.
    let bytes = token.as_bytes();
    if !bytes.contains(&b'~') && !bytes.contains(&b'/') {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn walk<E>(
    value: &Value,
    keys: Keys,
    pointer: &mut String,
    visit: &mut impl FnMut(&str, &Map<String, Value>) -> Result<(), E>,
) -> Result<(), E> {
    let depth = pointer.len();
    match value {
        Value::Object(map) => {
            if matches!(keys, Keys::Keywords | Keys::ExampleKeywords) {
                visit(pointer, map)?;
            }
            for (key, child) in map {
                if let Some(child_keys) = child_keys(keys, key, child) {
                    pointer.push('/');
                    push_escaped(pointer, key);
                    walk(child, child_keys, pointer, visit)?;
                    pointer.truncate(depth);
                }
            }
        }
        // Lists hold OpenAPI objects (`parameters`, `allOf`, `security`, …).
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{index}");
                walk(item, Keys::Keywords, pointer, visit)?;
                pointer.truncate(depth);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn objects(json: &Value) -> Vec<String> {
        pointers_where(json, |_| true)
    }

    #[test]
    fn example_values_are_data_but_a_property_named_example_is_a_schema() {
        let json = json!({
            "type": "object",
            "properties": {
                "example": {"type": "string", "example": {"$ref": "#/nowhere"}},
                "default": {"type": "integer", "default": {"pattern": "("}},
                "examples": {"type": "string", "enum": [{"$ref": "#/x"}]}
            },
            "examples": {"one": {"summary": "s", "value": {"$ref": "#/data"}}}
        });
        assert_eq!(
            objects(&json),
            [
                "",
                "/properties/example",
                "/properties/default",
                "/properties/examples",
                "/examples/one",
            ]
        );
    }

    #[test]
    fn pointer_tokens_are_escaped_as_escape_token_does() {
        for token in ["plain", "a/b", "~", "~1/", "/x~y/", "é/中"] {
            let mut pointer = "/start/".to_string();
            push_escaped(&mut pointer, token);
            let expected = format!("/start/{}", crate::locate::escape_token(token));
            assert_eq!(pointer, expected, "{token}");
        }
    }

    #[test]
    fn name_maps_are_not_objects_but_their_values_are() {
        let json = json!({
            "paths": {"/a~b": {"get": {
                "parameters": [{"name": "p", "schema": {"type": "string"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {}}}}},
                "callbacks": {"onEvent": {"{$request.body#/url}": {"post": {}}}}
            }}},
            "components": {"parameters": {"example": {"name": "q"}}}
        });
        assert_eq!(
            objects(&json),
            [
                "",
                "/paths/~1a~0b",
                "/paths/~1a~0b/get",
                "/paths/~1a~0b/get/parameters/0",
                "/paths/~1a~0b/get/parameters/0/schema",
                "/paths/~1a~0b/get/responses/200",
                "/paths/~1a~0b/get/responses/200/content/application~1json",
                "/paths/~1a~0b/get/responses/200/content/application~1json/schema",
                "/paths/~1a~0b/get/callbacks/onEvent/{$request.body#~1url}",
                "/paths/~1a~0b/get/callbacks/onEvent/{$request.body#~1url}/post",
                "/components",
                "/components/parameters/example",
            ]
        );
    }
}
