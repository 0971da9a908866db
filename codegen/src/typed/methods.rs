//! The typed methods: one per operation, taking the credential and
//! returning a typed `Response` or `Error`.

use std::collections::BTreeMap;

use super::headers::{HeaderField, add_field, headers_struct};
use super::lookup::spec_parameter;
use super::raw::{RawMethod, is_borrowed};
use super::security::{Credentials, credentials};
use super::{Context, Names, Output, examples};
use crate::SpecError;
use crate::model::{Operation, Parameter};
use crate::rules::Rules;
use crate::tokens::docs;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The typed method of one operation (into `out`), with its credential
/// trait, headers struct and example tests.
pub(super) fn operation(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    out: &mut Output,
    op: &Operation<'_>,
) -> Result<(), SpecError> {
    let names = Names::of(op);
    let raw_method = cx.raw_method(&op.pointer, &names)?;
    let credentials = credentials(cx, out, op, &names, &raw_method.ident)?;
    let arguments = arguments(cx, rules, op, &names, raw_method);
    let responses = responses(cx, rules, op, &names)?;
    let headers_ty = headers_struct(cx, out, op, &names, &responses);
    let examples_doc = examples::operation_examples(
        cx,
        out,
        op,
        &names,
        raw_method,
        (arguments.body_rule.as_ref(), &arguments.param_rules),
        &responses,
    );
    let doc_text = method_doc(
        cx,
        op,
        &names,
        &arguments,
        credentials.as_ref(),
        &responses,
        &examples_doc,
    );
    let parts = MethodParts {
        credentials,
        arguments,
        headers_ty,
        doc: doc_text,
    };
    out.methods
        .push(method_item(cx, op, raw_method, &responses, parts));
    Ok(())
}

/// The method's docs: the operation's own text, then notes on the
/// arguments, then the credentials, errors and examples sections.
fn method_doc(
    cx: &Context<'_>,
    op: &Operation<'_>,
    names: &Names<'_>,
    arguments: &Arguments,
    credentials: Option<&Credentials>,
    responses: &Responses,
    examples_doc: &str,
) -> TokenStream {
    let runtime_crate = cx.runtime_crate;
    let mut doc_text = String::new();
    for text in [op.summary, op.description].into_iter().flatten() {
        doc_text.push_str(text.trim());
        doc_text.push_str("\n\n");
    }
    doc_text.push_str(&format!(
        "Sends `{} {}` (operation `{}`).\n",
        op.method.to_uppercase(),
        op.path,
        names.id
    ));
    if arguments.optional_body {
        doc_text.push_str("\nThe request body is optional: with `None`, no body is sent at all.\n");
    }
    if let Some(credentials) = credentials {
        doc_text.push_str(&credentials.doc);
    }
    if !responses.error_docs.is_empty() {
        doc_text.push_str(&format!(
            "\n# Errors\n\n[`Error::Api`]({runtime_crate}::runtime::Error::Api) for the statuses the spec lists:\n{}\n\nand the other [`Error`]({runtime_crate}::runtime::Error) variants for requests refused before sending, transport failures, and responses that do not match the spec.\n",
            responses.error_docs.join("\n")
        ));
    }
    if !examples_doc.is_empty() {
        doc_text.push_str("\n# Examples from the spec\n");
        doc_text.push_str(examples_doc);
    }
    docs(&doc_text)
}

/// What the method does with progenitor's arguments before calling it.
struct Arguments {
    /// The bounds and path-segment checks, run before sending.
    checks: Vec<TokenStream>,
    /// The arguments passed on to progenitor's method.
    args: Vec<TokenStream>,
    /// The method's own parameters (after the credential).
    params: Vec<TokenStream>,
    /// Whether the body is optional, so `None` sends none.
    optional_body: bool,
    body_rule: Option<Ident>,
    /// The rule of each bounded parameter, by its spec name.
    param_rules: BTreeMap<String, Ident>,
}

/// The method's parameters, arguments and checks, from progenitor's.
fn arguments(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    op: &Operation<'_>,
    names: &Names<'_>,
    raw_method: &RawMethod,
) -> Arguments {
    let mut arguments = Arguments {
        checks: Vec::new(),
        args: Vec::new(),
        params: Vec::new(),
        optional_body: false,
        body_rule: None,
        param_rules: BTreeMap::new(),
    };
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
        arguments.params.push(quote!(#local: #ty));
        // progenitor takes a body of a type it thinks `Copy` by value;
        // the error path still reads it for the secrets it sent.
        let by_value = name == "body"
            && !is_borrowed(ty)
            && !raw_method
                .generics
                .type_params()
                .any(|param| matches!(ty, syn::Type::Path(p) if p.path.is_ident(&param.ident)));
        arguments.args.push(if by_value {
            quote!(::std::clone::Clone::clone(&#local))
        } else {
            quote!(#local)
        });
        if name == "body" {
            body_argument(cx, rules, op, names, ty, &mut arguments);
        } else if let Some(parameter) = spec_parameter(&op.parameters, name) {
            parameter_checks(
                cx,
                rules,
                names,
                (name, &local, ty),
                parameter,
                &mut arguments,
            );
        }
    }
    arguments
}

/// Whether the body is optional, and its bounds check.
fn body_argument(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    op: &Operation<'_>,
    names: &Names<'_>,
    ty: &syn::Type,
    arguments: &mut Arguments,
) {
    let rt = &cx.rt;
    // Optional JSON bodies reach here as `Option<&T>` (see
    // `preprocess`); other media types are always sent.
    arguments.optional_body =
        crate::tokens::is_option(ty) && !op.body.as_ref().is_some_and(|body| body.required);
    let json = op.body.as_ref().and_then(|body| body.json.as_ref());
    if let Some((media, schema)) = json.and_then(|media| Some((media, media.schema?))) {
        let pointer = media.schema_pointer();
        if let Some(rule) = rules.site(&format!("{}_body", names.snake), schema, &pointer) {
            arguments
                .checks
                .push(quote!(#rt::check(&body, &rules::#rule)?;));
            arguments.body_rule = Some(rule);
        }
        if crate::one_of::reaches_one_of(cx.doc.json, schema.node) {
            arguments.checks.push(if arguments.optional_body {
                quote!(if let ::std::option::Option::Some(body) = body { #rt::check_one_of(body)?; })
            } else {
                quote!(#rt::check_one_of(body)?;)
            });
        }
    }
}

/// A parameter's checks: its path segment, and its bounds.
fn parameter_checks(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    names: &Names<'_>,
    (name, local, ty): (&Ident, &Ident, &syn::Type),
    parameter: &Parameter<'_>,
    arguments: &mut Arguments,
) {
    let rt = &cx.rt;
    let spec_name = parameter.name;
    if parameter.location == "path" {
        arguments
            .checks
            .push(path_segment_check(rt, spec_name, local, ty));
    }
    if let Some(schema) = parameter.schema {
        let pointer = format!("{}/schema", parameter.pointer);
        let site = format!("{}_param_{name}", names.snake);
        if let Some(rule) = rules.site(&site, schema, &pointer) {
            arguments.checks.push(quote! {
                #rt::check(&#local, &rules::#rule).map_err(|e| e.within(#spec_name))?;
            });
            arguments.param_rules.insert(spec_name.to_string(), rule);
        }
    }
}

/// What the operation's responses declare: the success responses'
/// headers, the bodies' rules, and the error statuses for the docs.
pub(super) struct Responses {
    pub(super) header_fields: BTreeMap<String, HeaderField>,
    pub(super) success_count: usize,
    pub(super) success_rule: Option<Ident>,
    pub(super) error_rule: Option<Ident>,
    /// Whether a success (an error) response has a JSON body.
    success_json: bool,
    error_json: bool,
    error_docs: Vec<String>,
}

fn responses(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    op: &Operation<'_>,
    names: &Names<'_>,
) -> Result<Responses, SpecError> {
    let mut found = Responses {
        header_fields: BTreeMap::new(),
        success_count: 0,
        success_rule: None,
        error_rule: None,
        success_json: false,
        error_json: false,
        error_docs: Vec::new(),
    };
    for response in &op.responses {
        let json = response
            .json
            .as_ref()
            .and_then(|media| Some((media, media.schema?)));
        if !response.is_success() {
            if let Some((media, schema)) = json {
                found.error_json = true;
                if found.error_rule.is_none() {
                    let name = format!("{}_error", names.snake);
                    found.error_rule = rules.site(&name, schema, &media.schema_pointer());
                }
            }
            let (status, description) = (response.status, response.description);
            found.error_docs.push(format!("- `{status}` {description}"));
            continue;
        }
        found.success_count += 1;
        if let Some((media, schema)) = json {
            found.success_json = true;
            if found.success_rule.is_none() {
                let name = format!("{}_response", names.snake);
                found.success_rule = rules.site(&name, schema, &media.schema_pointer());
            }
        }
        for header in &response.headers {
            add_field(cx, rules, names, &mut found.header_fields, header)?;
        }
    }
    Ok(found)
}

/// What the earlier stages made for the method.
struct MethodParts {
    credentials: Option<Credentials>,
    arguments: Arguments,
    /// The `Response`'s headers type.
    headers_ty: TokenStream,
    doc: TokenStream,
}

/// The typed method: checks, then progenitor's method with the hooks'
/// context, then `finish` reading the result into a `Response` or `Error`.
fn method_item(
    cx: &Context<'_>,
    op: &Operation<'_>,
    raw_method: &RawMethod,
    responses: &Responses,
    parts: MethodParts,
) -> TokenStream {
    let MethodParts {
        credentials,
        arguments,
        headers_ty,
        doc: method_doc,
    } = parts;
    let rt = &cx.rt;
    let finish = finish_arguments(cx, op, raw_method, responses);
    let omit_body = if arguments.optional_body {
        quote!(body.is_none())
    } else {
        quote!(false)
    };
    let (credential_param, context) = match credentials {
        Some(credentials) => (
            Some(credentials.param),
            quote!(#rt::CallContext::new(credential, #omit_body)?),
        ),
        None => (
            None,
            quote!(#rt::CallContext::new(&#rt::Anonymous, #omit_body)?),
        ),
    };
    let Arguments {
        checks,
        args,
        params,
        ..
    } = arguments;
    let (ok, err) = (&raw_method.ok, &raw_method.err);
    let method_ident = &raw_method.ident;
    let generics = &raw_method.generics;
    let where_clause = &raw_method.generics.where_clause;
    quote! {
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
                #(#finish,)*
            )
        }
    }
}

/// `finish`'s arguments after the result: the checks of the success and
/// error bodies, how to describe them, how to redact an echoed credential
/// from a JSON error body, and the secrets a JSON request body sent.
fn finish_arguments(
    cx: &Context<'_>,
    op: &Operation<'_>,
    raw_method: &RawMethod,
    responses: &Responses,
) -> [TokenStream; 6] {
    let rt = &cx.rt;
    let (ok, err) = (&raw_method.ok, &raw_method.err);
    let describe = |json: bool, ty: &syn::Type| {
        if json {
            quote!(#rt::describe_payload::<#ty>)
        } else {
            quote!(#rt::describe_payload::<::serde::de::IgnoredAny>)
        }
    };
    let check = |rule: &Option<Ident>| match rule {
        Some(rule) => quote!(|body| #rt::check(body, &rules::#rule)),
        None => quote!(|_| ::std::result::Result::Ok(())),
    };
    let redact_error = if responses.error_json {
        quote!(#rt::redact_echo::<#err>)
    } else {
        quote!(#rt::keep_error::<#err>)
    };
    let json_body = raw_method.params.iter().any(|(name, _)| name == "body")
        && op
            .body
            .as_ref()
            .and_then(|body| body.json.as_ref()?.schema)
            .is_some();
    let sent_in_body = if json_body {
        quote!(|| #rt::sent_secrets(&body))
    } else {
        quote!(::std::vec::Vec::new)
    };
    [
        check(&responses.success_rule),
        check(&responses.error_rule),
        describe(responses.success_json, ok),
        describe(responses.error_json, err),
        redact_error,
        sent_in_body,
    ]
}

/// The check that a path parameter fills exactly one segment: empty and
/// dot segments are refused before sending (the encoder escapes the rest).
/// progenitor passes string parameters as `&str`, others by value; the
/// check reads the text the URL will hold.
pub(super) fn path_segment_check(
    rt: &TokenStream,
    spec_name: &str,
    local: &Ident,
    ty: &syn::Type,
) -> TokenStream {
    let is_str = matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str")));
    let text = if is_str {
        quote!(#local)
    } else {
        quote!(&#local.to_string())
    };
    quote!(#rt::check_path_segment(#spec_name, #text)?;)
}
