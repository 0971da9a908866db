//! Reading the `#[serde(…)]` attributes typify writes, with `syn`.

/// The keys of `#[serde(…)]` attributes, each with its value when that is a
/// string literal (`rename = "type"`).
pub(crate) fn serde_keys(attrs: &[syn::Attribute]) -> Vec<(String, Option<String>)> {
    let mut keys = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                match meta.value()?.parse::<syn::Expr>()? {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }) => Some(text.value()),
                    _ => None,
                }
            } else {
                None
            };
            keys.push((key, value));
            Ok(())
        });
    }
    keys
}

/// The value of one `#[serde(key = "…")]`.
pub(crate) fn serde_value(attrs: &[syn::Attribute], key: &str) -> Option<String> {
    serde_keys(attrs)
        .into_iter()
        .find_map(|(k, value)| (k == key).then_some(value).flatten())
}

/// The name serde reads and writes for a field or variant: its rename, or
/// its identifier without `r#`.
pub(crate) fn wire_name(attrs: &[syn::Attribute], ident: &syn::Ident) -> String {
    serde_value(attrs, "rename")
        .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string())
}
