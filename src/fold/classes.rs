//! Outcome classes: the one-word answer to "how did this crisis end?", defined once here and
//! read off a run's events and standard outcomes (so a replayed log gets the same class).
//!
//! A run can show several endings at once (a failed coup followed by a force deployed at the
//! government's request; a threat of force and sanctions lifted unmet). Its class is the first
//! that applies in the order of [`OutcomeClass::ALL`], from the most decisive use of force to
//! the mildest measure; `casus validate` compares it with a case's historical class and
//! accepts the other classes the case lists as equally true of history. docs/casebook.md
//! documents each class and the order.

use crate::fold::outcomes::Outcomes;
use crate::model::event::{Event, EventKind, LiftReason};
pub use crate::model::expect::OutcomeClass;

/// Battle deaths (military and civilian, in the focus, during an intervention's combat rounds)
/// from which an intervention counts as one "with significant combat".
pub const SIGNIFICANT_COMBAT_DEATHS: u64 = 100;

/// What the classes are read from, gathered in one pass over the events.
#[derive(Debug, Default)]
struct Signs {
    reversed_by_loyal_forces: bool,
    handed_back: bool,
    restored_by_intervention: bool,
    combat_deaths: u64,
    deployed_by_consent: bool,
    force_threatened: bool,
    economic_lifted_unmet: bool,
    coup_in_effect: bool,
    any_measure: bool,
}

fn signs(events: &[Event], focus: &str) -> Signs {
    let mut s = Signs::default();
    for e in events {
        match &e.kind {
            EventKind::CoupStaged { state, .. } if state == focus => s.coup_in_effect = true,
            EventKind::CoupFailing { state, .. } if state == focus => {
                s.reversed_by_loyal_forces = true;
                s.coup_in_effect = false;
            }
            EventKind::OrderRestored { state, how } if state == focus => {
                s.coup_in_effect = false;
                match how.as_str() {
                    "coup reversed by loyal forces" => s.reversed_by_loyal_forces = true,
                    "regime collapsed under intervention" => s.restored_by_intervention = true,
                    _ => s.handed_back = true,
                }
            }
            EventKind::CombatRound { target, defender_losses, attacker_losses, civilian_deaths, .. } if target == focus => {
                s.combat_deaths += u64::from(*defender_losses) + u64::from(*attacker_losses) + u64::from(*civilian_deaths);
            }
            // Forces sent to a government that holds office constitutionally (not to a junta).
            EventKind::ForcesDeployed { beneficiary, .. } if beneficiary == focus && !s.coup_in_effect => s.deployed_by_consent = true,
            EventKind::UltimatumIssued { target, force_threatened: true, .. } if target == focus => s.force_threatened = true,
            EventKind::StandbyForceActivated { target, .. } if target == focus => s.force_threatened = true,
            EventKind::SanctionsLifted { target, measures, reason, .. } if target == focus => {
                s.economic_lifted_unmet |=
                    measures.iter().any(|m| m.is_economic()) && matches!(reason, LiftReason::Humanitarian | LiftReason::MembershipEnded);
            }
            EventKind::MemberSuspended { state, .. } if state == focus => s.any_measure = true,
            EventKind::SanctionsImposed { target, .. } | EventKind::UltimatumIssued { target, .. } if target == focus => {
                s.any_measure = true
            }
            _ => {}
        }
    }
    s
}

/// Whether `class` is true of a run (several can be; the run's class is the first true one).
fn holds(class: OutcomeClass, s: &Signs, o: &Outcomes) -> bool {
    let intervened = o.intervention_launched_day.is_some();
    match class {
        OutcomeClass::CoupReversed => s.reversed_by_loyal_forces,
        OutcomeClass::InterventionRestoredWithCombat => s.restored_by_intervention && s.combat_deaths >= SIGNIFICANT_COMBAT_DEATHS,
        OutcomeClass::InterventionRestored => s.restored_by_intervention,
        OutcomeClass::InterventionFailed => intervened && !s.restored_by_intervention,
        OutcomeClass::ForceByConsent => s.deployed_by_consent,
        OutcomeClass::LeaderClimbsDown => s.handed_back,
        OutcomeClass::ForceThreatened => s.force_threatened,
        OutcomeClass::TransitionAgreed => o.transition_agreed_day.is_some(),
        OutcomeClass::SanctionsLiftedUnmet => s.economic_lifted_unmet,
        OutcomeClass::SanctionsInForce => o.sanctions_imposed_day.is_some() && o.sanctions_lifted_day.is_none(),
        OutcomeClass::SuspensionOrTargeted => s.any_measure,
        OutcomeClass::NoMeasures => true,
    }
}

/// The class of a run about `focus`, from its events and standard outcomes.
pub fn classify(events: &[Event], outcomes: &Outcomes, focus: &str) -> OutcomeClass {
    let s = signs(events, focus);
    OutcomeClass::ALL.into_iter().find(|c| holds(*c, &s, outcomes)).expect("NoMeasures always holds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_round_trip_and_follow_the_order() {
        for (i, c) in OutcomeClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            assert_eq!(serde_json::from_str::<OutcomeClass>(&json).unwrap(), *c);
        }
    }
}
