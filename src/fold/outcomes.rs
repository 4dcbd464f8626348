//! The standard outcomes of a run, about the scenario's focus actor, computed from the event
//! log and the final state alone (so a replayed log yields the same outcomes).
//! Names are stable; docs/log-format.md defines each one.

use serde::{Deserialize, Serialize};

use crate::fold::classes::classify;
use crate::model::economics::accrue_loss;
use crate::model::event::{CombatOutcome, Event, EventKind};
use crate::model::expect::OutcomeClass;
use crate::model::params::Params;
use crate::model::scenario::{AttackKind, Regime, Scenario, StateDef};
use crate::model::state::Polity;

/// Outcomes of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Day the focus was suspended from an organisation.
    pub suspension_day: Option<u32>,
    /// Day economic sanctions were first imposed on the focus.
    pub sanctions_imposed_day: Option<u32>,
    /// Day an ultimatum was issued.
    pub ultimatum_day: Option<u32>,
    /// Day a standby force was activated against the focus.
    pub standby_force_activated_day: Option<u32>,
    /// Day an intervention was launched.
    pub intervention_launched_day: Option<u32>,
    /// Whether a defence clause was invoked for the focus against a state or organisation.
    pub defence_clause_invoked: bool,
    /// Allies obligated by such invocations (distinct).
    pub allies_obligated: u32,
    /// Allies that decided to honour them (distinct).
    pub allies_committed: u32,
    /// Whether there was fighting between states or organisations on the focus's territory.
    pub armed_conflict: bool,
    /// Day constitutional order was restored.
    pub order_restored_day: Option<u32>,
    /// Day economic sanctions were lifted.
    pub sanctions_lifted_day: Option<u32>,
    /// Days economic sanctions were in force within the horizon.
    pub sanctions_days: Option<u32>,
    /// Day the focus announced withdrawal from an organisation.
    pub withdrawal_announced_day: Option<u32>,
    /// Day that withdrawal took effect.
    pub withdrawal_effective_day: Option<u32>,
    /// Day the focus expelled a partner's forces.
    pub foreign_forces_expelled_day: Option<u32>,
    /// Military deaths in the focus.
    pub casualties_military: u64,
    /// Civilian deaths in the focus.
    pub casualties_civilian: u64,
    /// GDP lost by the horizon, percent.
    pub target_gdp_loss_pct: f64,
    /// Regime at the horizon.
    pub final_regime: Regime,
    /// Whether the coup consolidated.
    pub coup_consolidated: bool,
    /// Aid suspended, millions of US dollars per year.
    pub aid_suspended_musd: f64,
    /// Allies that publicly pledged to defend the focus.
    pub allies_pledged: u32,
    /// Day a transition timetable was agreed.
    pub transition_agreed_day: Option<u32>,
    /// How the intervention ended, if one was fought.
    pub intervention_outcome: Option<CombatOutcome>,
    /// Jihadist or rebel attacks in the focus.
    pub armed_group_attacks: u32,
    /// Obligations arising for the focus from terrorist or rebel attacks.
    pub terrorism_obligations: u32,
    /// GDP-weighted GDP loss by the horizon of the states that applied sanctions on the focus, percent.
    pub sanctioning_states_gdp_loss_pct: f64,
    /// How the crisis ended for the focus (`fold::classes`; docs/casebook.md defines each class).
    pub outcome_class: OutcomeClass,
}

/// A sanctioning member's final state, for its share of the costs.
pub struct Sanctioner<'a> {
    /// Its profile.
    pub def: &'a StateDef,
    /// Its final state.
    pub state: &'a Polity,
}

fn first(events: &[Event], f: impl Fn(&EventKind) -> bool) -> Option<u32> {
    events.iter().find(|e| f(&e.kind)).map(|e| e.day)
}

/// Whether event `seq` is an attack by a state or organisation. `events` are in seq order: a
/// whole log (where an event's index is its seq), or only the events that can matter to the
/// outcomes (`relevant`), as replay keeps them.
fn state_attack(events: &[Event], seq: u64) -> bool {
    let at = match events.get(seq as usize) {
        Some(e) if e.seq == seq => Some(e),
        _ => events.binary_search_by_key(&seq, |e| e.seq).ok().map(|i| &events[i]),
    };
    at.is_some_and(
        |e| matches!(&e.kind, EventKind::AttackOccurred { attack, .. } if !matches!(attack, AttackKind::Terrorist | AttackKind::Rebellion)),
    )
}

/// Whether `event` can matter to the outcomes about `focus`: every event the outcomes and the
/// outcome class read names the focus among its actors. So do the attacks they look up by seq
/// (`state_attack`): an obligation's attack is an attack on its beneficiary, the focus.
/// `compute` over the relevant events of a log, in order, equals `compute` over the whole log;
/// replay keeps only these, so it need not hold the log (nor its attacks on other states, most
/// of a big world's events).
pub fn relevant(event: &Event, focus: &str) -> bool {
    event.actors.iter().any(|a| a == focus)
}

/// The outcomes of a run of `scenario` with `params` whose final state is `world` and whose
/// events (all of them, or the `relevant` ones, in order) are `events`: what a run writes into
/// summary.json and what replay recomputes from the log.
pub fn of_world(world: &mut bevy_ecs::world::World, events: &[Event], scenario: &Scenario, params: &Params) -> Outcomes {
    of_world_for(world, events, scenario, params, &scenario.focus)
}

/// The standard outcomes about `focus`, any state of the scenario (not only its focus), of a
/// run whose final state is `world` and whose events (all of them) are `events`.
pub fn of_world_for(world: &mut bevy_ecs::world::World, events: &[Event], scenario: &Scenario, params: &Params, focus: &str) -> Outcomes {
    let entity = world.resource::<crate::model::world::Fixed>().index[focus];
    let polity: Polity = world.get::<Polity>(entity).expect("focus is a state").clone();
    let def = scenario.state(focus).expect("focus is a state");
    let mut q = world.query::<(&crate::model::state::StateProfile, &Polity)>();
    let sanctioners: Vec<Sanctioner> =
        q.iter(world).filter(|(_, p)| p.imposing.contains_key(focus)).map(|(d, p)| Sanctioner { def: &d.0, state: p }).collect();
    compute(events, focus, def, &polity, &sanctioners, params, scenario.horizon_days)
}

/// Computes the outcomes for `focus`.
#[allow(clippy::too_many_arguments)]
pub fn compute(
    events: &[Event],
    focus: &str,
    focus_def: &StateDef,
    final_state: &Polity,
    sanctioners: &[Sanctioner],
    params: &Params,
    horizon: u32,
) -> Outcomes {
    let f = focus;
    let suspension_day = first(events, |k| matches!(k, EventKind::MemberSuspended { state, .. } if state == f));
    let sanctions_imposed_day = first(
        events,
        |k| matches!(k, EventKind::SanctionsImposed { target, measures, .. } if target == f && measures.iter().any(|m| m.is_economic())),
    );
    let sanctions_lifted_day = first(
        events,
        |k| matches!(k, EventKind::SanctionsLifted { target, measures, .. } if target == f && measures.iter().any(|m| m.is_economic())),
    );
    let mut obligated = std::collections::BTreeSet::new();
    let mut committed = std::collections::BTreeSet::new();
    let mut terrorism_obligations = 0;
    let mut armed_conflict = false;
    let mut armed_group_attacks = 0;
    for e in events {
        match &e.kind {
            EventKind::ObligationArisen { beneficiary, party, attack_seq, .. } if beneficiary == f => {
                if state_attack(events, *attack_seq) {
                    obligated.insert(party.clone());
                } else {
                    terrorism_obligations += 1;
                }
            }
            EventKind::AssistanceDecided { beneficiary, party, honoured: true, attack_seq, .. }
                if beneficiary == f && state_attack(events, *attack_seq) =>
            {
                committed.insert(party.clone());
            }
            EventKind::CombatRound { target, .. } if target == f => armed_conflict = true,
            EventKind::AttackOccurred { target, attack, deaths_military, deaths_civilian, .. } if target == f => {
                if matches!(attack, AttackKind::Terrorist | AttackKind::Rebellion) {
                    armed_group_attacks += 1;
                } else if deaths_military + deaths_civilian > 0 {
                    armed_conflict = true;
                }
            }
            _ => {}
        }
    }
    let (mut weighted, mut weights) = (0.0, 0.0);
    for s in sanctioners.iter().filter(|s| s.state.imposing.contains_key(focus)) {
        let mut st = s.state.clone();
        accrue_loss(&mut st, s.def, params, horizon);
        weighted += st.gdp_loss_pct * s.def.gdp_busd;
        weights += s.def.gdp_busd;
    }
    let sanctioning_states_gdp_loss_pct = if weights > 0.0 { (weighted / weights * 1e6).round() / 1e6 } else { 0.0 };
    let mut end_state = final_state.clone();
    accrue_loss(&mut end_state, focus_def, params, horizon);
    let mut outcomes = Outcomes {
        suspension_day,
        sanctions_imposed_day,
        ultimatum_day: first(events, |k| matches!(k, EventKind::UltimatumIssued { target, .. } if target == f)),
        standby_force_activated_day: first(events, |k| matches!(k, EventKind::StandbyForceActivated { target, .. } if target == f)),
        intervention_launched_day: first(events, |k| matches!(k, EventKind::InterventionLaunched { target, .. } if target == f)),
        defence_clause_invoked: !obligated.is_empty(),
        allies_obligated: obligated.len() as u32,
        allies_committed: committed.len() as u32,
        armed_conflict,
        order_restored_day: first(events, |k| matches!(k, EventKind::OrderRestored { state, .. } if state == f)),
        sanctions_lifted_day,
        sanctions_days: sanctions_imposed_day.map(|d| sanctions_lifted_day.unwrap_or(horizon).saturating_sub(d)),
        withdrawal_announced_day: first(events, |k| matches!(k, EventKind::WithdrawalAnnounced { state, .. } if state == f)),
        withdrawal_effective_day: first(events, |k| matches!(k, EventKind::WithdrawalEffective { state, .. } if state == f)),
        foreign_forces_expelled_day: first(events, |k| matches!(k, EventKind::ForcesExpelled { state, .. } if state == f)),
        casualties_military: final_state.casualties_military,
        casualties_civilian: final_state.casualties_civilian,
        target_gdp_loss_pct: (end_state.gdp_loss_pct * 1e6).round() / 1e6,
        final_regime: final_state.regime,
        coup_consolidated: events.iter().any(|e| matches!(&e.kind, EventKind::CoupConsolidated { state } if state == f)),
        aid_suspended_musd: final_state.aid_suspended_musd,
        allies_pledged: final_state.pledged_by.len() as u32,
        transition_agreed_day: first(events, |k| matches!(k, EventKind::TransitionAnswered { state, accepted: true, .. } if state == f)),
        intervention_outcome: events.iter().find_map(|e| match &e.kind {
            EventKind::InterventionEnded { target, outcome, .. } if target == f => Some(*outcome),
            _ => None,
        }),
        armed_group_attacks,
        terrorism_obligations,
        sanctioning_states_gdp_loss_pct,
        outcome_class: OutcomeClass::NoMeasures,
    };
    outcomes.outcome_class = classify(events, &outcomes, focus);
    outcomes
}

/// Whether, and on which day, a step happened: what a standard outcome that is a day or a
/// yes/no answer says (for `casus validate`'s day and measure checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happened {
    /// A day outcome: the day, if it happened.
    Day(Option<u32>),
    /// A yes/no outcome.
    Flag(bool),
}

impl Happened {
    /// Whether it happened.
    pub fn yes(self) -> bool {
        match self {
            Happened::Day(d) => d.is_some(),
            Happened::Flag(b) => b,
        }
    }
}

/// Reads one such outcome off a run's outcomes.
type HappenedOf = fn(&Outcomes) -> Happened;

/// The outcomes that say whether (and when) something happened, by name: the days, then the
/// yes/no answers. One table, so the names and the values cannot drift apart.
const HAPPENED: [(&str, HappenedOf); 14] = [
    ("suspension_day", |o| Happened::Day(o.suspension_day)),
    ("sanctions_imposed_day", |o| Happened::Day(o.sanctions_imposed_day)),
    ("ultimatum_day", |o| Happened::Day(o.ultimatum_day)),
    ("standby_force_activated_day", |o| Happened::Day(o.standby_force_activated_day)),
    ("intervention_launched_day", |o| Happened::Day(o.intervention_launched_day)),
    ("order_restored_day", |o| Happened::Day(o.order_restored_day)),
    ("sanctions_lifted_day", |o| Happened::Day(o.sanctions_lifted_day)),
    ("withdrawal_announced_day", |o| Happened::Day(o.withdrawal_announced_day)),
    ("withdrawal_effective_day", |o| Happened::Day(o.withdrawal_effective_day)),
    ("foreign_forces_expelled_day", |o| Happened::Day(o.foreign_forces_expelled_day)),
    ("transition_agreed_day", |o| Happened::Day(o.transition_agreed_day)),
    ("defence_clause_invoked", |o| Happened::Flag(o.defence_clause_invoked)),
    ("armed_conflict", |o| Happened::Flag(o.armed_conflict)),
    ("coup_consolidated", |o| Happened::Flag(o.coup_consolidated)),
];

impl Outcomes {
    /// The names of the outcomes that say whether (and when) something happened.
    pub fn happened_names() -> impl Iterator<Item = &'static str> {
        HAPPENED.iter().map(|(name, _)| *name)
    }

    /// The outcome `name` as a day or a yes/no answer, if it is one of those.
    pub fn happened(&self, name: &str) -> Option<Happened> {
        HAPPENED.iter().find(|(n, _)| *n == name).map(|(_, value)| value(self))
    }
}
