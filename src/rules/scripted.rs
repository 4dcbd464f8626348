//! Scripted events from the scenario's timeline, and treaties entering into force on their
//! dates. Scripted events carry rule "scenario" and no cause.

use bevy_ecs::prelude::*;

use crate::model::date::Date;
use crate::model::event::{EventKind, SCENARIO_RULE};
use crate::model::scenario::{AttackKind, ScriptedEvent};
use crate::model::state::{Crises, Id, OrgProfile, OrgState, PartnerProfile, PartnerState, Polity, StateProfile, Treaties};
use crate::rules::context::Ctx;

use crate::model::timers::Step;
use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "scripted";

/// Scripted events and treaties entering into force.
pub struct ScriptedRules;

impl RuleModule for ScriptedRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        emit_scripted_events(ctx, &f.timeline, &f.treaties, &f.crises, &f.states, &f.orgs, &f.partners);
    }

    fn steps(&self) -> &'static [Step] {
        &[]
    }

    fn next_computed(&self, ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &f.timeline, &f.treaties, &ctx.clock)
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// The timeline, lowered to days, in (day, file order).
#[derive(Resource, Debug, Clone, Default)]
pub struct Timeline(pub Vec<(u32, ScriptedEvent)>);

impl Timeline {
    /// Lowers a validated scenario's timeline.
    pub fn from_scenario(s: &crate::model::scenario::Scenario) -> Timeline {
        let start = s.start_date();
        let mut v: Vec<(u32, ScriptedEvent)> =
            s.timeline.iter().map(|t| (Date::parse(&t.date).expect("validated").days_since(start) as u32, t.event.clone())).collect();
        v.sort_by_key(|(d, _)| *d);
        Timeline(v)
    }
}

fn treaty_in_force_day(ctx: &Ctx, t: &crate::model::state::TreatyState) -> Option<u32> {
    let d = Date::parse(t.def.in_force.as_deref()?).ok()?;
    u32::try_from(d.days_since(ctx.clock.start)).ok()
}

/// Emits today's scripted events and treaty entries into force, in round 0: first the treaties
/// whose entry-into-force date is today (`enter_treaties_into_force`), then the timeline's events
/// for today in file order (`scripted_kind`), which cite the scenario and have no cause.
#[allow(clippy::too_many_arguments)]
pub fn emit_scripted_events(
    ctx: &mut Ctx,
    timeline: &Timeline,
    treaties: &Treaties,
    crises: &Crises,
    states: &Query<(&StateProfile, &Polity)>,
    orgs: &Query<(&OrgProfile, &OrgState)>,
    partners: &Query<(&PartnerProfile, &PartnerState)>,
) {
    if !ctx.first_round() {
        return;
    }
    enter_treaties_into_force(ctx, treaties);
    let day = ctx.day();
    for (_, ev) in super::entries_of(&timeline.0, &day) {
        if let Some(kind) = scripted_kind(ctx, ev, treaties, crises, states, orgs, partners) {
            ctx.emit(kind, None, SCENARIO_RULE);
        }
    }
}

/// Which treaties not yet in force enter into force today, by the date in their definition.
/// Proposes each, in treaty id order and without cause, citing the treaty's entry into force.
fn enter_treaties_into_force(ctx: &mut Ctx, treaties: &Treaties) {
    let day = ctx.day();
    for (id, t) in &treaties.by_id {
        if !t.in_force && treaty_in_force_day(ctx, t) == Some(day) {
            let rule = crate::format_id!("{} entry into force", t.def.short_name);
            ctx.emit(EventKind::TreatyInForce { treaty: id.clone() }, None, rule);
        }
    }
}

/// The event a scripted step becomes today, with what the timeline leaves out worked out from
/// the state: a terrorist attack's civilian dead, the aid a partner suspends, an intervention's
/// contributors, a withdrawal's notice, expelled forces and their deadline. None for the
/// signing of a treaty already in force.
fn scripted_kind(
    ctx: &Ctx,
    ev: &ScriptedEvent,
    treaties: &Treaties,
    crises: &Crises,
    states: &Query<(&StateProfile, &Polity)>,
    orgs: &Query<(&OrgProfile, &OrgState)>,
    partners: &Query<(&PartnerProfile, &PartnerState)>,
) -> Option<EventKind> {
    let day = ctx.day();
    let kind = match ev {
        ScriptedEvent::Coup { state, leader, form, claimant } => {
            EventKind::CoupStaged { state: state.clone(), leader: leader.clone(), form: *form, claimant: claimant.clone() }
        }
        ScriptedEvent::Attack { attacker, target, location, kind, troops, deaths } => {
            let civilian = civilian_deaths(ctx, *kind, *deaths);
            EventKind::AttackOccurred {
                attacker: attacker.clone(),
                target: target.clone(),
                location: location.clone().unwrap_or_else(|| target.clone()),
                attack: *kind,
                troops: *troops,
                deaths_military: deaths - civilian,
                deaths_civilian: civilian,
            }
        }
        ScriptedEvent::TreatySigned { treaty } => {
            if treaties.by_id.get(treaty).is_some_and(|t| t.in_force) {
                return None;
            }
            EventKind::TreatyInForce { treaty: treaty.clone() }
        }
        ScriptedEvent::SanctionsImposed { org, target, measures } => EventKind::SanctionsImposed {
            org: org.clone(),
            target: target.clone(),
            measures: measures.clone(),
            severity: crate::model::economics::package_severity(measures.iter()),
        },
        ScriptedEvent::AidSuspended { partner, recipient } => {
            let amount = aid_to(ctx, partners, partner, recipient);
            EventKind::AidSuspended { partner: partner.clone(), recipient: recipient.clone(), amount_musd: amount }
        }
        ScriptedEvent::InterventionLaunched { org, target } => {
            let contributors = intervention_contributors(ctx, crises, states, orgs, org, target);
            EventKind::InterventionLaunched {
                org: org.clone(),
                target: target.clone(),
                troops: contributors.iter().map(|(_, t)| t).sum(),
                contributors: contributors.into_iter().map(|(m, _)| m).collect(),
            }
        }
        ScriptedEvent::WithdrawalAnnounced { state, from } => {
            let notice = withdrawal_notice(ctx, treaties, orgs, from);
            EventKind::WithdrawalAnnounced { state: state.clone(), from: from.clone(), effective_day: day.saturating_add(notice) }
        }
        ScriptedEvent::ForcesExpelled { state, partner } => {
            let (troops, days) = forces_hosted(ctx, partners, partner, state);
            EventKind::ForcesExpelled { state: state.clone(), partner: partner.clone(), troops, leave_by_day: day.saturating_add(days) }
        }
        ScriptedEvent::AssistanceRequested { state, treaty } => {
            EventKind::AssistanceRequested { state: state.clone(), treaty: treaty.clone() }
        }
    };
    Some(kind)
}

/// How many of a scripted attack's dead are civilians: the `armed.civilian_share` of a
/// terrorist attack's, none of any other's.
fn civilian_deaths(ctx: &Ctx, kind: AttackKind, deaths: u32) -> u32 {
    if kind == AttackKind::Terrorist { (f64::from(deaths) * ctx.fixed.params.armed_civilian_share).round() as u32 } else { 0 }
}

/// The aid (million USD) a partner gives a recipient, which a scripted suspension suspends.
fn aid_to(ctx: &Ctx, partners: &Query<(&PartnerProfile, &PartnerState)>, partner: &Id, recipient: &Id) -> f64 {
    ctx.fixed.index.get(partner).and_then(|e| partners.get(*e).ok()).and_then(|(p, _)| p.0.aid_musd.get(recipient).copied()).unwrap_or(0.0)
}

/// Who sends how many troops in a scripted intervention: the organisation's pledges if there are
/// any; otherwise each member in good standing other than the target and juntas, with its
/// `intervention.pledge_share` of available troops (if that rounds to any).
fn intervention_contributors(
    ctx: &Ctx,
    crises: &Crises,
    states: &Query<(&StateProfile, &Polity)>,
    orgs: &Query<(&OrgProfile, &OrgState)>,
    org: &Id,
    target: &Id,
) -> Vec<(Id, u32)> {
    let pledges = crises.0.get(target).and_then(|c| c.responses.get(org)).map(|r| r.pledges.clone()).unwrap_or_default();
    if !pledges.is_empty() {
        return pledges.into_iter().collect();
    }
    let members = ctx.fixed.index.get(org).and_then(|e| orgs.get(*e).ok()).map(|(_, s)| s.members.clone()).unwrap_or_default();
    members
        .iter()
        .filter(|m| *m != target)
        .filter_map(|m| {
            let (def, pol) = ctx.fixed.index.get(m).and_then(|e| states.get(*e).ok())?;
            let troops =
                (f64::from(crate::rules::available_troops(&def.0, pol)) * ctx.fixed.params.intervention_pledge_share).round() as u32;
            (pol.regime != crate::model::scenario::Regime::Junta && troops > 0).then(|| (m.clone(), troops))
        })
        .collect()
}

/// The notice (days) a withdrawal from a treaty or an organisation takes to become effective:
/// the treaty's if `from` is a treaty, else the organisation's, else none.
fn withdrawal_notice(ctx: &Ctx, treaties: &Treaties, orgs: &Query<(&OrgProfile, &OrgState)>, from: &Id) -> u32 {
    treaties
        .by_id
        .get(from)
        .map(|t| t.def.withdrawal_notice_days)
        .unwrap_or_else(|| ctx.fixed.index.get(from).and_then(|e| orgs.get(*e).ok()).map(|(o, _)| o.0.withdrawal_notice_days).unwrap_or(0))
}

/// A partner's troops in a host state and the days it takes to withdraw them, for a scripted
/// expulsion (none and none for an unknown partner).
fn forces_hosted(ctx: &Ctx, partners: &Query<(&PartnerProfile, &PartnerState)>, partner: &Id, host: &Id) -> (u32, u32) {
    ctx.fixed
        .index
        .get(partner)
        .and_then(|e| partners.get(*e).ok())
        .map(|(p, s)| (s.forces.get(host).copied().unwrap_or(0), p.0.withdrawal_days))
        .unwrap_or((0, 0))
}

/// Next scripted day or treaty entry into force.
pub fn next_due(after: u32, timeline: &Timeline, treaties: &Treaties, clock: &crate::model::world::Clock) -> Option<u32> {
    // The timeline is in day order: the first entry after `after` is found by binary search.
    let scripted = timeline.0.get(timeline.0.partition_point(|(d, _)| *d <= after)).map(|(d, _)| *d);
    let treaty = treaties
        .by_id
        .values()
        .filter(|t| !t.in_force)
        .filter_map(|t| Date::parse(t.def.in_force.as_deref()?).ok())
        .filter_map(|d| u32::try_from(d.days_since(clock.start)).ok())
        .filter(|d| *d > after)
        .min();
    crate::rules::earliest([scripted, treaty])
}
