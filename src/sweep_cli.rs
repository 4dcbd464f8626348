//! `casus sweep` and `casus merge` on the command line: arguments resolved into a plan, the
//! library's sweep run ([`casus::sweep::exec`], [`casus::sweep::folder`],
//! [`casus::sweep::merge`]), its errors rendered with exit codes, and a progress line.

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

/// Renders a sweep error: exit 2 for bad input, 130 for an interrupted sweep, 1 otherwise.
fn fail(e: SweepError) -> Fail {
    match e {
        SweepError::Refused(r) => bad(r.0),
        SweepError::Interrupted { .. } => Fail { code: 130, message: format!("interrupted: {e}") },
        e if e.is_bad_input() => bad(format!("error: {e}")),
        e => Fail { code: 1, message: format!("error: {e}") },
    }
}

/// The plan given on the command line (a plan file, a scenario file or nothing, with `--param`,
/// `--set`, `--runs`, `--design`), with the scenario's path: a plan file's scenario is relative
/// to the plan file.
fn plan_of(a: &SweepArgs) -> Result<(Plan, Option<PathBuf>, bool), Fail> {
    let (mut plan, scenario_path) = match &a.input {
        Some(p) => {
            let text = crate::read_source(p)?;
            if Plan::looks_like_plan(&text) {
                let plan = Plan::from_ron(&text)
                    .map_err(|e| bad(format!("{}:{}:{}: error: {}", p.display(), e.span.start.line, e.span.start.col, e.code)))?;
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                let path = plan.scenario.as_ref().map(|s| dir.join(s));
                (plan, path)
            } else {
                (Plan::of_scenario(Some(p.display().to_string())), Some(p.clone()))
            }
        }
        None => (Plan::of_scenario(None), None),
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
    Ok((plan, scenario_path, from_plan_file))
}

/// The plan resolved against its scenario, every design point checked before anything is written.
fn resolve(a: &SweepArgs) -> Result<Sweep, Fail> {
    let (mut plan, scenario_path, from_plan_file) = plan_of(a)?;
    let (name, source) = match &scenario_path {
        Some(path) => (path.display().to_string(), crate::read_source(path)?),
        None => (crate::DEFAULT_NAME.to_string(), crate::DEFAULT_SCENARIO.to_string()),
    };
    let base = casus::model::scenario::load(&source).map_err(|e| bad(e.render(&name, &source)))?;
    plan.seed = a.seed.unwrap_or(if from_plan_file { plan.seed } else { base.seed });
    let scenario_hash = casus::model::state::sha256_hex(source.as_bytes());
    Sweep::new(plan, base, scenario_hash).map_err(|e| match e {
        SweepError::Fixed(e) => bad(e.render(&name, &source)),
        SweepError::InvalidPoint { index, point, source: e } => {
            bad(format!("design point {index} ({}):\n{}", sweep::error::describe_point(&point), e.render(&name, &source)))
        }
        e => fail(e),
    })
}

/// `casus sweep`.
pub fn cmd_sweep(a: SweepArgs) -> Result<(), Fail> {
    let sweep = resolve(&a)?;
    let shard = match &a.shard {
        Some(s) => Shard::parse(s).map_err(|e| bad(format!("error: {e}")))?,
        None => Shard::whole(),
    };
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("sweeps").join(&sweep.base.name));
    let manifest = Manifest::new(&sweep, shard, a.events).map_err(fail)?;
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
pub fn cmd_merge(dirs: Vec<PathBuf>, out: PathBuf, force: bool) -> Result<(), Fail> {
    let merged = sweep::merge::merge(&dirs, &out, force).map_err(fail)?;
    show(&merged.stats, &merged.manifest, &out);
    Ok(())
}

/// Prints the table of main outcomes per point and where the files are.
fn show(stats: &PointStats, manifest: &Manifest, out: &Path) {
    print!("{}", stats.table());
    println!("{} runs in {}: runs.csv, runs.jsonl, points.csv, manifest.json", manifest.shard_runs, out.display());
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
