//! What the rest of casus needs to know about each event kind, said once per kind: its theme,
//! whether the timeline shows it, and whether it changes only fighting and the defence clauses'
//! bookkeeping. One exhaustive match, so a new kind does not compile until it says (see
//! ARCHITECTURE.md, "How to add a rule").

use super::EventKind;

/// What an event kind is about (reports colour and group events by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Coups, their outcome and order restored.
    Coup,
    /// Violence: attacks, interventions, breaches of non-aggression.
    Violence,
    /// Economic pressure: sanctions, export cuts, aid.
    Economic,
    /// Alliance: obligations, requests, decisions, pledges of defence.
    Alliance,
    /// Exits: withdrawals from organisations, foreign forces expelled and leaving.
    Exit,
    /// Everything else: diplomacy, votes, timetables, treaties, forces on the move.
    Diplomacy,
}

/// Which state an event kind can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Only what fighting and the defence clauses' bookkeeping change: casualties, troops (at
    /// home and committed abroad), armed groups' tallies, treaty breach counts and the
    /// `Defence` resource. Most of a run's events are of these kinds.
    FightingOrDefence,
    /// Anything else (crises, responses, regimes, memberships, aid, forces abroad, ...).
    Politics,
}

/// What is known of an event kind beyond its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindTraits {
    /// What it is about.
    pub theme: Theme,
    /// Whether the timeline shows it (routine steps, such as combat rounds, mobilisations and
    /// summits convening, are left out of `casus run`'s timeline and the report's).
    pub in_timeline: bool,
    /// Which state it can change.
    pub reach: Reach,
}

const SHOWN: bool = true;
const ROUTINE: bool = false;

impl EventKind {
    /// This kind's traits.
    pub fn traits(&self) -> KindTraits {
        use EventKind as K;
        use Reach::*;
        use Theme::*;
        let (theme, in_timeline, reach) = match self {
            K::CoupStaged { .. } => (Coup, SHOWN, Politics),
            K::CoupConsolidated { .. } => (Coup, SHOWN, Politics),
            K::CoupFailing { .. } => (Coup, SHOWN, Politics),
            K::OrderRestored { .. } => (Coup, SHOWN, Politics),
            K::AttackOccurred { .. } => (Violence, SHOWN, FightingOrDefence),
            K::TreatyInForce { .. } => (Diplomacy, SHOWN, Politics),
            K::MemberSuspended { .. } => (Diplomacy, SHOWN, Politics),
            K::SuspensionLifted { .. } => (Diplomacy, SHOWN, Politics),
            K::SummitConvened { .. } => (Diplomacy, ROUTINE, Politics),
            K::SanctionsImposed { .. } => (Economic, SHOWN, Politics),
            K::SanctionsLifted { .. } => (Economic, SHOWN, Politics),
            K::ExportsCut { .. } => (Economic, SHOWN, Politics),
            K::UltimatumIssued { .. } => (Diplomacy, SHOWN, Politics),
            K::UltimatumExpired { .. } => (Diplomacy, SHOWN, Politics),
            K::DefencePledged { .. } => (Alliance, SHOWN, Politics),
            K::ForcesRedeployed { .. } => (Diplomacy, SHOWN, Politics),
            K::BorderForcesRecalled { .. } => (Diplomacy, SHOWN, Politics),
            K::VoteHeld { .. } => (Diplomacy, SHOWN, Politics),
            K::StandbyForceActivated { .. } => (Diplomacy, SHOWN, Politics),
            K::ForcePledged { .. } => (Diplomacy, SHOWN, Politics),
            K::LaunchPostponed { .. } => (Diplomacy, SHOWN, Politics),
            K::InterventionLaunched { .. } => (Violence, SHOWN, Politics),
            K::StandbyForceStoodDown { .. } => (Diplomacy, SHOWN, Politics),
            K::AidSuspended { .. } => (Economic, SHOWN, Politics),
            K::ForcesExpelled { .. } => (Exit, SHOWN, Politics),
            K::ForcesWithdrawn { .. } => (Exit, SHOWN, Politics),
            K::TransitionProposed { .. } => (Diplomacy, SHOWN, Politics),
            K::TransitionAnswered { .. } => (Diplomacy, SHOWN, Politics),
            K::WithdrawalAnnounced { .. } => (Exit, SHOWN, Politics),
            K::WithdrawalEffective { .. } => (Exit, SHOWN, Politics),
            K::ObligationArisen { .. } => (Alliance, SHOWN, FightingOrDefence),
            K::AssistanceRequested { .. } => (Alliance, SHOWN, FightingOrDefence),
            K::AssistanceDecided { .. } => (Alliance, SHOWN, FightingOrDefence),
            K::ForcesMobilised { .. } => (Diplomacy, ROUTINE, FightingOrDefence),
            K::ForcesDeployed { .. } => (Diplomacy, SHOWN, FightingOrDefence),
            K::ForcesReturned { .. } => (Diplomacy, SHOWN, FightingOrDefence),
            K::JointOperationFormed { .. } => (Alliance, SHOWN, FightingOrDefence),
            K::ConsultationsHeld { .. } => (Diplomacy, SHOWN, FightingOrDefence),
            K::NonAggressionBreached { .. } => (Violence, SHOWN, FightingOrDefence),
            K::CombatRound { .. } => (Diplomacy, ROUTINE, Politics),
            K::InterventionEnded { .. } => (Violence, SHOWN, Politics),
        };
        KindTraits { theme, in_timeline, reach }
    }
}
