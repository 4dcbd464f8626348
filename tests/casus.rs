//! Integration tests against the library and the real `casus` binary.
//!
//! Modules: `determinism` (byte-identical logs), `replay` (fold equals live; tampering and
//! truncation detected), `scenarios` (every shipped scenario checks, runs and replays),
//! `malformed` (a table of broken scenarios with their messages and exit codes), `cli`
//! (run, check, replay, params against the binary), `output_safety` (casus never deletes a file
//! it did not write).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{casus, repo, scratch, stderr, stdout};

fn scenario_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    v.sort();
    v
}

fn log_bytes(source: &str, seed: u64, sets: &[(String, String)]) -> Vec<u8> {
    let p = casus::model::prepared::prepare(source, sets).expect("valid");
    let out = casus::engine::run::run(&p, seed, Default::default()).expect("runs");
    let mut buf = Vec::new();
    out.write_log(&mut buf).expect("write");
    buf
}

mod determinism {
    use super::*;

    #[test]
    fn same_scenario_seed_and_overrides_give_byte_identical_logs() {
        let src = include_str!("../scenarios/niger_2023.ron");
        for seed in [1, 2, 2023] {
            assert_eq!(log_bytes(src, seed, &[]), log_bytes(src, seed, &[]));
        }
        let sets = vec![("reliability.base".to_string(), "0.5".to_string())];
        assert_eq!(log_bytes(src, 9, &sets), log_bytes(src, 9, &sets));
    }

    #[test]
    fn different_seeds_give_different_logs() {
        let src = include_str!("../scenarios/niger_2023.ron");
        assert_ne!(log_bytes(src, 1, &[]), log_bytes(src, 2, &[]));
    }

    #[test]
    fn two_processes_write_identical_files() {
        let dir = scratch("two_processes");
        for out in ["a", "b"] {
            let o = casus(&["run", "--quiet", "--seed", "5", "--out", out], &dir);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        for f in ["events.jsonl", "summary.json"] {
            assert_eq!(std::fs::read(dir.join("a").join(f)).unwrap(), std::fs::read(dir.join("b").join(f)).unwrap(), "{f}");
        }
    }

    /// The engine runs, in round 0 of a day, only the modules whose `next_due` named that day.
    /// Running every module anyway (`verify_due`) must change nothing: the sim panics if a
    /// module that was skipped would have proposed an event, and the logs must be equal.
    /// Checkpoint digests re-encode only what changed: recomputing each from scratch
    /// (`verify_digests`) must give the same digest (the sim panics otherwise).
    #[test]
    fn skipping_modules_that_are_not_due_changes_nothing() {
        let variants: Vec<Vec<(String, String)>> = [
            vec![],
            vec![("NER.army_loyalty", "0.95"), ("NER.cohesion", "0.2")],
            vec![
                ("NER.troops", "5000"),
                ("NER.cohesion", "0.3"),
                ("pledge.propensity", "0"),
                ("junta.transition_propensity", "0"),
                ("NGA.war_opposition", "0.1"),
                ("CIV.war_opposition", "0.1"),
                ("SEN.war_opposition", "0.1"),
                ("intervention.launch_intercept", "3"),
            ],
            vec![("NER.cohesion", "0.35")],
        ]
        .iter()
        .map(|v| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
        .collect();
        let mut cases: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for f in scenario_files() {
            cases.push((std::fs::read_to_string(&f).unwrap(), vec![]));
        }
        let niger = std::fs::read_to_string(repo().join("scenarios/niger_2023.ron")).unwrap();
        for v in variants.into_iter().skip(1) {
            cases.push((niger.clone(), v));
        }
        // Zero delays: what a timer would do on a later day happens within the day that set it.
        let zero: Vec<(String, String)> = [
            "coup.reversal_delay_days",
            "assistance.mobilisation_days",
            "assistance.deployment_days",
            "pledge.delay_days",
            "ECOWAS.withdrawal_notice_days",
            "AES.withdrawal_notice_days",
            "FRA.withdrawal_days",
            "USA.withdrawal_days",
            "FRA.aid_suspension_delay_days",
            "ECOWAS.ucg.suspension_delay_days",
            "ECOWAS.ucg.summit_delay_days",
        ]
        .iter()
        .map(|n| (n.to_string(), "0".to_string()))
        .chain([("NER.army_loyalty".to_string(), "0.9".to_string())])
        .collect();
        cases.push((niger.clone(), zero.clone()));
        cases.push((std::fs::read_to_string(repo().join("scenarios/niger_2023_intervention.ron")).unwrap(), zero));
        let spec = casus::synth::GenSpec { states: 120, treaties: 24, orgs: 4, seed: 3, horizon_days: 365 };
        cases.push((casus::synth::to_ron(&casus::synth::generate(&spec)), vec![]));
        let mut events = 0;
        for (source, sets) in &cases {
            let p = casus::model::prepared::prepare(source, sets).expect("valid");
            for seed in 1..=8 {
                let fast = casus::engine::run::run(&p, seed, Default::default()).expect("runs");
                let mut sim = casus::engine::Sim::new(&p.scenario, p.params.clone(), seed, Default::default());
                sim.verify_due = true;
                sim.verify_digests = true;
                sim.run().expect("runs");
                assert!(sim.log().events == fast.events, "seed {seed} {sets:?}: running every module changed the run");
                assert!(sim.log().checkpoints == fast.checkpoints, "seed {seed} {sets:?}: checkpoints differ");
                // The timers are a function of the events: folding the log rebuilds them.
                let mut world = casus::fold::world::build_world(&p.scenario, p.params.clone(), seed);
                for e in &sim.log().events {
                    casus::fold::apply::apply(&mut world, e).expect("applies");
                }
                let timers = |w: &casus::engine::Sim| w.world.resource::<casus::model::timers::Timers>().clone();
                assert!(*world.resource::<casus::model::timers::Timers>() == timers(&sim), "seed {seed} {sets:?}: replayed timers differ");
                events += fast.events.len();
            }
        }
        assert!(events > 5_000, "the cases exercise the rules ({events} events)");
    }

    #[test]
    fn an_unrelated_parameter_does_not_shift_other_draws() {
        // Combat parameters are never reached in the baseline (no intervention), so changing
        // one must leave every event identical: draws are keyed, not sequential.
        let src = include_str!("../scenarios/niger_2023.ron");
        let a = casus::engine::run::run(&casus::model::prepared::prepare(src, &[]).unwrap(), 3, Default::default()).unwrap();
        let b = casus::engine::run::run(
            &casus::model::prepared::prepare(src, &[("combat.max_rounds".into(), "5".into())]).unwrap(),
            3,
            Default::default(),
        )
        .unwrap();
        assert_eq!(a.events, b.events);
        assert_eq!(a.end.final_state_hash, b.end.final_state_hash);
    }
}

mod replay {
    use super::*;

    fn run_dir(name: &str) -> PathBuf {
        let dir = scratch(name);
        let o = casus(&["run", "--quiet", "--seed", "11", "--out", "out"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        dir.join("out")
    }

    #[test]
    fn replay_of_an_untouched_log_matches() {
        let out = run_dir("replay_ok");
        let o = casus(&["replay", out.to_str().unwrap()], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("replay ok"));
    }

    #[test]
    fn a_tampered_event_fails_replay_and_names_where() {
        let out = run_dir("replay_tampered");
        let log = out.join("events.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        // Change the amount of aid the first suspension removes.
        let tampered = text.replacen("\"amount_musd\":180.0", "\"amount_musd\":18.0", 1);
        assert_ne!(text, tampered, "the log has the EU aid suspension");
        std::fs::write(&log, tampered).unwrap();
        let o = casus(&["replay", out.to_str().unwrap()], &repo());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("line 5: hash chain broken (seq 2)"), "{}", stderr(&o));
    }

    #[test]
    fn one_thread_or_two_give_the_same_answer() {
        let out = run_dir("replay_jobs");
        let log = out.join("events.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        let answers = |what: &str| -> Vec<(Option<i32>, String, String)> {
            ["1", "2"]
                .iter()
                .map(|jobs| {
                    let o = casus(&["replay", out.to_str().unwrap(), "--jobs", jobs], &repo());
                    (o.status.code(), stdout(&o), stderr(&o))
                })
                .inspect(|a| assert!(!a.1.is_empty() || !a.2.is_empty(), "{what}: no answer"))
                .collect()
        };
        let intact = answers("intact");
        assert_eq!(intact[0], intact[1]);
        assert_eq!(intact[0].0, Some(0));
        // A late record edited: both read to it and name it.
        let lines: Vec<&str> = text.lines().collect();
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let at = lines.len() - 3;
        edited[at] = edited[at].replacen("\"day\":", "\"day\": ", 1);
        std::fs::write(&log, edited.join("\n") + "\n").unwrap();
        let tampered = answers("tampered");
        assert_eq!(tampered[0], tampered[1]);
        assert_eq!(tampered[0].0, Some(1));
        assert!(tampered[0].2.contains(&format!("line {}: hash chain broken", at + 1)), "{}", tampered[0].2);
    }

    #[test]
    fn a_truncated_log_fails_replay() {
        let out = run_dir("replay_truncated");
        let log = out.join("events.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&log, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
        let o = casus(&["replay", log.to_str().unwrap()], &repo());
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    }

    #[test]
    fn a_removed_event_is_detected_by_sequence() {
        let out = run_dir("replay_removed");
        let log = out.join("events.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        let kept: Vec<&str> = text.lines().enumerate().filter(|(i, _)| *i != 5).map(|(_, l)| l).collect();
        std::fs::write(&log, kept.join("\n") + "\n").unwrap();
        let o = casus(&["replay", log.to_str().unwrap()], &repo());
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("seq"), "{}", stderr(&o));
    }

    #[test]
    fn a_rechained_edit_is_still_caught_by_folding_and_checkpoints() {
        // Someone edits an event and recomputes every chain value after it: the chain passes,
        // but the folded state no longer matches the checkpoints or the final-state hash.
        let out = run_dir("replay_rechained");
        let log = out.join("events.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        let (mut reader, mut writer) = (casus::log::Chain::default(), casus::log::Chain::default());
        let mut rewritten = Vec::new();
        for line in text.lines() {
            let body = reader.verify(line).unwrap().replacen("\"amount_musd\":180.0", "\"amount_musd\":18.0", 1);
            writer.write_raw(&mut rewritten, body.as_bytes()).unwrap();
        }
        assert!(casus::log::read_log(&rewritten[..]).is_ok(), "the forged chain verifies");
        std::fs::write(&log, &rewritten).unwrap();
        let o = casus(&["replay", out.to_str().unwrap()], &repo());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("replay diverged at event"), "{}", stderr(&o));
    }

    #[test]
    fn replay_against_another_scenario_is_refused() {
        let out = run_dir("replay_other_scenario");
        let other = repo().join("tests/data/minimal.ron");
        let o = casus(&["replay", out.to_str().unwrap(), "--scenario", other.to_str().unwrap()], &repo());
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("written for scenario content"), "{}", stderr(&o));
    }
}

mod scenarios {
    use super::*;

    /// A coup in a state under an intervention, on the day a combat round is due (the rules
    /// decide both in the same round): the intervention carries on into the new crisis instead
    /// of the combat round finding no intervention to apply to (found by the property tests).
    #[test]
    fn a_coup_during_an_intervention_keeps_the_intervention_going() {
        let source = std::fs::read_to_string(repo().join("scenarios/niger_2023_intervention.ron")).unwrap().replace(
            r#"(date: "2023-10-02", event: InterventionLaunched(org: "ECOWAS", target: "NER")),"#,
            r#"(date: "2023-10-02", event: InterventionLaunched(org: "ECOWAS", target: "NER")),
        (date: "2023-10-09", event: Coup(state: "NER", leader: "counter-coup")),"#,
        );
        assert!(source.contains("counter-coup"));
        let p = casus::model::prepared::prepare(&source, &[]).unwrap();
        let mut same_day = 0;
        for seed in 1..=20 {
            let out = casus::engine::run::run(&p, seed, Default::default()).expect("the run completes");
            let coup = out.events.iter().find(|e| e.kind.name() == "CoupStaged" && e.day > 0).expect("the counter-coup");
            let rounds_after = out.events.iter().filter(|e| e.kind.name() == "CombatRound" && e.seq > coup.seq).count();
            let ended_before = out.events.iter().any(|e| e.kind.name() == "InterventionEnded" && e.seq < coup.seq);
            assert!(ended_before || rounds_after > 0, "seed {seed}: the fight goes on after the coup");
            same_day += out.events.iter().filter(|e| e.kind.name() == "CombatRound" && e.day == coup.day).count();
            let mut log = Vec::new();
            out.write_log(&mut log).unwrap();
            let parsed = casus::log::read_log(&log[..]).unwrap();
            assert!(
                matches!(casus::analysis::replay::replay(&p, &parsed), casus::analysis::replay::Verdict::Match { .. }),
                "seed {seed} replays"
            );
        }
        assert!(same_day > 0, "some runs have a combat round on the coup's day");
    }

    /// An organisation can respond to a crisis in a state that is not its member (a scripted
    /// step imposes its sanctions there): its sanctions reviews must still fall due, though the
    /// UCG rules look only at a target's organisations and at those that responded to it. Ghana
    /// leaves ECOWAS's list and has a coup (which holds: no army loyalty); ECOWAS sanctions it on
    /// day 8; with every review lifting economic measures (and no transition offer to end them
    /// sooner), they are lifted at the first review, day 38 (review every 30 days).
    #[test]
    fn sanctions_on_a_non_member_are_reviewed_on_schedule() {
        let niger = std::fs::read_to_string(repo().join("scenarios/niger_2023.ron")).unwrap();
        let members = r#"members: ["BEN", "BFA", "CIV", "CPV", "GHA", "GIN","#;
        let at = niger.find(members).expect("ECOWAS's members (the first list)");
        assert!(niger[..at].contains(r#"id: "ECOWAS""#) && !niger[..at].contains(r#"id: "AU""#));
        let source = format!("{}{}{}", &niger[..at], r#"members: ["BEN", "BFA", "CIV", "CPV", "GIN","#, &niger[at + members.len()..])
            .replace(
                r#"(date: "2023-07-26", event: Coup(state: "NER", leader: "Gen. Abdourahamane Tiani", claimant: "Mohamed Bazoum")),"#,
                r#"(date: "2023-07-26", event: Coup(state: "GHA")),
        (date: "2023-08-03", event: SanctionsImposed(org: "ECOWAS", target: "GHA", measures: [BorderClosure, TransactionFreeze])),"#,
            );
        assert!(source.contains(r#"target: "GHA""#));
        let sets = [("lifting.threshold", "0"), ("lifting.slope", "100"), ("GHA.army_loyalty", "0"), ("junta.transition_propensity", "0")]
            .map(|(a, b)| (a.to_string(), b.to_string()));
        let p = casus::model::prepared::prepare(&source, &sets).unwrap();
        for seed in 1..=4 {
            let out = casus::engine::run::run(&p, seed, Default::default()).expect("the run completes");
            let lifted: Vec<u32> = out
                .events
                .iter()
                .filter(|e| matches!(&e.kind, casus::model::event::EventKind::SanctionsLifted { org, target, .. } if org == "ECOWAS" && target == "GHA"))
                .map(|e| e.day)
                .collect();
            assert_eq!(lifted, [38], "seed {seed}: ECOWAS's sanctions on Ghana are lifted at the first review");
        }
    }

    #[test]
    fn every_shipped_scenario_checks_runs_and_replays_to_the_live_state() {
        let files = scenario_files();
        assert!(!files.is_empty());
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            let p = casus::model::prepared::prepare(&src, &[]).unwrap_or_else(|e| panic!("{}", e.render(&f.display().to_string(), &src)));
            for seed in [1, 2, 3] {
                let out = casus::engine::run::run(&p, seed, Default::default()).unwrap();
                let mut buf = Vec::new();
                out.write_log(&mut buf).unwrap();
                let parsed = casus::log::read_log(&buf[..]).unwrap();
                assert_eq!(parsed.events, out.events);
                match casus::analysis::replay::replay(&p, &parsed) {
                    casus::analysis::replay::Verdict::Match { final_state_hash, .. } => {
                        assert_eq!(final_state_hash, out.end.final_state_hash)
                    }
                    other => panic!("{}: {other:?}", f.display()),
                }
                // Every derived event names a rule and a cause that precedes it.
                for e in &out.events {
                    assert!(!e.rule.is_empty());
                    if let Some(c) = e.cause {
                        assert!(c < e.seq, "{}: event {} caused by later {c}", f.display(), e.seq);
                    } else {
                        assert!(
                            e.rule == "scenario" || e.rule.contains("entry into force") || e.rule.contains("attack process"),
                            "{}: derived event {} without a cause: {}",
                            f.display(),
                            e.seq,
                            e.rule
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn check_accepts_every_shipped_scenario() {
        let mut args = vec!["check".to_string()];
        args.extend(scenario_files().iter().map(|p| p.display().to_string()));
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let o = casus(&refs, &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

mod malformed {
    use super::*;

    const BASE: &str = include_str!("data/minimal.ron");

    /// (case, edit from, edit to, expected fragments of stderr)
    const CASES: &[(&str, &str, &str, &[&str])] = &[
        ("syntax error", "horizon_days: 100,", "horizon_days: 100", &["bad.ron:6:5: error: Expected comma", "    6 |     seed: 7,", "^"]),
        ("typo'd field", "cohesion: 0.6", "cohesoin: 0.6", &["bad.ron:9:90: error: Unexpected field named `cohesoin`"]),
        (
            "unknown reference",
            "Coup(state: \"AAA\")",
            "Coup(state: \"AAB\")",
            &["timeline[0].event.state: unknown actor \"AAB\" (did you mean \"AAA\"?)"],
        ),
        (
            "out-of-range probability",
            "sanction_propensity: 0.5",
            "sanction_propensity: 1.5",
            &["actors[3].ucg.sanction_propensity: 1.5 is outside [0, 1]"],
        ),
        ("out-of-range share", "cohesion: 0.6", "cohesion: -0.1", &["actors[0].cohesion: -0.1 is outside [0, 1]"]),
        ("duplicate id", "id: \"BBB\"", "id: \"AAA\"", &["actors[1].id: duplicate actor id \"AAA\""]),
        ("event outside the horizon", "2024-01-05", "2025-01-05", &["timeline[0].date: 2025-01-05 is outside the horizon"]),
        ("impossible date", "2024-01-05", "2024-02-30", &["timeline[0].date: invalid date \"2024-02-30\""]),
        (
            "treaty with no members",
            "members: [\"AAA\", \"CCC\"]",
            "members: []",
            &["treaties[0].members: a treaty needs at least one member"],
        ),
        (
            "unknown parameter",
            "timeline: [",
            "parameters: {\"reliability.bas\": 0.5},\n    timeline: [",
            &["parameters[\"reliability.bas\"]: unknown parameter (did you mean \"reliability.base\"?)"],
        ),
        (
            "parameter of the wrong type",
            "timeline: [",
            "parameters: {\"reliability.base\": \"high\"},\n    timeline: [",
            &["bad.ron:", "error:"],
        ),
        (
            "parameter out of range",
            "timeline: [",
            "parameters: {\"reliability.base\": 2.0},\n    timeline: [",
            &["outside the allowed range [0, 1]"],
        ),
        (
            "wrong actor kind",
            "members: [\"AAA\", \"CCC\"]",
            "members: [\"AAA\", \"ORG\"]",
            &["treaties[0].members[1]: \"ORG\" is a Organisation, expected State"],
        ),
        ("unknown enum variant", "regime: Junta", "regime: Military", &["Unexpected variant named `Military`"]),
        ("missing field", "    horizon_days: 100,\n", "", &["bad.ron:", "missing field"]),
        ("focus not a state", "focus: \"AAA\"", "focus: \"ORG\"", &["focus: \"ORG\" is a Organisation, expected State"]),
        ("empty file", "", "", &["bad.ron:1:1: error:"]),
    ];

    #[test]
    fn each_broken_scenario_gets_its_message_and_exit_code_2_and_writes_nothing() {
        let dir = scratch("malformed");
        for (case, from, to, expected) in CASES {
            let text = if from.is_empty() { String::new() } else { BASE.replacen(from, to, 1) };
            assert!(from.is_empty() || text != BASE, "case {case}: edit did not apply");
            std::fs::write(dir.join("bad.ron"), &text).unwrap();
            for cmd in ["check", "run"] {
                let o =
                    casus(&[cmd, "bad.ron", "--out", "out"].into_iter().take(if cmd == "check" { 2 } else { 4 }).collect::<Vec<_>>(), &dir);
                assert_eq!(o.status.code(), Some(2), "case {case} ({cmd}): {}", stderr(&o));
                for fragment in *expected {
                    assert!(stderr(&o).contains(fragment), "case {case} ({cmd}): expected {fragment:?} in\n{}", stderr(&o));
                }
                assert!(!stderr(&o).contains("panicked"), "case {case}");
                assert!(!dir.join("out").exists(), "case {case}: run wrote output for invalid input");
            }
        }
    }

    #[test]
    fn all_semantic_errors_are_reported_at_once() {
        let text = BASE.replacen("Coup(state: \"AAA\")", "Coup(state: \"ZZZ\")", 1).replacen("cohesion: 0.6", "cohesion: 7.0", 1).replacen(
            "id: \"BBB\"",
            "id: \"AAA\"",
            1,
        );
        let dir = scratch("malformed_many");
        std::fs::write(dir.join("bad.ron"), text).unwrap();
        let o = casus(&["check", "bad.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        for fragment in ["unknown actor \"ZZZ\"", "cohesion: 7 is outside", "duplicate actor id", "4 error(s)"] {
            assert!(err.contains(fragment), "expected {fragment:?} in\n{err}");
        }
    }

    #[test]
    fn binary_junk_is_a_clear_error() {
        let dir = scratch("malformed_binary");
        std::fs::write(dir.join("bad.ron"), [0xff, 0xfe, 0x00, 0x12, 0x80]).unwrap();
        let o = casus(&["check", "bad.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
    }
}

mod cli {
    use super::*;

    #[test]
    fn gen_writes_a_valid_deterministic_scenario_that_runs_and_replays() {
        let dir = scratch("cli_gen");
        let a = casus(&["gen", "--states", "60", "--treaties", "12", "--orgs", "3", "--seed", "4", "--out", "a.ron"], &dir);
        assert!(a.status.success(), "{}", stderr(&a));
        let b = casus(&["gen", "--states", "60", "--treaties", "12", "--orgs", "3", "--seed", "4"], &dir);
        assert_eq!(std::fs::read(dir.join("a.ron")).unwrap(), b.stdout, "same arguments, same file");
        let text = String::from_utf8(b.stdout).unwrap();
        assert_eq!(text.matches("State(").count(), 60);
        assert!(text.matches("id: \"PACT").count() == 12, "twelve treaties");
        assert!(casus(&["check", "a.ron"], &dir).status.success());
        let r = casus(&["run", "a.ron", "--quiet", "--out", "run"], &dir);
        assert!(r.status.success(), "{}", stderr(&r));
        let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run/summary.json")).unwrap()).unwrap();
        assert!(summary["events"].as_u64().unwrap() > 50, "a synthetic world is eventful: {}", summary["events"]);
        assert!(casus(&["replay", "run"], &dir).status.success());
        let bad = casus(&["gen", "--states", "1"], &dir);
        assert_eq!(bad.status.code(), Some(2));
        assert!(stderr(&bad).contains("at least 2"));
    }

    #[test]
    fn run_without_a_scenario_runs_the_embedded_niger_default_into_runs() {
        let dir = scratch("cli_default");
        let o = casus(&["run"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.join("runs/niger_2023-seed2023");
        for f in ["events.jsonl", "summary.json", "scenario.ron"] {
            assert!(out.join(f).exists(), "{f}");
        }
        let text = stdout(&o);
        assert!(text.contains("2023-07-26  d0    #0    CoupStaged"), "{text}");
        assert!(text.contains("[ECOWAS 2001 Protocol on Democracy and Good Governance Art. 45] <- #0"), "{text}");
    }

    #[test]
    fn run_json_prints_the_summary_with_the_standard_outcomes() {
        let dir = scratch("cli_json");
        let o = casus(&["run", "--json", "--out", "o"], &dir);
        assert!(o.status.success());
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
        for key in [
            "suspension_day",
            "sanctions_imposed_day",
            "ultimatum_day",
            "standby_force_activated_day",
            "intervention_launched_day",
            "defence_clause_invoked",
            "allies_obligated",
            "allies_committed",
            "armed_conflict",
            "order_restored_day",
            "sanctions_lifted_day",
            "sanctions_days",
            "withdrawal_announced_day",
            "withdrawal_effective_day",
            "foreign_forces_expelled_day",
            "casualties_military",
            "casualties_civilian",
            "target_gdp_loss_pct",
            "final_regime",
        ] {
            assert!(v["outcomes"].get(key).is_some(), "missing outcome {key}");
        }
        assert_eq!(v["outcomes"]["suspension_day"], 4);
        let file: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("o/summary.json")).unwrap()).unwrap();
        assert_eq!(file, v);
    }

    #[test]
    fn set_changes_the_run_and_is_recorded() {
        let dir = scratch("cli_set");
        let o =
            casus(&["run", "--json", "--out", "o", "--set", "ECOWAS.ucg.suspension_delay_days=9", "--set", "reliability.base=0.6"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["outcomes"]["suspension_day"], 9);
        assert_eq!(v["parameters"]["reliability.base"], 0.6);
        assert_eq!(v["overrides"][0][0], "ECOWAS.ucg.suspension_delay_days");
        // Replay re-applies the recorded overrides.
        let r = casus(&["replay", "o"], &dir);
        assert!(r.status.success(), "{}", stderr(&r));
    }

    #[test]
    fn an_unknown_set_name_lists_the_valid_names() {
        let dir = scratch("cli_set_unknown");
        let o = casus(&["run", "--set", "reliability.bse=0.5", "--out", "o"], &dir);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains("did you mean \"reliability.base\"?"), "{err}");
        assert!(err.contains("Valid parameters:") && err.contains("junta.review_days"), "{err}");
        assert!(!dir.join("o").exists());
    }

    #[test]
    fn a_bad_set_value_is_a_clear_error() {
        let dir = scratch("cli_set_bad");
        for (set, fragment) in [
            ("reliability.base=high", "is not a number"),
            ("reliability.base=3", "outside the allowed range"),
            ("NER.cohesion=2", "actors[0].cohesion: 2 is outside [0, 1]"),
            ("NER.cohesoin=0.2", "did you mean \"cohesion\"?"),
            ("NER.troops=1.5", "must be a whole number"),
            ("NER.regime=Empire", "not a valid scenario"),
            ("noequals", "expected NAME=VALUE"),
        ] {
            let o = casus(&["run", "--set", set, "--out", "o"], &dir);
            assert_eq!(o.status.code(), Some(2), "{set}");
            assert!(stderr(&o).contains(fragment), "{set}: expected {fragment:?} in {}", stderr(&o));
        }
    }

    #[test]
    fn run_refuses_to_overwrite_a_folder_that_is_not_a_casus_output() {
        let dir = scratch("cli_overwrite");
        std::fs::create_dir_all(dir.join("mine")).unwrap();
        std::fs::write(dir.join("mine/notes.txt"), "precious").unwrap();
        let o = casus(&["run", "--quiet", "--out", "mine"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(std::fs::read_to_string(dir.join("mine/notes.txt")).unwrap(), "precious");
        // A previous casus output is replaced.
        assert!(casus(&["run", "--quiet", "--out", "prev"], &dir).status.success());
        assert!(casus(&["run", "--quiet", "--out", "prev", "--seed", "4"], &dir).status.success());
    }

    #[test]
    fn params_lists_the_catalogue() {
        let o = casus(&["params"], &repo());
        assert!(o.status.success());
        for s in casus::model::params::CATALOGUE {
            assert!(stdout(&o).contains(s.name));
        }
    }
}

mod docs {
    use super::*;

    /// `casus params --json` gives scripts the catalogue: every parameter once, with the
    /// default, range, whether it is whole, and its meaning, as the text listing shows them.
    #[test]
    fn params_json_lists_the_catalogue_for_scripts() {
        let o = casus(&["params", "--json"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        let items = doc.as_array().expect("an array");
        assert_eq!(items.len(), casus::model::params::CATALOGUE.len());
        for (item, spec) in items.iter().zip(casus::model::params::CATALOGUE) {
            assert_eq!(item["name"], spec.name);
            assert_eq!(item["default"].as_f64(), Some(spec.default));
            assert_eq!(item["min"].as_f64(), Some(spec.min));
            assert_eq!(item["max"].as_f64(), Some(spec.max));
            assert_eq!(item["integer"].as_bool(), Some(spec.integer));
            assert_eq!(item["doc"], spec.doc);
        }
        let junta = items.iter().find(|i| i["name"] == "junta.review_days").expect("a known parameter");
        assert_eq!((junta["default"].as_f64(), junta["integer"].as_bool()), (Some(14.0), Some(true)));
        assert_eq!(junta["kind"], "integer");
    }

    /// `casus params --fields` lists what a path reaches, with the kinds sweeps sample by, in
    /// text and as JSON.
    #[test]
    fn params_fields_lists_every_field_with_its_kind() {
        let o = casus(&["params", "--fields", "--json"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        let items = doc.as_array().expect("an array");
        assert_eq!(items.len(), casus::model::fields::FIELDS.len());
        let row = |owner: &str, path: &str| items.iter().find(|i| i["owner"] == owner && i["path"] == path).cloned().expect("a row");
        let ultimatum = row("Organisation", "ucg.ultimatum_days");
        assert_eq!((ultimatum["kind"].as_str(), ultimatum["min"].as_f64()), (Some("integer"), Some(0.0)));
        assert_eq!(row("State", "regime")["values"], serde_json::json!(["Democracy", "Authoritarian", "Junta", "Transitional"]));
        assert_eq!(row("Organisation", "ucg.standby_force")["values"], serde_json::json!(["false", "true"]));
        assert_eq!(row("State", "cohesion")["kind"], "continuous");
        let text = casus(&["params", "--fields"], &repo());
        assert!(text.status.success());
        let words = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(stdout(&text).lines().any(|l| words(l) == "Organisation ucg.ultimatum_days integer in [0, 36600]"), "{}", stdout(&text));
    }

    #[test]
    fn every_event_kind_is_documented_in_the_log_format() {
        let doc = std::fs::read_to_string(repo().join("docs/log-format.md")).unwrap();
        for kind in casus::model::event::KIND_NAMES {
            assert!(doc.contains(&format!("| `{kind}` |")), "docs/log-format.md does not document {kind}");
        }
    }

    #[test]
    fn every_parameter_is_documented_in_the_model() {
        let doc = std::fs::read_to_string(repo().join("docs/model.md")).unwrap();
        for p in casus::model::params::CATALOGUE {
            let row = format!("| `{}` | {} | [{}, {}]", p.name, p.default, p.min, p.max);
            assert!(doc.contains(&row), "docs/model.md has no up-to-date row for {}: expected it to start {row:?}", p.name);
        }
    }

    #[test]
    fn every_standard_outcome_is_documented() {
        let doc = std::fs::read_to_string(repo().join("docs/log-format.md")).unwrap();
        let src = include_str!("../scenarios/niger_2023.ron");
        let out = casus::engine::run::run(&casus::model::prepared::prepare(src, &[]).unwrap(), 1, Default::default()).unwrap();
        let v = serde_json::to_value(&out.outcomes).unwrap();
        for key in v.as_object().unwrap().keys() {
            assert!(doc.contains(&format!("`{key}`")), "docs/log-format.md does not define outcome {key}");
        }
    }
}

/// The malformed-input catalogue (issue: hardening): broken scenarios and logs, each with its
/// expected message and exit code 2, never a panic, nothing written.
mod catalogue {
    use super::*;

    /// Issue: `casus check /dev/zero` grew to gigabytes and a FIFO hung. A scenario or plan
    /// input must be a regular file; anything else is refused at once (exit 2), naming it.
    #[test]
    fn non_regular_inputs_are_refused_at_once() {
        let dir = scratch("non_regular");
        let fifo = dir.join("pipe.ron");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        let mut inputs = vec!["/dev/zero".to_string(), dir.display().to_string()];
        if made {
            inputs.push(fifo.display().to_string());
        }
        for input in &inputs {
            for cmd in
                [vec!["check", input.as_str()], vec!["run", input.as_str(), "--out", "o"], vec!["sweep", input.as_str(), "--out", "s"]]
            {
                let o = casus(&cmd, &dir);
                assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
                assert!(stderr(&o).contains(&format!("{input}: error: not a regular file")), "{cmd:?}: {}", stderr(&o));
            }
        }
        assert!(!dir.join("o").exists() && !dir.join("s").exists(), "nothing written");
    }

    /// Runs the binary, killing it after `seconds` (then the output says so): a reader that
    /// waits on a pipe, or reads `/dev/zero` to its end, would never return.
    fn casus_within(args: &[&str], cwd: &Path, seconds: u64) -> (Option<i32>, String) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casus"))
            .args(args)
            .current_dir(cwd)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Polled every 20 ms: 50 polls a second.
        for _ in 0..seconds * 50 {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
                return (status.code(), err);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        (None, format!("still running after {seconds} s: killed"))
    }

    /// Issue 21, item 10: every file a reader takes from a run or sweep folder (a log, a
    /// summary, fork.json, a sweep's rows, manifest and points) is refused at once when it is
    /// not a regular file (`/dev/zero` through a symbolic link, a pipe), instead of being read
    /// without end or waited on.
    #[test]
    fn non_regular_files_in_run_and_sweep_folders_are_refused_at_once() {
        let dir = scratch("non_regular_folders");
        assert!(casus(&["run", "--quiet", "--out", "good"], &dir).status.success());
        let plan = ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "2", "--seed", "1", "--quiet"];
        for (out, shard) in [("sweep", None), ("s0", Some("0/2")), ("s1", Some("1/2"))] {
            let mut args = plan.to_vec();
            args.extend(["--out", out]);
            if let Some(k) = shard {
                args.extend(["--shard", k]);
            }
            assert!(casus(&args, &dir).status.success());
        }
        let fifo = dir.join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let copy = |name: &str| {
            let to = dir.join(name);
            let _ = std::fs::remove_dir_all(&to);
            std::fs::create_dir_all(&to).unwrap();
            for e in std::fs::read_dir(dir.join(if name.starts_with("run") { "good" } else { "sweep" })).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_file() {
                    std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
                }
            }
            to
        };
        let point = |folder: &Path, file: &str, target: &Path| {
            let _ = std::fs::remove_file(folder.join(file));
            std::os::unix::fs::symlink(target, folder.join(file)).unwrap();
        };
        let zero = Path::new("/dev/zero");
        let cases: Vec<(&str, &str, &str, &Path, Vec<&str>)> = vec![
            ("a log that is /dev/zero", "run_log", "events.jsonl", zero, vec!["replay", "run_log"]),
            ("a log that is a pipe", "run_pipe", "events.jsonl", &fifo, vec!["log", "run_pipe"]),
            ("a summary that is /dev/zero", "run_summary", "summary.json", zero, vec!["replay", "run_summary"]),
            ("a fork.json that is /dev/zero", "run_fork", "fork.json", zero, vec!["report", "run_fork", "--out", "r.html"]),
            ("a sweep's runs.csv that is /dev/zero", "sweep_rows", "runs.csv", zero, vec![]),
            ("a sweep's points.csv that is a pipe", "sweep_points", "points.csv", &fifo, vec!["report", "sweep_points"]),
            (
                "a shard's manifest that is /dev/zero",
                "sweep_manifest",
                "manifest.json",
                zero,
                vec!["merge", "s0", "sweep_manifest", "--out", "m"],
            ),
        ];
        for (case, folder, file, target, args) in cases {
            let folder = copy(folder);
            point(&folder, file, target);
            let mut args: Vec<&str> = args;
            let resume: Vec<&str>;
            if args.is_empty() {
                resume = plan.iter().copied().chain(["--out", "sweep_rows", "--resume"]).collect();
                args = resume;
            }
            let (code, err) = casus_within(&args, &dir, 20);
            assert!(code.is_some_and(|c| c != 0), "{case}: {code:?} {err}");
            assert!(err.contains("not a regular file"), "{case}: {err}");
        }
    }

    const BASE: &str = include_str!("data/minimal.ron");

    /// (case, edit from, edit to, expected fragment)
    const SCENARIOS: &[(&str, &str, &str, &str)] = &[
        ("NaN number", "gdp_busd: 10.0", "gdp_busd: NaN", "actors[0].gdp_busd: NaN must be a finite number"),
        ("infinite number", "gdp_busd: 10.0", "gdp_busd: inf", "actors[0].gdp_busd: inf must be a finite number"),
        ("huge number", "gdp_busd: 10.0", "gdp_busd: 1e300", "must be a finite number between 0 and 1e15"),
        ("integer overflow", "troops: 5000", "troops: 99999999999", "bad.ron:9:"),
        ("negative count", "troops: 5000", "troops: -5", "bad.ron:9:"),
        ("string for a number", "troops: 5000", "troops: \"many\"", "bad.ron:9:"),
        ("number for a string", "name: \"Aland\"", "name: 7", "bad.ron:9:"),
        ("unknown top-level field", "seed: 7,", "seed: 7, seeds: 8,", "Unexpected field named `seeds`"),
        ("unknown actor kind", "State(id: \"CCC\"", "Province(id: \"CCC\"", "Unexpected variant named `Province`"),
        ("unknown clause obligation", "obligation: Defence", "obligation: Defense", "Unexpected variant named `Defense`"),
        ("unknown trigger", "[AttackOnTerritory]", "[AttackOnTerritorry]", "Unexpected variant named `AttackOnTerritorry`"),
        ("unknown measure", "[BorderClosure, TravelBan]", "[BorderClosure, Embargo]", "Unexpected variant named `Embargo`"),
        ("duplicate field", "seed: 7,", "seed: 7, seed: 8,", "bad.ron:"),
        ("unclosed paren", "    ],\n    timeline", "    ,\n    timeline", "bad.ron:"),
        ("duplicate treaty id", "(id: \"PACT\"", "(id: \"ORG\"", "treaties[0].id: duplicate id \"ORG\""),
        (
            "duplicate member",
            "members: [\"AAA\", \"CCC\"]",
            "members: [\"AAA\", \"AAA\"]",
            "treaties[0].members[1]: \"AAA\" is listed twice",
        ),
        (
            "self border (a cycle)",
            "State(id: \"BBB\", name: \"Borea\",",
            "State(id: \"BBB\", name: \"Borea\", borders: [\"BBB\"],",
            "a state cannot border itself",
        ),
        (
            "self supply (a cycle)",
            "State(id: \"BBB\", name: \"Borea\",",
            "State(id: \"BBB\", name: \"Borea\", electricity_supply: {\"BBB\": 0.5},",
            "cannot trade with or supply itself",
        ),
        (
            "forces abroad at home",
            "State(id: \"BBB\", name: \"Borea\",",
            "State(id: \"BBB\", name: \"Borea\", forces_abroad: {\"BBB\": 10},",
            "a state's forces cannot be abroad at home",
        ),
        (
            "more forces abroad than troops",
            "State(id: \"BBB\", name: \"Borea\",",
            "State(id: \"BBB\", name: \"Borea\", forces_abroad: {\"AAA\": 9000},",
            "9000 troops abroad exceed the 8000",
        ),
        ("zero horizon", "horizon_days: 100", "horizon_days: 0", "horizon_days: 0 must be between 1 and 36600"),
        ("endless horizon", "horizon_days: 100", "horizon_days: 4000000", "horizon_days: 4000000 must be between 1 and 36600"),
        ("event before the start", "2024-01-05", "2023-12-31", "is outside the horizon"),
        ("bad start date", "start: \"2024-01-01\"", "start: \"2024-13-01\"", "start: invalid date \"2024-13-01\""),
        ("unsafe scenario name", "name: \"minimal\"", "name: \"../../etc\"", "name: \"../../etc\" may only contain"),
        (
            "suspended non-member",
            "members: [\"AAA\", \"BBB\", \"CCC\"], withdrawal",
            "members: [\"AAA\", \"BBB\"], suspended: [\"CCC\"], withdrawal",
            "\"CCC\" is not a member of ORG",
        ),
        ("defence clause without triggers", "triggers: [AttackOnTerritory], owed", "triggers: [], owed", "needs at least one trigger"),
        ("defence clause owing nothing", ", owed: [ArmedForce]", "", "must say what is owed"),
        ("suspension in the menu", "[BorderClosure, TravelBan]", "[Suspension]", "Suspension is applied by its own step"),
        (
            "share above one",
            "force_decision_rule: Majority",
            "force_decision_rule: Share(1.5)",
            "force_decision_rule: 1.5 is outside [0, 1]",
        ),
        ("review every 0 days", "review_days: 30", "review_days: 0", "review_days: must be at least 1"),
        ("deep nesting", "seed: 7,", "", "bad.ron:"),
        ("treaty id with a path", "(id: \"PACT\"", "(id: \"../P/A\"", "treaties[0].id: \"../P/A\" must be non-empty letters, digits"),
        ("treaty id with a line break", "(id: \"PACT\"", "(id: \"PA\\nCT\"", "treaties[0].id: \"PA\\nCT\" must be non-empty letters"),
        ("treaty id with an escape", "(id: \"PACT\"", "(id: \"\u{1b}[31mPACT\"", "treaties[0].id: \"\\u{1b}[31mPACT\" must be non-empty"),
        ("empty treaty id", "(id: \"PACT\"", "(id: \"\"", "treaties[0].id: \"\" must be non-empty letters"),
        (
            "partner id with a space",
            "State(id: \"CCC\"",
            "Partner(id: \"C C\", name: \"P\"), State(id: \"CCC\"",
            "\"C C\" must be non-empty letters",
        ),
        (
            "measure listed twice in a menu",
            "[BorderClosure, TravelBan]",
            "[BorderClosure, BorderClosure, TravelBan]",
            "actors[3].ucg.sanctions_menu[1]: BorderClosure is listed twice",
        ),
        (
            "measure listed twice in the timeline",
            "event: Coup(state: \"AAA\")",
            "event: SanctionsImposed(org: \"ORG\", target: \"AAA\", measures: [AssetFreeze, TravelBan, AssetFreeze])",
            "timeline[0].event.measures[2]: AssetFreeze is listed twice",
        ),
        (
            "a non-member withdraws from a treaty",
            "event: Coup(state: \"AAA\")",
            "event: WithdrawalAnnounced(state: \"BBB\", from: \"PACT\")",
            "timeline[0].event.state: \"BBB\" is not a member of PACT",
        ),
        (
            "a non-member requests assistance",
            "event: Coup(state: \"AAA\")",
            "event: AssistanceRequested(state: \"BBB\", treaty: \"PACT\")",
            "timeline[0].event.state: \"BBB\" is not a member of PACT",
        ),
    ];

    fn expect_rejected(dir: &Path, case: &str, text: &[u8], fragment: &str) {
        std::fs::write(dir.join("bad.ron"), text).unwrap();
        expect_file_rejected(dir, case, fragment);
    }

    fn expect_file_rejected(dir: &Path, case: &str, fragment: &str) {
        for cmd in [vec!["check", "bad.ron"], vec!["run", "bad.ron", "--out", "out"]] {
            let o = casus(&cmd, dir);
            assert_eq!(o.status.code(), Some(2), "case {case} ({}): {}", cmd[0], stderr(&o));
            assert!(stderr(&o).contains(fragment), "case {case} ({}): expected {fragment:?} in\n{}", cmd[0], stderr(&o));
            assert!(!stderr(&o).contains("panicked"), "case {case}");
            assert!(!dir.join("out").exists(), "case {case}: output written");
        }
    }

    #[test]
    fn broken_scenarios() {
        let dir = scratch("catalogue_scenarios");
        for (case, from, to, fragment) in SCENARIOS {
            if *case == "deep nesting" {
                let nested = format!("{}{}", "(".repeat(5000), ")".repeat(5000));
                expect_rejected(&dir, case, BASE.replacen(from, &format!("seed: 7, description: {nested},"), 1).as_bytes(), fragment);
                continue;
            }
            let text = BASE.replacen(from, to, 1);
            assert_ne!(text, BASE, "case {case}: edit did not apply");
            expect_rejected(&dir, case, text.as_bytes(), fragment);
        }
    }

    /// Issue 21, item 5: `run` accepted what every reader then refused (a log header or event
    /// line over the readers' limit), and `check` passed what `run` failed on after simulating.
    /// Each size is now checked where the scenario is, naming the field and the limit.
    #[test]
    fn sizes_the_readers_could_not_read_are_refused_up_front() {
        let dir = scratch("catalogue_sizes");
        let long_name = "n".repeat(300);
        let megabyte = "x".repeat(1_100_000);
        let long_id = "A".repeat(33);
        let cases: Vec<(&str, &str, String, String)> = vec![
            ("a 300-character scenario name", "name: \"minimal\"", format!("name: \"{long_name}\""), "name: 300 bytes; the limit is 100 bytes".into()),
            ("an actor name over 1 MB", "name: \"Aland\"", format!("name: \"{megabyte}\""), "actors[0].name: 1100000 bytes; the limit is 256 bytes".into()),
            (
                "a clause article over 1 MB",
                "article: \"Art. 1\"",
                format!("article: \"{megabyte}\""),
                "treaties[0].clauses[0].article: 1100000 bytes; the limit is 256 bytes".into(),
            ),
            (
                "an organisation article over the limit",
                "suspension_article: \"Org Art. 1\"",
                format!("suspension_article: \"{}\"", "x".repeat(257)),
                "actors[3].ucg.suspension_article: 257 bytes; the limit is 256".into(),
            ),
            (
                "a coup leader over the limit",
                "Coup(state: \"AAA\")",
                format!("Coup(state: \"AAA\", leader: \"{}\")", "x".repeat(300)),
                "timeline[0].event.leader: 300 bytes; the limit is 256".into(),
            ),
            ("an id over the limit", "(id: \"PACT\"", format!("(id: \"{long_id}\""), "treaties[0].id: 33 bytes; the limit is 32 bytes".into()),
            (
                "a run past the year 9999",
                "start: \"2024-01-01\"",
                "start: \"9999-12-01\"".into(),
                "horizon_days: the run would end on day 100 after 9999-12-31, the last date casus writes; start earlier or give at most 30 days".into(),
            ),
        ];
        for (case, from, to, fragment) in &cases {
            let text = BASE.replacen(from, to, 1);
            assert_ne!(text, BASE, "case {case}: edit did not apply");
            expect_rejected(&dir, case, text.as_bytes(), fragment);
        }
        // Ten names of 120 KB: each is named.
        let mut text = BASE.to_string();
        for name in ["Aland", "Borea", "Cassia", "Regional Organisation"] {
            text = text.replacen(&format!("name: \"{name}\""), &format!("name: \"{}\"", "y".repeat(120_000)), 1);
        }
        std::fs::write(dir.join("bad.ron"), &text).unwrap();
        let o = casus(&["check", "bad.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        for i in 0..4 {
            assert!(stderr(&o).contains(&format!("actors[{i}].name: 120000 bytes; the limit is 256 bytes")), "{}", stderr(&o));
        }
        // Overrides: too many, too long, or a text over the limit through a field.
        std::fs::write(dir.join("good.ron"), BASE).unwrap();
        let many: Vec<String> = (0..1001).flat_map(|_| ["--set".to_string(), "reliability.base=0.5".to_string()]).collect();
        let long_value = format!("AAA.name={}", "z".repeat(2000));
        let long_text = format!("AAA.name={}", "z".repeat(500));
        for (case, sets, fragment) in [
            ("1,001 overrides", many, "--set (all): 1001 overrides; the limit is 1000"),
            (
                "an override of 2,009 bytes",
                vec!["--set".into(), long_value],
                "--set AAA.name: NAME=VALUE is 2009 bytes; the limit is 1024 bytes",
            ),
            ("a name over the limit by --set", vec!["--set".into(), long_text], "actors[0].name: 500 bytes; the limit is 256 bytes"),
        ] {
            let mut args = vec!["run", "good.ron", "--out", "out"];
            args.extend(sets.iter().map(String::as_str));
            let o = casus(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "case {case}: {}", stderr(&o));
            assert!(stderr(&o).contains(fragment), "case {case}: expected {fragment:?} in\n{}", stderr(&o));
            assert!(!dir.join("out").exists(), "case {case}: output written");
        }
        // A generated scenario over the file limit is refused (it was an internal error).
        let o = casus(&["gen", "--states", "30000", "--treaties", "10", "--orgs", "5", "--seed", "1", "--out", "big.ron"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("over the 16777216 bytes a scenario file may have"), "{}", stderr(&o));
        assert!(!dir.join("big.ron").exists());
    }

    /// Issue 21, item 13: every day field (delays, notices, periods) is bounded by the longest
    /// horizon, in the file and through `--set`, so no day addition can wrap (a suspension
    /// delay of 4294967292 days suspended on the coup day).
    #[test]
    fn day_fields_beyond_the_longest_horizon_are_refused() {
        let dir = scratch("catalogue_day_fields");
        for (field, path) in [
            ("suspension_delay_days: 1", "actors[3].ucg.suspension_delay_days"),
            ("summit_delay_days: 2", "actors[3].ucg.summit_delay_days"),
            ("ultimatum_days: 7", "actors[3].ucg.ultimatum_days"),
            ("activation_summit_delay_days: 3", "actors[3].ucg.activation_summit_delay_days"),
            ("dday_delay_days: 5", "actors[3].ucg.dday_delay_days"),
            ("review_days: 30", "actors[3].ucg.review_days"),
            ("withdrawal_notice_days: 365", "actors[3].withdrawal_notice_days"),
        ] {
            let name = field.split(':').next().unwrap();
            let text = BASE.replacen(field, &format!("{name}: 4294967292"), 1);
            assert_ne!(text, BASE, "{field}: edit did not apply");
            expect_rejected(&dir, field, text.as_bytes(), &format!("{path}: 4294967292 days is more than the longest horizon"));
        }
        let partner = |field: &str| format!("Partner(id: \"PPP\", name: \"P\", {field}: 36601), State(id: \"CCC\"");
        for (edit, to, path) in [
            (
                "short_name: \"Pact\",",
                "short_name: \"Pact\", withdrawal_notice_days: 36601,".to_string(),
                "treaties[0].withdrawal_notice_days",
            ),
            ("State(id: \"CCC\"", partner("aid_suspension_delay_days"), "actors[2].aid_suspension_delay_days"),
            ("State(id: \"CCC\"", partner("withdrawal_days"), "actors[2].withdrawal_days"),
        ] {
            let text = BASE.replacen(edit, &to, 1);
            assert_ne!(text, BASE, "{path}: edit did not apply");
            expect_rejected(&dir, path, text.as_bytes(), &format!("{path}: 36601 days is more than the longest horizon"));
        }
        // The longest accepted delay runs.
        std::fs::write(dir.join("ok.ron"), BASE.replacen("suspension_delay_days: 1", "suspension_delay_days: 36600", 1)).unwrap();
        assert!(casus(&["check", "ok.ron"], &dir).status.success());
        // Through --set, the same bound and the same path.
        std::fs::write(dir.join("ok.ron"), BASE).unwrap();
        let o = casus(&["run", "ok.ron", "--set", "ORG.ucg.suspension_delay_days=4294967292", "--out", "out"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("actors[3].ucg.suspension_delay_days: 4294967292 days"), "{}", stderr(&o));
        assert!(!dir.join("out").exists());
    }

    /// `--set` may not give a treaty or an actor an id the scenario could not.
    #[test]
    fn set_cannot_forge_an_id() {
        let dir = scratch("catalogue_set_id");
        std::fs::write(dir.join("ok.ron"), BASE).unwrap();
        for (set, path) in [("PACT.id=../../etc", "treaties[0].id"), ("BBB.id=B\u{1b}[2J", "actors[1].id"), ("ORG.id=", "actors[3].id")] {
            for cmd in [vec!["run", "ok.ron", "--set", set, "--out", "out"], vec!["sweep", "ok.ron", "--set", set, "--out", "out"]] {
                let o = casus(&cmd, &dir);
                assert_eq!(o.status.code(), Some(2), "{set} ({}): {}", cmd[0], stderr(&o));
                assert!(stderr(&o).contains(&format!("{path}: ")), "{set} ({}): {}", cmd[0], stderr(&o));
                assert!(!stderr(&o).contains('\u{1b}'), "{set}: an escape reached the terminal");
                assert!(!dir.join("out").exists(), "{set}: output written");
            }
        }
    }

    /// `--set` on an optional field with NaN or an infinity: an error, not silently nothing.
    #[test]
    fn set_of_a_non_finite_number_on_an_optional_field_is_an_error() {
        let dir = scratch("catalogue_set_nan");
        std::fs::write(dir.join("ok.ron"), BASE).unwrap();
        for value in ["NaN", "inf", "-inf"] {
            let set = format!("PACT.in_force={value}");
            let o = casus(&["run", "ok.ron", "--set", &set, "--out", "out"], &dir);
            assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
            assert!(stderr(&o).contains(&format!("--set PACT.in_force: \"{value}\" is not a finite number")), "{set}: {}", stderr(&o));
            assert!(!dir.join("out").exists(), "{set}: output written");
        }
    }

    /// A UTF-8 byte order mark at the start of a scenario is skipped.
    #[test]
    fn a_byte_order_mark_is_skipped() {
        let dir = scratch("catalogue_bom");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(BASE.as_bytes());
        std::fs::write(dir.join("bom.ron"), &bytes).unwrap();
        let o = casus(&["check", "bom.ron"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["run", "bom.ron", "--quiet", "--out", "r"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(casus(&["replay", "r"], &dir).status.success());
        // Past the mark, the positions are the file's.
        bytes.extend(b"junk");
        std::fs::write(dir.join("bom.ron"), &bytes).unwrap();
        let o = casus(&["check", "bom.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(&format!("bom.ron:{}:", BASE.lines().count())), "{}", stderr(&o));
    }

    /// A key given twice in a map (the last silently won): an error at its line and column.
    #[test]
    fn duplicate_keys_in_maps_are_errors_with_line_and_column() {
        let dir = scratch("catalogue_duplicate_keys");
        for (case, from, to, at) in [
            ("parameters", "seed: 7,", "seed: 7, parameters: {\"reliability.base\": 0.5, \"reliability.base\": 0.9},", "bad.ron:6:"),
            (
                "trade_exposure",
                "cohesion: 0.6,",
                "cohesion: 0.6, trade_exposure: {\"BBB\": 0.1, \"CCC\": 0.2, \"BBB\": 0.3},",
                "bad.ron:9:",
            ),
            ("forces_abroad", "name: \"Borea\",", "name: \"Borea\", forces_abroad: {\"AAA\": 10, \"AAA\": 20},", "bad.ron:10:"),
        ] {
            let text = BASE.replacen(from, to, 1);
            assert_ne!(text, BASE, "case {case}: edit did not apply");
            std::fs::write(dir.join("bad.ron"), &text).unwrap();
            for fragment in [at, "is given twice; give each key once"] {
                expect_file_rejected(&dir, case, fragment);
            }
        }
    }

    #[test]
    fn a_100_mb_file_is_refused_before_reading() {
        let dir = scratch("catalogue_huge");
        let f = std::fs::File::create(dir.join("bad.ron")).unwrap();
        f.set_len(100 * 1024 * 1024).unwrap();
        expect_file_rejected(&dir, "100 MB", "the limit is 16777216 bytes");
    }

    #[test]
    fn a_file_that_is_not_there_or_is_a_folder() {
        let dir = scratch("catalogue_missing");
        let o = casus(&["check", "nope.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("nope.ron: error: cannot read"), "{}", stderr(&o));
        std::fs::create_dir_all(dir.join("folder.ron")).unwrap();
        let o = casus(&["check", "folder.ron"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert!(!stderr(&o).contains("panicked"));
    }

    /// Broken logs for `casus replay`: (case, how to make it from a good log, expected fragment).
    #[test]
    fn broken_logs() {
        let dir = scratch("catalogue_logs");
        let o = casus(&["run", "--quiet", "--seed", "2", "--out", "good"], &dir);
        assert!(o.status.success());
        let good = std::fs::read_to_string(dir.join("good/events.jsonl")).unwrap();
        let lines: Vec<&str> = good.lines().collect();
        let long_line = format!("line longer than {} bytes", casus::log::MAX_LOG_LINE);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty log", vec![], "empty log: no header record"),
            ("whitespace only", b"\n\n   \n".to_vec(), "empty log"),
            ("not JSON", b"hello world\n".to_vec(), "line 1: not a JSON object"),
            ("binary junk", vec![0xff, 0x00, 0x13, 0x80, b'\n'], "line 1: not UTF-8"),
            ("JSON but no chain", b"{\"record\":\"header\"}\n".to_vec(), "record has no chain value"),
            ("malformed chain", lines[0].replace("\"chain\":\"", "\"chain\":\"zz").into_bytes(), "chain value is malformed"),
            ("event before the header", (lines[1..].join("\n") + "\n").into_bytes(), "hash chain broken"),
            (
                "a line after the header over the limit",
                (lines[0].to_string() + "\n{\"x\":\"" + &"a".repeat(casus::log::MAX_LOG_LINE + 1) + "\"}\n").into_bytes(),
                &long_line,
            ),
            ("a scenario file instead of a log", BASE.as_bytes().to_vec(), "not a JSON object"),
        ];
        for (case, bytes, fragment) in cases {
            let path = dir.join("bad.jsonl");
            std::fs::write(&path, &bytes).unwrap();
            let o = casus(&["replay", "bad.jsonl", "--scenario", "good/scenario.ron"], &dir);
            let code = if fragment.contains("hash chain broken") { 1 } else { 2 };
            assert_eq!(o.status.code(), Some(code), "case {case}: {}", stderr(&o));
            assert!(stderr(&o).contains(fragment), "case {case}: expected {fragment:?} in\n{}", stderr(&o));
            assert!(!stderr(&o).contains("panicked"), "case {case}");
        }
        // Integrity failures (exit 1): reordered, duplicated, content after the end.
        let swapped = {
            let mut l = lines.clone();
            l.swap(3, 4);
            l.join("\n") + "\n"
        };
        let duplicated = {
            let mut l = lines.clone();
            l.insert(4, lines[4]);
            l.join("\n") + "\n"
        };
        let after_end = good.clone() + lines[2] + "\n";
        for (case, text, fragment) in [
            ("reordered", swapped, "hash chain broken"),
            ("duplicated", duplicated, "hash chain broken"),
            ("after the end", after_end, "content after the end record"),
        ] {
            std::fs::write(dir.join("bad.jsonl"), text).unwrap();
            let o = casus(&["replay", "bad.jsonl", "--scenario", "good/scenario.ron"], &dir);
            assert_eq!(o.status.code(), Some(1), "case {case}: {}", stderr(&o));
            assert!(stderr(&o).contains(fragment), "case {case}: {}", stderr(&o));
        }
    }
}

/// Forged logs (issue 21, item 6): each record edited and the hash chain recomputed after it, so
/// only the checks of a record against itself, the header, the scenario and, with `--strict`,
/// the rules run again can tell. Each case names the command that must refuse it.
mod forgeries {
    use super::*;

    /// The log `text` with `edit` applied to each record's body (its chain field removed; the
    /// line's index given), chained again.
    fn rechain(text: &str, edit: impl Fn(usize, String) -> String) -> String {
        let (mut reader, mut writer) = (casus::log::Chain::default(), casus::log::Chain::default());
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let body = edit(i, reader.verify(line).unwrap());
            writer.write_raw(&mut out, body.as_bytes()).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    /// A run of the default scenario with seed 11, its log's text, in `dir/good`.
    fn good(dir: &Path) -> String {
        let o = casus(&["run", "--quiet", "--seed", "11", "--out", "good"], dir);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(dir.join("good/events.jsonl")).unwrap()
    }

    /// Writes `text` as the log of a copy of the good run (its scenario beside it, no summary).
    fn forged_run(dir: &Path, name: &str, text: &str) -> PathBuf {
        let out = dir.join(name);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::copy(dir.join("good/scenario.ron"), out.join("scenario.ron")).unwrap();
        std::fs::write(out.join("events.jsonl"), text).unwrap();
        out
    }

    /// Replaces the first `from` with `to` in the record on the first line that contains `on`.
    fn edit_first(text: &str, on: &str, from: &str, to: &str) -> String {
        let at = text.lines().position(|l| l.contains(on)).unwrap_or_else(|| panic!("no record with {on}"));
        let edited = rechain(text, |i, body| if i == at { body.replacen(from, to, 1) } else { body });
        assert_ne!(edited, text, "the edit {from} -> {to} applies");
        edited
    }

    /// A vote's lists and verdict rewritten: `yes` of its voters yes, the rest no.
    fn revote(text: &str, question: &str, yes: usize, passed: bool) -> String {
        let at = text.lines().position(|l| l.contains("\"kind\":\"VoteHeld\"") && l.contains(question)).expect("a vote");
        rechain(text, |i, body| {
            if i != at {
                return body;
            }
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            let mut voters: Vec<String> =
                ["yes", "no"].iter().flat_map(|k| v[k].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string())).collect();
            voters.sort();
            let no = voters.split_off(yes.min(voters.len()));
            let (from, to) = (body.find("\"yes\":").unwrap(), body.find("\"actors\":").unwrap());
            let lists = format!(
                "\"yes\":{},\"no\":{},\"passed\":{passed},",
                serde_json::to_string(&voters).unwrap(),
                serde_json::to_string(&no).unwrap()
            );
            format!("{}{lists}{}", &body[..from], &body[to..])
        })
    }

    /// Every forgery of the issue: (case, the forged log, strict only, expected fragment). Plain
    /// replay refuses all but the strict-only ones (exit 1, or 2 for a record no casus writes);
    /// `replay --strict` and `verify` refuse every one.
    #[test]
    fn every_rechained_forgery_is_refused() {
        let dir = scratch("forgeries");
        let text = good(&dir);
        let header = "\"record\":\"header\"";
        let cases: Vec<(&str, String, bool, &str)> = vec![
            ("header seed", edit_first(&text, header, "\"seed\":11", "\"seed\":12"), true, "casus writes"),
            (
                "horizon below the events' days",
                edit_first(&text, header, "\"horizon_days\":640", "\"horizon_days\":10"),
                false,
                "is after the horizon (day 10)",
            ),
            (
                "start date",
                edit_first(&text, header, "\"start\":\"2023-07-26\"", "\"start\":\"2023-07-27\""),
                false,
                "date: 2023-07-26 is not day 0 (2023-07-27)",
            ),
            (
                "focus",
                edit_first(&text, header, "\"focus\":\"NER\"", "\"focus\":\"MLI\""),
                false,
                "the header's focus is \"MLI\" but the scenario gives \"NER\"",
            ),
            (
                "a parameter",
                edit_first(&text, header, "\"armed.civilian_share\":0.25", "\"armed.civilian_share\":0.3"),
                false,
                "the header's parameter armed.civilian_share is 0.3 but the scenario gives 0.25",
            ),
            (
                "an actor's display name",
                edit_first(&text, header, "\"name\":\"Niger\"", "\"name\":\"Nigeria\""),
                false,
                "the header's actor NER is \"Nigeria\"",
            ),
            (
                "the end record's last day",
                edit_first(&text, "\"record\":\"end\"", "\"last_day\":", "\"last_day\":1"),
                false,
                "the end record: last_day: day 1",
            ),
            (
                "a checkpoint's day",
                edit_first(&text, "\"day\":31,\"next_seq\"", "\"day\":31,", "\"day\":32,"),
                false,
                "a checkpoint: day: day 32 is not the day of the events it follows (day 31)",
            ),
            (
                "a vote failed 9 yes to 2 no",
                revote(&text, "ActivateStandbyForce", 9, false),
                false,
                "passed: false with 9 yes and 2 no, which passes",
            ),
            (
                "a launch passed with no yes",
                revote(&text, "LaunchIntervention", 0, true),
                false,
                "passed: the launch passed with no yes vote",
            ),
            (
                "a standby force passed with no yes",
                revote(&text, "ActivateStandbyForce", 0, true),
                false,
                "passed: true with 0 yes and 11 no, which fails",
            ),
            (
                "a probability of 1.5",
                edit_first(&text, "\"probability\":", "\"probability\":0.", "\"probability\":1.5"),
                false,
                "probability: 1.5",
            ),
            (
                "an event's rule text",
                edit_first(&text, "\"kind\":\"TreatyInForce\"", "\"rule\":\"", "\"rule\":\"not "),
                true,
                "rule: the log has \"not ",
            ),
            (
                "an unknown field in an event",
                edit_first(&text, "\"kind\":\"AssistanceDecided\"", "\"rule\":", "\"note\":1,\"rule\":"),
                false,
                "unknown field `note`",
            ),
        ];
        for (case, forged, strict_only, fragment) in cases {
            let run = forged_run(&dir, "forged", &forged);
            let path = run.to_str().unwrap();
            let plain = casus(&["replay", path], &dir);
            assert!(!stderr(&plain).contains("panicked"), "{case}");
            if strict_only {
                assert_eq!(plain.status.code(), Some(0), "{case}: {}", stderr(&plain));
                assert!(stdout(&plain).contains("folding only: the rules were not re-run"), "{case}: {}", stdout(&plain));
            } else {
                let code = if fragment.contains("unknown field") { 2 } else { 1 };
                assert_eq!(plain.status.code(), Some(code), "{case}: {}", stderr(&plain));
                assert!(stderr(&plain).contains(fragment), "{case}: expected {fragment:?} in\n{}", stderr(&plain));
            }
            for strict in [&["replay", "--strict", path][..], &["verify", path][..]] {
                let o = casus(strict, &dir);
                assert!(matches!(o.status.code(), Some(1 | 2)), "{case} {strict:?}: {}", stderr(&o));
                assert!(stderr(&o).contains(fragment), "{case} {strict:?}: expected {fragment:?} in\n{}", stderr(&o));
            }
        }
        // The genuine log passes both.
        let o = casus(&["verify", "good"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("verified: casus writes this log again, byte for byte"), "{}", stdout(&o));
    }

    /// A fork "with no change" of a log whose seed was forged diverged from its parent; now it is
    /// refused, pointing at the parent.
    #[test]
    fn a_fork_with_no_change_of_a_forged_log_is_refused() {
        let dir = scratch("forgeries_fork");
        let text = good(&dir);
        forged_run(&dir, "seeded", &edit_first(&text, "\"record\":\"header\"", "\"seed\":11", "\"seed\":12"));
        let o = casus(&["fork", "seeded", "--at", "100", "--out", "f"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("a fork with no change must continue its parent exactly"), "{}", stderr(&o));
        assert!(!dir.join("f").exists(), "nothing written");
        let o = casus(&["fork", "good", "--at", "100", "--out", "f"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// `verify` re-runs a fork from its parent (`--parent`) and the changes in its fork.json; an
    /// edited fork, or a fork.json that does not record the fork, is refused.
    #[test]
    fn a_fork_is_verified_from_its_parent_and_its_changes() {
        let dir = scratch("forgeries_fork_verify");
        good(&dir);
        let o = casus(&["fork", "good", "--at", "200", "--set", "armed.civilian_share=0.3", "--out", "f"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["verify", "f", "--parent", "good"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("from the fork of good (verified) with the changes in fork.json"), "{}", stdout(&o));
        let o = casus(&["verify", "f"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("give the parent's log or folder with --parent"), "{}", stderr(&o));
        let o = casus(&["replay", "f", "--parent", "good"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        // fork.json edited: another value set.
        let lineage = std::fs::read_to_string(dir.join("f/fork.json")).unwrap();
        std::fs::write(dir.join("f/fork.json"), lineage.replace("\"0.3\"", "\"0.4\"")).unwrap();
        let o = casus(&["verify", "f", "--parent", "good"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("verify failed"), "{}", stderr(&o));
        std::fs::write(dir.join("f/fork.json"), lineage).unwrap();
        // An event of the fork edited (its rule text), chain recomputed.
        let text = std::fs::read_to_string(dir.join("f/events.jsonl")).unwrap();
        let last = text.lines().collect::<Vec<_>>().iter().rposition(|l| l.starts_with("{\"seq\":")).unwrap();
        let edited = rechain(&text, |i, body| if i == last { body.replacen("\"rule\":\"", "\"rule\":\"not ", 1) } else { body });
        std::fs::write(dir.join("f/events.jsonl"), edited).unwrap();
        let _ = std::fs::remove_file(dir.join("f/summary.json"));
        let o = casus(&["verify", "f", "--parent", "good"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("rule: the log has \"not "), "{}", stderr(&o));
    }
}

mod limits {
    use super::*;

    #[test]
    fn a_run_over_its_event_limit_stops_with_a_message_naming_the_busiest_rule() {
        let dir = scratch("limit_events");
        let o = casus(&["run", "--max-events", "50", "--out", "o"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("more than 50 events"), "{}", stderr(&o));
        assert!(stderr(&o).contains("the busiest rule was"), "{}", stderr(&o));
        assert!(!dir.join("o").exists(), "nothing written");
    }

    #[test]
    fn rules_still_reacting_after_the_round_limit_are_an_event_storm_naming_the_rules() {
        // The coup day needs several rounds (coup, consolidation, partners and the organisation
        // reacting): a limit of 1 round makes it a storm, which must be reported, not looped on.
        let dir = scratch("limit_rounds");
        let o = casus(&["run", "--max-rounds", "1", "--out", "o"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("event storm on day 0") && err.contains("coup outcome (army loyalty vs junta cohesion)"), "{err}");
    }

    #[test]
    fn an_interrupted_run_leaves_a_complete_output_or_none() {
        // Kill `casus run` at random moments: the output folder is either absent or complete.
        let dir = scratch("killed_run");
        let scenario = repo().join("scenarios/aes_terror_pressure.ron");
        for (i, delay_ms) in [0u64, 2, 5, 10, 20, 40].into_iter().enumerate() {
            let out = format!("o{i}");
            let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
                .args(["run", scenario.to_str().unwrap(), "--quiet", "--out", &out])
                .current_dir(&dir)
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let _ = child.kill();
            let _ = child.wait();
            let folder = dir.join(&out);
            if folder.exists() {
                for f in ["events.jsonl", "summary.json", "scenario.ron"] {
                    assert!(folder.join(f).exists(), "{out}: partial output, {f} missing");
                }
                let r = casus(&["replay", folder.to_str().unwrap()], &dir);
                assert!(r.status.success(), "{out}: {}", stderr(&r));
            }
        }
    }
}

/// casus never deletes a file it did not write (reliability issue, item 1).
mod output_safety {
    use super::*;
    use std::fs;

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn refused(o: &std::process::Output, fragment: &str) {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        assert!(stderr(o).contains(fragment), "expected {fragment:?} in {}", stderr(o));
    }

    #[test]
    fn run_out_dot_in_a_run_folder_is_refused_and_deletes_nothing() {
        let dir = scratch("safety_dot");
        assert!(casus(&["run", "--quiet", "--out", "x"], &dir).status.success());
        fs::write(dir.join("x/notes.txt"), "mine").unwrap();
        let before = listing(&dir.join("x"));
        for force in [false, true] {
            for out in [".", "./", "..", "../.."] {
                let mut args = vec!["run", "--quiet", "--out", out];
                if force {
                    args.push("--force");
                }
                refused(&casus(&args, &dir.join("x")), "the current folder or contains it");
            }
        }
        assert_eq!(listing(&dir.join("x")), before);
        assert_eq!(fs::read_to_string(dir.join("x/notes.txt")).unwrap(), "mine");
        refused(&casus(&["run", "--quiet", "--out", "/", "--force"], &dir), "root folder");
        let abs = dir.join("x").canonicalize().unwrap();
        refused(&casus(&["run", "--quiet", "--out", abs.to_str().unwrap()], &dir.join("x")), "current folder");
        refused(
            &casus(&["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1", "--quiet", "--out", ".", "--force"], &dir.join("x")),
            "current folder",
        );
        assert_eq!(listing(&dir.join("x")), before);
    }

    #[test]
    fn a_folder_with_a_user_summary_is_not_taken_for_a_casus_output() {
        let dir = scratch("safety_fake_summary");
        fs::create_dir_all(dir.join("u")).unwrap();
        fs::write(dir.join("u/summary.json"), "{}").unwrap();
        fs::write(dir.join("u/mine.txt"), "thesis").unwrap();
        refused(&casus(&["run", "--quiet", "--out", "u"], &dir), "is not a casus output");
        // Even with --force: summary.json is the user's, and casus would overwrite it.
        refused(&casus(&["run", "--quiet", "--out", "u", "--force"], &dir), "holds files casus would overwrite (summary.json)");
        assert_eq!(fs::read_to_string(dir.join("u/summary.json")).unwrap(), "{}");
        assert_eq!(listing(&dir.join("u")), ["mine.txt", "summary.json"]);
    }

    #[test]
    fn force_writes_into_a_user_folder_and_keeps_every_file() {
        let dir = scratch("safety_force_user");
        fs::create_dir_all(dir.join("thesis/chapters")).unwrap();
        fs::write(dir.join("thesis/draft.tex"), "text").unwrap();
        fs::write(dir.join("thesis/chapters/one.tex"), "one").unwrap();
        assert!(casus(&["run", "--quiet", "--out", "thesis", "--force"], &dir).status.success());
        assert_eq!(fs::read_to_string(dir.join("thesis/draft.tex")).unwrap(), "text");
        assert_eq!(fs::read_to_string(dir.join("thesis/chapters/one.tex")).unwrap(), "one");
        assert!(dir.join("thesis/events.jsonl").exists() && dir.join("thesis").join(casus::outdir::MARKER).exists());
        assert!(casus(&["replay", "thesis"], &dir).status.success());
        // A second run replaces casus's files and still keeps the user's.
        assert!(casus(&["run", "--quiet", "--out", "thesis", "--force", "--seed", "9"], &dir).status.success());
        assert_eq!(
            listing(&dir.join("thesis")),
            [".casus-output", "chapters", "draft.tex", "events.jsonl", "scenario.ron", "summary.json"]
        );
        assert!(fs::read_to_string(dir.join("thesis/summary.json")).unwrap().contains("\"seed\": 9"));
    }

    #[test]
    fn a_casus_folder_with_user_files_needs_force_and_keeps_them() {
        let dir = scratch("safety_marked_mixed");
        assert!(casus(&["run", "--quiet", "--out", "r"], &dir).status.success());
        assert!(casus(&["report", "r", "--png"], &dir).status.success());
        fs::write(dir.join("r/notes.txt"), "mine").unwrap();
        refused(&casus(&["run", "--quiet", "--out", "r", "--seed", "3"], &dir), "also holds files casus did not write (notes.txt)");
        assert!(casus(&["run", "--quiet", "--out", "r", "--seed", "3", "--force"], &dir).status.success());
        // casus's files (its report and charts included) are replaced; the notes stay.
        assert_eq!(listing(&dir.join("r")), [".casus-output", "events.jsonl", "notes.txt", "scenario.ron", "summary.json"]);
        assert_eq!(fs::read_to_string(dir.join("r/notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn an_own_folder_is_replaced_whole_and_a_folder_from_before_the_marker_too() {
        let dir = scratch("safety_own");
        assert!(casus(&["run", "--quiet", "--out", "r"], &dir).status.success());
        assert!(casus(&["run", "--quiet", "--out", "r", "--seed", "4"], &dir).status.success());
        assert!(fs::read_to_string(dir.join("r/summary.json")).unwrap().contains("\"seed\": 4"));
        // A run folder written before the marker existed: only run files, a casus log.
        fs::remove_file(dir.join("r").join(casus::outdir::MARKER)).unwrap();
        assert!(casus(&["run", "--quiet", "--out", "r", "--seed", "5"], &dir).status.success());
        assert_eq!(listing(&dir.join("r")), [".casus-output", "events.jsonl", "scenario.ron", "summary.json"]);
        // ... but not when the "log" is not casus's.
        fs::remove_file(dir.join("r").join(casus::outdir::MARKER)).unwrap();
        fs::write(dir.join("r/events.jsonl"), "my own events\n").unwrap();
        refused(&casus(&["run", "--quiet", "--out", "r"], &dir), "is not a casus output");
        assert_eq!(fs::read_to_string(dir.join("r/events.jsonl")).unwrap(), "my own events\n");
    }

    #[test]
    fn sweep_force_removes_only_its_own_files() {
        let dir = scratch("safety_sweep");
        let sweep = ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "2", "--seed", "1", "--quiet", "--events", "--out", "s"];
        assert!(casus(&sweep, &dir).status.success());
        fs::write(dir.join("s/analysis.ipynb"), "notebook").unwrap();
        fs::write(dir.join("s/events/mine.txt"), "kept").unwrap();
        let mut again = sweep.to_vec();
        again.push("--force");
        refused(&casus(&sweep, &dir), "pass --resume");
        assert!(casus(&again, &dir).status.success(), "{}", stderr(&casus(&again, &dir)));
        assert_eq!(fs::read_to_string(dir.join("s/analysis.ipynb")).unwrap(), "notebook");
        assert_eq!(fs::read_to_string(dir.join("s/events/mine.txt")).unwrap(), "kept");
        assert!(dir.join("s/runs.csv").exists() && dir.join("s").join(casus::outdir::MARKER).exists());
        // A folder that is not a sweep is never emptied, even with --force.
        fs::create_dir_all(dir.join("u")).unwrap();
        fs::write(dir.join("u/runs.csv"), "mine").unwrap();
        let mut into_user = again.clone();
        *into_user.iter_mut().find(|a| **a == "s").unwrap() = "u";
        refused(&casus(&into_user, &dir), "holds files casus would overwrite (runs.csv)");
        assert_eq!(fs::read_to_string(dir.join("u/runs.csv")).unwrap(), "mine");
    }
}

/// Nothing lost, nothing forged (issue 21): no command writes over what it reads or over a log,
/// two writers never share a folder, and no temporary outlives its command.
mod nothing_lost {
    use super::*;
    use std::fs;

    fn refused(o: &std::process::Output, fragment: &str) {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        assert!(stderr(o).contains(fragment), "expected {fragment:?} in {}", stderr(o));
        assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
    }

    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn no_command_writes_over_its_input_or_a_log() {
        let dir = scratch("nothing_lost_inputs");
        assert!(casus(&["run", "--quiet", "--out", "r"], &dir).status.success());
        assert!(casus(&["run", "--quiet", "--seed", "3", "--out", "q"], &dir).status.success());
        let (r, q) = (snapshot(&dir.join("r")), snapshot(&dir.join("q")));
        // report: over the log it reads, over the run's summary or scenario, over another log.
        refused(&casus(&["report", "r", "--out", "r/events.jsonl"], &dir), "which this command reads");
        refused(&casus(&["report", "r", "--out", "r/scenario.ron"], &dir), "which this command reads");
        refused(&casus(&["report", "r", "--out", "r/summary.json"], &dir), "which this command reads");
        refused(&casus(&["report", "r", "--out", "q/events.jsonl"], &dir), "it is a casus event log");
        refused(&casus(&["report", "r", "--out", "q/summary.json"], &dir), "it is a file of the casus run folder");
        fs::copy(dir.join("q/events.jsonl"), dir.join("log-copy.txt")).unwrap();
        refused(&casus(&["report", "r", "--out", "log-copy.txt"], &dir), "it is a casus event log");
        // gen: over a log or a run's scenario.
        refused(&casus(&["gen", "--out", "r/events.jsonl"], &dir), "it is a casus event log");
        refused(&casus(&["gen", "--out", "q/scenario.ron"], &dir), "it is a file of the casus run folder");
        // run and fork: into the folder that holds their scenario or parent log.
        refused(&casus(&["run", "r/scenario.ron", "--quiet", "--out", "r"], &dir), "which this command reads");
        refused(&casus(&["fork", "r", "--at", "d10", "--scenario", "q/scenario.ron", "--out", "q"], &dir), "which this command reads");
        refused(&casus(&["fork", "r/events.jsonl", "--at", "d10", "--out", "r", "--force"], &dir), "parent's own folder");
        assert_eq!(snapshot(&dir.join("r")), r);
        assert_eq!(snapshot(&dir.join("q")), q);
        // merge: over a shard it reads.
        let sweep = ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1", "--seed", "1", "--quiet", "--out", "s"];
        assert!(casus(&sweep, &dir).status.success());
        let s = snapshot(&dir.join("s"));
        refused(&casus(&["merge", "s", "--out", "s", "--force"], &dir), "which this command reads");
        assert_eq!(snapshot(&dir.join("s")), s);
        // What is allowed still works: the report's own page, in the folder or beside it.
        assert!(casus(&["report", "r", "--png"], &dir).status.success());
        assert!(casus(&["report", "r", "--out", "page.html"], &dir).status.success());
        assert!(casus(&["gen", "--out", "g.ron"], &dir).status.success());
    }

    fn temporaries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed_by_the_next_write() {
        let dir = scratch("nothing_lost_stale");
        // A PID above any Linux pid_max: no such process. This test's own PID is alive.
        let (dead, live) = ("4194304999", std::process::id().to_string());
        fs::create_dir_all(dir.join(format!(".o.tmp-{dead}/charts"))).unwrap();
        fs::write(dir.join(format!(".o.tmp-{dead}/events.jsonl")), "half a log").unwrap();
        fs::write(dir.join(format!(".g.ron.tmp-{dead}")), "half a scenario").unwrap();
        fs::create_dir_all(dir.join(format!(".o.tmp-{live}"))).unwrap();
        fs::write(dir.join(".o.tmp-mine"), "not casus's").unwrap();
        fs::write(dir.join(format!(".other.tmp-{dead}")), "another output's").unwrap();
        assert!(casus(&["run", "--quiet", "--out", "o"], &dir).status.success());
        assert!(casus(&["gen", "--states", "5", "--treaties", "1", "--orgs", "1", "--out", "g.ron"], &dir).status.success());
        let expected = [format!(".o.tmp-{live}"), ".o.tmp-mine".to_string(), format!(".other.tmp-{dead}")];
        assert_eq!(temporaries(&dir), expected, "only the dead processes' temporaries of o and g.ron go");
    }

    /// A write that fails half-way (the file-size limit stands in for a full disk) leaves no
    /// temporary behind.
    #[test]
    fn a_failed_write_leaves_no_temporary() {
        let dir = scratch("nothing_lost_failed_write");
        let bin = env!("CARGO_BIN_EXE_casus");
        for (args, written) in [("gen --states 200 --out g.ron", "g.ron"), ("run --quiet --out o", "o")] {
            // SIGXFSZ ignored: a write over the limit fails with an error instead of killing casus.
            let script = format!("trap '' XFSZ; ulimit -f 4; exec {bin} {args}");
            let o = Command::new("sh").args(["-c", &script]).current_dir(&dir).output().unwrap();
            assert_eq!(o.status.code(), Some(1), "{args}: {}", stderr(&o));
            assert!(stderr(&o).contains("error: writing"), "{args}: {}", stderr(&o));
            assert!(temporaries(&dir).is_empty(), "{args}: {:?} left behind", temporaries(&dir));
            assert!(!dir.join(written).exists(), "{args}");
        }
    }

    /// Names, coup leaders and article citations are the scenario's text: escape sequences and
    /// line breaks in them are escaped on the terminal (run, log, explain, diff) and kept raw in
    /// the JSON log.
    #[test]
    fn control_characters_in_scenario_text_never_reach_the_terminal() {
        let dir = scratch("nothing_lost_escapes");
        let forged = "2024-01-09  d8    #99   WithdrawalAnnounced    forged";
        let base = include_str!("data/minimal.ron");
        let hostile = base
            .replacen("name: \"Aland\"", "name: \"Al\u{1b}[31mand\u{1b}]0;pwned\u{7}\"", 1)
            .replacen("Coup(state: \"AAA\")", &format!("Coup(state: \"AAA\", leader: \"Gen. X\\r\\n{forged}\u{202e}\")"), 1)
            .replacen("suspension_article: \"Org Art. 1\"", "suspension_article: \"Org Art. 1\u{1b}[2J\"", 1);
        assert_ne!(hostile, base);
        fs::write(dir.join("hostile.ron"), &hostile).unwrap();
        let clean = |what: &str, o: &std::process::Output| {
            assert!(o.status.success(), "{what}: {}", stderr(o));
            for (stream, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
                assert!(
                    !text.chars().any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
                    "{what}: a control character on {stream}:\n{text}"
                );
                assert!(!text.lines().any(|l| l.starts_with(forged)), "{what}: a forged line on {stream}:\n{text}");
            }
            stdout(o)
        };
        let run = clean("run", &casus(&["run", "hostile.ron", "--out", "r"], &dir));
        assert!(run.contains("led by Gen. X\\r\\n2024-01-09"), "the leader is shown, escaped:\n{run}");
        assert!(run.contains("Org Art. 1\\u{1b}[2J"), "the article is shown, escaped:\n{run}");
        clean("log", &casus(&["log", "r"], &dir));
        clean("log csv", &casus(&["log", "r", "--format", "csv"], &dir));
        let explain = clean("explain", &casus(&["explain", "r", "--kind", "MemberSuspended", "--consequences"], &dir));
        assert!(explain.contains("Al\\u{1b}[31mand"), "names are shown, escaped:\n{explain}");
        assert!(casus(&["run", "hostile.ron", "--quiet", "--seed", "8", "--out", "r8"], &dir).status.success());
        let diff = casus(&["diff", "r", "r8"], &dir);
        assert!(!stdout(&diff).contains('\u{1b}'), "{}", stdout(&diff));
        // The log keeps the text as written.
        let json = stdout(&casus(&["log", "r", "--format", "json"], &dir));
        let leaders: Vec<String> = json
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter_map(|v| v["leader"].as_str().map(String::from))
            .collect();
        assert_eq!(leaders, [format!("Gen. X\r\n{forged}\u{202e}")]);
    }
}
