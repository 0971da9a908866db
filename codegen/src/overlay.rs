//! Overlays: documents merged into the base document before anything else
//! reads it, by the rule upstream's C2M API v2 documents are merged with.
//!
//! - Mappings merge key by key, at every depth.
//! - Where both have a scalar or a sequence at one place, the overlay wins.
//! - Under `paths`, an overlay only adds the paths the base lacks: a path
//!   both have keeps the base's definition whole.
//! - A mapping on one side and a scalar or sequence on the other is a
//!   conflict the rule cannot settle, reported with both places.
//!
//! Overlays apply in order, each over the result of the ones before. The
//! merged document remembers nothing of its origins: [`origin`] works out,
//! for a pointer into it, which document wrote that node, so that an error
//! points into that file.

use serde_json::{Map, Value};

use crate::locate::escape_token;

/// A place where the base (or an earlier overlay) and an overlay disagree
/// in a way the rule cannot settle.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// The node both documents write, as a JSON pointer.
    pub pointer: String,
    /// Which overlay, counting from 0.
    pub overlay: usize,
    /// What each side has there: `a mapping`, `a sequence`, `a string`, …
    pub merged_kind: &'static str,
    pub overlay_kind: &'static str,
}

/// Merges `overlays` into `base` in order; the conflicts leave the earlier
/// value in place.
pub(crate) fn merge(base: &mut Value, overlays: &[&Value]) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (index, overlay) in overlays.iter().enumerate() {
        let mut at = Merge {
            overlay: index,
            conflicts: &mut conflicts,
        };
        at.value(base, overlay, String::new());
    }
    conflicts
}

struct Merge<'c> {
    overlay: usize,
    conflicts: &'c mut Vec<Conflict>,
}

impl Merge<'_> {
    fn value(&mut self, merged: &mut Value, overlay: &Value, pointer: String) {
        if let (Value::Object(merged), Value::Object(overlay)) = (&mut *merged, overlay) {
            self.mapping(merged, overlay, &pointer);
        } else if merged.is_object() || overlay.is_object() {
            self.conflicts.push(Conflict {
                pointer,
                overlay: self.overlay,
                merged_kind: kind(merged),
                overlay_kind: kind(overlay),
            });
        } else {
            *merged = overlay.clone();
        }
    }

    fn mapping(&mut self, merged: &mut Map<String, Value>, overlay: &Map<String, Value>, at: &str) {
        for (key, value) in overlay {
            let pointer = format!("{at}/{}", escape_token(key));
            match merged.get_mut(key) {
                // A path both documents have keeps the base's definition.
                Some(_) if is_path(at) => {}
                Some(existing) => self.value(existing, value, pointer),
                None => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// Whether `pointer` is `/paths`, whose entries the rule never merges.
fn is_path(pointer: &str) -> bool {
    pointer == "/paths"
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "a mapping",
        Value::Array(_) => "a sequence",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

/// Which document wrote the merged node at `pointer`: 0 for the base,
/// `i + 1` for overlay `i`. The last overlay holding the node wrote it,
/// unless it is a path (or inside one) that an earlier document already
/// had, which the rule keeps from that earlier one.
pub(crate) fn origin(pointer: &str, base: &Value, overlays: &[&Value]) -> usize {
    let path = path_key(pointer);
    let documents: Vec<&Value> = std::iter::once(base)
        .chain(overlays.iter().copied())
        .collect();
    let has_path = |doc: &Value| path.as_ref().is_some_and(|p| doc.pointer(p).is_some());
    if let Some(first) = documents.iter().position(|doc| has_path(doc)) {
        return first;
    }
    documents
        .iter()
        .rposition(|doc| doc.pointer(pointer).is_some())
        .unwrap_or(0)
}

/// `/paths/{path}` when `pointer` is at or inside one path item.
fn path_key(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/paths/")?;
    let item = rest.split('/').next()?;
    Some(format!("/paths/{item}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mappings_merge_the_overlay_wins_on_scalars_and_adds_only_new_paths() {
        let mut base = json!({
            "info": {"title": "Base", "version": "1"},
            "tags": ["jobs"],
            "paths": {"/jobs": {"post": {"operationId": "submit"}}},
            "components": {"schemas": {"Job": {"type": "object"}}}
        });
        let overlay = json!({
            "info": {"title": "Overlay"},
            "tags": ["auth"],
            "paths": {
                "/jobs": {"get": {"operationId": "listJobs"}},
                "/auth": {"post": {"operationId": "token"}}
            },
            "components": {"schemas": {"Token": {"type": "string"}}}
        });
        assert_eq!(merge(&mut base, &[&overlay]), Vec::new());
        assert_eq!(
            base,
            json!({
                "info": {"title": "Overlay", "version": "1"},
                "tags": ["auth"],
                "paths": {
                    "/jobs": {"post": {"operationId": "submit"}},
                    "/auth": {"post": {"operationId": "token"}}
                },
                "components": {"schemas": {
                    "Job": {"type": "object"},
                    "Token": {"type": "string"}
                }}
            })
        );
    }

    #[test]
    fn a_mapping_against_a_scalar_is_a_conflict_and_the_earlier_value_stays() {
        let mut base = json!({"info": {"title": "Base"}, "servers": [{"url": "https://a"}]});
        let overlay = json!({"info": "text", "servers": {"url": "https://b"}});
        let conflicts = merge(&mut base, &[&overlay]);
        let found: Vec<(&str, &str, &str)> = conflicts
            .iter()
            .map(|c| (c.pointer.as_str(), c.merged_kind, c.overlay_kind))
            .collect();
        assert_eq!(
            found,
            [
                ("/info", "a mapping", "a string"),
                ("/servers", "a sequence", "a mapping")
            ]
        );
        assert_eq!(base["info"], json!({"title": "Base"}));
    }

    #[test]
    fn a_node_comes_from_the_document_that_wrote_it() {
        let base = json!({
            "info": {"title": "Base", "version": "1"},
            "paths": {"/jobs": {"post": {"summary": "base"}}}
        });
        let overlay = json!({
            "info": {"title": "Overlay"},
            "paths": {"/jobs": {"post": {"summary": "ignored"}}, "/auth": {"post": {}}}
        });
        let from = |pointer| origin(pointer, &base, &[&overlay]);
        assert_eq!(from("/info/title"), 1);
        assert_eq!(from("/info/version"), 0);
        assert_eq!(
            from("/paths/~1jobs/post/summary"),
            0,
            "the base keeps its path"
        );
        assert_eq!(from("/paths/~1auth/post"), 1);
        assert_eq!(from("/nowhere"), 0);
    }
}
