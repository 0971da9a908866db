//! Security schemes, per-operation alternatives, and the credential
//! conversions from token responses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Diff, Verdict, text};
use crate::validate::{operations, security_alternatives};

impl Diff<'_> {
    pub(super) fn schemes(&mut self) {
        let map = |doc: &'_ Value| -> BTreeMap<String, String> {
            doc.pointer("/components/securitySchemes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, s)| {
                    let kind = match text(s, "type") {
                        "http" => format!("http {}", text(s, "scheme").to_ascii_lowercase()),
                        "apiKey" => format!("apiKey in {} `{}`", text(s, "in"), text(s, "name")),
                        other => other.to_string(),
                    };
                    (name.clone(), kind)
                })
                .collect()
        };
        let (old, new) = (map(self.old), map(self.new));
        for (name, kind) in &new {
            match old.get(name) {
                None => self.push(
                    Verdict::Compatible,
                    format!("security scheme `{name}`"),
                    format!("added ({kind}): a new credential type `security::{name}`"),
                ),
                Some(before) if before != kind => {
                    let bearer =
                        |k: &str| k == "oauth2" || k == "openIdConnect" || k == "http bearer";
                    if bearer(before) && bearer(kind) {
                        self.push(
                            Verdict::Compatible,
                            format!("security scheme `{name}`"),
                            format!(
                                "changes from {before} to {kind}; still sent as a bearer token"
                            ),
                        );
                    } else {
                        self.push(
                            Verdict::Breaking,
                            format!("security scheme `{name}`"),
                            format!("changes from {before} to {kind}: how the credential is built or sent changes"),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        for (name, kind) in &old {
            if !new.contains_key(name) {
                self.push(
                    Verdict::Breaking,
                    format!("security scheme `{name}`"),
                    format!("removed ({kind}): the type `security::{name}` is gone"),
                );
            }
        }
    }

    /// `From<&T> for security::Scheme`, generated where an operation's path
    /// is an OAuth2 scheme's `tokenUrl`: moving that path drops the impl.
    pub(super) fn conversions(&mut self) {
        let (old, new) = (token_operations(self.old), token_operations(self.new));
        for (scheme, id) in old.difference(&new) {
            self.push(
                Verdict::Breaking,
                format!("security scheme `{scheme}`"),
                format!("`{id}` is no longer at its `tokenUrl`: `security::{scheme}::from(&response)` stops compiling"),
            );
        }
        for (scheme, id) in new.difference(&old) {
            self.push(
                Verdict::Compatible,
                format!("security scheme `{scheme}`"),
                format!("`{id}` is now at its `tokenUrl`: `security::{scheme}` converts from its response"),
            );
        }
    }

    pub(super) fn security(&mut self, place: &str, old: &Value, new: &Value) {
        // As sets, so that the order of schemes and scopes does not count.
        let alternatives = |doc: &Value, op: &Value| -> Vec<BTreeMap<String, BTreeSet<String>>> {
            security_alternatives(doc, op)
                .unwrap_or_default()
                .into_iter()
                .map(|alt| {
                    alt.into_iter()
                        .map(|(k, v)| (k, v.into_iter().collect()))
                        .collect()
                })
                .collect()
        };
        let describe = |alt: &BTreeMap<String, BTreeSet<String>>| -> String {
            if alt.is_empty() {
                return "no credential".into();
            }
            alt.keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let old_alts = alternatives(self.old, old);
        let new_alts = alternatives(self.new, new);
        let place = format!("{place} security");
        if old_alts.is_empty() && !new_alts.is_empty() {
            self.push(
                Verdict::Breaking,
                place,
                "now requires a credential: the method takes a credential argument",
            );
            return;
        }
        if !old_alts.is_empty() && new_alts.is_empty() {
            self.push(
                Verdict::Breaking,
                place,
                "no longer takes a credential: the credential argument is gone",
            );
            return;
        }
        let keys = |alts: &[BTreeMap<String, BTreeSet<String>>]| -> Vec<BTreeSet<String>> {
            alts.iter().map(|a| a.keys().cloned().collect()).collect()
        };
        let (old_keys, new_keys) = (keys(&old_alts), keys(&new_alts));
        for (alt, key) in new_alts.iter().zip(&new_keys) {
            match old_keys.iter().position(|k| k == key) {
                None => self.push(
                    Verdict::Compatible,
                    place.clone(),
                    format!("accepts {} too", describe(alt)),
                ),
                Some(i) if old_alts[i] != *alt => {
                    let scopes = |a: &BTreeMap<String, BTreeSet<String>>| {
                        a.iter()
                            .map(|(k, s)| {
                                format!(
                                    "`{k}` [{}]",
                                    s.iter().cloned().collect::<Vec<_>>().join(", ")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(" + ")
                    };
                    self.push(
                        Verdict::Compatible,
                        place.clone(),
                        format!(
                            "scopes change from {} to {}: the same credential types, but tokens may need other scopes",
                            scopes(&old_alts[i]),
                            scopes(alt)
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        for (alt, key) in old_alts.iter().zip(&old_keys) {
            if !new_keys.contains(key) {
                self.push(
                    Verdict::Breaking,
                    place.clone(),
                    format!(
                        "no longer accepts {}: passing it does not compile",
                        describe(alt)
                    ),
                );
            }
        }
    }
}

/// `(scheme, operationId)` where the operation's path is one of the scheme's
/// `tokenUrl`s.
pub(super) fn token_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for (name, scheme) in schemes.into_iter().flatten() {
        let flows = scheme.get("flows").and_then(Value::as_object);
        let urls: BTreeSet<&str> = flows
            .into_iter()
            .flatten()
            .filter_map(|(_, flow)| flow.get("tokenUrl").and_then(Value::as_str))
            .collect();
        for op in operations(doc) {
            if urls.contains(op.path) {
                found.insert((name.clone(), text(op.body, "operationId").to_string()));
            }
        }
    }
    found
}
