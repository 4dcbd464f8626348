//! Parameter sweeps: plans, designs, run addressing and seeds, result rows and per-point
//! statistics (this file, pure functions); running a sweep on worker threads with an ordered
//! writer ([`exec`]), its folder, manifest and resume ([`folder`]) and merging shards
//! ([`merge`]). Nothing here prints: a running sweep reports through [`exec::Progress`].
//!
//! A plan expands to design points (each a list of `--set` overrides); every point is run
//! `runs` times. Run `i` is point `i / runs`, replication `i % runs`, with seed
//! `replication_seed(root, replication)`: runs with the same replication at different points
//! share their random streams (common random numbers), so differences between points come
//! from the parameters, not from noise.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fold::outcomes::Outcomes;
use crate::model::draw::{Draws, Purpose, mix64};
use crate::model::fields::{Domain, Kind};
use crate::sweep::columns::{Cell, OutcomeColumn, ParamColumn};

pub mod analyze;
pub mod columns;
pub mod dist;
pub mod error;
pub mod exec;
pub mod folder;
pub mod measure;
pub mod merge;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod prefix;
pub mod prim;
pub mod sensitivity;
pub mod sobol;
pub mod validate;

pub use error::SweepError;

/// How a swept parameter's values are given (the SPEC of `--param NAME=SPEC` and of a plan's
/// `params`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Spec {
    /// Explicit values `a,b,c` (numbers or words such as regime names), for grid and oat.
    List(Vec<String>),
    /// `lo..hi:n`: n evenly spaced values (grid, oat); the range lo..hi in sampled designs.
    Steps {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
        /// Number of values (at least 2, or 1 for `lo` alone).
        n: u32,
    },
    /// `lo..hi` or `uniform(lo,hi)`: uniform over the range, for sampled designs.
    Range {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
    },
    /// `normal(mu,sigma)` or `normal(mu,sigma,lo,hi)`: a normal distribution truncated to the
    /// parameter's valid range (and to [lo, hi] when given), for sampled designs.
    Normal {
        /// Mean.
        mu: f64,
        /// Standard deviation (> 0).
        sigma: f64,
        /// Explicit bounds within the valid range.
        bounds: Option<(f64, f64)>,
    },
    /// `choice(a,b,c)`: one of these values with equal probability in sampled designs (in an
    /// LHS, equal shares); the list of values in grid and oat.
    Choice(Vec<String>),
}

/// Experimental design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Design {
    /// Full factorial grid of the listed values.
    Grid,
    /// One at a time: the baseline, then each parameter's values with the others at baseline.
    Oat,
    /// N points, each parameter uniform in its range.
    Random(u32),
    /// Latin hypercube of N points.
    Lhs(u32),
    /// Saltelli's scheme over a Sobol sequence: N base rows, N (k + 2) points for k parameters,
    /// or N (2k + 2) with second-order indices (the order, 1 or 2; 1 when omitted). See
    /// [`sensitivity`].
    Sobol(u32, #[serde(default = "first_order")] u8),
    /// Morris: R trajectories of k + 1 points on a grid of levels (an even number, 4 when
    /// omitted). See [`sensitivity`].
    Morris(u32, #[serde(default = "four_levels")] u32),
}

fn first_order() -> u8 {
    1
}

fn four_levels() -> u32 {
    4
}

/// A sweep plan (also the format of `scenarios/sweeps/*.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Scenario file (relative to the plan file), or None for the embedded default.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Swept parameters, in order, as `(name, spec)`; specs as written on the command line.
    pub params: Vec<(String, String)>,
    /// Fixed overrides applied to every run.
    #[serde(default)]
    pub set: Vec<(String, String)>,
    /// Design.
    #[serde(default = "grid")]
    pub design: Design,
    /// Replications per point.
    pub runs: u32,
    /// Root seed.
    #[serde(default)]
    pub seed: u64,
    /// Outcomes beyond the standard ones, as `(name, definition)` (`--outcome NAME=DEFINITION`;
    /// [`measure`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<(String, String)>,
    /// States whose standard outcomes are also written, prefixed with their code
    /// (`--outcomes-for`; [`measure`]): codes, `states` or `members:ORG`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes_for: Vec<String>,
    /// Quantities recorded every few days into series.csv (`--series`; [`measure`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesPlan>,
}

/// A plan's time series: which quantities of which states, every how many days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesPlan {
    /// Quantities ([`measure::QUANTITIES`]).
    pub quantities: Vec<String>,
    /// States: codes, `states` or `members:ORG` (default: the focus).
    #[serde(default)]
    pub actors: Vec<String>,
    /// Days between samples (day 0, N, 2N, ... up to the horizon).
    pub every: u32,
}

fn grid() -> Design {
    Design::Grid
}

impl Plan {
    /// Whether a file's text is a plan (RON with top-level `params:` and `runs:`) rather than a
    /// scenario.
    pub fn looks_like_plan(text: &str) -> bool {
        text.contains("params:") && text.contains("runs:") && !text.contains("actors:")
    }

    /// Parses a plan file's text.
    pub fn from_ron(text: &str) -> Result<Plan, ron::error::SpannedError> {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME).from_str(text)
    }

    /// A plan of one run of a scenario, with nothing swept (until parameters are added).
    pub fn of_scenario(scenario: Option<String>) -> Plan {
        Plan {
            scenario,
            params: vec![],
            set: vec![],
            design: Design::Grid,
            runs: 1,
            seed: 0,
            outcomes: vec![],
            outcomes_for: vec![],
            series: None,
        }
    }
}

/// A plan problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// What a SPEC may be, for error messages.
const SPEC_FORMS: &str =
    "expected a list a,b,c, steps lo..hi:n, a range lo..hi, uniform(lo,hi), normal(mu,sigma), normal(mu,sigma,lo,hi) or choice(a,b,...)";

/// Parses a SPEC: `a,b,c`, `lo..hi:n`, `lo..hi`, `uniform(lo,hi)`, `normal(mu,sigma)`,
/// `normal(mu,sigma,lo,hi)` or `choice(a,b,...)`.
pub fn parse_spec(text: &str) -> Result<Spec, PlanError> {
    let text = text.trim();
    let bad = |why: &str| PlanError(format!("bad SPEC {text:?}: {why}; {SPEC_FORMS}"));
    if let Some((function, args)) = text.split_once('(')
        && !function.is_empty()
        && function.chars().all(|c| c.is_ascii_lowercase())
    {
        let Some(args) = args.strip_suffix(')') else { return Err(bad("a missing ')'")) };
        let args: Vec<&str> = args.split(',').map(str::trim).collect();
        let numbers = || -> Result<Vec<f64>, PlanError> {
            args.iter()
                .map(|a| a.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| bad(&format!("{a:?} is not a finite number"))))
                .collect()
        };
        return match function {
            "uniform" => match numbers()?[..] {
                [lo, hi] if lo <= hi => Ok(Spec::Range { lo, hi }),
                [_, _] => Err(bad("uniform(lo,hi) needs lo <= hi")),
                _ => Err(bad("uniform takes two numbers: uniform(lo,hi)")),
            },
            "normal" => {
                let (mu, sigma, bounds) = match numbers()?[..] {
                    [mu, sigma] => (mu, sigma, None),
                    [mu, sigma, lo, hi] => (mu, sigma, Some((lo, hi))),
                    _ => {
                        return Err(bad(
                            "normal takes a mean, a standard deviation and optionally bounds: normal(mu,sigma) or normal(mu,sigma,lo,hi)",
                        ));
                    }
                };
                if sigma <= 0.0 {
                    return Err(bad("the standard deviation of normal(mu,sigma) must be more than 0"));
                }
                if let Some((lo, hi)) = bounds
                    && lo > hi
                {
                    return Err(bad("normal(mu,sigma,lo,hi) needs lo <= hi"));
                }
                Ok(Spec::Normal { mu, sigma, bounds })
            }
            "choice" => {
                if args.iter().any(|a| a.is_empty()) {
                    return Err(bad("choice(a,b,...) needs at least one value and no empty one"));
                }
                Ok(Spec::Choice(args.into_iter().map(String::from).collect()))
            }
            other => {
                let hint = crate::model::params::did_you_mean(other, ["uniform", "normal", "choice"].into_iter());
                Err(bad(&format!("unknown distribution {other:?}{hint}")))
            }
        };
    }
    if let Some((lo, rest)) = text.split_once("..") {
        let lo: f64 = lo.trim().parse().map_err(|_| bad("the low end is not a number"))?;
        let (hi, n) = match rest.split_once(':') {
            Some((hi, n)) => (hi, Some(n)),
            None => (rest, None),
        };
        let hi: f64 = hi.trim().parse().map_err(|_| bad("the high end is not a number"))?;
        if !lo.is_finite() || !hi.is_finite() || hi < lo {
            return Err(bad("the range must be finite with lo <= hi"));
        }
        return match n {
            None => Ok(Spec::Range { lo, hi }),
            Some(n) => {
                let n: u32 = n.trim().parse().map_err(|_| bad("the step count is not a whole number"))?;
                if n == 0 || n > 100_000 || (n == 1 && lo != hi) {
                    return Err(bad("the step count must be 2 to 100000 (or 1 when lo = hi)"));
                }
                Ok(Spec::Steps { lo, hi, n })
            }
        };
    }
    let values: Vec<String> = text.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(|v| v.is_empty()) {
        return Err(bad("an empty value"));
    }
    Ok(Spec::List(values))
}

/// Formats a number for `--set`: shortest form, whole numbers without a decimal point.
pub fn fmt_number(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    format!("{x}")
}

/// A swept parameter: its name, its SPEC and what it takes.
#[derive(Debug, Clone)]
struct Swept {
    name: String,
    spec: Spec,
    domain: Domain,
}

/// How a sampled design draws one parameter's value from a number `u` in [0, 1).
#[derive(Debug, Clone, PartialEq)]
enum Sampler {
    /// Uniform over [lo, hi]; for an integer, whole values in [lo, hi] with equal probability.
    Uniform { lo: f64, hi: f64, integer: bool },
    /// A normal truncated to [lo, hi]; for an integer, to [lo - 1/2, hi + 1/2], then rounded.
    Normal { mu: f64, sigma: f64, lo: f64, hi: f64, integer: bool },
    /// One of these values, each with probability 1/len.
    Choice(Vec<String>),
}

impl Sampler {
    /// Whether the values are a finite set (an LHS then spaces its strata's points evenly, so
    /// that each value gets its share of the points exactly).
    fn discrete(&self) -> bool {
        matches!(self, Sampler::Choice(_) | Sampler::Uniform { integer: true, .. } | Sampler::Normal { integer: true, .. })
    }

    /// The value at `u` in [0, 1): the inverse of the distribution function.
    fn at(&self, u: f64) -> String {
        match self {
            Sampler::Uniform { lo, hi, integer: false } => fmt_number(lo + (hi - lo) * u),
            Sampler::Uniform { lo, hi, integer: true } => fmt_number(dist::whole(lo - 0.5 + (hi - lo + 1.0) * u, *lo, *hi)),
            Sampler::Normal { mu, sigma, lo, hi, integer: false } => fmt_number(dist::truncated_normal_quantile(u, *mu, *sigma, *lo, *hi)),
            Sampler::Normal { mu, sigma, lo, hi, integer: true } => {
                fmt_number(dist::whole(dist::truncated_normal_quantile(u, *mu, *sigma, lo - 0.5, hi + 0.5), *lo, *hi))
            }
            Sampler::Choice(values) => values[((u * values.len() as f64) as usize).min(values.len() - 1)].clone(),
        }
    }
}

impl Swept {
    fn err(&self, message: String) -> PlanError {
        PlanError(format!("--param {}: {message}", self.name))
    }

    /// What to give instead, for a parameter whose kind the SPEC does not fit.
    fn words_hint(&self) -> PlanError {
        match self.domain.kind {
            Kind::Categorical(values) => self.err(format!(
                "categorical ({}): give a list such as {} (grid, oat) or choice({}) (any design)",
                values.join(", "),
                values.join(","),
                values.join(",")
            )),
            _ => self.err("text: give a list a,b (grid, oat) or choice(a,b) (any design)".into()),
        }
    }

    /// One explicit value (of a list or a choice) checked against the kind and written the way
    /// the kind is written: numbers in their shortest form, whole for an integer; a categorical
    /// value one of its words.
    fn value(&self, raw: &str) -> Result<String, PlanError> {
        match self.domain.kind {
            Kind::Continuous | Kind::Integer => {
                let x: f64 =
                    raw.parse().ok().filter(|x: &f64| x.is_finite()).ok_or_else(|| self.err(format!("{raw:?} is not a number")))?;
                if self.domain.kind == Kind::Integer && x.fract() != 0.0 {
                    return Err(self.err(format!("whole numbers only; {raw} is not one")));
                }
                Ok(fmt_number(x))
            }
            Kind::Categorical(values) => match values.iter().find(|v| **v == raw) {
                Some(v) => Ok(v.to_string()),
                None => Err(self.err(format!("{raw:?} is not one of {}", values.join(", ")))),
            },
            Kind::Text => Ok(raw.to_string()),
        }
    }

    /// Checks that a SPEC's range [lo, hi] suits the parameter: numbers, within the valid
    /// range, whole bounds for an integer.
    fn check_range(&self, lo: f64, hi: f64) -> Result<(), PlanError> {
        if !self.domain.kind.is_numeric() {
            return Err(self.words_hint());
        }
        if lo < self.domain.min || hi > self.domain.max {
            return Err(self.err(format!(
                "the range {}..{} goes beyond the valid range [{}, {}]",
                fmt_number(lo),
                fmt_number(hi),
                self.domain.min,
                self.domain.max
            )));
        }
        if self.domain.kind == Kind::Integer && (lo.fract() != 0.0 || hi.fract() != 0.0) {
            return Err(self.err(format!(
                "whole numbers only; give whole bounds (such as {}..{})",
                fmt_number(lo.ceil()),
                fmt_number(hi.floor().max(lo.ceil()))
            )));
        }
        Ok(())
    }

    /// The values a grid or one-at-a-time design uses. Steps over an integer are rounded to the
    /// nearest whole value ([`dist::whole`]); asking for more steps than the range holds whole
    /// values is an error (so the values are always distinct).
    fn values(&self) -> Result<Vec<String>, PlanError> {
        match &self.spec {
            Spec::List(v) | Spec::Choice(v) => v.iter().map(|x| self.value(x)).collect(),
            Spec::Steps { lo, hi, n } => {
                let (lo, hi, n) = (*lo, *hi, *n);
                self.check_range(lo, hi)?;
                let step = |i: u32| if n == 1 { lo } else { ((lo + (hi - lo) * f64::from(i) / f64::from(n - 1)) * 1e12).round() / 1e12 };
                if self.domain.kind == Kind::Integer {
                    let count = hi - lo + 1.0;
                    if f64::from(n) > count {
                        return Err(self.err(format!(
                            "whole numbers only, and {}..{} holds {count} of them, fewer than the {n} steps asked; give at most {count} steps or list the values",
                            fmt_number(lo),
                            fmt_number(hi),
                        )));
                    }
                    return Ok((0..n).map(|i| fmt_number(dist::whole(step(i), lo, hi))).collect());
                }
                Ok((0..n).map(|i| fmt_number(step(i))).collect())
            }
            Spec::Range { .. } | Spec::Normal { .. } => Err(self.err(
                "a range lo..hi or a distribution needs a sampled design (--design random:N or lhs:N); give lo..hi:n or a list a,b,c for a grid or oat design".into(),
            )),
        }
    }

    /// How a random or LHS design draws this parameter.
    fn sampler(&self) -> Result<Sampler, PlanError> {
        let integer = self.domain.kind == Kind::Integer;
        match &self.spec {
            Spec::List(v) => Err(self.err(format!(
                "a list is for grid and oat designs; a sampled design draws from a range lo..hi, a distribution, or choice({})",
                v.join(",")
            ))),
            Spec::Choice(v) => Ok(Sampler::Choice(v.iter().map(|x| self.value(x)).collect::<Result<_, _>>()?)),
            Spec::Range { lo, hi } | Spec::Steps { lo, hi, .. } => {
                self.check_range(*lo, *hi)?;
                Ok(Sampler::Uniform { lo: *lo, hi: *hi, integer })
            }
            Spec::Normal { mu, sigma, bounds } => {
                let (lo, hi) = bounds.unwrap_or((self.domain.min, self.domain.max));
                self.check_range(lo, hi)?;
                let (wlo, whi) = if integer { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
                let mass = dist::normal_mass(*mu, *sigma, wlo, whi);
                if mass.is_nan() || mass < 1e-12 {
                    return Err(self.err(format!(
                        "normal({},{}) puts almost no probability (under 1e-12) in [{lo}, {hi}]; move the mean or widen the standard deviation",
                        fmt_number(*mu),
                        fmt_number(*sigma),
                    )));
                }
                Ok(Sampler::Normal { mu: *mu, sigma: *sigma, lo, hi, integer })
            }
        }
    }
}

/// Parses `grid`, `oat`, `random:N`, `lhs:N`, `sobol:N`, `sobol:N:2` (and `sobol:N:1`),
/// `morris:R` and `morris:R:LEVELS`.
pub fn parse_design(text: &str) -> Result<Design, PlanError> {
    let bad =
        || PlanError(format!("bad design {text:?}: expected grid, oat, random:N, lhs:N, sobol:N, sobol:N:2, morris:R or morris:R:LEVELS"));
    match text.trim() {
        "grid" => Ok(Design::Grid),
        "oat" => Ok(Design::Oat),
        other => {
            let (kind, n) = other.split_once(':').ok_or_else(bad)?;
            let (n, extra) = match n.split_once(':') {
                Some((n, extra)) if matches!(kind, "sobol" | "morris") => (n, Some(extra.parse::<u32>().map_err(|_| bad())?)),
                _ => (n, None),
            };
            let n: u32 = n.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(bad());
            }
            let design = match kind {
                "random" => Design::Random(n),
                "lhs" => Design::Lhs(n),
                "sobol" => Design::Sobol(n, u8::try_from(extra.unwrap_or(1)).map_err(|_| bad())?),
                "morris" => Design::Morris(n, extra.unwrap_or(4)),
                _ => return Err(bad()),
            };
            sensitivity::check_design(design)?;
            Ok(design)
        }
    }
}

/// One design point: the value of each swept parameter, in plan order.
pub type Point = Vec<(String, String)>;

/// Most design points a plan may expand to.
pub const MAX_POINTS: usize = 1_000_000;

/// Expands a plan into its design points. `baseline` gives each parameter's value when not
/// varied (for one-at-a-time designs); `domain` says what each parameter takes (its kind and
/// valid range), and is an error for a name that is not a parameter.
pub fn expand(
    plan: &Plan,
    baseline: impl Fn(&str) -> String,
    domain: impl Fn(&str) -> Result<Domain, PlanError>,
) -> Result<Vec<Point>, PlanError> {
    if plan.seed > MAX_SEED {
        return Err(PlanError(format!(
            "the seed {} is above {MAX_SEED} (2^63 - 1): seeds must fit a signed 64-bit integer, as in pandas, polars and Parquet; give a smaller --seed",
            plan.seed
        )));
    }
    if plan.params.is_empty() {
        return Ok(vec![vec![]]);
    }
    let specs: Vec<(String, Spec)> = plan
        .params
        .iter()
        .map(|(n, s)| Ok((n.clone(), parse_spec(s).map_err(|e| PlanError(format!("--param {n}: {e}")))?)))
        .collect::<Result<_, PlanError>>()?;
    let mut names = std::collections::BTreeSet::new();
    for (n, _) in &specs {
        if !names.insert(n) {
            return Err(PlanError(format!("parameter {n:?} is swept twice")));
        }
    }
    for (n, _) in &plan.set {
        if names.contains(n) {
            return Err(PlanError(format!("parameter {n:?} is both swept (--param) and fixed (--set); give it once")));
        }
    }
    if let Design::Random(0) | Design::Lhs(0) = plan.design {
        return Err(PlanError(format!("the design {:?} has no points; give at least 1", plan.design)));
    }
    let swept: Vec<Swept> =
        specs.into_iter().map(|(name, spec)| Ok(Swept { domain: domain(&name)?, name, spec })).collect::<Result<_, PlanError>>()?;
    match plan.design {
        Design::Grid => grid_points(&swept),
        Design::Oat => one_at_a_time_points(&swept, baseline),
        Design::Random(n) | Design::Lhs(n) => sampled_points(&swept, n as usize, matches!(plan.design, Design::Lhs(_)), plan.seed),
        Design::Sobol(..) | Design::Morris(..) => sensitivity::points(&swept, plan.design, plan.seed),
    }
}

/// Every combination of the parameters' values, the last parameter varying fastest.
fn grid_points(swept: &[Swept]) -> Result<Vec<Point>, PlanError> {
    let mut points: Vec<Point> = vec![vec![]];
    for param in swept {
        let values = param.values()?;
        if points.len().saturating_mul(values.len()) > MAX_POINTS {
            return Err(PlanError(format!("the grid has more than {MAX_POINTS} points")));
        }
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((param.name.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// The baseline, then each parameter's other values with the rest at baseline.
fn one_at_a_time_points(swept: &[Swept], baseline: impl Fn(&str) -> String) -> Result<Vec<Point>, PlanError> {
    let base: Point = swept.iter().map(|p| (p.name.clone(), baseline(&p.name))).collect();
    let mut points = vec![base.clone()];
    for (i, param) in swept.iter().enumerate() {
        for v in param.values()? {
            if v != base[i].1 {
                let mut q = base.clone();
                q[i].1 = v;
                points.push(q);
            }
        }
    }
    Ok(points)
}

/// `n` points, each parameter drawn from its distribution by the inverse of its distribution
/// function at a number u in [0, 1): for `random`, u uniform; for a Latin hypercube (`lhs`), u
/// in one of `n` equal strata of [0, 1), a different one at each point (strata permuted
/// independently per parameter). Within its stratum u is uniform for a continuous parameter;
/// for an integer or a choice, every point sits at the same random offset within its stratum,
/// so the points are evenly spaced and each value gets its share of them exactly (with m
/// equally likely values, each gets floor(n/m) or ceil(n/m) points).
fn sampled_points(swept: &[Swept], n: usize, lhs: bool, seed: u64) -> Result<Vec<Point>, PlanError> {
    if n > MAX_POINTS {
        return Err(PlanError(format!("more than {MAX_POINTS} points")));
    }
    let draws = Draws::new(seed);
    let samplers: Vec<Sampler> = swept.iter().map(Swept::sampler).collect::<Result<_, _>>()?;
    let mut points: Vec<Point> = vec![Vec::with_capacity(swept.len()); n];
    for (j, (param, sampler)) in swept.iter().zip(&samplers).enumerate() {
        let perm: Vec<usize> = if lhs {
            let mut keyed: Vec<(u64, usize)> = (0..n).map(|i| (draws.bits(Purpose::SweepDesign, &[j as u64, i as u64, 1]), i)).collect();
            keyed.sort();
            keyed.into_iter().map(|(_, i)| i).collect()
        } else {
            (0..n).collect()
        };
        let shared = (lhs && sampler.discrete()).then(|| draws.uniform(Purpose::SweepDesign, &[j as u64, 0, 2]));
        for (i, point) in points.iter_mut().enumerate() {
            let u = shared.unwrap_or_else(|| draws.uniform(Purpose::SweepDesign, &[j as u64, i as u64, 0]));
            let unit = if lhs { (perm[i] as f64 + u) / n as f64 } else { u };
            point.push((param.name.clone(), sampler.at(unit)));
        }
    }
    Ok(points)
}

/// The seed of a replication: the same at every design point (common random numbers). It is
/// below 2^63 (the mixed value with its top bit cleared), so that it fits a signed 64-bit
/// integer, the integer type of pandas, polars and Parquet; a seed the mix put below 2^63
/// is unchanged.
pub fn replication_seed(root: u64, replication: u64) -> u64 {
    mix64(root ^ mix64(replication.wrapping_add(0x5EED))) & MAX_SEED
}

/// The largest seed a sweep writes or takes as its root: `i64::MAX`, so that every seed fits a
/// signed 64-bit integer.
pub const MAX_SEED: u64 = i64::MAX as u64;

/// Where run `index` sits in the plan.
pub fn address(index: u64, runs: u32) -> (u64, u32) {
    (index / u64::from(runs), (index % u64::from(runs)) as u32)
}

/// A shard `K/N` (K from 0 to N-1): runs `i` with `i % N == K`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard.
    pub k: u64,
    /// Number of shards.
    pub n: u64,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Shard, PlanError> {
        let bad = || {
            PlanError(format!(
                "bad shard {text:?}: expected K/N with 0 <= K < N (e.g. --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// The whole sweep as one shard.
    pub fn whole() -> Shard {
        Shard { k: 0, n: 1 }
    }

    /// Whether run `i` belongs to this shard.
    pub fn owns(&self, i: u64) -> bool {
        i % self.n == self.k
    }

    /// The `j`-th run index of this shard.
    pub fn nth(&self, j: u64) -> u64 {
        j * self.n + self.k
    }

    /// How many of `total` runs this shard owns.
    pub fn count(&self, total: u64) -> u64 {
        if total > self.k { (total - self.k).div_ceil(self.n) } else { 0 }
    }
}

/// The flat outcome columns of a run, in a fixed order: (name, value as CSV text).
pub fn outcome_columns(o: &Outcomes) -> Vec<(String, serde_json::Value)> {
    let v = serde_json::to_value(o).expect("outcomes serialise");
    let mut cols: Vec<(String, serde_json::Value)> = v.as_object().expect("object").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    cols.sort_by(|a, b| a.0.cmp(&b.0));
    cols
}

/// One result row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Run index.
    pub run: u64,
    /// Design point.
    pub point: u64,
    /// Replication.
    pub replication: u32,
    /// Seed.
    pub seed: u64,
    /// Swept parameter values, in plan order.
    pub params: Vec<(String, String)>,
    /// Standard outcomes.
    pub outcomes: Outcomes,
    /// The outcomes asked for beyond the standard ones, in their columns' order
    /// ([`measure::Measures::columns`]).
    #[serde(skip)]
    pub extra: Vec<Cell>,
}

impl Row {
    /// This row's values in the columns of [`columns::run_columns`] for these parameter
    /// columns: the indices, the swept values typed by their parameter's kind, the outcomes.
    pub fn cells(&self, params: &[ParamColumn]) -> Result<Vec<Cell>, String> {
        let index = |i: u64| Cell::Integer(i64::try_from(i).unwrap_or(i64::MAX));
        let mut cells = vec![index(self.run), index(self.point), Cell::Integer(i64::from(self.replication)), index(self.seed)];
        for ((name, value), column) in self.params.iter().zip(params) {
            cells.push(Cell::parse(value, column.value_type, false).map_err(|e| format!("parameter {name}: {e}"))?);
        }
        for ((_, value), (_, value_type, _)) in outcome_columns(&self.outcomes).iter().zip(columns::OUTCOME_COLUMNS) {
            cells.push(Cell::of_json(value, *value_type));
        }
        cells.extend(self.extra.iter().cloned());
        Ok(cells)
    }
}

/// Streaming statistics of one outcome at one point.
#[derive(Debug, Clone, Default)]
struct Acc {
    /// Runs seen.
    n: u64,
    /// Runs where the outcome happened: true for booleans, present for days that may be null,
    /// every run for plain numbers.
    happened: u64,
    /// Values in the mean (booleans count as 0 or 1 in every run).
    count: u64,
    mean: f64,
    m2: f64,
}

impl Acc {
    fn add(&mut self, v: &Cell) {
        self.n += 1;
        match v {
            Cell::Boolean(b) => self.happened += u64::from(*b),
            Cell::Integer(_) | Cell::Float(_) => self.happened += 1,
            Cell::Null | Cell::String(_) => {}
        }
        if let Some(x) = v.number() {
            self.count += 1;
            let d = x - self.mean;
            self.mean += d / self.count as f64;
            self.m2 += d * (x - self.mean);
        }
    }
}

/// A point's swept parameters (names and values) and each outcome's statistics.
type PointAccs = (Vec<(String, Cell)>, BTreeMap<String, Acc>);

/// Per-point, per-outcome statistics, accumulated row by row (memory: points x outcomes).
#[derive(Debug, Default)]
pub struct PointStats {
    /// By point.
    points: BTreeMap<u64, PointAccs>,
}

impl PointStats {
    /// Adds a run's row of runs.csv, as cells in the columns of [`columns::run_columns`] for
    /// these parameter and extra outcome columns.
    pub fn add(&mut self, params: &[ParamColumn], extra: &[OutcomeColumn], cells: &[Cell]) {
        let point = match cells.get(1) {
            Some(Cell::Integer(p)) => *p as u64,
            _ => return,
        };
        let values = &cells[4..4 + params.len()];
        let entry = self
            .points
            .entry(point)
            .or_insert_with(|| (params.iter().zip(values).map(|(p, v)| (p.param.clone(), v.clone())).collect(), BTreeMap::new()));
        for ((name, value_type, _), cell) in columns::OUTCOME_COLUMNS.iter().zip(&cells[4 + params.len()..]) {
            if *value_type == columns::ValueType::String {
                continue; // categorical (final_regime, intervention_outcome, outcome_class): see runs.csv
            }
            entry.1.entry(name.to_string()).or_default().add(cell);
        }
        let after = 4 + params.len() + columns::OUTCOME_COLUMNS.len();
        for (column, cell) in extra.iter().zip(cells.get(after..).unwrap_or_default()) {
            if column.value_type != columns::ValueType::String {
                entry.1.entry(column.name.clone()).or_default().add(cell);
            }
        }
    }

    /// The rows of points.csv and points.parquet, in the columns of [`columns::point_columns`]:
    /// point, swept values, outcome, runs, happened (share of runs where a boolean was true or
    /// a day outcome happened; 1 for plain numbers), and the mean, standard deviation and 95%
    /// confidence interval of the mean (normal approximation) over the runs with a value (for
    /// booleans, all runs: the mean is the share true); the last four missing when no run has
    /// a value. Values are rounded to 9 decimals.
    pub fn rows(&self) -> impl Iterator<Item = Vec<Cell>> + '_ {
        let round = |x: f64| (x * 1e9).round() / 1e9;
        self.points.iter().flat_map(move |(point, (params, accs))| {
            accs.iter().map(move |(outcome, a)| {
                let happened = if a.n > 0 { a.happened as f64 / a.n as f64 } else { 0.0 };
                let sd = if a.count > 1 { (a.m2 / (a.count - 1) as f64).sqrt() } else { 0.0 };
                let half = if a.count > 0 { 1.96 * sd / (a.count as f64).sqrt() } else { 0.0 };
                let num = |x: f64| if a.count == 0 { Cell::Null } else { Cell::Float(round(x)) };
                let mut record = vec![Cell::Integer(*point as i64)];
                record.extend(params.iter().map(|(_, v)| v.clone()));
                record.extend([Cell::String(outcome.clone()), Cell::Integer(a.n as i64), Cell::Float(round(happened))]);
                record.extend([num(a.mean), num(sd), num(a.mean - half), num(a.mean + half)]);
                record
            })
        })
    }

    /// `points.csv`: the header of [`columns::point_columns`], then [`PointStats::rows`].
    pub fn csv(&self, params: &[ParamColumn]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(columns::point_columns(params).iter().map(|c| &c.name)).expect("in-memory write");
        for row in self.rows() {
            w.write_record(row.iter().map(Cell::csv_text)).expect("in-memory write");
        }
        String::from_utf8(w.into_inner().expect("in-memory write")).expect("the fields are text")
    }

    /// A readable table of the main outcomes per point.
    pub fn table(&self) -> String {
        let main = [
            ("intervention_launched_day", "P(intervention)", true),
            ("armed_conflict", "P(armed conflict)", false),
            ("defence_clause_invoked", "P(Art. invoked)", false),
            ("order_restored_day", "P(restored)", true),
            ("sanctions_days", "sanctions days", false),
            ("target_gdp_loss_pct", "GDP loss %", false),
        ];
        let mut out = format!("{:<6} {:<40}", "point", "parameters");
        for (_, label, _) in main {
            out.push_str(&format!(" {label:>17}"));
        }
        out.push('\n');
        for (point, (params, accs)) in &self.points {
            let p: Vec<String> = params.iter().map(|(n, v)| format!("{n}={}", v.csv_text())).collect();
            let mut line = format!("{point:<6} {:<40}", p.join(" "));
            for (key, _, happened) in main {
                let cell = accs.get(key).map(|a| if happened { a.happened as f64 / a.n.max(1) as f64 } else { a.mean }).unwrap_or(f64::NAN);
                line.push_str(&format!(" {cell:>17.3}"));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// A stable identity of a plan and scenario, to refuse mixing shards or resuming another sweep.
pub fn plan_hash(plan: &Plan, scenario_hash: &str) -> String {
    let text = serde_json::to_string(&(plan, scenario_hash)).expect("plan serialises");
    crate::model::state::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(params: &[(&str, &str)], design: Design) -> Plan {
        Plan {
            scenario: None,
            params: params.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            set: vec![],
            design,
            runs: 2,
            seed: 1,
            outcomes: vec![],
            outcomes_for: vec![],
            series: None,
        }
    }

    fn continuous(_: &str) -> Result<Domain, PlanError> {
        Ok(Domain { kind: Kind::Continuous, min: f64::NEG_INFINITY, max: f64::INFINITY })
    }

    /// `a` is continuous in [0, 1], `n` an integer in [0, 100], `r` a regime, `b` a yes/no, `t` text.
    fn kinds(name: &str) -> Result<Domain, PlanError> {
        use crate::model::fields::{BOOLEANS, REGIMES};
        let (kind, min, max) = match name {
            "a" => (Kind::Continuous, 0.0, 1.0),
            "n" | "m" => (Kind::Integer, 0.0, 100.0),
            "r" => (Kind::Categorical(REGIMES), f64::NEG_INFINITY, f64::INFINITY),
            "b" => (Kind::Categorical(BOOLEANS), f64::NEG_INFINITY, f64::INFINITY),
            "t" => (Kind::Text, f64::NEG_INFINITY, f64::INFINITY),
            _ => return Err(PlanError(format!("unknown parameter {name:?}"))),
        };
        Ok(Domain { kind, min, max })
    }

    fn values_of(points: &[Point], j: usize) -> Vec<String> {
        points.iter().map(|p| p[j].1.clone()).collect()
    }

    fn expand_err(params: &[(&str, &str)], design: Design) -> String {
        expand(&plan(params, design), |_| "0".into(), kinds).unwrap_err().0
    }

    #[test]
    fn specs_parse() {
        assert_eq!(parse_spec("0.2,0.5,0.8").unwrap(), Spec::List(vec!["0.2".into(), "0.5".into(), "0.8".into()]));
        assert_eq!(parse_spec("0..1:5").unwrap(), Spec::Steps { lo: 0.0, hi: 1.0, n: 5 });
        assert_eq!(parse_spec("0..1").unwrap(), Spec::Range { lo: 0.0, hi: 1.0 });
        assert_eq!(parse_spec(" uniform( 0 , 1 ) ").unwrap(), Spec::Range { lo: 0.0, hi: 1.0 });
        assert_eq!(parse_spec("normal(0.5,0.1)").unwrap(), Spec::Normal { mu: 0.5, sigma: 0.1, bounds: None });
        assert_eq!(parse_spec("normal(0.5,0.1,0.2,0.8)").unwrap(), Spec::Normal { mu: 0.5, sigma: 0.1, bounds: Some((0.2, 0.8)) });
        assert_eq!(parse_spec("choice(Junta, Democracy)").unwrap(), Spec::Choice(vec!["Junta".into(), "Democracy".into()]));
        assert_eq!(parse_spec("Share(0.6)").unwrap(), Spec::List(vec!["Share(0.6)".into()]));
        for (bad, why) in [
            ("1..0:3", "lo <= hi"),
            ("a..1:2", "low end"),
            ("0..1:0", "step count"),
            ("0..1:x", "step count"),
            ("1,,2", "empty value"),
            ("", "empty value"),
            ("uniform(1)", "two numbers"),
            ("uniform(2,1)", "lo <= hi"),
            ("normal(0,0)", "more than 0"),
            ("normal(0,-1)", "more than 0"),
            ("normal(0)", "a mean, a standard deviation"),
            ("normal(0,1,2,1)", "lo <= hi"),
            ("normal(0,inf)", "not a finite number"),
            ("normal(0,1", "missing ')'"),
            ("choice()", "at least one value"),
            ("choice(a,,b)", "at least one value"),
            ("gauss(0,1)", "unknown distribution \"gauss\""),
            ("normel(0,1)", "did you mean \"normal\"?"),
        ] {
            let e = parse_spec(bad).unwrap_err().0;
            assert!(e.contains(why) && e.contains("bad SPEC"), "{bad}: {e}");
        }
    }

    #[test]
    fn grid_is_the_cartesian_product_in_plan_order() {
        let p = expand(&plan(&[("a", "0.25,0.5"), ("t", "x,y,z")], Design::Grid), |_| "0".into(), kinds).unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[1], vec![("a".to_string(), "0.25".to_string()), ("t".to_string(), "y".to_string())]);
    }

    #[test]
    fn grid_values_follow_the_kind() {
        let grid = |params: &[(&str, &str)]| expand(&plan(params, Design::Grid), |_| "0".into(), kinds).unwrap();
        assert_eq!(values_of(&grid(&[("a", "0..1:5")]), 0), ["0", "0.25", "0.5", "0.75", "1"]);
        // An integer's steps are rounded to the nearest whole value.
        assert_eq!(values_of(&grid(&[("n", "0..10:4")]), 0), ["0", "3", "7", "10"]);
        assert_eq!(values_of(&grid(&[("n", "0..3:4")]), 0), ["0", "1", "2", "3"]);
        assert_eq!(values_of(&grid(&[("n", "7.0,14")]), 0), ["7", "14"]);
        // choice(...) in a grid is its list of values; words are checked against the kind.
        assert_eq!(values_of(&grid(&[("r", "choice(Junta,Democracy)")]), 0), ["Junta", "Democracy"]);
        assert_eq!(values_of(&grid(&[("b", "true,false")]), 0), ["true", "false"]);
        assert_eq!(values_of(&grid(&[("t", "any words")]), 0), ["any words"]);
        for (params, why) in [
            (&[("n", "0..3:5")][..], "whole numbers only, and 0..3 holds 4 of them, fewer than the 5 steps asked"),
            (&[("n", "0.5..3:2")][..], "--param n: whole numbers only; give whole bounds (such as 1..3)"),
            (&[("n", "1,2.5")][..], "--param n: whole numbers only; 2.5 is not one"),
            (&[("n", "1,x")][..], "\"x\" is not a number"),
            (&[("a", "0..2:3")][..], "--param a: the range 0..2 goes beyond the valid range [0, 1]"),
            (&[("r", "Junta,Empire")][..], "\"Empire\" is not one of Democracy, Authoritarian, Junta, Transitional"),
            (&[("b", "yes")][..], "\"yes\" is not one of false, true"),
            (&[("r", "0..3:4")][..], "--param r: categorical (Democracy, Authoritarian, Junta, Transitional): give a list such as"),
            (&[("a", "0..1")][..], "needs a sampled design"),
            (&[("a", "normal(0.5,0.1)")][..], "needs a sampled design"),
            (&[("x", "1,2")][..], "unknown parameter \"x\""),
        ] {
            let e = expand_err(params, Design::Grid);
            assert!(e.contains(why), "{params:?}: {e}");
        }
    }

    #[test]
    fn one_at_a_time_varies_one_parameter_around_the_baseline() {
        let p = expand(&plan(&[("a", "1,2,3"), ("b", "7,8")], Design::Oat), |n| if n == "a" { "2".into() } else { "7".into() }, continuous)
            .unwrap();
        let rows: Vec<String> = p.iter().map(|q| format!("{}{}", q[0].1, q[1].1)).collect();
        assert_eq!(rows, ["27", "17", "37", "28"]);
        // Values are compared with the baseline as the kind writes them.
        let p = expand(
            &plan(&[("n", "7.0,14"), ("r", "Junta,Democracy")], Design::Oat),
            |n| if n == "n" { "7".into() } else { "Democracy".into() },
            kinds,
        )
        .unwrap();
        let rows: Vec<String> = p.iter().map(|q| format!("{} {}", q[0].1, q[1].1)).collect();
        assert_eq!(rows, ["7 Democracy", "14 Democracy", "7 Junta"]);
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let p = expand(&plan(&[("a", "0..1"), ("b", "10..20")], Design::Lhs(10)), |_| "0".into(), continuous).unwrap();
        for j in 0..2 {
            let mut strata: Vec<usize> = p
                .iter()
                .map(|q| {
                    let x: f64 = q[j].1.parse().unwrap();
                    let unit = if j == 0 { x } else { (x - 10.0) / 10.0 };
                    (unit * 10.0) as usize
                })
                .collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    /// An integer in [lo, hi] has m = hi - lo + 1 values; value v stands for the draws in
    /// [v - 1/2, v + 1/2), that is the units [(v - lo)/m, (v - lo + 1)/m).
    fn unit_interval(v: f64, lo: f64, m: f64) -> (f64, f64) {
        ((v - lo) / m, (v - lo + 1.0) / m)
    }

    #[test]
    fn integers_are_whole_in_range_and_an_lhs_gives_each_stratum_its_value() {
        for seed in 0..20 {
            for (spec, n) in [("3..12", 5usize), ("3..12", 10), ("3..12", 25), ("0..100", 7), ("0..1", 9)] {
                let mut pl = plan(&[("n", spec), ("m", "0..100")], Design::Lhs(n as u32));
                pl.seed = seed;
                let p = expand(&pl, |_| "0".into(), kinds).unwrap();
                let (lo, hi): (f64, f64) = {
                    let (a, b) = spec.split_once("..").unwrap();
                    (a.parse().unwrap(), b.parse().unwrap())
                };
                let m = hi - lo + 1.0;
                let mut values: Vec<f64> = values_of(&p, 0).iter().map(|v| v.parse().unwrap()).collect();
                assert!(values.iter().all(|v| v.fract() == 0.0 && (lo..=hi).contains(v)), "{spec} {n}: {values:?}");
                values.sort_by(f64::total_cmp);
                // Sorted, the k-th value's interval meets the k-th stratum [k/n, (k+1)/n).
                for (k, v) in values.iter().enumerate() {
                    let (a, b) = unit_interval(*v, lo, m);
                    let (s, t) = (k as f64 / n as f64, (k + 1) as f64 / n as f64);
                    assert!(a < t && s < b, "{spec} {n} seed {seed}: value {v} is not in stratum {k}: {values:?}");
                }
                // Every value gets floor(n/m) or ceil(n/m) points.
                let mut v = lo;
                while v <= hi {
                    let count = values.iter().filter(|x| **x == v).count() as f64;
                    assert!(count == (n as f64 / m).floor() || count == (n as f64 / m).ceil(), "{spec} {n}: {v} x {count}");
                    v += 1.0;
                }
            }
        }
    }

    #[test]
    fn random_integers_are_whole_in_range_and_equally_likely() {
        let p = expand(&plan(&[("n", "uniform(1,4)")], Design::Random(4000)), |_| "0".into(), kinds).unwrap();
        let values: Vec<f64> = values_of(&p, 0).iter().map(|v| v.parse().unwrap()).collect();
        for v in [1.0, 2.0, 3.0, 4.0] {
            let share = values.iter().filter(|x| **x == v).count() as f64 / 4000.0;
            assert!((share - 0.25).abs() < 0.03, "{v}: {share}");
        }
        assert!(values.iter().all(|v| [1.0, 2.0, 3.0, 4.0].contains(v)));
    }

    #[test]
    fn choices_get_equal_shares_in_an_lhs() {
        for (n, shares) in [(9u32, [3, 3, 3]), (10, [3, 3, 4]), (2, [0, 1, 1])] {
            for seed in 0..10 {
                let mut pl = plan(&[("r", "choice(Junta,Democracy,Transitional)"), ("b", "choice(false,true)")], Design::Lhs(n));
                pl.seed = seed;
                let p = expand(&pl, |_| "0".into(), kinds).unwrap();
                let mut counts: Vec<usize> =
                    ["Junta", "Democracy", "Transitional"].iter().map(|w| values_of(&p, 0).iter().filter(|v| v == w).count()).collect();
                counts.sort();
                assert_eq!(counts, shares, "n {n} seed {seed}");
                let yes = values_of(&p, 1).iter().filter(|v| *v == "true").count() as u32;
                assert!(yes == n / 2 || yes == n.div_ceil(2), "n {n}: {yes} true");
            }
        }
    }

    #[test]
    fn a_normal_is_truncated_to_the_valid_range_with_the_truncated_mean() {
        let (mu, sigma) = (0.8, 0.3);
        let p = expand(&plan(&[("a", "normal(0.8,0.3)")], Design::Lhs(2000)), |_| "0".into(), kinds).unwrap();
        let values: Vec<f64> = values_of(&p, 0).iter().map(|v| v.parse().unwrap()).collect();
        assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
        // The mean of a normal truncated to [0, 1]: mu + sigma (φ(α) - φ(β)) / (Φ(β) - Φ(α)).
        let (alpha, beta) = ((0.0 - mu) / sigma, (1.0 - mu) / sigma);
        let phi = |z: f64| libm::exp(-z * z / 2.0) / (2.0 * std::f64::consts::PI).sqrt();
        let expected = mu + sigma * (phi(alpha) - phi(beta)) / (dist::normal_cdf(beta) - dist::normal_cdf(alpha));
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!((mean - expected).abs() < 1e-3, "mean {mean}, expected {expected}");
        // Not clamped: no pile of values on the bound 1.
        assert!(values.iter().filter(|v| **v == 1.0).count() <= 1);
        // With bounds, and for an integer (rounded after truncation to [lo - 1/2, hi + 1/2]).
        let p =
            expand(&plan(&[("a", "normal(0.5,1,0.4,0.6)"), ("n", "normal(10,3)")], Design::Random(500)), |_| "0".into(), kinds).unwrap();
        assert!(values_of(&p, 0).iter().all(|v| (0.4..=0.6).contains(&v.parse::<f64>().unwrap())));
        let ints: Vec<f64> = values_of(&p, 1).iter().map(|v| v.parse().unwrap()).collect();
        assert!(ints.iter().all(|v| v.fract() == 0.0 && (0.0..=100.0).contains(v)));
        let mean = ints.iter().sum::<f64>() / ints.len() as f64;
        assert!((mean - 10.0).abs() < 0.4, "{mean}");
    }

    #[test]
    fn sampled_designs_refuse_specs_that_do_not_fit() {
        for (params, why) in [
            (
                &[("a", "0.1,0.2")][..],
                "a list is for grid and oat designs; a sampled design draws from a range lo..hi, a distribution, or choice(0.1,0.2)",
            ),
            (&[("r", "uniform(0,1)")][..], "categorical (Democracy"),
            (&[("r", "normal(0,1)")][..], "categorical (Democracy"),
            (&[("t", "0..1")][..], "text: give a list a,b (grid, oat) or choice(a,b) (any design)"),
            (&[("r", "choice(Junta,Empire)")][..], "\"Empire\" is not one of"),
            (&[("n", "0.5..3")][..], "give whole bounds (such as 1..3)"),
            (&[("n", "normal(5,1,0.5,9)")][..], "give whole bounds"),
            (&[("a", "-1..1")][..], "the range -1..1 goes beyond the valid range [0, 1]"),
            (&[("a", "normal(5,0.1)")][..], "normal(5,0.1) puts almost no probability (under 1e-12) in [0, 1]"),
        ] {
            for design in [Design::Random(3), Design::Lhs(3)] {
                let e = expand_err(params, design);
                assert!(e.contains(why) && e.starts_with(&format!("--param {}: ", params[0].0)), "{params:?}: {e}");
            }
        }
    }

    #[test]
    fn sampled_designs_depend_on_the_seed_only() {
        let params = [("a", "normal(0.5,0.2)"), ("n", "0..100"), ("r", "choice(Junta,Democracy)")];
        let one = expand(&plan(&params, Design::Lhs(20)), |_| "0".into(), kinds).unwrap();
        assert_eq!(one, expand(&plan(&params, Design::Lhs(20)), |_| "0".into(), kinds).unwrap());
        let mut other = plan(&params, Design::Lhs(20));
        other.seed = 2;
        assert_ne!(one, expand(&other, |_| "0".into(), kinds).unwrap());
        // A continuous range samples as before kinds existed: the same points for the same seed.
        let p = expand(&plan(&[("a", "0..1")], Design::Random(2)), |_| "0".into(), kinds).unwrap();
        let draws = Draws::new(1);
        assert_eq!(values_of(&p, 0), [0, 1].map(|i| fmt_number(draws.uniform(Purpose::SweepDesign, &[0, i, 0]))));
    }

    #[test]
    fn shards_partition_the_runs() {
        let total = 103;
        let shards: Vec<Shard> = (0..4).map(|k| Shard::parse(&format!("{k}/4")).unwrap()).collect();
        assert_eq!(shards.iter().map(|s| s.count(total)).sum::<u64>(), total);
        for i in 0..total {
            assert_eq!(shards.iter().filter(|s| s.owns(i)).count(), 1);
        }
        assert!(Shard::parse("4/4").is_err() && Shard::parse("1/0").is_err() && Shard::parse("x").is_err());
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be_and_floats_have_a_decimal_point() {
        use columns::ValueType;
        let prepared = crate::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).unwrap();
        let outcomes = crate::engine::run::run(&prepared, 1, Default::default()).unwrap().outcomes;
        let params: Point = vec![("a".into(), "1".into()), ("b,c".into(), "x,y".into()), ("c".into(), "say \"hi\"".into())];
        let columns: Vec<ParamColumn> = [("a", ValueType::Float), ("b,c", ValueType::String), ("c", ValueType::String)]
            .map(|(p, t)| ParamColumn { param: p.into(), column: columns::column_name(p), value_type: t })
            .to_vec();
        let row = Row { run: 7, point: 0, replication: 7, seed: 9, params, outcomes, extra: vec![] };
        let cells = row.cells(&columns).unwrap();
        let mut stats = PointStats::default();
        stats.add(&columns, &[], &cells);
        let text = stats.csv(&columns);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("point,p_a,p_b_c,p_c,outcome,runs,happened,mean,sd,ci95_low,ci95_high"));
        assert!(lines.all(|l| l.starts_with("0,1.0,\"x,y\",\"say \"\"hi\"\"\",")), "{text}");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(cells.iter().map(Cell::csv_text)).unwrap();
        let line = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert!(line.starts_with("7,0,7,9,1.0,\"x,y\",\"say \"\"hi\"\"\","), "{line}");
        assert_eq!(columns::run_columns(&columns, &[]).len(), cells.len());
        // A boolean's share and an outcome that never happened: floats, and an empty mean.
        assert!(text.contains(",armed_conflict,1,0.0,0.0,0.0,0.0,0.0\n"), "{text}");
        assert!(text.contains(",intervention_launched_day,1,0.0,,,,\n"), "{text}");
    }

    #[test]
    fn a_root_seed_above_i64_max_is_refused() {
        let mut pl = plan(&[("a", "0,1")], Design::Grid);
        pl.seed = MAX_SEED;
        assert!(expand(&pl, |_| "0".into(), kinds).is_ok());
        pl.seed = MAX_SEED + 1;
        let e = expand(&pl, |_| "0".into(), kinds).unwrap_err().0;
        assert!(e.contains("the seed 9223372036854775808 is above 9223372036854775807"), "{e}");
    }

    #[test]
    fn replication_seeds_fit_a_signed_64_bit_integer() {
        for root in [0, 1, 3, 12_354_772_003_812_197_154, u64::MAX] {
            for replication in 0..1000 {
                let seed = replication_seed(root, replication);
                assert!(i64::try_from(seed).is_ok(), "root {root} replication {replication}: {seed}");
                // The mix with its top bit cleared: seeds the mix put below 2^63 are unchanged.
                assert_eq!(seed, mix64(root ^ mix64(replication.wrapping_add(0x5EED))) & ((1u64 << 63) - 1));
            }
        }
    }

    #[test]
    fn replications_share_seeds_across_points() {
        assert_eq!(address(7, 3), (2, 1));
        assert_ne!(replication_seed(1, 0), replication_seed(1, 1));
        assert_ne!(replication_seed(1, 0), replication_seed(2, 0));
    }
}
