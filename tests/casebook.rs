//! The casebook (scenarios/history/) and `casus validate`: every case loads, carries a record,
//! sets no behavioural parameter and uses the standard organisation blocks of docs/casebook.md;
//! the scorecard does not depend on the number of threads; a record naming an unknown outcome
//! is a clear error (exit 2); the exit code says whether every check passed.

use std::path::{Path, PathBuf};

use casus::model::scenario::{ActorDef, DecisionRule, Scenario, UcgRegimeDef};

mod common;
use common::{casus, repo, scratch, stderr, stdout};

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios/history"))
        .expect("scenarios/history exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    v.sort();
    v
}

fn load(p: &Path) -> Scenario {
    let src = std::fs::read_to_string(p).unwrap();
    casus::model::scenario::load(&src).unwrap_or_else(|e| panic!("{}", e.render(&p.display().to_string(), &src)))
}

/// An organisation's behavioural `ucg` fields: delays, sanction propensity, ultimatum, threat
/// of force, activation and D-Day delays, decision rule, review interval.
type Behaviour = (u32, u32, f64, u32, bool, u32, u32, DecisionRule, u32);

/// The behavioural fields of docs/casebook.md's standard blocks.
fn standard(org: &str) -> Option<Behaviour> {
    match org {
        "ECOWAS" => Some((4, 4, 0.95, 7, true, 4, 8, DecisionRule::Majority, 30)),
        "AU" => Some((5, 5, 0.0, 0, false, 0, 0, DecisionRule::TwoThirds, 90)),
        "ECCAS" => Some((5, 5, 0.0, 0, false, 0, 0, DecisionRule::Unanimity, 90)),
        _ => None,
    }
}

fn behaviour(u: &UcgRegimeDef) -> Behaviour {
    (
        u.suspension_delay_days,
        u.summit_delay_days,
        u.sanction_propensity,
        u.ultimatum_days,
        u.force_threatened,
        u.activation_summit_delay_days,
        u.dday_delay_days,
        u.force_decision_rule,
        u.review_days,
    )
}

#[test]
fn every_case_loads_with_a_record_no_parameters_and_the_standard_blocks() {
    let cases = cases();
    assert!(cases.len() >= 12, "the casebook holds {} cases; docs/casebook.md lists 13", cases.len());
    for p in &cases {
        let s = load(p);
        let name = p.display();
        assert!(s.expect.is_some(), "{name}: no expect block");
        assert!(s.parameters.is_empty(), "{name}: a case sets no behavioural parameter, found {:?}", s.parameters);
        for a in &s.actors {
            if let ActorDef::Organisation(o) = a
                && let Some(u) = &o.ucg
            {
                let want = standard(&o.id).unwrap_or_else(|| panic!("{name}: {} has no standard block in docs/casebook.md", o.id));
                assert_eq!(behaviour(u), want, "{name}: {}'s ucg block differs from the standard block", o.id);
            }
        }
    }
}

#[test]
fn the_scorecard_does_not_depend_on_threads() {
    let one = casus(&["validate", "scenarios/history", "--runs", "12", "--json", "--jobs", "1"], &repo());
    let two = casus(&["validate", "scenarios/history", "--runs", "12", "--json", "--jobs", "2"], &repo());
    assert!(matches!(one.status.code(), Some(0 | 1)), "{}", stderr(&one));
    assert_eq!(one.status.code(), two.status.code());
    assert_eq!(stdout(&one), stdout(&two));
    let card: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(card["cases"].as_array().unwrap().len(), cases().len());
    for c in card["cases"].as_array().unwrap() {
        let total: f64 = c["shares"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        // Each share is rounded to 6 decimals: three classes of 12 runs sum to 0.999999.
        assert!((total - 1.0).abs() < 1e-5, "{}: class shares sum to {total}", c["name"]);
        let brier = c["brier"].as_f64().unwrap();
        assert!((0.0..=2.0).contains(&brier));
    }
}

/// A small case whose record the model meets exactly: a coup that always consolidates (army
/// loyalty far below cohesion), an organisation that only suspends.
fn tiny_case(expect: &str) -> String {
    format!(
        r#"(
    name: "tiny", start: "2020-01-01", horizon_days: 60, seed: 3, focus: "AAA",
    actors: [
        State(id: "AAA", name: "A", regime: Democracy, troops: 1000, gdp_busd: 1.0, cohesion: 0.95, army_loyalty: 0.0),
        State(id: "BBB", name: "B", regime: Democracy, troops: 1000, gdp_busd: 1.0),
        Organisation(id: "ORG", name: "Org", members: ["AAA", "BBB"], withdrawal_notice_days: 365,
            ucg: (suspension_article: "Art. 1", sanctions_article: "Art. 2", intervention_article: "Art. 3",
                  suspension_delay_days: 3, summit_delay_days: 3, sanctions_menu: [TravelBan], sanction_propensity: 0.0,
                  ultimatum_days: 0, force_threatened: false, activation_summit_delay_days: 0, dday_delay_days: 0,
                  force_decision_rule: Majority, review_days: 30, standby_force: false)),
    ],
    timeline: [(date: "2020-01-01", event: Coup(state: "AAA", leader: "X"))],
    expect: {expect},
)"#
    )
}

#[test]
fn exit_codes_say_whether_every_check_passed() {
    let dir = scratch("validate_exit");
    let pass = tiny_case(
        r#"(class: SuspensionOrTargeted, days: {"suspension_day": (day: 3, tolerance: 0)}, taken: ["suspension_day"],
            not_taken: ["sanctions_imposed_day"])"#,
    );
    std::fs::write(dir.join("pass.ron"), pass).unwrap();
    let o = casus(&["validate", "pass.ron", "--runs", "20"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("summary: 1/1 cases pass"), "{}", stdout(&o));

    let fail = tiny_case(r#"(class: LeaderClimbsDown, days: {"suspension_day": (day: 30, tolerance: 5)})"#);
    std::fs::write(dir.join("fail.ron"), fail).unwrap();
    let o = casus(&["validate", "fail.ron", "--runs", "20"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("FAIL tiny") && out.contains("modal SuspensionOrTargeted (") && out.contains("history LeaderClimbsDown"), "{out}");
    assert!(out.contains("FAIL suspension_day: history day 30 +/- 5; median day 3 in 100% of runs"), "{out}");
}

#[test]
fn a_bad_record_is_a_clear_error_naming_the_field() {
    let dir = scratch("validate_bad");
    let bad = tiny_case(r#"(class: TransitionAgreed, days: {"suspension_dya": (day: 3, tolerance: 1)}, taken: ["casualties_military"])"#);
    std::fs::write(dir.join("bad.ron"), bad).unwrap();
    let o = casus(&["validate", "bad.ron"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.ron: error: expect.days.suspension_dya: `suspension_dya` is not a standard outcome"), "{err}");
    assert!(err.contains("bad.ron: error: expect.taken[0]: `casualties_military`"), "{err}");

    let unknown_class = tiny_case(r#"(class: Victory)"#);
    std::fs::write(dir.join("class.ron"), unknown_class).unwrap();
    let o = casus(&["validate", "class.ron"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("class.ron:"), "{}", stderr(&o));

    let o = casus(&["validate", "scenarios/niger_2023.ron"], &repo());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expect: the scenario has no `expect` block"), "{}", stderr(&o));
    let o = casus(&["validate", "bad.ron", "--runs", "0"], &dir);
    assert_eq!(o.status.code(), Some(2));
}
