//! What generation costs against raw progenitor, in the same run:
//! `c2m_auth_codegen::generate_from_str` and progenitor alone (parse,
//! `generate_tokens`, `prettyplease::unparse`), on `spec/auth.yaml` and the
//! corpus's `nexus.json`. `cargo bench -p c2m-auth-codegen --bench generate`;
//! results in BENCHMARKS.md.

mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn generation(c: &mut Criterion) {
    for document in support::documents() {
        let mut group = c.benchmark_group(document.name);
        group.sample_size(10);
        group.bench_function("ours", |b| b.iter(|| support::ours(black_box(&document))));
        group.bench_function("raw progenitor", |b| {
            b.iter(|| support::raw_progenitor(black_box(&document)))
        });
        group.finish();
    }
}

criterion_group!(benches, generation);
criterion_main!(benches);
