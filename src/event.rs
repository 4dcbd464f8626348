//! Events: the only way state changes. Rules decide and emit `EventKind`s; the engine stamps
//! them into `Event`s (sequence number, day, date, cause, rule) and `apply` folds them into state.
//! Names are in the past tense. `docs/log-format.md` documents every kind and field.

use serde::{Deserialize, Serialize};

use crate::scenario::{AssistanceForm, AttackKind, Bindingness, Measure};

/// Version of the log schema written by this build. Bump on any change to record shapes, and
/// add the step from the previous version to `run::upcast_header` (or an event upcaster).
pub const LOG_SCHEMA_VERSION: u32 = 3;

/// The rule citation carried by scripted events.
pub const SCENARIO_RULE: &str = "scenario";

/// A logged event: an envelope around one `EventKind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log: 0, 1, 2, ...
    pub seq: u64,
    /// Days since the scenario start.
    pub day: u32,
    /// Calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// What happened (serialised inline with a `kind` tag).
    #[serde(flatten)]
    pub kind: EventKind,
    /// Actors involved, in the order the kind names them.
    pub actors: Vec<String>,
    /// Sequence number of the event that caused this one; null for scripted events.
    pub cause: Option<u64>,
    /// The clause, article or rule that produced it, or "scenario".
    pub rule: String,
}

/// Why sanctions were lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiftReason {
    /// The demand was met: constitutional order restored.
    OrderRestored,
    /// A transition timetable was accepted.
    TransitionAgreed,
    /// Lifted without the demand met (humanitarian pressure, members' own costs).
    Humanitarian,
    /// The target left the organisation.
    MembershipEnded,
}

/// What a summit was convened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SummitAgenda {
    /// The first response: suspension, sanctions, ultimatum.
    Sanctions,
    /// Whether to activate the standby force.
    StandbyForce,
}

/// What a vote decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteQuestion {
    /// Activate the standby force.
    ActivateStandbyForce,
    /// Launch the intervention.
    LaunchIntervention,
    /// Form a joint operation under a collective-defence clause.
    JointOperation,
}

/// How an intervention ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CombatOutcome {
    /// The defenders broke; the target's regime collapsed.
    Success,
    /// Neither side broke within the round limit.
    Stalemate,
    /// The intervening force lost too much and withdrew.
    Withdrawal,
}

/// Every kind of event, with its kind-specific fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[allow(missing_docs)]
pub enum EventKind {
    /// Soldiers seize power in `state`.
    CoupStaged { state: String, leader: String },
    /// The coup holds: the state is ruled by a junta.
    CoupConsolidated { state: String },
    /// The army stays loyal: the coup will be reversed.
    CoupFailing { state: String, reversal_day: u32 },
    /// Constitutional order restored (by loyal forces, concession, or a collapse under attack).
    OrderRestored { state: String, how: String },
    /// An attack (scripted, an intervention, or an armed group's).
    AttackOccurred {
        attacker: String,
        target: String,
        location: String,
        attack: AttackKind,
        troops: u32,
        deaths_military: u32,
        deaths_civilian: u32,
    },
    /// A treaty enters into force.
    TreatyInForce { treaty: String },
    /// Suspended from an organisation's decision-making bodies.
    MemberSuspended { org: String, state: String },
    /// Suspension ended.
    SuspensionLifted { org: String, state: String },
    /// An organisation's summit on a crisis.
    SummitConvened { org: String, target: String, agenda: SummitAgenda },
    /// Measures imposed; `severity` is the package's economic weight (0-1).
    SanctionsImposed { org: String, target: String, measures: Vec<Measure>, severity: f64 },
    /// Measures lifted; `kept` stay in force.
    SanctionsLifted { org: String, target: String, measures: Vec<Measure>, kept: Vec<Measure>, reason: LiftReason },
    /// A member stops exporting a service (electricity) to the target.
    ExportsCut { by: String, to: String, service: String, share: f64 },
    /// Demand with a deadline.
    UltimatumIssued { org: String, target: String, deadline_day: u32, force_threatened: bool },
    /// The deadline passed with the demand unmet.
    UltimatumExpired { org: String, target: String },
    /// A public pledge to defend a threatened state.
    DefencePledged { by: String, to: String, against: String },
    /// Troops moved to the borders against a threat.
    ForcesRedeployed { state: String, troops: u32, against: String },
    /// A collective vote.
    VoteHeld { org: String, target: String, question: VoteQuestion, yes: Vec<String>, no: Vec<String>, passed: bool },
    /// The standby force ordered activated and deployed.
    StandbyForceActivated { org: String, target: String, dday: u32 },
    /// A member pledges troops to the standby force.
    ForcePledged { org: String, state: String, target: String, troops: u32 },
    /// D-Day or a review passed without a launch.
    LaunchPostponed { org: String, target: String, reason: String },
    /// The intervention begins (also an attack on the target).
    InterventionLaunched { org: String, target: String, troops: u32, contributors: Vec<String> },
    /// A standby force that never launched is stood down.
    StandbyForceStoodDown { org: String, target: String, reason: String },
    /// A partner suspends aid.
    AidSuspended { partner: String, recipient: String, amount_musd: f64 },
    /// A host state orders a partner's forces out.
    ForcesExpelled { state: String, partner: String, troops: u32, leave_by_day: u32 },
    /// A partner's forces have left.
    ForcesWithdrawn { partner: String, from: String, troops: u32 },
    /// A junta offers a transition timetable.
    TransitionProposed { state: String, months: u32 },
    /// The organisation accepts or rejects it.
    TransitionAnswered { org: String, state: String, months: u32, accepted: bool },
    /// Written notice of withdrawal.
    WithdrawalAnnounced { state: String, from: String, effective_day: u32 },
    /// The withdrawal takes effect.
    WithdrawalEffective { state: String, from: String },
    /// A defence clause engaged for a party.
    ObligationArisen {
        treaty: String,
        article: String,
        party: String,
        beneficiary: String,
        attacker: String,
        binding: Bindingness,
        attack_seq: u64,
    },
    /// The attacked party's written request for assistance.
    AssistanceRequested { state: String, treaty: String },
    /// A party decides whether and how to honour an obligation.
    AssistanceDecided {
        treaty: String,
        party: String,
        beneficiary: String,
        honoured: bool,
        forms: Vec<AssistanceForm>,
        troops: u32,
        probability: f64,
        attack_seq: u64,
    },
    /// Committed forces mobilised.
    ForcesMobilised { party: String, beneficiary: String, troops: u32 },
    /// Committed forces deployed in the beneficiary's territory.
    ForcesDeployed { party: String, beneficiary: String, troops: u32 },
    /// Committed forces return home at the end of their tour.
    ForcesReturned { party: String, beneficiary: String, troops: u32 },
    /// Several committed parties form a joint operation.
    JointOperationFormed { treaty: String, beneficiary: String, parties: Vec<String>, troops: u32, attack_seq: u64 },
    /// Parties consult under a consultation clause after a threat to one of them.
    ConsultationsHeld { treaty: String, article: String, requested_by: String, parties: Vec<String> },
    /// A party used force against another despite a non-aggression clause.
    NonAggressionBreached { treaty: String, article: String, by: String, against: String },
    /// One round of fighting between an intervention and the defenders.
    CombatRound {
        org: String,
        target: String,
        round: u32,
        attacker_strength: u32,
        defender_strength: u32,
        attacker_losses: u32,
        defender_losses: u32,
        civilian_deaths: u32,
    },
    /// The fighting ended.
    InterventionEnded { org: String, target: String, outcome: CombatOutcome },
}

macro_rules! kinds {
    ($($v:ident),* $(,)?) => {
        /// Every event kind's name, in declaration order.
        pub const KIND_NAMES: &[&str] = &[$(stringify!($v)),*];

        impl EventKind {
            /// The kind's name as written in the log.
            pub fn name(&self) -> &'static str {
                match self { $(EventKind::$v { .. } => stringify!($v),)* }
            }
        }
    };
}

kinds!(
    CoupStaged,
    CoupConsolidated,
    CoupFailing,
    OrderRestored,
    AttackOccurred,
    TreatyInForce,
    MemberSuspended,
    SuspensionLifted,
    SummitConvened,
    SanctionsImposed,
    SanctionsLifted,
    ExportsCut,
    UltimatumIssued,
    UltimatumExpired,
    DefencePledged,
    ForcesRedeployed,
    VoteHeld,
    StandbyForceActivated,
    ForcePledged,
    LaunchPostponed,
    InterventionLaunched,
    StandbyForceStoodDown,
    AidSuspended,
    ForcesExpelled,
    ForcesWithdrawn,
    TransitionProposed,
    TransitionAnswered,
    WithdrawalAnnounced,
    WithdrawalEffective,
    ObligationArisen,
    AssistanceRequested,
    AssistanceDecided,
    ForcesMobilised,
    ForcesDeployed,
    ForcesReturned,
    JointOperationFormed,
    ConsultationsHeld,
    NonAggressionBreached,
    CombatRound,
    InterventionEnded,
);

impl EventKind {
    /// The actors the event involves, in field order (used for the envelope's `actors`).
    pub fn actors(&self) -> Vec<String> {
        use EventKind::*;
        let v: Vec<&String> = match self {
            CoupStaged { state, .. } | CoupConsolidated { state } | CoupFailing { state, .. } | OrderRestored { state, .. } => vec![state],
            AttackOccurred { attacker, target, location, .. } => {
                if location == target {
                    vec![attacker, target]
                } else {
                    vec![attacker, target, location]
                }
            }
            TreatyInForce { .. } => vec![],
            MemberSuspended { org, state } | SuspensionLifted { org, state } => vec![org, state],
            SummitConvened { org, target, .. }
            | SanctionsImposed { org, target, .. }
            | SanctionsLifted { org, target, .. }
            | UltimatumIssued { org, target, .. }
            | UltimatumExpired { org, target }
            | VoteHeld { org, target, .. }
            | StandbyForceActivated { org, target, .. }
            | LaunchPostponed { org, target, .. }
            | InterventionLaunched { org, target, .. }
            | StandbyForceStoodDown { org, target, .. }
            | CombatRound { org, target, .. }
            | InterventionEnded { org, target, .. } => vec![org, target],
            ExportsCut { by, to, .. } => vec![by, to],
            DefencePledged { by, to, against } => vec![by, to, against],
            ForcesRedeployed { state, against, .. } => vec![state, against],
            ForcePledged { org, state, target, .. } => vec![state, org, target],
            AidSuspended { partner, recipient, .. } => vec![partner, recipient],
            ForcesExpelled { state, partner, .. } => vec![state, partner],
            ForcesWithdrawn { partner, from, .. } => vec![partner, from],
            TransitionProposed { state, .. } => vec![state],
            TransitionAnswered { org, state, .. } => vec![org, state],
            WithdrawalAnnounced { state, from, .. } | WithdrawalEffective { state, from } => vec![state, from],
            ObligationArisen { party, beneficiary, attacker, .. } => vec![party, beneficiary, attacker],
            AssistanceRequested { state, .. } => vec![state],
            AssistanceDecided { party, beneficiary, .. }
            | ForcesMobilised { party, beneficiary, .. }
            | ForcesDeployed { party, beneficiary, .. }
            | ForcesReturned { party, beneficiary, .. } => vec![party, beneficiary],
            JointOperationFormed { beneficiary, parties, .. } => {
                let mut v = vec![beneficiary];
                v.extend(parties.iter());
                v
            }
            NonAggressionBreached { by, against, .. } => vec![by, against],
            ConsultationsHeld { requested_by, parties, .. } => {
                let mut v = vec![requested_by];
                v.extend(parties.iter());
                v
            }
        };
        let mut out: Vec<String> = Vec::with_capacity(v.len());
        for a in v {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        out
    }
}

/// An event a rule wants to happen, before the engine stamps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// What.
    pub kind: EventKind,
    /// Caused by (seq).
    pub cause: Option<u64>,
    /// Citation.
    pub rule: String,
}
