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
use crate::model::state::{Defence, Id, Intervention, OrgProfile, Polity, Stage};
use crate::model::timers::Step;
use crate::rules::context::Ctx;
use crate::rules::{effective_defenders, k};

use crate::rules::timers;
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
        fight_interventions(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &[Step::CombatRound]
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// Rule citation for the attrition model.
pub const RULE: &str = "combat model (Lanchester square law)";

/// Launch turns into an attack; rounds of fighting on their cadence: each intervention launched
/// in the previous round attacks its target (`attack_on_launch`), and in round 0 every
/// intervention under way whose next round is due (`Step::CombatRound`) fights it
/// (`fight_round`), in (target, organisation) order.
pub fn fight_interventions(ctx: &mut Ctx, f: &Facts) {
    let fresh = ctx.fresh();
    for ev in fresh.iter() {
        let EventKind::InterventionLaunched { org, target, troops, .. } = &ev.kind else { continue };
        attack_on_launch(ctx, &f.orgs, org, target, *troops, ev.seq);
    }
    if !ctx.first_round() {
        return;
    }
    for (key, t) in f.timers.of(Step::CombatRound) {
        let (target, org) = (&key.a, &key.b);
        let Some((tdef, tpol)) = ctx.fixed.index.get(target).and_then(|e| f.states.get(*e).ok()) else { continue };
        let Some(iv) = f.crises.0.get(target).and_then(|c| c.responses.get(org)).and_then(|r| r.intervention.as_ref()) else { continue };
        if iv.ended.is_some() || !timers::reached_by(ctx, f, key, t) {
            continue;
        }
        fight_round(ctx, &f.defence, org, target, &tdef.0, tpol, iv);
    }
}

/// A launched intervention is an invasion of its target (so it can engage the target's defence
/// clauses). Proposes the attack, caused by the launch, citing the organisation's intervention
/// article ("armed intervention"), or the use of force for an organisation without one.
fn attack_on_launch(
    ctx: &mut Ctx,
    orgs: &Query<(&OrgProfile, &crate::model::state::OrgState)>,
    org: &Id,
    target: &Id,
    troops: u32,
    launch_seq: u64,
) {
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
            troops,
            deaths_military: 0,
            deaths_civilian: 0,
        },
        Some(launch_seq),
        crate::format_id!("{rule} (armed intervention)"),
    );
}

/// One round of fighting: the intervention's strength against the target's defenders and the
/// allied forces deployed there; each side inflicts its lethality times its strength in losses
/// on the other (at most the other's strength), and civilians die in a ratio to both sides'
/// losses, each scaled by noise from the round's draw stream. Proposes the round and, if the
/// fighting ends (`combat_outcome`), its end and, on success, order restored; caused by the
/// launch, citing the combat model.
fn fight_round(
    ctx: &mut Ctx,
    defence: &Defence,
    org: &Id,
    target: &Id,
    tdef: &crate::model::scenario::StateDef,
    tpol: &Polity,
    iv: &Intervention,
) {
    let allied: u32 =
        defence.deployments.iter().filter(|((_, b), d)| b == target && d.stage == Stage::Deployed).map(|(_, d)| d.troops).sum();
    let attackers = f64::from(iv.attacker_strength);
    let defenders = effective_defenders(tpol, tdef.cohesion) + f64::from(allied);
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
    let lost_before = defender_losses_so_far(ctx.log(), org, target, iv.seq);
    let losses = RoundLosses { defender_strength, defender: lost_before + u64::from(defender_losses), attacker: attacker_losses };
    let outcome = combat_outcome(&ctx.fixed.params, iv, tdef.cohesion, round, losses);
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

/// The defenders' losses in the rounds fought so far against `org` in `target` (the log's
/// `CombatRound`s after the launch, `launch_seq`).
fn defender_losses_so_far(log: &crate::model::world::Log, org: &Id, target: &Id, launch_seq: u64) -> u64 {
    let from = log.events.partition_point(|e| e.seq < launch_seq);
    log.events[from..]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CombatRound { org: o, target: t, defender_losses, .. } if o == org && t == target => {
                Some(u64::from(*defender_losses))
            }
            _ => None,
        })
        .sum()
}

/// A round's figures the outcome depends on.
#[derive(Debug, Clone, Copy)]
struct RoundLosses {
    /// The defenders' strength this round, before its losses.
    defender_strength: u32,
    /// The defenders' losses in every round so far, this one included.
    defender: u64,
    /// The attackers' losses this round.
    attacker: u32,
}

/// Whether the fighting ends after this round, and how: success once the defenders' losses in
/// all rounds reach their breaking share (higher for cohesive regimes) of their strength at the
/// first round; withdrawal once the attackers have lost `combat.attacker_break` of the troops
/// launched; stalemate after `combat.max_rounds`.
fn combat_outcome(params: &Params, iv: &Intervention, cohesion: f64, round: u32, losses: RoundLosses) -> Option<CombatOutcome> {
    let defender_initial = if iv.rounds == 0 { losses.defender_strength } else { iv.defender_initial };
    let break_share = (params.combat_defender_break_base + params.combat_defender_break_cohesion * cohesion).min(1.0);
    if losses.defender as f64 >= break_share * f64::from(defender_initial) {
        Some(CombatOutcome::Success)
    } else if (iv.attacker_losses + u64::from(losses.attacker)) as f64 >= params.combat_attacker_break * f64::from(iv.initial_troops) {
        Some(CombatOutcome::Withdrawal)
    } else if f64::from(round) >= params.combat_max_rounds {
        Some(CombatOutcome::Stalemate)
    } else {
        None
    }
}
