//! Benchmark: the access matrix of a synthetic organization with about 1,000,000 cells
//! (100 principals x enough keys x every KMS operation on a key; `matrix::synthetic`), the
//! same world `tests/bench_browser.rs` measures in wasm. Goal (issue 6): under a second in
//! wasm, so well under natively. `scripts/bench.sh` runs it and writes the figure into
//! `docs/benchmarks.md`. A second case computes the same matrix with an encryption context
//! (the one the world's constrained grants ask for), which the operations that take one carry.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion};
use kmslab_engine::matrix::{access_matrix, operations, synthetic, MatrixOptions};
use std::hint::black_box;
use std::time::Duration;

/// Principals of the benchmark world (users, role sessions, two roots).
const PRINCIPALS: usize = 100;
/// Cells the benchmark world has at least.
const CELLS: usize = 1_000_000;

fn bench_matrix(c: &mut Criterion) {
    let keys = CELLS.div_ceil(PRINCIPALS * operations().len());
    let s = kmslab_engine::parse_scenario(&synthetic::scenario(PRINCIPALS, keys)).unwrap();
    let m = access_matrix(&s, &MatrixOptions::default()).unwrap();
    assert!(m.len() >= CELLS, "{} cells", m.len());
    // The world is realistic only if every outcome occurs.
    assert!(m.counts().iter().all(|(_, n)| *n > 0), "{:?}", m.counts());
    eprintln!(
        "access matrix: {} principals x {} keys x {} operations = {} cells, {:?}",
        m.principals.len(),
        m.keys.len(),
        m.operations.len(),
        m.len(),
        m.counts()
    );
    let mut g = c.benchmark_group("matrix");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));
    g.bench_function("access_matrix_1m_cells", |b| {
        b.iter(|| black_box(access_matrix(black_box(&s), &MatrixOptions::default()).unwrap()))
    });
    let with_ec = MatrixOptions {
        encryption_context: [("app".to_string(), "billing".to_string())].into(),
        ..MatrixOptions::default()
    };
    let m_ec = access_matrix(&s, &with_ec).unwrap();
    // The constrained grants apply with it, so the context changes cells.
    assert_ne!(m_ec.counts(), m.counts());
    eprintln!(
        "with encryption context {{app: billing}}: {:?}",
        m_ec.counts()
    );
    g.bench_function("access_matrix_1m_cells_encryption_context", |b| {
        b.iter(|| black_box(access_matrix(black_box(&s), black_box(&with_ec)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench_matrix);
criterion_main!(benches);
