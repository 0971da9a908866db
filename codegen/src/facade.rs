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

use std::collections::BTreeMap;

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::locate::escape_token;
use crate::preprocess::is_secret;
use crate::rules::Rules;
use crate::validate::{Document, operations, resolved, security_alternatives as alternatives};
use crate::{SpecError, SpecErrorKind};

/// One method progenitor generated, as its signature shows it.
struct RawMethod {
    ident: Ident,
    /// Its lifetime and type parameters (e.g. `B: Into<reqwest::Body>` for
    /// a raw body), which the typed method repeats.
    generics: syn::Generics,
    params: Vec<(Ident, syn::Type)>,
    ok: syn::Type,
    err: syn::Type,
}

/// Reads progenitor's methods from its output, keyed by the snake_case
/// operationId each method records in its `OperationInfo`.
fn raw_methods(raw: &syn::File) -> BTreeMap<String, RawMethod> {
    let mut methods = BTreeMap::new();
    for item in &raw.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(self_ty) = block.self_ty.as_ref() else {
            continue;
        };
        if block.trait_.is_some() || !self_ty.path.is_ident("Client") {
            continue;
        }
        for item in &block.items {
            let syn::ImplItem::Fn(function) = item else {
                continue;
            };
            let body = quote!(#function).to_string();
            let Some(operation_id) = body
                .split("operation_id : \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
            else {
                continue;
            };
            let params = function
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(typed) => match typed.pat.as_ref() {
                        syn::Pat::Ident(name) => Some((name.ident.clone(), (*typed.ty).clone())),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let Some((ok, err)) = result_types(&function.sig.output) else {
                continue;
            };
            methods.insert(
                method_key(operation_id),
                RawMethod {
                    ident: function.sig.ident.clone(),
                    generics: function.sig.generics.clone(),
                    params,
                    ok,
                    err,
                },
            );
        }
    }
    methods
}

/// The names of the types in progenitor's `types` module.
fn type_names(raw: &syn::File) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for item in &raw.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        for item in module.content.iter().flat_map(|(_, items)| items) {
            match item {
                syn::Item::Struct(s) => {
                    names.insert(s.ident.to_string());
                }
                syn::Item::Enum(e) => {
                    names.insert(e.ident.to_string());
                }
                _ => {}
            }
        }
    }
    names
}

/// How an operationId and progenitor's record of it are matched: its
/// letters and digits, lowercased (progenitor's snake_case differs from
/// `heck`'s on names such as `1st-thing`).
fn method_key(operation_id: &str) -> String {
    operation_id
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `T` and `E` of `Result<ResponseValue<T>, Error<E>>`.
fn result_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = generic_args(ty)?;
    let mut args = args.into_iter();
    let ok = generic_args(&args.next()?)?.into_iter().next()?;
    let err = generic_args(&args.next()?)?.into_iter().next()?;
    Some((ok, err))
}

fn generic_args(ty: &syn::Type) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// Whether a type is or holds a reference (`&T`, `Option<&T>`).
fn is_borrowed(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(_) => true,
        syn::Type::Path(_) => generic_args(ty).is_some_and(|args| args.iter().any(is_borrowed)),
        _ => false,
    }
}

/// `#[doc = …]` attributes, one per line, so the output shows `///` lines.
pub(crate) fn docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}

enum SchemeKind {
    Bearer,
    Basic,
    ApiKey { location: String, name: String },
}

struct Scheme {
    name: String,
    ident: Ident,
    kind: SchemeKind,
}

fn schemes(doc: &Document<'_>) -> Result<Vec<Scheme>, SpecError> {
    let Some(Value::Object(map)) = doc.json.pointer("/components/securitySchemes") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for (name, scheme) in map {
        let pointer = format!("/components/securitySchemes/{}", escape_token(name));
        let scheme = resolved(doc.json, scheme);
        let unsupported = |what: String| {
            doc.error_at(
                &pointer,
                SpecErrorKind::Unsupported {
                    operation_id: None,
                    what,
                    hint: "use an oauth2, openIdConnect, http bearer, http basic or apiKey scheme"
                        .into(),
                },
            )
        };
        let text = |key: &str| {
            scheme
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let kind = match text("type").as_str() {
            "oauth2" | "openIdConnect" => SchemeKind::Bearer,
            "http" => match text("scheme").to_ascii_lowercase().as_str() {
                "bearer" => SchemeKind::Bearer,
                "basic" => SchemeKind::Basic,
                other => {
                    return Err(unsupported(format!(
                        "security scheme `{name}` uses http scheme `{other}`"
                    )));
                }
            },
            "apiKey" => {
                let location = text("in");
                if !matches!(location.as_str(), "header" | "query" | "cookie") {
                    return Err(unsupported(format!(
                        "apiKey scheme `{name}` is `in: {location}`"
                    )));
                }
                SchemeKind::ApiKey {
                    location,
                    name: text("name"),
                }
            }
            other => {
                return Err(unsupported(format!(
                    "security scheme `{name}` has type `{other}`"
                )));
            }
        };
        found.push(Scheme {
            name: name.clone(),
            ident: ident(&name.to_pascal_case()),
            kind,
        });
    }
    Ok(found)
}

fn scheme_item(scheme: &Scheme, spec: &Value, rt: &TokenStream) -> TokenStream {
    let Scheme { name, ident, kind } = scheme;
    let description = spec
        .pointer(&format!(
            "/components/securitySchemes/{}/description",
            escape_token(name)
        ))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim();
    let (wire, fields, constructor, place, debug) = match kind {
        SchemeKind::Bearer => (
            "`Authorization: Bearer <token>`".to_string(),
            quote!(token: #rt::Secret),
            quote! {
                /// Wraps the token.
                pub fn new(token: impl ::std::convert::Into<#rt::Secret>) -> Self {
                    Self { token: token.into() }
                }
                /// The token, explicitly.
                pub fn token(&self) -> &#rt::Secret {
                    &self.token
                }
            },
            quote!(placement.bearer(#name, &self.token)),
            quote!(f.write_str(concat!(stringify!(#ident), "(<redacted>)"))),
        ),
        SchemeKind::Basic => (
            "`Authorization: Basic <base64(username:password)>`".to_string(),
            quote!(username: ::std::string::String, password: #rt::Secret),
            quote! {
                /// A user name and password.
                pub fn new(
                    username: impl ::std::convert::Into<::std::string::String>,
                    password: impl ::std::convert::Into<#rt::Secret>,
                ) -> Self {
                    Self { username: username.into(), password: password.into() }
                }
                /// The user name.
                pub fn username(&self) -> &str {
                    &self.username
                }
                /// The password, explicitly.
                pub fn password(&self) -> &#rt::Secret {
                    &self.password
                }
            },
            quote!(placement.basic(#name, &self.username, &self.password)),
            quote! {
                f.debug_struct(stringify!(#ident))
                    .field("username", &self.username)
                    .field("password", &self.password)
                    .finish()
            },
        ),
        SchemeKind::ApiKey {
            location,
            name: key_name,
        } => {
            let place = match location.as_str() {
                "header" => quote!(placement.header(#name, #key_name, &self.key)),
                "query" => {
                    quote! {{ placement.query(#key_name, &self.key); ::std::result::Result::Ok(()) }}
                }
                _ => quote!(placement.cookie(#name, #key_name, &self.key)),
            };
            let wire = match location.as_str() {
                "header" => format!("the `{key_name}` header"),
                "query" => format!("the `{key_name}` query parameter"),
                _ => format!("the `{key_name}` cookie"),
            };
            (
                wire,
                quote!(key: #rt::Secret),
                quote! {
                    /// Wraps the key.
                    pub fn new(key: impl ::std::convert::Into<#rt::Secret>) -> Self {
                        Self { key: key.into() }
                    }
                    /// The key, explicitly.
                    pub fn key(&self) -> &#rt::Secret {
                        &self.key
                    }
                },
                place,
                quote!(f.write_str(concat!(stringify!(#ident), "(<redacted>)"))),
            )
        }
    };
    let mut text = format!("The `{name}` security scheme, sent as {wire}.");
    if !description.is_empty() {
        text = format!("{description}\n\n{text}");
    }
    text.push_str("\n\nIts `Debug` output never shows the secret.");
    let doc = docs(&text);
    quote! {
        #doc
        #[derive(Clone)]
        pub struct #ident { #fields }

        impl #ident { #constructor }

        impl ::std::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #debug
            }
        }

        impl #rt::Credential for #ident {
            fn place(&self, placement: &mut #rt::Placement) -> ::std::result::Result<(), #rt::CredentialError> {
                #place
            }
        }

        impl sealed::Sealed for #ident {}
    }
}

/// Rust type for a header value per its schema.
fn header_type(schema: &Value, rt: &TokenStream) -> Option<TokenStream> {
    let kind = schema.get("type").and_then(Value::as_str);
    Some(match kind {
        Some("string") if is_secret(schema) => quote!(#rt::Secret),
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            quote!(::chrono::DateTime<::chrono::offset::Utc>)
        }
        Some("string") => quote!(::std::string::String),
        Some("integer") => quote!(i64),
        Some("number") => quote!(f64),
        Some("boolean") => quote!(bool),
        Some("array") => {
            let item = header_type(schema.get("items")?, rt)?;
            quote!(::std::vec::Vec<#item>)
        }
        _ => return None,
    })
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// The JSON schema of a response or body, if it has one.
fn json_schema<'v>(spec: &'v Value, node: &'v Value) -> Option<(&'v Value, String)> {
    let node = resolved(spec, node);
    let content = node.get("content")?.as_object()?;
    let (media, media_type) = content.iter().find(|(media, _)| is_json(media))?;
    Some((media_type.get("schema")?, media.clone()))
}

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
    let mut rules = Rules::new(doc, rt.clone())?;

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
                    if let Some(rule) = rules.site(&format!("{snake}_body"), schema, &pointer)? {
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
                if let Some(rule) =
                    rules.site(&format!("{snake}_param_{name}"), schema, &pointer)?
                {
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
                                rules.site(&format!("{snake}_response"), schema, &pointer)?;
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
                            )?;
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
                            error_rule = rules.site(&format!("{snake}_error"), schema, &pointer)?;
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

/// For each oauth2 scheme whose `tokenUrl` is an operation of this spec,
/// `From<&T>` for the scheme's credential, where `T` is that operation's
/// success type and has an `access_token`: an issued token becomes the
/// credential for the calls it authorizes, without copying it by hand.
fn token_conversions(spec: &Value, schemes: &[Scheme], raw: &syn::File) -> TokenStream {
    let methods = raw_methods(raw);
    let mut conversions = Vec::new();
    for scheme in schemes {
        if !matches!(scheme.kind, SchemeKind::Bearer) {
            continue;
        }
        let pointer = format!(
            "/components/securitySchemes/{}/flows",
            escape_token(&scheme.name)
        );
        let urls: Vec<&str> = spec
            .pointer(&pointer)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(_, flow)| flow.get("tokenUrl").and_then(Value::as_str))
            .collect();
        for op in operations(spec) {
            if !urls.contains(&op.path) {
                continue;
            }
            let id = op
                .body
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(method) = methods.get(&method_key(id)) else {
                continue;
            };
            let has_access_token = op
                .body
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .filter_map(|(_, response)| json_schema(spec, response))
                .any(|schema| {
                    resolved(spec, schema.0)
                        .pointer("/properties/access_token/type")
                        .and_then(Value::as_str)
                        == Some("string")
                });
            if !has_access_token {
                continue;
            }
            let ident = &scheme.ident;
            let ty = &method.ok;
            let doc = docs(&format!(
                "The `{}` credential for a token `{id}` issued (its `tokenUrl`).",
                scheme.name
            ));
            conversions.push(quote! {
                #doc
                impl ::std::convert::From<&#ty> for security::#ident {
                    fn from(issued: &#ty) -> Self {
                        Self::new(issued.access_token.clone())
                    }
                }
            });
        }
    }
    quote!(#(#conversions)*)
}

/// The JSON media type object of a request body or response.
fn json_media<'v>(spec: &'v Value, node: &'v Value) -> Option<&'v Value> {
    let node = resolved(spec, node);
    let content = node.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| is_json(media))
        .map(|(_, m)| m)
}

/// `(name, summary, value)` of each example of a media type or parameter:
/// `example`, and each entry of `examples` (following `$ref`s).
fn media_examples(spec: &Value, node: &Value) -> Vec<(String, String, Value)> {
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

/// The owned type a parameter's value decodes into: `&'a T` → `T`,
/// `Option<&'a T>` → `T`, `str` → `String`.
fn owned_type(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Reference(reference) => owned_type(&reference.elem),
        syn::Type::Path(path) if path.path.is_ident("str") => {
            syn::parse_quote!(::std::string::String)
        }
        syn::Type::Path(path)
            if path
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Option") =>
        {
            match generic_args(ty).and_then(|args| args.into_iter().next()) {
                Some(inner) => owned_type(&inner),
                None => ty.clone(),
            }
        }
        other => other.clone(),
    }
}

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

/// The check that a path parameter fills exactly one segment: empty and
/// dot segments are refused before sending (the encoder escapes the rest).
/// progenitor passes string parameters as `&str`, others by value; the
/// check reads the text the URL will hold.
fn path_segment_check(
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

/// The spec parameter that progenitor's argument `name` stands for.
fn spec_parameter<'p, 'v>(
    parameters: &'p [(String, &'v Value)],
    name: &Ident,
) -> Option<&'p (String, &'v Value)> {
    parameters.iter().find(|(_, p)| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| *name == n || *name == n.to_snake_case())
    })
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

/// An identifier from text the spec chose: characters that cannot be in
/// one become `_`, a leading digit gets a `_` before it, and a keyword a `_`
/// after it.
pub(crate) fn ident(raw: &str) -> Ident {
    let mut text: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    match syn::parse_str::<Ident>(&text) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", text),
    }
}

/// Field names that are Rust keywords get a trailing underscore.
fn sanitize_field(name: &str) -> String {
    let name = if name.is_empty() {
        "header".to_string()
    } else {
        name.to_string()
    };
    if syn::parse_str::<Ident>(&name).is_ok() {
        name
    } else {
        format!("{name}_")
    }
}

/// The `Server` enum and the constructors that use it, from `servers`.
fn servers(spec: &Value, rt: &TokenStream) -> (TokenStream, TokenStream) {
    let (choices, relative) = crate::servers::server_choices(spec);
    let entries: Vec<(Ident, String, String)> = choices
        .into_iter()
        .map(|c| (format_ident!("{}", c.name), c.url, c.description))
        .collect();
    if entries.is_empty() {
        return (quote!(), quote!());
    }
    let variants = entries
        .iter()
        .enumerate()
        .map(|(i, (ident, url, description))| {
            let doc = if description.is_empty() {
                docs(&format!("`{url}`"))
            } else {
                docs(&format!("{description}: `{url}`"))
            };
            let default = (i == 0).then(|| quote!(#[default]));
            quote!(#doc #default #ident)
        });
    let idents: Vec<&Ident> = entries.iter().map(|(i, _, _)| i).collect();
    let urls = entries.iter().map(|(_, u, _)| u);
    let descriptions = entries.iter().map(|(_, _, d)| d);
    let relative_doc = if relative.is_empty() {
        quote!()
    } else {
        let listed: Vec<String> = relative.iter().map(|url| format!("`{url}`")).collect();
        docs(&format!(
            "\nRelative server URLs name no host and are left out:\n{}. Use `Client::with_base_url` with the full URL.",
            listed.join(", ")
        ))
    };
    let first = &entries[0].0;
    let default_doc = docs(&format!(
        "A client for the spec's first server, [`Server::{first}`] (`{}`).",
        entries[0].1
    ));
    (
        quote! {
            /// The servers the spec lists, one per value of their `enum`
            /// variables; the first is the default. Non-exhaustive, so a
            /// server added to the spec is not a breaking change.
            #relative_doc
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum Server {
                #(#variants,)*
            }

            impl Server {
                /// Every server, in the spec's order. A slice, not an array,
                /// so that a server added to the spec changes no type.
                pub const ALL: &'static [Server] = &[#(Server::#idents),*];

                /// The server's base URL.
                pub const fn url(self) -> &'static str {
                    match self { #(Server::#idents => #urls,)* }
                }

                /// The server's description in the spec.
                pub const fn description(self) -> &'static str {
                    match self { #(Server::#idents => #descriptions,)* }
                }
            }
        },
        quote! {
            #default_doc
            pub fn new() -> ::std::result::Result<Self, #rt::ClientError> {
                Self::for_server(Server::default())
            }

            /// A client for one of the spec's servers.
            pub fn for_server(server: Server) -> ::std::result::Result<Self, #rt::ClientError> {
                Self::with_base_url(server.url())
            }
        },
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
