//! Security schemes and the alternatives an operation's `security` lists.

use serde_json::Value;

use super::{Reader, text};
use crate::locate::escape_token;

/// A scheme of `components.securitySchemes`, its `$ref` followed.
pub(crate) struct SecurityScheme<'a> {
    /// Its key in `components.securitySchemes`.
    pub name: &'a str,
    /// `/components/securitySchemes/{name}`.
    pub pointer: String,
    pub kind: SchemeKind<'a>,
    pub description: &'a str,
    /// The `tokenUrl` of each of its OAuth2 flows.
    pub token_urls: Vec<&'a str>,
}

/// What a scheme is, as `type` (and `scheme` or `in`) say.
pub(crate) enum SchemeKind<'a> {
    OAuth2,
    OpenIdConnect,
    /// `type: http`, with its `scheme` in lower case.
    Http(String),
    /// `type: apiKey`: where the key goes and under what name.
    ApiKey {
        location: &'a str,
        name: &'a str,
    },
    /// Any other `type`, as written.
    Other(&'a str),
}

impl SchemeKind<'_> {
    /// Whether the credential is a bearer token.
    pub fn is_bearer(&self) -> bool {
        match self {
            SchemeKind::OAuth2 | SchemeKind::OpenIdConnect => true,
            SchemeKind::Http(scheme) => scheme == "bearer",
            _ => false,
        }
    }

    /// How the change report names it: `oauth2`, `http bearer`,
    /// ``apiKey in header `X-Key` ``.
    pub fn describe(&self) -> String {
        match self {
            SchemeKind::OAuth2 => "oauth2".to_string(),
            SchemeKind::OpenIdConnect => "openIdConnect".to_string(),
            SchemeKind::Http(scheme) => format!("http {scheme}"),
            SchemeKind::ApiKey { location, name } => format!("apiKey in {location} `{name}`"),
            SchemeKind::Other(kind) => kind.to_string(),
        }
    }
}

/// One alternative of a `security` list: the schemes it requires together,
/// each with its scopes, in the order written.
pub(crate) type Requirement<'a> = Vec<(&'a str, Vec<&'a str>)>;

pub(super) fn schemes<'a>(reader: &Reader<'a>) -> Vec<SecurityScheme<'a>> {
    let Some(Value::Object(map)) = reader.json.pointer("/components/securitySchemes") else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, node)| {
            let node = reader.resolved(node);
            SecurityScheme {
                name,
                pointer: format!("/components/securitySchemes/{}", escape_token(name)),
                kind: kind(node),
                description: text(node, "description").unwrap_or_default(),
                token_urls: node
                    .get("flows")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(_, flow)| text(flow, "tokenUrl"))
                    .collect(),
            }
        })
        .collect()
}

fn kind(node: &Value) -> SchemeKind<'_> {
    let field = |key| text(node, key).unwrap_or_default();
    match field("type") {
        "oauth2" => SchemeKind::OAuth2,
        "openIdConnect" => SchemeKind::OpenIdConnect,
        "http" => SchemeKind::Http(field("scheme").to_ascii_lowercase()),
        "apiKey" => SchemeKind::ApiKey {
            location: field("in"),
            name: field("name"),
        },
        other => SchemeKind::Other(other),
    }
}

/// A `security` list's alternatives; `None` when it is not a list.
pub(super) fn requirements(security: &Value) -> Option<Vec<Requirement<'_>>> {
    let list = security.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_object)
            .map(|requirement| {
                requirement
                    .iter()
                    .map(|(scheme, scopes)| {
                        let scopes = scopes
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .collect();
                        (scheme.as_str(), scopes)
                    })
                    .collect()
            })
            .collect(),
    )
}
