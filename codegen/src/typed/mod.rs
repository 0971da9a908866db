//! The typed layer over progenitor's generated code: everything the spec
//! says that progenitor ignores, generated from the spec for any document.
//!
//! - `security`: one credential type per security scheme, and per operation
//!   a sealed trait implemented only for the credentials its `security`
//!   alternatives accept, so a wrong credential is a compile error;
//! - `headers`: per operation, the success response's declared headers as
//!   typed fields;
//! - `rules`: the bounds, checked before sending and after decoding;
//! - `Server`: the spec's servers, and a `Client` whose constructors refuse
//!   plain http off loopback;
//! - one method per operation taking the credential, calling progenitor's
//!   method, and returning a typed `Response` or `Error`.

mod examples;
mod headers;
mod lookup;
mod methods;
mod raw;
mod security;
mod servers;

use std::collections::BTreeMap;

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::locate::escape_token;
use crate::rules::Rules;
use crate::tokens::{docs, ident};
use crate::validate::{Document, operations, resolved, security_alternatives as alternatives};
use crate::{SpecError, SpecErrorKind};
use examples::{doc_example, example_test, media_examples, test_name};
use headers::{header_type, sanitize_field};
use lookup::{json_media, json_schema, spec_parameter};
use methods::path_segment_check;
use raw::{is_borrowed, method_key, owned_type, raw_methods, type_names};
use security::{scheme_item, schemes, token_conversions};
use servers::servers;

/// Generates the typed layer for the whole document.
pub(crate) fn generate(
    doc: &Document<'_>,
    raw: &syn::File,
    runtime_crate: &str,
) -> Result<TokenStream, SpecError> {
    let runtime_ident = format_ident!("{}", runtime_crate.replace('-', "_"));
    let rt = quote!(::#runtime_ident::runtime);
    let spec = doc.json;
    let raw_methods = raw_methods(raw);
    let schemes = schemes(doc)?;
    let mut rules = Rules::new(doc, rt.clone());

    let scheme_items: Vec<TokenStream> =
        schemes.iter().map(|s| scheme_item(s, spec, &rt)).collect();
    let scheme_ident = |name: &str| {
        schemes
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.ident.clone())
    };

    let mut traits = Vec::new();
    let mut tuple_seals = Vec::new();
    let mut anonymous_sealed = false;
    let mut header_items = Vec::new();
    let mut methods = Vec::new();
    let mut example_tests: Vec<TokenStream> = Vec::new();

    for op in operations(spec) {
        let operation_id = op
            .body
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(raw_method) = raw_methods.get(&method_key(operation_id)) else {
            return Err(doc.error_at(
                &op.pointer,
                SpecErrorKind::Generator {
                    operation_id: Some(operation_id.to_string()),
                    reason: "progenitor generated no method for this operation".into(),
                },
            ));
        };
        let pascal = operation_id.to_pascal_case();
        let snake = operation_id.to_snake_case();
        let method_ident = &raw_method.ident;
        let parameters = op.parameters(spec);
        let unsupported = |pointer: String, what: String, hint: &str| {
            doc.error_at(
                &pointer,
                SpecErrorKind::Unsupported {
                    operation_id: Some(operation_id.to_string()),
                    what,
                    hint: hint.into(),
                },
            )
        };

        // Credentials.
        let mut doc_text = String::new();
        if let Some(summary) = op.body.get("summary").and_then(Value::as_str) {
            doc_text.push_str(summary.trim());
            doc_text.push_str("\n\n");
        }
        if let Some(description) = op.body.get("description").and_then(Value::as_str) {
            doc_text.push_str(description.trim());
            doc_text.push_str("\n\n");
        }
        doc_text.push_str(&format!(
            "Sends `{} {}` (operation `{operation_id}`).\n",
            op.method.to_uppercase(),
            op.path
        ));
        // Where notes about the arguments go, before the sections.
        let notes_at = doc_text.len();

        let credential_param = match alternatives(spec, op.body) {
            None => None,
            Some(alternatives) if alternatives.is_empty() => None,
            Some(alternatives) => {
                let trait_ident = ident(&format!("{pascal}Credential"));
                let mut impls = Vec::new();
                let mut accepted = Vec::new();
                doc_text.push_str(if alternatives.len() == 1 {
                    "\n# Credentials\n\n"
                } else {
                    "\n# Credentials\n\nOne of:\n"
                });
                for (index, alternative) in alternatives.iter().enumerate() {
                    let pointer = format!("{}/security/{index}", op.pointer);
                    let mut idents = Vec::new();
                    let mut described = Vec::new();
                    let mut needed_scopes: Vec<String> = Vec::new();
                    for (scheme, scopes) in alternative {
                        let Some(ident) = scheme_ident(scheme) else {
                            return Err(unsupported(
                                format!("{pointer}/{}", escape_token(scheme)),
                                format!(
                                    "security requirement names `{scheme}`, which `components.securitySchemes` does not define"
                                ),
                                "define the scheme under `components.securitySchemes`, or fix the name",
                            ));
                        };
                        let scope_text = match scopes.len() {
                            0 => String::new(),
                            1 => format!(" with scope `{}`", scopes[0]),
                            _ => format!(
                                " with scopes {}",
                                scopes
                                    .iter()
                                    .map(|s| format!("`{s}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        };
                        described.push(format!("[`security::{ident}`]{scope_text}"));
                        needed_scopes.extend(scopes.iter().cloned());
                        idents.push(ident);
                    }
                    let ty = match idents.len() {
                        0 => {
                            anonymous_sealed = true;
                            described.push(format!(
                                "[`{runtime_crate}::runtime::Anonymous`] (no credential)"
                            ));
                            quote!(#rt::Anonymous)
                        }
                        1 => {
                            let ident = &idents[0];
                            quote!(#ident)
                        }
                        2 | 3 => {
                            let tuple = quote!((#(#idents),*));
                            let key = tuple.to_string();
                            if !tuple_seals
                                .iter()
                                .any(|(k, _): &(String, TokenStream)| *k == key)
                            {
                                tuple_seals.push((key, quote!(impl sealed::Sealed for #tuple {})));
                            }
                            tuple
                        }
                        n => {
                            return Err(unsupported(
                                pointer,
                                format!(
                                    "one security alternative requires {n} schemes together; at most 3 are supported"
                                ),
                                "split the requirement, or combine the credentials into one scheme",
                            ));
                        }
                    };
                    let together = described.join(" together with ");
                    doc_text.push_str(&format!("- {together}\n"));
                    // The compiler's note names the types by their full paths.
                    let crate_path = runtime_crate.replace('-', "_");
                    let full = |ident: &Ident| format!("{crate_path}::security::{ident}");
                    let mut entry = match idents.len() {
                        0 => format!("`{crate_path}::runtime::Anonymous`"),
                        1 => format!("`{}`", full(&idents[0])),
                        _ => format!(
                            "`({})`",
                            idents.iter().map(full).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    if !needed_scopes.is_empty() {
                        let list = needed_scopes
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        entry.push_str(&format!(" (the server checks for scope {list})"));
                    }
                    accepted.push(entry);
                    impls.push(quote!(impl #trait_ident for #ty {}));
                }
                let message =
                    format!("`{{Self}}` is not a credential that `{method_ident}` accepts");
                let label = format!("not accepted by `{method_ident}`");
                let note = match accepted.as_slice() {
                    [only] => format!("`{method_ident}` accepts {only}"),
                    many => format!("`{method_ident}` accepts one of: {}", many.join("; ")),
                };
                let trait_doc = docs(&format!(
                    "The credentials `{operation_id}` accepts ([`Client::{method_ident}`](crate::Client::{method_ident})).\n\nSealed: implemented exactly for the spec's security alternatives of this operation."
                ));
                traits.push(quote! {
                    #trait_doc
                    #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                    pub trait #trait_ident: #rt::Credential + sealed::Sealed {}
                    #(#impls)*
                });
                Some(quote!(credential: &(impl security::#trait_ident + ?Sized),))
            }
        };

        // Body and parameter bounds.
        let mut checks = Vec::new();
        let mut args = Vec::new();
        let mut params = Vec::new();
        let mut omit_body = quote!(false);
        let mut body_rule: Option<Ident> = None;
        let mut param_rules: BTreeMap<String, Ident> = BTreeMap::new();
        for (name, ty) in &raw_method.params {
            // The method's own names (`credential`, and the locals below)
            // win; a spec parameter so named gets a trailing underscore.
            let local = if ["credential", "context", "raw", "result"]
                .iter()
                .any(|reserved| name == reserved)
            {
                format_ident!("{name}_")
            } else {
                name.clone()
            };
            params.push(quote!(#local: #ty));
            // progenitor takes a body of a type it thinks `Copy` by value;
            // the error path still reads it for the secrets it sent.
            let by_value = name == "body"
                && !is_borrowed(ty)
                && !raw_method
                    .generics
                    .type_params()
                    .any(|param| matches!(ty, syn::Type::Path(p) if p.path.is_ident(&param.ident)));
            args.push(if by_value {
                quote!(::std::clone::Clone::clone(&#local))
            } else {
                quote!(#local)
            });
            if name == "body" {
                let body = op.body.get("requestBody").map(|b| resolved(spec, b));
                // Optional JSON bodies reach here as `Option<&T>` (see
                // `preprocess`); other media types are always sent.
                let is_option = matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
                let optional = is_option
                    && body
                        .and_then(|b| b.get("required"))
                        .and_then(Value::as_bool)
                        != Some(true);
                if optional {
                    omit_body = quote!(body.is_none());
                    doc_text.insert_str(
                        notes_at,
                        "\nThe request body is optional: with `None`, no body is sent at all.\n",
                    );
                }
                if let Some((schema, media)) = op
                    .body
                    .get("requestBody")
                    .and_then(|b| json_schema(spec, b))
                {
                    let pointer = format!(
                        "{}/requestBody/content/{}/schema",
                        op.pointer,
                        escape_token(&media)
                    );
                    if let Some(rule) = rules.site(&format!("{snake}_body"), schema, &pointer) {
                        checks.push(quote!(#rt::check(&body, &rules::#rule)?;));
                        body_rule = Some(rule);
                    }
                }
                continue;
            }
            // Parameters, by the name progenitor gave them.
            let Some((parameter_pointer, parameter)) = spec_parameter(&parameters, name) else {
                continue;
            };
            let spec_name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if parameter.get("in").and_then(Value::as_str) == Some("path") {
                checks.push(path_segment_check(&rt, spec_name, &local, ty));
            }
            if let Some(schema) = parameter.get("schema") {
                let pointer = format!("{parameter_pointer}/schema");
                if let Some(rule) = rules.site(&format!("{snake}_param_{name}"), schema, &pointer) {
                    checks.push(quote! {
                        #rt::check(&#local, &rules::#rule).map_err(|e| e.within(#spec_name))?;
                    });
                    param_rules.insert(spec_name.to_string(), rule);
                }
            }
        }

        // Responses: declared headers of the success responses, rules of the
        // bodies, and the statuses for the docs.
        let mut header_fields: BTreeMap<
            String,
            (TokenStream, bool, String, Option<Ident>, String),
        > = BTreeMap::new();
        let mut success_count = 0;
        let mut success_rule = None;
        let mut error_rule = None;
        let mut success_json = false;
        let mut error_json = false;
        let mut error_docs = Vec::new();
        if let Some(Value::Object(responses)) = op.body.get("responses") {
            for (status, response) in responses {
                let response_pointer = format!("{}/responses/{}", op.pointer, escape_token(status));
                let target = resolved(spec, response);
                let description = target
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let is_success = status.starts_with('2');
                if is_success {
                    success_count += 1;
                    if let Some((schema, media)) = json_schema(spec, response) {
                        success_json = true;
                        let pointer =
                            format!("{response_pointer}/content/{}/schema", escape_token(&media));
                        if success_rule.is_none() {
                            success_rule =
                                rules.site(&format!("{snake}_response"), schema, &pointer);
                        }
                    }
                    if let Some(Value::Object(headers)) = target.get("headers") {
                        for (header, definition) in headers {
                            let definition = resolved(spec, definition);
                            let header_pointer =
                                format!("{response_pointer}/headers/{}", escape_token(header));
                            let Some(schema) = definition.get("schema") else {
                                return Err(unsupported(
                                    header_pointer,
                                    format!("response header `{header}` has no schema"),
                                    "add `schema: {type: string}` (or integer, number, boolean, array)",
                                ));
                            };
                            let schema = resolved(spec, schema);
                            let Some(ty) = header_type(schema, &rt) else {
                                return Err(unsupported(
                                    format!("{header_pointer}/schema"),
                                    format!(
                                        "response header `{header}` has a schema the client cannot parse from a header"
                                    ),
                                    "use a string (optionally `format: date-time`), integer, number, boolean, or an array of those",
                                ));
                            };
                            let required =
                                definition.get("required").and_then(Value::as_bool) == Some(true);
                            let rule = rules.site(
                                &format!("{snake}_header_{}", header.to_snake_case()),
                                schema,
                                &format!("{header_pointer}/schema"),
                            );
                            let text = definition
                                .get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .trim()
                                .to_string();
                            let entry = header_fields.entry(header.clone()).or_insert((
                                ty,
                                true,
                                text,
                                rule,
                                header.clone(),
                            ));
                            entry.1 &= required;
                        }
                    }
                } else {
                    if let Some((schema, media)) = json_schema(spec, response) {
                        error_json = true;
                        let pointer =
                            format!("{response_pointer}/content/{}/schema", escape_token(&media));
                        if error_rule.is_none() {
                            error_rule = rules.site(&format!("{snake}_error"), schema, &pointer);
                        }
                    }
                    error_docs.push(format!("- `{status}` {description}"));
                }
            }
        }
        // A header is required only if every success response requires it.
        let declaring = |header: &str| {
            op.body
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .filter(|(_, response)| {
                    resolved(spec, response)
                        .get("headers")
                        .and_then(Value::as_object)
                        .is_some_and(|h| h.contains_key(header))
                })
                .count()
        };

        // Every operation has a headers struct, empty or not, so that a
        // header the spec adds later changes no result type.
        let headers_ty = {
            let ident = ident(&format!("{pascal}Headers"));
            let mut fields = Vec::new();
            let mut parses = Vec::new();
            let mut field_types: Vec<(TokenStream, bool)> = Vec::new();
            for (header, (ty, required, text, rule, spec_name)) in &header_fields {
                let required = *required && declaring(header) == success_count;
                field_types.push((quote!(#ty), required));
                let field = format_ident!("{}", sanitize_field(&header.to_snake_case()));
                let field_doc = if text.is_empty() {
                    docs(&format!("The `{spec_name}` header."))
                } else {
                    docs(&format!("{text} (`{spec_name}`)."))
                };
                let check = rule.as_ref().map(|rule| {
                    quote! {
                        #rt::check(&#field, &rules::#rule).map_err(|e| #rt::HeaderError {
                            name: #spec_name,
                            problem: e.problem,
                        })?;
                    }
                });
                if required {
                    fields.push(quote!(#field_doc pub #field: #ty,));
                    parses.push(quote! {
                        let #field = #rt::required_header::<#ty>(headers, #spec_name)?;
                        #check
                    });
                } else {
                    fields.push(quote!(#field_doc pub #field: ::std::option::Option<#ty>,));
                    parses.push(quote! {
                        let #field = #rt::optional_header::<#ty>(headers, #spec_name)?;
                        #check
                    });
                }
            }
            let names: Vec<Ident> = header_fields
                .keys()
                .map(|h| format_ident!("{}", sanitize_field(&h.to_snake_case())))
                .collect();
            let struct_doc = docs(&format!(
                "The headers a successful `{operation_id}` response declares, parsed per their schemas{}.\n\n`#[non_exhaustive]`, so that an optional header the spec adds later breaks no code: build one with `new`, in test doubles too.",
                if header_fields.is_empty() {
                    " (none yet)"
                } else {
                    ""
                }
            ));
            let new_doc = docs(&format!(
                "`{ident}` with its required headers; set the optional ones afterwards."
            ));
            let required_fields: Vec<(&Ident, &TokenStream)> = names
                .iter()
                .zip(&field_types)
                .filter_map(|(name, (ty, required))| required.then_some((name, ty)))
                .collect();
            let params = required_fields
                .iter()
                .map(|(name, ty)| quote!(#name: impl ::std::convert::Into<#ty>));
            let sets = names.iter().zip(&field_types).map(|(name, (_, required))| {
                if *required {
                    quote!(#name: #name.into())
                } else {
                    quote!(#name: ::std::option::Option::None)
                }
            });
            let headers_param = if names.is_empty() {
                format_ident!("_headers")
            } else {
                format_ident!("headers")
            };
            header_items.push(quote! {
                #struct_doc
                #[derive(Clone, Debug)]
                #[non_exhaustive]
                pub struct #ident { #(#fields)* }

                impl #ident {
                    #new_doc
                    #[allow(clippy::new_without_default)]
                    pub fn new(#(#params),*) -> Self {
                        Self { #(#sets),* }
                    }
                }

                impl #rt::FromHeaders for #ident {
                    fn from_headers(
                        #headers_param: &::reqwest::header::HeaderMap,
                    ) -> ::std::result::Result<Self, #rt::HeaderError> {
                        #(#parses)*
                        ::std::result::Result::Ok(Self { #(#names),* })
                    }
                }
            });
            quote!(headers::#ident)
        };

        if !error_docs.is_empty() {
            doc_text.push_str(&format!(
                "\n# Errors\n\n[`Error::Api`]({runtime_crate}::runtime::Error::Api) for the statuses the spec lists:\n{}\n\nand the other [`Error`]({runtime_crate}::runtime::Error) variants for requests refused before sending, transport failures, and responses that do not match the spec.\n",
                error_docs.join("\n")
            ));
        }

        let ok = &raw_method.ok;
        let err = &raw_method.err;
        let describe_ok = if success_json {
            quote!(#ok)
        } else {
            quote!(::serde::de::IgnoredAny)
        };
        let describe_err = if error_json {
            quote!(#err)
        } else {
            quote!(::serde::de::IgnoredAny)
        };
        let check_ok = match &success_rule {
            Some(rule) => quote!(|body| #rt::check(body, &rules::#rule)),
            None => quote!(|_| ::std::result::Result::Ok(())),
        };
        let check_err = match &error_rule {
            Some(rule) => quote!(|body| #rt::check(body, &rules::#rule)),
            None => quote!(|_| ::std::result::Result::Ok(())),
        };
        let context = match &credential_param {
            Some(_) => quote!(#rt::CallContext::new(credential, #omit_body)?),
            None => quote!(#rt::CallContext::new(&#rt::Anonymous, #omit_body)?),
        };
        // The spec's examples: each becomes a test; request and response
        // body examples also become doc examples of the method.
        let mut doc_examples = String::new();
        let label_of =
            |what: &str, name: &str| format!("example `{name}` of the `{operation_id}` {what}");
        if let Some((_, body_ty)) = raw_method.params.iter().find(|(n, _)| n == "body") {
            let body_ty = owned_type(body_ty);
            if let Some(media) = op.body.get("requestBody").and_then(|b| json_media(spec, b)) {
                for (name, summary, value) in media_examples(spec, media) {
                    let label = label_of("request body", &name);
                    example_tests.push(example_test(
                        &rt,
                        &format!("{snake}_request_{name}"),
                        &label,
                        &value,
                        &body_ty,
                        body_rule.as_ref(),
                    ));
                    doc_examples.push_str(&doc_example(
                        runtime_crate,
                        "Request body",
                        &name,
                        &summary,
                        &value,
                        &body_ty,
                    ));
                }
            }
        }
        if let Some(Value::Object(responses)) = op.body.get("responses") {
            for (status, response) in responses {
                let Some(media) = json_media(spec, response) else {
                    continue;
                };
                let success = status.starts_with('2');
                let (ty, rule) = if success {
                    (&raw_method.ok, success_rule.as_ref())
                } else {
                    (&raw_method.err, error_rule.as_ref())
                };
                for (name, summary, value) in media_examples(spec, media) {
                    let label = label_of(&format!("`{status}` response"), &name);
                    example_tests.push(example_test(
                        &rt,
                        &format!("{snake}_response_{status}_{name}"),
                        &label,
                        &value,
                        ty,
                        rule,
                    ));
                    if success {
                        doc_examples.push_str(&doc_example(
                            runtime_crate,
                            &format!("`{status}` response"),
                            &name,
                            &summary,
                            &value,
                            ty,
                        ));
                    }
                }
                let headers = resolved(spec, response)
                    .get("headers")
                    .and_then(Value::as_object);
                for (header, definition) in headers.into_iter().flatten() {
                    let definition = resolved(spec, definition);
                    let schema = definition.get("schema").map(|s| resolved(spec, s));
                    let example = definition
                        .get("example")
                        .or_else(|| schema.and_then(|s| s.get("example")));
                    let (Some(example), Some(ty)) =
                        (example, schema.and_then(|s| header_type(s, &rt)))
                    else {
                        continue;
                    };
                    let text = match example {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    let label =
                        label_of(&format!("`{status}` response header `{header}`"), "example");
                    let test =
                        format_ident!("{}", test_name(&format!("{snake}_header_{header}_example")));
                    example_tests.push(quote! {
                        #[test]
                        fn #test() {
                            if let ::std::result::Result::Err(message) = #rt::check_header_example::<#ty>(#label, #text) {
                                panic!("{message}");
                            }
                        }
                    });
                }
            }
        }
        for (name, ty) in &raw_method.params {
            if name == "body" {
                continue;
            }
            let Some((_, parameter)) = spec_parameter(&parameters, name) else {
                continue;
            };
            let spec_name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut examples = media_examples(spec, parameter);
            if examples.is_empty()
                && let Some(value) = parameter.pointer("/schema/example")
            {
                examples.push(("example".into(), String::new(), value.clone()));
            }
            for (example, _, value) in examples {
                let label = label_of(&format!("parameter `{spec_name}`"), &example);
                example_tests.push(example_test(
                    &rt,
                    &format!("{snake}_param_{name}_{example}"),
                    &label,
                    &value,
                    &owned_type(ty),
                    param_rules.get(spec_name),
                ));
            }
        }
        if !doc_examples.is_empty() {
            doc_text.push_str("\n# Examples from the spec\n");
            doc_text.push_str(&doc_examples);
        }

        let method_doc = docs(&doc_text);
        // For `finish`: an echoed credential is redacted from a JSON error
        // body, and a JSON request body's secrets count as sent.
        let redact_error = if error_json {
            quote!(#rt::redact_echo::<#err>)
        } else {
            quote!(#rt::keep_error::<#err>)
        };
        let json_body = raw_method.params.iter().any(|(name, _)| name == "body")
            && op
                .body
                .get("requestBody")
                .and_then(|b| json_schema(spec, b))
                .is_some();
        let sent_in_body = if json_body {
            quote!(|| #rt::sent_secrets(&body))
        } else {
            quote!(::std::vec::Vec::new)
        };
        let generics = &raw_method.generics;
        let where_clause = &raw_method.generics.where_clause;
        methods.push(quote! {
            #method_doc
            pub async fn #method_ident #generics(
                &'a self,
                #credential_param
                #(#params),*
            ) -> ::std::result::Result<#rt::Response<#ok, #headers_ty>, #rt::Error<#err>>
            #where_clause
            {
                #(#checks)*
                let context = #context;
                let raw = raw::Client::new_with_client(
                    &self.base_url,
                    self.http.clone(),
                    context.with_options(&self.options),
                );
                let result = raw.#method_ident(#(#args),*).await;
                #rt::finish(
                    result,
                    &raw.inner,
                    #check_ok,
                    #check_err,
                    #rt::describe_payload::<#describe_ok>,
                    #rt::describe_payload::<#describe_err>,
                    #redact_error,
                    #sent_in_body,
                )
            }
        });
    }

    let tuple_seals = tuple_seals.into_iter().map(|(_, tokens)| tokens);
    let anonymous_seal =
        anonymous_sealed.then(|| quote!(impl sealed::Sealed for #rt::Anonymous {}));
    // Only where something is sealed (a spec may declare no security).
    let sealed_module = (!scheme_items.is_empty() || anonymous_sealed).then(|| {
        quote! {
            mod sealed {
                /// Keeps the per-operation credential traits closed: only
                /// the spec decides what an operation accepts.
                pub trait Sealed {}
            }
        }
    });
    let security = quote! {
        /// Credentials: one type per security scheme of the spec, and per
        /// operation a sealed trait implemented only for the credentials
        /// that operation accepts.
        pub mod security {
            #(#scheme_items)*
            #(#traits)*

            #sealed_module
            #(#tuple_seals)*
            #anonymous_seal
        }
    };
    let headers = (!header_items.is_empty()).then(|| {
        quote! {
            /// Typed response headers, per operation.
            pub mod headers {
                #[allow(unused_imports)]
                use super::rules;
                #(#header_items)*
            }
        }
    });
    // Examples of named schemas, against their generated types.
    let generated_types = type_names(raw);
    for (name, schema) in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let type_name = name.to_pascal_case();
        if !generated_types.contains(&type_name) {
            continue;
        }
        let ty: syn::Type = match syn::parse_str(&format!("types::{type_name}")) {
            Ok(ty) => ty,
            Err(_) => continue,
        };
        for (example, _, value) in media_examples(spec, schema) {
            let label = format!("example `{example}` of the `{name}` schema");
            example_tests.push(example_test(
                &rt,
                &format!("schema_{name}_{example}"),
                &label,
                &value,
                &ty,
                rules.component(name),
            ));
        }
    }
    let token_conversions = token_conversions(spec, &schemes, raw);
    let examples_module = (!example_tests.is_empty()).then(|| {
        quote! {
            /// The spec's examples, each checked against its generated type:
            /// it decodes, passes the bounds, and writes back the same JSON.
            #[cfg(test)]
            mod spec_examples {
                use super::*;
                #(#example_tests)*
            }
        }
    });
    let rules_module = rules.module();
    let validate_impls = rules.validate_impls(&type_names(raw));
    let (servers, default_constructors) = servers(spec, &rt);
    let options_link = format!("[`ClientOptions`]({runtime_crate}::runtime::ClientOptions)");
    let with_base_url_doc = docs(&format!(
        "A client for `base_url`: `https://…`, or `http://…` on a loopback\nhost only, so a credential is never sent in clear text by accident.\nIt uses the default {options_link}: no redirects, a 1 MiB response cap, a 15 s timeout."
    ));
    let with_options_doc = docs(&format!(
        "A client for `base_url` (the rules of [`Client::with_base_url`]) with\n`options`: the response-size cap, the redirect rule and the timeout ({options_link})."
    ));
    let with_http_client_doc = docs(&format!(
        "A client for `base_url` built from your own `reqwest::ClientBuilder`\n(proxies, TLS roots, default headers) and `options` ({options_link}).\nThe base URL rules apply, and `options`' redirect rule and timeouts\nreplace the builder's, so no setting of it can send a credential to\nanother origin."
    ));
    let client_doc = {
        let title = spec
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("the API");
        let version = spec
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let description = spec
            .pointer("/info/description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        docs(&format!(
            "Client for {title} (version {version}).\n\n{}\n\nEach operation is a method that takes the credential the spec accepts for it.",
            description.trim()
        ))
    };

    // A client of a document without operations never sends a request.
    let http_allow = if methods.is_empty() {
        quote!(#[allow(dead_code)])
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #[allow(unused_imports)]
        use raw::ByteStream;
        pub use raw::types;

        #security
        #headers
        #rules_module
        #validate_impls
        #servers

        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            base_url: ::std::string::String,
            #http_allow
            http: ::reqwest::Client,
            options: #rt::ClientOptions,
        }

        impl Client {
            #default_constructors

            #with_base_url_doc
            pub fn with_base_url(base_url: &str) -> ::std::result::Result<Self, #rt::ClientError> {
                Self::with_options(base_url, #rt::ClientOptions::default())
            }

            #with_options_doc
            pub fn with_options(
                base_url: &str,
                options: #rt::ClientOptions,
            ) -> ::std::result::Result<Self, #rt::ClientError> {
                let base_url = #rt::check_base_url(base_url)?;
                let http = #rt::http_client(&options)?;
                ::std::result::Result::Ok(Self { base_url, http, options })
            }

            #with_http_client_doc
            pub fn with_http_client(
                base_url: &str,
                http: ::reqwest::ClientBuilder,
                options: #rt::ClientOptions,
            ) -> ::std::result::Result<Self, #rt::ClientError> {
                let base_url = #rt::check_base_url(base_url)?;
                let http = #rt::configure(http, &options).build()?;
                ::std::result::Result::Ok(Self { base_url, http, options })
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            /// What this client refuses of its server: size cap, redirects, timeout.
            pub fn options(&self) -> &#rt::ClientOptions {
                &self.options
            }

            #(#methods)*
        }

        impl ::progenitor_client::ClientHooks<#rt::CallContext> for raw::Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                #rt::prepare_request(&self.inner, request);
                ::std::result::Result::Ok(())
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                #rt::execute(&self.client, request, &self.inner).await
            }

            async fn post<E>(
                &self,
                result: &::reqwest::Result<::reqwest::Response>,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                #rt::after_response(&self.inner, result)
            }
        }

        #token_conversions

        #examples_module
    })
}
