//! Counterfactual forks: continue a logged run from a point in its history with a change.
//!
//! A fork rebuilds the world of the parent's scenario (with the parent's overrides plus the
//! fork's `--set`s), folds the parent's events dated before the fork day into it unchanged,
//! and then lets the rules run from the fork day on. The fork point is always the start of a
//! day: `--at SEQ` forks at the start of that event's day (the events of that day are decided
//! again). Because every draw is keyed by (seed, purpose, key) and `next_due` is a pure
//! function of state, a fork with no change reproduces the parent byte for byte, and a fork with
//! a change keeps every draw the change does not reach (common random numbers).
//!
//! Changes: `--set` overrides (catalogue parameters or actor fields, as for `casus run`; they
//! hold for the whole fork, so the history is folded under them too), `--drop SEQ` (the engine
//! refuses that event's proposal on its day, so it and everything it would have caused do not
//! happen; the rule may decide again later), and `--inject RON` (a timeline entry, as in a
//! scenario file, dated on or after the fork day).

use serde::{Deserialize, Serialize};

use crate::engine::run::{self, RunOutput};
use crate::engine::{Limits, RunError, Sim, Veto};
use crate::log::ParsedLog;
use crate::model::event::Event;
use crate::model::prepared::{PrepareError, Prepared};
use crate::model::scenario::{self, ScriptedDef};
use crate::rules::scripted::Timeline;

/// Where to fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum At {
    /// At the start of this event's day.
    Seq(u64),
    /// At the start of this day.
    Day(u32),
}

/// What a fork changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Overrides added to the parent's.
    pub sets: Vec<(String, String)>,
    /// Events of the parent (on or after the fork day) that must not happen.
    pub drops: Vec<u64>,
    /// Timeline entries in RON, dated on or after the fork day.
    pub injects: Vec<String>,
}

/// Why a fork cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForkError {
    /// The fork point or a change is not usable; the message says why and what to do.
    #[error("{0}")]
    Invalid(String),
    /// The parent scenario with the fork's overrides does not prepare.
    #[error("invalid scenario or override")]
    Prepare(PrepareError),
    /// The fork ran into a run limit.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// The provenance of a fork, written as `fork.json` beside its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    /// The parent log's scenario name.
    pub parent_scenario: String,
    /// The parent log's fingerprint: the chain value of its last record.
    pub parent_chain_head: String,
    /// The parent's final-state hash.
    pub parent_final_state_hash: String,
    /// Seed (the parent's).
    pub seed: u64,
    /// The fork point as given.
    pub at: At,
    /// The fork day: the parent's events before it are kept.
    pub day: u32,
    /// Its date.
    pub date: String,
    /// Number of parent events kept unchanged.
    pub kept_events: u64,
    /// Overrides added.
    pub sets: Vec<(String, String)>,
    /// Events dropped, each with how many proposals the veto refused (0: the event no longer
    /// arose in the fork, so there was nothing to drop).
    pub drops: Vec<DropRecord>,
    /// Injected timeline entries, as given.
    pub injects: Vec<String>,
}

/// One `--drop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropRecord {
    /// Seq in the parent.
    pub seq: u64,
    /// Kind.
    pub kind: String,
    /// Proposals refused.
    pub refused: u32,
}

/// A finished fork.
#[derive(Debug, Clone)]
pub struct Forked {
    /// Its log records and outcomes (the header is an ordinary run header: the fork replays
    /// with `casus replay` against the parent's scenario).
    pub output: RunOutput,
    /// Where it came from.
    pub lineage: Lineage,
}

/// Forks `parent` (read from its log, run from `parent_source`) at `at` with `changes`.
pub fn fork(parent_source: &str, parent: &ParsedLog, at: At, changes: &Changes, limits: Limits) -> Result<Forked, ForkError> {
    let invalid = |m: String| ForkError::Invalid(m);
    let header = parent.header.as_ref().ok_or_else(|| invalid("the log has no header".into()))?;
    let end = parent.end.as_ref().ok_or_else(|| {
        invalid(format!("the log is truncated after {} events (no end record); only a complete log can be forked", parent.events.len()))
    })?;
    let mut overrides = header.overrides.clone();
    overrides.extend(changes.sets.iter().cloned());
    let prepared = crate::model::prepared::prepare(parent_source, &overrides).map_err(ForkError::Prepare)?;
    if prepared.scenario_hash != header.scenario_hash {
        return Err(invalid(format!(
            "the scenario given has content {} but the log was run with {}; pass the scenario file the log was run with (--scenario)",
            prepared.scenario_hash, header.scenario_hash
        )));
    }
    let horizon = prepared.scenario.horizon_days;
    let day = match at {
        At::Seq(s) => {
            parent.events.get(s as usize).map(|e| e.day).ok_or_else(|| invalid(crate::analysis::query::no_such_event(s, &parent.events)))?
        }
        At::Day(d) if d > horizon => return Err(invalid(format!("day {d} is after the horizon (day {horizon})"))),
        At::Day(d) => d,
    };
    let start = prepared.scenario.start_date();
    let date = start.plus_days(i64::from(day)).to_string();
    let kept = parent.events.partition_point(|e| e.day < day);
    let history = &parent.events[..kept];

    let vetoes = drops_to_vetoes(&parent.events, &changes.drops, day, &date)?;
    let timeline = injected_timeline(&prepared, &changes.injects, day, &date)?;

    let mut sim = Sim::new(&prepared.scenario, prepared.params.clone(), header.seed, limits);
    if let Some(t) = timeline {
        sim.world.insert_resource(t);
    }
    sim.vetoes = vetoes;
    sim.fold_history(history, day).map_err(|e| {
        invalid(format!("the history before the fork cannot be folded under the changed scenario: {e}; fork earlier or change less"))
    })?;
    sim.run_from(day)?;
    let drops = sim
        .vetoes
        .iter()
        .zip(&changes.drops)
        .map(|(v, &seq)| DropRecord { seq, kind: v.kind.name().to_string(), refused: v.matched })
        .collect();
    let output = run::finish(sim, &prepared, header.seed);
    let lineage = Lineage {
        parent_scenario: header.scenario.clone(),
        parent_chain_head: parent.chain_head.clone(),
        parent_final_state_hash: end.final_state_hash.clone(),
        seed: header.seed,
        at,
        day,
        date,
        kept_events: kept as u64,
        sets: changes.sets.clone(),
        drops,
        injects: changes.injects.clone(),
    };
    Ok(Forked { output, lineage })
}

fn drops_to_vetoes(events: &[Event], drops: &[u64], day: u32, date: &str) -> Result<Vec<Veto>, ForkError> {
    drops
        .iter()
        .map(|&seq| {
            let e = events.get(seq as usize).ok_or_else(|| ForkError::Invalid(format!("--drop {seq}: {}", crate::analysis::query::no_such_event(seq, events))))?;
            if e.day < day {
                return Err(ForkError::Invalid(format!(
                    "--drop {seq}: event {seq} ({}) is on {}, before the fork day {date}; history before the fork is kept as it happened, so fork at or before it (--at {seq})",
                    e.kind.name(),
                    e.date
                )));
            }
            Ok(Veto { day: e.day, kind: e.kind.clone(), rule: e.rule.clone(), matched: 0 })
        })
        .collect()
}

fn injected_timeline(prepared: &Prepared, injects: &[String], day: u32, date: &str) -> Result<Option<Timeline>, ForkError> {
    if injects.is_empty() {
        return Ok(None);
    }
    let mut scenario = prepared.scenario.clone();
    let first = scenario.timeline.len();
    for (i, text) in injects.iter().enumerate() {
        let entry: ScriptedDef = scenario::parse_ron(text).map_err(|e| {
            ForkError::Invalid(format!(
                "--inject #{}: {}:{}: {}; an entry looks like (date: \"{date}\", event: Attack(attacker: \"X\", target: \"Y\", kind: Invasion, troops: 500, deaths: 10))",
                i + 1,
                e.line,
                e.col,
                e.message
            ))
        })?;
        scenario.timeline.push(entry);
    }
    let errors = scenario::validate(&scenario);
    if let Some(e) = errors.first() {
        let which = e
            .path
            .strip_prefix("timeline[")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= first)
            .map(|n| format!("--inject #{}", n - first + 1))
            .unwrap_or_else(|| "--inject".into());
        let path = e.path.split_once("].").filter(|_| which != "--inject").map(|(_, rest)| rest).unwrap_or(&e.path);
        return Err(ForkError::Invalid(format!("{which}: {path}: {}", e.message)));
    }
    let start = scenario.start_date();
    for (i, entry) in scenario.timeline[first..].iter().enumerate() {
        let d = crate::model::date::Date::parse(&entry.date).map(|d| d.days_since(start)).unwrap_or(-1);
        if d < i64::from(day) {
            return Err(ForkError::Invalid(format!(
                "--inject #{}: dated {}, before the fork day {date}; history before the fork is kept as it happened",
                i + 1,
                entry.date
            )));
        }
    }
    Ok(Some(Timeline::from_scenario(&scenario)))
}
