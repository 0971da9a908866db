//! The API change report: what a spec change does to the generated Rust
//! API, each change marked **breaking** or **compatible** for code that uses
//! the client.
//!
//! The verdicts follow how the client is generated: methods take their
//! parameters positionally; every generated struct (request, response and
//! headers) is `#[non_exhaustive]` and built with `new(required fields)`,
//! so only a required field changes it; every operation returns
//! `Response<T, headers::…Headers>`, even with no headers; enums are
//! `#[non_exhaustive]` and keep text they do not know as `Unknown`, so a new
//! value breaks no `match` and no older client; `Server` is
//! non-exhaustive; and each operation takes one of the credentials its
//! `security` alternatives name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use heck::ToPascalCase;
use serde_json::Value;

use crate::validate::{operations, resolved, security_alternatives};

/// Whether a change breaks code that uses the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Code using the client may no longer compile, or may now be refused.
    Breaking,
    /// Code using the client keeps compiling and working.
    Compatible,
}

/// One change between two versions of a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Breaking or compatible.
    pub verdict: Verdict,
    /// Where: an operation, a schema field, a server, a security scheme.
    pub place: String,
    /// What changed and, where it helps, what it means for callers.
    pub description: String,
}

/// All changes between two documents, breaking first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, in a stable order.
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.verdict == Verdict::Breaking)
    }

    /// Markdown to paste into a pull request.
    pub fn to_markdown(&self, old_name: &str, new_name: &str) -> String {
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.verdict == Verdict::Breaking)
            .count();
        let compatible = self.changes.len() - breaking;
        let mut out = String::new();
        let _ = writeln!(out, "## API changes: `{old_name}` → `{new_name}`\n");
        if self.changes.is_empty() {
            out.push_str("No change to the generated API.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} for code that uses the client: **{breaking} breaking**, {compatible} compatible.\n",
            if breaking > 0 {
                "⚠️ Breaking"
            } else {
                "✅ Compatible"
            }
        );
        let _ = writeln!(out, "{}\n", crate::bump::Bump::needed(self).summary());
        out.push_str("| verdict | where | change |\n| --- | --- | --- |\n");
        for change in &self.changes {
            let verdict = match change.verdict {
                Verdict::Breaking => "**breaking**",
                Verdict::Compatible => "compatible",
            };
            let _ = writeln!(
                out,
                "| {verdict} | {} | {} |",
                escape_cell(&change.place),
                escape_cell(&change.description)
            );
        }
        out
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Compares two OpenAPI documents in their JSON form.
pub fn compare(old: &Value, new: &Value) -> Report {
    let mut diff = Diff {
        old,
        new,
        changes: Vec::new(),
        old_usage: usage(old),
        new_usage: usage(new),
    };
    diff.servers();
    diff.schemes();
    diff.operations();
    diff.conversions();
    diff.components();
    let mut changes = diff.changes;
    changes.sort_by(|a, b| (a.verdict, &a.place).cmp(&(b.verdict, &b.place)));
    changes.dedup();
    Report { changes }
}

/// How a schema is used: in requests (built by callers), in responses
/// (read by callers), or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Usage {
    input: bool,
    output: bool,
}

impl Usage {
    fn or(self, other: Usage) -> Usage {
        Usage {
            input: self.input || other.input,
            output: self.output || other.output,
        }
    }
    const INPUT: Usage = Usage {
        input: true,
        output: false,
    };
    const OUTPUT: Usage = Usage {
        input: false,
        output: true,
    };
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

fn component_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(SCHEMA_PREFIX)
}

/// Which component schemas requests and responses reach.
fn usage(doc: &Value) -> BTreeMap<String, Usage> {
    let mut found: BTreeMap<String, Usage> = BTreeMap::new();
    fn reach(doc: &Value, schema: &Value, how: Usage, found: &mut BTreeMap<String, Usage>) {
        if let Some(name) = component_name(schema) {
            let entry = found.entry(name.to_string()).or_default();
            let before = *entry;
            *entry = entry.or(how);
            if *entry == before && (before.input || before.output) {
                return; // already walked this way
            }
            if let Some(target) = doc.pointer(&format!(
                "/components/schemas/{}",
                crate::locate::escape_token(name)
            )) {
                reach(doc, target, how, found);
            }
            return;
        }
        for child in children(schema) {
            reach(doc, child, how, found);
        }
    }
    for op in operations(doc) {
        for (schema, how) in operation_schemas(doc, op.body) {
            reach(doc, schema, how, &mut found);
        }
    }
    found
}

/// A schema's subschemas.
fn children(schema: &Value) -> Vec<&Value> {
    let mut list: Vec<&Value> = Vec::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        list.extend(props.values());
    }
    list.extend(schema.get("items"));
    list.extend(schema.get("additionalProperties").filter(|v| v.is_object()));
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            list.extend(parts);
        }
    }
    list
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

fn json_schema<'v>(doc: &'v Value, node: &'v Value) -> Option<&'v Value> {
    let node = resolved(doc, node);
    let content = node.get("content")?.as_object()?;
    content.iter().find(|(m, _)| is_json(m))?.1.get("schema")
}

fn operation_schemas<'v>(doc: &'v Value, op: &'v Value) -> Vec<(&'v Value, Usage)> {
    let mut list = Vec::new();
    if let Some(schema) = op.get("requestBody").and_then(|b| json_schema(doc, b)) {
        list.push((schema, Usage::INPUT));
    }
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(schema) = resolved(doc, param).get("schema") {
            list.push((schema, Usage::INPUT));
        }
    }
    if let Some(Value::Object(responses)) = op.get("responses") {
        for response in responses.values() {
            if let Some(schema) = json_schema(doc, response) {
                list.push((schema, Usage::OUTPUT));
            }
        }
    }
    list
}

struct Diff<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    old_usage: BTreeMap<String, Usage>,
    new_usage: BTreeMap<String, Usage>,
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

impl Diff<'_> {
    fn push(&mut self, verdict: Verdict, place: impl Into<String>, description: impl Into<String>) {
        self.changes.push(Change {
            verdict,
            place: place.into(),
            description: description.into(),
        });
    }

    /// Servers as the client names them (`Server` variants), so a renamed
    /// or moved choice shows, not only an added or removed URL.
    fn servers(&mut self) {
        let list = |doc: &Value| -> Vec<(String, String)> {
            crate::servers::server_choices(doc)
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

    fn schemes(&mut self) {
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

    fn operations(&mut self) {
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

    /// `From<&T> for security::Scheme`, generated where an operation's path
    /// is an OAuth2 scheme's `tokenUrl`: moving that path drops the impl.
    fn conversions(&mut self) {
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

    fn operation(&mut self, id: &str, old: (&Value, &Value), new: (&Value, &Value)) {
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

    fn security(&mut self, place: &str, old: &Value, new: &Value) {
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

    fn headers(&mut self, place: &str, old: &Value, new: &Value) {
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

    /// Named schemas, once each, judged by how the new document uses them.
    fn components(&mut self) {
        let names = |doc: &Value| -> BTreeSet<String> {
            doc.pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, _)| name.clone())
                .collect()
        };
        let (old_names, new_names) = (names(self.old), names(self.new));
        for name in old_names.intersection(&new_names) {
            let pointer = format!("/components/schemas/{}", crate::locate::escape_token(name));
            let (Some(a), Some(b)) = (self.old.pointer(&pointer), self.new.pointer(&pointer))
            else {
                continue;
            };
            let usage = self
                .new_usage
                .get(name)
                .copied()
                .unwrap_or_default()
                .or(self.old_usage.get(name).copied().unwrap_or_default());
            let (a, b) = (a.clone(), b.clone());
            self.schema_body(&format!("`{name}`"), &a, &b, usage);
        }
        for name in new_names.difference(&old_names) {
            self.push(
                Verdict::Compatible,
                format!("`{name}`"),
                "schema added: a new type in `types`",
            );
        }
        for name in old_names.difference(&new_names) {
            self.push(
                Verdict::Breaking,
                format!("`{name}`"),
                "schema removed: its type is gone from `types`",
            );
        }
    }

    /// Compares two schemas at an operation site: named references are
    /// compared once under `components`, so only a change of name is
    /// reported here.
    fn schema(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        match (component_name(old), component_name(new)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from `{a}` to `{b}`"),
            ),
            (Some(a), None) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from `{a}` to an inline schema"),
            ),
            (None, Some(b)) => self.push(
                Verdict::Breaking,
                place,
                format!("type changes from an inline schema to `{b}`"),
            ),
            (None, None) => self.schema_body(place, old, new, usage),
        }
    }

    fn schema_body(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let kind = |s: &Value| -> String {
            let mut k = text(s, "type").to_string();
            let format = text(s, "format");
            if !format.is_empty() {
                k = format!("{k} ({format})");
            }
            if s.get("x-secret").and_then(Value::as_bool) == Some(true) {
                k.push_str(" (secret)");
            }
            k
        };
        if kind(old) != kind(new) {
            self.push(
                Verdict::Breaking,
                place,
                format!(
                    "type changes from {} to {}",
                    show(&kind(old)),
                    show(&kind(new))
                ),
            );
            return;
        }
        if old.get("nullable") != new.get("nullable") {
            self.push(
                Verdict::Breaking,
                place,
                "nullability changes: the field's type changes",
            );
        }
        self.enums(place, old, new, usage);
        self.bounds(place, old, new, usage);
        if integer_type(old) != integer_type(new) {
            self.push(
                Verdict::Breaking,
                place,
                format!(
                    "the field's type changes from `{}` to `{}`: the generator picks it from `minimum`",
                    integer_type(old),
                    integer_type(new)
                ),
            );
        }
        if checked_string(old) != checked_string(new) {
            self.push(
                Verdict::Breaking,
                place,
                "the field's type changes between `String` and a newtype that checks its length or pattern",
            );
        }

        // Objects: fields and required-ness.
        let props = |s: &Value| -> BTreeMap<String, Value> {
            s.get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let required = |s: &Value| -> BTreeSet<String> {
            s.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        let (old_props, new_props) = (props(old), props(new));
        let (old_required, new_required) = (required(old), required(new));
        for (name, schema) in &new_props {
            let field = field_place(place, name);
            match old_props.get(name) {
                None => {
                    let req = new_required.contains(name);
                    // Generated structs are non-exhaustive and built with
                    // `new(required fields)`: only a required field changes that.
                    let (verdict, why) = if req {
                        (Verdict::Breaking, "`new` takes one more argument")
                    } else {
                        (
                            Verdict::Compatible,
                            "structs are non-exhaustive and `new` is unchanged",
                        )
                    };
                    self.push(
                        verdict,
                        field,
                        format!(
                            "{} field added: {why}",
                            if req { "required" } else { "optional" }
                        ),
                    );
                }
                Some(before) => {
                    if old_required.contains(name) != new_required.contains(name) {
                        let now = new_required.contains(name);
                        self.push(
                            Verdict::Breaking,
                            field.clone(),
                            format!(
                                "becomes {}: its type changes between `T` and `Option<T>`",
                                if now { "required" } else { "optional" }
                            ),
                        );
                    }
                    let (mut before, mut schema) = (before.clone(), schema.clone());
                    if !old_required.contains(name) && !new_required.contains(name) {
                        self.optional_nullability(&field, &mut before, &mut schema, usage);
                    }
                    self.schema(&field, &before, &schema, usage);
                }
            }
        }
        for name in old_props.keys() {
            if !new_props.contains_key(name) {
                self.push(Verdict::Breaking, field_place(place, name), "field removed");
            }
        }
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            let (a, b) = (a.clone(), b.clone());
            self.schema(&field_place(place, "[]"), &a, &b, usage);
        }
        let extra = |s: &Value| s.get("additionalProperties").cloned();
        if extra(old) != extra(new)
            && (old.get("properties").is_some() || new.get("properties").is_some())
        {
            let closed = |v: &Option<Value>| v.as_ref() == Some(&Value::Bool(false));
            if closed(&extra(old)) != closed(&extra(new)) {
                self.push(
                    if usage.input && closed(&extra(new)) {
                        Verdict::Breaking
                    } else {
                        Verdict::Compatible
                    },
                    place,
                    if closed(&extra(new)) {
                        "no longer accepts unknown properties (`additionalProperties: false`)"
                    } else {
                        "accepts unknown properties"
                    },
                );
            }
        }
    }

    /// An optional field is `Option<T>` whether or not it is nullable:
    /// only whether an explicit null is accepted changes. Judged here, and
    /// `nullable` taken out of both schemas so it is not judged again.
    fn optional_nullability(
        &mut self,
        place: &str,
        old: &mut Value,
        new: &mut Value,
        usage: Usage,
    ) {
        let nullable = |s: &Value| s.get("nullable").and_then(Value::as_bool) == Some(true);
        let (was, now) = (nullable(old), nullable(new));
        if was != now {
            let (verdict, description) = match (now, usage.output) {
                (true, _) => (
                    Verdict::Compatible,
                    "becomes nullable on an optional field: its type stays `Option<T>`, and an explicit null is accepted",
                ),
                (false, true) => (
                    Verdict::Breaking,
                    "stops being nullable: a response with an explicit null is now refused",
                ),
                (false, false) => (
                    Verdict::Compatible,
                    "stops being nullable on an optional request field: its type stays `Option<T>`, and `None` is left out",
                ),
            };
            self.push(verdict, place, description);
        }
        for schema in [old, new] {
            if let Some(object) = schema.as_object_mut() {
                object.remove("nullable");
            }
        }
    }

    fn enums(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        let values = |s: &Value| -> Option<Vec<String>> {
            s.get("enum")
                .and_then(Value::as_array)
                .map(|list| list.iter().map(|v| v.to_string()).collect())
        };
        let (Some(old_values), Some(new_values)) = (values(old), values(new)) else {
            if values(old).is_some() != values(new).is_some() {
                self.push(
                    Verdict::Breaking,
                    place,
                    "becomes an enum or stops being one: its type changes",
                );
            }
            return;
        };
        for value in new_values.iter().filter(|v| !old_values.contains(v)) {
            // The open enum's catch-all is `Unknown` unless a value takes
            // that name.
            if value.trim_matches('"').to_pascal_case() == "Unknown" {
                self.push(
                    Verdict::Breaking,
                    place,
                    format!("enum value {value} added: it takes the variant name `Unknown`, so the catch-all for unlisted values becomes `UnknownValue`"),
                );
                continue;
            }
            let why = if usage.output {
                "enums are non-exhaustive, so `match`es have a wildcard arm; an older client decodes it as `Unknown`"
            } else {
                "enums are non-exhaustive, so `match`es have a wildcard arm"
            };
            self.push(
                Verdict::Compatible,
                place,
                format!("enum value {value} added: {why}"),
            );
        }
        for value in old_values.iter().filter(|v| !new_values.contains(v)) {
            self.push(
                Verdict::Breaking,
                place,
                format!("enum value {value} removed: its variant is gone"),
            );
        }
    }

    fn bounds(&mut self, place: &str, old: &Value, new: &Value, usage: Usage) {
        // (keyword, whether a larger value is tighter)
        const NUMERIC: [(&str, bool); 6] = [
            ("minimum", true),
            ("maximum", false),
            ("minLength", true),
            ("maxLength", false),
            ("minItems", true),
            ("maxItems", false),
        ];
        for (keyword, larger_is_tighter) in NUMERIC {
            let (a, b) = (
                old.get(keyword).and_then(Value::as_f64),
                new.get(keyword).and_then(Value::as_f64),
            );
            let tighter = match (a, b) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b > a) == larger_is_tighter,
            };
            let show_value = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
            self.bound(
                place,
                usage,
                tighter,
                format!(
                    "`{keyword}` changes from {} to {}",
                    show_value(a),
                    show_value(b)
                ),
            );
        }
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
            let flag = |s: &Value| s.get(keyword).and_then(Value::as_bool).unwrap_or(false);
            if flag(old) != flag(new) {
                self.bound(
                    place,
                    usage,
                    flag(new),
                    format!("`{keyword}` becomes {}", flag(new)),
                );
            }
        }
        for keyword in ["pattern", "multipleOf"] {
            if old.get(keyword) != new.get(keyword) {
                let show_value =
                    |s: &Value| s.get(keyword).map_or("none".to_string(), |v| v.to_string());
                // A different pattern or step may refuse values the old accepted.
                let tighter = new.get(keyword).is_some();
                self.bound(
                    place,
                    usage,
                    tighter,
                    format!(
                        "`{keyword}` changes from {} to {}",
                        show_value(old),
                        show_value(new)
                    ),
                );
            }
        }
    }

    fn bound(&mut self, place: &str, usage: Usage, tighter: bool, description: String) {
        let (verdict, why) = match (usage.input, tighter) {
            (true, true) => (
                Verdict::Breaking,
                "requests that passed may now be refused before sending",
            ),
            (true, false) => (Verdict::Compatible, "more requests pass"),
            (false, true) => (
                Verdict::Compatible,
                "responses are checked against the tighter bound",
            ),
            (false, false) => (
                Verdict::Compatible,
                "responses are checked against the looser bound",
            ),
        };
        self.push(verdict, place, format!("{description}: {why}"));
    }
}

/// `` `Type.field` `` for a field of a named schema, `` place › `field` ``
/// elsewhere; `[]` stands for array items.
fn field_place(place: &str, name: &str) -> String {
    let separator = if name == "[]" { "" } else { "." };
    match place.strip_suffix('`') {
        Some(inside) if place.starts_with('`') => format!("{inside}{separator}{name}`"),
        _ => format!("{place} › `{name}`"),
    }
}

/// `(scheme, operationId)` where the operation's path is one of the scheme's
/// `tokenUrl`s.
fn token_operations(doc: &Value) -> BTreeSet<(String, String)> {
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

/// The operation object and its path item, by operationId.
fn find_operation<'v>(doc: &'v Value, id: &str) -> Option<(&'v Value, &'v Value)> {
    operations(doc)
        .into_iter()
        .find(|op| text(op.body, "operationId") == id)
        .map(|op| (op.body, op.path_item))
}

/// The Rust type of an integer without a `format`: unsigned from a
/// `minimum` of 0, non-zero from 1 (or an exclusive 0), else `i64`.
fn integer_type(schema: &Value) -> &'static str {
    if text(schema, "type") != "integer" || schema.get("format").is_some() {
        return "";
    }
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    let exclusive = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    match (minimum, exclusive) {
        (Some(0.0), false) => "u64",
        (Some(1.0), false) | (Some(0.0), true) => "NonZeroU64",
        _ => "i64",
    }
}

/// A string schema with a length or pattern: generated as a newtype that
/// checks it, not as `String`.
fn checked_string(schema: &Value) -> bool {
    text(schema, "type") == "string"
        && schema.get("enum").is_none()
        && ["minLength", "maxLength", "pattern"]
            .iter()
            .any(|k| schema.get(k).is_some())
}

fn show(kind: &str) -> String {
    if kind.is_empty() {
        "untyped".to_string()
    } else {
        format!("`{kind}`")
    }
}
