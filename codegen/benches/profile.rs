//! The same comparison as `generate.rs`, in whatever profile it is built
//! in, printing medians and the ratio: run it in the dev profile to see a
//! build script's cost (Cargo builds build scripts' dependencies at
//! opt-level 0), `cargo bench -p c2m-auth-codegen --bench profile --profile dev`,
//! or optimized with `cargo bench -p c2m-auth-codegen --bench profile`.
//! `ITERATIONS=N` sets the runs of each (default 9); `DOCUMENT=nexus.json`
//! runs only that document (so that `valgrind --tool=callgrind` counts one
//! document's instructions, `ITERATIONS=1`).

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let iterations: usize = std::env::var("ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9)
        .max(1);
    let profile = if cfg!(debug_assertions) {
        "dev (opt-level 0)"
    } else {
        "optimized"
    };
    println!("profile: {profile}, {iterations} runs of each, interleaved");
    let only = std::env::var("DOCUMENT").ok();
    let documents = support::documents()
        .into_iter()
        .filter(|document| only.as_deref().is_none_or(|name| name == document.name));
    for document in documents {
        let (mut ours, mut raw) = (Vec::new(), Vec::new());
        for _ in 0..iterations {
            let start = Instant::now();
            black_box(support::ours(black_box(&document)));
            ours.push(start.elapsed());
            let start = Instant::now();
            black_box(support::raw_progenitor(black_box(&document)));
            raw.push(start.elapsed());
        }
        let (ours, raw) = (median(ours), median(raw));
        println!(
            "{:<12} ours {:>9.1} ms  raw progenitor {:>9.1} ms  ratio {:.2}",
            document.name,
            ours.as_secs_f64() * 1e3,
            raw.as_secs_f64() * 1e3,
            ours.as_secs_f64() / raw.as_secs_f64()
        );
    }
}
