//! Keeping what the client sent out of what it prints: the secrets of a
//! request body, their redaction from an error body that echoes them, and
//! server text cut short and escaped for `Display`/`Debug`.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Secret;

/// What a redacted value is replaced with.
const REDACTED: &str = "<redacted>";

/// How many characters of server text an error prints.
pub(crate) const MAX_SERVER_TEXT: usize = 512;

thread_local! {
    /// While [`sent_secrets`] serializes a value: the secrets met so far.
    static COLLECTED: RefCell<Option<Vec<Secret>>> = const { RefCell::new(None) };
}

/// Called by `Secret`'s `Serialize`: notes `secret` when [`sent_secrets`]
/// is collecting on this thread.
pub(crate) fn note_serialized(secret: &Secret) {
    COLLECTED.with(|collected| {
        if let Some(secrets) = collected.borrow_mut().as_mut() {
            secrets.push(secret.clone());
        }
    });
}

/// The [`Secret`]s inside `value` (a request body), found by serializing
/// it once and noting each `Secret` serialized. Generated methods call it
/// only when an error body has to be checked for echoes.
pub fn sent_secrets<T: Serialize + ?Sized>(value: &T) -> Vec<Secret> {
    let outer = COLLECTED.with(|collected| collected.replace(Some(Vec::new())));
    // Only the side effect matters; a body that fails to serialize was not
    // sent either.
    let _ = serde_json::to_writer(std::io::sink(), value);
    COLLECTED
        .with(|collected| collected.replace(outer))
        .unwrap_or_default()
}

/// Values shorter than this are not looked for: they occur in ordinary
/// text by chance (a one-letter test token would match every word), and
/// are too short to be worth hiding.
pub(crate) const MIN_REDACTED_LEN: usize = 4;

/// `body` with every occurrence of each `sent` value, in any string or key,
/// replaced by `<redacted>`; `None` when something was replaced but the
/// result no longer decodes as `E` (a pattern, an enum), so the body cannot
/// be shown at all. Values shorter than 4 bytes are ignored.
pub fn redact_echo<E: Serialize + DeserializeOwned>(body: E, sent: &[&str]) -> Option<E> {
    let sent: Vec<&str> = sent
        .iter()
        .copied()
        .filter(|s| s.len() >= MIN_REDACTED_LEN)
        .collect();
    if sent.is_empty() {
        return Some(body);
    }
    // A body that does not serialize cannot be checked, so is not shown.
    let mut value = serde_json::to_value(&body).ok()?;
    if !redact_value(&mut value, &sent) {
        return Some(body);
    }
    serde_json::from_value(value).ok()
}

/// For error bodies that are not JSON (a byte stream, which is never
/// printed): `body` as it is.
pub fn keep_error<E>(body: E, _sent: &[&str]) -> Option<E> {
    Some(body)
}

/// Redacts `sent` in the strings and keys of `value`; whether anything was.
fn redact_value(value: &mut Value, sent: &[&str]) -> bool {
    match value {
        Value::String(text) => redact_text(text, sent),
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| redact_value(item, sent) | changed),
        Value::Object(map) => {
            let mut changed = false;
            let entries = std::mem::take(map);
            for (mut key, mut item) in entries {
                changed |= redact_text(&mut key, sent);
                changed |= redact_value(&mut item, sent);
                map.insert(key, item);
            }
            changed
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn redact_text(text: &mut String, sent: &[&str]) -> bool {
    let mut changed = false;
    for secret in sent {
        if text.contains(secret) {
            *text = text.replace(secret, REDACTED);
            changed = true;
        }
    }
    changed
}

/// Shows `T`'s `Debug` output cut to [`MAX_SERVER_TEXT`] characters, with
/// control and bidirectional-formatting characters escaped: text a server
/// chose cannot flood a log or rewrite a terminal line.
pub(crate) struct ClippedDebug<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for ClippedDebug<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        clipped(f, format_args!("{:?}", self.0))
    }
}

impl<T: fmt::Debug + ?Sized> fmt::Display for ClippedDebug<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        clipped(f, format_args!("{:?}", self.0))
    }
}

/// Shows a string cut and escaped like [`ClippedDebug`], without quotes.
pub(crate) struct ClippedText<'a>(pub(crate) &'a str);

impl fmt::Display for ClippedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        clipped(f, format_args!("{}", self.0))
    }
}

impl fmt::Debug for ClippedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        clipped(f, format_args!("{}", self.0))?;
        f.write_char('"')
    }
}

/// Writes `args` to `f`, escaped, stopping after [`MAX_SERVER_TEXT`]
/// characters with a note of the cut.
fn clipped(f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>) -> fmt::Result {
    let mut out = Clip {
        out: f,
        left: MAX_SERVER_TEXT,
        cut: false,
        failed: false,
    };
    // Stopping at the cut is reported as an error by `fmt::write`, which
    // also ends the formatting of the rest early.
    let result = fmt::write(&mut out, args);
    let (cut, failed) = (out.cut, out.failed);
    if failed || (result.is_err() && !cut) {
        return Err(fmt::Error);
    }
    if cut {
        write!(f, "…[cut at {MAX_SERVER_TEXT} characters]")?;
    }
    Ok(())
}

struct Clip<'a, 'b> {
    out: &'a mut fmt::Formatter<'b>,
    left: usize,
    cut: bool,
    failed: bool,
}

impl fmt::Write for Clip<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for c in text.chars() {
            if self.left == 0 {
                self.cut = true;
                return Err(fmt::Error);
            }
            self.left -= 1;
            let written = if needs_escape(c) {
                write!(self.out, "{}", c.escape_unicode())
            } else {
                self.out.write_char(c)
            };
            if written.is_err() {
                self.failed = true;
                return Err(fmt::Error);
            }
        }
        Ok(())
    }
}

/// Control characters, and the Unicode ones that reorder or hide text.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Body {
        id: &'static str,
        secret: Secret,
        nested: Vec<Option<Secret>>,
    }

    #[test]
    fn secrets_of_a_body_are_found_by_serializing_it() {
        let body = Body {
            id: "c2m_abc123",
            secret: Secret::from("s1"),
            nested: vec![None, Some(Secret::from("s2"))],
        };
        let found: Vec<String> = sent_secrets(&body)
            .into_iter()
            .map(Secret::into_exposed)
            .collect();
        assert_eq!(found, ["s1", "s2"]);
        // Outside `sent_secrets`, serializing notes nothing.
        assert!(serde_json::to_string(&body).is_ok());
        assert!(sent_secrets(&"plain").is_empty());
    }

    #[test]
    fn echoes_are_redacted_in_strings_and_keys() {
        let body = serde_json::json!({
            "message": "bad secret hunter2 for token tok-1",
            "details": {"hunter2": ["tok-1", 5]},
        });
        let redacted = redact_echo(body, &["hunter2", "tok-1", "", "e"]).unwrap();
        let text = redacted.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("tok-1"),
            "{text}"
        );
        assert!(text.contains("bad secret <redacted> for token <redacted>"));
    }

    #[test]
    fn an_echo_that_cannot_be_redacted_hides_the_body() {
        #[derive(Serialize, serde::Deserialize, Debug)]
        enum Code {
            #[serde(rename = "hunter2")]
            Echo,
        }
        assert!(redact_echo(Code::Echo, &["hunter2"]).is_none());
        assert!(redact_echo(Code::Echo, &["other"]).is_some());
    }

    #[test]
    fn server_text_is_cut_and_escaped() {
        let long = "x".repeat(100_000);
        let shown = ClippedText(&long).to_string();
        assert!(
            shown.chars().count() < MAX_SERVER_TEXT + 40,
            "{}",
            shown.len()
        );
        assert!(shown.ends_with("…[cut at 512 characters]"));
        let shown = ClippedText("a\u{1b}[2Jb\r\nc\u{202e}d").to_string();
        assert_eq!(shown, "a\\u{1b}[2Jb\\u{d}\\u{a}c\\u{202e}d");
        assert_eq!(ClippedText("short").to_string(), "short");
    }
}
