//! An explicit `null` where the spec allows none.
//!
//! typify writes an optional property as `Option<T>` whether or not the
//! spec makes it `nullable`, and serde reads `null` into such a field as
//! `None`: so `{"client_secret": null}` decodes as if the field were
//! absent, though OpenAPI 3.0 says a schema without `nullable: true` does
//! not admit `null`. This pass gives each such field a deserializer that
//! takes an absent field as `None` and refuses `null`, in both directions:
//! a client decoding a response, and a server (the sandbox) decoding a
//! request.
//!
//! typify's type names are its own, so a struct is matched to the spec's
//! object schemas by the set of its properties' names (its serde renames
//! give them back exactly). A field is made strict only when every schema
//! with that set of names says it is not nullable; a struct that matches
//! no schema, or schemas that disagree, is left as it is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::model::{Keyword, Schema, Spec};
use crate::naming;
use crate::serde_attrs;
use crate::walk;

/// Property name → whether `null` is allowed, for one object schema.
type Nullability = BTreeMap<String, bool>;

/// Adds `#[serde(default, deserialize_with = "…::runtime::non_null")]` to
/// every optional field of the generated `types` whose property the spec
/// does not make nullable.
pub(crate) fn refuse_nulls(raw: &mut syn::File, spec: &Spec<'_>, runtime_crate: &str) {
    let schemas = object_schemas(spec);
    // By their sets of property names, so that each struct looks up its
    // own rather than comparing with every schema of the document.
    let mut by_names: HashMap<Vec<&str>, Vec<&Nullability>> = HashMap::new();
    for schema in &schemas {
        let names = schema.keys().map(String::as_str).collect();
        by_names.entry(names).or_default().push(schema);
    }
    let path = format!(
        "::{}::runtime::non_null",
        naming::crate_ident(runtime_crate)
    );
    let Some((_, items)) = raw.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    for item in items {
        if let syn::Item::Struct(item) = item {
            refuse_nulls_in(item, &by_names, &path);
        }
    }
}

/// The object schemas of the document, keyed by their property names in
/// order.
type ByNames<'s> = HashMap<Vec<&'s str>, Vec<&'s Nullability>>;

fn refuse_nulls_in(item: &mut syn::ItemStruct, schemas: &ByNames<'_>, path: &str) {
    let syn::Fields::Named(fields) = &mut item.fields else {
        return;
    };
    let names: Vec<Option<String>> = fields.named.iter().map(spec_name).collect();
    let name_set: BTreeSet<&str> = names.iter().flatten().map(String::as_str).collect();
    let key: Vec<&str> = name_set.into_iter().collect();
    let Some(matching) = schemas.get(&key) else {
        return;
    };
    for (field, name) in fields.named.iter_mut().zip(&names) {
        let Some(name) = name else {
            continue;
        };
        let strict = matching
            .iter()
            .all(|schema| schema.get(name) == Some(&false));
        if strict && is_plain_option(field) {
            field
                .attrs
                .push(syn::parse_quote!(#[serde(default, deserialize_with = #path)]));
        }
    }
}

/// The property's name in the spec: its serde rename, or the field's name.
fn spec_name(field: &syn::Field) -> Option<String> {
    field
        .ident
        .as_ref()
        .map(|ident| serde_attrs::wire_name(&field.attrs, ident))
}

/// An `Option<T>` field that serde reads with its own rules: neither a
/// deserializer of its own nor a default (typify gives required nullable
/// fields `deserialize_with` already).
fn is_plain_option(field: &syn::Field) -> bool {
    crate::tokens::is_option(&field.ty)
        && !serde_attrs::serde_keys(&field.attrs)
            .iter()
            .any(|(key, _)| ["deserialize_with", "with", "default"].contains(&key.as_str()))
}

/// Every object schema of the document (any OpenAPI object with a
/// `properties` map, inline ones included, so found by walking the whole
/// document), with each property's nullability.
fn object_schemas(spec: &Spec<'_>) -> Vec<Nullability> {
    let mut found = Vec::new();
    let walked = spec.json;
    let _: Result<(), std::convert::Infallible> =
        walk::try_for_each_object(walked, &mut |_, map| {
            if let Some(properties @ Value::Object(_)) = map.get(Keyword::Properties.name()) {
                found.push(
                    properties
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, schema)| {
                            (name.clone(), admits_null(spec, Schema::new(schema), 0))
                        })
                        .collect(),
                );
            }
            Ok(())
        });
    found
}

/// Whether a property's schema admits `null`: `nullable: true` on it or
/// on what it refers to or is composed of, an `enum` listing `null`, or a
/// schema that says nothing of its type (read leniently: it may be
/// anything).
fn admits_null(spec: &Spec<'_>, schema: Schema<'_>, depth: usize) -> bool {
    // References and compositions can nest; past this, be lenient.
    if depth > 16 {
        return true;
    }
    let target = Schema::new(spec.resolve(schema));
    if schema.nullable() || target.nullable() {
        return true;
    }
    if let Some(values) = target.enum_values() {
        return values.iter().any(Value::is_null);
    }
    let members: Vec<Schema<'_>> = [Keyword::AllOf, Keyword::OneOf, Keyword::AnyOf]
        .into_iter()
        .flat_map(|composition| target.parts(composition))
        .collect();
    if !members.is_empty() {
        return members
            .into_iter()
            .any(|member| admits_null(spec, member, depth + 1));
    }
    let says_what_it_is = [
        Keyword::Type,
        Keyword::Properties,
        Keyword::Items,
        Keyword::Ref,
        Keyword::AdditionalProperties,
    ]
    .into_iter()
    .any(|keyword| target.has(keyword));
    !says_what_it_is
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullability_follows_references_compositions_and_enums() {
        let spec = json!({
            "components": {"schemas": {
                "Maybe": {"type": "string", "nullable": true},
                "Plain": {"type": "string"}
            }}
        });
        let model = Spec::build(&spec);
        let schema = |s: Value| admits_null(&model, Schema::new(&s), 0);
        assert!(!schema(json!({"type": "string"})));
        assert!(schema(json!({"type": "string", "nullable": true})));
        assert!(schema(json!({"$ref": "#/components/schemas/Maybe"})));
        assert!(!schema(json!({"$ref": "#/components/schemas/Plain"})));
        assert!(schema(
            json!({"allOf": [{"$ref": "#/components/schemas/Plain"}], "nullable": true})
        ));
        assert!(!schema(
            json!({"allOf": [{"$ref": "#/components/schemas/Plain"}]})
        ));
        assert!(schema(json!({"enum": ["a", null]})));
        assert!(!schema(json!({"enum": ["a"]})));
        assert!(schema(json!({"description": "anything"})));
    }

    #[test]
    fn only_optional_non_nullable_fields_of_a_matching_struct_are_strict() {
        let spec = json!({"components": {"schemas": {"Thing": {
            "type": "object",
            "required": ["req"],
            "properties": {
                "req": {"type": "string"},
                "opt": {"type": "string"},
                "maybe": {"type": "string", "nullable": true},
                "type": {"type": "string"}
            }
        }}}});
        let mut raw: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Thing {
                    pub req: String,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub opt: ::std::option::Option<String>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub maybe: ::std::option::Option<String>,
                    #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                    pub type_: ::std::option::Option<String>,
                }
                pub struct Unrelated {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub opt: ::std::option::Option<String>,
                }
            }
        };
        refuse_nulls(&mut raw, &Spec::build(&spec), "my-crate");
        let text = quote::quote!(#raw).to_string();
        let strict = text.matches("deserialize_with = \"::my_crate::runtime::non_null\"");
        // `opt` and `type_` of `Thing`; not `maybe`, `req` or `Unrelated`.
        assert_eq!(strict.count(), 2, "{text}");
        let unrelated = text.split("Unrelated").nth(1).unwrap_or_default();
        assert!(!unrelated.contains("non_null"), "{text}");
        // Between `opt` and `maybe` stand only `maybe`'s attributes.
        let after_opt = text.split("pub opt").nth(1).unwrap_or_default();
        let maybe_attrs = after_opt.split("pub maybe").next().unwrap_or_default();
        assert!(!maybe_attrs.contains("non_null"), "{text}");
    }
}
