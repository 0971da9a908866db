//! The spec's bounds (`minimum`, `maxLength`, `pattern`, `maxItems`, …), as
//! static data the generator writes, checked against a value's JSON form.
//!
//! Checking the JSON form rather than Rust fields keeps the spec's own names
//! in every message (`ttl_seconds`, not `ttl_seconds` after renaming), and
//! works the same for requests, responses and headers.

use std::fmt;
use std::sync::OnceLock;

use regress::Regex;
use serde::Serialize;
use serde_json::Value;

/// The bounds a schema puts on a value.
#[derive(Debug)]
pub enum Rule {
    /// No bound.
    Any,
    /// An object: rules for named properties, and for any other property.
    Object {
        /// `(name in the spec, rule)` for each property with a bound somewhere.
        properties: &'static [(&'static str, Rule)],
        /// The rule for properties not listed (`additionalProperties`).
        additional: Option<&'static Rule>,
    },
    /// An array.
    Array {
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
        /// The rule for each item.
        items: &'static Rule,
    },
    /// An integer or number.
    Number {
        /// `minimum`, and whether `exclusiveMinimum` is set.
        minimum: Option<Limit>,
        /// `maximum`, and whether `exclusiveMaximum` is set.
        maximum: Option<Limit>,
        /// `multipleOf`.
        multiple_of: Option<f64>,
    },
    /// A string.
    Text {
        /// `minLength`, in characters.
        min_length: Option<u64>,
        /// `maxLength`, in characters.
        max_length: Option<u64>,
        /// `pattern`.
        pattern: Option<&'static Pattern>,
    },
    /// Every rule applies (`allOf`, or a `$ref` beside bounds).
    All(&'static [Rule]),
    /// The rule of a named schema, shared by reference.
    Named(&'static Rule),
}

/// A `minimum` or `maximum`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The bound.
    pub value: f64,
    /// Whether the bound itself is excluded.
    pub exclusive: bool,
}

/// A `pattern`, compiled on first use with ECMA-262 semantics (the
/// dialect OpenAPI specifies), by the same engine as the generated types.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// A pattern from the spec. The generator has already checked that it
    /// compiles.
    pub const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the spec.
    pub fn source(&self) -> &'static str {
        self.source
    }

    fn is_match(&self, text: &str) -> bool {
        // An uncompilable pattern (which the generator refuses) rejects
        // everything rather than nothing.
        self.compiled
            .get_or_init(|| Regex::new(self.source).ok())
            .as_ref()
            .is_some_and(|regex| regex.find(text).is_some())
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// A value that breaks a bound of the spec. It names where (the JSON path
/// in the spec's names) and which bound; it shows numbers and lengths but
/// never the text of a string, which may be a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundsError {
    /// Where, e.g. `ttl_seconds` or `scopes[3]`; empty for the value itself.
    pub path: String,
    /// Which bound and how it is broken.
    pub problem: String,
}

impl fmt::Display for BoundsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "the value {}", self.problem)
        } else {
            write!(f, "`{}` {}", self.path, self.problem)
        }
    }
}

impl BoundsError {
    /// The same error inside `name` (a parameter or field), for messages.
    pub fn within(mut self, name: &str) -> Self {
        self.path = if self.path.is_empty() {
            name.to_string()
        } else if self.path.starts_with('[') {
            format!("{name}{}", self.path)
        } else {
            format!("{name}.{}", self.path)
        };
        self
    }
}

impl std::error::Error for BoundsError {}

/// A type generated from a schema with bounds: checks a value against
/// them. The generated methods call it before sending and after decoding;
/// call it yourself to check a value you build or receive elsewhere.
pub trait Validate {
    /// Names the first bound of the spec this value breaks, if any.
    fn validate(&self) -> Result<(), BoundsError>;
}

/// Checks `value` against `rule`, naming the first bound it breaks.
pub fn check<T: Serialize + ?Sized>(value: &T, rule: &Rule) -> Result<(), BoundsError> {
    if matches!(rule, Rule::Any) {
        return Ok(());
    }
    check_json(&to_json(value)?, rule, &mut String::new())
}

/// `value` as JSON, the form bounds and `oneOf` shapes are checked in; a
/// value serde cannot write is refused as a request that cannot be sent.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value, BoundsError> {
    serde_json::to_value(value).map_err(|e| BoundsError {
        path: String::new(),
        problem: format!(
            "cannot be represented as JSON ({})",
            super::json_error_category(&e)
        ),
    })
}

fn fail(path: &str, problem: String) -> Result<(), BoundsError> {
    Err(BoundsError {
        path: path.to_string(),
        problem,
    })
}

fn check_json(value: &Value, rule: &Rule, path: &mut String) -> Result<(), BoundsError> {
    match (rule, value) {
        (Rule::Any, _) | (_, Value::Null) => Ok(()),
        (Rule::Named(inner), _) => check_json(value, inner, path),
        (Rule::All(rules), _) => rules.iter().try_for_each(|r| check_json(value, r, path)),
        (
            Rule::Object {
                properties,
                additional,
            },
            Value::Object(map),
        ) => {
            for (name, child) in map {
                let rule = properties
                    .iter()
                    .find(|(known, _)| known == name)
                    .map(|(_, rule)| rule)
                    .or(*additional);
                if let Some(rule) = rule {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                    check_json(child, rule, path)?;
                    path.truncate(len);
                }
            }
            Ok(())
        }
        (
            Rule::Array {
                min_items,
                max_items,
                items,
            },
            Value::Array(list),
        ) => {
            let count = list.len() as u64;
            if let Some(min) = min_items
                && count < *min
            {
                return fail(
                    path,
                    format!("has {count} items, fewer than minItems {min}"),
                );
            }
            if let Some(max) = max_items
                && count > *max
            {
                return fail(path, format!("has {count} items, more than maxItems {max}"));
            }
            for (index, item) in list.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_json(item, items, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        (
            Rule::Number {
                minimum,
                maximum,
                multiple_of,
            },
            Value::Number(number),
        ) => {
            let Some(found) = number.as_f64() else {
                return Ok(());
            };
            if let Some(Limit { value, exclusive }) = minimum {
                if *exclusive && found <= *value {
                    return fail(
                        path,
                        format!("is {number}, not greater than the exclusive minimum {value}"),
                    );
                }
                if !exclusive && found < *value {
                    return fail(path, format!("is {number}, less than the minimum {value}"));
                }
            }
            if let Some(Limit { value, exclusive }) = maximum {
                if *exclusive && found >= *value {
                    return fail(
                        path,
                        format!("is {number}, not less than the exclusive maximum {value}"),
                    );
                }
                if !exclusive && found > *value {
                    return fail(path, format!("is {number}, more than the maximum {value}"));
                }
            }
            if let Some(step) = multiple_of {
                let ratio = found / step;
                if (ratio - ratio.round()).abs() > 1e-9 {
                    return fail(path, format!("is {number}, not a multiple of {step}"));
                }
            }
            Ok(())
        }
        (
            Rule::Text {
                min_length,
                max_length,
                pattern,
            },
            Value::String(text),
        ) => {
            let length = text.chars().count() as u64;
            if let Some(min) = min_length
                && length < *min
            {
                return fail(
                    path,
                    format!("is {length} characters long, shorter than minLength {min}"),
                );
            }
            if let Some(max) = max_length
                && length > *max
            {
                return fail(
                    path,
                    format!("is {length} characters long, longer than maxLength {max}"),
                );
            }
            if let Some(pattern) = pattern
                && !pattern.is_match(text)
            {
                return fail(
                    path,
                    format!("does not match the pattern `{}`", pattern.source()),
                );
            }
            Ok(())
        }
        // A value of another type than the rule's is the decoder's concern.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static CODE: Pattern = Pattern::new("^[0-9]{6}$");
    static RULE: Rule = Rule::Object {
        properties: &[
            (
                "ttl",
                Rule::Number {
                    minimum: Some(Limit {
                        value: 3600.0,
                        exclusive: false,
                    }),
                    maximum: Some(Limit {
                        value: 7200.0,
                        exclusive: true,
                    }),
                    multiple_of: None,
                },
            ),
            (
                "otp",
                Rule::Text {
                    min_length: Some(6),
                    max_length: Some(6),
                    pattern: Some(&CODE),
                },
            ),
            (
                "tags",
                Rule::Array {
                    min_items: Some(1),
                    max_items: Some(2),
                    items: &Rule::Text {
                        min_length: Some(2),
                        max_length: None,
                        pattern: None,
                    },
                },
            ),
        ],
        additional: None,
    };

    fn problem(value: serde_json::Value) -> Option<String> {
        check(&value, &RULE).err().map(|e| e.to_string())
    }

    #[test]
    fn values_within_bounds_pass() {
        assert_eq!(
            problem(json!({"ttl": 3600, "otp": "123456", "tags": ["ab"]})),
            None
        );
        assert_eq!(problem(json!({"ttl": null, "other": 1})), None);
    }

    #[test]
    fn each_bound_is_named_with_its_path() {
        assert_eq!(
            problem(json!({"ttl": 10})).as_deref(),
            Some("`ttl` is 10, less than the minimum 3600")
        );
        assert_eq!(
            problem(json!({"ttl": 7200})).as_deref(),
            Some("`ttl` is 7200, not less than the exclusive maximum 7200")
        );
        assert_eq!(
            problem(json!({"tags": []})).as_deref(),
            Some("`tags` has 0 items, fewer than minItems 1")
        );
        assert_eq!(
            problem(json!({"tags": ["ab", "c"]})).as_deref(),
            Some("`tags[1]` is 1 characters long, shorter than minLength 2")
        );
    }

    #[test]
    fn strings_are_described_but_never_shown() {
        let message = problem(json!({"otp": "12345x"})).unwrap_or_default();
        assert_eq!(message, "`otp` does not match the pattern `^[0-9]{6}$`");
        let message = problem(json!({"otp": "secret-value"})).unwrap_or_default();
        assert!(!message.contains("secret-value"), "{message}");
    }
}
