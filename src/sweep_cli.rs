//! `casus sweep` and `casus merge`: threads, files, progress. The plan logic is in
//! `casus::sweep`; this module only schedules runs and writes results.
//!
//! Layout of a sweep folder: `manifest.json` (written first as "running", last as
//! "complete"), `runs.jsonl` and `runs.csv` (one row per run, in run-index order, appended as
//! runs finish), `points.csv` (per-point statistics, computed from runs.jsonl at the end) and,
//! with `--events`, `events/runs-NNNNNNNN.jsonl` (each file holds the logs of 1,000
//! consecutive run indices, each log preceded by a `{"record":"run",...}` line).
//!
//! Results are written in index order through a small reorder buffer, so the files are always
//! a complete prefix plus at most one torn line: `--resume` truncates the torn line and
//! continues from the next index, and memory stays flat whatever the number of runs.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

use casus::engine::Limits;
use casus::engine::run::{self};
use casus::log::CASUS_VERSION;
use casus::model::event::LOG_SCHEMA_VERSION;
use casus::model::prepared::Prepared;
use casus::outdir;
use casus::sweep::{self, Design, Plan, PointStats, Row, Shard};

use crate::Fail;

/// Runs per events file.
const EVENTS_CHUNK: u64 = 1000;

/// Set by Ctrl-C (SIGINT) during a sweep: workers stop taking new runs, finished runs are written.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

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
    /// "running" or "complete".
    pub status: String,
}

/// Arguments of `casus sweep`.
pub struct SweepArgs {
    pub input: Option<PathBuf>,
    pub params: Vec<String>,
    pub set: Vec<String>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
    pub design: Option<String>,
    pub out: Option<PathBuf>,
    pub jobs: Option<usize>,
    pub shard: Option<String>,
    pub resume: bool,
    pub events: bool,
    pub quiet: bool,
    pub force: bool,
}

fn bad(m: impl Into<String>) -> Fail {
    Fail { code: 2, message: m.into() }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Fail + '_ {
    move |e| Fail { code: 1, message: format!("error: {}: {e}", path.display()) }
}

/// A plan file is RON with top-level `params:` and `runs:`.
fn looks_like_plan(text: &str) -> bool {
    text.contains("params:") && text.contains("runs:") && !text.contains("actors:")
}

/// Everything needed to run a sweep, resolved and validated.
struct Resolved {
    plan: Plan,
    points: Vec<sweep::Point>,
    base: casus::model::scenario::Scenario,
    scenario_hash: String,
    fixed: Vec<(String, String)>,
}

fn resolve(a: &SweepArgs) -> Result<Resolved, Fail> {
    // The input is a plan file, a scenario file, or nothing (the embedded default scenario).
    // A plan's scenario path is relative to the plan file.
    let (mut plan, scenario_path) = match &a.input {
        Some(p) => {
            let text = crate::read_source(p)?;
            if looks_like_plan(&text) {
                let plan: Plan = ron::Options::default()
                    .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
                    .from_str(&text)
                    .map_err(|e| bad(format!("{}:{}:{}: error: {}", p.display(), e.span.start.line, e.span.start.col, e.code)))?;
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                let path = plan.scenario.as_ref().map(|s| dir.join(s));
                (plan, path)
            } else {
                let plan =
                    Plan { scenario: Some(p.display().to_string()), params: vec![], set: vec![], design: Design::Grid, runs: 1, seed: 0 };
                (plan, Some(p.clone()))
            }
        }
        None => (Plan { scenario: None, params: vec![], set: vec![], design: Design::Grid, runs: 1, seed: 0 }, None),
    };
    let from_plan_file = a.input.is_some() && plan.scenario.as_deref() != a.input.as_ref().map(|p| p.display().to_string()).as_deref();
    for p in &a.params {
        let (n, s) = p.split_once('=').ok_or_else(|| bad(format!("error: --param {p}: expected NAME=SPEC")))?;
        plan.params.push((n.trim().to_string(), s.trim().to_string()));
    }
    plan.set.extend(crate::parse_sets(&a.set)?);
    if let Some(r) = a.runs {
        plan.runs = r;
    }
    if plan.runs == 0 {
        return Err(bad("error: --runs must be at least 1"));
    }
    if let Some(d) = &a.design {
        plan.design = sweep::parse_design(d).map_err(|e| bad(format!("error: {e}")))?;
    }
    let (name, source) = match &scenario_path {
        Some(path) => (path.display().to_string(), crate::read_source(path)?),
        None => (crate::DEFAULT_NAME.to_string(), crate::DEFAULT_SCENARIO.to_string()),
    };
    let base = casus::model::scenario::load(&source).map_err(|e| bad(e.render(&name, &source)))?;
    plan.seed = a.seed.unwrap_or(if from_plan_file { plan.seed } else { base.seed });
    let scenario_hash = casus::model::state::sha256_hex(source.as_bytes());
    let fixed_prep = casus::model::prepared::prepare_parsed(&base, &scenario_hash, &plan.set).map_err(|e| bad(e.render(&name, &source)))?;
    let points = sweep::expand(&plan, |n| {
        fixed_prep.params.get(n).map(sweep::fmt_number).unwrap_or_else(|| field_value(&fixed_prep.scenario, n).unwrap_or_default())
    })
    .map_err(|e| bad(format!("error: {e}")))?;
    // Validate every point before anything is written.
    for (i, p) in points.iter().enumerate() {
        let mut sets = plan.set.clone();
        sets.extend(p.iter().cloned());
        casus::model::prepared::prepare_parsed(&base, &scenario_hash, &sets)
            .map_err(|e| bad(format!("design point {i} ({}):\n{}", describe_point(p), e.render(&name, &source))))?;
    }
    let fixed = plan.set.clone();
    Ok(Resolved { plan, points, base, scenario_hash, fixed })
}

fn describe_point(p: &sweep::Point) -> String {
    p.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(" ")
}

/// The current value of an actor field path, for one-at-a-time baselines.
fn field_value(s: &casus::model::scenario::Scenario, path: &str) -> Option<String> {
    let (id, rest) = path.split_once('.')?;
    let tree = serde_json::to_value(s).ok()?;
    let actor = tree["actors"].as_array()?.iter().filter_map(|a| a.as_object()?.values().next()).find(|a| a["id"] == id)?.clone();
    let mut node = &actor;
    for seg in rest.split('.') {
        node = node.get(seg)?;
    }
    Some(match node {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => sweep::fmt_number(n.as_f64()?),
        other => other.to_string(),
    })
}

pub fn cmd_sweep(a: SweepArgs) -> Result<(), Fail> {
    let r = resolve(&a)?;
    let shard = match &a.shard {
        Some(s) => Shard::parse(s).map_err(|e| bad(format!("error: {e}")))?,
        None => Shard::whole(),
    };
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("sweeps").join(&r.base.name));
    let total = (r.points.len() as u64).checked_mul(u64::from(r.plan.runs)).ok_or_else(|| bad("error: too many runs"))?;
    let manifest = Manifest {
        casus_version: CASUS_VERSION.into(),
        log_schema_version: LOG_SCHEMA_VERSION,
        scenario: r.base.name.clone(),
        scenario_hash: r.scenario_hash.clone(),
        plan_hash: sweep::plan_hash(&r.plan, &r.scenario_hash),
        plan: r.plan.clone(),
        seed: r.plan.seed,
        points: r.points.len() as u64,
        total_runs: total,
        shard,
        shard_runs: shard.count(total),
        events: a.events,
        status: "running".into(),
    };
    let start = prepare_dir(&out, &manifest, a.resume, a.force)?;
    let names: Vec<String> = r.plan.params.iter().map(|(n, _)| n.clone()).collect();
    // Ctrl-C stops the sweep cleanly; a second handler install (tests, merge) is harmless.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    execute(&r, &manifest, &out, start, &names, a.jobs, a.quiet)?;
    finish(&out, manifest, &names, a.quiet)
}

/// Creates or checks the folder; returns the number of this shard's runs already done.
fn prepare_dir(out: &Path, manifest: &Manifest, resume: bool, force: bool) -> Result<u64, Fail> {
    let mpath = out.join("manifest.json");
    if out.exists() {
        let non_empty = fs::read_dir(out).map_err(io(out))?.next().is_some();
        if resume && non_empty {
            let text = fs::read_to_string(&mpath)
                .map_err(|_| bad(format!("error: --resume: {} has no manifest.json; it is not a sweep", out.display())))?;
            let old: Manifest = serde_json::from_str(&text).map_err(|e| bad(format!("error: --resume: {}: {e}", mpath.display())))?;
            if old.plan_hash != manifest.plan_hash || old.shard != manifest.shard || old.events != manifest.events {
                return Err(bad(format!(
                    "error: --resume: {} holds a different sweep (plan, scenario, shard or --events differ); resume with the same arguments",
                    out.display()
                )));
            }
            return truncate_to_complete(out, manifest);
        }
        if non_empty && !force {
            let hint = if mpath.exists() {
                "pass --resume to continue it, or --force to start over"
            } else {
                "it is not a casus sweep; choose another --out"
            };
            return Err(bad(format!("error: {} is not empty: {hint}", out.display())));
        }
        start_over(out, force)?;
    }
    outdir::refuse_dangerous(out).map_err(|r| bad(r.0))?;
    fs::create_dir_all(out).map_err(io(out))?;
    if manifest.events {
        fs::create_dir_all(out.join("events")).map_err(io(out))?;
    }
    write_marker(out, manifest)?;
    write_manifest(out, manifest)?;
    Ok(0)
}

/// Empties a sweep folder of casus's own files before a new sweep or merge is written into it,
/// keeping every file casus did not write (see [`casus::outdir`]); an unmarked folder that is
/// not empty is refused.
fn start_over(out: &Path, force: bool) -> Result<(), Fail> {
    let survey = outdir::check(out, outdir::Kind::Sweep, force).map_err(|r| bad(r.0))?;
    outdir::remove_own(out, outdir::Kind::Sweep, &survey).map_err(io(out))
}

/// Marks the folder as a casus sweep of this plan (the same for every shard and the merge).
fn write_marker(out: &Path, m: &Manifest) -> Result<(), Fail> {
    let path = out.join(outdir::MARKER);
    fs::write(&path, outdir::marker_text(outdir::Kind::Sweep, &format!("plan_hash {}", m.plan_hash))).map_err(io(&path))
}

fn write_manifest(out: &Path, m: &Manifest) -> Result<(), Fail> {
    let tmp = out.join(".manifest.json.tmp");
    fs::write(&tmp, serde_json::to_string_pretty(m).expect("manifest serialises") + "\n").map_err(io(&tmp))?;
    fs::rename(&tmp, out.join("manifest.json")).map_err(io(out))
}

/// Keeps the complete prefix of runs.jsonl (checking it is this shard's index sequence),
/// truncates runs.csv and the events files to match, and returns the number of runs kept.
fn truncate_to_complete(out: &Path, m: &Manifest) -> Result<u64, Fail> {
    let jl = out.join("runs.jsonl");
    let mut kept = 0u64;
    let mut keep_bytes = 0u64;
    if jl.exists() {
        let mut text = Vec::new();
        fs::File::open(&jl).map_err(io(&jl))?.read_to_end(&mut text).map_err(io(&jl))?;
        let mut pos = 0usize;
        while let Some(nl) = text[pos..].iter().position(|b| *b == b'\n') {
            let line = &text[pos..pos + nl];
            let Ok(row) = serde_json::from_slice::<Row>(line) else { break };
            if row.run != m.shard.nth(kept) {
                return Err(bad(format!(
                    "error: --resume: {} line {} has run {} where {} was expected",
                    jl.display(),
                    kept + 1,
                    row.run,
                    m.shard.nth(kept)
                )));
            }
            kept += 1;
            pos += nl + 1;
            keep_bytes = pos as u64;
        }
    }
    truncate_file(&jl, keep_bytes)?;
    let csv = out.join("runs.csv");
    if csv.exists() {
        let text = fs::read(&csv).map_err(io(&csv))?;
        let lines_to_keep = if kept == 0 { 0 } else { kept + 1 };
        let mut seen = 0u64;
        let mut cut = 0usize;
        for (i, b) in text.iter().enumerate() {
            if seen == lines_to_keep {
                break;
            }
            if *b == b'\n' {
                seen += 1;
                cut = i + 1;
            }
        }
        if seen < lines_to_keep {
            return Err(bad(format!("error: --resume: {} is shorter than runs.jsonl; start over with --force", csv.display())));
        }
        truncate_file(&csv, cut as u64)?;
    }
    if m.events {
        fs::create_dir_all(out.join("events")).map_err(io(out))?;
        truncate_events(out, m, kept)?;
    }
    Ok(kept)
}

fn truncate_file(path: &Path, len: u64) -> Result<(), Fail> {
    if path.exists() {
        let f = fs::OpenOptions::new().write(true).open(path).map_err(io(path))?;
        f.set_len(len).map_err(io(path))?;
    }
    Ok(())
}

fn events_file(out: &Path, run: u64) -> PathBuf {
    out.join("events").join(format!("runs-{:08}.jsonl", run / EVENTS_CHUNK * EVENTS_CHUNK))
}

/// Removes events of runs at or after the shard's `kept`-th run.
fn truncate_events(out: &Path, m: &Manifest, kept: u64) -> Result<(), Fail> {
    if kept >= m.shard_runs {
        return Ok(());
    }
    let first_missing = m.shard.nth(kept);
    let chunk = events_file(out, first_missing);
    for entry in fs::read_dir(out.join("events")).map_err(io(out))?.flatten() {
        let p = entry.path();
        if p > chunk {
            fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    if chunk.exists() {
        let marker = format!("{{\"record\":\"run\",\"run\":{first_missing},");
        let text = fs::read(&chunk).map_err(io(&chunk))?;
        let mut cut = text.len();
        let mut pos = 0usize;
        let mut complete = 0usize;
        while pos < text.len() {
            let end = text[pos..].iter().position(|b| *b == b'\n').map(|n| pos + n + 1);
            match end {
                None => {
                    cut = complete;
                    break;
                }
                Some(e) => {
                    if text[pos..e].starts_with(marker.as_bytes()) {
                        cut = pos;
                        break;
                    }
                    complete = e;
                    pos = e;
                    cut = e;
                }
            }
        }
        truncate_file(&chunk, cut as u64)?;
    }
    Ok(())
}

/// An open events file of one shard, read line by line.
type EventLines = std::iter::Peekable<std::io::Lines<BufReader<fs::File>>>;

struct Done {
    run: u64,
    row: Row,
    log: Option<Vec<u8>>,
}

fn execute(r: &Resolved, m: &Manifest, out: &Path, start: u64, names: &[String], jobs: Option<usize>, quiet: bool) -> Result<(), Fail> {
    let count = m.shard_runs;
    if start >= count {
        return Ok(());
    }
    let jobs = crate::threads(jobs);
    let next = AtomicU64::new(start);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::sync_channel::<Result<Done, Fail>>(jobs * 4);
    let jl_path = out.join("runs.jsonl");
    let csv_path = out.join("runs.csv");
    let csv_exists = csv_path.exists() && fs::metadata(&csv_path).map(|m| m.len() > 0).unwrap_or(false);
    let mut jl = BufWriter::new(fs::OpenOptions::new().create(true).append(true).open(&jl_path).map_err(io(&jl_path))?);
    let mut csv = BufWriter::new(fs::OpenOptions::new().create(true).append(true).open(&csv_path).map_err(io(&csv_path))?);
    let mut progress = Progress::new(count, start, quiet);
    std::thread::scope(|s| -> Result<(), Fail> {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || {
                let mut cache: Option<(u64, Prepared)> = None;
                loop {
                    if stop.load(Ordering::Relaxed) || INTERRUPTED.load(Ordering::SeqCst) {
                        break;
                    }
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= count {
                        break;
                    }
                    let i = m.shard.nth(j);
                    let result = run_one(r, m, i, &mut cache);
                    if tx.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut expected = start;
        let mut header_written = csv_exists;
        let mut events: Option<(PathBuf, BufWriter<fs::File>)> = None;
        for msg in rx {
            let done = match msg {
                Ok(d) => d,
                Err(f) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(f);
                }
            };
            pending.insert(done.run, done);
            while let Some(done) = pending.remove(&m.shard.nth(expected)) {
                if !header_written {
                    writeln!(csv, "{}", Row::csv_header(names, &done.row.outcomes)).map_err(io(&csv_path))?;
                    header_written = true;
                }
                serde_json::to_writer(&mut jl, &done.row).map_err(|e| io(&jl_path)(e.into()))?;
                jl.write_all(b"\n").map_err(io(&jl_path))?;
                writeln!(csv, "{}", done.row.csv()).map_err(io(&csv_path))?;
                if let Some(log) = &done.log {
                    let path = events_file(out, done.run);
                    if events.as_ref().is_none_or(|(p, _)| *p != path) {
                        if let Some((p, mut w)) = events.take() {
                            w.flush().map_err(io(&p))?;
                        }
                        let f = fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
                        events = Some((path.clone(), BufWriter::new(f)));
                    }
                    let (p, w) = events.as_mut().expect("opened");
                    writeln!(
                        w,
                        "{{\"record\":\"run\",\"run\":{},\"point\":{},\"replication\":{},\"seed\":{}}}",
                        done.run, done.row.point, done.row.replication, done.row.seed
                    )
                    .map_err(io(p))?;
                    w.write_all(log).map_err(io(p))?;
                    w.flush().map_err(io(p))?;
                }
                // Each row reaches the disk as soon as it is in order: a killed sweep loses at most the runs in flight.
                jl.flush().map_err(io(&jl_path))?;
                csv.flush().map_err(io(&csv_path))?;
                expected += 1;
                progress.tick(expected);
            }
        }
        progress.finish();
        if expected < count && INTERRUPTED.load(Ordering::SeqCst) {
            return Err(Fail {
                code: 130,
                message: format!(
                    "interrupted: {expected} of {count} runs are saved in {}; continue with the same command and --resume",
                    out.display()
                ),
            });
        }
        if expected < count {
            return Err(Fail { code: 1, message: format!("error: the sweep stopped after {expected} of {count} runs") });
        }
        Ok(())
    })
}

fn run_one(r: &Resolved, m: &Manifest, i: u64, cache: &mut Option<(u64, Prepared)>) -> Result<Done, Fail> {
    let (point, replication) = sweep::address(i, r.plan.runs);
    if cache.as_ref().is_none_or(|(p, _)| *p != point) {
        let mut sets = r.fixed.clone();
        sets.extend(r.points[point as usize].iter().cloned());
        let prepared = casus::model::prepared::prepare_parsed(&r.base, &r.scenario_hash, &sets)
            .map_err(|e| bad(format!("design point {point}: {e}")))?;
        *cache = Some((point, prepared));
    }
    let prepared = &cache.as_ref().expect("cached").1;
    let seed = sweep::replication_seed(r.plan.seed, u64::from(replication));
    let output = run::run_with(prepared, seed, Limits::default(), m.events)
        .map_err(|e| Fail { code: 1, message: format!("error: run {i} (point {point}, seed {seed}): {e}") })?;
    let log = if m.events {
        let mut buf = Vec::new();
        output.write_log(&mut buf).expect("in-memory write");
        Some(buf)
    } else {
        None
    };
    Ok(Done {
        run: i,
        row: Row { run: i, point, replication, seed, params: r.points[point as usize].clone(), outcomes: output.outcomes },
        log,
    })
}

/// Computes points.csv from runs.jsonl, marks the manifest complete, prints the table.
fn finish(out: &Path, mut manifest: Manifest, names: &[String], quiet: bool) -> Result<(), Fail> {
    let stats = stats_of(&[out.join("runs.jsonl")])?;
    let path = out.join("points.csv");
    fs::write(&path, stats.csv(names)).map_err(io(&path))?;
    manifest.status = "complete".into();
    write_manifest(out, &manifest)?;
    if !quiet {
        print!("{}", stats.table());
        println!("{} runs in {}: runs.csv, runs.jsonl, points.csv, manifest.json", manifest.shard_runs, out.display());
    }
    Ok(())
}

fn stats_of(files: &[PathBuf]) -> Result<PointStats, Fail> {
    let mut stats = PointStats::default();
    for f in files {
        let file = fs::File::open(f).map_err(io(f))?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(io(f))?;
            let row: Row = serde_json::from_str(&line).map_err(|e| Fail { code: 1, message: format!("error: {}: {e}", f.display()) })?;
            stats.add(&row);
        }
    }
    Ok(stats)
}

/// `casus merge DIR... --out DIR`.
pub fn cmd_merge(dirs: Vec<PathBuf>, out: PathBuf, force: bool) -> Result<(), Fail> {
    let mut manifests = Vec::new();
    for d in &dirs {
        let p = d.join("manifest.json");
        let text =
            fs::read_to_string(&p).map_err(|_| bad(format!("error: {} has no manifest.json; it is not a sweep folder", d.display())))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| bad(format!("error: {}: {e}", p.display())))?;
        manifests.push(m);
    }
    let first = manifests.first().ok_or_else(|| bad("error: merge needs at least one folder"))?.clone();
    for (d, m) in dirs.iter().zip(&manifests) {
        if m.plan_hash != first.plan_hash || m.shard.n != first.shard.n || m.events != first.events {
            return Err(bad(format!(
                "error: {} is a shard of a different sweep (plan {} vs {}, {} shards vs {})",
                d.display(),
                &m.plan_hash[..12],
                &first.plan_hash[..12],
                m.shard.n,
                first.shard.n
            )));
        }
        if m.status != "complete" {
            return Err(bad(format!(
                "error: {} is incomplete (shard {}/{}); finish it with --resume first",
                d.display(),
                m.shard.k,
                m.shard.n
            )));
        }
    }
    let mut by_k: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(prev) = by_k.insert(m.shard.k, i) {
            return Err(bad(format!(
                "error: shard {}/{} is given twice ({} and {})",
                m.shard.k,
                m.shard.n,
                dirs[prev].display(),
                dirs[i].display()
            )));
        }
    }
    let missing: Vec<String> = (0..first.shard.n).filter(|k| !by_k.contains_key(k)).map(|k| format!("{k}/{}", first.shard.n)).collect();
    if !missing.is_empty() {
        return Err(bad(format!("error: missing shards: {}", missing.join(", "))));
    }
    outdir::refuse_dangerous(&out).map_err(|r| bad(r.0))?;
    if out.exists() && fs::read_dir(&out).map_err(io(&out))?.next().is_some() {
        if !force {
            return Err(bad(format!("error: {} is not empty; choose another --out (or --force to replace a sweep folder)", out.display())));
        }
        start_over(&out, force)?;
    }
    fs::create_dir_all(&out).map_err(io(&out))?;
    write_marker(&out, &first)?;
    // Runs are strided across shards: run i is in shard i % n, so reading the shards' rows in
    // turn yields them in index order.
    let names: Vec<String> = first.plan.params.iter().map(|(n, _)| n.clone()).collect();
    let mut readers: Vec<std::io::Lines<BufReader<fs::File>>> = Vec::new();
    for k in 0..first.shard.n {
        let p = dirs[by_k[&k]].join("runs.jsonl");
        readers.push(BufReader::new(fs::File::open(&p).map_err(io(&p))?).lines());
    }
    let jl_path = out.join("runs.jsonl");
    let csv_path = out.join("runs.csv");
    let mut jl = BufWriter::new(fs::File::create(&jl_path).map_err(io(&jl_path))?);
    let mut csv = BufWriter::new(fs::File::create(&csv_path).map_err(io(&csv_path))?);
    if first.events {
        fs::create_dir_all(out.join("events")).map_err(io(&out))?;
    }
    let mut event_readers: Vec<Option<(PathBuf, EventLines)>> = (0..first.shard.n).map(|_| None).collect();
    let mut events_out: Option<(PathBuf, BufWriter<fs::File>)> = None;
    for i in 0..first.total_runs {
        let k = (i % first.shard.n) as usize;
        let line = readers[k]
            .next()
            .ok_or_else(|| bad(format!("error: shard {k}/{} ends before run {i}", first.shard.n)))?
            .map_err(io(&dirs[by_k[&(k as u64)]]))?;
        let row: Row = serde_json::from_str(&line).map_err(|e| bad(format!("error: shard {k}: {e}")))?;
        if row.run != i {
            return Err(bad(format!("error: shard {k}/{} has run {} where {i} was expected", first.shard.n, row.run)));
        }
        if i == 0 {
            writeln!(csv, "{}", Row::csv_header(&names, &row.outcomes)).map_err(io(&csv_path))?;
        }
        jl.write_all(line.as_bytes()).map_err(io(&jl_path))?;
        jl.write_all(b"\n").map_err(io(&jl_path))?;
        writeln!(csv, "{}", row.csv()).map_err(io(&csv_path))?;
        if first.events {
            let src = events_file(&dirs[by_k[&(k as u64)]], i);
            let reader = &mut event_readers[k];
            if reader.as_ref().is_none_or(|(p, _)| *p != src) {
                let f = fs::File::open(&src).map_err(io(&src))?;
                *reader = Some((src.clone(), BufReader::new(f).lines().peekable()));
            }
            let (_, lines) = reader.as_mut().expect("opened");
            let dst = events_file(&out, i);
            if events_out.as_ref().is_none_or(|(p, _)| *p != dst) {
                if let Some((p, mut w)) = events_out.take() {
                    w.flush().map_err(io(&p))?;
                }
                events_out = Some((dst.clone(), BufWriter::new(fs::File::create(&dst).map_err(io(&dst))?)));
            }
            let (dp, w) = events_out.as_mut().expect("opened");
            // Copy this run's block: its marker line and every line up to the next marker.
            let marker = lines.next().ok_or_else(|| bad(format!("error: shard {k}: events end before run {i}")))?.map_err(io(dp))?;
            writeln!(w, "{marker}").map_err(io(dp))?;
            while let Some(Ok(l)) = lines.peek() {
                if l.starts_with("{\"record\":\"run\"") {
                    break;
                }
                writeln!(w, "{}", lines.next().expect("peeked").map_err(io(dp))?).map_err(io(dp))?;
            }
        }
    }
    if let Some((p, mut w)) = events_out.take() {
        w.flush().map_err(io(&p))?;
    }
    jl.flush().map_err(io(&jl_path))?;
    csv.flush().map_err(io(&csv_path))?;
    let mut merged = first.clone();
    merged.shard = Shard::whole();
    merged.shard_runs = first.total_runs;
    merged.status = "running".into();
    write_manifest(&out, &merged)?;
    finish(&out, merged, &names, false)
}

/// A progress line on stderr, only when it is a terminal.
struct Progress {
    total: u64,
    shown: bool,
    started: Option<std::time::Instant>,
    first: u64,
    last_draw: u64,
}

impl Progress {
    // Wall-clock time is used only to display rate and ETA; it never reaches results.
    #[allow(clippy::disallowed_methods)]
    fn new(total: u64, first: u64, quiet: bool) -> Progress {
        let shown = !quiet && std::io::stderr().is_terminal();
        Progress { total, shown, started: shown.then(std::time::Instant::now), first, last_draw: 0 }
    }

    fn tick(&mut self, done: u64) {
        let Some(t0) = self.started else { return };
        let elapsed = t0.elapsed().as_secs_f64();
        let ms = (elapsed * 1000.0) as u64;
        if ms < self.last_draw + 200 && done < self.total {
            return;
        }
        self.last_draw = ms;
        let rate = (done - self.first) as f64 / elapsed.max(1e-9);
        let eta = (self.total - done) as f64 / rate.max(1e-9);
        let width = 30;
        let filled = (done as f64 / self.total.max(1) as f64 * width as f64) as usize;
        eprint!("\r[{}{}] {done}/{} runs  {rate:.0}/s  ETA {eta:.0}s   ", "#".repeat(filled), " ".repeat(width - filled), self.total);
    }

    fn finish(&mut self) {
        if self.shown {
            eprintln!();
        }
    }
}
