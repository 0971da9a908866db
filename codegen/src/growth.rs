//! Generated types that stay compatible as the spec grows.
//!
//! The change report calls some spec changes compatible; these rewrites of
//! typify's `types` module make that true for code in other crates:
//! - every struct with named fields is `#[non_exhaustive]` and has `new`,
//!   taking its required fields in the spec's order: an optional field added
//!   later changes neither `new` nor any field a user reads or sets;
//! - every enum is `#[non_exhaustive]`, so users' `match`es carry a
//!   wildcard arm and a variant added later breaks none of them;
//! - every string enum is open, as the AWS SDK's are: a value the spec does
//!   not list decodes into `Unknown(UnknownValue)` instead of failing, so an
//!   older client survives a newer server.

mod templates;

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::model::Spec;
use crate::naming;
use crate::serde_attrs::{serde_keys, wire_name};
use crate::tokens::{docs, is_option};
use templates::Templates;

/// Rewrites progenitor's `types` module as the module docs say.
pub(crate) fn make_growable(raw: &mut syn::File, spec: &Spec<'_>, runtime_crate: &str) {
    drop_streams(raw);
    let rt = naming::runtime_path(runtime_crate);
    let Some((_, items)) = raw.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    let required = required_by_type(spec);
    let mut templates = Templates::new(&rt);
    let mut added: Vec<syn::Item> = Vec::new();
    let mut opened: Vec<String> = Vec::new();
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(item) if matches!(item.fields, syn::Fields::Named(_)) => {
                item.attrs.push(syn::parse_quote!(#[non_exhaustive]));
                let spec_required = required.get(&item.ident.to_string());
                let spec_required = spec_required.map_or(&[][..], Vec::as_slice);
                added.push(constructor(item, spec_required, &mut templates));
            }
            syn::Item::Enum(item) => {
                item.attrs.push(syn::parse_quote!(#[non_exhaustive]));
                if let Some(values) = string_values(item) {
                    added.extend(open_enum(item, &values, &rt, &mut templates));
                    opened.push(item.ident.to_string());
                }
            }
            _ => {}
        }
    }
    // typify's conversions of an opened enum match every variant and fail
    // on other text; the open enum's own replace them.
    items.retain(|item| !is_string_conversion(item, &opened));
    items.extend(added);
}

/// The `required` list of each component schema, in the spec's order, by
/// the name typify gives its type (the first component wins where two
/// names meet). Built once: a type typify made up for an inline schema has
/// no entry.
fn required_by_type(spec: &Spec<'_>) -> HashMap<String, Vec<String>> {
    let mut required = HashMap::new();
    for component in &spec.schemas {
        required
            .entry(naming::type_name(component.name))
            .or_insert_with(|| component.schema.required().map(str::to_string).collect());
    }
    required
}

/// What `new` sets a field to.
enum FieldInit {
    /// A required field, from `new`'s parameter of this type.
    Required(syn::Type),
    /// `path()`, for `#[serde(default = "path")]`.
    DefaultFn(syn::Path),
    /// `Default::default()`.
    Default,
}

/// `new`, taking the fields serde requires (the spec's required order,
/// then typify's), and giving the others their defaults.
fn constructor(
    item: &syn::ItemStruct,
    spec_required: &[String],
    templates: &mut Templates,
) -> syn::Item {
    let fields = constructor_fields(item, spec_required);
    let doc = format!(
        "`{}` with its required fields; set the optional ones afterwards.\n\nGenerated structs are `#[non_exhaustive]`, so that an optional field the spec adds later breaks no code: build them with `new`, in test doubles too.",
        item.ident
    );
    // A default function with generic arguments reads otherwise as an
    // expression than as a path; only quoting is sure to keep its meaning.
    let plain_paths = fields.iter().all(|(_, init)| match init {
        FieldInit::DefaultFn(path) => path.segments.iter().all(|s| s.arguments.is_none()),
        _ => true,
    });
    let built = plain_paths
        .then(|| templates.constructor(&item.ident, &doc, &fields))
        .flatten();
    built.unwrap_or_else(|| quoted_constructor(&item.ident, &doc, &fields))
}

/// Each field with what `new` sets it to: the required ones first, in
/// the spec's order (then typify's), then the others in field order.
fn constructor_fields(item: &syn::ItemStruct, spec_required: &[String]) -> Vec<(Ident, FieldInit)> {
    let mut required: Vec<(usize, Ident, syn::Type)> = Vec::new();
    let mut optional: Vec<(Ident, FieldInit)> = Vec::new();
    for (position, field) in item.fields.iter().enumerate() {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        // `#[serde(default)]`, or `#[serde(default = "path")]` naming the
        // default's function.
        let default = serde_keys(&field.attrs)
            .into_iter()
            .find(|(key, _)| key == "default");
        if default.is_some() || is_option(&field.ty) {
            let init = match default
                .and_then(|(_, path)| path)
                .and_then(|path| syn::parse_str::<syn::Path>(&path).ok())
            {
                Some(path) => FieldInit::DefaultFn(path),
                None => FieldInit::Default,
            };
            optional.push((ident, init));
            continue;
        }
        let name = wire_name(&field.attrs, &ident);
        let order = spec_required
            .iter()
            .position(|r| *r == name)
            .unwrap_or(spec_required.len() + position);
        required.push((order, ident, field.ty.clone()));
    }
    required.sort_by_key(|(order, _, _)| *order);
    required
        .into_iter()
        .map(|(_, ident, ty)| (ident, FieldInit::Required(ty)))
        .chain(optional)
        .collect()
}

/// `new` quoted and parsed: the reference that `Templates::constructor`
/// builds faster.
fn quoted_constructor(ty: &Ident, doc: &str, fields: &[(Ident, FieldInit)]) -> syn::Item {
    let params = fields.iter().filter_map(|(ident, init)| match init {
        FieldInit::Required(ty) => Some(quote!(#ident: impl ::std::convert::Into<#ty>)),
        _ => None,
    });
    let values = fields.iter().map(|(ident, init)| match init {
        FieldInit::Required(_) => quote!(#ident: #ident.into()),
        FieldInit::DefaultFn(path) => quote!(#ident: #path()),
        FieldInit::Default => quote!(#ident: ::std::default::Default::default()),
    });
    let doc = docs(doc);
    // Inside the types module, where field types and default functions
    // are in scope as typify wrote them.
    syn::parse_quote! {
        impl #ty {
            #doc
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#values,)* }
            }
        }
    }
}

/// Each variant with the text serde gives it, when the enum is plain
/// strings: unit variants only, and no enum-wide serde renaming.
fn string_values(item: &syn::ItemEnum) -> Option<Vec<(Ident, String)>> {
    if !serde_keys(&item.attrs).is_empty() {
        return None;
    }
    item.variants
        .iter()
        .map(|variant| {
            matches!(variant.fields, syn::Fields::Unit).then(|| {
                (
                    variant.ident.clone(),
                    wire_name(&variant.attrs, &variant.ident),
                )
            })
        })
        .collect()
}

/// Adds the `Unknown` variant, and replaces serde's derives and typify's
/// conversions with ones that keep unlisted text (returned as new items).
fn open_enum(
    item: &mut syn::ItemEnum,
    values: &[(Ident, String)],
    rt: &TokenStream,
    templates: &mut Templates,
) -> Vec<syn::Item> {
    let unknown = unknown_variant(values);
    strip_derives(&mut item.attrs);
    for variant in &mut item.variants {
        variant.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    if let Some((variant, items)) = templates.open_enum(&item.ident, &unknown, values) {
        item.variants.push(variant);
        return items;
    }
    item.variants.push(unknown_variant_item(&unknown, rt));
    let idents: Vec<&Ident> = values.iter().map(|(ident, _)| ident).collect();
    let texts: Vec<&String> = values.iter().map(|(_, text)| text).collect();
    open_enum_items(&item.ident, &unknown, &idents, &texts, rt)
}

/// The variant `unknown`, holding the text.
fn unknown_variant_item(unknown: &Ident, rt: &TokenStream) -> syn::Variant {
    let doc = docs(
        "A value the spec does not list, as the server sent it (a newer server may send values this client has never seen).\n\nMatch it with a wildcard arm rather than by its text: once the spec lists the value, a regenerated client decodes it as a named variant.",
    );
    syn::parse_quote! {
        #doc
        #unknown(#rt::UnknownValue)
    }
}

/// The open enum `ty`'s impls, quoted and parsed: the reference that
/// `Templates::open_enum` builds faster.
fn open_enum_items(
    ty: &impl quote::ToTokens,
    unknown: &Ident,
    idents: &[&Ident],
    texts: &[&String],
    rt: &TokenStream,
) -> Vec<syn::Item> {
    let items: [syn::Item; 7] = [
        syn::parse_quote! {
            impl #ty {
                /// The value's text, as the spec (or the server, for
                /// `Unknown`) writes it.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#idents => #texts,)*
                        Self::#unknown(value) => value.as_str(),
                    }
                }

                /// The named variant whose text this is, if the spec lists it.
                fn listed(text: &str) -> ::std::option::Option<Self> {
                    match text {
                        #(#texts => ::std::option::Option::Some(Self::#idents),)*
                        _ => ::std::option::Option::None,
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::fmt::Display for #ty {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        },
        syn::parse_quote! {
            /// The named variant for listed text, and `Unknown` for any other.
            impl ::std::convert::From<&str> for #ty {
                fn from(value: &str) -> Self {
                    Self::listed(value)
                        .unwrap_or_else(|| Self::#unknown(#rt::UnknownValue::from_unlisted(value)))
                }
            }
        },
        syn::parse_quote! {
            /// The named variant for listed text, and `Unknown` for any other.
            impl ::std::convert::From<::std::string::String> for #ty {
                fn from(value: ::std::string::String) -> Self {
                    // The text moves into `Unknown`, not copied.
                    match Self::listed(&value) {
                        ::std::option::Option::Some(listed) => listed,
                        ::std::option::Option::None => {
                            Self::#unknown(#rt::UnknownValue::from_unlisted(value))
                        }
                    }
                }
            }
        },
        syn::parse_quote! {
            /// Never fails: text the spec does not list becomes `Unknown`.
            impl ::std::str::FromStr for #ty {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                    ::std::result::Result::Ok(Self::from(value))
                }
            }
        },
        syn::parse_quote! {
            impl ::serde::Serialize for #ty {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #ty {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
                }
            }
        },
    ];
    items.into()
}

/// `Unknown`; `UnknownValue` if the spec has a value named so; then
/// `UnknownValue2`, `UnknownValue3`, ….
fn unknown_variant(values: &[(Ident, String)]) -> Ident {
    let taken = |name: &str| values.iter().any(|(ident, _)| ident == name);
    let mut name = "Unknown".to_string();
    let mut n = 1;
    while taken(&name) {
        name = match n {
            1 => "UnknownValue".to_string(),
            n => format!("UnknownValue{n}"),
        };
        n += 1;
    }
    format_ident!("{name}")
}

/// Drops `Copy` (the unknown text is a `String`) and serde's derives (the
/// open enum has its own impls) from a `#[derive(…)]` list.
fn strip_derives(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept = paths.into_iter().filter(|path| {
            let last = path.segments.last().map(|s| s.ident.to_string());
            !matches!(last.as_deref(), Some("Copy" | "Serialize" | "Deserialize"))
        });
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// typify's `Display`, `FromStr` and `TryFrom` impls of one of `enums`.
fn is_string_conversion(item: &syn::Item, enums: &[String]) -> bool {
    let syn::Item::Impl(block) = item else {
        return false;
    };
    let (Some((trait_path, _)), syn::Type::Path(self_ty)) = (&block.trait_, block.self_ty.as_ref())
    else {
        return false;
    };
    let Some(self_name) = self_ty.path.get_ident() else {
        return false;
    };
    let conversion = trait_path
        .segments
        .last()
        .is_some_and(|s| ["Display", "FromStr", "TryFrom"].contains(&s.ident.to_string().as_str()));
    conversion && enums.iter().any(|e| self_name == e)
}

/// Removes progenitor's `…_stream` methods (paginated operations) from the
/// raw client. Their closures reuse by-value parameters that typify
/// thought `Copy`, which an open enum is not; the typed layer wraps only
/// the plain methods, so nothing calls them.
fn drop_streams(raw: &mut syn::File) {
    for item in &mut raw.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_client =
            matches!(block.self_ty.as_ref(), syn::Type::Path(p) if p.path.is_ident("Client"));
        if block.trait_.is_some() || !is_client {
            continue;
        }
        block.items.retain(|item| {
            !matches!(item, syn::ImplItem::Fn(function)
                if matches!(&function.sig.output, syn::ReturnType::Type(_, ty) if matches!(ty.as_ref(), syn::Type::ImplTrait(_))))
        });
    }
}
