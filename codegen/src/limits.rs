//! What a document may be before anything recursive reads it: its size,
//! how deeply it nests, and numbers that are finite. Each limit is a spec
//! error with a hint, so a hostile or broken document ends quickly with a
//! message instead of exhausting time or the stack.
//!
//! Also the one rewrite of the text before parsing: JSON's escaped
//! surrogate pairs, which the YAML parser refuses.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_yaml::Value;

use crate::SpecErrorKind;
use crate::locate::escape_token;
use crate::validate::Document;

/// The largest document read, in bytes (the corpus's largest is 0.4 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;

/// How deeply mappings and sequences may nest (real documents stay under
/// 16). Every later pass recurses over the document, and the generator
/// recurses over schemas, so this bounds their stack and their time.
pub const MAX_NESTING: usize = 64;

/// An error for a document of more than [`MAX_DOCUMENT_BYTES`].
pub(crate) fn check_size(text: &str, file: &str) -> Result<(), crate::SpecError> {
    if text.len() <= MAX_DOCUMENT_BYTES {
        return Ok(());
    }
    let doc = Document::single(file, "", &serde_json::Value::Null);
    Err(doc.error_at(
        "",
        SpecErrorKind::Unsupported {
            operation_id: None,
            what: format!(
                "the document is {} bytes, more than the {MAX_DOCUMENT_BYTES} this generator reads",
                text.len()
            ),
            hint: "split the API into several documents, or remove what the client does not use"
                .into(),
        },
    ))
}

/// Checks the parsed YAML, before it becomes JSON (which would turn `.nan`
/// into `null`): nesting within [`MAX_NESTING`], and finite numbers only.
pub(crate) fn check_value(doc: &Document<'_>, yaml: &Value) -> Result<(), crate::SpecError> {
    let mut pointer = String::new();
    match first_problem(yaml, 0, &mut pointer) {
        None => Ok(()),
        Some(Problem::TooDeep) => Err(doc.error_at(
            &pointer,
            SpecErrorKind::Unsupported {
                operation_id: None,
                what: format!("the document nests more than {MAX_NESTING} levels deep here"),
                hint: "flatten the schema: move nested schemas under `components/schemas` and refer to them with `$ref`".into(),
            },
        )),
        Some(Problem::NotFinite(value)) => Err(doc.error_at(
            &pointer,
            SpecErrorKind::Unsupported {
                operation_id: None,
                what: format!("the number `{value}` is not finite"),
                hint: "write a finite number, or leave the bound out (no bound is written by omitting it)".into(),
            },
        )),
    }
}

enum Problem {
    TooDeep,
    NotFinite(f64),
}

/// The first node too deep or not finite, leaving `pointer` at it.
fn first_problem(value: &Value, depth: usize, pointer: &mut String) -> Option<Problem> {
    let children: Vec<(String, &Value)> = match value {
        Value::Number(n) => {
            return n
                .as_f64()
                .filter(|f| !f.is_finite())
                .map(Problem::NotFinite);
        }
        Value::Tagged(tagged) => return first_problem(&tagged.value, depth, pointer),
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| (index.to_string(), item))
            .collect(),
        Value::Mapping(map) => map.iter().map(|(k, v)| (key_text(k), v)).collect(),
        _ => return None,
    };
    if depth >= MAX_NESTING {
        return Some(Problem::TooDeep);
    }
    let length = pointer.len();
    for (key, child) in children {
        pointer.push('/');
        pointer.push_str(&escape_token(&key));
        if let Some(problem) = first_problem(child, depth + 1, pointer) {
            return Some(problem);
        }
        pointer.truncate(length);
    }
    None
}

/// A mapping key as the JSON form spells it.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// A JSON document with its escaped surrogate pairs (`\ud83d\ude00`, which
/// JSON allows and the YAML parser refuses) written as YAML's `\U0001f600`.
/// Lines are unchanged; a column after such a pair on its line is two less
/// per pair than in the file. YAML documents are returned as they are: a
/// backslash there is an escape only in double quotes.
pub(crate) fn normalise(text: &str) -> Cow<'_, str> {
    let is_json = text.trim_start().starts_with(['{', '[']);
    if !is_json || !text.contains("\\u") && !text.contains("\\U") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(index) = rest.find('\\') {
        out.push_str(&rest[..index]);
        let escape = &rest[index..];
        if let Some(code) = surrogate_pair(escape) {
            let _ = write!(out, "\\U{code:08x}");
            rest = &escape[12..];
            changed = true;
        } else {
            // Any other escape: the backslash and the character it escapes,
            // so that `\\` is never read as the start of another escape.
            let width = escape[1..].chars().next().map_or(0, char::len_utf8);
            out.push_str(&escape[..1 + width]);
            rest = &escape[1 + width..];
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The code point of `\uHHHH\uLLLL` at the start of `text`, when it is a
/// high surrogate followed by a low one.
fn surrogate_pair(text: &str) -> Option<u32> {
    let unit = |at: usize| -> Option<u32> {
        let escape = text.get(at..at + 6)?;
        let hex = escape
            .strip_prefix("\\u")
            .or_else(|| escape.strip_prefix("\\U"))?;
        u32::from_str_radix(hex, 16).ok()
    };
    let high = unit(0).filter(|h| (0xD800..0xDC00).contains(h))?;
    let low = unit(6).filter(|l| (0xDC00..0xE000).contains(l))?;
    Some(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_pairs_in_json_become_yaml_escapes() {
        assert_eq!(
            normalise(r#"{"t": "a \ud83d\ude00 b"}"#),
            r#"{"t": "a \U0001f600 b"}"#
        );
        // An escaped backslash before `u` is not an escape of `u`.
        let literal = r#"{"t": "\\ud83d\\ude00"}"#;
        assert_eq!(normalise(literal), literal);
        // A lone surrogate is left for the parser to refuse.
        let lone = r#"{"t": "\ud83d x"}"#;
        assert_eq!(normalise(lone), lone);
        // YAML is left alone.
        let yaml = "t: a \\ud83d\\ude00\n";
        assert_eq!(normalise(yaml), yaml);
    }
}
