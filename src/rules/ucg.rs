//! An organisation's response to an unconstitutional change of government in a member
//! (the ECOWAS regime): suspension, a summit that decides sanctions and an ultimatum, allies'
//! pledges, the standby-force vote, D-Day and launch reviews, sanctions reviews and lifting.
//! Every number comes from the organisation's `ucg` block or the parameter catalogue.

use bevy_ecs::prelude::*;

use crate::model::draw::{Purpose, logistic, logit};
use crate::model::event::{EventKind, LiftReason, SummitAgenda, VoteQuestion};
use crate::model::params::Params;
use crate::model::scenario::{Bindingness, Measure, Obligation, OrganisationDef, Regime, Trigger, UcgRegimeDef};
use crate::model::state::{Crises, Crisis, Id, OrgProfile, OrgResponse, OrgState, Polity, StateProfile, ToId, Treaties, UcgOrgsOf};
use crate::model::timers::{Step, TimerKey};
use crate::rules::context::Ctx;
use crate::rules::{affinity, available_troops, effective_defenders, entries_of, k, timers};

use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "ucg";

/// An organisation's regime on unconstitutional change of government.
pub struct UcgRules;

impl RuleModule for UcgRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        respond_to_unconstitutional_change(ctx, f, &ctx.fixed().ucg_orgs_of);
        // Nothing is applied within a round: one table of responses serves both rules.
        let by_org = responded(&f.crises);
        decide_on_force(ctx, f, &by_org);
        review_sanctions(ctx, f, &by_org);
        recall_border_forces(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &crate::model::timers::RESPONSE_STEPS
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

type States<'w, 's> = Query<'w, 's, (&'static StateProfile, &'static Polity)>;
type Orgs<'w, 's> = Query<'w, 's, (&'static OrgProfile, &'static OrgState)>;

/// Organisations with a UCG regime, in id order (`Fixed::ucg_orgs`, listed when the world was
/// built: no scan of every organisation, no sort).
fn ucg_orgs<'a>(
    ctx: &Ctx<'a>,
    orgs: &'a Orgs,
) -> impl Iterator<Item = (&'a Id, &'a OrganisationDef, &'a UcgRegimeDef, &'a OrgState)> + use<'a> {
    let order = &ctx.fixed().ucg_orgs;
    order.iter().filter_map(move |e| orgs.get(*e).ok()).filter_map(|(p, s)| p.0.ucg.as_ref().map(|u| (&p.0.id, &p.0, u, s)))
}

fn state<'a, K: crate::model::state::ActorKey + ?Sized>(
    ctx: &Ctx,
    states: &'a States,
    id: &K,
) -> Option<(&'a crate::model::scenario::StateDef, &'a Polity)> {
    ctx.fixed.index.get(id).and_then(|e| states.get(*e).ok()).map(|(p, s)| (&p.0, s))
}

fn is_coup_crisis(p: &Polity, c: &Crisis) -> bool {
    c.resolved_day.is_none() && p.junta_since.is_some() && p.coup_consolidated
}

/// For each organisation, the crises it has responded to, in target order: (organisation,
/// (target, crisis)) sorted by organisation, each organisation's run found by binary search.
pub struct Responded<'a>(Vec<(&'a Id, (&'a Id, &'a Crisis))>);

impl<'a> Responded<'a> {
    /// The crises `org` has responded to, in target order.
    pub fn of(&self, org: &'a Id) -> impl Iterator<Item = (&'a Id, &'a Crisis)> + '_ {
        entries_of(&self.0, &org).iter().map(|&(_, response)| response)
    }
}

/// `Responded` from the crises: built once per round (O(responses log responses)) so
/// per-organisation loops do not walk every crisis.
pub fn responded(crises: &Crises) -> Responded<'_> {
    let mut m: Vec<(&Id, (&Id, &Crisis))> =
        crises.0.iter().flat_map(|(target, crisis)| crisis.responses.keys().map(move |org| (org, (target, crisis)))).collect();
    // Stable: each organisation's crises stay in target order (the crises table's).
    m.sort_by(|a, b| a.0.cmp(b.0));
    Responded(m)
}

/// The fresh events of the kinds a rule reacts to, in log order: picked out once per call, so
/// the per-organisation loops walk a handful of events instead of every fresh event (a round of
/// a big world can bring thousands, and there are hundreds of organisations).
fn relevant(fresh: &[crate::model::event::Event], wanted: impl Fn(&EventKind) -> bool) -> Vec<&crate::model::event::Event> {
    fresh.iter().filter(|e| wanted(&e.kind)).collect()
}

fn empty() -> &'static OrgResponse {
    static EMPTY: std::sync::OnceLock<OrgResponse> = std::sync::OnceLock::new();
    EMPTY.get_or_init(OrgResponse::default)
}

/// Suspension, the sanctions summit and its decisions, allies' pledges, ultimatum expiry, and
/// the threatened junta's defensive posture: the timed steps for each organisation's open coup
/// crises in a member, then its answers to the previous round's sanctions summits and
/// threatening ultimatums. Each step cites the organisation's article for it.
pub fn respond_to_unconstitutional_change(ctx: &mut Ctx, f: &Facts, orgs_of: &UcgOrgsOf) {
    let (crises, states, orgs) = (&f.crises, &f.states, &f.orgs);
    let fresh = relevant(ctx.fresh(), |k| {
        matches!(
            k,
            EventKind::SummitConvened { agenda: SummitAgenda::Sanctions, .. } | EventKind::UltimatumIssued { force_threatened: true, .. }
        )
    });
    let open = open_coup_crises(ctx, crises, states);
    let by_org = open_crises_by_org(&open, orgs_of);
    for (org_id, org, ucg, ostate) in ucg_orgs(ctx, orgs) {
        for &(_, i) in entries_of(&by_org, &org_id) {
            let (target, crisis, tpol) = open[i];
            if !ostate.members.contains(target) {
                continue;
            }
            take_timed_steps(ctx, f, org_id, ucg, target, crisis, tpol);
        }
        for ev in fresh.iter() {
            match &ev.kind {
                EventKind::SummitConvened { org: o, target, agenda: SummitAgenda::Sanctions } if o == org_id => {
                    let Some(crisis) = crises.0.get(target) else { continue };
                    decide_sanctions(ctx, states, org_id, org, ucg, crisis, target, ev.seq);
                }
                EventKind::UltimatumIssued { org: o, target, force_threatened: true, .. } if o == org_id => {
                    redeploy_against_threat(ctx, states, org_id, target, ev.seq);
                }
                _ => {}
            }
        }
    }
}

/// Open coup crises with the target's polity, in target order: looked up once per call rather
/// than once per organisation.
fn open_coup_crises<'a>(ctx: &Ctx, crises: &'a Crises, states: &'a States) -> Vec<(&'a Id, &'a Crisis, &'a Polity)> {
    crises
        .0
        .iter()
        .filter(|(_, c)| c.resolved_day.is_none())
        .filter_map(|(t, c)| state(ctx, states, t).map(|(_, p)| (t, c, p)))
        .filter(|(_, c, p)| is_coup_crisis(p, c))
        .collect()
}

/// Each organisation's open crises (indexes into `open`, so in target order), found through
/// the targets' organisations rather than by testing every organisation against every crisis.
/// Sorted (organisation, index) pairs: an organisation's run of them is found by binary
/// search (no table to allocate per call; none at all without an open crisis).
fn open_crises_by_org<'a>(open: &[(&Id, &Crisis, &Polity)], orgs_of: &'a UcgOrgsOf) -> Vec<(&'a Id, usize)> {
    let mut by_org: Vec<(&Id, usize)> = Vec::new();
    for (i, (target, _, _)) in open.iter().enumerate() {
        by_org.extend(orgs_of.0.get(*target).into_iter().flatten().map(|(org, _)| (org, i)));
    }
    by_org.sort_unstable();
    by_org
}

/// The steps an organisation's regime takes on its timers after a coup in a member: suspension
/// (`Step::Suspension`, citing the suspension article), the sanctions summit (`Step::Summit`,
/// the sanctions article), the ultimatum's expiry (`Step::UltimatumExpiry`, the intervention
/// article), and, after a threatening ultimatum, allies' pledges to the junta (`Step::Pledges`,
/// `pledge_support`).
fn take_timed_steps(ctx: &mut Ctx, f: &Facts, org_id: &Id, ucg: &UcgRegimeDef, target: &Id, crisis: &Crisis, tpol: &Polity) {
    let resp = crisis.responses.get(org_id).unwrap_or(empty());
    let key = |step| TimerKey::new(step, org_id, target);
    if timers::reached(ctx, f, &key(Step::Suspension)) {
        ctx.emit(
            EventKind::MemberSuspended { org: org_id.clone(), state: target.clone() },
            Some(crisis.coup_seq),
            ucg.suspension_article.clone(),
        );
    }
    if timers::reached(ctx, f, &key(Step::Summit)) {
        ctx.emit(
            EventKind::SummitConvened { org: org_id.clone(), target: target.clone(), agenda: SummitAgenda::Sanctions },
            Some(crisis.coup_seq),
            ucg.sanctions_article.clone(),
        );
    }
    if let Some((_, useq)) = resp.ultimatum {
        if timers::reached(ctx, f, &key(Step::UltimatumExpiry)) {
            ctx.emit(
                EventKind::UltimatumExpired { org: org_id.clone(), target: target.clone() },
                Some(useq),
                ucg.intervention_article.clone(),
            );
        }
        if ucg.force_threatened && timers::fires(ctx, f, &key(Step::Pledges)) {
            pledge_support(ctx, &f.states, target, tpol, org_id, useq);
        }
    }
}

/// How many troops a junta threatened with intervention moves to its borders (its redeploy
/// share of what it has available, drawn from counter-insurgency). Proposes the redeployment,
/// caused by the ultimatum, citing its defensive posture.
fn redeploy_against_threat(ctx: &mut Ctx, states: &States, org_id: &Id, target: &Id, ultimatum_seq: u64) {
    if let Some((tdef, tpol)) = state(ctx, states, target) {
        let troops = (f64::from(available_troops(tdef, tpol)) * ctx.fixed.params.armed_redeploy_share).round() as u32;
        if troops > 0 {
            ctx.emit(
                EventKind::ForcesRedeployed { state: target.clone(), troops, against: org_id.clone() },
                Some(ultimatum_seq),
                "defensive posture against a threatened intervention",
            );
        }
    }
}

/// A junta's forces at its borders come back once no organisation's threatened intervention
/// is pending against it: when the last threat ends (the force stood down, its activation vote
/// failed, a transition agreed, an intervention over, an ultimatum expired with no standby
/// force to vote on, or the crisis over). Proposes the recall of every redeployed troop, caused
/// by the event that ended the last threat, citing the same defensive posture.
fn recall_border_forces(ctx: &mut Ctx, f: &Facts) {
    let ends: Vec<(&Id, Option<&Id>, u64)> = ctx
        .fresh()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::StandbyForceStoodDown { org, target, .. }
            | EventKind::UltimatumExpired { org, target }
            | EventKind::InterventionEnded { org, target, .. }
            | EventKind::TransitionAnswered { org, state: target, accepted: true, .. } => Some((target, Some(org), e.seq)),
            EventKind::VoteHeld { org, target, question: VoteQuestion::ActivateStandbyForce, passed: false, .. } => {
                Some((target, Some(org), e.seq))
            }
            EventKind::OrderRestored { state, .. } => Some((state, None, e.seq)),
            _ => None,
        })
        .collect();
    let mut done: Vec<&Id> = Vec::new();
    for (target, by, seq) in ends {
        if done.contains(&target) {
            continue;
        }
        let Some((_, tpol)) = state(ctx, &f.states, target) else { continue };
        if tpol.redeployed == 0 {
            continue;
        }
        let Some(crisis) = f.crises.0.get(target) else { continue };
        let pending = crisis.responses.iter().any(|(org, resp)| {
            let ucg = ctx.fixed.index.get(org).and_then(|e| f.orgs.get(*e).ok()).and_then(|(p, _)| p.0.ucg.as_ref());
            ucg.is_some_and(|u| intervention_pending(u, resp, crisis))
        });
        if pending {
            continue;
        }
        // The organisation named is the one whose threat ended last (at the end of the crisis,
        // the first organisation that issued an ultimatum).
        let first_threat = || crisis.responses.iter().find(|(_, r)| r.ultimatum.is_some()).map(|(o, _)| o);
        let Some(against) = by.or_else(first_threat).cloned() else { continue };
        done.push(target);
        ctx.emit(
            EventKind::BorderForcesRecalled { state: target.clone(), troops: tpol.redeployed, against },
            Some(seq),
            "defensive posture against a threatened intervention",
        );
    }
}

/// Whether an organisation's threatened intervention against the target is still pending: it
/// issued an ultimatum threatening force, the crisis is open, no transition was agreed with it,
/// and its force has neither been stood down, nor voted down, nor fought to an end (without a
/// standby force, the threat ends with the ultimatum's expiry).
fn intervention_pending(ucg: &UcgRegimeDef, resp: &OrgResponse, crisis: &Crisis) -> bool {
    let threatened = ucg.force_threatened && resp.ultimatum.is_some();
    let force_open = if ucg.standby_force {
        let voted_down = resp.activation_vote_held && resp.activated.is_none();
        !(resp.stood_down || voted_down) && resp.intervention.as_ref().is_none_or(|i| i.ended.is_none())
    } else {
        resp.ultimatum_expired.is_none()
    };
    threatened && crisis.resolved_day.is_none() && resp.transition_answer != Some(true) && force_open
}

/// The sanctions summit's decisions: economic measures on a draw (likely while an elected
/// leader is kept from office, the 2001 Protocol's "zero tolerance for power obtained or
/// maintained by unconstitutional means" at its strictest; much less so otherwise), the
/// non-economic ones regardless; with economic measures, the services freeze's electricity cuts
/// by supplying members; while an elected leader is kept from office, an ultimatum demanding
/// his return. Proposes the sanctions and the cuts (citing the sanctions article) and the
/// ultimatum (the intervention article), caused by the summit.
#[allow(clippy::too_many_arguments)]
fn decide_sanctions(
    ctx: &mut Ctx,
    states: &States,
    org_id: &str,
    org: &OrganisationDef,
    ucg: &UcgRegimeDef,
    crisis: &Crisis,
    target: &str,
    summit_seq: u64,
) {
    let claimant = !crisis.claimant.is_empty();
    let p = economic_sanctions_probability(&ctx.fixed.params, ucg, claimant);
    let economic = ctx.chance(Purpose::SanctionsDecision, &[k(org_id), k(target), summit_seq], p, || {
        if claimant {
            format!("{org_id} imposes economic measures on {target}: its sanction propensity {} (an elected claimant is kept from office)", ucg.sanction_propensity)
        } else {
            format!(
                "{org_id} imposes economic measures on {target}: its sanction propensity {} x sanctions.without_claimant (no elected claimant kept from office)",
                ucg.sanction_propensity
            )
        }
    });
    let measures: Vec<Measure> = ucg.sanctions_menu.iter().copied().filter(|m| economic || !m.is_economic()).collect();
    if !measures.is_empty() {
        ctx.emit(
            EventKind::SanctionsImposed {
                org: org_id.to_id(),
                target: target.to_id(),
                severity: crate::model::economics::package_severity(measures.iter()),
                measures: measures.clone(),
            },
            Some(summit_seq),
            ucg.sanctions_article.clone(),
        );
    }
    if economic && measures.contains(&Measure::ServicesFreeze) {
        for m in &org.members {
            if let Some((mdef, _)) = state(ctx, states, m)
                && let Some(share) = mdef.electricity_supply.get(target)
            {
                ctx.emit(
                    EventKind::ExportsCut { by: m.clone(), to: target.to_id(), service: "electricity".into(), share: *share },
                    Some(summit_seq),
                    crate::format_id!("{} (services freeze)", ucg.sanctions_article),
                );
            }
        }
    }
    if claimant && ucg.ultimatum_days > 0 {
        ctx.emit(
            EventKind::UltimatumIssued {
                org: org_id.to_id(),
                target: target.to_id(),
                deadline_day: ctx.day().saturating_add(ucg.ultimatum_days),
                force_threatened: ucg.force_threatened,
            },
            Some(summit_seq),
            ucg.intervention_article.clone(),
        );
    }
}

/// The chance that a sanctions summit imposes economic measures: the organisation's
/// `sanction_propensity`, times `sanctions.without_claimant` unless an elected leader is kept
/// from office (`claimant`). The rule and `casus explain --why-not` both use it.
pub fn economic_sanctions_probability(params: &Params, ucg: &UcgRegimeDef, claimant: bool) -> f64 {
    ucg.sanction_propensity * if claimant { 1.0 } else { params.sanctions_without_claimant }
}

/// Which states pledge to defend a junta threatened with force: every state other than the
/// target, not yet pledged and not a democracy, with an affinity to the junta's regime, each on
/// a draw in id order. Proposes each pledge, caused by the ultimatum, citing ad hoc solidarity.
fn pledge_support(ctx: &mut Ctx, states: &States, target: &str, tpol: &Polity, org_id: &str, cause: u64) {
    // One pass over the index in id order, reaching each state's components by entity, with
    // the (also id-ordered) set of those who already pledged walked alongside: no id search, no
    // copy of every id; only candidates are kept for the draws.
    let index = &ctx.fixed().index;
    let mut pledged = tpol.pledged_by.iter().peekable();
    let candidates: Vec<(&str, f64)> = index
        .iter()
        .filter(|(id, _)| {
            while pledged.next_if(|p| p < id).is_some() {}
            id.as_str() != target && pledged.peek() != Some(id)
        })
        .filter_map(|(id, e)| states.get(*e).ok().map(|(_, p)| (id, affinity(p.regime, tpol.regime), p.regime)))
        .filter(|(_, aff, regime)| *aff > 0.0 && *regime != Regime::Democracy)
        .map(|(id, aff, _)| (id.as_str(), aff))
        .collect();
    for (id, aff) in candidates {
        let prob = ctx.fixed.params.pledge_propensity * aff;
        if ctx.chance(Purpose::Pledge, &[k(id), k(target), cause], prob, || {
            format!("{id} pledges to defend {target} against {org_id}: pledge.propensity x regime affinity {aff}")
        }) {
            ctx.emit(
                EventKind::DefencePledged { by: id.to_id(), to: target.to_id(), against: org_id.to_id() },
                Some(cause),
                "ad hoc solidarity declaration (regime affinity)",
            );
        }
    }
}

/// Exposure of a member to retaliation from the target: shared border and trade at stake.
fn exposure(def: &crate::model::scenario::StateDef, target: &str) -> f64 {
    let border = if def.borders.iter().any(|b| b == target) { 0.5 } else { 0.0 };
    let trade = def.trade_exposure.get(target).copied().unwrap_or(0.0) * 50.0;
    (border + trade).min(1.0)
}

/// Expected allied troops that would defend the target: pledgers and parties to defence
/// clauses covering attacks on its sovereignty, each weighted by its chance to honour.
pub fn expected_allied_support(ctx: &Ctx, states: &States, treaties: &Treaties, target: &str) -> f64 {
    let Some((_, tpol)) = state(ctx, states, target) else { return 0.0 };
    // Allies as borrowed ids: pledgers, then parties to the defence clauses in treaty and clause
    // order. Each ally counts once, in id order, with the bindingness of its last entry (a
    // clause's over a pledge's); the sort is stable and the runs it merges are already sorted.
    let mut allies: Vec<(&Id, Bindingness)> = tpol.pledged_by.iter().map(|a| (a, Bindingness::Discretionary)).collect();
    for tid in treaties.by_member.get(target).into_iter().flatten() {
        let Some(t) = treaties.by_id.get(tid) else { continue };
        if !t.in_force || !t.members.contains(target) {
            continue;
        }
        for c in &t.def.clauses {
            if c.obligation == Obligation::Defence && c.triggers.contains(&Trigger::AttackOnSovereignty) {
                allies.extend(t.members.iter().filter(|m| *m != target).map(|m| (m, c.binding)));
            }
        }
    }
    allies.sort_by(|a, b| a.0.cmp(b.0));
    let terms = HonourTerms::new(&ctx.fixed.params);
    let mut total = 0.0;
    for (i, &(ally, binding)) in allies.iter().enumerate() {
        if allies.get(i + 1).is_some_and(|next| next.0 == ally) {
            continue;
        }
        let Some((adef, apol)) = state(ctx, states, ally) else { continue };
        let p = terms.probability(&ctx.fixed.params, adef, apol, tpol, binding);
        total += p * ctx.fixed.params.assistance_commit_share * f64::from(available_troops(adef, apol));
    }
    total
}

/// The probability a party honours a defence obligation: its parts that depend on parameters
/// only are computed once per decision rather than once per party.
pub struct HonourTerms {
    base: f64,
    discretionary: f64,
}

impl HonourTerms {
    /// The terms under these parameters.
    pub fn new(params: &Params) -> HonourTerms {
        HonourTerms { base: logit(params.reliability_base), discretionary: libm::log(params.reliability_discretionary_odds.max(1e-9)) }
    }

    /// The probability a party honours a defence obligation towards a beneficiary.
    pub fn probability(
        &self,
        params: &Params,
        party: &crate::model::scenario::StateDef,
        party_state: &Polity,
        beneficiary: &Polity,
        binding: Bindingness,
    ) -> f64 {
        let ratio = free_share(party, party_state);
        let mut x = self.base;
        if binding == Bindingness::Discretionary {
            x += self.discretionary;
        }
        x += params.reliability_affinity_weight * affinity(party_state.regime, beneficiary.regime);
        x -= params.reliability_threat_weight * party.security_threat;
        x += params.reliability_capacity_weight * (ratio - 0.5);
        logistic(x)
    }

    /// What `probability` is made of, in words with the values (for `casus explain --why-not`).
    pub fn explain(
        &self,
        params: &Params,
        party: &crate::model::scenario::StateDef,
        party_state: &Polity,
        beneficiary: &Polity,
        binding: Bindingness,
    ) -> String {
        format!(
            "logistic(logit(reliability.base) {:.3}{} + reliability.affinity_weight {} x regime affinity {} - reliability.threat_weight {} x security threat {} + reliability.capacity_weight {} x (share of troops free {:.2} - 0.5))",
            self.base,
            if binding == Bindingness::Discretionary {
                format!(" + log(reliability.discretionary_odds) {:.3}", self.discretionary)
            } else {
                String::new()
            },
            params.reliability_affinity_weight,
            affinity(party_state.regime, beneficiary.regime),
            params.reliability_threat_weight,
            party.security_threat,
            params.reliability_capacity_weight,
            free_share(party, party_state),
        )
    }
}

/// The share of a party's troops free to send (none when it has no troops).
fn free_share(party: &crate::model::scenario::StateDef, party_state: &Polity) -> f64 {
    if party_state.troops > 0 { f64::from(available_troops(party, party_state)) / f64::from(party_state.troops) } else { 0.0 }
}

/// The standby-force vote, D-Day and launch reviews, and standing the force down: for each
/// organisation with a standby force, its steps in each crisis it has responded to, then the
/// votes at the force summits convened in the previous round. Every step cites the
/// organisation's intervention article.
pub fn decide_on_force(ctx: &mut Ctx, f: &Facts, by_org: &Responded) {
    let (states, orgs, treaties) = (&f.states, &f.orgs, &f.treaties);
    let fresh = relevant(ctx.fresh(), |k| matches!(k, EventKind::SummitConvened { agenda: SummitAgenda::StandbyForce, .. }));
    for (org_id, _org, ucg, ostate) in ucg_orgs(ctx, orgs) {
        if !ucg.standby_force {
            continue;
        }
        for (target, crisis) in by_org.of(org_id) {
            let Some(resp) = crisis.responses.get(org_id) else { continue };
            let Some((tdef, tpol)) = state(ctx, states, target) else { continue };
            let open = is_coup_crisis(tpol, crisis) && ostate.members.contains(target);
            convene_force_summit(ctx, f, org_id, ucg, target, resp, open);
            if let Some((_, _, act_seq)) = resp.activated {
                let pending = resp.intervention.is_none() && !resp.stood_down;
                if pending && let Some(reason) = stand_down_reason(ctx, f, org_id, target, resp, open) {
                    ctx.emit(
                        EventKind::StandbyForceStoodDown { org: org_id.clone(), target: target.clone(), reason: reason.into() },
                        Some(act_seq),
                        ucg.intervention_article.clone(),
                    );
                    continue;
                }
                if pending && open && ctx.first_round() && timers::reached(ctx, f, &TimerKey::new(Step::LaunchReview, org_id, target)) {
                    decide_launch(ctx, states, treaties, org_id, ucg, ostate, target, tdef, tpol, resp, act_seq);
                }
            }
        }
        for ev in fresh.iter() {
            if let EventKind::SummitConvened { org: o, target, agenda: SummitAgenda::StandbyForce } = &ev.kind
                && o == org_id
            {
                hold_activation_vote(ctx, states, org_id, ucg, ostate, target, ev.seq);
            }
        }
    }
}

/// Whether the organisation convenes the summit that votes on its standby force: once the
/// activation-summit delay after its ultimatum expired has run (`Step::ActivationSummit`, ended
/// by the vote), while the crisis is open. Proposes the summit, caused by the expiry, citing the
/// intervention article.
fn convene_force_summit(ctx: &mut Ctx, f: &Facts, org_id: &Id, ucg: &UcgRegimeDef, target: &Id, resp: &OrgResponse, open: bool) {
    // An ultimatum that threatened no force leads to no vote on using it.
    if let Some((_, exp_seq)) = resp.ultimatum_expired
        && open
        && ucg.force_threatened
        && timers::reached(ctx, f, &TimerKey::new(Step::ActivationSummit, org_id, target))
    {
        ctx.emit(
            EventKind::SummitConvened { org: org_id.clone(), target: target.clone(), agenda: SummitAgenda::StandbyForce },
            Some(exp_seq),
            ucg.intervention_article.clone(),
        );
    }
}

/// Why an activated standby force that has not launched stands down, if it does: the crisis is
/// over, a transition was agreed, or the call-off delay since activation has passed
/// (`Step::CallOff`).
fn stand_down_reason(ctx: &Ctx, f: &Facts, org_id: &Id, target: &Id, resp: &OrgResponse, open: bool) -> Option<&'static str> {
    if !open {
        Some("crisis over")
    } else if resp.transition_answer == Some(true) {
        Some("transition agreed")
    } else if timers::reached(ctx, f, &TimerKey::new(Step::CallOff, org_id, target)) {
        Some("never launched")
    } else {
        None
    }
}

/// The activation vote at a standby-force summit: each member in good standing other than the
/// target votes yes on a draw (`weigh_activation`), and the organisation's force decision rule
/// decides. Proposes the vote and, if it passed, the activation and the yes-voters' force
/// pledges (`activate_standby_force`), caused by the summit, citing the intervention article.
fn hold_activation_vote(ctx: &mut Ctx, states: &States, org_id: &Id, ucg: &UcgRegimeDef, ostate: &OrgState, target: &Id, summit_seq: u64) {
    let voters: Vec<Id> = ostate
        .members
        .iter()
        .filter(|m| *m != target && !ostate.suspended.contains(*m) && !ostate.withdrawing.contains_key(*m))
        .cloned()
        .collect();
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for v in &voters {
        let Some((vdef, vpol)) = state(ctx, states, v) else { continue };
        let x = weigh_activation(&ctx.fixed.params, vdef, vpol, target);
        if ctx.chance(Purpose::ActivationVote, &[k(v), k(target), summit_seq], logistic(x), || {
            format!(
                "{v} votes to activate {org_id}'s standby force against {target}: {} troops free, war opposition {}, exposure to {target} {:.3}",
                available_troops(vdef, vpol),
                vdef.war_opposition,
                exposure(vdef, target)
            )
        }) {
            yes.push(v.clone());
        } else {
            no.push(v.clone());
        }
    }
    let passed = ucg.force_decision_rule.passes(yes.len(), voters.len());
    ctx.emit(
        EventKind::VoteHeld {
            org: org_id.clone(),
            target: target.clone(),
            question: VoteQuestion::ActivateStandbyForce,
            yes: yes.clone(),
            no,
            passed,
        },
        Some(summit_seq),
        ucg.intervention_article.clone(),
    );
    if passed {
        activate_standby_force(ctx, states, org_id, ucg, target, &yes, summit_seq);
    }
}

/// A member's inclination (log-odds) to vote for activating the standby force: its capacity
/// raises it; its public's opposition to war and its exposure to the target lower it.
fn weigh_activation(params: &Params, vdef: &crate::model::scenario::StateDef, vpol: &Polity, target: &str) -> f64 {
    let capacity = (f64::from(available_troops(vdef, vpol)) / 20_000.0).min(1.0);
    params.intervention_activation_intercept + 0.5 * params.intervention_capacity_weight * capacity
        - 0.5 * params.intervention_opposition_weight * vdef.war_opposition
        - 0.5 * params.intervention_exposure_weight * exposure(vdef, target)
}

/// What an activation vote that passed sets going: D-Day after the organisation's delay, and
/// each yes-voter's pledge of its share of available troops. Proposes the activation and the
/// pledges, caused by the summit, citing the intervention article.
fn activate_standby_force(ctx: &mut Ctx, states: &States, org_id: &Id, ucg: &UcgRegimeDef, target: &Id, yes: &[Id], summit_seq: u64) {
    ctx.emit(
        EventKind::StandbyForceActivated {
            org: org_id.clone(),
            target: target.clone(),
            dday: ctx.day().saturating_add(ucg.dday_delay_days),
        },
        Some(summit_seq),
        ucg.intervention_article.clone(),
    );
    for v in yes {
        let Some((vdef, vpol)) = state(ctx, states, v) else { continue };
        let troops = (f64::from(available_troops(vdef, vpol)) * ctx.fixed.params.intervention_pledge_share).round() as u32;
        if troops > 0 {
            ctx.emit(
                EventKind::ForcePledged { org: org_id.clone(), state: v.clone(), target: target.clone(), troops },
                Some(summit_seq),
                ucg.intervention_article.clone(),
            );
        }
    }
}

/// A launch review: postponed if the pledged coalition is short of the force ratio against the
/// expected defenders (the target's own and its allies'); otherwise the pledgers vote
/// (`launch_votes`) and the vote decides (`resolve_launch_vote`). Every proposal is caused by
/// the activation and cites the intervention article.
#[allow(clippy::too_many_arguments)]
fn decide_launch(
    ctx: &mut Ctx,
    states: &States,
    treaties: &Treaties,
    org_id: &str,
    ucg: &UcgRegimeDef,
    ostate: &OrgState,
    target: &str,
    tdef: &crate::model::scenario::StateDef,
    tpol: &Polity,
    resp: &OrgResponse,
    act_seq: u64,
) {
    let pledgers = pledges_for(resp, ostate);
    let coalition: f64 = pledgers.iter().map(|(_, t)| f64::from(*t)).sum();
    let defenders = effective_defenders(tpol, tdef.cohesion) + expected_allied_support(ctx, states, treaties, target);
    let ratio = coalition / defenders.max(1.0);
    if ratio < ctx.fixed.params.intervention_min_force_ratio {
        ctx.emit(
            EventKind::LaunchPostponed {
                org: org_id.to_id(),
                target: target.to_id(),
                reason: crate::format_id!("force generation short: {coalition:.0} pledged against {defenders:.0} expected defenders"),
            },
            Some(act_seq),
            ucg.intervention_article.clone(),
        );
        return;
    }
    let deterrence = defenders / coalition.max(1.0);
    let (yes, no) = launch_votes(ctx, states, target, &pledgers, deterrence);
    resolve_launch_vote(ctx, org_id, ucg, target, &pledgers, yes, no, act_seq);
}

/// The force pledges that still count: those of members not withdrawing, in member order.
fn pledges_for(resp: &OrgResponse, ostate: &OrgState) -> Vec<(Id, u32)> {
    resp.pledges
        .iter()
        .filter(|(m, _)| ostate.members.contains(*m) && !ostate.withdrawing.contains_key(*m))
        .map(|(m, t)| (m.clone(), *t))
        .collect()
}

/// Each pledger's vote on launching, a draw on `weigh_launch`: (yes, no) in pledger order.
fn launch_votes(ctx: &mut Ctx, states: &States, target: &str, pledgers: &[(Id, u32)], deterrence: f64) -> (Vec<Id>, Vec<Id>) {
    let day = ctx.day();
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for (m, _) in pledgers {
        let Some((mdef, mpol)) = state(ctx, states, m) else { continue };
        let x = weigh_launch(&ctx.fixed.params, mdef, mpol, target, deterrence);
        if ctx.chance(Purpose::LaunchVote, &[k(m), k(target), u64::from(day)], logistic(x), || {
            format!(
                "{m} votes to launch against {target}: {} troops free, war opposition {}, exposure to {target} {:.3}, deterrence {deterrence:.3} (expected defenders per pledged troop)",
                available_troops(mdef, mpol),
                mdef.war_opposition,
                exposure(mdef, target)
            )
        }) {
            yes.push(m.clone());
        } else {
            no.push(m.clone());
        }
    }
    (yes, no)
}

/// A pledger's inclination (log-odds) to vote for launching: its capacity raises it; its
/// public's opposition to war, its exposure to the target and the deterrence of the expected
/// defenders (against the coalition) lower it.
fn weigh_launch(params: &Params, mdef: &crate::model::scenario::StateDef, mpol: &Polity, target: &str, deterrence: f64) -> f64 {
    let capacity = (f64::from(available_troops(mdef, mpol)) / 20_000.0).min(1.0);
    params.intervention_launch_intercept + params.intervention_capacity_weight * capacity
        - params.intervention_opposition_weight * mdef.war_opposition
        - params.intervention_exposure_weight * exposure(mdef, target)
        - params.intervention_deterrence_weight * deterrence
}

/// Whether the launch vote passes: under the organisation's force decision rule, with the lead
/// contributor (the largest pledge; the lower id on a tie) voting yes. Proposes the vote, then the
/// launch with the yes-voters' pledged troops or the postponement with its reason, caused by the
/// activation, citing the intervention article.
#[allow(clippy::too_many_arguments)]
fn resolve_launch_vote(
    ctx: &mut Ctx,
    org_id: &str,
    ucg: &UcgRegimeDef,
    target: &str,
    pledgers: &[(Id, u32)],
    yes: Vec<Id>,
    no: Vec<Id>,
    act_seq: u64,
) {
    let lead = pledgers.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(m, _)| m.clone());
    let lead_yes = lead.as_ref().is_some_and(|l| yes.contains(l));
    let passed = ucg.force_decision_rule.passes(yes.len(), pledgers.len()) && lead_yes;
    ctx.emit(
        EventKind::VoteHeld {
            org: org_id.to_id(),
            target: target.to_id(),
            question: VoteQuestion::LaunchIntervention,
            yes: yes.clone(),
            no,
            passed,
        },
        Some(act_seq),
        ucg.intervention_article.clone(),
    );
    if passed {
        let contributors: Vec<Id> = yes.clone();
        let troops = pledgers.iter().filter(|(m, _)| yes.contains(m)).map(|(_, t)| *t).sum();
        ctx.emit(
            EventKind::InterventionLaunched { org: org_id.to_id(), target: target.to_id(), troops, contributors },
            Some(act_seq),
            ucg.intervention_article.clone(),
        );
    } else {
        let reason = if !lead_yes {
            crate::format_id!("lead contributor {} declined", lead.unwrap_or_default())
        } else {
            crate::format_id!("vote failed under {:?}", ucg.force_decision_rule)
        };
        ctx.emit(
            EventKind::LaunchPostponed { org: org_id.to_id(), target: target.to_id(), reason },
            Some(act_seq),
            ucg.intervention_article.clone(),
        );
    }
}

/// Pressure on an organisation to lift economic measures without its demand met.
pub fn lifting_pressure(
    params: &Params,
    resp: &OrgResponse,
    days_under: u32,
    member_cost_per_year: f64,
    withdrawal_announced: bool,
) -> f64 {
    let years = f64::from(days_under) / 365.0;
    params.lifting_humanitarian_weight * years * resp.severity
        + params.sanctions_member_cost_weight * member_cost_per_year * years
        + if withdrawal_announced { params.lifting_withdrawal_weight } else { 0.0 }
}

/// Periodic sanctions reviews, answers to transition offers, and lifting when order returns:
/// for each organisation, the review of economic measures in each crisis it has responded to,
/// then its answers to the transition offers and restorations of order of the previous round.
/// Each step cites the organisation's sanctions article (lifting a suspension, its suspension
/// article).
pub fn review_sanctions(ctx: &mut Ctx, f: &Facts, by_org: &Responded) {
    let (crises, orgs) = (&f.crises, &f.orgs);
    let fresh = relevant(ctx.fresh(), |k| matches!(k, EventKind::TransitionProposed { .. } | EventKind::OrderRestored { .. }));
    for (org_id, _, ucg, ostate) in ucg_orgs(ctx, orgs) {
        for (target, crisis) in by_org.of(org_id) {
            let Some(resp) = crisis.responses.get(org_id) else { continue };
            review_economic_measures(ctx, f, org_id, ucg, ostate, target, crisis, resp);
        }
        for ev in fresh.iter() {
            match &ev.kind {
                EventKind::TransitionProposed { state: target, months } => {
                    let Some(resp) = crises.0.get(target).and_then(|c| c.responses.get(org_id)) else { continue };
                    answer_transition(ctx, org_id, ucg, target, resp, *months, ev.seq);
                }
                EventKind::OrderRestored { state: target, .. } => {
                    let Some(resp) = crises.0.get(target).and_then(|c| c.responses.get(org_id)) else { continue };
                    lift_on_order_restored(ctx, org_id, ucg, ostate, target, resp, ev.seq);
                }
                _ => {}
            }
        }
    }
}

/// A periodic sanctions review (round 0, on `Step::SanctionsReview`: every `review_days` after the
/// sanctions, while the crisis is open and economic measures are in force): whether the organisation lifts its
/// economic measures on humanitarian grounds, a draw on the lifting pressure against its
/// threshold. Proposes the lifting (targeted measures kept), caused by the sanctions, citing
/// the sanctions article ("summit review: humanitarian grounds").
#[allow(clippy::too_many_arguments)]
fn review_economic_measures(
    ctx: &mut Ctx,
    f: &Facts,
    org_id: &Id,
    ucg: &UcgRegimeDef,
    ostate: &OrgState,
    target: &Id,
    crisis: &Crisis,
    resp: &OrgResponse,
) {
    let day = ctx.day();
    let economic: Vec<Measure> = resp.measures.iter().copied().filter(|m| m.is_economic()).collect();
    if let Some((d0, seq0)) = resp.sanctions_day
        && ctx.first_round()
        && !economic.is_empty()
        && crisis.resolved_day.is_none()
        && timers::on_today(ctx, f, &TimerKey::new(Step::SanctionsReview, org_id, target))
    {
        let cost = members_trade_cost(ctx, &f.states, ostate, target);
        let pressure = lifting_pressure(&ctx.fixed.params, resp, day - d0, cost, ostate.withdrawing.contains_key(target));
        let p = logistic(ctx.fixed.params.lifting_slope * (pressure - ctx.fixed.params.lifting_threshold));
        if ctx.chance(Purpose::SanctionsLifting, &[k(org_id), k(target), u64::from(day)], p, || {
            format!(
                "{org_id} lifts its economic measures on {target}: logistic(lifting.slope x (pressure {pressure:.3} - lifting.threshold)) after {} days, members' trade cost {cost:.3}",
                day - d0
            )
        }) {
            let kept: Vec<Measure> = resp.measures.iter().copied().filter(|m| !m.is_economic()).collect();
            ctx.emit(
                EventKind::SanctionsLifted {
                    org: org_id.clone(),
                    target: target.clone(),
                    measures: economic.clone(),
                    kept,
                    reason: LiftReason::Humanitarian,
                },
                Some(seq0),
                crate::format_id!("{} (summit review: humanitarian grounds)", ucg.sanctions_article),
            );
        }
    }
}

/// Members' own losses from sanctioning the target: the average over the other members of the
/// share of their GDP tied to trade with it and of the electricity they supply it, in percent.
fn members_trade_cost(ctx: &Ctx, states: &States, ostate: &OrgState, target: &Id) -> f64 {
    let members: Vec<&Id> = ostate.members.iter().filter(|m| *m != target).collect();
    members
        .iter()
        .filter_map(|m| state(ctx, states, *m))
        .map(|(d, _)| {
            d.trade_exposure.get(target).copied().unwrap_or(0.0) * 100.0 + d.electricity_supply.get(target).copied().unwrap_or(0.0)
        })
        .sum::<f64>()
        / members.len().max(1) as f64
}

/// Whether the organisation accepts a junta's transition timetable: if it is no longer than
/// `lifting.transition_accept_months` (organisations that neither suspended nor sanctioned the
/// state, or already agreed a transition, do not answer). Proposes the answer and, on
/// acceptance, the lifting of every measure (`lift_all`), caused by the offer, citing the
/// sanctions article.
fn answer_transition(ctx: &mut Ctx, org_id: &Id, ucg: &UcgRegimeDef, target: &Id, resp: &OrgResponse, months: u32, offer_seq: u64) {
    if resp.transition_answer == Some(true) || (!resp.suspended && resp.measures.is_empty()) {
        return;
    }
    let accepted = f64::from(months) <= ctx.fixed.params.lifting_transition_accept_months;
    ctx.emit(
        EventKind::TransitionAnswered { org: org_id.clone(), state: target.clone(), months, accepted },
        Some(offer_seq),
        ucg.sanctions_article.clone(),
    );
    if accepted {
        lift_all(
            ctx,
            org_id,
            target,
            resp,
            LiftReason::TransitionAgreed,
            offer_seq,
            crate::format_id!("{} (transition timetable agreed)", ucg.sanctions_article),
        );
    }
}

/// Once order is restored, the demand is met: every measure is lifted (`lift_all`, citing the
/// sanctions article) and the suspension too, if the state is still suspended (citing the
/// suspension article), caused by the restoration.
#[allow(clippy::too_many_arguments)]
fn lift_on_order_restored(
    ctx: &mut Ctx,
    org_id: &Id,
    ucg: &UcgRegimeDef,
    ostate: &OrgState,
    target: &Id,
    resp: &OrgResponse,
    restored_seq: u64,
) {
    lift_all(
        ctx,
        org_id,
        target,
        resp,
        LiftReason::OrderRestored,
        restored_seq,
        crate::format_id!("{} (demand met)", ucg.sanctions_article),
    );
    if resp.suspended && ostate.suspended.contains(target) {
        ctx.emit(
            EventKind::SuspensionLifted { org: org_id.clone(), state: target.clone() },
            Some(restored_seq),
            ucg.suspension_article.clone(),
        );
    }
}

/// Lifts every measure still in force (economic and targeted), if any.
fn lift_all(ctx: &mut Ctx, org: &str, target: &str, resp: &OrgResponse, reason: LiftReason, cause: u64, rule: Id) {
    if resp.measures.is_empty() {
        return;
    }
    let kind = EventKind::SanctionsLifted {
        org: org.to_id(),
        target: target.to_id(),
        measures: resp.measures.iter().copied().collect(),
        kept: vec![],
        reason,
    };
    ctx.emit(kind, Some(cause), rule);
}
