//! Checks that the spec's examples fit the generated types: the generator
//! turns every `example`/`examples` into a test calling these.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{BoundsError, HeaderValueType};

/// Decodes the example `json` into `T`, checks it against the bounds with
/// `check`, and serializes it back to the same JSON (up to absent, `null`
/// and empty members, which the types may drop). `label` names the example
/// in the message.
pub fn check_example<T: DeserializeOwned + Serialize>(
    label: &str,
    json: &str,
    check: fn(&T) -> Result<(), BoundsError>,
) -> Result<(), String> {
    let original: Value =
        serde_json::from_str(json).map_err(|e| format!("{label} is not valid JSON: {e}"))?;
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        format!(
            "{label} does not fit `{}`: at `{}`: {}",
            std::any::type_name::<T>(),
            e.path(),
            e.inner()
        )
    })?;
    check(&value).map_err(|e| format!("{label} breaks a bound: {e}"))?;
    let round_trip = serde_json::to_value(&value)
        .map_err(|e| format!("{label} does not serialize back: {e}"))?;
    if normalized(round_trip.clone()) != normalized(original.clone()) {
        return Err(format!(
            "{label} does not round-trip: it reads as {original} but writes back as {round_trip}"
        ));
    }
    Ok(())
}

/// Parses the example value of a header as the header would be parsed.
pub fn check_header_example<T: HeaderValueType>(label: &str, text: &str) -> Result<(), String> {
    T::parse_header(text)
        .map(|_| ())
        .ok_or_else(|| format!("{label} is not {}", T::EXPECTED))
}

/// Drops members that are absent in effect (`null`, `[]`, `{}`), which
/// generated types skip when serializing.
fn normalized(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, normalized(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    _ => true,
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Serialize)]
    struct Sample {
        n: i64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        list: Vec<String>,
    }

    fn small(sample: &Sample) -> Result<(), BoundsError> {
        if sample.n > 5 {
            return Err(BoundsError {
                path: "n".into(),
                problem: format!("is {}, more than the maximum 5", sample.n),
            });
        }
        Ok(())
    }

    #[test]
    fn fitting_examples_pass_and_others_are_named() {
        assert_eq!(
            check_example::<Sample>("example `a`", r#"{"n":1,"list":[]}"#, small),
            Ok(())
        );
        let error = check_example::<Sample>("example `b`", r#"{"n":"one"}"#, small).unwrap_err();
        assert!(error.starts_with("example `b` does not fit"), "{error}");
        assert!(error.contains("at `n`"), "{error}");
        let error = check_example::<Sample>("example `c`", r#"{"n":9}"#, small).unwrap_err();
        assert_eq!(
            error,
            "example `c` breaks a bound: `n` is 9, more than the maximum 5"
        );
        let error = check_example::<i64>("example `d`", "2.5", |_| Ok(())).unwrap_err();
        assert!(error.contains("does not fit"), "{error}");
    }
}
