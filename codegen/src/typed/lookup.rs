//! Reading the parts of the spec the typed layer needs: JSON media,
//! their schemas, and parameters.

use heck::ToSnakeCase;
use proc_macro2::Ident;
use serde_json::Value;

use crate::validate::resolved;

pub(super) fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// The JSON schema of a response or body, if it has one.
pub(super) fn json_schema<'v>(spec: &'v Value, node: &'v Value) -> Option<(&'v Value, String)> {
    let node = resolved(spec, node);
    let content = node.get("content")?.as_object()?;
    let (media, media_type) = content.iter().find(|(media, _)| is_json(media))?;
    Some((media_type.get("schema")?, media.clone()))
}

/// The JSON media type object of a request body or response.
pub(super) fn json_media<'v>(spec: &'v Value, node: &'v Value) -> Option<&'v Value> {
    let node = resolved(spec, node);
    let content = node.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| is_json(media))
        .map(|(_, m)| m)
}

/// The spec parameter that progenitor's argument `name` stands for.
pub(super) fn spec_parameter<'p, 'v>(
    parameters: &'p [(String, &'v Value)],
    name: &Ident,
) -> Option<&'p (String, &'v Value)> {
    parameters.iter().find(|(_, p)| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| *name == n || *name == n.to_snake_case())
    })
}
