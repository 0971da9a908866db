//! Reading a JSON document without the YAML parser, when the result is
//! sure to be the one the YAML parser gives.
//!
//! Every document is YAML to the generator (JSON is YAML's flow style), and
//! going through `serde_yaml` costs more than the checks that follow it on a
//! large JSON document. [`read`] parses the text as strict JSON instead, and
//! gives up (returns `None`, so the caller reads the text as YAML, which
//! also places any error at its line and column) on anything where the two
//! readings could differ or the YAML reading reports an error:
//! - text that is not valid JSON (YAML's leniencies: comments, trailing
//!   commas, single quotes, several documents);
//! - a repeated key (an error to YAML, the last value to JSON);
//! - any number that is not an integer of 64 bits (serde_json rounds some
//!   decimals otherwise than Rust's parser does, reads integers too large
//!   for 64 bits as floats, which YAML refuses, and `-0` as a float, which
//!   YAML reads as the integer 0);
//! - nesting near [`MAX_NESTING`] (the YAML path names the place);
//! - a long key (1,000 bytes, or 160 in a text with escapes), or a colon on
//!   a later line than its key or after many spaces (YAML's implicit keys
//!   end at 1,024 characters and at the line's end);
//! - a tab, or a character YAML does not allow in a stream (DEL, C1
//!   controls, U+FFFE, U+FFFF).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::limits::MAX_NESTING;

/// Keys this long or longer (in bytes, decoded) are left to the YAML
/// reader, whose implicit keys end at 1,024 characters of text: a key
/// without escapes is as long in the text, and an escape is at most six
/// characters for one byte, so a text with escapes has a lower limit.
const LONGEST_KEY: usize = 1_000;
const LONGEST_KEY_WITH_ESCAPES: usize = 160;

/// Spaces between a key and its colon from which the text is left to the
/// YAML reader (a key's characters and these count towards its 1,024).
const WIDEST_GAP: usize = 16;

/// The JSON value of `text`, when it is JSON that the YAML reader would
/// read to the same value without error; `None` otherwise.
pub(crate) fn read(text: &str) -> Option<Value> {
    if !text.trim_start().starts_with('{')
        || !yaml_allows_every_character(text)
        || colon_apart_from_key(text)
    {
        return None;
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    let longest_key = if text.as_bytes().contains(&b'\\') {
        LONGEST_KEY_WITH_ESCAPES
    } else {
        LONGEST_KEY
    };
    let strict = Strict {
        depth: 0,
        longest_key,
    };
    let value = strict.deserialize(&mut reader).ok()?;
    reader.end().ok()?;
    Some(value)
}

/// Whether `text` has no tab and no DEL: in valid JSON a tab can only be
/// whitespace, which YAML does not allow before every token, and YAML's
/// reader refuses DEL. (The other characters YAML refuses can stand only
/// in strings, which [`Strict`] checks one by one.)
fn yaml_allows_every_character(text: &str) -> bool {
    // Byte searches, which cost little even in the dev profile.
    let bytes = text.as_bytes();
    !bytes.contains(&b'\t') && !bytes.contains(&0x7f)
}

/// Whether some `:` stands apart from what precedes it: on a later line,
/// or after [`WIDEST_GAP`] spaces or more. In valid JSON that can only be
/// a key's colon (a string holds no line break), and YAML's implicit keys
/// end at the line's end and 1,024 characters, so it reads such a key
/// otherwise. (A colon inside a string after many spaces is only refused
/// to no harm: the YAML path reads it.)
fn colon_apart_from_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    // `find` of a char is a byte search, cheap even in the dev profile.
    while let Some(offset) = text[from..].find(':') {
        let colon = from + offset;
        let mut at = colon;
        while at > 0 && matches!(bytes[at - 1], b' ' | b'\r') {
            at -= 1;
        }
        if colon - at >= WIDEST_GAP || (at > 0 && bytes[at - 1] == b'\n') {
            return true;
        }
        from = colon + 1;
    }
    false
}

/// Whether YAML's reader would take a decoded string's characters as the
/// text held them. ASCII always: a control character in a JSON string
/// comes from an escape, which YAML decodes alike, and a raw DEL was
/// refused with the whole text. Beyond ASCII, YAML refuses C1 controls but
/// NEL, U+FFFE and U+FFFF (raw or escaped, both are left to YAML).
fn yaml_printable(text: &str) -> bool {
    text.is_ascii()
        || text.chars().all(|c| match c {
            '\0'..='\u{7f}' | '\u{85}' => true,
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' => true,
            c => c >= '\u{10000}',
        })
}

/// Builds a `Value` the way `serde_json::Value` does, refusing what the
/// module docs list.
#[derive(Clone, Copy)]
struct Strict {
    depth: usize,
    /// Keys this long (decoded) or longer are refused.
    longest_key: usize,
}

impl Strict {
    /// The reader of a container's members, or an error when the container
    /// nests close enough to the limit for the YAML path to judge it.
    fn inner<E: de::Error>(self) -> Result<Self, E> {
        let depth = self.depth + 1;
        if depth + 2 >= MAX_NESTING {
            return Err(E::custom("nested deeply: left to the YAML reader"));
        }
        Ok(Self { depth, ..self })
    }
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Err(E::custom("not an integer: left to the YAML reader"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        printable(value)?;
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        printable(&value)?;
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut list = Vec::new();
        while let Some(item) = items.next_element_seed(inner)? {
            list.push(item);
        }
        Ok(Value::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut map = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            printable(&key)?;
            if key.len() >= self.longest_key || map.contains_key(&key) {
                return Err(de::Error::custom(
                    "a long or repeated key: left to the YAML reader",
                ));
            }
            let value = entries.next_value_seed(inner)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// An error for a string the YAML reader would read otherwise.
fn printable<E: de::Error>(text: &str) -> Result<(), E> {
    if yaml_printable(text) {
        Ok(())
    } else {
        Err(E::custom(
            "a character YAML refuses: left to the YAML reader",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the YAML path makes of `text`, as `load_normalised` reads it.
    fn through_yaml(text: &str) -> Option<Value> {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
        serde_json::to_value(&yaml).ok()
    }

    /// Whenever the JSON reader answers, the YAML reader gives the same
    /// value; and it answers for plain JSON.
    #[test]
    fn the_json_reader_agrees_with_the_yaml_reader_or_declines() {
        let answered = [
            r#"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#,
            r#"{"n": -5, "z": 0, "big": 18446744073709551615, "neg": -9223372036854775808}"#,
            r#"{"s": "\"\\\/\b\f\n\r\t \u0041 \u00e9 \u4e2d é 中 😀", "e": "", "k": {}}"#,
            r#"{"c": "\u0000 \u001b \u007f \u0085", "\u0001": "é\u0085"}"#,
            "{\"a\":1,\n\"b\":[\r\n1 ,2 ] }\n",
            "{\"a\":\n  1, \"b\" :\r\n[\n1\n]\n}",
            "{ \"a\": 1\n, \"b\": [1\n,2]\n, \"c\": \"x\"\n\n}",
            r##"{"key:with: colons": "v: w", "#": "# no comment", "&a": "*a", "!t": "?"}"##,
            r#"{"yes": "no", "on": "off", "null": "~", "x": "0x1F", "o": "0o17", "e": "1e400"}"#,
        ];
        for text in answered {
            let json = read(text).unwrap_or_else(|| panic!("declined {text}"));
            assert_eq!(Some(json), through_yaml(text), "{text}");
        }
        let declined = [
            r#"{"a": 1,}"#,
            r#"{"a": 1} # comment"#,
            r#"{'a': 1}"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"f": 1.5}"#,
            r#"{"f": 1e2}"#,
            r#"{"f": 18446744073709551616}"#,
            r#"{"f": -9223372036854775809}"#,
            r#"{"f": 1e400}"#,
            r#"{"f": -0}"#,
            "{\"a\"\n: 1}",
            "{\"a\": 1, \"b\"\r\n   : 2}",
            r#"{"s": "\ud83d"}"#,
            "{\"s\":\t1}",
            "{\"s\": \"\u{7f}\"}",
            "{\"s\": \"\u{9f}\"}",
            "{\"s\": \"\u{fffe}\"}",
            "{\"\u{9f}\": 1}",
            "\u{feff}{\"a\": 1}",
            "{\"a\": 1}\n{\"b\": 2}",
            "[1, 2]",
            "a: 1",
            "",
        ];
        for text in declined {
            assert_eq!(read(text), None, "{text}");
        }
        let key =
            |length: usize, escape: &str| format!("{{\"{}\": \"{escape}\"}}", "k".repeat(length));
        let agrees = |text: String| {
            assert!(read(&text).is_some() && read(&text) == through_yaml(&text));
        };
        agrees(key(LONGEST_KEY - 1, ""));
        assert_eq!(read(&key(LONGEST_KEY, "")), None);
        agrees(key(LONGEST_KEY_WITH_ESCAPES - 1, "\\n"));
        assert_eq!(read(&key(LONGEST_KEY_WITH_ESCAPES, "\\n")), None);
        let gap = |spaces: usize| format!("{{\"a\"{}: 1}}", " ".repeat(spaces));
        agrees(gap(WIDEST_GAP - 1));
        assert_eq!(read(&gap(WIDEST_GAP)), None);
    }

    #[test]
    fn nesting_near_the_limit_is_left_to_the_yaml_reader() {
        let nested = |levels: usize| {
            format!(
                "{{\"x\": {}{}}}",
                "[".repeat(levels - 1),
                "]".repeat(levels - 1)
            )
        };
        assert!(read(&nested(MAX_NESTING - 3)).is_some());
        assert_eq!(read(&nested(MAX_NESTING - 2)), None);
        assert_eq!(read(&nested(MAX_NESTING + 10)), None);
    }

    /// The corpus documents take the fast path, to the YAML path's value.
    #[test]
    fn corpus_documents_are_read_as_json_alike() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for name in [
            "nexus.json",
            "buildomat.json",
            "keeper.json",
            "propolis-server.json",
        ] {
            let text = std::fs::read_to_string(corpus.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let json = read(&text).unwrap_or_else(|| panic!("{name} declined"));
            assert!(Some(json) == through_yaml(&text), "{name}");
        }
    }
}
