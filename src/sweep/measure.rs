//! Outcomes a sweep is asked for beyond the standard ones, and its time series: the small
//! vocabulary of `--outcome NAME=DEFINITION` (a plan's `outcomes`), `--outcomes-for` (a plan's
//! `outcomes_for`) and `--series` (a plan's `series`), checked against the scenario
//! ([`Measures::new`]) and evaluated on a finished run ([`Measures::evaluate`]).
//!
//! Definitions read the run's events and the fold state, never the log's text: the run's
//! events are folded again from the scenario's initial world (`fold::apply`, as replay does),
//! and a state's quantities are read off that world on the days asked for. Nothing is folded
//! when no definition needs a state (a sweep without any of these options runs as before).
//!
//! Definitions (ACTORS is a state's code, `A+B+C`, `states` (every state) or `members:ORG`
//! (the organisation's members at the start)):
//! - `first(KIND)`, `first(KIND, ACTORS)`: the day of the first event of that kind (naming the
//!   actor among its actors); empty when none happened.
//! - `count(KIND)`, `count(KIND, ACTORS)`: how many such events.
//! - `end(QUANTITY, ACTORS)`: a state's quantity at the end of the run (the horizon).
//! - `at(QUANTITY, ACTORS, DAY)`: at the end of day DAY.
//! - `max(QUANTITY, ACTORS)`, `min(QUANTITY, ACTORS)`: over the start and the end of every
//!   day with events.
//! - `invoked(TREATY)`, `invoked(TREATY, ARTICLE)`: whether an obligation arose under the
//!   treaty (that clause).
//!
//! A definition naming one state writes one column, `NAME`; naming a group, one column per
//! state, `CODE__NAME` (the code with every character other than a letter or digit made `_`),
//! as `--outcomes-for` writes `CODE__` and each standard outcome's name.

use std::collections::{BTreeMap, BTreeSet};

use crate::fold::apply::apply_indexed;
use crate::fold::outcomes::of_world_for;
use crate::fold::world::build_world;
use crate::model::economics::accrue_loss;
use crate::model::event::{Event, EventKind, KIND_NAMES};
use crate::model::id::Id;
use crate::model::prepared::Prepared;
use crate::model::scenario::{ActorDef, Regime, Scenario, StateDef};
use crate::model::state::{OrgState, Polity};
use crate::model::world::Fixed;
use crate::sweep::columns::{Cell, OUTCOME_COLUMNS, OutcomeColumn, ValueType};
use crate::sweep::{Plan, PlanError, outcome_columns};

/// The state quantities definitions and series may read: (name, type, meaning).
pub const QUANTITIES: &[(&str, ValueType, &str)] = &[
    ("troops", ValueType::Integer, "troops available (after losses)"),
    ("committed_abroad", ValueType::Integer, "troops committed to allies under defence clauses"),
    ("redeployed", ValueType::Integer, "troops moved to the borders against a threat"),
    ("casualties_military", ValueType::Integer, "military deaths so far"),
    ("casualties_civilian", ValueType::Integer, "civilian deaths so far"),
    ("allies_pledged", ValueType::Integer, "allies that have publicly pledged to defend the state"),
    ("gdp_loss_pct", ValueType::Float, "cumulative GDP loss, percent of pre-crisis GDP, accrued to the day"),
    ("sanctions_severity", ValueType::Float, "economic weight of the sanctions in force on the state (0-1)"),
    ("aid_suspended_musd", ValueType::Float, "aid suspended, millions of US dollars a year"),
    ("electricity_cut", ValueType::Float, "share of the electricity supply cut off"),
    ("regime", ValueType::String, "the regime (Democracy, Authoritarian, Junta, Transitional)"),
    ("junta", ValueType::Boolean, "whether a junta rules"),
    ("sanctioned", ValueType::Boolean, "whether sanctions are in force on the state"),
    ("suspended", ValueType::Boolean, "whether an organisation has suspended the state"),
];

/// The forms a definition may take, for error messages.
const FORMS: &str = "first(KIND[, ACTORS]), count(KIND[, ACTORS]), end(QUANTITY, ACTORS), at(QUANTITY, ACTORS, DAY), \
                     max(QUANTITY, ACTORS), min(QUANTITY, ACTORS) or invoked(TREATY[, ARTICLE])";

/// Everything a sweep measures beyond the standard outcomes, checked against its scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measures {
    /// States whose standard outcomes are written too (not the focus), with their column prefix.
    for_states: Vec<(Id, String)>,
    /// The definitions, one per column.
    custom: Vec<(String, Expr)>,
    /// The time series.
    series: Option<Series>,
    /// The extra columns of runs.csv, in order: `for_states`'s, then `custom`'s.
    pub columns: Vec<OutcomeColumn>,
}

/// One column's definition, about one state.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    First { kind: &'static str, actor: Option<Id> },
    Count { kind: &'static str, actor: Option<Id> },
    At { quantity: usize, actor: Id, day: Option<u32> },
    Extreme { quantity: usize, actor: Id, max: bool },
    Invoked { treaty: Id, article: Option<Id> },
}

/// A time series: quantities (indices in [`QUANTITIES`]) of states, every `every` days.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    quantities: Vec<usize>,
    actors: Vec<Id>,
    every: u32,
}

/// One sample of a time series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// Day since the start.
    pub day: u32,
    /// Its date, `YYYY-MM-DD`.
    pub date: String,
    /// The state.
    pub actor: Id,
    /// The quantity's name.
    pub quantity: &'static str,
    /// Its value (integers as floats, booleans as 0 or 1).
    pub value: f64,
}

/// What a run measured: the extra columns' cells and the series' samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measured {
    /// In the order of [`Measures::columns`].
    pub cells: Vec<Cell>,
    /// By day, then state, then quantity.
    pub series: Vec<SeriesRow>,
}

/// The name of a state in a column prefix: every character other than a letter or digit made `_`.
pub fn prefix_of(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

impl Measures {
    /// Checks the plan's `outcomes`, `outcomes_for` and `series` against `scenario` (with the
    /// plan's fixed overrides). Errors name the option and the definition (`--outcome NAME: ...`)
    /// with a hint listing the valid names.
    pub fn new(plan: &Plan, scenario: &Scenario) -> Result<Measures, PlanError> {
        let mut m = Measures::default();
        let mut taken: BTreeSet<String> = ["run", "point", "replication", "seed"].iter().map(|s| s.to_string()).collect();
        taken.extend(OUTCOME_COLUMNS.iter().map(|(n, _, _)| n.to_string()));
        for item in &plan.outcomes_for {
            let err = |e: String| PlanError(format!("--outcomes-for {item}: {e}"));
            for state in actors(item, scenario).map_err(err)? {
                if state.as_str() == scenario.focus || m.for_states.iter().any(|(s, _)| *s == state) {
                    continue; // the focus's are the unprefixed columns
                }
                let prefix = prefix_of(&state);
                for (name, value_type, nullable) in OUTCOME_COLUMNS {
                    let column = format!("{prefix}__{name}");
                    if !taken.insert(column.clone()) {
                        return Err(err(format!("column {column} is written twice")));
                    }
                    m.columns.push(OutcomeColumn { name: column, value_type: *value_type, nullable: *nullable });
                }
                m.for_states.push((state, prefix));
            }
        }
        for (name, definition) in &plan.outcomes {
            let err = |e: String| PlanError(format!("--outcome {name}: {e}"));
            check_name(name).map_err(err)?;
            let (exprs, group) = parse(definition, scenario).map_err(err)?;
            for expr in exprs {
                let column = match (&expr, group) {
                    (Expr::At { actor, .. } | Expr::Extreme { actor, .. }, true)
                    | (Expr::First { actor: Some(actor), .. } | Expr::Count { actor: Some(actor), .. }, true) => {
                        format!("{}__{name}", prefix_of(actor))
                    }
                    _ => name.clone(),
                };
                if !taken.insert(column.clone()) {
                    return Err(err(format!("column {column} is already a column of runs.csv; choose another name")));
                }
                let (value_type, nullable) = expr.column_type();
                m.columns.push(OutcomeColumn { name: column.clone(), value_type, nullable });
                m.custom.push((column, expr));
            }
        }
        if let Some(s) = &plan.series {
            m.series = Some(series(s, scenario)?);
        }
        Ok(m)
    }

    /// Whether nothing beyond the standard outcomes is asked for.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.series.is_none()
    }

    /// Whether a time series is recorded.
    pub fn has_series(&self) -> bool {
        self.series.is_some()
    }

    /// Measures a finished run of `prepared` with `seed` whose events are `events` (all of
    /// them, in order).
    pub fn evaluate(&self, prepared: &Prepared, seed: u64, events: &[Event]) -> Measured {
        let mut cells = vec![Cell::Null; self.columns.len()];
        let base = self.columns.len() - self.custom.len();
        let mut needs_state = !self.for_states.is_empty() || self.series.is_some();
        for (i, (_, expr)) in self.custom.iter().enumerate() {
            match expr {
                Expr::First { kind, actor } => {
                    let day = events.iter().find(|e| concerns(e, kind, actor.as_deref())).map(|e| e.day);
                    cells[base + i] = day.map_or(Cell::Null, |d| Cell::Integer(i64::from(d)));
                }
                Expr::Count { kind, actor } => {
                    cells[base + i] = Cell::Integer(events.iter().filter(|e| concerns(e, kind, actor.as_deref())).count() as i64);
                }
                Expr::Invoked { treaty, article } => {
                    let invoked = events.iter().any(|e| {
                        matches!(&e.kind, EventKind::ObligationArisen { treaty: t, article: a, .. }
                            if t == treaty && article.as_ref().is_none_or(|want| a == want))
                    });
                    cells[base + i] = Cell::Boolean(invoked);
                }
                Expr::At { .. } | Expr::Extreme { .. } => needs_state = true,
            }
        }
        let mut series = Vec::new();
        if needs_state {
            self.fold(prepared, seed, events, &mut cells[..], &mut series);
        }
        Measured { cells, series }
    }

    /// Folds the run's events from the initial world, reading states on the days asked for.
    fn fold(&self, prepared: &Prepared, seed: u64, events: &[Event], cells: &mut [Cell], series: &mut Vec<SeriesRow>) {
        let scenario = &prepared.scenario;
        let horizon = scenario.horizon_days;
        let mut world = build_world(scenario, prepared.params.clone(), seed);
        let index = world.resource::<Fixed>().index.clone();
        let mut reader = Reader { prepared, states: scenario.actors.iter().filter_map(state_def).collect() };
        // The days on which states are read, each after its events: the series' and `at`'s.
        let mut days: BTreeSet<u32> = BTreeSet::new();
        if let Some(s) = &self.series {
            days.extend((0..=horizon).step_by(s.every as usize));
        }
        let base = self.columns.len() - self.custom.len();
        days.extend(self.custom.iter().filter_map(|(_, e)| match e {
            Expr::At { day: Some(d), .. } => Some((*d).min(horizon)),
            _ => None,
        }));
        let mut days = days.into_iter().peekable();
        let mut extremes: BTreeMap<usize, f64> = BTreeMap::new();
        self.extremes(&mut reader, &mut world, 0, &mut extremes);
        let mut open: Option<u32> = None;
        for e in events {
            if open != Some(e.day) {
                if let Some(d) = open {
                    self.extremes(&mut reader, &mut world, d, &mut extremes);
                }
                while let Some(d) = days.next_if(|d| *d < e.day) {
                    self.sample(&mut reader, &mut world, d, base, cells, series);
                }
                open = Some(e.day);
            }
            // A logged event applies to the world it was logged from: a failure is a bug.
            apply_indexed(&mut world, &index, e).expect("a run's own events fold");
        }
        if let Some(d) = open {
            self.extremes(&mut reader, &mut world, d, &mut extremes);
        }
        for d in days {
            self.sample(&mut reader, &mut world, d, base, cells, series);
        }
        for (i, (_, expr)) in self.custom.iter().enumerate() {
            match expr {
                Expr::At { quantity, actor, day: None } => cells[base + i] = reader.value(&mut world, *quantity, actor, horizon),
                Expr::Extreme { quantity, .. } => {
                    let x = extremes.get(&i).copied().unwrap_or(f64::NAN);
                    cells[base + i] = match QUANTITIES[*quantity].1 {
                        ValueType::Integer => Cell::Integer(x as i64),
                        ValueType::Boolean => Cell::Boolean(x > 0.5),
                        _ => Cell::Float(x),
                    };
                }
                _ => {}
            }
        }
        let mut at = 0;
        for (state, _) in &self.for_states {
            let outcomes = of_world_for(&mut world, events, scenario, &prepared.params, state);
            for ((_, value), (_, value_type, _)) in outcome_columns(&outcomes).iter().zip(OUTCOME_COLUMNS) {
                cells[at] = Cell::of_json(value, *value_type);
                at += 1;
            }
        }
    }

    /// Reads the states for the series and the `at` definitions of day `day`.
    fn sample(
        &self,
        reader: &mut Reader,
        world: &mut bevy_ecs::world::World,
        day: u32,
        base: usize,
        cells: &mut [Cell],
        series: &mut Vec<SeriesRow>,
    ) {
        if let Some(s) = self.series.as_ref().filter(|s| day.is_multiple_of(s.every)) {
            let date = reader.prepared.scenario.start_date().plus_days(i64::from(day)).to_string();
            for actor in &s.actors {
                for &q in &s.quantities {
                    let value = reader.value(world, q, actor, day).number().unwrap_or(f64::NAN);
                    series.push(SeriesRow { day, date: date.clone(), actor: actor.clone(), quantity: QUANTITIES[q].0, value });
                }
            }
        }
        let horizon = reader.prepared.scenario.horizon_days;
        for (i, (_, expr)) in self.custom.iter().enumerate() {
            if let Expr::At { quantity, actor, day: Some(d) } = expr
                && (*d).min(horizon) == day
            {
                cells[base + i] = reader.value(world, *quantity, actor, day);
            }
        }
    }

    /// Updates the `max` and `min` definitions with the states at the end of day `day`.
    fn extremes(&self, reader: &mut Reader, world: &mut bevy_ecs::world::World, day: u32, extremes: &mut BTreeMap<usize, f64>) {
        for (i, (_, expr)) in self.custom.iter().enumerate() {
            if let Expr::Extreme { quantity, actor, max } = expr {
                let x = reader.value(world, *quantity, actor, day).number().unwrap_or(f64::NAN);
                let best = extremes.entry(i).or_insert(x);
                *best = if *max { best.max(x) } else { best.min(x) };
            }
        }
    }
}

/// Reads a state's quantities off a world.
struct Reader<'a> {
    prepared: &'a Prepared,
    states: BTreeMap<&'a str, &'a StateDef>,
}

impl Reader<'_> {
    /// Quantity `q` of state `actor` at the end of day `day`.
    fn value(&mut self, world: &mut bevy_ecs::world::World, q: usize, actor: &str, day: u32) -> Cell {
        let entity = world.resource::<Fixed>().index[actor];
        let Some(p) = world.get::<Polity>(entity) else { return Cell::Null };
        let int = |x: u64| Cell::Integer(i64::try_from(x).unwrap_or(i64::MAX));
        match QUANTITIES[q].0 {
            "troops" => int(u64::from(p.troops)),
            "committed_abroad" => int(u64::from(p.committed_abroad)),
            "redeployed" => int(u64::from(p.redeployed)),
            "casualties_military" => int(p.casualties_military),
            "casualties_civilian" => int(p.casualties_civilian),
            "allies_pledged" => int(p.pledged_by.len() as u64),
            "gdp_loss_pct" => {
                let mut p = p.clone();
                if let Some(def) = self.states.get(actor) {
                    accrue_loss(&mut p, def, &self.prepared.params, day);
                }
                Cell::Float((p.gdp_loss_pct * 1e6).round() / 1e6)
            }
            "sanctions_severity" => Cell::Float(p.sanctions_severity),
            "aid_suspended_musd" => Cell::Float(p.aid_suspended_musd),
            "electricity_cut" => Cell::Float(p.electricity_cut),
            "regime" => Cell::String(format!("{:?}", p.regime)),
            "junta" => Cell::Boolean(p.regime == Regime::Junta),
            "sanctioned" => Cell::Boolean(p.sanctions_severity > 0.0),
            "suspended" => {
                let mut orgs = world.query::<&OrgState>();
                Cell::Boolean(orgs.iter(world).any(|o| o.suspended.contains(actor)))
            }
            other => unreachable!("quantity {other} has no reader"),
        }
    }
}

impl Expr {
    /// The column's type and whether it may be empty.
    fn column_type(&self) -> (ValueType, bool) {
        match self {
            Expr::First { .. } => (ValueType::Integer, true),
            Expr::Count { .. } => (ValueType::Integer, false),
            Expr::At { quantity, .. } | Expr::Extreme { quantity, .. } => (QUANTITIES[*quantity].1, false),
            Expr::Invoked { .. } => (ValueType::Boolean, false),
        }
    }
}

fn state_def(a: &ActorDef) -> Option<(&str, &StateDef)> {
    match a {
        ActorDef::State(s) => Some((s.id.as_str(), s)),
        _ => None,
    }
}

/// Whether `e` is of kind `kind` and, when `actor` is given, names it among its actors.
fn concerns(e: &Event, kind: &str, actor: Option<&str>) -> bool {
    e.kind.name() == kind && actor.is_none_or(|a| e.actors.iter().any(|x| x == a))
}

/// An outcome's name: a letter, then letters, digits and `_`, without `__` (which separates a
/// state's code from a name) and not starting with `p_` (parameters' columns).
fn check_name(name: &str) -> Result<(), String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.starts_with("p_");
    if ok {
        Ok(())
    } else {
        Err("a name is a letter, then letters, digits and single '_', not starting with p_ (e.g. ner_sanctioned)".into())
    }
}

/// The states an ACTORS item names: a state's code, `A+B`, `states` or `members:ORG`, in the
/// order given (`states`: the scenario's order).
fn actors(text: &str, scenario: &Scenario) -> Result<Vec<Id>, String> {
    let states: Vec<&Id> = scenario.actors.iter().filter_map(|a| state_def(a).map(|_| a.id())).collect();
    let hint = || {
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        format!("states are {}; or write A+B, states or members:ORG", names.join(", "))
    };
    let mut out: Vec<Id> = Vec::new();
    for part in text.split('+').map(str::trim) {
        if part == "states" {
            out.extend(states.iter().map(|s| (*s).clone()));
        } else if let Some(org) = part.strip_prefix("members:") {
            let found = scenario.actors.iter().find_map(|a| match a {
                ActorDef::Organisation(o) if o.id == org.trim() => Some(o),
                _ => None,
            });
            let Some(o) = found else {
                let orgs: Vec<&str> =
                    scenario.actors.iter().filter(|a| matches!(a, ActorDef::Organisation(_))).map(|a| a.id().as_str()).collect();
                return Err(format!("unknown organisation {org:?}; organisations are {}", orgs.join(", ")));
            };
            out.extend(o.members.iter().filter(|m| scenario.state(m).is_some()).cloned());
        } else if states.iter().any(|s| *s == part) {
            out.push(Id::from(part));
        } else {
            return Err(format!("unknown state {part:?}; {}", hint()));
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|s| seen.insert(s.clone()));
    Ok(out)
}

fn quantity(name: &str) -> Result<usize, String> {
    QUANTITIES.iter().position(|(n, _, _)| *n == name).ok_or_else(|| {
        let names: Vec<&str> = QUANTITIES.iter().map(|(n, _, _)| *n).collect();
        format!("unknown quantity {name:?}; quantities are {}", names.join(", "))
    })
}

fn kind(name: &str) -> Result<&'static str, String> {
    KIND_NAMES
        .iter()
        .find(|k| **k == name)
        .copied()
        .ok_or_else(|| format!("unknown event kind {name:?}; kinds are {}", KIND_NAMES.join(", ")))
}

/// Parses a definition into one expression per state it names, and whether it names a group
/// (several states, `states` or `members:ORG`).
fn parse(definition: &str, scenario: &Scenario) -> Result<(Vec<Expr>, bool), String> {
    let text = definition.trim();
    let bad = |why: String| format!("{why} in {text:?}; a definition is {FORMS}");
    let (function, rest) = text.split_once('(').ok_or_else(|| bad("no '('".into()))?;
    let args: Vec<&str> = rest.strip_suffix(')').ok_or_else(|| bad("a missing ')'".into()))?.split(',').map(str::trim).collect();
    let group_of = |item: &str| -> Result<(Vec<Id>, bool), String> {
        let group = item.contains('+') || item == "states" || item.starts_with("members:");
        Ok((actors(item, scenario)?, group))
    };
    let per_actor = |item: &str, make: &dyn Fn(Id) -> Expr| -> Result<(Vec<Expr>, bool), String> {
        let (states, group) = group_of(item)?;
        Ok((states.into_iter().map(make).collect(), group))
    };
    match (function.trim(), &args[..]) {
        ("first" | "count", [k]) => {
            let kind = kind(k)?;
            let e = if function.trim() == "first" { Expr::First { kind, actor: None } } else { Expr::Count { kind, actor: None } };
            Ok((vec![e], false))
        }
        ("first", [k, a]) => {
            let kind = kind(k)?;
            per_actor(a, &|actor| Expr::First { kind, actor: Some(actor) })
        }
        ("count", [k, a]) => {
            let kind = kind(k)?;
            per_actor(a, &|actor| Expr::Count { kind, actor: Some(actor) })
        }
        ("end", [q, a]) => {
            let quantity = quantity(q)?;
            per_actor(a, &|actor| Expr::At { quantity, actor, day: None })
        }
        ("at", [q, a, d]) => {
            let quantity = quantity(q)?;
            let day: u32 = d.parse().map_err(|_| format!("the day {d:?} is not a whole number of days from the start"))?;
            if day > scenario.horizon_days {
                return Err(format!("day {day} is after the scenario's horizon (day {})", scenario.horizon_days));
            }
            per_actor(a, &|actor| Expr::At { quantity, actor, day: Some(day) })
        }
        ("max" | "min", [q, a]) => {
            let quantity = quantity(q)?;
            if QUANTITIES[quantity].1 == ValueType::String {
                return Err(format!("{q} is a category, which has no {}", function.trim()));
            }
            let max = function.trim() == "max";
            per_actor(a, &|actor| Expr::Extreme { quantity, actor, max })
        }
        ("invoked", [t]) | ("invoked", [t, _]) => {
            let Some(treaty) = scenario.treaties.iter().find(|d| d.id == *t) else {
                let names: Vec<&str> = scenario.treaties.iter().map(|d| d.id.as_str()).collect();
                return Err(format!("unknown treaty {t:?}; treaties are {}", names.join(", ")));
            };
            let article = match args.get(1) {
                None => None,
                Some(a) => {
                    let articles: Vec<&str> = treaty.clauses.iter().map(|c| c.article.as_str()).collect();
                    if !articles.contains(a) {
                        return Err(format!("treaty {t} has no article {a:?}; its articles are {}", articles.join(", ")));
                    }
                    Some(Id::from(*a))
                }
            };
            Ok((vec![Expr::Invoked { treaty: treaty.id.clone(), article }], false))
        }
        (f, _) if ["first", "count", "end", "at", "max", "min", "invoked"].contains(&f) => {
            Err(bad(format!("the wrong number of arguments to {f}")))
        }
        (f, _) => Err(bad(format!("unknown function {f:?}"))),
    }
}

/// Checks a plan's series.
fn series(s: &crate::sweep::SeriesPlan, scenario: &Scenario) -> Result<Series, PlanError> {
    let err = |e: String| PlanError(format!("--series: {e}"));
    if s.every == 0 {
        return Err(err("--every must be at least 1 day".into()));
    }
    if s.quantities.is_empty() {
        return Err(err("no quantity to record".into()));
    }
    let mut quantities = Vec::new();
    for q in &s.quantities {
        let i = quantity(q.trim()).map_err(|e| PlanError(format!("--series {q}: {e}")))?;
        if QUANTITIES[i].1 == ValueType::String {
            return Err(PlanError(format!("--series {q}: a category has no numeric value for the series; record junta instead")));
        }
        if !quantities.contains(&i) {
            quantities.push(i);
        }
    }
    let mut states: Vec<Id> = Vec::new();
    for item in &s.actors {
        for a in actors(item, scenario).map_err(|e| PlanError(format!("--series-for {item}: {e}")))? {
            if !states.contains(&a) {
                states.push(a);
            }
        }
    }
    if states.is_empty() {
        states.push(Id::from(scenario.focus.as_str()));
    }
    Ok(Series { quantities, actors: states, every: s.every })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(outcomes: &[(&str, &str)], outcomes_for: &[&str]) -> Result<Measures, PlanError> {
        let scenario = crate::model::scenario::load(include_str!("../../scenarios/niger_2023.ron")).unwrap();
        let mut plan = Plan::of_scenario(None);
        plan.outcomes = outcomes.iter().map(|(n, d)| (n.to_string(), d.to_string())).collect();
        plan.outcomes_for = outcomes_for.iter().map(|s| s.to_string()).collect();
        Measures::new(&plan, &scenario)
    }

    fn names(m: &Measures) -> Vec<&str> {
        m.columns.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn a_group_writes_one_prefixed_column_per_state_and_one_state_one_column() {
        let m = measures(&[("t", "end(troops, NER+MLI)"), ("n", "first(CoupStaged, NER)"), ("c", "count(SanctionsImposed)")], &[]).unwrap();
        assert_eq!(names(&m), ["NER__t", "MLI__t", "n", "c"]);
        let types: Vec<(ValueType, bool)> = m.columns.iter().map(|c| (c.value_type, c.nullable)).collect();
        assert_eq!(types[1..], [(ValueType::Integer, false), (ValueType::Integer, true), (ValueType::Integer, false)]);
        // members:ORG and states, each state once, the focus's standard outcomes unprefixed.
        let m = measures(&[("x", "max(gdp_loss_pct, members:ECOWAS)")], &["states"]).unwrap();
        let states = 15;
        assert_eq!(m.columns.len(), (states - 1) * OUTCOME_COLUMNS.len() + m.custom.len());
        assert!(!names(&m).iter().any(|n| n.starts_with("NER__") && !n.ends_with("__x")), "the focus is skipped");
        assert!(names(&m).contains(&"NGA__x") && names(&m).contains(&"NGA__intervention_launched_day"));
        assert!(m.custom.iter().all(|(_, e)| matches!(e, Expr::Extreme { max: true, .. })));
        assert!(measures(&[], &[]).unwrap().is_empty());
    }

    #[test]
    fn a_name_is_checked_and_written_once() {
        assert!(measures(&[("a__b", "count(CoupStaged)")], &[]).unwrap_err().0.contains("--outcome a__b"));
        assert!(measures(&[("1a", "count(CoupStaged)")], &[]).is_err());
        let e = measures(&[("t", "end(troops, NGA)"), ("NGA", "count(CoupStaged)")], &["NGA"]).map(|m| names(&m).len());
        assert_eq!(e, Ok(OUTCOME_COLUMNS.len() + 2));
        let e = measures(&[("intervention_launched_day", "end(troops, NGA+NER)")], &["NGA"]).unwrap_err();
        assert!(e.0.contains("column NGA__intervention_launched_day is already a column"), "{e}");
    }
}
