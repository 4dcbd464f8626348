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
use crate::rules::{MODULE_COUNT, MODULE_NAMES, combat, coup, defence, junta, membership, partners, ucg};

/// A set of rule modules: bit `i` for `MODULES[i]`.
pub type ModuleSet = u16;

const _: () = assert!(MODULE_COUNT <= ModuleSet::BITS as usize);

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The set of the modules named (`RuleModule::name`); a name that is no module's does not
/// compile (the table below is evaluated at compile time).
const fn set(names: &[&str]) -> ModuleSet {
    let mut out = 0;
    let mut n = 0;
    while n < names.len() {
        let mut i = 0;
        while !same(MODULE_NAMES[i], names[n]) {
            i += 1;
            assert!(i < MODULE_COUNT, "a name in the wake table is no module's");
        }
        out |= 1 << i;
        n += 1;
    }
    out
}

/// The names (`RuleModule::name`) of the modules an applied event of this kind wakes.
pub fn modules_woken_by(kind: &EventKind) -> impl Iterator<Item = &'static str> {
    let woken = wake_set(kind);
    MODULE_NAMES.into_iter().enumerate().filter(move |(i, _)| woken & (1 << i) != 0).map(|(_, name)| name)
}

/// The modules an applied event of this kind wakes, as a set (one table lookup per event: the
/// engine asks after every round).
pub fn wake_set(kind: &EventKind) -> ModuleSet {
    use EventKind as K;
    const UCG: &str = ucg::NAME;
    match kind {
        K::CoupStaged { .. } => const { set(&[coup::NAME, UCG]) },
        K::CoupConsolidated { .. } => const { set(&[UCG, partners::NAME]) },
        K::CoupFailing { .. } => const { set(&[coup::NAME, UCG]) },
        K::OrderRestored { .. } => const { set(&[UCG]) },
        K::AttackOccurred { .. } => const { set(&[defence::NAME]) },
        K::TreatyInForce { .. } => const { set(&[UCG]) },
        K::MemberSuspended { .. } => const { set(&[UCG]) },
        K::SuspensionLifted { .. } => const { set(&[UCG]) },
        K::SummitConvened { .. } => const { set(&[UCG]) },
        K::SanctionsImposed { .. } => const { set(&[UCG]) },
        K::SanctionsLifted { .. } => const { set(&[UCG]) },
        K::ExportsCut { .. } => const { set(&[UCG]) },
        K::UltimatumIssued { .. } => const { set(&[UCG]) },
        K::UltimatumExpired { .. } => const { set(&[UCG]) },
        K::DefencePledged { .. } => const { set(&[UCG]) },
        K::ForcesRedeployed { .. } => const { set(&[UCG]) },
        K::BorderForcesRecalled { .. } => const { set(&[UCG]) },
        K::VoteHeld { .. } => const { set(&[UCG]) },
        K::StandbyForceActivated { .. } => const { set(&[UCG]) },
        K::ForcePledged { .. } => const { set(&[UCG]) },
        K::LaunchPostponed { .. } => const { set(&[UCG]) },
        K::InterventionLaunched { .. } => const { set(&[UCG, combat::NAME]) },
        K::StandbyForceStoodDown { .. } => const { set(&[UCG]) },
        K::AidSuspended { .. } => const { set(&[UCG]) },
        K::ForcesExpelled { .. } => const { set(&[UCG, partners::NAME]) },
        K::ForcesWithdrawn { .. } => const { set(&[UCG]) },
        K::TransitionProposed { .. } => const { set(&[UCG]) },
        K::TransitionAnswered { .. } => const { set(&[UCG]) },
        K::WithdrawalAnnounced { .. } => const { set(&[UCG, junta::NAME, membership::NAME]) },
        K::WithdrawalEffective { .. } => const { set(&[UCG]) },
        K::ObligationArisen { .. } => const { set(&[defence::NAME]) },
        K::AssistanceRequested { .. } => const { set(&[defence::NAME]) },
        K::AssistanceDecided { .. } => const { set(&[defence::NAME]) },
        K::ForcesMobilised { .. } => const { set(&[defence::NAME]) },
        K::ForcesDeployed { .. } => const { set(&[defence::NAME]) },
        K::ForcesReturned { .. } => const { set(&[]) },
        K::JointOperationFormed { .. } => const { set(&[]) },
        K::ConsultationsHeld { .. } => const { set(&[]) },
        K::NonAggressionBreached { .. } => const { set(&[]) },
        K::CombatRound { .. } => const { set(&[UCG]) },
        K::InterventionEnded { .. } => const { set(&[UCG]) },
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
                assert!(MODULES.iter().any(|m| m.name() == name), "{}: no module named {name}", kind.name());
            }
        }
    }

    #[test]
    fn the_unconstitutional_change_rules_wake_for_every_kind_that_reaches_politics() {
        for kind in EventKind::samples(1) {
            let politics = kind.traits().reach == Reach::Politics;
            assert_eq!(modules_woken_by(&kind).any(|n| n == ucg::NAME), politics, "{}", kind.name());
        }
    }
}
