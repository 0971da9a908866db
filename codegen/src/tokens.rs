//! Doc attributes from text the spec chose. A leaf module, so that the
//! typed layer, the bounds and the growable types can all use it.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = …]` attributes, one per line, so the output shows `///` lines.
pub(crate) fn docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}
