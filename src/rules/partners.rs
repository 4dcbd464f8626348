//! External partners: aid suspended after a coup (amount, probability and delay from the
//! scenario), and forces withdrawn once a host state has expelled them.

use crate::model::draw::Purpose;
use crate::model::event::EventKind;
use crate::model::state::Id;
use crate::model::timers::{Step, TimerKey};
use crate::rules::context::Ctx;
use crate::rules::k;

use crate::rules::timers;
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
        suspend_aid_and_withdraw_forces(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &[Step::AidSuspension, Step::PartnerLeaving]
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

fn aid_rule(p: &crate::model::scenario::PartnerDef) -> Id {
    if p.aid_policy.is_empty() { crate::format_id!("{} aid policy (coup clause)", p.name) } else { p.aid_policy.clone() }
}

/// Suspends aid on each partner's delay after a coup (`Step::AidSuspension`), and completes
/// expulsions once their deadline has come (`Step::PartnerLeaving`).
pub fn suspend_aid_and_withdraw_forces(ctx: &mut Ctx, f: &Facts) {
    let day = ctx.day();
    // Aid is suspended in round 0 of its due day, or right after a coup consolidates (zero
    // delay): in any other round there is nothing to look at.
    let aid_round = ctx.first_round() || ctx.fresh().iter().any(|e| matches!(e.kind, EventKind::CoupConsolidated { .. }));
    for (target, crisis) in f.crises.0.iter().filter(|_| aid_round) {
        if crisis.resolved_day.is_some() {
            continue;
        }
        let Some(donors) = ctx.fixed().donors_of.0.get(target.as_str()) else { continue };
        let Some(pol) = ctx.fixed.index.get(target).and_then(|e| f.polities.get(*e).ok()) else { continue };
        if pol.junta_since.is_none() {
            continue;
        }
        for (code, prof, st) in donors.iter().filter_map(|e| f.coded_partners.get(*e).ok()) {
            let amount = prof.0.aid_musd.get(target).copied().unwrap_or(0.0);
            if amount <= 0.0 || st.aid_suspended.contains(target) {
                continue;
            }
            let key = TimerKey::new(Step::AidSuspension, &code.0, target);
            let (Some(t), Some(due_day)) = (f.timers.get(&key), timers::day_of(ctx, f, &key)) else { continue };
            let due = if due_day == t.set_day {
                ctx.fresh().iter().any(|e| matches!(&e.kind, EventKind::CoupConsolidated { state } if state == target))
            } else {
                ctx.first_round() && day == due_day && pol.coup_consolidated
            };
            if due
                && ctx.chance(Purpose::AidSuspension, &[k(&code.0), k(target), crisis.coup_seq], prof.0.aid_conditionality, || {
                    format!("{} suspends its aid of {amount} M USD to {target}: its aid conditionality", code.0)
                })
            {
                ctx.emit(
                    EventKind::AidSuspended { partner: code.0.clone(), recipient: target.clone(), amount_musd: amount },
                    Some(crisis.coup_seq),
                    aid_rule(&prof.0),
                );
            }
        }
    }
    for (key, t) in f.timers.of(Step::PartnerLeaving) {
        let (partner, host) = (&key.a, &key.b);
        let Some((_, _, st)) = ctx.fixed.index.get(partner).and_then(|e| f.coded_partners.get(*e).ok()) else { continue };
        if timers::reached_by(ctx, f, key, t) {
            ctx.emit(
                EventKind::ForcesWithdrawn {
                    partner: partner.clone(),
                    from: host.clone(),
                    troops: st.forces.get(host).copied().unwrap_or(0),
                },
                Some(t.set_by),
                "host state's expulsion order",
            );
        }
    }
}
