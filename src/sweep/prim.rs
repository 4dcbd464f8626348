//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999),
//! as EMA Workbench's `ema_workbench.analysis.prim` runs it: over the runs of a sweep (one row
//! per run: the swept parameters' values at its point, and whether the run is a case of
//! interest), find a box of parameter values (a range per number, a set of words per
//! categorical parameter) where the cases are dense.
//!
//! **Peeling.** From the box holding every run, each step tries, for every parameter, cutting
//! off the `peel_alpha` share of the box's runs with the lowest and with the highest values (a
//! number; EMA's quantile, the midpoint between the values on either side of the cut; an
//! integer is cut at a whole value, as EMA's discrete peel does) or, for a categorical
//! parameter, dropping one of its words; it keeps the candidate with the best objective (EMA's
//! default `lenient1`: the gain in the share of cases divided by the number of runs removed),
//! ties going to the candidate restricting fewer parameters, then to the first tried (numbers,
//! then integers, then words; parameters in plan order; the upper cut before the lower). It
//! stops when the best candidate would leave less than `min_mass` of the runs, removes no run
//! or does not raise the share of cases. **Pasting** then widens the last box one restricted
//! parameter at a time (by the `paste_alpha` quantile of the runs just outside it, or by one
//! word) while that raises the share of cases. Every box on the way is kept: the peeling
//! trajectory, from coverage 1 (every case, at their overall density) to the densest box.
//!
//! Everything is a function of the runs in run order: the same folder gives the same boxes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::sweep::analyze::{AnalyzeError, finished_manifest};
use crate::sweep::columns::{OUTCOME_COLUMNS, ValueType};

/// The file of the peeling trajectory written into the sweep folder.
pub const DISCOVERY_CSV: &str = "discovery.csv";

/// PRIM's settings (EMA Workbench's names and defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The share of a box's runs each peel removes (`peel_alpha`, 0.05).
    pub peel_alpha: f64,
    /// The share each paste adds (`paste_alpha`, 0.05).
    pub paste_alpha: f64,
    /// The smallest share of all runs a box may hold (`mass_min`, 0.05).
    pub min_mass: f64,
    /// The density the chosen box should reach (`threshold`, 0.8).
    pub threshold: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { peel_alpha: 0.05, paste_alpha: 0.05, min_mass: 0.05, threshold: 0.8 }
    }
}

impl Options {
    /// Refuses settings outside (0, 1) (and a threshold outside (0, 1]).
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [("--peel-alpha", self.peel_alpha), ("--paste-alpha", self.paste_alpha), ("--min-mass", self.min_mass)] {
            let inside = v > 0.0 && v < 1.0;
            if !inside {
                return Err(format!("{name} {v}: give a share between 0 and 1, such as 0.05"));
            }
        }
        let inside = self.threshold > 0.0 && self.threshold <= 1.0;
        if !inside {
            return Err(format!("--threshold {}: give a density above 0 and at most 1, such as 0.8", self.threshold));
        }
        Ok(())
    }
}

/// What makes a run a case of interest.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// A yes/no outcome is true, or an outcome that may be missing (a day) has a value.
    Happened,
    /// The outcome's text is this (a word, a number, `true`/`false`).
    Equals(String),
    /// The outcome is a number and compares so with this one (a missing value never does).
    Compare(Op, f64),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Less,
    /// `<=`
    LessEq,
    /// `>`
    Greater,
    /// `>=`
    GreaterEq,
}

/// `--discover OUTCOME[=VALUE]`, `OUTCOME>N`, `OUTCOME>=N`, `OUTCOME<N`, `OUTCOME<=N`.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The outcome (a runs.csv column).
    pub outcome: String,
    /// The test on its value.
    pub test: Test,
    /// As given.
    pub text: String,
}

impl Case {
    /// Parses a case; the outcome must be a standard outcome, and `OUTCOME` alone a yes/no or a
    /// day (something that happens or not).
    pub fn parse(text: &str) -> Result<Case, String> {
        let at = text.find(['=', '<', '>']).unwrap_or(text.len());
        let (outcome, rest) = (text[..at].trim().to_string(), &text[at..]);
        let Some((_, value_type, nullable)) = OUTCOME_COLUMNS.iter().find(|(n, _, _)| *n == outcome) else {
            let names: Vec<&str> = OUTCOME_COLUMNS.iter().map(|(n, _, _)| *n).collect();
            return Err(format!("--discover {text}: {outcome:?} is not an outcome; outcomes are {}", names.join(", ")));
        };
        let number = |v: &str| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("--discover {text}: {:?} is not a number", v.trim()))
        };
        let test = match rest {
            "" if *value_type == ValueType::Boolean || *nullable => Test::Happened,
            "" => {
                return Err(format!(
                    "--discover {text}: {outcome} is a {} outcome; say which runs are cases, such as {outcome}=VALUE or {outcome}>N",
                    if *value_type == ValueType::String { "categorical" } else { "numeric" }
                ));
            }
            _ if rest.starts_with(">=") => Test::Compare(Op::GreaterEq, number(&rest[2..])?),
            _ if rest.starts_with("<=") => Test::Compare(Op::LessEq, number(&rest[2..])?),
            _ if rest.starts_with('>') => Test::Compare(Op::Greater, number(&rest[1..])?),
            _ if rest.starts_with('<') => Test::Compare(Op::Less, number(&rest[1..])?),
            _ => Test::Equals(rest[1..].trim().to_string()),
        };
        if matches!(test, Test::Compare(..)) && matches!(value_type, ValueType::String | ValueType::Boolean) {
            return Err(format!("--discover {text}: {outcome} is not a number; give {outcome}=VALUE"));
        }
        Ok(Case { outcome, test, text: text.to_string() })
    }

    /// Whether a runs.csv field of the outcome makes the run a case.
    fn holds(&self, field: &str) -> bool {
        match &self.test {
            Test::Happened => field == "true" || (!field.is_empty() && field != "false"),
            Test::Equals(v) => field == v || (field.parse::<f64>().ok().zip(v.parse::<f64>().ok()).is_some_and(|(a, b)| a == b)),
            Test::Compare(op, v) => field.parse::<f64>().is_ok_and(|x| match op {
                Op::Less => x < *v,
                Op::LessEq => x <= *v,
                Op::Greater => x > *v,
                Op::GreaterEq => x >= *v,
            }),
        }
    }
}

/// How a parameter's values are peeled.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A continuous number.
    Real,
    /// A whole number.
    Integer,
    /// Words (a categorical parameter, `false`/`true`); a value is the index of its word.
    Words(Vec<String>),
}

/// One swept parameter's values, one per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// The parameter's name.
    pub name: String,
    /// How it is peeled.
    pub kind: Kind,
    /// Its value in each run (a word's index for words).
    pub values: Vec<f64>,
}

/// A box's limit on one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// Values from the first to the second, both included.
    Range(f64, f64),
    /// The words kept, by index.
    Set(Vec<usize>),
}

impl Limit {
    fn holds(&self, x: f64) -> bool {
        match self {
            Limit::Range(lo, hi) => *lo <= x && x <= *hi,
            Limit::Set(words) => words.contains(&(x as usize)),
        }
    }
}

/// How a box on the trajectory was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The box holding every run.
    Start,
    /// By peeling.
    Peel,
    /// By pasting.
    Paste,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Start => "start",
            Stage::Peel => "peel",
            Stage::Paste => "paste",
        }
    }
}

/// A box on the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// How it was made.
    pub stage: Stage,
    /// Its limit on each parameter (the first box's are the data's).
    pub limits: Vec<Limit>,
    /// Runs in it.
    pub runs: usize,
    /// Cases in it.
    pub cases: usize,
    /// The share of all cases in it.
    pub coverage: f64,
    /// The share of its runs that are cases.
    pub density: f64,
    /// The share of all runs in it.
    pub mass: f64,
    /// The parameters it restricts (indices into the dimensions).
    pub restricted: Vec<usize>,
}

/// A finished discovery.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// What a case is.
    pub case: Case,
    /// The settings.
    pub options: Options,
    /// The swept parameters.
    pub dimensions: Vec<Dimension>,
    /// Runs.
    pub runs: usize,
    /// Cases.
    pub cases: usize,
    /// Every box, from the box of all runs to the end of pasting.
    pub trajectory: Vec<PrimBox>,
    /// The chosen box (an index into the trajectory).
    pub chosen: usize,
    /// Why that box.
    pub rule: String,
}

/// EMA Workbench's quantile (after sdtoolkit): the midpoint between the sorted values on either
/// side of position (n - 1) q, moved past ties away from the median.
pub fn quantile(data: &[f64], q: f64) -> f64 {
    let mut d = data.to_vec();
    d.sort_by(f64::total_cmp);
    let i = (d.len() - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while d[lo] == d[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while d[lo] == d[hi] && hi < d.len() - 1 {
            hi += 1;
        }
    }
    (d[lo] + d[hi]) / 2.0
}

/// EMA's `lenient1` objective: the change in the share of cases over the change in runs.
fn objective(y: &[bool], old: &[usize], new: &[usize]) -> f64 {
    let mean = |idx: &[usize]| if idx.is_empty() { 0.0 } else { idx.iter().filter(|i| y[**i]).count() as f64 / idx.len() as f64 };
    let (m_old, m_new) = (mean(old), mean(new));
    if m_old == m_new || old.len() == new.len() {
        return 0.0;
    }
    (m_new - m_old) / old.len().abs_diff(new.len()) as f64
}

/// A candidate box: its limits and the runs in it.
type Candidate = (Vec<Limit>, Vec<usize>);

/// The order in which parameters are tried (EMA's: numbers, integers, words).
fn try_order(dims: &[Dimension]) -> Vec<usize> {
    let rank = |k: &Kind| match k {
        Kind::Real => 0,
        Kind::Integer => 1,
        Kind::Words(_) => 2,
    };
    let mut order: Vec<usize> = (0..dims.len()).collect();
    order.sort_by_key(|j| rank(&dims[*j].kind));
    order
}

/// The peels of one parameter.
fn peels(dim: &Dimension, j: usize, limits: &[Limit], members: &[usize], alpha: f64) -> Vec<Candidate> {
    let x: Vec<f64> = members.iter().map(|i| dim.values[*i]).collect();
    let keep = |f: &dyn Fn(f64) -> bool| -> Vec<usize> { members.iter().copied().filter(|i| f(dim.values[*i])).collect() };
    let with = |limit: Limit| {
        let mut l = limits.to_vec();
        l[j] = limit;
        l
    };
    match (&dim.kind, &limits[j]) {
        (Kind::Real, Limit::Range(lo, hi)) => {
            let (up, down) = (quantile(&x, 1.0 - alpha), quantile(&x, alpha));
            vec![(with(Limit::Range(*lo, up)), keep(&|v| v <= up)), (with(Limit::Range(down, *hi)), keep(&|v| v >= down))]
        }
        (Kind::Integer, Limit::Range(lo, hi)) => {
            let (lo, hi) = (*lo, *hi);
            let (min, max) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
            // Python's int(): towards zero.
            let up = quantile(&x, 1.0 - alpha).trunc();
            let upper = if up == hi { keep(&|v| v < hi && v >= lo) } else { keep(&|v| v <= up && v >= lo) };
            let up_limit = upper.iter().map(|i| dim.values[*i]).fold(f64::NEG_INFINITY, f64::max);
            let down = quantile(&x, alpha).trunc();
            let lower = if down == lo { keep(&|v| v > lo && v <= hi) } else { keep(&|v| v >= down && v <= hi) };
            let down_limit = lower.iter().map(|i| dim.values[*i]).fold(f64::INFINITY, f64::min);
            vec![
                (with(Limit::Range(lo, if upper.is_empty() { max } else { up_limit })), upper),
                (with(Limit::Range(if lower.is_empty() { min } else { down_limit }, hi)), lower),
            ]
        }
        (Kind::Words(_), Limit::Set(words)) if words.len() > 1 => words
            .iter()
            .map(|w| {
                let rest: Vec<usize> = words.iter().copied().filter(|v| v != w).collect();
                (with(Limit::Set(rest)), keep(&|v| v as usize != *w))
            })
            .collect(),
        _ => vec![],
    }
}

fn restricted(limits: &[Limit], init: &[Limit]) -> Vec<usize> {
    (0..limits.len()).filter(|j| limits[*j] != init[*j]).collect()
}

/// The best candidate: the highest objective, then the fewest restricted parameters, then the
/// first tried.
fn best(y: &[bool], members: &[usize], init: &[Limit], candidates: Vec<Candidate>) -> Option<(f64, Candidate)> {
    let mut best: Option<(f64, usize, Candidate)> = None;
    for c in candidates {
        let obj = objective(y, members, &c.1);
        let free = init.len() - restricted(&c.0, init).len();
        if best.as_ref().is_none_or(|(o, f, _)| obj > *o || (obj == *o && free > *f)) {
            best = Some((obj, free, c));
        }
    }
    best.map(|(o, _, c)| (o, c))
}

/// The pastes of one restricted parameter, over all runs.
fn pastes(dims: &[Dimension], j: usize, limits: &[Limit], init: &[Limit], alpha: f64) -> Vec<Candidate> {
    let n = dims[0].values.len();
    let inside = |l: &[Limit]| -> Vec<usize> { (0..n).filter(|i| dims.iter().zip(l).all(|(d, l)| l.holds(d.values[*i]))).collect() };
    let with = |limit: Limit| {
        let mut l = limits.to_vec();
        l[j] = limit;
        l
    };
    match (&limits[j], &init[j]) {
        (Limit::Range(lo, hi), Limit::Range(min, max)) => {
            let mut out = vec![];
            for lower in [true, false] {
                let region = if lower { Limit::Range(*min, *lo) } else { Limit::Range(*hi, *max) };
                let data: Vec<f64> = inside(&with(region)).iter().map(|i| dims[j].values[*i]).collect();
                let value = match (data.is_empty(), lower) {
                    (true, true) => *min,
                    (true, false) => *max,
                    (false, true) => quantile(&data, 1.0 - alpha),
                    (false, false) => quantile(&data, alpha),
                };
                let l = with(if lower { Limit::Range(value, *hi) } else { Limit::Range(*lo, value) });
                let members = inside(&l);
                out.push((l, members));
            }
            out
        }
        (Limit::Set(words), Limit::Set(all)) => all
            .iter()
            .filter(|w| !words.contains(w))
            .map(|w| {
                let mut set = words.clone();
                set.push(*w);
                set.sort_unstable();
                let l = with(Limit::Set(set));
                let members = inside(&l);
                (l, members)
            })
            .collect(),
        _ => vec![],
    }
}

/// Runs PRIM on the runs' parameter values and cases: the whole trajectory, peeling then
/// pasting. `dims` must all have `y.len()` values.
pub fn trajectory(dims: &[Dimension], y: &[bool], o: &Options) -> Vec<PrimBox> {
    let n = y.len();
    let init: Vec<Limit> = dims
        .iter()
        .map(|d| match &d.kind {
            Kind::Words(_) => {
                let mut set: Vec<usize> = d.values.iter().map(|v| *v as usize).collect();
                set.sort_unstable();
                set.dedup();
                Limit::Set(set)
            }
            _ => Limit::Range(
                d.values.iter().copied().fold(f64::INFINITY, f64::min),
                d.values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        })
        .collect();
    let total = y.iter().filter(|c| **c).count();
    let make = |stage, limits: Vec<Limit>, members: &[usize]| {
        let cases = members.iter().filter(|i| y[**i]).count();
        let restricted = restricted(&limits, &init);
        PrimBox {
            stage,
            runs: members.len(),
            cases,
            coverage: if total == 0 { 0.0 } else { cases as f64 / total as f64 },
            density: if members.is_empty() { 0.0 } else { cases as f64 / members.len() as f64 },
            mass: members.len() as f64 / n as f64,
            restricted,
            limits,
        }
    };
    let mut members: Vec<usize> = (0..n).collect();
    let mut limits = init.clone();
    let mut boxes = vec![make(Stage::Start, init.clone(), &members)];
    let order = try_order(dims);
    if n == 0 {
        return boxes;
    }
    loop {
        let candidates: Vec<Candidate> = order.iter().flat_map(|j| peels(&dims[*j], *j, &limits, &members, o.peel_alpha)).collect();
        let Some((obj, (l, m))) = best(y, &members, &init, candidates) else { break };
        let mass = m.len() as f64 / n as f64;
        let accept = mass >= o.min_mass && m.len() < members.len() && obj > 0.0;
        if !accept {
            break;
        }
        boxes.push(make(Stage::Peel, l.clone(), &m));
        (limits, members) = (l, m);
    }
    loop {
        let res = restricted(&limits, &init);
        let candidates: Vec<Candidate> =
            order.iter().filter(|j| res.contains(j)).flat_map(|j| pastes(dims, *j, &limits, &init, o.paste_alpha)).collect();
        let Some((obj, (l, m))) = best(y, &members, &init, candidates) else { break };
        let share = |idx: &[usize]| idx.iter().filter(|i| y[**i]).count() as f64 / idx.len().max(1) as f64;
        let mass = m.len() as f64 / n as f64;
        let accept = mass >= o.min_mass && m.len() > members.len() && obj > 0.0 && share(&m) > share(&members);
        if !accept {
            break;
        }
        boxes.push(make(Stage::Paste, l.clone(), &m));
        (limits, members) = (l, m);
    }
    boxes
}

/// The box chosen by default: of the boxes whose density reaches the threshold, the one with
/// the largest coverage (the latest on ties); when none does, the last box.
pub fn choose(trajectory: &[PrimBox], threshold: f64) -> (usize, String) {
    let reaching = (0..trajectory.len())
        .filter(|i| trajectory[*i].density >= threshold)
        .max_by(|a, b| trajectory[*a].coverage.total_cmp(&trajectory[*b].coverage).then(a.cmp(b)));
    match reaching {
        Some(i) => (i, format!("the box of largest coverage with density at least {threshold}")),
        None => (
            trajectory.len() - 1,
            format!("no box reaches density {threshold}: the last box, the densest the peeling found (lower --threshold, or --box N)"),
        ),
    }
}

/// Reads the runs of the finished sweep in `dir` and runs PRIM on them for `case`; `pick`
/// chooses a box of the trajectory instead of the default rule (`None`: the rule; `Some(None)`:
/// the last box; `Some(Some(n))`: box n).
pub fn discover(dir: &Path, case: Case, options: Options, pick: Option<Option<usize>>) -> Result<Discovery, AnalyzeError> {
    let refuse = |message: String| AnalyzeError { message, input: true };
    options.check().map_err(refuse)?;
    let manifest = finished_manifest(dir)?;
    let path = dir.join("runs.csv");
    let text = crate::input::read_to_string(&path, crate::input::MAX_SWEEP_FILE_BYTES)
        .map_err(|e| AnalyzeError { message: format!("{}: {e}", path.display()), input: false })?;
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| refuse(format!("{}: {e}", path.display())))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| refuse(format!("{}: no column {name:?}", path.display())));
    let outcome_col = col(&case.outcome)?;
    let param_cols: Vec<usize> = manifest.columns.iter().map(|c| col(&c.column)).collect::<Result<_, _>>()?;
    let mut dims: Vec<Dimension> = manifest
        .columns
        .iter()
        .map(|c| Dimension {
            name: c.param.clone(),
            kind: match c.value_type {
                ValueType::Float => Kind::Real,
                ValueType::Integer => Kind::Integer,
                _ => Kind::Words(vec![]),
            },
            values: vec![],
        })
        .collect();
    let mut y = vec![];
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| refuse(format!("{}: {e}", path.display())))?;
        for (d, &c) in dims.iter_mut().zip(&param_cols) {
            let field = record.get(c).unwrap_or_default();
            let value = match &mut d.kind {
                Kind::Words(words) => match words.iter().position(|w| w == field) {
                    Some(i) => i as f64,
                    None => {
                        words.push(field.to_string());
                        (words.len() - 1) as f64
                    }
                },
                _ => field.parse::<f64>().map_err(|_| refuse(format!("{}:{}: {field:?} is not a number", path.display(), line + 2)))?,
            };
            d.values.push(value);
        }
        y.push(case.holds(record.get(outcome_col).unwrap_or_default()));
    }
    // Words in alphabetical order (`false` before `true`), whatever the design's order.
    for d in &mut dims {
        if let Kind::Words(words) = &mut d.kind {
            let mut sorted = words.clone();
            sorted.sort();
            let to: Vec<usize> = words.iter().map(|w| sorted.binary_search(w).unwrap_or_default()).collect();
            d.values.iter_mut().for_each(|v| *v = to[*v as usize] as f64);
            *words = sorted;
        }
    }
    let cases = y.iter().filter(|c| **c).count();
    if cases == 0 || cases == y.len() {
        return Err(refuse(format!(
            "{}: --discover {}: {} of the {} runs are cases; PRIM needs some runs that are and some that are not",
            dir.display(),
            case.text,
            cases,
            y.len()
        )));
    }
    let trajectory = trajectory(&dims, &y, &options);
    let (chosen, rule) = match pick {
        None => choose(&trajectory, options.threshold),
        Some(None) => (trajectory.len() - 1, "the last box (--box last)".to_string()),
        Some(Some(n)) if n < trajectory.len() => (n, format!("--box {n}")),
        Some(Some(n)) => return Err(refuse(format!("--box {n}: the trajectory has boxes 0 to {}", trajectory.len() - 1))),
    };
    Ok(Discovery { case, options, dimensions: dims, runs: y.len(), cases, trajectory, chosen, rule })
}

/// A bound for people: a whole number as such, else four decimals at most.
fn short(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A number for the outputs: rounded to 9 decimals.
fn num(x: f64) -> String {
    let x = (x * 1e9).round() / 1e9;
    format!("{}", if x == 0.0 { 0.0 } else { x })
}

impl Discovery {
    /// A limit in words: `lo .. hi` or the words kept.
    pub fn limit_text(&self, j: usize, limit: &Limit) -> String {
        match (limit, &self.dimensions[j].kind) {
            (Limit::Range(lo, hi), _) => format!("{} .. {}", short(*lo), short(*hi)),
            (Limit::Set(set), Kind::Words(words)) => set.iter().map(|i| words[*i].as_str()).collect::<Vec<_>>().join(", "),
            (Limit::Set(_), _) => String::new(),
        }
    }

    /// The restrictions of box `b`: (parameter, its range in the box, its range over all runs).
    pub fn restrictions(&self, b: usize) -> Vec<(String, String, String)> {
        let bx = &self.trajectory[b];
        bx.restricted
            .iter()
            .map(|j| {
                let name = self.dimensions[*j].name.clone();
                (name, self.limit_text(*j, &bx.limits[*j]), self.limit_text(*j, &self.trajectory[0].limits[*j]))
            })
            .collect()
    }

    /// `discovery.csv`: one row per box: `box, stage, coverage, density, mass, runs, cases,
    /// restricted, chosen`, then per parameter (its column name as in runs.csv) `_lower` and
    /// `_upper` for a number, `_values` (words joined by `|`) for words.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head: Vec<String> =
            ["box", "stage", "coverage", "density", "mass", "runs", "cases", "restricted", "chosen"].map(String::from).to_vec();
        for d in &self.dimensions {
            let c = crate::sweep::columns::column_name(&d.name);
            match d.kind {
                Kind::Words(_) => head.push(format!("{c}_values")),
                _ => head.extend([format!("{c}_lower"), format!("{c}_upper")]),
            }
        }
        w.write_record(&head).expect("in-memory write");
        for (i, b) in self.trajectory.iter().enumerate() {
            let mut row = vec![
                i.to_string(),
                b.stage.name().to_string(),
                num(b.coverage),
                num(b.density),
                num(b.mass),
                b.runs.to_string(),
                b.cases.to_string(),
                b.restricted.len().to_string(),
                (i == self.chosen).to_string(),
            ];
            for (j, l) in b.limits.iter().enumerate() {
                match l {
                    Limit::Range(lo, hi) => row.extend([num(*lo), num(*hi)]),
                    Limit::Set(_) => row.push(self.limit_text(j, l).replace(", ", "|")),
                }
            }
            w.write_record(&row).expect("in-memory write");
        }
        String::from_utf8(w.into_inner().expect("in-memory write")).expect("the fields are text")
    }

    /// Writes `discovery.csv` into the sweep folder (under a temporary name, renamed into place).
    pub fn write(&self, dir: &Path) -> Result<PathBuf, AnalyzeError> {
        let (path, tmp) = (dir.join(DISCOVERY_CSV), dir.join(format!(".{DISCOVERY_CSV}.tmp")));
        let io = |e: std::io::Error| AnalyzeError { message: format!("{}: {e}", path.display()), input: false };
        std::fs::write(&tmp, self.csv()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(path)
    }

    fn box_json(&self, i: usize) -> serde_json::Value {
        let b = &self.trajectory[i];
        let limits: Vec<serde_json::Value> = b
            .restricted
            .iter()
            .map(|j| match &b.limits[*j] {
                Limit::Range(lo, hi) => json!({"parameter": self.dimensions[*j].name, "lower": lo, "upper": hi}),
                Limit::Set(_) => json!({"parameter": self.dimensions[*j].name, "values": self.limit_text(*j, &b.limits[*j]).split(", ").collect::<Vec<_>>()}),
            })
            .collect();
        json!({"box": i, "stage": b.stage.name(), "coverage": b.coverage, "density": b.density, "mass": b.mass, "runs": b.runs, "cases": b.cases, "restricted": limits})
    }

    /// The discovery as JSON.
    pub fn json(&self) -> serde_json::Value {
        let o = &self.options;
        json!({
            "case": self.case.text,
            "outcome": self.case.outcome,
            "runs": self.runs,
            "cases": self.cases,
            "options": {"peel_alpha": o.peel_alpha, "paste_alpha": o.paste_alpha, "min_mass": o.min_mass, "threshold": o.threshold},
            "parameters": self.dimensions.iter().map(|d| d.name.clone()).collect::<Vec<_>>(),
            "trajectory": (0..self.trajectory.len()).map(|i| self.box_json(i)).collect::<Vec<_>>(),
            "chosen": self.chosen,
            "rule": self.rule,
        })
    }

    /// A readable report: the trajectory, then the chosen box's restrictions.
    pub fn table(&self) -> String {
        let o = &self.options;
        let mut out = format!(
            "PRIM on {}: {} runs, {} cases ({:.1}%); peel alpha {}, paste alpha {}, min mass {}, threshold {}\n\npeeling trajectory:\n  {:>4}  {:<6}  {:>8}  {:>8}  {:>6}  {:>7}  restricted\n",
            self.case.text,
            self.runs,
            self.cases,
            100.0 * self.cases as f64 / self.runs as f64,
            o.peel_alpha,
            o.paste_alpha,
            o.min_mass,
            o.threshold,
            "box",
            "stage",
            "coverage",
            "density",
            "mass",
            "runs",
        );
        for (i, b) in self.trajectory.iter().enumerate() {
            let mark = if i == self.chosen { "  <- chosen" } else { "" };
            let _ = writeln!(
                out,
                "  {i:>4}  {:<6}  {:>8.3}  {:>8.3}  {:>6.3}  {:>7}  {}{mark}",
                b.stage.name(),
                b.coverage,
                b.density,
                b.mass,
                b.runs,
                b.restricted.len()
            );
        }
        let b = &self.trajectory[self.chosen];
        let _ = writeln!(
            out,
            "\nchosen box {} ({}): coverage {:.3}, density {:.3}, mass {:.3} ({} runs, {} cases)",
            self.chosen, self.rule, b.coverage, b.density, b.mass, b.runs, b.cases
        );
        let rows = self.restrictions(self.chosen);
        if rows.is_empty() {
            let _ = writeln!(out, "  it restricts no parameter");
        }
        let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        for (name, inside, all) in rows {
            let _ = writeln!(out, "  {name:<width$}  {inside}   (all runs: {all})");
        }
        out
    }
}

impl Discovery {
    /// The report's figure: the peeling trajectory as coverage against density, the chosen box
    /// marked.
    pub fn figure(&self) -> crate::analysis::figures::Figure {
        use crate::analysis::figures::{Figure, Plot};
        Figure {
            id: "prim-trajectory".into(),
            title: format!("Scenario discovery for {}: the peeling trajectory", self.case.text),
            x_label: "coverage (share of all cases in the box)".into(),
            y_label: "density (share of the box's runs that are cases)".into(),
            plot: Plot::Scatter {
                points: self.trajectory.iter().enumerate().map(|(i, b)| (b.coverage, b.density, format!("box {i}"))).collect(),
                path: true,
                highlight: Some((self.chosen, format!("chosen box {}", self.chosen))),
                ranges: Some(((0.0, 1.0), (0.0, 1.0))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_emas() {
        // Values from EMA Workbench's get_quantile on the same data.
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(&d, 0.05), 1.5);
        assert_eq!(quantile(&d, 0.95), 9.5);
        let ties = [1.0, 1.0, 1.0, 2.0, 3.0];
        assert_eq!(quantile(&ties, 0.05), 1.5);
        assert_eq!(quantile(&[4.0, 4.0, 4.0], 0.95), 4.0);
    }

    #[test]
    fn cases_parse_and_refuse_with_a_hint() {
        assert_eq!(Case::parse("armed_conflict").unwrap().test, Test::Happened);
        assert_eq!(Case::parse("casualties_military>100").unwrap().test, Test::Compare(Op::Greater, 100.0));
        assert_eq!(Case::parse("sanctions_days<=90").unwrap().test, Test::Compare(Op::LessEq, 90.0));
        assert_eq!(Case::parse("final_regime=Junta").unwrap().test, Test::Equals("Junta".into()));
        assert!(Case::parse("casualties_military").unwrap_err().contains("casualties_military>N"));
        assert!(Case::parse("nothing").unwrap_err().contains("is not an outcome"));
        assert!(Case::parse("final_regime>3").unwrap_err().contains("not a number"));
        let c = Case::parse("casualties_military>=10").unwrap();
        assert!(c.holds("10") && !c.holds("9") && !c.holds(""));
        assert!(Case::parse("intervention_launched_day").unwrap().holds("40"));
        assert!(!Case::parse("intervention_launched_day").unwrap().holds(""));
    }

    /// An integer is peeled as EMA's discrete peel does: at a whole value (the quantile cut
    /// towards zero), and past the box's own bound when the cut falls on it.
    #[test]
    fn integers_peel_at_whole_values() {
        let dim = Dimension { name: "days".into(), kind: Kind::Integer, values: (0..100).map(|i| (i / 10) as f64).collect() };
        let members: Vec<usize> = (0..100).collect();
        let c = peels(&dim, 0, &[Limit::Range(0.0, 9.0)], &members, 0.05);
        assert_eq!((c[0].0[0].clone(), c[0].1.len()), (Limit::Range(0.0, 8.0), 90), "the upper cut, 8.5, is 8");
        assert_eq!(
            (c[1].0[0].clone(), c[1].1.len()),
            (Limit::Range(1.0, 9.0), 90),
            "the lower cut, 0.5, is 0: the bound itself, so 0 goes"
        );
    }

    /// Cases where x > 0.7 and the word is "b": the box finds both restrictions, and the noise
    /// parameter is left alone.
    #[test]
    fn peeling_finds_the_box_of_the_cases() {
        let n = 2000;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect();
        let noise: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 1000) as f64).collect();
        let word: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let y: Vec<bool> = (0..n).map(|i| x[i] > 0.7 && word[i] == 1.0).collect();
        let dims = vec![
            Dimension { name: "x".into(), kind: Kind::Real, values: x },
            Dimension { name: "noise".into(), kind: Kind::Integer, values: noise },
            Dimension { name: "w".into(), kind: Kind::Words(vec!["a".into(), "b".into(), "c".into()]), values: word },
        ];
        let t = trajectory(&dims, &y, &Options::default());
        let (chosen, _) = choose(&t, 0.8);
        let b = &t[chosen];
        assert!(b.density >= 0.8 && b.coverage > 0.8, "{b:?}");
        assert_eq!(b.restricted, [0, 2]);
        let Limit::Range(lo, _) = b.limits[0] else { panic!() };
        assert!((lo - 0.7).abs() < 0.03, "{lo}");
        assert_eq!(b.limits[2], Limit::Set(vec![1]));
        assert_eq!(t, trajectory(&dims, &y, &Options::default()), "deterministic");
        assert!(t.windows(2).all(|w| w[1].mass <= w[0].mass || w[1].stage == Stage::Paste));
    }
}
