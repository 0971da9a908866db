//! Credentials: one type per security scheme, and the conversions from an
//! issued token to the credential it authorizes.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::raw::method_key;
use super::{Context, Names, Output};
use crate::locate::escape_token;
use crate::model::{self, Operation, Schema, Spec};
use crate::naming::{self, ident};
use crate::tokens::docs;
use crate::validate::Document;
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
    description: String,
}

pub(super) fn schemes(doc: &Document<'_>, spec: &Spec<'_>) -> Result<Vec<Scheme>, SpecError> {
    let mut found = Vec::new();
    for scheme in &spec.schemes {
        let name = scheme.name;
        let unsupported = |what: String| {
            doc.error_at(
                &scheme.pointer,
                SpecErrorKind::Unsupported {
                    operation_id: None,
                    what,
                    hint: "use an oauth2, openIdConnect, http bearer, http basic or apiKey scheme"
                        .into(),
                },
            )
        };
        let kind = match &scheme.kind {
            model::SchemeKind::OAuth2 | model::SchemeKind::OpenIdConnect => SchemeKind::Bearer,
            model::SchemeKind::Http(http) => match http.as_str() {
                "bearer" => SchemeKind::Bearer,
                "basic" => SchemeKind::Basic,
                other => {
                    return Err(unsupported(format!(
                        "security scheme `{name}` uses http scheme `{other}`"
                    )));
                }
            },
            model::SchemeKind::ApiKey {
                location,
                name: key_name,
            } => {
                if !matches!(*location, "header" | "query" | "cookie") {
                    return Err(unsupported(format!(
                        "apiKey scheme `{name}` is `in: {location}`"
                    )));
                }
                SchemeKind::ApiKey {
                    location: location.to_string(),
                    name: key_name.to_string(),
                }
            }
            model::SchemeKind::Other(other) => {
                return Err(unsupported(format!(
                    "security scheme `{name}` has type `{other}`"
                )));
            }
        };
        found.push(Scheme {
            name: name.to_string(),
            ident: naming::credential_type(name),
            kind,
            description: scheme.description.trim().to_string(),
        });
    }
    Ok(found)
}

fn scheme_item(scheme: &Scheme, rt: &TokenStream) -> TokenStream {
    let Scheme {
        name,
        ident,
        kind,
        description,
        ..
    } = scheme;
    let SchemeParts {
        wire,
        fields,
        constructor,
        place,
        debug,
    } = match kind {
        SchemeKind::Bearer => bearer_parts(name, ident, rt),
        SchemeKind::Basic => basic_parts(name, ident, rt),
        SchemeKind::ApiKey {
            location,
            name: key_name,
        } => api_key_parts(name, ident, (location.as_str(), key_name.as_str()), rt),
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

/// What a scheme's credential type is made of: how it is sent (for the
/// docs), its fields, constructor and accessors, how it places itself on a
/// request, and its redacting `Debug`.
struct SchemeParts {
    wire: String,
    fields: TokenStream,
    constructor: TokenStream,
    place: TokenStream,
    debug: TokenStream,
}

fn bearer_parts(name: &str, ident: &Ident, rt: &TokenStream) -> SchemeParts {
    SchemeParts {
        wire: "`Authorization: Bearer <token>`".to_string(),
        fields: quote!(token: #rt::Secret),
        constructor: quote! {
            /// Wraps the token.
            pub fn new(token: impl ::std::convert::Into<#rt::Secret>) -> Self {
                Self { token: token.into() }
            }
            /// The token, explicitly.
            pub fn token(&self) -> &#rt::Secret {
                &self.token
            }
        },
        place: quote!(placement.bearer(#name, &self.token)),
        debug: quote!(f.write_str(concat!(stringify!(#ident), "(<redacted>)"))),
    }
}

fn basic_parts(name: &str, ident: &Ident, rt: &TokenStream) -> SchemeParts {
    SchemeParts {
        wire: "`Authorization: Basic <base64(username:password)>`".to_string(),
        fields: quote!(username: ::std::string::String, password: #rt::Secret),
        constructor: quote! {
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
        place: quote!(placement.basic(#name, &self.username, &self.password)),
        debug: quote! {
            f.debug_struct(stringify!(#ident))
                .field("username", &self.username)
                .field("password", &self.password)
                .finish()
        },
    }
}

fn api_key_parts(
    name: &str,
    ident: &Ident,
    (location, key_name): (&str, &str),
    rt: &TokenStream,
) -> SchemeParts {
    let place = match location {
        "header" => quote!(placement.header(#name, #key_name, &self.key)),
        "query" => {
            quote! {{ placement.query(#key_name, &self.key); ::std::result::Result::Ok(()) }}
        }
        _ => quote!(placement.cookie(#name, #key_name, &self.key)),
    };
    let wire = match location {
        "header" => format!("the `{key_name}` header"),
        "query" => format!("the `{key_name}` query parameter"),
        _ => format!("the `{key_name}` cookie"),
    };
    SchemeParts {
        wire,
        fields: quote!(key: #rt::Secret),
        constructor: quote! {
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
        debug: quote!(f.write_str(concat!(stringify!(#ident), "(<redacted>)"))),
    }
}

/// For each oauth2 scheme whose `tokenUrl` is an operation of this spec,
/// `From<&T>` for the scheme's credential, where `T` is that operation's
/// success type and has an `access_token`: an issued token becomes the
/// credential for the calls it authorizes, without copying it by hand.
pub(super) fn token_conversions(cx: &Context<'_>) -> TokenStream {
    let mut conversions = Vec::new();
    for (spec_scheme, op) in cx.spec.token_issuers() {
        let Some(scheme) = cx.schemes.iter().find(|s| s.name == spec_scheme.name) else {
            continue;
        };
        if !matches!(scheme.kind, SchemeKind::Bearer) || !issues_access_token(cx.spec, op) {
            continue;
        }
        let Some(method) = cx.raw_methods.get(&method_key(op.id)) else {
            continue;
        };
        let ident = &scheme.ident;
        let ty = &method.ok;
        let how = if spec_scheme.token_urls.is_empty() {
            "a bearer token, sent alike"
        } else {
            "its `tokenUrl`"
        };
        let doc = docs(&format!(
            "The `{}` credential for a token `{}` issued ({how}).",
            scheme.name, op.id
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
    quote!(#(#conversions)*)
}

/// Whether a success response of `op` is JSON with a string `access_token`.
fn issues_access_token(spec: &Spec<'_>, op: &Operation<'_>) -> bool {
    op.responses
        .iter()
        .filter(|response| response.is_success())
        .filter_map(|response| response.json.as_ref()?.schema)
        .any(|schema| {
            Schema::new(spec.resolve(schema))
                .properties()
                .iter()
                .any(|(name, property)| {
                    *name == "access_token" && property.kind() == Some("string")
                })
        })
}

/// The `security` module: the scheme types, the per-operation traits, and
/// the seals.
pub(super) fn module(cx: &Context<'_>, out: &Output) -> TokenStream {
    let rt = &cx.rt;
    let scheme_items = cx.schemes.iter().map(|s| scheme_item(s, rt));
    let traits = &out.credential_traits;
    let tuple_seals = out.tuple_seals.iter().map(|(_, tokens)| tokens);
    let anonymous_seal = out
        .anonymous_sealed
        .then(|| quote!(impl sealed::Sealed for #rt::Anonymous {}));
    // Only where something is sealed (a spec may declare no security).
    let sealed_module = (!cx.schemes.is_empty() || out.anonymous_sealed).then(|| {
        quote! {
            mod sealed {
                /// Keeps the per-operation credential traits closed: only
                /// the spec decides what an operation accepts.
                pub trait Sealed {}
            }
        }
    });
    quote! {
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
    }
}

/// What an operation's security gives its method: the credential
/// parameter, and the `# Credentials` section of its docs.
pub(super) struct Credentials {
    pub(super) param: TokenStream,
    pub(super) doc: String,
}

/// One security alternative, as the trait impl, the docs and the compiler's
/// note name it.
struct Alternative {
    ty: TokenStream,
    described: String,
    accepted: String,
}

/// The operation's sealed credential trait (into `out`) and its method's
/// credential parameter, or `None` when it needs no credential.
pub(super) fn credentials(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    method_ident: &Ident,
) -> Result<Option<Credentials>, SpecError> {
    let alternatives = match &op.security {
        Some(alternatives) if !alternatives.is_empty() => alternatives,
        _ => return Ok(None),
    };
    let rt = &cx.rt;
    let trait_ident = ident(&format!("{}Credential", names.pascal));
    let mut doc = String::from(if alternatives.len() == 1 {
        "\n# Credentials\n\n"
    } else {
        "\n# Credentials\n\nOne of:\n"
    });
    let mut impls = Vec::new();
    let mut accepted = Vec::new();
    for (index, requirement) in alternatives.iter().enumerate() {
        let pointer = format!("{}/security/{index}", op.pointer);
        let alternative = alternative(cx, out, names, &pointer, requirement)?;
        doc.push_str(&format!("- {}\n", alternative.described));
        accepted.push(alternative.accepted);
        let ty = alternative.ty;
        impls.push(quote!(impl #trait_ident for #ty {}));
    }
    let message = format!("`{{Self}}` is not a credential that `{method_ident}` accepts");
    let label = format!("not accepted by `{method_ident}`");
    let note = match accepted.as_slice() {
        [only] => format!("`{method_ident}` accepts {only}"),
        many => format!("`{method_ident}` accepts one of: {}", many.join("; ")),
    };
    let operation_id = names.id;
    let trait_doc = docs(&format!(
        "The credentials `{operation_id}` accepts ([`Client::{method_ident}`](crate::Client::{method_ident})).\n\nSealed: implemented exactly for the spec's security alternatives of this operation."
    ));
    out.credential_traits.push(quote! {
        #trait_doc
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        pub trait #trait_ident: #rt::Credential + sealed::Sealed {}
        #(#impls)*
    });
    Ok(Some(Credentials {
        param: quote!(credential: &(impl security::#trait_ident + ?Sized),),
        doc,
    }))
}

/// One alternative of an operation's `security`: the schemes it requires
/// together, as one credential type (a tuple, sealed in `out`, for several).
fn alternative(
    cx: &Context<'_>,
    out: &mut Output,
    names: &Names<'_>,
    pointer: &str,
    requirement: &[(&str, Vec<&str>)],
) -> Result<Alternative, SpecError> {
    let (rt, runtime_crate) = (&cx.rt, cx.runtime_crate);
    let mut idents = Vec::new();
    let mut described = Vec::new();
    let mut needed_scopes: Vec<&str> = Vec::new();
    for (scheme, scopes) in requirement {
        let Some(ident) = cx
            .schemes
            .iter()
            .find(|s| s.name == *scheme)
            .map(|s| s.ident.clone())
        else {
            return Err(cx.unsupported(
                names,
                &format!("{pointer}/{}", escape_token(scheme)),
                format!(
                    "security requirement names `{scheme}`, which `components.securitySchemes` does not define"
                ),
                "define the scheme under `components.securitySchemes`, or fix the name",
            ));
        };
        described.push(format!("[`security::{ident}`]{}", scope_text(scopes)));
        needed_scopes.extend(scopes.iter().copied());
        idents.push(ident);
    }
    let ty = match idents.len() {
        0 => {
            out.anonymous_sealed = true;
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
            if !out.tuple_seals.iter().any(|(k, _)| *k == key) {
                out.tuple_seals
                    .push((key, quote!(impl sealed::Sealed for #tuple {})));
            }
            tuple
        }
        n => {
            return Err(cx.unsupported(
                names,
                pointer,
                format!(
                    "one security alternative requires {n} schemes together; at most 3 are supported"
                ),
                "split the requirement, or combine the credentials into one scheme",
            ));
        }
    };
    Ok(Alternative {
        ty,
        described: described.join(" together with "),
        accepted: accepted_entry(runtime_crate, cx.client_path, &idents, &needed_scopes),
    })
}

/// ` with scope `a`` or ` with scopes `a`, `b``, or nothing.
fn scope_text(scopes: &[&str]) -> String {
    match scopes.len() {
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
    }
}

/// An alternative as the compiler's note lists it: by the types' full
/// paths, since that is how the error names them.
fn accepted_entry(
    runtime_crate: &str,
    client_path: &str,
    idents: &[Ident],
    needed_scopes: &[&str],
) -> String {
    let crate_path = naming::crate_ident(runtime_crate);
    let full = |ident: &Ident| format!("{client_path}::security::{ident}");
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
    entry
}
