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

#[derive(Default)]
struct Sampled {
    lines: BTreeMap<String, Vec<(f64, f64)>>,
}

impl Sampled {
    fn push(&mut self, label: &str, day: u32, v: f64) {
        self.lines.entry(label.to_string()).or_default().push((f64::from(day), v));
    }

    fn into_lines(self) -> Vec<Line> {
        self.lines
            .into_iter()
            .filter(|(_, pts)| pts.iter().any(|p| p.1 != 0.0))
            .map(|(label, points)| Line { label, points, band: vec![] })
            .collect()
    }
}

/// Folds the log over the scenario's initial state and samples, over time: forces deployed
/// abroad or redeployed, sanctions in force, GDP loss and casualties. The fold is replay's
/// (`apply`); the log must belong to the scenario (callers replay-check it first or accept
/// an error naming the event that does not fold).
pub fn run_charts(prepared: &Prepared, log: &ParsedLog) -> Result<Vec<Chart>, String> {
    let header = log.header.as_ref().ok_or("the log has no header")?;
    let mut world = build_world(&prepared.scenario, prepared.params.clone(), header.seed);
    let horizon = prepared.scenario.horizon_days;
    let last = log.events.last().map(|e| e.day).unwrap_or(0).max(log.end.as_ref().map(|e| e.last_day).unwrap_or(0));
    let until = if log.end.is_some() { horizon } else { last };
    let step = (until / SAMPLES).max(1);
    let mut days: Vec<u32> = (0..=until).step_by(step as usize).collect();
    days.extend(log.events.iter().map(|e| e.day));
    days.push(until);
    days.sort_unstable();
    days.dedup();

    let params: Params = world.resource::<crate::model::world::Fixed>().params.clone();
    let index = std::sync::Arc::clone(&world.resource::<crate::model::world::Fixed>().index);
    let ids: Vec<(crate::model::state::Id, bevy_ecs::entity::Entity)> = index.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let name = |id: &str| legend_name(header, id).to_string();
    let (mut forces, mut sanctions, mut gdp, mut casualties) =
        (Sampled::default(), Sampled::default(), Sampled::default(), Sampled::default());
    let mut next = 0usize;
    for &day in &days {
        while let Some(e) = log.events.get(next).filter(|e| e.day <= day) {
            apply_indexed(&mut world, &index, e).map_err(|err| format!("the log does not fold over its scenario: {err}"))?;
            next += 1;
        }
        for (id, entity) in &ids {
            if let Some(p) = world.get::<Polity>(*entity) {
                let profile = &world.get::<StateProfile>(*entity).expect("a state has a profile").0;
                forces.push(&format!("{} abroad", name(id)), day, f64::from(p.committed_abroad));
                forces.push(&format!("{} at its borders", name(id)), day, f64::from(p.redeployed));
                sanctions.push(&name(id), day, p.sanctions_severity);
                gdp.push(&name(id), day, loss_at(p, profile, &params, day));
                casualties.push(&name(id), day, (p.casualties_military + p.casualties_civilian) as f64);
            } else if let Some(p) = world.get::<PartnerState>(*entity) {
                forces.push(&format!("{} (partner)", name(id)), day, f64::from(p.forces.values().sum::<u32>()));
            }
        }
        for (target, crisis) in &world.resource::<Crises>().0 {
            for (org, r) in &crisis.responses {
                let fielded = r.intervention.as_ref().filter(|i| i.ended.is_none()).map(|i| i.attacker_strength).unwrap_or(0);
                forces.push(&format!("{} force in {}", name(org), name(target)), day, f64::from(fielded));
            }
        }
    }
    let start = prepared.scenario.start_date();
    let chart = |id: &str, title: &str, y: &str, s: Sampled, y_range: Option<(f64, f64)>, steps: bool, empty: &str| Chart {
        id: id.into(),
        title: title.into(),
        x_label: "date".into(),
        y_label: y.into(),
        x: XAxis::Days(start),
        lines: s.into_lines(),
        y_range,
        steps,
        empty: empty.into(),
    };
    Ok(vec![
        chart(
            "forces",
            "Forces deployed abroad or redeployed",
            "troops",
            forces,
            None,
            true,
            "No forces deployed abroad or redeployed in this run.",
        ),
        chart(
            "sanctions",
            "Sanctions in force (economic severity)",
            "severity (0-1)",
            sanctions,
            Some((0.0, 1.05)),
            true,
            "No sanctions in this run.",
        ),
        chart("gdp_loss", "GDP loss", "% of GDP (cumulative)", gdp, None, false, "No state lost GDP in this run."),
        chart("casualties", "Casualties (military and civilian)", "deaths (cumulative)", casualties, None, true, "No deaths in this run."),
    ])
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
    fork_row: Option<usize>,
    fork_when: String,
    /// The map panel's HTML (`templates/map.html`), or empty when there is no map.
    map: String,
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
    let (timeline, anchored) = timeline_rows(header, &log.events);
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
    let fork_row = lineage.and_then(|l| timeline.iter().position(|r| r.day >= l.day)).or(lineage.map(|_| timeline.len()));
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
