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

pub mod error;
pub mod exec;
pub mod folder;
pub mod merge;
pub mod prefix;
pub mod validate;

pub use error::SweepError;

/// How a swept parameter's values are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Spec {
    /// Explicit values `a,b,c` (numbers or words such as regime names).
    List(Vec<String>),
    /// `lo..hi:n`: n evenly spaced values.
    Steps {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
        /// Number of values (at least 2, or 1 for `lo` alone).
        n: u32,
    },
    /// `lo..hi`: a range for sampled designs.
    Range {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
    },
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
        Plan { scenario, params: vec![], set: vec![], design: Design::Grid, runs: 1, seed: 0 }
    }
}

/// A plan problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// Parses a SPEC: `a,b,c`, `lo..hi:n` or `lo..hi`.
pub fn parse_spec(text: &str) -> Result<Spec, PlanError> {
    let text = text.trim();
    let bad = |why: &str| PlanError(format!("bad SPEC {text:?}: {why}; expected a list a,b,c, steps lo..hi:n, or a range lo..hi"));
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

impl Spec {
    /// The values a grid or one-at-a-time design uses.
    pub fn values(&self) -> Result<Vec<String>, PlanError> {
        match self {
            Spec::List(v) => Ok(v.clone()),
            Spec::Steps { lo, hi, n } => Ok((0..*n)
                .map(|i| if *n == 1 { *lo } else { lo + (hi - lo) * f64::from(i) / f64::from(n - 1) })
                .map(|x| fmt_number((x * 1e12).round() / 1e12))
                .collect()),
            Spec::Range { .. } => {
                Err(PlanError("a range lo..hi needs a sampled design (--design random:N or lhs:N); give lo..hi:n for a grid".into()))
            }
        }
    }

    fn bounds(&self) -> Result<(f64, f64), PlanError> {
        match self {
            Spec::Range { lo, hi } | Spec::Steps { lo, hi, .. } => Ok((*lo, *hi)),
            Spec::List(_) => Err(PlanError("sampled designs need ranges lo..hi, not lists".into())),
        }
    }
}

/// Parses `grid`, `oat`, `random:N`, `lhs:N`.
pub fn parse_design(text: &str) -> Result<Design, PlanError> {
    let bad = || PlanError(format!("bad design {text:?}: expected grid, oat, random:N or lhs:N"));
    match text.trim() {
        "grid" => Ok(Design::Grid),
        "oat" => Ok(Design::Oat),
        other => {
            let (kind, n) = other.split_once(':').ok_or_else(bad)?;
            let n: u32 = n.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(bad());
            }
            match kind {
                "random" => Ok(Design::Random(n)),
                "lhs" => Ok(Design::Lhs(n)),
                _ => Err(bad()),
            }
        }
    }
}

/// One design point: the value of each swept parameter, in plan order.
pub type Point = Vec<(String, String)>;

/// Most design points a plan may expand to.
pub const MAX_POINTS: usize = 1_000_000;

/// Expands a plan into its design points. `baseline` gives each parameter's value when not
/// varied (for one-at-a-time designs).
pub fn expand(plan: &Plan, baseline: impl Fn(&str) -> String) -> Result<Vec<Point>, PlanError> {
    if plan.params.is_empty() {
        return Ok(vec![vec![]]);
    }
    let specs: Vec<(String, Spec)> = plan.params.iter().map(|(n, s)| Ok((n.clone(), parse_spec(s)?))).collect::<Result<_, PlanError>>()?;
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
    match plan.design {
        Design::Grid => grid_points(&specs),
        Design::Oat => one_at_a_time_points(&specs, baseline),
        Design::Random(n) | Design::Lhs(n) => sampled_points(&specs, n as usize, matches!(plan.design, Design::Lhs(_)), plan.seed),
    }
}

/// Every combination of the parameters' values, the last parameter varying fastest.
fn grid_points(specs: &[(String, Spec)]) -> Result<Vec<Point>, PlanError> {
    let mut points: Vec<Point> = vec![vec![]];
    for (name, spec) in specs {
        let values = spec.values()?;
        if points.len().saturating_mul(values.len()) > MAX_POINTS {
            return Err(PlanError(format!("the grid has more than {MAX_POINTS} points")));
        }
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((name.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// The baseline, then each parameter's other values with the rest at baseline.
fn one_at_a_time_points(specs: &[(String, Spec)], baseline: impl Fn(&str) -> String) -> Result<Vec<Point>, PlanError> {
    let base: Point = specs.iter().map(|(n, _)| (n.clone(), baseline(n))).collect();
    let mut points = vec![base.clone()];
    for (i, (_, spec)) in specs.iter().enumerate() {
        for v in spec.values()? {
            if v != base[i].1 {
                let mut q = base.clone();
                q[i].1 = v;
                points.push(q);
            }
        }
    }
    Ok(points)
}

/// `n` points, each parameter drawn uniformly in its range; for a Latin hypercube (`lhs`), one
/// point in each of `n` strata of every parameter.
fn sampled_points(specs: &[(String, Spec)], n: usize, lhs: bool, seed: u64) -> Result<Vec<Point>, PlanError> {
    if n > MAX_POINTS {
        return Err(PlanError(format!("more than {MAX_POINTS} points")));
    }
    let draws = Draws::new(seed);
    let bounds: Vec<(f64, f64)> = specs.iter().map(|(_, s)| s.bounds()).collect::<Result<_, _>>()?;
    let mut points: Vec<Point> = vec![Vec::with_capacity(specs.len()); n];
    for (j, ((name, _), (lo, hi))) in specs.iter().zip(&bounds).enumerate() {
        // For a Latin hypercube, each parameter's strata are permuted independently.
        let perm: Vec<usize> = if lhs {
            let mut keyed: Vec<(u64, usize)> = (0..n).map(|i| (draws.bits(Purpose::SweepDesign, &[j as u64, i as u64, 1]), i)).collect();
            keyed.sort();
            keyed.into_iter().map(|(_, i)| i).collect()
        } else {
            (0..n).collect()
        };
        for (i, point) in points.iter_mut().enumerate() {
            let u = draws.uniform(Purpose::SweepDesign, &[j as u64, i as u64, 0]);
            let unit = if lhs { (perm[i] as f64 + u) / n as f64 } else { u };
            point.push((name.clone(), fmt_number(lo + (hi - lo) * unit)));
        }
    }
    Ok(points)
}

/// The seed of a replication: the same at every design point (common random numbers).
pub fn replication_seed(root: u64, replication: u64) -> u64 {
    mix64(root ^ mix64(replication.wrapping_add(0x5EED)))
}

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
}

/// An outcome's value as a CSV field: empty for null, a string as it is, anything else as JSON.
fn csv_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Row {
    /// The CSV header fields for rows of a plan with these swept names (runs.csv). Every CSV
    /// casus writes goes through the `csv` crate's writer with its default quoting: a field is
    /// quoted only when it holds a comma, a quote or a line break.
    pub fn csv_header(names: &[String], outcomes: &Outcomes) -> Vec<String> {
        let mut cols = vec!["run".to_string(), "point".into(), "replication".into(), "seed".into()];
        cols.extend(names.iter().cloned());
        cols.extend(outcome_columns(outcomes).into_iter().map(|(k, _)| k));
        cols
    }

    /// This row's CSV fields, in the order of [`Row::csv_header`].
    pub fn csv_record(&self) -> Vec<String> {
        let mut cols = vec![self.run.to_string(), self.point.to_string(), self.replication.to_string(), self.seed.to_string()];
        cols.extend(self.params.iter().map(|(_, v)| v.clone()));
        cols.extend(outcome_columns(&self.outcomes).iter().map(|(_, v)| csv_text(v)));
        cols
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
    fn add(&mut self, v: &serde_json::Value) {
        self.n += 1;
        let x = match v {
            serde_json::Value::Bool(b) => {
                self.happened += u64::from(*b);
                Some(if *b { 1.0 } else { 0.0 })
            }
            serde_json::Value::Number(n) => {
                self.happened += 1;
                n.as_f64()
            }
            _ => None,
        };
        if let Some(x) = x {
            self.count += 1;
            let d = x - self.mean;
            self.mean += d / self.count as f64;
            self.m2 += d * (x - self.mean);
        }
    }
}

/// Per-point, per-outcome statistics, accumulated row by row (memory: points x outcomes).
#[derive(Debug, Default)]
pub struct PointStats {
    points: BTreeMap<u64, (Point, BTreeMap<String, Acc>)>,
}

impl PointStats {
    /// Adds a row.
    pub fn add(&mut self, row: &Row) {
        let entry = self.points.entry(row.point).or_insert_with(|| (row.params.clone(), BTreeMap::new()));
        for (k, v) in outcome_columns(&row.outcomes) {
            if matches!(v, serde_json::Value::String(_)) {
                continue; // categorical (final_regime, intervention_outcome, outcome_class): see runs.csv
            }
            entry.1.entry(k).or_default().add(&v);
        }
    }

    /// `points.csv`: point, swept values, outcome, runs, happened (share of runs where a
    /// boolean was true or a day outcome happened; 1 for plain numbers), and the mean, standard
    /// deviation and 95% confidence interval of the mean (normal approximation) over the runs
    /// with a value (for booleans, all runs: the mean is the share true).
    pub fn csv(&self, names: &[String]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["point".to_string()];
        header.extend(names.iter().cloned());
        header.extend(["outcome", "runs", "happened", "mean", "sd", "ci95_low", "ci95_high"].map(String::from));
        w.write_record(&header).expect("in-memory write");
        let round = |x: f64| (x * 1e9).round() / 1e9;
        for (point, (params, accs)) in &self.points {
            for (outcome, a) in accs {
                let happened = if a.n > 0 { a.happened as f64 / a.n as f64 } else { 0.0 };
                let sd = if a.count > 1 { (a.m2 / (a.count - 1) as f64).sqrt() } else { 0.0 };
                let half = if a.count > 0 { 1.96 * sd / (a.count as f64).sqrt() } else { 0.0 };
                let num = |x: f64| if a.count == 0 { String::new() } else { format!("{}", round(x)) };
                let mut record = vec![point.to_string()];
                record.extend(params.iter().map(|(_, v)| v.clone()));
                record.extend([outcome.clone(), a.n.to_string(), format!("{}", round(happened))]);
                record.extend([num(a.mean), num(sd), num(a.mean - half), num(a.mean + half)]);
                w.write_record(&record).expect("in-memory write");
            }
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
            let p: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
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
        }
    }

    #[test]
    fn specs_parse_and_expand() {
        assert_eq!(parse_spec("0.2,0.5,0.8").unwrap().values().unwrap(), ["0.2", "0.5", "0.8"]);
        assert_eq!(parse_spec("0..1:5").unwrap().values().unwrap(), ["0", "0.25", "0.5", "0.75", "1"]);
        assert_eq!(parse_spec("1000..3000:3").unwrap().values().unwrap(), ["1000", "2000", "3000"]);
        assert!(parse_spec("0..1").unwrap().values().is_err());
        for bad in ["1..0:3", "a..1:2", "0..1:0", "0..1:x", "1,,2", ""] {
            assert!(parse_spec(bad).is_err() || bad.is_empty(), "{bad}");
        }
    }

    #[test]
    fn grid_is_the_cartesian_product_in_plan_order() {
        let p = expand(&plan(&[("a", "1,2"), ("b", "x,y,z")], Design::Grid), |_| "0".into()).unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[1], vec![("a".to_string(), "1".to_string()), ("b".to_string(), "y".to_string())]);
    }

    #[test]
    fn one_at_a_time_varies_one_parameter_around_the_baseline() {
        let p = expand(&plan(&[("a", "1,2,3"), ("b", "7,8")], Design::Oat), |n| if n == "a" { "2".into() } else { "7".into() }).unwrap();
        let rows: Vec<String> = p.iter().map(|q| format!("{}{}", q[0].1, q[1].1)).collect();
        assert_eq!(rows, ["27", "17", "37", "28"]);
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let p = expand(&plan(&[("a", "0..1"), ("b", "10..20")], Design::Lhs(10)), |_| "0".into()).unwrap();
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
    fn csv_fields_are_quoted_only_when_they_must_be() {
        let prepared = crate::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).unwrap();
        let outcomes = crate::engine::run::run(&prepared, 1, Default::default()).unwrap().outcomes;
        let params: Point = vec![("a".into(), "1.5".into()), ("b".into(), "x,y".into()), ("c".into(), "say \"hi\"".into())];
        let row = Row { run: 7, point: 0, replication: 7, seed: 9, params, outcomes };
        let mut stats = PointStats::default();
        stats.add(&row);
        let names: Vec<String> = ["a", "b,c", "c"].map(String::from).to_vec();
        let text = stats.csv(&names);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("point,a,\"b,c\",c,outcome,runs,happened,mean,sd,ci95_low,ci95_high"));
        assert!(lines.all(|l| l.starts_with("0,1.5,\"x,y\",\"say \"\"hi\"\"\",")), "{text}");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(row.csv_record()).unwrap();
        let line = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert!(line.starts_with("7,0,7,9,1.5,\"x,y\",\"say \"\"hi\"\"\","), "{line}");
        assert_eq!(Row::csv_header(&names, &row.outcomes).len(), row.csv_record().len());
    }

    #[test]
    fn replications_share_seeds_across_points() {
        assert_eq!(address(7, 3), (2, 1));
        assert_ne!(replication_seed(1, 0), replication_seed(1, 1));
        assert_ne!(replication_seed(1, 0), replication_seed(2, 0));
    }
}
