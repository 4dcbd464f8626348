//! Comparing two runs: where their logs diverge and how their outcomes differ (`casus diff`).

use std::collections::BTreeMap;

use crate::log::{Header, ParsedLog};
use crate::model::event::Event;

/// How two runs differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff<'a> {
    /// Header fields that differ: (field, left, right).
    pub header: Vec<(String, String, String)>,
    /// Number of leading events the two logs share exactly.
    pub common: u64,
    /// The first events that differ (`None` on a side whose log has ended).
    pub first: Option<(Option<&'a Event>, Option<&'a Event>)>,
    /// Events after the common prefix, by kind: (left count, right count), kinds whose counts differ.
    pub kinds: BTreeMap<&'static str, (u64, u64)>,
    /// Total events on each side.
    pub totals: (u64, u64),
}

fn header_fields(h: &Header) -> Vec<(String, String)> {
    let mut v = vec![
        ("scenario".to_string(), h.scenario.clone()),
        ("scenario_hash".to_string(), h.scenario_hash.clone()),
        ("seed".to_string(), h.seed.to_string()),
        ("horizon_days".to_string(), h.horizon_days.to_string()),
    ];
    for (k, x) in &h.parameters {
        v.push((format!("parameter {k}"), x.to_string()));
    }
    v.push(("overrides".to_string(), h.overrides.iter().map(|(k, x)| format!("{k}={x}")).collect::<Vec<_>>().join(" ")));
    v
}

/// Number of leading events two logs share exactly.
pub fn common_prefix(a: &[Event], b: &[Event]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Compares two logs.
pub fn diff<'a>(a: &'a ParsedLog, b: &'a ParsedLog) -> Diff<'a> {
    let mut header = Vec::new();
    if let (Some(ha), Some(hb)) = (&a.header, &b.header) {
        let fa: BTreeMap<String, String> = header_fields(ha).into_iter().collect();
        let fb: BTreeMap<String, String> = header_fields(hb).into_iter().collect();
        let keys: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        for k in keys {
            let (x, y) = (fa.get(k).cloned().unwrap_or_default(), fb.get(k).cloned().unwrap_or_default());
            if x != y {
                header.push((k.clone(), x, y));
            }
        }
    }
    let common = common_prefix(&a.events, &b.events);
    let first = (common < a.events.len() || common < b.events.len()).then(|| (a.events.get(common), b.events.get(common)));
    let mut kinds: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    for e in &a.events[common..] {
        kinds.entry(e.kind.name()).or_default().0 += 1;
    }
    for e in &b.events[common..] {
        kinds.entry(e.kind.name()).or_default().1 += 1;
    }
    kinds.retain(|_, (x, y)| x != y);
    Diff { header, common: common as u64, first, kinds, totals: (a.events.len() as u64, b.events.len() as u64) }
}

/// Outcome fields whose values differ between two summaries' `outcomes` objects:
/// (name, left, right), in the order the left names them.
pub fn outcome_changes(a: &serde_json::Value, b: &serde_json::Value) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let oa = a.as_object().unwrap_or(&empty);
    let ob = b.as_object().unwrap_or(&empty);
    let mut out = Vec::new();
    for (k, x) in oa {
        let y = ob.get(k).cloned().unwrap_or(serde_json::Value::Null);
        if *x != y {
            out.push((k.clone(), x.to_string(), y.to_string()));
        }
    }
    for (k, y) in ob {
        if !oa.contains_key(k) {
            out.push((k.clone(), "null".into(), y.to_string()));
        }
    }
    out
}
