//! `Id`: the string type of actor, treaty and organisation ids, dates and rule citations.
//!
//! Ids are cloned into every event and every state set that names them, and compared in every
//! ordered map lookup. A `String` allocates on each clone; `Id` is `smol_str`'s `SmolStr`,
//! which keeps up to 23 bytes inline (every id and date in practice), shares longer text
//! (`Arc<str>`) and borrows literals (rule citations written in the code), so cloning never
//! allocates.
//!
//! An `Id` behaves exactly as its string: it orders, hashes, displays and serialises as the
//! `str` it holds (so logs, digests and map orders are those of `String` keys; a unit test
//! pins it), and it borrows as `str`, so maps keyed by `Id` are searched with `&str`.

use std::borrow::Borrow;

/// An id string (see the module documentation).
pub type Id = smol_str::SmolStr;

/// An owned `Id` from a borrowed id, without allocating (`Id` has no `From<&Id>`, and
/// `to_string` would allocate a `String` on the way).
pub trait ToId {
    /// The id, owned.
    fn to_id(&self) -> Id;
}

impl ToId for str {
    #[inline]
    fn to_id(&self) -> Id {
        Id::new(self)
    }
}

impl ToId for Id {
    #[inline]
    fn to_id(&self) -> Id {
        self.clone()
    }
}

#[doc(hidden)]
pub use smol_str::format_smolstr;

/// `format!` for `Id`s: `format_id!("{} {}", a, b)`, written inline when it fits.
#[macro_export]
macro_rules! format_id {
    ($($arg:tt)*) => {
        $crate::model::id::format_smolstr!($($arg)*)
    };
}

/// A set of ids kept as a sorted vector, for sets that grow one id at a time and are read in
/// order (the allies pledged to a state: thousands in a big world). It serialises as its ids in
/// order, the same bytes as a `BTreeSet<Id>` of the same ids. An id above the last is appended
/// after one comparison: how such sets mostly grow, since the rules go through actors in id
/// order. Any other id is found by binary search and inserted in place. (A `BTreeSet<Id>` in
/// its place takes `apply` at 10,000 states under its target of 2 M events/s: benches/README.md.)
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct IdSet(Vec<Id>);

impl IdSet {
    /// Adds `id`; false if it was already there.
    pub fn insert(&mut self, id: Id) -> bool {
        if self.0.last().is_none_or(|last| *last < id) {
            self.0.push(id);
            return true;
        }
        match self.0.binary_search(&id) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, id);
                true
            }
        }
    }

    /// Whether `id` is in the set.
    pub fn contains<K: Ord + ?Sized>(&self, id: &K) -> bool
    where
        Id: Borrow<K>,
    {
        self.0.binary_search_by(|x| x.borrow().cmp(id)).is_ok()
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Id> {
        self.0.iter()
    }

    /// Removes every id.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<'a> IntoIterator for &'a IdSet {
    type Item = &'a Id;
    type IntoIter = std::slice::Iter<'a, Id>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Id> for IdSet {
    fn from_iter<I: IntoIterator<Item = Id>>(ids: I) -> IdSet {
        let mut v: Vec<Id> = ids.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        IdSet(v)
    }
}

impl<const N: usize> From<[Id; N]> for IdSet {
    fn from(ids: [Id; N]) -> IdSet {
        ids.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<String> {
        let mut v: Vec<String> = ["", "A", "A\0", "AB", "B", "NER", "NE", "S00017", "S00018", "\u{e9}t\u{e9}", "\u{7f}", "\u{80}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // A difference at every byte of the inline buffer (and just past it).
        for n in 0..=24 {
            v.push(format!("{}y", "x".repeat(n)));
            v.push(format!("{}yx", "x".repeat(n)));
        }
        for n in [15, 16, 22, 23, 24, 40] {
            v.push("x".repeat(n));
            v.push(format!("{}y", "x".repeat(n - 1)));
            v.push(format!("{}\0", "x".repeat(n - 1)));
        }
        v
    }

    fn forms(s: &str) -> Vec<Id> {
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        vec![Id::new(s), Id::from(s.to_string()), Id::new_static(leaked), Id::from(std::sync::Arc::<str>::from(s)), format_id!("{s}")]
    }

    /// The contract the logs, digests and map orders rely on, pinned here rather than taken on
    /// trust from the crate: every form of an id orders, compares and hashes as its text.
    #[test]
    fn ids_order_compare_and_hash_as_their_strings() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let h = |x: &dyn Fn(&mut DefaultHasher)| {
            let mut st = DefaultHasher::new();
            x(&mut st);
            st.finish()
        };
        let strings = all();
        for a in &strings {
            for ia in forms(a) {
                assert_eq!(ia.as_str(), a);
                assert_eq!(h(&|st| ia.hash(st)), h(&|st| a.as_str().hash(st)));
                for b in &strings {
                    for ib in forms(b) {
                        assert_eq!(ia.cmp(&ib), a.cmp(b), "{a:?} vs {b:?}");
                        assert_eq!(ia == ib, a == b, "{a:?} vs {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn an_id_set_holds_and_serialises_as_a_btree_set() {
        use std::collections::BTreeSet;
        // Ids from a small pool in a scrambled, mostly rising order, as pledges arrive.
        let pool: Vec<Id> = all().iter().map(|s| Id::from(s.as_str())).chain((0..300).map(|i| format_id!("S{i:05}"))).collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for round in 0..40 {
            let (mut set, mut reference) = (IdSet::default(), BTreeSet::new());
            for step in 0..400 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Rounds alternate between rising runs with jumps back and a uniform scramble.
                let i = if round % 2 == 0 { (step + (x % 7) as usize * 40) % pool.len() } else { (x % pool.len() as u64) as usize };
                let id = pool[i].clone();
                assert_eq!(set.insert(id.clone()), reference.insert(id), "round {round}, step {step}");
                assert_eq!(set.len(), reference.len());
                assert!(set.iter().eq(reference.iter()));
            }
            for id in &pool {
                assert_eq!(set.contains(id), reference.contains(id));
                assert_eq!(set.contains(id.as_str()), reference.contains(id.as_str()));
            }
            assert_eq!(postcard::to_stdvec(&set).unwrap(), postcard::to_stdvec(&reference).unwrap());
            assert_eq!(serde_json::to_string(&set).unwrap(), serde_json::to_string(&reference).unwrap());
            let collected: IdSet = reference.iter().rev().cloned().chain(reference.iter().cloned()).collect();
            assert_eq!(collected, set);
            set.clear();
            assert!(set.is_empty());
        }
    }

    #[test]
    fn ids_serialise_as_strings() {
        let id = Id::new("NER");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"NER\"");
        assert_eq!(postcard::to_stdvec(&id).unwrap(), postcard::to_stdvec("NER").unwrap());
        let back: Id = serde_json::from_str("\"a\\\"b\"").unwrap();
        assert_eq!(back, "a\"b");
        let long: Id = serde_json::from_str(&format!("\"{}\"", "z".repeat(50))).unwrap();
        assert_eq!(long.len(), 50);
        assert_eq!(format_id!("{} {}", "x".repeat(20), 12345), format!("{} 12345", "x".repeat(20)).as_str());
    }
}
