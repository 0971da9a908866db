//! Names for the shapes of a `oneOf` that typify leaves as `Variant0`,
//! `Variant1`, …: a shape that is a `$ref` takes its type's name, and an
//! inline object shape the names of the required properties that set it
//! apart from the other object shapes (all of its required properties
//! when none do). A name that would repeat another variant's keeps
//! typify's. Only names change: the enums are untagged, so the JSON is
//! the same.

use std::collections::{BTreeSet, HashMap};

use syn::visit_mut::{self, VisitMut};

use crate::naming;
use crate::tokens::is_option;

/// Renames the `VariantN`s of the generated `types`, in the enums and in
/// their impls.
pub(crate) fn name_variants(raw: &mut syn::File) {
    let Some((_, items)) = raw.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    let mut renamed: HashMap<String, HashMap<String, syn::Ident>> = HashMap::new();
    for item in items.iter_mut() {
        if let syn::Item::Enum(item) = item {
            let names = rename(item);
            if !names.is_empty() {
                renamed.insert(item.ident.to_string(), names);
            }
        }
    }
    for item in items.iter_mut() {
        if let syn::Item::Impl(block) = item
            && let Some(names) = self_name(&block.self_ty).and_then(|name| renamed.get(&name))
        {
            Paths { names }.visit_item_impl_mut(block);
        }
    }
}

/// Whether typify named the variant by its position.
fn is_positional(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .strip_prefix("Variant")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Renames the enum's positional variants; returns old name → new ident.
fn rename(item: &mut syn::ItemEnum) -> HashMap<String, syn::Ident> {
    if !item.variants.iter().any(|v| is_positional(&v.ident)) {
        return HashMap::new();
    }
    let shared = shared_required(item);
    let mut taken: BTreeSet<String> = item
        .variants
        .iter()
        .filter(|v| !is_positional(&v.ident))
        .map(|v| v.ident.to_string())
        .collect();
    let mut names = HashMap::new();
    for variant in item.variants.iter_mut().filter(|v| is_positional(&v.ident)) {
        let Some(name) = shape_name(variant, &shared) else {
            continue;
        };
        if !taken.insert(name.clone()) {
            continue;
        }
        let ident = naming::ident(&name);
        names.insert(variant.ident.to_string(), ident.clone());
        variant.ident = ident;
    }
    names
}

/// The required fields (not `Option`) of a struct-like variant.
fn required(variant: &syn::Variant) -> Option<Vec<String>> {
    let syn::Fields::Named(fields) = &variant.fields else {
        return None;
    };
    Some(
        fields
            .named
            .iter()
            .filter(|field| !is_option(&field.ty))
            .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
            .collect(),
    )
}

/// The required fields every object shape of the enum has.
fn shared_required(item: &syn::ItemEnum) -> BTreeSet<String> {
    let mut shapes = item.variants.iter().filter_map(required);
    let Some(first) = shapes.next() else {
        return BTreeSet::new();
    };
    shapes.fold(first.into_iter().collect(), |shared, fields| {
        let fields: BTreeSet<String> = fields.into_iter().collect();
        shared.intersection(&fields).cloned().collect()
    })
}

/// A shape's name: its type's, or its distinguishing required fields'.
fn shape_name(variant: &syn::Variant, shared: &BTreeSet<String>) -> Option<String> {
    if let syn::Fields::Unnamed(fields) = &variant.fields {
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let syn::Type::Path(path) = &field.ty else {
            return None;
        };
        return path
            .path
            .segments
            .last()
            .map(|segment| naming::variant_name(&segment.ident.to_string()));
    }
    let fields = required(variant)?;
    let own: Vec<&String> = fields.iter().filter(|f| !shared.contains(*f)).collect();
    let parts: Vec<&String> = if own.is_empty() {
        fields.iter().collect()
    } else {
        own
    };
    (!parts.is_empty()).then(|| parts.iter().map(|f| naming::variant_name(f)).collect())
}

/// The type an impl block is for, by its last path segment.
fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Rewrites `Self::VariantN` (and `Enum::VariantN`) inside one impl.
struct Paths<'n> {
    names: &'n HashMap<String, syn::Ident>,
}

impl VisitMut for Paths<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if path.segments.len() >= 2
            && let Some(last) = path.segments.last_mut()
            && let Some(new) = self.names.get(&last.ident.to_string())
        {
            last.ident = new.clone();
        }
        visit_mut::visit_path_mut(self, path);
    }
}

/// Makes every untagged enum of the generated `types` (typify's form for
/// a `oneOf`) decode only a value that matches exactly one of its shapes:
/// its derived `Deserialize` gives way to one that tries each shape alone,
/// through an externally tagged twin enum, and counts
/// (`runtime::decode_one_of`). Serializing is unchanged.
pub(crate) fn enforce_exactly_one(raw: &mut syn::File, runtime_crate: &str) {
    let rt: syn::Path = match syn::parse_str(&format!(
        "::{}::runtime",
        naming::crate_ident(runtime_crate)
    )) {
        Ok(path) => path,
        Err(_) => return,
    };
    let Some((_, items)) = raw.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    let mut added = Vec::new();
    for item in items.iter_mut() {
        if let syn::Item::Enum(item) = item
            && is_untagged(item)
            && drop_derived_deserialize(item)
        {
            added.extend(exactly_one_items(item, &rt));
        }
    }
    items.extend(added);
}

/// Whether the enum carries `#[serde(untagged)]`.
fn is_untagged(item: &syn::ItemEnum) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string() == "untagged")
    })
}

/// Removes `Deserialize` from the enum's derives; whether it was there.
fn drop_derived_deserialize(item: &mut syn::ItemEnum) -> bool {
    let mut dropped = false;
    for attr in &mut item.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|path| path.segments.last().is_none_or(|s| s.ident != "Deserialize"))
            .collect();
        if kept.len() < paths.len() {
            dropped = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    dropped
}

/// The twin enum of shapes and the counting `Deserialize` impl.
fn exactly_one_items(item: &syn::ItemEnum, rt: &syn::Path) -> Vec<syn::Item> {
    let name = &item.ident;
    let twin = quote::format_ident!("{}OneOfShapes", name);
    let schema = name.to_string();
    let shapes: Vec<String> = item.variants.iter().map(|v| v.ident.to_string()).collect();
    let variants = item.variants.iter().map(|variant| {
        let mut variant = variant.clone();
        variant.attrs.retain(|attr| !attr.path().is_ident("serde"));
        variant
    });
    let arms = item.variants.iter().map(|variant| {
        let ident = &variant.ident;
        match &variant.fields {
            syn::Fields::Named(fields) => {
                let names: Vec<_> = fields.named.iter().filter_map(|f| f.ident.as_ref()).collect();
                quote::quote!(#twin::#ident { #(#names),* } => Self::#ident { #(#names),* })
            }
            syn::Fields::Unnamed(fields) => {
                let values: Vec<_> = (0..fields.unnamed.len())
                    .map(|i| quote::format_ident!("value{}", i))
                    .collect();
                quote::quote!(#twin::#ident(#(#values),*) => Self::#ident(#(#values),*))
            }
            syn::Fields::Unit => quote::quote!(#twin::#ident => Self::#ident),
        }
    });
    vec![
        syn::parse_quote! {
            /// Each shape of the `oneOf` alone, for counting the shapes a
            /// value matches.
            #[derive(::serde::Deserialize)]
            enum #twin { #(#variants),* }
        },
        syn::parse_quote! {
            /// Decodes only a value that matches exactly one of the shapes.
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let shape: #twin = #rt::decode_one_of(deserializer, #schema, &[#(#shapes),*])?;
                    ::std::result::Result::Ok(match shape { #(#arms,)* })
                }
            }
        },
    ]
}

/// Whether a value of `schema` can hold a `oneOf` anywhere inside it,
/// following local `$ref`s (each once, so cycles end): only such request
/// bodies pay for the check before sending.
pub(crate) fn reaches_one_of(doc: &serde_json::Value, schema: &serde_json::Value) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![schema];
    while let Some(node) = pending.pop() {
        match node {
            serde_json::Value::Object(map) => {
                if map.contains_key("oneOf") {
                    return true;
                }
                if let Some(target) = map.get("$ref").and_then(serde_json::Value::as_str) {
                    if seen.insert(target.to_string())
                        && let Some(found) = target.strip_prefix('#').and_then(|p| doc.pointer(p))
                    {
                        pending.push(found);
                    }
                    continue;
                }
                // Examples and enum values are data, not schemas.
                pending.extend(
                    map.iter()
                        .filter(|(key, _)| !matches!(key.as_str(), "example" | "examples" | "enum" | "default"))
                        .map(|(_, value)| value),
                );
            }
            serde_json::Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn shapes_are_named_by_their_type_or_their_distinguishing_fields() {
        let mut raw: syn::File = syn::parse_quote! {
            pub mod types {
                #[serde(untagged)]
                pub enum Source {
                    Variant0(DocumentId),
                    Variant1 { name: Name, upload: Upload },
                    Variant2 { name: Name, upload: Upload, zip: Zip },
                    Variant3 { name: Name, zip: Zip, note: ::std::option::Option<Note> },
                    Variant4 { name: Name },
                    DocumentId(Other),
                }
                impl ::std::convert::From<DocumentId> for Source {
                    fn from(value: DocumentId) -> Self {
                        Self::Variant0(value)
                    }
                }
            }
        };
        name_variants(&mut raw);
        let text = raw.to_token_stream().to_string();
        for expected in [
            "Variant0 (DocumentId)",
            "Upload { name",
            "UploadZip { name",
            "Zip { name",
            "Name { name",
            "Self :: Variant0 (value)",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        assert!(!text.contains("Variant1"), "{text}");
    }

    #[test]
    fn impls_follow_the_new_names() {
        let mut raw: syn::File = syn::parse_quote! {
            pub mod types {
                pub enum Pick { Variant0(A), Variant1(B) }
                impl ::std::convert::From<A> for Pick {
                    fn from(value: A) -> Self { Self::Variant0(value) }
                }
                impl ::std::convert::From<B> for Pick {
                    fn from(value: B) -> Self { Pick::Variant1(value) }
                }
            }
        };
        name_variants(&mut raw);
        let text = raw.to_token_stream().to_string();
        assert!(text.contains("Self :: A (value)"), "{text}");
        assert!(text.contains("Pick :: B (value)"), "{text}");
        assert!(!text.contains("Variant"), "{text}");
    }
}
