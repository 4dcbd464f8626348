//! A direct reader for event records in exactly the form this crate writes them: no spaces,
//! the envelope's fields and the kind's fields in their written order, strings without
//! escapes. It reads such a record in about a quarter of the instructions of `serde_json` with
//! `Event`'s derived `Deserialize` (2.7 K against 10.6 K per line of the 1-million-event log),
//! which buffers every field to find `kind` and goes through serde's field matching for every
//! key; without it the one-thread replay of that log misses its 2 s target (benches/README.md).
//!
//! It is a shortcut, never a second definition of the format: on anything it does not
//! expect it gives up (`None`) and the caller reads the record with `serde_json`, which also
//! reports any error. Where it gives an event, `serde_json` gives the same one. That is what
//! `fast_reading_agrees_with_serde` tests (over every kind, and over damaged records), and the
//! `log` fuzz target checks on every input.

use serde::Deserialize;

use super::{CombatOutcome, Event, EventKind, LiftReason, SummitAgenda, VoteQuestion};
use crate::model::scenario::{AssistanceForm, AttackKind, Bindingness, Measure, UcgForm};
use crate::model::state::Id;

/// A position in one record's bytes.
pub(super) struct Cursor<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Steps over `lit` if the input continues with it.
    #[inline]
    pub(super) fn lit(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.at + lit.len();
        if self.bytes().get(self.at..end)? == lit {
            self.at = end;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes or control characters (both are left to the general reader).
    fn str(&mut self) -> Option<&'a str> {
        self.lit(b"\"")?;
        let start = self.at;
        let end = start + special(&self.bytes()[start..])?;
        if self.bytes()[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are next to a quote, which is ASCII, so they are character boundaries.
        self.s.get(start..end)
    }

    /// An unsigned integer. What follows a value is checked by the next expected bytes, so
    /// `1.5` or `1e3` (which the general reader rejects where an integer is due) stop there.
    fn uint(&mut self) -> Option<u64> {
        let start = self.at;
        let mut v: u64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        (digits > 0 && (digits == 1 || self.bytes()[start] != b'0')).then_some(v)
    }

    /// A number read as a float, by `serde_json` itself (floats are rare in the log).
    fn float(&mut self) -> Option<f64> {
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
            self.at += 1;
        }
        serde_json::from_str(self.s.get(start..self.at)?).ok()
    }
}

/// Where the first quote, backslash or control character in `b` is, eight bytes at a time.
#[inline]
fn special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = b.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        // A byte's high bit is set where it is zero after the xor (quote, backslash) or below
        // 0x20; bytes of 0x80 and above are excluded by `!x`.
        let zero = |y: u64| y.wrapping_sub(ONES) & !y;
        let hits = (zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | x.wrapping_sub(ONES * 0x20)) & !x & HIGH;
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&c| is_special(c)).map(|i| at + i)
}

/// A quote, a backslash or a control character: what ends the strings the direct reader reads.
fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// A value the direct reader can read.
pub(super) trait Fast: Sized {
    fn fast(c: &mut Cursor<'_>) -> Option<Self>;
}

impl Fast for Id {
    #[inline]
    fn fast(c: &mut Cursor<'_>) -> Option<Id> {
        c.str().map(Id::new)
    }
}

impl Fast for u64 {
    #[inline]
    fn fast(c: &mut Cursor<'_>) -> Option<u64> {
        c.uint()
    }
}

impl Fast for u32 {
    #[inline]
    fn fast(c: &mut Cursor<'_>) -> Option<u32> {
        c.uint().and_then(|v| u32::try_from(v).ok())
    }
}

impl Fast for f64 {
    fn fast(c: &mut Cursor<'_>) -> Option<f64> {
        c.float()
    }
}

impl Fast for bool {
    fn fast(c: &mut Cursor<'_>) -> Option<bool> {
        if c.lit(b"true").is_some() { Some(true) } else { c.lit(b"false").map(|()| false) }
    }
}

impl<T: Fast> Fast for Option<T> {
    #[inline]
    fn fast(c: &mut Cursor<'_>) -> Option<Option<T>> {
        if c.lit(b"null").is_some() { Some(None) } else { T::fast(c).map(Some) }
    }
}

impl<T: Fast> Fast for Vec<T> {
    fn fast(c: &mut Cursor<'_>) -> Option<Vec<T>> {
        c.lit(b"[")?;
        let mut v = Vec::new();
        if c.lit(b"]").is_some() {
            return Some(v);
        }
        loop {
            v.push(T::fast(c)?);
            if c.lit(b"]").is_some() {
                return Some(v);
            }
            c.lit(b",")?;
        }
    }
}

/// Enums written as their variant's name, read by their own derived `Deserialize` (which is
/// what `serde_json` calls with the same name).
macro_rules! fast_unit_enums {
    ($($t:ty),*) => {$(
        impl Fast for $t {
            fn fast(c: &mut Cursor<'_>) -> Option<$t> {
                let name = c.str()?;
                <$t>::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(name)).ok()
            }
        }
    )*};
}

fast_unit_enums!(AttackKind, Bindingness, Measure, AssistanceForm, LiftReason, SummitAgenda, VoteQuestion, CombatOutcome, UcgForm);

/// The event in `body` (a record without its chain field), if it is written exactly as this
/// crate writes events; `None` otherwise.
pub fn event(body: &str) -> Option<Event> {
    let mut c = Cursor { s: body, at: 0 };
    c.lit(b"{\"seq\":")?;
    let seq = u64::fast(&mut c)?;
    c.lit(b",\"day\":")?;
    let day = u32::fast(&mut c)?;
    c.lit(b",\"date\":")?;
    let date = Id::fast(&mut c)?;
    c.lit(b",\"kind\":")?;
    let name = c.str()?;
    let kind = EventKind::fast_fields(name, &mut c)?;
    c.lit(b",\"actors\":")?;
    let actors = Vec::<Id>::fast(&mut c)?;
    c.lit(b",\"cause\":")?;
    let cause = Option::<u64>::fast(&mut c)?;
    c.lit(b",\"rule\":")?;
    let rule = Id::fast(&mut c)?;
    c.lit(b"}")?;
    (c.at == body.len()).then_some(Event { seq, day, date, kind, actors, cause, rule })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Field values for test events, picked by `n`: awkward ones included (long and non-ASCII
    /// text, extreme numbers, and from `n` of 12 x 64 on, text with escapes), which the direct
    /// reader must read exactly or leave to the general one.
    pub(crate) trait Sample {
        fn sample(n: usize) -> Self;
    }

    impl Sample for Id {
        fn sample(n: usize) -> Id {
            const TEXTS: &[&str] = &[
                "NER",
                "S00042",
                "",
                "Côte d'Ivoire ✓",
                "Art. 6, Liptako-Gourma Charter (2023): assistance, including armed force",
                "\u{7f}del",
                "a \"quoted\" name",
                "back\\slash",
                "tab\there",
            ];
            let plain = if n < 12 * 64 { 6 } else { TEXTS.len() };
            Id::new(TEXTS[n % plain])
        }
    }

    impl Sample for u32 {
        fn sample(n: usize) -> u32 {
            [0, 7, 10, 1_000_000, u32::MAX][n % 5]
        }
    }

    impl Sample for u64 {
        fn sample(n: usize) -> u64 {
            [0, 42, u64::from(u32::MAX) + 1, u64::MAX][n % 4]
        }
    }

    impl Sample for f64 {
        fn sample(n: usize) -> f64 {
            [0.0, 0.25, 0.1 + 0.2, 1e-7, 123.456, 1e300, -0.0, 5e-324, 12.0][n % 9]
        }
    }

    impl Sample for bool {
        fn sample(n: usize) -> bool {
            n % 2 == 1
        }
    }

    impl<T: Sample> Sample for Vec<T> {
        fn sample(n: usize) -> Vec<T> {
            (0..n % 4).map(|i| T::sample(n + i)).collect()
        }
    }

    /// A derived enum's variant names, as its `Deserialize` hands them to a deserializer.
    fn variants<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
        struct Names(Option<&'static [&'static str]>);
        impl<'de> serde::Deserializer<'de> for &mut Names {
            type Error = serde::de::value::Error;
            fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(serde::de::Error::custom("names only"))
            }
            fn deserialize_enum<V: serde::de::Visitor<'de>>(
                self,
                _: &'static str,
                variants: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                self.0 = Some(variants);
                Err(serde::de::Error::custom("names only"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
                unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
            }
        }
        let mut names = Names(None);
        let _ = T::deserialize(&mut names);
        names.0.expect("a derived enum asks for its variants")
    }

    macro_rules! sample_enums {
        ($($t:ty),*) => {$(
            impl Sample for $t {
                fn sample(n: usize) -> $t {
                    let names = variants::<$t>();
                    serde_json::from_value(serde_json::Value::from(names[n % names.len()])).expect("a variant name")
                }
            }
        )*};
    }

    sample_enums!(AttackKind, Bindingness, Measure, AssistanceForm, LiftReason, SummitAgenda, VoteQuestion, CombatOutcome, UcgForm);

    /// Test events of every kind as the log writes them (without the chain field).
    fn written() -> Vec<(Event, String)> {
        let mut out = Vec::new();
        for n in 0..24 {
            for kind in EventKind::samples(n) {
                let actors = kind.actors();
                let e = Event {
                    seq: u64::sample(n),
                    day: u32::sample(n + 1),
                    date: Id::new("2023-07-26"),
                    kind,
                    actors,
                    cause: (!n.is_multiple_of(3)).then(|| u64::sample(n + 2)),
                    rule: Id::sample(n * 64),
                };
                let line = serde_json::to_string(&e).expect("an event serialises");
                out.push((e, line));
            }
        }
        out
    }

    /// Every kind written by the log writer is read directly, to the same event; where its
    /// text has an escape, it is left to the general reader.
    #[test]
    fn fast_reading_reads_what_the_writer_writes() {
        let mut direct = 0;
        let mut escaped = 0;
        for (e, line) in written() {
            match event(&line) {
                Some(read) => {
                    assert_eq!(read, e, "{line}");
                    direct += 1;
                }
                None => {
                    assert!(line.contains('\\'), "not read directly: {line}");
                    escaped += 1;
                }
            }
        }
        assert!(direct >= 12 * super::super::KIND_NAMES.len() && escaped > 0, "{direct} {escaped}");
    }

    /// Wherever the direct reader gives an event, `serde_json` gives the same one: on written
    /// records and on records with a byte replaced, inserted or removed anywhere.
    #[test]
    fn fast_reading_agrees_with_serde() {
        let mut checked = 0;
        let mut direct = 0;
        let bytes = ["\"", "\\", " ", "0", "1", "9", "-", "+", ".", "e", ",", ":", "}", "]", "[", "{", "\u{1}", "x", "é", "null", "true"];
        for (_, line) in written().into_iter().step_by(7) {
            let mut variants = vec![line.clone()];
            for (i, _) in line.char_indices() {
                let mut removed = line.clone();
                removed.remove(i);
                variants.push(removed);
                for b in bytes {
                    let mut inserted = line.clone();
                    inserted.insert_str(i, b);
                    variants.push(inserted);
                    let mut replaced = line.clone();
                    let width = line[i..].chars().next().map_or(1, char::len_utf8);
                    replaced.replace_range(i..i + width, b);
                    variants.push(replaced);
                }
            }
            for v in &variants {
                checked += 1;
                if let Some(fast) = event(v) {
                    direct += 1;
                    let general: Result<Event, _> = serde_json::from_str(v);
                    assert_eq!(general.as_ref().ok(), Some(&fast), "{v}");
                }
            }
        }
        // Most edits are damage the direct reader leaves alone; many (a digit for a digit, a
        // letter in a name) still make a well-formed record that it reads.
        assert!(direct > checked / 20 && direct < checked / 2, "{direct} of {checked}");
    }

    /// The word-at-a-time search finds what a byte-at-a-time search finds.
    #[test]
    fn special_finds_the_first_quote_backslash_or_control_character() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let alphabet = [b'a', b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x00, 0x21, 0x5c, 0x5d, 0xa2, 0xdc, 0x22 ^ 0x80];
        for len in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = crate::model::draw::mix64(seed);
                        // Mostly plain bytes, so the first hit lands anywhere.
                        if seed.is_multiple_of(8) {
                            alphabet[(seed >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (seed >> 16) as u8 % 26
                        }
                    })
                    .collect();
                let naive = bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
                assert_eq!(special(&bytes), naive, "{bytes:?}");
            }
        }
    }
}
