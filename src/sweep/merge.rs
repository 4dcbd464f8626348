//! Merging the shard folders of one sweep into one folder identical, byte for byte, to the
//! folder of the same sweep run unsharded.
//!
//! Runs are strided across shards (run `i` is in shard `i % n`), so reading the shards' rows in
//! turn yields them in index order; each run's block of events is copied the same way.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufReader, Write};
use std::iter::Peekable;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::sweep::columns::Cell;
use crate::sweep::error::SweepError;
use crate::sweep::folder::{self, EventsWriter, Manifest, RowWriter};
use crate::sweep::{PointStats, Shard};
use crate::{input, outdir};

/// A merged sweep folder: its manifest (complete) and its per-point statistics.
#[derive(Debug)]
pub struct Merged {
    /// The merged folder's manifest.
    pub manifest: Manifest,
    /// Its points.csv statistics.
    pub stats: PointStats,
}

/// Merges the complete shard folders `dirs` (every shard of one sweep, once each, in any
/// order) into `out`. An `out` that holds files is refused unless `force` is given; then only
/// casus's own files are replaced (see [`crate::outdir`]).
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Merged, SweepError> {
    let manifests = read_manifests(dirs)?;
    let first = manifests.first().ok_or(SweepError::NothingToMerge)?.clone();
    let shard_dirs = shards_in_order(dirs, &manifests)?;
    for (dir, manifest) in dirs.iter().zip(&manifests) {
        folder::verify_complete(dir, manifest)?;
    }
    prepare_out(out, force, &first)?;
    copy_runs(&shard_dirs, out, &first)?;
    let manifest = Manifest { shard: Shard::whole(), shard_runs: first.total_runs, status: "running".into(), ..first };
    folder::write_manifest(out, &manifest)?;
    let stats = folder::finish(out, &manifest)?;
    Ok(Merged { manifest: Manifest { status: "complete".into(), ..manifest }, stats })
}

fn read_manifests(dirs: &[PathBuf]) -> Result<Vec<Manifest>, SweepError> {
    dirs.iter()
        .map(|dir| {
            let path = dir.join("manifest.json");
            folder::read_manifest(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => SweepError::MergeNotASweep { dir: dir.clone() },
                    _ => SweepError::Io { path: path.clone(), source: e },
                })?
                .map_err(|source| SweepError::MergeBadManifest { path, source })
        })
        .collect()
}

/// The shard folders ordered by shard, once each shard of one sweep is found complete, given
/// once, and none missing.
fn shards_in_order<'a>(dirs: &'a [PathBuf], manifests: &[Manifest]) -> Result<Vec<&'a Path>, SweepError> {
    let first = &manifests[0];
    for (dir, m) in dirs.iter().zip(manifests) {
        if m.plan_hash != first.plan_hash
            || m.shard.n != first.shard.n
            || m.events != first.events
            || m.jsonl != first.jsonl
            || m.output_format != folder::OUTPUT_FORMAT
            || m.columns != first.columns
            || m.outcome_columns != first.outcome_columns
        {
            return Err(SweepError::ForeignShard {
                dir: dir.clone(),
                plan_hash: m.plan_hash.clone(),
                first_plan_hash: first.plan_hash.clone(),
                shards: m.shard.n,
                first_shards: first.shard.n,
            });
        }
        if m.status != "complete" {
            return Err(SweepError::IncompleteShard { dir: dir.clone(), k: m.shard.k, n: m.shard.n });
        }
    }
    let mut by_k: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(prev) = by_k.insert(m.shard.k, i) {
            return Err(SweepError::DuplicateShard { k: m.shard.k, n: m.shard.n, first: dirs[prev].clone(), second: dirs[i].clone() });
        }
    }
    let n = first.shard.n;
    let missing: Vec<u64> = (0..n).filter(|k| !by_k.contains_key(k)).collect();
    if !missing.is_empty() {
        return Err(SweepError::MissingShards { missing, n });
    }
    Ok(by_k.values().map(|&i| dirs[i].as_path()).collect())
}

/// Makes `out` an empty (but for the user's files, with `force`) marked sweep folder.
fn prepare_out(out: &Path, force: bool, first: &Manifest) -> Result<(), SweepError> {
    outdir::refuse_dangerous(out).map_err(SweepError::Refused)?;
    if out.exists() && fs::read_dir(out).map_err(SweepError::io(out))?.next().is_some() {
        if !force {
            return Err(SweepError::MergeNotEmpty { dir: out.to_path_buf() });
        }
        folder::start_over(out, force)?;
    }
    fs::create_dir_all(out).map_err(SweepError::io(out))?;
    folder::write_marker(out, first)
}

/// The lines of a shard's events file, with the file's path.
type EventLines = (PathBuf, Peekable<input::Lines<BufReader<fs::File>>>);

/// Copies every run's row (read from the shards' runs.csv and written again, so runs.jsonl too
/// with `--jsonl`), and its events with `--events`, from the shards into `out`, in index order.
/// The rows are read one shard at a time in turn, one row each, so memory stays flat.
fn copy_runs(shard_dirs: &[&Path], out: &Path, first: &Manifest) -> Result<(), SweepError> {
    let n = first.shard.n;
    let columns = first.run_columns();
    let mut readers = Vec::new();
    for dir in shard_dirs {
        let path = dir.join("runs.csv");
        let file = input::open(&path).map_err(SweepError::io(&path))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(BufReader::new(file));
        let header = reader.headers().map_err(|e| SweepError::ShardBadRow { k: readers.len() as u64, what: e.to_string() })?;
        if !header.iter().eq(columns.iter().map(|c| c.name.as_str())) {
            return Err(SweepError::ShardBadRow {
                k: readers.len() as u64,
                what: "runs.csv has other columns than its manifest says".into(),
            });
        }
        readers.push(reader.into_records());
    }
    let mut rows = RowWriter::open(out, first, false)?;
    let mut series: Vec<Option<SeriesLines>> = (0..n).map(|_| None).collect();
    if first.events {
        fs::create_dir_all(out.join("events")).map_err(SweepError::io(out))?;
    }
    let mut event_readers: Vec<Option<EventLines>> = (0..n).map(|_| None).collect();
    let mut events = EventsWriter::new(out, false);
    for i in 0..first.total_runs {
        let k = (i % n) as usize;
        let bad = |what: String| SweepError::ShardBadRow { k: k as u64, what };
        let record = readers[k].next().ok_or(SweepError::ShardEnds { k: k as u64, n, run: i })?.map_err(|e| bad(e.to_string()))?;
        let cells = record
            .iter()
            .zip(&columns)
            .map(|(text, c)| Cell::parse(text, c.value_type, c.nullable).map_err(|e| bad(format!("run {i}: {}: {e}", c.name))))
            .collect::<Result<Vec<Cell>, SweepError>>()?;
        if cells.first() != Some(&Cell::Integer(i as i64)) {
            let found = record.get(0).and_then(|r| r.parse().ok()).unwrap_or(u64::MAX);
            return Err(SweepError::ShardOutOfOrder { k: k as u64, n, found, expected: i });
        }
        let mut sums = rows.write(&cells)?;
        if first.series() {
            let block = series_block(shard_dirs[k], &mut series[k], k as u64, i)?;
            rows.write_series_block(&mut sums, &block)?;
        }
        let digest = if first.events { Some(copy_events(shard_dirs[k], &mut event_readers[k], &mut events, k as u64, i)?) } else { None };
        rows.record(i, sums, digest)?;
    }
    events.flush()?;
    rows.flush()
}

/// The lines of a shard's series.csv after its header, with the file's path.
type SeriesLines = (PathBuf, Peekable<input::Lines<BufReader<fs::File>>>);

/// Run `run`'s block of shard `k`'s series.csv: its lines (every line naming the run, in
/// order), without the header, as bytes.
fn series_block(shard_dir: &Path, reader: &mut Option<SeriesLines>, k: u64, run: u64) -> Result<Vec<u8>, SweepError> {
    if reader.is_none() {
        let path = shard_dir.join(crate::sweep::prefix::SERIES);
        let f = input::open(&path).map_err(SweepError::io(&path))?;
        let mut lines = input::lines(BufReader::new(f), 4096).peekable();
        lines
            .next()
            .transpose()
            .map_err(SweepError::io(&path))?
            .ok_or(SweepError::ShardBadRow { k, what: "series.csv is empty".into() })?;
        *reader = Some((path, lines));
    }
    let (path, lines) = reader.as_mut().expect("opened");
    let mut block = Vec::new();
    let prefix = format!("{run},");
    while let Some(Ok(line)) = lines.peek() {
        if !line.starts_with(&prefix) {
            break;
        }
        let line = lines.next().expect("peeked").map_err(SweepError::io(path))?;
        block.extend_from_slice(line.as_bytes());
        block.push(b'\n');
    }
    if let Some(Err(_)) = lines.peek() {
        let e = lines.next().expect("peeked").expect_err("an error");
        return Err(SweepError::io(path)(e));
    }
    Ok(block)
}

/// Copies run `run`'s block of events (its marker line and every line up to the next marker)
/// from shard `k`'s events files; returns the block's digest (for checksums.jsonl).
fn copy_events(
    shard_dir: &Path,
    reader: &mut Option<EventLines>,
    events: &mut EventsWriter,
    k: u64,
    run: u64,
) -> Result<String, SweepError> {
    let src = folder::events_file(shard_dir, run);
    if reader.as_ref().is_none_or(|(p, _)| *p != src) {
        let f = input::open(&src).map_err(SweepError::io(&src))?;
        // A run's log is copied line by line: its header is its longest line.
        *reader = Some((src, input::lines(BufReader::new(f), crate::log::MAX_HEADER_LINE).peekable()));
    }
    let (_, lines) = reader.as_mut().expect("opened");
    let (path, w) = events.file_for(run)?;
    let marker = lines.next().ok_or(SweepError::ShardEventsEnd { k, run })?.map_err(SweepError::io(path))?;
    writeln!(w, "{marker}").map_err(SweepError::io(path))?;
    let mut digest = Sha256::new();
    digest.update(marker.as_bytes());
    digest.update(b"\n");
    while let Some(Ok(l)) = lines.peek() {
        if l.starts_with("{\"record\":\"run\"") {
            break;
        }
        let line = lines.next().expect("peeked").map_err(SweepError::io(path))?;
        writeln!(w, "{line}").map_err(SweepError::io(path))?;
        digest.update(line.as_bytes());
        digest.update(b"\n");
    }
    Ok(digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect())
}
