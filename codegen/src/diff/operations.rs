//! Operations: methods, parameters, bodies, responses and their headers.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Diff, Usage, Verdict, json_schema, text};
use crate::validate::{operations, resolved};

impl<'a> Diff<'a> {
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

    pub(super) fn operation(
        &mut self,
        id: &str,
        old: (&'a Value, &'a Value),
        new: (&'a Value, &'a Value),
    ) {
        let place = format!("operation `{id}`");
        self.security(&place, old.0, new.0);
        self.parameters(&place, old, new);
        self.request_body(&place, old.0, new.0);
        self.responses(&place, old.0, new.0);
    }

    /// Parameters are positional arguments, so any addition or removal
    /// breaks.
    fn parameters(
        &mut self,
        place: &str,
        old: (&'a Value, &'a Value),
        new: (&'a Value, &'a Value),
    ) {
        let (old_params, new_params) = (parameters_of(self.old, old), parameters_of(self.new, new));
        for ((location, name), param) in &new_params {
            let where_ = format!("{place} {location} parameter `{name}`");
            let Some(before) = old_params.get(&(location.clone(), name.clone())) else {
                self.push(
                    Verdict::Breaking,
                    where_,
                    format!(
                        "added ({}): the method takes one more argument",
                        if is_required(param) {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                );
                continue;
            };
            if is_required(before) != is_required(param) {
                let now = is_required(param);
                self.push(
                    Verdict::Breaking,
                    where_.clone(),
                    format!(
                        "becomes {}: the argument's type changes (`Option` {})",
                        if now { "required" } else { "optional" },
                        if now { "removed" } else { "added" }
                    ),
                );
            }
            if let (Some(a), Some(b)) = (before.get("schema"), param.get("schema")) {
                self.schema(&where_, a, b, Usage::INPUT);
            }
        }
        for key @ (location, name) in old_params.keys() {
            if !new_params.contains_key(key) {
                self.push(
                    Verdict::Breaking,
                    format!("{place} {location} parameter `{name}`"),
                    "removed: the method takes one argument less",
                );
            }
        }
    }

    fn request_body(&mut self, place: &str, old: &'a Value, new: &'a Value) {
        let body = |doc: &'a Value, op: &'a Value| {
            op.get("requestBody").map(|b| {
                let b = resolved(doc, b);
                (is_required(b), json_schema(doc, b))
            })
        };
        let where_ = format!("{place} request body");
        match (body(self.old, old), body(self.new, new)) {
            (None, Some(_)) => self.push(
                Verdict::Breaking,
                where_,
                "added: the method takes a body argument",
            ),
            (Some(_), None) => self.push(
                Verdict::Breaking,
                where_,
                "removed: the method no longer takes a body",
            ),
            (Some((was_required, a)), Some((required, b))) => {
                if was_required != required {
                    self.push(
                        Verdict::Breaking,
                        where_.clone(),
                        format!(
                            "becomes {}: the body argument changes between `&T` and `Option<&T>`",
                            if required { "required" } else { "optional" }
                        ),
                    );
                }
                if let (Some(a), Some(b)) = (a, b) {
                    self.schema(&where_, a, b, Usage::INPUT);
                }
            }
            (None, None) => {}
        }
    }

    fn responses(&mut self, place: &str, old: &'a Value, new: &'a Value) {
        let (old_responses, new_responses) = (responses_of(old), responses_of(new));
        let had_success = old_responses.keys().any(|s| s.starts_with('2'));
        for (status, response) in &new_responses {
            let success = status.starts_with('2');
            let where_ = format!("{place} response `{status}`");
            let Some(before) = old_responses.get(status) else {
                self.push(
                    if success && !had_success {
                        Verdict::Breaking
                    } else {
                        Verdict::Compatible
                    },
                    where_,
                    if success {
                        "added"
                    } else {
                        "added: it comes back as `Error::Api` with its status"
                    },
                );
                continue;
            };
            match (
                json_schema(self.old, before),
                json_schema(self.new, response),
            ) {
                (Some(a), Some(b)) => self.schema(&where_, a, b, Usage::OUTPUT),
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

    fn headers(&mut self, place: &str, old: &'a Value, new: &'a Value) {
        let (old, new) = (headers_of(self.old, old), headers_of(self.new, new));
        for (name, header) in &new {
            let where_ = format!("{place} header `{name}`");
            let Some(before) = old.get(name) else {
                // Every operation has a non-exhaustive headers struct built
                // with `new(required headers)`.
                if is_required(header) {
                    self.push(
                        Verdict::Breaking,
                        where_,
                        "added, required: the headers struct's `new` takes one more argument",
                    );
                } else {
                    self.push(
                        Verdict::Compatible,
                        where_,
                        "added, optional: headers structs are non-exhaustive and `new` is unchanged",
                    );
                }
                continue;
            };
            if is_required(before) != is_required(header) {
                self.push(
                    Verdict::Breaking,
                    where_.clone(),
                    format!(
                        "becomes {}: its field changes between `T` and `Option<T>`",
                        if is_required(header) {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                );
            }
            if let (Some(a), Some(b)) = (before.get("schema"), header.get("schema")) {
                self.schema(&where_, a, b, Usage::OUTPUT);
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

fn is_required(node: &Value) -> bool {
    node.get("required").and_then(Value::as_bool) == Some(true)
}

/// An operation's parameters and its path item's, by (location, name).
fn parameters_of<'v>(
    doc: &'v Value,
    (op, item): (&'v Value, &'v Value),
) -> BTreeMap<(String, String), &'v Value> {
    let list = |node: &'v Value| {
        node.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    list(item)
        .chain(list(op))
        .map(|p| resolved(doc, p))
        .map(|p| ((text(p, "in").to_string(), text(p, "name").to_string()), p))
        .collect()
}

/// An operation's responses, by status.
fn responses_of(op: &Value) -> BTreeMap<&str, &Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(status, response)| (status.as_str(), response))
        .collect()
}

/// A response's headers, by lowercased name.
fn headers_of<'v>(doc: &'v Value, response: &'v Value) -> BTreeMap<String, &'v Value> {
    resolved(doc, response)
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, h)| (name.to_ascii_lowercase(), resolved(doc, h)))
        .collect()
}

/// The operation object and its path item, by operationId.
pub(super) fn find_operation<'v>(doc: &'v Value, id: &str) -> Option<(&'v Value, &'v Value)> {
    operations(doc)
        .into_iter()
        .find(|op| text(op.body, "operationId") == id)
        .map(|op| (op.body, op.path_item))
}
