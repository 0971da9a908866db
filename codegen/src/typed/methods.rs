//! The typed methods: one per operation, taking the credential and
//! returning a typed `Response` or `Error`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The check that a path parameter fills exactly one segment: empty and
/// dot segments are refused before sending (the encoder escapes the rest).
/// progenitor passes string parameters as `&str`, others by value; the
/// check reads the text the URL will hold.
pub(super) fn path_segment_check(
    rt: &TokenStream,
    spec_name: &str,
    local: &Ident,
    ty: &syn::Type,
) -> TokenStream {
    let is_str = matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str")));
    let text = if is_str {
        quote!(#local)
    } else {
        quote!(&#local.to_string())
    };
    quote!(#rt::check_path_segment(#spec_name, #text)?;)
}
