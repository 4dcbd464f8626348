//! Which rule modules an applied event of each kind can give something to do in the next round
//! of the same day, said once per kind. One exhaustive match, so a new kind does not compile
//! until it says which modules it wakes (an empty list: none). Round 0 of a day runs the modules
//! due by their timers (`RuleModule::next_due`); later rounds run only those woken here.
//! `Sim::verify_due` runs every module anyway in the tests and fails if one not woken proposes.
//!
//! The unconstitutional-change rules wake for every kind that can change crises, responses,
//! regimes or memberships (every kind whose `Reach` is `Politics`); the defence clauses for
//! attacks and their own bookkeeping; the others for the few kinds their rules answer.

use crate::model::event::EventKind;
use crate::rules::{combat, coup, defence, junta, membership, partners, ucg};

/// The names (`RuleModule::name`) of the modules an applied event of this kind wakes.
pub fn modules_woken_by(kind: &EventKind) -> &'static [&'static str] {
    use EventKind as K;
    const UCG: &str = ucg::NAME;
    match kind {
        K::CoupStaged { .. } => &[coup::NAME, UCG],
        K::CoupConsolidated { .. } => &[UCG, partners::NAME],
        K::CoupFailing { .. } => &[coup::NAME, UCG],
        K::OrderRestored { .. } => &[UCG],
        K::AttackOccurred { .. } => &[defence::NAME],
        K::TreatyInForce { .. } => &[UCG],
        K::MemberSuspended { .. } => &[UCG],
        K::SuspensionLifted { .. } => &[UCG],
        K::SummitConvened { .. } => &[UCG],
        K::SanctionsImposed { .. } => &[UCG],
        K::SanctionsLifted { .. } => &[UCG],
        K::ExportsCut { .. } => &[UCG],
        K::UltimatumIssued { .. } => &[UCG],
        K::UltimatumExpired { .. } => &[UCG],
        K::DefencePledged { .. } => &[UCG],
        K::ForcesRedeployed { .. } => &[UCG],
        K::VoteHeld { .. } => &[UCG],
        K::StandbyForceActivated { .. } => &[UCG],
        K::ForcePledged { .. } => &[UCG],
        K::LaunchPostponed { .. } => &[UCG],
        K::InterventionLaunched { .. } => &[UCG, combat::NAME],
        K::StandbyForceStoodDown { .. } => &[UCG],
        K::AidSuspended { .. } => &[UCG],
        K::ForcesExpelled { .. } => &[UCG, partners::NAME],
        K::ForcesWithdrawn { .. } => &[UCG],
        K::TransitionProposed { .. } => &[UCG],
        K::TransitionAnswered { .. } => &[UCG],
        K::WithdrawalAnnounced { .. } => &[UCG, junta::NAME, membership::NAME],
        K::WithdrawalEffective { .. } => &[UCG],
        K::ObligationArisen { .. } => &[defence::NAME],
        K::AssistanceRequested { .. } => &[defence::NAME],
        K::AssistanceDecided { .. } => &[defence::NAME],
        K::ForcesMobilised { .. } => &[defence::NAME],
        K::ForcesDeployed { .. } => &[defence::NAME],
        K::ForcesReturned { .. } => &[],
        K::JointOperationFormed { .. } => &[],
        K::ConsultationsHeld { .. } => &[],
        K::NonAggressionBreached { .. } => &[],
        K::CombatRound { .. } => &[UCG],
        K::InterventionEnded { .. } => &[UCG],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::Reach;
    use crate::rules::MODULES;

    #[test]
    fn every_name_in_the_table_is_a_registered_module() {
        for kind in EventKind::samples(1) {
            for name in modules_woken_by(&kind) {
                assert!(MODULES.iter().any(|m| m.name() == *name), "{}: no module named {name}", kind.name());
            }
        }
    }

    #[test]
    fn the_unconstitutional_change_rules_wake_for_every_kind_that_reaches_politics() {
        for kind in EventKind::samples(1) {
            let politics = kind.traits().reach == Reach::Politics;
            assert_eq!(modules_woken_by(&kind).contains(&ucg::NAME), politics, "{}", kind.name());
        }
    }
}
