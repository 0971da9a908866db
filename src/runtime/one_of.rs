//! "Exactly one" for the generated `oneOf` enums, which serde's untagged
//! enums do not enforce (they take the first shape that decodes).
//!
//! A shape matches a JSON value when the value decodes into that shape's
//! variant as serde decodes it: for an object shape, its required
//! properties are present and decode (unknown properties are allowed, as
//! the schemas do not close them); for a `$ref` shape, the value decodes
//! into the referenced type with whatever checks that type makes itself
//! (its own `oneOf`s included). Bounds that are checked separately
//! ([`check`](super::check)) do not take part in the count.

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::BoundsError;

/// Decodes a `oneOf` value: `Shapes` is an externally tagged twin of the
/// enum (one variant per shape, named as in `shapes`), so each shape is
/// tried alone. Fails unless exactly one shape decodes, naming the schema
/// and the shapes that matched.
pub fn decode_one_of<'de, D, Shapes>(
    deserializer: D,
    schema: &str,
    shapes: &[&str],
) -> Result<Shapes, D::Error>
where
    D: Deserializer<'de>,
    Shapes: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    exactly_one(&value, schema, shapes).map_err(D::Error::custom)
}

/// Refuses a value to be sent whose JSON would match no shape or several
/// of a `oneOf` inside it: the JSON must decode back into its own type,
/// whose generated `oneOf`s count their shapes.
pub fn check_one_of<T: Serialize + DeserializeOwned>(value: &T) -> Result<(), BoundsError> {
    match serde_json::from_value::<T>(super::rules::to_json(value)?) {
        Ok(_) => Ok(()),
        Err(error) => Err(BoundsError {
            path: String::new(),
            problem: format!("does not match its schema: {error}"),
        }),
    }
}

/// The one shape `value` decodes into, or the message saying how many did.
fn exactly_one<Shapes: DeserializeOwned>(
    value: &Value,
    schema: &str,
    shapes: &[&str],
) -> Result<Shapes, String> {
    let mut matched = Vec::new();
    let mut decoded = None;
    // Why each shape failed, so that a `oneOf` nested in a shape is named
    // when it is the reason.
    let mut failures = Vec::new();
    for shape in shapes {
        let tagged = Value::Object([((*shape).to_string(), value.clone())].into_iter().collect());
        match serde_json::from_value::<Shapes>(tagged) {
            Ok(found) => {
                matched.push(*shape);
                decoded.get_or_insert(found);
            }
            Err(error) => failures.push(format!("{shape}: {error}")),
        }
    }
    match (matched.len(), decoded) {
        (1, Some(found)) => Ok(found),
        (0, _) => Err(format!(
            "{schema}: value matches none of its oneOf shapes ({}); exactly one is required",
            failures.join("; ")
        )),
        (count, _) => Err(format!(
            "{schema}: value matches {count} of its oneOf shapes ({}); exactly one is required",
            matched.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    enum Shapes {
        Number(u32),
        Named { name: String },
        NamedZip { name: String, zip: u32 },
    }

    const SHAPES: &[&str] = &["Number", "Named", "NamedZip"];

    #[test]
    fn one_match_decodes_and_others_are_named() {
        let one: Result<Shapes, String> = exactly_one(&serde_json::json!(3), "S", SHAPES);
        assert_eq!(one, Ok(Shapes::Number(3)));
        let two = exactly_one::<Shapes>(&serde_json::json!({"name": "a", "zip": 1}), "S", SHAPES);
        assert_eq!(
            two.err().as_deref(),
            Some("S: value matches 2 of its oneOf shapes (Named, NamedZip); exactly one is required")
        );
        let none = exactly_one::<Shapes>(&serde_json::json!("x"), "S", SHAPES);
        assert!(none.is_err_and(|e| e.contains("matches none")));
    }
}
