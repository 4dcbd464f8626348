//! A sweep folder: its layout, its manifest, and the only code that writes or cuts its files.
//!
//! Layout: `manifest.json` (written first as "running", last as "complete"), `runs.jsonl` and
//! `runs.csv` (one row per run, in run-index order, appended as runs finish), `points.csv`
//! (per-point statistics, computed from runs.jsonl at the end) and, with `--events`,
//! `events/runs-NNNNNNNN.jsonl` (each file holds the logs of [`EVENTS_CHUNK`] consecutive run
//! indices, each log preceded by a `{"record":"run",...}` line).
//!
//! Rows are appended in index order, so the files are always a complete prefix plus at most one
//! torn line: [`open`] with `resume` cuts them back to the complete prefix (checking that it is
//! the shard's own sequence of runs) and says where to continue.

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::log::CASUS_VERSION;
use crate::model::event::LOG_SCHEMA_VERSION;
use crate::outdir;
use crate::sweep::error::SweepError;
use crate::sweep::exec::Sweep;
use crate::sweep::{Plan, PointStats, Row, Shard, plan_hash};

/// Runs per events file.
pub const EVENTS_CHUNK: u64 = 1000;

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
    /// "running", "interrupted" (stopped by Ctrl-C; continue with `--resume`) or "complete".
    pub status: String,
}

impl Manifest {
    /// The manifest of one shard of a sweep, "running".
    pub fn new(sweep: &Sweep, shard: Shard, events: bool) -> Result<Manifest, SweepError> {
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
            status: "running".into(),
        })
    }

    /// The swept parameters' names, in plan order (the columns after a row's seed).
    pub fn names(&self) -> Vec<String> {
        self.plan.params.iter().map(|(n, _)| n.clone()).collect()
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
    let text = fs::read_to_string(&path).map_err(|_| SweepError::ResumeNotASweep { dir: dir.to_path_buf() })?;
    let old: Manifest = serde_json::from_str(&text).map_err(|source| SweepError::ResumeBadManifest { path, source })?;
    if old.plan_hash != manifest.plan_hash || old.shard != manifest.shard || old.events != manifest.events {
        return Err(SweepError::ResumeOtherSweep { dir: dir.to_path_buf() });
    }
    Ok(())
}

/// Computes points.csv from runs.jsonl and marks the manifest complete; returns the statistics.
pub fn finish(dir: &Path, manifest: &Manifest) -> Result<PointStats, SweepError> {
    let stats = stats_of(&dir.join("runs.jsonl"))?;
    let path = dir.join("points.csv");
    fs::write(&path, stats.csv(&manifest.names())).map_err(SweepError::io(&path))?;
    let complete = Manifest { status: "complete".into(), ..manifest.clone() };
    write_manifest(dir, &complete)?;
    Ok(stats)
}

fn stats_of(path: &Path) -> Result<PointStats, SweepError> {
    let mut stats = PointStats::default();
    let file = fs::File::open(path).map_err(SweepError::io(path))?;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(SweepError::io(path))?;
        let row: Row = serde_json::from_str(&line).map_err(|source| SweepError::BadRow { path: path.to_path_buf(), source })?;
        stats.add(&row);
    }
    Ok(stats)
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
    fs::read_to_string(path).map(|text| serde_json::from_str(&text))
}

/// Keeps the complete prefix of runs.jsonl (checking it is this shard's index sequence),
/// truncates runs.csv and the events files to match, and returns the number of runs kept.
fn truncate_to_complete(dir: &Path, m: &Manifest) -> Result<u64, SweepError> {
    let jsonl = dir.join("runs.jsonl");
    let (kept, keep_bytes) = if jsonl.exists() { complete_rows(&jsonl, m.shard)? } else { (0, 0) };
    truncate_file(&jsonl, keep_bytes)?;
    let csv = dir.join("runs.csv");
    if csv.exists() {
        // The header and one line per kept run (none at all when no run is kept).
        let lines_to_keep = if kept == 0 { 0 } else { kept + 1 };
        let cut = end_of_lines(&csv, lines_to_keep)?.ok_or_else(|| SweepError::ResumeCsvShort { path: csv.clone() })?;
        truncate_file(&csv, cut)?;
    }
    if m.events {
        fs::create_dir_all(dir.join("events")).map_err(SweepError::io(dir))?;
        truncate_events(dir, m, kept)?;
    }
    Ok(kept)
}

/// The number of complete rows at the start of runs.jsonl and the bytes they take; each must
/// be the shard's next run.
fn complete_rows(path: &Path, shard: Shard) -> Result<(u64, u64), SweepError> {
    let mut text = Vec::new();
    fs::File::open(path).and_then(|mut f| f.read_to_end(&mut text)).map_err(SweepError::io(path))?;
    let (mut kept, mut pos) = (0u64, 0usize);
    while let Some(nl) = text[pos..].iter().position(|b| *b == b'\n') {
        let Ok(row) = serde_json::from_slice::<Row>(&text[pos..pos + nl]) else { break };
        if row.run != shard.nth(kept) {
            return Err(SweepError::ResumeOutOfOrder {
                path: path.to_path_buf(),
                line: kept + 1,
                found: row.run,
                expected: shard.nth(kept),
            });
        }
        kept += 1;
        pos += nl + 1;
    }
    Ok((kept, pos as u64))
}

/// The byte offset just after the first `lines` lines of a file, or None if it has fewer.
fn end_of_lines(path: &Path, lines: u64) -> Result<Option<u64>, SweepError> {
    let text = fs::read(path).map_err(SweepError::io(path))?;
    let mut seen = 0u64;
    let mut cut = 0usize;
    for (i, b) in text.iter().enumerate() {
        if seen == lines {
            break;
        }
        if *b == b'\n' {
            seen += 1;
            cut = i + 1;
        }
    }
    Ok((seen >= lines).then_some(cut as u64))
}

fn truncate_file(path: &Path, len: u64) -> Result<(), SweepError> {
    if path.exists() {
        let f = fs::OpenOptions::new().write(true).open(path).map_err(SweepError::io(path))?;
        f.set_len(len).map_err(SweepError::io(path))?;
    }
    Ok(())
}

/// Removes events of runs at or after the shard's `kept`-th run.
fn truncate_events(dir: &Path, m: &Manifest, kept: u64) -> Result<(), SweepError> {
    if kept >= m.shard_runs {
        return Ok(());
    }
    let first_missing = m.shard.nth(kept);
    let chunk = events_file(dir, first_missing);
    for entry in fs::read_dir(dir.join("events")).map_err(SweepError::io(dir))?.flatten() {
        let p = entry.path();
        if p > chunk {
            fs::remove_file(&p).map_err(SweepError::io(&p))?;
        }
    }
    if chunk.exists() {
        let text = fs::read(&chunk).map_err(SweepError::io(&chunk))?;
        truncate_file(&chunk, events_cut(&text, first_missing) as u64)?;
    }
    Ok(())
}

/// Where an events file is cut so that it ends before run `first_missing`'s block and holds
/// no torn line.
fn events_cut(text: &[u8], first_missing: u64) -> usize {
    let marker = format!("{{\"record\":\"run\",\"run\":{first_missing},");
    let mut pos = 0usize;
    while pos < text.len() {
        let Some(end) = text[pos..].iter().position(|b| *b == b'\n').map(|n| pos + n + 1) else {
            return pos; // a torn last line
        };
        if text[pos..end].starts_with(marker.as_bytes()) {
            return pos;
        }
        pos = end;
    }
    text.len()
}

/// Appends rows to runs.jsonl and runs.csv (with the CSV header before the first row when the
/// file is empty).
pub(crate) struct RowWriter {
    jsonl: BufWriter<fs::File>,
    jsonl_path: PathBuf,
    csv: csv::Writer<fs::File>,
    csv_path: PathBuf,
    names: Vec<String>,
    header_written: bool,
}

impl RowWriter {
    /// Opens the folder's row files: appending to them (`append`), or replacing them.
    pub(crate) fn open(dir: &Path, names: Vec<String>, append: bool) -> Result<RowWriter, SweepError> {
        let (jsonl_path, csv_path) = (dir.join("runs.jsonl"), dir.join("runs.csv"));
        let header_written = append && fs::metadata(&csv_path).map(|m| m.len() > 0).unwrap_or(false);
        let jsonl = BufWriter::new(open_for_writing(&jsonl_path, append)?);
        let csv = csv::Writer::from_writer(open_for_writing(&csv_path, append)?);
        Ok(RowWriter { jsonl, jsonl_path, csv, csv_path, names, header_written })
    }

    /// Appends a row: `json` is its runs.jsonl line, without the newline.
    pub(crate) fn write(&mut self, row: &Row, json: &[u8]) -> Result<(), SweepError> {
        let csv_error = |e: csv::Error| SweepError::io(&self.csv_path)(e.into());
        if !self.header_written {
            self.csv.write_record(Row::csv_header(&self.names, &row.outcomes)).map_err(csv_error)?;
            self.header_written = true;
        }
        self.jsonl.write_all(json).and_then(|_| self.jsonl.write_all(b"\n")).map_err(SweepError::io(&self.jsonl_path))?;
        self.csv.write_record(row.csv_record()).map_err(csv_error)
    }

    /// Sends what is written to the files.
    pub(crate) fn flush(&mut self) -> Result<(), SweepError> {
        self.jsonl.flush().map_err(SweepError::io(&self.jsonl_path))?;
        self.csv.flush().map_err(SweepError::io(&self.csv_path))
    }
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
