//! The spec's examples: a test of each against its generated type, and
//! doc examples of the methods.

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::validate::resolved;

/// `(name, summary, value)` of each example of a media type or parameter:
/// `example`, and each entry of `examples` (following `$ref`s).
pub(super) fn media_examples(spec: &Value, node: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    if let Some(value) = node.get("example") {
        found.push(("example".to_string(), String::new(), value.clone()));
    }
    if let Some(Value::Object(examples)) = node.get("examples") {
        for (name, example) in examples {
            let example = resolved(spec, example);
            if let Some(value) = example.get("value") {
                let summary = example
                    .get("summary")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                found.push((name.clone(), summary, value.clone()));
            }
        }
    }
    found
}

pub(super) fn test_name(raw: &str) -> String {
    let name = raw.to_snake_case();
    if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("example_{name}")
    } else {
        name
    }
}

/// A test that the example `value` fits `ty` and its bounds.
pub(super) fn example_test(
    rt: &TokenStream,
    name: &str,
    label: &str,
    value: &Value,
    ty: &syn::Type,
    rule: Option<&Ident>,
) -> TokenStream {
    let test = format_ident!("{}", test_name(name));
    let json = value.to_string();
    let check = match rule {
        Some(rule) => quote!(|value| #rt::check(value, &super::rules::#rule)),
        None => quote!(|_| ::std::result::Result::Ok(())),
    };
    quote! {
        #[test]
        fn #test() {
            if let ::std::result::Result::Err(message) = #rt::check_example::<#ty>(#label, #json, #check) {
                panic!("{message}");
            }
        }
    }
}

/// `type_path` with every path into the generated `types` module, at any
/// depth (`Box<types::Node>`), starting from `krate`: a doc example is
/// compiled outside the crate.
pub(super) fn crate_qualified(type_path: &str, krate: &str) -> String {
    let mut out = String::with_capacity(type_path.len());
    let mut rest = type_path;
    while let Some(at) = rest.find("types::") {
        let before = &rest[..at];
        let starts_path = before
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
        out.push_str(before);
        if starts_path {
            out.push_str(krate);
            out.push_str("::");
        }
        out.push_str("types::");
        rest = &rest[at + "types::".len()..];
    }
    out.push_str(rest);
    out
}

/// A compiled doc example decoding the spec's example `value` into `ty`.
pub(super) fn doc_example(
    runtime_crate: &str,
    what: &str,
    name: &str,
    summary: &str,
    value: &Value,
    ty: &syn::Type,
) -> String {
    let type_path = crate_qualified(
        &quote!(#ty).to_string().replace(' ', ""),
        &runtime_crate.replace('-', "_"),
    );
    let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let summary = if summary.is_empty() {
        String::new()
    } else {
        format!(" ({summary})")
    };
    format!(
        "\n{what} `{name}`{summary}:\n\n```\nlet value: {type_path} = serde_json::from_value(serde_json::json!({pretty}))?;\n# Ok::<(), serde_json::Error>(())\n```\n"
    )
}

#[cfg(test)]
mod tests {
    use super::crate_qualified;

    #[test]
    fn doc_example_types_are_qualified_at_any_depth() {
        let cases = [
            ("types::Node", "my_crate::types::Node"),
            (
                "::std::boxed::Box<types::Node>",
                "::std::boxed::Box<my_crate::types::Node>",
            ),
            (
                "::std::vec::Vec<(types::A,types::B)>",
                "::std::vec::Vec<(my_crate::types::A,my_crate::types::B)>",
            ),
            ("other::types::X", "other::types::X"),
            ("subtypes::X", "subtypes::X"),
            ("i64", "i64"),
        ];
        for (given, expected) in cases {
            assert_eq!(crate_qualified(given, "my_crate"), expected, "{given}");
        }
    }
}
