//! A seeded, deterministic mutation fuzzer over our documents: the frozen
//! `spec/auth.yaml`, the corpus (`tests/corpus/`) and the edge cases
//! (`tests/edge/names.yaml`). Each mutant is a document broken in a few
//! structural ways (keys deleted, duplicated, renamed or retyped, values
//! swapped, `$ref` cycles, deep nesting, non-finite and odd numbers, odd
//! strings, schema keywords set to odd values) and written as YAML or JSON.
//!
//! Every mutant must end within the watchdog, without a panic, in generated
//! code or a located spec error; a sample of the accepted ones must compile
//! with warnings denied. `C2M_FUZZ_SEED`, `C2M_FUZZ_MUTANTS` and
//! `C2M_FUZZ_SAMPLE` change the seed (default 1), the count (default 2,000)
//! and how many are compiled (default 10); a failure names the seed
//! and index that reproduce it, and the mutant is written under Cargo's
//! `target/tmp/mutation-failures/`.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use support::{Outcome, WATCHDOG, generate_bounded, unlocated};

const DEFAULT_MUTANTS: usize = 2_000;
const WORKERS: usize = 2;
/// How many accepted mutants are compiled, by default.
const SAMPLE: usize = 10;
/// Stand-ins for what JSON cannot hold, replaced in the written text.
const NAN: &str = "__c2m_nan__";
const INFINITY: &str = "__c2m_inf__";

/// `(name, path under tests/, how often it is chosen)`: the large corpus
/// documents are chosen less, as each of their mutants takes longer.
const BASES: [(&str, &str, u64); 6] = [
    ("auth", "fixtures/auth.yaml", 40),
    ("names", "edge/names.yaml", 25),
    ("keeper", "corpus/keeper.json", 12),
    ("buildomat", "corpus/buildomat.json", 10),
    ("propolis", "corpus/propolis-server.json", 10),
    ("nexus", "corpus/nexus.json", 1),
];

/// SplitMix64: small, seedable and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Every node of `value`, as JSON pointers, the root first.
fn pointers(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((pointer, node)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    stack.push((format!("{pointer}/{escaped}"), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{index}"), child));
                }
            }
            _ => {}
        }
        found.push(pointer);
    }
    found
}

/// The pointers of objects that look like schemas.
fn schema_pointers(value: &Value, all: &[String]) -> Vec<String> {
    all.iter()
        .filter(|p| {
            value.pointer(p).is_some_and(|node| {
                node.get("type").is_some_and(Value::is_string)
                    || node.get("$ref").is_some()
                    || node.get("allOf").is_some()
                    || node.get("properties").is_some()
            })
        })
        .cloned()
        .collect()
}

fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(0),
        4 => json!(1.5),
        5 => json!(18_446_744_073_709_551_615u64),
        6 => json!(NAN),
        7 => json!(INFINITY),
        8 => json!(""),
        9 => json!("8"),
        10 => json!("..\\..\\x"),
        11 => json!("héllo ✓ 😀 {id} ? # %"),
        12 => json!([]),
        13 => json!({}),
        14 => json!("a".repeat(300)),
        _ => json!([1, "two", {"three": 3}]),
    }
}

const KEYWORDS: [&str; 24] = [
    "type",
    "format",
    "nullable",
    "enum",
    "title",
    "minimum",
    "maximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "default",
    "readOnly",
    "writeOnly",
    "x-secret",
    "exclusiveMinimum",
];

fn keyword_value(rng: &mut Rng, keyword: &str) -> Value {
    if rng.chance(40) {
        return odd_value(rng);
    }
    match keyword {
        "type" => json!(rng.pick(&[
            "string", "integer", "number", "boolean", "array", "object", "null", "file"
        ])),
        "format" => json!(rng.pick(&[
            "password",
            "date-time",
            "uuid",
            "int64",
            "byte",
            "binary",
            "uri"
        ])),
        "enum" => json!(rng.pick(&[
            json!(["a", "b"]),
            json!(["a", null]),
            json!([1, 2]),
            json!(["A", "a"]),
            json!(["", "-"])
        ])),
        "title" => json!(rng.pick(&["Urgency", "Client", "Error", "type", ""])),
        "pattern" => json!(rng.pick(&["^[a-z]+$", "(", "\\d{2,}", "[[:alpha:]]"])),
        "items" | "not" | "additionalProperties" => json!({"$ref": "#/components/schemas/Loop"}),
        "properties" => json!({"p": {"type": "string"}, "P": {"type": "integer"}}),
        "required" => json!(["p", "missing"]),
        "allOf" | "oneOf" | "anyOf" => json!([{"$ref": "#/components/schemas/Loop"}, {}]),
        "nullable" | "readOnly" | "writeOnly" | "x-secret" | "exclusiveMinimum" => json!(true),
        _ => json!(rng.below(100)),
    }
}

/// Applies one structural change to `doc`.
fn mutate(rng: &mut Rng, doc: &mut Value) {
    let all = pointers(doc);
    let target = rng.pick(&all).clone();
    match rng.below(11) {
        // Delete a key or an element.
        0 => remove(doc, &target),
        // Copy one subtree over another.
        1 => {
            let source = rng.pick(&all).clone();
            if let Some(copy) = doc.pointer(&source).cloned() {
                set(doc, &target, copy);
            }
        }
        // Retype a value.
        2 => {
            let value = odd_value(rng);
            set(doc, &target, value);
        }
        // Swap two values.
        3 => {
            let other = rng.pick(&all).clone();
            if !target.starts_with(&other) && !other.starts_with(&target) {
                let (a, b) = (doc.pointer(&target).cloned(), doc.pointer(&other).cloned());
                if let (Some(a), Some(b)) = (a, b) {
                    set(doc, &target, b);
                    set(doc, &other, a);
                }
            }
        }
        // A cycle of references, or a reference to an odd place.
        4 => insert_cycle(rng, doc, &all),
        // Nest a schema deeply.
        5 => {
            let schemas = schema_pointers(doc, &all);
            if !schemas.is_empty() {
                let at = rng.pick(&schemas).clone();
                deepen(rng, doc, &at);
            }
        }
        // Numbers become non-finite, huge, negative or text.
        6 => {
            let numbers: Vec<&String> = all
                .iter()
                .filter(|p| doc.pointer(p).is_some_and(Value::is_number))
                .collect();
            if !numbers.is_empty() {
                let at = rng.pick(&numbers).to_string();
                let value = rng
                    .pick(&[
                        json!(NAN),
                        json!(INFINITY),
                        json!(-7),
                        json!("12"),
                        json!(1e300),
                    ])
                    .clone();
                set(doc, &at, value);
            }
        }
        // A schema keyword set.
        7 | 8 => {
            let schemas = schema_pointers(doc, &all);
            if !schemas.is_empty() {
                let at = rng.pick(&schemas).clone();
                let keyword = *rng.pick(&KEYWORDS);
                let value = keyword_value(rng, keyword);
                if let Some(Value::Object(schema)) = doc.pointer_mut(&at) {
                    schema.insert(keyword.to_string(), value);
                }
            }
        }
        // Rename a key: another case, a clash, or something odd.
        9 => rename(rng, doc, &target),
        // A string becomes odd.
        _ => {
            if doc.pointer(&target).is_some_and(Value::is_string) {
                let value = odd_value(rng);
                set(doc, &target, value);
            }
        }
    }
}

fn parent_and_key(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, key)) = parent_and_key(pointer) else {
        return;
    };
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
    }
}

fn rename(rng: &mut Rng, doc: &mut Value, pointer: &str) {
    let Some((parent, key)) = parent_and_key(pointer) else {
        return;
    };
    let Some(Value::Object(map)) = doc.pointer_mut(parent) else {
        return;
    };
    let new_key = match rng.below(5) {
        0 => key.to_uppercase(),
        1 => key.replace(['_', '-'], ""),
        2 => format!("{key}-x"),
        3 => map
            .keys()
            .next()
            .map_or_else(|| "k".to_string(), |first| first.to_lowercase()),
        _ => "type".to_string(),
    };
    if let Some(value) = map.shift_remove(&key) {
        map.insert(new_key, value);
    }
}

/// Schemas that refer to each other (through `allOf` or directly), or a
/// `$ref` to a random node.
fn insert_cycle(rng: &mut Rng, doc: &mut Value, all: &[String]) {
    let names: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let escape = |name: &str| name.replace('~', "~0").replace('/', "~1");
    let (a, b) = if names.is_empty() {
        ("Loop".to_string(), "Loop".to_string())
    } else {
        (rng.pick(&names).clone(), rng.pick(&names).clone())
    };
    let to = |name: &str| json!({"$ref": format!("#/components/schemas/{}", escape(name))});
    let (first, second) = match rng.below(4) {
        0 => (to(&b), to(&a)),
        1 => (json!({"allOf": [to(&b), {}]}), json!({"allOf": [to(&a)]})),
        2 => (
            json!({"oneOf": [to(&b)]}),
            json!({"type": "array", "items": to(&a)}),
        ),
        _ => {
            let somewhere = rng.pick(all).clone();
            (json!({"$ref": format!("#{somewhere}")}), to(&a))
        }
    };
    if doc.get("components").is_none_or(|c| !c.is_object())
        && let Value::Object(root) = doc
    {
        root.insert("components".into(), json!({}));
    }
    let Some(Value::Object(components)) = doc.get_mut("components") else {
        return;
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(schemas) = schemas {
        schemas.insert(a.clone(), first);
        if a != b {
            schemas.insert(b, second);
        }
    }
    // Used somewhere, so that the generator reaches it.
    if rng.chance(50)
        && let Some(Value::Object(schema)) = doc.pointer_mut(rng.pick(all).as_str())
    {
        schema.insert("$ref".into(), to(&a)["$ref"].clone());
    }
}

/// Wraps the schema at `at` in many arrays or objects.
fn deepen(rng: &mut Rng, doc: &mut Value, at: &str) {
    let levels = *rng.pick(&[5, 20, 40, 80]);
    let Some(slot) = doc.pointer_mut(at) else {
        return;
    };
    let mut schema = slot.take();
    let by_items = rng.chance(50);
    for _ in 0..levels {
        schema = if by_items {
            json!({"type": "array", "items": schema})
        } else {
            json!({"type": "object", "properties": {"p": schema}})
        };
    }
    *slot = schema;
}

/// Writes `doc` as YAML or JSON, with the stand-ins for non-finite numbers.
fn write(rng: &mut Rng, doc: &Value) -> (String, &'static str) {
    if rng.chance(30) {
        let text = serde_json::to_string_pretty(doc).unwrap_or_default();
        let text = text
            .replace(&format!("\"{NAN}\""), "1e999")
            .replace(&format!("\"{INFINITY}\""), "-1e999");
        (text, "json")
    } else {
        let text = serde_yaml::to_string(doc).unwrap_or_default();
        let text = text
            .replace(&format!("'{NAN}'"), ".nan")
            .replace(NAN, ".nan")
            .replace(&format!("'{INFINITY}'"), ".inf")
            .replace(INFINITY, "-.inf");
        (text, "yaml")
    }
}

/// The mutant `index` of run `seed`: its base document's name, and its text.
fn mutant(seed: u64, index: usize, bases: &[(String, Value)]) -> (String, String) {
    let mut rng = Rng::new(seed.wrapping_mul(0x1000_0000_01B3) ^ index as u64);
    let total: u64 = BASES.iter().map(|(_, _, weight)| weight).sum();
    let mut roll = rng.next() % total;
    let mut chosen = 0;
    for (position, (_, _, weight)) in BASES.iter().enumerate() {
        if roll < *weight {
            chosen = position;
            break;
        }
        roll -= weight;
    }
    let (name, base) = &bases[chosen];
    let mut doc = base.clone();
    for _ in 0..1 + rng.below(3) {
        mutate(&mut rng, &mut doc);
    }
    let (text, extension) = write(&mut rng, &doc);
    (format!("{name}-{seed}-{index}.{extension}"), text)
}

fn load_bases() -> Vec<(String, Value)> {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    BASES
        .iter()
        .map(|(name, path, _)| {
            let text = std::fs::read_to_string(tests.join(path)).expect("read a base document");
            let value: Value = serde_yaml::from_str(&text).expect("a base document parses");
            (name.to_string(), value)
        })
        .collect()
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: usize,
    failures: Vec<String>,
    /// Accepted mutants kept for the compile check: `(name, source)`.
    sample: Vec<(String, String)>,
    slowest: Duration,
}

#[test]
fn mutants_end_in_bounded_time_in_code_or_a_located_error() {
    let seed = setting("C2M_FUZZ_SEED", 1);
    let count = setting("C2M_FUZZ_MUTANTS", DEFAULT_MUTANTS as u64) as usize;
    let sample = setting("C2M_FUZZ_SAMPLE", SAMPLE as u64) as usize;
    // Spread over the bases (nexus's clients are too large to compile often).
    let per_base = sample.div_ceil(BASES.len() - 1).max(1);
    let bases = Arc::new(load_bases());
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let failures_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mutation-failures");
    let started = Instant::now();

    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (bases, next, tally, failures_dir) = (
                Arc::clone(&bases),
                Arc::clone(&next),
                Arc::clone(&tally),
                failures_dir.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    let (name, text) = mutant(seed, index, &bases);
                    // Left behind if the process aborts (a stack overflow
                    // cannot be caught), to say which mutant it was.
                    let in_flight = failures_dir.join(format!("in-flight-{name}"));
                    let _ = std::fs::create_dir_all(&failures_dir);
                    let _ = std::fs::write(&in_flight, &text);
                    let (outcome, took) = generate_bounded(&text, &name, WATCHDOG);
                    let _ = std::fs::remove_file(&in_flight);
                    let failure = match &outcome {
                        Outcome::Accepted(_) => None,
                        Outcome::Rejected(error) => unlocated(error),
                        Outcome::Panicked(message) => Some(format!("panicked: {message}")),
                        Outcome::Hung => Some(format!("no answer within {WATCHDOG:?}")),
                    };
                    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                    tally.slowest = tally.slowest.max(took);
                    match (outcome, failure) {
                        (_, Some(why)) => {
                            let _ = std::fs::create_dir_all(&failures_dir);
                            let _ = std::fs::write(failures_dir.join(&name), &text);
                            tally.failures.push(format!(
                                "{name} (C2M_FUZZ_SEED={seed}, index {index}): {why}"
                            ));
                        }
                        (Outcome::Accepted(source), None) => {
                            tally.accepted += 1;
                            // The first accepted mutants of each base, up to the sample size.
                            let base = name.split('-').next().unwrap_or_default().to_string();
                            let of_base = tally
                                .sample
                                .iter()
                                .filter(|(n, _)| n.starts_with(&base))
                                .count();
                            if tally.sample.len() < sample && of_base < per_base && base != "nexus"
                            {
                                tally.sample.push((name, source));
                            }
                        }
                        (_, None) => tally.rejected += 1,
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker thread");
    }
    let generated_in = started.elapsed();
    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));

    let modules: Vec<(String, String)> = tally
        .sample
        .iter()
        .enumerate()
        .map(|(i, (_, source))| (format!("mutant_{i}"), source.clone()))
        .collect();
    let compiled = support::compile("mutation-sample-check", &modules);
    eprintln!(
        "mutation: {count} mutants (seed {seed}): {} accepted, {} rejected with a located error, {} failed; {:.1?} generating (slowest {:.1?}); {} accepted compiled in {:.1?}",
        tally.accepted,
        tally.rejected,
        tally.failures.len(),
        generated_in,
        tally.slowest,
        modules.len(),
        started.elapsed() - generated_in,
    );
    assert!(
        tally.failures.is_empty(),
        "{} mutants failed:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    let names: Vec<&str> = tally.sample.iter().map(|(n, _)| n.as_str()).collect();
    if let Err(account) = compiled {
        panic!("accepted mutants {names:?} do not compile cleanly: {account}");
    }
}
