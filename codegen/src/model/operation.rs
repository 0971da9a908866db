//! Operations: parameters (their own and their path item's), request
//! bodies, responses with their headers, and security.

use serde_json::Value;

use super::security::{Requirement, requirements};
use super::{Example, METHODS, Reader, Schema, flag, is_json, text};
use crate::locate::escape_token;

/// One operation under `paths`.
pub(crate) struct Operation<'a> {
    /// `/paths/{path}/{method}`.
    pub pointer: String,
    pub method: &'a str,
    pub path: &'a str,
    /// The operationId as the spec spells it (empty when missing).
    pub id: &'a str,
    pub summary: Option<&'a str>,
    pub description: Option<&'a str>,
    /// Every parameter that applies: the operation's own first, then its
    /// path item's.
    pub parameters: Vec<Parameter<'a>>,
    pub body: Option<RequestBody<'a>>,
    /// In the order the spec lists them.
    pub responses: Vec<Response<'a>>,
    /// The operation's `security`, or the document's; `None` when neither
    /// says.
    pub security: Option<Vec<Requirement<'a>>>,
}

/// A parameter, its `$ref` followed.
pub(crate) struct Parameter<'a> {
    /// Where it is listed (`…/parameters/0`).
    pub pointer: String,
    pub name: &'a str,
    /// `in`: `path`, `query`, `header` or `cookie`.
    pub location: &'a str,
    pub required: bool,
    pub schema: Option<Schema<'a>>,
    /// Its `example` and `examples`.
    pub examples: Vec<Example<'a>>,
}

/// A request body, its `$ref` followed.
pub(crate) struct RequestBody<'a> {
    pub required: bool,
    /// The first JSON media type, if any.
    pub json: Option<Media<'a>>,
}

/// A JSON media type of a body or response.
pub(crate) struct Media<'a> {
    /// `…/content/{media}`.
    pub pointer: String,
    pub schema: Option<Schema<'a>>,
    pub examples: Vec<Example<'a>>,
}

impl Media<'_> {
    /// Where its schema is.
    pub fn schema_pointer(&self) -> String {
        format!("{}/schema", self.pointer)
    }
}

/// A response, its `$ref` followed.
pub(crate) struct Response<'a> {
    /// The status as written: `201`, `4XX`, `default`.
    pub status: &'a str,
    pub description: &'a str,
    pub json: Option<Media<'a>>,
    /// In the order the spec lists them.
    pub headers: Vec<Header<'a>>,
}

impl Response<'_> {
    /// A 2XX response, which the typed method returns as `Ok`.
    pub fn is_success(&self) -> bool {
        self.status.starts_with('2')
    }
}

/// A response header, its `$ref` followed.
pub(crate) struct Header<'a> {
    pub name: &'a str,
    /// `…/headers/{name}`.
    pub pointer: String,
    pub required: bool,
    pub description: &'a str,
    /// Its schema as written.
    pub schema: Option<Schema<'a>>,
    /// The header's `example`, else its schema's.
    pub example: Option<&'a Value>,
}

/// Every operation of the document.
pub(super) fn read_all<'a>(reader: &Reader<'a>) -> Vec<Operation<'a>> {
    let Some(Value::Object(paths)) = reader.json.get("paths") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(body) = item.get(method) {
                found.push(operation(reader, (path, method), body, item));
            }
        }
    }
    found
}

fn operation<'a>(
    reader: &Reader<'a>,
    (path, method): (&'a str, &'a str),
    body: &'a Value,
    item: &'a Value,
) -> Operation<'a> {
    let pointer = format!("/paths/{}/{method}", escape_token(path));
    let item_pointer = format!("/paths/{}", escape_token(path));
    let mut parameters = parameters_of(reader, body, &pointer);
    parameters.extend(parameters_of(reader, item, &item_pointer));
    Operation {
        method,
        path,
        id: text(body, "operationId").unwrap_or_default(),
        summary: text(body, "summary"),
        description: text(body, "description"),
        parameters,
        body: body
            .get("requestBody")
            .map(|node| request_body(reader, node, &format!("{pointer}/requestBody"))),
        responses: responses(reader, body, &pointer),
        security: body
            .get("security")
            .or_else(|| reader.json.get("security"))
            .and_then(requirements),
        pointer,
    }
}

/// The `parameters` list of an operation or path item at `at`.
fn parameters_of<'a>(reader: &Reader<'a>, holder: &'a Value, at: &str) -> Vec<Parameter<'a>> {
    let list = holder.get("parameters").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .enumerate()
        .map(|(index, node)| {
            let node = reader.resolved(node);
            Parameter {
                pointer: format!("{at}/parameters/{index}"),
                name: text(node, "name").unwrap_or_default(),
                location: text(node, "in").unwrap_or_default(),
                required: flag(node, "required"),
                schema: node.get("schema").map(|node| Schema { node }),
                examples: reader.examples(node),
            }
        })
        .collect()
}

fn request_body<'a>(reader: &Reader<'a>, node: &'a Value, pointer: &str) -> RequestBody<'a> {
    let node = reader.resolved(node);
    RequestBody {
        required: flag(node, "required"),
        json: json_media(reader, node, pointer),
    }
}

/// The first JSON media type of a body or response's `content`.
fn json_media<'a>(reader: &Reader<'a>, node: &'a Value, at: &str) -> Option<Media<'a>> {
    let content = node.get("content")?.as_object()?;
    let (name, media) = content.iter().find(|(media, _)| is_json(media))?;
    Some(Media {
        pointer: format!("{at}/content/{}", escape_token(name)),
        schema: media.get("schema").map(|node| Schema { node }),
        examples: reader.examples(media),
    })
}

fn responses<'a>(reader: &Reader<'a>, operation: &'a Value, at: &str) -> Vec<Response<'a>> {
    let Some(Value::Object(responses)) = operation.get("responses") else {
        return Vec::new();
    };
    responses
        .iter()
        .map(|(status, node)| {
            let pointer = format!("{at}/responses/{}", escape_token(status));
            let node = reader.resolved(node);
            Response {
                status,
                description: text(node, "description").unwrap_or_default(),
                json: json_media(reader, node, &pointer),
                headers: headers(reader, node, &pointer),
            }
        })
        .collect()
}

fn headers<'a>(reader: &Reader<'a>, response: &'a Value, at: &str) -> Vec<Header<'a>> {
    let Some(Value::Object(headers)) = response.get("headers") else {
        return Vec::new();
    };
    headers
        .iter()
        .map(|(name, node)| {
            let node = reader.resolved(node);
            let schema = node.get("schema");
            Header {
                name,
                pointer: format!("{at}/headers/{}", escape_token(name)),
                required: flag(node, "required"),
                description: text(node, "description").unwrap_or_default(),
                schema: schema.map(|node| Schema { node }),
                example: node
                    .get("example")
                    .or_else(|| schema.and_then(|s| reader.resolved(s).get("example"))),
            }
        })
        .collect()
}
