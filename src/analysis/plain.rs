//! Events in plain language, for people: actors by name (with their code the first time one
//! is named), day figures as dates, measures and forms in words, probabilities explained.
//! `describe` stays the terse, stable form of the CSV export; this is the timeline's.

use std::collections::{BTreeMap, BTreeSet};

use crate::log::ActorLabel;
use crate::model::date::Date;
use crate::model::event::{CombatOutcome, EventKind, LiftReason, SummitAgenda, VoteQuestion};
use crate::model::scenario::{AttackKind, Bindingness, UcgForm};

/// Names longer than this are given by their code after the first mention ("ECOWAS" for the
/// Economic Community of West African States, "ISSP" for Islamic State Sahel Province).
pub const LONG_NAME: usize = 16;

/// How actors are named in a text read from top to bottom: "Niger (NER)" the first time,
/// then "Niger" (or the code, for a long name); an id the log does not name stays as it is.
pub struct Names<'h> {
    actors: &'h BTreeMap<String, ActorLabel>,
    seen: BTreeSet<String>,
}

impl<'h> Names<'h> {
    /// Names from a log header's `actors`, nobody mentioned yet.
    pub fn new(actors: &'h BTreeMap<String, ActorLabel>) -> Self {
        Names { actors, seen: BTreeSet::new() }
    }

    /// The actor as named at this point of the text.
    pub fn mention(&mut self, id: &str) -> String {
        let Some(label) = self.actors.get(id).filter(|l| l.name != id && !l.name.is_empty()) else { return id.to_string() };
        if self.seen.insert(id.to_string()) {
            format!("{} ({id})", label.name)
        } else if label.name.chars().count() > LONG_NAME {
            id.to_string()
        } else {
            label.name.clone()
        }
    }

    /// Several actors, joined with commas and "and".
    pub fn list(&mut self, ids: &[impl AsRef<str>]) -> String {
        let names: Vec<String> = ids.iter().map(|i| self.mention(i.as_ref())).collect();
        join_and(&names)
    }
}

/// 12345 as "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => "nobody".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A CamelCase name in lower-case words: `BorderClosure` -> "border closure".
pub fn words(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(ch.to_lowercase());
    }
    out
}

fn words_list<T: std::fmt::Debug>(v: &[T]) -> String {
    join_and(&v.iter().map(|x| words(&format!("{x:?}"))).collect::<Vec<_>>())
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "6 Aug 2023".
pub fn human_date(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{day} {} {y}", MONTHS[(m as usize).saturating_sub(1) % 12])
}

/// An event's date `days` later, in words ("6 Aug 2023"); the log's text if it does not parse.
pub fn event_date(e: &crate::model::event::Event, days: u32) -> String {
    Date::parse(&e.date).map_or_else(|_| e.date.to_string(), |d| human_date(d.plus_days(i64::from(days))))
}

/// "3-24 Aug 2023", "28 Aug-3 Sep 2023", "28 Dec 2023-3 Jan 2024", or one date.
pub fn human_range(a: Date, b: Date) -> String {
    let ((ya, ma, da), (yb, mb, _)) = (a.ymd(), b.ymd());
    if a == b {
        human_date(a)
    } else if ya == yb && ma == mb {
        format!("{da}-{}", human_date(b))
    } else if ya == yb {
        format!("{da} {}-{}", MONTHS[(ma as usize - 1) % 12], human_date(b))
    } else {
        format!("{}-{}", human_date(a), human_date(b))
    }
}

/// An event kind in plain language, with actors named through `names` (in the order the
/// sentence names them), day figures as dates from `start`, and `rule` (the event's citation)
/// where the sentence cites the clause. Not yet passed through `printable`.
pub fn say(kind: &EventKind, rule: &str, start: Date, names: &mut Names) -> String {
    let date = |day: u32| format!("{} (day {day})", human_date(start.plus_days(i64::from(day))));
    say_crisis(kind, &date, names)
        .or_else(|| say_force(kind, &date, names))
        .or_else(|| say_defence(kind, rule, names))
        .unwrap_or_else(|| crate::analysis::describe::describe(kind))
}

fn attack_words(kind: AttackKind) -> &'static str {
    match kind {
        AttackKind::Invasion => "invasion",
        AttackKind::Strike => "cross-border strike",
        AttackKind::OnForcesAbroad => "attack on forces abroad",
        AttackKind::OnShipOrAircraft => "attack on a ship or aircraft",
        AttackKind::Rebellion => "armed rebellion",
        AttackKind::Terrorist => "terrorist attack",
    }
}

/// Coups, organisations' measures, transitions and exits.
fn say_crisis(kind: &EventKind, date: &dyn Fn(u32) -> String, n: &mut Names) -> Option<String> {
    use EventKind::*;
    Some(match kind {
        CoupStaged { state, leader, form, claimant } => {
            let s = n.mention(state);
            let what = match form {
                UcgForm::Military => format!("military coup in {s}"),
                UcgForm::IncumbentRefusesToLeave => format!("the incumbent refuses to leave office in {s}"),
                UcgForm::TermExtension => format!("the term of office is extended unconstitutionally in {s}"),
            };
            let by = if leader.is_empty() { String::new() } else { format!(", led by {leader}") };
            let kept = if claimant.is_empty() { String::new() } else { format!("; the elected {claimant} is kept from office") };
            format!("{what}{by}{kept}")
        }
        CoupConsolidated { state } => format!("the coup in {} succeeds: a junta rules", n.mention(state)),
        CoupFailing { state, reversal_day } => {
            format!("the army stays loyal in {}: the coup is due to be reversed on {}", n.mention(state), date(*reversal_day))
        }
        OrderRestored { state, how } => format!("constitutional order is restored in {} ({how})", n.mention(state)),
        MemberSuspended { org, state } => format!("{} suspends {} from its decision-making bodies", n.mention(org), n.mention(state)),
        SuspensionLifted { org, state } => format!("{} lifts its suspension of {}", n.mention(org), n.mention(state)),
        SummitConvened { org, target, agenda } => {
            let about = if *agenda == SummitAgenda::Sanctions { "sanctions" } else { "its standby force" };
            format!("{} holds a summit on {about} against {}", n.mention(org), n.mention(target))
        }
        SanctionsImposed { org, target, measures, severity } => {
            format!("{} imposes sanctions on {}: {} (severity {severity:.2} of 1)", n.mention(org), n.mention(target), words_list(measures))
        }
        SanctionsLifted { org, target, measures, kept, reason } => {
            let why = match reason {
                LiftReason::OrderRestored => "order is restored",
                LiftReason::TransitionAgreed => "a transition timetable is agreed",
                LiftReason::Humanitarian => "on humanitarian grounds",
                LiftReason::MembershipEnded => "the state has left",
            };
            let kept = if kept.is_empty() { String::new() } else { format!("; it keeps {}", words_list(kept)) };
            format!("{} lifts {} on {} ({why}){kept}", n.mention(org), words_list(measures), n.mention(target))
        }
        ExportsCut { by, to, service, share } => {
            format!("{} cuts its {service} exports to {} ({:.0}% of its supply)", n.mention(by), n.mention(to), share * 100.0)
        }
        AidSuspended { partner, recipient, amount_musd } => {
            format!("{} suspends its aid to {} (${amount_musd:.0} million a year)", n.mention(partner), n.mention(recipient))
        }
        TransitionProposed { state, months } => format!("the junta of {} offers a {months}-month transition", n.mention(state)),
        TransitionAnswered { org, state, months, accepted } => {
            let verb = if *accepted { "accepts" } else { "rejects" };
            format!("{} {verb} the {months}-month transition offered by {}", n.mention(org), n.mention(state))
        }
        WithdrawalAnnounced { state, from, effective_day } => {
            format!("{} gives notice of withdrawal from {}, effective {}", n.mention(state), n.mention(from), date(*effective_day))
        }
        WithdrawalEffective { state, from } => format!("{}'s withdrawal from {} takes effect", n.mention(state), n.mention(from)),
        ForcesExpelled { state, partner, troops, leave_by_day } => {
            format!("{} expels the {troops} troops of {}, to leave by {}", n.mention(state), n.mention(partner), date(*leave_by_day))
        }
        ForcesWithdrawn { partner, from, troops } => {
            format!("{} completes the withdrawal of its {troops} troops from {}", n.mention(partner), n.mention(from))
        }
        _ => return None,
    })
}

/// Threats, votes, interventions and fighting.
fn say_force(kind: &EventKind, date: &dyn Fn(u32) -> String, n: &mut Names) -> Option<String> {
    use EventKind::*;
    Some(match kind {
        AttackOccurred { attacker, target, location, attack, troops, deaths_military, deaths_civilian } => {
            let what = attack_words(*attack);
            let (by, on) = (n.mention(attacker), n.mention(target));
            let place = if location == target { String::new() } else { format!(" in {}", n.mention(location)) };
            let force = if *troops > 0 { format!(" with {troops} troops") } else { String::new() };
            let dead = match deaths_military + deaths_civilian {
                0 => "nobody killed".to_string(),
                k => format!("{k} killed ({deaths_military} military, {deaths_civilian} civilian)"),
            };
            format!("{what} by {by} on {on}{place}{force}: {dead}")
        }
        UltimatumIssued { org, target, deadline_day, force_threatened } => format!(
            "{} gives {} an ultimatum expiring on {}{}",
            n.mention(org),
            n.mention(target),
            date(*deadline_day),
            if *force_threatened { ", threatening force" } else { "" }
        ),
        UltimatumExpired { org, target } => format!("the ultimatum of {} to {} expires unmet", n.mention(org), n.mention(target)),
        DefencePledged { by, to, against } => {
            format!("{} pledges to defend {} against {}", n.mention(by), n.mention(to), n.mention(against))
        }
        ForcesRedeployed { state, troops, against } => {
            format!("{} moves {troops} troops to its borders against {}", n.mention(state), n.mention(against))
        }
        BorderForcesRecalled { state, troops, against } => {
            format!(
                "{} brings {troops} troops back from its borders: no intervention by {} is pending",
                n.mention(state),
                n.mention(against)
            )
        }
        VoteHeld { org, target, question, yes, no, passed } => {
            let q = match question {
                VoteQuestion::ActivateStandbyForce => "activating its standby force against",
                VoteQuestion::LaunchIntervention => "launching its intervention in",
                VoteQuestion::JointOperation => "a joint operation for",
            };
            let (o, t) = (n.mention(org), n.mention(target));
            let result = if *passed { "passes" } else { "fails" };
            format!("{o} votes on {q} {t}: the vote {result}, {} for and {} against", yes.len(), no.len())
        }
        StandbyForceActivated { org, target, dday } => {
            format!("{} activates its standby force against {}; D-Day set for {}", n.mention(org), n.mention(target), date(*dday))
        }
        ForcePledged { org, state, target, troops } => {
            let (s, o, t) = (n.mention(state), n.mention(org), n.mention(target));
            format!("{s} pledges {troops} troops to the {o} force for {t}")
        }
        LaunchPostponed { org, target, reason } => {
            format!("{} postpones its intervention in {}: {reason}", n.mention(org), n.mention(target))
        }
        InterventionLaunched { org, target, troops, contributors } => {
            let (o, t) = (n.mention(org), n.mention(target));
            format!("{o} launches its intervention in {t} with {troops} troops from {}", n.list(contributors))
        }
        StandbyForceStoodDown { org, target, reason } => {
            format!("{} stands down its force for {} ({reason})", n.mention(org), n.mention(target))
        }
        CombatRound { target, round, attacker_losses, defender_losses, civilian_deaths, .. } => format!(
            "combat round {round} in {}: the intervening force loses {attacker_losses}, the defenders {defender_losses}, civilians {civilian_deaths}",
            n.mention(target)
        ),
        InterventionEnded { org, target, outcome } => {
            let how = match outcome {
                CombatOutcome::Success => "succeeds",
                CombatOutcome::Stalemate => "ends in stalemate",
                CombatOutcome::Withdrawal => "ends with the force's withdrawal",
            };
            format!("the intervention of {} in {} {how}", n.mention(org), n.mention(target))
        }
        _ => return None,
    })
}

/// Treaty clauses: obligations, requests, decisions and forces sent under them.
fn say_defence(kind: &EventKind, rule: &str, n: &mut Names) -> Option<String> {
    use EventKind::*;
    Some(match kind {
        TreatyInForce { treaty } => format!("{} enters into force", n.mention(treaty)),
        ObligationArisen { party, beneficiary, attacker, binding, .. } => {
            let how = if *binding == Bindingness::Duty { "a duty" } else { "at its discretion" };
            let (p, b, a) = (n.mention(party), n.mention(beneficiary), n.mention(attacker));
            format!("{rule} obliges {p} to assist {b} against {a} ({how})")
        }
        AssistanceRequested { state, treaty } => format!("{} asks in writing for assistance under {}", n.mention(state), n.mention(treaty)),
        AssistanceDecided { party, beneficiary, honoured, forms, troops, probability, .. } => {
            let (p, b) = (n.mention(party), n.mention(beneficiary));
            let chance = format!("(modelled probability of honouring {probability:.2})");
            if !*honoured {
                return Some(format!("{p} does not honour its obligation to {b} {chance}"));
            }
            let troops = if *troops > 0 { format!(", {troops} troops") } else { String::new() };
            format!("{p} honours its obligation to {b}: {}{troops} {chance}", words_list(forms))
        }
        ForcesMobilised { party, beneficiary, troops } => {
            format!("{} mobilises {troops} troops for {}", n.mention(party), n.mention(beneficiary))
        }
        ForcesDeployed { party, beneficiary, troops } => {
            format!("{} deploys {troops} troops in {}", n.mention(party), n.mention(beneficiary))
        }
        ForcesReturned { party, beneficiary, troops } => {
            format!("{}'s {troops} troops come home from {}", n.mention(party), n.mention(beneficiary))
        }
        JointOperationFormed { beneficiary, parties, troops, .. } => {
            let b = n.mention(beneficiary);
            format!("a joint operation for {b} under {rule}: {} with {troops} troops", n.list(parties))
        }
        ConsultationsHeld { requested_by, parties, .. } => {
            let r = n.mention(requested_by);
            format!("consultations under {rule} at the request of {r}, with {}", n.list(parties))
        }
        NonAggressionBreached { by, against, .. } => format!("{} breaches {rule} by attacking {}", n.mention(by), n.mention(against)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_code_on_first_mention() {
        let mut actors = BTreeMap::new();
        actors.insert("NER".to_string(), ActorLabel { name: "Niger".into(), kind: "State".into() });
        let long = "Economic Community of West African States";
        actors.insert("ECOWAS".to_string(), ActorLabel { name: long.into(), kind: "Organisation".into() });
        let mut n = Names::new(&actors);
        assert_eq!(n.mention("NER"), "Niger (NER)");
        assert_eq!(n.mention("NER"), "Niger");
        assert_eq!(n.mention("ECOWAS"), format!("{long} (ECOWAS)"));
        assert_eq!(n.mention("ECOWAS"), "ECOWAS");
        assert_eq!(n.mention("XYZ"), "XYZ");
        assert_eq!(words("DevelopmentBankCutoff"), "development bank cutoff");
        let start = Date::parse("2023-07-26").unwrap();
        assert_eq!(human_range(start, start.plus_days(10)), "26 Jul-5 Aug 2023");
        assert_eq!(human_range(start.plus_days(10), start.plus_days(12)), "5-7 Aug 2023");
    }
}
