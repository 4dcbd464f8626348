//! Whether a coup holds. The army's loyalty to the deposed ruler is weighed against the
//! junta's cohesion; a failing coup is reversed by loyal forces after a delay.

use bevy_ecs::prelude::*;

use crate::model::draw::{Purpose, logistic};
use crate::model::event::EventKind;
use crate::model::state::{Crises, Polity, StateProfile};
use crate::rules::context::Ctx;

use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "coup";

/// Coup outcomes: consolidation, failure and reversal by loyal forces.
pub struct CoupRules;

impl RuleModule for CoupRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        resolve_coups(ctx, &f.crises, &f.states);
    }

    fn next_due(&self, _ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &f.polities)
    }

    fn reuses_due_day(&self) -> bool {
        true
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// Rule citation for coup outcomes.
pub const RULE: &str = "coup outcome (army loyalty vs junta cohesion)";

/// Decides each new coup's fate and reverses failing coups on their day.
pub fn resolve_coups(ctx: &mut Ctx, crises: &Crises, states: &Query<(&StateProfile, &Polity)>) {
    let fresh = ctx.fresh();
    for ev in fresh.iter() {
        let EventKind::CoupStaged { state, .. } = &ev.kind else { continue };
        let Some((prof, _)) = ctx.fixed.index.get(state).and_then(|e| states.get(*e).ok()) else { continue };
        let x = ctx.fixed.params.coup_fail_intercept + ctx.fixed.params.coup_loyalty_weight * (prof.0.army_loyalty - prof.0.cohesion);
        let fails = ctx.fixed.draws.0.chance(Purpose::CoupOutcome, &[super::k(state), ev.seq], logistic(x));
        let kind = if fails {
            EventKind::CoupFailing {
                state: state.clone(),
                reversal_day: ctx.day() + crate::model::params::Params::days(ctx.fixed.params.coup_reversal_delay_days),
            }
        } else {
            EventKind::CoupConsolidated { state: state.clone() }
        };
        ctx.emit(kind, Some(ev.seq), RULE);
    }
    for (state, crisis) in &crises.0 {
        let Some((_, p)) = ctx.fixed.index.get(state).and_then(|e| states.get(*e).ok()) else { continue };
        if let Some(rd) = p.reversal_day
            && ctx.day() >= rd
            && crisis.resolved_day.is_none()
        {
            ctx.emit(
                EventKind::OrderRestored { state: state.clone(), how: "coup reversed by loyal forces".into() },
                Some(crisis.coup_seq),
                RULE,
            );
        }
    }
}

/// Next reversal day.
pub fn next_due(after: u32, states: &Query<&Polity>) -> Option<u32> {
    states.iter().filter_map(|p| p.reversal_day).filter(|d| *d > after).min()
}
