//! The timeline for people (`casus run`, `casus log`): a summary header, one line per event in
//! plain language (`plain`), armed groups' routine attacks grouped by week or month, and every
//! cause either shown or named. Lines carry their theme, not colours: the CLI decides those.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::plain::{Names, human_date, human_range, say};
use crate::log::Header;
use crate::model::date::Date;
use crate::model::event::{Event, EventKind, Theme};
use crate::model::text::printable;

/// How armed groups' routine attacks are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One line per group, place and week (Monday to Sunday).
    Week,
    /// One line per group, place and calendar month.
    Month,
    /// Every attack on its own line.
    None,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// `YYYY-MM-DD` (of the first event, for a group).
    pub date: String,
    /// Day number.
    pub day: u32,
    /// The event's seq (the first event's, for a group).
    pub seq: u64,
    /// The kind's name.
    pub kind: &'static str,
    /// The kind's theme.
    pub theme: Theme,
    /// What happened, in plain language.
    pub text: String,
    /// The clause, article or rule cited.
    pub rule: String,
    /// The cause: "#7", "(not shown: #7 SummitConvened)", or empty for a root.
    pub cause: String,
    /// The seqs of the events a group's line stands for, in log order (empty on an event's own
    /// line).
    pub members: Vec<u64>,
}

/// Whether an event is an armed group's attack (the routine events grouped).
fn group_attack<'e>(h: &Header, e: &'e Event) -> Option<(&'e str, &'e str)> {
    match &e.kind {
        EventKind::AttackOccurred { attacker, location, .. } if h.actors.get(attacker.as_str()).is_some_and(|a| a.kind == "ArmedGroup") => {
            Some((attacker.as_str(), location.as_str()))
        }
        _ => None,
    }
}

/// The period an event falls in: weeks counted from a Monday, or (year, month).
fn period(d: Date, g: Grouping) -> i64 {
    let monday = Date::from_ymd(2024, 1, 1).expect("a date");
    match g {
        Grouping::Week => d.days_since(monday).div_euclid(7),
        Grouping::Month => {
            let (y, m, _) = d.ymd();
            i64::from(y) * 12 + i64::from(m)
        }
        Grouping::None => d.days_since(monday),
    }
}

fn start_of(h: &Header) -> Date {
    Date::parse(&h.start).unwrap_or_else(|_| Date::from_ymd(1970, 1, 1).expect("a date"))
}

/// The timeline of the events `shown` keeps, in log order. An armed group's attack that no
/// shown event names as its cause is grouped with the others of its group, place and period
/// (`grouping`), on one line where the first of them would be; every other event has its own
/// line. Causes are named by seq, with the kind of those not shown.
pub fn lines(h: &Header, events: &[Event], shown: impl Fn(&Event) -> bool, grouping: Grouping) -> Vec<Line> {
    let start = start_of(h);
    let kept: Vec<&Event> = events.iter().filter(|e| shown(e)).collect();
    let causes: BTreeSet<u64> = kept.iter().filter_map(|e| e.cause).collect();
    let routine = |e: &Event| grouping != Grouping::None && !causes.contains(&e.seq) && group_attack(h, e).is_some();
    let mut groups: BTreeMap<(&str, &str, i64), Vec<&Event>> = BTreeMap::new();
    for e in kept.iter().filter(|e| routine(e)) {
        let (g, place) = group_attack(h, e).expect("routine events are attacks");
        groups.entry((g, place, period(start.plus_days(i64::from(e.day)), grouping))).or_default().push(e);
    }
    let printed: BTreeSet<u64> = kept.iter().map(|e| e.seq).collect();
    let mut names = Names::new(&h.actors);
    let mut out = Vec::new();
    for e in kept {
        if !routine(e) {
            out.push(line(e, start, &mut names, &printed, events));
            continue;
        }
        let (g, place) = group_attack(h, e).expect("routine events are attacks");
        let group = &groups[&(g, place, period(start.plus_days(i64::from(e.day)), grouping))];
        if group[0].seq == e.seq {
            out.push(if group.len() == 1 { line(e, start, &mut names, &printed, events) } else { group_line(group, start, &mut names) });
        }
    }
    out
}

fn line(e: &Event, start: Date, names: &mut Names, printed: &BTreeSet<u64>, events: &[Event]) -> Line {
    let cause = match e.cause {
        None => String::new(),
        Some(c) if printed.contains(&c) => format!("#{c}"),
        Some(c) => format!("(not shown: #{c} {})", events.get(c as usize).map(|x| x.kind.name()).unwrap_or("?")),
    };
    Line {
        date: printable(&e.date).into_owned(),
        day: e.day,
        seq: e.seq,
        kind: e.kind.name(),
        theme: e.kind.traits().theme,
        text: printable(&say(&e.kind, &e.rule, start, names)).into_owned(),
        rule: printable(&e.rule).into_owned(),
        cause,
        members: vec![],
    }
}

/// "12 attacks by ISSP in Niger: 38 killed (26 military, 12 civilian), 3-24 Aug 2023 (#15 to #61)".
fn group_line(group: &[&Event], start: Date, names: &mut Names) -> Line {
    let (first, last) = (group[0], group[group.len() - 1]);
    let (mut military, mut civilian) = (0u64, 0u64);
    for e in group {
        if let EventKind::AttackOccurred { deaths_military, deaths_civilian, .. } = &e.kind {
            military += u64::from(*deaths_military);
            civilian += u64::from(*deaths_civilian);
        }
    }
    let EventKind::AttackOccurred { attacker, location, .. } = &first.kind else { unreachable!("groups hold attacks") };
    let (by, place) = (names.mention(attacker), names.mention(location));
    let when = human_range(start.plus_days(i64::from(first.day)), start.plus_days(i64::from(last.day)));
    let text = format!(
        "{} attacks by {by} in {place}: {} killed ({military} military, {civilian} civilian), {when} (#{} to #{})",
        group.len(),
        military + civilian,
        first.seq,
        last.seq
    );
    Line {
        date: printable(&first.date).into_owned(),
        day: first.day,
        seq: first.seq,
        kind: first.kind.name(),
        theme: Theme::Violence,
        text: printable(&text).into_owned(),
        rule: printable(&first.rule).into_owned(),
        cause: String::new(),
        members: group.iter().map(|e| e.seq).collect(),
    }
}

/// Kinds in the order they weigh in a summary: the first is the most decisive.
pub const DECISIVE_KINDS: [&str; 14] = [
    "InterventionLaunched",
    "InterventionEnded",
    "OrderRestored",
    "JointOperationFormed",
    "WithdrawalAnnounced",
    "SanctionsImposed",
    "StandbyForceActivated",
    "ForcesExpelled",
    "ObligationArisen",
    "NonAggressionBreached",
    "UltimatumIssued",
    "MemberSuspended",
    "AidSuspended",
    "TransitionAnswered",
];

/// The trigger: the first event with no cause that is neither an armed group's attack nor a
/// treaty entering into force (the scenario's crisis), else the first event.
pub fn trigger<'e>(h: &Header, events: &'e [Event]) -> Option<&'e Event> {
    events
        .iter()
        .find(|e| e.cause.is_none() && group_attack(h, e).is_none() && !matches!(e.kind, EventKind::TreatyInForce { .. }))
        .or(events.first())
}

/// The three decisive events, in log order: the trigger; the first event of the highest-ranked
/// kind of `DECISIVE_KINDS` that happened; and the first event of the highest-ranked kind of
/// another theme that happened (fewer when there are none).
pub fn decisive<'e>(h: &Header, events: &'e [Event]) -> Vec<&'e Event> {
    let Some(t) = trigger(h, events) else { return vec![] };
    let first_of = |kind: &str| events.iter().find(|e| e.seq != t.seq && e.kind.name() == kind);
    let mut picked = vec![t];
    let top = DECISIVE_KINDS.iter().find_map(|k| first_of(k));
    if let Some(top) = top {
        picked.push(top);
        let theme = top.kind.traits().theme;
        if let Some(other) = DECISIVE_KINDS.iter().filter_map(|k| first_of(k)).find(|e| e.kind.traits().theme != theme) {
            picked.push(other);
        }
    }
    picked.sort_by_key(|e| e.seq);
    picked
}

/// The summary header: the run, who (the focus and the actors most involved), the trigger and
/// the decisive events, each with its date, day, seq and citation.
pub fn summary(h: &Header, events: &[Event]) -> Vec<String> {
    let start = start_of(h);
    let mut names = Names::new(&h.actors);
    let end = start.plus_days(i64::from(h.horizon_days));
    let mut out = vec![format!("{} (seed {}): {} events, {} to {}", h.scenario, h.seed, events.len(), human_date(start), human_date(end))];
    let focus = names.mention(&h.focus);
    let involved: Vec<String> = most_involved(h, events, 4).iter().map(|a| names.mention(a)).collect();
    let also = if involved.is_empty() { String::new() } else { format!("; most involved: {}", involved.join(", ")) };
    out.push(format!("who: {focus}, the focus{also}"));
    let decisive = decisive(h, events);
    let trigger_seq = trigger(h, events).map(|t| t.seq);
    for e in decisive {
        let label = if Some(e.seq) == trigger_seq { "trigger:" } else { "decisive:" };
        let when = human_date(start.plus_days(i64::from(e.day)));
        out.push(format!("{label:<9} {when} (day {}) #{} {} [{}]", e.day, e.seq, say(&e.kind, &e.rule, start, &mut names), e.rule));
    }
    out.into_iter().map(|l| printable(&l).into_owned()).collect()
}

/// The actors other than the focus named by the most timeline events (armed groups' attacks
/// left out), most first, ties in id order.
fn most_involved<'h>(h: &'h Header, events: &[Event], n: usize) -> Vec<&'h str> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events.iter().filter(|e| e.kind.traits().in_timeline && group_attack(h, e).is_none()) {
        for a in &e.actors {
            if let Some((id, _)) = h.actors.get_key_value(a.as_str())
                && *id != h.focus
            {
                *count.entry(id.as_str()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(&str, usize)> = count.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(n).map(|(a, _)| a).collect()
}

/// An outcome's value for people: a day number (`*_day`) with its date.
pub fn outcome_value(name: &str, value: &serde_json::Value, start: Date) -> String {
    match value.as_u64() {
        Some(day) if name.ends_with("_day") => format!("day {day} ({})", human_date(start.plus_days(day as i64))),
        _ => value.to_string(),
    }
}
