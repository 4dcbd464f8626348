//! Scripted events from the scenario's timeline, and treaties entering into force on their
//! dates. Scripted events carry rule "scenario" and no cause.

use bevy_ecs::prelude::*;

use crate::model::date::Date;
use crate::model::event::{EventKind, SCENARIO_RULE};
use crate::model::scenario::{AttackKind, ScriptedEvent};
use crate::model::state::{Crises, Id, OrgProfile, OrgState, PartnerProfile, PartnerState, Polity, StateProfile, Treaties};
use crate::rules::context::Ctx;

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

    fn next_due(&self, ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &f.timeline, &f.treaties, &ctx.clock)
    }

    fn reuses_due_day(&self) -> bool {
        true
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

/// Emits today's scripted events and treaty entries into force.
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
    let day = ctx.day();
    for (id, t) in &treaties.by_id {
        if !t.in_force && treaty_in_force_day(ctx, t) == Some(day) {
            let rule = crate::format_id!("{} entry into force", t.def.short_name);
            ctx.emit(EventKind::TreatyInForce { treaty: id.clone() }, None, rule);
        }
    }
    for (_, ev) in super::entries_of(&timeline.0, &day) {
        let kind = match ev {
            ScriptedEvent::Coup { state, leader } => EventKind::CoupStaged { state: state.clone(), leader: leader.clone() },
            ScriptedEvent::Attack { attacker, target, location, kind, troops, deaths } => {
                let civilian = if *kind == AttackKind::Terrorist {
                    (f64::from(*deaths) * ctx.fixed.params.armed_civilian_share).round() as u32
                } else {
                    0
                };
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
                    continue;
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
                let amount = ctx
                    .fixed
                    .index
                    .get(partner)
                    .and_then(|e| partners.get(*e).ok())
                    .and_then(|(p, _)| p.0.aid_musd.get(recipient).copied())
                    .unwrap_or(0.0);
                EventKind::AidSuspended { partner: partner.clone(), recipient: recipient.clone(), amount_musd: amount }
            }
            ScriptedEvent::InterventionLaunched { org, target } => {
                let pledges = crises.0.get(target).and_then(|c| c.responses.get(org)).map(|r| r.pledges.clone()).unwrap_or_default();
                let contributors: Vec<(Id, u32)> = if pledges.is_empty() {
                    // No pledges yet: members in good standing, other than juntas, send their pledge share.
                    let members =
                        ctx.fixed.index.get(org).and_then(|e| orgs.get(*e).ok()).map(|(_, s)| s.members.clone()).unwrap_or_default();
                    members
                        .iter()
                        .filter(|m| *m != target)
                        .filter_map(|m| {
                            let (_, pol) = ctx.fixed.index.get(m).and_then(|e| states.get(*e).ok())?;
                            let troops = (f64::from(crate::rules::available_troops(pol)) * ctx.fixed.params.intervention_pledge_share)
                                .round() as u32;
                            (pol.regime != crate::model::scenario::Regime::Junta && troops > 0).then(|| (m.clone(), troops))
                        })
                        .collect()
                } else {
                    pledges.into_iter().collect()
                };
                EventKind::InterventionLaunched {
                    org: org.clone(),
                    target: target.clone(),
                    troops: contributors.iter().map(|(_, t)| t).sum(),
                    contributors: contributors.into_iter().map(|(m, _)| m).collect(),
                }
            }
            ScriptedEvent::WithdrawalAnnounced { state, from } => {
                let notice = treaties.by_id.get(from).map(|t| t.def.withdrawal_notice_days).unwrap_or_else(|| {
                    ctx.fixed.index.get(from).and_then(|e| orgs.get(*e).ok()).map(|(o, _)| o.0.withdrawal_notice_days).unwrap_or(0)
                });
                EventKind::WithdrawalAnnounced { state: state.clone(), from: from.clone(), effective_day: day + notice }
            }
            ScriptedEvent::ForcesExpelled { state, partner } => {
                let (troops, days) = ctx
                    .fixed
                    .index
                    .get(partner)
                    .and_then(|e| partners.get(*e).ok())
                    .map(|(p, s)| (s.forces.get(state).copied().unwrap_or(0), p.0.withdrawal_days))
                    .unwrap_or((0, 0));
                EventKind::ForcesExpelled { state: state.clone(), partner: partner.clone(), troops, leave_by_day: day + days }
            }
            ScriptedEvent::AssistanceRequested { state, treaty } => {
                EventKind::AssistanceRequested { state: state.clone(), treaty: treaty.clone() }
            }
        };
        ctx.emit(kind, None, SCENARIO_RULE);
    }
}

/// Next scripted day or treaty entry into force.
pub fn next_due(after: u32, timeline: &Timeline, treaties: &Treaties, clock: &crate::model::world::Clock) -> Option<u32> {
    let scripted = timeline.0.iter().map(|(d, _)| *d).find(|d| *d > after);
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
