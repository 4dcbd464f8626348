//! `casus gen`: valid synthetic scenarios of any size, for testing scale.
//!
//! The world is a grid of `states` states (about √N columns), each bordering its grid
//! neighbours. Every draw is keyed (seed, purpose, what it is about), so a given (sizes, seed)
//! always produces the same file. The statistics (documented in docs/scenario-format.md,
//! "Synthetic scenarios") are chosen so that the number of events grows in proportion to the
//! number of states:
//!
//! - states: 65% democracies, 20% authoritarian, 15% juntas; troops 2,000 to 60,000; GDP 2 to
//!   200 billion USD; trade exposure to each neighbour 0 to 0.1;
//! - `orgs` organisations, each a contiguous band of rows of the grid, overlapping their
//!   neighbours by a row; every other one has an unconstitutional-change regime (suspension,
//!   sanctions, ultimatum, standby force);
//! - `treaties` mutual-defence treaties, each over a block of 2 to 8 neighbouring states, with a
//!   defence clause (duty 70%, discretionary 30%; half collective) and a consultation clause;
//! - one external partner per 20 states, with forces in 2 states and aid to 4; one armed group
//!   per 10 states, operating in 1 to 3 neighbouring states at 0.5 to 3 attacks a month;
//! - a timeline of one coup per 50 states and one interstate attack (an invasion or a strike
//!   across a border) per 25 states, spread over the first two thirds of the horizon.

use std::collections::BTreeMap;

use crate::model::draw::{Draws, Purpose};
use crate::model::scenario::*;

/// Sizes and seed of a synthetic scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSpec {
    /// States (at least 2).
    pub states: usize,
    /// Defence treaties.
    pub treaties: usize,
    /// Organisations.
    pub orgs: usize,
    /// Seed (also the scenario's default run seed).
    pub seed: u64,
    /// Horizon in days.
    pub horizon_days: u32,
}

impl GenSpec {
    /// Checks the sizes against the scenario limits.
    pub fn check(&self) -> Result<(), String> {
        if self.states < 2 {
            return Err("--states must be at least 2".into());
        }
        let actors = self.states + self.orgs + self.states / 20 + 1 + self.states / 10 + 1;
        if actors > MAX_ACTORS {
            return Err(format!("{actors} actors would exceed the limit of {MAX_ACTORS}"));
        }
        if self.treaties > crate::model::scenario::MAX_TREATIES {
            return Err(format!("{} treaties would exceed the limit of {}", self.treaties, crate::model::scenario::MAX_TREATIES));
        }
        if self.horizon_days == 0 || self.horizon_days > MAX_HORIZON_DAYS {
            return Err(format!("--horizon must be 1 to {MAX_HORIZON_DAYS} days"));
        }
        Ok(())
    }
}

struct Keyed {
    d: Draws,
}

impl Keyed {
    fn u(&self, what: u64, i: usize, j: u64) -> f64 {
        self.d.uniform(Purpose::Generate, &[what, i as u64, j])
    }
    fn range(&self, what: u64, i: usize, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.u(what, i, 0)
    }
    fn pick(&self, what: u64, i: usize, n: usize) -> usize {
        ((self.u(what, i, 1) * n as f64) as usize).min(n.saturating_sub(1))
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// State id for index `i`.
pub fn state_id(i: usize) -> Id {
    crate::format_id!("S{i:05}")
}

/// The grid the states sit on: `n` states in rows of `cols`, each bordering its neighbours.
struct Grid {
    n: usize,
    cols: usize,
    rows: usize,
}

impl Grid {
    fn new(n: usize) -> Grid {
        let cols = (n as f64).sqrt().ceil() as usize;
        Grid { n, cols, rows: n.div_ceil(cols) }
    }

    /// The states bordering state `i`: left, right, above, below.
    fn neighbours(&self, i: usize) -> Vec<usize> {
        let (n, cols) = (self.n, self.cols);
        let (r, c) = (i / cols, i % cols);
        let mut v = Vec::new();
        if c > 0 {
            v.push(i - 1);
        }
        if c + 1 < cols && i + 1 < n {
            v.push(i + 1);
        }
        if r > 0 {
            v.push(i - cols);
        }
        if i + cols < n {
            v.push(i + cols);
        }
        v
    }

    /// A state picked by the draw `x` in [0, 1).
    fn at(&self, x: f64) -> usize {
        ((x * self.n as f64) as usize).min(self.n - 1)
    }
}

/// Generates a synthetic scenario (valid by construction; `casus gen` also validates it).
pub fn generate(spec: &GenSpec) -> Scenario {
    let k = Keyed { d: Draws::new(spec.seed) };
    let grid = Grid::new(spec.states);
    let (n, rows, cols) = (grid.n, grid.rows, grid.cols);
    let mut actors = states(&k, &grid);
    actors.extend(organisations(&k, &grid, spec.orgs));
    actors.extend(partners(&k, &grid));
    actors.extend(armed_groups(&k, &grid));
    let treaties = treaties(&k, &grid, spec.treaties);
    let start = crate::model::date::Date::parse("2030-01-01").expect("a valid date");
    let (timeline, focus) = timeline(&k, &grid, start, spec.horizon_days);
    Scenario {
        name: format!("synthetic_{n}s_{}t_{}o_seed{}", spec.treaties, spec.orgs, spec.seed),
        description: format!(
            "Synthetic scenario from `casus gen --states {n} --treaties {} --orgs {} --seed {}`: a {rows}x{cols} grid of states.",
            spec.treaties, spec.orgs, spec.seed
        ),
        start: start.to_string(),
        horizon_days: spec.horizon_days,
        seed: spec.seed,
        focus: focus.to_string(),
        actors,
        treaties,
        timeline,
        parameters: BTreeMap::new(),
        expect: None,
    }
}

/// States on the grid, with regimes, armies and economies drawn, trading with and bordering
/// their neighbours.
fn states(k: &Keyed, grid: &Grid) -> Vec<ActorDef> {
    let mut actors = Vec::new();
    for i in 0..grid.n {
        let nb = grid.neighbours(i);
        let x = k.u(1, i, 0);
        let regime = if x < 0.65 {
            Regime::Democracy
        } else if x < 0.85 {
            Regime::Authoritarian
        } else {
            Regime::Junta
        };
        actors.push(ActorDef::State(StateDef {
            id: state_id(i),
            name: format!("State {i}"),
            regime,
            troops: (k.range(2, i, 2_000.0, 60_000.0) / 100.0).round() as u32 * 100,
            gdp_busd: round2(k.range(3, i, 2.0, 200.0)),
            population_m: round2(k.range(4, i, 1.0, 100.0)),
            trade_dependence: round2(k.range(5, i, 0.2, 0.8)),
            aid_dependence: round2(k.range(6, i, 0.0, 0.5)),
            cohesion: round2(k.range(7, i, 0.2, 0.9)),
            army_loyalty: round2(k.range(8, i, 0.2, 0.9)),
            war_opposition: round2(k.range(9, i, 0.2, 0.9)),
            security_threat: round2(k.range(10, i, 0.0, 0.6)),
            trade_exposure: nb.iter().map(|&j| (state_id(j), round2(k.u(11, i, j as u64) * 0.1))).collect(),
            electricity_supply: BTreeMap::new(),
            borders: nb.iter().map(|&j| state_id(j)).collect(),
            forces_abroad: BTreeMap::new(),
        }));
    }
    actors
}

/// Organisations: bands of rows, overlapping by one row; every other one has a regime on
/// unconstitutional change.
fn organisations(k: &Keyed, grid: &Grid, orgs: usize) -> Vec<ActorDef> {
    let (n, rows, cols) = (grid.n, grid.rows, grid.cols);
    let mut actors = Vec::new();
    let band = rows.div_ceil(orgs.max(1)).max(1);
    for o in 0..orgs {
        let first_row = (o * band).min(rows - 1);
        let last_row = ((o + 1) * band).min(rows - 1);
        let members: Vec<Id> = (first_row * cols..((last_row + 1) * cols).min(n)).map(state_id).collect();
        let ucg = (o % 2 == 0).then(|| UcgRegimeDef {
            suspension_article: crate::format_id!("Org {o} Charter Art. 1"),
            sanctions_article: crate::format_id!("Org {o} Charter Art. 2"),
            intervention_article: crate::format_id!("Org {o} Charter Art. 3"),
            suspension_delay_days: 1 + k.pick(20, o, 7) as u32,
            summit_delay_days: 2 + k.pick(21, o, 10) as u32,
            sanctions_menu: vec![Measure::BorderClosure, Measure::TransactionFreeze, Measure::AssetFreeze, Measure::TravelBan],
            sanction_propensity: round2(k.range(22, o, 0.3, 0.9)),
            ultimatum_days: 7 + k.pick(23, o, 14) as u32,
            force_threatened: k.u(24, o, 0) < 0.5,
            activation_summit_delay_days: 7 + k.pick(25, o, 14) as u32,
            dday_delay_days: 10 + k.pick(26, o, 30) as u32,
            force_decision_rule: DecisionRule::TwoThirds,
            review_days: 30 + k.pick(27, o, 60) as u32,
            standby_force: true,
        });
        actors.push(ActorDef::Organisation(OrganisationDef {
            id: crate::format_id!("ORG{o:03}"),
            name: format!("Organisation {o}"),
            members,
            suspended: vec![],
            withdrawal_notice_days: 365,
            withdrawal_article: crate::format_id!("Org {o} Charter Art. 9"),
            ucg,
        }));
    }
    actors
}

/// External partners, one per 20 states, with forces in two states and aid to four.
fn partners(k: &Keyed, grid: &Grid) -> Vec<ActorDef> {
    let n = grid.n;
    let mut actors = Vec::new();
    for p in 0..=(n / 20) {
        let host = |j: u64| state_id(grid.at(k.u(30, p, j)));
        let mut forces = BTreeMap::new();
        let mut aid = BTreeMap::new();
        for j in 0..2 {
            forces.insert(host(j), (k.range(31, p * 2 + j as usize, 200.0, 3_000.0) / 100.0).round() as u32 * 100);
        }
        for j in 2..6 {
            aid.insert(host(j), round2(k.range(32, p * 4 + j as usize, 20.0, 400.0)));
        }
        actors.push(ActorDef::Partner(PartnerDef {
            id: crate::format_id!("PART{p:03}"),
            name: format!("Partner {p}"),
            forces,
            aid_musd: aid,
            aid_conditionality: round2(k.range(33, p, 0.3, 0.9)),
            aid_suspension_delay_days: 3 + k.pick(34, p, 10) as u32,
            aid_policy: crate::format_id!("Partner {p} aid policy"),
            hostility_exposure: round2(k.range(35, p, 0.2, 0.8)),
            withdrawal_days: 60 + k.pick(36, p, 90) as u32,
        }));
    }
    actors
}

/// Armed groups, one per 10 states, each operating in a state and some of its neighbours.
fn armed_groups(k: &Keyed, grid: &Grid) -> Vec<ActorDef> {
    let n = grid.n;
    let mut actors = Vec::new();
    for g in 0..=(n / 10) {
        let base = grid.at(k.u(40, g, 0));
        let mut area = vec![base];
        for nb in grid.neighbours(base).into_iter().take(k.pick(41, g, 3)) {
            area.push(nb);
        }
        actors.push(ActorDef::ArmedGroup(ArmedGroupDef {
            id: crate::format_id!("GRP{g:03}"),
            name: format!("Armed group {g}"),
            operates_in: area.into_iter().map(state_id).collect(),
            attacks_per_month: round2(k.range(42, g, 0.5, 3.0)),
            mean_deaths: round2(k.range(43, g, 3.0, 15.0)),
            terrorist: true,
        }));
    }
    actors
}

/// Mutual-defence pacts among neighbouring states (grown breadth-first from a drawn state),
/// each with a defence clause and a consultation clause.
fn treaties(k: &Keyed, grid: &Grid, count: usize) -> Vec<TreatyDef> {
    let n = grid.n;
    let mut treaties = Vec::new();
    for t in 0..count {
        let base = grid.at(k.u(50, t, 0));
        let size = 2 + k.pick(51, t, 7);
        let mut members = vec![base];
        let mut frontier = vec![base];
        while members.len() < size.min(n) && !frontier.is_empty() {
            let at = frontier.remove(0);
            for nb in grid.neighbours(at) {
                if members.len() < size && !members.contains(&nb) {
                    members.push(nb);
                    frontier.push(nb);
                }
            }
        }
        if members.len() < 2 {
            continue;
        }
        members.sort_unstable();
        let binding = if k.u(52, t, 0) < 0.7 { Bindingness::Duty } else { Bindingness::Discretionary };
        treaties.push(TreatyDef {
            id: crate::format_id!("PACT{t:04}"),
            short_name: format!("Pact {t}"),
            name: format!("Mutual defence pact {t}"),
            members: members.into_iter().map(state_id).collect(),
            in_force: None,
            withdrawal_notice_days: 365,
            decision_rule: DecisionRule::Unanimity,
            decision_article: crate::format_id!("Pact {t} Art. 7"),
            clauses: vec![
                ClauseDef {
                    article: crate::format_id!("Pact {t} Art. 5"),
                    obligation: Obligation::Defence,
                    triggers: vec![Trigger::AttackOnTerritory, Trigger::AttackOnSovereignty],
                    conditions: vec![],
                    owed: vec![AssistanceForm::ArmedForce, AssistanceForm::Logistics],
                    binding,
                    collective: k.u(53, t, 0) < 0.5,
                },
                ClauseDef {
                    article: crate::format_id!("Pact {t} Art. 4"),
                    obligation: Obligation::Consultation,
                    triggers: vec![Trigger::AttackOnTerritory],
                    conditions: vec![],
                    owed: vec![],
                    binding: Bindingness::Duty,
                    collective: false,
                },
            ],
        });
    }
    treaties
}

/// Coups (one per 50 states) and attacks between neighbours (one per 25) over the first two
/// thirds of the horizon, in date order; the focus is the first coup's state.
fn timeline(k: &Keyed, grid: &Grid, start: crate::model::date::Date, horizon_days: u32) -> (Vec<ScriptedDef>, Id) {
    let n = grid.n;
    let span = (horizon_days * 2 / 3).max(1);
    let mut timeline = Vec::new();
    let mut focus = state_id(0);
    for c in 0..n.div_ceil(50) {
        let s = grid.at(k.u(60, c, 0));
        if c == 0 {
            focus = state_id(s);
        }
        let day = k.pick(61, c, span as usize) as i64;
        timeline.push(ScriptedDef {
            date: start.plus_days(day).to_string(),
            event: ScriptedEvent::Coup {
                state: state_id(s),
                leader: crate::format_id!("General {c}"),
                form: Default::default(),
                claimant: Default::default(),
            },
        });
    }
    for a in 0..n.div_ceil(25) {
        let attacker = grid.at(k.u(70, a, 0));
        let nb = grid.neighbours(attacker);
        if nb.is_empty() {
            continue;
        }
        let target = nb[k.pick(71, a, nb.len())];
        let day = k.pick(72, a, span as usize) as i64;
        timeline.push(ScriptedDef {
            date: start.plus_days(day).to_string(),
            event: ScriptedEvent::Attack {
                attacker: state_id(attacker),
                target: state_id(target),
                location: None,
                kind: if k.u(73, a, 0) < 0.5 { AttackKind::Invasion } else { AttackKind::Strike },
                troops: (k.range(74, a, 500.0, 8_000.0) / 100.0).round() as u32 * 100,
                deaths: k.pick(75, a, 60) as u32,
            },
        });
    }
    timeline.sort_by(|a, b| a.date.cmp(&b.date));
    (timeline, focus)
}

/// The scenario as RON text in the format scenario files use.
pub fn to_ron(s: &Scenario) -> String {
    let cfg = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .indentor("  ".to_string())
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
    let body = ron::ser::to_string_pretty(s, cfg).expect("a scenario serialises");
    // The extensions are on by default when casus reads a file; drop the attribute line.
    let body = body.lines().filter(|l| !l.starts_with("#![enable(")).collect::<Vec<_>>().join("\n");
    format!("// {}\n{body}\n", s.description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_scenarios_are_valid_and_round_trip() {
        for (states, treaties, orgs) in [(2, 1, 1), (10, 3, 2), (100, 30, 5), (1000, 200, 12)] {
            let spec = GenSpec { states, treaties, orgs, seed: 5, horizon_days: 365 };
            let s = generate(&spec);
            let text = to_ron(&s);
            let parsed = crate::model::scenario::load(&text).unwrap_or_else(|e| panic!("{states}: {}", e.render("gen", &text)));
            assert_eq!(parsed, s, "{states}: RON round trip");
            assert_eq!(generate(&spec), s, "deterministic");
            let n_states = s.actors.iter().filter(|a| matches!(a, ActorDef::State(_))).count();
            assert_eq!(n_states, states);
        }
    }
}
