//! Digests of a folded world: the canonical snapshot of all mutable state, its SHA-256 (the
//! final-state hash in a log's end record) and the 64-bit checkpoint digests, which re-encode
//! only the parts of the world that changed since the previous checkpoint.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemState;
use serde::Serialize;

use crate::model::state::*;

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
    Res<'static, crate::model::world::Fixed>,
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

    /// `part(buf, 0, p)`, with `p.pledged_by`'s encoding taken from `cache` where its stamp has
    /// not moved: the same bytes (postcard encodes a struct as its fields in order, so the
    /// fields before and after the allies are encoded as two tuples around the cached bytes).
    /// The test `a_polity_digest_with_cached_allies_equals_the_plain_one` and
    /// `a_polity_in_three_pieces_is_its_postcard_encoding` compare full polities with their
    /// plain encoding, so a field out of place fails them.
    fn polity_part(buf: &mut Vec<u8>, p: &Polity, stamp: u64, cache: &mut Option<(u64, Vec<u8>)>) -> u64 {
        // Every field, in declaration order; the destructuring fails to compile when a field
        // is added.
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
        let before = (
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
        );
        buf.clear();
        buf.push(0);
        postcard::to_io(&before, &mut *buf).expect("state serialises");
        buf.extend_from_slice(Self::encoded(cache, stamp, pledged_by));
        postcard::to_io(&(security_changed_day, transition_months, attacked, imposing), &mut *buf).expect("state serialises");
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
                    self.parts[slot] = Some(Self::part(buf, 3, g));
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
                Self::part(buf, 3, &*group?)
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
        self.state = crate::model::draw::mix64(self.state ^ w).rotate_left(23);
    }

    fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.len].copy_from_slice(&self.buf[..self.len]);
        self.word(u64::from_le_bytes(last));
        crate::model::draw::mix64(self.state ^ self.total)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::Regime;

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

    /// A polity encoded in three pieces, as `Digester::polity_part` does, is its postcard
    /// encoding, over polities built from awkward values.
    #[test]
    fn a_polity_in_three_pieces_is_its_postcard_encoding() {
        const NUMBERS: [u64; 12] = [0, 1, 127, 128, 255, 300, 16_383, 16_384, 1 << 21, u32::MAX as u64, 1 << 35, u64::MAX];
        let regimes = [Regime::Democracy, Regime::Authoritarian, Regime::Junta, Regime::Transitional];
        for (i, n) in NUMBERS.into_iter().enumerate() {
            let small = n as u32;
            let ids: Vec<Id> = (0..i % 4).map(|k| Id::from(format!("S{k}{}", "é".repeat(i * 7)).as_str())).collect();
            let p = Polity {
                regime: regimes[i % 4],
                regime_before_coup: (i % 3 == 0).then_some(regimes[(i + 1) % 4]),
                junta_since: (i % 2 == 0).then_some(small),
                coup_consolidated: i % 2 == 1,
                reversal_day: (i % 2 == 1).then_some(small),
                troops: small,
                committed_abroad: small / 3,
                redeployed: small / 7,
                gdp_loss_pct: n as f64 / 3.0,
                accrued_day: small / 2,
                sanctions_severity: 0.1 * i as f64,
                aid_suspended_musd: -0.0,
                aid_total_musd: 1e300,
                electricity_cut: 0.7,
                casualties_military: n,
                casualties_civilian: n / 5,
                pledged_by: ids.iter().cloned().collect(),
                security_changed_day: small,
                transition_months: (i % 4 == 0).then_some(36),
                attacked: ids.iter().cloned().collect(),
                imposing: ids.iter().cloned().map(|id| (id, 0.25)).collect(),
            };
            let mut out = Vec::new();
            let digest = Digester::polity_part(&mut out, &p, 1, &mut None);
            let mut plain = vec![0];
            plain.extend(postcard::to_allocvec(&p).expect("serialises"));
            assert_eq!(out, plain, "{p:?}");
            assert_eq!(digest, Digest64::of(&plain));
        }
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
}
