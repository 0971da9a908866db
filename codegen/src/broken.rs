//! Which parts of a document the problems found so far make unreliable to
//! check further: a part is broken when a problem is inside it, or when a
//! `$ref` inside it leads (through any number of references) to a node
//! with a problem inside. A check that resolves references skips a broken
//! part, because what it would say there follows from the problem already
//! reported (a dangling response `$ref` is not also "a second error type").

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The problems found, and the `$ref` targets that lead to one.
pub(crate) struct Broken<'p> {
    problems: &'p BTreeSet<String>,
    /// Each `$ref`'s place (the object holding it) → its target.
    references: BTreeMap<String, String>,
    /// The targets with a problem inside, directly or through references.
    broken_targets: BTreeSet<String>,
}

impl<'p> Broken<'p> {
    /// Follows the document's references back from each problem (by its
    /// pointer) to everything that leads to it, in time linear in the
    /// references and the depth of their places.
    pub(crate) fn find(json: &Value, problems: &'p BTreeSet<String>) -> Self {
        let mut references = BTreeMap::new();
        if !problems.is_empty() {
            crate::walk::for_each_object(json, |pointer, object| {
                if let Some(target) = object
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                {
                    references.insert(pointer.to_string(), target.to_string());
                }
            });
        }
        let mut referrers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (place, target) in &references {
            referrers.entry(target).or_default().push(place);
        }
        let mut broken: BTreeSet<String> = BTreeSet::new();
        let mut newly: Vec<String> = Vec::new();
        // A target is broken when a broken node is at or inside it.
        let mark = |inside: &str, broken: &mut BTreeSet<String>, newly: &mut Vec<String>| {
            for target in enclosing(inside) {
                if referrers.contains_key(target) && broken.insert(target.to_string()) {
                    newly.push(target.to_string());
                }
            }
        };
        for problem in problems {
            mark(problem, &mut broken, &mut newly);
        }
        while let Some(target) = newly.pop() {
            for place in referrers.get(target.as_str()).into_iter().flatten() {
                mark(place, &mut broken, &mut newly);
            }
        }
        Self {
            problems,
            references,
            broken_targets: broken,
        }
    }

    /// Whether the node at `pointer` has a problem inside, or a `$ref`
    /// inside it leads to one.
    pub(crate) fn leads_to_problem(&self, pointer: &str) -> bool {
        inside(self.problems.range(pointer.to_string()..), pointer)
            .next()
            .is_some()
            || inside(self.references.range(pointer.to_string()..), pointer)
                .any(|(_, target)| self.broken_targets.contains(target))
    }
}

/// The entries of `sorted` (starting at `pointer`) that are the node at
/// `pointer` or inside it.
fn inside<'a, T: KeyText + 'a>(
    sorted: impl Iterator<Item = T> + 'a,
    pointer: &'a str,
) -> impl Iterator<Item = T> + 'a {
    sorted
        .take_while(move |entry| entry.key().starts_with(pointer))
        .filter(move |entry| {
            let rest = &entry.key()[pointer.len()..];
            rest.is_empty() || rest.starts_with('/')
        })
}

/// The pointer an entry of a set or map is sorted by.
trait KeyText {
    fn key(&self) -> &str;
}

impl KeyText for &String {
    fn key(&self) -> &str {
        self
    }
}

impl KeyText for (&String, &String) {
    fn key(&self) -> &str {
        self.0
    }
}

/// `pointer` and each node that holds it, innermost first, up to the
/// document (`""`).
fn enclosing(pointer: &str) -> impl Iterator<Item = &str> {
    let cuts = pointer.rmatch_indices('/').map(|(index, _)| index);
    std::iter::once(pointer).chain(cuts.map(|index| &pointer[..index]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_part_is_broken_through_the_references_that_lead_to_a_problem() {
        let json = json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"$ref": "#/components/responses/Good"},
                "404": {"$ref": "#/components/responses/Chained"}
            }}}},
            "components": {"responses": {
                "Good": {"description": "fine"},
                "Chained": {"$ref": "#/components/responses/Bad"},
                "Bad": {"content": {"application/json": {"schema": {"$ref": "#/nowhere"}}}}
            }}
        });
        let problems: BTreeSet<String> =
            ["/components/responses/Bad/content/application~1json/schema/$ref".to_string()].into();
        let broken = Broken::find(&json, &problems);
        assert!(broken.leads_to_problem("/paths/~1a/get/responses"));
        assert!(broken.leads_to_problem("/paths/~1a/get/responses/404"));
        assert!(!broken.leads_to_problem("/paths/~1a/get/responses/200"));
        assert!(broken.leads_to_problem("/components/responses/Chained"));
        assert!(!broken.leads_to_problem("/components/responses/Good"));
        // A prefix of a name is not the node that holds it.
        assert!(!broken.leads_to_problem("/components/responses/Ba"));
    }

    #[test]
    fn with_no_problem_nothing_is_broken() {
        let json = json!({"a": {"$ref": "#/a"}});
        let problems = BTreeSet::new();
        assert!(!Broken::find(&json, &problems).leads_to_problem(""));
    }

    #[test]
    fn enclosing_nodes_run_from_the_node_up_to_the_document() {
        let all: Vec<&str> = enclosing("/a/b~1c/d").collect();
        assert_eq!(all, ["/a/b~1c/d", "/a/b~1c", "/a", ""]);
    }
}
