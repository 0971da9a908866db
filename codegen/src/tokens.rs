//! Small helpers for the syntax the generator writes and reads: doc
//! attributes from text the spec chose, and the one test of a type being
//! `Option`. A leaf module, so that the typed layer, the bounds, nulls and
//! the growable types can all use it.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = …]` attributes, one per line, so the output shows `///` lines.
pub(crate) fn docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}

/// Whether a type is `Option<…>`, by its last path segment (as typify and
/// progenitor write it: `::std::option::Option<T>` or `Option<T>`).
pub(crate) fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}
