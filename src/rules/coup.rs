//! Whether a coup holds. The army's loyalty to the deposed ruler is weighed against the
//! junta's cohesion; a failing coup is reversed by loyal forces after a delay.

use crate::model::draw::{Purpose, logistic};
use crate::model::event::EventKind;
use crate::model::scenario::UcgForm;
use crate::rules::context::Ctx;

use crate::model::timers::Step;
use crate::rules::timers;
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
        resolve_coups(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &[Step::Reversal]
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// Rule citation for coup outcomes.
pub const RULE: &str = "coup outcome (army loyalty vs junta cohesion)";

/// Rule citation for a ruler who holds on to power: it holds from the first day.
pub const RULE_RETENTION: &str = "unconstitutional retention of power (AU ACDEG Art. 23(4)-(5)): the ruler holds the state";

/// Decides each new coup's fate and reverses failing coups once their reversal day has come
/// (`Step::Reversal`), in state order, while their crisis is open.
pub fn resolve_coups(ctx: &mut Ctx, f: &Facts) {
    let states = &f.states;
    let fresh = ctx.fresh();
    for ev in fresh.iter() {
        let EventKind::CoupStaged { state, form, .. } = &ev.kind else { continue };
        let Some((prof, _)) = ctx.fixed.index.get(state).and_then(|e| states.get(*e).ok()) else { continue };
        if *form != UcgForm::Military {
            // A ruler holding on to power already holds the state: nothing to fail.
            ctx.emit(EventKind::CoupConsolidated { state: state.clone() }, Some(ev.seq), RULE_RETENTION);
            continue;
        }
        let params = &ctx.fixed().params;
        let x = params.coup_fail_intercept + params.coup_loyalty_weight * (prof.0.army_loyalty - prof.0.cohesion);
        let fails = ctx.chance(Purpose::CoupOutcome, &[super::k(state), ev.seq], logistic(x), || {
            format!(
                "the coup fails: logistic(coup.fail_intercept {} + coup.loyalty_weight {} x (army loyalty {} - junta cohesion {}))",
                params.coup_fail_intercept, params.coup_loyalty_weight, prof.0.army_loyalty, prof.0.cohesion
            )
        });
        let kind = if fails {
            EventKind::CoupFailing {
                state: state.clone(),
                reversal_day: ctx.day().saturating_add(crate::model::params::Params::days(ctx.fixed.params.coup_reversal_delay_days)),
            }
        } else {
            EventKind::CoupConsolidated { state: state.clone() }
        };
        ctx.emit(kind, Some(ev.seq), RULE);
    }
    for (key, t) in f.timers.of(Step::Reversal) {
        let state = &key.a;
        let Some(crisis) = f.crises.0.get(state) else { continue };
        if ctx.fixed.index.get(state).and_then(|e| states.get(*e).ok()).is_none() {
            continue;
        }
        if timers::reached_by(ctx, f, key, t) && crisis.resolved_day.is_none() {
            ctx.emit(
                EventKind::OrderRestored { state: state.clone(), how: "coup reversed by loyal forces".into() },
                Some(crisis.coup_seq),
                RULE,
            );
        }
    }
}
