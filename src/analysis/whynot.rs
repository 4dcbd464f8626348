//! `casus explain --why-not KIND`: why something did not happen. Read from the log and the
//! prepared scenario, without running the rules: the rules' own condition functions
//! (`defence::clause_engaged_by`, `ucg::economic_sanctions_probability`) are evaluated again on
//! the logged facts, and a logged decision's draw is recomputed from the seed (a keyed draw is a
//! pure function of seed, purpose and key), so the explanation cannot drift from the rules.
//!
//! Every kind a draw decides is also answered from the draws themselves: the caller re-runs
//! the rules with the decision recorder on (`engine::run::run_diagnosed`; a normal run records
//! nothing) and passes the decisions in, each with its day, probability, draw and what the
//! probability was made of (`decision_lines`).

use crate::analysis::plain::event_date;
use crate::analysis::plain::human_date;
use crate::model::date::Date;
use crate::model::draw::{Draws, Purpose};
use crate::model::event::{Event, EventKind, SummitAgenda, VoteQuestion};
use crate::model::prepared::Prepared;
use crate::model::scenario::{ActorDef, Condition, Obligation, TreatyDef, UcgRegimeDef};
use crate::rules::context::Decision;
use crate::rules::defence::{self, Engagement};
use crate::rules::{k, ucg};

/// The explanation, one line each (not yet passed through `printable`).
pub fn why_not(p: &Prepared, events: &[Event], seed: u64, kind: &str, actor: Option<&str>) -> Vec<String> {
    match kind {
        "ObligationArisen" => obligations(p, events, actor),
        "SanctionsImposed" => sanctions(p, events, seed, actor),
        "InterventionLaunched" => interventions(events, actor),
        "MemberSuspended" => suspensions(p, events, actor),
        other => generic(other, events, actor),
    }
}

fn involves(e: &Event, actor: Option<&str>) -> bool {
    actor.is_none_or(|a| e.actors.iter().any(|x| x == a))
}

/// An event's number and date in words, with its day: `#7 30 Jul 2023 (day 4)`.
fn at(e: &Event) -> String {
    format!("#{} {} (day {})", e.seq, event_date(e, 0), e.day)
}

/// Each attack on the actor (or on anyone), against each defence clause of each treaty its
/// target is party to: whether it engaged the clause, and if not, the test that failed.
fn obligations(p: &Prepared, events: &[Event], actor: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut attacks = 0;
    for e in events {
        let EventKind::AttackOccurred { attacker, target, attack, .. } = &e.kind else { continue };
        if actor.is_some_and(|a| a != target) {
            continue;
        }
        attacks += 1;
        out.push(format!("{} {attack:?} attack by {attacker} on {target}:", at(e)));
        let treaties: Vec<&TreatyDef> = p.scenario.treaties.iter().filter(|t| t.members.iter().any(|m| m == target)).collect();
        if treaties.is_empty() {
            out.push(format!("  {target} is party to no treaty"));
        }
        for t in treaties {
            out.extend(treaty_lines(p, events, t, e).into_iter().map(|l| format!("  {l}")));
        }
    }
    let who = actor.map(|a| format!(" on {a}")).unwrap_or_default();
    let head = format!(
        "Why no ObligationArisen: {attacks} attack{}{who} checked against the defence clauses of the target's treaties (rule module `{}`):",
        if attacks == 1 { "" } else { "s" },
        defence::NAME
    );
    std::iter::once(head).chain(out).collect()
}

/// One treaty's defence clauses against one attack.
fn treaty_lines(p: &Prepared, events: &[Event], t: &TreatyDef, attack: &Event) -> Vec<String> {
    let EventKind::AttackOccurred { attacker, target, location, attack: kind, .. } = &attack.kind else { return vec![] };
    let before = &events[..attack.seq as usize];
    let in_force = t.in_force.is_none() || before.iter().any(|e| matches!(&e.kind, EventKind::TreatyInForce { treaty } if *treaty == t.id));
    if !in_force {
        return vec![format!("{} was not in force yet (it enters into force on {})", t.short_name, t.in_force.as_deref().unwrap_or("?"))];
    }
    let left = before.iter().any(|e| matches!(&e.kind, EventKind::WithdrawalEffective { state, from } if state == target && *from == t.id));
    if left {
        return vec![format!("{target} had left {}", t.short_name)];
    }
    let provoked =
        before.iter().any(|e| matches!(&e.kind, EventKind::AttackOccurred { attacker: a, target: b, .. } if a == target && b == attacker));
    let mut out = Vec::new();
    for c in t.clauses.iter().filter(|c| c.obligation == Obligation::Defence) {
        let cite = format!("{} {}", t.short_name, c.article);
        let what = format!("event #{} ({attacker} attack on {target}, kind {kind:?})", attack.seq);
        let line = match defence::clause_engaged_by(c, *kind, attacker, location, provoked) {
            Engagement::Engaged => engaged(p, events, &cite, t, c, attack),
            Engagement::NotDefence(o) => format!("{cite} is a {o:?} clause"),
            Engagement::Trigger { clause, attack: engages } => format!(
                "{cite} was not engaged by {what}: the clause's triggers are {}; a {kind:?} engages {} only",
                list(clause),
                list(engages)
            ),
            Engagement::Adversary(ids) => format!("{cite} was not engaged by {what}: it covers attacks by {} only", list(ids)),
            Engagement::Location(ids) => format!("{cite} was not engaged by {what}: it covers attacks in {} only", list(ids)),
            Engagement::Provoked => {
                format!("{cite} was not engaged by {what}: {target} had attacked {attacker} first (the clause requires non-provocation)")
            }
        };
        out.push(line);
    }
    if out.is_empty() {
        out.push(format!("{} has no defence clause", t.short_name));
    }
    out
}

fn list<T: std::fmt::Debug>(v: &[T]) -> String {
    v.iter().map(|x| format!("{x:?}").trim_matches('"').to_string()).collect::<Vec<_>>().join(", ")
}

/// A clause whose triggers and conditions held: the obligations it raised, or why none arose.
fn engaged(p: &Prepared, events: &[Event], cite: &str, t: &TreatyDef, c: &crate::model::scenario::ClauseDef, attack: &Event) -> String {
    let raised: Vec<String> = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::ObligationArisen { attack_seq, .. } if *attack_seq == attack.seq) && e.rule == cite)
        .map(|e| format!("#{}", e.seq))
        .collect();
    if !raised.is_empty() {
        return format!("{cite} was engaged: obligations {}", raised.join(", "));
    }
    if c.conditions.contains(&Condition::WrittenRequest) {
        let filed = events
            .iter()
            .find(|e| e.cause == Some(attack.seq) && matches!(&e.kind, EventKind::AssistanceRequested { treaty, .. } if *treaty == t.id));
        return match filed {
            Some(r) => format!("{cite} needs a written request: #{} was filed, and no party was left to oblige", r.seq),
            None => format!(
                "{cite} needs a written request, which the target did not file (a draw on request.propensity = {})",
                p.params.request_propensity
            ),
        };
    }
    let window = crate::model::params::Params::days(p.params.assistance_reengage_days);
    let earlier = events[..attack.seq as usize].iter().rev().find(|e| {
        e.rule == cite
            && attack.day < e.day + window
            && matches!(&e.kind, EventKind::ObligationArisen { beneficiary, .. } if attack.actors.contains(beneficiary))
    });
    match earlier {
        Some(e) => format!(
            "{cite} held, but was not engaged again: it had been engaged for the same target by #{} on day {}, within assistance.reengage_days ({window})",
            e.seq, e.day
        ),
        None => format!("{cite} held, but no other party was left to oblige"),
    }
}

/// The organisations with a UCG regime, by id.
fn ucg_regime<'p>(p: &'p Prepared, org: &str) -> Option<&'p UcgRegimeDef> {
    p.scenario.actors.iter().find_map(|a| match a {
        ActorDef::Organisation(o) if o.id == org => o.ucg.as_ref(),
        _ => None,
    })
}

/// Each sanctions summit on (or by) the actor: its draw for economic measures against the
/// probability the rule computed, and what it decided.
fn sanctions(p: &Prepared, events: &[Event], seed: u64, actor: Option<&str>) -> Vec<String> {
    let mut out = vec![format!("Why no (economic) SanctionsImposed: each sanctions summit, as rule module `{}` decided it:", ucg::NAME)];
    let draws = Draws::new(seed);
    for e in events.iter().filter(|e| involves(e, actor)) {
        let EventKind::SummitConvened { org, target, agenda: SummitAgenda::Sanctions } = &e.kind else { continue };
        let Some(regime) = ucg_regime(p, org) else { continue };
        let claimant = events[..e.seq as usize].iter().rev().find_map(|x| match &x.kind {
            EventKind::CoupStaged { state, claimant, .. } if state == target => Some(claimant.clone()),
            _ => None,
        });
        let claimant = claimant.unwrap_or_default();
        let prob = ucg::economic_sanctions_probability(&p.params, regime, !claimant.is_empty());
        let u = draws.uniform(Purpose::SanctionsDecision, &[k(org), k(target), e.seq]);
        let why = if claimant.is_empty() {
            format!(
                "no elected claimant kept from office, so propensity {} x sanctions.without_claimant {}",
                regime.sanction_propensity, p.params.sanctions_without_claimant
            )
        } else {
            format!("propensity {} (the elected {claimant} is kept from office)", regime.sanction_propensity)
        };
        let economic = u < prob.clamp(0.0, 1.0);
        let verdict = if economic { "economic measures imposed" } else { "no economic measures" };
        out.push(format!("{} {org} summit on {target}: {verdict}: the draw {u:.3} against probability {prob:.3} = {why}", at(e)));
        if let Some(s) = events.iter().find(|x| x.cause == Some(e.seq) && matches!(x.kind, EventKind::SanctionsImposed { .. })) {
            out.push(format!("  it imposed #{} {}", s.seq, crate::analysis::describe::describe(&s.kind)));
        }
    }
    if out.len() == 1 {
        out.push(format!(
            "no sanctions summit{} in the log: the `{}` rules convene one `summit_delay_days` after a consolidated coup in a member of an organisation with a UCG regime (a CoupConsolidated event)",
            actor.map(|a| format!(" involving {a}")).unwrap_or_default(),
            ucg::NAME
        ));
    }
    out
}

/// Each standby force activated against the actor: its launch reviews (postponements and
/// votes) and stand-downs; without one, the activation votes.
fn interventions(events: &[Event], actor: Option<&str>) -> Vec<String> {
    let mut out = vec![format!("Why no InterventionLaunched: the standby forces and their launch reviews (rule module `{}`):", ucg::NAME)];
    for a in events.iter().filter(|e| involves(e, actor)) {
        match &a.kind {
            EventKind::VoteHeld { org, target, question: VoteQuestion::ActivateStandbyForce, yes, no, passed } => {
                let verdict = if *passed { "passed" } else { "failed: no standby force" };
                out.push(format!(
                    "{} {org} vote on activating its standby force against {target}: {verdict} ({} yes, {} no)",
                    at(a),
                    yes.len(),
                    no.len()
                ));
            }
            EventKind::StandbyForceActivated { org, target, dday } => {
                let on = event_date(a, dday.saturating_sub(a.day));
                out.push(format!("{} {org} activated its standby force against {target}, D-Day {on} (day {dday}); launch reviews:", at(a)));
                out.extend(events.iter().filter(|e| e.cause == Some(a.seq)).filter_map(review));
            }
            _ => {}
        }
    }
    if out.len() == 1 {
        out.push(format!(
            "no standby-force vote in the log: the `{}` rules hold one after an ultimatum threatening force expires unmet (UltimatumExpired)",
            ucg::NAME
        ));
    }
    out
}

/// Each coup on the actor (or on anyone), against each organisation with a regime on
/// unconstitutional change it belonged to at the start: suspended (and when), not suspended
/// again (suspended already), or the crisis closed before the suspension fell due.
fn suspensions(p: &Prepared, events: &[Event], actor: Option<&str>) -> Vec<String> {
    let mut out = vec![format!(
        "Why no MemberSuspended: each coup, against each organisation with a regime on unconstitutional change its target belongs to (rule module `{}`):",
        ucg::NAME
    )];
    for coup in events {
        let EventKind::CoupStaged { state, .. } = &coup.kind else { continue };
        if actor.is_some_and(|a| a != state) {
            continue;
        }
        out.push(format!("{} coup in {state}:", at(coup)));
        let orgs: Vec<_> = p
            .scenario
            .actors
            .iter()
            .filter_map(|a| match a {
                ActorDef::Organisation(o) if o.members.iter().any(|m| m == state) => o.ucg.as_ref().map(|u| (o, u)),
                _ => None,
            })
            .collect();
        if orgs.is_empty() {
            out.push(format!("  {state} belongs to no organisation with a regime on unconstitutional change"));
        }
        for (org, regime) in orgs {
            out.push(format!("  {}", suspension_line(events, coup, state, &org.id, org.suspended.iter().any(|s| s == state), regime)));
        }
    }
    if out.len() == 1 {
        out.push(format!("no coup{} in the log", actor.map(|a| format!(" in {a}")).unwrap_or_default()));
    }
    out
}

/// One organisation's suspension of `state` after `coup`.
fn suspension_line(events: &[Event], coup: &Event, state: &str, org: &str, suspended_at_start: bool, regime: &UcgRegimeDef) -> String {
    let before = &events[..coup.seq as usize];
    let suspended_then = before.iter().fold(suspended_at_start, |s, e| match &e.kind {
        EventKind::MemberSuspended { org: o, state: t } if o == org && t == state => true,
        EventKind::SuspensionLifted { org: o, state: t } if o == org && t == state => false,
        _ => s,
    });
    if suspended_then {
        return format!("{org}: {state} was suspended already when the coup came; the regime does not suspend a member twice");
    }
    let after = &events[coup.seq as usize..];
    if let Some(s) = after.iter().find(|e| matches!(&e.kind, EventKind::MemberSuspended { org: o, state: t } if o == org && t == state)) {
        return format!("{org}: suspended {state} by #{} {} (day {})", s.seq, event_date(s, 0), s.day);
    }
    let due = coup.day.saturating_add(regime.suspension_delay_days);
    let closed = after.iter().find(|e| match &e.kind {
        EventKind::OrderRestored { state: t, .. } | EventKind::CoupFailing { state: t, .. } => t == state,
        EventKind::CoupStaged { state: t, .. } => t == state && e.seq != coup.seq,
        _ => false,
    });
    match closed {
        Some(c) if matches!(c.kind, EventKind::CoupFailing { .. }) => format!(
            "{org}: the coup failed (#{} CoupFailing, {}, day {}): the regime acts only on a coup that holds (CoupConsolidated)",
            c.seq,
            event_date(c, 0),
            c.day
        ),
        Some(c) if c.day <= due => format!(
            "{org}: its suspension falls due suspension_delay_days {} after the coup, on day {due}; the crisis closed before, by #{} {} {} (day {})",
            regime.suspension_delay_days,
            c.seq,
            c.kind.name(),
            event_date(c, 0),
            c.day
        ),
        _ => format!(
            "{org}: its suspension falls due suspension_delay_days {} after the coup, on day {due}, after the log's last event",
            regime.suspension_delay_days
        ),
    }
}

fn review(e: &Event) -> Option<String> {
    Some(match &e.kind {
        EventKind::LaunchPostponed { reason, .. } => format!("  {} postponed: {reason}", at(e)),
        EventKind::VoteHeld { question: VoteQuestion::LaunchIntervention, yes, no, passed, .. } => {
            let names = |v: &[crate::model::id::Id]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
            format!("  {} launch vote {}: yes: {}; no: {}", at(e), if *passed { "passed" } else { "failed" }, names(yes), names(no))
        }
        EventKind::StandbyForceStoodDown { reason, .. } => format!("  {} stood down: {reason}", at(e)),
        EventKind::InterventionLaunched { troops, .. } => format!("  {} launched with {troops} troops", at(e)),
        _ => return None,
    })
}

/// Which rule module proposes a kind, and what it needs.
pub fn producer(kind: &str) -> (&'static str, &'static str) {
    use crate::rules::{armed, combat, coup, junta, membership, partners, scripted};
    match kind {
        "CoupStaged" | "TreatyInForce" => (scripted::NAME, "the scenario's timeline or a treaty's date of entry into force"),
        "CoupConsolidated" | "CoupFailing" => (coup::NAME, "a coup staged; the army's loyalty against the junta's cohesion decides"),
        "AttackOccurred" => (
            armed::NAME,
            "an armed group active in a state (a Poisson process on its rate and the state's security), or the scenario's timeline",
        ),
        "AidSuspended" | "ForcesWithdrawn" => (partners::NAME, "a coup in a state a partner aids or hosts forces in"),
        "TransitionProposed" => (
            junta::NAME,
            "a ruler's review (every junta.review_days) while a measure is in force and no offer is pending, unless the coup came within a transition; after a rejection an isolated ruler offers a shorter one, a backed ruler none",
        ),
        "OrderRestored" | "ForcesExpelled" | "WithdrawalAnnounced" => (
            junta::NAME,
            "a consolidated junta's periodic reviews (every junta.review_days), under measures and with their pain and backing",
        ),
        "WithdrawalEffective" => (membership::NAME, "a withdrawal announced, once its notice runs out"),
        "CombatRound" | "InterventionEnded" => (combat::NAME, "an intervention launched"),
        "ObligationArisen"
        | "AssistanceRequested"
        | "AssistanceDecided"
        | "ForcesMobilised"
        | "ForcesDeployed"
        | "ForcesReturned"
        | "JointOperationFormed"
        | "ConsultationsHeld"
        | "NonAggressionBreached" => {
            (defence::NAME, "an attack on a party to a treaty in force whose clause's triggers and conditions it meets")
        }
        _ => (ucg::NAME, "a consolidated coup in a member of an organisation with a UCG regime, and the timers of its steps"),
    }
}

fn generic(kind: &str, events: &[Event], actor: Option<&str>) -> Vec<String> {
    let (module, needs) = producer(kind);
    let happened = events.iter().filter(|e| e.kind.name() == kind && involves(e, actor)).count();
    let who = actor.map(|a| format!(" involving {a}")).unwrap_or_default();
    vec![
        format!("{kind}{who}: {happened} in the log."),
        format!("It is proposed by the rule module `{module}`, which needs {needs}."),
        "A reading of the log's facts is given for ObligationArisen, MemberSuspended, SanctionsImposed and InterventionLaunched; every kind a draw decides lists its draws.".to_string(),
    ]
}

/// The draws that decide `kind` (empty for kinds no draw decides: they follow from facts and
/// timers alone).
pub fn purposes_for(kind: &str) -> &'static [Purpose] {
    use Purpose as P;
    match kind {
        "CoupFailing" | "CoupConsolidated" => &[P::CoupOutcome],
        "OrderRestored" => &[P::CoupOutcome, P::JuntaConcession],
        "TransitionProposed" => &[P::TransitionOffer],
        "ForcesExpelled" | "ForcesWithdrawn" => &[P::Expulsion],
        "WithdrawalAnnounced" | "WithdrawalEffective" => &[P::Withdrawal, P::WithdrawalSolidarity],
        "AidSuspended" => &[P::AidSuspension],
        "SanctionsImposed" => &[P::SanctionsDecision],
        "SanctionsLifted" => &[P::SanctionsLifting],
        "DefencePledged" => &[P::Pledge],
        "StandbyForceActivated" | "ForcePledged" => &[P::ActivationVote],
        "VoteHeld" => &[P::ActivationVote, P::LaunchVote],
        "InterventionLaunched" | "CombatRound" | "InterventionEnded" => &[P::LaunchVote],
        "AssistanceRequested" => &[P::AssistanceRequest],
        "AssistanceDecided" | "ForcesMobilised" | "ForcesDeployed" | "ForcesReturned" | "JointOperationFormed" => &[P::Honour],
        _ => &[],
    }
}

/// At most this many decisions are listed (the rest are counted; `--actor` narrows them).
const MAX_DECISIONS: usize = 60;

/// The recorded decisions that could have produced `kind` (involving `actor`, whose hashed id
/// is in the draw's key), one line each: date, what was decided, the probability, the draw and
/// the outcome. Empty when no draw decides `kind`.
pub fn decision_lines(start: &str, decisions: &[Decision], kind: &str, actor: Option<&str>) -> Vec<String> {
    let purposes = purposes_for(kind);
    if purposes.is_empty() {
        return Vec::new();
    }
    let start = Date::parse(start).ok();
    let actor_key = actor.map(k);
    let relevant: Vec<&Decision> =
        decisions.iter().filter(|d| purposes.contains(&d.purpose) && actor_key.is_none_or(|a| d.key.contains(&a))).collect();
    let names: Vec<String> = purposes.iter().map(|p| format!("{p:?}")).collect();
    let mut out = vec![format!(
        "The draws that decide it ({}), as the rules took them when re-run from the log's scenario, overrides and seed:",
        names.join(", ")
    )];
    if relevant.is_empty() {
        out.push(format!(
            "  none was drawn{}: the rules never reached the point of deciding it",
            actor.map(|a| format!(" involving {a}")).unwrap_or_default()
        ));
    }
    for d in relevant.iter().take(MAX_DECISIONS) {
        let date =
            start.map_or_else(|| format!("day {}", d.day), |s| format!("{} (day {})", human_date(s.plus_days(i64::from(d.day))), d.day));
        out.push(format!(
            "  {date} {}: P {:.3}, draw {:.3}: {}",
            d.why,
            d.probability.clamp(0.0, 1.0),
            d.draw,
            if d.yes { "yes" } else { "no" }
        ));
    }
    if relevant.len() > MAX_DECISIONS {
        out.push(format!("  ... and {} more (narrow them with --actor)", relevant.len() - MAX_DECISIONS));
    }
    out
}
