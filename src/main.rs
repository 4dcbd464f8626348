//! The `casus` command line. The only layer that reads files, writes outputs or prints.
//! Exit codes: 0 success, 1 a check failed (replay diverged), 2 bad input.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc: a run allocates and frees many small strings and collections; this allocator
/// serves them faster than the system's (allocation never affects results).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use casus::analysis::describe::significant;
use casus::analysis::replay::{ReadReplayError, Verdict, replay_read};
use casus::engine::Limits;
use casus::engine::run::{self};
use casus::model::params::CATALOGUE;
use casus::model::prepared::Prepared;
use casus::outdir;

mod analyze_cli;
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

/// The subcommands, each with its arguments; the doc comment of each is its help line.
#[derive(Subcommand)]
enum Command {
    /// Run a scenario (default: the embedded 2023 Niger crisis) and write its log and summary.
    Run(RunArgs),
    /// Validate scenario files without running them.
    Check(CheckArgs),
    /// Rebuild state from a log by folding its events and compare with its final-state hash
    /// (folding only; --strict also re-runs the rules and requires the same log).
    Replay(ReplayArgs),
    /// Verify a log strictly: re-run its scenario and seed (a fork: its parent and changes) and
    /// require the very log casus writes (the same as `casus replay --strict`).
    Verify(ReplayArgs),
    /// Print a log as a dated timeline, filtered, as text, JSON lines or CSV.
    Log(logs_cli::LogArgs),
    /// Explain why an event happened: its chain of causes back to the root, with the rule at each step.
    Explain(logs_cli::ExplainArgs),
    /// Continue a logged run from a point in its history with a change (a counterfactual).
    Fork(logs_cli::ForkArgs),
    /// Show where two runs diverge and how their outcomes differ (exit 0 identical, 1 different).
    Diff(logs_cli::DiffArgs),
    /// Write a self-contained HTML report with charts for a run folder or a sweep folder.
    Report(logs_cli::ReportArgs),
    /// Write a valid synthetic scenario of any size (a grid of states with overlapping treaties,
    /// organisations, partners, armed groups and a timeline), for testing scale.
    Gen(GenArgs),
    /// List every model parameter with its default, range and meaning.
    Params(ParamsArgs),
    /// Run a parameter sweep: many seeded runs per design point, on all cores.
    Sweep(sweep_cli::SweepArgs),
    /// Merge shard folders of one sweep into one folder identical to an unsharded sweep.
    Merge(sweep_cli::MergeArgs),
    /// Score the model against a casebook: run every historical case many times and compare
    /// outcome classes, key days and measures with the record (exit 0 all pass, 1 otherwise).
    Validate(sweep_cli::ValidateArgs),
    /// Sensitivity indices of a finished Sobol or Morris sweep, per outcome (written to sensitivity.csv in the folder).
    Analyze(analyze_cli::AnalyzeArgs),
}

/// Arguments of `casus run`.
#[derive(Args)]
struct RunArgs {
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
    #[command(flatten)]
    timeline: logs_cli::TimelineArgs,
}

/// Arguments of `casus params`.
#[derive(Args)]
struct ParamsArgs {
    /// Print the catalogue as a JSON array (name, default, min, max, integer, kind, doc).
    #[arg(long)]
    json: bool,
    /// List the fields of actors and treaties a path such as NER.regime reaches, with their kinds and ranges, instead of the catalogue.
    #[arg(long)]
    fields: bool,
}

/// Arguments of `casus check`.
#[derive(Args)]
struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Arguments of `casus replay`.
#[derive(Args)]
struct ReplayArgs {
    /// A log (events.jsonl) or a run folder.
    log: PathBuf,
    /// The scenario the log was run with (default: scenario.ron beside the log, or the embedded default).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Threads: with 2 (the default on a machine with more than one core), one reads and
    /// checks the log while the other folds it. The verdict does not depend on it.
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Also re-run the rules (the scenario with the header's seed and overrides; a fork from its
    /// parent and the changes in its fork.json) and require the log casus writes, byte for byte.
    #[arg(long)]
    strict: bool,
    /// With --strict, for a fork: its parent's log or folder (repeat for a fork of a fork: the
    /// parent first, then its parent, ...). Each parent is verified strictly too.
    #[arg(long = "parent", value_name = "LOG_OR_DIR")]
    parents: Vec<PathBuf>,
}

/// Arguments of `casus gen`.
#[derive(Args)]
struct GenArgs {
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
}

/// An error already rendered for the terminal, with its exit code.
pub(crate) struct Fail {
    pub(crate) code: u8,
    pub(crate) message: String,
}

pub(crate) fn bad(message: impl Into<String>) -> Fail {
    Fail { code: 2, message: message.into() }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(a) => cmd_run(a),
        Command::Check(a) => cmd_check(a),
        Command::Replay(a) => cmd_replay(a),
        Command::Verify(a) => cmd_replay(ReplayArgs { strict: true, ..a }),
        Command::Log(a) => logs_cli::cmd_log(a),
        Command::Explain(a) => logs_cli::cmd_explain(a),
        Command::Fork(a) => logs_cli::cmd_fork(a),
        Command::Diff(a) => logs_cli::cmd_diff(a),
        Command::Report(a) => logs_cli::cmd_report(a),
        Command::Gen(a) => cmd_gen(a),
        Command::Params(a) => cmd_params(a),
        Command::Sweep(a) => sweep_cli::cmd_sweep(a),
        Command::Merge(a) => sweep_cli::cmd_merge(a),
        Command::Validate(a) => sweep_cli::cmd_validate(a),
        Command::Analyze(a) => analyze_cli::cmd_analyze(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let mut stderr = std::io::stderr();
            // Messages quote scenario and log text: no control character of theirs reaches the terminal.
            let _ = stderr.write_all(casus::model::text::printable_lines(&f.message).as_bytes());
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

/// Reads a scenario or plan file: a regular file (not a device, FIFO or folder: `/dev/zero`
/// would never end) of at most `MAX_FILE_BYTES`, read through a bounded reader so that a file
/// growing while it is read, or one whose reported size is wrong, cannot exhaust memory.
pub(crate) fn read_source(path: &Path) -> Result<String, Fail> {
    let mut bytes = casus::input::read(path, casus::model::scenario::MAX_FILE_BYTES).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => {
            bad(format!("{}: error: {}; give a scenario or plan file", path.display(), casus::input::NOT_REGULAR))
        }
        std::io::ErrorKind::InvalidData => bad(format!("{}: error: {e}", path.display())),
        _ => cannot_read(path, e),
    })?;
    // A UTF-8 byte order mark (some Windows editors write one) is not part of the text.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
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

fn cmd_run(a: RunArgs) -> Result<(), Fail> {
    let overrides = parse_sets(&a.set)?;
    let (prepared, _name, source) = prepare(a.scenario.as_deref(), &overrides)?;
    let seed = a.seed.unwrap_or(prepared.scenario.seed);
    let out = a.out.unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-seed{seed}", prepared.scenario.name)));
    let _lock = lock(&out)?;
    check_output_dir(&out, outdir::Kind::Run, a.force)?;
    refuse_inputs_inside(&out, outdir::Kind::Run, &[a.scenario.as_deref()])?;
    let limits = Limits { max_events: a.max_events, max_rounds_per_day: a.max_rounds };
    let output = run::run(&prepared, seed, limits).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    let summary = output.summary();
    write_run_dir(&out, &output, &source, &[]).map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", out.display()) })?;
    if a.quiet {
        return Ok(());
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if a.json {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&summary).expect("summary serialises"));
    } else {
        let _ = a.timeline.print(&mut stdout, &output.header, &output.events, significant)?;
        print_outcomes(&mut stdout, &summary, prepared.scenario.start_date());
        let _ = writeln!(stdout, "\nwrote {}/events.jsonl and summary.json", out.display());
    }
    let _ = stdout.flush();
    Ok(())
}

/// The run's outcomes, a day figure with its date.
fn print_outcomes(out: &mut impl Write, summary: &run::Summary, start: casus::model::date::Date) {
    let _ = writeln!(out, "\noutcomes for {}:", summary.focus);
    let v = serde_json::to_value(&summary.outcomes).expect("outcomes serialise");
    for (k, v) in v.as_object().expect("object") {
        let _ = writeln!(out, "  {k:<31} {}", casus::analysis::timeline::outcome_value(k, v, start));
    }
}

/// Refuses an output folder casus may not write (see [`casus::outdir::check`]): exit 2.
pub(crate) fn check_output_dir(out: &Path, kind: outdir::Kind, force: bool) -> Result<(), Fail> {
    outdir::check(out, kind, force).map(|_| ()).map_err(|r| bad(r.0))
}

/// Locks an output folder for the rest of the command (see [`casus::outdir::Lock`]): a
/// folder another casus command holds is refused (exit 2).
pub(crate) fn lock(out: &Path) -> Result<outdir::Lock, Fail> {
    outdir::refuse_dangerous(out).and_then(|_| outdir::Lock::acquire(out)).map_err(|r| bad(r.0))
}

/// Refuses an output folder that would replace one of the command's input files (exit 2).
pub(crate) fn refuse_inputs_inside(out: &Path, kind: outdir::Kind, inputs: &[Option<&Path>]) -> Result<(), Fail> {
    let inputs: Vec<&Path> = inputs.iter().flatten().copied().collect();
    outdir::refuse_inputs_inside(out, kind, &inputs).map_err(|r| bad(r.0))
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

/// Writes a file under a hidden temporary name beside it, then renames it into place (see
/// [`casus::outdir::write_file`]: no temporary outlives a failure).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    outdir::write_file(path, bytes)
}

fn cmd_check(a: CheckArgs) -> Result<(), Fail> {
    let mut failures = String::new();
    for f in &a.files {
        match read_source(f).and_then(|src| {
            casus::model::prepared::prepare(&src, &[]).map(|_| ()).map_err(|e| bad(e.render(&f.display().to_string(), &src)))
        }) {
            Ok(()) => println!("{}: ok", f.display()),
            Err(e) => failures.push_str(&e.message),
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(bad(failures)) }
}

fn cmd_replay(a: ReplayArgs) -> Result<(), Fail> {
    if !a.strict && !a.parents.is_empty() {
        return Err(bad("error: --parent is used with --strict (or casus verify): it names a fork's parent, to re-run the fork from"));
    }
    let checked = check_log(&a.log, a.scenario.as_deref(), threads(a.jobs), a.strict, &a.parents)?;
    println!("{}", checked.message);
    Ok(())
}

/// A log that passed `casus replay` (and, with `--strict`, was written again).
struct Checked {
    /// What to print.
    message: String,
}

/// `casus replay` on one log: fold it (checking it against itself, its scenario, its checkpoints,
/// its final state and the summary.json beside it), and with `strict` re-run it and compare
/// (docs/log-format.md, "Verification"). A parent given for a fork is checked the same way first.
fn check_log(log: &Path, scenario: Option<&Path>, jobs: usize, strict: bool, parents: &[PathBuf]) -> Result<Checked, Fail> {
    let (file, dir) = logs_cli::locate(log);
    let scenario_path = logs_cli::scenario_in(&dir, scenario.map(Path::to_path_buf));
    let f = casus::input::open(&file).map_err(|e| cannot_read(&file, e))?;
    // The log is folded as it is read, never held whole (a million events would take
    // hundreds of megabytes). A log that fails its integrity check exits 1: that is the check.
    let mut seen: Option<(casus::log::Header, Prepared)> = None;
    let verdict = replay_read(std::io::BufReader::with_capacity(1 << 20, f), jobs, |header| {
        let prepared = prepare(scenario_path.as_deref(), &header.overrides).map(|(p, _, _)| p)?;
        // Only --strict re-runs the scenario: plain replay keeps no second copy of it.
        if strict {
            seen = Some((header.clone(), prepared.clone()));
        }
        Ok(prepared)
    })
    .map_err(|e| match e {
        ReadReplayError::Read(e) => logs_cli::unreadable(&file, e, 1),
        ReadReplayError::Prepare(fail) => fail,
        ReadReplayError::Thread(e) => Fail { code: 1, message: format!("error: cannot start a reading thread ({e}); run with --jobs 1") },
    })?;
    let (events, final_state_hash, summary) = match verdict {
        Verdict::Match { events, final_state_hash, summary } => (events, final_state_hash, summary),
        Verdict::Diverged { seq, message } => {
            let at = seq.map(|s| format!(" at event {s}")).unwrap_or_default();
            return Err(Fail { code: 1, message: format!("{}: replay diverged{at}: {message}", file.display()) });
        }
    };
    // summary.json beside the log must say what the log implies (outcomes included).
    let beside = dir.join("summary.json");
    let checked = if file.file_name().is_some_and(|n| n == "events.jsonl") && beside.exists() {
        let text = casus::input::read_to_string(&beside, casus::input::MAX_FILE_BYTES).map_err(|e| cannot_read(&beside, e))?;
        let written: serde_json::Value = serde_json::from_str(&text).map_err(|e| Fail {
            code: 1,
            message: format!("{}: error: not a JSON summary ({e}); the run's summary.json was damaged", beside.display()),
        })?;
        let wrong = casus::analysis::replay::summary_mismatches(&summary, &written);
        if let Some((field, got, want)) = wrong.first() {
            let more = if wrong.len() > 1 { format!(" (and {} more field(s))", wrong.len() - 1) } else { String::new() };
            return Err(Fail {
                code: 1,
                message: format!(
                    "{}: error: {field} is {got} but the log gives {want}{more}: summary.json does not match the log it sits beside (edited?); the log replays, so run the scenario again to rewrite it",
                    beside.display()
                ),
            });
        }
        "; summary.json matches it"
    } else {
        ""
    };
    if !strict {
        return Ok(Checked {
            message: format!(
                "replay ok: {events} events folded; final state {final_state_hash} matches the log{checked} (folding only: the rules were not re-run; --strict re-runs them)"
            ),
        });
    }
    let (header, prepared) = seen.expect("a log that replays has a header");
    strict_check(&file, &dir, scenario_path.as_deref(), &header, &prepared, &summary, jobs, parents)?;
    let how = if dir.join("fork.json").is_file() && file.file_name().is_some_and(|n| n == "events.jsonl") {
        format!("the fork of {} (verified) with the changes in fork.json", parents[0].display())
    } else {
        let overrides = if header.overrides.is_empty() {
            "no overrides".to_string()
        } else {
            header.overrides.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(" ")
        };
        format!("scenario {} with seed {} and {overrides}", header.scenario, header.seed)
    };
    Ok(Checked {
        message: format!(
            "verified: casus writes this log again, byte for byte, from {}: {events} events; final state {final_state_hash}{checked}",
            casus::model::text::printable(&how)
        ),
    })
}

/// `--strict`: re-runs the log at `file` (already replayed: `header`, its scenario `prepared`)
/// and compares the log casus writes with it. A fork (fork.json beside its events.jsonl) is made
/// again from its parent, the first of `parents`, itself checked strictly first.
#[allow(clippy::too_many_arguments)]
fn strict_check(
    file: &Path,
    dir: &Path,
    scenario_path: Option<&Path>,
    header: &casus::log::Header,
    prepared: &Prepared,
    summary: &run::Summary,
    jobs: usize,
    parents: &[PathBuf],
) -> Result<(), Fail> {
    use casus::analysis::verify::{self, StrictError};
    let failed = |what: String| Fail { code: 1, message: format!("{}: verify failed: {what}", file.display()) };
    let strict_error = |e: StrictError| match e {
        StrictError::OldSchema { .. } => bad(format!("{}: error: {e}", file.display())),
        StrictError::Differs(m) => failed(format!(
            "{m}\nthe log is not the one casus writes from {}: it was edited (or written by a casus whose rules differ: its header names casus {})",
            if dir.join("fork.json").is_file() {
                "its parent and the changes in fork.json".to_string()
            } else {
                format!("its scenario with seed {}", header.seed)
            },
            header.casus_version
        )),
        other => failed(other.to_string()),
    };
    verify::rerunnable(header, summary.log_schema_version).map_err(strict_error)?;
    let fork_json = dir.join("fork.json");
    let is_fork = fork_json.is_file() && file.file_name().is_some_and(|n| n == "events.jsonl");
    let output = if is_fork {
        let text = casus::input::read_to_string(&fork_json, casus::input::MAX_FILE_BYTES).map_err(|e| cannot_read(&fork_json, e))?;
        let given: serde_json::Value = serde_json::from_str(&text).map_err(|e| Fail {
            code: 1,
            message: format!("{}: error: not a JSON fork record ({e}); fork.json was damaged", fork_json.display()),
        })?;
        let lineage: casus::analysis::fork::Lineage = serde_json::from_value(given.clone()).map_err(|e| Fail {
            code: 1,
            message: format!("{}: error: not a fork record ({e}); fork.json was damaged", fork_json.display()),
        })?;
        let Some((parent_path, grandparents)) = parents.split_first() else {
            return Err(bad(format!(
                "{}: error: this log is a fork (fork.json beside it): --strict makes it again from its parent; give the parent's log or folder with --parent",
                file.display()
            )));
        };
        // The parent is verified first, with its own scenario (beside it, else this log's).
        let (parent_file, parent_dir) = logs_cli::locate(parent_path);
        let parent_scenario = logs_cli::scenario_in(&parent_dir, None).or_else(|| scenario_path.map(Path::to_path_buf));
        check_log(parent_path, parent_scenario.as_deref(), jobs, true, grandparents)?;
        let parent = logs_cli::open(&parent_file)?;
        if parent.log.chain_head != lineage.parent_chain_head {
            return Err(bad(format!(
                "{}: error: {} is not this fork's parent: its fingerprint (chain head) is {}, fork.json names {}",
                file.display(),
                parent_file.display(),
                parent.log.chain_head,
                lineage.parent_chain_head
            )));
        }
        let (source, _) = source_of(parent_scenario.as_deref())?;
        let (output, remade) = verify::rerun_fork(&source, &parent.log, &lineage, header, summary.events).map_err(strict_error)?;
        if let Some((field, got, want)) = verify::lineage_mismatches(&remade, &given).first() {
            return Err(failed(format!(
                "{}: {field} is {got} but the fork made again from its parent gives {want}: fork.json does not record this fork (edited?)",
                fork_json.display()
            )));
        }
        output
    } else {
        verify::rerun(prepared, header, summary.events).map_err(strict_error)?
    };
    let f = casus::input::open(file).map_err(|e| cannot_read(file, e))?;
    verify::compare(std::io::BufReader::with_capacity(1 << 20, f), |mut w| output.write_log(&mut w))
        .map_err(|m| strict_error(StrictError::Differs(m)))
}

/// A scenario file's source (or the embedded default's) and its name.
fn source_of(path: Option<&Path>) -> Result<(String, String), Fail> {
    Ok(match path {
        Some(p) => (read_source(p)?, p.display().to_string()),
        None => (DEFAULT_SCENARIO.to_string(), DEFAULT_NAME.to_string()),
    })
}

fn cmd_gen(a: GenArgs) -> Result<(), Fail> {
    let spec = casus::synth::GenSpec { states: a.states, treaties: a.treaties, orgs: a.orgs, seed: a.seed, horizon_days: a.horizon };
    spec.check().map_err(|e| bad(format!("error: {e}")))?;
    let text = casus::synth::to_ron(&casus::synth::generate(&spec));
    let limit = casus::model::scenario::MAX_FILE_BYTES;
    if text.len() > limit {
        return Err(bad(format!(
            "error: the scenario would be {} bytes, over the {limit} bytes a scenario file may have; give fewer --states or --treaties",
            text.len()
        )));
    }
    // Valid by construction; checked anyway so a generator bug cannot write a bad file.
    casus::model::prepared::prepare(&text, &[])
        .map_err(|e| Fail { code: 1, message: format!("internal error: {}", e.render("<generated>", &text)) })?;
    match a.out {
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
        Some(path) => {
            outdir::refuse_file_over_input(&path, &[], |_| false).map_err(|r| bad(r.0))?;
            write_atomic(&path, text.as_bytes())
                .map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", path.display()) })?;
        }
    }
    Ok(())
}

fn cmd_params(a: ParamsArgs) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    if a.fields {
        return cmd_params_fields(a.json);
    }
    if a.json {
        let doc: Vec<serde_json::Value> = CATALOGUE
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name, "default": s.default, "min": s.min, "max": s.max, "integer": s.integer,
                    "kind": if s.integer { "integer" } else { "continuous" }, "doc": s.doc,
                })
            })
            .collect();
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("serialises"));
        return Ok(());
    }
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
        "\nAny scalar field of an actor or treaty can also be set by path: ID.FIELD (e.g. NER.cohesion, ECOWAS.ucg.ultimatum_days); `casus params --fields` lists them."
    );
    Ok(())
}

/// `casus params --fields`: the field table, by owner; `*` stands for another actor's id.
fn cmd_params_fields(json: bool) -> Result<(), Fail> {
    use casus::model::fields::{FIELDS, Kind};
    let mut out = std::io::stdout().lock();
    if json {
        let doc: Vec<serde_json::Value> = FIELDS
            .iter()
            .map(|f| {
                let d = f.domain;
                let mut row = serde_json::json!({ "owner": f.owner, "path": f.path, "kind": d.kind.name() });
                match d.kind {
                    Kind::Continuous | Kind::Integer => {
                        row["min"] = serde_json::json!(d.min);
                        row["max"] = serde_json::json!(d.max);
                    }
                    Kind::Categorical(values) => row["values"] = serde_json::json!(values),
                    Kind::Text => {}
                }
                row
            })
            .collect();
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("serialises"));
        return Ok(());
    }
    for f in FIELDS {
        let _ = writeln!(out, "{:<13} {:<36} {}", f.owner, f.path, f.domain.describe());
    }
    let _ = writeln!(
        out,
        "\nA field is named by its actor's or treaty's id and its path: NER.regime, ECOWAS.ucg.ultimatum_days, NGA.trade_exposure.NER."
    );
    Ok(())
}
