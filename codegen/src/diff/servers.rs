//! Servers: the `Server` choices a client names.

use super::{Diff, Verdict};
use crate::model::Spec;

impl Diff<'_> {
    /// Servers as the client names them (`Server` variants), so a renamed
    /// or moved choice shows, not only an added or removed URL.
    pub(super) fn servers(&mut self) {
        let list = |spec: &Spec<'_>| -> Vec<(String, String)> {
            crate::servers::server_choices(&spec.servers)
                .0
                .into_iter()
                .map(|c| (c.name, c.url))
                .collect()
        };
        let (old, new) = (list(self.old), list(self.new));
        let url_of = |list: &[(String, String)], name: &str| {
            list.iter().find(|(n, _)| n == name).map(|(_, u)| u.clone())
        };
        for (name, url) in &new {
            match url_of(&old, name) {
                None => self.push(
                    Verdict::Compatible,
                    "servers",
                    format!("`Server::{name}` (`{url}`) added (`Server` is non-exhaustive)"),
                ),
                Some(before) if before != *url => self.push(
                    Verdict::Breaking,
                    "servers",
                    format!("`Server::{name}` moves from `{before}` to `{url}`: requests for it go elsewhere"),
                ),
                Some(_) => {}
            }
        }
        for (name, url) in old.iter().filter(|(n, _)| url_of(&new, n).is_none()) {
            self.push(
                Verdict::Breaking,
                "servers",
                format!("`Server::{name}` (`{url}`) removed: code naming it no longer compiles"),
            );
        }
        if let (Some((a, a_url)), Some((b, b_url))) = (old.first(), new.first())
            && a != b
        {
            self.push(
                Verdict::Breaking,
                "servers",
                format!("the default server changes from `Server::{a}` (`{a_url}`) to `Server::{b}` (`{b_url}`): `Client::new()` now sends requests there"),
            );
        }
    }
}
