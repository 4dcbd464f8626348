//! One-line, human-readable descriptions of events, for timelines. Every line is passed
//! through [`printable`]: names, leaders and citations are the scenario's text, and a control
//! character in one must not reach the terminal.

use crate::model::event::{Event, EventKind};
use crate::model::text::printable;

fn list<T: std::fmt::Debug>(v: &[T]) -> String {
    v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")
}

/// Whether an event belongs in the default timeline (combat rounds and routine movements are
/// folded into their summaries).
pub fn significant(e: &Event) -> bool {
    e.kind.traits().in_timeline
}

/// What happened, in a sentence fragment, fit for a terminal.
pub fn describe(kind: &EventKind) -> String {
    let text = describe_raw(kind);
    match printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// An unconstitutional change of government, by its form.
fn describe_coup(state: &str, leader: &str, form: crate::model::scenario::UcgForm, claimant: &str) -> String {
    use crate::model::scenario::UcgForm;
    let what = match form {
        UcgForm::Military => format!("coup in {state}"),
        UcgForm::IncumbentRefusesToLeave => format!("the incumbent refuses to leave office in {state}"),
        UcgForm::TermExtension => format!("term extended unconstitutionally in {state}"),
    };
    let by = match (leader.is_empty(), form) {
        (true, _) => String::new(),
        (false, UcgForm::Military) => format!(" led by {leader}"),
        (false, _) => format!(" ({leader})"),
    };
    let kept = if claimant.is_empty() { String::new() } else { format!("; {claimant} kept from office") };
    format!("{what}{by}{kept}")
}

fn describe_raw(kind: &EventKind) -> String {
    use EventKind::*;
    match kind {
        CoupStaged { state, leader, form, claimant } => describe_coup(state, leader, *form, claimant),
        CoupConsolidated { state } => format!("coup in {state} consolidates; a junta rules"),
        CoupFailing { state, reversal_day } => format!("army stays loyal in {state}; reversal due day {reversal_day}"),
        OrderRestored { state, how } => format!("constitutional order restored in {state} ({how})"),
        AttackOccurred { attacker, target, location, attack, troops, deaths_military, deaths_civilian } => {
            let place = if location == target { String::new() } else { format!(" in {location}") };
            let force = if *troops > 0 { format!(" with {troops} troops") } else { String::new() };
            format!(
                "{attack:?} attack by {attacker} on {target}{place}{force}: {deaths_military} military and {deaths_civilian} civilian deaths"
            )
        }
        TreatyInForce { treaty } => format!("{treaty} enters into force"),
        MemberSuspended { org, state } => format!("{org} suspends {state} from its decision-making bodies"),
        SuspensionLifted { org, state } => format!("{org} lifts the suspension of {state}"),
        SummitConvened { org, target, agenda } => format!("{org} summit on {target} ({agenda:?})"),
        SanctionsImposed { org, target, measures, severity } => {
            format!("{org} imposes sanctions on {target} (severity {severity:.2}): {}", list(measures))
        }
        SanctionsLifted { org, target, measures, kept, reason } => {
            let kept = if kept.is_empty() { String::new() } else { format!("; kept: {}", list(kept)) };
            format!("{org} lifts sanctions on {target} ({reason:?}): {}{kept}", list(measures))
        }
        ExportsCut { by, to, service, share } => format!("{by} cuts {service} exports to {to} ({:.0}% of supply)", share * 100.0),
        UltimatumIssued { org, target, deadline_day, force_threatened } => {
            format!("{org} ultimatum to {target}, deadline day {deadline_day}{}", if *force_threatened { ", force threatened" } else { "" })
        }
        UltimatumExpired { org, target } => format!("{org} ultimatum to {target} expires unmet"),
        DefencePledged { by, to, against } => format!("{by} pledges to defend {to} against {against}"),
        ForcesRedeployed { state, troops, against } => format!("{state} moves {troops} troops to its borders against {against}"),
        BorderForcesRecalled { state, troops, against } => {
            format!("{state} brings {troops} troops back from its borders (no intervention by {against} pending)")
        }
        VoteHeld { org, target, question, yes, no, passed } => {
            format!(
                "{org} vote on {question:?} ({target}): {} ({} yes, {} no)",
                if *passed { "passed" } else { "failed" },
                yes.len(),
                no.len()
            )
        }
        StandbyForceActivated { org, target, dday } => format!("{org} activates its standby force against {target}; D-Day day {dday}"),
        ForcePledged { org, state, target, troops } => format!("{state} pledges {troops} troops to the {org} force for {target}"),
        LaunchPostponed { org, target, reason } => format!("{org} postpones the launch against {target}: {reason}"),
        InterventionLaunched { org, target, troops, contributors } => {
            format!("{org} launches an intervention in {target} with {troops} troops from {}", contributors.join(", "))
        }
        StandbyForceStoodDown { org, target, reason } => format!("{org} stands down its force for {target} ({reason})"),
        AidSuspended { partner, recipient, amount_musd } => format!("{partner} suspends aid to {recipient} (${amount_musd:.0}m a year)"),
        ForcesExpelled { state, partner, troops, leave_by_day } => {
            format!("{state} expels {partner}'s {troops} troops (out by day {leave_by_day})")
        }
        ForcesWithdrawn { partner, from, troops } => format!("{partner} completes the withdrawal of {troops} troops from {from}"),
        TransitionProposed { state, months } => format!("{state} junta offers a {months}-month transition"),
        TransitionAnswered { org, state, months, accepted } => {
            format!("{org} {} {state}'s {months}-month transition", if *accepted { "accepts" } else { "rejects" })
        }
        WithdrawalAnnounced { state, from, effective_day } => {
            format!("{state} gives notice of withdrawal from {from} (effective day {effective_day})")
        }
        WithdrawalEffective { state, from } => format!("{state}'s withdrawal from {from} takes effect"),
        ObligationArisen { treaty, article, party, beneficiary, attacker, binding, .. } => {
            format!("{treaty} {article} obligates {party} to assist {beneficiary} against {attacker} ({binding:?})")
        }
        AssistanceRequested { state, treaty } => format!("{state} requests assistance under {treaty} in writing"),
        AssistanceDecided { party, beneficiary, honoured, forms, troops, probability, .. } => {
            if *honoured {
                let troops = if *troops > 0 {
                    format!(", {troops} troops")
                } else if forms.contains(&crate::model::scenario::AssistanceForm::ArmedForce) {
                    ", forces already deployed".to_string()
                } else {
                    String::new()
                };
                format!("{party} honours its obligation to {beneficiary}: {}{troops} (p={probability:.2})", list(forms))
            } else {
                format!("{party} does not honour its obligation to {beneficiary} (p={probability:.2})")
            }
        }
        ForcesMobilised { party, beneficiary, troops } => format!("{party} mobilises {troops} troops for {beneficiary}"),
        ForcesDeployed { party, beneficiary, troops } => format!("{party} deploys {troops} troops in {beneficiary}"),
        ForcesReturned { party, beneficiary, troops } => format!("{party}'s {troops} troops return home from {beneficiary}"),
        JointOperationFormed { treaty, beneficiary, parties, troops, .. } => {
            format!("{treaty} joint operation for {beneficiary}: {} ({troops} troops)", parties.join(", "))
        }
        ConsultationsHeld { treaty, article, requested_by, parties } => {
            format!("{treaty} {article}: consultations at {requested_by}'s request with {}", parties.join(", "))
        }
        NonAggressionBreached { treaty, article, by, against } => format!("{by} breaches {treaty} {article} by attacking {against}"),
        CombatRound { target, round, attacker_losses, defender_losses, civilian_deaths, .. } => {
            format!(
                "combat round {round} in {target}: attackers lose {attacker_losses}, defenders {defender_losses}, civilians {civilian_deaths}"
            )
        }
        InterventionEnded { org, target, outcome } => format!("{org} intervention in {target} ends: {outcome:?}"),
    }
}

/// A timeline line: date, day, seq, kind, description, rule and cause.
pub fn timeline_line(e: &Event) -> String {
    let cause = e.cause.map(|c| format!(" <- #{c}")).unwrap_or_default();
    let line = format!("{}  d{:<4} #{:<4} {:<22} {}  [{}]{cause}", e.date, e.day, e.seq, e.kind.name(), describe(&e.kind), e.rule);
    printable(&line).into_owned()
}
