//! Path parameters stay in their segment.
//!
//! progenitor escapes a path parameter with `progenitor_client::encode_path`,
//! which leaves `\`, `;` and dot segments as they are: an id of
//! `..\..\x` then names another path on the server. The generated code uses
//! the runtime's encoder instead, which escapes everything outside RFC 3986's
//! unreserved characters; the typed layer refuses empty and dot segments,
//! which no encoding can carry (URL parsers fold `%2E%2E` as `..`).

use syn::{Item, UseTree};

/// Points the raw module's `encode_path` at `::RUNTIME::runtime::encode_path`.
/// Returns whether progenitor's import was found, so a future progenitor
/// that calls its encoder some other way is noticed by the tests.
pub(crate) fn encode_with_runtime(raw: &mut syn::File, runtime_crate: &str) -> bool {
    let mut found = false;
    for item in &mut raw.items {
        let Item::Use(item) = item else { continue };
        let UseTree::Path(path) = &mut item.tree else {
            continue;
        };
        if path.ident != "progenitor_client" {
            continue;
        }
        if let UseTree::Group(group) = path.tree.as_mut() {
            let before = group.items.len();
            group.items = std::mem::take(&mut group.items)
                .into_iter()
                .filter(|tree| !matches!(tree, UseTree::Name(name) if name.ident == "encode_path"))
                .collect();
            found |= group.items.len() < before;
        }
    }
    if found {
        let runtime = crate::naming::crate_ident(runtime_crate);
        raw.items.push(syn::parse_quote! {
            #[allow(unused_imports)]
            use ::#runtime::runtime::encode_path;
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitors_encoder_is_replaced_by_the_runtimes() {
        let mut raw: syn::File = syn::parse_quote! {
            use progenitor_client::{encode_path, ClientHooks, OperationInfo};
            fn url(id: &str) -> String { encode_path(id) }
        };
        assert!(encode_with_runtime(&mut raw, "my-crate"));
        let text = quote::quote!(#raw).to_string();
        assert!(
            text.contains("use progenitor_client :: { ClientHooks , OperationInfo }"),
            "{text}"
        );
        assert!(
            text.contains("use :: my_crate :: runtime :: encode_path"),
            "{text}"
        );
    }
}
