//! `casus validate`: runs every case of a casebook many times with one parameter set and scores
//! the runs against each case's historical record (its `expect` block, [`Expectation`]).
//!
//! Per case: the share of runs in each outcome class, the modal class against history, the day
//! checks (the median day over the runs where the step happened, within the tolerance, and the
//! step happening in at least half the runs), the measure checks (taken in at least half the
//! runs, or not taken in more than half), and two proper scores of the class forecast: the
//! Brier score and the log score. A case passes when all its checks pass.
//!
//! Run `i` of a case uses seed `case_run_seed(root, i)` with the case's own seed as root
//! (or `--seed`), so the scorecard depends only on the cases, the runs and the overrides: not
//! on the number of threads.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::engine::run::run_with;
use crate::engine::{Limits, RunError};
use crate::fold::outcomes::{Happened, Outcomes};
use crate::model::draw::mix64;
use crate::model::expect::{Expectation, OutcomeClass};
use crate::model::prepared::Prepared;

/// The seed of run `i` of a case: the sweeps' mix of (root, i) over its full 64 bits, as before
/// sweeps kept their seeds below 2^63. A scorecard writes no per-run seed, so the calibrated
/// scorecard (docs/casebook.md) is kept as it is.
fn case_run_seed(root: u64, i: u64) -> u64 {
    mix64(root ^ mix64(i.wrapping_add(0x5EED)))
}

/// A case ready to run: the scenario prepared with the overrides, and its record.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file it came from, as given.
    pub file: String,
    /// The prepared scenario.
    pub prepared: Prepared,
    /// Its historical record.
    pub expect: Expectation,
}

/// What is wrong with a case's record (the path of the field and what is wrong).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The field, e.g. `expect.days.suspension_dya`.
    pub path: String,
    /// What is wrong, with a hint.
    pub message: String,
}

impl Case {
    /// A case from a prepared scenario; errors name the offending field of its `expect` block.
    pub fn new(file: String, prepared: Prepared) -> Result<Case, Vec<RecordError>> {
        let Some(expect) = prepared.scenario.expect.clone() else {
            return Err(vec![RecordError {
                path: "expect".into(),
                message: "the scenario has no `expect` block (its historical record); see docs/casebook.md for the format".into(),
            }]);
        };
        let errors = check_record(&expect, prepared.scenario.horizon_days);
        if errors.is_empty() { Ok(Case { file, prepared, expect }) } else { Err(errors) }
    }
}

fn check_record(e: &Expectation, horizon: u32) -> Vec<RecordError> {
    let mut errors = Vec::new();
    let known = Outcomes::happened_names().collect::<Vec<_>>().join(", ");
    let is_known = |name: &str| Outcomes::happened_names().any(|n| n == name);
    let unknown = |path: String, name: &str| RecordError {
        path,
        message: format!("`{name}` is not a standard outcome that is a day or a yes/no answer (one of: {known})"),
    };
    for (name, check) in &e.days {
        if !name.ends_with("_day") || !is_known(name) {
            errors.push(unknown(format!("expect.days.{name}"), name));
        } else if check.day > horizon {
            errors.push(RecordError {
                path: format!("expect.days.{name}.day"),
                message: format!("day {} is after the horizon ({horizon}); lengthen horizon_days or drop the check", check.day),
            });
        }
    }
    for (list, names) in [("taken", &e.taken), ("not_taken", &e.not_taken)] {
        for (i, name) in names.iter().enumerate() {
            if !is_known(name) {
                errors.push(unknown(format!("expect.{list}[{i}]"), name));
            }
        }
    }
    for name in e.taken.iter().filter(|n| e.not_taken.contains(n)) {
        errors.push(RecordError { path: "expect.not_taken".into(), message: format!("`{name}` is listed as both taken and not taken") });
    }
    errors
}

/// One day check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayScore {
    /// The day outcome.
    pub outcome: String,
    /// The historical day.
    pub day: u32,
    /// The tolerance in days.
    pub tolerance: u32,
    /// Share of runs where the step happened.
    pub share: f64,
    /// Median day over those runs.
    pub median: Option<f64>,
    /// Whether the check passed.
    pub ok: bool,
}

/// One measure check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureScore {
    /// The outcome.
    pub outcome: String,
    /// Whether history took it.
    pub taken: bool,
    /// Share of runs that took it.
    pub share: f64,
    /// Whether the check passed.
    pub ok: bool,
}

/// One case's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseScore {
    /// The file.
    pub file: String,
    /// The scenario's name.
    pub name: String,
    /// Runs.
    pub runs: u32,
    /// The seed run `i` derives from.
    pub root_seed: u64,
    /// Share of runs in each class that occurred, in class order.
    pub shares: BTreeMap<OutcomeClass, f64>,
    /// The most frequent class (ties go to the earlier class in `OutcomeClass::ALL`).
    pub modal: OutcomeClass,
    /// The historical class.
    pub expected: OutcomeClass,
    /// Other classes accepted as historical.
    pub also: Vec<OutcomeClass>,
    /// Whether the modal class is accepted.
    pub class_ok: bool,
    /// Share of runs in an accepted class.
    pub accepted_share: f64,
    /// Brier score: squared distance between the class shares and history (accepted classes
    /// counted as one), from 0 (certain and right) to 2 (certain and wrong).
    pub brier: f64,
    /// Log score: minus the natural log of the accepted share, smoothed as (k + 1/2) / (n + 1)
    /// so a class never seen costs a finite amount. Lower is better.
    pub log_score: f64,
    /// Day checks.
    pub days: Vec<DayScore>,
    /// Measure checks.
    pub measures: Vec<MeasureScore>,
    /// Whether every check passed.
    pub pass: bool,
}

/// The scorecard's summary line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Cases.
    pub cases: usize,
    /// Cases whose modal class matches history.
    pub class_ok: usize,
    /// Cases whose day checks all pass (cases without day checks count as passing).
    pub days_ok: usize,
    /// Cases whose measure checks all pass.
    pub measures_ok: usize,
    /// Cases passing every check.
    pub pass: usize,
    /// Mean Brier score.
    pub mean_brier: f64,
    /// Mean log score.
    pub mean_log_score: f64,
}

/// Every case's scores and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// Runs per case.
    pub runs: u32,
    /// Overrides applied to every case.
    pub overrides: Vec<(String, String)>,
    /// Per case, in the order given.
    pub cases: Vec<CaseScore>,
    /// The summary.
    pub totals: Totals,
}

impl Scorecard {
    /// Whether every case passed.
    pub fn all_pass(&self) -> bool {
        self.totals.pass == self.totals.cases
    }
}

/// Runs every case `runs` times on `jobs` threads and scores them. `seed` replaces each
/// case's own seed as the root of its runs' seeds.
pub fn validate(cases: &[Case], runs: u32, seed: Option<u64>, jobs: usize, limits: Limits) -> Result<Scorecard, (String, RunError)> {
    let total = cases.len() * runs as usize;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcomes>>> = Mutex::new((0..total).map(|_| None).collect());
    let failure: Mutex<Option<(usize, String, RunError)>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(total.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || failure.lock().expect("not poisoned").is_some() {
                        break;
                    }
                    let case = &cases[i / runs as usize];
                    let root = seed.unwrap_or(case.prepared.scenario.seed);
                    let run_seed = case_run_seed(root, (i % runs as usize) as u64);
                    match run_with(&case.prepared, run_seed, limits, false) {
                        Ok(out) => results.lock().expect("not poisoned")[i] = Some(out.outcomes),
                        Err(e) => {
                            let mut f = failure.lock().expect("not poisoned");
                            if f.as_ref().is_none_or(|(j, _, _)| i < *j) {
                                *f = Some((i, format!("{} (seed {run_seed})", case.file), e));
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some((_, what, e)) = failure.into_inner().expect("not poisoned") {
        return Err((what, e));
    }
    let samples: Vec<Outcomes> = results.into_inner().expect("not poisoned").into_iter().map(|s| s.expect("every run done")).collect();
    let scores: Vec<CaseScore> = cases
        .iter()
        .zip(samples.chunks(runs.max(1) as usize))
        .map(|(case, chunk)| score(case, chunk, seed.unwrap_or(case.prepared.scenario.seed)))
        .collect();
    let n = scores.len();
    let mean = |f: fn(&CaseScore) -> f64| if n == 0 { 0.0 } else { scores.iter().map(f).sum::<f64>() / n as f64 };
    let totals = Totals {
        cases: n,
        class_ok: scores.iter().filter(|c| c.class_ok).count(),
        days_ok: scores.iter().filter(|c| c.days.iter().all(|d| d.ok)).count(),
        measures_ok: scores.iter().filter(|c| c.measures.iter().all(|m| m.ok)).count(),
        pass: scores.iter().filter(|c| c.pass).count(),
        mean_brier: round6(mean(|c| c.brier)),
        mean_log_score: round6(mean(|c| c.log_score)),
    };
    Ok(Scorecard { runs, overrides: cases.first().map(|c| c.prepared.overrides.clone()).unwrap_or_default(), cases: scores, totals })
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn score(case: &Case, samples: &[Outcomes], root_seed: u64) -> CaseScore {
    let n = samples.len().max(1) as f64;
    let e = &case.expect;
    let mut counts: BTreeMap<OutcomeClass, usize> = BTreeMap::new();
    for s in samples {
        *counts.entry(s.outcome_class).or_default() += 1;
    }
    let modal =
        OutcomeClass::ALL.into_iter().max_by_key(|c| (counts.get(c).copied().unwrap_or(0), std::cmp::Reverse(c.index()))).expect("classes");
    let accepted = samples.iter().filter(|s| e.accepts(s.outcome_class)).count();
    let accepted_share = accepted as f64 / n;
    let others: f64 = counts.iter().filter(|(c, _)| !e.accepts(**c)).map(|(_, k)| (*k as f64 / n).powi(2)).sum();
    let brier = (1.0 - accepted_share).powi(2) + others;
    let log_score = -((accepted as f64 + 0.5) / (n + 1.0)).ln();
    let days: Vec<DayScore> = e.days.iter().map(|(name, check)| day_score(name, check.day, check.tolerance, samples)).collect();
    let measures: Vec<MeasureScore> = e
        .taken
        .iter()
        .map(|m| (m, true))
        .chain(e.not_taken.iter().map(|m| (m, false)))
        .map(|(name, taken)| {
            let share = samples.iter().filter(|s| s.happened(name).is_some_and(Happened::yes)).count() as f64 / n;
            MeasureScore { outcome: name.clone(), taken, share: round6(share), ok: if taken { share >= 0.5 } else { share < 0.5 } }
        })
        .collect();
    let class_ok = e.accepts(modal);
    let pass = class_ok && days.iter().all(|d| d.ok) && measures.iter().all(|m| m.ok);
    CaseScore {
        file: case.file.clone(),
        name: case.prepared.scenario.name.clone(),
        runs: samples.len() as u32,
        root_seed,
        shares: counts.iter().map(|(c, k)| (*c, round6(*k as f64 / n))).collect(),
        modal,
        expected: e.class,
        also: e.also.clone(),
        class_ok,
        accepted_share: round6(accepted_share),
        brier: round6(brier),
        log_score: round6(log_score),
        days,
        measures,
        pass,
    }
}

fn day_score(name: &str, day: u32, tolerance: u32, samples: &[Outcomes]) -> DayScore {
    let mut seen: Vec<u32> = samples
        .iter()
        .filter_map(|s| match s.happened(name) {
            Some(Happened::Day(d)) => d,
            _ => None,
        })
        .collect();
    seen.sort_unstable();
    let share = seen.len() as f64 / samples.len().max(1) as f64;
    let median = (!seen.is_empty()).then(|| {
        let m = seen.len() / 2;
        if seen.len() % 2 == 1 { f64::from(seen[m]) } else { (f64::from(seen[m - 1]) + f64::from(seen[m])) / 2.0 }
    });
    let ok = share >= 0.5 && median.is_some_and(|m| (m - f64::from(day)).abs() <= f64::from(tolerance));
    DayScore { outcome: name.to_string(), day, tolerance, share: round6(share), median, ok }
}

/// The scorecard as a table for a terminal.
pub fn render(card: &Scorecard) -> String {
    let mut out = String::new();
    out.push_str(&format!("casus validate: {} case(s), {} runs each\n\n", card.totals.cases, card.runs));
    for c in &card.cases {
        let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
        out.push_str(&format!("{} {} ({})\n", mark(c.pass), c.name, c.file));
        let also = if c.also.is_empty() {
            String::new()
        } else {
            format!(" (or {})", c.also.iter().map(|a| a.name()).collect::<Vec<_>>().join(", "))
        };
        out.push_str(&format!(
            "  class    {} modal {} ({:.0}%), history {}{also}; in an accepted class {:.0}%; Brier {:.3}, log score {:.3}\n",
            mark(c.class_ok),
            c.modal,
            100.0 * c.shares.get(&c.modal).copied().unwrap_or(0.0),
            c.expected,
            100.0 * c.accepted_share,
            c.brier,
            c.log_score
        ));
        let shares: Vec<String> = c.shares.iter().map(|(k, v)| format!("{k} {:.0}%", 100.0 * v)).collect();
        out.push_str(&format!("           runs by class: {}\n", shares.join(", ")));
        for d in &c.days {
            let median = d.median.map(|m| format!("median day {m}")).unwrap_or_else(|| "never".into());
            out.push_str(&format!(
                "  day      {} {}: history day {} +/- {}; {median} in {:.0}% of runs\n",
                mark(d.ok),
                d.outcome,
                d.day,
                d.tolerance,
                100.0 * d.share
            ));
        }
        for m in &c.measures {
            let what = if m.taken { "taken" } else { "not taken" };
            out.push_str(&format!("  measure  {} {}: {what} in history; in {:.0}% of runs\n", mark(m.ok), m.outcome, 100.0 * m.share));
        }
    }
    let t = &card.totals;
    out.push_str(&format!(
        "\nsummary: {}/{} cases pass; modal class matches {}/{}; day checks pass {}/{}; measure checks pass {}/{}; mean Brier {:.3}, mean log score {:.3}\n",
        t.pass, t.cases, t.class_ok, t.cases, t.days_ok, t.cases, t.measures_ok, t.cases, t.mean_brier, t.mean_log_score
    ));
    out
}
