//! The public API of generated code, as a list of one-line items, and the
//! difference between two such lists: what a reviewer reads instead of the
//! generated source.
//!
//! Listed: public functions with their signatures, structs with their
//! public fields, enums with their variants, the public functions and
//! constants of inherent impls, trait impls, traits, constants, statics,
//! type aliases and re-exports, each under its module path. A re-exported
//! module of the same file (`pub use raw::types;`) is listed under its new
//! name. Attributes that change what users may write (`derive`,
//! `non_exhaustive`, `deprecated`, `repr`) are part of an item's line.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use syn::{Attribute, Fields, ImplItem, Item, UseTree, Visibility};

/// Public items by key (their path), each with its one-line description.
pub type Api = BTreeMap<String, String>;

/// Lists the public items of a Rust source file.
pub fn public_api(source: &str) -> Result<Api, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut api = Api::new();
    walk(&file.items, &file.items, "", &mut api);
    Ok(api)
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn walk(items: &[Item], root: &[Item], prefix: &str, api: &mut Api) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                if let Some((_, content)) = &m.content {
                    walk(content, root, &format!("{prefix}{}::", m.ident), api);
                }
            }
            Item::Use(u) if is_pub(&u.vis) => uses(&u.tree, "", root, prefix, api),
            Item::Fn(f) if is_pub(&f.vis) => {
                let key = format!("{prefix}{}", f.sig.ident);
                api.insert(key, signature(&f.attrs, &f.sig, prefix));
            }
            Item::Struct(s) if is_pub(&s.vis) => {
                let key = format!("{prefix}{}", s.ident);
                let mut header = s.clone();
                header.fields = Fields::Unit;
                api.insert(
                    key.clone(),
                    with_path(&render_item(Item::Struct(header)), prefix),
                );
                for (i, field) in s.fields.iter().enumerate() {
                    if is_pub(&field.vis) {
                        let name = field
                            .ident
                            .as_ref()
                            .map_or(i.to_string(), ToString::to_string);
                        let line = format!("field {key}.{name}: {}", render_type(&field.ty));
                        api.insert(format!("{key}.{name}"), line);
                    }
                }
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                let key = format!("{prefix}{}", e.ident);
                let mut header = e.clone();
                header.variants.clear();
                let line = render_item(Item::Enum(header));
                let line = line.trim_end_matches("{}").trim_end();
                api.insert(key.clone(), with_path(line, prefix));
                for variant in &e.variants {
                    let mut single = e.clone();
                    single.attrs.clear();
                    single.variants = std::iter::once(variant.clone()).collect();
                    let text = render_item(Item::Enum(single));
                    let body = text
                        .split_once('{')
                        .map_or(text.as_str(), |(_, b)| b)
                        .trim_end_matches('}')
                        .trim()
                        .trim_end_matches(',');
                    api.insert(
                        format!("{key}::{}", variant.ident),
                        format!("variant {key}::{body}"),
                    );
                }
            }
            Item::Impl(i) => implementation(i, prefix, api),
            Item::Trait(t) if is_pub(&t.vis) => {
                let key = format!("{prefix}{}", t.ident);
                api.insert(key, with_path(&render_item(item.clone()), prefix));
            }
            Item::Const(c) if is_pub(&c.vis) => {
                let key = format!("{prefix}{}", c.ident);
                api.insert(
                    key,
                    format!("const {prefix}{}: {}", c.ident, render_type(&c.ty)),
                );
            }
            Item::Static(s) if is_pub(&s.vis) => {
                let key = format!("{prefix}{}", s.ident);
                api.insert(
                    key,
                    format!("static {prefix}{}: {}", s.ident, render_type(&s.ty)),
                );
            }
            Item::Type(t) if is_pub(&t.vis) => {
                let key = format!("{prefix}{}", t.ident);
                api.insert(key, with_path(&render_item(item.clone()), prefix));
            }
            _ => {}
        }
    }
}

/// The paths a `pub use` brings in; a module of this file is listed whole.
fn uses(tree: &UseTree, path: &str, root: &[Item], prefix: &str, api: &mut Api) {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}::{name}")
        }
    };
    match tree {
        UseTree::Path(p) => uses(&p.tree, &join(&p.ident.to_string()), root, prefix, api),
        UseTree::Group(g) => {
            for tree in &g.items {
                uses(tree, path, root, prefix, api);
            }
        }
        UseTree::Name(n) => reexport(
            &join(&n.ident.to_string()),
            &n.ident.to_string(),
            root,
            prefix,
            api,
        ),
        UseTree::Rename(r) => reexport(
            &join(&r.ident.to_string()),
            &r.rename.to_string(),
            root,
            prefix,
            api,
        ),
        UseTree::Glob(_) => {
            let target = join("*");
            api.insert(
                format!("{prefix}{target}"),
                format!("use {target} in `{prefix}`"),
            );
        }
    }
}

fn reexport(target: &str, name: &str, root: &[Item], prefix: &str, api: &mut Api) {
    match module(root, target) {
        Some(items) => walk(items, root, &format!("{prefix}{name}::"), api),
        None => {
            api.insert(
                format!("{prefix}{name}"),
                format!("use {prefix}{name} = {target}"),
            );
        }
    }
}

/// The items of the inline module at `path` (from the file's root).
fn module<'i>(root: &'i [Item], path: &str) -> Option<&'i [Item]> {
    let mut items = root;
    for segment in path.split("::") {
        items = items.iter().find_map(|item| match item {
            Item::Mod(m) if m.ident == segment => m.content.as_ref().map(|(_, c)| c.as_slice()),
            _ => None,
        })?;
    }
    Some(items)
}

fn implementation(i: &syn::ItemImpl, prefix: &str, api: &mut Api) {
    let ty = format!("{prefix}{}", render_type(&i.self_ty));
    if let Some((path, _)) = &i.trait_ {
        // The header as prettyplease writes it, with the module path put
        // before the type: `impl<'a> From<&'a X> for types::Y`.
        let mut header = i.clone();
        header.attrs.clear();
        header.items.clear();
        header.trait_ = Some((path.clone(), Default::default()));
        header.self_ty = Box::new(syn::parse_quote!(__Self));
        let text = render_item(Item::Impl(header));
        let text = text.trim_end_matches("{}").trim_end();
        let line = text.replacen("__Self", &ty, 1);
        api.insert(line.clone(), line);
        return;
    }
    for member in &i.items {
        match member {
            ImplItem::Fn(f) if is_pub(&f.vis) => {
                let key = format!("{ty}::{}", f.sig.ident);
                api.insert(key, signature(&f.attrs, &f.sig, &format!("{ty}::")));
            }
            ImplItem::Const(c) if is_pub(&c.vis) => {
                let key = format!("{ty}::{}", c.ident);
                api.insert(key.clone(), format!("const {key}: {}", render_type(&c.ty)));
            }
            _ => {}
        }
    }
}

/// `fn path::name(args) -> T` with its API attributes.
fn signature(attrs: &[Attribute], sig: &syn::Signature, prefix: &str) -> String {
    let function = syn::ItemFn {
        attrs: attrs.to_vec(),
        vis: syn::parse_quote!(pub),
        modifiers: Default::default(),
        sig: sig.clone(),
        block: Box::new(syn::parse_quote!({})),
    };
    let text = render_item(Item::Fn(function));
    with_path(text.trim_end_matches("{}").trim_end(), prefix)
}

/// Puts `prefix` before the item's name: `pub struct X` → `struct types::X`.
fn with_path(line: &str, prefix: &str) -> String {
    let start = after_attributes(line);
    let (attributes, item) = line.split_at(start);
    let item = item.strip_prefix("pub ").unwrap_or(item);
    let keyword = ["fn ", "struct ", "enum ", "trait ", "type "]
        .iter()
        .filter_map(|k| item.find(k).map(|at| at + k.len()))
        .min();
    match keyword {
        Some(at) => format!("{attributes}{}{prefix}{}", &item[..at], &item[at..]),
        None => format!("{attributes}{item}"),
    }
}

/// Where the leading `#[…]` attributes of a line end.
fn after_attributes(line: &str) -> usize {
    let mut at = 0;
    while line[at..].starts_with("#[") {
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in line[at..].char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = Some(at + i + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        at = end + (line.len() - end - line[end..].trim_start().len());
    }
    at
}

/// Whether an attribute changes what users of the item may write.
fn is_api_attribute(attr: &Attribute) -> bool {
    ["derive", "non_exhaustive", "deprecated", "repr", "must_use"]
        .iter()
        .any(|name| attr.path().is_ident(name))
}

fn strip_attributes(item: &mut Item) {
    let keep = |attrs: &mut Vec<Attribute>| attrs.retain(is_api_attribute);
    match item {
        Item::Fn(f) => keep(&mut f.attrs),
        Item::Struct(s) => keep(&mut s.attrs),
        Item::Enum(e) => {
            keep(&mut e.attrs);
            for variant in &mut e.variants {
                variant.attrs.clear();
                for field in &mut variant.fields {
                    field.attrs.clear();
                }
            }
        }
        Item::Trait(t) => {
            keep(&mut t.attrs);
            for member in &mut t.items {
                if let syn::TraitItem::Fn(f) = member {
                    f.attrs.clear();
                    f.default = None;
                    f.semi_token = Some(Default::default());
                }
            }
        }
        Item::Type(t) => keep(&mut t.attrs),
        _ => {}
    }
}

/// One item, formatted by prettyplease and folded onto one line.
fn render_item(mut item: Item) -> String {
    strip_attributes(&mut item);
    let file = syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: vec![item],
    };
    one_line(&prettyplease::unparse(&file))
}

fn render_type(ty: &syn::Type) -> String {
    let alias: Item = syn::parse_quote!(type __T = #ty;);
    let text = render_item(alias);
    text.trim_start_matches("type __T = ")
        .trim_end_matches(';')
        .to_string()
}

/// Joins prettyplease's lines and removes the spaces its line breaks leave.
fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    joined
        .replace("( ", "(")
        .replace(", )", ")")
        .replace(" )", ")")
        .replace("< ", "<")
        .replace(", >", ">")
        .replace(",)", ")")
        .replace(", }", " }")
}

/// What changed between two APIs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiDiff {
    /// Items only in the new API.
    pub added: Vec<String>,
    /// Items only in the old API.
    pub removed: Vec<String>,
    /// Items in both whose line differs: (old, new).
    pub changed: Vec<(String, String)>,
}

impl ApiDiff {
    /// Compares two listings.
    pub fn new(old: &Api, new: &Api) -> ApiDiff {
        let mut diff = ApiDiff::default();
        for (key, line) in new {
            match old.get(key) {
                None => diff.added.push(line.clone()),
                Some(before) if before != line => diff.changed.push((before.clone(), line.clone())),
                Some(_) => {}
            }
        }
        for (key, line) in old {
            if !new.contains_key(key) {
                diff.removed.push(line.clone());
            }
        }
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// A count line and a `diff` block: `+` added, `-` removed, and each
    /// changed item as its old `-` line over its new `+` line.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("No change to the generated public API.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} added, {} removed, {} changed.\n",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        );
        let mut block = String::new();
        for line in &self.removed {
            let _ = writeln!(block, "- {line}");
        }
        for (before, after) in &self.changed {
            let _ = writeln!(block, "- {before}\n+ {after}");
        }
        for line in &self.added {
            let _ = writeln!(block, "+ {line}");
        }
        out.push_str(&fenced("diff", &block));
        out
    }
}

/// A Markdown code block whose fence is longer than any run of backticks
/// inside it.
pub fn fenced(language: &str, body: &str) -> String {
    let longest = body
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest.max(2) + 1);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{language}\n{body}{newline}{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
        mod raw {
            pub mod types {
                /// Docs are not API.
                #[derive(Clone, Debug, serde::Deserialize)]
                #[non_exhaustive]
                pub struct Token { #[serde(default)] pub id: Option<String>, secret: String }
                pub enum Grant { A, B(u32), C { x: i64 } }
                impl Token { pub fn new(id: &str) -> Self { todo!() } fn hidden(&self) {} }
                impl std::fmt::Display for Token { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }
            }
            pub struct Private;
        }
        pub use raw::types;
        impl<'a> From<&'a str> for types::Token { fn from(_: &'a str) -> Self { todo!() } }
        pub mod security { pub trait Accepts {} pub const N: usize = 3; }
        pub async fn call<'a>(x: &'a str, y: Option<u8>) -> Result<(), String> { Ok(()) }
    "#;

    #[test]
    fn lists_public_items_under_their_paths() {
        let api = public_api(SOURCE).unwrap();
        let lines: Vec<&str> = api.values().map(String::as_str).collect();
        let expected = [
            "async fn call<'a>(x: &'a str, y: Option<u8>) -> Result<(), String>",
            "trait security::Accepts {}",
            "const security::N: usize",
            "#[derive(Clone, Debug, serde::Deserialize)] #[non_exhaustive] struct types::Token;",
            "field types::Token.id: Option<String>",
            "fn types::Token::new(id: &str) -> Self",
            "impl std::fmt::Display for types::Token",
            "impl<'a> From<&'a str> for types::Token",
            "enum types::Grant",
            "variant types::Grant::A",
            "variant types::Grant::B(u32)",
            "variant types::Grant::C { x: i64 }",
        ];
        for line in expected {
            assert!(lines.contains(&line), "{line} not in {lines:#?}");
        }
        assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    }

    #[test]
    fn the_diff_names_added_removed_and_changed_items() {
        let old = public_api(SOURCE).unwrap();
        let new = public_api(
            &SOURCE
                .replace("C { x: i64 }", "C { x: i64 }, D")
                .replace("y: Option<u8>", "y: u8")
                .replace("pub const N: usize = 3;", ""),
        )
        .unwrap();
        let diff = ApiDiff::new(&old, &new);
        assert_eq!(diff.added, ["variant types::Grant::D"]);
        assert_eq!(diff.removed, ["const security::N: usize"]);
        assert_eq!(diff.changed.len(), 1);
        let markdown = diff.to_markdown();
        assert!(
            markdown.starts_with("1 added, 1 removed, 1 changed.\n\n```diff\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("+ async fn call<'a>(x: &'a str, y: u8)"),
            "{markdown}"
        );
        assert!(ApiDiff::new(&old, &old).is_empty());
    }

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fenced("", "a\n"), "```\na\n```\n");
        assert_eq!(fenced("diff", "x ```` y"), "`````diff\nx ```` y\n`````\n");
    }
}
