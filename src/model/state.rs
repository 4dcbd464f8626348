//! World state: the ECS components and resources a run mutates (only through `apply`), plus
//! the static profiles lowered from the scenario. `snapshot` gives a canonical, ordered view
//! of all mutable state; its hash is the "final-state hash" in logs.
//!
//! Invariants: no `Entity` value and no hash-map order ever reaches a snapshot, an event or a
//! draw; every map here is a `BTreeMap` keyed by stable string ids.

use std::collections::{BTreeMap, BTreeSet};

use bevy_ecs::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::event::CombatOutcome;
use crate::model::scenario::{ArmedGroupDef, Measure, OrganisationDef, PartnerDef, Regime, Scenario, StateDef, TreatyDef, UcgForm};

pub use crate::model::id::{Id, IdSet, ToId};

/// Stable actor id, on every actor entity.
#[derive(Component, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code(pub Id);

/// Static profile of a state (from the scenario, after overrides).
#[derive(Component, Debug, Clone)]
pub struct StateProfile(pub StateDef);

/// Static profile of an organisation.
#[derive(Component, Debug, Clone)]
pub struct OrgProfile(pub OrganisationDef);

/// Static profile of a partner.
#[derive(Component, Debug, Clone)]
pub struct PartnerProfile(pub PartnerDef);

/// Static profile of an armed group, with its places resolved once when the world is built.
#[derive(Component, Debug, Clone)]
pub struct GroupProfile(pub ArmedGroupDef, pub Vec<Place>);

/// A place an armed group operates in (in `operates_in` order): the state's entity, and the
/// partners whose forces were there at the start (forces only ever leave, so these are the
/// only partners that can still be there).
#[derive(Debug, Clone)]
pub struct Place {
    /// The state, if the id names one.
    pub state: Option<Entity>,
    /// Partners with forces there at the start.
    pub hosts: Vec<Entity>,
}

/// Mutable state of a state actor.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct Polity {
    /// Current regime.
    pub regime: Regime,
    /// Regime before the last coup (restored with constitutional order).
    pub regime_before_coup: Option<Regime>,
    /// Day the current junta took power.
    pub junta_since: Option<u32>,
    /// Whether the coup has consolidated.
    pub coup_consolidated: bool,
    /// Day a failing coup will be reversed.
    pub reversal_day: Option<u32>,
    /// Troops available (after losses).
    pub troops: u32,
    /// Troops committed to allies under defence clauses.
    pub committed_abroad: u32,
    /// Troops moved to the borders against a threat.
    pub redeployed: u32,
    /// Cumulative GDP loss, percent of pre-crisis GDP.
    pub gdp_loss_pct: f64,
    /// Day up to which `gdp_loss_pct` is accrued.
    pub accrued_day: u32,
    /// Economic weight of sanctions in force (0-1).
    pub sanctions_severity: f64,
    /// Aid suspended, millions of US dollars per year.
    pub aid_suspended_musd: f64,
    /// Total aid received at the start, millions of US dollars per year.
    pub aid_total_musd: f64,
    /// Electricity supply cut off, share.
    pub electricity_cut: f64,
    /// Military deaths.
    pub casualties_military: u64,
    /// Civilian deaths.
    pub casualties_civilian: u64,
    /// Allies that publicly pledged to defend this state.
    pub pledged_by: IdSet,
    /// Last day the security situation changed (forces left or were redeployed).
    pub security_changed_day: u32,
    /// Accepted transition timetable, months.
    pub transition_months: Option<u32>,
    /// States this one has attacked (for non-provocation conditions).
    pub attacked: BTreeSet<Id>,
    /// Severity of the sanctions this state applies, as a member of the imposing organisation,
    /// to each target (kept at 0 after lifting, to remember it took part).
    pub imposing: BTreeMap<Id, f64>,
}

/// Mutable state of an organisation.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct OrgState {
    /// Current members.
    pub members: BTreeSet<Id>,
    /// Suspended members.
    pub suspended: BTreeSet<Id>,
    /// Members that gave notice, with the day it takes effect.
    pub withdrawing: BTreeMap<Id, u32>,
}

/// Mutable state of a partner.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct PartnerState {
    /// Troops per host.
    pub forces: BTreeMap<Id, u32>,
    /// Recipients whose aid is suspended.
    pub aid_suspended: BTreeSet<Id>,
    /// Hosts that expelled the partner, with the day its forces must be out.
    pub leaving: BTreeMap<Id, u32>,
}

/// Mutable state of an armed group.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct GroupState {
    /// Attacks so far, per state.
    pub attacks: BTreeMap<Id, u32>,
    /// Day of the last attack, per state.
    pub last_attack_day: BTreeMap<Id, u32>,
    /// Deaths caused.
    pub deaths: u64,
}

/// A treaty's mutable state with its static definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatyState {
    /// Static definition.
    #[serde(skip)]
    pub def: TreatyDef,
    /// In force now.
    pub in_force: bool,
    /// Current parties.
    pub members: BTreeSet<Id>,
    /// Parties that gave notice, with the day it takes effect.
    pub withdrawing: BTreeMap<Id, u32>,
    /// Breaches of its non-aggression clauses.
    pub breaches: u32,
}

/// All treaties, by id, with an index of treaties by member for trigger matching.
#[derive(Resource, Debug, Clone, Default)]
pub struct Treaties {
    /// Treaties by id.
    pub by_id: BTreeMap<Id, TreatyState>,
    /// Treaty ids each state is (or was at the start) a party to.
    pub by_member: BTreeMap<Id, Vec<Id>>,
}

/// The organisations with a regime on unconstitutional change (`ucg`) each state was a member
/// of at the start (id and entity), in id order: a static index (membership only shrinks, by
/// withdrawal), so the UCG rules find a state's organisations without testing every
/// organisation; they still check the current `OrgState::members`. Hashed: only looked up.
#[derive(Resource, Debug, Clone, Default)]
pub struct UcgOrgsOf(pub Lookup<Id, Vec<(Id, Entity)>>);

/// The partners giving each state aid (from their profiles: static), in partner id order, for
/// finding a crisis's donors without walking every partner.
#[derive(Resource, Debug, Clone, Default)]
pub struct DonorsOf(pub BTreeMap<Id, Vec<Entity>>);

/// Where an intervention stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intervention {
    /// Launch day.
    pub day: u32,
    /// Seq of the launch event.
    pub seq: u64,
    /// Troops at launch.
    pub initial_troops: u32,
    /// Attacker strength now.
    pub attacker_strength: u32,
    /// Defender strength at the last round.
    pub defender_strength: u32,
    /// Defender strength at the first round.
    pub defender_initial: u32,
    /// Rounds fought.
    pub rounds: u32,
    /// Day of the last round.
    pub last_round_day: u32,
    /// Attacker deaths.
    pub attacker_losses: u64,
    /// How it ended, once it has.
    pub ended: Option<CombatOutcome>,
}

/// One organisation's response to one crisis.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OrgResponse {
    /// Member suspended.
    pub suspended: bool,
    /// The sanctions summit has been held.
    pub summit_held: bool,
    /// Measures in force.
    pub measures: BTreeSet<Measure>,
    /// Economic weight of the measures in force.
    pub severity: f64,
    /// Day economic sanctions were first imposed, and the event.
    pub sanctions_day: Option<(u32, u64)>,
    /// Day economic measures were lifted.
    pub lifted_day: Option<u32>,
    /// Ultimatum deadline and event.
    pub ultimatum: Option<(u32, u64)>,
    /// Expiry day and event.
    pub ultimatum_expired: Option<(u32, u64)>,
    /// Whether the force-activation summit was held.
    pub activation_vote_held: bool,
    /// Activation day, D-Day and event.
    pub activated: Option<(u32, u32, u64)>,
    /// Pledged troops by member.
    pub pledges: BTreeMap<Id, u32>,
    /// Day of the last launch decision (D-Day or review).
    pub last_launch_review: Option<u32>,
    /// The intervention, once launched.
    pub intervention: Option<Intervention>,
    /// The force was stood down.
    pub stood_down: bool,
    /// Answer to the junta's transition offer.
    pub transition_answer: Option<bool>,
    /// Day of the last sanctions review.
    pub last_review_day: Option<u32>,
}

/// A crisis in one state: opened by a coup, or by an organisation acting on a state without one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crisis {
    /// Day of the coup (or of the event that opened the crisis).
    pub coup_day: u32,
    /// Seq of the coup event (or of the event that opened the crisis).
    pub coup_seq: u64,
    /// Day the crisis ended (order restored), if it has.
    pub resolved_day: Option<u32>,
    /// Transition offer: months, day, event.
    pub transition: Option<(u32, u32, u64)>,
    /// Responses by organisation.
    pub responses: BTreeMap<Id, OrgResponse>,
    /// Partners' aid suspended (partner ids).
    pub aid_suspended_by: BTreeSet<Id>,
    /// The form of the unconstitutional change that opened it (left out of digests when a
    /// military coup, so states of logs before schema 5 digest as they did).
    #[serde(skip_serializing_if = "UcgForm::is_military")]
    pub form: UcgForm,
    /// The elected leader kept from office who has not resigned, if any (left out of digests
    /// when empty).
    #[serde(skip_serializing_if = "Id::is_empty")]
    pub claimant: Id,
}

impl Crisis {
    /// A crisis opened on `day` by event `seq`, with no response yet.
    pub fn opened(day: u32, seq: u64) -> Crisis {
        Crisis {
            coup_day: day,
            coup_seq: seq,
            resolved_day: None,
            transition: None,
            responses: Default::default(),
            aid_suspended_by: Default::default(),
            form: UcgForm::Military,
            claimant: Id::default(),
        }
    }
}

/// Crises by target state.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize)]
pub struct Crises(pub BTreeMap<Id, Crisis>);

/// Bookkeeping for checkpoint digests, not part of the state: stamps renewed by `apply`
/// whenever it changes a crisis (by target state) or a state's set of pledging allies
/// (`Polity::pledged_by`), so that a `Digester` re-encodes only those that changed since it
/// last looked. Both are the big, mostly quiet parts of a big world: the crises table is
/// digested whole, and a junta's allies run to thousands while its other fields change daily.
#[derive(Resource, Debug, Clone, Default)]
pub struct DigestStamps {
    last: u64,
    crises: Lookup<Id, u64>,
    pledges: Lookup<Id, u64>,
}

impl DigestStamps {
    /// Marks the crisis in `target` changed.
    pub fn touch_crisis(&mut self, target: &Id) {
        self.last += 1;
        self.crises.insert(target.clone(), self.last);
    }

    /// The stamp of the crisis in `target` (0: never changed).
    pub fn crisis(&self, target: &str) -> u64 {
        self.crises.get(target).copied().unwrap_or(0)
    }

    /// Marks `state`'s `pledged_by` changed.
    pub fn touch_pledges(&mut self, state: &Id) {
        self.last += 1;
        self.pledges.insert(state.clone(), self.last);
    }

    /// The stamp of `state`'s `pledged_by` (0: never changed).
    pub fn pledges(&self, state: &str) -> u64 {
        self.pledges.get(state).copied().unwrap_or(0)
    }
}

/// One invocation of a defence clause by one attack.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Invocation {
    /// Parties obligated, with the seq of their obligation event.
    pub obligated: BTreeMap<Id, u64>,
    /// Decisions: party -> (honoured, troops).
    pub decided: BTreeMap<Id, (bool, u32)>,
    /// Whether a joint operation was formed.
    pub joint: bool,
}

/// Key of an invocation: (treaty, article, beneficiary, attack seq).
pub type InvocationKey = (Id, Id, Id, u64);

/// Stage of a committed deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    /// Decided, not yet mobilised.
    Decided,
    /// Mobilised.
    Mobilised,
    /// In the beneficiary's territory.
    Deployed,
}

/// Forces one party committed to one beneficiary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    /// Troops.
    pub troops: u32,
    /// Stage.
    pub stage: Stage,
    /// Day the stage began.
    pub since: u32,
    /// Seq of the event that began the stage.
    pub seq: u64,
    /// The clause the forces serve under (cited by their movements).
    pub rule: Id,
}

/// Defence bookkeeping: invocations, written requests and deployments.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize)]
pub struct Defence {
    /// Invocations of defence clauses.
    pub invocations: BTreeMap<InvocationKey, Invocation>,
    /// Written requests: (state, treaty) -> seq.
    pub requests: BTreeMap<(Id, Id), u64>,
    /// Deployments: (party, beneficiary) -> deployment.
    pub deployments: BTreeMap<(Id, Id), Deployment>,
    /// Last day each (treaty, article, beneficiary) was engaged.
    pub engaged: BTreeMap<(Id, Id, Id), u32>,
}

/// Stable id -> entity, for every actor: a hash table for lookups (they are most of what the
/// rules and `apply` do, and ids of big worlds share long prefixes, which makes ordered-map
/// searches compare many bytes) and the same pairs in id order for ordered walks.
///
/// Ids of up to 15 bytes (all but the unusual) are keyed inline, packed into two words, so a
/// lookup hashes one word and compares two in the table itself instead of following each
/// candidate key's pointer to the heap (which, in a world of thousands of actors, is a cache
/// miss per lookup); longer ids have their own table.
#[derive(Resource, Debug, Clone, Default)]
pub struct ActorIndex {
    ordered: BTreeMap<Id, Entity>,
    short: Lookup<Packed, Entity>,
    long: Lookup<Id, Entity>,
}

/// What an actor is looked up by: a `str` or an `Id`.
pub trait ActorKey {
    /// An id of up to 15 bytes packed with its length in the last byte, as two little-endian
    /// words (the index's key for short ids).
    #[doc(hidden)]
    fn packed(&self) -> Option<[u64; 2]>;
    /// The text.
    fn text(&self) -> &str;
}

impl ActorKey for str {
    #[inline]
    fn packed(&self) -> Option<[u64; 2]> {
        Packed::of(self).map(|p| p.0)
    }
    fn text(&self) -> &str {
        self
    }
}

impl ActorKey for Id {
    #[inline]
    fn packed(&self) -> Option<[u64; 2]> {
        self.as_str().packed()
    }
    fn text(&self) -> &str {
        self
    }
}

/// An id of up to 15 bytes packed with its length in the last byte (exact: no two ids pack alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed([u64; 2]);

impl Packed {
    #[inline]
    fn of(id: &str) -> Option<Packed> {
        let b = id.as_bytes();
        (b.len() < 16).then(|| {
            let mut k = [0u8; 16];
            k[..b.len()].copy_from_slice(b);
            k[15] = b.len() as u8;
            Packed([u64::from_le_bytes(k[..8].try_into().expect("8 bytes")), u64::from_le_bytes(k[8..].try_into().expect("8 bytes"))])
        })
    }
}

impl std::hash::Hash for Packed {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.0[0] ^ self.0[1].rotate_left(29));
    }
}

/// A hash table for lookups only: it offers no iteration, so its order can never reach an
/// output (which is why plain hash maps are banned in this crate).
#[derive(Debug, Clone)]
pub struct Lookup<K, V>(#[allow(clippy::disallowed_types)] std::collections::HashMap<K, V, std::hash::BuildHasherDefault<IdHash>>);

impl<K, V> Default for Lookup<K, V> {
    fn default() -> Self {
        #[allow(clippy::disallowed_types)]
        Lookup(std::collections::HashMap::default())
    }
}

impl<K: std::hash::Hash + Eq, V> Lookup<K, V> {
    /// Inserts or replaces.
    pub fn insert(&mut self, k: K, v: V) {
        self.0.insert(k, v);
    }

    /// The value for a key, to change, inserted as the default if absent.
    #[inline]
    pub fn get_or_default(&mut self, k: &K) -> &mut V
    where
        K: Clone,
        V: Default,
    {
        self.0.entry(k.clone()).or_default()
    }

    /// The value for a key.
    #[inline]
    pub fn get<Q: std::hash::Hash + Eq + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.get(k)
    }
}

impl ActorIndex {
    /// Adds an actor.
    pub fn insert(&mut self, id: Id, entity: Entity) {
        match Packed::of(&id) {
            Some(k) => self.short.insert(k, entity),
            None => self.long.insert(id.clone(), entity),
        }
        self.ordered.insert(id, entity);
    }

    /// The entity of an actor id.
    #[inline]
    pub fn get<K: ActorKey + ?Sized>(&self, id: &K) -> Option<&Entity> {
        match id.packed() {
            Some(k) => self.short.get(&Packed(k)),
            None => self.long.get(id.text()),
        }
    }

    /// Every (id, entity), in id order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, Id, Entity> {
        self.ordered.iter()
    }
}

impl std::ops::Index<&str> for ActorIndex {
    type Output = Entity;
    fn index(&self, id: &str) -> &Entity {
        self.get(id).expect("a known actor id")
    }
}

/// The hasher of `Lookup` tables: a key's bytes are folded eight at a time and the result is
/// mixed with SplitMix64's finaliser, so that ids differing only in their last characters (the
/// `S00017`, `S00018` of big worlds) spread over the whole hash, including the top bits the
/// table compares before it compares keys. (FNV-1a's top bits barely change between such ids,
/// so nearly every probe compared whole keys.) Lookups only: no order depends on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHash(u64);

impl std::hash::Hasher for IdHash {
    #[inline]
    fn finish(&self) -> u64 {
        crate::model::draw::mix64(self.0)
    }

    #[inline]
    fn write_u64(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.write_u64(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }
}

/// FNV-1a: the stable 64-bit keys of draws (`rules::k`). Its value is part of every draw key,
/// so it never changes.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Static run facts rules read: the scenario after overrides.
#[derive(Resource, Debug, Clone)]
pub struct ScenarioData(pub Scenario);

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 (hex) of arbitrary bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_index_finds_short_and_long_ids_exactly() {
        let mut world = World::new();
        let ids = ["NER", "NE", "NERR", "S00017", "S00018", "", "x".repeat(15).as_str(), &"x".repeat(16), &"y".repeat(80)].map(Id::from);
        let mut index = ActorIndex::default();
        for id in &ids {
            let e = world.spawn(Code(id.clone())).id();
            index.insert(id.clone(), e);
        }
        for id in &ids {
            let e = *index.get(id).expect("found");
            assert_eq!(&world.get::<Code>(e).unwrap().0, id);
            // By text, and by an id built another way, the same entity.
            assert_eq!(index.get(id.as_str()), Some(&e));
            assert_eq!(index.get(&crate::format_id!("{id}")), Some(&e));
        }
        for unknown in ["N", "NER\0", "S00019", &"x".repeat(14), &"x".repeat(17), &"y".repeat(79)] {
            assert!(index.get(unknown).is_none(), "{unknown:?}");
            assert!(index.get(&Id::from(unknown)).is_none(), "{unknown:?}");
        }
        // An `Id`'s packed key is its text's, in every form and at every length around the limit.
        for n in 0..24 {
            for text in ["a".repeat(n), "é".repeat(n / 2), format!("{}\0", "z".repeat(n))] {
                let leaked: &'static str = Box::leak(text.clone().into_boxed_str());
                for id in [Id::from(text.as_str()), Id::new_static(leaked), crate::format_id!("{text}")] {
                    assert_eq!(id.packed(), text.as_str().packed(), "{text:?}");
                }
            }
        }
        let walked: Vec<&Id> = index.iter().map(|(id, _)| id).collect();
        let mut sorted: Vec<&Id> = ids.iter().collect();
        sorted.sort();
        assert_eq!(walked, sorted, "walks in id order");
    }

    #[test]
    fn the_lookup_hash_spreads_ids_that_differ_in_their_last_character() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<IdHash>::default();
        let tops: std::collections::BTreeSet<u64> = (0..1000).map(|i| b.hash_one(format!("S{i:05}")) >> 57).collect();
        assert_eq!(tops.len(), 128, "every value of the 7 top bits is used");
    }
}
