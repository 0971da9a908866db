//! Reading progenitor's output: its methods, their signatures, and the
//! names of the types it generated.

use std::collections::BTreeMap;

use proc_macro2::Ident;
use syn::visit::Visit;

/// One method progenitor generated, as its signature shows it.
pub(super) struct RawMethod {
    pub(super) ident: Ident,
    /// Its lifetime and type parameters (e.g. `B: Into<reqwest::Body>` for
    /// a raw body), which the typed method repeats.
    pub(super) generics: syn::Generics,
    pub(super) params: Vec<(Ident, syn::Type)>,
    pub(super) ok: syn::Type,
    pub(super) err: syn::Type,
}

/// Reads progenitor's methods from its output, keyed by the snake_case
/// operationId each method records in its `OperationInfo`.
pub(super) fn raw_methods(raw: &syn::File) -> BTreeMap<String, RawMethod> {
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
            let Some(operation_id) = recorded_operation_id(function) else {
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
                method_key(&operation_id),
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

/// The operationId a method of progenitor's records: the `operation_id`
/// field of the `OperationInfo { … }` it builds for its hooks.
fn recorded_operation_id(function: &syn::ImplItemFn) -> Option<String> {
    let mut finder = OperationIdFinder(None);
    finder.visit_impl_item_fn(function);
    finder.0
}

/// Finds the first `OperationInfo { operation_id: "…", … }` expression.
struct OperationIdFinder(Option<String>);

impl<'ast> Visit<'ast> for OperationIdFinder {
    fn visit_expr_struct(&mut self, expression: &'ast syn::ExprStruct) {
        let is_info = expression
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "OperationInfo");
        if self.0.is_none() && is_info {
            self.0 = expression.fields.iter().find_map(|field| {
                let syn::Member::Named(name) = &field.member else {
                    return None;
                };
                match &field.expr {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }) if name == "operation_id" => Some(text.value()),
                    _ => None,
                }
            });
        }
        syn::visit::visit_expr_struct(self, expression);
    }
}

/// The names of the types in progenitor's `types` module.
pub(super) fn type_names(raw: &syn::File) -> std::collections::BTreeSet<String> {
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
pub(super) fn method_key(operation_id: &str) -> String {
    operation_id
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `T` and `E` of `Result<ResponseValue<T>, Error<E>>`.
pub(super) fn result_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = generic_args(ty)?;
    let mut args = args.into_iter();
    let ok = generic_args(&args.next()?)?.into_iter().next()?;
    let err = generic_args(&args.next()?)?.into_iter().next()?;
    Some((ok, err))
}

pub(super) fn generic_args(ty: &syn::Type) -> Option<Vec<syn::Type>> {
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
pub(super) fn is_borrowed(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(_) => true,
        syn::Type::Path(_) => generic_args(ty).is_some_and(|args| args.iter().any(is_borrowed)),
        _ => false,
    }
}

/// The owned type a parameter's value decodes into: `&'a T` → `T`,
/// `Option<&'a T>` → `T`, `str` → `String`.
pub(super) fn owned_type(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Reference(reference) => owned_type(&reference.elem),
        syn::Type::Path(path) if path.path.is_ident("str") => {
            syn::parse_quote!(::std::string::String)
        }
        syn::Type::Path(_) if crate::tokens::is_option(ty) => {
            match generic_args(ty).and_then(|args| args.into_iter().next()) {
                Some(inner) => owned_type(&inner),
                None => ty.clone(),
            }
        }
        other => other.clone(),
    }
}
