//! Cycles the generator cannot end: a `$ref` chain that comes back to
//! itself (progenitor follows it forever), and a schema that includes
//! itself through `allOf`, `oneOf`, `anyOf` or `not` with no property or
//! array in between (typify merges it until the stack overflows). A schema
//! may contain itself inside a property, `items` or `additionalProperties`:
//! that is a recursive type, and it is fine.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::{Problems, SpecErrorKind};
use crate::validate::Document;

/// The keywords through which a schema is its parts, not a container of them.
const INCLUDES: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// Reports every cycle of the first kind, each once, at the `$ref` that
/// closes it; when there are none, every merged `allOf` that leads back
/// (which a cycle of the first kind would also be). A `$ref` that points at
/// nothing ends a path: it has been reported, and leads to no cycle.
pub(crate) fn check(doc: &Document<'_>, problems: &mut Problems) {
    let mut done = BTreeSet::new();
    let mut found = false;
    crate::walk::for_each_object(doc.json, |pointer, object| {
        if !object.contains_key("$ref") && !INCLUDES.iter().any(|k| object.contains_key(*k)) {
            return;
        }
        found |= search(doc, pointer.to_string(), &mut done, problems);
    });
    if !found {
        check_merged_cycles(doc, problems);
    }
}

/// An `allOf` that typify merges (two or more parts, or one beside other
/// constraints) and that leads back to itself, even through a property:
/// merging expands the cycle again until the stack overflows. (A one-part
/// `allOf` with only a description, the usual way to describe a `$ref`, is
/// not merged and may recur.)
fn check_merged_cycles(doc: &Document<'_>, problems: &mut Problems) {
    let graph = Graph::of(doc.json);
    let component = graph.strongly_connected();
    for (from, edges) in graph.edges.iter().enumerate() {
        for (to, merged) in edges {
            if *merged && component[from] == component[*to] {
                let at = &graph.pointers[*to];
                let kind = SpecErrorKind::Unsupported {
                    operation_id: None,
                    what: format!(
                        "this `allOf` part leads back to the schema that merges it (#{}), which the generator cannot merge",
                        graph.pointers[from]
                    ),
                    hint: "refer to the recursive schema from a property or `items` without `allOf`, or give the `allOf` a single part".into(),
                };
                doc.report(problems, at, kind);
            }
        }
    }
}

/// Keywords beside a one-part `allOf` that only describe it: with any
/// other (`enum`, `properties`, `minProperties`, …) typify merges the part
/// with them.
const ANNOTATIONS: [&str; 11] = [
    "allOf",
    "description",
    "title",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "example",
    "externalDocs",
    "xml",
    "default",
];

/// Whether typify merges this `allOf`'s parts (with each other, or with
/// the schema's other keywords).
fn is_merged(schema: &serde_json::Map<String, Value>, parts: Option<&Vec<Value>>) -> bool {
    let Some(parts) = parts else {
        return false;
    };
    parts.len() > 1
        || schema
            .keys()
            .any(|key| !ANNOTATIONS.contains(&key.as_str()) && !key.starts_with("x-"))
}

/// Schemas and what they lead to: `$ref`, parts, properties, items.
struct Graph {
    pointers: Vec<String>,
    /// Per node: `(node, through a merged allOf)`.
    edges: Vec<Vec<(usize, bool)>>,
}

impl Graph {
    fn of(json: &Value) -> Self {
        let mut graph = Graph {
            pointers: Vec::new(),
            edges: Vec::new(),
        };
        let mut index: std::collections::BTreeMap<String, usize> = Default::default();
        let mut id = |graph: &mut Graph, pointer: &str| -> usize {
            if let Some(&i) = index.get(pointer) {
                return i;
            }
            graph.pointers.push(pointer.to_string());
            graph.edges.push(Vec::new());
            index.insert(pointer.to_string(), graph.pointers.len() - 1);
            graph.pointers.len() - 1
        };
        let _: Result<(), std::convert::Infallible> =
            crate::walk::try_for_each_object(json, &mut |pointer, object| {
                let from = id(&mut graph, pointer);
                let mut to: Vec<(String, bool)> = Vec::new();
                if let Some(target) = object
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                {
                    to.push((target.to_string(), false));
                }
                for keyword in INCLUDES {
                    let parts = object.get(keyword).and_then(Value::as_array);
                    let merged = keyword == "allOf" && is_merged(object, parts);
                    for index in 0..parts.map_or(0, Vec::len) {
                        to.push((format!("{pointer}/{keyword}/{index}"), merged));
                    }
                }
                for keyword in ["not", "items", "additionalProperties"] {
                    if object.get(keyword).is_some_and(Value::is_object) {
                        to.push((format!("{pointer}/{keyword}"), false));
                    }
                }
                if let Some(Value::Object(properties)) = object.get("properties") {
                    for name in properties.keys() {
                        let name = crate::locate::escape_token(name);
                        to.push((format!("{pointer}/properties/{name}"), false));
                    }
                }
                for (pointer, merged) in to {
                    let target = id(&mut graph, &pointer);
                    graph.edges[from].push((target, merged));
                }
                Ok(())
            });
        graph
    }

    /// Each node's strongly connected component (Tarjan's algorithm, with
    /// a stack of its own).
    fn strongly_connected(&self) -> Vec<usize> {
        let n = self.pointers.len();
        let (mut order, mut low) = (vec![usize::MAX; n], vec![0; n]);
        let mut component = vec![usize::MAX; n];
        let (mut stack, mut on_stack) = (Vec::new(), vec![false; n]);
        let (mut counter, mut components) = (0, 0);
        for root in 0..n {
            if order[root] != usize::MAX {
                continue;
            }
            // (node, next edge to follow)
            let mut calls = vec![(root, 0)];
            order[root] = counter;
            low[root] = counter;
            counter += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (node, ref mut edge)) = calls.last_mut() {
                if let Some(&(next, _)) = self.edges[node].get(*edge) {
                    *edge += 1;
                    if order[next] == usize::MAX {
                        order[next] = counter;
                        low[next] = counter;
                        counter += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        calls.push((next, 0));
                    } else if on_stack[next] {
                        low[node] = low[node].min(order[next]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == order[node] {
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component[member] = components;
                        if member == node {
                            break;
                        }
                    }
                    components += 1;
                }
            }
        }
        component
    }
}

/// Depth-first from the schema at `pointer`, with a stack of its own so
/// that a long chain of references cannot overflow the thread's; `done`
/// holds the schemas whose search is over. Reports each cycle it closes
/// and goes on; returns whether it found any.
fn search(
    doc: &Document<'_>,
    pointer: String,
    done: &mut BTreeSet<String>,
    problems: &mut Problems,
) -> bool {
    // The schemas being searched, each with the parts left to search.
    let mut trail: Vec<(String, Vec<String>)> = Vec::new();
    let mut on_trail: BTreeSet<String> = BTreeSet::new();
    let mut next = Some(pointer);
    let mut found = false;
    loop {
        if let Some(pointer) = next.take() {
            if on_trail.contains(&pointer) {
                let start = trail.iter().position(|(p, _)| *p == pointer).unwrap_or(0);
                let route: Vec<&str> = trail[start..].iter().map(|(p, _)| p.as_str()).collect();
                report_cycle(doc, &route, &pointer, problems);
                found = true;
            } else if !done.contains(&pointer)
                && let Some(node) = doc.json.pointer(&pointer)
            {
                let mut left = parts(node, &pointer);
                left.reverse();
                on_trail.insert(pointer.clone());
                trail.push((pointer, left));
            }
        }
        let Some((_, left)) = trail.last_mut() else {
            return found;
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

/// Reports the cycle `trail` (which `closing` re-enters), at the last
/// `$ref` on it; its route is written out only when the report is listed.
fn report_cycle(doc: &Document<'_>, trail: &[&str], closing: &str, problems: &mut Problems) {
    let has_ref = |p: &&str| doc.json.pointer(p).is_some_and(|n| n.get("$ref").is_some());
    let at = trail
        .iter()
        .rev()
        .find(|p| has_ref(p))
        .map_or_else(|| closing.to_string(), |p| format!("{p}/$ref"));
    problems.add(&at, || {
        let only_refs = trail.iter().all(has_ref);
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
        let kind = SpecErrorKind::Unsupported {
            operation_id: None,
            what,
            hint: hint.into(),
        };
        doc.error_at(&at, kind)
    });
}
