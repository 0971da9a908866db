//! Named schemas and what they contain: fields, nullability, enums, formats
//! and bounds, each judged by whether requests or responses use it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Diff, Usage, Verdict, component_name, field_place, text};
use crate::model::Spec;
use crate::naming;
use crate::validate::required_names;

impl<'a> Diff<'a> {
    /// Named schemas, once each, judged by how the new document uses them.
    pub(super) fn components(&mut self) {
        let (old, new) = (self.old, self.new);
        let names = |spec: &Spec<'_>| -> BTreeSet<String> {
            spec.schemas.iter().map(|s| s.name.to_string()).collect()
        };
        let (old_names, new_names) = (names(old), names(new));
        let schema = |spec: &'a Spec<'a>, name: &str| {
            spec.schemas
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.schema.node)
        };
        for name in old_names.intersection(&new_names) {
            let (Some(a), Some(b)) = (schema(old, name), schema(new, name)) else {
                continue;
            };
            let usage = self
                .new_usage
                .get(name)
                .copied()
                .unwrap_or_default()
                .or(self.old_usage.get(name).copied().unwrap_or_default());
            self.schema_body(&format!("`{name}`"), a, b, usage);
        }
        for name in new_names.difference(&old_names) {
            self.push(
                Verdict::Compatible,
                format!("`{name}`"),
                "schema added: a new type in `types`",
            );
        }
        for name in old_names.difference(&new_names) {
            self.push(
                Verdict::Breaking,
                format!("`{name}`"),
                "schema removed: its type is gone from `types`",
            );
        }
    }

    /// Compares two schemas at an operation site: named references are
    /// compared once under `components`, so only a change of name is
    /// reported here.
    pub(super) fn schema(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        match (component_name(old), component_name(new)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from `{a}` to `{b}`"),
            ),
            (Some(a), None) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from `{a}` to an inline schema"),
            ),
            (None, Some(b)) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from an inline schema to `{b}`"),
            ),
            (None, None) => self.schema_body(place, old, new, usage),
        }
    }

    pub(super) fn schema_body(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let kind = |s: &Value| -> String {
            let mut k = text(s, "type").to_string();
            let format = text(s, "format");
            if !format.is_empty() {
                k = format!("{k} ({format})");
            }
            if s.get("x-secret").and_then(Value::as_bool) == Some(true) {
                k.push_str(" (secret)");
            }
            k
        };
        if kind(old) != kind(new) {
            self.push(
                Verdict::Breaking,
                place,
                format!(
                    "type changes from {} to {}",
                    show(&kind(old)),
                    show(&kind(new))
                ),
            );
            return;
        }
        if old.get("nullable") != new.get("nullable") {
            self.push(
                Verdict::Breaking,
                place,
                "nullability changes: the field's type changes",
            );
        }
        self.enums(place, old, new, usage);
        self.bounds(place, old, new, usage);
        if integer_type(old) != integer_type(new) {
            self.push(
                Verdict::Breaking,
                place,
                format!(
                    "the field's type changes from `{}` to `{}`: the generator picks it from `minimum`",
                    integer_type(old),
                    integer_type(new)
                ),
            );
        }
        if checked_string(old) != checked_string(new) {
            self.push(
                Verdict::Breaking,
                place,
                "the field's type changes between `String` and a newtype that checks its length or pattern",
            );
        }

        self.fields(place, old, new, usage);
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.schema(&field_place(place, "[]"), a, b, usage);
        }
        self.additional_properties(place, old, new, usage);
    }

    /// An object's fields: added, removed, and each field's change.
    fn fields(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let props = |s: &Value| -> BTreeMap<String, Value> {
            s.get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let required =
            |s: &Value| -> BTreeSet<String> { required_names(s).map(str::to_string).collect() };
        let (old_props, new_props) = (props(old), props(new));
        let (old_required, new_required) = (required(old), required(new));
        for (name, schema) in &new_props {
            let field = field_place(place, name);
            match old_props.get(name) {
                None => {
                    let req = new_required.contains(name);
                    // Generated structs are non-exhaustive and built with
                    // `new(required fields)`: only a required field changes that.
                    let (verdict, why) = if req {
                        (Verdict::Breaking, "`new` takes one more argument")
                    } else {
                        (
                            Verdict::Compatible,
                            "structs are non-exhaustive and `new` is unchanged",
                        )
                    };
                    self.push(
                        verdict,
                        field,
                        format!(
                            "{} field added: {why}",
                            if req { "required" } else { "optional" }
                        ),
                    );
                }
                Some(before) => {
                    if old_required.contains(name) != new_required.contains(name) {
                        let now = new_required.contains(name);
                        self.push(
                            Verdict::Breaking,
                            field.clone(),
                            format!(
                                "becomes {}: its type changes between `T` and `Option<T>`",
                                if now { "required" } else { "optional" }
                            ),
                        );
                    }
                    let (mut before, mut schema) = (before.clone(), schema.clone());
                    if !old_required.contains(name) && !new_required.contains(name) {
                        self.optional_nullability(&field, &mut before, &mut schema, usage);
                    }
                    self.schema(&field, &before, &schema, usage);
                }
            }
        }
        for name in old_props.keys() {
            if !new_props.contains_key(name) {
                self.push(Verdict::Breaking, field_place(place, name), "field removed");
            }
        }
    }

    /// Whether an object accepts properties it does not list.
    fn additional_properties(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let extra = |s: &Value| s.get("additionalProperties").cloned();
        if extra(old) != extra(new)
            && (old.get("properties").is_some() || new.get("properties").is_some())
        {
            let closed = |v: &Option<Value>| v.as_ref() == Some(&Value::Bool(false));
            if closed(&extra(old)) != closed(&extra(new)) {
                self.push(
                    if usage.input && closed(&extra(new)) {
                        Verdict::Breaking
                    } else {
                        Verdict::Compatible
                    },
                    place,
                    if closed(&extra(new)) {
                        "no longer accepts unknown properties (`additionalProperties: false`)"
                    } else {
                        "accepts unknown properties"
                    },
                );
            }
        }
    }

    /// An optional field is `Option<T>` whether or not it is nullable:
    /// only whether an explicit null is accepted changes. Judged here, and
    /// `nullable` taken out of both schemas so it is not judged again.
    pub(super) fn optional_nullability(
        &mut self,
        place: &str,
        old: &mut Value,
        new: &mut Value,
        usage: Usage,
    ) {
        let nullable = |s: &Value| s.get("nullable").and_then(Value::as_bool) == Some(true);
        let (was, now) = (nullable(old), nullable(new));
        if was != now {
            let (verdict, description) = match (now, usage.output) {
                (true, _) => (
                    Verdict::Compatible,
                    "becomes nullable on an optional field: its type stays `Option<T>`, and an explicit null is accepted",
                ),
                (false, true) => (
                    Verdict::Breaking,
                    "stops being nullable: a response with an explicit null is now refused",
                ),
                (false, false) => (
                    Verdict::Compatible,
                    "stops being nullable on an optional request field: its type stays `Option<T>`, and `None` is left out",
                ),
            };
            self.push(verdict, place, description);
        }
        for schema in [old, new] {
            if let Some(object) = schema.as_object_mut() {
                object.remove("nullable");
            }
        }
    }

    pub(super) fn enums(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let values = |s: &Value| -> Option<Vec<String>> {
            s.get("enum")
                .and_then(Value::as_array)
                .map(|list| list.iter().map(|v| v.to_string()).collect())
        };
        let (Some(old_values), Some(new_values)) = (values(old), values(new)) else {
            if values(old).is_some() != values(new).is_some() {
                self.push(
                    Verdict::Breaking,
                    place,
                    "becomes an enum or stops being one: its type changes",
                );
            }
            return;
        };
        for value in new_values.iter().filter(|v| !old_values.contains(v)) {
            // The open enum's catch-all is `Unknown` unless a value takes
            // that name.
            if naming::variant_name(value.trim_matches('"')) == "Unknown" {
                self.push(
                    Verdict::Breaking,
                    place,
                    format!("enum value {value} added: it takes the variant name `Unknown`, so the catch-all for unlisted values becomes `UnknownValue`"),
                );
                continue;
            }
            let why = if usage.output {
                "enums are non-exhaustive, so `match`es have a wildcard arm; an older client decodes it as `Unknown`"
            } else {
                "enums are non-exhaustive, so `match`es have a wildcard arm"
            };
            self.push(
                Verdict::Compatible,
                place,
                format!("enum value {value} added: {why}"),
            );
        }
        for value in old_values.iter().filter(|v| !new_values.contains(v)) {
            self.push(
                Verdict::Breaking,
                place,
                format!("enum value {value} removed: its variant is gone"),
            );
        }
    }

    pub(super) fn bounds(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        // (keyword, whether a larger value is tighter)
        const NUMERIC: [(&str, bool); 6] = [
            ("minimum", true),
            ("maximum", false),
            ("minLength", true),
            ("maxLength", false),
            ("minItems", true),
            ("maxItems", false),
        ];
        for (keyword, larger_is_tighter) in NUMERIC {
            let (a, b) = (
                old.get(keyword).and_then(Value::as_f64),
                new.get(keyword).and_then(Value::as_f64),
            );
            let tighter = match (a, b) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b > a) == larger_is_tighter,
            };
            let show_value = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
            self.bound(
                place,
                usage,
                tighter,
                format!(
                    "`{keyword}` changes from {} to {}",
                    show_value(a),
                    show_value(b)
                ),
            );
        }
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
            let flag = |s: &Value| s.get(keyword).and_then(Value::as_bool).unwrap_or(false);
            if flag(old) != flag(new) {
                self.bound(
                    place,
                    usage,
                    flag(new),
                    format!("`{keyword}` becomes {}", flag(new)),
                );
            }
        }
        for keyword in ["pattern", "multipleOf"] {
            if old.get(keyword) != new.get(keyword) {
                let show_value =
                    |s: &Value| s.get(keyword).map_or("none".to_string(), |v| v.to_string());
                // A different pattern or step may refuse values the old accepted.
                let tighter = new.get(keyword).is_some();
                self.bound(
                    place,
                    usage,
                    tighter,
                    format!(
                        "`{keyword}` changes from {} to {}",
                        show_value(old),
                        show_value(new)
                    ),
                );
            }
        }
    }

    pub(super) fn bound(&mut self, place: &str, usage: Usage, tighter: bool, description: String) {
        let (verdict, why) = match (usage.input, tighter) {
            (true, true) => (
                Verdict::Breaking,
                "requests that passed may now be refused before sending",
            ),
            (true, false) => (Verdict::Compatible, "more requests pass"),
            (false, true) => (
                Verdict::Compatible,
                "responses are checked against the tighter bound",
            ),
            (false, false) => (
                Verdict::Compatible,
                "responses are checked against the looser bound",
            ),
        };
        self.push(verdict, place, format!("{description}: {why}"));
    }
}

/// The Rust type of an integer without a `format`: unsigned from a
/// `minimum` of 0, non-zero from 1 (or an exclusive 0), else `i64`.
pub(super) fn integer_type(schema: &Value) -> &'static str {
    if text(schema, "type") != "integer" || schema.get("format").is_some() {
        return "";
    }
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    let exclusive = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    match (minimum, exclusive) {
        (Some(0.0), false) => "u64",
        (Some(1.0), false) | (Some(0.0), true) => "NonZeroU64",
        _ => "i64",
    }
}

/// A string schema with a length or pattern: generated as a newtype that
/// checks it, not as `String`.
pub(super) fn checked_string(schema: &Value) -> bool {
    text(schema, "type") == "string"
        && schema.get("enum").is_none()
        && ["minLength", "maxLength", "pattern"]
            .iter()
            .any(|k| schema.get(k).is_some())
}

pub(super) fn show(kind: &str) -> String {
    if kind.is_empty() {
        "untyped".to_string()
    } else {
        format!("`{kind}`")
    }
}
