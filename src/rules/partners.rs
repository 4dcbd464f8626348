//! External partners: aid suspended after a coup (amount, probability and delay from the
//! scenario), and forces withdrawn once a host state has expelled them.

use bevy_ecs::prelude::*;

use crate::model::draw::Purpose;
use crate::model::event::EventKind;
use crate::model::state::{Code, Crises, DonorsOf, Id, PartnerProfile, PartnerState, Polity};
use crate::rules::context::Ctx;
use crate::rules::k;

use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "partners";

/// External partners: aid suspension and forces leaving.
pub struct PartnerRules;

impl RuleModule for PartnerRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        suspend_aid_and_withdraw_forces(ctx, &f.crises, &f.polities, &f.coded_partners, &ctx.fixed().donors_of);
    }

    fn next_due(&self, ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &f.crises, &f.partners, &ctx.fixed.donors_of)
    }

    fn reuses_due_day(&self) -> bool {
        true
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

fn aid_rule(p: &crate::model::scenario::PartnerDef) -> Id {
    if p.aid_policy.is_empty() { crate::format_id!("{} aid policy (coup clause)", p.name) } else { p.aid_policy.clone() }
}

/// Suspends aid on each partner's delay after a coup, and completes expulsions.
pub fn suspend_aid_and_withdraw_forces(
    ctx: &mut Ctx,
    crises: &Crises,
    states: &Query<&Polity>,
    partners: &Query<(&Code, &PartnerProfile, &PartnerState)>,
    donors_of: &DonorsOf,
) {
    let day = ctx.day();
    // Aid is suspended in round 0 of its due day, or right after a coup consolidates (zero
    // delay): in any other round there is nothing to look at.
    let aid_round = ctx.first_round() || ctx.fresh().iter().any(|e| matches!(e.kind, EventKind::CoupConsolidated { .. }));
    for (target, crisis) in crises.0.iter().filter(|_| aid_round) {
        if crisis.resolved_day.is_some() {
            continue;
        }
        let Some(donors) = donors_of.0.get(target.as_str()) else { continue };
        let Some(pol) = ctx.fixed.index.get(target).and_then(|e| states.get(*e).ok()) else { continue };
        if pol.junta_since.is_none() {
            continue;
        }
        for (code, prof, st) in donors.iter().filter_map(|e| partners.get(*e).ok()) {
            let amount = prof.0.aid_musd.get(target).copied().unwrap_or(0.0);
            if amount <= 0.0 || st.aid_suspended.contains(target) {
                continue;
            }
            let delay = prof.0.aid_suspension_delay_days;
            let due = if delay == 0 {
                ctx.fresh().iter().any(|e| matches!(&e.kind, EventKind::CoupConsolidated { state } if state == target))
            } else {
                ctx.first_round() && day == crisis.coup_day + delay && pol.coup_consolidated
            };
            if due && ctx.fixed.draws.0.chance(Purpose::AidSuspension, &[k(&code.0), k(target), crisis.coup_seq], prof.0.aid_conditionality)
            {
                ctx.emit(
                    EventKind::AidSuspended { partner: code.0.clone(), recipient: target.clone(), amount_musd: amount },
                    Some(crisis.coup_seq),
                    aid_rule(&prof.0),
                );
            }
        }
    }
    let mut list: Vec<(&Code, &PartnerProfile, &PartnerState)> = partners.iter().collect();
    list.sort_by(|a, b| a.0.cmp(b.0));
    for (code, _, st) in &list {
        for (host, leave_by) in &st.leaving {
            if day >= *leave_by {
                let cause = ctx
                    .log
                    .events
                    .iter()
                    .rev()
                    .find(|e| matches!(&e.kind, EventKind::ForcesExpelled { state, partner, .. } if state == host && *partner == code.0))
                    .map(|e| e.seq);
                ctx.emit(
                    EventKind::ForcesWithdrawn {
                        partner: code.0.clone(),
                        from: host.clone(),
                        troops: st.forces.get(host).copied().unwrap_or(0),
                    },
                    cause,
                    "host state's expulsion order",
                );
            }
        }
    }
}

/// Next aid-suspension day or withdrawal deadline.
pub fn next_due(after: u32, crises: &Crises, partners: &Query<(&PartnerProfile, &PartnerState)>, donors_of: &DonorsOf) -> Option<u32> {
    let leaving = partners.iter().flat_map(|(_, st)| st.leaving.values().copied());
    let suspensions = crises.0.iter().filter(|(_, crisis)| crisis.resolved_day.is_none()).flat_map(|(target, crisis)| {
        donors_of.0.get(target.as_str()).into_iter().flatten().filter_map(move |e| {
            let (prof, st) = partners.get(*e).ok()?;
            (!st.aid_suspended.contains(target)).then_some(crisis.coup_day + prof.0.aid_suspension_delay_days)
        })
    });
    leaving.chain(suspensions).filter(|d| *d > after).min()
}
