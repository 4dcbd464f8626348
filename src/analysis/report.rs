//! `casus report`: a self-contained HTML page about a run (a summary, the outcomes in words,
//! charts over time, the causal graph of the key events, the timeline; for a fork, its parent,
//! fork day and changes) or a sweep (each outcome's probability against each swept
//! parameter, with 95% confidence bands). Charts are inline SVG; the page loads nothing from the
//! network. A run's page has a map (`analysis::map`) whose one inline script shows the date
//! chosen; the other pages run no script.
//!
//! The pages are askama templates (`templates/`: `run.html` and `sweep.html` on `base.html`, the
//! causal graph `causal_graph.svg`), which escape every value they insert; only the SVG already
//! made (plotters' charts, which escape their own text, and the rendered graph) goes in as is.

use std::collections::BTreeMap;

use askama::Template;

use crate::fold::apply::apply_indexed;

use std::collections::BTreeSet;

use crate::analysis::charts::{self, Chart, Line, XAxis};
use crate::analysis::describe::{describe, significant};
use crate::analysis::figures::Figure;
use crate::analysis::fork::Lineage;
use crate::analysis::outcome_text::{OutcomeText, dated, decimal, outcome_label, outcomes_in_words};
use crate::analysis::plain::{Names, human_date, say, words};
use crate::analysis::timeline::{self, Grouping};
use crate::fold::world::build_world;
use crate::log::{Header, ParsedLog};
use crate::model::economics::loss_at;
use crate::model::event::{Event, EventKind, Theme};
use crate::model::params::Params;
use crate::model::prepared::Prepared;
use crate::model::scenario::AttackKind;
use crate::model::state::{Crises, PartnerState, Polity, StateProfile};

/// Samples per chart at most (plus every day on which something happened).
const SAMPLES: u32 = 160;

/// Most days a chart samples: a run with events on more days than this is sampled on an even
/// grid of this many days instead of on every day with an event (the page says so).
pub const MAX_SAMPLE_DAYS: usize = 1_000;

/// Most lines a chart draws: when more series are not zero at some sampled day, the ones with
/// the highest peak are drawn (ties in label order) and the page counts the others.
pub const MAX_LINES: usize = 16;

/// A chart of a run: (id, title, y axis, y range, steps, text when empty).
type RunChart = (&'static str, &'static str, &'static str, Option<(f64, f64)>, bool, &'static str);

/// The charts of a run, in page order.
const RUN_CHARTS: [RunChart; 4] = [
    ("forces", "Forces deployed abroad or redeployed", "troops", None, true, "No forces deployed abroad or redeployed in this run."),
    ("sanctions", "Sanctions in force (economic severity)", "severity (0-1)", Some((0.0, 1.05)), true, "No sanctions in this run."),
    ("gdp_loss", "GDP loss", "% of GDP (cumulative)", None, false, "No state lost GDP in this run."),
    ("casualties", "Casualties (military and civilian)", "deaths (cumulative)", None, true, "No deaths in this run."),
];

/// One series of a run's charts while the log is folded: its chart (an index into
/// [`RUN_CHARTS`]), its peak, and its points when it is drawn.
struct Series {
    chart: usize,
    label: String,
    peak: f64,
    /// Whether its points are kept (the second fold keeps only the lines drawn).
    drawn: bool,
    points: Vec<(f64, f64)>,
}

/// Every series of a run's charts: each state's five, each partner's one (at fixed slots,
/// in actor order), and each force in the field (added as crises open).
struct Sampled {
    series: Vec<Series>,
    /// The slot of a force in the field, by label.
    forces: BTreeMap<String, usize>,
    /// Whether every series kept its points.
    kept_all: bool,
}

/// Most points the first fold of [`run_charts`] keeps (series times days sampled): beyond, it
/// keeps none and a second fold keeps the lines drawn.
const FIRST_FOLD_POINTS: usize = 1 << 20;

impl Sampled {
    fn record(&mut self, slot: usize, day: u32, v: f64) {
        let s = &mut self.series[slot];
        s.peak = s.peak.max(v.abs());
        if s.drawn {
            s.points.push((f64::from(day), v));
        }
    }
}

/// The days a run's charts sample: an even grid of [`SAMPLES`] days and every day with an
/// event, or, when that is more than [`MAX_SAMPLE_DAYS`] days, an even grid of that many.
/// Returns the days and the grid's step when the grid replaced the event days.
fn sample_days(log: &ParsedLog, horizon: u32) -> (Vec<u32>, Option<u32>) {
    let last = log.events.last().map(|e| e.day).unwrap_or(0).max(log.end.as_ref().map(|e| e.last_day).unwrap_or(0));
    let until = if log.end.is_some() { horizon } else { last };
    let step = (until / SAMPLES).max(1);
    let mut days: Vec<u32> = (0..=until).step_by(step as usize).collect();
    days.extend(log.events.iter().map(|e| e.day));
    days.push(until);
    days.sort_unstable();
    days.dedup();
    if days.len() <= MAX_SAMPLE_DAYS {
        return (days, None);
    }
    let step = until.div_ceil(MAX_SAMPLE_DAYS as u32 - 1).max(1);
    let mut days: Vec<u32> = (0..=until).step_by(step as usize).collect();
    if days.last() != Some(&until) {
        days.push(until);
    }
    (days, Some(step))
}

/// Folds the log over the scenario's initial state and samples, over time: forces deployed
/// abroad or redeployed, sanctions in force, GDP loss and casualties. The fold is replay's
/// (`apply`); the log must belong to the scenario (callers replay-check it first or accept
/// an error naming the event that does not fold).
///
/// Memory and time are bounded for any log: at most [`MAX_SAMPLE_DAYS`] days are sampled and
/// at most [`MAX_LINES`] lines a chart are kept. A first fold finds each series' peak; the lines
/// drawn are chosen from it; a second fold keeps their points only.
pub fn run_charts(prepared: &Prepared, log: &ParsedLog) -> Result<Vec<Chart>, String> {
    let header = log.header.as_ref().ok_or("the log has no header")?;
    let (days, grid) = sample_days(log, prepared.scenario.horizon_days);
    let mut sampled = fold_charts(prepared, log, header, &days, None)?;
    let nonzero = sampled.series.iter().filter(|s| s.peak > 0.0).count();
    // The lines drawn, by chart and label (a state's label is the same in three charts).
    let mut drawn: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut left_out = [0usize; RUN_CHARTS.len()];
    for (c, left) in left_out.iter_mut().enumerate() {
        let mut lines: Vec<&Series> = sampled.series.iter().filter(|s| s.chart == c && s.peak > 0.0).collect();
        lines.sort_by(|a, b| b.peak.total_cmp(&a.peak).then_with(|| a.label.cmp(&b.label)));
        *left = lines.len().saturating_sub(MAX_LINES);
        drawn.extend(lines.into_iter().take(MAX_LINES).map(|s| (c, s.label.clone())));
    }
    // The first fold kept every series' points when they were few: when all its lines are
    // drawn, they are the charts'.
    if !sampled.kept_all || drawn.len() < nonzero {
        sampled = fold_charts(prepared, log, header, &days, Some(&drawn))?;
    }
    let start = prepared.scenario.start_date();
    let mut lines: Vec<Vec<Line>> = vec![Vec::new(); RUN_CHARTS.len()];
    let mut series: Vec<Series> =
        sampled.series.into_iter().filter(|s| s.peak > 0.0 && drawn.contains(&(s.chart, s.label.clone()))).collect();
    series.sort_by(|a, b| a.label.cmp(&b.label));
    for s in series {
        lines[s.chart].push(Line { label: s.label, points: s.points, band: vec![] });
    }
    let charts = RUN_CHARTS.iter().zip(lines).zip(left_out).map(|((&(id, title, y, y_range, steps, empty), lines), left)| {
        let mut note = Vec::new();
        if left > 0 {
            note.push(format!(
                "The {MAX_LINES} lines with the highest peak are drawn; {} others that are not zero at some date are left out (casus log lists every event).",
                crate::analysis::plain::thousands(left as u64)
            ));
        }
        if let (Some(step), false) = (grid, lines.is_empty()) {
            note.push(format!(
                "Sampled every {step} days ({} dates), not on every day with an event: the run has events on more than {} days, and a value held only between two samples is not drawn.",
                crate::analysis::plain::thousands(days.len() as u64),
                crate::analysis::plain::thousands(MAX_SAMPLE_DAYS as u64)
            ));
        }
        Chart {
            id: id.into(),
            title: title.into(),
            x_label: "date".into(),
            y_label: y.into(),
            x: XAxis::Days(start),
            lines,
            y_range,
            steps,
            empty: empty.into(),
            note: note.join(" "),
        }
    });
    Ok(charts.collect())
}

/// One fold of the log for [`run_charts`], sampling every series at `days`; with `keep`, only
/// the series it names keep their points; without it, all of them do when the states' and
/// partners' series times the days sampled are at most [`FIRST_FOLD_POINTS`], none otherwise.
fn fold_charts(
    prepared: &Prepared,
    log: &ParsedLog,
    header: &Header,
    days: &[u32],
    keep: Option<&BTreeSet<(usize, String)>>,
) -> Result<Sampled, String> {
    let mut world = build_world(&prepared.scenario, prepared.params.clone(), header.seed);
    let params: Params = world.resource::<crate::model::world::Fixed>().params.clone();
    let index = std::sync::Arc::clone(&world.resource::<crate::model::world::Fixed>().index);
    let ids: Vec<(crate::model::state::Id, bevy_ecs::entity::Entity)> = index.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let name = |id: &str| legend_name(header, id).to_string();
    let new = |chart: usize, label: String| Series {
        chart,
        drawn: keep.is_none_or(|k| k.contains(&(chart, label.clone()))),
        label,
        peak: 0.0,
        points: Vec::new(),
    };
    // Fixed slots: a state's first slot, or a partner's only one.
    let mut slots: Vec<Option<usize>> = Vec::with_capacity(ids.len());
    let mut sampled = Sampled { series: Vec::new(), forces: BTreeMap::new(), kept_all: true };
    for (id, entity) in &ids {
        let first = sampled.series.len();
        if world.get::<Polity>(*entity).is_some() {
            let n = name(id);
            sampled.series.push(new(0, format!("{n} abroad")));
            sampled.series.push(new(0, format!("{n} at its borders")));
            sampled.series.extend([1, 2, 3].map(|c| new(c, n.clone())));
            slots.push(Some(first));
        } else if world.get::<PartnerState>(*entity).is_some() {
            sampled.series.push(new(0, format!("{} (partner)", name(id))));
            slots.push(Some(first));
        } else {
            slots.push(None);
        }
    }
    if keep.is_none() && sampled.series.len().saturating_mul(days.len()) > FIRST_FOLD_POINTS {
        sampled.kept_all = false;
        sampled.series.iter_mut().for_each(|s| s.drawn = false);
    }
    let mut next = 0usize;
    for &day in days {
        while let Some(e) = log.events.get(next).filter(|e| e.day <= day) {
            apply_indexed(&mut world, &index, e).map_err(|err| format!("the log does not fold over its scenario: {err}"))?;
            next += 1;
        }
        for ((_, entity), slot) in ids.iter().zip(&slots) {
            let Some(slot) = *slot else { continue };
            if let Some(p) = world.get::<Polity>(*entity) {
                let profile = &world.get::<StateProfile>(*entity).expect("a state has a profile").0;
                sampled.record(slot, day, f64::from(p.committed_abroad));
                sampled.record(slot + 1, day, f64::from(p.redeployed));
                sampled.record(slot + 2, day, p.sanctions_severity);
                sampled.record(slot + 3, day, loss_at(p, profile, &params, day));
                sampled.record(slot + 4, day, (p.casualties_military + p.casualties_civilian) as f64);
            } else if let Some(p) = world.get::<PartnerState>(*entity) {
                sampled.record(slot, day, f64::from(p.forces.values().sum::<u32>()));
            }
        }
        for (target, crisis) in &world.resource::<Crises>().0 {
            for (org, r) in &crisis.responses {
                let fielded = r.intervention.as_ref().filter(|i| i.ended.is_none()).map(|i| i.attacker_strength).unwrap_or(0);
                let label = format!("{} force in {}", name(org), name(target));
                let slot = match sampled.forces.get(&label).copied() {
                    Some(slot) => slot,
                    None => {
                        sampled.forces.insert(label.clone(), sampled.series.len());
                        let mut s = new(0, label);
                        s.drawn &= sampled.kept_all;
                        sampled.series.push(s);
                        sampled.series.len() - 1
                    }
                };
                sampled.record(slot, day, f64::from(fielded));
            }
        }
    }
    Ok(sampled)
}

/// An actor in a chart's legend: its name when short, else its code.
fn legend_name<'a>(header: &'a Header, id: &'a str) -> &'a str {
    let name = header.name_of(id);
    if name.is_empty() || name.chars().count() > crate::analysis::plain::LONG_NAME { id } else { name }
}

/// Whether an event belongs in the causal graph: decisions and turning points, not routine
/// movements, combat rounds or armed groups' attacks.
pub fn key_event(e: &Event) -> bool {
    use EventKind::*;
    match &e.kind {
        AttackOccurred { attack, .. } => *attack != AttackKind::Terrorist,
        CombatRound { .. } | ForcesMobilised { .. } | ForcesDeployed { .. } | ForcesReturned { .. } | SummitConvened { .. } => false,
        ForcesRedeployed { .. } | BorderForcesRecalled { .. } | ForcePledged { .. } | LaunchPostponed { .. } | VoteHeld { .. } => false,
        _ => true,
    }
}

/// Most nodes drawn in the causal graph.
pub const MAX_GRAPH_NODES: usize = 90;

/// The causal graph of the key events as SVG: one column per day on which a key event
/// happened, one lane per actor (the event's first actor), an arrow from each event to the
/// nearest key event among its causes. Hovering a node shows the event in full.
pub fn causal_graph(events: &[Event], header: &Header, anchored: &BTreeSet<u64>) -> String {
    let nodes: Vec<&Event> = events.iter().filter(|e| key_event(e)).take(MAX_GRAPH_NODES).collect();
    let is_node: std::collections::BTreeSet<u64> = nodes.iter().map(|e| e.seq).collect();
    let mut lanes: Vec<crate::model::state::Id> = Vec::new();
    let mut days: Vec<u32> = Vec::new();
    let lane_of = |e: &Event| e.actors.first().cloned().unwrap_or_else(|| "(treaties)".into());
    for e in &nodes {
        let lane = lane_of(e);
        if !lanes.contains(&lane) {
            lanes.push(lane);
        }
        if days.last() != Some(&e.day) {
            days.push(e.day);
        }
    }
    let (col_w, box_w, box_h, gap, left, top) = (150.0, 132.0, 20.0, 4.0, 120.0, 40.0);
    let mut stack: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut lane_depth = vec![1usize; lanes.len()];
    let mut placed: BTreeMap<u64, (usize, usize, usize)> = BTreeMap::new();
    for e in &nodes {
        let lane = lanes.iter().position(|l| *l == lane_of(e)).expect("every node's lane was added above");
        let col = days.iter().position(|d| *d == e.day).unwrap_or(0);
        let k = stack.entry((lane, col)).or_default();
        placed.insert(e.seq, (lane, col, *k));
        *k += 1;
        lane_depth[lane] = lane_depth[lane].max(*k);
    }
    let mut lane_y = Vec::with_capacity(lanes.len());
    let mut y = top;
    for d in &lane_depth {
        lane_y.push(y);
        y += (*d as f64) * (box_h + gap) + 14.0;
    }
    let width = left + days.len() as f64 * col_w + 20.0;
    let height = y + 10.0;
    let pos = |seq: u64| -> (f64, f64) {
        let (lane, col, k) = placed[&seq];
        (left + col as f64 * col_w, lane_y[lane] + k as f64 * (box_h + gap))
    };
    let lanes = lanes
        .iter()
        .enumerate()
        .map(|(i, lane)| GraphLane {
            top: lane_y[i] - 7.0,
            height: (lane_depth[i] as f64) * (box_h + gap) + 14.0,
            label_y: lane_y[i] + 13.0,
            fill: if i % 2 == 0 { "#f6f7f9" } else { "#ffffff" },
            name: legend_name(header, lane),
        })
        .collect();
    let start_label = |d: u32| events.iter().find(|e| e.day == d).map(|e| human_date_of(&e.date)).unwrap_or_default();
    let columns = days.iter().enumerate().map(|(c, d)| GraphColumn { x: left + c as f64 * col_w, date: start_label(*d) }).collect();
    let mut edges = Vec::new();
    for e in &nodes {
        let mut cause = e.cause;
        while let Some(c) = cause {
            if is_node.contains(&c) {
                break;
            }
            cause = events.get(c as usize).and_then(|x| x.cause);
        }
        if let Some(c) = cause {
            let (x1, y1) = pos(c);
            let (x2, y2) = pos(e.seq);
            let (sx, sy, ex, ey) = (x1 + box_w, y1 + box_h / 2.0, x2, y2 + box_h / 2.0);
            let (sx, ex) = if ex <= sx { (x1 + box_w / 2.0, x2 + box_w / 2.0) } else { (sx, ex) };
            edges.push(GraphEdge { sx, sy, mid: (sx + ex) / 2.0, ex, ey });
        }
    }
    let nodes = nodes
        .iter()
        .map(|e| {
            let (x, y) = pos(e.seq);
            GraphNode {
                seq: e.seq,
                linked: anchored.contains(&e.seq),
                x,
                y,
                fill: node_colour(&e.kind),
                date: &e.date,
                description: describe(&e.kind),
                rule: &e.rule,
                label: short_label(e),
            }
        })
        .collect();
    let graph = CausalGraph { width, height, box_w, box_h, lanes, columns, edges, nodes };
    let mut s = graph.render().expect("the causal graph's template renders (its values never fail to format)");
    s.push('\n');
    s
}

/// The causal graph's template (`templates/causal_graph.svg`): lanes (one per actor), columns
/// (one per day), arrows and event boxes, placed by [`causal_graph`].
#[derive(Template)]
#[template(path = "causal_graph.svg")]
struct CausalGraph<'a> {
    width: f64,
    height: f64,
    box_w: f64,
    box_h: f64,
    lanes: Vec<GraphLane<'a>>,
    columns: Vec<GraphColumn>,
    edges: Vec<GraphEdge>,
    nodes: Vec<GraphNode<'a>>,
}

struct GraphLane<'a> {
    top: f64,
    height: f64,
    label_y: f64,
    fill: &'static str,
    name: &'a str,
}

struct GraphColumn {
    x: f64,
    date: String,
}

/// An arrow from (sx, sy) to (ex, ey), a cubic curve bending at x = mid.
struct GraphEdge {
    sx: f64,
    sy: f64,
    mid: f64,
    ex: f64,
    ey: f64,
}

struct GraphNode<'a> {
    seq: u64,
    /// Whether the page's timeline has the event's line to link to.
    linked: bool,
    x: f64,
    y: f64,
    fill: &'static str,
    date: &'a str,
    description: String,
    rule: &'a str,
    label: String,
}

fn short_label(e: &Event) -> String {
    let name = words(e.kind.name());
    let other = e.actors.get(1).map(|a| format!(" → {a}")).unwrap_or_default();
    let mut l = format!("{name}{other}");
    if l.chars().count() > 24 {
        l = l.chars().take(23).collect::<String>() + "…";
    }
    l
}

fn node_colour(k: &EventKind) -> &'static str {
    match k.traits().theme {
        Theme::Coup => "#f2c6a0",
        Theme::Violence => "#f0a3a3",
        Theme::Economic => "#f5e08c",
        Theme::Alliance => "#a9d3f0",
        Theme::Exit => "#c9b8e8",
        Theme::Diplomacy => "#d8e8c8",
    }
}

/// The charts of a page with their SVG (`templates/charts.html`, included by both pages); an
/// empty SVG for a chart with no line, whose `empty` text is shown instead.
type RenderedCharts<'a> = &'a [(Chart, String)];

/// A run's page (`templates/run.html`).
#[derive(Template)]
#[template(path = "run.html")]
struct RunPage<'a> {
    version: &'a str,
    header: &'a Header,
    events: usize,
    from: String,
    to: String,
    focus: &'a str,
    scenario_hash: &'a str,
    chain_head: &'a str,
    fork: Option<ForkSection<'a>>,
    summary: Vec<SummaryRow>,
    dated: Vec<OutcomeText>,
    figures: Vec<OutcomeText>,
    charts: RenderedCharts<'a>,
    graph: String,
    graph_truncated: bool,
    max_graph_nodes: usize,
    timeline: Vec<TimelineRow>,
    /// When the log has more events than [`MAX_TIMELINE_EVENTS`]: what the timeline covers.
    timeline_cut: Option<TimelineCut>,
    /// Where the fork's line goes: before the first line on or after its day, or last (not in
    /// a cut timeline, which may stop before the fork day).
    fork_row: Option<usize>,
    fork_when: String,
    /// The map panel's HTML (`templates/map.html`), or empty when there is no map.
    map: String,
}

/// Most events the page's timeline covers: a longer log's timeline covers its first events, up
/// to the end of a day, and the page says where it stops (`casus log` prints every event).
pub const MAX_TIMELINE_EVENTS: usize = 20_000;

/// The events a page's timeline covers: all of them, or the first [`MAX_TIMELINE_EVENTS`]
/// less those of the last day they reach into (unless that day is the first).
fn timeline_prefix(events: &[Event]) -> &[Event] {
    if events.len() <= MAX_TIMELINE_EVENTS {
        return events;
    }
    let mut k = MAX_TIMELINE_EVENTS;
    while k > 0 && events[k].day == events[k - 1].day {
        k -= 1;
    }
    &events[..if k == 0 { MAX_TIMELINE_EVENTS } else { k }]
}

/// The page's timeline ([`timeline_rows`] of [`timeline_prefix`]), with what it covers when
/// it is cut.
fn page_timeline(header: &Header, events: &[Event]) -> (Vec<TimelineRow>, BTreeSet<u64>, Option<TimelineCut>) {
    let shown = timeline_prefix(events);
    let (rows, anchored) = timeline_rows(header, shown);
    let cut = (shown.len() < events.len()).then(|| TimelineCut {
        shown: crate::analysis::plain::thousands(shown.len() as u64),
        total: crate::analysis::plain::thousands(events.len() as u64),
        until: shown.last().map(|e| human_date_of(&e.date)).unwrap_or_default(),
    });
    (rows, anchored, cut)
}

/// What a cut timeline covers, for the page: events shown, events in the log, the last date.
struct TimelineCut {
    shown: String,
    total: String,
    until: String,
}

/// A fork's provenance as the page shows it.
struct ForkSection<'a> {
    lineage: &'a Lineage,
    when: String,
    parent_folder: Option<&'a str>,
    parent_report: Option<&'a str>,
    drops: Vec<DropRow>,
}

/// One dropped event: what it was in the parent, with a link to it in the parent's report
/// when that report shows it.
struct DropRow {
    seq: u64,
    kind: String,
    text: String,
    refused: u32,
    href: Option<String>,
}

/// A line of the summary: the trigger or a decisive event.
struct SummaryRow {
    label: &'static str,
    when: String,
    text: String,
    rule: String,
    href: Option<String>,
}

/// One line of the timeline: an event, or an armed group's attacks over a month.
pub(crate) struct TimelineRow {
    pub(crate) seq: u64,
    pub(crate) date: String,
    pub(crate) day: u32,
    pub(crate) kind: String,
    pub(crate) theme: &'static str,
    pub(crate) text: String,
    pub(crate) rule: String,
    pub(crate) cause: Cause,
    /// Seqs this line also stands for (a group's), each given an anchor.
    pub(crate) members: Vec<u64>,
}

/// An event's cause in the timeline: none, a link to its line, or named as not shown.
pub(crate) enum Cause {
    None,
    Shown(u64),
    NotShown(u64, String),
}

/// The parent of a fork, when its folder was found (a folder beside the fork's whose log ends
/// with the chain head fork.json names).
pub struct ParentRun<'a> {
    /// The folder as the page names it (relative to the page).
    pub folder: String,
    /// The link to the parent's report from the page, when it has one.
    pub report: Option<String>,
    /// The seqs the parent's report has an anchor for (`id="eN"`).
    pub anchors: BTreeSet<u64>,
    /// The parent's log.
    pub log: &'a ParsedLog,
}

/// The seqs a page has an anchor for (`id="eN"`), read from its HTML.
pub fn event_anchors(html: &str) -> BTreeSet<u64> {
    html.match_indices("id=\"e").filter_map(|(i, m)| html[i + m.len()..].split('"').next()?.parse().ok()).collect()
}

fn theme_class(theme: Theme) -> &'static str {
    match theme {
        Theme::Coup => "coup",
        Theme::Violence => "violence",
        Theme::Economic => "economic",
        Theme::Alliance => "alliance",
        Theme::Exit => "exit",
        Theme::Diplomacy => "diplomacy",
    }
}

/// The timeline of a log for a page: the events `significant` keeps, in plain language, armed
/// groups' routine attacks grouped by month, each cause a link to its line or named as not
/// shown. Also returns the seqs that have an anchor.
pub(crate) fn timeline_rows(header: &Header, events: &[Event]) -> (Vec<TimelineRow>, BTreeSet<u64>) {
    let lines = timeline::lines(header, events, significant, Grouping::Month);
    let anchored: BTreeSet<u64> = lines.iter().flat_map(|l| std::iter::once(l.seq).chain(l.members.iter().copied())).collect();
    let rows = lines
        .into_iter()
        .map(|l| {
            let cause = match events.get(l.seq as usize).and_then(|e| e.cause) {
                _ if !l.members.is_empty() => Cause::None,
                None => Cause::None,
                Some(c) if anchored.contains(&c) => Cause::Shown(c),
                Some(c) => Cause::NotShown(c, events.get(c as usize).map(|x| words(x.kind.name())).unwrap_or_default()),
            };
            TimelineRow {
                seq: l.seq,
                date: human_date_of(&l.date),
                day: l.day,
                kind: words(l.kind),
                theme: theme_class(l.theme),
                text: l.text,
                rule: l.rule,
                cause,
                members: l.members.into_iter().filter(|m| *m != l.seq).collect(),
            }
        })
        .collect();
    (rows, anchored)
}

/// "2023-07-30" as "30 Jul 2023" (as it is when it does not parse).
pub(crate) fn human_date_of(iso: &str) -> String {
    crate::model::date::Date::parse(iso).map(human_date).unwrap_or_else(|_| iso.to_string())
}

/// The HTML page for a run. `charts` pairs each chart with its SVG; `outcomes` is the run's
/// standard outcomes (recomputed from the verified log by `casus report`); `lineage` is the
/// fork's provenance (fork.json) and `parent` its parent's run, when found; `map` the map
/// panel ([`crate::analysis::map::run_map`]).
pub fn run_html(
    log: &ParsedLog,
    charts: &[(Chart, String)],
    outcomes: Option<&serde_json::Value>,
    lineage: Option<&Lineage>,
    parent: Option<&ParentRun>,
    map: Option<&crate::analysis::map::MapPanel>,
) -> String {
    let header = log.header.as_ref().expect("read_log guarantees a header");
    let start =
        crate::model::date::Date::parse(&header.start).unwrap_or_else(|_| crate::model::date::Date::from_ymd(1970, 1, 1).expect("a date"));
    let focus = header.name_of(&header.focus);
    let (timeline, anchored, timeline_cut) = page_timeline(header, &log.events);
    let link = |seq: u64| anchored.contains(&seq).then(|| format!("#e{seq}"));
    let trigger = timeline::trigger(header, &log.events).map(|t| t.seq);
    let mut names = Names::new(&header.actors);
    let summary = timeline::decisive(header, &log.events)
        .into_iter()
        .map(|e| SummaryRow {
            label: if Some(e.seq) == trigger { "Trigger" } else { "Decisive" },
            when: dated(e.day, start),
            text: say(&e.kind, &e.rule, start, &mut names),
            rule: e.rule.to_string(),
            href: link(e.seq),
        })
        .collect();
    let (dated_outcomes, figures): (Vec<OutcomeText>, Vec<OutcomeText>) =
        outcomes.map(|o| outcomes_in_words(o, start, focus)).unwrap_or_default().into_iter().partition(|o| o.dated);
    let fork = lineage.map(|l| {
        let mut names = Names::new(&header.actors);
        let drops = l
            .drops
            .iter()
            .map(|d| {
                let in_parent = parent.and_then(|p| p.log.events.get(d.seq as usize)).filter(|e| e.seq == d.seq);
                DropRow {
                    seq: d.seq,
                    kind: words(&d.kind),
                    text: in_parent
                        .map(|e| format!("on {}: {}", human_date_of(&e.date), say(&e.kind, &e.rule, start, &mut names)))
                        .unwrap_or_default(),
                    refused: d.refused,
                    href: parent.and_then(|p| p.report.as_ref().filter(|_| p.anchors.contains(&d.seq))).map(|r| format!("{r}#e{}", d.seq)),
                }
            })
            .collect();
        ForkSection {
            lineage: l,
            when: dated(l.day, start),
            parent_folder: parent.map(|p| p.folder.as_str()),
            parent_report: parent.and_then(|p| p.report.as_deref()),
            drops,
        }
    });
    let fork_row = lineage.and_then(|l| timeline.iter().position(|r| r.day >= l.day).or(timeline_cut.is_none().then_some(timeline.len())));
    let page = RunPage {
        version: crate::log::CASUS_VERSION,
        header,
        events: log.events.len(),
        from: human_date(start),
        to: log.events.last().map(|e| human_date_of(&e.date)).unwrap_or_else(|| human_date(start)),
        focus,
        scenario_hash: &header.scenario_hash[..16.min(header.scenario_hash.len())],
        chain_head: &log.chain_head,
        fork,
        summary,
        dated: dated_outcomes,
        figures,
        charts,
        graph: causal_graph(&log.events, header, &anchored),
        graph_truncated: log.events.iter().filter(|e| key_event(e)).count() > MAX_GRAPH_NODES,
        max_graph_nodes: MAX_GRAPH_NODES,
        timeline,
        timeline_cut,
        fork_row,
        fork_when: lineage.map(|l| dated(l.day, start)).unwrap_or_default(),
        map: map.map(crate::analysis::map::map_html).unwrap_or_else(crate::analysis::map::no_map_html),
    };
    page.render().expect("the run page's template renders (its values never fail to format)")
}

/// One row of a sweep's points.csv that the report uses.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    /// Swept parameter values, in manifest order.
    pub values: Vec<f64>,
    /// Outcome name.
    pub outcome: String,
    /// Runs at the point.
    pub runs: u64,
    /// Share of runs in which the outcome happened.
    pub happened: f64,
}

/// The values a categorical swept parameter took, in the order they first appear in
/// points.csv (design order); a row's value for it is the index of its word here.
pub type Levels = Vec<String>;

/// Reads points.csv (columns: point, the swept parameters' `columns`, outcome, runs, happened,
/// ...), with, for each swept parameter, its levels when its values are words (a regime,
/// `false`/`true`) rather than numbers.
pub fn read_points(csv: &str, columns: &[String]) -> Result<(Vec<PointRow>, Vec<Option<Levels>>), String> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().ok_or("points.csv is empty")?.split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).ok_or_else(|| format!("points.csv has no column {name:?}"));
    let (oc, rc, hc) = (col("outcome")?, col("runs")?, col("happened")?);
    let pcs: Vec<usize> = columns.iter().map(|p| col(p)).collect::<Result<_, _>>()?;
    let table: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let cell = |row: &[&'_ str], c: usize, i: usize| -> Result<String, String> {
        row.get(c).map(|v| v.to_string()).ok_or_else(|| format!("points.csv line {}: column {c} is missing", i + 2))
    };
    // A parameter is categorical when one of its values is not a number.
    let mut levels: Vec<Option<Levels>> = vec![None; pcs.len()];
    for (j, &c) in pcs.iter().enumerate() {
        let words: Vec<String> = table.iter().enumerate().map(|(i, f)| cell(f, c, i)).collect::<Result<_, _>>()?;
        if words.iter().any(|w| w.parse::<f64>().is_err()) {
            let mut seen: Levels = Vec::new();
            for w in words {
                if !seen.contains(&w) {
                    seen.push(w);
                }
            }
            levels[j] = Some(seen);
        }
    }
    let mut rows = Vec::new();
    for (i, f) in table.iter().enumerate() {
        let num = |c: usize| -> Result<f64, String> {
            f.get(c).and_then(|v| v.parse::<f64>().ok()).ok_or_else(|| format!("points.csv line {}: column {c} is not a number", i + 2))
        };
        let value = |j: usize, c: usize| -> Result<f64, String> {
            match &levels[j] {
                Some(words) => Ok(words.iter().position(|w| *w == cell(f, c, i).unwrap_or_default()).unwrap_or_default() as f64),
                None => num(c),
            }
        };
        rows.push(PointRow {
            values: pcs.iter().enumerate().map(|(j, &c)| value(j, c)).collect::<Result<_, _>>()?,
            outcome: f.get(oc).unwrap_or(&"").to_string(),
            runs: num(rc)? as u64,
            happened: num(hc)?,
        });
    }
    Ok((rows, levels))
}

/// The Wilson score interval for k successes in n trials (95%).
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// For each swept parameter and each outcome that is an event or a yes/no (`probability_outcomes`),
/// the probability that it happened against the parameter's value, pooling runs over the other
/// parameters, with a 95% Wilson band. Outcomes whose probability is the same at every value are
/// returned separately as (outcome, probability) so the page can list them instead of drawing
/// flat lines. A categorical parameter (`levels`, from [`read_points`]) is drawn against its
/// words.
pub fn sweep_charts(
    rows: &[PointRow],
    swept: &[String],
    levels: &[Option<Levels>],
    probability_outcomes: &[String],
) -> (Vec<Chart>, Vec<(String, f64)>) {
    let mut charts = Vec::new();
    let mut constant: BTreeMap<String, f64> = BTreeMap::new();
    let mut varying: BTreeSet<String> = BTreeSet::new();
    for outcome in probability_outcomes {
        let mine: Vec<&PointRow> = rows.iter().filter(|r| &r.outcome == outcome).collect();
        if mine.is_empty() {
            continue;
        }
        for (pi, param) in swept.iter().enumerate() {
            // Pool by the parameter's value (exact bits: values come from the same plan).
            let mut pooled: BTreeMap<u64, (f64, u64, u64)> = BTreeMap::new();
            for r in &mine {
                let x = r.values[pi];
                let key = if x >= 0.0 { x.to_bits() ^ (1 << 63) } else { !x.to_bits() };
                let e = pooled.entry(key).or_insert((x, 0, 0));
                e.1 += (r.happened * r.runs as f64).round() as u64;
                e.2 += r.runs;
            }
            let probs: Vec<(f64, f64)> = pooled.values().map(|(x, k, n)| (*x, *k as f64 / (*n).max(1) as f64)).collect();
            let first = probs[0].1;
            if probs.iter().all(|p| (p.1 - first).abs() < 1e-12) {
                constant.insert(outcome.clone(), first);
                continue;
            }
            let band = pooled
                .values()
                .map(|(x, k, n)| {
                    let (lo, hi) = wilson(*k, *n);
                    (*x, lo, hi)
                })
                .collect();
            varying.insert(outcome.clone());
            charts.push(Chart {
                id: format!("{}-vs-{}", outcome, param.replace('.', "_")),
                title: format!("{}: probability against {}", outcome_label(outcome, "the focus"), param),
                x_label: param.clone(),
                y_label: "probability".into(),
                x: match levels.get(pi) {
                    Some(Some(words)) => XAxis::Levels(words.clone()),
                    _ => XAxis::Value,
                },
                lines: vec![Line { label: "share of runs".to_string(), points: probs, band }],
                y_range: Some((0.0, 1.0)),
                steps: false,
                empty: String::new(),
                note: String::new(),
            });
        }
    }
    // An outcome that varies with one parameter is not constant.
    let constant = constant.into_iter().filter(|(o, _)| !varying.contains(o)).collect();
    (charts, constant)
}

/// The PRIM box of a sweep's page.
#[derive(Debug, Clone, Default)]
pub struct DiscoverySection {
    /// What a case is, as given (`armed_conflict`, `casualties_military>100`).
    pub case: String,
    /// Runs and cases, and the chosen box's statistics, in a sentence.
    pub summary: String,
    /// The trajectory chart (SVG).
    pub figure: String,
    /// The chosen box's number on the trajectory.
    pub chosen: usize,
    /// Why that box.
    pub rule: String,
    /// (parameter, its range in the box, its range over all runs).
    pub restrictions: Vec<(String, String, String)>,
}

/// The exploration sections of a sweep's page: figures with their SVG.
#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// The design as on the command line (`grid`, `lhs:8`, `sobol:256`).
    pub design: String,
    /// The heat maps' pair of swept parameters (None with one parameter).
    pub pair: Option<(String, String)>,
    /// How the pair was chosen.
    pub pair_note: String,
    /// An outcome's probability over the pair.
    pub heat_maps: Vec<(Figure, String)>,
    /// Continuous outcomes' distributions.
    pub distributions: Vec<(Figure, String)>,
    /// How the distributions are grouped.
    pub distribution_note: String,
    /// Sobol or Morris figures.
    pub sensitivity: Vec<(Figure, String)>,
    /// What the sensitivity section shows, or why it is empty.
    pub sensitivity_note: String,
    /// The PRIM box, when asked for.
    pub discovery: Option<DiscoverySection>,
}

/// Draws figures as SVG.
pub fn draw(figures: Vec<Figure>) -> Vec<(Figure, String)> {
    figures
        .into_iter()
        .map(|f| {
            let svg = crate::analysis::figures::svg(&f);
            (f, svg)
        })
        .collect()
}

/// A sweep's page (`templates/sweep.html`).
#[derive(Template)]
#[template(path = "sweep.html")]
struct SweepPage<'a> {
    version: &'a str,
    scenario: &'a str,
    points: String,
    runs_per_point: String,
    total_runs: String,
    seed: String,
    design: String,
    swept: &'a [String],
    status: &'a str,
    charts: RenderedCharts<'a>,
    /// Each outcome that did not change, in words, with its probability as a percentage.
    constant: Vec<(String, String)>,
    x: &'a Exploration,
}

/// The HTML page for a sweep.
pub fn sweep_html(
    manifest: &serde_json::Value,
    swept: &[String],
    charts: &[(Chart, String)],
    constant: &[(String, f64)],
    x: &Exploration,
) -> String {
    let page = SweepPage {
        version: crate::log::CASUS_VERSION,
        scenario: manifest["scenario"].as_str().unwrap_or("?"),
        points: manifest["points"].to_string(),
        runs_per_point: manifest["plan"]["runs"].to_string(),
        total_runs: manifest["total_runs"].to_string(),
        seed: manifest["seed"].to_string(),
        design: if x.design.is_empty() { "?".to_string() } else { x.design.clone() },
        swept,
        status: manifest["status"].as_str().unwrap_or("?"),
        charts,
        constant: constant.iter().map(|(o, p)| (outcome_label(o, "the focus"), format!("{}%", decimal(p * 100.0)))).collect(),
        x,
    };
    page.render().expect("the sweep page's template renders (its values never fail to format)")
}

/// Renders charts to SVG; a chart without a line is not drawn (its SVG is empty, and the page
/// says its `empty` text instead).
pub fn render(charts: Vec<Chart>) -> Result<Vec<(Chart, String)>, String> {
    charts.into_iter().map(|c| if c.lines.is_empty() { Ok((c, String::new())) } else { charts::svg(&c).map(|s| (c, s)) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long log's timeline stops at the end of a day within `MAX_TIMELINE_EVENTS` events (or
    /// at the limit, when one day holds more); a short log's is whole.
    #[test]
    fn the_timeline_stops_at_the_end_of_a_day_within_the_limit() {
        let event = |seq: u64, day: u32| Event {
            seq,
            day,
            date: "".into(),
            kind: EventKind::OrderRestored { state: "NER".into(), how: "".into() },
            actors: vec![],
            cause: None,
            rule: "".into(),
        };
        let short: Vec<Event> = (0..10).map(|i| event(i, 0)).collect();
        assert_eq!(timeline_prefix(&short).len(), 10);
        // Ten events a day: the limit falls inside a day, which is left out whole.
        let long: Vec<Event> = (0..MAX_TIMELINE_EVENTS as u64 + 25).map(|i| event(i, (i / 10) as u32)).collect();
        let cut = timeline_prefix(&long);
        assert_eq!(cut.len(), MAX_TIMELINE_EVENTS);
        let shifted: Vec<Event> = (0..MAX_TIMELINE_EVENTS as u64 + 25).map(|i| event(i, ((i + 3) / 10) as u32)).collect();
        let cut = timeline_prefix(&shifted);
        assert_eq!(cut.len(), MAX_TIMELINE_EVENTS - 3);
        assert_ne!(cut.last().unwrap().day, shifted[cut.len()].day);
        let one_day: Vec<Event> = (0..MAX_TIMELINE_EVENTS as u64 + 5).map(|i| event(i, 0)).collect();
        assert_eq!(timeline_prefix(&one_day).len(), MAX_TIMELINE_EVENTS);
    }

    #[test]
    fn wilson_matches_known_values() {
        let (lo, hi) = wilson(5, 10);
        assert!((lo - 0.2366).abs() < 1e-3 && (hi - 0.7634).abs() < 1e-3, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        let (lo, hi) = wilson(0, 20);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.1611).abs() < 1e-3, "{hi}");
    }

    /// A categorical swept parameter (a clause on or off, a regime) is charted against its
    /// words, in design order; a numeric one against its values.
    #[test]
    fn categorical_parameters_are_charted_against_their_words() {
        let csv = "point,days,clause,outcome,runs,happened,mean\n\
                   0,3,false,coup_day,10,0.2,1\n\
                   1,3,true,coup_day,10,0.8,1\n\
                   2,7,false,coup_day,10,0.2,1\n\
                   3,7,true,coup_day,10,0.6,1\n";
        let swept = ["days".to_string(), "clause".to_string()];
        let (rows, levels) = read_points(csv, &swept).unwrap();
        assert_eq!(levels, [None, Some(vec!["false".to_string(), "true".to_string()])]);
        assert_eq!(rows.iter().map(|r| r.values.clone()).collect::<Vec<_>>(), [[3.0, 0.0], [3.0, 1.0], [7.0, 0.0], [7.0, 1.0]]);
        let (charts, _) = sweep_charts(&rows, &swept, &levels, &["coup_day".to_string()]);
        let clause = charts.iter().find(|c| c.x_label == "clause").unwrap();
        assert_eq!(clause.x, XAxis::Levels(vec!["false".into(), "true".into()]));
        assert_eq!(clause.lines[0].points, [(0.0, 0.2), (1.0, 0.7)]);
        assert_eq!(charts.iter().find(|c| c.x_label == "days").unwrap().x, XAxis::Value);
        assert!(crate::analysis::charts::svg(clause).is_ok());
    }

    #[test]
    fn sweep_pages_escape_the_manifest_and_outcome_names() {
        let manifest =
            serde_json::json!({"scenario": "<b>s</b>", "status": "\"&'", "points": 3, "plan": {"runs": 2}, "total_runs": 6, "seed": 1});
        let html = sweep_html(&manifest, &["a<b".to_string()], &[], &[("<i>o</i>".to_string(), 0.5)], &Exploration::default());
        for raw in ["<b>s</b>", "a<b", "<i>o</i>", "\"&'"] {
            assert!(!html.contains(raw), "{raw} is escaped");
        }
        assert!(html.contains("Sweep of &#60;b&#62;s&#60;/b&#62;") && html.contains("<td class=\"num\">50%</td>"), "{html}");
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    }
}
