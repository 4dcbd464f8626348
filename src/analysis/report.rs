//! `casus report`: a self-contained HTML page about a run (timeline, causal graph of the key
//! events, charts over time) or a sweep (each outcome's probability against each swept
//! parameter, with 95% confidence bands). Charts are inline SVG; the page loads nothing from the
//! network and runs no script.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::fold::apply::apply_indexed;

use crate::analysis::charts::{self, Chart, Line, XAxis};
use crate::analysis::describe::{describe, significant};
use crate::fold::world::build_world;
use crate::log::{Header, ParsedLog};
use crate::model::economics::loss_at;
use crate::model::event::{Event, EventKind, Theme};
use crate::model::params::Params;
use crate::model::prepared::Prepared;
use crate::model::scenario::AttackKind;
use crate::model::state::{Crises, PartnerState, Polity, StateProfile};

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

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
                forces.push(&format!("{id} abroad"), day, f64::from(p.committed_abroad));
                forces.push(&format!("{id} at borders"), day, f64::from(p.redeployed));
                sanctions.push(id, day, p.sanctions_severity);
                gdp.push(id, day, loss_at(p, profile, &params, day));
                casualties.push(id, day, (p.casualties_military + p.casualties_civilian) as f64);
            } else if let Some(p) = world.get::<PartnerState>(*entity) {
                forces.push(&format!("{id} (partner)"), day, f64::from(p.forces.values().sum::<u32>()));
            }
        }
        for (target, crisis) in &world.resource::<Crises>().0 {
            for (org, r) in &crisis.responses {
                let fielded = r.intervention.as_ref().filter(|i| i.ended.is_none()).map(|i| i.attacker_strength).unwrap_or(0);
                forces.push(&format!("{org} force in {target}"), day, f64::from(fielded));
            }
        }
    }
    let start = prepared.scenario.start_date();
    let chart = |id: &str, title: &str, y: &str, s: Sampled, y_range: Option<(f64, f64)>, steps: bool| Chart {
        id: id.into(),
        title: title.into(),
        x_label: "date".into(),
        y_label: y.into(),
        x: XAxis::Days(start),
        lines: s.into_lines(),
        y_range,
        steps,
    };
    Ok(vec![
        chart("forces", "Forces deployed abroad or redeployed", "troops", forces, None, true),
        chart("sanctions", "Sanctions in force (economic severity)", "severity (0-1)", sanctions, Some((0.0, 1.05)), true),
        chart("gdp_loss", "GDP loss", "% of GDP (cumulative)", gdp, None, false),
        chart("casualties", "Casualties (military and civilian)", "deaths (cumulative)", casualties, None, true),
    ])
}

/// Whether an event belongs in the causal graph: decisions and turning points, not routine
/// movements, combat rounds or armed groups' attacks.
pub fn key_event(e: &Event) -> bool {
    use EventKind::*;
    match &e.kind {
        AttackOccurred { attack, .. } => *attack != AttackKind::Terrorist,
        CombatRound { .. } | ForcesMobilised { .. } | ForcesDeployed { .. } | ForcesReturned { .. } | SummitConvened { .. } => false,
        ForcesRedeployed { .. } | ForcePledged { .. } | LaunchPostponed { .. } | VoteHeld { .. } => false,
        _ => true,
    }
}

/// Most nodes drawn in the causal graph.
pub const MAX_GRAPH_NODES: usize = 90;

/// The causal graph of the key events as SVG: one column per day on which a key event
/// happened, one lane per actor (the event's first actor), an arrow from each event to the
/// nearest key event among its causes. Hovering a node shows the event in full.
pub fn causal_graph(events: &[Event], header: &Header) -> String {
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
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="10">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>
"##
    );
    for (i, lane) in lanes.iter().enumerate() {
        let fill = if i % 2 == 0 { "#f6f7f9" } else { "#ffffff" };
        let h = (lane_depth[i] as f64) * (box_h + gap) + 14.0;
        let _ = writeln!(
            s,
            r#"<rect x="0" y="{:.0}" width="{width:.0}" height="{h:.0}" fill="{fill}"/><text x="6" y="{:.0}" font-size="12" font-weight="bold">{}</text>"#,
            lane_y[i] - 7.0,
            lane_y[i] + 13.0,
            esc(header.name_of(lane))
        );
    }
    let start_label = |d: u32| events.iter().find(|e| e.day == d).map(|e| e.date.clone()).unwrap_or_default();
    for (c, d) in days.iter().enumerate() {
        let _ = writeln!(s, r#"<text x="{:.0}" y="20" font-size="11">{}</text>"#, left + c as f64 * col_w, esc(&start_label(*d)));
    }
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
            let mid = (sx + ex) / 2.0;
            let _ = writeln!(
                s,
                r##"<path class="edge" d="M{sx:.1},{sy:.1} C{mid:.1},{sy:.1} {mid:.1},{ey:.1} {ex:.1},{ey:.1}" fill="none" stroke="#999" stroke-width="1" marker-end="url(#arrow)"/>"##
            );
        }
    }
    for e in &nodes {
        let (x, y) = pos(e.seq);
        let fill = node_colour(&e.kind);
        let _ = writeln!(
            s,
            r##"<a href="#e{seq}"><g class="node"><title>#{seq} {date}: {desc} [{rule}]</title><rect x="{x:.0}" y="{y:.0}" width="{box_w:.0}" height="{box_h:.0}" rx="4" fill="{fill}" stroke="#555" stroke-width="0.6"/><text x="{tx:.0}" y="{ty:.0}">{label}</text></g></a>"##,
            seq = e.seq,
            date = esc(&e.date),
            desc = esc(&describe(&e.kind)),
            rule = esc(&e.rule),
            tx = x + 5.0,
            ty = y + 14.0,
            label = esc(&short_label(e)),
        );
    }
    s.push_str("</svg>\n");
    s
}

fn short_label(e: &Event) -> String {
    let name = e.kind.name();
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

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 14px; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } tr:target { background: #fff3c4; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .chart svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.scroll { overflow-x: auto; border: 1px solid #eee; }
code { font-size: 12px; } .rule { color: #555; } .num { text-align: right; }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"casus {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        crate::log::CASUS_VERSION,
        esc(title)
    )
}

/// The HTML page for a run. `charts` pairs each chart with its SVG; `outcomes` is the run's
/// summary `outcomes` object when there is one; `lineage` is the fork's provenance (fork.json).
pub fn run_html(
    log: &ParsedLog,
    charts: &[(Chart, String)],
    outcomes: Option<&serde_json::Value>,
    lineage: Option<&serde_json::Value>,
) -> String {
    let header = log.header.as_ref().expect("read_log guarantees a header");
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&header.scenario));
    let last = log.events.last().map(|e| e.date.to_string()).unwrap_or_else(|| header.start.clone());
    let _ = writeln!(
        b,
        "<p class=\"meta\">seed {} · {} events from {} to {} · focus {} · scenario <code>{}</code> · log <code>{}</code></p>",
        header.seed,
        log.events.len(),
        esc(&header.start),
        esc(&last),
        esc(header.name_of(&header.focus)),
        &header.scenario_hash[..16.min(header.scenario_hash.len())],
        esc(&log.chain_head)
    );
    if !header.overrides.is_empty() {
        let o: Vec<String> = header.overrides.iter().map(|(k, v)| format!("<code>{}={}</code>", esc(k), esc(v))).collect();
        let _ = writeln!(b, "<p class=\"meta\">overrides: {}</p>", o.join(" "));
    }
    if let Some(l) = lineage {
        let _ = writeln!(
            b,
            "<p class=\"meta\">a fork of log <code>{}</code> at {} (day {}), keeping its first {} events</p>",
            esc(l["parent_chain_head"].as_str().unwrap_or("")),
            esc(l["date"].as_str().unwrap_or("")),
            l["day"],
            l["kept_events"]
        );
    }
    if let Some(o) = outcomes.and_then(|o| o.as_object()) {
        b.push_str("<h2>Outcomes</h2>\n<table id=\"outcomes\"><tr><th>outcome</th><th>value</th></tr>\n");
        for (k, v) in o {
            let _ = writeln!(b, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(&v.to_string()));
        }
        b.push_str("</table>\n");
    }
    b.push_str("<h2>Over time</h2>\n<div class=\"charts\">\n");
    for (c, svg) in charts {
        let _ = writeln!(b, "<figure class=\"chart\" id=\"chart-{}\">{}</figure>", esc(&c.id), svg);
    }
    b.push_str("</div>\n<h2>Causal graph of the key events</h2>\n");
    let _ = writeln!(
        b,
        "<p class=\"meta\">Each arrow runs from an event to one it caused (through routine steps not shown). Hover a box for the event; click to find it in the timeline.{}</p>",
        if log.events.iter().filter(|e| key_event(e)).count() > MAX_GRAPH_NODES {
            format!(" The first {MAX_GRAPH_NODES} key events are shown.")
        } else {
            String::new()
        }
    );
    let _ = writeln!(b, "<div class=\"scroll\">{}</div>", causal_graph(&log.events, header));
    b.push_str("<h2>Timeline</h2>\n<p class=\"meta\">Combat rounds, mobilisations and summits are left out; <code>casus log</code> lists every event.</p>\n");
    b.push_str("<table id=\"timeline\"><tr><th>#</th><th>date</th><th>day</th><th>event</th><th>rule</th><th>cause</th></tr>\n");
    for e in log.events.iter().filter(|e| significant(e)) {
        let cause = e.cause.map(|c| format!("<a href=\"#e{c}\">#{c}</a>")).unwrap_or_default();
        let _ = writeln!(
            b,
            "<tr id=\"e{}\"><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td><b>{}</b> {}</td><td class=\"rule\">{}</td><td>{cause}</td></tr>",
            e.seq,
            e.seq,
            esc(&e.date),
            e.day,
            e.kind.name(),
            esc(&describe(&e.kind)),
            esc(&e.rule)
        );
    }
    b.push_str("</table>\n");
    page(&format!("casus report: {} (seed {})", header.scenario, header.seed), &b)
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

/// Reads points.csv (columns: point, the swept parameters, outcome, runs, happened, ...).
pub fn read_points(csv: &str, swept: &[String]) -> Result<Vec<PointRow>, String> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().ok_or("points.csv is empty")?.split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).ok_or_else(|| format!("points.csv has no column {name:?}"));
    let (oc, rc, hc) = (col("outcome")?, col("runs")?, col("happened")?);
    let pcs: Vec<usize> = swept.iter().map(|p| col(p)).collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let num = |c: usize| -> Result<f64, String> {
            f.get(c).and_then(|v| v.parse::<f64>().ok()).ok_or_else(|| format!("points.csv line {}: column {c} is not a number", i + 2))
        };
        rows.push(PointRow {
            values: pcs.iter().map(|&c| num(c)).collect::<Result<_, _>>()?,
            outcome: f.get(oc).unwrap_or(&"").to_string(),
            runs: num(rc)? as u64,
            happened: num(hc)?,
        });
    }
    Ok(rows)
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
/// flat lines.
pub fn sweep_charts(rows: &[PointRow], swept: &[String], probability_outcomes: &[String]) -> (Vec<Chart>, Vec<(String, f64)>) {
    let mut charts = Vec::new();
    let mut constant: BTreeMap<String, f64> = BTreeMap::new();
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
            charts.push(Chart {
                id: format!("{}-vs-{}", outcome, param.replace('.', "_")),
                title: format!("P({}) against {}", outcome.trim_end_matches("_day"), param),
                x_label: param.clone(),
                y_label: "probability".into(),
                x: XAxis::Value,
                lines: vec![Line { label: outcome.trim_end_matches("_day").to_string(), points: probs, band }],
                y_range: Some((0.0, 1.0)),
                steps: false,
            });
        }
    }
    // An outcome that varies with one parameter is not constant.
    let varying: std::collections::BTreeSet<String> = charts.iter().map(|c| c.lines[0].label.clone()).collect();
    let constant = constant.into_iter().filter(|(o, _)| !varying.contains(o.trim_end_matches("_day"))).collect();
    (charts, constant)
}

/// The HTML page for a sweep.
pub fn sweep_html(manifest: &serde_json::Value, swept: &[String], charts: &[(Chart, String)], constant: &[(String, f64)]) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>Sweep of {}</h1>", esc(manifest["scenario"].as_str().unwrap_or("?")));
    let _ = writeln!(
        b,
        "<p class=\"meta\">{} design points × {} runs = {} runs · root seed {} · swept: {} · status {}</p>",
        manifest["points"],
        manifest["plan"]["runs"],
        manifest["total_runs"],
        manifest["seed"],
        esc(&swept.join(", ")),
        esc(manifest["status"].as_str().unwrap_or("?"))
    );
    b.push_str("<p class=\"meta\">Each chart shows the share of runs in which the outcome happened, pooled over the other swept parameters, with its 95% Wilson confidence band.</p>\n");
    b.push_str("<h2>Outcome probabilities</h2>\n<div class=\"charts\">\n");
    for (c, svg) in charts {
        let _ = writeln!(b, "<figure class=\"chart\" id=\"chart-{}\">{}</figure>", esc(&c.id), svg);
    }
    b.push_str("</div>\n");
    if !constant.is_empty() {
        b.push_str("<h2>Outcomes that did not change</h2>\n<table><tr><th>outcome</th><th>probability at every value</th></tr>\n");
        for (o, p) in constant {
            let _ = writeln!(b, "<tr><td>{}</td><td class=\"num\">{:.3}</td></tr>", esc(o), p);
        }
        b.push_str("</table>\n");
    }
    page(&format!("casus report: sweep of {}", manifest["scenario"].as_str().unwrap_or("?")), &b)
}

/// Renders charts to SVG.
pub fn render(charts: Vec<Chart>) -> Result<Vec<(Chart, String)>, String> {
    charts.into_iter().map(|c| charts::svg(&c).map(|s| (c, s))).collect()
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

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
