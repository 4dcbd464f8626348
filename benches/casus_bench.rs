//! Benchmarks by area. Run with `cargo bench`; numbers measured on the reference machine are
//! recorded in benches/README.md. Setup (parsing, preparing) happens outside measured loops.

use std::hint::black_box;

use casus::engine::Limits;
use casus::engine::run::{self};
use casus::model::prepared::Prepared;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NIGER: &str = include_str!("../scenarios/niger_2023.ron");

fn main() {
    divan::main();
}

fn prepared() -> Prepared {
    casus::model::prepared::prepare(NIGER, &[]).expect("valid")
}

/// Parse and validate the default scenario.
#[divan::bench]
fn scenario_load_and_validate() -> Prepared {
    casus::model::prepared::prepare(black_box(NIGER), &[]).expect("valid")
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
        let log = casus::log::read_log(&buf[..]).expect("read");
        casus::analysis::replay::replay(&p, &log)
    });
}

// ---- Scale: synthetic scenarios from `casus gen` at 10, 100, 1,000 and 10,000 states ----
// (treaties = states / 5, organisations = states / 40 + 1, horizon 365 days, seed 1).

const SIZES: &[usize] = &[10, 100, 1_000, 10_000];

fn synthetic(states: usize) -> String {
    let spec = casus::synth::GenSpec { states, treaties: states / 5, orgs: states / 40 + 1, seed: 1, horizon_days: 365 };
    casus::synth::to_ron(&casus::synth::generate(&spec))
}

fn synthetic_run(states: usize) -> (Prepared, run::RunOutput, Vec<u8>) {
    let p = casus::model::prepared::prepare(&synthetic(states), &[]).expect("valid");
    let out = run::run(&p, 1, Limits::default()).expect("runs");
    let mut log = Vec::new();
    out.write_log(&mut log).expect("write");
    (p, out, log)
}

mod scale {
    use super::*;
    use casus::engine::Sim;
    use casus::fold::world::build_world;
    use divan::counter::ItemsCount;

    /// Parse and validate a synthetic scenario (counter: states).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn load_and_validate(bencher: divan::Bencher, states: usize) {
        let text = synthetic(states);
        bencher.counter(ItemsCount::new(states)).bench_local(|| casus::model::prepared::prepare(black_box(&text), &[]).expect("valid"));
    }

    /// Build the ECS world (counter: states).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn world_build(bencher: divan::Bencher, states: usize) {
        let p = casus::model::prepared::prepare(&synthetic(states), &[]).expect("valid");
        bencher.counter(ItemsCount::new(states)).bench_local(|| build_world(&p.scenario, p.params.clone(), 1));
    }

    /// One tick: every rule module once on day 0 of a fresh world, with nothing applied.
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn one_tick(bencher: divan::Bencher, states: usize) {
        let p = casus::model::prepared::prepare(&synthetic(states), &[]).expect("valid");
        bencher
            .with_inputs(|| {
                let mut sim = Sim::new(&p.scenario, p.params.clone(), 1, Limits::default());
                sim.start_day(0);
                sim
            })
            .bench_local_values(|mut sim| sim.run_rules());
    }

    /// A whole run, 365 days (counter: events).
    #[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
    fn whole_run(bencher: divan::Bencher, states: usize) {
        let p = casus::model::prepared::prepare(&synthetic(states), &[]).expect("valid");
        let events = run::run(&p, 1, Limits::default()).expect("runs").events.len();
        bencher.counter(ItemsCount::new(events)).bench_local(|| run::run(&p, 1, Limits::default()).expect("runs"));
    }

    /// Fold a run's events into a fresh world with `apply` alone (counter: events).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn apply_fold(bencher: divan::Bencher, states: usize) {
        let (p, out, _) = synthetic_run(states);
        bencher
            .counter(ItemsCount::new(out.events.len()))
            .with_inputs(|| build_world(&p.scenario, p.params.clone(), 1))
            .bench_local_values(|mut world| {
                for e in &out.events {
                    casus::fold::apply::apply(&mut world, e).expect("folds");
                }
                world
            });
    }

    /// Write a run's JSONL log with its hash chain (counter: events).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn log_write(bencher: divan::Bencher, states: usize) {
        let (_, out, log) = synthetic_run(states);
        bencher.counter(ItemsCount::new(out.events.len())).bench_local(|| {
            let mut buf = Vec::with_capacity(log.len());
            out.write_log(&mut buf).expect("write");
            buf
        });
    }

    /// Read a log back, verifying its hash chain (counter: events).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn log_read(bencher: divan::Bencher, states: usize) {
        let (_, out, log) = synthetic_run(states);
        bencher.counter(ItemsCount::new(out.events.len())).bench_local(|| casus::log::read_log(&log[..]).expect("read"));
    }

    /// Replay a parsed log: build the world, fold, check checkpoints and the final hash (counter: events).
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn replay(bencher: divan::Bencher, states: usize) {
        let (p, out, log) = synthetic_run(states);
        let parsed = casus::log::read_log(&log[..]).expect("read");
        bencher.counter(ItemsCount::new(out.events.len())).bench_local(|| casus::analysis::replay::replay(&p, &parsed));
    }

    /// `casus replay`'s path: read, check and fold the log's bytes as they are read, on one
    /// thread and on two (counter: events). The scenario is parsed outside the loop (the loop
    /// clones it).
    #[divan::bench(args = SIZES, consts = [1, 2], sample_count = 5, sample_size = 1)]
    fn replay_streamed<const THREADS: usize>(bencher: divan::Bencher, states: usize) {
        let (p, out, log) = synthetic_run(states);
        bencher
            .counter(ItemsCount::new(out.events.len()))
            .bench_local(|| casus::analysis::replay::replay_read(&log[..], THREADS, |_| Ok::<_, ()>(p.clone())).expect("reads"));
    }
}
