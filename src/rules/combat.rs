//! Fighting between an intervention and the target's defenders: an intervention is an attack
//! on the target (so it can engage the target's defence clauses); each round applies a
//! Lanchester square-law attrition with noise, until the defenders break (success), the
//! attackers lose too much (withdrawal), or the round limit passes (stalemate).

use bevy_ecs::prelude::*;
use rand::RngExt;

use crate::model::draw::Purpose;
use crate::model::event::{CombatOutcome, EventKind};
use crate::model::params::Params;
use crate::model::scenario::AttackKind;
use crate::model::state::{Crises, Defence, OrgProfile, Polity, Stage, StateProfile};
use crate::rules::context::Ctx;
use crate::rules::{effective_defenders, k};

use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "combat";

/// Fighting between an intervening force and the defenders.
pub struct CombatRules;

impl RuleModule for CombatRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        fight_interventions(ctx, &f.crises, &f.defence, &f.states, &f.orgs);
    }

    fn next_due(&self, ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &ctx.fixed.params, &f.crises)
    }

    fn reuses_due_day(&self) -> bool {
        true
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// Rule citation for the attrition model.
pub const RULE: &str = "combat model (Lanchester square law)";

/// Launch turns into an attack; rounds of fighting on their cadence.
pub fn fight_interventions(
    ctx: &mut Ctx,
    crises: &Crises,
    defence: &Defence,
    states: &Query<(&StateProfile, &Polity)>,
    orgs: &Query<(&OrgProfile, &crate::model::state::OrgState)>,
) {
    let day = ctx.day();
    let fresh = ctx.fresh();
    for ev in fresh.iter() {
        let EventKind::InterventionLaunched { org, target, troops, .. } = &ev.kind else { continue };
        let rule = ctx
            .fixed
            .index
            .get(org)
            .and_then(|e| orgs.get(*e).ok())
            .and_then(|(o, _)| o.0.ucg.as_ref().map(|u| u.intervention_article.clone()))
            .unwrap_or_else(|| "use of force".into());
        ctx.emit(
            EventKind::AttackOccurred {
                attacker: org.clone(),
                target: target.clone(),
                location: target.clone(),
                attack: AttackKind::Invasion,
                troops: *troops,
                deaths_military: 0,
                deaths_civilian: 0,
            },
            Some(ev.seq),
            crate::format_id!("{rule} (armed intervention)"),
        );
    }
    if !ctx.first_round() {
        return;
    }
    let round_days = Params::days(ctx.fixed.params.combat_round_days);
    for (target, crisis) in &crises.0 {
        let Some((tdef, tpol)) = ctx.fixed.index.get(target).and_then(|e| states.get(*e).ok()) else { continue };
        for (org, resp) in &crisis.responses {
            let Some(iv) = &resp.intervention else { continue };
            if iv.ended.is_some() || day < iv.last_round_day + round_days {
                continue;
            }
            let allied: u32 =
                defence.deployments.iter().filter(|((_, b), d)| b == target && d.stage == Stage::Deployed).map(|(_, d)| d.troops).sum();
            let attackers = f64::from(iv.attacker_strength);
            let defenders = effective_defenders(tpol, tdef.0.cohesion) + f64::from(allied);
            let round = iv.rounds + 1;
            let mut rng = ctx.fixed.draws.0.stream(Purpose::Combat, &[k(org), k(target), u64::from(round)]);
            let noise = |r: &mut rand_chacha::ChaCha8Rng| 0.7 + 0.6 * r.random::<f64>();
            let defender_losses = (ctx.fixed.params.combat_attacker_lethality * attackers * noise(&mut rng)).round().min(defenders) as u32;
            let attacker_losses = (ctx.fixed.params.combat_defender_lethality * defenders * noise(&mut rng)).round().min(attackers) as u32;
            let civilian_deaths =
                (f64::from(defender_losses + attacker_losses) * ctx.fixed.params.combat_civilian_ratio * noise(&mut rng)).round() as u32;
            let defender_strength = defenders.round() as u32;
            ctx.emit(
                EventKind::CombatRound {
                    org: org.clone(),
                    target: target.clone(),
                    round,
                    attacker_strength: iv.attacker_strength,
                    defender_strength,
                    attacker_losses,
                    defender_losses,
                    civilian_deaths,
                },
                Some(iv.seq),
                RULE,
            );
            let defender_initial = if iv.rounds == 0 { defender_strength } else { iv.defender_initial };
            let break_share =
                (ctx.fixed.params.combat_defender_break_base + ctx.fixed.params.combat_defender_break_cohesion * tdef.0.cohesion).min(1.0);
            let lost_defenders = f64::from(defender_initial) - (defenders - f64::from(defender_losses));
            let outcome = if lost_defenders >= break_share * f64::from(defender_initial) {
                Some(CombatOutcome::Success)
            } else if (iv.attacker_losses + u64::from(attacker_losses)) as f64
                >= ctx.fixed.params.combat_attacker_break * f64::from(iv.initial_troops)
            {
                Some(CombatOutcome::Withdrawal)
            } else if f64::from(round) >= ctx.fixed.params.combat_max_rounds {
                Some(CombatOutcome::Stalemate)
            } else {
                None
            };
            if let Some(outcome) = outcome {
                ctx.emit(EventKind::InterventionEnded { org: org.clone(), target: target.clone(), outcome }, Some(iv.seq), RULE);
                if outcome == CombatOutcome::Success {
                    ctx.emit(
                        EventKind::OrderRestored { state: target.clone(), how: "regime collapsed under intervention".into() },
                        Some(iv.seq),
                        RULE,
                    );
                }
            }
        }
    }
}

/// Next combat round.
pub fn next_due(after: u32, params: &Params, crises: &Crises) -> Option<u32> {
    let step = Params::days(params.combat_round_days);
    crises
        .0
        .values()
        .flat_map(|c| c.responses.values())
        .filter_map(|r| r.intervention.as_ref())
        .filter(|iv| iv.ended.is_none())
        .map(|iv| iv.last_round_day + step)
        .filter(|d| *d > after)
        .min()
}
