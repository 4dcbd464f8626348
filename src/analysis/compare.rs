//! `casus report LEFT RIGHT`: a self-contained HTML page comparing two runs, typically a run
//! and its fork: what each is, where their logs diverge (the first divergence highlighted),
//! how their outcomes differ, and their timelines side by side, aligned by date. Events the
//! runs share are shown once across both columns; after the divergence, an event that happened
//! on the same date in both runs is dimmed and one that happened in only one is highlighted.
//! Like the run page, it loads nothing and runs no script, and every value is escaped.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;

use crate::analysis::describe::describe;
use crate::analysis::diff;
use crate::analysis::fork::Lineage;
use crate::analysis::outcome_text::{OutcomeText, dated, outcome_in_words};
use crate::analysis::plain::words;
use crate::analysis::report::{Cause, TimelineRow, human_date_of, timeline_rows};
use crate::log::ParsedLog;
use crate::model::date::Date;

/// What the page knows about one of the runs besides its log.
pub struct Side {
    /// Its folder as the page names it (relative to the page).
    pub folder: String,
    /// A link to its own report, when it has one.
    pub report: Option<String>,
    /// Its provenance, when it is a fork.
    pub lineage: Option<Lineage>,
    /// Its standard outcomes, recomputed from its log (None when no scenario was at hand).
    pub outcomes: Option<serde_json::Value>,
}

/// The comparison page (`templates/compare.html`).
#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage<'a> {
    version: &'a str,
    left: SideView<'a>,
    right: SideView<'a>,
    common: u64,
    divergence: Option<Divergence>,
    header_changes: Vec<(String, String, String)>,
    kinds: Vec<(String, u64, u64)>,
    outcomes_compared: bool,
    changed: Vec<OutcomePair>,
    unchanged: Vec<OutcomePair>,
    rows: Vec<DateRow>,
}

struct SideView<'a> {
    folder: &'a str,
    report: Option<&'a str>,
    scenario: &'a str,
    seed: u64,
    events: usize,
    overrides: Vec<String>,
    fork: Option<String>,
}

/// The first events that differ, in words.
struct Divergence {
    when: String,
    left: String,
    right: String,
}

/// An outcome on both sides.
struct OutcomePair {
    label: String,
    left: String,
    right: String,
}

/// One date of the side-by-side timeline.
struct DateRow {
    id: String,
    date: String,
    day: u32,
    divergence: bool,
    /// Lines the runs share (before the divergence): shown once, across both columns.
    both: Vec<Cell>,
    left: Vec<Cell>,
    right: Vec<Cell>,
}

/// One timeline line in a column.
struct Cell {
    id: String,
    kind: String,
    theme: &'static str,
    text: String,
    rule: String,
    /// "same" (it happened on this date in both runs) or "only" (in this run only); empty in
    /// the shared part.
    class: &'static str,
    cause: Option<(Option<String>, String)>,
    members: Vec<String>,
}

fn side_view<'a>(log: &'a ParsedLog, side: &'a Side) -> SideView<'a> {
    let h = log.header.as_ref().expect("read_log guarantees a header");
    let start = Date::parse(&h.start).ok();
    SideView {
        folder: &side.folder,
        report: side.report.as_deref(),
        scenario: &h.scenario,
        seed: h.seed,
        events: log.events.len(),
        overrides: h.overrides.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        fork: side.lineage.as_ref().map(|l| {
            let mut changes: Vec<String> = l.drops.iter().map(|d| format!("dropped #{} ({})", d.seq, words(&d.kind))).collect();
            changes.extend(l.injects.iter().map(|i| format!("injected {i}")));
            changes.extend(l.sets.iter().map(|(k, v)| format!("set {k}={v}")));
            let when = start.map(|s| dated(l.day, s)).unwrap_or_else(|| l.date.clone());
            let what = if changes.is_empty() { "no change".to_string() } else { changes.join("; ") };
            format!("a fork of a {} run from {when}: {what}", l.parent_scenario)
        }),
    }
}

/// A timeline line as a cell of one column (`prefix` "l" or "r" makes its anchors unique).
fn cell(r: &TimelineRow, prefix: &str, class: &'static str) -> Cell {
    Cell {
        id: format!("{prefix}{}", r.seq),
        kind: r.kind.clone(),
        theme: r.theme,
        text: r.text.clone(),
        rule: r.rule.clone(),
        class,
        cause: match &r.cause {
            Cause::None => None,
            Cause::Shown(c) => Some((Some(format!("#{prefix}{c}")), format!("#{c}"))),
            Cause::NotShown(c, kind) => Some((None, format!("#{c} {kind} (not shown)"))),
        },
        members: r.members.iter().map(|m| format!("{prefix}{m}")).collect(),
    }
}

/// What makes two lines "the same event" across runs: an event's kind and terse description
/// (names are given in full on their first mention, which may differ), a group's text.
fn identity(log: &ParsedLog, r: &TimelineRow) -> String {
    if !r.members.is_empty() {
        return r.text.clone();
    }
    log.events.get(r.seq as usize).map(|e| format!("{} {}", e.kind.name(), describe(&e.kind))).unwrap_or_default()
}

/// The comparison page of two runs: `left` and `right` are their verified logs.
pub fn compare_html(left: &ParsedLog, left_side: &Side, right: &ParsedLog, right_side: &Side) -> String {
    let d = diff::diff(left, right);
    let lh = left.header.as_ref().expect("read_log guarantees a header");
    let start = Date::parse(&lh.start).unwrap_or_else(|_| Date::from_ymd(1970, 1, 1).expect("a date"));
    let (lrows, _) = timeline_rows(lh, &left.events);
    let (rrows, _) = timeline_rows(right.header.as_ref().expect("read_log guarantees a header"), &right.events);
    let divergence_day = d.first.and_then(|(x, y)| x.or(y)).map(|e| e.day);
    let say_event = |rows: &[TimelineRow], e: Option<&crate::model::event::Event>| match e {
        None => "its log has ended".to_string(),
        Some(e) => rows
            .iter()
            .find(|r| r.seq == e.seq || r.members.contains(&e.seq))
            .map(|r| format!("#{} {}", e.seq, r.text))
            .unwrap_or_else(|| format!("#{} {}: {}", e.seq, words(e.kind.name()), describe(&e.kind))),
    };
    let divergence = d.first.map(|(x, y)| Divergence {
        when: divergence_day.map(|day| dated(day, start)).unwrap_or_default(),
        left: say_event(&lrows, x),
        right: say_event(&rrows, y),
    });

    // Lines after the divergence, keyed by day and identity, to find those in both runs.
    let common = d.common;
    let shared = |r: &TimelineRow| r.seq < common && r.members.iter().all(|m| *m < common);
    let keys = |log: &ParsedLog, rows: &[TimelineRow]| -> BTreeSet<(u32, String)> {
        rows.iter().filter(|r| !shared(r)).map(|r| (r.day, identity(log, r))).collect()
    };
    let (lkeys, rkeys) = (keys(left, &lrows), keys(right, &rrows));
    let mut by_day: BTreeMap<u32, DateRow> = BTreeMap::new();
    for r in &lrows {
        if shared(r) {
            row_of_day(&mut by_day, r.day, &r.date).both.push(cell(r, "l", ""));
        } else {
            let class = if rkeys.contains(&(r.day, identity(left, r))) { "same" } else { "only" };
            row_of_day(&mut by_day, r.day, &r.date).left.push(cell(r, "l", class));
        }
    }
    for r in rrows.iter().filter(|r| !shared(r)) {
        let class = if lkeys.contains(&(r.day, identity(right, r))) { "same" } else { "only" };
        row_of_day(&mut by_day, r.day, &r.date).right.push(cell(r, "r", class));
    }
    // The shared lines' anchors on the right side point at the same row.
    // (A shared event the two runs group differently, being the cause of a later event in one
    // run only, is shown in the right column too.)
    for r in rrows.iter().filter(|r| shared(r)) {
        let row = row_of_day(&mut by_day, r.day, &r.date);
        match row.both.iter_mut().find(|c| c.id == format!("l{}", r.seq) && c.members.len() == r.members.len()) {
            Some(c) => {
                c.members.push(format!("r{}", r.seq));
                c.members.extend(r.members.iter().map(|m| format!("r{m}")));
            }
            None => row.right.push(cell(r, "r", "same")),
        }
    }
    if let Some(day) = divergence_day {
        let date = start.plus_days(i64::from(day)).to_string();
        row_of_day(&mut by_day, day, &date).divergence = true;
    }

    let (lo, ro) = (left_side.outcomes.as_ref(), right_side.outcomes.as_ref());
    let (mut changed, mut unchanged) = (vec![], vec![]);
    if let (Some(lo), Some(ro)) = (lo, ro) {
        let focus = lh.name_of(&lh.focus);
        let names: Vec<String> = crate::analysis::outcome_text::outcomes_in_words(lo, start, focus).into_iter().map(|o| o.name).collect();
        let extra: Vec<String> = ro.as_object().map(|m| m.keys().filter(|k| !names.contains(k)).cloned().collect()).unwrap_or_default();
        for name in names.iter().chain(&extra) {
            let null = serde_json::Value::Null;
            let (x, y) = (lo.get(name).unwrap_or(&null), ro.get(name).unwrap_or(&null));
            let (a, b): (OutcomeText, OutcomeText) = (outcome_in_words(name, x, start, focus), outcome_in_words(name, y, start, focus));
            let pair = OutcomePair { label: a.label, left: a.value, right: b.value };
            if x == y { unchanged.push(pair) } else { changed.push(pair) }
        }
    }
    let page = ComparePage {
        version: crate::log::CASUS_VERSION,
        left: side_view(left, left_side),
        right: side_view(right, right_side),
        common,
        divergence,
        header_changes: d.header.clone(),
        kinds: d.kinds.iter().map(|(k, (x, y))| (words(k), *x, *y)).collect(),
        outcomes_compared: lo.is_some() && ro.is_some(),
        changed,
        unchanged,
        rows: by_day.into_values().collect(),
    };
    page.render().expect("the comparison page's template renders (its values never fail to format)")
}

fn row_of_day<'m>(by_day: &'m mut BTreeMap<u32, DateRow>, day: u32, date: &str) -> &'m mut DateRow {
    by_day.entry(day).or_insert_with(|| DateRow {
        id: format!("d{day}"),
        date: human_date_of(date),
        day,
        divergence: false,
        both: vec![],
        left: vec![],
        right: vec![],
    })
}
