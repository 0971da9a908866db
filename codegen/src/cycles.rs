//! Cycles the generator cannot end: a `$ref` chain that comes back to
//! itself (progenitor follows it forever), and a schema that includes
//! itself through `allOf`, `oneOf`, `anyOf` or `not` with no property or
//! array in between (typify merges it until the stack overflows). A schema
//! may contain itself inside a property, `items` or `additionalProperties`:
//! that is a recursive type, and it is fine.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::SpecError;
use crate::error::SpecErrorKind;
use crate::validate::Document;

/// The keywords through which a schema is its parts, not a container of them.
const INCLUDES: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// Reports the first cycle of either kind, at the `$ref` that closes it.
/// References have been checked to resolve.
pub(crate) fn check(doc: &Document<'_>) -> Result<(), SpecError> {
    let mut done = BTreeSet::new();
    crate::walk::try_for_each_object(doc.json, &mut |pointer, object| {
        if !object.contains_key("$ref") && !INCLUDES.iter().any(|k| object.contains_key(*k)) {
            return Ok(());
        }
        search(doc, pointer.to_string(), &mut done)
    })
}

/// Depth-first from the schema at `pointer`, with a stack of its own so
/// that a long chain of references cannot overflow the thread's; `done`
/// holds the schemas found to lead to no cycle.
fn search(
    doc: &Document<'_>,
    pointer: String,
    done: &mut BTreeSet<String>,
) -> Result<(), SpecError> {
    // The schemas being searched, each with the parts left to search.
    let mut trail: Vec<(String, Vec<String>)> = Vec::new();
    let mut on_trail: BTreeSet<String> = BTreeSet::new();
    let mut next = Some(pointer);
    loop {
        if let Some(pointer) = next.take() {
            if on_trail.contains(&pointer) {
                let start = trail.iter().position(|(p, _)| *p == pointer).unwrap_or(0);
                let route: Vec<&str> = trail[start..].iter().map(|(p, _)| p.as_str()).collect();
                return Err(cycle(doc, &route, &pointer));
            }
            if !done.contains(&pointer)
                && let Some(node) = doc.json.pointer(&pointer)
            {
                let mut left = parts(node, &pointer);
                left.reverse();
                on_trail.insert(pointer.clone());
                trail.push((pointer, left));
            }
        }
        let Some((_, left)) = trail.last_mut() else {
            return Ok(());
        };
        match left.pop() {
            Some(part) => next = Some(part),
            None => {
                if let Some((finished, _)) = trail.pop() {
                    on_trail.remove(&finished);
                    done.insert(finished);
                }
            }
        }
    }
}

/// The schemas `node` is made of: its `$ref` target, and its `allOf`,
/// `oneOf`, `anyOf` and `not` parts.
fn parts(node: &Value, pointer: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(target) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        found.push(target.to_string());
        // A reference object's other keys are ignored.
        return found;
    }
    for keyword in INCLUDES {
        let items = node.get(keyword).and_then(Value::as_array);
        for index in 0..items.map_or(0, Vec::len) {
            found.push(format!("{pointer}/{keyword}/{index}"));
        }
    }
    if node.get("not").is_some_and(Value::is_object) {
        found.push(format!("{pointer}/not"));
    }
    found
}

/// The error for the cycle `trail` (which `closing` re-enters), at the
/// last `$ref` on it.
fn cycle(doc: &Document<'_>, trail: &[&str], closing: &str) -> SpecError {
    let at = trail
        .iter()
        .rev()
        .find(|p| doc.json.pointer(p).is_some_and(|n| n.get("$ref").is_some()))
        .map_or_else(|| closing.to_string(), |p| format!("{p}/$ref"));
    let only_refs = trail
        .iter()
        .all(|p| doc.json.pointer(p).is_some_and(|n| n.get("$ref").is_some()));
    let route: Vec<String> = trail
        .iter()
        .chain(std::iter::once(&closing))
        .map(|p| format!("#{p}"))
        .collect();
    let (what, hint) = if only_refs {
        (
            format!(
                "this `$ref` chain comes back to where it started: {}",
                route.join(" → ")
            ),
            "point the `$ref` at a schema that defines something (`type`, `properties`, …)",
        )
    } else {
        (
            format!(
                "this schema includes itself through `allOf`/`oneOf`/`anyOf`/`not`, with no property or array between: {}",
                route.join(" → ")
            ),
            "break the cycle: a schema may contain itself only inside a property, `items` or `additionalProperties`",
        )
    };
    doc.error_at(
        &at,
        SpecErrorKind::Unsupported {
            operation_id: None,
            what,
            hint: hint.into(),
        },
    )
}
