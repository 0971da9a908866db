//! Operations: methods, parameters, bodies, responses and their headers.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Diff, Usage, Verdict, json_schema, text};
use crate::validate::{operations, resolved};

impl Diff<'_> {
    pub(super) fn operations(&mut self) {
        let index = |doc: &'_ Value| -> BTreeMap<String, (String, String)> {
            operations(doc)
                .into_iter()
                .map(|op| {
                    (
                        text(op.body, "operationId").to_string(),
                        (op.method.to_string(), op.path.to_string()),
                    )
                })
                .collect()
        };
        let (old_ops, new_ops) = (index(self.old), index(self.new));
        let by_route = |ops: &BTreeMap<String, (String, String)>, route: &(String, String)| {
            ops.iter()
                .find(|(_, r)| *r == route)
                .map(|(id, _)| id.clone())
        };
        for (id, route) in &new_ops {
            if !old_ops.contains_key(id) {
                match by_route(&old_ops, route) {
                    Some(old_id) if !new_ops.contains_key(&old_id) => self.push(
                        Verdict::Breaking,
                        format!("operation `{id}`"),
                        format!(
                            "renamed from `{old_id}` ({} {}): the method is renamed",
                            route.0.to_uppercase(),
                            route.1
                        ),
                    ),
                    _ => self.push(
                        Verdict::Compatible,
                        format!("operation `{id}`"),
                        format!("added: {} {}", route.0.to_uppercase(), route.1),
                    ),
                }
            }
        }
        for (id, route) in &old_ops {
            let Some(new_route) = new_ops.get(id) else {
                if by_route(&new_ops, route).is_none_or(|new_id| old_ops.contains_key(&new_id)) {
                    self.push(
                        Verdict::Breaking,
                        format!("operation `{id}`"),
                        format!(
                            "removed ({} {}): the method is gone",
                            route.0.to_uppercase(),
                            route.1
                        ),
                    );
                }
                continue;
            };
            if new_route != route {
                self.push(
                    Verdict::Compatible,
                    format!("operation `{id}`"),
                    format!(
                        "moves from {} {} to {} {}; the method sends requests there",
                        route.0.to_uppercase(),
                        route.1,
                        new_route.0.to_uppercase(),
                        new_route.1
                    ),
                );
            }
            if let (Some(old), Some(new)) =
                (find_operation(self.old, id), find_operation(self.new, id))
            {
                self.operation(id, old, new);
            }
        }
    }

    pub(super) fn operation(&mut self, id: &str, old: (&Value, &Value), new: (&Value, &Value)) {
        let place = format!("operation `{id}`");
        self.security(&place, old.0, new.0);

        // Parameters: positional arguments, so any addition or removal breaks.
        let params =
            |doc: &'_ Value, (op, item): (&Value, &Value)| -> BTreeMap<(String, String), Value> {
                item.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .chain(
                        op.get("parameters")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    )
                    .map(|p| resolved(doc, p))
                    .map(|p| {
                        (
                            (text(p, "in").to_string(), text(p, "name").to_string()),
                            p.clone(),
                        )
                    })
                    .collect()
            };
        let (old_params, new_params) = (params(self.old, old), params(self.new, new));
        for ((location, name), param) in &new_params {
            match old_params.get(&(location.clone(), name.clone())) {
                None => self.push(
                    Verdict::Breaking,
                    format!("{place} {location} parameter `{name}`"),
                    format!(
                        "added ({}): the method takes one more argument",
                        if param.get("required").and_then(Value::as_bool) == Some(true) {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                ),
                Some(before) => {
                    let required =
                        |p: &Value| p.get("required").and_then(Value::as_bool) == Some(true);
                    if required(before) != required(param) {
                        self.push(
                            Verdict::Breaking,
                            format!("{place} {location} parameter `{name}`"),
                            format!(
                                "becomes {}: the argument's type changes (`Option` {})",
                                if required(param) {
                                    "required"
                                } else {
                                    "optional"
                                },
                                if required(param) { "removed" } else { "added" }
                            ),
                        );
                    }
                    if let (Some(a), Some(b)) = (before.get("schema"), param.get("schema")) {
                        self.schema(
                            &format!("{place} {location} parameter `{name}`"),
                            a,
                            b,
                            Usage::INPUT,
                        );
                    }
                }
            }
        }
        for (location, name) in old_params.keys() {
            if !new_params.contains_key(&(location.clone(), name.clone())) {
                self.push(
                    Verdict::Breaking,
                    format!("{place} {location} parameter `{name}`"),
                    "removed: the method takes one argument less",
                );
            }
        }

        // Request body.
        let body = |doc: &'_ Value, op: &Value| {
            op.get("requestBody").map(|b| {
                let b = resolved(doc, b);
                (
                    b.get("required").and_then(Value::as_bool) == Some(true),
                    json_schema(doc, b).cloned(),
                )
            })
        };
        match (body(self.old, old.0), body(self.new, new.0)) {
            (None, Some(_)) => self.push(
                Verdict::Breaking,
                format!("{place} request body"),
                "added: the method takes a body argument",
            ),
            (Some(_), None) => self.push(
                Verdict::Breaking,
                format!("{place} request body"),
                "removed: the method no longer takes a body",
            ),
            (Some((was_required, a)), Some((required, b))) => {
                if was_required != required {
                    self.push(
                        Verdict::Breaking,
                        format!("{place} request body"),
                        format!(
                            "becomes {}: the body argument changes between `&T` and `Option<&T>`",
                            if required { "required" } else { "optional" }
                        ),
                    );
                }
                if let (Some(a), Some(b)) = (a, b) {
                    self.schema(&format!("{place} request body"), &a, &b, Usage::INPUT);
                }
            }
            (None, None) => {}
        }

        // Responses.
        let responses = |op: &Value| -> BTreeMap<String, Value> {
            op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, r)| (status.clone(), r.clone()))
                .collect()
        };
        let (old_responses, new_responses) = (responses(old.0), responses(new.0));
        for (status, response) in &new_responses {
            let success = status.starts_with('2');
            match old_responses.get(status) {
                None => self.push(
                    if success && !old_responses.keys().any(|s| s.starts_with('2')) {
                        Verdict::Breaking
                    } else {
                        Verdict::Compatible
                    },
                    format!("{place} response `{status}`"),
                    if success {
                        "added".to_string()
                    } else {
                        "added: it comes back as `Error::Api` with its status".to_string()
                    },
                ),
                Some(before) => {
                    let where_ = format!("{place} response `{status}`");
                    match (
                        json_schema(self.old, before),
                        json_schema(self.new, response),
                    ) {
                        (Some(a), Some(b)) => {
                            let (a, b) = (a.clone(), b.clone());
                            self.schema(&where_, &a, &b, Usage::OUTPUT);
                        }
                        (None, Some(_)) => self.push(
                            Verdict::Breaking,
                            where_.clone(),
                            "now has a body: the result type changes",
                        ),
                        (Some(_), None) => self.push(
                            Verdict::Breaking,
                            where_.clone(),
                            "no longer has a body: the result type changes",
                        ),
                        (None, None) => {}
                    }
                    if success {
                        self.headers(&where_, before, response);
                    }
                }
            }
        }
        for status in old_responses.keys() {
            if !new_responses.contains_key(status) {
                let success = status.starts_with('2');
                self.push(
                    if success {
                        Verdict::Breaking
                    } else {
                        Verdict::Compatible
                    },
                    format!("{place} response `{status}`"),
                    if success {
                        "removed: the success type may change"
                    } else {
                        "removed: that status would now be `Error::UnexpectedStatus`"
                    },
                );
            }
        }
    }

    pub(super) fn headers(&mut self, place: &str, old: &Value, new: &Value) {
        let map = |doc: &'_ Value, response: &Value| -> BTreeMap<String, Value> {
            resolved(doc, response)
                .get("headers")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, h)| (name.to_ascii_lowercase(), resolved(doc, h).clone()))
                .collect()
        };
        let (old, new) = (map(self.old, old), map(self.new, new));
        let required = |h: &Value| h.get("required").and_then(Value::as_bool) == Some(true);
        for (name, header) in &new {
            match old.get(name) {
                // Every operation has a non-exhaustive headers struct built
                // with `new(required headers)`.
                None if required(header) => self.push(
                    Verdict::Breaking,
                    format!("{place} header `{name}`"),
                    "added, required: the headers struct's `new` takes one more argument",
                ),
                None => self.push(
                    Verdict::Compatible,
                    format!("{place} header `{name}`"),
                    "added, optional: headers structs are non-exhaustive and `new` is unchanged",
                ),
                Some(before) => {
                    if required(before) != required(header) {
                        self.push(
                            Verdict::Breaking,
                            format!("{place} header `{name}`"),
                            format!(
                                "becomes {}: its field changes between `T` and `Option<T>`",
                                if required(header) {
                                    "required"
                                } else {
                                    "optional"
                                }
                            ),
                        );
                    }
                    if let (Some(a), Some(b)) = (before.get("schema"), header.get("schema")) {
                        let (a, b) = (a.clone(), b.clone());
                        self.schema(&format!("{place} header `{name}`"), &a, &b, Usage::OUTPUT);
                    }
                }
            }
        }
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    Verdict::Breaking,
                    format!("{place} header `{name}`"),
                    "removed: its field of `headers()` is gone",
                );
            }
        }
    }
}

/// The operation object and its path item, by operationId.
pub(super) fn find_operation<'v>(doc: &'v Value, id: &str) -> Option<(&'v Value, &'v Value)> {
    operations(doc)
        .into_iter()
        .find(|op| text(op.body, "operationId") == id)
        .map(|op| (op.body, op.path_item))
}
