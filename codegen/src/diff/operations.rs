//! Operations: methods, parameters, bodies, responses and their headers.

use std::collections::BTreeMap;

use super::{Diff, Usage, Verdict};
use crate::model::{Header, Operation, Parameter, Response, Schema, Spec};

impl<'a> Diff<'a> {
    pub(super) fn operations(&mut self) {
        let index = |spec: &Spec<'_>| -> BTreeMap<String, (String, String)> {
            spec.operations
                .iter()
                .map(|op| {
                    (
                        op.id.to_string(),
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
            if let (Some(old), Some(new)) = (self.old.operation(id), self.new.operation(id)) {
                self.operation(id, old, new);
            }
        }
    }

    pub(super) fn operation(&mut self, id: &str, old: &Operation<'a>, new: &Operation<'a>) {
        let place = format!("operation `{id}`");
        self.security(&place, old, new);
        self.parameters(&place, old, new);
        self.request_body(&place, old, new);
        self.responses(&place, old, new);
    }

    /// Parameters are positional arguments, so any addition or removal
    /// breaks.
    fn parameters(&mut self, place: &str, old: &Operation<'a>, new: &Operation<'a>) {
        let (old_params, new_params) = (parameters_of(old), parameters_of(new));
        for ((location, name), param) in &new_params {
            let where_ = format!("{place} {location} parameter `{name}`");
            let Some(before) = old_params.get(&(*location, *name)) else {
                self.push(
                    Verdict::Breaking,
                    where_,
                    format!(
                        "added ({}): the method takes one more argument",
                        if param.required {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                );
                continue;
            };
            if before.required != param.required {
                let now = param.required;
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
            if let (Some(a), Some(b)) = (before.schema, param.schema) {
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

    fn request_body(&mut self, place: &str, old: &Operation<'a>, new: &Operation<'a>) {
        let body = |op: &Operation<'a>| {
            op.body
                .as_ref()
                .map(|body| (body.required, body.json.as_ref().and_then(|m| m.schema)))
        };
        let where_ = format!("{place} request body");
        match (body(old), body(new)) {
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

    fn responses(&mut self, place: &str, old: &Operation<'a>, new: &Operation<'a>) {
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
            match (json_schema(before), json_schema(response)) {
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

    fn headers(&mut self, place: &str, old: &Response<'a>, new: &Response<'a>) {
        let (old, new) = (headers_of(old), headers_of(new));
        for (name, header) in &new {
            let where_ = format!("{place} header `{name}`");
            let Some(before) = old.get(name) else {
                // Every operation has a non-exhaustive headers struct built
                // with `new(required headers)`.
                if header.required {
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
            if before.required != header.required {
                self.push(
                    Verdict::Breaking,
                    where_.clone(),
                    format!(
                        "becomes {}: its field changes between `T` and `Option<T>`",
                        if header.required {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                );
            }
            if let (Some(a), Some(b)) = (before.schema, header.schema) {
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

/// An operation's parameters, its own and its path item's (its own win),
/// by (location, name).
fn parameters_of<'o, 'a>(op: &'o Operation<'a>) -> BTreeMap<(&'a str, &'a str), &'o Parameter<'a>> {
    let mut found = BTreeMap::new();
    for parameter in &op.parameters {
        found
            .entry((parameter.location, parameter.name))
            .or_insert(parameter);
    }
    found
}

/// An operation's responses, by status.
fn responses_of<'o, 'a>(op: &'o Operation<'a>) -> BTreeMap<&'a str, &'o Response<'a>> {
    op.responses.iter().map(|r| (r.status, r)).collect()
}

/// A response's JSON schema, if it has one.
fn json_schema<'a>(response: &Response<'a>) -> Option<Schema<'a>> {
    response.json.as_ref()?.schema
}

/// A response's headers, by lowercased name.
fn headers_of<'o, 'a>(response: &'o Response<'a>) -> BTreeMap<String, &'o Header<'a>> {
    response
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h))
        .collect()
}
