//! `casus analyze`: the sensitivity indices of a finished Sobol or Morris sweep, per outcome,
//! read from the sweep folder through the same per-point statistics as points.csv
//! ([`crate::sweep::PointStats`], from runs.csv), and written as `sensitivity.csv` (and
//! `sensitivity_s2.csv` for second-order indices) in the folder.
//!
//! Each outcome is one number per design point: for a yes/no outcome the share of the point's
//! runs where it was true; for an outcome missing from some runs (an event that may not
//! happen, `*_day`, `sanctions_days`) the share of runs where it happened, and also, when it has
//! a value at every point, its mean over the runs with one; for any other number its mean over
//! the point's runs. An outcome with the same value at every point has no variance to
//! apportion and is listed as constant. Categorical outcomes (`final_regime`,
//! `intervention_outcome`, `outcome_class`) are not analysed.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::sweep::folder::{Manifest, read_manifest};
use crate::sweep::sensitivity::{self, Estimate, MorrisIndices, RESAMPLES, SobolIndices};
use crate::sweep::{Design, PointStats, Shard};

/// Why a folder could not be analysed: the message says what to do; `input` says whether the
/// folder given is at fault (exit 2) rather than the system (exit 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct AnalyzeError {
    /// The complete message.
    pub message: String,
    /// Whether the input is at fault.
    pub input: bool,
}

fn refuse(message: String) -> AnalyzeError {
    AnalyzeError { message, input: true }
}

/// What an outcome's number at a point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The share of runs where a yes/no outcome was true, or where an outcome that may be
    /// missing had a value.
    Probability,
    /// The mean over the point's runs.
    Mean,
}

impl Measure {
    /// Its name in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Probability => "probability",
            Measure::Mean => "mean",
        }
    }
}

/// The indices of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    /// Sobol indices.
    Sobol(SobolIndices),
    /// Morris measures.
    Morris(MorrisIndices),
}

/// One outcome's result.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeResult {
    /// The outcome's name (a runs.csv column).
    pub outcome: String,
    /// What its per-point number is.
    pub measure: Measure,
    /// Its indices, or None when it is the same at every point.
    pub indices: Option<Indices>,
}

/// A sweep's sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The design as on the command line (`sobol:256`, `morris:20:4`).
    pub design: String,
    /// The swept parameters, in plan order.
    pub parameters: Vec<String>,
    /// Design points.
    pub points: u64,
    /// Runs per point.
    pub runs: u32,
    /// One result per outcome analysed, in name order.
    pub outcomes: Vec<OutcomeResult>,
}

/// The file of first-order and total indices (or of Morris measures).
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// The file of second-order indices (designs `sobol:N:2` only).
pub const SECOND_ORDER_CSV: &str = "sensitivity_s2.csv";

/// The design as written on the command line.
pub fn design_text(design: Design) -> String {
    match design {
        Design::Grid => "grid".into(),
        Design::Oat => "oat".into(),
        Design::Random(n) => format!("random:{n}"),
        Design::Lhs(n) => format!("lhs:{n}"),
        Design::Sobol(n, 1) => format!("sobol:{n}"),
        Design::Sobol(n, order) => format!("sobol:{n}:{order}"),
        Design::Morris(r, levels) => format!("morris:{r}:{levels}"),
    }
}

/// The manifest of the finished, whole (not a shard) sweep in `dir`; refuses anything else.
pub fn finished_manifest(dir: &Path) -> Result<Manifest, AnalyzeError> {
    let manifest_path = dir.join("manifest.json");
    let manifest: Manifest = match read_manifest(&manifest_path) {
        Err(_) => {
            return Err(refuse(format!(
                "{} is not a sweep folder (it has no manifest.json); give the --out folder of a casus sweep",
                dir.display()
            )));
        }
        Ok(Err(e)) => return Err(refuse(format!("{}: {e}", manifest_path.display()))),
        Ok(Ok(m)) => m,
    };
    if manifest.shard != Shard::whole() {
        return Err(refuse(format!(
            "{} is shard {}/{} of a sweep; merge the shards first (casus merge DIR... --out DIR) and analyze the merged folder",
            dir.display(),
            manifest.shard.k,
            manifest.shard.n
        )));
    }
    if manifest.status != "complete" {
        return Err(refuse(format!(
            "{}: the sweep is not finished (its manifest says {:?}); finish it with the same casus sweep command and --resume, then analyze",
            dir.display(),
            manifest.status
        )));
    }
    Ok(manifest)
}

/// Analyses the sweep in `dir`: every outcome, or those named in `only`. Refuses a folder that
/// is not a finished, whole (not a shard) Sobol or Morris sweep.
pub fn analyze(dir: &Path, only: &[String]) -> Result<Analysis, AnalyzeError> {
    let manifest = finished_manifest(dir)?;
    let plan = &manifest.plan;
    let design = plan.design;
    if !matches!(design, Design::Sobol(..) | Design::Morris(..)) {
        return Err(refuse(format!(
            "{}: the sweep's design is {}; casus analyze needs a sensitivity design: sweep with --design sobol:N (or sobol:N:2) or morris:R (in a plan file, design: Sobol(N) or Morris(R)); scenario discovery (--discover OUTCOME) takes any design",
            dir.display(),
            design_text(design)
        )));
    }
    let parameters = manifest.names();
    let unit = sensitivity::unit_design(design, parameters.len(), plan.seed).map_err(|e| refuse(format!("{}: {e}", dir.display())))?;
    if unit.len() as u64 != manifest.points {
        return Err(refuse(format!(
            "{}: the manifest says {} points, but its plan's design has {}",
            dir.display(),
            manifest.points,
            unit.len()
        )));
    }
    let stats = crate::sweep::folder::stats_of(dir, &manifest).map_err(|e| refuse(e.to_string()))?;
    check_complete(dir, &stats, &manifest)?;
    // Outcomes with a number (or none) in every run: a categorical outcome's words are not
    // counted, so its runs fall short wherever it had one.
    let runs = u64::from(plan.runs);
    let names: Vec<String> = stats
        .points
        .values()
        .next()
        .map(|(_, accs)| {
            accs.keys().filter(|k| stats.points.values().all(|(_, a)| a.get(*k).is_some_and(|a| a.n == runs))).cloned().collect()
        })
        .unwrap_or_default();
    for name in only {
        if !names.contains(name) {
            return Err(refuse(format!("--outcome {name}: the sweep has no such outcome; analysable outcomes are {}", names.join(", "))));
        }
    }
    let mut outcomes = vec![];
    for name in names.iter().filter(|n| only.is_empty() || only.contains(n)) {
        let accs: Vec<_> = stats.points.values().map(|(_, accs)| &accs[name]).collect();
        // A boolean counts its true runs in `happened`; a number every run with a value.
        let boolean = accs.iter().any(|a| a.happened != a.count);
        let missing = accs.iter().any(|a| a.count < a.n);
        let mut variants: Vec<(Measure, Vec<f64>)> = vec![];
        if missing {
            variants.push((Measure::Probability, accs.iter().map(|a| a.happened as f64 / a.n as f64).collect()));
        }
        if !missing || accs.iter().all(|a| a.count > 0) {
            let measure = if boolean { Measure::Probability } else { Measure::Mean };
            variants.push((measure, accs.iter().map(|a| a.mean).collect()));
        }
        for (measure, y) in variants {
            let fail = |e: String| refuse(format!("{}: {name}: {e}", dir.display()));
            let indices = match design {
                Design::Sobol(_, order) => {
                    sensitivity::sobol_indices(&y, parameters.len(), order == 2, plan.seed).map_err(fail)?.map(Indices::Sobol)
                }
                Design::Morris(_, levels) => {
                    let m = sensitivity::morris_indices(&unit, &y, parameters.len(), levels, plan.seed).map_err(fail)?;
                    let constant = y.iter().all(|v| *v == y[0]);
                    (!constant).then_some(Indices::Morris(m))
                }
                _ => None,
            };
            outcomes.push(OutcomeResult { outcome: name.clone(), measure, indices });
        }
    }
    Ok(Analysis { design: design_text(design), parameters, points: manifest.points, runs: plan.runs, outcomes })
}

/// Refuses a sweep whose saved runs are not every run of every point.
fn check_complete(dir: &Path, stats: &PointStats, manifest: &Manifest) -> Result<(), AnalyzeError> {
    let runs = u64::from(manifest.plan.runs);
    // A point's runs: those of its numeric outcomes (a categorical one counts only its empty runs).
    let runs_at = |accs: &std::collections::BTreeMap<String, crate::sweep::Acc>| accs.values().map(|a| a.n).max().unwrap_or(0);
    let bad_point = (0..manifest.points).find(|p| stats.points.get(p).is_none_or(|(_, accs)| runs_at(accs) != runs));
    if stats.points.len() as u64 != manifest.points || bad_point.is_some() {
        let saved: u64 = stats.points.values().map(|(_, accs)| runs_at(accs)).sum();
        return Err(refuse(format!(
            "{}: runs.csv holds {saved} runs, not the {} of {} points x {runs} runs{}; the sweep is incomplete: finish it with the same casus sweep command and --resume",
            dir.display(),
            manifest.total_runs,
            manifest.points,
            bad_point.map(|p| format!(" (point {p} is short)")).unwrap_or_default()
        )));
    }
    Ok(())
}

/// A number for the CSV files: rounded to 9 decimals.
fn num(x: f64) -> String {
    let x = (x * 1e9).round() / 1e9;
    format!("{}", if x == 0.0 { 0.0 } else { x })
}

impl Analysis {
    /// `sensitivity.csv`: one row per outcome and parameter. Sobol: `outcome, measure,
    /// parameter, S1, S1_conf, ST, ST_conf`; Morris: `outcome, measure, parameter, mu_star,
    /// mu_star_conf, mu, sigma`. `*_conf` is the half-width of the 95% interval. Constant
    /// outcomes have no rows.
    pub fn csv(&self) -> String {
        let morris = self.design.starts_with("morris");
        let mut w = csv::Writer::from_writer(Vec::new());
        let header: &[&str] = if morris { &["mu_star", "mu_star_conf", "mu", "sigma"] } else { &["S1", "S1_conf", "ST", "ST_conf"] };
        let mut head = vec!["outcome", "measure", "parameter"];
        head.extend(header);
        w.write_record(&head).expect("in-memory write");
        for o in &self.outcomes {
            for (j, p) in self.parameters.iter().enumerate() {
                let values = match &o.indices {
                    Some(Indices::Sobol(s)) => [s.first[j].value, s.first[j].conf, s.total[j].value, s.total[j].conf],
                    Some(Indices::Morris(m)) => [m.mu_star[j].value, m.mu_star[j].conf, m.mu[j], m.sigma[j]],
                    None => continue,
                };
                let mut record = vec![o.outcome.clone(), o.measure.name().into(), p.clone()];
                record.extend(values.map(num));
                w.write_record(&record).expect("in-memory write");
            }
        }
        String::from_utf8(w.into_inner().expect("in-memory write")).expect("the fields are text")
    }

    /// `sensitivity_s2.csv`, for a design with second-order indices: `outcome, measure,
    /// parameter, parameter2, S2, S2_conf`, one row per outcome and pair.
    pub fn second_order_csv(&self) -> Option<String> {
        if !self.design.ends_with(":2") || !self.design.starts_with("sobol") {
            return None;
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["outcome", "measure", "parameter", "parameter2", "S2", "S2_conf"]).expect("in-memory write");
        for o in &self.outcomes {
            if let Some(Indices::Sobol(s)) = &o.indices {
                for (j, k, e) in &s.second {
                    let record = [
                        o.outcome.clone(),
                        o.measure.name().into(),
                        self.parameters[*j].clone(),
                        self.parameters[*k].clone(),
                        num(e.value),
                        num(e.conf),
                    ];
                    w.write_record(&record).expect("in-memory write");
                }
            }
        }
        Some(String::from_utf8(w.into_inner().expect("in-memory write")).expect("the fields are text"))
    }

    /// Writes the CSV files into the sweep folder (each under a temporary name, renamed into
    /// place); returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, AnalyzeError> {
        let mut written = vec![];
        for (name, text) in [(SENSITIVITY_CSV, Some(self.csv())), (SECOND_ORDER_CSV, self.second_order_csv())] {
            let Some(text) = text else { continue };
            let (path, tmp) = (dir.join(name), dir.join(format!(".{name}.tmp")));
            let io = |e: std::io::Error| AnalyzeError { message: format!("{}: {e}", path.display()), input: false };
            fs::write(&tmp, text).map_err(io)?;
            fs::rename(&tmp, &path).map_err(io)?;
            written.push(path);
        }
        Ok(written)
    }

    /// The analysis as JSON.
    pub fn json(&self) -> serde_json::Value {
        let est = |e: &Estimate| (e.value, e.conf);
        let outcomes: Vec<serde_json::Value> = self
            .outcomes
            .iter()
            .filter_map(|o| {
                let indices = o.indices.as_ref()?;
                let rows: Vec<serde_json::Value> = match indices {
                    Indices::Sobol(s) => self
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(j, p)| {
                            let ((s1, s1c), (st, stc)) = (est(&s.first[j]), est(&s.total[j]));
                            json!({"parameter": p, "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc})
                        })
                        .collect(),
                    Indices::Morris(m) => self
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(j, p)| {
                            json!({"parameter": p, "mu_star": m.mu_star[j].value, "mu_star_conf": m.mu_star[j].conf, "mu": m.mu[j], "sigma": m.sigma[j]})
                        })
                        .collect(),
                };
                let mut v = json!({"outcome": o.outcome, "measure": o.measure.name(), "parameters": rows});
                if let Indices::Sobol(s) = indices
                    && !s.second.is_empty()
                {
                    v["second_order"] = s
                        .second
                        .iter()
                        .map(|(j, k, e)| json!({"parameters": [self.parameters[*j], self.parameters[*k]], "S2": e.value, "S2_conf": e.conf}))
                        .collect();
                }
                Some(v)
            })
            .collect();
        let constant: Vec<serde_json::Value> = self
            .outcomes
            .iter()
            .filter(|o| o.indices.is_none())
            .map(|o| json!({"outcome": o.outcome, "measure": o.measure.name()}))
            .collect();
        json!({
            "design": self.design,
            "parameters": self.parameters,
            "points": self.points,
            "runs_per_point": self.runs,
            "resamples": RESAMPLES,
            "outcomes": outcomes,
            "constant": constant,
        })
    }

    /// A readable table: per outcome, the parameters from the most to the least influential
    /// (by total index, or by mu*), each index with its 95% interval as `± half-width`.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} over {} parameters: {} points x {} runs; 95% intervals (±) from {RESAMPLES} bootstrap resamples\n",
            self.design,
            self.parameters.len(),
            self.points,
            self.runs
        );
        let width = self.parameters.iter().map(String::len).max().unwrap_or(9).max(9);
        let pm = |e: &Estimate| format!("{:.3} ± {:.3}", e.value, e.conf);
        for o in &self.outcomes {
            let Some(indices) = &o.indices else { continue };
            let _ = writeln!(out, "\n{} ({})", o.outcome, o.measure.name());
            match indices {
                Indices::Sobol(s) => {
                    let _ = writeln!(out, "  {:<width$}  {:>15}  {:>15}", "parameter", "S1", "ST");
                    let mut order: Vec<usize> = (0..self.parameters.len()).collect();
                    order.sort_by(|a, b| s.total[*b].value.total_cmp(&s.total[*a].value));
                    for j in order {
                        let _ = writeln!(out, "  {:<width$}  {:>15}  {:>15}", self.parameters[j], pm(&s.first[j]), pm(&s.total[j]));
                    }
                    if !s.second.is_empty() {
                        let _ = writeln!(out, "  second order (S2), largest first:");
                        let mut pairs: Vec<&(usize, usize, Estimate)> = s.second.iter().collect();
                        pairs.sort_by(|a, b| b.2.value.total_cmp(&a.2.value));
                        for (j, k, e) in pairs {
                            let _ = writeln!(out, "  {:<width$}  {}", format!("{} x {}", self.parameters[*j], self.parameters[*k]), pm(e));
                        }
                    }
                }
                Indices::Morris(m) => {
                    let _ = writeln!(out, "  {:<width$}  {:>15}  {:>9}  {:>9}", "parameter", "mu*", "mu", "sigma");
                    let mut order: Vec<usize> = (0..self.parameters.len()).collect();
                    order.sort_by(|a, b| m.mu_star[*b].value.total_cmp(&m.mu_star[*a].value));
                    for j in order {
                        let _ = writeln!(
                            out,
                            "  {:<width$}  {:>15}  {:>9.3}  {:>9.3}",
                            self.parameters[j],
                            pm(&m.mu_star[j]),
                            m.mu[j],
                            m.sigma[j]
                        );
                    }
                }
            }
        }
        let constant: Vec<String> =
            self.outcomes.iter().filter(|o| o.indices.is_none()).map(|o| format!("{} ({})", o.outcome, o.measure.name())).collect();
        if !constant.is_empty() {
            let _ = writeln!(out, "\nthe same at every point (no indices): {}", constant.join(", "));
        }
        out
    }
}

impl Analysis {
    /// The report's figures: per outcome with indices (not all zero), its Sobol indices (S1 and ST with their
    /// 95% intervals, parameters by ST, largest first) as bars, or its Morris measures as mu*
    /// against sigma.
    pub fn figures(&self) -> Vec<crate::analysis::figures::Figure> {
        use crate::analysis::figures::{Figure, Plot};
        let mut out = vec![];
        for o in &self.outcomes {
            let name = crate::analysis::outcome_text::outcome_label(&o.outcome, "the focus");
            let id = format!("{}-{}", o.outcome, o.measure.name());
            // An outcome whose indices are all zero would draw an empty chart: it is left out.
            let zero = |e: &[Estimate]| e.iter().all(|e| e.value.abs() < 1e-12 && e.conf.abs() < 1e-12);
            match &o.indices {
                Some(Indices::Sobol(s)) if zero(&s.first) && zero(&s.total) => {}
                Some(Indices::Morris(m)) if zero(&m.mu_star) && m.sigma.iter().all(|v| v.abs() < 1e-12) => {}
                Some(Indices::Sobol(s)) => {
                    let mut order: Vec<usize> = (0..self.parameters.len()).collect();
                    order.sort_by(|a, b| s.total[*b].value.total_cmp(&s.total[*a].value));
                    let pick = |e: &[Estimate]| order.iter().map(|j| (e[*j].value, e[*j].conf)).collect::<Vec<_>>();
                    out.push(Figure {
                        id: format!("sobol-{id}"),
                        title: format!("{name} ({}): Sobol indices", o.measure.name()),
                        x_label: "share of the outcome's variance".into(),
                        y_label: String::new(),
                        plot: Plot::Bars {
                            labels: order.iter().map(|j| self.parameters[*j].clone()).collect(),
                            series: vec![("first order (S1)".into(), pick(&s.first)), ("total (ST)".into(), pick(&s.total))],
                        },
                    });
                }
                Some(Indices::Morris(m)) => out.push(Figure {
                    id: format!("morris-{id}"),
                    title: format!("{name} ({}): Morris mu* against sigma", o.measure.name()),
                    x_label: "mu* (mean absolute elementary effect)".into(),
                    y_label: "sigma".into(),
                    plot: Plot::Scatter {
                        points: (0..self.parameters.len()).map(|j| (m.mu_star[j].value, m.sigma[j], self.parameters[j].clone())).collect(),
                        path: false,
                        highlight: None,
                        ranges: None,
                    },
                }),
                None => {}
            }
        }
        out
    }
}
