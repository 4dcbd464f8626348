//! What an event says about itself, checked: the fields of one event that must agree with each
//! other whatever the scenario (docs/log-format.md, "Consistency checks"). The log reader checks
//! every event it reads with [`Event::check_fields`]; what needs the scenario (a vote's
//! decision rule) is the replayer's.

use super::{ENVELOPE_FIELDS, Event, EventKind, KIND_FIELDS, VoteQuestion};
use crate::model::id::Id;

/// A field of an event that contradicts the rest of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inconsistent {
    /// The field, as written in the log.
    pub field: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

fn wrong(field: &'static str, message: String) -> Result<(), Inconsistent> {
    Err(Inconsistent { field, message })
}

/// A share, probability or weight: a number from 0 to 1.
fn unit(field: &'static str, x: f64) -> Result<(), Inconsistent> {
    if (0.0..=1.0).contains(&x) { Ok(()) } else { wrong(field, format!("{x} is not between 0 and 1")) }
}

/// A day an event names (a deadline, D-Day, a notice's end): never before the event's own day.
fn not_before(field: &'static str, named: u32, day: u32) -> Result<(), Inconsistent> {
    if named >= day { Ok(()) } else { wrong(field, format!("day {named} is before the event's own day {day}")) }
}

/// An id listed once at most.
fn once(field: &'static str, ids: &[Id]) -> Result<(), Inconsistent> {
    for (i, a) in ids.iter().enumerate() {
        if ids[..i].contains(a) {
            return wrong(field, format!("{a:?} is listed twice"));
        }
    }
    Ok(())
}

impl Event {
    /// Checks that the event's fields agree with each other (the envelope with its kind, shares
    /// and probabilities within 0 and 1, the days it names not before its own, the events it
    /// names before it, a vote's lists), naming the first field that does not. What depends on
    /// the scenario or on other records (dates, the horizon, decision rules) is checked where
    /// they are known.
    pub fn check_fields(&self) -> Result<(), Inconsistent> {
        if let Some(c) = self.cause
            && c >= self.seq
        {
            return wrong("cause", format!("event {c} does not precede event {}", self.seq));
        }
        if !self.kind.has_actors(&self.actors) {
            return wrong("actors", format!("{:?} are not the actors its fields name ({:?})", self.actors, self.kind.actors()));
        }
        let earlier = |field: &'static str, s: u64| {
            if s < self.seq { Ok(()) } else { wrong(field, format!("event {s} does not precede event {}", self.seq)) }
        };
        let day = self.day;
        use EventKind as K;
        match &self.kind {
            K::SanctionsImposed { severity, .. } => unit("severity", *severity),
            K::ExportsCut { share, .. } => unit("share", *share),
            K::AidSuspended { amount_musd, .. } if *amount_musd < 0.0 => wrong("amount_musd", format!("{amount_musd} is below 0")),
            K::AssistanceDecided { probability, attack_seq, .. } => {
                unit("probability", *probability).and_then(|_| earlier("attack_seq", *attack_seq))
            }
            K::ObligationArisen { attack_seq, .. } => earlier("attack_seq", *attack_seq),
            K::JointOperationFormed { parties, attack_seq, .. } => {
                once("parties", parties).and_then(|_| earlier("attack_seq", *attack_seq))
            }
            K::CoupFailing { reversal_day, .. } => not_before("reversal_day", *reversal_day, day),
            K::UltimatumIssued { deadline_day, .. } => not_before("deadline_day", *deadline_day, day),
            K::StandbyForceActivated { dday, .. } => not_before("dday", *dday, day),
            K::ForcesExpelled { leave_by_day, .. } => not_before("leave_by_day", *leave_by_day, day),
            K::WithdrawalAnnounced { effective_day, .. } => not_before("effective_day", *effective_day, day),
            K::InterventionLaunched { contributors, .. } => once("contributors", contributors),
            K::ConsultationsHeld { parties, .. } => once("parties", parties),
            K::VoteHeld { question, yes, no, passed, .. } => {
                once("yes", yes)?;
                once("no", no)?;
                if let Some(both) = yes.iter().find(|a| no.contains(a)) {
                    return wrong("no", format!("{both:?} voted both yes and no"));
                }
                // A launch needs the lead contributor's yes (ECOWAS 1999 Mechanism Protocol
                // Art. 22 as modelled: the largest pledge leads), so one that passed has one.
                if *passed && yes.is_empty() && *question == VoteQuestion::LaunchIntervention {
                    return wrong("passed", "the launch passed with no yes vote (a launch needs its lead contributor's yes)".into());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The first field named in `keys` that an event of kind `kind` does not have (the envelope's
/// fields and the kind's own are the only ones an event may have).
pub fn unknown_field<'a>(kind: &EventKind, keys: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let own = KIND_FIELDS.iter().find(|(k, _)| *k == kind.name()).map(|(_, f)| *f).unwrap_or(&[]);
    keys.into_iter().find(|k| !ENVELOPE_FIELDS.contains(k) && !own.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sample event, made consistent, passes; each field's contradiction is named.
    #[test]
    fn events_that_contradict_themselves_are_named_by_field() {
        let vote = |yes: &[&str], no: &[&str], passed: bool, question| EventKind::VoteHeld {
            org: "ECOWAS".into(),
            target: "NER".into(),
            question,
            yes: yes.iter().map(|s| Id::from(*s)).collect(),
            no: no.iter().map(|s| Id::from(*s)).collect(),
            passed,
        };
        let event = |kind: EventKind| Event {
            seq: 10,
            day: 5,
            date: "2023-07-31".into(),
            actors: kind.actors(),
            kind,
            cause: Some(9),
            rule: "r".into(),
        };
        let good = event(vote(&["BEN"], &["NGA"], true, VoteQuestion::LaunchIntervention));
        assert_eq!(good.check_fields(), Ok(()));
        let field = |e: Event| e.check_fields().unwrap_err().field;
        assert_eq!(field(Event { cause: Some(10), ..good.clone() }), "cause");
        assert_eq!(field(Event { actors: vec!["NER".into()], ..good.clone() }), "actors");
        assert_eq!(field(event(vote(&["BEN", "BEN"], &[], true, VoteQuestion::ActivateStandbyForce))), "yes");
        assert_eq!(field(event(vote(&["BEN"], &["BEN"], false, VoteQuestion::ActivateStandbyForce))), "no");
        assert_eq!(field(event(vote(&[], &["BEN"], true, VoteQuestion::LaunchIntervention))), "passed");
        let decided = |probability: f64, attack_seq: u64| {
            event(EventKind::AssistanceDecided {
                treaty: "AES".into(),
                party: "MLI".into(),
                beneficiary: "NER".into(),
                honoured: true,
                forms: vec![],
                troops: 0,
                probability,
                attack_seq,
            })
        };
        assert_eq!(decided(0.5, 3).check_fields(), Ok(()));
        assert_eq!(field(decided(1.5, 3)), "probability");
        assert_eq!(field(decided(-0.1, 3)), "probability");
        assert_eq!(field(decided(0.5, 10)), "attack_seq");
        let ultimatum = |deadline_day| {
            event(EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day, force_threatened: true })
        };
        assert_eq!(ultimatum(5).check_fields(), Ok(()));
        assert_eq!(field(ultimatum(4)), "deadline_day");
        for n in 0..8 {
            for kind in EventKind::samples(n) {
                let e =
                    Event { seq: u64::MAX, day: 0, date: "2023-07-26".into(), actors: kind.actors(), kind, cause: None, rule: "r".into() };
                // Samples draw shares and days freely: only the fields those checks read may fail.
                if let Err(w) = e.check_fields() {
                    assert!(
                        ["severity", "share", "probability", "amount_musd", "yes", "no", "parties", "contributors", "passed"]
                            .contains(&w.field),
                        "{e:?}: {w:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_envelope_and_the_kinds_own_fields_are_known() {
        let kind = EventKind::TreatyInForce { treaty: "AES".into() };
        assert_eq!(unknown_field(&kind, ["seq", "day", "date", "kind", "treaty", "actors", "cause", "rule"]), None);
        assert_eq!(unknown_field(&kind, ["seq", "treaty", "note"]), Some("note"));
        assert_eq!(unknown_field(&kind, ["party"]), Some("party"));
    }
}
