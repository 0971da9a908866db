//! What a token costs a caller: the cached path (a valid token in hand),
//! and 1,000 concurrent asks across a refresh, against the sandbox on
//! loopback. `cargo bench --bench session`; results in BENCHMARKS.md.

mod support;

use std::hint::black_box;
use std::time::Duration;

use c2m_auth::sandbox::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, Sandbox};
use c2m_auth::{Client, TokenSession};
use criterion::{Criterion, criterion_group, criterion_main};

use support::runtime;

/// A sandbox and a session that already holds a short-term token.
fn warm_session(runtime: &tokio::runtime::Runtime) -> (Sandbox, TokenSession) {
    runtime.block_on(async {
        let sandbox = match Sandbox::start().await {
            Ok(sandbox) => sandbox,
            Err(error) => panic!("cannot start the sandbox: {error}"),
        };
        let client = match Client::with_base_url(&sandbox.base_url()) {
            Ok(client) => client,
            Err(error) => panic!("cannot build the client: {error}"),
        };
        let session = TokenSession::builder(client)
            .client_secret(EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET)
            .scopes(["jobs:submit"])
            .build();
        if let Err(error) = session.credential().await {
            panic!("cannot get a first token: {error}");
        }
        (sandbox, session)
    })
}

fn cached_path(c: &mut Criterion) {
    let runtime = runtime();
    let (_sandbox, session) = warm_session(&runtime);
    let mut group = c.benchmark_group("cached");
    group.bench_function("cached_credential (sync)", |b| {
        b.iter(|| black_box(session.cached_credential()))
    });
    group.bench_function("credential().await", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(session.credential().await) })
    });
    group.finish();
}

fn concurrent_refresh(c: &mut Criterion) {
    let runtime = runtime();
    let (sandbox, session) = warm_session(&runtime);
    let mut group = c.benchmark_group("refresh");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    // The baseline: one ask that refreshes, alone.
    group.bench_function("1 ask across a refresh", |b| {
        b.to_async(&runtime).iter(|| {
            let session = session.clone();
            async move {
                session.invalidate();
                black_box(session.credential().await)
            }
        })
    });
    group.bench_function("1000 concurrent asks across a refresh", |b| {
        b.to_async(&runtime).iter(|| {
            let session = session.clone();
            async move {
                session.invalidate();
                let asks: Vec<_> = (0..1000)
                    .map(|_| {
                        let session = session.clone();
                        tokio::spawn(async move { session.credential().await })
                    })
                    .collect();
                for ask in asks {
                    let _ = black_box(ask.await);
                }
            }
        })
    });
    group.finish();
    // Each iteration made exactly one exchange request, however many asked.
    let exchanges = sandbox.request_count("issueShortTermToken");
    eprintln!("exchange requests in all: {exchanges}");
}

criterion_group!(benches, cached_path, concurrent_refresh);
criterion_main!(benches);
