//! Given/when/then tests, one group per rule module: given prior events, when an event
//! happens (or a day begins), then the rules propose exactly these events, citing these rules.

use casus::model::event::{EventKind, LiftReason, Proposal, SummitAgenda, VoteQuestion};
use casus::model::scenario::{AttackKind, Measure, UcgForm};
use casus::testkit::Harness;

const NIGER: &str = include_str!("../scenarios/niger_2023.ron");

fn kinds(p: &[Proposal]) -> Vec<&'static str> {
    p.iter().map(|p| p.kind.name()).collect()
}

/// The proposals of the given kinds only (other rules may act in the same round).
fn only(then: Vec<Proposal>, names: &[&str]) -> Vec<Proposal> {
    then.into_iter().filter(|p| names.contains(&p.kind.name())).collect()
}

/// Given: a coup in Niger that holds, President Bazoum (elected) detained and kept from office.
fn coup(h: &mut Harness) -> u64 {
    coup_with_claimant(h, "Mohamed Bazoum")
}

/// Given: a coup in Niger that holds, with `claimant` (empty: no elected leader kept from office).
fn coup_with_claimant(h: &mut Harness, claimant: &str) -> u64 {
    let e = h.given(
        0,
        vec![
            EventKind::CoupStaged { state: "NER".into(), leader: Default::default(), form: Default::default(), claimant: claimant.into() },
            EventKind::CoupConsolidated { state: "NER".into() },
        ],
    );
    e[0].seq
}

/// Given: on day 4 ECOWAS suspended Niger and closed its borders.
fn suspended_and_sanctioned(h: &mut Harness) {
    h.given(
        4,
        vec![
            EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() },
            EventKind::SanctionsImposed {
                org: "ECOWAS".into(),
                target: "NER".into(),
                measures: vec![Measure::BorderClosure],
                severity: 0.25,
            },
        ],
    );
}

/// A Nigerian invasion of Niger.
fn nga_invades_ner() -> EventKind {
    EventKind::AttackOccurred {
        attacker: "NGA".into(),
        target: "NER".into(),
        location: "NER".into(),
        attack: AttackKind::Invasion,
        troops: 5000,
        deaths_military: 0,
        deaths_civilian: 0,
    }
}

mod coups {
    use super::*;

    #[test]
    fn given_a_loyal_army_when_a_coup_is_staged_then_it_fails_and_is_reversed_on_its_day() {
        let mut h = Harness::new(
            NIGER,
            &[("NER.army_loyalty", "1"), ("NER.cohesion", "0"), ("coup.fail_intercept", "10"), ("coup.reversal_delay_days", "3")],
        );
        let then = h.when(
            0,
            EventKind::CoupStaged { state: "NER".into(), leader: "X".into(), form: Default::default(), claimant: Default::default() },
        );
        assert_eq!(then.len(), 1);
        assert_eq!(then[0].kind, EventKind::CoupFailing { state: "NER".into(), reversal_day: 3 });
        assert_eq!(then[0].cause, Some(0));
        assert_eq!(then[0].rule, casus::rules::coup::RULE);
        h.given(0, vec![then[0].kind.clone()]);
        let then = only(h.on_day(3), &["OrderRestored"]);
        assert!(
            matches!(&then[..], [Proposal { kind: EventKind::OrderRestored { state, .. }, cause: Some(0), .. }] if state == "NER"),
            "{then:?}"
        );
    }

    /// With the default same-day reversal (Guinea-Bissau 2022, Benin 2025) loyal forces restore
    /// order in the round after the coup is found failing.
    #[test]
    fn given_a_loyal_army_a_failed_coup_is_reversed_the_same_day_by_default() {
        let mut h = Harness::new(NIGER, &[("NER.army_loyalty", "1"), ("NER.cohesion", "0"), ("coup.fail_intercept", "10")]);
        let then = h.when(
            0,
            EventKind::CoupStaged { state: "NER".into(), leader: "X".into(), form: Default::default(), claimant: Default::default() },
        );
        assert_eq!(kinds(&then), ["CoupFailing"]);
        assert_eq!(then[0].kind, EventKind::CoupFailing { state: "NER".into(), reversal_day: 0 });
        let failing = h.next_seq();
        let then = only(h.when(0, then[0].kind.clone()), &["OrderRestored"]);
        assert!(
            matches!(&then[..], [Proposal { kind: EventKind::OrderRestored { state, how }, .. }] if state == "NER" && how == "coup reversed by loyal forces"),
            "{then:?} (after #{failing})"
        );
    }

    #[test]
    fn given_a_cohesive_junta_when_a_coup_is_staged_then_it_consolidates() {
        let mut h = Harness::new(NIGER, &[("coup.fail_intercept", "-10")]);
        let then = h.when(
            0,
            EventKind::CoupStaged { state: "NER".into(), leader: "X".into(), form: Default::default(), claimant: Default::default() },
        );
        assert_eq!(kinds(&then), ["CoupConsolidated"]);
    }
}

mod ucg {
    use super::*;

    #[test]
    fn given_a_coup_when_the_delay_passes_then_suspension_and_a_summit_cite_the_protocols() {
        let mut h = Harness::new(NIGER, &[]);
        let coup_seq = coup(&mut h);
        assert!(h.on_day(3).iter().all(|p| !matches!(p.kind, EventKind::MemberSuspended { .. })));
        let then = h.on_day(4);
        let ecowas: Vec<&Proposal> = then.iter().filter(|p| p.kind.actors().first().map(|a| a.as_str()) == Some("ECOWAS")).collect();
        assert_eq!(ecowas.len(), 2, "{then:?}");
        assert_eq!(ecowas[0].kind, EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() });
        assert_eq!(ecowas[0].rule, "ECOWAS 2001 Protocol on Democracy and Good Governance Art. 45");
        assert_eq!(
            ecowas[1].kind,
            EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::Sanctions }
        );
        assert!(ecowas.iter().all(|p| p.cause == Some(coup_seq)));
    }

    #[test]
    fn when_the_summit_decides_sanctions_then_the_menu_the_electricity_cut_and_an_ultimatum_follow() {
        let mut h = Harness::new(NIGER, &[("ECOWAS.ucg.sanction_propensity", "1")]);
        coup(&mut h);
        let summit_seq = h.next_seq();
        let then = only(
            h.when(4, EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::Sanctions }),
            &["SanctionsImposed", "ExportsCut", "UltimatumIssued"],
        );
        assert_eq!(kinds(&then), ["SanctionsImposed", "ExportsCut", "UltimatumIssued"]);
        let EventKind::SanctionsImposed { measures, severity, .. } = &then[0].kind else { unreachable!() };
        assert_eq!(measures.len(), 8);
        assert!((severity - 1.0).abs() < 1e-12);
        assert_eq!(then[1].kind, EventKind::ExportsCut { by: "NGA".into(), to: "NER".into(), service: "electricity".into(), share: 0.7 });
        assert_eq!(
            then[2].kind,
            EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: true }
        );
        assert!(then.iter().all(|p| p.cause == Some(summit_seq)));
    }

    #[test]
    fn troops_abroad_when_the_scenario_begins_are_not_available_to_redeploy_against_a_threat() {
        // `forces_abroad` (troops deployed in other states at the start) are part of `troops`
        // but cannot be moved to the borders, pledged or sent: 15% of the 20,000 at home.
        let source = NIGER.replace(
            "war_opposition: 0.2, security_threat: 0.6, borders: [\"NGA\", \"BEN\", \"BFA\", \"MLI\"]),",
            "war_opposition: 0.2, security_threat: 0.6, borders: [\"NGA\", \"BEN\", \"BFA\", \"MLI\"], forces_abroad: {\"MLI\": 10000}),",
        );
        assert_ne!(source, NIGER);
        let mut h = Harness::new(&source, &[]);
        coup(&mut h);
        let then =
            h.when(4, EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: true });
        let moved = then.iter().find_map(|p| match &p.kind {
            EventKind::ForcesRedeployed { state, troops, .. } if state == "NER" => Some(*troops),
            _ => None,
        });
        assert_eq!(moved, Some(3000), "{then:?}");
    }

    #[test]
    fn a_threatened_rulers_border_forces_come_back_once_no_intervention_is_pending() {
        // Before schema 6 the troops moved to the borders against a threatened intervention
        // stayed there for good. They stay while the force vote is to come, and come back,
        // all of them, once the activation vote fails.
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        h.given(
            4,
            vec![
                EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: true },
                EventKind::ForcesRedeployed { state: "NER".into(), troops: 4500, against: "ECOWAS".into() },
            ],
        );
        let then = h.when(11, EventKind::UltimatumExpired { org: "ECOWAS".into(), target: "NER".into() });
        assert!(!kinds(&then).contains(&"BorderForcesRecalled"), "{then:?}");
        let vote_seq = h.next_seq();
        let then = h.when(
            15,
            EventKind::VoteHeld {
                org: "ECOWAS".into(),
                target: "NER".into(),
                question: VoteQuestion::ActivateStandbyForce,
                yes: vec![],
                no: vec!["NGA".into()],
                passed: false,
            },
        );
        let back = only(then, &["BorderForcesRecalled"]);
        assert_eq!(back.len(), 1, "{back:?}");
        assert_eq!(back[0].kind, EventKind::BorderForcesRecalled { state: "NER".into(), troops: 4500, against: "ECOWAS".into() });
        assert_eq!(back[0].cause, Some(vote_seq));
    }

    #[test]
    fn given_no_elected_claimant_when_the_summit_meets_then_only_targeted_measures_and_no_ultimatum() {
        // Economic sanctions are certain with a claimant (propensity 1) and never without one.
        let mut h = Harness::new(NIGER, &[("ECOWAS.ucg.sanction_propensity", "1"), ("sanctions.without_claimant", "0")]);
        coup_with_claimant(&mut h, "");
        let then = only(
            h.when(4, EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::Sanctions }),
            &["SanctionsImposed", "ExportsCut", "UltimatumIssued"],
        );
        assert_eq!(kinds(&then), ["SanctionsImposed"]);
        assert!(
            matches!(&then[0].kind, EventKind::SanctionsImposed { measures, .. } if measures == &vec![Measure::TravelBan, Measure::TargetedAssetFreeze])
        );
    }

    #[test]
    fn given_an_elected_claimant_when_the_summit_decides_against_economic_sanctions_then_force_is_still_threatened() {
        // Cote d'Ivoire, 24 Dec 2010: ECOWAS threatened "legitimate force" to install the
        // declared winner without economic sanctions of its own.
        let mut h = Harness::new(NIGER, &[("ECOWAS.ucg.sanction_propensity", "0")]);
        coup(&mut h);
        let summit_seq = h.next_seq();
        let then = only(
            h.when(4, EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::Sanctions }),
            &["SanctionsImposed", "ExportsCut", "UltimatumIssued"],
        );
        assert_eq!(kinds(&then), ["SanctionsImposed", "UltimatumIssued"]);
        assert!(
            matches!(&then[0].kind, EventKind::SanctionsImposed { measures, .. } if measures == &vec![Measure::TravelBan, Measure::TargetedAssetFreeze])
        );
        assert_eq!(
            then[1].kind,
            EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: true }
        );
        assert!(then.iter().all(|p| p.cause == Some(summit_seq)));
    }

    /// A member already suspended when the coup happens (Burkina Faso, Sep 2022) is not
    /// suspended again; the sanctions summit still meets.
    #[test]
    fn an_already_suspended_member_is_not_suspended_again() {
        let text = NIGER.replacen(r#"suspended: ["MLI", "GIN", "BFA"]"#, r#"suspended: ["MLI", "GIN", "BFA", "NER"]"#, 1);
        assert_ne!(text, NIGER);
        let mut h = Harness::new(&text, &[]);
        coup(&mut h);
        let then = h.on_day(4);
        let ecowas: Vec<&EventKind> =
            then.iter().map(|p| &p.kind).filter(|k| k.actors().first().map(|a| a.as_str()) == Some("ECOWAS")).collect();
        assert_eq!(
            ecowas,
            [&EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::Sanctions }],
            "{then:?}"
        );
    }

    /// An ultimatum that threatens no force (`force_threatened: false`) expires without a vote
    /// on the standby force.
    #[test]
    fn an_ultimatum_without_a_threat_of_force_leads_to_no_force_vote() {
        let mut h = Harness::new(NIGER, &[("ECOWAS.ucg.force_threatened", "false")]);
        coup(&mut h);
        h.given(
            4,
            vec![EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: false }],
        );
        h.given(11, vec![EventKind::UltimatumExpired { org: "ECOWAS".into(), target: "NER".into() }]);
        for day in 12..=20 {
            let then = h.on_day(day);
            assert!(
                !then.iter().any(|p| matches!(p.kind, EventKind::SummitConvened { agenda: SummitAgenda::StandbyForce, .. })),
                "day {day}: {then:?}"
            );
        }
    }

    #[test]
    fn given_a_threat_of_force_when_the_pledge_delay_passes_then_allied_juntas_pledge() {
        let mut h = Harness::new(NIGER, &[("pledge.propensity", "1")]);
        coup(&mut h);
        let ult = h.given(
            4,
            vec![EventKind::UltimatumIssued { org: "ECOWAS".into(), target: "NER".into(), deadline_day: 11, force_threatened: true }],
        );
        let then = h.on_day(5);
        let pledges: Vec<&Proposal> = then.iter().filter(|p| matches!(p.kind, EventKind::DefencePledged { .. })).collect();
        let by: Vec<casus::model::state::Id> = pledges.iter().filter_map(|p| p.kind.actors().first().cloned()).collect();
        assert_eq!(by, ["BFA", "GIN", "MLI"]);
        assert!(pledges.iter().all(|p| p.cause == Some(ult[0].seq)));
    }

    #[test]
    fn when_the_activation_summit_meets_then_members_vote_and_yes_voters_pledge_troops() {
        let mut h = Harness::new(NIGER, &[("intervention.activation_intercept", "20")]);
        coup(&mut h);
        let then = only(
            h.when(15, EventKind::SummitConvened { org: "ECOWAS".into(), target: "NER".into(), agenda: SummitAgenda::StandbyForce }),
            &["VoteHeld", "StandbyForceActivated", "ForcePledged"],
        );
        let EventKind::VoteHeld { question, yes, no, passed, .. } = &then[0].kind else { panic!("{then:?}") };
        assert_eq!(*question, VoteQuestion::ActivateStandbyForce);
        assert!(*passed && no.is_empty());
        // Members in good standing only: not the target, not the suspended juntas.
        assert_eq!(yes, &["BEN", "CIV", "CPV", "GHA", "GMB", "GNB", "LBR", "NGA", "SEN", "SLE", "TGO"]);
        assert_eq!(then[1].kind, EventKind::StandbyForceActivated { org: "ECOWAS".into(), target: "NER".into(), dday: 23 });
        assert!(
            then.iter().any(
                |p| p.kind == EventKind::ForcePledged { org: "ECOWAS".into(), state: "NGA".into(), target: "NER".into(), troops: 7150 }
            )
        );
    }

    #[test]
    fn given_an_activated_force_too_small_on_d_day_then_the_launch_is_postponed() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        h.given(
            15,
            vec![
                EventKind::StandbyForceActivated { org: "ECOWAS".into(), target: "NER".into(), dday: 23 },
                EventKind::ForcePledged { org: "ECOWAS".into(), state: "CIV".into(), target: "NER".into(), troops: 1000 },
            ],
        );
        let then = h.on_day(23);
        let EventKind::LaunchPostponed { reason, .. } =
            &then.iter().find(|p| matches!(p.kind, EventKind::LaunchPostponed { .. })).expect("postponed").kind
        else {
            unreachable!()
        };
        assert!(reason.starts_with("force generation short: 1000 pledged against"), "{reason}");
    }

    #[test]
    fn given_sanctions_when_pressure_passes_the_threshold_at_a_review_then_economic_measures_go_and_targeted_stay() {
        let mut h = Harness::new(NIGER, &[("lifting.threshold", "0"), ("lifting.slope", "100")]);
        coup(&mut h);
        let measures = vec![Measure::BorderClosure, Measure::TransactionFreeze, Measure::TravelBan];
        let imposed = h.given(4, vec![EventKind::SanctionsImposed { org: "ECOWAS".into(), target: "NER".into(), measures, severity: 0.5 }]);
        assert!(h.on_day(20).iter().all(|p| !matches!(p.kind, EventKind::SanctionsLifted { .. })), "no review before day 34");
        let then = h.on_day(34);
        let lifted = then.iter().find(|p| matches!(p.kind, EventKind::SanctionsLifted { .. })).expect("lifted at the review");
        assert_eq!(
            lifted.kind,
            EventKind::SanctionsLifted {
                org: "ECOWAS".into(),
                target: "NER".into(),
                measures: vec![Measure::BorderClosure, Measure::TransactionFreeze],
                kept: vec![Measure::TravelBan],
                reason: LiftReason::Humanitarian,
            }
        );
        assert_eq!(lifted.cause, Some(imposed[0].seq));
    }

    #[test]
    fn when_a_junta_offers_a_short_transition_then_it_is_accepted_and_everything_lifted_a_long_one_is_rejected() {
        for (months, accepted) in [(12, true), (36, false)] {
            let mut h = Harness::new(NIGER, &[]);
            coup(&mut h);
            suspended_and_sanctioned(&mut h);
            let then = h.when(20, EventKind::TransitionProposed { state: "NER".into(), months });
            let answers: Vec<&Proposal> = then.iter().filter(|p| p.kind.actors().first().map(|a| a.as_str()) == Some("ECOWAS")).collect();
            assert_eq!(answers[0].kind, EventKind::TransitionAnswered { org: "ECOWAS".into(), state: "NER".into(), months, accepted });
            assert_eq!(answers.len(), if accepted { 2 } else { 1 });
            if accepted {
                assert!(matches!(&answers[1].kind, EventKind::SanctionsLifted { reason: LiftReason::TransitionAgreed, .. }));
            }
        }
    }

    #[test]
    fn when_order_is_restored_then_measures_and_suspension_are_lifted() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        suspended_and_sanctioned(&mut h);
        let then = h.when(30, EventKind::OrderRestored { state: "NER".into(), how: "test".into() });
        assert_eq!(kinds(&then), ["SanctionsLifted", "SuspensionLifted"]);
        assert!(matches!(&then[0].kind, EventKind::SanctionsLifted { reason: LiftReason::OrderRestored, .. }));
    }
}

mod partners {
    use super::*;

    #[test]
    fn given_a_consolidated_coup_when_each_partners_delay_passes_then_it_suspends_its_aid() {
        let mut h = Harness::new(NIGER, &[("EU.aid_conditionality", "1"), ("FRA.aid_conditionality", "1")]);
        let coup_seq = coup(&mut h);
        let then = h.on_day(2);
        assert_eq!(
            then.iter().map(|p| p.kind.clone()).collect::<Vec<_>>(),
            vec![EventKind::AidSuspended { partner: "EU".into(), recipient: "NER".into(), amount_musd: 180.0 }]
        );
        assert_eq!(then[0].rule, "EU budget support and security cooperation ended (Council decision)");
        assert_eq!(then[0].cause, Some(coup_seq));
        assert!(h.on_day(3).iter().any(|p| matches!(&p.kind, EventKind::AidSuspended { partner, .. } if partner == "FRA")));
    }

    #[test]
    fn given_an_expulsion_when_the_deadline_comes_then_the_forces_leave() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        let exp =
            h.given(28, vec![EventKind::ForcesExpelled { state: "NER".into(), partner: "FRA".into(), troops: 1500, leave_by_day: 117 }]);
        assert!(h.on_day(116).iter().all(|p| !matches!(p.kind, EventKind::ForcesWithdrawn { .. })));
        let then: Vec<Proposal> = h.on_day(117).into_iter().filter(|p| matches!(p.kind, EventKind::ForcesWithdrawn { .. })).collect();
        assert_eq!(then[0].kind, EventKind::ForcesWithdrawn { partner: "FRA".into(), from: "NER".into(), troops: 1500 });
        assert_eq!(then[0].cause, Some(exp[0].seq));
    }
}

mod retention {
    use super::*;

    /// An incumbent refusing to leave (AU ACDEG Art. 23(4)) holds the state from the first
    /// day: the change holds at once, with no draw, citing the retention rule; the state is
    /// ruled as an authoritarian regime, and the organisations' timers start as for a coup.
    #[test]
    fn an_incumbent_who_refuses_to_leave_holds_at_once() {
        for form in [UcgForm::IncumbentRefusesToLeave, UcgForm::TermExtension] {
            // Army loyalty far above cohesion: a military coup would fail almost surely.
            let mut h = Harness::new(NIGER, &[("NER.army_loyalty", "1"), ("NER.cohesion", "0")]);
            let seq = h.next_seq();
            let then = h.when(
                0,
                EventKind::CoupStaged { state: "NER".into(), leader: "the incumbent".into(), form, claimant: "the winner".into() },
            );
            let coup: Vec<&Proposal> =
                then.iter().filter(|p| matches!(p.kind, EventKind::CoupConsolidated { .. } | EventKind::CoupFailing { .. })).collect();
            assert_eq!(coup.len(), 1, "{form:?}: {then:?}");
            assert_eq!(coup[0].kind, EventKind::CoupConsolidated { state: "NER".into() });
            assert_eq!(coup[0].cause, Some(seq));
            assert!(coup[0].rule.starts_with("unconstitutional retention of power (AU ACDEG Art. 23(4)-(5))"));
            h.given(0, vec![coup[0].kind.clone()]);
            assert_eq!(h.regime("NER"), casus::model::scenario::Regime::Authoritarian);
            let day4 = h.on_day(4);
            assert!(day4.iter().any(|p| p.kind == EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() }), "{day4:?}");
        }
    }
}

mod junta {
    use super::*;

    #[test]
    fn given_sanctions_and_a_hostile_partner_at_a_review_then_the_junta_offers_a_transition_and_expels_it() {
        let mut h = Harness::new(
            NIGER,
            &[("junta.transition_propensity", "1"), ("junta.expel_propensity", "1"), ("junta.concession_intercept", "-50")],
        );
        coup(&mut h);
        h.given(
            4,
            vec![
                EventKind::AidSuspended { partner: "FRA".into(), recipient: "NER".into(), amount_musd: 130.0 },
                EventKind::SanctionsImposed {
                    org: "ECOWAS".into(),
                    target: "NER".into(),
                    measures: vec![Measure::BorderClosure],
                    severity: 0.25,
                },
            ],
        );
        assert!(h.on_day(13).is_empty() || h.on_day(13).iter().all(|p| !matches!(p.kind, EventKind::TransitionProposed { .. })));
        let then = h.on_day(14);
        assert!(then.iter().any(|p| p.kind == EventKind::TransitionProposed { state: "NER".into(), months: 32 }), "{then:?}");
        assert!(
            then.iter().any(
                |p| p.kind == EventKind::ForcesExpelled { state: "NER".into(), partner: "FRA".into(), troops: 1500, leave_by_day: 103 }
            )
        );
    }

    /// Given a suspended ruler (no sanctions at all), isolated (no pledge, no junta ally in a
    /// treaty in force: the AES Charter is not yet in force), at reviews: a first offer of
    /// 36 x (0.25 + 0.75 x 0.85) = 32 months; after ECOWAS rejects it (over 24), a shortened
    /// one, 32 x 0.75 = 24, which it accepts, lifting its measures.
    #[test]
    fn given_only_a_suspension_an_isolated_ruler_offers_a_timetable_and_shortens_it_after_a_rejection() {
        let mut h = Harness::new(NIGER, &[("junta.transition_propensity", "1"), ("junta.concession_intercept", "-50")]);
        let coup_seq = coup_with_claimant(&mut h, "");
        h.given(4, vec![EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() }]);
        let first = only(h.on_day(14), &["TransitionProposed"]);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].kind, EventKind::TransitionProposed { state: "NER".into(), months: 32 });
        assert_eq!((first[0].cause, first[0].rule.as_str()), (Some(coup_seq), "junta review: transition offer"));
        let offer = h.next_seq();
        let answers = only(h.when(14, first[0].kind.clone()), &["TransitionAnswered"]);
        assert_eq!(answers.len(), 1);
        assert_eq!(
            answers[0].kind,
            EventKind::TransitionAnswered { org: "ECOWAS".into(), state: "NER".into(), months: 32, accepted: false }
        );
        assert_eq!(answers[0].cause, Some(offer));
        h.given(14, vec![answers[0].kind.clone()]);
        let second = only(h.on_day(28), &["TransitionProposed"]);
        assert_eq!(
            second.iter().map(|p| p.kind.clone()).collect::<Vec<_>>(),
            [EventKind::TransitionProposed { state: "NER".into(), months: 24 }]
        );
        let answers = only(h.when(28, second[0].kind.clone()), &["TransitionAnswered"]);
        assert_eq!(
            answers[0].kind,
            EventKind::TransitionAnswered { org: "ECOWAS".into(), state: "NER".into(), months: 24, accepted: true }
        );
    }

    /// A ruler with an ally pledged to defend it stands on its rejected offer: no new one
    /// (Niger 2023).
    #[test]
    fn a_backed_ruler_stands_on_its_rejected_offer() {
        let mut h = Harness::new(NIGER, &[("junta.transition_propensity", "1"), ("junta.concession_intercept", "-50")]);
        coup(&mut h);
        h.given(
            4,
            vec![
                EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() },
                EventKind::DefencePledged { by: "MLI".into(), to: "NER".into(), against: "ECOWAS".into() },
            ],
        );
        h.given(14, vec![EventKind::TransitionProposed { state: "NER".into(), months: 32 }]);
        h.given(14, vec![EventKind::TransitionAnswered { org: "ECOWAS".into(), state: "NER".into(), months: 32, accepted: false }]);
        for day in [28, 42, 56] {
            assert!(only(h.on_day(day), &["TransitionProposed"]).is_empty(), "day {day}");
        }
    }

    /// A coup within a transition (Mali 2021: the deposed government was transitional) offers
    /// no new timetable: the transition's calendar stands.
    #[test]
    fn a_coup_within_a_transition_offers_no_new_timetable() {
        let mut h = Harness::new(
            NIGER,
            &[("junta.transition_propensity", "1"), ("junta.concession_intercept", "-50"), ("NER.regime", "Transitional")],
        );
        coup_with_claimant(&mut h, "");
        h.given(4, vec![EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() }]);
        for day in [14, 28, 42] {
            assert!(only(h.on_day(day), &["TransitionProposed"]).is_empty(), "day {day}");
        }
    }

    /// Without any measure (no suspension, no sanctions) there is nothing to bargain over.
    #[test]
    fn a_ruler_under_no_measure_offers_nothing() {
        let mut h = Harness::new(NIGER, &[("junta.transition_propensity", "1"), ("junta.concession_intercept", "-50")]);
        coup_with_claimant(&mut h, "");
        assert!(only(h.on_day(14), &["TransitionProposed"]).is_empty());
    }

    #[test]
    fn the_pull_to_withdraw_stops_growing_once_economic_sanctions_are_lifted() {
        // Withdrawal weighs the days under sanctions: lifted on day 8, they stay at 4 (log-odds
        // -20 + 0.5 * 4), where sanctions in force would count 94 by the review of day 98.
        for lifted in [false, true] {
            let mut h = Harness::new(
                NIGER,
                &[("junta.withdraw_intercept", "-20"), ("junta.withdraw_days_weight", "0.5"), ("junta.concession_intercept", "-50")],
            );
            coup(&mut h);
            suspended_and_sanctioned(&mut h);
            h.given(6, vec![EventKind::TreatyInForce { treaty: "AES".into() }]);
            if lifted {
                h.given(
                    8,
                    vec![EventKind::SanctionsLifted {
                        org: "ECOWAS".into(),
                        target: "NER".into(),
                        measures: vec![Measure::BorderClosure],
                        kept: vec![],
                        reason: LiftReason::Humanitarian,
                    }],
                );
            }
            let announced = only(h.on_day(98), &["WithdrawalAnnounced"]);
            assert_eq!(announced.is_empty(), lifted, "lifted {lifted}: {announced:?}");
        }
    }

    #[test]
    fn when_a_junta_announces_withdrawal_then_allied_juntas_in_a_treaty_in_force_join_it() {
        let mut h = Harness::new(NIGER, &[("withdrawal.solidarity", "1")]);
        coup(&mut h);
        h.given(52, vec![EventKind::TreatyInForce { treaty: "AES".into() }]);
        let seq = h.next_seq();
        let then = h.when(186, EventKind::WithdrawalAnnounced { state: "NER".into(), from: "ECOWAS".into(), effective_day: 551 });
        let joined: Vec<&Proposal> = then.iter().filter(|p| matches!(p.kind, EventKind::WithdrawalAnnounced { .. })).collect();
        assert_eq!(joined.len(), 2);
        assert_eq!(joined[0].kind, EventKind::WithdrawalAnnounced { state: "BFA".into(), from: "ECOWAS".into(), effective_day: 551 });
        assert_eq!(joined[1].kind, EventKind::WithdrawalAnnounced { state: "MLI".into(), from: "ECOWAS".into(), effective_day: 551 });
        assert!(joined.iter().all(|p| p.cause == Some(seq) && p.rule == "AES Charter solidarity: joint withdrawal"));
    }

    #[test]
    fn given_unbearable_pain_at_a_review_then_the_junta_hands_power_back() {
        let mut h = Harness::new(NIGER, &[("junta.concession_intercept", "50")]);
        coup(&mut h);
        let then = only(h.on_day(14), &["OrderRestored", "TransitionProposed", "ForcesExpelled", "WithdrawalAnnounced"]);
        assert_eq!(then.len(), 1, "a junta that hands power back does nothing else: {then:?}");
        assert!(matches!(&then[0].kind, EventKind::OrderRestored { how, .. } if how == "junta handed power back"), "{then:?}");
    }
}

mod defence {
    use super::*;

    #[test]
    fn when_an_obligation_arises_then_the_decision_carries_the_modelled_probability() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        h.given(60, vec![EventKind::TreatyInForce { treaty: "AES".into() }]);
        let attack = h.given(61, vec![nga_invades_ner()]);
        let obligation = EventKind::ObligationArisen {
            treaty: "AES".into(),
            article: "Art. 6".into(),
            party: "MLI".into(),
            beneficiary: "NER".into(),
            attacker: "NGA".into(),
            binding: casus::model::scenario::Bindingness::Duty,
            attack_seq: attack[0].seq,
        };
        let then = h.when(61, obligation);
        let EventKind::AssistanceDecided { probability, .. } =
            &then.iter().find(|p| matches!(p.kind, EventKind::AssistanceDecided { .. })).unwrap().kind
        else {
            unreachable!()
        };
        // logit(0.75) + 1.2 * 1 (junta-junta affinity) - 1.5 * 0.8 (Mali's own threat) + 1.0 * (1.0 - 0.5)
        let x: f64 = (0.75f64 / 0.25).ln() + 1.2 * 1.0 - 1.5 * 0.8 + 1.0 * 0.5;
        assert!((probability - 1.0 / (1.0 + (-x).exp())).abs() < 1e-6, "{probability}");
    }

    #[test]
    fn given_committed_forces_when_their_delays_pass_then_they_mobilise_deploy_and_return() {
        let mut h = Harness::new(NIGER, &[]);
        h.given(60, vec![EventKind::TreatyInForce { treaty: "AES".into() }]);
        let attack = nga_invades_ner();
        let a = h.given(61, vec![attack]);
        let ob = EventKind::ObligationArisen {
            treaty: "AES".into(),
            article: "Art. 6".into(),
            party: "MLI".into(),
            beneficiary: "NER".into(),
            attacker: "NGA".into(),
            binding: casus::model::scenario::Bindingness::Duty,
            attack_seq: a[0].seq,
        };
        h.given(61, vec![ob]);
        let decided = h.given(
            61,
            vec![EventKind::AssistanceDecided {
                treaty: "AES".into(),
                party: "MLI".into(),
                beneficiary: "NER".into(),
                honoured: true,
                forms: vec![casus::model::scenario::AssistanceForm::ArmedForce],
                troops: 2000,
                probability: 0.8,
                attack_seq: a[0].seq,
            }],
        );
        assert_eq!(
            h.on_day(71).iter().find(|p| matches!(p.kind, EventKind::ForcesMobilised { .. })).map(|p| p.cause),
            Some(Some(decided[0].seq))
        );
        h.given(71, vec![EventKind::ForcesMobilised { party: "MLI".into(), beneficiary: "NER".into(), troops: 2000 }]);
        assert!(
            h.on_day(77)
                .iter()
                .any(|p| p.kind == EventKind::ForcesDeployed { party: "MLI".into(), beneficiary: "NER".into(), troops: 2000 })
        );
        h.given(77, vec![EventKind::ForcesDeployed { party: "MLI".into(), beneficiary: "NER".into(), troops: 2000 }]);
        assert!(
            h.on_day(257)
                .iter()
                .any(|p| p.kind == EventKind::ForcesReturned { party: "MLI".into(), beneficiary: "NER".into(), troops: 2000 })
        );
    }
}

mod combat {
    use super::*;

    #[test]
    fn when_an_intervention_is_launched_then_it_is_an_invasion_and_a_round_follows_a_week_later() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        let launch_seq = h.next_seq();
        let then = h.when(
            30,
            EventKind::InterventionLaunched { org: "ECOWAS".into(), target: "NER".into(), troops: 10000, contributors: vec!["NGA".into()] },
        );
        let attack = then.iter().find(|p| matches!(p.kind, EventKind::AttackOccurred { .. })).expect("attack");
        assert!(
            matches!(&attack.kind, EventKind::AttackOccurred { attacker, attack: AttackKind::Invasion, troops: 10000, .. } if attacker == "ECOWAS")
        );
        assert_eq!(attack.cause, Some(launch_seq));
        h.given(30, vec![attack.kind.clone()]);
        let round = h.on_day(37);
        let r = round.iter().find(|p| matches!(p.kind, EventKind::CombatRound { .. })).expect("a round");
        let EventKind::CombatRound { round: n, attacker_strength, defender_losses, .. } = &r.kind else { unreachable!() };
        assert_eq!((*n, *attacker_strength), (1, 10000));
        // 0.02 * 10,000 * Uniform(0.7, 1.3)
        assert!((140..=260).contains(defender_losses), "{defender_losses}");
        assert_eq!(r.rule, casus::rules::combat::RULE);
    }

    #[test]
    fn the_defenders_break_once_their_losses_reach_the_documented_share_of_their_first_round_strength() {
        // docs/model.md: the defenders break once they lose break_base + break_cohesion *
        // cohesion of their strength at the first round. Their strength is a share of their
        // troops (`effective_defenders`), and losses come off the troops: counted as the fall in
        // strength, the losses were scaled down by that share and the defenders broke late.
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        let launch =
            EventKind::InterventionLaunched { org: "ECOWAS".into(), target: "NER".into(), troops: 10000, contributors: vec!["NGA".into()] };
        let then = h.when(30, launch);
        h.given(30, then.into_iter().map(|p| p.kind).collect());
        let first = h.on_day(37);
        let EventKind::CombatRound { defender_strength, defender_losses: lost_first, .. } =
            first.iter().find(|p| matches!(p.kind, EventKind::CombatRound { .. })).expect("a first round").kind.clone()
        else {
            unreachable!()
        };
        assert!(!first.iter().any(|p| matches!(p.kind, EventKind::InterventionEnded { .. })), "one round breaks nobody");
        h.given(37, first.into_iter().map(|p| p.kind).collect());
        // Given: a second round that brings the defenders' losses to just under their breaking
        // share of their first-round strength.
        let e = h.sim.world.resource::<casus::model::world::Fixed>().index["NER"];
        let cohesion = h.sim.world.get::<casus::model::state::StateProfile>(e).unwrap().0.cohesion;
        let params = casus::model::params::Params::defaults();
        let share = params.combat_defender_break_base + params.combat_defender_break_cohesion * cohesion;
        let threshold = (share * f64::from(defender_strength)).ceil() as u32;
        let second = threshold - 1 - lost_first;
        h.given(
            44,
            vec![EventKind::CombatRound {
                org: "ECOWAS".into(),
                target: "NER".into(),
                round: 2,
                attacker_strength: 10000,
                defender_strength: defender_strength - lost_first,
                attacker_losses: 0,
                defender_losses: second,
                civilian_deaths: 0,
            }],
        );
        // The third round's losses (0.02 * 10,000 * Uniform(0.7, 1.3) >= 140) cross it.
        let third = h.on_day(51);
        assert!(third.iter().any(|p| matches!(p.kind, EventKind::CombatRound { round: 3, .. })), "{third:?}");
        assert!(
            third
                .iter()
                .any(|p| matches!(&p.kind, EventKind::InterventionEnded { outcome: casus::model::event::CombatOutcome::Success, .. })),
            "losses of {} of a first-round strength of {defender_strength} (breaking share {share:.2}) break the defenders: {third:?}",
            threshold - 1
        );
    }
}

mod armed {
    use super::*;

    #[test]
    fn the_attack_rate_rises_when_forces_are_drawn_away_and_when_foreign_forces_leave() {
        let params = casus::model::params::Params::defaults();
        let h = Harness::new(NIGER, &[]);
        let e = h.sim.world.resource::<casus::model::world::Fixed>().index["NER"];
        let mut p = h.sim.world.get::<casus::model::state::Polity>(e).unwrap().clone();
        let initial = p.troops;
        assert_eq!(casus::rules::armed::rate_multiplier(&params, &p, initial, true, true), 1.0);
        assert!((casus::rules::armed::rate_multiplier(&params, &p, initial, true, false) - 1.8).abs() < 1e-12);
        p.redeployed = p.troops / 10;
        assert!((casus::rules::armed::rate_multiplier(&params, &p, initial, true, true) - 1.15).abs() < 1e-12);
    }

    #[test]
    fn losing_troops_in_combat_does_not_change_the_attack_rate_without_a_change_in_security() {
        // The next attack is drawn from the last change in the security situation; a rate that
        // moved with every combat loss would leave the drawn day stale (in the past).
        let params = casus::model::params::Params::defaults();
        let h = Harness::new(NIGER, &[]);
        let e = h.sim.world.resource::<casus::model::world::Fixed>().index["NER"];
        let mut p = h.sim.world.get::<casus::model::state::Polity>(e).unwrap().clone();
        let initial = p.troops;
        p.redeployed = initial / 10;
        let before = casus::rules::armed::rate_multiplier(&params, &p, initial, true, true);
        p.troops = initial / 2;
        assert_eq!(casus::rules::armed::rate_multiplier(&params, &p, initial, true, true), before);
        // All forces redeployed is the most the rate can rise, whatever remains.
        p.redeployed = initial * 2;
        assert!((casus::rules::armed::rate_multiplier(&params, &p, initial, true, true) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn on_the_drawn_day_a_group_attacks_as_terrorism() {
        let mut h = Harness::new(NIGER, &[]);
        // Walk the days until the first attack proposal, the way the engine jumps.
        let mut day = 0;
        let attack = loop {
            let then = h.on_day(day);
            if let Some(p) = then.into_iter().find(|p| matches!(p.kind, EventKind::AttackOccurred { .. })) {
                break p;
            }
            day = h.sim.next_due(day).expect("a next attack");
        };
        assert!(matches!(&attack.kind, EventKind::AttackOccurred { attack: AttackKind::Terrorist, .. }));
        assert_eq!(attack.cause, None);
        assert_eq!(attack.rule, casus::rules::armed::RULE);
    }
}

mod membership {
    use super::*;

    #[test]
    fn given_a_withdrawal_notice_when_it_expires_then_the_withdrawal_takes_effect_citing_the_treaty() {
        let mut h = Harness::new(NIGER, &[]);
        let notice = h.given(186, vec![EventKind::WithdrawalAnnounced { state: "NER".into(), from: "ECOWAS".into(), effective_day: 551 }]);
        assert!(h.on_day(550).iter().all(|p| !matches!(p.kind, EventKind::WithdrawalEffective { .. })));
        let then: Vec<Proposal> = h.on_day(551).into_iter().filter(|p| matches!(p.kind, EventKind::WithdrawalEffective { .. })).collect();
        assert_eq!(then.len(), 1);
        assert_eq!(then[0].kind, EventKind::WithdrawalEffective { state: "NER".into(), from: "ECOWAS".into() });
        assert_eq!(then[0].rule, "Revised ECOWAS Treaty Art. 91");
        assert_eq!(then[0].cause, Some(notice[0].seq));
    }
}

mod engine {
    use super::*;

    /// A round the fold refuses (a rule proposed an inconsistent event) stops with the error,
    /// and the log keeps every event applied before it.
    #[test]
    fn a_round_with_an_inconsistent_event_stops_with_the_log_intact() {
        let mut h = Harness::new(NIGER, &[]);
        coup(&mut h);
        let before = h.sim.log().events.len();
        let round = [
            EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() },
            EventKind::ForcesMobilised { party: "NGA".into(), beneficiary: "NER".into(), troops: 100 },
            EventKind::CoupConsolidated { state: "NER".into() },
        ];
        let proposals = round.into_iter().map(|kind| Proposal { kind, cause: None, rule: "given".into() }).collect();
        let err = h.sim.apply_proposals(proposals).expect_err("no forces were committed");
        assert!(err.to_string().contains("no forces committed by NGA to NER"), "{err}");
        let log = &h.sim.log().events;
        assert_eq!(log.len(), before + 1, "the events before the refused one stay logged");
        assert_eq!(log[before].kind, EventKind::MemberSuspended { org: "ECOWAS".into(), state: "NER".into() });
        assert!(log.iter().enumerate().all(|(i, e)| e.seq == i as u64));
    }
}
