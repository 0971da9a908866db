//! The document's `servers`.

use serde_json::Value;

use super::text;

/// One entry of `servers` that has a `url`.
pub(crate) struct Server<'a> {
    /// Its place in the list, counting entries without a `url`.
    pub index: usize,
    /// The URL template, `{variables}` unfilled.
    pub url: &'a str,
    /// Trimmed; empty when absent.
    pub description: &'a str,
    /// `x-name`, the name the spec gives its choice.
    pub name: Option<&'a str>,
    pub variables: Vec<ServerVariable<'a>>,
}

/// A server variable and its values: the default first, then the rest of
/// its `enum`, each once.
pub(crate) struct ServerVariable<'a> {
    pub name: &'a str,
    pub values: Vec<&'a str>,
}

pub(super) fn read(json: &Value) -> Vec<Server<'_>> {
    let servers = json.get("servers").and_then(Value::as_array);
    servers
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, server)| {
            Some(Server {
                index,
                url: text(server, "url")?,
                description: text(server, "description").unwrap_or_default().trim(),
                name: text(server, "x-name"),
                variables: variables(server),
            })
        })
        .collect()
}

fn variables(server: &Value) -> Vec<ServerVariable<'_>> {
    let Some(Value::Object(variables)) = server.get("variables") else {
        return Vec::new();
    };
    variables
        .iter()
        .map(|(name, variable)| {
            let mut values = vec![text(variable, "default").unwrap_or_default()];
            let listed = variable.get("enum").and_then(Value::as_array);
            for value in listed.into_iter().flatten().filter_map(Value::as_str) {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            ServerVariable { name, values }
        })
        .collect()
}
