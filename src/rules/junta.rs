//! The junta's periodic reviews: hand power back, offer a transition timetable, expel
//! hostile partners' forces, announce withdrawal from an organisation that sanctions it; and
//! allied juntas joining a withdrawal.

use bevy_ecs::prelude::*;

use crate::model::draw::{Purpose, logistic};
use crate::model::economics::loss_rate_per_day;
use crate::model::event::EventKind;
use crate::model::params::Params;
use crate::model::scenario::Regime;
use crate::model::state::{Code, Crisis, Id, OrgProfile, OrgState, PartnerProfile, PartnerState, Polity, StateProfile, Treaties};
use crate::model::timers::{Step, TimerKey};
use crate::rules::context::Ctx;
use crate::rules::{k, timers};

use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "junta";

/// The junta's reviews: concession, transition, expulsions, withdrawal.
pub struct JuntaRules;

impl RuleModule for JuntaRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        review_junta_position(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &[Step::JuntaReview]
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// GDP loss accrued up to `day` without mutating state.
pub fn loss_now(p: &Polity, def: &crate::model::scenario::StateDef, params: &Params, day: u32) -> f64 {
    p.gdp_loss_pct + loss_rate_per_day(p, def, params) * f64::from(day.saturating_sub(p.accrued_day))
}

/// Whether `state` is in a treaty in force with at least one other junta.
fn has_junta_allies(treaties: &Treaties, states: &Query<(&StateProfile, &Polity)>, ctx: &Ctx, state: &str) -> Vec<Id> {
    let mut allies = Vec::new();
    for tid in treaties.by_member.get(state).into_iter().flatten() {
        let Some(t) = treaties.by_id.get(tid) else { continue };
        if !t.in_force || !t.members.contains(state) {
            continue;
        }
        for m in t.members.iter().filter(|m| *m != state) {
            if ctx.fixed.index.get(m).and_then(|e| states.get(*e).ok()).is_some_and(|(_, p)| p.regime == Regime::Junta)
                && !allies.contains(m)
            {
                allies.push(m.clone());
            }
        }
    }
    allies.sort();
    allies
}

/// Junta reviews (`Step::JuntaReview`: every `junta.review_days` after its coup), in round 0: a junta that does not
/// hand power back may offer a transition, expel hostile partners' forces and, with junta allies,
/// announce its withdrawal from organisations that sanction it; allied juntas then join a
/// withdrawal announced in the previous round. The steps cite the junta's own review, or the
/// allies' treaty.
pub fn review_junta_position(ctx: &mut Ctx, f: &Facts) {
    let (crises, treaties, states, orgs, partners) = (&f.crises, &f.treaties, &f.states, &f.coded_orgs, &f.coded_partners);
    // Organisations and partners in id order, listed only when a review or a withdrawal needs
    // them (most calls have neither).
    let org_list = std::cell::LazyCell::new(|| {
        let mut list: Vec<(&Code, &OrgProfile, &OrgState)> = orgs.iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        list
    });
    let partner_list = std::cell::LazyCell::new(|| {
        let mut list: Vec<(&Code, &PartnerProfile, &PartnerState)> = partners.iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        list
    });
    for (target, crisis) in &crises.0 {
        let Some((def, pol)) = ctx.fixed.index.get(target).and_then(|e| states.get(*e).ok()) else { continue };
        let def = &def.0;
        if crisis.resolved_day.is_some() || pol.junta_since.is_none() || !pol.coup_consolidated {
            continue;
        }
        if !(ctx.first_round() && timers::on_today(ctx, f, &TimerKey::one(Step::JuntaReview, target))) {
            continue;
        }
        let allies = has_junta_allies(treaties, states, ctx, target);
        if concede_power(ctx, target, crisis, def, pol, &allies) {
            continue;
        }
        offer_transition(ctx, target, crisis, def, pol, &allies);
        expel_hostile_forces(ctx, target, &partner_list);
        if allies.is_empty() {
            continue;
        }
        announce_withdrawals(ctx, target, crisis, &org_list);
    }
    join_allied_withdrawals(ctx, treaties, states, &org_list);
}

/// Whether the junta hands power back at this review: a draw on the pain of its GDP loss against
/// its cohesion and backing (pledged allies and junta allies). Proposes order restored, citing the
/// junta's review ("concession under pressure").
fn concede_power(ctx: &mut Ctx, target: &Id, crisis: &Crisis, def: &crate::model::scenario::StateDef, pol: &Polity, allies: &[Id]) -> bool {
    let day = ctx.day();
    let params = &ctx.fixed().params;
    let pain = loss_now(pol, def, params, day);
    let backing = def.cohesion + 0.5 * ((pol.pledged_by.len() + allies.len()) as f64 / 2.0).min(1.0);
    let x = params.junta_concession_intercept + params.junta_pain_weight * pain - params.junta_backing_weight * backing;
    let key = [k(target), u64::from(day)];
    let why = || {
        format!(
            "{target}'s rulers hand power back: logistic(junta.concession_intercept {} + junta.pain_weight {} x GDP loss {pain:.2}% - junta.backing_weight {} x backing {backing:.2} (cohesion {}, {} pledged defenders, {} junta allies))",
            params.junta_concession_intercept,
            params.junta_pain_weight,
            params.junta_backing_weight,
            def.cohesion,
            pol.pledged_by.len(),
            allies.len()
        )
    };
    if !ctx.chance(Purpose::JuntaConcession, &key, logistic(x), why) {
        return false;
    }
    ctx.emit(
        EventKind::OrderRestored { state: target.clone(), how: "junta handed power back".into() },
        Some(crisis.coup_seq),
        "junta review: concession under pressure",
    );
    true
}

/// Whether a ruler under any measure (a suspension or sanctions) offers a transition
/// timetable, and how long. The first offer: more cohesive rulers ask for longer. After a
/// rejection an isolated ruler (no ally pledged to defend it, no junta ally in a treaty) may
/// offer again at a later review, shortened by `junta.offer_shrink`; a backed one stands on its
/// offer (Gabon 2023: 24 months accepted; Niger 2023, backed by Mali and Burkina Faso: three
/// years, never shortened). A coup within a transition offers none: its calendar stands.
/// Proposes the offer, caused by the first measure (or the coup),
/// citing the junta's review ("transition offer").
fn offer_transition(ctx: &mut Ctx, target: &Id, crisis: &Crisis, def: &crate::model::scenario::StateDef, pol: &Polity, allies: &[Id]) {
    let pending = crisis.transition.is_some() && !crisis.responses.values().any(|r| r.transition_answer == Some(false));
    let under_measures = crisis.responses.values().any(|r| r.suspended || !r.measures.is_empty());
    // A coup within a transition (the deposed government was itself a junta or a transitional
    // one) inherits the transition's calendar: the organisations demand that it be kept (Mali
    // 2021, Burkina Faso 2022), so there is no new timetable to offer.
    // (`regime_before_coup` is not recorded over a junta: a coup in a state already ruled by
    // one leaves it unset.)
    let within_transition = !matches!(pol.regime_before_coup, Some(Regime::Democracy | Regime::Authoritarian));
    if pending || !under_measures || within_transition {
        return;
    }
    let params = &ctx.fixed().params;
    let first = (params.junta_transition_months_max * (0.25 + 0.75 * def.cohesion)).round().max(1.0) as u32;
    let isolated = pol.pledged_by.is_empty() && allies.is_empty();
    let months = match crisis.transition {
        None => first,
        Some((last, _, _)) if isolated => ((f64::from(last) * params.junta_offer_shrink).round() as u32).clamp(1, last),
        // A backed ruler stands on its rejected offer (no draw: the draw is keyed, so leaving
        // it out changes no other).
        Some(_) => return,
    };
    let key = [k(target), u64::from(ctx.day())];
    let propensity = params.junta_transition_propensity;
    let why = || match crisis.transition {
        None => format!("{target}'s rulers offer a transition timetable of {months} months: junta.transition_propensity {propensity}"),
        Some((last, _, _)) => format!(
            "{target}'s isolated rulers offer a shorter timetable, {months} months (their rejected offer of {last} x junta.offer_shrink): junta.transition_propensity {propensity}"
        ),
    };
    if !ctx.chance(Purpose::TransitionOffer, &key, propensity, why) {
        return;
    }
    let cause = crisis.responses.values().filter_map(|r| r.sanctions_day).map(|(_, s)| s).min();
    ctx.emit(
        EventKind::TransitionProposed { state: target.clone(), months },
        cause.or(Some(crisis.coup_seq)),
        "junta review: transition offer",
    );
}

/// Which partners that suspended their aid the junta orders out, each a draw on the partner's
/// exposure to hostility. Proposes each expulsion, caused by the aid suspension, citing the
/// junta's review ("denunciation of defence agreements").
fn expel_hostile_forces(ctx: &mut Ctx, target: &Id, partners: &[(&Code, &PartnerProfile, &PartnerState)]) {
    let day = ctx.day();
    for (pcode, pprof, pst) in partners.iter() {
        let troops = pst.forces.get(target).copied().unwrap_or(0);
        if troops == 0 || pst.leaving.contains_key(target) || !pst.aid_suspended.contains(target) {
            continue;
        }
        let p = ctx.fixed.params.junta_expel_propensity * pprof.0.hostility_exposure;
        if ctx.chance(Purpose::Expulsion, &[k(&pcode.0), k(target), u64::from(day)], p, || {
            format!(
                "{target} expels {}'s {troops} troops: junta.expel_propensity x its exposure to hostility {}",
                pcode.0, pprof.0.hostility_exposure
            )
        }) {
            let cause = ctx
                .log
                .events
                .iter()
                .rev()
                .find(
                    |e| matches!(&e.kind, EventKind::AidSuspended { partner, recipient, .. } if *partner == pcode.0 && recipient == target),
                )
                .map(|e| e.seq);
            ctx.emit(
                EventKind::ForcesExpelled {
                    state: target.clone(),
                    partner: pcode.0.clone(),
                    troops,
                    leave_by_day: day.saturating_add(pprof.0.withdrawal_days),
                },
                cause,
                "junta review: denunciation of defence agreements",
            );
        }
    }
}

/// From which sanctioning organisations that suspended it a junta with junta allies announces its
/// withdrawal, each a draw rising with the days under sanctions. Proposes each announcement,
/// caused by the sanctions, citing the organisation's withdrawal article.
/// Days a state has been under an organisation's economic sanctions by `day`: from the day they
/// were first imposed to `day` while economic measures are in force, or to the day they were
/// lifted (the pressure to leave stops growing once they are lifted).
pub fn days_under_sanctions(imposed: u32, lifted: Option<u32>, in_force: bool, day: u32) -> u32 {
    let end = if in_force { day } else { lifted.unwrap_or(day).min(day) };
    end.saturating_sub(imposed)
}

fn announce_withdrawals(ctx: &mut Ctx, target: &Id, crisis: &Crisis, orgs: &[(&Code, &OrgProfile, &OrgState)]) {
    let day = ctx.day();
    for (ocode, oprof, ost) in orgs.iter() {
        if !ost.members.contains(target) || !ost.suspended.contains(target) || ost.withdrawing.contains_key(target) {
            continue;
        }
        let Some(resp) = crisis.responses.get(&ocode.0) else { continue };
        let Some((d0, sseq)) = resp.sanctions_day else { continue };
        let under = days_under_sanctions(d0, resp.lifted_day, resp.measures.iter().any(|m| m.is_economic()), day);
        let x = ctx.fixed.params.junta_withdraw_intercept + ctx.fixed.params.junta_withdraw_days_weight * f64::from(under);
        if ctx.chance(Purpose::Withdrawal, &[k(&ocode.0), k(target), u64::from(day)], logistic(x), || {
            format!(
                "{target} announces its withdrawal from {}: logistic(junta.withdraw_intercept + junta.withdraw_days_weight x {under} days under sanctions)",
                ocode.0
            )
        }) {
            ctx.emit(
                EventKind::WithdrawalAnnounced {
                    state: target.clone(),
                    from: ocode.0.clone(),
                    effective_day: day.saturating_add(oprof.0.withdrawal_notice_days),
                },
                Some(sseq),
                crate::format_id!("junta review: withdrawal from {} ({})", ocode.0, oprof.0.withdrawal_article),
            );
        }
    }
}

/// Which juntas in a treaty in force with one that announced its withdrawal (in the previous
/// round) join it the same day, each a solidarity draw. Proposes each joint withdrawal, caused
/// by the announcement, citing the treaty ("solidarity: joint withdrawal"). The organisations
/// are listed only if there is an announcement.
fn join_allied_withdrawals<'a>(
    ctx: &mut Ctx,
    treaties: &Treaties,
    states: &Query<(&StateProfile, &Polity)>,
    orgs: &impl std::ops::Deref<Target = Vec<(&'a Code, &'a OrgProfile, &'a OrgState)>>,
) {
    let day = ctx.day();
    let fresh = ctx.fresh();
    for ev in fresh.iter() {
        let EventKind::WithdrawalAnnounced { state, from, .. } = &ev.kind else { continue };
        let Some((_, ocode_prof, ost)) = orgs.iter().find(|(c, _, _)| c.0 == *from) else { continue };
        for tid in treaties.by_member.get(state).into_iter().flatten() {
            let Some(t) = treaties.by_id.get(tid) else { continue };
            if !t.in_force || !t.members.contains(state) {
                continue;
            }
            for m in t.members.iter().filter(|m| *m != state) {
                let is_junta = ctx.fixed.index.get(m).and_then(|e| states.get(*e).ok()).is_some_and(|(_, p)| p.regime == Regime::Junta);
                if !is_junta || !ost.members.contains(m) || ost.withdrawing.contains_key(m) {
                    continue;
                }
                let solidarity = ctx.fixed.params.withdrawal_solidarity;
                if ctx.chance(Purpose::WithdrawalSolidarity, &[k(m), k(from), ev.seq], solidarity, || {
                    format!("{m} joins {state}'s withdrawal from {from} (treaty {tid}): withdrawal.solidarity {solidarity}")
                }) {
                    ctx.emit(
                        EventKind::WithdrawalAnnounced {
                            state: m.clone(),
                            from: from.clone(),
                            effective_day: day.saturating_add(ocode_prof.0.withdrawal_notice_days),
                        },
                        Some(ev.seq),
                        crate::format_id!("{} solidarity: joint withdrawal", t.def.short_name),
                    );
                }
            }
        }
    }
}
