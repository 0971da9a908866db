//! The document as the generator's stages read it: one model, built once
//! after the document has been checked.
//!
//! Reading the document by key happens here and nowhere after: the typed
//! layer, the bounds and the change report take an operation's parameters
//! (its own and its path item's), bodies, responses with their headers,
//! security alternatives, servers and examples from the model. Schemas stay
//! JSON Schema nodes ([`Schema`]), which the bounds and progenitor read.
//!
//! Building the model cannot fail: the checks have already refused what it
//! cannot represent, and anything still missing reads as absent, so the
//! change report can also build it from a document it does not generate.

mod operation;
mod schema;
mod security;
mod servers;

use serde_json::Value;

pub(crate) use operation::{Header, Operation, Parameter, Response};
pub(crate) use schema::Keyword;
pub(crate) use security::SchemeKind;
pub(crate) use servers::{Server, ServerVariable};

/// The HTTP methods a path item can hold, in the order operations are read.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The whole document, as the stages read it.
pub(crate) struct Spec<'a> {
    /// The document itself, for following references inside schemas.
    pub json: &'a Value,
    pub info: Info<'a>,
    pub servers: Vec<Server<'a>>,
    /// `components.securitySchemes`, in the document's order.
    pub schemes: Vec<security::SecurityScheme<'a>>,
    /// Every operation under `paths`, path by path, in [`METHODS`] order.
    pub operations: Vec<Operation<'a>>,
    /// `components.schemas`, by name, in the document's order.
    pub schemas: Vec<NamedSchema<'a>>,
}

/// `info`: what the docs and the `@generated` line say of the API.
pub(crate) struct Info<'a> {
    pub title: Option<&'a str>,
    pub version: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// A schema node as written (it may be a `$ref`), with where it is.
#[derive(Clone, Copy)]
pub(crate) struct Schema<'a> {
    pub node: &'a Value,
}

/// A component schema.
pub(crate) struct NamedSchema<'a> {
    pub name: &'a str,
    pub schema: Schema<'a>,
    /// Its `example`, then each of its `examples` (JSON Schema's list).
    pub examples: Vec<Example<'a>>,
}

/// One example: its name (`example` for the single one), summary and value.
pub(crate) struct Example<'a> {
    pub name: String,
    pub summary: &'a str,
    pub value: &'a Value,
}

impl<'a> Spec<'a> {
    /// Reads the model out of a document (checked, or for the change
    /// report, at least loaded).
    pub fn build(json: &'a Value) -> Self {
        let reader = Reader { json };
        Spec {
            json,
            info: Info {
                title: reader.text_at(json, "/info/title"),
                version: reader.text_at(json, "/info/version"),
                description: reader.text_at(json, "/info/description"),
            },
            servers: servers::read(json),
            schemes: security::schemes(&reader),
            operations: operation::read_all(&reader),
            schemas: reader.component_schemas(),
        }
    }

    /// The operation whose operationId is `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation<'a>> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The component schema called `name`, looked up in the document's
    /// map rather than searched for.
    pub fn schema(&self, name: &str) -> Option<Schema<'a>> {
        let node = self.json.get("components")?.get("schemas")?.get(name)?;
        Some(Schema { node })
    }

    /// Which operations issue tokens for which scheme, as `(scheme,
    /// operation)`: an operation at one of a scheme's `tokenUrl`s issues
    /// its tokens; and a bearer scheme that names no `tokenUrl` (an `http`
    /// bearer scheme) takes the tokens of every operation at some scheme's
    /// `tokenUrl`, since a bearer token is sent alike whoever issued it.
    pub fn token_issuers(&self) -> Vec<(&security::SecurityScheme<'a>, &Operation<'a>)> {
        let at_token_url = |op: &Operation<'_>, scheme: &security::SecurityScheme<'_>| {
            scheme.token_urls.contains(&op.path)
        };
        let mut found = Vec::new();
        for scheme in &self.schemes {
            for op in &self.operations {
                let issues = if scheme.token_urls.is_empty() {
                    scheme.kind.is_bearer() && self.schemes.iter().any(|s| at_token_url(op, s))
                } else {
                    at_token_url(op, scheme)
                };
                if issues {
                    found.push((scheme, op));
                }
            }
        }
        found
    }

    /// Follows a schema's local `$ref`s to what they name.
    pub fn resolve(&self, schema: Schema<'a>) -> &'a Value {
        resolved(self.json, schema.node)
    }
}

/// Follows a local `$ref` (already checked to resolve) to its target.
pub(crate) fn resolved<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    // Bounded, so that a cycle of references cannot loop forever.
    for _ in 0..32 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// Whether a media type is JSON, as the generated client sends and reads it.
pub(crate) fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// Reads nodes of one document: the small accessors the model is built with.
struct Reader<'a> {
    json: &'a Value,
}

impl<'a> Reader<'a> {
    fn resolved(&self, node: &'a Value) -> &'a Value {
        resolved(self.json, node)
    }

    fn text_at(&self, node: &'a Value, pointer: &str) -> Option<&'a str> {
        node.pointer(pointer).and_then(Value::as_str)
    }

    fn component_schemas(&self) -> Vec<NamedSchema<'a>> {
        let Some(Value::Object(map)) = self.json.pointer("/components/schemas") else {
            return Vec::new();
        };
        map.iter()
            .map(|(name, node)| NamedSchema {
                name,
                schema: Schema { node },
                examples: self.examples(node),
            })
            .collect()
    }

    /// `example`, then each entry of `examples` that has a `value`
    /// (following `$ref`s), of a media type, parameter or schema.
    fn examples(&self, node: &'a Value) -> Vec<Example<'a>> {
        let mut found = Vec::new();
        if let Some(value) = node.get("example") {
            found.push(Example {
                name: "example".to_string(),
                summary: "",
                value,
            });
        }
        if let Some(Value::Object(examples)) = node.get("examples") {
            for (name, example) in examples {
                let example = self.resolved(example);
                if let Some(value) = example.get("value") {
                    found.push(Example {
                        name: name.clone(),
                        summary: text(example, "summary").unwrap_or_default(),
                        value,
                    });
                }
            }
        }
        found
    }
}

/// A string field of a node.
fn text<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

/// A boolean field of a node; absent is `false`.
fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The parts of the document whose reading has rules: inherited
    /// parameters and security, `$ref`s followed, the first JSON media.
    #[test]
    fn operations_read_inherited_parts_and_follow_references() {
        let json = json!({
            "security": [{"bearer": ["read"]}],
            "paths": {"/items/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "string"}}],
                "get": {
                    "operationId": "getItem",
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "responses": {"200": {"$ref": "#/components/responses/Item"}}
                },
                "delete": {"operationId": "deleteItem", "security": [],
                           "responses": {"204": {"description": "gone"}}}
            }},
            "components": {
                "parameters": {"Limit": {"name": "limit", "in": "query",
                                         "schema": {"type": "integer", "example": 5}}},
                "headers": {"Id": {"schema": {"$ref": "#/components/schemas/Id"}}},
                "schemas": {"Id": {"type": "string", "example": "x-1"}},
                "responses": {"Item": {"description": "the item",
                    "headers": {"X-Id": {"$ref": "#/components/headers/Id"}},
                    "content": {"text/plain": {}, "application/json; charset=utf-8":
                        {"schema": {"type": "object"}}}}}
            }
        });
        let spec = Spec::build(&json);
        let get = spec.operation("getItem").expect("getItem is read");
        let names: Vec<(&str, &str)> = get
            .parameters
            .iter()
            .map(|p| (p.name, p.location))
            .collect();
        assert_eq!(names, [("limit", "query"), ("id", "path")]);
        assert_eq!(
            get.parameters[1].pointer,
            "/paths/~1items~1{id}/parameters/0"
        );
        assert_eq!(get.security, Some(vec![vec![("bearer", vec!["read"])]]));
        let response = &get.responses[0];
        assert!(response.is_success());
        assert_eq!(response.description, "the item");
        let media = response.json.as_ref().expect("the JSON media is found");
        assert_eq!(
            media.schema_pointer(),
            "/paths/~1items~1{id}/get/responses/200/content/application~1json; charset=utf-8/schema"
        );
        assert_eq!(response.headers[0].example, Some(&json!("x-1")));
        let delete = spec.operation("deleteItem").expect("deleteItem is read");
        assert_eq!(delete.security, Some(Vec::new()), "its own empty list wins");
        assert!(delete.responses[0].json.is_none());
    }

    /// A scheme's `tokenUrl` operations issue its tokens; an `http` bearer
    /// scheme without one takes every issued token; an API key none.
    #[test]
    fn token_issuers_follow_token_urls_and_bearer_schemes() {
        let json = json!({
            "paths": {
                "/tokens": {"post": {"operationId": "issue"}},
                "/jobs": {"post": {"operationId": "submit"}}
            },
            "components": {"securitySchemes": {
                "Issued": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/tokens"}}},
                "bearer": {"type": "http", "scheme": "bearer"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
            }}
        });
        let spec = Spec::build(&json);
        let found: Vec<(&str, &str)> = spec
            .token_issuers()
            .into_iter()
            .map(|(scheme, op)| (scheme.name, op.id))
            .collect();
        assert_eq!(found, [("Issued", "issue"), ("bearer", "issue")]);
    }
}
