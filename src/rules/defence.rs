//! Treaty clauses as data, interpreted generically: an attack that satisfies a defence
//! clause's triggers and conditions obligates every other party; each party decides whether
//! and how to honour it; committed forces mobilise and deploy; several committed parties
//! under a collective clause form a joint operation if the treaty's decision rule is met.
//! Attacks between parties to a non-aggression clause are logged as breaches.

use bevy_ecs::prelude::*;

use crate::model::draw::Purpose;
use crate::model::event::{Event, EventKind, VoteQuestion};
use crate::model::params::Params;
use crate::model::scenario::{AssistanceForm, AttackKind, ClauseDef, Condition, Obligation, Trigger};
use crate::model::state::{Defence, Id, Invocation, InvocationKey, Polity, StateProfile, ToId, Treaties, TreatyState};
use crate::model::timers::{Step, TimerKey};
use crate::model::world::Log;
use crate::rules::context::Ctx;
use crate::rules::ucg::HonourTerms;
use crate::rules::{available_troops, k};

use crate::rules::timers;
use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "defence";

/// Treaty clauses: obligations, requests, decisions, forces.
pub struct DefenceRules;

impl RuleModule for DefenceRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        trigger_defence_obligations(ctx, &f.treaties, &f.defence, &f.states);
        decide_assistance(ctx, &f.treaties, &f.defence, &f.states);
        move_committed_forces(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &FORCES_STEPS
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

type States<'w, 's> = Query<'w, 's, (&'static StateProfile, &'static Polity)>;

/// "AES Charter Art. 6".
pub fn citation(t: &TreatyState, c: &ClauseDef) -> Id {
    crate::format_id!("{} {}", t.def.short_name, c.article)
}

/// Whether a defence clause is engaged by an attack, and if not, the first of its tests that
/// failed (in the order `clause_engaged_by` makes them). `casus explain --why-not` words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Engagement<'c> {
    /// The clause's triggers and data conditions hold (a written request may still be needed).
    Engaged,
    /// The clause is not a defence clause.
    NotDefence(Obligation),
    /// None of the clause's triggers is one the attack's kind engages.
    Trigger {
        /// The clause's triggers.
        clause: &'c [Trigger],
        /// Those the attack engages.
        attack: &'static [Trigger],
    },
    /// The attacker is not among the adversaries the clause names.
    Adversary(&'c [Id]),
    /// The attack is not in a place the clause names.
    Location(&'c [Id]),
    /// The attacked state had attacked the attacker first (the clause requires non-provocation).
    Provoked,
}

/// Whether a clause's triggers and data conditions (other than a written request) hold for an
/// attack of kind `attack` by `attacker` in `location`; `provoked`: the target had attacked the
/// attacker before. The rule (`clause_matches`) and the explanation of a clause not engaged
/// both use it.
pub fn clause_engaged_by<'c>(c: &'c ClauseDef, attack: AttackKind, attacker: &str, location: &str, provoked: bool) -> Engagement<'c> {
    if c.obligation != Obligation::Defence {
        return Engagement::NotDefence(c.obligation);
    }
    if !attack.triggers().iter().any(|t| c.triggers.contains(t)) {
        return Engagement::Trigger { clause: &c.triggers, attack: attack.triggers() };
    }
    for cond in &c.conditions {
        match cond {
            Condition::Adversary(ids) if !ids.iter().any(|i| i == attacker) => return Engagement::Adversary(ids),
            Condition::Location(ids) if !ids.iter().any(|i| i == location) => return Engagement::Location(ids),
            Condition::NotProvoked if provoked => return Engagement::Provoked,
            _ => {}
        }
    }
    Engagement::Engaged
}

/// Whether a clause's triggers and data conditions (other than a written request) hold.
pub fn clause_matches(c: &ClauseDef, attack: AttackKind, attacker: &str, location: &str, target_state: Option<&Polity>) -> bool {
    let provoked = target_state.is_some_and(|p| p.attacked.contains(attacker));
    clause_engaged_by(c, attack, attacker, location, provoked) == Engagement::Engaged
}

/// Whether a consultation clause's triggers and location/adversary conditions hold.
fn consultation_matches(c: &ClauseDef, attack: AttackKind, attacker: &str, location: &str) -> bool {
    attack.triggers().iter().any(|t| c.triggers.contains(t))
        && c.conditions.iter().all(|cond| match cond {
            Condition::Adversary(ids) => ids.iter().any(|i| i == attacker),
            Condition::Location(ids) => ids.iter().any(|i| i == location),
            Condition::NotProvoked | Condition::WrittenRequest => true,
        })
}

/// A neutrality clause in force binding `party` towards `belligerent`, if any: the party must
/// stay out of a war the belligerent wages.
pub fn neutrality_towards(treaties: &Treaties, party: &str, belligerent: &str) -> Option<Id> {
    for tid in treaties.by_member.get(party).into_iter().flatten() {
        let t = &treaties.by_id[tid];
        if !t.in_force || !t.members.contains(party) || !t.members.contains(belligerent) {
            continue;
        }
        if let Some(c) = t.def.clauses.iter().find(|c| c.obligation == Obligation::Neutrality) {
            return Some(citation(t, c));
        }
    }
    None
}

/// An attack as the defence clauses read it: the attack event's seq and fields.
#[derive(Clone, Copy)]
struct Attack<'a> {
    seq: u64,
    attacker: &'a str,
    target: &'a str,
    location: &'a str,
    kind: AttackKind,
}

/// The attack an event records, if it records one.
fn attack_in(e: &Event) -> Option<Attack<'_>> {
    match &e.kind {
        EventKind::AttackOccurred { attacker, target, location, attack, .. } => {
            Some(Attack { seq: e.seq, attacker, target, location, kind: *attack })
        }
        _ => None,
    }
}

/// Emits obligations (or written requests, or non-aggression breaches, or consultations) for
/// the attacks and written requests of the previous round, treaty by treaty in id order among
/// the target's treaties in force: breaches and consultations for an attack
/// (`report_breaches`, `hold_consultations`), then the defence clauses it engages
/// (`engage_defence_clauses`). Each cites the treaty's article.
pub fn trigger_defence_obligations(ctx: &mut Ctx, treaties: &Treaties, defence: &Defence, states: &States) {
    let fresh = ctx.fresh();
    let log = ctx.log();
    for ev in fresh.iter() {
        let Some((attack, request)) = attack_answered(ev, log) else { continue };
        let target = attack.target;
        let target_state = ctx.fixed.index.get(target).and_then(|e| states.get(*e).ok()).map(|(_, p)| p);
        let mut ids: Vec<&Id> = treaties.by_member.get(target).map(|v| v.iter().collect()).unwrap_or_default();
        ids.sort();
        ids.dedup();
        for tid in ids {
            let t = &treaties.by_id[tid];
            if !t.in_force || !t.members.contains(target) || request.is_some_and(|r| r != tid) {
                continue;
            }
            if request.is_none() {
                report_breaches(ctx, tid, t, &attack);
                hold_consultations(ctx, tid, t, &attack);
            }
            engage_defence_clauses(ctx, defence, tid, t, &attack, target_state, request, ev.seq);
        }
    }
}

/// The attack a fresh event asks the defence clauses to answer, and, for a written request, the
/// treaty it invokes (which unlocks that treaty's request-conditioned clauses): an attack
/// answers itself; a request, the attack that caused it or else the target's latest attack.
fn attack_answered<'a>(ev: &'a Event, log: &'a Log) -> Option<(Attack<'a>, Option<&'a Id>)> {
    match &ev.kind {
        EventKind::AttackOccurred { .. } => Some((attack_in(ev)?, None)),
        EventKind::AssistanceRequested { state, treaty } => {
            let found = match ev.cause.and_then(|c| log.get(c)) {
                Some(a) if attack_in(a).is_some() => Some(a),
                _ => log.events.iter().rev().find(|e| attack_in(e).is_some_and(|a| a.target == state)),
            };
            Some((attack_in(found?)?, Some(treaty)))
        }
        _ => None,
    }
}

/// Whether an attack by one party on another breaches the treaty's non-aggression clauses: it
/// does, for each of them. Proposes each breach, caused by the attack, citing the clause.
fn report_breaches(ctx: &mut Ctx, tid: &Id, t: &TreatyState, attack: &Attack) {
    let (attacker, target) = (attack.attacker, attack.target);
    if !(t.members.contains(attacker) && attacker != target) {
        return;
    }
    for c in t.def.clauses.iter().filter(|c| c.obligation == Obligation::NonAggression) {
        ctx.emit(
            EventKind::NonAggressionBreached {
                treaty: tid.clone(),
                article: c.article.clone(),
                by: attacker.to_id(),
                against: target.to_id(),
            },
            Some(attack.seq),
            citation(t, c),
        );
    }
}

/// Which consultation clauses an attack engages (`consultation_matches`): each convenes the
/// parties other than the target and the attacker, if there are any. Proposes the
/// consultations, requested by the target and caused by the attack, citing the clause.
fn hold_consultations(ctx: &mut Ctx, tid: &Id, t: &TreatyState, attack: &Attack) {
    let (attacker, target) = (attack.attacker, attack.target);
    for c in t.def.clauses.iter().filter(|c| c.obligation == Obligation::Consultation) {
        if consultation_matches(c, attack.kind, attacker, attack.location) {
            let parties: Vec<Id> = t.members.iter().filter(|m| *m != target && *m != attacker).cloned().collect();
            if !parties.is_empty() {
                ctx.emit(
                    EventKind::ConsultationsHeld { treaty: tid.clone(), article: c.article.clone(), requested_by: target.to_id(), parties },
                    Some(attack.seq),
                    citation(t, c),
                );
            }
        }
    }
}

/// Which of the treaty's defence clauses an attack engages (`clause_matches`), in clause order:
/// a clause that needs a written request engages only when answering one, and one that needs
/// none only when answering the attack itself; a request-conditioned clause met by the attack
/// itself lets the target decide whether to file the request (`file_written_request`, once per
/// treaty). A clause engaged for the same target within `assistance.reengage_days` is not
/// engaged again. Each engaged clause obliges the other parties (`oblige_parties`).
#[allow(clippy::too_many_arguments)]
fn engage_defence_clauses(
    ctx: &mut Ctx,
    defence: &Defence,
    tid: &Id,
    t: &TreatyState,
    attack: &Attack,
    target_state: Option<&Polity>,
    request: Option<&Id>,
    cause_seq: u64,
) {
    let day = ctx.day();
    let reengage = Params::days(ctx.fixed.params.assistance_reengage_days);
    let mut requested_here = false;
    for c in &t.def.clauses {
        if !clause_matches(c, attack.kind, attack.attacker, attack.location, target_state) {
            continue;
        }
        let needs_request = c.conditions.contains(&Condition::WrittenRequest);
        if needs_request != request.is_some() {
            if needs_request && !requested_here {
                requested_here = true;
                file_written_request(ctx, tid, t, c, attack);
            }
            continue;
        }
        let engaged_key = (tid.clone(), c.article.clone(), attack.target.to_id());
        if defence.engaged.get(&engaged_key).is_some_and(|last| day < last + reengage) {
            continue;
        }
        oblige_parties(ctx, tid, t, c, attack, cause_seq);
    }
}

/// Whether the attacked state files the written request a clause needs: a draw on
/// `request.propensity`. Proposes the request, caused by the attack, citing the clause
/// ("written request").
fn file_written_request(ctx: &mut Ctx, tid: &Id, t: &TreatyState, c: &ClauseDef, attack: &Attack) {
    let p = ctx.fixed.params.request_propensity;
    let article = &c.article;
    if ctx.chance(Purpose::AssistanceRequest, &[k(attack.target), k(tid), attack.seq], p, || {
        format!("{} files the written request {tid} {article} needs: request.propensity {p}", attack.target)
    }) {
        ctx.emit(
            EventKind::AssistanceRequested { state: attack.target.to_id(), treaty: tid.clone() },
            Some(attack.seq),
            crate::format_id!("{} (written request)", citation(t, c)),
        );
    }
}

/// Who an engaged defence clause obliges: every party other than the target and the attacker,
/// in id order. Proposes each obligation, caused by the attack or the request that engaged the
/// clause, citing the clause.
fn oblige_parties(ctx: &mut Ctx, tid: &Id, t: &TreatyState, c: &ClauseDef, attack: &Attack, cause_seq: u64) {
    let (attacker, target) = (attack.attacker, attack.target);
    for party in t.members.iter().filter(|m| *m != target && *m != attacker) {
        ctx.emit(
            EventKind::ObligationArisen {
                treaty: tid.clone(),
                article: c.article.clone(),
                party: party.clone(),
                beneficiary: target.to_id(),
                attacker: attacker.to_id(),
                binding: c.binding,
                attack_seq: attack.seq,
            },
            Some(cause_seq),
            citation(t, c),
        );
    }
}

/// Each obligated party decides whether and how to honour (`decide_on_obligation`), for the
/// obligations of the previous round in log order; then collective clauses form joint
/// operations (`form_joint_operations`).
pub fn decide_assistance(ctx: &mut Ctx, treaties: &Treaties, defence: &Defence, states: &States) {
    let fresh = ctx.fresh();
    let terms = HonourTerms::new(&ctx.fixed.params);
    for ev in fresh.iter() {
        decide_on_obligation(ctx, treaties, defence, states, &terms, ev);
    }
    form_joint_operations(ctx, treaties, defence, fresh);
}

/// Whether an obligated party honours its obligation, a draw on `HonourTerms` (none if a
/// neutrality clause binds it towards the attacker), and what it sends (`assistance_owed`).
/// Proposes the decision, caused by the obligation, citing the obligation's clause or the
/// neutrality clause that overrides it.
fn decide_on_obligation(ctx: &mut Ctx, treaties: &Treaties, defence: &Defence, states: &States, terms: &HonourTerms, ev: &Event) {
    let EventKind::ObligationArisen { treaty, article, party, beneficiary, attacker, binding, attack_seq } = &ev.kind else { return };
    let Some(t) = treaties.by_id.get(treaty) else { return };
    let Some(c) = t.def.clauses.iter().find(|c| c.article == *article) else { return };
    let (Some((pdef, ppol)), Some((_, bpol))) =
        (ctx.fixed.index.get(party).and_then(|e| states.get(*e).ok()), ctx.fixed.index.get(beneficiary).and_then(|e| states.get(*e).ok()))
    else {
        return;
    };
    // A neutrality clause towards the attacker overrides the defence obligation.
    let neutral = neutrality_towards(treaties, party, attacker);
    let p = if neutral.is_some() { 0.0 } else { terms.probability(&ctx.fixed.params, &pdef.0, ppol, bpol, *binding) };
    let params = &ctx.fixed().params;
    let honoured = ctx.chance(Purpose::Honour, &[k(party), k(beneficiary), *attack_seq, k(article)], p, || match &neutral {
        Some(n) => format!(
            "{party} honours {treaty} {article} towards {beneficiary}: never, a neutrality clause ({n:?}) binds it towards {attacker}"
        ),
        None => format!(
            "{party} honours {treaty} {article} towards {beneficiary} ({binding:?}): {}",
            terms.explain(params, &pdef.0, ppol, bpol, *binding)
        ),
    });
    // Forces already committed to this beneficiary count towards what is owed: a new
    // invocation tops them up rather than stacking a second contingent.
    let already =
        defence.deployments.get(&(party.clone(), beneficiary.clone())).filter(|d| d.rule == ev.rule).map(|d| d.troops).unwrap_or(0);
    let (forms, troops) = assistance_owed(&ctx.fixed.params, c, (&pdef.0, ppol), already, honoured);
    ctx.emit(
        EventKind::AssistanceDecided {
            treaty: treaty.clone(),
            party: party.clone(),
            beneficiary: beneficiary.clone(),
            honoured,
            forms,
            troops,
            probability: (p * 1e6).round() / 1e6,
            attack_seq: *attack_seq,
        },
        Some(ev.seq),
        neutral.map(|n| crate::format_id!("{n} (neutrality towards {attacker})")).unwrap_or_else(|| ev.rule.clone()),
    );
}

/// What a party sends under a clause: nothing if it does not honour; otherwise the forms the
/// clause owes (logistics if none is left), armed force only if its commit share of available
/// troops (with those `already` there) reaches `assistance.min_armed_troops`, and then the
/// troops that top up those already there.
fn assistance_owed(
    params: &Params,
    c: &ClauseDef,
    (pdef, ppol): (&crate::model::scenario::StateDef, &Polity),
    already: u32,
    honoured: bool,
) -> (Vec<AssistanceForm>, u32) {
    let commit = (f64::from(available_troops(pdef, ppol) + already) * params.assistance_commit_share).round() as u32;
    let armed = c.owed.contains(&AssistanceForm::ArmedForce) && f64::from(commit) >= params.assistance_min_armed_troops;
    let commit = commit.saturating_sub(already);
    // Forces already there under the same clause keep serving; nothing new is owed in troops.
    let armed = armed && (commit > 0 || already > 0);
    if !honoured {
        (vec![], 0)
    } else {
        let mut forms: Vec<AssistanceForm> = c.owed.iter().copied().filter(|f| *f != AssistanceForm::ArmedForce || armed).collect();
        if forms.is_empty() {
            forms.push(AssistanceForm::Logistics);
        }
        (forms, if armed { commit } else { 0 })
    }
}

/// Joint operations: once every obligated party of a collective clause has decided (on a
/// decision of the previous round), each invocation not yet joint is put to a vote
/// (`hold_joint_operation_vote`), once per round.
fn form_joint_operations(ctx: &mut Ctx, treaties: &Treaties, defence: &Defence, fresh: &[Event]) {
    let mut checked = std::collections::BTreeSet::new();
    for ev in fresh.iter() {
        let EventKind::AssistanceDecided { treaty, beneficiary, attack_seq, .. } = &ev.kind else { continue };
        for (key, inv) in defence.invocations.range((treaty.clone(), Id::default(), Id::default(), 0)..) {
            if key.0 != *treaty {
                break;
            }
            if key.2 != *beneficiary || key.3 != *attack_seq || inv.joint || !checked.insert(key.clone()) {
                continue;
            }
            let Some(t) = treaties.by_id.get(treaty) else { continue };
            let Some(c) = t.def.clauses.iter().find(|c| c.article == key.1) else { continue };
            if !c.collective || inv.decided.len() < inv.obligated.len() {
                continue;
            }
            hold_joint_operation_vote(ctx, t, c, key, inv, ev.seq);
        }
    }
}

/// Whether a collective clause's invocation becomes a joint operation: with at least two
/// parties committing troops, the parties vote (yes if they honoured) under the treaty's
/// decision rule. Proposes the vote (citing the treaty's decision article or rule) and, if it
/// passed, the joint operation with every decided party's troops (citing the clause), caused by
/// the decision that completed the invocation.
fn hold_joint_operation_vote(ctx: &mut Ctx, t: &TreatyState, c: &ClauseDef, key: &InvocationKey, inv: &Invocation, cause_seq: u64) {
    let (treaty, beneficiary, attack_seq) = (&key.0, &key.2, key.3);
    let committed: Vec<Id> = inv.decided.iter().filter(|(_, (h, tr))| *h && *tr > 0).map(|(p, _)| p.clone()).collect();
    if committed.len() < 2 {
        return;
    }
    let yes: Vec<Id> = inv.decided.iter().filter(|(_, (h, _))| *h).map(|(p, _)| p.clone()).collect();
    let no: Vec<Id> = inv.decided.iter().filter(|(_, (h, _))| !*h).map(|(p, _)| p.clone()).collect();
    let passed = t.def.decision_rule.passes(yes.len(), inv.obligated.len());
    let rule = if t.def.decision_article.is_empty() {
        crate::format_id!("{} decision rule", t.def.short_name)
    } else {
        crate::format_id!("{} {}", t.def.short_name, t.def.decision_article)
    };
    ctx.emit(
        EventKind::VoteHeld { org: treaty.clone(), target: beneficiary.clone(), question: VoteQuestion::JointOperation, yes, no, passed },
        Some(cause_seq),
        rule.clone(),
    );
    if passed {
        let troops = inv.decided.values().map(|(_, t)| *t).sum();
        ctx.emit(
            EventKind::JointOperationFormed {
                treaty: treaty.clone(),
                beneficiary: beneficiary.clone(),
                parties: committed,
                troops,
                attack_seq,
            },
            Some(cause_seq),
            citation(t, c),
        );
    }
}

/// The steps of committed forces: each deployment waits for one, by its stage.
const FORCES_STEPS: [Step; 3] = [Step::Mobilisation, Step::Deployment, Step::TourEnd];

/// Committed forces mobilise, deploy, then return, once each stage's delay has run
/// (`FORCES_STEPS`), in (party, beneficiary) order.
pub fn move_committed_forces(ctx: &mut Ctx, f: &Facts) {
    let mut due: Vec<&TimerKey> = Vec::new();
    for step in FORCES_STEPS.into_iter().filter(|s| f.timers.any(*s)) {
        due.extend(f.timers.of(step).filter(|(key, t)| timers::reached_by(ctx, f, key, t)).map(|(key, _)| key));
    }
    if due.len() > 1 {
        due.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    }
    for key in due {
        let (party, ben) = (&key.a, &key.b);
        let Some(d) = f.defence.deployments.get(&(party.clone(), ben.clone())) else { continue };
        let (party, beneficiary, troops) = (party.clone(), ben.clone(), d.troops);
        let kind = match key.step {
            Step::Mobilisation => EventKind::ForcesMobilised { party, beneficiary, troops },
            Step::Deployment => EventKind::ForcesDeployed { party, beneficiary, troops },
            _ => EventKind::ForcesReturned { party, beneficiary, troops },
        };
        ctx.emit(kind, Some(d.seq), d.rule.clone());
    }
}
