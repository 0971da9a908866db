//! progenitor's requests without its `api-version` header.
//!
//! progenitor puts `api-version: <info.version>` on every request it builds.
//! The spec does not declare that header, so the generated client must not
//! send it. It is taken out of progenitor's request code here, once, rather
//! than built and then removed again on every call; a header the spec does
//! declare under that name is left alone.

use syn::visit::Visit;
use syn::{Expr, ExprLit, ImplItem, Item, Lit, LitInt, Pat, Stmt};

/// The header map progenitor's request methods build, by the name it
/// gives it.
const HEADER_MAP: &str = "header_map";

/// Removes progenitor's `api-version` header from each of its request
/// methods, and its slot from the header map's capacity. Returns whether
/// every method that builds a header map added that header as expected,
/// so that a progenitor that adds it some other way is noticed by the
/// tests rather than sending it.
pub(crate) fn drop_version_header(raw: &mut syn::File) -> bool {
    let mut as_expected = true;
    for item in &mut raw.items {
        let Item::Impl(block) = item else { continue };
        for item in &mut block.items {
            if let ImplItem::Fn(function) = item {
                as_expected &= drop_from(&mut function.block.stmts);
            }
        }
    }
    as_expected
}

/// Drops the header from one method's statements: false when the method
/// builds a header map without adding it in the expected form.
fn drop_from(stmts: &mut Vec<Stmt>) -> bool {
    let Some(map) = stmts.iter().position(is_header_map_let) else {
        return true;
    };
    let Some(version) = stmts.iter().position(adds_version_header) else {
        return false;
    };
    stmts.remove(version);
    let still_added_to = stmts.iter().any(adds_to_header_map);
    let Stmt::Local(local) = &mut stmts[map] else {
        return false;
    };
    if let Pat::Ident(binding) = &mut local.pat
        && !still_added_to
    {
        // Nothing is added any more; `mut` would draw `unused_mut`.
        binding.mutability = None;
    }
    lower_capacity(local)
}

/// `let mut header_map = …::HeaderMap::with_capacity(N);`
fn is_header_map_let(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    let Pat::Ident(binding) = &local.pat else {
        return false;
    };
    let Some(Expr::Call(call)) = local.init.as_ref().map(|init| init.expr.as_ref()) else {
        return false;
    };
    binding.ident == HEADER_MAP && path_ends_with(&call.func, &["HeaderMap", "with_capacity"])
}

/// `header_map.append(…HeaderName::from_static("api-version"), …);`
fn adds_version_header(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    let Some(Expr::Call(name)) = call.args.first() else {
        return false;
    };
    let names_version = matches!(
        name.args.first(),
        Some(Expr::Lit(ExprLit { lit: Lit::Str(text), .. })) if text.value() == "api-version"
    );
    is_header_map(&call.receiver)
        && call.method == "append"
        && path_ends_with(&name.func, &["HeaderName", "from_static"])
        && names_version
}

/// Lowers `with_capacity(N)` of the header map's `let` to `N - 1`.
fn lower_capacity(local: &mut syn::Local) -> bool {
    let Some(init) = &mut local.init else {
        return false;
    };
    let Expr::Call(call) = init.expr.as_mut() else {
        return false;
    };
    let Some(Expr::Lit(ExprLit {
        lit: Lit::Int(count),
        ..
    })) = call.args.first_mut()
    else {
        return false;
    };
    let Ok(slots @ 1..) = count.base10_parse::<usize>() else {
        return false;
    };
    *count = LitInt::new(&format!("{}usize", slots - 1), count.span());
    true
}

/// Whether `stmt` calls a method of the header map (the appends of the
/// spec's header parameters, some inside an `if let`).
fn adds_to_header_map(stmt: &Stmt) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.0 |= is_header_map(&call.receiver);
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut finder = Finder(false);
    finder.visit_stmt(stmt);
    finder.0
}

fn is_header_map(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(path) if path.path.is_ident(HEADER_MAP))
}

/// Whether `expr` is a path whose last segments are `tail`.
fn path_ends_with(expr: &Expr, tail: &[&str]) -> bool {
    let Expr::Path(path) = expr else {
        return false;
    };
    let segments: Vec<_> = path.path.segments.iter().map(|s| &s.ident).collect();
    segments.len() >= tail.len()
        && segments[segments.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(segment, name)| *segment == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(body: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            impl Client {
                pub async fn call(&self) -> Result<(), ()> { #body }
            }
        }
    }

    fn text(file: &syn::File) -> String {
        quote::quote!(#file).to_string()
    }

    #[test]
    fn the_version_header_and_its_slot_go() {
        let mut raw = method(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
            let request = self.client.post(url).headers(header_map).build()?;
        });
        assert!(drop_version_header(&mut raw));
        let text = text(&raw);
        assert!(!text.contains("api-version"), "{text}");
        assert!(
            text.contains(
                "let header_map = :: reqwest :: header :: HeaderMap :: with_capacity (0usize)"
            ),
            "{text}"
        );
    }

    #[test]
    fn declared_headers_stay_and_keep_the_map_mutable() {
        let mut raw = method(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(3usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
            header_map.append("api-version", api_version.to_string().try_into()?);
            if let Some(value) = trace {
                header_map.append("x-trace", value.to_string().try_into()?);
            }
        });
        assert!(drop_version_header(&mut raw));
        let text = text(&raw);
        assert!(text.contains("let mut header_map"), "{text}");
        assert!(text.contains("with_capacity (2usize)"), "{text}");
        assert!(!text.contains("HeaderName :: from_static"), "{text}");
        assert!(
            text.contains("header_map . append (\"api-version\" , api_version"),
            "{text}"
        );
        assert!(text.contains("\"x-trace\""), "{text}");
    }

    #[test]
    fn a_map_without_the_version_header_is_noticed() {
        let mut raw = method(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.insert("api-version", "1");
        });
        assert!(!drop_version_header(&mut raw));
        let mut without_map = method(quote::quote! { let x = 1; });
        assert!(drop_version_header(&mut without_map));
    }
}
