//! Credentials: one type per security scheme, and the conversions from an
//! issued token to the credential it authorizes.

use heck::ToPascalCase;
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::Value;

use super::lookup::json_schema;
use super::raw::{method_key, raw_methods};
use crate::locate::escape_token;
use crate::tokens::{docs, ident};
use crate::validate::{Document, operations, resolved};
use crate::{SpecError, SpecErrorKind};

pub(super) enum SchemeKind {
    Bearer,
    Basic,
    ApiKey { location: String, name: String },
}

pub(super) struct Scheme {
    pub(super) name: String,
    pub(super) ident: Ident,
    pub(super) kind: SchemeKind,
}

pub(super) fn schemes(doc: &Document<'_>) -> Result<Vec<Scheme>, SpecError> {
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

pub(super) fn scheme_item(scheme: &Scheme, spec: &Value, rt: &TokenStream) -> TokenStream {
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

/// For each oauth2 scheme whose `tokenUrl` is an operation of this spec,
/// `From<&T>` for the scheme's credential, where `T` is that operation's
/// success type and has an `access_token`: an issued token becomes the
/// credential for the calls it authorizes, without copying it by hand.
pub(super) fn token_conversions(spec: &Value, schemes: &[Scheme], raw: &syn::File) -> TokenStream {
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
