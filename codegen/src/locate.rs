//! Finding the line and column of a JSON pointer in YAML source text.
//!
//! `serde_yaml` keeps no positions in its `Value`, but it does attach the
//! position of the current node to any error a visitor raises. So to find a
//! node we walk the document with a visitor that follows the pointer and
//! raises a marker error on arrival: the error's location is the node's.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A one-based line and column in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    /// One-based line number.
    pub line: usize,
    /// One-based column number.
    pub column: usize,
}

impl fmt::Display for LineColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

const FOUND: &str = "c2m-auth-codegen: pointer target reached";

/// Returns where the node at `pointer` (an RFC 6901 JSON pointer such as
/// `/paths/~1auth/post`) starts in `yaml`, or `None` when there is no such node.
pub fn locate(yaml: &str, pointer: &str) -> Option<LineColumn> {
    let segments = split_pointer(pointer);
    let deserializer = serde_yaml::Deserializer::from_str(yaml);
    let error = Seek { path: &segments }.deserialize(deserializer).err()?;
    // serde_yaml puts the path of the node in front of the message.
    if !error.to_string().contains(FOUND) {
        return None;
    }
    let location = error.location()?;
    Some(LineColumn {
        line: location.line(),
        column: location.column(),
    })
}

/// Where the node at `pointer` starts, or else its nearest ancestor that
/// can be found, or else the start of the text: every error gets a line and
/// column, with the pointer beside it naming the node itself.
pub fn locate_nearest(yaml: &str, pointer: &str) -> LineColumn {
    let mut pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    loop {
        if let Some(position) = locate(yaml, pointer) {
            return position;
        }
        match pointer.rfind('/') {
            Some(index) => pointer = &pointer[..index],
            None => return LineColumn { line: 1, column: 1 },
        }
    }
}

/// Splits a JSON pointer into its unescaped reference tokens.
pub fn split_pointer(pointer: &str) -> Vec<String> {
    let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    pointer
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Escapes one reference token for use in a JSON pointer.
pub fn escape_token(token: &str) -> String {
    // Most tokens need no escape, and the checks escape every key.
    let bytes = token.as_bytes();
    if !bytes.contains(&b'~') && !bytes.contains(&b'/') {
        return token.to_string();
    }
    token.replace('~', "~0").replace('/', "~1")
}

struct Seek<'a> {
    path: &'a [String],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((wanted, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        // The last segment is reported at its key (`post:`), not at the
        // first line of its value.
        let key_seed = || Key {
            wanted,
            is_target: rest.is_empty(),
        };
        while let Some(matched) = map.next_key_seed(key_seed())? {
            if matched {
                return map.next_value_seed(Seek { path: rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("not found"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((wanted, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let index: usize = wanted
            .parse()
            .map_err(|_| de::Error::custom("not an index"))?;
        for _ in 0..index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("not found"));
            }
        }
        match seq.next_element_seed(Seek { path: rest })? {
            Some(()) => Ok(()),
            None => Err(de::Error::custom("not found")),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.arrive()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.arrive()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.arrive()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.arrive()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.arrive()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.arrive()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.arrive()
    }
}

impl Seek<'_> {
    fn arrive<E: de::Error>(self) -> Result<(), E> {
        if self.path.is_empty() {
            Err(E::custom(FOUND))
        } else {
            Err(E::custom("not found"))
        }
    }
}

/// A mapping key: whether it is the wanted one; the walk's target when
/// `is_target`, in which case finding it ends the walk at the key.
struct Key<'a> {
    wanted: &'a str,
    is_target: bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        // Decided inside the visitor, so that the error carries the key's
        // own position.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        let matched = key == self.wanted;
        if matched && self.is_target {
            return Err(E::custom(FOUND));
        }
        Ok(matched)
    }
    fn visit_i64<E: de::Error>(self, key: i64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_u64<E: de::Error>(self, key: u64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_f64<E: de::Error>(self, key: f64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_bool<E: de::Error>(self, key: bool) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
openapi: 3.0.3
paths:
  /a/{id}:
    post:
      operationId: first
      responses:
        201:
          description: made
list:
  - one
  - two: 2
";

    #[test]
    fn finds_mapping_values_scalars_and_sequence_items() {
        // A mapping entry is reported at its key.
        assert_eq!(
            locate(DOC, "/openapi"),
            Some(LineColumn { line: 1, column: 1 })
        );
        assert_eq!(
            locate(DOC, "/paths/~1a~1{id}/post/operationId"),
            Some(LineColumn { line: 5, column: 7 })
        );
        // An unquoted integer key matches its decimal text.
        assert_eq!(
            locate(DOC, "/paths/~1a~1{id}/post/responses/201"),
            Some(LineColumn { line: 7, column: 9 })
        );
        // A sequence item is reported where it starts.
        assert_eq!(
            locate(DOC, "/list/1"),
            Some(LineColumn {
                line: 11,
                column: 5
            })
        );
        assert_eq!(
            locate(DOC, "/list/1/two"),
            Some(LineColumn {
                line: 11,
                column: 5
            })
        );
    }

    #[test]
    fn missing_nodes_have_no_location() {
        assert_eq!(locate(DOC, "/paths/~1b"), None);
        assert_eq!(locate(DOC, "/list/7"), None);
        assert_eq!(locate(DOC, "/openapi/deeper"), None);
    }

    #[test]
    fn missing_nodes_fall_back_to_their_nearest_ancestor() {
        assert_eq!(
            locate_nearest(DOC, "/paths/~1a~1{id}/post/security/0"),
            LineColumn { line: 4, column: 5 }
        );
        assert_eq!(
            locate_nearest(DOC, "/nowhere"),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(locate_nearest("", ""), LineColumn { line: 1, column: 1 });
    }

    #[test]
    fn pointer_tokens_round_trip() {
        assert_eq!(split_pointer("#/a~1b/c~0d"), vec!["a/b", "c~d"]);
        assert_eq!(escape_token("/x~y"), "~1x~0y");
    }
}
