//! Turns the spec's bounds (`minimum`, `maxLength`, `pattern`, `maxItems`,
//! …) into static `Rule` data for the runtime to check values against.

use std::collections::{BTreeMap, BTreeSet};

use crate::locate::escape_token;
use crate::model::{Keyword, Schema, Spec};
use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// Builds the `rules` module: one static per bounded component schema, one
/// per operation site that has bounds, and one per pattern.
pub(crate) struct Rules<'a> {
    spec: &'a Spec<'a>,
    rt: TokenStream,
    /// Component schemas with a bound somewhere inside, and their statics.
    bounded: BTreeMap<String, Ident>,
    statics: Vec<TokenStream>,
    names: BTreeSet<String>,
    patterns: usize,
}

impl<'a> Rules<'a> {
    pub fn new(spec: &'a Spec<'a>, rt: TokenStream) -> Self {
        let mut rules = Self {
            spec,
            rt,
            bounded: BTreeMap::new(),
            statics: Vec::new(),
            names: BTreeSet::new(),
            patterns: 0,
        };
        let components: Vec<(String, Schema<'_>)> = spec
            .schemas
            .iter()
            .map(|named| (named.name.to_string(), named.schema))
            .collect();
        // Which components are bounded, through references too: iterate to
        // a fixed point so that cycles settle.
        let mut bounded: BTreeSet<String> = BTreeSet::new();
        loop {
            let before = bounded.len();
            for (name, schema) in &components {
                if !bounded.contains(name) && has_bounds(*schema, &bounded) {
                    bounded.insert(name.clone());
                }
            }
            if bounded.len() == before {
                break;
            }
        }
        for name in &bounded {
            let ident = rules.unique_ident(&name.to_shouty_snake_case());
            rules.bounded.insert(name.clone(), ident);
        }
        for (name, schema) in &components {
            let Some(ident) = rules.bounded.get(name).cloned() else {
                continue;
            };
            let pointer = format!("/components/schemas/{}", escape_token(name));
            let expression = rules.expression(*schema, &pointer).unwrap_or_else(|| {
                let rt = &rules.rt;
                quote!(#rt::Rule::Any)
            });
            let rt = &rules.rt;
            let doc = format!(" Bounds of the `{name}` schema.");
            rules.statics.push(quote! {
                #[doc = #doc]
                pub(super) static #ident: #rt::Rule = #expression;
            });
        }
        rules
    }

    fn unique_ident(&mut self, base: &str) -> Ident {
        let base = if base.is_empty() {
            "RULE".to_string()
        } else {
            base.to_string()
        };
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        crate::naming::ident(&name)
    }

    /// A static for the schema at `pointer` named after `name`, or `None`
    /// when it has no bound.
    pub fn site(&mut self, name: &str, schema: Schema<'_>, pointer: &str) -> Option<Ident> {
        let expression = self.expression(schema, pointer)?;
        let ident = self.unique_ident(&name.to_shouty_snake_case());
        let rt = &self.rt;
        self.statics.push(quote! {
            pub(super) static #ident: #rt::Rule = #expression;
        });
        Some(ident)
    }

    /// The static holding a component schema's bounds, if it has any.
    pub fn component(&self, name: &str) -> Option<&Ident> {
        self.bounded.get(name)
    }

    /// `Validate` impls for the generated types of component schemas (every
    /// one, so callers can validate any value): those with bounds check
    /// them, the others have none to break. `type_names` are the types
    /// progenitor generated.
    pub fn validate_impls(&self, type_names: &BTreeSet<String>) -> TokenStream {
        let rt = &self.rt;
        let impls = self.spec.schemas.iter().filter_map(|named| {
            let name = named.name;
            let type_name = name.to_upper_camel_case();
            if !type_names.contains(&type_name) {
                return None;
            }
            let ty = format_ident!("{}", type_name);
            let body = match self.bounded.get(name) {
                Some(ident) => quote!(#rt::check(self, &rules::#ident)),
                None => quote!(::std::result::Result::Ok(())),
            };
            Some(quote! {
                impl #rt::Validate for types::#ty {
                    fn validate(&self) -> ::std::result::Result<(), #rt::BoundsError> {
                        #body
                    }
                }
            })
        });
        quote!(#(#impls)*)
    }

    /// The `rules` module.
    pub fn module(&self) -> TokenStream {
        let statics = &self.statics;
        quote! {
            /// The spec's bounds, checked before a request is sent and after a
            /// response is decoded.
            #[allow(dead_code)]
            mod rules {
                #(#statics)*
            }
        }
    }

    /// The rule expression for `schema`, or `None` when it has no bound.
    fn expression(&mut self, schema: Schema<'_>, pointer: &str) -> Option<TokenStream> {
        let rt = self.rt.clone();
        if let Some(reference) = schema.reference() {
            if let Some(name) = schema.component() {
                return self
                    .bounded
                    .get(&name)
                    .map(|ident| quote!(#rt::Rule::Named(&#ident)));
            }
            let target = Schema::new(self.spec.resolve(schema));
            return self.expression(target, reference.trim_start_matches('#'));
        }

        let mut parts: Vec<TokenStream> = Vec::new();
        for (index, part) in schema.parts(Keyword::AllOf).into_iter().enumerate() {
            if let Some(rule) = self.expression(part, &format!("{pointer}/allOf/{index}")) {
                parts.push(rule);
            }
        }
        // In this order, so the pattern statics keep their numbers.
        parts.extend(self.object_rule(schema, pointer));
        parts.extend(self.array_rule(schema, pointer));
        parts.extend(self.number_rule(schema));
        parts.extend(self.text_rule(schema));

        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(quote!(#rt::Rule::All(&[#(#parts),*]))),
        }
    }

    /// The bounds of an object's properties and additional properties.
    fn object_rule(&mut self, schema: Schema<'_>, pointer: &str) -> Option<TokenStream> {
        if !(schema.kind() == Some("object")
            || schema.has(Keyword::Properties)
            || schema.has(Keyword::AdditionalProperties))
        {
            return None;
        }
        let mut properties = Vec::new();
        for (name, property) in schema.properties() {
            let child = format!("{pointer}/properties/{}", escape_token(name));
            if let Some(rule) = self.expression(property, &child) {
                properties.push(quote!((#name, #rule)));
            }
        }
        let additional = schema.additional().and_then(|extra| {
            self.expression(extra, &format!("{pointer}/additionalProperties"))
                .map(|rule| quote!(::std::option::Option::Some(&#rule)))
        });
        if properties.is_empty() && additional.is_none() {
            return None;
        }
        let rt = &self.rt;
        let additional = additional.unwrap_or_else(|| quote!(::std::option::Option::None));
        Some(quote! {
            #rt::Rule::Object { properties: &[#(#properties),*], additional: #additional }
        })
    }

    /// The bounds of an array: its length, and its items'.
    fn array_rule(&mut self, schema: Schema<'_>, pointer: &str) -> Option<TokenStream> {
        let has = |keyword| schema.has(keyword);
        if !(schema.kind() == Some("array")
            || has(Keyword::Items)
            || has(Keyword::MinItems)
            || has(Keyword::MaxItems))
        {
            return None;
        }
        let items = schema
            .items()
            .and_then(|items| self.expression(items, &format!("{pointer}/items")));
        let min = schema.count(Keyword::MinItems);
        let max = schema.count(Keyword::MaxItems);
        if items.is_none() && min.is_none() && max.is_none() {
            return None;
        }
        let rt = &self.rt;
        let items = items.unwrap_or_else(|| quote!(#rt::Rule::Any));
        let min = option(min);
        let max = option(max);
        Some(quote! {
            #rt::Rule::Array { min_items: #min, max_items: #max, items: &#items }
        })
    }

    /// The bounds of a number: its limits and the step it is a multiple of.
    fn number_rule(&self, schema: Schema<'_>) -> Option<TokenStream> {
        let has = |keyword| schema.has(keyword);
        let numeric = matches!(schema.kind(), Some("integer" | "number"));
        if !(numeric || has(Keyword::Minimum) || has(Keyword::Maximum) || has(Keyword::MultipleOf))
        {
            return None;
        }
        let rt = &self.rt;
        let limit = |bound, exclusive| {
            schema.number(bound).map(|value| {
                let value = Literal::f64_suffixed(value);
                let exclusive = schema.flag(exclusive);
                quote!(::std::option::Option::Some(#rt::Limit { value: #value, exclusive: #exclusive }))
            })
        };
        let minimum = limit(Keyword::Minimum, Keyword::ExclusiveMinimum);
        let maximum = limit(Keyword::Maximum, Keyword::ExclusiveMaximum);
        let multiple = schema.number(Keyword::MultipleOf).map(|step| {
            let step = Literal::f64_suffixed(step);
            quote!(::std::option::Option::Some(#step))
        });
        if minimum.is_none() && maximum.is_none() && multiple.is_none() {
            return None;
        }
        let none = quote!(::std::option::Option::None);
        let minimum = minimum.unwrap_or_else(|| none.clone());
        let maximum = maximum.unwrap_or_else(|| none.clone());
        let multiple = multiple.unwrap_or(none);
        Some(quote! {
            #rt::Rule::Number { minimum: #minimum, maximum: #maximum, multiple_of: #multiple }
        })
    }

    /// The bounds of a string: its length and its pattern.
    fn text_rule(&mut self, schema: Schema<'_>) -> Option<TokenStream> {
        let has = |keyword| schema.has(keyword);
        if !(schema.kind() == Some("string")
            || has(Keyword::MinLength)
            || has(Keyword::MaxLength)
            || has(Keyword::Pattern))
        {
            return None;
        }
        let min = schema.count(Keyword::MinLength);
        let max = schema.count(Keyword::MaxLength);
        let pattern = schema.pattern().map(|source| self.pattern(source));
        if min.is_none() && max.is_none() && pattern.is_none() {
            return None;
        }
        let rt = &self.rt;
        let min = option(min);
        let max = option(max);
        let pattern = match pattern {
            Some(ident) => quote!(::std::option::Option::Some(&#ident)),
            None => quote!(::std::option::Option::None),
        };
        Some(quote! {
            #rt::Rule::Text { min_length: #min, max_length: #max, pattern: #pattern }
        })
    }

    /// A static for `source`, which `validate::check_patterns` has
    /// already compiled.
    fn pattern(&mut self, source: &str) -> Ident {
        let ident = format_ident!("PATTERN_{}", self.patterns);
        self.patterns += 1;
        let rt = &self.rt;
        self.statics.push(quote! {
            static #ident: #rt::Pattern = #rt::Pattern::new(#source);
        });
        ident
    }
}

fn option(value: Option<u64>) -> TokenStream {
    match value {
        Some(n) => {
            let n = Literal::u64_suffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

const BOUND_KEYWORDS: [Keyword; 9] = [
    Keyword::Minimum,
    Keyword::Maximum,
    Keyword::MultipleOf,
    Keyword::MinLength,
    Keyword::MaxLength,
    Keyword::Pattern,
    Keyword::MinItems,
    Keyword::MaxItems,
    Keyword::ExclusiveMinimum,
];

/// Whether `schema` has a bound itself or through the parts a rule follows
/// (properties, items, `additionalProperties`, `allOf`, references to
/// components in `bounded`).
fn has_bounds(schema: Schema<'_>, bounded: &BTreeSet<String>) -> bool {
    if schema.reference().is_some() {
        return schema
            .component()
            .is_some_and(|name| bounded.contains(&name));
    }
    if BOUND_KEYWORDS.iter().any(|keyword| schema.has(*keyword)) {
        return true;
    }
    let mut children: Vec<Schema<'_>> = schema.properties().into_iter().map(|(_, s)| s).collect();
    children.extend(schema.items());
    children.extend(schema.additional());
    children.extend(schema.parts(Keyword::AllOf));
    children.into_iter().any(|child| has_bounds(child, bounded))
}
