//! Typed response headers: the Rust type a header's schema reads into.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::preprocess::is_secret;

/// Rust type for a header value per its schema.
pub(super) fn header_type(schema: &Value, rt: &TokenStream) -> Option<TokenStream> {
    let kind = schema.get("type").and_then(Value::as_str);
    Some(match kind {
        Some("string") if is_secret(schema) => quote!(#rt::Secret),
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            quote!(::chrono::DateTime<::chrono::offset::Utc>)
        }
        Some("string") => quote!(::std::string::String),
        Some("integer") => quote!(i64),
        Some("number") => quote!(f64),
        Some("boolean") => quote!(bool),
        Some("array") => {
            let item = header_type(schema.get("items")?, rt)?;
            quote!(::std::vec::Vec<#item>)
        }
        _ => return None,
    })
}

/// Field names that are Rust keywords get a trailing underscore.
pub(super) fn sanitize_field(name: &str) -> String {
    let name = if name.is_empty() {
        "header".to_string()
    } else {
        name.to_string()
    };
    if syn::parse_str::<Ident>(&name).is_ok() {
        name
    } else {
        format!("{name}_")
    }
}
