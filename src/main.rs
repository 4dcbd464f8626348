//! The `casus` command line. The only layer that reads files, writes outputs or prints.
//! Exit codes: 0 success, 1 a check failed (replay diverged), 2 bad input.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: a run allocates and frees many small strings and collections; this allocator
/// serves them faster than the system's (allocation never affects results).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use casus::analysis::describe::{significant, timeline_line};
use casus::analysis::replay::{ReadReplayError, Verdict, replay_read};
use casus::engine::Limits;
use casus::engine::run::{self};
use casus::model::params::CATALOGUE;
use casus::model::prepared::Prepared;
use casus::outdir;

mod logs_cli;
mod sweep_cli;

/// The embedded default scenario: the 2023 Niger crisis.
pub(crate) const DEFAULT_SCENARIO: &str = include_str!("../scenarios/niger_2023.ron");
pub(crate) const DEFAULT_NAME: &str = "<embedded scenarios/niger_2023.ron>";

#[derive(Parser)]
#[command(name = "casus", version, about = "Event-sourced simulation of alliance responses to crises")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (default: the embedded 2023 Niger crisis) and write its log and summary.
    Run {
        /// Scenario file (RON). Omit to run the embedded default.
        scenario: Option<PathBuf>,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Override a parameter or field: NAME=VALUE (repeatable). `casus params` lists names.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Output folder (default: runs/<scenario>-seed<N>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
        /// Print the summary JSON instead of the timeline.
        #[arg(long)]
        json: bool,
        /// Write into a folder that holds files casus did not write (they are kept; casus's own are replaced).
        #[arg(long)]
        force: bool,
        /// Stop with an error if the run produces more events than this.
        #[arg(long, default_value_t = Limits::default().max_events)]
        max_events: u64,
        /// Stop with an error if rules keep reacting within one day for more rounds than this.
        #[arg(long, default_value_t = Limits::default().max_rounds_per_day)]
        max_rounds: u32,
    },
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rebuild state from a log by folding its events and compare with its final-state hash.
    Replay {
        /// A log (events.jsonl) or a run folder.
        log: PathBuf,
        /// The scenario the log was run with (default: scenario.ron beside the log, or the embedded default).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Threads: with 2 (the default on a machine with more than one core), one reads and
        /// checks the log while the other folds it. The verdict does not depend on it.
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
    },
    /// Print a log as a dated timeline, filtered, as text, JSON lines or CSV.
    Log {
        /// A log (events.jsonl) or a run folder.
        log: PathBuf,
        /// Only these event kinds (repeatable or comma-separated), e.g. SanctionsImposed.
        #[arg(long = "kind", value_name = "KIND")]
        kinds: Vec<String>,
        /// Only events involving one of these actors (ids; repeatable or comma-separated).
        #[arg(long = "actor", value_name = "ID")]
        actors: Vec<String>,
        /// Only events whose rule contains this text, case-insensitively (e.g. "Art. 6"; repeatable).
        #[arg(long = "rule", value_name = "TEXT")]
        rules: Vec<String>,
        /// From this date (YYYY-MM-DD) or day number, inclusive.
        #[arg(long)]
        from: Option<String>,
        /// To this date (YYYY-MM-DD) or day number, inclusive.
        #[arg(long)]
        to: Option<String>,
        /// text (default), json (one event per line) or csv.
        #[arg(long, default_value = "text")]
        format: String,
        /// Leave out combat rounds, mobilisations and summits.
        #[arg(long)]
        brief: bool,
    },
    /// Explain why an event happened: its chain of causes back to the root, with the rule at each step.
    Explain {
        /// A log (events.jsonl) or a run folder.
        log: PathBuf,
        /// The event's seq (or use --kind/--actor to pick the first matching event).
        seq: Option<u64>,
        /// Explain the first event of this kind.
        #[arg(long = "kind", value_name = "KIND")]
        kinds: Vec<String>,
        /// ... involving this actor.
        #[arg(long = "actor", value_name = "ID")]
        actors: Vec<String>,
        /// Also print the tree of events it caused.
        #[arg(long)]
        consequences: bool,
        /// Deepest level of consequences printed.
        #[arg(long)]
        depth: Option<usize>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Continue a logged run from a point in its history with a change (a counterfactual).
    Fork {
        /// The parent: a log (events.jsonl) or a run folder.
        log: PathBuf,
        /// Fork point: an event's seq (the fork starts at the start of its day), a date YYYY-MM-DD, or dN for day N.
        #[arg(long)]
        at: String,
        /// Override a parameter or field from the fork on: NAME=VALUE (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Remove an event of the parent (on or after the fork day) and what it would cause (repeatable).
        #[arg(long = "drop", value_name = "SEQ")]
        drop: Vec<u64>,
        /// Add a scripted event, written as a scenario timeline entry in RON (repeatable).
        #[arg(long = "inject", value_name = "RON")]
        inject: Vec<String>,
        /// Output folder for the fork's run.
        #[arg(long)]
        out: PathBuf,
        /// The parent's scenario (default: scenario.ron beside the log, or the embedded default).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Write into a folder that holds files casus did not write (they are kept; casus's own are replaced).
        #[arg(long)]
        force: bool,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
    },
    /// Show where two runs diverge and how their outcomes differ (exit 0 identical, 1 different).
    Diff {
        /// First run (folder or log).
        left: PathBuf,
        /// Second run (folder or log).
        right: PathBuf,
    },
    /// Write a self-contained HTML report with charts for a run folder or a sweep folder.
    Report {
        /// A run folder (casus run/fork --out) or a sweep folder (casus sweep --out).
        dir: PathBuf,
        /// Where to write the page (default: DIR/report.html).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write every chart as a PNG file in charts/ beside the page.
        #[arg(long)]
        png: bool,
        /// The run's scenario (default: scenario.ron in DIR, or the embedded default).
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
    /// Write a valid synthetic scenario of any size (a grid of states with overlapping treaties,
    /// organisations, partners, armed groups and a timeline), for testing scale.
    Gen {
        /// Number of states.
        #[arg(long, default_value_t = 100)]
        states: usize,
        /// Number of mutual-defence treaties.
        #[arg(long, default_value_t = 20)]
        treaties: usize,
        /// Number of organisations.
        #[arg(long, default_value_t = 4)]
        orgs: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Horizon in days.
        #[arg(long, default_value_t = 365)]
        horizon: u32,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List every model parameter with its default, range and meaning.
    Params,
    /// Run a parameter sweep: many seeded runs per design point, on all cores.
    Sweep {
        /// A scenario file, or a sweep plan file (RON with `params:` and `runs:`). Omit for the embedded default.
        input: Option<PathBuf>,
        /// A swept parameter: NAME=SPEC, SPEC being a,b,c or lo..hi:n (grid, oat) or lo..hi (random, lhs). Repeatable.
        #[arg(long = "param", value_name = "NAME=SPEC")]
        params: Vec<String>,
        /// A fixed override for every run: NAME=VALUE (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Replications per design point.
        #[arg(long)]
        runs: Option<u32>,
        /// Root seed (default: the plan's or the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// grid (default), oat, random:N or lhs:N.
        #[arg(long)]
        design: Option<String>,
        /// Output folder (default: sweeps/<scenario>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Run only shard K of N (K from 0): runs whose index modulo N is K.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Continue an interrupted sweep in --out: run only the missing indices.
        #[arg(long)]
        resume: bool,
        /// Also write every run's event log (1,000 runs per file under events/).
        #[arg(long)]
        events: bool,
        /// No progress bar and no table.
        #[arg(long)]
        quiet: bool,
        /// Start over in an existing sweep folder (casus's files are replaced; others are kept).
        #[arg(long)]
        force: bool,
    },
    /// Merge shard folders of one sweep into one folder identical to an unsharded sweep.
    Merge {
        /// Shard folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Start over in an existing sweep folder (casus's files are replaced; others are kept).
        #[arg(long)]
        force: bool,
    },
}

/// An error already rendered for the terminal, with its exit code.
pub(crate) struct Fail {
    code: u8,
    message: String,
}

pub(crate) fn bad(message: impl Into<String>) -> Fail {
    Fail { code: 2, message: message.into() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { scenario, seed, set, out, quiet, json, force, max_events, max_rounds } => {
            cmd_run(scenario, seed, set, out, quiet, json, force, Limits { max_events, max_rounds_per_day: max_rounds })
        }
        Command::Check { files } => cmd_check(files),
        Command::Replay { log, scenario, jobs } => cmd_replay(log, scenario, jobs),
        Command::Log { log, kinds, actors, rules, from, to, format, brief } => {
            logs_cli::cmd_log(logs_cli::LogArgs { path: log, kinds, actors, rules, from, to, format, brief })
        }
        Command::Explain { log, seq, kinds, actors, consequences, depth, json } => {
            logs_cli::cmd_explain(logs_cli::ExplainArgs { path: log, seq, kinds, actors, consequences, depth, json })
        }
        Command::Fork { log, at, set, drop, inject, out, scenario, force, quiet } => {
            logs_cli::cmd_fork(logs_cli::ForkArgs { path: log, at, set, drop, inject, out, scenario, force, quiet })
        }
        Command::Diff { left, right } => logs_cli::cmd_diff(left, right),
        Command::Report { dir, out, png, scenario } => logs_cli::cmd_report(logs_cli::ReportArgs { dir, out, png, scenario }),
        Command::Gen { states, treaties, orgs, seed, horizon, out } => {
            cmd_gen(casus::synth::GenSpec { states, treaties, orgs, seed, horizon_days: horizon }, out)
        }
        Command::Params => cmd_params(),
        Command::Sweep { input, params, set, runs, seed, design, out, jobs, shard, resume, events, quiet, force } => {
            sweep_cli::cmd_sweep(sweep_cli::SweepArgs {
                input,
                params,
                set,
                runs,
                seed,
                design,
                out,
                jobs,
                shard,
                resume,
                events,
                quiet,
                force,
            })
        }
        Command::Merge { dirs, out, force } => sweep_cli::cmd_merge(dirs, out, force),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let mut stderr = std::io::stderr();
            let _ = stderr.write_all(f.message.as_bytes());
            if !f.message.is_empty() && !f.message.ends_with('\n') {
                let _ = stderr.write_all(b"\n");
            }
            ExitCode::from(f.code)
        }
    }
}

/// The failure for a file that cannot be opened or read.
pub(crate) fn cannot_read(path: &Path, e: std::io::Error) -> Fail {
    bad(format!("{}: error: cannot read: {e}", path.display()))
}

/// Worker threads for `--jobs`: as given (at least 1), else one per core.
pub(crate) fn threads(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1)
}

pub(crate) fn read_source(path: &Path) -> Result<String, Fail> {
    let meta = fs::metadata(path).map_err(|e| cannot_read(path, e))?;
    if meta.len() > casus::model::scenario::MAX_FILE_BYTES as u64 {
        return Err(bad(format!(
            "{}: error: file is {} bytes; the limit is {} bytes",
            path.display(),
            meta.len(),
            casus::model::scenario::MAX_FILE_BYTES
        )));
    }
    let bytes = fs::read(path).map_err(|e| cannot_read(path, e))?;
    String::from_utf8(bytes).map_err(|e| bad(format!("{}: error: not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to())))
}

pub(crate) fn parse_sets(set: &[String]) -> Result<Vec<(String, String)>, Fail> {
    set.iter().map(|s| casus::model::overrides::split(s).map_err(|e| bad(format!("error: {e}")))).collect()
}

pub(crate) fn prepare(scenario: Option<&Path>, overrides: &[(String, String)]) -> Result<(Prepared, String, String), Fail> {
    let (name, source) = match scenario {
        Some(p) => (p.display().to_string(), read_source(p)?),
        None => (DEFAULT_NAME.to_string(), DEFAULT_SCENARIO.to_string()),
    };
    let prepared = casus::model::prepared::prepare(&source, overrides).map_err(|e| bad(e.render(&name, &source)))?;
    Ok((prepared, name, source))
}

#[allow(clippy::too_many_arguments)]
fn cmd_run(
    scenario: Option<PathBuf>,
    seed: Option<u64>,
    set: Vec<String>,
    out: Option<PathBuf>,
    quiet: bool,
    json: bool,
    force: bool,
    limits: Limits,
) -> Result<(), Fail> {
    let overrides = parse_sets(&set)?;
    let (prepared, _name, source) = prepare(scenario.as_deref(), &overrides)?;
    let seed = seed.unwrap_or(prepared.scenario.seed);
    let out = out.unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-seed{seed}", prepared.scenario.name)));
    check_output_dir(&out, outdir::Kind::Run, force)?;
    let output = run::run(&prepared, seed, limits).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    let summary = output.summary();
    write_run_dir(&out, &output, &source, &[]).map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", out.display()) })?;
    if quiet {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&summary).expect("summary serialises"));
    } else {
        let _ = writeln!(
            stdout,
            "{} (seed {seed}): {} events, {} to {}",
            summary.scenario,
            summary.events,
            prepared.scenario.start,
            prepared.scenario.start_date().plus_days(i64::from(prepared.scenario.horizon_days))
        );
        for e in output.events.iter().filter(|e| significant(e)) {
            let _ = writeln!(stdout, "{}", timeline_line(e));
        }
        let _ = writeln!(stdout, "\noutcomes for {}:", summary.focus);
        let v = serde_json::to_value(&summary.outcomes).expect("outcomes serialise");
        for (k, v) in v.as_object().expect("object") {
            let _ = writeln!(stdout, "  {k:<30} {v}");
        }
        let _ = writeln!(stdout, "\nwrote {}/events.jsonl and summary.json", out.display());
    }
    Ok(())
}

/// Refuses an output folder casus may not write (see [`casus::outdir::check`]): exit 2.
pub(crate) fn check_output_dir(out: &Path, kind: outdir::Kind, force: bool) -> Result<(), Fail> {
    outdir::check(out, kind, force).map(|_| ()).map_err(|r| bad(r.0))
}

/// Writes a run's folder (log, summary, scenario and `extra` files) through
/// [`casus::outdir::publish`]: into a temporary sibling first, so an interrupted run leaves
/// either the complete output or none, and replacing only files casus wrote.
pub(crate) fn write_run_dir(out: &Path, output: &run::RunOutput, source: &str, extra: &[(&str, &str)]) -> std::io::Result<()> {
    let summary = output.summary();
    let identity = format!("{} seed {} scenario_hash {}", summary.scenario, summary.seed, summary.scenario_hash);
    outdir::publish(out, outdir::Kind::Run, &identity, |tmp| {
        let mut w = std::io::BufWriter::new(fs::File::create(tmp.join("events.jsonl"))?);
        output.write_log(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::write(tmp.join("summary.json"), serde_json::to_string_pretty(&summary).expect("summary serialises") + "\n")?;
        fs::write(tmp.join("scenario.ron"), source)?;
        for (name, content) in extra {
            fs::write(tmp.join(name), content)?;
        }
        Ok(())
    })
}

/// Writes a file under a hidden temporary name beside it, then renames it into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

fn cmd_check(files: Vec<PathBuf>) -> Result<(), Fail> {
    let mut failures = String::new();
    for f in &files {
        match read_source(f).and_then(|src| {
            casus::model::prepared::prepare(&src, &[]).map(|_| ()).map_err(|e| bad(e.render(&f.display().to_string(), &src)))
        }) {
            Ok(()) => println!("{}: ok", f.display()),
            Err(e) => failures.push_str(&e.message),
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(bad(failures)) }
}

fn cmd_replay(log_path: PathBuf, scenario: Option<PathBuf>, jobs: Option<usize>) -> Result<(), Fail> {
    let (file, dir) = logs_cli::locate(&log_path);
    let f = fs::File::open(&file).map_err(|e| cannot_read(&file, e))?;
    // The log is folded as it is read, never held whole (a million events would take
    // hundreds of megabytes). A log that fails its integrity check exits 1: that is the check.
    let verdict = replay_read(std::io::BufReader::with_capacity(1 << 20, f), threads(jobs), |header| {
        prepare(logs_cli::scenario_in(&dir, scenario).as_deref(), &header.overrides).map(|(p, _, _)| p)
    })
    .map_err(|e| match e {
        ReadReplayError::Read(e) => logs_cli::unreadable(&file, e, 1),
        ReadReplayError::Prepare(fail) => fail,
        ReadReplayError::Thread(e) => Fail { code: 1, message: format!("error: cannot start a reading thread ({e}); run with --jobs 1") },
    })?;
    match verdict {
        Verdict::Match { events, final_state_hash } => {
            println!("replay ok: {events} events folded; final state {final_state_hash} matches the log");
            Ok(())
        }
        Verdict::Diverged { seq, message } => {
            let at = seq.map(|s| format!(" at event {s}")).unwrap_or_default();
            Err(Fail { code: 1, message: format!("replay diverged{at}: {message}") })
        }
    }
}

fn cmd_gen(spec: casus::synth::GenSpec, out: Option<PathBuf>) -> Result<(), Fail> {
    spec.check().map_err(|e| bad(format!("error: {e}")))?;
    let text = casus::synth::to_ron(&casus::synth::generate(&spec));
    // Valid by construction; checked anyway so a generator bug cannot write a bad file.
    casus::model::prepared::prepare(&text, &[])
        .map_err(|e| Fail { code: 1, message: format!("internal error: {}", e.render("<generated>", &text)) })?;
    match out {
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
        Some(path) => {
            write_atomic(&path, text.as_bytes())
                .map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", path.display()) })?;
        }
    }
    Ok(())
}

fn cmd_params() -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    for s in CATALOGUE {
        let _ = writeln!(
            out,
            "{:<38} {:>10}  [{}, {}]{}\n    {}",
            s.name,
            s.default,
            s.min,
            s.max,
            if s.integer { " integer" } else { "" },
            s.doc
        );
    }
    let _ = writeln!(
        out,
        "\nAny scalar field of an actor or treaty can also be set by path: ID.FIELD (e.g. NER.cohesion, ECOWAS.ucg.ultimatum_days)."
    );
    Ok(())
}
