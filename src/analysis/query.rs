//! Reading a log: filters over events, the causal chain of an event back to its root, and the
//! tree of events it caused. Pure functions over a slice of events in seq order (as
//! `crate::log::read_log` returns them), used by `casus log`, `casus explain` and `casus report`.

use crate::model::date::Date;
use crate::model::event::{Event, KIND_NAMES};
use crate::model::params::did_you_mean;

/// Which events to keep. Empty lists keep everything; within a list any entry may match;
/// across lists every list must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Event kinds (exact names, see `KIND_NAMES`).
    pub kinds: Vec<String>,
    /// Actor ids: the event must involve one of them.
    pub actors: Vec<String>,
    /// Rule citations: case-insensitive substrings of the event's `rule` (`"Art. 6"`, `"scenario"`).
    pub rules: Vec<String>,
    /// First day kept (inclusive).
    pub from_day: Option<u32>,
    /// Last day kept (inclusive).
    pub to_day: Option<u32>,
}

impl Filter {
    /// Whether the event passes.
    pub fn matches(&self, e: &Event) -> bool {
        (self.kinds.is_empty() || self.kinds.iter().any(|k| k == e.kind.name()))
            && (self.actors.is_empty() || self.actors.iter().any(|a| e.actors.iter().any(|x| x == a)))
            && (self.rules.is_empty() || {
                let rule = e.rule.to_lowercase();
                self.rules.iter().any(|r| rule.contains(&r.to_lowercase()))
            })
            && self.from_day.is_none_or(|d| e.day >= d)
            && self.to_day.is_none_or(|d| e.day <= d)
    }

    /// Checks kind names against the catalogue of kinds, with a hint for near misses.
    pub fn check_kinds(&self) -> Result<(), String> {
        for k in &self.kinds {
            if !KIND_NAMES.contains(&k.as_str()) {
                let hint = did_you_mean(k, KIND_NAMES.iter().copied());
                let hint = if hint.is_empty() { format!("; kinds are: {}", KIND_NAMES.join(", ")) } else { hint };
                return Err(format!("unknown event kind {k:?}{hint}"));
            }
        }
        Ok(())
    }
}

/// Reads a point in time given as a date (`YYYY-MM-DD`) or a day number (`45`, `d45`) into a
/// day number relative to `start`.
pub fn parse_when(text: &str, start: Date) -> Result<u32, String> {
    let t = text.trim();
    let digits = t.strip_prefix('d').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse::<u32>().map_err(|_| format!("day `{t}` is too large"));
    }
    let d = Date::parse(t).map_err(|e| format!("`{t}` is neither a day number nor a date YYYY-MM-DD: {e}"))?;
    let days = d.days_since(start);
    u32::try_from(days).map_err(|_| format!("{t} is before the scenario start {start}"))
}

/// Why an event cannot be looked up.
pub fn no_such_event(seq: u64, events: &[Event]) -> String {
    format!("there is no event {seq}: the log has events 0 to {}", events.len().saturating_sub(1))
}

/// The chain of causes of event `seq`, from the root (an event with no cause: a scripted event
/// or a treaty entering into force) down to the event itself.
pub fn causal_chain(events: &[Event], seq: u64) -> Result<Vec<&Event>, String> {
    let mut chain = Vec::new();
    let mut at = Some(seq);
    while let Some(s) = at {
        let e = events.get(s as usize).filter(|e| e.seq == s).ok_or_else(|| no_such_event(s, events))?;
        if let Some(c) = e.cause
            && c >= s
        {
            return Err(format!("event {s} names cause {c}, which does not precede it"));
        }
        chain.push(e);
        at = e.cause;
    }
    chain.reverse();
    Ok(chain)
}

/// The part of a causal chain (`causal_chain`'s order, root first) a reader is shown: the
/// event and its `depth` nearest causes, and how many earlier causes are left out. Each event
/// of the chain is in it once, so what is printed grows linearly with the chain.
pub fn chain_window<'a, 'e>(chain: &'a [&'e Event], depth: usize) -> (usize, &'a [&'e Event]) {
    let cut = chain.len().saturating_sub(depth.saturating_add(1));
    (cut, &chain[cut..])
}

/// Children of every event (events whose `cause` is it), in seq order.
pub fn children(events: &[Event]) -> Vec<Vec<u64>> {
    let mut kids = vec![Vec::new(); events.len()];
    for e in events {
        if let Some(c) = e.cause
            && let Some(k) = kids.get_mut(c as usize)
            && c < e.seq
        {
            k.push(e.seq);
        }
    }
    kids
}

/// The events caused by `seq`, directly or through others, depth first in seq order, each with
/// its depth below `seq` (1 for direct consequences). `max_depth` stops the descent.
pub fn consequences(events: &[Event], seq: u64, max_depth: Option<usize>) -> Result<Vec<(usize, &Event)>, String> {
    if events.get(seq as usize).is_none_or(|e| e.seq != seq) {
        return Err(no_such_event(seq, events));
    }
    let kids = children(events);
    let mut out = Vec::new();
    let mut stack: Vec<(usize, u64)> = kids[seq as usize].iter().rev().map(|&k| (1, k)).collect();
    while let Some((depth, s)) = stack.pop() {
        out.push((depth, &events[s as usize]));
        if max_depth.is_none_or(|m| depth < m) {
            stack.extend(kids[s as usize].iter().rev().map(|&k| (depth + 1, k)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::EventKind;

    fn ev(seq: u64, cause: Option<u64>) -> Event {
        Event {
            seq,
            day: seq as u32,
            date: Default::default(),
            kind: EventKind::TreatyInForce { treaty: crate::format_id!("T{seq}") },
            actors: vec![],
            cause,
            rule: "r".into(),
        }
    }

    #[test]
    fn chains_and_trees_follow_causes() {
        // 0 <- 1 <- 2, 0 <- 3, 1 <- 4; 5 is another root.
        let events = vec![ev(0, None), ev(1, Some(0)), ev(2, Some(1)), ev(3, Some(0)), ev(4, Some(1)), ev(5, None)];
        let chain: Vec<u64> = causal_chain(&events, 4).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(chain, vec![0, 1, 4]);
        let tree: Vec<(usize, u64)> = consequences(&events, 0, None).unwrap().iter().map(|(d, e)| (*d, e.seq)).collect();
        assert_eq!(tree, vec![(1, 1), (2, 2), (2, 4), (1, 3)]);
        let shallow: Vec<u64> = consequences(&events, 0, Some(1)).unwrap().iter().map(|(_, e)| e.seq).collect();
        assert_eq!(shallow, vec![1, 3]);
        assert!(causal_chain(&events, 9).unwrap_err().contains("events 0 to 5"));
        let full = causal_chain(&events, 2).unwrap();
        let (cut, shown) = chain_window(&full, 1);
        assert_eq!((cut, shown.iter().map(|e| e.seq).collect::<Vec<_>>()), (1, vec![1, 2]));
        assert_eq!(chain_window(&full, 50).0, 0);
    }

    #[test]
    fn when_reads_dates_and_days() {
        let start = Date::parse("2023-07-26").unwrap();
        assert_eq!(parse_when("2023-07-30", start), Ok(4));
        assert_eq!(parse_when("d12", start), Ok(12));
        assert_eq!(parse_when("12", start), Ok(12));
        assert!(parse_when("2023-07-01", start).unwrap_err().contains("before the scenario start"));
        assert!(parse_when("soon", start).is_err());
    }

    #[test]
    fn unknown_kinds_get_a_hint() {
        let f = Filter { kinds: vec!["SanctionImposed".into()], ..Default::default() };
        assert!(f.check_kinds().unwrap_err().contains("did you mean \"SanctionsImposed\"?"));
    }
}
