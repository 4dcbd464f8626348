//! Events: the only way state changes. Rules decide and emit `EventKind`s; the engine stamps
//! them into `Event`s (sequence number, day, date, cause, rule) and `apply` folds them into state.
//! Names are in the past tense. `docs/log-format.md` documents every kind and field.

use serde::{Deserialize, Serialize};

use crate::model::scenario::{AssistanceForm, AttackKind, Bindingness, Measure};
use crate::model::state::Id;

pub mod fast;
mod traits;

pub use traits::{KindTraits, Reach, Theme};

/// Version of the log schema written by this build. Bump on any change to record shapes, and
/// add the step from the previous version to the log layer's `upcast_header` (or an event upcaster).
pub const LOG_SCHEMA_VERSION: u32 = 4;

/// The rule citation carried by scripted events.
pub const SCENARIO_RULE: &str = "scenario";

/// A logged event: an envelope around one `EventKind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    ($($(#[doc = $doc:literal])* $v:ident { $($f:ident: $t:ty),* $(,)? }),* $(,)?) => {
        /// Every kind of event, with its kind-specific fields.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(tag = "kind")]
        #[allow(missing_docs)]
        pub enum EventKind {
            $($(#[doc = $doc])* $v { $($f: $t),* }),*
        }

        /// The same kinds read externally tagged: `Event`'s deserialiser names the variant from
        /// the envelope's `kind` and hands it the fields that follow, so nothing is buffered (a
        /// derived internally tagged enum inside a flattened envelope buffers every field twice).
        #[derive(Deserialize)]
        #[serde(remote = "EventKind")]
        #[allow(dead_code)]
        enum KindFields {
            $($v { $($f: $t),* }),*
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
    /// Soldiers seize power in `state`.
    CoupStaged { state: Id, leader: Id },
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
            ForcesRedeployed { state, against, .. } => ([Some(state), Some(against), None], &[]),
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

/// The envelope's own fields, gathered while the kind's fields are read.
#[derive(Default)]
struct Envelope {
    seq: Option<u64>,
    day: Option<u32>,
    date: Option<Id>,
    actors: Option<Vec<Id>>,
    cause: Option<Option<u64>>,
    rule: Option<Id>,
}

/// A map key, borrowed from the input where it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

impl Envelope {
    /// Reads the value of `key` if it is an envelope field; false if it is not one.
    fn take<'de, M: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<bool, M::Error> {
        fn put<'de, T: Deserialize<'de>, M: serde::de::MapAccess<'de>>(
            slot: &mut Option<T>,
            name: &'static str,
            map: &mut M,
        ) -> Result<bool, M::Error> {
            if slot.is_some() {
                return Err(serde::de::Error::duplicate_field(name));
            }
            *slot = Some(map.next_value()?);
            Ok(true)
        }
        match key {
            "seq" => put(&mut self.seq, "seq", map),
            "day" => put(&mut self.day, "day", map),
            "date" => put(&mut self.date, "date", map),
            "actors" => put(&mut self.actors, "actors", map),
            "cause" => put(&mut self.cause, "cause", map),
            "rule" => put(&mut self.rule, "rule", map),
            _ => Ok(false),
        }
    }

    fn finish<E: serde::de::Error>(self, kind: EventKind) -> Result<Event, E> {
        Ok(Event {
            seq: self.seq.ok_or_else(|| E::missing_field("seq"))?,
            day: self.day.ok_or_else(|| E::missing_field("day"))?,
            date: self.date.ok_or_else(|| E::missing_field("date"))?,
            kind,
            actors: self.actors.ok_or_else(|| E::missing_field("actors"))?,
            cause: self.cause.ok_or_else(|| E::missing_field("cause"))?,
            rule: self.rule.ok_or_else(|| E::missing_field("rule"))?,
        })
    }
}

/// The rest of an event's map once its `kind` is known, read as that variant's fields with
/// the envelope's fields taken out on the way.
struct Rest<'a, M> {
    kind: &'a str,
    map: M,
    envelope: &'a mut Envelope,
}

impl<'de, M: serde::de::MapAccess<'de>> serde::Deserializer<'de> for Rest<'_, M> {
    type Error = M::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, M::Error> {
        Err(serde::de::Error::custom("an event kind is read as an enum"))
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, M::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de, 'a, M: serde::de::MapAccess<'de>> serde::de::EnumAccess<'de> for Rest<'a, M> {
    type Error = M::Error;
    type Variant = Rest<'a, M>;

    fn variant_seed<V: serde::de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), M::Error> {
        let v = seed.deserialize(serde::de::value::StrDeserializer::<M::Error>::new(self.kind))?;
        Ok((v, self))
    }
}

impl<'de, M: serde::de::MapAccess<'de>> serde::de::VariantAccess<'de> for Rest<'_, M> {
    type Error = M::Error;

    fn unit_variant(self) -> Result<(), M::Error> {
        Err(serde::de::Error::custom("event kinds have fields"))
    }

    fn newtype_variant_seed<T: serde::de::DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, M::Error> {
        Err(serde::de::Error::custom("event kinds have named fields"))
    }

    fn tuple_variant<V: serde::de::Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, M::Error> {
        Err(serde::de::Error::custom("event kinds have named fields"))
    }

    fn struct_variant<V: serde::de::Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_map(self)
    }
}

impl<'de, M: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for Rest<'_, M> {
    type Error = M::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, M::Error> {
        while let Some(key) = self.map.next_key::<Key<'de>>()? {
            if key.as_str() == "kind" {
                return Err(serde::de::Error::duplicate_field("kind"));
            }
            if !self.envelope.take(key.as_str(), &mut self.map)? {
                return seed.deserialize(serde::de::value::StrDeserializer::<M::Error>::new(key.as_str())).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Reads the kind named `kind` from the rest of `map`, then builds the event.
fn finish_event<'de, M: serde::de::MapAccess<'de>>(kind: &str, map: M, mut envelope: Envelope) -> Result<Event, M::Error> {
    let k = KindFields::deserialize(Rest { kind, map, envelope: &mut envelope })?;
    envelope.finish(k)
}

/// Events are read without buffering: the envelope's fields before `kind` are read into place,
/// `kind` names the variant, and the variant's fields are read as they come, with the envelope's
/// later fields (`actors`, `cause`, `rule`) taken out on the way. Every log this crate writes
/// puts `kind` before the kind's fields; an object ordered otherwise (edited by another tool)
/// is still read, through a buffered path.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Event;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an event object")
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Event, M::Error> {
                let mut envelope = Envelope::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let key = key.as_str();
                    if envelope.take(key, &mut map)? {
                        continue;
                    }
                    if key == "kind" {
                        let kind: Key<'de> = map.next_value()?;
                        return finish_event(kind.as_str(), map, envelope);
                    }
                    // A kind's field before `kind`: buffer the rest, `kind` first.
                    let mut rest: Vec<(String, serde_json::Value)> = vec![(key.to_string(), map.next_value()?)];
                    let mut kind = None;
                    while let Some(key) = map.next_key::<Key<'de>>()? {
                        let key = key.as_str();
                        if envelope.take(key, &mut map)? {
                            continue;
                        }
                        let value: serde_json::Value = map.next_value()?;
                        if key == "kind" {
                            if kind.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind = Some(value.as_str().map(str::to_string).ok_or_else(|| {
                                serde::de::Error::invalid_type(serde::de::Unexpected::Other("a non-string kind"), &"an event kind name")
                            })?);
                        } else {
                            rest.push((key.to_string(), value));
                        }
                    }
                    let kind = kind.ok_or_else(|| serde::de::Error::missing_field("kind"))?;
                    let buffered = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(rest.into_iter());
                    return finish_event(&kind, buffered, envelope).map_err(serde::de::Error::custom);
                }
                Err(serde::de::Error::missing_field("kind"))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader takes the envelope's fields out of an event's map wherever they appear, so no
    /// kind may have a field of the same name (it would be read as the envelope's).
    #[test]
    fn no_kind_field_shares_a_name_with_the_envelope() {
        const ENVELOPE: &[&str] = &["seq", "day", "date", "kind", "actors", "cause", "rule", "chain", "record"];
        assert_eq!(KIND_FIELDS.len(), KIND_NAMES.len());
        for (kind, fields) in KIND_FIELDS {
            for f in *fields {
                assert!(!ENVELOPE.contains(f), "{kind}.{f} shares its name with an envelope field");
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
