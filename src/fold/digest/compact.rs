//! The compact (postcard) encoding of the state parts that change with nearly every event,
//! written directly: `Digester` re-encodes every changed state and armed group at each
//! checkpoint, and going through serde's serializer for each field and id was a third of a
//! replay's folding time.
//!
//! The bytes are postcard's, exactly (the checkpoint digests of logs already written depend on
//! them): integers of 16 bits and more as LEB128 varints, `f64` as its 8 little-endian bytes,
//! `bool` and an `Option`'s tag as one byte, a unit enum variant as its index, text and
//! collections as their length then their contents, structs and tuples as their fields in
//! order. The tests compare with postcard over awkward values.

use std::collections::{BTreeMap, BTreeSet};

use super::{GroupState, Id, IdSet};
use crate::model::scenario::Regime;

/// A value written in postcard's encoding without serde.
pub(super) trait Compact {
    /// Appends the encoding to `out`.
    fn put(&self, out: &mut Vec<u8>);
}

#[inline]
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Compact for u32 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, u64::from(*self));
    }
}

impl Compact for u64 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, *self);
    }
}

impl Compact for bool {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Compact for f64 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl<T: Compact> Compact for Option<T> {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
}

impl Compact for Id {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Compact for Regime {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        let index = match self {
            Regime::Democracy => 0,
            Regime::Authoritarian => 1,
            Regime::Junta => 2,
            Regime::Transitional => 3,
        };
        varint(out, index);
    }
}

impl Compact for BTreeSet<Id> {
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, self.len() as u64);
        for id in self {
            id.put(out);
        }
    }
}

impl Compact for IdSet {
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, self.len() as u64);
        for id in self.iter() {
            id.put(out);
        }
    }
}

impl<V: Compact> Compact for BTreeMap<Id, V> {
    fn put(&self, out: &mut Vec<u8>) {
        varint(out, self.len() as u64);
        for (k, v) in self {
            k.put(out);
            v.put(out);
        }
    }
}

impl Compact for GroupState {
    fn put(&self, out: &mut Vec<u8>) {
        // Every field, in declaration order (the destructuring fails to compile when one is
        // added).
        let GroupState { attacks, last_attack_day, deaths } = self;
        attacks.put(out);
        last_attack_day.put(out);
        deaths.put(out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Polity;
    use super::*;

    fn same<T: Compact + serde::Serialize>(v: &T) {
        let mut out = Vec::new();
        v.put(&mut out);
        assert_eq!(out, postcard::to_allocvec(v).expect("serialises"));
    }

    const NUMBERS: [u64; 12] = [0, 1, 127, 128, 255, 300, 16_383, 16_384, 1 << 21, u32::MAX as u64, 1 << 35, u64::MAX];

    #[test]
    fn compact_encoding_is_postcards() {
        for n in NUMBERS {
            same(&n);
            same(&(n as u32));
            same(&Some(n as u32));
        }
        for x in [0.0, -0.0, 0.1, 1e300, f64::MAX, f64::MIN_POSITIVE, f64::INFINITY, f64::NAN] {
            same(&x);
        }
        same(&true);
        same(&false);
        same(&None::<u32>);
        for r in [Regime::Democracy, Regime::Authoritarian, Regime::Junta, Regime::Transitional] {
            same(&r);
            same(&Some(r));
        }
        let ids: Vec<Id> = ["", "NER", "Côte d'Ivoire", &"x".repeat(127), &"y".repeat(128), &"z".repeat(300)].map(Id::from).to_vec();
        for id in &ids {
            same(id);
        }
        same(&ids.iter().cloned().collect::<BTreeSet<Id>>());
        same(&BTreeSet::<Id>::new());
        same(&ids.iter().cloned().collect::<IdSet>());
        same(&ids.iter().cloned().zip([0.5, -1.0, 3.0, 0.0, 1e-9, 2.0]).collect::<BTreeMap<Id, f64>>());
        let counts: BTreeMap<Id, u32> = ids.iter().cloned().zip(NUMBERS.map(|n| n as u32)).collect();
        same(&GroupState { attacks: counts.clone(), last_attack_day: counts, deaths: u64::MAX });
        same(&GroupState { attacks: BTreeMap::new(), last_attack_day: BTreeMap::new(), deaths: 0 });
    }

    /// A polity's fields put one by one, as `Digester::polity_part` does, are its postcard
    /// encoding, over polities built from awkward values.
    #[test]
    fn a_polity_put_field_by_field_is_its_postcard_encoding() {
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
            let mut out = vec![0];
            let mut cache = None;
            let digest = crate::fold::digest::Digester::polity_part(&mut out, &p, 1, &mut cache);
            let mut plain = vec![0];
            plain.extend(postcard::to_allocvec(&p).expect("serialises"));
            assert_eq!(out, plain, "{p:?}");
            assert_eq!(digest, crate::fold::digest::Digest64::of(&plain));
        }
    }
}
