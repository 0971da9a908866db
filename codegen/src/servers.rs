//! The spec's `servers` as the named choices the client offers: one per
//! server and per combination of its `enum` variables' values. The change
//! report names them the same way, so a renamed choice shows as breaking.

use heck::ToPascalCase;
use serde_json::Value;

/// One named server the client can be built for.
pub(crate) struct ServerChoice {
    /// The `Server` variant's name.
    pub name: String,
    /// The base URL, every variable filled in.
    pub url: String,
    /// What the spec says of it, with the variables that differ from their
    /// defaults.
    pub description: String,
}

/// The most choices one server expands into; past this, a server offers
/// only its defaults (`with_base_url` takes any other URL).
const MAX_COMBINATIONS: usize = 16;

/// A variable's name and its values, the default first.
type Variable = (String, Vec<String>);

/// The named choices, in the spec's order (defaults first within a server),
/// and the relative server URLs, which have no host and are left out.
pub(crate) fn server_choices(spec: &Value) -> (Vec<ServerChoice>, Vec<String>) {
    let mut choices: Vec<ServerChoice> = Vec::new();
    let mut relative = Vec::new();
    let servers = spec.get("servers").and_then(Value::as_array);
    for (index, server) in servers.into_iter().flatten().enumerate() {
        let Some(template) = server.get("url").and_then(Value::as_str) else {
            continue;
        };
        let description = server
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string();
        let base = server
            .get("x-name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| description.split_whitespace().next().map(str::to_string))
            .map(|n| n.to_pascal_case())
            .filter(|n| is_ident(n))
            .unwrap_or_else(|| format!("Server{index}"));
        let variables = variables(server);
        for values in combinations(&variables) {
            let mut url = template.to_string();
            let mut differing = Vec::new();
            for ((name, options), value) in variables.iter().zip(&values) {
                url = url.replace(&format!("{{{name}}}"), value);
                if Some(value) != options.first() {
                    differing.push((name.as_str(), value.as_str()));
                }
            }
            if !url.contains("://") {
                if !relative.iter().any(|r| r == template) {
                    relative.push(template.to_string());
                }
                continue;
            }
            let suffix: String = differing.iter().map(|(_, v)| v.to_pascal_case()).collect();
            let wanted = if is_ident(&format!("{base}{suffix}")) {
                format!("{base}{suffix}")
            } else {
                base.clone()
            };
            let mut name = wanted.clone();
            let mut n = 2;
            while choices.iter().any(|c| c.name == name) {
                name = format!("{wanted}{n}");
                n += 1;
            }
            let detail: Vec<String> = differing
                .iter()
                .map(|(variable, value)| format!("`{variable}` = `{value}`"))
                .collect();
            let description = match (description.is_empty(), detail.is_empty()) {
                (_, true) => description.clone(),
                (true, false) => detail.join(", "),
                (false, false) => format!("{description} ({})", detail.join(", ")),
            };
            choices.push(ServerChoice {
                name,
                url,
                description,
            });
        }
    }
    (choices, relative)
}

/// Each variable with its values: the default, then the rest of its `enum`.
fn variables(server: &Value) -> Vec<Variable> {
    let Some(Value::Object(variables)) = server.get("variables") else {
        return Vec::new();
    };
    variables
        .iter()
        .map(|(name, variable)| {
            let default = variable
                .get("default")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut values = vec![default];
            let listed = variable.get("enum").and_then(Value::as_array);
            for value in listed.into_iter().flatten().filter_map(Value::as_str) {
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_string());
                }
            }
            (name.clone(), values)
        })
        .collect()
}

/// Every combination of the variables' values, the defaults first; only the
/// defaults when there would be more than [`MAX_COMBINATIONS`].
fn combinations(variables: &[Variable]) -> Vec<Vec<String>> {
    let defaults: Vec<String> = variables.iter().map(|(_, v)| v[0].clone()).collect();
    let count = variables
        .iter()
        .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()));
    if count.is_none_or(|n| n > MAX_COMBINATIONS) {
        return vec![defaults];
    }
    let mut all = vec![Vec::new()];
    for (_, values) in variables {
        all = all
            .into_iter()
            .flat_map(|prefix: Vec<String>| {
                values.iter().map(move |value| {
                    let mut next = prefix.clone();
                    next.push(value.clone());
                    next
                })
            })
            .collect();
    }
    all
}

fn is_ident(name: &str) -> bool {
    !name.is_empty() && syn::parse_str::<syn::Ident>(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listed(spec: &Value) -> Vec<(String, String, String)> {
        server_choices(spec)
            .0
            .into_iter()
            .map(|c| (c.name, c.url, c.description))
            .collect()
    }

    #[test]
    fn enum_variables_expand_into_one_choice_per_combination() {
        let spec = json!({"servers": [{
            "url": "https://{region}.example.com/{stage}",
            "description": "Regional deployment",
            "variables": {
                "region": {"default": "eu", "enum": ["us", "eu", "ap-south"]},
                "stage": {"default": "v2"}
            }
        }]});
        let expected = [
            (
                "Regional",
                "https://eu.example.com/v2",
                "Regional deployment",
            ),
            (
                "RegionalUs",
                "https://us.example.com/v2",
                "Regional deployment (`region` = `us`)",
            ),
            (
                "RegionalApSouth",
                "https://ap-south.example.com/v2",
                "Regional deployment (`region` = `ap-south`)",
            ),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(listed(&spec), expected);
    }

    #[test]
    fn too_many_combinations_offer_the_defaults_and_relative_urls_are_left_out() {
        let values: Vec<String> = (0..5).map(|i| format!("v{i}")).collect();
        let spec = json!({"servers": [
            {"url": "/relative"},
            {"url": "https://{a}.{b}.test", "x-name": "wide", "variables": {
                "a": {"default": "v0", "enum": values},
                "b": {"default": "v0", "enum": values}
            }},
            {"url": "https://1.test", "description": "1st"}
        ]});
        let (choices, relative) = server_choices(&spec);
        let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Wide", "Server2"]);
        assert_eq!(choices[0].url, "https://v0.v0.test");
        assert_eq!(relative, ["/relative"]);
    }
}
