//! World state: the ECS components and resources a run mutates (only through `apply`), plus
//! the static profiles lowered from the scenario. `snapshot` gives a canonical, ordered view
//! of all mutable state; its hash is the "final-state hash" in logs.
//!
//! Invariants: no `Entity` value and no hash-map order ever reaches a snapshot, an event or a
//! draw; every map here is a `BTreeMap` keyed by stable string ids.

use std::collections::{BTreeMap, BTreeSet};

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemState;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod compact;

use crate::event::CombatOutcome;
use crate::scenario::{ArmedGroupDef, Measure, OrganisationDef, PartnerDef, Regime, Scenario, StateDef, TreatyDef};
use compact::Compact;

pub use crate::id::{Id, IdSet, ToId};

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

/// What an actor is looked up by: a `str`, or an `Id` (whose inline text is packed without
/// copying it byte by byte).
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
        // The same key as `Packed::of(self.as_str())`: inline text is zero-padded.
        self.packed16().or_else(|| self.as_str().packed())
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
        crate::draw::mix64(self.0)
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

/// The canonical view of all mutable state, in id order, borrowed from the world.
#[derive(Debug, Serialize)]
pub struct Snapshot<'a> {
    /// States.
    pub states: BTreeMap<&'a str, &'a Polity>,
    /// Organisations.
    pub organisations: BTreeMap<&'a str, &'a OrgState>,
    /// Partners.
    pub partners: BTreeMap<&'a str, &'a PartnerState>,
    /// Armed groups.
    pub groups: BTreeMap<&'a str, &'a GroupState>,
    /// Treaties.
    pub treaties: &'a BTreeMap<Id, TreatyState>,
    /// Crises.
    pub crises: &'a Crises,
    /// Defence bookkeeping.
    pub defence: DefenceView<'a>,
}

/// Defence bookkeeping with its tuple keys flattened to strings, for JSON.
#[derive(Debug)]
pub struct DefenceView<'a>(&'a Defence);

impl Serialize for DefenceView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let d = self.0;
        let len = d.invocations.len() + d.requests.len() + d.engaged.len() + d.deployments.len();
        let mut seq = s.serialize_seq(Some(len))?;
        for (k, v) in &d.invocations {
            seq.serialize_element(&(("invocation", &k.0, &k.1, &k.2, k.3), v))?;
        }
        for (k, v) in &d.requests {
            seq.serialize_element(&(("request", &k.0, &k.1), v))?;
        }
        for (k, v) in &d.engaged {
            seq.serialize_element(&(("engaged", &k.0, &k.1, &k.2), v))?;
        }
        for (k, v) in &d.deployments {
            seq.serialize_element(&(("deployment", &k.0, &k.1), v))?;
        }
        seq.end()
    }
}

/// How the canonical snapshot is encoded before it is digested. The log's schema version
/// decides: logs of schema 1 and 2 digest its JSON; schema 3 its compact binary encoding
/// (postcard: the same fields in the same order, without field names, numbers in binary),
/// which is several times cheaper to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateEncoding {
    /// Canonical JSON (log schemas 1 and 2).
    Json,
    /// Postcard (log schema 3 on).
    Compact,
}

impl StateEncoding {
    /// The encoding a log of this schema version was written with.
    pub fn for_schema(version: u32) -> StateEncoding {
        if version <= 2 { StateEncoding::Json } else { StateEncoding::Compact }
    }
}

/// Serialises the world's canonical snapshot as JSON into `w`.
pub fn write_snapshot(world: &mut World, w: &mut impl std::io::Write) {
    with_snapshot(world, |snap| serde_json::to_writer(w, snap).expect("snapshot serialises"));
}

fn with_snapshot<R>(world: &mut World, f: impl FnOnce(&Snapshot) -> R) -> R {
    let mut states_q = world.query::<(&Code, &Polity)>();
    let mut orgs_q = world.query::<(&Code, &OrgState)>();
    let mut partners_q = world.query::<(&Code, &PartnerState)>();
    let mut groups_q = world.query::<(&Code, &GroupState)>();
    let world: &World = world;
    let snap = Snapshot {
        states: states_q.iter(world).map(|(c, p)| (c.0.as_str(), p)).collect(),
        organisations: orgs_q.iter(world).map(|(c, p)| (c.0.as_str(), p)).collect(),
        partners: partners_q.iter(world).map(|(c, p)| (c.0.as_str(), p)).collect(),
        groups: groups_q.iter(world).map(|(c, p)| (c.0.as_str(), p)).collect(),
        treaties: &world.resource::<Treaties>().by_id,
        crises: world.resource::<Crises>(),
        defence: DefenceView(world.resource::<Defence>()),
    };
    f(&snap)
}

/// The canonical snapshot in `encoding`, appended to `buf`.
pub fn encode_snapshot(world: &mut World, encoding: StateEncoding, buf: &mut Vec<u8>) {
    match encoding {
        StateEncoding::Json => write_snapshot(world, buf),
        StateEncoding::Compact => {
            with_snapshot(world, |snap| postcard::to_io(snap, &mut *buf).expect("snapshot serialises"));
        }
    }
}

/// SHA-256 (hex) of the canonical snapshot in the current encoding: the final-state hash in logs.
pub fn state_hash(world: &mut World) -> String {
    state_hash_as(world, StateEncoding::Compact)
}

/// SHA-256 (hex) of the canonical snapshot in `encoding`.
pub fn state_hash_as(world: &mut World, encoding: StateEncoding) -> String {
    let mut buf = Vec::with_capacity(1 << 14);
    encode_snapshot(world, encoding, &mut buf);
    sha256_hex(&buf)
}

/// A fast 64-bit digest (hex) of the whole canonical snapshot in `encoding`: the checkpoint
/// digest of logs of schema 1 to 3 (`CheckpointDigest::Whole`).
pub fn state_digest_as(world: &mut World, encoding: StateEncoding) -> String {
    // Encoders write many tiny slices; buffering first lets the digest run over whole words.
    let mut buf = Vec::with_capacity(1 << 14);
    encode_snapshot(world, encoding, &mut buf);
    format!("{:016x}", Digest64::of(&buf))
}

/// Which checkpoint digest a log's schema version calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointDigest {
    /// The whole snapshot in one encoding, digested at once (log schemas 1 to 3).
    Whole(StateEncoding),
    /// Per-part digests combined in id order (log schema 4 on: `Digester`).
    Parts,
}

impl CheckpointDigest {
    /// The checkpoint digest a log of this schema version was written with.
    pub fn for_schema(version: u32) -> CheckpointDigest {
        if version <= 3 { CheckpointDigest::Whole(StateEncoding::for_schema(version)) } else { CheckpointDigest::Parts }
    }
}

type PartsQuery = Query<
    'static,
    'static,
    (
        &'static Code,
        Option<Ref<'static, Polity>>,
        Option<Ref<'static, OrgState>>,
        Option<Ref<'static, PartnerState>>,
        Option<Ref<'static, GroupState>>,
    ),
>;
/// The actors whose part changed since the digester last ran, by kind of part; states and
/// armed groups (nearly all the changes) with their parts, so they are not looked up again.
type ChangedParts = (
    Query<'static, 'static, (Entity, &'static Code, &'static Polity), Changed<Polity>>,
    Query<'static, 'static, Entity, Changed<OrgState>>,
    Query<'static, 'static, Entity, Changed<PartnerState>>,
    Query<'static, 'static, (Entity, &'static GroupState), Changed<GroupState>>,
);
type PartsParams = (
    Res<'static, crate::engine::Fixed>,
    PartsQuery,
    ChangedParts,
    Res<'static, Treaties>,
    Res<'static, Crises>,
    Res<'static, DigestStamps>,
    Res<'static, Defence>,
);

/// Checkpoint digests of log schema 4 on. Each actor's mutable state (its `Polity`,
/// `OrgState`, `PartnerState` or `GroupState`) and each bookkeeping resource (treaties,
/// crises, defence) is encoded compactly and digested on its own; the checkpoint digest
/// folds every actor's id digest and part digest in id order, then the three resources'.
///
/// A part is re-encoded only when bevy's change detection reports it changed since this
/// digester last ran (apply takes every component and resource it writes mutably, which marks
/// it changed). The changed parts are found by scanning each component's change ticks in
/// storage order (dense, so no lookup per actor), so a checkpoint of a big world costs that
/// scan, the encoding of what changed and a fold over the cached digests, not an encoding of
/// the whole world. The result does not depend on the cache:
/// `Sim::verify_digests` recomputes every checkpoint with a fresh digester and compares.
pub struct Digester {
    params: SystemState<PartsParams>,
    /// Part digests in the index's id order (actors are never added after the world is built,
    /// and their parts are never removed); `None` for an actor without a part.
    parts: Vec<Option<u64>>,
    /// Digests of the actors' ids, in the same order.
    ids: Vec<u64>,
    /// The actors' entities, in the same order.
    entities: Vec<Entity>,
    /// Each entity's place in that order, by entity index (`u32::MAX`: not an actor).
    slot_of: Vec<u32>,
    /// Treaties, crises, defence.
    resources: [Option<u64>; 3],
    /// Each crisis's encoding (with its key, as in the crises table's), with the stamp it was
    /// made at.
    crises: Lookup<Id, Option<(u64, Vec<u8>)>>,
    /// Each state's `pledged_by` encoding with the stamp it was made at, in the same order.
    pledges: Vec<Option<(u64, Vec<u8>)>>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Digester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digester").field("parts", &self.parts.len()).finish_non_exhaustive()
    }
}

impl Digester {
    /// A digester for `world`, with nothing cached yet.
    pub fn new(world: &mut World) -> Digester {
        Digester {
            params: SystemState::new(world),
            parts: Vec::new(),
            ids: Vec::new(),
            entities: Vec::new(),
            slot_of: Vec::new(),
            resources: [None; 3],
            crises: Lookup::default(),
            pledges: Vec::new(),
            buf: Vec::with_capacity(1 << 12),
        }
    }

    fn part<T: Serialize>(buf: &mut Vec<u8>, tag: u8, value: &T) -> u64 {
        buf.clear();
        buf.push(tag);
        postcard::to_io(value, &mut *buf).expect("state serialises");
        Digest64::of(buf)
    }

    /// `value`'s compact encoding, kept in `cache` with the stamp it was made at, and made
    /// afresh when the stamp has moved.
    fn encoded<'c, T: Serialize + ?Sized>(cache: &'c mut Option<(u64, Vec<u8>)>, stamp: u64, value: &T) -> &'c [u8] {
        if cache.as_ref().is_none_or(|(s, _)| *s != stamp) {
            let mut bytes = Vec::new();
            postcard::to_io(value, &mut bytes).expect("state serialises");
            *cache = Some((stamp, bytes));
        }
        &cache.as_ref().expect("cached above").1
    }

    /// `part(buf, 5, crises)`, from each crisis's cached encoding where its stamp has not moved:
    /// the same bytes (a map is encoded as its length, then each key and value in order).
    fn crises_part(cache: &mut Lookup<Id, Option<(u64, Vec<u8>)>>, buf: &mut Vec<u8>, crises: &Crises, stamps: &DigestStamps) -> u64 {
        buf.clear();
        buf.push(5);
        postcard::to_io(&crises.0.len(), &mut *buf).expect("a length serialises");
        let mut w = Digest64::default();
        std::io::Write::write_all(&mut w, buf).expect("in-memory write");
        for (id, crisis) in &crises.0 {
            let bytes = Self::encoded(cache.get_or_default(id), stamps.crisis(id), &(id, crisis));
            std::io::Write::write_all(&mut w, bytes).expect("in-memory write");
        }
        w.finish()
    }

    /// `part(buf, 0, p)`, written field by field (`compact`), with `p.pledged_by`'s encoding
    /// taken from `cache` where its stamp has not moved: the same bytes (a struct is encoded as
    /// its fields in order). The tests `a_polity_digest_with_cached_allies_equals_the_plain_one`
    /// and `a_polity_put_field_by_field_is_its_postcard_encoding` compare full polities with
    /// their plain encoding, so a field out of place fails them.
    fn polity_part(buf: &mut Vec<u8>, p: &Polity, stamp: u64, cache: &mut Option<(u64, Vec<u8>)>) -> u64 {
        // Every field, in declaration order, written directly (`compact`); the destructuring
        // fails to compile when a field is added.
        let Polity {
            regime,
            regime_before_coup,
            junta_since,
            coup_consolidated,
            reversal_day,
            troops,
            committed_abroad,
            redeployed,
            gdp_loss_pct,
            accrued_day,
            sanctions_severity,
            aid_suspended_musd,
            aid_total_musd,
            electricity_cut,
            casualties_military,
            casualties_civilian,
            pledged_by,
            security_changed_day,
            transition_months,
            attacked,
            imposing,
        } = p;
        buf.clear();
        buf.push(0);
        regime.put(buf);
        regime_before_coup.put(buf);
        junta_since.put(buf);
        coup_consolidated.put(buf);
        reversal_day.put(buf);
        troops.put(buf);
        committed_abroad.put(buf);
        redeployed.put(buf);
        gdp_loss_pct.put(buf);
        accrued_day.put(buf);
        sanctions_severity.put(buf);
        aid_suspended_musd.put(buf);
        aid_total_musd.put(buf);
        electricity_cut.put(buf);
        casualties_military.put(buf);
        casualties_civilian.put(buf);
        buf.extend_from_slice(Self::encoded(cache, stamp, pledged_by));
        security_changed_day.put(buf);
        transition_months.put(buf);
        attacked.put(buf);
        imposing.put(buf);
        Digest64::of(buf)
    }

    /// `part(buf, 3, g)`, written directly (`compact`).
    fn group_part(buf: &mut Vec<u8>, g: &GroupState) -> u64 {
        buf.clear();
        buf.push(3);
        g.put(buf);
        Digest64::of(buf)
    }

    /// The checkpoint digest (hex) of the world's current state.
    pub fn digest(&mut self, world: &mut World) -> String {
        let (fixed, parts, (polities, orgs, partners, groups), treaties, crises, stamps, defence) =
            self.params.get_mut(world).expect("digest parameters are valid");
        let buf = &mut self.buf;
        let first = self.ids.is_empty();
        if first {
            let index = &fixed.index;
            self.pledges = vec![None; index.iter().len()];
            self.entities = index.iter().map(|(_, e)| *e).collect();
            self.ids = index.iter().map(|(id, _)| Self::part(buf, 7, id)).collect();
            let top = self.entities.iter().map(|e| e.index_u32() as usize + 1).max().unwrap_or(0);
            self.slot_of = vec![u32::MAX; top];
            for (slot, e) in self.entities.iter().enumerate() {
                self.slot_of[e.index_u32() as usize] = u32::try_from(slot).expect("fewer than 2^32 actors");
            }
            self.parts = vec![None; self.entities.len()];
        }
        // An actor's place in id order, if `e` is an actor's entity (checked in full).
        let (slot_of, entities) = (&self.slot_of, &self.entities);
        let slot = |e: Entity| {
            let slot = *slot_of.get(e.index_u32() as usize)? as usize;
            (entities.get(slot) == Some(&e)).then_some(slot)
        };
        if !first {
            for (e, code, p) in &polities {
                if let Some(slot) = slot(e) {
                    self.parts[slot] = Some(Self::polity_part(buf, p, stamps.pledges(&code.0), &mut self.pledges[slot]));
                }
            }
            for (e, g) in &groups {
                if let Some(slot) = slot(e) {
                    self.parts[slot] = Some(Self::group_part(buf, g));
                }
            }
        }
        let pledges = &mut self.pledges;
        let mut encode = |slot: usize, e: Entity| -> Option<u64> {
            let (code, polity, org, partner, group) = parts.get(e).ok()?;
            Some(if let Some(p) = &polity {
                Self::polity_part(buf, p, stamps.pledges(&code.0), &mut pledges[slot])
            } else if let Some(o) = &org {
                Self::part(buf, 1, &**o)
            } else if let Some(p) = &partner {
                Self::part(buf, 2, &**p)
            } else {
                Self::group_part(buf, &*group?)
            })
        };
        if first {
            for (slot, (e, cached)) in self.entities.iter().zip(self.parts.iter_mut()).enumerate() {
                *cached = encode(slot, *e);
            }
        } else {
            for e in orgs.iter().chain(partners.iter()) {
                if let Some(slot) = slot(e) {
                    self.parts[slot] = encode(slot, e);
                }
            }
        }
        let mut out = Digest64::default();
        for (id, part) in self.ids.iter().zip(&self.parts) {
            if let Some(part) = part {
                out.word(*id);
                out.word(*part);
            }
        }
        let [t, c, d] = &mut self.resources;
        if treaties.is_changed() || t.is_none() {
            *t = Some(Self::part(buf, 4, &treaties.by_id));
        }
        if crises.is_changed() || c.is_none() {
            *c = Some(Self::crises_part(&mut self.crises, buf, &crises, &stamps));
        }
        if defence.is_changed() || d.is_none() {
            *d = Some(Self::part(buf, 6, &DefenceView(&defence)));
        }
        for r in &self.resources {
            out.word(r.unwrap_or_default());
        }
        format!("{:016x}", out.finish())
    }
}

/// A streaming 64-bit digest: 8-byte words folded with the SplitMix64 mixer.
#[derive(Debug, Default)]
struct Digest64 {
    state: u64,
    buf: [u8; 8],
    len: usize,
    total: u64,
}

impl Digest64 {
    /// The digest of `bytes`: what writing them in one go and finishing gives, without going
    /// through `io::Write`.
    fn of(bytes: &[u8]) -> u64 {
        let mut w = Digest64 { total: bytes.len() as u64, ..Digest64::default() };
        w.absorb(bytes);
        w.finish()
    }

    /// Folds `data`'s whole words and keeps the rest in the (empty) buffer; `total` is the
    /// caller's to count.
    fn absorb(&mut self, data: &[u8]) {
        debug_assert_eq!(self.len, 0);
        let mut words = data.chunks_exact(8);
        for c in &mut words {
            self.word(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.len = rest.len();
    }

    fn word(&mut self, w: u64) {
        self.state = crate::draw::mix64(self.state ^ w).rotate_left(23);
    }

    fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.len].copy_from_slice(&self.buf[..self.len]);
        self.word(u64::from_le_bytes(last));
        crate::draw::mix64(self.state ^ self.total)
    }
}

impl std::io::Write for Digest64 {
    fn write(&mut self, mut data: &[u8]) -> std::io::Result<usize> {
        let n = data.len();
        self.total += n as u64;
        if self.len > 0 {
            let take = (8 - self.len).min(data.len());
            self.buf[self.len..self.len + take].copy_from_slice(&data[..take]);
            self.len += take;
            data = &data[take..];
            if self.len < 8 {
                return Ok(n);
            }
            let w = u64::from_le_bytes(self.buf);
            self.word(w);
            self.len = 0;
        }
        self.absorb(data);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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

    /// A polity's digest with its allies' encoding cached equals the plain one, whether the
    /// cache is empty, reused (the stamp did not move) or refreshed (it did).
    #[test]
    fn a_polity_digest_with_cached_allies_equals_the_plain_one() {
        let mut p = Polity {
            regime: Regime::Junta,
            regime_before_coup: Some(Regime::Democracy),
            junta_since: Some(3),
            coup_consolidated: true,
            reversal_day: None,
            troops: 25_000,
            committed_abroad: 300,
            redeployed: 7,
            gdp_loss_pct: 1.25,
            accrued_day: 40,
            sanctions_severity: 0.5,
            aid_suspended_musd: 12.5,
            aid_total_musd: 900.0,
            electricity_cut: 0.7,
            casualties_military: 1_000_000,
            casualties_civilian: 3,
            pledged_by: ["MLI", "BFA"].map(Id::from).into(),
            security_changed_day: 9,
            transition_months: Some(36),
            attacked: ["NGA"].map(Id::from).into(),
            imposing: [(Id::from("NER"), 0.25)].into(),
        };
        let (mut buf, mut cache) = (Vec::new(), None);
        let plain = |p: &Polity| Digester::part(&mut Vec::new(), 0, p);
        assert_eq!(Digester::polity_part(&mut buf, &p, 1, &mut cache), plain(&p), "empty cache");
        p.casualties_civilian += 1;
        p.imposing.insert(Id::from("SEN"), 1.0);
        assert_eq!(Digester::polity_part(&mut buf, &p, 1, &mut cache), plain(&p), "cache reused");
        p.pledged_by.insert(Id::from("S".repeat(40).as_str()));
        assert_eq!(Digester::polity_part(&mut buf, &p, 2, &mut cache), plain(&p), "cache refreshed");
        // A stamp that does not move keeps the cached encoding, whatever the set holds now.
        p.pledged_by.clear();
        assert_ne!(Digester::polity_part(&mut buf, &p, 2, &mut cache), plain(&p));
    }

    /// `Digest64::of` is the streaming digest of the same bytes, however they are split.
    #[test]
    fn digest_of_bytes_is_the_streamed_digest() {
        let bytes: Vec<u8> = (0..40u8).map(|b| b.wrapping_mul(37)).collect();
        for len in 0..bytes.len() {
            let all = &bytes[..len];
            for split in 0..=len {
                let mut w = Digest64::default();
                std::io::Write::write_all(&mut w, &all[..split]).unwrap();
                std::io::Write::write_all(&mut w, &all[split..]).unwrap();
                assert_eq!(Digest64::of(all), w.finish(), "{len} {split}");
            }
        }
    }

    #[test]
    fn the_lookup_hash_spreads_ids_that_differ_in_their_last_character() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<IdHash>::default();
        let tops: std::collections::BTreeSet<u64> = (0..1000).map(|i| b.hash_one(format!("S{i:05}")) >> 57).collect();
        assert_eq!(tops.len(), 128, "every value of the 7 top bits is used");
    }
}
