//! The items the growth pass adds, built from syntax parsed once and
//! filled in per type, rather than quoted and parsed for every struct and
//! enum: a generated build parses a hundred `new`s and two dozen open
//! enums, and parsing is most of their cost.
//!
//! The quoted forms in `growth.rs` stay the reference: each builder here
//! returns `None` where its template does not have the shape it expects,
//! and the caller then quotes and parses, and the tests check that both
//! give the same code.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::FieldInit;

/// The templates of one growth pass: `new`'s, and the open enum's per
/// name of its unknown variant (nearly always `Unknown`).
pub(super) struct Templates {
    constructor: Option<Constructor>,
    open_enums: HashMap<String, OpenEnum>,
    rt: TokenStream,
}

/// `impl T { /// … pub fn new() -> Self { Self {} } }` and the pieces
/// each field adds.
struct Constructor {
    item: syn::ItemImpl,
    /// `field: impl ::std::convert::Into<T>`
    param: syn::FnArg,
    /// `field: field.into()`
    set: syn::FieldValue,
    /// `field: path()`
    default_fn: syn::FieldValue,
    /// `field: ::std::default::Default::default()`
    default_trait: syn::FieldValue,
}

/// The open enum's impls with its listed variants left out, and the arms
/// each listed variant adds to `as_str` and `listed`.
struct OpenEnum {
    variant: syn::Variant,
    items: Vec<syn::ItemImpl>,
    /// `Self::Variant => "text",`
    as_str_arm: syn::Arm,
    /// `"text" => ::std::option::Option::Some(Self::Variant),`
    listed_arm: syn::Arm,
}

impl Templates {
    pub(super) fn new(rt: &TokenStream) -> Self {
        Self {
            constructor: None,
            open_enums: HashMap::new(),
            rt: rt.clone(),
        }
    }

    /// `impl ty { pub fn new(…) -> Self { … } }` with `doc` on `new`:
    /// `fields` in order, the required ones `new`'s parameters.
    pub(super) fn constructor(
        &mut self,
        ty: &Ident,
        doc: &str,
        fields: &[(Ident, FieldInit)],
    ) -> Option<syn::Item> {
        let template = self.constructor.get_or_insert_with(Constructor::parse);
        let mut item = template.item.clone();
        *item.self_ty = type_named(ty);
        let syn::ImplItem::Fn(function) = item.items.first_mut()? else {
            return None;
        };
        set_docs(&mut function.attrs, doc)?;
        let syn::Stmt::Expr(syn::Expr::Struct(body), None) = function.block.stmts.first_mut()?
        else {
            return None;
        };
        for (ident, init) in fields {
            if let FieldInit::Required(ty) = init {
                function.sig.inputs.push(template.param_for(ident, ty)?);
            }
        }
        for (ident, init) in fields {
            body.fields.push_value(template.field_for(ident, init)?);
            body.fields.push_punct(Default::default());
        }
        Some(syn::Item::Impl(item))
    }

    /// The variant `unknown` that an open enum adds, and the seven impls of
    /// `ty` with its `listed` variants (ident and text).
    pub(super) fn open_enum(
        &mut self,
        ty: &Ident,
        unknown: &Ident,
        listed: &[(Ident, String)],
    ) -> Option<(syn::Variant, Vec<syn::Item>)> {
        let rt = &self.rt;
        let template = self
            .open_enums
            .entry(unknown.to_string())
            .or_insert_with(|| OpenEnum::parse(unknown, rt));
        let mut items = template.items.clone();
        for item in &mut items {
            *item.self_ty = type_named(ty);
        }
        let as_str: Vec<syn::Arm> = listed
            .iter()
            .map(|(ident, text)| template.as_str_arm_for(ident, text))
            .collect::<Option<_>>()?;
        let to_listed: Vec<syn::Arm> = listed
            .iter()
            .map(|(ident, text)| template.listed_arm_for(ident, text))
            .collect::<Option<_>>()?;
        let first = items.first_mut()?;
        prepend_arms(first, 0, as_str)?;
        prepend_arms(first, 1, to_listed)?;
        let items = items.into_iter().map(syn::Item::Impl).collect();
        Some((template.variant.clone(), items))
    }
}

impl Constructor {
    fn parse() -> Self {
        Self {
            item: syn::parse_quote! {
                impl Template {
                    #[doc = ""]
                    #[doc = ""]
                    #[doc = ""]
                    #[allow(clippy::new_without_default, clippy::too_many_arguments)]
                    pub fn new() -> Self {
                        Self {}
                    }
                }
            },
            param: syn::parse_quote!(field: impl ::std::convert::Into<()>),
            set: syn::parse_quote!(field: field.into()),
            default_fn: syn::parse_quote!(field: path()),
            default_trait: syn::parse_quote!(field: ::std::default::Default::default()),
        }
    }

    fn param_for(&self, ident: &Ident, ty: &syn::Type) -> Option<syn::FnArg> {
        let mut param = self.param.clone();
        let syn::FnArg::Typed(typed) = &mut param else {
            return None;
        };
        let syn::Pat::Ident(name) = typed.pat.as_mut() else {
            return None;
        };
        name.ident = ident.clone();
        let syn::Type::ImplTrait(bound) = typed.ty.as_mut() else {
            return None;
        };
        let Some(syn::TypeParamBound::Trait(into)) = bound.bounds.first_mut() else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) =
            &mut into.path.segments.last_mut()?.arguments
        else {
            return None;
        };
        *args.args.first_mut()? = syn::GenericArgument::Type(ty.clone());
        Some(param)
    }

    fn field_for(&self, ident: &Ident, init: &FieldInit) -> Option<syn::FieldValue> {
        let mut field = match init {
            FieldInit::Required(_) => {
                let mut set = self.set.clone();
                let syn::Expr::MethodCall(call) = &mut set.expr else {
                    return None;
                };
                *call.receiver = expr_named(ident);
                set
            }
            FieldInit::DefaultFn(path) => {
                let mut default = self.default_fn.clone();
                let syn::Expr::Call(call) = &mut default.expr else {
                    return None;
                };
                let syn::Expr::Path(function) = call.func.as_mut() else {
                    return None;
                };
                function.path = path.clone();
                default
            }
            FieldInit::Default => self.default_trait.clone(),
        };
        field.member = syn::Member::Named(ident.clone());
        Some(field)
    }
}

impl OpenEnum {
    fn parse(unknown: &Ident, rt: &TokenStream) -> Self {
        let ty = quote!(Template);
        let items = super::open_enum_items(&ty, unknown, &[], &[], rt)
            .into_iter()
            .filter_map(|item| match item {
                syn::Item::Impl(item) => Some(item),
                _ => None,
            })
            .collect();
        Self {
            variant: super::unknown_variant_item(unknown, rt),
            items,
            as_str_arm: syn::parse_quote!(Self::Template => "",),
            listed_arm: syn::parse_quote!("" => ::std::option::Option::Some(Self::Template),),
        }
    }

    fn as_str_arm_for(&self, ident: &Ident, text: &str) -> Option<syn::Arm> {
        let mut arm = self.as_str_arm.clone();
        let syn::Pat::Path(pattern) = &mut arm.pat else {
            return None;
        };
        pattern.path.segments.last_mut()?.ident = ident.clone();
        set_text(arm.body.as_mut(), text)?;
        Some(arm)
    }

    fn listed_arm_for(&self, ident: &Ident, text: &str) -> Option<syn::Arm> {
        let mut arm = self.listed_arm.clone();
        let syn::Pat::Lit(pattern) = &mut arm.pat else {
            return None;
        };
        let syn::Lit::Str(pattern) = &mut pattern.lit else {
            return None;
        };
        *pattern = syn::LitStr::new(text, Span::call_site());
        let syn::Expr::Call(some) = arm.body.as_mut() else {
            return None;
        };
        let Some(syn::Expr::Path(variant)) = some.args.first_mut() else {
            return None;
        };
        variant.path.segments.last_mut()?.ident = ident.clone();
        Some(arm)
    }
}

/// Puts `arms` before the arms of the `match` that is the body of the
/// `function`th function of `item`.
fn prepend_arms(item: &mut syn::ItemImpl, function: usize, arms: Vec<syn::Arm>) -> Option<()> {
    let syn::ImplItem::Fn(function) = item.items.get_mut(function)? else {
        return None;
    };
    let syn::Stmt::Expr(syn::Expr::Match(body), None) = function.block.stmts.first_mut()? else {
        return None;
    };
    body.arms.splice(0..0, arms);
    Some(())
}

/// The doc attributes at the start of `attrs`, one per line of `doc`, as
/// `crate::tokens::docs` writes them.
fn set_docs(attrs: &mut [syn::Attribute], doc: &str) -> Option<()> {
    let lines: Vec<&str> = doc.trim_end().lines().collect();
    let docs = attrs
        .iter()
        .take_while(|a| a.path().is_ident("doc"))
        .count();
    if docs != lines.len() {
        return None;
    }
    for (attr, line) in attrs.iter_mut().zip(lines) {
        let syn::Meta::NameValue(name_value) = &mut attr.meta else {
            return None;
        };
        set_text(&mut name_value.value, &format!(" {line}"))?;
    }
    Some(())
}

/// Sets a string literal expression's text.
fn set_text(expression: &mut syn::Expr, text: &str) -> Option<()> {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(literal),
        ..
    }) = expression
    else {
        return None;
    };
    *literal = syn::LitStr::new(text, Span::call_site());
    Some(())
}

/// The type `ident`, as `impl #ident` parses it.
fn type_named(ident: &Ident) -> syn::Type {
    syn::Type::Path(syn::TypePath {
        attrs: Vec::new(),
        qself: None,
        path: ident.clone().into(),
    })
}

/// The expression `ident`, as a local's name parses.
fn expr_named(ident: &Ident) -> syn::Expr {
    syn::Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: ident.clone().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::format_ident;

    /// Both forms, as the formatter prints them.
    fn printed(items: Vec<syn::Item>) -> String {
        let mut file: syn::File = syn::parse_quote!();
        file.items = items;
        prettyplease::unparse(&file)
    }

    #[test]
    fn a_built_constructor_is_the_quoted_one() {
        let rt = quote!(::my_crate::runtime);
        let mut templates = Templates::new(&rt);
        let ty = format_ident!("Thing");
        let doc = "`Thing` with its fields.\n\nAnd a second paragraph.";
        let fields = [
            (
                format_ident!("name"),
                FieldInit::Required(syn::parse_quote!(::std::string::String)),
            ),
            (
                format_ident!("r#type"),
                FieldInit::Required(syn::parse_quote!(Vec<::std::option::Option<Kind>>)),
            ),
            (
                format_ident!("size"),
                FieldInit::DefaultFn(syn::parse_quote!(defaults::default_u64)),
            ),
            (format_ident!("extra"), FieldInit::Default),
        ];
        for fields in [&fields[..], &fields[2..], &[]] {
            let built = templates.constructor(&ty, doc, fields);
            let built = built.unwrap_or_else(|| panic!("no template for {}", fields.len()));
            let quoted = super::super::quoted_constructor(&ty, doc, fields);
            assert_eq!(printed(vec![built]), printed(vec![quoted]));
        }
    }

    #[test]
    fn a_built_open_enum_is_the_quoted_one() {
        let rt = quote!(::my_crate::runtime);
        let mut templates = Templates::new(&rt);
        let ty = format_ident!("Colour");
        let listed = [
            (format_ident!("Red"), "red".to_string()),
            (format_ident!("r#Box"), "a \"quoted\" \\ text".to_string()),
        ];
        for unknown in ["Unknown", "UnknownValue", "Unknown"] {
            let unknown = format_ident!("{unknown}");
            for listed in [&listed[..], &[]] {
                let built = templates.open_enum(&ty, &unknown, listed);
                let (variant, items) = built.unwrap_or_else(|| panic!("no template"));
                let idents: Vec<&Ident> = listed.iter().map(|(ident, _)| ident).collect();
                let texts: Vec<&String> = listed.iter().map(|(_, text)| text).collect();
                let quoted = super::super::open_enum_items(&ty, &unknown, &idents, &texts, &rt);
                assert_eq!(printed(items), printed(quoted));
                let quoted_variant = super::super::unknown_variant_item(&unknown, &rt);
                assert_eq!(
                    quote!(#variant).to_string(),
                    quote!(#quoted_variant).to_string()
                );
            }
        }
    }
}
