//! A sweep folder: its layout, its manifest, and the only code that writes or cuts its files.
//!
//! Layout: `manifest.json` (written first as "running", last as "complete"), `runs.csv` and,
//! with `--jsonl`, `runs.jsonl` (one row per run, in run-index order, appended as runs finish),
//! with `--series`, `series.csv` (each run's samples, appended with its row),
//! `points.csv`, `runs.parquet`, `points.parquet` and, with `--series`, `series.parquet`
//! (written from runs.csv and series.csv when the sweep is complete: [`finish`]) and, with `--events`,
//! `events/runs-NNNNNNNN.jsonl` (each file holds the logs of [`EVENTS_CHUNK`] consecutive run
//! indices, each log preceded by a `{"record":"run",...}` line).
//!
//! Rows are appended in index order, so the files are always a complete prefix plus at most one
//! torn line: [`open`] with `resume` cuts them back to the complete prefix (checking that it is
//! the shard's own sequence of runs) and says where to continue.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::log::CASUS_VERSION;
use crate::model::event::LOG_SCHEMA_VERSION;
use crate::outdir;
use crate::sweep::columns::{Cell, Column, OutcomeColumn, ParamColumn, json_object, point_columns, run_columns, series_columns};
use crate::sweep::error::SweepError;
use crate::sweep::exec::Sweep;
use crate::sweep::prefix::{self, RunSums, SERIES, SUMS, digest};
use crate::sweep::{Plan, PointStats, Shard, plan_hash};

/// Runs per events file.
pub const EVENTS_CHUNK: u64 = 1000;

/// The version of the outputs' columns, recorded in the manifest: a folder of another version
/// is not resumed or merged (its rows would not match). 1: parameters named as given, numbers
/// in their shortest form, runs.jsonl always written with nested parameters and outcomes; 2:
/// typed columns (`sweep::columns`), runs.jsonl flat and only with `--jsonl`, Parquet.
pub const OUTPUT_FORMAT: u32 = 2;

fn first_format() -> u32 {
    1
}

/// The sweep's manifest.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// casus version.
    pub casus_version: String,
    /// Log schema version.
    pub log_schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the scenario file.
    pub scenario_hash: String,
    /// Identity of (plan, scenario): shards and resumes must agree on it.
    pub plan_hash: String,
    /// The plan.
    pub plan: Plan,
    /// Root seed.
    pub seed: u64,
    /// Design points.
    pub points: u64,
    /// Runs in the whole sweep.
    pub total_runs: u64,
    /// This folder's shard.
    pub shard: Shard,
    /// Runs in this shard.
    pub shard_runs: u64,
    /// Whether per-run event logs are written.
    pub events: bool,
    /// Whether runs.jsonl is written (`--jsonl`).
    #[serde(default)]
    pub jsonl: bool,
    /// The version of the outputs' columns ([`OUTPUT_FORMAT`]); 1 when the manifest has none.
    #[serde(default = "first_format")]
    pub output_format: u32,
    /// The swept parameters' columns (name, type), in plan order.
    #[serde(default)]
    pub columns: Vec<ParamColumn>,
    /// The outcome columns after the standard ones (`--outcome`, `--outcomes-for`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome_columns: Vec<OutcomeColumn>,
    /// "running", "interrupted" (stopped by Ctrl-C; continue with `--resume`) or "complete".
    pub status: String,
}

impl Manifest {
    /// The manifest of one shard of a sweep, "running".
    pub fn new(sweep: &Sweep, shard: Shard, events: bool, jsonl: bool) -> Result<Manifest, SweepError> {
        let total = (sweep.points.len() as u64).checked_mul(u64::from(sweep.plan.runs)).ok_or(SweepError::TooManyRuns)?;
        Ok(Manifest {
            casus_version: CASUS_VERSION.into(),
            log_schema_version: LOG_SCHEMA_VERSION,
            scenario: sweep.base.name.clone(),
            scenario_hash: sweep.scenario_hash.clone(),
            plan_hash: plan_hash(&sweep.plan, &sweep.scenario_hash),
            plan: sweep.plan.clone(),
            seed: sweep.plan.seed,
            points: sweep.points.len() as u64,
            total_runs: total,
            shard,
            shard_runs: shard.count(total),
            events,
            jsonl,
            output_format: OUTPUT_FORMAT,
            columns: sweep.columns.clone(),
            outcome_columns: sweep.measures.columns.clone(),
            status: "running".into(),
        })
    }

    /// The swept parameters' names, in plan order (the columns after a row's seed).
    pub fn names(&self) -> Vec<String> {
        self.plan.params.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The columns of runs.csv.
    pub fn run_columns(&self) -> Vec<Column> {
        run_columns(&self.columns, &self.outcome_columns)
    }

    /// Whether the sweep records a time series (series.csv, `--series`).
    pub fn series(&self) -> bool {
        self.plan.series.is_some()
    }
}

/// Makes `dir` ready for this shard's runs and returns how many of them are already saved:
/// 0 for a new folder (created, marked, with the manifest written), or, with `resume`, the
/// complete prefix kept in a folder of the same sweep. A folder that holds files is refused
/// unless `resume` or `force` is given; `force` removes casus's own files first and keeps the
/// others (see [`crate::outdir`]).
pub fn open(dir: &Path, manifest: &Manifest, resume: bool, force: bool) -> Result<u64, SweepError> {
    let manifest_path = dir.join("manifest.json");
    if dir.exists() {
        let non_empty = fs::read_dir(dir).map_err(SweepError::io(dir))?.next().is_some();
        if resume && non_empty {
            check_resumable(dir, manifest)?;
            let kept = truncate_to_complete(dir, manifest)?;
            write_manifest(dir, manifest)?; // "running" again, if it said "interrupted"
            return Ok(kept);
        }
        if non_empty && !force {
            return Err(SweepError::NotEmpty { dir: dir.to_path_buf(), is_sweep: manifest_path.exists() });
        }
        start_over(dir, force)?;
    }
    outdir::refuse_dangerous(dir).map_err(SweepError::Refused)?;
    fs::create_dir_all(dir).map_err(SweepError::io(dir))?;
    if manifest.events {
        fs::create_dir_all(dir.join("events")).map_err(SweepError::io(dir))?;
    }
    write_marker(dir, manifest)?;
    write_manifest(dir, manifest)?;
    Ok(0)
}

/// Refuses to resume in a folder that holds no sweep, or another sweep.
fn check_resumable(dir: &Path, manifest: &Manifest) -> Result<(), SweepError> {
    let path = dir.join("manifest.json");
    let text = crate::input::read_to_string(&path, crate::input::MAX_FILE_BYTES)
        .map_err(|_| SweepError::ResumeNotASweep { dir: dir.to_path_buf() })?;
    let old: Manifest = serde_json::from_str(&text).map_err(|source| SweepError::ResumeBadManifest { path, source })?;
    if old.plan_hash != manifest.plan_hash || old.shard != manifest.shard || old.events != manifest.events {
        return Err(SweepError::ResumeOtherSweep { dir: dir.to_path_buf() });
    }
    if old.output_format != manifest.output_format || old.columns != manifest.columns || old.outcome_columns != manifest.outcome_columns {
        return Err(SweepError::ResumeOldFormat { dir: dir.to_path_buf(), found: old.output_format, expected: manifest.output_format });
    }
    if old.jsonl != manifest.jsonl {
        return Err(SweepError::ResumeJsonl { dir: dir.to_path_buf(), had: old.jsonl });
    }
    Ok(())
}

/// Writes the folder's summaries from its runs.csv, read once as a stream: points.csv and,
/// with the `parquet` feature, runs.parquet and points.parquet (each written under a temporary
/// name and renamed into place); then marks the manifest complete. Returns the statistics.
/// runs.csv is the source because it is the file `--resume` verifies and merges copy: the
/// Parquet files are a function of it, written again whenever the folder is finished.
pub fn finish(dir: &Path, manifest: &Manifest) -> Result<PointStats, SweepError> {
    let columns = manifest.run_columns();
    let runs_path = dir.join("runs.csv");
    let mut parquet = TableOutput::create(dir, "runs.parquet", &columns)?;
    let mut stats = PointStats::default();
    for_each_row(&runs_path, &columns, |cells| {
        stats.add(&manifest.columns, &manifest.outcome_columns, &cells);
        parquet.push(cells)
    })?;
    parquet.finish()?;
    if manifest.series() {
        let columns = series_columns();
        let mut series = TableOutput::create(dir, "series.parquet", &columns)?;
        for_each_row(&dir.join(SERIES), &columns, |cells| series.push(cells))?;
        series.finish()?;
    }
    let path = dir.join("points.csv");
    fs::write(&path, stats.csv(&manifest.columns)).map_err(SweepError::io(&path))?;
    let mut points = TableOutput::create(dir, "points.parquet", &point_columns(&manifest.columns))?;
    for row in stats.rows() {
        points.push(row)?;
    }
    points.finish()?;
    let complete = Manifest { status: "complete".into(), ..manifest.clone() };
    write_manifest(dir, &complete)?;
    Ok(stats)
}

/// Reads a runs.csv as a stream, checking its header against `columns`, and calls `f` with each
/// row's cells, typed by the columns.
pub(crate) fn for_each_row(
    path: &Path,
    columns: &[Column],
    mut f: impl FnMut(Vec<Cell>) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let bad = |line: u64, what: String| SweepError::BadRow { path: path.to_path_buf(), line, what };
    let file = crate::input::open(path).map_err(SweepError::io(path))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(BufReader::new(file));
    let header = reader.headers().map_err(|e| bad(1, e.to_string()))?;
    if !header.iter().eq(columns.iter().map(|c| c.name.as_str())) {
        return Err(bad(1, format!("the header is not {}", columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","))));
    }
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    while reader.read_record(&mut record).map_err(|e| bad(line + 1, e.to_string()))? {
        line += 1;
        let cells = record
            .iter()
            .zip(columns)
            .map(|(text, c)| Cell::parse(text, c.value_type, c.nullable).map_err(|e| bad(line, format!("{}: {e}", c.name))))
            .collect::<Result<Vec<Cell>, SweepError>>()?;
        f(cells)?;
    }
    Ok(())
}

/// The per-point statistics of a folder's runs.csv, read as a stream.
pub(crate) fn stats_of(dir: &Path, manifest: &Manifest) -> Result<PointStats, SweepError> {
    let mut stats = PointStats::default();
    for_each_row(&dir.join("runs.csv"), &manifest.run_columns(), |cells| {
        stats.add(&manifest.columns, &manifest.outcome_columns, &cells);
        Ok(())
    })?;
    Ok(stats)
}

/// A Parquet table being written (with the `parquet` feature; without it, nothing).
struct TableOutput {
    #[cfg(feature = "parquet")]
    writer: crate::sweep::parquet::TableWriter,
}

impl TableOutput {
    #[cfg(feature = "parquet")]
    fn create(dir: &Path, name: &str, columns: &[Column]) -> Result<TableOutput, SweepError> {
        Ok(TableOutput { writer: crate::sweep::parquet::TableWriter::create(dir, name, columns)? })
    }

    #[cfg(not(feature = "parquet"))]
    fn create(_dir: &Path, _name: &str, _columns: &[Column]) -> Result<TableOutput, SweepError> {
        Ok(TableOutput {})
    }

    #[cfg_attr(not(feature = "parquet"), allow(clippy::unused_self, clippy::needless_pass_by_value))]
    fn push(&mut self, cells: Vec<Cell>) -> Result<(), SweepError> {
        #[cfg(feature = "parquet")]
        self.writer.push(cells)?;
        #[cfg(not(feature = "parquet"))]
        drop(cells);
        Ok(())
    }

    fn finish(self) -> Result<(), SweepError> {
        #[cfg(feature = "parquet")]
        self.writer.finish()?;
        Ok(())
    }
}

/// The events file that holds run `run`'s log.
pub fn events_file(dir: &Path, run: u64) -> PathBuf {
    dir.join("events").join(format!("runs-{:08}.jsonl", run / EVENTS_CHUNK * EVENTS_CHUNK))
}

/// Empties a sweep folder of casus's own files before a new sweep or merge is written into it,
/// keeping every file casus did not write (see [`crate::outdir`]); an unmarked folder that is
/// not empty is refused.
pub(crate) fn start_over(dir: &Path, force: bool) -> Result<(), SweepError> {
    let survey = outdir::check(dir, outdir::Kind::Sweep, force).map_err(SweepError::Refused)?;
    outdir::remove_own(dir, outdir::Kind::Sweep, &survey).map_err(SweepError::io(dir))
}

/// Marks the folder as a casus sweep of this plan (the same for every shard and the merge).
pub(crate) fn write_marker(dir: &Path, m: &Manifest) -> Result<(), SweepError> {
    let path = dir.join(outdir::MARKER);
    fs::write(&path, outdir::marker_text(outdir::Kind::Sweep, &format!("plan_hash {}", m.plan_hash))).map_err(SweepError::io(&path))
}

/// Writes manifest.json under a temporary name, then renames it into place.
pub(crate) fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), SweepError> {
    let tmp = dir.join(".manifest.json.tmp");
    fs::write(&tmp, serde_json::to_string_pretty(m).expect("manifest serialises") + "\n").map_err(SweepError::io(&tmp))?;
    fs::rename(&tmp, dir.join("manifest.json")).map_err(SweepError::io(dir))
}

/// Reads a manifest.json.
pub fn read_manifest(path: &Path) -> std::io::Result<Result<Manifest, serde_json::Error>> {
    crate::input::read_to_string(path, crate::input::MAX_FILE_BYTES).map(|text| serde_json::from_str(&text))
}

/// Keeps the runs saved whole, verified against checksums.jsonl (see [`crate::sweep::prefix`]),
/// cuts runs.csv, runs.jsonl (with `--jsonl`), checksums.jsonl and the events files after them
/// (dropping the one run that was being saved, perhaps torn), and returns the number of runs
/// kept. Anything else changed in those files is refused with its file and line.
fn truncate_to_complete(dir: &Path, m: &Manifest) -> Result<u64, SweepError> {
    let (cut, _) =
        saved_runs(dir, m, |dir| SweepError::ResumeNoChecksums { dir }, |path, line, what| SweepError::ResumeDamaged { path, line, what })?;
    if m.jsonl {
        truncate_file(&dir.join("runs.jsonl"), cut.jsonl)?;
    }
    truncate_file(&dir.join("runs.csv"), cut.csv)?;
    if m.series() {
        truncate_file(&dir.join(SERIES), cut.series)?;
    }
    truncate_file(&dir.join(SUMS), cut.sums)?;
    for (start, len) in &cut.events {
        let path = dir.join(prefix::events_name(*start));
        if *len == 0 {
            fs::remove_file(&path).map_err(SweepError::io(&path))?;
        } else {
            truncate_file(&path, *len)?;
        }
    }
    Ok(cut.kept)
}

/// Verifies a complete shard's saved runs against its checksums before `casus merge` copies
/// them, as `--resume` does: every run of the shard must be there, whole, and nothing after
/// them (a complete shard has no torn run to drop). A changed or missing run is refused with
/// its file and line; a folder without checksums (written by an older casus) is refused too.
pub(crate) fn verify_complete(dir: &Path, m: &Manifest) -> Result<(), SweepError> {
    let damaged = |path: PathBuf, line: u64, what: String| SweepError::ShardDamaged { path, line, what };
    let (cut, lengths) = saved_runs(dir, m, |dir| SweepError::MergeNoChecksums { dir }, damaged)?;
    if cut.kept < m.shard_runs {
        let line = cut.kept + 1;
        return Err(damaged(dir.join(SUMS), line, format!("holds {} of the shard's {} runs whole", cut.kept, m.shard_runs)));
    }
    let mut files = vec![("runs.csv".to_string(), cut.csv, lengths.csv)];
    if m.jsonl {
        files.push(("runs.jsonl".to_string(), cut.jsonl, lengths.jsonl));
    }
    if m.series() {
        files.push((SERIES.to_string(), cut.series, lengths.series));
    }
    files.push((SUMS.to_string(), cut.sums, lengths.sums));
    for (start, len) in &cut.events {
        files.push((prefix::events_name(*start), *len, lengths.events.get(start).copied().unwrap_or(0)));
    }
    for (name, verified, length) in files {
        if verified < length {
            let path = dir.join(&name);
            let bytes = crate::input::read(&path, crate::input::MAX_SWEEP_FILE_BYTES).unwrap_or_default();
            let line = bytes.iter().take(verified as usize).filter(|&&b| b == b'\n').count() as u64 + 1;
            return Err(damaged(path, line, "lines after the shard's last run".into()));
        }
    }
    Ok(())
}

/// The files' lengths as read (events files by their first run index).
struct Lengths {
    jsonl: u64,
    csv: u64,
    series: u64,
    sums: u64,
    events: BTreeMap<u64, u64>,
}

/// Reads a sweep folder's saved runs and verifies them against checksums.jsonl
/// ([`prefix::verify`]); returns where each file is cut to keep the runs verified, and the
/// files' lengths. `no_sums` is the error for runs without checksums, `damaged` for a changed run.
fn saved_runs(
    dir: &Path,
    m: &Manifest,
    no_sums: impl Fn(PathBuf) -> SweepError,
    damaged: impl Fn(PathBuf, u64, String) -> SweepError,
) -> Result<(prefix::Prefix, Lengths), SweepError> {
    let read = |name: &str| -> Result<Vec<u8>, SweepError> {
        let path = dir.join(name);
        match crate::input::read(&path, crate::input::MAX_SWEEP_FILE_BYTES) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(SweepError::io(&path)(e)),
        }
    };
    let (jsonl, csv) = (if m.jsonl { read("runs.jsonl")? } else { Vec::new() }, read("runs.csv")?);
    let series = if m.series() { read(SERIES)? } else { Vec::new() };
    if !dir.join(SUMS).exists() && (!jsonl.is_empty() || !csv.is_empty()) {
        return Err(no_sums(dir.to_path_buf()));
    }
    let sums = read(SUMS)?;
    let events = if m.events {
        fs::create_dir_all(dir.join("events")).map_err(SweepError::io(dir))?;
        let mut files = BTreeMap::new();
        for entry in fs::read_dir(dir.join("events")).map_err(SweepError::io(dir))?.flatten() {
            let name = entry.file_name();
            let Some(start) = name.to_str().and_then(|n| n.strip_prefix("runs-")?.strip_suffix(".jsonl")?.parse::<u64>().ok()) else {
                continue;
            };
            if prefix::events_name(start) == format!("events/{}", name.to_string_lossy()) {
                files.insert(start, read(&prefix::events_name(start))?);
            }
        }
        Some(files)
    } else {
        None
    };
    let files = prefix::Files {
        jsonl: m.jsonl.then_some(&jsonl[..]),
        csv: &csv,
        series: m.series().then_some(&series[..]),
        sums: &sums,
        events: events.as_ref(),
    };
    let cut = prefix::verify(&files, m.shard, m.shard_runs).map_err(|d| damaged(dir.join(&d.file), d.line, d.what))?;
    let lengths = Lengths {
        jsonl: jsonl.len() as u64,
        csv: csv.len() as u64,
        series: series.len() as u64,
        sums: sums.len() as u64,
        events: events.iter().flatten().map(|(start, bytes)| (*start, bytes.len() as u64)).collect(),
    };
    Ok((cut, lengths))
}

fn truncate_file(path: &Path, len: u64) -> Result<(), SweepError> {
    if path.exists() {
        let f = fs::OpenOptions::new().write(true).open(path).map_err(SweepError::io(path))?;
        f.set_len(len).map_err(SweepError::io(path))?;
    }
    Ok(())
}

/// Appends rows to runs.csv and, with `--jsonl`, runs.jsonl (with the CSV header before the
/// first row when the file is empty), and each run's checksums to checksums.jsonl.
pub(crate) struct RowWriter {
    jsonl: Option<(BufWriter<fs::File>, PathBuf)>,
    /// With `--series`: series.csv, and whether its header is written.
    series: Option<(BufWriter<fs::File>, PathBuf, bool)>,
    csv: BufWriter<fs::File>,
    csv_path: PathBuf,
    sums: BufWriter<fs::File>,
    sums_path: PathBuf,
    columns: Vec<Column>,
    header_written: bool,
}

/// The digests of a row's lines, returned by [`RowWriter::write`] for [`RowWriter::record`].
pub(crate) struct RowSums {
    jsonl: Option<String>,
    series: Option<String>,
    csv: String,
    csv_header: Option<String>,
}

impl RowWriter {
    /// Opens the folder's row files for the manifest's rows: appending to them (`append`), or
    /// replacing them; runs.jsonl only with `--jsonl`, series.csv only with `--series`.
    pub(crate) fn open(dir: &Path, m: &Manifest, append: bool) -> Result<RowWriter, SweepError> {
        let (jsonl_path, csv_path, sums_path) = (dir.join("runs.jsonl"), dir.join("runs.csv"), dir.join(SUMS));
        let written = |path: &Path| append && fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let header_written = written(&csv_path);
        let jsonl = if m.jsonl { Some((BufWriter::new(open_for_writing(&jsonl_path, append)?), jsonl_path)) } else { None };
        let series_path = dir.join(SERIES);
        let series = if m.series() {
            let header = written(&series_path);
            Some((BufWriter::new(open_for_writing(&series_path, append)?), series_path, header))
        } else {
            None
        };
        let csv = BufWriter::new(open_for_writing(&csv_path, append)?);
        let sums = BufWriter::new(open_for_writing(&sums_path, append)?);
        Ok(RowWriter { jsonl, series, csv, csv_path, sums, sums_path, columns: m.run_columns(), header_written })
    }

    /// Appends a run's block of series.csv (its lines, each as its fields; the header first
    /// when the file is empty) and sets its digest in the run's checksums.
    pub(crate) fn write_series(&mut self, sums: &mut RowSums, lines: &[Vec<String>]) -> Result<(), SweepError> {
        let Some((_, path, _)) = &self.series else { return Ok(()) };
        let mut out = csv::Writer::from_writer(Vec::new());
        for line in lines {
            out.write_record(line).map_err(|e| SweepError::io(path)(e.into()))?;
        }
        let block = out.into_inner().map_err(|e| SweepError::io(path)(e.into_error()))?;
        self.write_series_block(sums, &block)
    }

    /// Appends a run's block of series.csv, given as bytes (its lines), after the header when
    /// the file is empty, and sets the digest of what it wrote in the run's checksums.
    pub(crate) fn write_series_block(&mut self, sums: &mut RowSums, block: &[u8]) -> Result<(), SweepError> {
        let Some((w, path, header_written)) = &mut self.series else { return Ok(()) };
        let header = if *header_written { Vec::new() } else { series_header() };
        w.write_all(&header).and_then(|_| w.write_all(block)).map_err(SweepError::io(path))?;
        *header_written = true;
        sums.series = Some(digest(&[&header, block]));
        Ok(())
    }

    /// Appends a row, given as its cells in the columns of [`run_columns`]. Returns the digests
    /// of what it wrote, for [`RowWriter::record`].
    pub(crate) fn write(&mut self, cells: &[Cell]) -> Result<RowSums, SweepError> {
        let csv_line = |record: Vec<String>| -> Result<Vec<u8>, SweepError> {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(record).map_err(|e| SweepError::io(&self.csv_path)(e.into()))?;
            w.into_inner().map_err(|e| SweepError::io(&self.csv_path)(e.into_error()))
        };
        let mut csv_header = None;
        if !self.header_written {
            let header = csv_line(self.columns.iter().map(|c| c.name.clone()).collect())?;
            self.csv.write_all(&header).map_err(SweepError::io(&self.csv_path))?;
            csv_header = Some(digest(&[&header]));
            self.header_written = true;
        }
        let mut jsonl = None;
        if let Some((w, path)) = &mut self.jsonl {
            let json = json_object(&self.columns, cells);
            w.write_all(json.as_bytes()).and_then(|_| w.write_all(b"\n")).map_err(SweepError::io(path))?;
            jsonl = Some(digest(&[json.as_bytes(), b"\n"]));
        }
        let line = csv_line(cells.iter().map(Cell::csv_text).collect())?;
        self.csv.write_all(&line).map_err(SweepError::io(&self.csv_path))?;
        Ok(RowSums { jsonl, series: None, csv: digest(&[&line]), csv_header })
    }

    /// Records run `run`'s checksums: its row's (`row`, from [`RowWriter::write`]) and, with
    /// `--events`, its events block's digest. Written to disk by the next [`RowWriter::flush`],
    /// after the lines they check.
    pub(crate) fn record(&mut self, run: u64, row: RowSums, events: Option<String>) -> Result<(), SweepError> {
        let sums = RunSums { run, jsonl: row.jsonl, csv: row.csv, csv_header: row.csv_header, series: row.series, events };
        let line = serde_json::to_vec(&sums).expect("checksums serialise");
        self.sums.write_all(&line).and_then(|_| self.sums.write_all(b"\n")).map_err(SweepError::io(&self.sums_path))
    }

    /// Sends what is written to the files: the rows first, then their checksums, so that a
    /// checksum on disk always follows the lines it checks.
    pub(crate) fn flush(&mut self) -> Result<(), SweepError> {
        if let Some((w, path)) = &mut self.jsonl {
            w.flush().map_err(SweepError::io(path))?;
        }
        if let Some((w, path, _)) = &mut self.series {
            w.flush().map_err(SweepError::io(path))?;
        }
        self.csv.flush().map_err(SweepError::io(&self.csv_path))?;
        self.sums.flush().map_err(SweepError::io(&self.sums_path))
    }
}

/// series.csv's header line.
fn series_header() -> Vec<u8> {
    let names: Vec<String> = series_columns().into_iter().map(|c| c.name).collect();
    (names.join(",") + "\n").into_bytes()
}

/// Opens a file to append to (`append`), or to replace.
fn open_for_writing(path: &Path, append: bool) -> Result<fs::File, SweepError> {
    let mut options = fs::OpenOptions::new();
    if append {
        options.create(true).append(true)
    } else {
        options.create(true).write(true).truncate(true)
    };
    options.open(path).map_err(SweepError::io(path))
}

/// Writes runs' event logs into the folder's events files, one file per [`EVENTS_CHUNK`] runs.
pub(crate) struct EventsWriter {
    dir: PathBuf,
    append: bool,
    current: Option<(PathBuf, BufWriter<fs::File>)>,
}

impl EventsWriter {
    /// Writes into `dir`'s events files: appending to them (`append`), or replacing them.
    pub(crate) fn new(dir: &Path, append: bool) -> EventsWriter {
        EventsWriter { dir: dir.to_path_buf(), append, current: None }
    }

    /// The file for run `run` (opened, and the previous one flushed, when the run starts a new
    /// file), with its path.
    pub(crate) fn file_for(&mut self, run: u64) -> Result<(&Path, &mut BufWriter<fs::File>), SweepError> {
        let path = events_file(&self.dir, run);
        if self.current.as_ref().is_none_or(|(p, _)| *p != path) {
            self.flush()?;
            let file = open_for_writing(&path, self.append)?;
            self.current = Some((path, BufWriter::new(file)));
        }
        let (path, w) = self.current.as_mut().expect("opened");
        Ok((path, w))
    }

    /// Sends what is written to the current file.
    pub(crate) fn flush(&mut self) -> Result<(), SweepError> {
        match &mut self.current {
            Some((path, w)) => w.flush().map_err(SweepError::io(path)),
            None => Ok(()),
        }
    }
}
