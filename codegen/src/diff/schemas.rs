//! Named schemas and what they contain: fields, nullability, enums, formats
//! and bounds, each judged by whether requests or responses use it.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diff, Usage, Verdict, field_place};
use crate::model::{Keyword, Schema, Spec};
use crate::naming;

/// Whether a field's `nullable` is still to be compared, or was judged
/// already (for an optional field, where it changes no type).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nullability {
    Compared,
    Judged,
}

impl Diff<'_> {
    /// Named schemas, once each, judged by how the new document uses them.
    pub(super) fn components(&mut self) {
        let (old, new) = (self.old, self.new);
        let names = |spec: &Spec<'_>| -> BTreeSet<String> {
            spec.schemas.iter().map(|s| s.name.to_string()).collect()
        };
        let (old_names, new_names) = (names(old), names(new));
        for name in old_names.intersection(&new_names) {
            let (Some(a), Some(b)) = (old.schema(name), new.schema(name)) else {
                continue;
            };
            let usage = self
                .new_usage
                .get(name)
                .copied()
                .unwrap_or_default()
                .or(self.old_usage.get(name).copied().unwrap_or_default());
            self.schema_body(&format!("`{name}`"), (a, b), usage, Nullability::Compared);
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
    pub(super) fn schema(&mut self, place: &str, old: Schema<'_>, new: Schema<'_>, usage: Usage) {
        self.schema_at(place, (old, new), usage, Nullability::Compared);
    }

    /// [`Diff::schema`], with `nullable` already judged or not.
    fn schema_at(
        &mut self,
        place: &str,
        (old, new): (Schema<'_>, Schema<'_>),
        usage: Usage,
        nullability: Nullability,
    ) {
        match (old.component(), new.component()) {
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
            (None, None) => self.schema_body(place, (old, new), usage, nullability),
        }
    }

    fn schema_body(
        &mut self,
        place: &str,
        (old, new): (Schema<'_>, Schema<'_>),
        usage: Usage,
        nullability: Nullability,
    ) {
        let kind = |s: Schema<'_>| -> String {
            let mut k = s.kind().unwrap_or_default().to_string();
            if let Some(format) = s.format().filter(|f| !f.is_empty()) {
                k = format!("{k} ({format})");
            }
            if s.marked_secret() {
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
        if nullability == Nullability::Compared
            && old.keyword(Keyword::Nullable) != new.keyword(Keyword::Nullable)
        {
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
        if let (Some(a), Some(b)) = (old.items(), new.items()) {
            self.schema(&field_place(place, "[]"), a, b, usage);
        }
        self.additional_properties(place, old, new, usage);
    }

    /// An object's fields: added, removed, and each field's change.
    fn fields<'s>(&mut self, place: &str, old: Schema<'s>, new: Schema<'s>, usage: Usage) {
        let props = |s: Schema<'s>| -> BTreeMap<String, Schema<'s>> {
            s.properties()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        let required =
            |s: Schema<'_>| -> BTreeSet<String> { s.required().map(str::to_string).collect() };
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
                    let nullability =
                        if !old_required.contains(name) && !new_required.contains(name) {
                            self.optional_nullability(&field, *before, *schema, usage);
                            Nullability::Judged
                        } else {
                            Nullability::Compared
                        };
                    self.schema_at(&field, (*before, *schema), usage, nullability);
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
    fn additional_properties(
        &mut self,
        place: &str,
        old: Schema<'_>,
        new: Schema<'_>,
        usage: Usage,
    ) {
        // A change between `false` and anything else is a change of
        // `additionalProperties` too.
        let has_properties = old.has(Keyword::Properties) || new.has(Keyword::Properties);
        if has_properties && old.closed() != new.closed() {
            self.push(
                if usage.input && new.closed() {
                    Verdict::Breaking
                } else {
                    Verdict::Compatible
                },
                place,
                if new.closed() {
                    "no longer accepts unknown properties (`additionalProperties: false`)"
                } else {
                    "accepts unknown properties"
                },
            );
        }
    }

    /// An optional field is `Option<T>` whether or not it is nullable:
    /// only whether an explicit null is accepted changes. Judged here, so
    /// the field's schemas are then compared with [`Nullability::Judged`].
    fn optional_nullability(
        &mut self,
        place: &str,
        old: Schema<'_>,
        new: Schema<'_>,
        usage: Usage,
    ) {
        let (was, now) = (old.nullable(), new.nullable());
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
    }

    fn enums(&mut self, place: &str, old: Schema<'_>, new: Schema<'_>, usage: Usage) {
        let values = |s: Schema<'_>| -> Option<Vec<String>> {
            s.enum_values()
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

    fn bounds(&mut self, place: &str, old: Schema<'_>, new: Schema<'_>, usage: Usage) {
        // (keyword, whether a larger value is tighter)
        const NUMERIC: [(Keyword, bool); 6] = [
            (Keyword::Minimum, true),
            (Keyword::Maximum, false),
            (Keyword::MinLength, true),
            (Keyword::MaxLength, false),
            (Keyword::MinItems, true),
            (Keyword::MaxItems, false),
        ];
        for (keyword, larger_is_tighter) in NUMERIC {
            let (a, b) = (old.number(keyword), new.number(keyword));
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
                    "`{}` changes from {} to {}",
                    keyword.name(),
                    show_value(a),
                    show_value(b)
                ),
            );
        }
        for keyword in [Keyword::ExclusiveMinimum, Keyword::ExclusiveMaximum] {
            if old.flag(keyword) != new.flag(keyword) {
                let now = new.flag(keyword);
                self.bound(
                    place,
                    usage,
                    now,
                    format!("`{}` becomes {now}", keyword.name()),
                );
            }
        }
        for keyword in [Keyword::Pattern, Keyword::MultipleOf] {
            if old.keyword(keyword) != new.keyword(keyword) {
                let show_value = |s: Schema<'_>| {
                    s.keyword(keyword)
                        .map_or("none".to_string(), |v| v.to_string())
                };
                // A different pattern or step may refuse values the old accepted.
                let tighter = new.has(keyword);
                self.bound(
                    place,
                    usage,
                    tighter,
                    format!(
                        "`{}` changes from {} to {}",
                        keyword.name(),
                        show_value(old),
                        show_value(new)
                    ),
                );
            }
        }
    }

    fn bound(&mut self, place: &str, usage: Usage, tighter: bool, description: String) {
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
fn integer_type(schema: Schema<'_>) -> &'static str {
    if schema.kind() != Some("integer") || schema.has(Keyword::Format) {
        return "";
    }
    match (
        schema.number(Keyword::Minimum),
        schema.flag(Keyword::ExclusiveMinimum),
    ) {
        (Some(0.0), false) => "u64",
        (Some(1.0), false) | (Some(0.0), true) => "NonZeroU64",
        _ => "i64",
    }
}

/// A string schema with a length or pattern: generated as a newtype that
/// checks it, not as `String`.
fn checked_string(schema: Schema<'_>) -> bool {
    schema.kind() == Some("string")
        && !schema.has(Keyword::Enum)
        && [Keyword::MinLength, Keyword::MaxLength, Keyword::Pattern]
            .iter()
            .any(|k| schema.has(*k))
}

fn show(kind: &str) -> String {
    if kind.is_empty() {
        "untyped".to_string()
    } else {
        format!("`{kind}`")
    }
}
