//! Treaty conformance catalogue, in the manner of a rules adjudication suite: each case is a
//! tiny scenario pinning one clause behaviour, with the exact expected sequence of
//! treaty-relevant events (day, kind, key fields, and the rule cited).
//!
//! Probabilities are pinned with parameters (reliability.base = 1 makes every party honour;
//! a party with security_threat 1 under reliability.threat_weight = 50 always declines), so
//! every expected line is certain, not likely.

use casus::model::event::{Event, EventKind};

const TEMPLATE: &str = r#"(
    name: "case", start: "2024-01-01", horizon_days: 60, seed: 1, focus: "AAA",
    actors: [
        State(id: "AAA", name: "Aland", regime: Democracy, troops: 10000, gdp_busd: 10.0),
        State(id: "BBB", name: "Borea", regime: Democracy, troops: 10000, gdp_busd: 10.0),
        State(id: "CCC", name: "Cassia", regime: Democracy, troops: 10000, gdp_busd: 10.0),
        State(id: "DDD", name: "Dorne", regime: Democracy, troops: 10000, gdp_busd: 10.0 DDD_EXTRA),
        State(id: "XXX", name: "Xeria", regime: Authoritarian, troops: 50000, gdp_busd: 50.0),
        State(id: "YYY", name: "Yuga", regime: Authoritarian, troops: 50000, gdp_busd: 50.0),
        Organisation(id: "ORG", name: "Outside organisation", members: ["XXX", "YYY"], withdrawal_notice_days: 365),
    ],
    treaties: [
        (id: "PACT", short_name: "Pact", members: MEMBERS, decision_rule: RULE, decision_article: "Art. 9",
         withdrawal_notice_days: 30, TREATY_EXTRA clauses: [CLAUSES]),
        EXTRA_TREATIES
    ],
    timeline: [TIMELINE],
    parameters: {"reliability.base": 1.0, PARAMS},
)"#;

const DEFENCE: &str = r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [ArmedForce])"#;

struct Case {
    name: &'static str,
    members: &'static str,
    rule: &'static str,
    clauses: &'static str,
    treaty_extra: &'static str,
    extra_treaties: &'static str,
    timeline: &'static str,
    params: &'static str,
    ddd_extra: &'static str,
    expected: &'static [&'static str],
}

const BASE: Case = Case {
    name: "",
    members: r#"["AAA", "BBB", "CCC"]"#,
    rule: "Unanimity",
    clauses: DEFENCE,
    treaty_extra: "",
    extra_treaties: "",
    timeline: "",
    params: "",
    ddd_extra: "",
    expected: &[],
};

fn scenario(c: &Case) -> String {
    TEMPLATE
        .replace("MEMBERS", c.members)
        .replace("RULE", c.rule)
        .replace("CLAUSES", c.clauses)
        .replace("TREATY_EXTRA", c.treaty_extra)
        .replace("EXTRA_TREATIES", c.extra_treaties)
        .replace("TIMELINE", c.timeline)
        .replace("PARAMS", c.params)
        .replace("DDD_EXTRA", c.ddd_extra)
}

/// The treaty-relevant events of a run in a compact form.
fn compact(e: &Event) -> Option<String> {
    use EventKind::*;
    let body = match &e.kind {
        AttackOccurred { attacker, target, location, attack, .. } => {
            let at = if location != target { format!(" at {location}") } else { String::new() };
            format!("AttackOccurred {attacker}->{target} {attack:?}{at}")
        }
        TreatyInForce { treaty } => format!("TreatyInForce {treaty}"),
        ObligationArisen { article, party, beneficiary, .. } => format!("ObligationArisen {article} {party} for {beneficiary}"),
        AssistanceRequested { state, treaty } => format!("AssistanceRequested {state} {treaty}"),
        AssistanceDecided { party, honoured, troops, .. } => {
            format!(
                "AssistanceDecided {party} {}{}",
                if *honoured { "honoured" } else { "declined" },
                if *troops > 0 { " with troops" } else { "" }
            )
        }
        VoteHeld { question, yes, no, passed, .. } => {
            format!("VoteHeld {question:?} {} yes {:?} no {:?}", if *passed { "passed" } else { "failed" }, yes, no)
        }
        JointOperationFormed { parties, .. } => format!("JointOperationFormed {parties:?}"),
        NonAggressionBreached { article, by, against, .. } => format!("NonAggressionBreached {article} {by}->{against}"),
        ConsultationsHeld { article, parties, .. } => format!("ConsultationsHeld {article} {parties:?}"),
        WithdrawalAnnounced { state, from, effective_day } => format!("WithdrawalAnnounced {state} from {from} effective d{effective_day}"),
        WithdrawalEffective { state, from } => format!("WithdrawalEffective {state} from {from}"),
        ForcesMobilised { party, .. } => format!("ForcesMobilised {party}"),
        ForcesDeployed { party, .. } => format!("ForcesDeployed {party}"),
        InterventionLaunched { org, target, .. } => format!("InterventionLaunched {org}->{target}"),
        SanctionsImposed { measures, .. } => format!("SanctionsImposed {measures:?}"),
        SanctionsLifted { measures, kept, reason, .. } => format!("SanctionsLifted {measures:?} kept {kept:?} {reason:?}"),
        _ => return None,
    };
    Some(format!("d{} {body} [{}]", e.day, e.rule))
}

fn run_case(c: &Case) -> Vec<String> {
    let src = scenario(c);
    let p = casus::model::prepared::prepare(&src, &[]).unwrap_or_else(|e| panic!("case {}: {}", c.name, e.render("case", &src)));
    let out = casus::engine::run::run(&p, 1, Default::default()).unwrap_or_else(|e| panic!("case {}: {e}", c.name));
    out.events.iter().filter_map(compact).collect()
}

fn check(c: &Case) {
    let got = run_case(c);
    let expected: Vec<String> = c.expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, expected, "\ncase: {}\ngot:\n  {}\n", c.name, got.join("\n  "));
}

const STRIKE_D5: &str = r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, troops: 1000, deaths: 10)),"#;

#[test]
fn an_attack_on_territory_obligates_every_other_party() {
    check(&Case {
        name: "attack on territory",
        timeline: STRIKE_D5,
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d5 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d5 AssistanceDecided BBB honoured with troops [Pact Art. 1]",
            "d5 AssistanceDecided CCC honoured with troops [Pact Art. 1]",
            "d15 ForcesMobilised BBB [Pact Art. 1]",
            "d15 ForcesMobilised CCC [Pact Art. 1]",
            "d21 ForcesDeployed BBB [Pact Art. 1]",
            "d21 ForcesDeployed CCC [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn a_terrorist_attack_does_not_engage_a_territory_clause() {
    check(&Case {
        name: "trigger scope",
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", kind: Terrorist, deaths: 10)),"#,
        expected: &["d5 AttackOccurred XXX->AAA Terrorist [scenario]"],
        ..BASE
    });
}

#[test]
fn an_attack_on_forces_abroad_engages_only_a_forces_abroad_trigger() {
    let timeline =
        r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", location: "YYY", kind: OnForcesAbroad, deaths: 3)),"#;
    check(&Case {
        name: "forces abroad, territory clause",
        timeline,
        expected: &["d5 AttackOccurred XXX->AAA OnForcesAbroad at YYY [scenario]"],
        ..BASE
    });
    check(&Case {
        name: "forces abroad, Art. 7-style clause",
        clauses: r#"(article: "Art. 7", obligation: Defence, triggers: [AttackOnForcesAbroad, AttackOnShipsOrAircraft], owed: [Logistics])"#,
        timeline,
        expected: &[
            "d5 AttackOccurred XXX->AAA OnForcesAbroad at YYY [scenario]",
            "d5 ObligationArisen Art. 7 BBB for AAA [Pact Art. 7]",
            "d5 ObligationArisen Art. 7 CCC for AAA [Pact Art. 7]",
            "d5 AssistanceDecided BBB honoured [Pact Art. 7]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 7]",
        ],
        ..BASE
    });
}

#[test]
fn a_specific_adversary_condition_ignores_other_attackers() {
    check(&Case {
        name: "adversary condition",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], conditions: [Adversary(["XXX"])], owed: [Logistics])"#,
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "YYY", target: "AAA", kind: Strike, deaths: 1)),
                     (date: "2024-01-08", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),"#,
        expected: &[
            "d5 AttackOccurred YYY->AAA Strike [scenario]",
            "d7 AttackOccurred XXX->AAA Strike [scenario]",
            "d7 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d7 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d7 AssistanceDecided BBB honoured [Pact Art. 1]",
            "d7 AssistanceDecided CCC honoured [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn a_location_condition_limits_the_treaty_area() {
    check(&Case {
        name: "location condition",
        clauses: r#"(article: "Art. 5", obligation: Defence, triggers: [AttackOnTerritory, AttackOnForcesAbroad],
                     conditions: [Location(["AAA", "BBB", "CCC"])], owed: [Logistics], binding: Discretionary)"#,
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", location: "YYY", kind: OnForcesAbroad, deaths: 3)),"#,
        expected: &["d5 AttackOccurred XXX->AAA OnForcesAbroad at YYY [scenario]"],
        ..BASE
    });
}

#[test]
fn a_written_request_condition_waits_for_the_request() {
    let clauses =
        r#"(article: "Art. 2", obligation: Defence, triggers: [AttackOnTerritory], conditions: [WrittenRequest], owed: [Logistics])"#;
    check(&Case {
        name: "written request filed",
        clauses,
        timeline: STRIKE_D5,
        params: r#""request.propensity": 1.0"#,
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 AssistanceRequested AAA PACT [Pact Art. 2 (written request)]",
            "d5 ObligationArisen Art. 2 BBB for AAA [Pact Art. 2]",
            "d5 ObligationArisen Art. 2 CCC for AAA [Pact Art. 2]",
            "d5 AssistanceDecided BBB honoured [Pact Art. 2]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 2]",
        ],
        ..BASE
    });
    check(&Case {
        name: "no written request, no obligation",
        clauses,
        timeline: STRIKE_D5,
        params: r#""request.propensity": 0.0"#,
        expected: &["d5 AttackOccurred XXX->AAA Strike [scenario]"],
        ..BASE
    });
}

#[test]
fn a_discretionary_clause_halves_the_odds_of_honouring() {
    let probability = |binding: &str| -> f64 {
        let clause =
            format!(r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics], binding: {binding})"#);
        let c = Case { name: "binding", clauses: Box::leak(clause.into_boxed_str()), timeline: STRIKE_D5, ..BASE };
        let src = scenario(&c).replace(r#""reliability.base": 1.0"#, r#""reliability.base": 0.75"#);
        let out = casus::engine::run::run(&casus::model::prepared::prepare(&src, &[]).unwrap(), 1, Default::default()).unwrap();
        out.events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::AssistanceDecided { party, probability, .. } if party == "BBB" => Some(*probability),
                _ => None,
            })
            .expect("BBB decided")
    };
    let (duty, discretionary) = (probability("Duty"), probability("Discretionary"));
    let odds = |p: f64| p / (1.0 - p);
    assert!(discretionary < duty, "{discretionary} < {duty}");
    assert!((odds(discretionary) / odds(duty) - 0.5).abs() < 1e-3, "odds ratio {}", odds(discretionary) / odds(duty));
}

const COLLECTIVE: &str = r#"(article: "Art. 6", obligation: Defence, triggers: [AttackOnTerritory], owed: [ArmedForce], collective: true)"#;

#[test]
fn unanimity_blocks_a_joint_operation_when_one_party_declines() {
    let common = Case {
        members: r#"["AAA", "BBB", "CCC", "DDD"]"#,
        clauses: COLLECTIVE,
        timeline: STRIKE_D5,
        params: r#""reliability.threat_weight": 50.0, "assistance.mobilisation_days": 100"#,
        ddd_extra: ", security_threat: 1.0",
        ..BASE
    };
    check(&Case {
        name: "unanimity",
        rule: "Unanimity",
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 ObligationArisen Art. 6 BBB for AAA [Pact Art. 6]",
            "d5 ObligationArisen Art. 6 CCC for AAA [Pact Art. 6]",
            "d5 ObligationArisen Art. 6 DDD for AAA [Pact Art. 6]",
            "d5 AssistanceDecided BBB honoured with troops [Pact Art. 6]",
            "d5 AssistanceDecided CCC honoured with troops [Pact Art. 6]",
            "d5 AssistanceDecided DDD declined [Pact Art. 6]",
            r#"d5 VoteHeld JointOperation failed yes ["BBB", "CCC"] no ["DDD"] [Pact Art. 9]"#,
        ],
        ..common
    });
    check(&Case {
        name: "majority",
        rule: "Majority",
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 ObligationArisen Art. 6 BBB for AAA [Pact Art. 6]",
            "d5 ObligationArisen Art. 6 CCC for AAA [Pact Art. 6]",
            "d5 ObligationArisen Art. 6 DDD for AAA [Pact Art. 6]",
            "d5 AssistanceDecided BBB honoured with troops [Pact Art. 6]",
            "d5 AssistanceDecided CCC honoured with troops [Pact Art. 6]",
            "d5 AssistanceDecided DDD declined [Pact Art. 6]",
            r#"d5 VoteHeld JointOperation passed yes ["BBB", "CCC"] no ["DDD"] [Pact Art. 9]"#,
            r#"d5 JointOperationFormed ["BBB", "CCC"] [Pact Art. 6]"#,
        ],
        ..common
    });
}

#[test]
fn a_party_stays_bound_during_its_withdrawal_notice_and_not_after() {
    check(&Case {
        name: "withdrawal notice",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics])"#,
        timeline: r#"(date: "2024-01-03", event: WithdrawalAnnounced(state: "BBB", from: "PACT")),
                     (date: "2024-01-11", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),
                     (date: "2024-02-10", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),"#,
        params: r#""assistance.reengage_days": 0"#,
        expected: &[
            "d2 WithdrawalAnnounced BBB from PACT effective d32 [scenario]",
            "d10 AttackOccurred XXX->AAA Strike [scenario]",
            "d10 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d10 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d10 AssistanceDecided BBB honoured [Pact Art. 1]",
            "d10 AssistanceDecided CCC honoured [Pact Art. 1]",
            "d32 WithdrawalEffective BBB from PACT [Pact denunciation notice]",
            "d40 AttackOccurred XXX->AAA Strike [scenario]",
            "d40 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d40 AssistanceDecided CCC honoured [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn an_attack_between_parties_breaches_non_aggression_and_the_attacker_is_not_obligated() {
    check(&Case {
        name: "non-aggression",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics]),
                    (article: "Art. 8", obligation: NonAggression)"#,
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "BBB", target: "AAA", kind: Strike, deaths: 2)),"#,
        expected: &[
            "d5 AttackOccurred BBB->AAA Strike [scenario]",
            "d5 NonAggressionBreached Art. 8 BBB->AAA [Pact Art. 8]",
            "d5 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn no_clause_applies_before_the_treaty_enters_into_force() {
    check(&Case {
        name: "entry into force",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics])"#,
        treaty_extra: r#"in_force: "2024-01-20","#,
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),
                     (date: "2024-01-31", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),"#,
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d19 TreatyInForce PACT [Pact entry into force]",
            "d30 AttackOccurred XXX->AAA Strike [scenario]",
            "d30 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d30 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d30 AssistanceDecided BBB honoured [Pact Art. 1]",
            "d30 AssistanceDecided CCC honoured [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn a_non_provocation_condition_excludes_a_party_that_struck_first() {
    check(&Case {
        name: "not provoked",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], conditions: [NotProvoked], owed: [Logistics])"#,
        timeline: r#"(date: "2024-01-04", event: Attack(attacker: "AAA", target: "XXX", kind: Strike, deaths: 1)),
                     (date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),"#,
        expected: &["d3 AttackOccurred AAA->XXX Strike [scenario]", "d5 AttackOccurred XXX->AAA Strike [scenario]"],
        ..BASE
    });
}

#[test]
fn an_engaged_clause_is_not_reinvoked_within_the_window() {
    check(&Case {
        name: "re-engagement window",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics])"#,
        timeline: r#"(date: "2024-01-06", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),
                     (date: "2024-01-16", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, deaths: 1)),"#,
        params: r#""assistance.reengage_days": 30"#,
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d5 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d5 AssistanceDecided BBB honoured [Pact Art. 1]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 1]",
            "d15 AttackOccurred XXX->AAA Strike [scenario]",
        ],
        ..BASE
    });
}

#[test]
fn neutrality_towards_the_attacker_overrides_a_defence_obligation() {
    check(&Case {
        name: "neutrality",
        clauses: r#"(article: "Art. 1", obligation: Defence, triggers: [AttackOnTerritory], owed: [Logistics])"#,
        extra_treaties: r#"(id: "NEUT", short_name: "Neutrality Pact", members: ["BBB", "XXX"], clauses: [(article: "Art. 1", obligation: Neutrality)]),"#,
        timeline: STRIKE_D5,
        expected: &[
            "d5 AttackOccurred XXX->AAA Strike [scenario]",
            "d5 ObligationArisen Art. 1 BBB for AAA [Pact Art. 1]",
            "d5 ObligationArisen Art. 1 CCC for AAA [Pact Art. 1]",
            "d5 AssistanceDecided BBB declined [Neutrality Pact Art. 1 (neutrality towards XXX)]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 1]",
        ],
        ..BASE
    });
}

#[test]
fn a_consultation_clause_convenes_the_other_parties() {
    check(&Case {
        name: "consultation",
        clauses: r#"(article: "Art. 4", obligation: Consultation, triggers: [AttackOnTerritory])"#,
        timeline: STRIKE_D5,
        expected: &["d5 AttackOccurred XXX->AAA Strike [scenario]", r#"d5 ConsultationsHeld Art. 4 ["BBB", "CCC"] [Pact Art. 4]"#],
        ..BASE
    });
}

#[test]
fn an_intervention_is_an_attack_that_engages_the_targets_allies() {
    check(&Case {
        name: "intervention",
        clauses: r#"(article: "Art. 6", obligation: Defence, triggers: [AttackOnTerritory, AttackOnSovereignty], owed: [Logistics])"#,
        timeline: r#"(date: "2024-01-06", event: InterventionLaunched(org: "ORG", target: "AAA")),"#,
        expected: &[
            "d5 InterventionLaunched ORG->AAA [scenario]",
            "d5 AttackOccurred ORG->AAA Invasion [use of force (armed intervention)]",
            "d5 ObligationArisen Art. 6 BBB for AAA [Pact Art. 6]",
            "d5 ObligationArisen Art. 6 CCC for AAA [Pact Art. 6]",
            "d5 AssistanceDecided BBB honoured [Pact Art. 6]",
            "d5 AssistanceDecided CCC honoured [Pact Art. 6]",
        ],
        ..BASE
    });
}

#[test]
fn lifting_on_humanitarian_grounds_keeps_targeted_measures() {
    let src = include_str!("data/minimal.ron");
    let sets: Vec<(String, String)> = [
        ("ORG.ucg.sanction_propensity", "1"),
        ("sanctions.without_claimant", "1"),
        ("lifting.threshold", "0"),
        ("lifting.slope", "100"),
        ("AAA.army_loyalty", "0"),
        ("junta.transition_propensity", "0"),
        ("junta.concession_intercept", "-50"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let out = casus::engine::run::run(&casus::model::prepared::prepare(src, &sets).unwrap(), 1, Default::default()).unwrap();
    let got: Vec<String> = out.events.iter().filter_map(compact).filter(|s| s.contains("Sanctions")).collect();
    assert_eq!(
        got,
        vec![
            "d6 SanctionsImposed [BorderClosure, TravelBan] [Org Art. 2]".to_string(),
            "d36 SanctionsLifted [BorderClosure] kept [TravelBan] Humanitarian [Org Art. 2 (summit review: humanitarian grounds)]"
                .to_string(),
        ]
    );
    assert_eq!(out.outcomes.sanctions_days, Some(30));
}
