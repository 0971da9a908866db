//! The spec's examples: a test of each against its generated type, and
//! doc examples of the methods.

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use std::collections::{BTreeMap, BTreeSet};

use super::headers::header_type;
use super::lookup::spec_parameter;
use super::methods::Responses;
use super::raw::{RawMethod, owned_type};
use super::{Context, Names, Output};
use crate::model::{Example, Header, NamedSchema, Operation, Response, Schema};
use crate::naming;
use crate::rules::Rules;

fn test_name(raw: &str) -> String {
    let name = raw.to_snake_case();
    if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("example_{name}")
    } else {
        name
    }
}

/// A test that the example `value` fits `ty` and its bounds.
fn example_test(
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
fn crate_qualified(type_path: &str, krate: &str) -> String {
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
fn doc_example(
    client_path: &str,
    what: &str,
    name: &str,
    summary: &str,
    value: &Value,
    ty: &syn::Type,
) -> String {
    let type_path = crate_qualified(&quote!(#ty).to_string().replace(' ', ""), client_path);
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

/// The tests of an operation's examples (into `out`), and the doc examples
/// of its method: request and success response bodies.
pub(super) fn operation_examples(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    raw_method: &RawMethod,
    (body_rule, param_rules): (Option<&Ident>, &BTreeMap<String, Ident>),
    responses: &Responses,
) -> String {
    let mut doc_examples = String::new();
    request_examples(cx, out, op, names, raw_method, body_rule, &mut doc_examples);
    response_examples(cx, out, op, names, raw_method, responses, &mut doc_examples);
    parameter_examples(cx, out, op, names, raw_method, param_rules);
    doc_examples
}

fn label_of(names: &Names<'_>, what: &str, name: &str) -> String {
    format!("example `{name}` of the `{}` {what}", names.id)
}

fn request_examples(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    raw_method: &RawMethod,
    body_rule: Option<&Ident>,
    doc_examples: &mut String,
) {
    let Some((_, body_ty)) = raw_method.params.iter().find(|(n, _)| n == "body") else {
        return;
    };
    let body_ty = owned_type(body_ty);
    let Some(media) = op.body.as_ref().and_then(|body| body.json.as_ref()) else {
        return;
    };
    for Example {
        name,
        summary,
        value,
    } in &media.examples
    {
        let label = label_of(names, "request body", name);
        out.example_tests.push(example_test(
            &cx.rt,
            &format!("{}_request_{name}", names.snake),
            &label,
            value,
            &body_ty,
            body_rule,
        ));
        doc_examples.push_str(&doc_example(
            cx.client_path,
            "Request body",
            name,
            summary,
            value,
            &body_ty,
        ));
    }
}

fn response_examples(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    raw_method: &RawMethod,
    responses: &Responses,
    doc_examples: &mut String,
) {
    for response in &op.responses {
        let Some(media) = &response.json else {
            continue;
        };
        let (status, success) = (response.status, response.is_success());
        let (ty, rule) = if success {
            (&raw_method.ok, responses.success_rule.as_ref())
        } else {
            (&raw_method.err, responses.error_rule.as_ref())
        };
        for Example {
            name,
            summary,
            value,
        } in &media.examples
        {
            let label = label_of(names, &format!("`{status}` response"), name);
            out.example_tests.push(example_test(
                &cx.rt,
                &format!("{}_response_{status}_{name}", names.snake),
                &label,
                value,
                ty,
                rule,
            ));
            if success {
                doc_examples.push_str(&doc_example(
                    cx.client_path,
                    &format!("`{status}` response"),
                    name,
                    summary,
                    value,
                    ty,
                ));
            }
        }
        header_examples(cx, out, names, response);
    }
}

/// A test of each response header's example: it parses as the header's type.
fn header_examples(cx: &Context<'_>, out: &mut Output, names: &Names<'_>, response: &Response<'_>) {
    let (rt, status) = (&cx.rt, response.status);
    for Header {
        name: header,
        example,
        schema,
        ..
    } in &response.headers
    {
        let ty = schema.and_then(|s| header_type(Schema::new(cx.spec.resolve(s)), rt));
        let (Some(example), Some(ty)) = (example, ty) else {
            continue;
        };
        let text = match example {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let label = label_of(
            names,
            &format!("`{status}` response header `{header}`"),
            "example",
        );
        let test = format_ident!(
            "{}",
            test_name(&format!("{}_header_{header}_example", names.snake))
        );
        out.example_tests.push(quote! {
            #[test]
            fn #test() {
                if let ::std::result::Result::Err(message) = #rt::check_header_example::<#ty>(#label, #text) {
                    panic!("{message}");
                }
            }
        });
    }
}

fn parameter_examples(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    raw_method: &RawMethod,
    param_rules: &BTreeMap<String, Ident>,
) {
    for (name, ty) in &raw_method.params {
        if name == "body" {
            continue;
        }
        let Some(parameter) = spec_parameter(&op.parameters, name) else {
            continue;
        };
        let spec_name = parameter.name;
        let schema_example = parameter
            .schema
            .and_then(|schema| schema.example())
            .filter(|_| parameter.examples.is_empty())
            .map(|value| ("example", value));
        let examples = parameter
            .examples
            .iter()
            .map(|example| (example.name.as_str(), example.value))
            .chain(schema_example);
        for (example, value) in examples {
            let label = label_of(names, &format!("parameter `{spec_name}`"), example);
            out.example_tests.push(example_test(
                &cx.rt,
                &format!("{}_param_{name}_{example}", names.snake),
                &label,
                value,
                &owned_type(ty),
                param_rules.get(spec_name),
            ));
        }
    }
}

/// Tests of the examples of named schemas, against their generated types.
pub(super) fn schema_examples(
    cx: &Context<'_>,
    rules: &Rules<'_>,
    generated_types: &BTreeSet<String>,
    out: &mut Output,
) {
    for NamedSchema { name, examples, .. } in &cx.spec.schemas {
        let type_name = naming::type_name(name);
        if !generated_types.contains(&type_name) {
            continue;
        }
        let ty: syn::Type = match syn::parse_str(&format!("types::{type_name}")) {
            Ok(ty) => ty,
            Err(_) => continue,
        };
        for Example {
            name: example,
            value,
            ..
        } in examples
        {
            let label = format!("example `{example}` of the `{name}` schema");
            out.example_tests.push(example_test(
                &cx.rt,
                &format!("schema_{name}_{example}"),
                &label,
                value,
                &ty,
                rules.component(name),
            ));
        }
    }
}

/// The `spec_examples` test module, if the spec has examples.
pub(super) fn module(example_tests: &[TokenStream]) -> Option<TokenStream> {
    (!example_tests.is_empty()).then(|| {
        quote! {
            /// The spec's examples, each checked against its generated type:
            /// it decodes, passes the bounds, and writes back the same JSON.
            #[cfg(test)]
            mod spec_examples {
                use super::*;
                #(#example_tests)*
            }
        }
    })
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
