//! Security schemes, per-operation alternatives, and the credential
//! conversions from token responses.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diff, Verdict};
use crate::model::{Operation, Spec};

impl Diff<'_> {
    pub(super) fn schemes(&mut self) {
        let map = |spec: &Spec<'_>| -> BTreeMap<String, String> {
            spec.schemes
                .iter()
                .map(|scheme| (scheme.name.to_string(), scheme.kind.describe()))
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

    pub(super) fn security(&mut self, place: &str, old: &Operation<'_>, new: &Operation<'_>) {
        // As sets, so that the order of schemes and scopes does not count.
        let alternatives = |op: &Operation<'_>| -> Vec<BTreeMap<String, BTreeSet<String>>> {
            op.security
                .iter()
                .flatten()
                .map(|alt| {
                    alt.iter()
                        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
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
        let old_alts = alternatives(old);
        let new_alts = alternatives(new);
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

/// `(scheme, operationId)` for each operation whose tokens convert into
/// the scheme's credential ([`Spec::token_issuers`]).
pub(super) fn token_operations(spec: &Spec<'_>) -> BTreeSet<(String, String)> {
    spec.token_issuers()
        .into_iter()
        .map(|(scheme, op)| (scheme.name.to_string(), op.id.to_string()))
        .collect()
}
