//! The spec's `servers` as the named choices the client offers: one per
//! server and per combination of its `enum` variables' values. The change
//! report names them the same way, so a renamed choice shows as breaking.

use crate::model::{Server, ServerVariable};
use heck::ToPascalCase;

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

/// The named choices, in the spec's order (defaults first within a server),
/// and the relative server URLs, which have no host and are left out.
pub(crate) fn server_choices(servers: &[Server<'_>]) -> (Vec<ServerChoice>, Vec<String>) {
    let mut choices: Vec<ServerChoice> = Vec::new();
    let mut relative = Vec::new();
    for server in servers {
        let (template, description) = (server.url, server.description.to_string());
        let base = server
            .name
            .map(str::to_string)
            .or_else(|| description.split_whitespace().next().map(str::to_string))
            .map(|n| n.to_pascal_case())
            .filter(|n| is_ident(n))
            .unwrap_or_else(|| format!("Server{}", server.index));
        let variables = &server.variables;
        for values in combinations(variables) {
            let mut url = template.to_string();
            let mut differing = Vec::new();
            for (variable, value) in variables.iter().zip(&values) {
                url = url.replace(&format!("{{{}}}", variable.name), value);
                if variable.values.first() != Some(value) {
                    differing.push((variable.name, *value));
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

/// Every combination of the variables' values, the defaults first; only the
/// defaults when there would be more than [`MAX_COMBINATIONS`].
fn combinations<'a>(variables: &[ServerVariable<'a>]) -> Vec<Vec<&'a str>> {
    let defaults: Vec<&str> = variables.iter().map(|v| v.values[0]).collect();
    let count = variables
        .iter()
        .try_fold(1usize, |n, v| n.checked_mul(v.values.len()));
    if count.is_none_or(|n| n > MAX_COMBINATIONS) {
        return vec![defaults];
    }
    let mut all = vec![Vec::new()];
    for variable in variables {
        all = all
            .into_iter()
            .flat_map(|prefix: Vec<&'a str>| {
                variable.values.iter().map(move |value| {
                    let mut next = prefix.clone();
                    next.push(*value);
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

    fn listed(spec: &serde_json::Value) -> Vec<(String, String, String)> {
        server_choices(&crate::model::Spec::build(spec).servers)
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
        let (choices, relative) = server_choices(&crate::model::Spec::build(&spec).servers);
        let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Wide", "Server2"]);
        assert_eq!(choices[0].url, "https://v0.v0.test");
        assert_eq!(relative, ["/relative"]);
    }
}
