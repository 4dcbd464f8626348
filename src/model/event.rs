//! Events: the only way state changes. Rules decide and emit `EventKind`s; the engine stamps
//! them into `Event`s (sequence number, day, date, cause, rule) and `apply` folds them into state.
//! Names are in the past tense. `docs/log-format.md` documents every kind and field.

use serde::{Deserialize, Serialize};

use crate::model::scenario::{AssistanceForm, AttackKind, Bindingness, Measure, UcgForm};
use crate::model::state::Id;

pub mod check;
pub mod fast;
mod traits;

pub use traits::{KindTraits, Reach, Theme};

/// Version of the log schema written by this build. Bump on any change to record shapes, and
/// add the step from the previous version to the log layer's `upcast_header` (or an event upcaster).
pub const LOG_SCHEMA_VERSION: u32 = 6;

/// The fields every event has (its envelope), besides its kind's own (`KIND_FIELDS`).
pub const ENVELOPE_FIELDS: &[&str] = &["seq", "day", "date", "kind", "actors", "cause", "rule"];

/// The rule citation carried by scripted events.
pub const SCENARIO_RULE: &str = "scenario";

/// A logged event: an envelope around one `EventKind`. It is read by serde's derived code, which
/// buffers the object's fields to find `kind`; the log reader tries `fast` first, which reads
/// records exactly as casus writes them without buffering, and leaves anything else to serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log: 0, 1, 2, ...
    pub seq: u64,
    /// Days since the scenario start.
    pub day: u32,
    /// Calendar date, `YYYY-MM-DD`.
    pub date: Id,
    /// What happened (serialised inline with a `kind` tag).
    #[serde(flatten)]
    pub kind: EventKind,
    /// Actors involved, in the order the kind names them.
    pub actors: Vec<Id>,
    /// Sequence number of the event that caused this one; null for scripted events.
    pub cause: Option<u64>,
    /// The clause, article or rule that produced it, or "scenario".
    pub rule: Id,
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

macro_rules! event_kinds {
    ($($(#[doc = $doc:literal])* $v:ident { $($(#[$fm:meta])* $f:ident: $t:ty),* $(,)? }),* $(,)?) => {
        /// Every kind of event, with its kind-specific fields. A field added in a later schema
        /// version carries `#[serde(default)]`, so older logs (which lack it) still read.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        #[allow(missing_docs)]
        pub enum EventKind {
            $($(#[doc = $doc])* $v { $($(#[$fm])* $f: $t),* }),*
        }

        #[cfg(test)]
        impl EventKind {
            /// One event of every kind, with field values picked by `n` and the field's name
            /// (`fast::tests::Sample`).
            pub(crate) fn samples(n: usize) -> Vec<EventKind> {
                use fast::tests::Sample;
                vec![$(EventKind::$v { $($f: <$t>::sample(n * 64 + stringify!($f).len())),* }),*]
            }
        }

        /// Every event kind's name, in declaration order.
        pub const KIND_NAMES: &[&str] = &[$(stringify!($v)),*];

        /// Every event kind's field names, in declaration order.
        pub const KIND_FIELDS: &[(&str, &[&str])] = &[$((stringify!($v), &[$(stringify!($f)),*])),*];

        impl EventKind {
            /// The kind's name as written in the log.
            pub fn name(&self) -> &'static str {
                match self { $(EventKind::$v { .. } => stringify!($v),)* }
            }

            /// The fields of the kind named `name`, read directly (`fast`), each after its
            /// comma and key (a literal, so comparing it compiles to a few word compares).
            fn fast_fields(name: &str, c: &mut fast::Cursor<'_>) -> Option<EventKind> {
                use fast::Fast;
                match name {
                    $(stringify!($v) => {
                        $(c.lit(concat!(",\"", stringify!($f), "\":").as_bytes())?; let $f = <$t>::fast(c)?;)*
                        Some(EventKind::$v { $($f),* })
                    })*
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    /// An unconstitutional change of government in `state`: soldiers seize power (the
    /// `Military` form), or the ruler holds on to it against an election or by changing the
    /// constitution. `claimant` is the elected leader (or declared election winner) kept from
    /// office who has not resigned; empty if there is none. (`form` and `claimant`: schema 5.)
    CoupStaged {
        state: Id,
        leader: Id,
        #[serde(default)]
        form: UcgForm,
        #[serde(default)]
        claimant: Id,
    },
    /// The coup holds: the state is ruled by a junta.
    CoupConsolidated { state: Id },
    /// The army stays loyal: the coup will be reversed.
    CoupFailing { state: Id, reversal_day: u32 },
    /// Constitutional order restored (by loyal forces, concession, or a collapse under attack).
    OrderRestored { state: Id, how: Id },
    /// An attack (scripted, an intervention, or an armed group's).
    AttackOccurred {
        attacker: Id,
        target: Id,
        location: Id,
        attack: AttackKind,
        troops: u32,
        deaths_military: u32,
        deaths_civilian: u32,
    },
    /// A treaty enters into force.
    TreatyInForce { treaty: Id },
    /// Suspended from an organisation's decision-making bodies.
    MemberSuspended { org: Id, state: Id },
    /// Suspension ended.
    SuspensionLifted { org: Id, state: Id },
    /// An organisation's summit on a crisis.
    SummitConvened { org: Id, target: Id, agenda: SummitAgenda },
    /// Measures imposed; `severity` is the package's economic weight (0-1).
    SanctionsImposed { org: Id, target: Id, measures: Vec<Measure>, severity: f64 },
    /// Measures lifted; `kept` stay in force.
    SanctionsLifted { org: Id, target: Id, measures: Vec<Measure>, kept: Vec<Measure>, reason: LiftReason },
    /// A member stops exporting a service (electricity) to the target.
    ExportsCut { by: Id, to: Id, service: Id, share: f64 },
    /// Demand with a deadline.
    UltimatumIssued { org: Id, target: Id, deadline_day: u32, force_threatened: bool },
    /// The deadline passed with the demand unmet.
    UltimatumExpired { org: Id, target: Id },
    /// A public pledge to defend a threatened state.
    DefencePledged { by: Id, to: Id, against: Id },
    /// Troops moved to the borders against a threat.
    ForcesRedeployed { state: Id, troops: u32, against: Id },
    /// Troops brought back from the borders once no threatened intervention is pending.
    BorderForcesRecalled { state: Id, troops: u32, against: Id },
    /// A collective vote.
    VoteHeld { org: Id, target: Id, question: VoteQuestion, yes: Vec<Id>, no: Vec<Id>, passed: bool },
    /// The standby force ordered activated and deployed.
    StandbyForceActivated { org: Id, target: Id, dday: u32 },
    /// A member pledges troops to the standby force.
    ForcePledged { org: Id, state: Id, target: Id, troops: u32 },
    /// D-Day or a review passed without a launch.
    LaunchPostponed { org: Id, target: Id, reason: Id },
    /// The intervention begins (also an attack on the target).
    InterventionLaunched { org: Id, target: Id, troops: u32, contributors: Vec<Id> },
    /// A standby force that never launched is stood down.
    StandbyForceStoodDown { org: Id, target: Id, reason: Id },
    /// A partner suspends aid.
    AidSuspended { partner: Id, recipient: Id, amount_musd: f64 },
    /// A host state orders a partner's forces out.
    ForcesExpelled { state: Id, partner: Id, troops: u32, leave_by_day: u32 },
    /// A partner's forces have left.
    ForcesWithdrawn { partner: Id, from: Id, troops: u32 },
    /// A junta offers a transition timetable.
    TransitionProposed { state: Id, months: u32 },
    /// The organisation accepts or rejects it.
    TransitionAnswered { org: Id, state: Id, months: u32, accepted: bool },
    /// Written notice of withdrawal.
    WithdrawalAnnounced { state: Id, from: Id, effective_day: u32 },
    /// The withdrawal takes effect.
    WithdrawalEffective { state: Id, from: Id },
    /// A defence clause engaged for a party.
    ObligationArisen {
        treaty: Id,
        article: Id,
        party: Id,
        beneficiary: Id,
        attacker: Id,
        binding: Bindingness,
        attack_seq: u64,
    },
    /// The attacked party's written request for assistance.
    AssistanceRequested { state: Id, treaty: Id },
    /// A party decides whether and how to honour an obligation.
    AssistanceDecided {
        treaty: Id,
        party: Id,
        beneficiary: Id,
        honoured: bool,
        forms: Vec<AssistanceForm>,
        troops: u32,
        probability: f64,
        attack_seq: u64,
    },
    /// Committed forces mobilised.
    ForcesMobilised { party: Id, beneficiary: Id, troops: u32 },
    /// Committed forces deployed in the beneficiary's territory.
    ForcesDeployed { party: Id, beneficiary: Id, troops: u32 },
    /// Committed forces return home at the end of their tour.
    ForcesReturned { party: Id, beneficiary: Id, troops: u32 },
    /// Several committed parties form a joint operation.
    JointOperationFormed { treaty: Id, beneficiary: Id, parties: Vec<Id>, troops: u32, attack_seq: u64 },
    /// Parties consult under a consultation clause after a threat to one of them.
    ConsultationsHeld { treaty: Id, article: Id, requested_by: Id, parties: Vec<Id> },
    /// A party used force against another despite a non-aggression clause.
    NonAggressionBreached { treaty: Id, article: Id, by: Id, against: Id },
    /// One round of fighting between an intervention and the defenders.
    CombatRound {
        org: Id,
        target: Id,
        round: u32,
        attacker_strength: u32,
        defender_strength: u32,
        attacker_losses: u32,
        defender_losses: u32,
        civilian_deaths: u32,
    },
    /// The fighting ended.
    InterventionEnded { org: Id, target: Id, outcome: CombatOutcome },
}

impl EventKind {
    /// The actors the event involves, in field order (used for the envelope's `actors`).
    pub fn actors(&self) -> Vec<Id> {
        self.actor_refs().into_iter().cloned().collect()
    }

    /// Whether `actors` are this event's actors (`actors()`), without building them.
    pub fn has_actors(&self, actors: &[Id]) -> bool {
        // While the list matches, `actors[..n]` is what `actors()` has kept so far, so a field
        // already among them is one it skips.
        let mut n = 0;
        for a in self.fields_naming_actors() {
            if actors[..n].contains(a) {
                continue;
            }
            if actors.get(n) != Some(a) {
                return false;
            }
            n += 1;
        }
        n == actors.len()
    }

    /// The actors the event involves, borrowed, each once, in field order.
    pub fn actor_ids(&self) -> Vec<&str> {
        self.actor_refs().into_iter().map(Id::as_str).collect()
    }

    fn actor_refs(&self) -> Vec<&Id> {
        let mut out: Vec<&Id> = Vec::with_capacity(4);
        for a in self.fields_naming_actors() {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    /// The fields that name actors, in field order, repeats included.
    fn fields_naming_actors(&self) -> impl Iterator<Item = &Id> {
        use EventKind::*;
        let (head, tail): ([Option<&Id>; 3], &[Id]) = match self {
            CoupStaged { state, .. } | CoupConsolidated { state } | CoupFailing { state, .. } | OrderRestored { state, .. } => {
                ([Some(state), None, None], &[])
            }
            AttackOccurred { attacker, target, location, .. } => ([Some(attacker), Some(target), Some(location)], &[]),
            TreatyInForce { .. } => ([None, None, None], &[]),
            MemberSuspended { org, state } | SuspensionLifted { org, state } => ([Some(org), Some(state), None], &[]),
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
            | InterventionEnded { org, target, .. } => ([Some(org), Some(target), None], &[]),
            ExportsCut { by, to, .. } => ([Some(by), Some(to), None], &[]),
            DefencePledged { by, to, against } => ([Some(by), Some(to), Some(against)], &[]),
            ForcesRedeployed { state, against, .. } | BorderForcesRecalled { state, against, .. } => {
                ([Some(state), Some(against), None], &[])
            }
            ForcePledged { org, state, target, .. } => ([Some(state), Some(org), Some(target)], &[]),
            AidSuspended { partner, recipient, .. } => ([Some(partner), Some(recipient), None], &[]),
            ForcesExpelled { state, partner, .. } => ([Some(state), Some(partner), None], &[]),
            ForcesWithdrawn { partner, from, .. } => ([Some(partner), Some(from), None], &[]),
            TransitionProposed { state, .. } => ([Some(state), None, None], &[]),
            TransitionAnswered { org, state, .. } => ([Some(org), Some(state), None], &[]),
            WithdrawalAnnounced { state, from, .. } | WithdrawalEffective { state, from } => ([Some(state), Some(from), None], &[]),
            ObligationArisen { party, beneficiary, attacker, .. } => ([Some(party), Some(beneficiary), Some(attacker)], &[]),
            AssistanceRequested { state, .. } => ([Some(state), None, None], &[]),
            AssistanceDecided { party, beneficiary, .. }
            | ForcesMobilised { party, beneficiary, .. }
            | ForcesDeployed { party, beneficiary, .. }
            | ForcesReturned { party, beneficiary, .. } => ([Some(party), Some(beneficiary), None], &[]),
            JointOperationFormed { beneficiary, parties, .. } => ([Some(beneficiary), None, None], parties),
            NonAggressionBreached { by, against, .. } => ([Some(by), Some(against), None], &[]),
            ConsultationsHeld { requested_by, parties, .. } => ([Some(requested_by), None, None], parties),
        };
        head.into_iter().flatten().chain(tail)
    }
}

/// What a rule's citation can be made from: a literal (kept by reference, never copied) or a
/// composed string.
pub trait Citation {
    /// The citation as an `Id`.
    fn into_citation(self) -> Id;
}

impl Citation for &'static str {
    #[inline]
    fn into_citation(self) -> Id {
        Id::new_static(self)
    }
}

impl Citation for String {
    #[inline]
    fn into_citation(self) -> Id {
        Id::from(self)
    }
}

impl Citation for Id {
    #[inline]
    fn into_citation(self) -> Id {
        self
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
    pub rule: Id,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope's fields are taken out of an event's map wherever they appear, so no kind
    /// may have a field of the same name (it would be read as the envelope's).
    #[test]
    fn no_kind_field_shares_a_name_with_the_envelope() {
        let envelope = [ENVELOPE_FIELDS, &["chain", "record"]].concat();
        assert_eq!(KIND_FIELDS.len(), KIND_NAMES.len());
        for (kind, fields) in KIND_FIELDS {
            for f in *fields {
                assert!(!envelope.contains(f), "{kind}.{f} shares its name with an envelope field");
            }
        }
        assert!(KIND_FIELDS.iter().any(|(k, f)| *k == "AttackOccurred" && f.contains(&"deaths_civilian")));
    }

    /// `has_actors` answers whether a list is `actors()`: for every kind, with repeated actors
    /// among its fields, and for lists with one actor dropped, repeated, moved or added.
    #[test]
    fn has_actors_is_comparing_with_actors() {
        let mut repeats = 0;
        for n in 0..40 {
            for kind in EventKind::samples(n) {
                let actors = kind.actors();
                assert!(kind.has_actors(&actors), "{kind:?}");
                repeats += usize::from(kind.fields_naming_actors().count() > actors.len());
                let mut others = vec![[actors.clone(), vec![Id::new("ZZZ")]].concat()];
                for i in 0..actors.len() {
                    let mut dropped = actors.clone();
                    dropped.remove(i);
                    let mut doubled = actors.clone();
                    doubled.insert(i, actors[i].clone());
                    let mut rotated = actors.clone();
                    rotated[i..].rotate_left(1);
                    others.extend([dropped, doubled, rotated]);
                }
                for other in others {
                    assert_eq!(kind.has_actors(&other), other == actors, "{kind:?} {other:?}");
                }
            }
        }
        assert!(repeats > 40, "{repeats}");
    }
}
