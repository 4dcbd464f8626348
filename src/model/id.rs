//! `Id`: the string type of actor, treaty and organisation ids, dates and rule citations.
//!
//! Ids are cloned into every event and every state set that names them, and compared in every
//! ordered map lookup. A `String` allocates on each clone; `Id` keeps up to 22 bytes inline (every
//! id and date in practice), shares longer text (`Arc<str>`), and borrows literals (rule
//! citations written in the code), so cloning never allocates. Two inline ids compare as two
//! big-endian words and a length, not through `memcmp`.
//!
//! An `Id` behaves exactly as its string: it orders, hashes, displays and serialises as the
//! `str` it holds (so logs, digests and map orders are those of `String` keys), and it borrows
//! as `str`, so maps keyed by `Id` are searched with `&str`.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Bytes kept inline.
const INLINE: usize = 22;

/// An id string (see the module documentation).
#[derive(Clone)]
pub struct Id(Repr);

#[derive(Clone)]
enum Repr {
    /// `buf[..len]` is the text; the rest is zero (equality and order rely on it).
    Inline { len: u8, buf: [u8; INLINE] },
    /// Longer text, shared.
    Shared(Arc<str>),
    /// A literal.
    Static(&'static str),
}

const _: () = assert!(std::mem::size_of::<Id>() == 24);

impl Id {
    /// An id borrowing a literal (nothing is copied, now or when it is cloned).
    pub const fn new_static(text: &'static str) -> Id {
        Id(Repr::Static(text))
    }

    /// An id holding a copy of `text`.
    #[inline]
    pub fn new(text: &str) -> Id {
        let b = text.as_bytes();
        if b.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..b.len()].copy_from_slice(b);
            Id(Repr::Inline { len: b.len() as u8, buf })
        } else {
            Id(Repr::Shared(Arc::from(text)))
        }
    }

    /// An id holding formatted text (see the `format_id!` macro): written inline when it fits.
    pub fn from_fmt(args: fmt::Arguments<'_>) -> Id {
        if let Some(s) = args.as_str() {
            return Id::new(s);
        }
        let mut w = Writer { len: 0, buf: [0; INLINE], spill: None };
        fmt::write(&mut w, args).expect("formatting an id does not fail");
        match w.spill {
            Some(s) => Id(Repr::Shared(Arc::from(s))),
            None => Id(Repr::Inline { len: w.len as u8, buf: w.buf }),
        }
    }

    /// For an inline id of at most 15 bytes: its first 16 bytes (the text, zero-padded) with
    /// the length in the last, as two little-endian words (`ActorIndex`'s packed key, read
    /// without copying the text byte by byte).
    #[inline]
    pub(crate) fn packed16(&self) -> Option<[u64; 2]> {
        match &self.0 {
            Repr::Inline { len, buf } if *len < 16 => {
                let lo = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
                let hi = u64::from_le_bytes(buf[8..16].try_into().expect("8 bytes")) | (u64::from(*len) << 56);
                Some([lo, hi])
            }
            _ => None,
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, buf } => {
                // SAFETY: `buf[..len]` was copied from a `str` (or built of whole `str`s).
                unsafe { std::str::from_utf8_unchecked(buf.get_unchecked(..usize::from(*len))) }
            }
            Repr::Shared(s) => s,
            Repr::Static(s) => s,
        }
    }
}

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

/// `format!` for `Id`s: `format_id!("{} {}", a, b)`.
#[macro_export]
macro_rules! format_id {
    ($($arg:tt)*) => {
        $crate::model::id::Id::from_fmt(format_args!($($arg)*))
    };
}

struct Writer {
    len: usize,
    buf: [u8; INLINE],
    spill: Option<String>,
}

impl fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
        } else if self.len + s.len() <= INLINE {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            // SAFETY: `buf[..len]` holds whole `str`s written so far.
            let mut spill = String::from(unsafe { std::str::from_utf8_unchecked(&self.buf[..self.len]) });
            spill.push_str(s);
            self.spill = Some(spill);
        }
        Ok(())
    }
}

/// Compares two zero-padded inline buffers as byte strings, eight bytes at a time, most
/// significant first: most ids differ in their first eight bytes, and the comparison stops
/// there. The third word overlaps the second (bytes 14 to 21), whose last two bytes are equal
/// by then, so it orders by the last six.
#[inline]
fn cmp_inline(x: &[u8; INLINE], y: &[u8; INLINE]) -> Ordering {
    #[inline]
    fn word(buf: &[u8; INLINE], at: usize) -> u64 {
        u64::from_be_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
    }
    const _: () = assert!(INLINE > 16 && INLINE <= 24);
    for at in [0, 8, INLINE - 8] {
        let (a, b) = (word(x, at), word(y, at));
        if a != b {
            return a.cmp(&b);
        }
    }
    Ordering::Equal
}

impl Ord for Id {
    #[inline]
    fn cmp(&self, other: &Id) -> Ordering {
        match (&self.0, &other.0) {
            // Zero padding makes a proper prefix compare below or equal to the longer text;
            // the length then settles it (as `str` order does).
            (Repr::Inline { len: a, buf: x }, Repr::Inline { len: b, buf: y }) => cmp_inline(x, y).then(a.cmp(b)),
            _ => self.as_str().cmp(other.as_str()),
        }
    }
}

impl PartialOrd for Id {
    #[inline]
    fn partial_cmp(&self, other: &Id) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Id {
    #[inline]
    fn eq(&self, other: &Id) -> bool {
        match (&self.0, &other.0) {
            (Repr::Inline { len: a, buf: x }, Repr::Inline { len: b, buf: y }) => a == b && cmp_inline(x, y).is_eq(),
            _ => self.as_str() == other.as_str(),
        }
    }
}

impl Eq for Id {}

impl Hash for Id {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Default for Id {
    fn default() -> Id {
        Id(Repr::Inline { len: 0, buf: [0; INLINE] })
    }
}

impl Deref for Id {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Id {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Id {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Id {
    #[inline]
    fn from(s: &str) -> Id {
        Id::new(s)
    }
}

impl From<&String> for Id {
    #[inline]
    fn from(s: &String) -> Id {
        Id::new(s)
    }
}

impl From<String> for Id {
    #[inline]
    fn from(s: String) -> Id {
        if s.len() <= INLINE { Id::new(&s) } else { Id(Repr::Shared(Arc::from(s))) }
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.as_str().to_string()
    }
}

impl std::str::FromStr for Id {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Id, Self::Err> {
        Ok(Id::new(s))
    }
}

impl PartialEq<str> for Id {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Id {
    #[inline]
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Id {
    #[inline]
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Id> for str {
    #[inline]
    fn eq(&self, other: &Id) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Id> for &str {
    #[inline]
    fn eq(&self, other: &Id) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Id> for String {
    #[inline]
    fn eq(&self, other: &Id) -> bool {
        self == other.as_str()
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::new(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::from(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// A set of ids kept as a sorted vector, for sets that grow one id at a time and are read in
/// order (the allies pledged to a state: thousands in a big world). It serialises as its ids in
/// order, the same bytes as a `BTreeSet<Id>` of the same ids. An id above the last is appended
/// after one comparison: how such sets mostly grow, since the rules go through actors in id
/// order. Any other id is found by binary search and inserted in place.
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
        for n in 0..=INLINE {
            v.push(format!("{}y", "x".repeat(n)));
            v.push(format!("{}yx", "x".repeat(n)));
        }
        for n in [15, 16, 21, 22, 23, 40] {
            v.push("x".repeat(n));
            v.push(format!("{}y", "x".repeat(n - 1)));
            v.push(format!("{}\0", "x".repeat(n - 1)));
        }
        v
    }

    fn forms(s: &str) -> Vec<Id> {
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        vec![Id::new(s), Id::from(s.to_string()), Id::new_static(leaked), Id(Repr::Shared(Arc::from(s))), format_id!("{s}")]
    }

    #[test]
    fn ids_order_compare_and_hash_as_their_strings() {
        use std::collections::hash_map::DefaultHasher;
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
    fn formatted_ids_spill_past_the_inline_bytes() {
        let long = format_id!("{} {}", "x".repeat(20), 12345);
        assert_eq!(long.as_str(), format!("{} 12345", "x".repeat(20)));
        assert!(matches!(long.0, Repr::Shared(_)));
        let short = format_id!("{}-{:02}", "S", 7);
        assert_eq!(short, "S-07");
        assert!(matches!(short.0, Repr::Inline { .. }));
    }

    #[test]
    fn ids_serialise_as_strings() {
        let id = Id::new("NER");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"NER\"");
        let back: Id = serde_json::from_str("\"a\\\"b\"").unwrap();
        assert_eq!(back, "a\"b");
        let long: Id = serde_json::from_str(&format!("\"{}\"", "z".repeat(50))).unwrap();
        assert_eq!(long.len(), 50);
    }
}
