//! Benchmarks by area. Run with `cargo bench`; numbers measured on the reference machine are
//! recorded in benches/README.md. Setup (parsing, preparing) happens outside measured loops.

use std::hint::black_box;

use casus::engine::Limits;
use casus::run::{self, Prepared};

const NIGER: &str = include_str!("../scenarios/niger_2023.ron");

fn main() {
    divan::main();
}

fn prepared() -> Prepared {
    run::prepare(NIGER, &[]).expect("valid")
}

/// Parse and validate the default scenario.
#[divan::bench]
fn scenario_load_and_validate() -> Prepared {
    run::prepare(black_box(NIGER), &[]).expect("valid")
}

/// One whole run of the default scenario (640 days).
#[divan::bench]
fn default_run(bencher: divan::Bencher) {
    let p = prepared();
    let mut seed = 0u64;
    bencher.bench_local(|| {
        seed += 1;
        run::run(&p, black_box(seed), Limits::default()).expect("runs")
    });
}

/// 1,000 runs of the default scenario, one after another on one thread.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn default_run_x1000(bencher: divan::Bencher) {
    let p = prepared();
    bencher.bench_local(|| {
        for seed in 0..1000u64 {
            black_box(run::run(&p, seed, Limits::default()).expect("runs"));
        }
    });
}

/// Write the JSONL log of a default run.
#[divan::bench]
fn log_write(bencher: divan::Bencher) {
    let out = run::run(&prepared(), 1, Limits::default()).expect("runs");
    bencher.counter(divan::counter::ItemsCount::new(out.events.len())).bench_local(|| {
        let mut buf = Vec::with_capacity(1 << 17);
        out.write_log(&mut buf).expect("write");
        buf
    });
}

/// Read and replay a default run's log.
#[divan::bench]
fn log_read_and_replay(bencher: divan::Bencher) {
    let p = prepared();
    let out = run::run(&p, 1, Limits::default()).expect("runs");
    let mut buf = Vec::new();
    out.write_log(&mut buf).expect("write");
    bencher.counter(divan::counter::ItemsCount::new(out.events.len())).bench_local(|| {
        let log = run::read_log(&buf[..]).expect("read");
        casus::replay::replay(&p, &log)
    });
}
