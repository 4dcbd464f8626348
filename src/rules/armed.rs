//! Armed groups: attacks as a Poisson process per (group, state) whose rate responds to the
//! security situation. Because waiting times are memoryless, the next attack is drawn afresh
//! from the later of the last attack and the last change in the security situation; the draw
//! is keyed by (group, state, attack count, anchor day), so it is a pure function of state.

use bevy_ecs::prelude::*;

use crate::draw::{Draws, Purpose};
use crate::engine::Ctx;
use crate::event::EventKind;
use crate::params::Params;
use crate::rules::k;
use crate::scenario::AttackKind;
use crate::state::{Code, GroupProfile, GroupState, PartnerProfile, PartnerState, Place, Polity};

/// Rule citation for the attack process.
pub const RULE: &str = "armed group attack process (Poisson, security-dependent rate)";

/// Attack-rate multiplier for a state: national forces drawn away, foreign forces gone.
pub fn rate_multiplier(params: &Params, p: &Polity, hosted_initially: bool, hosted_now: bool) -> f64 {
    let drawn_away = if p.troops > 0 { f64::from(p.redeployed) / f64::from(p.troops) } else { 0.0 };
    let vacuum = if hosted_initially && !hosted_now { 1.0 } else { 0.0 };
    1.0 + params.armed_redeploy_weight * drawn_away + params.armed_foreign_exit_weight * vacuum
}

/// The day of the next attack by `group` in `state`.
pub fn next_attack_day(
    draws: &Draws,
    params: &Params,
    group: &str,
    g: &GroupProfile,
    gs: &GroupState,
    state: &str,
    p: &Polity,
    hosted: (bool, bool),
) -> Option<u32> {
    let per_day = g.0.attacks_per_month / 30.0 * rate_multiplier(params, p, hosted.0, hosted.1);
    if per_day <= 0.0 {
        return None;
    }
    let anchor = gs.last_attack_day.get(state).copied().unwrap_or(0).max(p.security_changed_day);
    let count = gs.attacks.get(state).copied().unwrap_or(0);
    let gap = draws.exponential(Purpose::AttackGap, &[k(group), k(state), u64::from(count), u64::from(anchor)], 1.0 / per_day);
    let days = gap.ceil().clamp(1.0, 1.0e6) as u32;
    anchor.checked_add(days)
}

/// Whether a place hosted foreign forces at the start, and whether it still does: its initial
/// hosts (resolved when the world was built) are the only partners that can still be there.
fn hosting(place: &Place, partners: &Query<(&PartnerProfile, &PartnerState)>, state: &str) -> (bool, bool) {
    let now = place.hosts.iter().any(|e| partners.get(*e).is_ok_and(|(_, s)| s.forces.get(state).is_some_and(|t| *t > 0)));
    (!place.hosts.is_empty(), now)
}

/// Emits today's attacks.
pub fn launch_armed_group_attacks(
    ctx: &mut Ctx,
    groups: &Query<(&Code, &GroupProfile, &GroupState)>,
    states: &Query<&Polity>,
    partners: &Query<(&PartnerProfile, &PartnerState)>,
) {
    if !ctx.first_round() {
        return;
    }
    let day = ctx.day();
    let mut list: Vec<(&Code, &GroupProfile, &GroupState)> = groups.iter().collect();
    list.sort_by(|a, b| a.0.cmp(b.0));
    for (code, g, gs) in list {
        // `operates_in` is sorted and deduplicated when the world is built, and its places resolved.
        for (st, place) in g.0.operates_in.iter().zip(&g.1) {
            let Some(p) = place.state.and_then(|e| states.get(e).ok()) else { continue };
            if next_attack_day(&ctx.draws.0, &ctx.params, &code.0, g, gs, st, p, hosting(place, partners, st)) != Some(day) {
                continue;
            }
            let count = gs.attacks.get(st).copied().unwrap_or(0);
            let deaths = ctx
                .draws
                .0
                .exponential(Purpose::AttackCasualties, &[k(&code.0), k(st), u64::from(count)], g.0.mean_deaths)
                .round()
                .min(1.0e5) as u32;
            let share = (ctx.params.armed_civilian_share
                * (0.5 + ctx.draws.0.uniform(Purpose::AttackCasualties, &[k(&code.0), k(st), u64::from(count), 1])))
            .min(1.0);
            let civilian = (f64::from(deaths) * share).round() as u32;
            ctx.emit(
                EventKind::AttackOccurred {
                    attacker: code.0.clone(),
                    target: st.clone(),
                    location: st.clone(),
                    attack: if g.0.terrorist { AttackKind::Terrorist } else { AttackKind::Rebellion },
                    troops: 0,
                    deaths_military: deaths - civilian,
                    deaths_civilian: civilian,
                },
                None,
                RULE,
            );
        }
    }
}

/// Next attack by any group anywhere.
pub fn next_due(
    after: u32,
    params: &Params,
    draws: &crate::engine::DrawSource,
    groups: &Query<(&Code, &GroupProfile, &GroupState)>,
    states: &Query<&Polity>,
    partners: &Query<(&PartnerProfile, &PartnerState)>,
) -> Option<u32> {
    let mut best: Option<u32> = None;
    for (code, g, gs) in groups.iter() {
        for (st, place) in g.0.operates_in.iter().zip(&g.1) {
            let Some(p) = place.state.and_then(|e| states.get(e).ok()) else { continue };
            if let Some(d) = next_attack_day(&draws.0, params, &code.0, g, gs, st, p, hosting(place, partners, st))
                && d > after
                && best.is_none_or(|b| d < b)
            {
                best = Some(d);
            }
        }
    }
    best
}
