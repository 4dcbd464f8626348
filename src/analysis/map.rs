//! The report's map: the scenario's states drawn from shipped country outlines
//! (`assets/outlines/west_central_africa.json`, Natural Earth 1:50m through the world-atlas
//! package; `scripts/outlines.py` makes it), and, at each date on which it changes, who is
//! under sanctions, suspended, ruled by soldiers, pledged to defend whom, whose forces are
//! where, and who belongs to which organisation and treaty.
//!
//! Every frame comes from folding the log over the scenario's initial state (`apply`, as
//! replay does), never from summary.json. A state with no shipped outline (a fictional or
//! generated one) and every partner with forces somewhere is drawn as a labelled circle in a
//! row under the map, marked as not placed geographically; when no state of the scenario has
//! an outline, the whole map is that schematic layout, a grid of circles.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::analysis::plain::{human_date, join_and, words};
use crate::analysis::timeline;
use crate::fold::apply::apply_indexed;
use crate::fold::world::build_world;
use crate::log::{Header, ParsedLog};
use crate::model::date::Date;
use crate::model::event::EventKind;
use crate::model::prepared::Prepared;
use crate::model::scenario::{ActorDef, Regime};
use crate::model::state::{Crises, Defence, Id, OrgState, PartnerState, Polity, Stage, Treaties};

/// The outlines casus ships, as `scripts/outlines.py` writes them.
const OUTLINES: &str = include_str!("../../assets/outlines/west_central_africa.json");

/// Most states drawn as circles (states without an outline); a scenario with more has no map.
pub const MAX_SCHEMATIC: usize = 60;

/// The map panel of a run's page (`templates/map.html`): shapes placed, frames to show.
#[derive(Debug, Clone)]
pub struct MapPanel {
    /// The SVG's width and height (its viewBox starts at 0, 0).
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Countries not in the scenario, drawn in grey for context.
    pub context: Vec<ContextShape>,
    /// The scenario's states (outlines or circles) and partners (circles).
    pub actors: Vec<ActorShape>,
    /// Every arrow that some frame shows.
    pub links: Vec<LinkShape>,
    /// Where the schematic row (or grid) is, when there is one: its top and a caption.
    pub schematic: Option<(f64, String)>,
    /// The frames, one per day on which what the map shows changed, in day order.
    pub frames: Vec<Frame>,
    /// The frame shown when the page opens (the last: the end of the run).
    pub shown: usize,
    /// The last day of the run (the slider's end).
    pub last_day: u32,
    /// Key dates, for buttons: (label, day, date).
    pub key_dates: Vec<(String, u32, String)>,
    /// Organisations and treaties whose members can be highlighted: (id, name).
    pub groups: Vec<(String, String)>,
    /// The data the page's script reads (frames and every day's date), as JSON safe inside a
    /// `<script>` element (`<`, `>` and `&` escaped).
    pub data: String,
}

/// A country drawn for context.
#[derive(Debug, Clone)]
pub struct ContextShape {
    /// Its name (the shape's title).
    pub name: String,
    /// SVG path data.
    pub path: String,
}

/// How an actor is drawn.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Its country outline (SVG path data).
    Outline(String),
    /// A circle of radius `r` at the label point: no outline (a partner, or a state with none).
    Circle(f64),
}

/// A state or partner on the map.
#[derive(Debug, Clone)]
pub struct ActorShape {
    /// Its id (the element's id is `map-st-` and it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Outline or circle.
    pub shape: Shape,
    /// Where its code is written (and arrows start and end).
    pub x: f64,
    /// y of the label point.
    pub y: f64,
    /// A partner (not a state of the scenario).
    pub partner: bool,
}

/// An arrow: from one actor to another.
#[derive(Debug, Clone)]
pub struct LinkShape {
    /// `pledge`, `deploy`, `partner` or `intervention` (its CSS class).
    pub kind: &'static str,
    /// SVG path data of the curve.
    pub path: String,
    /// Where its label goes.
    pub lx: f64,
    /// y of the label.
    pub ly: f64,
}

/// What the map shows on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// The first day it holds.
    pub day: u32,
    /// Each actor's classes (`st` and its situation), title and mark, by id.
    pub actors: BTreeMap<String, ActorFrame>,
    /// The arrows shown: (index into the panel's links, label).
    pub links: Vec<(usize, String)>,
    /// The situation in sentences, for the text beside the map.
    pub lines: Vec<String>,
    /// Members of each organisation and treaty in force (for highlighting), by id.
    pub groups: BTreeMap<String, Vec<String>>,
}

/// One actor on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorFrame {
    /// CSS classes: `st`, then `focus`, `sanctioned`, `targeted`, `suspended`, `ally`,
    /// `junta`, `coup`, as they apply.
    pub class: String,
    /// The shape's title: the actor's situation in words.
    pub title: String,
    /// A short mark under its code ("coup 26 Jul 2023"), or empty.
    pub mark: String,
}

#[derive(Deserialize)]
struct Outlines {
    countries: BTreeMap<String, Outline>,
}

#[derive(Deserialize)]
struct Outline {
    name: String,
    path: String,
    label: [f64; 2],
    bbox: [f64; 4],
}

/// Room around the scenario's states, in map units (20 to a degree of latitude).
const MARGIN: f64 = 50.0;
/// Spacing of the schematic circles.
const SPACING: f64 = 110.0;
/// A schematic circle's radius.
const RADIUS: f64 = 26.0;

/// The map of a run, or None when the scenario has more states without an outline than
/// [`MAX_SCHEMATIC`]. The log must belong to the scenario (as for [`crate::analysis::report::run_charts`]).
pub fn run_map(prepared: &Prepared, log: &ParsedLog) -> Result<Option<MapPanel>, String> {
    let header = log.header.as_ref().ok_or("the log has no header")?;
    let outlines: Outlines = serde_json::from_str(OUTLINES).expect("the shipped outlines parse (a unit test reads them)");
    let scenario = &prepared.scenario;
    let states: Vec<Id> =
        scenario.actors.iter().filter_map(|a| if let ActorDef::State(s) = a { Some(s.id.clone()) } else { None }).collect();
    let partners: Vec<Id> =
        scenario.actors.iter().filter_map(|a| if let ActorDef::Partner(p) = a { Some(p.id.clone()) } else { None }).collect();
    let start = scenario.start_date();
    let last_day = log.events.last().map(|e| e.day).unwrap_or(0).max(log.end.as_ref().map(|e| e.last_day).unwrap_or(0));

    // The outlines are used when at least half the states have one (a scenario elsewhere in the
    // world that names one West African state is drawn as a schematic, not as that state alone).
    // Too many states without one, and there is no map: decided before the log is folded, whose
    // situations (every state's, on every day with an event) would grow with states times days.
    let mut on_map: Vec<&Id> = states.iter().filter(|s| outlines.countries.contains_key(s.as_str())).collect();
    if on_map.len() * 2 < states.len() {
        on_map.clear();
    }
    let mut off_map: Vec<(Id, bool)> = states.iter().filter(|s| !on_map.contains(s)).map(|s| (s.clone(), false)).collect();
    if off_map.len() > MAX_SCHEMATIC {
        return Ok(None);
    }

    // Fold the log, noting the situation at the end of every day on which an event happened.
    let mut world = build_world(scenario, prepared.params.clone(), header.seed);
    let index = std::sync::Arc::clone(&world.resource::<crate::model::world::Fixed>().index);
    let mut days: Vec<u32> = log.events.iter().map(|e| e.day).collect();
    days.insert(0, 0);
    days.dedup();
    let mut situations: Vec<(u32, Situation)> = Vec::new();
    let mut coups: BTreeMap<Id, u32> = BTreeMap::new();
    let mut contributors: BTreeMap<(Id, Id), Vec<Id>> = BTreeMap::new();
    let mut next = 0usize;
    for &day in &days {
        while let Some(e) = log.events.get(next).filter(|e| e.day <= day) {
            apply_indexed(&mut world, &index, e).map_err(|err| format!("the log does not fold over its scenario: {err}"))?;
            match &e.kind {
                EventKind::CoupStaged { state, .. } => {
                    coups.insert(state.clone(), e.day);
                }
                EventKind::InterventionLaunched { org, target, contributors: c, .. } => {
                    contributors.insert((org.clone(), target.clone()), c.clone());
                }
                _ => {}
            }
            next += 1;
        }
        let situation = Situation::read(&mut world, &index, &states, &partners, &coups, &contributors);
        if situations.last().is_none_or(|(_, s)| *s != situation) {
            situations.push((day, situation));
        }
    }

    // Place the actors.
    let linked: BTreeSet<&Id> = situations.iter().flat_map(|(_, s)| s.links.iter().flat_map(|l| [&l.from, &l.to])).collect();
    off_map.extend(partners.iter().filter(|p| linked.contains(p)).map(|p| (p.clone(), true)));
    let mut actors = Vec::new();
    let mut context = Vec::new();
    let (width, mut height, schematic);
    if on_map.is_empty() {
        let columns = ((off_map.len() as f64).sqrt().ceil() as usize).clamp(6, 10);
        width = (columns as f64 * SPACING).max(900.0);
        height = (off_map.len().div_ceil(columns) as f64) * SPACING + 50.0;
        for (i, (id, partner)) in off_map.iter().enumerate() {
            let (x, y) = ((i % columns) as f64 * SPACING + SPACING / 2.0, (i / columns) as f64 * SPACING + SPACING / 2.0 + 50.0);
            actors.push(circle(header, id, *partner, x, y));
        }
        schematic = Some((30.0, "Schematic layout, not placed geographically: most states here have no shipped outline.".to_string()));
    } else {
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for id in &on_map {
            let b = outlines.countries[id.as_str()].bbox;
            bbox = [bbox[0].min(b[0]), bbox[1].min(b[1]), bbox[2].max(b[2]), bbox[3].max(b[3])];
        }
        let (x0, y0) = (bbox[0] - MARGIN, bbox[1] - MARGIN - 30.0);
        width = bbox[2] - bbox[0] + 2.0 * MARGIN;
        height = (bbox[3] - bbox[1] + 2.0 * MARGIN + 30.0).max(width * 0.45);
        let shift = |d: &str| shift_path(d, -x0, -y0);
        for (code, o) in &outlines.countries {
            let inside = o.bbox[2] > x0 && o.bbox[0] < x0 + width && o.bbox[3] > y0 && o.bbox[1] < y0 + height;
            if !inside {
                continue;
            }
            if states.iter().any(|s| s == code.as_str()) {
                actors.push(ActorShape {
                    id: code.clone(),
                    name: header.name_of(code).to_string(),
                    shape: Shape::Outline(shift(&o.path)),
                    x: o.label[0] - x0,
                    y: o.label[1] - y0,
                    partner: false,
                });
            } else {
                context.push(ContextShape { name: o.name.clone(), path: shift(&o.path) });
            }
        }
        if off_map.is_empty() {
            schematic = None;
        } else {
            let top = height;
            let per_row = ((width / SPACING).floor() as usize).max(1);
            for (i, (id, partner)) in off_map.iter().enumerate() {
                let (x, y) = ((i % per_row) as f64 * SPACING + SPACING / 2.0, top + 36.0 + (i / per_row) as f64 * SPACING + RADIUS);
                actors.push(circle(header, id, *partner, x, y));
            }
            height = top + 36.0 + (off_map.len().div_ceil(per_row) as f64) * SPACING - SPACING + 2.0 * RADIUS + 12.0;
            schematic = Some((top, "Not placed geographically: partners, and states with no shipped outline (circles).".to_string()));
        }
    }

    // The arrows every frame may show, placed between the actors' label points.
    let place: BTreeMap<&str, (f64, f64, bool)> =
        actors.iter().map(|a| (a.id.as_str(), (a.x, a.y, matches!(a.shape, Shape::Circle(_))))).collect();
    let mut link_index: BTreeMap<(&'static str, Id, Id), usize> = BTreeMap::new();
    let mut links: Vec<LinkShape> = Vec::new();
    for (_, s) in &situations {
        for l in &s.links {
            let key = (l.kind, l.from.clone(), l.to.clone());
            if link_index.contains_key(&key) {
                continue;
            }
            let (Some(a), Some(b)) = (place.get(l.from.as_str()), place.get(l.to.as_str())) else { continue };
            link_index.insert(key, links.len());
            links.push(arrow(l.kind, *a, *b));
        }
    }

    let focus = header.focus.as_str();
    let frames: Vec<Frame> = situations.iter().map(|(day, s)| s.frame(*day, header, focus, start, &link_index, &actors)).collect();
    let dates: Vec<String> = (0..=last_day).map(|d| human_date(start.plus_days(i64::from(d)))).collect();
    let mut key_dates = Vec::new();
    let mut key = |label: &str, day: Option<u32>| {
        if let Some(day) = day {
            key_dates.push((label.to_string(), day, dates.get(day as usize).cloned().unwrap_or_default()));
        }
    };
    key("Trigger", timeline::trigger(header, &log.events).map(|e| e.day));
    let first = |pred: fn(&EventKind) -> bool| log.events.iter().find(|e| pred(&e.kind)).map(|e| e.day);
    key("First suspension", first(|k| matches!(k, EventKind::MemberSuspended { .. })));
    key("First sanctions", first(|k| matches!(k, EventKind::SanctionsImposed { .. })));
    key("First pledge", first(|k| matches!(k, EventKind::DefencePledged { .. })));
    key("First deployment", first(|k| matches!(k, EventKind::ForcesDeployed { .. } | EventKind::InterventionLaunched { .. })));
    key("End", Some(last_day));
    key_dates.sort_by_key(|k| k.1);

    let mut groups: Vec<(String, String)> = Vec::new();
    for a in &scenario.actors {
        if let ActorDef::Organisation(o) = a {
            groups.push((o.id.to_string(), o.name.clone()));
        }
    }
    for t in &scenario.treaties {
        groups.push((t.id.to_string(), t.short_name.clone()));
    }
    #[derive(Serialize)]
    struct Data<'a> {
        frames: &'a [Frame],
        dates: &'a [String],
    }
    let data = serde_json::to_string(&Data { frames: &frames, dates: &dates }).expect("the map's data serialises");
    let data = data.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    Ok(Some(MapPanel {
        width,
        height,
        context,
        actors,
        links,
        schematic,
        shown: frames.len().saturating_sub(1),
        frames,
        last_day,
        key_dates,
        groups,
        data,
    }))
}

/// The page's script for the map (`templates/map.js`): it shows the frame of the date chosen.
const SCRIPT: &str = include_str!("../../templates/map.js");

/// The map panel's HTML (`templates/map.html`), showing the last frame (the end of the run).
pub fn map_html(p: &MapPanel) -> String {
    let frame = &p.frames[p.shown];
    let actors = p
        .actors
        .iter()
        .map(|a| {
            let f = frame.actors.get(&a.id);
            ActorView {
                id: &a.id,
                class: f.map(|f| f.class.as_str()).unwrap_or("st"),
                title: f.map(|f| f.title.clone()).unwrap_or_else(|| format!("{} ({})", a.name, a.id)),
                mark: f.map(|f| f.mark.as_str()).unwrap_or(""),
                shape: &a.shape,
                x: a.x,
                y: a.y,
                partner: a.partner,
            }
        })
        .collect();
    let shown: BTreeMap<usize, &str> = frame.links.iter().map(|(i, label)| (*i, label.as_str())).collect();
    let links = p
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| LinkView {
            kind: l.kind,
            path: &l.path,
            lx: l.lx,
            ly: l.ly,
            shown: shown.contains_key(&i),
            label: shown.get(&i).copied().unwrap_or(""),
        })
        .collect();
    let shown_date = p.key_dates.iter().find(|k| k.1 == p.last_day).map(|k| k.2.clone()).unwrap_or_default();
    let view = MapView { p, actors, links, lines: &frame.lines, shown_date, script: SCRIPT };
    view.render().expect("the map's template renders (its values never fail to format)")
}

/// What the page says instead of a map, when there is none ([`run_map`] gave None).
pub fn no_map_html() -> String {
    format!(
        "<h2 id=\"map\">Map</h2>\n<p class=\"meta\">No map: more than {MAX_SCHEMATIC} states of this scenario have no shipped outline, \
         too many to draw as circles.</p>\n"
    )
}

/// The map panel's template (`templates/map.html`).
#[derive(Template)]
#[template(path = "map.html")]
struct MapView<'a> {
    p: &'a MapPanel,
    actors: Vec<ActorView<'a>>,
    links: Vec<LinkView<'a>>,
    lines: &'a [String],
    shown_date: String,
    script: &'static str,
}

struct ActorView<'a> {
    id: &'a str,
    class: &'a str,
    title: String,
    mark: &'a str,
    shape: &'a Shape,
    x: f64,
    y: f64,
    partner: bool,
}

struct LinkView<'a> {
    kind: &'static str,
    path: &'a str,
    lx: f64,
    ly: f64,
    shown: bool,
    label: &'a str,
}

fn circle(header: &Header, id: &Id, partner: bool, x: f64, y: f64) -> ActorShape {
    ActorShape { id: id.to_string(), name: header.name_of(id).to_string(), shape: Shape::Circle(RADIUS), x, y, partner }
}

/// An arrow from a to b (label points; circles are left at their edge), bending to its left.
fn arrow(kind: &'static str, a: (f64, f64, bool), b: (f64, f64, bool)) -> LinkShape {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / length, dy / length);
    let start_gap = if a.2 { RADIUS + 2.0 } else { 10.0 };
    let end_gap = if b.2 { RADIUS + 4.0 } else { 14.0 };
    let (sx, sy) = (a.0 + ux * start_gap, a.1 + uy * start_gap);
    let (ex, ey) = (b.0 - ux * end_gap, b.1 - uy * end_gap);
    // Bend to the left by a share of the length, so arrows both ways between two states do not
    // overlap; pledges bend the other way, off the forces that may follow them.
    let bend = length * if kind == "pledge" { -0.18 } else { 0.2 };
    let (cx, cy) = ((sx + ex) / 2.0 + uy * bend, (sy + ey) / 2.0 - ux * bend);
    // The label sits a third of the way from the source, so the labels of arrows converging on
    // one state do not pile up at it.
    let t = 1.0 / 3.0;
    let (a0, a1, a2) = ((1.0 - t) * (1.0 - t), 2.0 * (1.0 - t) * t, t * t);
    let (lx, ly) = (a0 * sx + a1 * cx + a2 * ex, a0 * sy + a1 * cy + a2 * ey);
    LinkShape { kind, path: format!("M{sx:.1} {sy:.1}Q{cx:.1} {cy:.1} {ex:.1} {ey:.1}"), lx, ly }
}

/// Path data moved by (dx, dy): its absolute commands are the `M`s (the rest are relative).
fn shift_path(d: &str, dx: f64, dy: f64) -> String {
    let mut out = String::with_capacity(d.len() + 16);
    for (i, part) in d.split('M').enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        let end = part.find('l').unwrap_or(part.len());
        let mut xy = part[..end].split(' ').filter_map(|v| v.parse::<f64>().ok());
        let (x, y) = (xy.next().unwrap_or(0.0), xy.next().unwrap_or(0.0));
        out.push_str(&format!("M{:.1} {:.1}", x + dx, y + dy));
        out.push_str(&part[end..]);
    }
    out
}

/// One arrow of a situation.
#[derive(Debug, Clone, PartialEq)]
struct Link {
    kind: &'static str,
    from: Id,
    to: Id,
    troops: u32,
    /// For an intervention, the organisation.
    org: Id,
}

/// One state's situation.
#[derive(Debug, Clone, PartialEq, Default)]
struct StateSituation {
    regime: Option<Regime>,
    coup_day: Option<u32>,
    /// (organisation, measures in force, economic severity)
    sanctions: Vec<(Id, Vec<String>, f64)>,
    suspended_by: Vec<Id>,
    pledged_by: Vec<Id>,
    redeployed: u32,
}

/// An organisation or treaty on a day.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    id: Id,
    name: String,
    members: Vec<Id>,
    suspended: Vec<Id>,
    in_force: bool,
}

/// What the map shows on a day, as read from the folded world.
#[derive(Debug, Clone, PartialEq, Default)]
struct Situation {
    states: BTreeMap<Id, StateSituation>,
    links: Vec<Link>,
    /// Organisations and treaties: (id, name, members, suspended, in force).
    groups: Vec<Group>,
}

impl Situation {
    fn read(
        world: &mut bevy_ecs::world::World,
        index: &crate::model::state::ActorIndex,
        states: &[Id],
        partners: &[Id],
        coups: &BTreeMap<Id, u32>,
        contributors: &BTreeMap<(Id, Id), Vec<Id>>,
    ) -> Situation {
        let mut s = Situation::default();
        for id in states {
            let Some(p) = index.get(id).and_then(|e| world.get::<Polity>(*e)) else { continue };
            s.states.insert(
                id.clone(),
                StateSituation {
                    regime: Some(p.regime),
                    coup_day: coups.get(id).copied(),
                    pledged_by: p.pledged_by.iter().cloned().collect(),
                    redeployed: p.redeployed,
                    ..Default::default()
                },
            );
            for ally in p.pledged_by.iter() {
                s.links.push(Link { kind: "pledge", from: ally.clone(), to: id.clone(), troops: 0, org: Id::default() });
            }
        }
        for (target, crisis) in &world.resource::<Crises>().0 {
            for (org, r) in &crisis.responses {
                if !r.measures.is_empty()
                    && let Some(st) = s.states.get_mut(target)
                {
                    st.sanctions.push((org.clone(), r.measures.iter().map(|m| words(&format!("{m:?}"))).collect(), r.severity));
                }
                if r.intervention.as_ref().is_some_and(|i| i.ended.is_none()) {
                    let from = contributors.get(&(org.clone(), target.clone())).cloned().unwrap_or_default();
                    for c in from {
                        let troops = r.pledges.get(&c).copied().unwrap_or(0);
                        s.links.push(Link { kind: "intervention", from: c, to: target.clone(), troops, org: org.clone() });
                    }
                }
            }
        }
        for ((party, beneficiary), d) in &world.resource::<Defence>().deployments {
            if d.stage == Stage::Deployed {
                s.links.push(Link { kind: "deploy", from: party.clone(), to: beneficiary.clone(), troops: d.troops, org: Id::default() });
            }
        }
        for id in partners {
            let Some(p) = index.get(id).and_then(|e| world.get::<PartnerState>(*e)) else { continue };
            for (host, troops) in &p.forces {
                if *troops > 0 {
                    s.links.push(Link { kind: "partner", from: id.clone(), to: host.clone(), troops: *troops, org: Id::default() });
                }
            }
        }
        let orgs: Vec<(Id, bevy_ecs::entity::Entity)> = index.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (id, entity) in orgs {
            if let Some(o) = world.get::<OrgState>(entity) {
                for m in &o.suspended {
                    if let Some(st) = s.states.get_mut(m) {
                        st.suspended_by.push(id.clone());
                    }
                }
                let name = world.get::<crate::model::state::OrgProfile>(entity).map(|p| p.0.name.clone()).unwrap_or_default();
                s.groups.push(Group {
                    id,
                    name,
                    members: o.members.iter().cloned().collect(),
                    suspended: o.suspended.iter().cloned().collect(),
                    in_force: true,
                });
            }
        }
        for (id, t) in &world.resource::<Treaties>().by_id {
            s.groups.push(Group {
                id: id.clone(),
                name: t.def.short_name.clone(),
                members: t.members.iter().cloned().collect(),
                suspended: vec![],
                in_force: t.in_force,
            });
        }
        s
    }

    fn frame(
        &self,
        day: u32,
        header: &Header,
        focus: &str,
        start: Date,
        link_index: &BTreeMap<(&'static str, Id, Id), usize>,
        actors: &[ActorShape],
    ) -> Frame {
        let name = |id: &str| short_name(header, id);
        let on = |d: u32| human_date(start.plus_days(i64::from(d)));
        let mut frame_actors = BTreeMap::new();
        let allies: BTreeSet<&Id> = self.links.iter().filter(|l| l.kind != "partner").map(|l| &l.from).collect();
        for a in actors {
            let mut class = vec!["st"];
            let mut said: Vec<String> = Vec::new();
            let mut mark = String::new();
            if a.partner {
                class.push("partner");
                said.push("external partner".into());
            }
            if a.id == focus {
                class.push("focus");
                said.push("the focus of the scenario".into());
            }
            if let Some(st) = self.states.get(a.id.as_str()) {
                let economic: Vec<&(Id, Vec<String>, f64)> = st.sanctions.iter().filter(|x| x.2 > 0.0).collect();
                if !economic.is_empty() {
                    class.push("sanctioned");
                    for (org, measures, severity) in &economic {
                        said.push(format!("under {} sanctions (severity {severity:.2}: {})", name(org), join_and(measures)));
                    }
                } else if !st.sanctions.is_empty() {
                    class.push("targeted");
                    for (org, measures, _) in &st.sanctions {
                        said.push(format!("under {} targeted measures ({})", name(org), join_and(measures)));
                    }
                }
                if !st.suspended_by.is_empty() {
                    class.push("suspended");
                    said.push(format!("suspended from {}", join_and(&st.suspended_by.iter().map(|o| name(o)).collect::<Vec<_>>())));
                }
                if allies.contains(&Id::from(a.id.as_str())) {
                    class.push("ally");
                }
                if st.regime == Some(Regime::Junta) {
                    class.push("junta");
                    said.push("military government".into());
                } else if st.regime == Some(Regime::Transitional) {
                    said.push("in transition".into());
                }
                if let Some(d) = st.coup_day {
                    class.push("coup");
                    mark = format!("coup {}", on(d));
                    said.push(format!("coup on {}", on(d)));
                }
                if !st.pledged_by.is_empty() {
                    said.push(format!("defence pledged by {}", join_and(&st.pledged_by.iter().map(|o| name(o)).collect::<Vec<_>>())));
                }
                if st.redeployed > 0 {
                    said.push(format!("{} troops moved to its borders", thousands(st.redeployed)));
                }
            }
            for l in self.links.iter().filter(|l| l.from == a.id.as_str()) {
                said.push(link_sentence(l, &name, true));
            }
            for l in self.links.iter().filter(|l| l.to == a.id.as_str() && l.kind != "pledge") {
                said.push(link_sentence(l, &name, false));
            }
            let title =
                if said.is_empty() { format!("{} ({})", a.name, a.id) } else { format!("{} ({}): {}", a.name, a.id, said.join("; ")) };
            frame_actors.insert(a.id.clone(), ActorFrame { class: class.join(" "), title, mark });
        }
        let links = self
            .links
            .iter()
            .filter_map(|l| {
                let i = *link_index.get(&(l.kind, l.from.clone(), l.to.clone()))?;
                Some((i, if l.troops > 0 { thousands(l.troops) } else { String::new() }))
            })
            .collect();
        Frame { day, actors: frame_actors, links, lines: self.lines(&name, &on), groups: self.group_members() }
    }

    /// The situation in sentences, one per theme, for the text beside the map.
    fn lines(&self, name: &dyn Fn(&str) -> String, on: &dyn Fn(u32) -> String) -> Vec<String> {
        let mut lines = Vec::new();
        let list = |ids: Vec<String>| join_and(&ids);
        let sanctioned: Vec<String> = self
            .states
            .iter()
            .flat_map(|(id, st)| {
                st.sanctions.iter().map(move |(org, m, sev)| {
                    let kind = if *sev > 0.0 { format!("sanctions, severity {sev:.2}") } else { "targeted measures".into() };
                    format!("{} by {} ({kind}: {})", name(id), name(org), join_and(m))
                })
            })
            .collect();
        if !sanctioned.is_empty() {
            lines.push(format!("Under sanctions: {}.", sanctioned.join("; ")));
        }
        let suspended: Vec<String> = self
            .states
            .iter()
            .filter(|(_, st)| !st.suspended_by.is_empty())
            .map(|(id, st)| format!("{} from {}", name(id), list(st.suspended_by.iter().map(|o| name(o)).collect())))
            .collect();
        if !suspended.is_empty() {
            lines.push(format!("Suspended: {}.", suspended.join("; ")));
        }
        let juntas: Vec<String> = self
            .states
            .iter()
            .filter(|(_, st)| st.regime == Some(Regime::Junta))
            .map(|(id, st)| match st.coup_day {
                Some(d) => format!("{} (coup on {})", name(id), on(d)),
                None => name(id),
            })
            .collect();
        if !juntas.is_empty() {
            lines.push(format!("Military governments: {}.", list(juntas)));
        }
        let restored: Vec<String> = self
            .states
            .iter()
            .filter(|(_, st)| st.coup_day.is_some() && st.regime != Some(Regime::Junta))
            .map(|(id, st)| format!("{} (coup on {})", name(id), on(st.coup_day.unwrap_or(0))))
            .collect();
        if !restored.is_empty() {
            lines.push(format!("Coups no longer in power or in transition: {}.", list(restored)));
        }
        let mut forces: BTreeMap<(&Id, &Id), Vec<String>> = BTreeMap::new();
        for l in self.links.iter().filter(|l| l.kind == "intervention") {
            forces.entry((&l.org, &l.to)).or_default().push(format!("{} {}", name(&l.from), thousands(l.troops)));
        }
        for ((org, target), parts) in forces {
            lines.push(format!("{} force in the field in {}: {}.", name(org), name(target), join_and(&parts)));
        }
        for (kind, head) in
            [("pledge", "Defence pledges"), ("deploy", "Forces deployed under defence clauses"), ("partner", "Partners' forces stationed")]
        {
            let of: Vec<String> = self.links.iter().filter(|l| l.kind == kind).map(|l| link_sentence(l, name, true)).collect();
            if !of.is_empty() {
                lines.push(format!("{head}: {}.", of.join("; ")));
            }
        }
        for Group { name: group, members, suspended, in_force, .. } in &self.groups {
            let mut text = format!("{group}: {}", list(members.iter().map(|m| name(m)).collect()));
            if !suspended.is_empty() {
                text.push_str(&format!(" ({} suspended)", list(suspended.iter().map(|m| name(m)).collect())));
            }
            if !in_force {
                text.push_str(" (not yet in force)");
            }
            text.push('.');
            lines.push(text);
        }
        lines
    }

    fn group_members(&self) -> BTreeMap<String, Vec<String>> {
        self.groups.iter().map(|g| (g.id.to_string(), g.members.iter().map(|m| m.to_string()).collect())).collect()
    }
}

/// 12345 as "12,345".
fn thousands(n: u32) -> String {
    crate::analysis::plain::thousands(u64::from(n))
}

fn link_sentence(l: &Link, name: &dyn Fn(&str) -> String, from_side: bool) -> String {
    let troops = thousands(l.troops);
    match (l.kind, from_side) {
        ("pledge", _) => format!("{} pledged to defend {}", name(&l.from), name(&l.to)),
        ("deploy", true) => format!("{} has {troops} troops in {}", name(&l.from), name(&l.to)),
        ("deploy", false) => format!("{troops} troops of {} here", name(&l.from)),
        ("intervention", true) => format!("{} has {troops} troops in the {} force in {}", name(&l.from), name(&l.org), name(&l.to)),
        ("intervention", false) => format!("{troops} troops of {} in the {} force here", name(&l.from), name(&l.org)),
        (_, true) => format!("{} has {troops} troops in {}", name(&l.from), name(&l.to)),
        (_, false) => format!("{troops} troops of {} stationed here", name(&l.from)),
    }
}

/// An actor's name, or its code when the name is long ("ECOWAS" for the Economic Community of
/// West African States), as the chart legends name them.
fn short_name(header: &Header, id: &str) -> String {
    let name = header.name_of(id);
    if name.is_empty() || name.chars().count() > crate::analysis::plain::LONG_NAME { id.to_string() } else { name.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_outlines_parse_and_cover_the_region() {
        let o: Outlines = serde_json::from_str(OUTLINES).unwrap();
        for code in ["NER", "NGA", "MLI", "BFA", "SEN", "CPV", "GMB", "TCD", "CMR", "GAB", "COD", "AGO", "STP", "RWA", "BDI"] {
            let c = &o.countries[code];
            assert!(c.path.starts_with('M') && c.path.ends_with('z'), "{code}");
            assert!(c.bbox[0] <= c.label[0] && c.label[0] <= c.bbox[2] && c.bbox[1] <= c.label[1] && c.label[1] <= c.bbox[3], "{code}");
        }
        assert!(OUTLINES.len() < 300_000);
    }

    #[test]
    fn paths_shift_by_their_absolute_moves() {
        assert_eq!(shift_path("M1 2l3 4 5 6zM10 20l1 1z", 5.0, -1.0), "M6.0 1.0l3 4 5 6zM15.0 19.0l1 1z");
        assert_eq!(thousands(1500), "1,500");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
