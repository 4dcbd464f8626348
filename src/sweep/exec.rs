//! Running a sweep: a plan resolved against its scenario ([`Sweep`]), worker threads that take
//! run indices in turn, and one ordered writer that saves each finished run in index order.
//!
//! Workers finish runs out of order; the writer keeps the early ones in a small reorder buffer
//! (a few per worker, since the channel between them is bounded) and appends a run only when
//! every run before it is saved. So the folder's files are always a complete prefix of the
//! shard's runs (see [`crate::sweep::folder`]), whatever the number of threads, and their bytes
//! depend only on the plan. Memory stays flat whatever the number of runs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::engine::Limits;
use crate::engine::run;
use crate::model::fields;
use crate::model::prepared::{Prepared, prepare_parsed};
use crate::model::scenario::Scenario;
use crate::sweep::columns::{ParamColumn, ValueType, column_name, float_text};
use crate::sweep::error::SweepError;
use crate::sweep::folder::{EventsWriter, Manifest, RowWriter};
use crate::sweep::measure::{Measures, SeriesRow};
use crate::sweep::{Plan, PlanError, Point, Row, address, expand, fmt_number, replication_seed};

/// A plan resolved against its scenario: its design points, each checked to make a valid
/// scenario.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The plan (with its seed and runs settled).
    pub plan: Plan,
    /// The design points, in order.
    pub points: Vec<Point>,
    /// The scenario, parsed and validated, before any override.
    pub base: Scenario,
    /// SHA-256 of the scenario's source.
    pub scenario_hash: String,
    /// The swept parameters' columns in the outputs, in plan order.
    pub columns: Vec<ParamColumn>,
    /// The outcomes and time series asked for beyond the standard outcomes.
    pub measures: Measures,
}

impl Sweep {
    /// Expands the plan over the scenario and checks every design point (with the plan's fixed
    /// overrides) before anything runs. One-at-a-time designs take each parameter's baseline
    /// from the scenario with the fixed overrides.
    pub fn new(plan: Plan, base: Scenario, scenario_hash: String) -> Result<Sweep, SweepError> {
        let fixed = prepare_parsed(&base, &scenario_hash, &plan.set).map_err(SweepError::Fixed)?;
        let points = expand(
            &plan,
            |name| fixed.params.get(name).map(fmt_number).unwrap_or_else(|| field_text(&fixed.scenario, name).unwrap_or_default()),
            |name| fields::domain(&fixed.scenario, name).map_err(|e| PlanError(format!("--param {}: {}", e.name, e.message))),
        )?;
        let mut columns: Vec<ParamColumn> = Vec::with_capacity(plan.params.len());
        for (name, _) in &plan.params {
            let domain = fields::domain(&fixed.scenario, name).map_err(|e| PlanError(format!("--param {}: {}", e.name, e.message)))?;
            let column = column_name(name);
            if let Some(other) = columns.iter().find(|c| c.column == column) {
                return Err(SweepError::Plan(PlanError(format!(
                    "--param {name}: its column name {column} is also {}'s (columns replace every character but letters and digits with _); sweep one of them only",
                    other.param
                ))));
            }
            columns.push(ParamColumn { param: name.clone(), column, value_type: ValueType::of_kind(&domain.kind) });
        }
        let measures = Measures::new(&plan, &fixed.scenario)?;
        let sweep = Sweep { plan, points, base, scenario_hash, columns, measures };
        for (index, point) in sweep.points.iter().enumerate() {
            sweep.prepare(point).map_err(|source| SweepError::InvalidPoint { index, point: point.clone(), source })?;
        }
        Ok(sweep)
    }

    /// The scenario at a design point: the fixed overrides, then the point's.
    fn prepare(&self, point: &Point) -> Result<Prepared, crate::model::prepared::PrepareError> {
        let mut sets = self.plan.set.clone();
        sets.extend(point.iter().cloned());
        prepare_parsed(&self.base, &self.scenario_hash, &sets)
    }
}

/// The current value of a field path, for one-at-a-time baselines: numbers as the sweep
/// writes them, words as they are.
fn field_text(s: &Scenario, path: &str) -> Option<String> {
    Some(match fields::field_value(s, path)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => fmt_number(n.as_f64()?),
        other => other.to_string(),
    })
}

/// What a running sweep reports as it saves runs (the command line draws a progress bar).
/// Every method does nothing unless implemented.
pub trait Progress {
    /// The sweep starts with `saved` of this shard's `total` runs already saved.
    fn start(&mut self, _saved: u64, _total: u64) {}
    /// `saved` runs are saved.
    fn saved(&mut self, _saved: u64) {}
    /// No more runs will be saved (the sweep is done, stopped or failed).
    fn finish(&mut self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// A finished run, waiting for its turn to be saved.
struct Done {
    run: u64,
    row: Row,
    log: Option<Vec<u8>>,
    series: Vec<SeriesRow>,
}

/// Runs this shard's runs from the `start`-th on (the ones [`crate::sweep::folder::open`] found
/// missing) on `jobs` threads, saving each in index order into `dir`. Setting `interrupt` stops
/// the sweep cleanly: no new run starts, every finished run is saved, and the error says how to
/// resume.
pub fn execute(
    sweep: &Sweep,
    manifest: &Manifest,
    dir: &Path,
    start: u64,
    jobs: usize,
    interrupt: &AtomicBool,
    progress: &mut dyn Progress,
) -> Result<(), SweepError> {
    let total = manifest.shard_runs;
    if start >= total {
        return Ok(());
    }
    let mut rows = RowWriter::open(dir, manifest, true)?;
    let mut events = EventsWriter::new(dir, true);
    progress.start(start, total);
    let next = AtomicU64::new(start);
    let failed = AtomicBool::new(false);
    let (tx, rx) = sync_channel::<Result<Done, SweepError>>(jobs * 4);
    let saved = std::thread::scope(|s| {
        let workers = Workers { sweep, manifest, next: &next, failed: &failed, interrupt };
        for _ in 0..jobs {
            let tx = tx.clone();
            s.spawn(move || workers.work(tx));
        }
        drop(tx);
        let mut writer = OrderedWriter { manifest, rows: &mut rows, events: &mut events, progress: &mut *progress };
        let saved = writer.save_in_order(rx, start);
        if saved.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        saved
    });
    progress.finish();
    let saved = saved?;
    if saved < total && interrupt.load(Ordering::SeqCst) {
        let interrupted = Manifest { status: "interrupted".into(), ..manifest.clone() };
        crate::sweep::folder::write_manifest(dir, &interrupted)?;
        return Err(SweepError::Interrupted { saved, total, dir: dir.to_path_buf() });
    }
    if saved < total {
        return Err(SweepError::Stopped { saved, total });
    }
    Ok(())
}

/// What every worker shares: the sweep, the next run to take, and the flags that stop them.
#[derive(Clone, Copy)]
struct Workers<'a> {
    sweep: &'a Sweep,
    manifest: &'a Manifest,
    next: &'a AtomicU64,
    failed: &'a AtomicBool,
    interrupt: &'a AtomicBool,
}

impl Workers<'_> {
    /// Takes the next run, runs it and sends it to the writer, until the runs are all taken,
    /// the writer fails or goes away, or the sweep is interrupted. Consecutive runs are mostly
    /// of the same design point, whose prepared scenario is kept.
    fn work(self, tx: SyncSender<Result<Done, SweepError>>) {
        let mut cache: Option<(u64, Prepared)> = None;
        loop {
            if self.failed.load(Ordering::Relaxed) || self.interrupt.load(Ordering::SeqCst) {
                break;
            }
            let j = self.next.fetch_add(1, Ordering::Relaxed);
            if j >= self.manifest.shard_runs {
                break;
            }
            let result = self.run_one(self.manifest.shard.nth(j), &mut cache);
            if tx.send(result).is_err() {
                break;
            }
        }
    }

    fn run_one(&self, i: u64, cache: &mut Option<(u64, Prepared)>) -> Result<Done, SweepError> {
        let sweep = self.sweep;
        let (point, replication) = address(i, sweep.plan.runs);
        if cache.as_ref().is_none_or(|(p, _)| *p != point) {
            let prepared = sweep.prepare(&sweep.points[point as usize]).map_err(|source| SweepError::Point { point, source })?;
            *cache = Some((point, prepared));
        }
        let prepared = &cache.as_ref().expect("cached").1;
        let seed = replication_seed(sweep.plan.seed, u64::from(replication));
        let events = self.manifest.events;
        let output =
            run::run_with(prepared, seed, Limits::default(), events).map_err(|source| SweepError::Run { run: i, point, seed, source })?;
        let log = events.then(|| {
            let mut buf = Vec::new();
            output.write_log(&mut buf).expect("in-memory write");
            buf
        });
        let measured = if sweep.measures.is_empty() { Default::default() } else { sweep.measures.evaluate(prepared, seed, &output.events) };
        let params = sweep.points[point as usize].clone();
        let row = Row { run: i, point, replication, seed, params, outcomes: output.outcomes, extra: measured.cells };
        Ok(Done { run: i, row, log, series: measured.series })
    }
}

/// Saves finished runs in index order.
struct OrderedWriter<'a> {
    manifest: &'a Manifest,
    rows: &'a mut RowWriter,
    events: &'a mut EventsWriter,
    progress: &'a mut dyn Progress,
}

impl OrderedWriter<'_> {
    /// Saves the runs received, each once every run before it is saved; returns how many of
    /// the shard's runs are saved when the workers are done. The first failure, a worker's or
    /// the writer's, ends it.
    fn save_in_order(&mut self, rx: Receiver<Result<Done, SweepError>>, start: u64) -> Result<u64, SweepError> {
        let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
        let mut saved = start;
        for done in rx {
            let done = done?;
            waiting.insert(done.run, done);
            while let Some(done) = waiting.remove(&self.manifest.shard.nth(saved)) {
                self.save(&done)?;
                saved += 1;
                self.progress.saved(saved);
            }
        }
        Ok(saved)
    }

    /// Appends a run's row and, with `--events`, its log, then its checksums.
    fn save(&mut self, done: &Done) -> Result<(), SweepError> {
        let cells = done.row.cells(&self.manifest.columns).map_err(|what| SweepError::BadRow {
            path: std::path::PathBuf::from("runs.csv"),
            line: done.run + 2,
            what,
        })?;
        let mut sums = self.rows.write(&cells)?;
        if self.manifest.series() {
            let lines: Vec<Vec<String>> = done
                .series
                .iter()
                .map(|s| {
                    vec![
                        done.run.to_string(),
                        s.day.to_string(),
                        s.date.clone(),
                        s.actor.to_string(),
                        s.quantity.into(),
                        float_text(s.value),
                    ]
                })
                .collect();
            self.rows.write_series(&mut sums, &lines)?;
        }
        let mut events = None;
        if let Some(log) = &done.log {
            let (path, w) = self.events.file_for(done.run)?;
            let row = &done.row;
            let marker = format!(
                "{{\"record\":\"run\",\"run\":{},\"point\":{},\"replication\":{},\"seed\":{}}}\n",
                done.run, row.point, row.replication, row.seed
            );
            w.write_all(marker.as_bytes()).and_then(|_| w.write_all(log)).and_then(|_| w.flush()).map_err(SweepError::io(path))?;
            events = Some(crate::sweep::prefix::digest(&[marker.as_bytes(), log]));
        }
        self.rows.record(done.run, sums, events)?;
        self.rows.flush()
    }
}
