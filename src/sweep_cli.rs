//! `casus sweep` and `casus merge` on the command line: arguments resolved into a plan, the
//! library's sweep run ([`casus::sweep::exec`], [`casus::sweep::folder`],
//! [`casus::sweep::merge`]), its errors rendered with exit codes, and a progress bar.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use casus::sweep::exec::{self, Sweep};
use casus::sweep::folder::{self, Manifest};
use casus::sweep::{self, Plan, PointStats, Shard, SweepError};

use crate::Fail;

/// Set by Ctrl-C (SIGINT) during a sweep: workers stop taking new runs, finished runs are written.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Arguments of `casus sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// A scenario file, or a sweep plan file (RON with `params:` and `runs:`). Omit for the embedded default.
    input: Option<PathBuf>,
    /// A swept parameter: NAME=SPEC, SPEC being a,b,c or lo..hi:n (grid, oat), lo..hi, uniform(lo,hi), normal(mu,sigma[,lo,hi]) (random, lhs) or choice(a,b,...) (any design); see docs/sweeps.md. Repeatable.
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
    /// grid (default), oat, random:N, lhs:N, sobol:N (sobol:N:2 with second order) or morris:R (morris:R:LEVELS).
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
    /// Also write runs.jsonl: one flat JSON object per run, with typed values (several times
    /// the size of runs.csv).
    #[arg(long)]
    jsonl: bool,
    /// An extra outcome column: NAME=DEFINITION, e.g. ner_sanctions=first(SanctionsImposed, NER) or
    /// troops=end(troops, NGA+NER+MLI); see docs/sweeps.md for the vocabulary. Repeatable.
    #[arg(long = "outcome", value_name = "NAME=DEFINITION")]
    outcomes: Vec<String>,
    /// Also write the standard outcomes of these states, as columns CODE__NAME: codes separated
    /// by commas, `states` (every state) or `members:ORG`.
    #[arg(long, value_name = "STATES")]
    outcomes_for: Option<String>,
    /// Record these state quantities (comma-separated) every --every days into series.csv and
    /// series.parquet; see docs/sweeps.md.
    #[arg(long, value_name = "QUANTITY,...")]
    series: Option<String>,
    /// Days between the samples of --series (day 0, N, 2N, ... up to the horizon).
    #[arg(long, value_name = "N", requires = "series")]
    every: Option<u32>,
    /// The states whose quantities --series records (default: the focus): codes separated by
    /// commas, `states` or `members:ORG`.
    #[arg(long, value_name = "STATES", requires = "series")]
    series_for: Option<String>,
    /// No progress bar and no table.
    #[arg(long)]
    quiet: bool,
    /// Start over in an existing sweep folder (casus's files are replaced; others are kept).
    #[arg(long)]
    force: bool,
}

/// Arguments of `casus merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Shard folders.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Start over in an existing sweep folder (casus's files are replaced; others are kept).
    #[arg(long)]
    force: bool,
}

fn bad(m: impl Into<String>) -> Fail {
    Fail { code: 2, message: m.into() }
}

/// Renders a sweep error: exit 2 for bad input, 130 for an interrupted sweep, 1 otherwise.
fn fail(e: SweepError) -> Fail {
    match e {
        SweepError::Refused(r) => bad(r.0),
        SweepError::Interrupted { .. } => Fail { code: 130, message: format!("interrupted: {e}") },
        e if e.is_bad_input() => bad(format!("error: {e}")),
        e => Fail { code: 1, message: format!("error: {e}") },
    }
}

/// A plan file as read, to place an error about one of its parameters or outcomes at its
/// line and column.
struct PlanFile {
    path: PathBuf,
    text: String,
    /// The parameters it sweeps (those given with `--param` as well are the command line's).
    params: Vec<String>,
    /// The plan's own `outcomes` names, `outcomes_for` items and series fields.
    outcomes: Vec<String>,
    outcomes_for: Vec<String>,
    series: Vec<String>,
}

impl PlanFile {
    /// An error about a parameter (`--param NAME: ...`, as the library words it), an outcome
    /// (`--outcome NAME: ...`), an `outcomes_for` item or a series field, placed at that name
    /// in the file when the file gives it and the command line does not.
    fn place(&self, message: &str, cli: &[String]) -> Option<String> {
        let forms: [(&str, &str, &[String]); 5] = [
            ("--param ", "params", &self.params),
            ("--outcome ", "outcomes", &self.outcomes),
            ("--outcomes-for ", "outcomes_for", &self.outcomes_for),
            ("--series ", "series", &self.series),
            ("--series-for ", "series", &self.series),
        ];
        forms.iter().find_map(|(option, field, names)| {
            let rest = message.strip_prefix(option)?;
            let name = names.iter().find(|n| rest.starts_with(&format!("{n}: ")) && !cli.iter().any(|c| c == *n))?;
            let after = self.text.find(&format!("{field}:")).unwrap_or(0);
            let at = after + self.text[after..].find(&format!("\"{name}\""))?;
            let line = self.text[..at].matches('\n').count() + 1;
            let column = self.text[..at].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Some(format!("{}:{line}:{column}: error: {field}: {rest}", self.path.display()))
        })
    }
}

/// The plan given on the command line (a plan file, a scenario file or nothing, with `--param`,
/// `--set`, `--runs`, `--design`), with the scenario's path: a plan file's scenario is relative
/// to the plan file.
fn plan_of(a: &SweepArgs) -> Result<(Plan, Option<PathBuf>, Option<PlanFile>), Fail> {
    let (mut plan, scenario_path, plan_file) = match &a.input {
        Some(p) => {
            let text = crate::read_source(p)?;
            if Plan::looks_like_plan(&text) {
                let plan = Plan::from_ron(&text)
                    .map_err(|e| bad(format!("{}:{}:{}: error: {}", p.display(), e.span.start.line, e.span.start.col, e.code)))?;
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                let path = plan.scenario.as_ref().map(|s| dir.join(s));
                let params = plan.params.iter().map(|(n, _)| n.clone()).collect();
                let outcomes = plan.outcomes.iter().map(|(n, _)| n.clone()).collect();
                let outcomes_for = plan.outcomes_for.clone();
                let series = plan.series.iter().flat_map(|s| s.quantities.iter().chain(&s.actors).cloned()).collect();
                (plan, path, Some(PlanFile { path: p.clone(), text, params, outcomes, outcomes_for, series }))
            } else {
                (Plan::of_scenario(Some(p.display().to_string())), Some(p.clone()), None)
            }
        }
        None => (Plan::of_scenario(None), None, None),
    };
    for p in &a.params {
        let (n, s) = p.split_once('=').ok_or_else(|| bad(format!("error: --param {p}: expected NAME=SPEC")))?;
        plan.params.push((n.trim().to_string(), s.trim().to_string()));
    }
    plan.set.extend(crate::parse_sets(&a.set)?);
    measures_of(a, &mut plan)?;
    if let Some(r) = a.runs {
        plan.runs = r;
    }
    if plan.runs == 0 {
        return Err(bad("error: --runs must be at least 1"));
    }
    if let Some(d) = &a.design {
        plan.design = sweep::parse_design(d).map_err(|e| bad(format!("error: {e}")))?;
    }
    Ok((plan, scenario_path, plan_file))
}

/// Adds the command line's `--outcome`, `--outcomes-for` and `--series` to the plan.
fn measures_of(a: &SweepArgs, plan: &mut Plan) -> Result<(), Fail> {
    for o in &a.outcomes {
        let (n, d) = o.split_once('=').ok_or_else(|| bad(format!("error: --outcome {o}: expected NAME=DEFINITION")))?;
        plan.outcomes.push((n.trim().to_string(), d.trim().to_string()));
    }
    let list = |text: &str| -> Vec<String> { text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect() };
    if let Some(states) = &a.outcomes_for {
        plan.outcomes_for.extend(list(states));
    }
    if let Some(quantities) = &a.series {
        let every = a.every.ok_or_else(|| bad("error: --series needs --every N (days between samples)"))?;
        let actors = a.series_for.as_deref().map(list).unwrap_or_default();
        plan.series = Some(sweep::SeriesPlan { quantities: list(quantities), actors, every });
    }
    Ok(())
}

/// The plan resolved against its scenario, every design point checked before anything is
/// written, with the scenario's path.
fn resolve(a: &SweepArgs) -> Result<(Sweep, Option<PathBuf>), Fail> {
    let (mut plan, scenario_path, plan_file) = plan_of(a)?;
    let from_plan_file = plan_file.is_some();
    let (name, source) = match &scenario_path {
        Some(path) => (path.display().to_string(), crate::read_source(path)?),
        None => (crate::DEFAULT_NAME.to_string(), crate::DEFAULT_SCENARIO.to_string()),
    };
    let base = casus::model::scenario::load(&source).map_err(|e| bad(e.render(&name, &source)))?;
    plan.seed = a.seed.unwrap_or(if from_plan_file { plan.seed } else { base.seed });
    let scenario_hash = casus::model::state::sha256_hex(source.as_bytes());
    let sweep = Sweep::new(plan, base, scenario_hash).map_err(|e| match e {
        SweepError::Fixed(e) => bad(e.render(&name, &source)),
        SweepError::InvalidPoint { index, point, source: e } => {
            bad(format!("design point {index} ({}):\n{}", sweep::error::describe_point(&point), e.render(&name, &source)))
        }
        SweepError::Plan(e) => {
            let mut cli: Vec<String> =
                a.params.iter().chain(&a.outcomes).filter_map(|p| p.split_once('=')).map(|(n, _)| n.trim().to_string()).collect();
            cli.extend(
                a.outcomes_for.iter().chain(&a.series).chain(&a.series_for).flat_map(|l| l.split(',')).map(|s| s.trim().to_string()),
            );
            bad(plan_file.as_ref().and_then(|f| f.place(&e.0, &cli)).unwrap_or_else(|| format!("error: {e}")))
        }
        e => fail(e),
    })?;
    Ok((sweep, scenario_path))
}

/// `casus sweep`.
pub fn cmd_sweep(a: SweepArgs) -> Result<(), Fail> {
    let (sweep, scenario_path) = resolve(&a)?;
    let shard = match &a.shard {
        Some(s) => Shard::parse(s).map_err(|e| bad(format!("error: {e}")))?,
        None => Shard::whole(),
    };
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("sweeps").join(&sweep.base.name));
    let manifest = Manifest::new(&sweep, shard, a.events, a.jsonl).map_err(fail)?;
    let _lock = crate::lock(&out)?;
    crate::refuse_inputs_inside(&out, casus::outdir::Kind::Sweep, &[a.input.as_deref(), scenario_path.as_deref()])?;
    let start = folder::open(&out, &manifest, a.resume, a.force).map_err(fail)?;
    // Ctrl-C stops the sweep cleanly; a second handler install (tests, merge) is harmless.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let mut progress = Progress::new(a.quiet);
    exec::execute(&sweep, &manifest, &out, start, crate::threads(a.jobs), &INTERRUPTED, &mut progress).map_err(fail)?;
    let stats = folder::finish(&out, &manifest).map_err(fail)?;
    if !a.quiet {
        show(&stats, &manifest, &out);
    }
    Ok(())
}

/// `casus merge DIR... --out DIR`.
pub fn cmd_merge(a: MergeArgs) -> Result<(), Fail> {
    let shards: Vec<Option<&Path>> = a.dirs.iter().map(|d| Some(d.as_path())).collect();
    let _lock = crate::lock(&a.out)?;
    crate::refuse_inputs_inside(&a.out, casus::outdir::Kind::Sweep, &shards)?;
    let merged = sweep::merge::merge(&a.dirs, &a.out, a.force).map_err(fail)?;
    show(&merged.stats, &merged.manifest, &a.out);
    Ok(())
}

/// Prints the table of main outcomes per point and where the files are.
fn show(stats: &PointStats, manifest: &Manifest, out: &Path) {
    print!("{}", casus::model::text::printable_lines(&stats.table()));
    let mut files = vec!["runs.csv"];
    if manifest.jsonl {
        files.push("runs.jsonl");
    }
    files.push("points.csv");
    if manifest.series() {
        files.push("series.csv");
    }
    if cfg!(feature = "parquet") {
        files.extend(["runs.parquet", "points.parquet"]);
        if manifest.series() {
            files.push("series.parquet");
        }
    }
    files.push("manifest.json");
    println!("{} runs in {}: {}", manifest.shard_runs, out.display(), files.join(", "));
}

/// The sweep's progress bar: on stderr, only when it is a terminal and not `--quiet`, and
/// cleared when the sweep ends.
struct Progress {
    shown: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress { shown: !quiet && std::io::stderr().is_terminal(), bar: None }
    }
}

impl exec::Progress for Progress {
    fn start(&mut self, saved: u64, total: u64) {
        if !self.shown {
            return;
        }
        let style = indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} runs  {per_sec:0}  ETA {eta}")
            .expect("a valid template")
            .progress_chars("## ");
        let target = indicatif::ProgressDrawTarget::stderr_with_hz(5);
        let bar = indicatif::ProgressBar::with_draw_target(Some(total), target).with_style(style).with_position(saved);
        // The rate and ETA count only this session's runs, not those a resumed sweep found
        // saved: the bar records its starting position (tick), then forgets the rate so far.
        bar.tick();
        bar.reset_eta();
        self.bar = Some(bar);
    }

    fn saved(&mut self, saved: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(saved);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Arguments of `casus validate`.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Case files, or folders of them (every `.ron` file in the folder). Default: scenarios/history.
    paths: Vec<PathBuf>,
    /// Runs per case.
    #[arg(long, default_value_t = 200)]
    runs: u32,
    /// Root seed of every case's runs (default: each case's own seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). The scorecard does not depend on it.
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// An override for every case: NAME=VALUE (repeatable), to score another parameter set.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Print the scorecard as JSON.
    #[arg(long)]
    json: bool,
}

/// The case files named by `paths`: files as given, folders' `.ron` files in name order.
fn case_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, Fail> {
    let defaults = [PathBuf::from("scenarios/history")];
    let paths = if paths.is_empty() { &defaults[..] } else { paths };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| crate::cannot_read(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "ron") && f.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(crate::bad(format!("{}: error: no .ron case files in this folder", p.display())));
            }
            files.extend(found.into_iter().map(|f| (f, false)));
        } else {
            files.push((p.clone(), true));
        }
    }
    Ok(files)
}

/// `casus validate`: exit 0 when every case passes, 1 when one does not, 2 on bad input.
pub fn cmd_validate(a: ValidateArgs) -> Result<(), Fail> {
    use casus::sweep::validate::{Case, render, validate};
    if a.runs == 0 {
        return Err(crate::bad("error: --runs must be at least 1"));
    }
    let overrides = crate::parse_sets(&a.set)?;
    let mut cases = Vec::new();
    let mut errors = String::new();
    for (file, named) in case_files(&a.paths)? {
        let (prepared, name, _) = crate::prepare(Some(&file), &overrides)?;
        match Case::new(name.clone(), prepared) {
            Ok(case) => cases.push(case),
            // A folder may hold scenarios that are not cases: skipped, said on stderr.
            Err(e) if !named && e.len() == 1 && e[0].path == "expect" => eprintln!("{name}: skipped: no `expect` block"),
            Err(e) => {
                for err in e {
                    errors.push_str(&format!("{name}: error: {}: {}\n", err.path, err.message));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(crate::bad(errors));
    }
    if cases.is_empty() {
        return Err(crate::bad("error: no case with an `expect` block to validate"));
    }
    let card = validate(&cases, a.runs, a.seed, crate::threads(a.jobs), casus::engine::Limits::default())
        .map_err(|(what, e)| Fail { code: 1, message: format!("error: {what}: {e}") })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&card).expect("scorecard serialises"));
    } else {
        print!("{}", render(&card));
    }
    if card.all_pass() { Ok(()) } else { Err(Fail { code: 1, message: String::new() }) }
}
