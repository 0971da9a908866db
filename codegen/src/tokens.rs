//! Small helpers for writing tokens from text the spec chose: doc
//! attributes and identifiers. A leaf module, so that the typed layer, the
//! bounds and the growable types can all use it.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `#[doc = …]` attributes, one per line, so the output shows `///` lines.
pub(crate) fn docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}

/// An identifier from text the spec chose: characters that cannot be in
/// one become `_`, a leading digit gets a `_` before it, and a keyword a `_`
/// after it.
pub(crate) fn ident(raw: &str) -> Ident {
    let mut text: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    match syn::parse_str::<Ident>(&text) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", text),
    }
}
