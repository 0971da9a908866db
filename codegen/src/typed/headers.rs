//! Typed response headers: the Rust type a header's schema reads into.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::methods::Responses;
use super::{Context, Names, Output};
use crate::SpecError;
use crate::model::{Header, Operation, Schema};
use crate::naming::{self, ident};
use crate::rules::Rules;
use crate::tokens::docs;

/// Rust type for a header value per its schema.
pub(super) fn header_type(schema: Schema<'_>, rt: &TokenStream) -> Option<TokenStream> {
    Some(match schema.kind() {
        Some("string") if schema.is_secret() => quote!(#rt::Secret),
        Some("string") if schema.format() == Some("date-time") => {
            quote!(::chrono::DateTime<::chrono::offset::Utc>)
        }
        Some("string") => quote!(::std::string::String),
        Some("integer") => quote!(i64),
        Some("number") => quote!(f64),
        Some("boolean") => quote!(bool),
        Some("array") => {
            let item = header_type(schema.items()?, rt)?;
            quote!(::std::vec::Vec<#item>)
        }
        _ => return None,
    })
}

/// A header a success response declares, as its field reads it.
pub(super) struct HeaderField {
    ty: TokenStream,
    /// Whether every response declaring it requires it so far.
    required: bool,
    description: String,
    rule: Option<Ident>,
    spec_name: String,
}

/// Adds a header of a success response to `fields`, refusing one whose
/// schema cannot be read from a header.
pub(super) fn add_field(
    cx: &Context<'_>,
    rules: &mut Rules<'_>,
    names: &Names<'_>,
    fields: &mut BTreeMap<String, HeaderField>,
    header: &Header<'_>,
) -> Result<(), SpecError> {
    let (name, pointer) = (header.name, &header.pointer);
    let Some(schema) = header
        .schema
        .map(|schema| Schema::new(cx.spec.resolve(schema)))
    else {
        return Err(cx.unsupported(
            names,
            pointer,
            format!("response header `{name}` has no schema"),
            "add `schema: {type: string}` (or integer, number, boolean, array)",
        ));
    };
    let Some(ty) = header_type(schema, &cx.rt) else {
        return Err(cx.unsupported(
            names,
            &format!("{pointer}/schema"),
            format!("response header `{name}` has a schema the client cannot parse from a header"),
            "use a string (optionally `format: date-time`), integer, number, boolean, or an array of those",
        ));
    };
    let rule = rules.site(
        &format!("{}_header_{}", names.snake, name.to_snake_case()),
        schema,
        &format!("{pointer}/schema"),
    );
    let field = HeaderField {
        ty,
        required: header.required,
        description: header.description.trim().to_string(),
        rule,
        spec_name: name.to_string(),
    };
    // Several success responses may declare it: the first one's type and
    // text stand, and it is required only if each one requires it.
    fields.entry(name.to_string()).or_insert(field).required &= header.required;
    Ok(())
}

/// The `headers` module, if any operation has a headers struct.
pub(super) fn module(out: &Output) -> Option<TokenStream> {
    let header_items = &out.header_items;
    (!header_items.is_empty()).then(|| {
        quote! {
            /// Typed response headers, per operation.
            pub mod headers {
                #[allow(unused_imports)]
                use super::rules;
                #(#header_items)*
            }
        }
    })
}

/// How many success responses of `op` declare `header`.
fn declaring(op: &Operation<'_>, header: &str) -> usize {
    op.responses
        .iter()
        .filter(|response| response.is_success())
        .filter(|response| response.headers.iter().any(|h| h.name == header))
        .count()
}

/// One header's struct field, the statement parsing it, and whether it is
/// required.
struct FieldParts {
    name: Ident,
    ty: TokenStream,
    required: bool,
    declaration: TokenStream,
    parse: TokenStream,
}

fn field_parts(rt: &TokenStream, header: &str, field: &HeaderField, required: bool) -> FieldParts {
    let HeaderField {
        ty,
        description,
        rule,
        spec_name,
        ..
    } = field;
    let name = format_ident!("{}", naming::header_field(header));
    let field_doc = if description.is_empty() {
        docs(&format!("The `{spec_name}` header."))
    } else {
        docs(&format!("{description} (`{spec_name}`)."))
    };
    let check = rule.as_ref().map(|rule| {
        quote! {
            #rt::check(&#name, &rules::#rule).map_err(|e| #rt::HeaderError {
                name: #spec_name,
                problem: e.problem,
            })?;
        }
    });
    let (declaration, parse) = if required {
        (
            quote!(#field_doc pub #name: #ty,),
            quote! {
                let #name = #rt::required_header::<#ty>(headers, #spec_name)?;
                #check
            },
        )
    } else {
        (
            quote!(#field_doc pub #name: ::std::option::Option<#ty>,),
            quote! {
                let #name = #rt::optional_header::<#ty>(headers, #spec_name)?;
                #check
            },
        )
    };
    FieldParts {
        name,
        ty: quote!(#ty),
        required,
        declaration,
        parse,
    }
}

/// The operation's headers struct (into `out`), and its type for the
/// method's `Response`. Every operation has one, empty or not, so that a
/// header the spec adds later changes no result type.
pub(super) fn headers_struct(
    cx: &Context<'_>,
    out: &mut Output,
    op: &Operation<'_>,
    names: &Names<'_>,
    responses: &Responses,
) -> TokenStream {
    let rt = &cx.rt;
    let ident = ident(&format!("{}Headers", names.pascal));
    let parts: Vec<FieldParts> = responses
        .header_fields
        .iter()
        .map(|(header, field)| {
            let required = field.required && declaring(op, header) == responses.success_count;
            field_parts(rt, header, field, required)
        })
        .collect();
    let fields = parts.iter().map(|p| &p.declaration);
    let parses = parts.iter().map(|p| &p.parse);
    let field_names: Vec<&Ident> = parts.iter().map(|p| &p.name).collect();
    let struct_doc = docs(&format!(
        "The headers a successful `{}` response declares, parsed per their schemas{}.\n\n`#[non_exhaustive]`, so that an optional header the spec adds later breaks no code: build one with `new`, in test doubles too.",
        names.id,
        if parts.is_empty() { " (none yet)" } else { "" }
    ));
    let new_doc = docs(&format!(
        "`{ident}` with its required headers; set the optional ones afterwards."
    ));
    let params = parts.iter().filter(|p| p.required).map(|p| {
        let (name, ty) = (&p.name, &p.ty);
        quote!(#name: impl ::std::convert::Into<#ty>)
    });
    let sets = parts.iter().map(|p| {
        let name = &p.name;
        if p.required {
            quote!(#name: #name.into())
        } else {
            quote!(#name: ::std::option::Option::None)
        }
    });
    let headers_param = if parts.is_empty() {
        format_ident!("_headers")
    } else {
        format_ident!("headers")
    };
    out.header_items.push(quote! {
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
                ::std::result::Result::Ok(Self { #(#field_names),* })
            }
        }
    });
    quote!(headers::#ident)
}
