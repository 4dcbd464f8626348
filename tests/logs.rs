//! Reading outcome logs: `log` filters and formats, `explain` chains, `fork` counterfactuals,
//! `diff`, `report` (checked in a real headless browser), and loading logs of schema 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{casus, repo, scratch, stderr, stdout};

use casus::analysis::fork::{At, Changes};
use casus::log::{ParsedLog, read_log};

const NIGER: &str = include_str!("../scenarios/niger_2023.ron");
const INTERVENTION: &str = include_str!("../scenarios/niger_2023_intervention.ron");

fn run_log(source: &str, seed: u64) -> (Vec<u8>, ParsedLog) {
    let p = casus::model::prepared::prepare(source, &[]).expect("valid");
    let out = casus::engine::run::run(&p, seed, Default::default()).expect("runs");
    let mut bytes = Vec::new();
    out.write_log(&mut bytes).expect("write");
    let parsed = read_log(&bytes[..]).expect("reads");
    (bytes, parsed)
}

fn fork_bytes(source: &str, parent: &ParsedLog, at: At, changes: &Changes) -> (Vec<u8>, ParsedLog, casus::analysis::fork::Lineage) {
    let f = casus::analysis::fork::fork(source, parent, at, changes, Default::default()).expect("forks");
    let mut bytes = Vec::new();
    f.output.write_log(&mut bytes).expect("write");
    let parsed = read_log(&bytes[..]).expect("reads");
    (bytes, parsed, f.lineage)
}

mod explain {
    use super::*;

    #[test]
    fn sanctions_on_niger_trace_back_to_the_coup_through_the_summit() {
        let (_, log) = run_log(NIGER, 2023);
        let sanctions = log.events.iter().find(|e| e.kind.name() == "SanctionsImposed").expect("sanctions");
        let chain = casus::analysis::query::causal_chain(&log.events, sanctions.seq).unwrap();
        let steps: Vec<(&str, &str)> = chain.iter().map(|e| (e.kind.name(), e.rule.as_str())).collect();
        assert_eq!(
            steps,
            vec![
                ("CoupStaged", "scenario"),
                ("SummitConvened", "ECOWAS Supplementary Act 2012 on sanctions"),
                ("SanctionsImposed", "ECOWAS Supplementary Act 2012 on sanctions"),
            ]
        );
        assert_eq!(chain[0].seq, 0, "the root is the scripted coup");
    }

    #[test]
    fn article_6_deployment_traces_back_to_the_intervention_through_the_obligation() {
        let (_, log) = run_log(INTERVENTION, 2023);
        let deployed = log
            .events
            .iter()
            .find(|e| e.kind.name() == "ForcesDeployed" && e.rule == "AES Charter Art. 6")
            .expect("an Article 6 deployment");
        let chain = casus::analysis::query::causal_chain(&log.events, deployed.seq).unwrap();
        let kinds: Vec<&str> = chain.iter().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds,
            vec!["InterventionLaunched", "AttackOccurred", "ObligationArisen", "AssistanceDecided", "ForcesMobilised", "ForcesDeployed"]
        );
        assert_eq!(chain[0].rule, "scenario", "the counterfactual scripts the launch");
        assert!(chain[2..].iter().all(|e| e.rule == "AES Charter Art. 6"), "every step after the attack cites Article 6");
        let tree = casus::analysis::query::consequences(&log.events, chain[2].seq, None).unwrap();
        assert!(tree.iter().any(|(_, e)| e.seq == deployed.seq), "the deployment is among the obligation's consequences");
    }

    #[test]
    fn the_cli_explains_by_kind_and_actor_and_prints_consequences() {
        let dir = scratch("explain_cli");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let o = casus(&["explain", "run", "--kind", "SanctionsImposed", "--consequences", "--depth", "2"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with("Why SanctionsImposed #"), "{out}");
        assert!(out.contains("causal chain, from the root (3 steps)"), "{out}");
        assert!(out.contains("CoupStaged") && out.contains("[scenario]"), "{out}");
        assert!(out.contains("Economic Community of West African States (ECOWAS)"), "names come from the header: {out}");
        assert!(out.contains(" 30 Jul 2023 (day 4)  SanctionsImposed  "), "dates in words: {out}");
        assert!(!out.contains("BorderClosure"), "measures in words: {out}");
        assert!(out.contains("consequences of #"), "{out}");
        let j = casus(&["explain", "run", "0", "--json", "--consequences"], &dir);
        let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("json");
        assert_eq!(v["event"]["kind"], "CoupStaged");
        assert!(v["consequences"].as_array().unwrap().len() > 10, "the coup causes much");
        let missing = casus(&["explain", "run", "99999"], &dir);
        assert_eq!(missing.status.code(), Some(2));
        assert!(stderr(&missing).contains("there is no event 99999"), "{}", stderr(&missing));
    }
}

mod explain_long_chains {
    use super::*;
    use casus::model::event::{Event, EventKind};

    /// A log of `n` events, each caused by the one before it.
    fn chain_log(dir: &Path, n: u64) {
        let p = casus::model::prepared::prepare(NIGER, &[]).expect("valid");
        let header = casus::log::header(&p, 1);
        let events: Vec<Event> = (0..n)
            .map(|seq| Event {
                seq,
                day: 0,
                date: "2023-07-26".into(),
                kind: EventKind::CoupConsolidated { state: "NER".into() },
                actors: vec!["NER".into()],
                cause: seq.checked_sub(1),
                rule: "test".into(),
            })
            .collect();
        let end = casus::log::End { events: n, last_day: 0, final_state_hash: String::new() };
        let mut bytes = Vec::new();
        casus::log::write_log(&mut bytes, &header, &events, &[], &end).expect("writes");
        std::fs::write(dir.join("events.jsonl"), bytes).unwrap();
    }

    fn times_each_seq_appears(out: &str) -> std::collections::BTreeMap<u64, usize> {
        let mut seen = std::collections::BTreeMap::new();
        for line in out.lines().skip(2).filter(|l| !l.starts_with("  ...")) {
            if let Some(seq) = line.split("#").nth(1).and_then(|t| t.split(' ').next()).and_then(|t| t.parse().ok()) {
                *seen.entry(seq).or_insert(0) += 1;
            }
        }
        seen
    }

    #[test]
    fn a_long_chain_prints_each_event_once_and_is_cut_at_the_default_depth() {
        let dir = scratch("explain_long_chain");
        chain_log(&dir, 3000);
        let o = casus(&["explain", ".", "2999"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("causal chain, from the root (3000 steps)"), "{out}");
        assert!(out.contains("2949 earlier causes are not shown, back to the root #0 CoupConsolidated (use --depth 3000"), "{out}");
        let seen = times_each_seq_appears(&out);
        assert_eq!(seen.keys().copied().collect::<Vec<_>>(), (2949..3000).collect::<Vec<_>>(), "the event and its 50 nearest causes");
        assert!(seen.values().all(|&n| n == 1), "each event once");
        // The whole chain: every event once, and the output grows linearly (indentation stops growing).
        let all = stdout(&casus(&["explain", ".", "2999", "--depth", "3000"], &dir));
        let seen = times_each_seq_appears(&all);
        assert_eq!(seen.len(), 3000);
        assert!(seen.values().all(|&n| n == 1), "each event once");
        assert!(all.len() < 3000 * 200, "{} bytes for 3000 steps", all.len());
        assert!(all.contains("[2999] └─ #2998"), "deep steps say their depth");
        // Consequences are bounded by the same depth.
        let tree = stdout(&casus(&["explain", ".", "0", "--consequences", "--depth", "5"], &dir));
        assert!(tree.contains("consequences of #0 (5 events)"), "{tree}");
    }
}

mod timeline_for_people {
    use super::*;

    fn run_dir(name: &str) -> PathBuf {
        let dir = scratch(name);
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        dir
    }

    #[test]
    fn names_carry_their_codes_on_first_mention_and_days_their_dates() {
        let dir = run_dir("timeline_names");
        let o = casus(&["log", "run", "--group", "none"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let body: Vec<&str> = out.lines().filter(|l| !l.starts_with("# ")).collect();
        assert!(body[0].starts_with("2023-07-26  d0    #0    CoupStaged             military coup in Niger (NER), led by"), "{}", body[0]);
        assert!(body[1].contains("the coup in Niger succeeds"), "later mentions use the name alone: {}", body[1]);
        let ecowas = "Economic Community of West African States (ECOWAS) suspends Niger from its decision-making bodies";
        assert!(out.contains(ecowas), "{out}");
        assert!(out.contains("ECOWAS gives Niger an ultimatum expiring on 6 Aug 2023 (day 11), threatening force"), "{out}");
        assert!(out.contains("[ECOWAS 2001 Protocol on Democracy and Good Governance Art. 45] <- #0"), "citations stay: {out}");
        assert!(out.contains("ECOWAS holds a summit on sanctions against Niger"), "{out}");
        let brief = stdout(&casus(&["log", "run", "--brief"], &dir));
        assert!(brief.contains("(not shown: #7 SummitConvened)"), "a cause left out is named: {brief}");
        assert!(out.contains("(modelled probability of honouring 0."), "{out}");
        // The summary header: who, the trigger and the decisive events.
        assert!(
            out.starts_with("# niger_2023 (seed 2023): 378 events, 26 Jul 2023 to 26 Apr 2025\n# who: Niger (NER), the focus"),
            "{out}"
        );
        assert!(out.contains("# trigger:  26 Jul 2023 (day 0) #0 military coup in Niger"), "{out}");
        assert!(out.contains("# decisive: 30 Jul 2023 (day 4) #8 ECOWAS imposes sanctions on Niger"), "{out}");
        assert!(
            out.contains("# decisive: 24 Jan 2024 (day 182) #127 Niger gives notice of withdrawal from ECOWAS, effective 23 Jan 2025"),
            "{out}"
        );
        let run = stdout(&casus(&["run", "--out", "again"], &dir));
        assert!(run.contains("  sanctions_imposed_day           day 4 (30 Jul 2023)"), "outcomes have dates: {run}");
    }

    #[test]
    fn routine_attacks_are_grouped_by_month_or_week_or_not_at_all() {
        let dir = run_dir("timeline_groups");
        let attacks = |group: &str| {
            let out = stdout(&casus(&["log", "run", "--kind", "AttackOccurred", "--actor", "MLI", "--group", group], &dir));
            out.lines().filter(|l| !l.starts_with("# ")).map(String::from).collect::<Vec<_>>()
        };
        let (none, week, month) = (attacks("none"), attacks("week"), attacks("month"));
        assert!(month.len() < week.len() && week.len() < none.len(), "{} {} {}", month.len(), week.len(), none.len());
        let aug = month.iter().find(|l| l.contains("attacks by JNIM in Mali:")).expect("a group line");
        assert!(aug.contains(" killed (") && aug.contains(" military, ") && aug.contains("Aug 2023 (#"), "{aug}");
        assert!(none.iter().all(|l| l.contains("terrorist attack by")), "no group without grouping");
        // Attacks that caused something shown keep their own line, next to what they caused.
        let all = stdout(&casus(&["log", "run"], &dir));
        assert!(all.contains("#55   AttackOccurred         terrorist attack by JNIM on Niger"), "{all}");
    }

    #[test]
    fn kinds_can_be_excluded() {
        let dir = run_dir("timeline_exclude");
        let o = casus(&["log", "run", "--exclude-kind", "AttackOccurred", "--exclude-kind", "ForcePledged,VoteHeld"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        for kind in ["AttackOccurred", "ForcePledged", "VoteHeld"] {
            assert!(!out.lines().any(|l| !l.starts_with("# ") && l.contains(&format!(" {kind} "))), "{kind}: {out}");
        }
        assert!(out.contains("SanctionsImposed"), "{out}");
        let json = stdout(&casus(&["log", "run", "--format", "json", "--exclude-kind", "AttackOccurred"], &dir));
        assert!(!json.contains("\"kind\":\"AttackOccurred\""), "the machine formats leave them out too");
        let bad = casus(&["log", "run", "--exclude-kind", "Attack"], &dir);
        assert_eq!(bad.status.code(), Some(2));
        assert!(stderr(&bad).contains("--exclude-kind: unknown event kind"), "{}", stderr(&bad));
    }

    #[test]
    fn colour_only_on_a_terminal_or_when_asked_and_never_with_no_color() {
        let dir = run_dir("timeline_colour");
        let with_env = |args: &[&str], env: &[(&str, &str)]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_casus"));
            c.args(args).current_dir(&dir).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
            for (k, v) in env {
                c.env(k, v);
            }
            stdout(&c.output().expect("runs"))
        };
        let esc = |s: &str| s.contains('\u{1b}');
        assert!(!esc(&with_env(&["log", "run"], &[])), "piped: no colour");
        assert!(esc(&with_env(&["log", "run", "--color", "always"], &[])), "asked: colour");
        assert!(esc(&with_env(&["log", "run"], &[("CLICOLOR_FORCE", "1")])), "forced: colour");
        assert!(!esc(&with_env(&["log", "run"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])), "NO_COLOR wins over auto");
        assert!(!esc(&with_env(&["log", "run", "--color", "never"], &[("CLICOLOR_FORCE", "1")])), "never");
        let coloured = with_env(&["run", "--out", "c", "--color", "always"], &[]);
        assert!(
            coloured.contains("\u{1b}[1m[ECOWAS 2001 Protocol on Democracy and Good Governance Art. 45]\u{1b}[0m"),
            "citations in bold"
        );
        assert!(!esc(&with_env(&["log", "run", "--format", "csv", "--color", "always"], &[])), "machine formats: never");
    }
}

mod why_not {
    use super::*;

    /// Two parties to a pact whose only defence clause answers attacks on territory; Xeria
    /// backs a rebellion in Aland and later strikes it.
    const PACT: &str = r#"(
    name: "whynot", start: "2024-01-01", horizon_days: 30, seed: 1, focus: "AAA",
    actors: [
        State(id: "AAA", name: "Aland", regime: Democracy, troops: 10000, gdp_busd: 10.0),
        State(id: "BBB", name: "Borea", regime: Democracy, troops: 10000, gdp_busd: 10.0),
        State(id: "XXX", name: "Xeria", regime: Authoritarian, troops: 50000, gdp_busd: 50.0),
    ],
    treaties: [
        (id: "PACT", short_name: "Pact", members: ["AAA", "BBB"],
         clauses: [(article: "Art. 6", obligation: Defence, triggers: [AttackOnTerritory, AttackOnSovereignty], owed: [ArmedForce])]),
    ],
    timeline: [
        (date: "2024-01-05", event: Attack(attacker: "XXX", target: "AAA", kind: Rebellion, troops: 500, deaths: 5)),
        (date: "2024-01-10", event: Attack(attacker: "XXX", target: "AAA", kind: Strike, troops: 1000, deaths: 10)),
    ],
)"#;

    #[test]
    fn a_clause_not_engaged_by_a_rebellion_names_its_triggers() {
        let dir = scratch("why_not_rebellion");
        std::fs::write(dir.join("pact.ron"), PACT).unwrap();
        assert!(casus(&["run", "pact.ron", "--quiet", "--out", "r"], &dir).status.success());
        let o = casus(&["explain", "r", "--why-not", "ObligationArisen", "--actor", "AAA"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with("Why no ObligationArisen: 2 attacks on AAA checked"), "{out}");
        assert!(
            out.contains(
                "Pact Art. 6 was not engaged by event #0 (XXX attack on AAA, kind Rebellion): the clause's triggers are \
                 AttackOnTerritory, AttackOnSovereignty; a Rebellion engages ArmedRebellion only"
            ),
            "{out}"
        );
        assert!(out.contains("Pact Art. 6 was engaged: obligations #"), "the strike engaged it: {out}");
        // Asking for a kind that never happened points to --why-not.
        let none = casus(&["explain", "r", "--kind", "SanctionsImposed", "--actor", "AAA"], &dir);
        assert_eq!(none.status.code(), Some(2));
        assert!(stderr(&none).contains("casus explain r --why-not SanctionsImposed --actor AAA"), "{}", stderr(&none));
        let generic = stdout(&casus(&["explain", "r", "--why-not", "WithdrawalEffective"], &dir));
        assert!(generic.contains("proposed by the rule module `membership`"), "{generic}");
    }

    #[test]
    fn sanctions_and_interventions_show_their_draws_and_reviews() {
        let dir = scratch("why_not_niger");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let s = stdout(&casus(&["explain", "run", "--why-not", "SanctionsImposed", "--actor", "NER"], &dir));
        assert!(
            s.contains(
                "#7 30 Jul 2023 (day 4) ECOWAS summit on NER: economic measures imposed: the draw 0.695 against probability 0.950 = \
                 propensity 0.95 (the elected Mohamed Bazoum is kept from office)"
            ),
            "{s}"
        );
        let i = stdout(&casus(&["explain", "run", "--why-not", "InterventionLaunched", "--actor", "NER"], &dir));
        assert!(
            i.contains("#37 18 Aug 2023 (day 23) postponed: force generation short: 4785 pledged against 21421 expected defenders"),
            "{i}"
        );
        assert!(i.contains("postponed: lead contributor CIV declined"), "{i}");
        assert!(i.contains("activated its standby force against NER, D-Day 18 Aug 2023 (day 23); launch reviews:"), "{i}");
    }

    /// Every kind a draw decides lists the draws the rules took, re-run with the decision
    /// recorder: the probability, what it was made of, the draw and the outcome.
    /// A member suspended before the coup is not suspended again, and a failed coup is never
    /// answered with a suspension: both say so.
    #[test]
    fn a_suspension_not_made_names_the_reason() {
        let dir = scratch("why_not_suspension");
        for (case, want) in [
            ("burkina_2022", "ECOWAS: BFA was suspended already when the coup came; the regime does not suspend a member twice"),
            ("benin_2025", "ECOWAS: the coup failed (#2 CoupFailing, 7 Dec 2025, day 0): the regime acts only on a coup that holds"),
        ] {
            let scenario = format!("{}/scenarios/history/{case}.ron", env!("CARGO_MANIFEST_DIR"));
            assert!(casus(&["run", &scenario, "--quiet", "--out", case], &dir).status.success());
            let out = stdout(&casus(&["explain", case, "--why-not", "MemberSuspended"], &dir));
            assert!(out.contains(want), "{case}: {out}");
        }
    }

    #[test]
    fn drawn_decisions_are_listed_with_probability_and_draw_and_agree_with_the_log() {
        let dir = scratch("why_not_draws");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let why = |kind: &str| stdout(&casus(&["explain", "run", "--why-not", kind, "--actor", "NER"], &dir));
        // The coup family: the coup's fate, drawn once.
        let c = why("CoupFailing");
        assert!(
            c.contains(
                "26 Jul 2023 (day 0) the coup fails: logistic(coup.fail_intercept -2.5 + coup.loyalty_weight 6 x (army loyalty 0.2 \
                 - junta cohesion 0.85)): P 0.002, draw 0.586: no"
            ),
            "{c}"
        );
        // The junta family: each review's concession, its pain and backing.
        let o = why("OrderRestored");
        assert!(
            o.contains(
                "9 Aug 2023 (day 14) NER's rulers hand power back: logistic(junta.concession_intercept -5 + junta.pain_weight 0.35 x \
                 GDP loss 0.17% - junta.backing_weight 2 x backing 1.35 (cohesion 0.85, 2 pledged defenders, 0 junta allies)): P 0.000, \
                 draw 0.651: no"
            ),
            "{o}"
        );
        assert!(!o.contains(": yes"), "no OrderRestored in the log, so no draw said yes: {o}");
        // The intervention family: each pledger's launch vote, as the issue's example asks.
        let i = why("InterventionLaunched");
        assert!(
            i.contains(
                "16 Nov 2023 (day 113) CIV votes to launch against NER: 27000 troops free, war opposition 0.3, exposure to NER 0.050, \
                 deterrence 3.751 (expected defenders per pledged troop): P 0.002, draw 0.067: no"
            ),
            "{i}"
        );
        // The partners family: one yes per aid suspension in the log.
        let a = why("AidSuspended");
        assert!(
            a.contains("28 Jul 2023 (day 2) EU suspends its aid of 180 M USD to NER: its aid conditionality: P 0.950, draw 0.858: yes"),
            "{a}"
        );
        let logged =
            std::fs::read_to_string(dir.join("run/events.jsonl")).unwrap().lines().filter(|l| l.contains("\"AidSuspended\"")).count();
        assert_eq!(logged, 4);
        assert!(a.starts_with("AidSuspended involving NER: 4 in the log."), "{a}");
        assert_eq!(a.lines().filter(|l| l.ends_with(": yes")).count(), logged, "{a}");
        // A transition offer names its months; the backed ruler's later reviews draw nothing.
        let t = why("TransitionProposed");
        assert!(
            t.contains("NER's rulers offer a transition timetable of 32 months: junta.transition_propensity 0.5: P 0.500, draw 0.356: yes"),
            "{t}"
        );
        assert_eq!(t.lines().filter(|l| l.contains("P 0.500")).count(), 1, "{t}");
        // The suspension family: each organisation's suspension after the coup, read from the log.
        let m = why("MemberSuspended");
        assert!(m.contains("  ECOWAS: suspended NER by #6 30 Jul 2023 (day 4)\n  AU: suspended NER by #43 22 Aug 2023 (day 27)"), "{m}");
        // A fork's draws before its fork day are its parent's: it says so instead of guessing.
        assert!(casus(&["fork", "run", "--at", "d30", "--set", "junta.review_days=7", "--out", "f"], &dir).status.success());
        let f = stdout(&casus(&["explain", "f", "--why-not", "AidSuspended"], &dir));
        assert!(f.contains("The draws that decide it are not listed: this log is a fork"), "{f}");
    }
}

mod explain_options {
    use super::*;

    #[test]
    fn explain_refuses_a_seq_together_with_kind_or_actor() {
        let dir = scratch("explain_conflicts");
        assert!(casus(&["run", "--quiet", "--out", "r"], &dir).status.success());
        for extra in [&["--kind", "SanctionsImposed"][..], &["--actor", "NER"][..]] {
            let mut args = vec!["explain", "r", "8"];
            args.extend(extra);
            let o = casus(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("cannot be used with"), "{extra:?}: {}", stderr(&o));
        }
        assert!(casus(&["explain", "r", "8"], &dir).status.success());
    }
}

mod log_command {
    use super::*;

    #[test]
    fn filters_compose_and_formats_pipe() {
        let dir = scratch("log_cli");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let all = casus(&["log", "run", "--format", "json"], &dir);
        let n_all = stdout(&all).lines().count();
        let o = casus(
            &["log", "run", "--kind", "AttackOccurred", "--actor", "MLI", "--from", "2023-08-01", "--to", "d200", "--format", "json"],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let events: Vec<casus::model::event::Event> =
            stdout(&o).lines().map(|l| serde_json::from_str(l).expect("an event per line")).collect();
        assert!(!events.is_empty() && events.len() < n_all);
        for e in &events {
            assert_eq!(e.kind.name(), "AttackOccurred");
            assert!(e.actors.iter().any(|a| a == "MLI"));
            assert!(e.date.as_str() >= "2023-08-01" && e.day <= 200, "{} {}", e.date, e.day);
        }
        let csv = casus(&["log", "run", "--rule", "art. 45", "--format", "csv"], &dir);
        let text = stdout(&csv);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("seq,day,date,kind,actors,cause,rule,description"));
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty() && rows.iter().all(|r| r.contains("Art. 45")), "{text}");
        let bad = casus(&["log", "run", "--kind", "SanctionImposed"], &dir);
        assert_eq!(bad.status.code(), Some(2));
        assert!(stderr(&bad).contains("did you mean \"SanctionsImposed\"?"), "{}", stderr(&bad));
        let bad = casus(&["log", "run", "--actor", "NIG"], &dir);
        assert_eq!(bad.status.code(), Some(2));
        assert!(stderr(&bad).contains("no actor \"NIG\""), "{}", stderr(&bad));
        let bad = casus(&["log", "run", "--from", "yesterday"], &dir);
        assert_eq!(bad.status.code(), Some(2));
    }

    #[test]
    fn every_reader_refuses_a_tampered_log_and_names_the_first_bad_record() {
        let dir = scratch("log_tampered");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let path = dir.join("run/events.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("\"deaths_military\":", "\"deaths_military\":1", 1);
        assert_ne!(edited, text);
        std::fs::write(&path, edited).unwrap();
        for args in [
            vec!["log", "run"],
            vec!["explain", "run", "3"],
            vec!["fork", "run", "--at", "3", "--out", "f"],
            vec!["report", "run"],
            vec!["diff", "run", "run"],
        ] {
            let o = casus(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            let err = stderr(&o);
            assert!(err.contains("hash chain broken (seq ") && err.contains("integrity check"), "{args:?}: {err}");
        }
        assert!(!dir.join("f").exists(), "nothing written");
    }

    /// Issue 21, item 9: a log without its end record, whether cut at a line's end or in the
    /// middle of its last line, is the same thing to every reader: `log` and `explain` show
    /// it after the warning "log is incomplete: no end record" and exit 0; `replay`, `diff`,
    /// `fork` and `report` refuse it with exit 1 and that message (never "record has no chain
    /// value", never exit 2).
    #[test]
    fn every_reader_treats_a_truncated_log_the_same_documented_way() {
        let dir = scratch("log_truncated_readers");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let text = std::fs::read_to_string(dir.join("run/events.jsonl")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let keep = lines.len() / 2;
        let at_line_end = lines[..keep].join("\n") + "\n";
        // Cut inside the next line, and inside a character of it (a name written in UTF-8).
        let torn = at_line_end.clone() + &lines[keep][..lines[keep].len() / 2];
        let mut torn_in_a_char = at_line_end.clone().into_bytes();
        torn_in_a_char.extend_from_slice(&"{\"seq\":9,\"rule\":\"Côte".as_bytes()[..19]);
        for (case, bytes) in
            [("at a line's end", at_line_end.into_bytes()), ("mid-line", torn.into_bytes()), ("mid-character", torn_in_a_char)]
        {
            let _ = std::fs::remove_dir_all(dir.join("cut"));
            std::fs::create_dir_all(dir.join("cut")).unwrap();
            std::fs::write(dir.join("cut/events.jsonl"), &bytes).unwrap();
            std::fs::copy(dir.join("run/scenario.ron"), dir.join("cut/scenario.ron")).unwrap();
            std::fs::copy(dir.join("run/summary.json"), dir.join("cut/summary.json")).unwrap();
            for args in [vec!["log", "cut"], vec!["explain", "cut", "3"]] {
                let o = casus(&args, &dir);
                assert_eq!(o.status.code(), Some(0), "{case} {args:?}: {}", stderr(&o));
                assert!(stderr(&o).contains("warning: log is incomplete: no end record"), "{case} {args:?}: {}", stderr(&o));
                assert!(!stdout(&o).is_empty(), "{case} {args:?}");
            }
            for args in [
                vec!["replay", "cut"],
                vec!["diff", "run", "cut"],
                vec!["diff", "cut", "run"],
                vec!["fork", "cut", "--at", "3", "--out", "f"],
                vec!["report", "cut"],
            ] {
                let o = casus(&args, &dir);
                assert_eq!(o.status.code(), Some(1), "{case} {args:?}: {}", stderr(&o));
                let err = stderr(&o);
                assert!(err.contains("log is incomplete: no end record"), "{case} {args:?}: {err}");
                assert!(!err.contains("chain") && !err.contains("panicked"), "{case} {args:?}: {err}");
                if case != "at a line's end" {
                    assert!(err.contains(&format!("its last line ({}) is cut off", keep + 1)), "{case} {args:?}: {err}");
                }
            }
            assert!(!dir.join("f").exists() && !dir.join("cut/report.html").exists(), "{case}: nothing written");
        }
    }

    /// Issue 21, item 7: summary.json is checked. `replay` recomputes the outcomes from the log
    /// and refuses an edited summary beside it (exit 1, naming the field); `report` and `diff`
    /// show the outcomes recomputed from the verified log, not the edited ones; `diff` exits 1
    /// whenever the outcomes differ.
    #[test]
    fn an_edited_summary_fails_replay_and_never_reaches_report_or_diff() {
        let dir = scratch("log_edited_summary");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let o = casus(&["replay", "run"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("summary.json matches it"), "{}", stdout(&o));
        let _ = std::fs::remove_dir_all(dir.join("edited"));
        std::fs::create_dir_all(dir.join("edited")).unwrap();
        for f in ["events.jsonl", "scenario.ron"] {
            std::fs::copy(dir.join("run").join(f), dir.join("edited").join(f)).unwrap();
        }
        let mut summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run/summary.json")).unwrap()).unwrap();
        let class = summary["outcomes"]["outcome_class"].as_str().unwrap().to_string();
        assert_ne!(class, "NoMeasures");
        summary["outcomes"]["outcome_class"] = serde_json::json!("NoMeasures");
        std::fs::write(dir.join("edited/summary.json"), serde_json::to_string_pretty(&summary).unwrap()).unwrap();
        let o = casus(&["replay", "edited"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("outcomes.outcome_class is \"NoMeasures\" but the log gives \"{class}\"")), "{}", stderr(&o));
        // Another field, and a field removed, are caught too.
        for (edit, field) in [("seed", "seed"), ("events", "events")] {
            let mut s = summary.clone();
            s["outcomes"]["outcome_class"] = serde_json::json!(class);
            s[edit] = serde_json::json!(12345);
            std::fs::write(dir.join("edited/summary.json"), serde_json::to_string_pretty(&s).unwrap()).unwrap();
            let o = casus(&["replay", "edited"], &dir);
            assert_eq!(o.status.code(), Some(1), "{edit}: {}", stderr(&o));
            assert!(stderr(&o).contains(&format!("{field} is 12345 but the log gives")), "{edit}: {}", stderr(&o));
        }
        let mut s = summary.clone();
        s["outcomes"].as_object_mut().unwrap().remove("outcome_class");
        std::fs::write(dir.join("edited/summary.json"), serde_json::to_string_pretty(&s).unwrap()).unwrap();
        let o = casus(&["replay", "edited"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("outcomes.outcome_class is (missing)"), "{}", stderr(&o));
        // Report and diff read the outcomes from the log, not from the edited summary.
        summary["outcomes"]["sanctions_days"] = serde_json::json!(987654);
        std::fs::write(dir.join("edited/summary.json"), serde_json::to_string_pretty(&summary).unwrap()).unwrap();
        let o = casus(&["report", "edited"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("edited/report.html")).unwrap();
        assert!(!html.contains("987654"), "the report shows the edited summary");
        let in_words = |class: &str| {
            let start = casus::model::date::Date::parse("2023-07-26").unwrap();
            casus::analysis::outcome_text::outcome_in_words("outcome_class", &serde_json::json!(class), start, "Niger").value
        };
        assert!(html.contains(&in_words(&class)), "the report shows the recomputed class");
        assert!(!html.contains(&in_words("NoMeasures")), "the report shows the edited class");
        let o = casus(&["diff", "run", "edited"], &dir);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("outcomes: identical"), "{}", stdout(&o));
        // Runs whose outcomes differ: exit 1, and the outcomes are named.
        assert!(casus(&["run", "--quiet", "--set", "NER.cohesion=0.05", "--out", "other"], &dir).status.success());
        let o = casus(&["diff", "run", "other"], &dir);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains("outcomes"), "{}", stdout(&o));
    }
}

mod reading {
    use super::*;
    use casus::model::event::Event;

    /// Every event of two runs, written in the log's field order, reads back equal; so do
    /// the same objects with their fields in other orders (as another JSON tool might write
    /// them), and with an escaped key.
    #[test]
    fn events_read_back_whatever_the_field_order() {
        let mut n = 0;
        for src in [NIGER, INTERVENTION] {
            let (_, log) = run_log(src, 5);
            for e in &log.events {
                let text = serde_json::to_string(e).unwrap();
                assert_eq!(&serde_json::from_str::<Event>(&text).unwrap(), e);
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                let fields: Vec<(String, serde_json::Value)> =
                    value.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                // serde_json's map is key-ordered: "kind" lands among the kind's own fields.
                let sorted = serde_json::to_string(&value).unwrap();
                assert_eq!(&serde_json::from_str::<Event>(&sorted).unwrap(), e, "{sorted}");
                let reversed = format!(
                    "{{{}}}",
                    fields.iter().rev().map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap())).collect::<Vec<_>>().join(",")
                );
                assert_eq!(&serde_json::from_str::<Event>(&reversed).unwrap(), e, "{reversed}");
                let escaped = text.replacen("\"rule\"", "\"\\u0072ule\"", 1);
                assert_eq!(&serde_json::from_str::<Event>(&escaped).unwrap(), e, "{escaped}");
                n += 1;
            }
        }
        assert!(n > 500, "{n} events");
    }

    #[test]
    fn malformed_events_are_refused_with_the_field_named() {
        let good = r#"{"seq":0,"day":2,"date":"2023-07-28","kind":"AidSuspended","partner":"EU","recipient":"NER","amount_musd":180.0,"actors":["EU","NER"],"cause":null,"rule":"r"}"#;
        assert!(serde_json::from_str::<Event>(good).is_ok());
        for (edit, expected) in [
            (good.replace(r#""seq":0,"#, ""), "missing field `seq`"),
            (good.replace(r#","rule":"r""#, ""), "missing field `rule`"),
            (good.replace(r#""kind":"AidSuspended","#, ""), "missing field `kind`"),
            (good.replace(r#""partner":"EU","#, ""), "missing field `partner`"),
            (good.replace("AidSuspended", "AidWithheld"), "unknown variant `AidWithheld`"),
            (good.replace(r#""cause":null"#, r#""cause":null,"seq":1"#), "duplicate field `seq`"),
            (good.replace(r#""partner":"EU","#, r#""partner":"EU","kind":"AidSuspended","#), "duplicate field `kind`"),
            (good.replace("180.0", r#""lots""#), "invalid type"),
            (
                good.replace(r#""kind":"AidSuspended","#, "").replace(r#""rule":"r""#, r#""rule":"r","kind":true"#),
                "expected variant identifier",
            ),
        ] {
            let err = serde_json::from_str::<Event>(&edit).unwrap_err().to_string();
            assert!(err.contains(expected), "{edit}: {err}");
        }
    }
}

mod streaming {
    //! `replay_read` folds a log as it reads it, on one thread or two; its answers must be the
    //! whole-log path's (`read_log`, then `replay`), errors and their order included.
    use super::*;
    use casus::analysis::replay::{ReadReplayError, Verdict, replay, replay_read};

    type Answer = Result<Verdict, String>;

    fn streamed(bytes: &[u8], threads: usize, source: &str) -> Answer {
        replay_read(bytes, threads, |h| casus::model::prepared::prepare(source, &h.overrides).map_err(|e| format!("{e:?}"))).map_err(|e| {
            match e {
                ReadReplayError::Read(e) => format!("read: {e}"),
                ReadReplayError::Prepare(e) => format!("prepare: {e}"),
                ReadReplayError::Thread(e) => format!("thread: {e}"),
            }
        })
    }

    fn whole(bytes: &[u8], source: &str) -> Answer {
        let log = read_log(bytes).map_err(|e| format!("read: {e}"))?;
        let overrides = &log.header.as_ref().expect("a header").overrides;
        let p = casus::model::prepared::prepare(source, overrides).map_err(|e| format!("prepare: {e:?}"))?;
        Ok(replay(&p, &log))
    }

    /// The log with `edit` applied to each record's body (chain value removed), chained again:
    /// `None` drops the record.
    fn rechained(bytes: &[u8], edit: impl Fn(usize, String) -> Option<String>) -> Vec<u8> {
        let (mut reader, mut writer) = (casus::log::Chain::default(), casus::log::Chain::default());
        let mut out = Vec::new();
        for (i, line) in std::str::from_utf8(bytes).unwrap().lines().enumerate() {
            if let Some(body) = edit(i, reader.verify(line).unwrap()) {
                writer.write_raw(&mut out, body.as_bytes()).unwrap();
            }
        }
        out
    }

    fn same_answer(bytes: &[u8], source: &str) -> Answer {
        let expected = whole(bytes, source);
        for threads in [1, 2] {
            assert_eq!(streamed(bytes, threads, source), expected, "{threads} thread(s)");
        }
        expected
    }

    #[test]
    fn streamed_replay_answers_as_the_whole_log_does() {
        let big = casus::synth::to_ron(&casus::synth::generate(&casus::synth::GenSpec {
            states: 60,
            treaties: 12,
            orgs: 4,
            seed: 5,
            horizon_days: 400,
        }));
        for source in [NIGER, INTERVENTION, big.as_str()] {
            let p = casus::model::prepared::prepare(source, &[]).unwrap();
            let out = casus::engine::run::run(&p, 7, Default::default()).unwrap();
            let mut bytes = Vec::new();
            out.write_log(&mut bytes).unwrap();
            let events = out.events.len();
            assert!(matches!(same_answer(&bytes, source), Ok(Verdict::Match { .. })), "intact");
            let lines: Vec<&str> = std::str::from_utf8(&bytes).unwrap().lines().collect();
            // Checkpoints, the first and the last.
            let checkpoints: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("{\"record\":\"checkpoint\"")).collect();
            let (early, late) = (checkpoints[0], checkpoints[checkpoints.len() - 1]);

            // Truncated: the end record and the last events gone.
            let truncated = lines[..lines.len() * 2 / 3].join("\n") + "\n";
            assert!(matches!(same_answer(truncated.as_bytes(), source), Ok(Verdict::Diverged { .. })), "truncated");

            // An event moved back to day 0 and the chain recomputed: both refuse it as it is read
            // (its day comes before the event before it).
            let last_event = (0..lines.len())
                .rfind(|&i| lines[i].starts_with("{\"seq\":") && !lines[i].contains("\"day\":0,"))
                .expect("an event after day 0");
            let to_day_0 = |body: String| {
                let at = body.find("\"day\":").expect("a day") + 6;
                let end = at + body[at..].find(',').expect("a comma");
                format!("{}0{}", &body[..at], &body[end..])
            };
            let moved = rechained(&bytes, |i, body| Some(if i == last_event { to_day_0(body) } else { body }));
            let answer = same_answer(&moved, source);
            assert!(answer.as_ref().is_err_and(|e| e.contains("day: day 0 comes after")), "moved: {answer:?}");

            // A checkpoint's digest edited and the chain recomputed: the fold diverges there.
            let forge_digest = |body: String| {
                let at = body.find("\"state_hash\":\"").expect("a digest") + 14;
                format!("{}{}{}", &body[..at], "0123456789abcdef", &body[at + 16..])
            };
            let forged = rechained(&bytes, |i, body| Some(if i == late { forge_digest(body) } else { body }));
            let answer = same_answer(&forged, source);
            assert!(matches!(answer, Ok(Verdict::Diverged { seq: Some(_), .. })), "forged: {answer:?}");

            // The same, plus a later record edited without rechaining: the integrity error wins
            // over the earlier divergence, as when the whole log is read first.
            let forged_early = rechained(&bytes, |i, body| Some(if i == early { forge_digest(body) } else { body }));
            assert!(matches!(same_answer(&forged_early, source), Ok(Verdict::Diverged { .. })), "forged early");
            let mut broken: Vec<String> = std::str::from_utf8(&forged_early).unwrap().lines().map(String::from).collect();
            let n = broken.len();
            broken[n - 2] = broken[n - 2].replacen("\"seq\":", "\"seq\": ", 1);
            let broken = broken.join("\n") + "\n";
            let answer = same_answer(broken.as_bytes(), source);
            assert!(answer.as_ref().is_err_and(|e| e.contains("hash chain broken")), "broken: {answer:?}");

            // A checkpoint swapped with the event after it, chain recomputed: it no longer stands
            // where its state was taken, which both refuse as a reordering.
            let mut reader = casus::log::Chain::default();
            let mut bodies: Vec<String> = lines.iter().map(|l| reader.verify(l).unwrap()).collect();
            let cp = bodies.iter().position(|b| b.contains("\"record\":\"checkpoint\"")).expect("a checkpoint");
            bodies.swap(cp, cp + 1);
            let (mut writer, mut swapped) = (casus::log::Chain::default(), Vec::new());
            for b in &bodies {
                writer.write_raw(&mut swapped, b.as_bytes()).unwrap();
            }
            let answer = same_answer(&swapped, source);
            assert!(answer.as_ref().is_err_and(|e| e.contains("a checkpoint of the state before event")), "swapped: {answer:?}");

            // No header; a checkpoint dropped; another scenario.
            let headless = rechained(&bytes, |i, body| (i != 0).then_some(body));
            assert!(same_answer(&headless, source).is_err_and(|e| e.contains("header")), "headless");
            let fewer = rechained(&bytes, |_, body| (!body.contains("\"record\":\"checkpoint\"")).then_some(body));
            assert!(matches!(same_answer(&fewer, source), Ok(Verdict::Match { .. })), "without checkpoints");
            let other = if source == NIGER { INTERVENTION } else { NIGER };
            let answer = same_answer(&bytes, other);
            assert!(
                matches!(&answer, Ok(Verdict::Diverged { message, .. }) if message.contains("written for scenario content")),
                "other scenario: {answer:?}"
            );
            assert!(events > 0);
        }
    }

    #[test]
    fn a_big_log_crosses_many_batches_on_two_threads() {
        let big = casus::synth::to_ron(&casus::synth::generate(&casus::synth::GenSpec {
            states: 200,
            treaties: 40,
            orgs: 6,
            seed: 9,
            horizon_days: 2000,
        }));
        let p = casus::model::prepared::prepare(&big, &[]).unwrap();
        let out = casus::engine::run::run(&p, 3, Default::default()).unwrap();
        // Records cross between the threads in batches of 512.
        assert!(out.events.len() > 5_000, "{} events: about ten batches", out.events.len());
        let mut bytes = Vec::new();
        out.write_log(&mut bytes).unwrap();
        let answer = same_answer(&bytes, &big);
        assert_eq!(
            answer,
            Ok(Verdict::Match {
                events: out.events.len() as u64,
                final_state_hash: out.end.final_state_hash.clone(),
                summary: Box::new(out.summary())
            })
        );
    }
}

mod fork {
    use super::*;

    #[test]
    fn a_fork_with_no_change_reproduces_the_parent_byte_for_byte() {
        let (bytes, log) = run_log(NIGER, 2023);
        let mid_day = log.events.windows(2).find(|w| w[0].day == w[1].day).map(|w| w[1].seq).expect("a day with two events");
        for at in [At::Seq(0), At::Seq(mid_day), At::Seq(log.events.len() as u64 - 1), At::Day(0), At::Day(45), At::Day(640)] {
            let (fork, _, lineage) = fork_bytes(NIGER, &log, at, &Changes::default());
            assert!(fork == bytes, "fork at {at:?} differs from its parent");
            assert_eq!(lineage.kept_events, log.events.iter().filter(|e| e.day < lineage.day).count() as u64);
        }
        let (bytes, log) = run_log(INTERVENTION, 7);
        let (fork, _, _) = fork_bytes(INTERVENTION, &log, At::Day(70), &Changes::default());
        assert!(fork == bytes, "a fork in the middle of the fighting continues it exactly");
    }

    #[test]
    fn a_fork_with_a_change_keeps_the_prefix_and_differs_after() {
        let (_, log) = run_log(NIGER, 2023);
        let sanctions = log.events.iter().find(|e| e.kind.name() == "SanctionsImposed").unwrap();
        // What if ECOWAS had not imposed sanctions on day 4?
        let changes = Changes { drops: vec![sanctions.seq], ..Default::default() };
        let (_, fork, lineage) = fork_bytes(NIGER, &log, At::Seq(sanctions.seq), &changes);
        let kept = lineage.kept_events as usize;
        assert_eq!(&fork.events[..kept], &log.events[..kept], "the history before the fork is identical");
        assert!(fork.events[kept..].iter().all(|e| e.day >= lineage.day));
        assert!(!fork.events.iter().any(|e| e.kind.name() == "SanctionsImposed"), "the dropped decision never happens");
        assert_eq!(lineage.drops[0].refused, 1);
        let d = casus::analysis::diff::diff(&log, &fork);
        assert_eq!(d.common, sanctions.seq, "they diverge exactly at the dropped event");
        // Events on the fork day before the dropped one are decided again, identically.
        assert!(fork.events[kept..sanctions.seq as usize] == log.events[kept..sanctions.seq as usize]);
    }

    #[test]
    fn draws_the_change_does_not_reach_stay_the_same() {
        // Armed-group attacks are drawn from (seed, group, day) keys: forking with a change to
        // the intervention decision leaves the attack process in the first weeks untouched.
        let (_, log) = run_log(NIGER, 11);
        let changes = Changes { sets: vec![("intervention.opposition_weight".into(), "0".into())], ..Default::default() };
        let (_, fork, lineage) = fork_bytes(NIGER, &log, At::Day(10), &changes);
        let attacks = |l: &ParsedLog| -> Vec<(u32, String)> {
            l.events
                .iter()
                .filter(|e| e.kind.name() == "AttackOccurred" && e.day < 60)
                .map(|e| (e.day, serde_json::to_string(&e.kind).unwrap()))
                .collect()
        };
        assert_eq!(lineage.day, 10);
        assert!(!attacks(&log).is_empty());
        assert_eq!(attacks(&log), attacks(&fork), "common random numbers: the same attacks on the same days");
    }

    #[test]
    fn an_injected_event_happens_and_the_fork_replays() {
        let dir = scratch("fork_inject");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let inject = r#"(date: "2023-10-01", event: Attack(attacker: "NGA", target: "NER", kind: Invasion, troops: 5000, deaths: 20))"#;
        let o = casus(&["fork", "run", "--at", "2023-10-01", "--inject", inject, "--out", "fork"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("the fork diverges at event"), "{}", stdout(&o));
        let lineage: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("fork/fork.json")).unwrap()).unwrap();
        assert_eq!(lineage["date"], "2023-10-01");
        let l = casus(&["log", "fork", "--kind", "ObligationArisen", "--rule", "Art. 6", "--format", "json"], &dir);
        assert!(stdout(&l).lines().count() >= 2, "an invasion after the Charter engages Article 6 for Mali and Burkina Faso");
        let r = casus(&["replay", "fork"], &dir);
        assert!(r.status.success(), "{}", stderr(&r));
        let d = casus(&["diff", "run", "fork"], &dir);
        assert_eq!(d.status.code(), Some(1), "runs differ");
        assert!(stdout(&d).contains("outcomes that differ"), "{}", stdout(&d));
        let same = casus(&["diff", "run", "run"], &dir);
        assert_eq!(same.status.code(), Some(0));
        assert!(stdout(&same).contains("events: identical"));
    }

    #[test]
    fn bad_fork_requests_are_refused_with_a_reason() {
        let dir = scratch("fork_bad");
        assert!(casus(&["run", "--quiet", "--out", "run"], &dir).status.success());
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["--at", "99999"], "there is no event 99999"),
            (vec!["--at", "d9999"], "after the horizon"),
            (vec!["--at", "2020-01-01"], "before the scenario start"),
            (vec!["--at", "20", "--drop", "0"], "before the fork day"),
            (vec!["--at", "5", "--set", "junta.pain_weight=lots"], "junta.pain_weight"),
            (vec!["--at", "5", "--set", "nosuch.param=1"], "nosuch.param"),
            (vec!["--at", "d40", "--inject", "(date: \"2023-08-01\", event: Coup(state: \"MLI\", leader: \"x\"))"], "before the fork day"),
            (
                vec!["--at", "d40", "--inject", "(date: \"2023-09-01\", event: Coup(state: \"XYZ\", leader: \"x\"))"],
                "unknown actor \"XYZ\"",
            ),
            (vec!["--at", "d40", "--inject", "(date: \"2023-09-01\", event: Cop())"], "--inject #1: 1:"),
        ];
        for (extra, expected) in cases {
            let mut args = vec!["fork", "run", "--out", "f"];
            args.extend(extra.iter().copied());
            let o = casus(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(expected), "{extra:?}: {}", stderr(&o));
            assert!(!dir.join("f").exists(), "{extra:?}: nothing written");
        }
    }
}

mod schema {
    use super::*;

    /// The event kinds and their fields, one line each (`Kind: field, field`).
    fn kinds_and_fields() -> String {
        casus::model::event::KIND_FIELDS.iter().map(|(kind, fields)| format!("{kind}: {}\n", fields.join(", "))).collect()
    }

    #[test]
    fn a_new_event_kind_or_field_bumps_the_schema_version() {
        // tests/data/kinds_vN.txt lists the kinds of log schema N. A new kind or field changes
        // what a log may hold, so it needs a new schema version: bump LOG_SCHEMA_VERSION, write
        // the new list to tests/data/kinds_v<N>.txt, check in a log of the new version (see
        // ARCHITECTURE.md, "How to add a rule") and keep upcasting the older ones.
        let version = casus::model::event::LOG_SCHEMA_VERSION;
        let path = repo().join(format!("tests/data/kinds_v{version}.txt"));
        let listed = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        assert_eq!(kinds_and_fields(), listed, "the event kinds differ from those of schema {version}");
    }

    /// The checked-in run folder `tests/data/log_vN`: its log, read and upcast, and its
    /// scenario prepared with the log's overrides.
    fn checked_in(version: u32) -> (casus::log::ParsedLog, casus::model::prepared::Prepared) {
        let dir = repo().join(format!("tests/data/log_v{version}"));
        let bytes = std::fs::read(dir.join("events.jsonl")).unwrap();
        let prefix = format!("{{\"record\":\"header\",\"schema_version\":{version},");
        assert!(bytes.starts_with(prefix.as_bytes()), "the checked-in log is of schema {version}");
        let log = read_log(&bytes[..]).expect("upcast");
        assert_eq!(log.written_schema_version, version);
        let header = log.header.as_ref().unwrap();
        assert_eq!(header.schema_version, casus::model::event::LOG_SCHEMA_VERSION);
        let source = std::fs::read_to_string(dir.join("scenario.ron")).unwrap();
        let p = casus::model::prepared::prepare(&source, &header.overrides).unwrap();
        (log, p)
    }

    #[test]
    fn a_schema_1_log_still_loads_replays_and_reads() {
        let (log, p) = checked_in(1);
        let header = log.header.as_ref().unwrap();
        assert!(header.actors.is_empty(), "schema 1 did not name actors");
        assert_eq!(header.name_of("NER"), "NER", "readers fall back to ids");
        assert!(matches!(casus::analysis::replay::replay(&p, &log), casus::analysis::replay::Verdict::Match { .. }));
        let here = repo();
        let o = casus(&["replay", "tests/data/log_v1"], &here);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["explain", "tests/data/log_v1", "--kind", "SanctionsImposed"], &here);
        assert!(o.status.success() && stdout(&o).contains("CoupStaged"), "{}", stderr(&o));
        // A fork re-runs today's rules from the fork point: it loads and runs (the rules have
        // changed since schema 1, so it need not stay identical to its parent).
        let out = scratch("fork_v1");
        let o = casus(&["fork", repo().join("tests/data/log_v1").to_str().unwrap(), "--at", "d30", "--out", "f"], &out);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("kept the first 48 events unchanged"), "{}", stdout(&o));
    }

    /// Schema 2 digested the state's JSON; schema 3 on its compact encoding. A schema-2 log (an
    /// intervention run, with combat state in its checkpoints) replays with its own digests,
    /// and a tampered checkpoint is still caught.
    #[test]
    fn a_schema_2_log_replays_with_its_own_digests() {
        let (log, p) = checked_in(2);
        assert!(log.checkpoints.len() > 5 && log.events.iter().any(|e| e.kind.name() == "CombatRound"));
        let casus::analysis::replay::Verdict::Match { final_state_hash, .. } = casus::analysis::replay::replay(&p, &log) else {
            panic!("the schema-2 log replays")
        };
        assert_eq!(final_state_hash, log.end.as_ref().unwrap().final_state_hash);
        // A tampered checkpoint (another run's digest) is caught.
        let now = casus::engine::run::run(&p, log.header.as_ref().unwrap().seed.wrapping_add(1), Default::default()).unwrap();
        assert_ne!(now.checkpoints[3].state_hash, log.checkpoints[3].state_hash);
        let mut bad = log.clone();
        bad.checkpoints[3].state_hash = now.checkpoints[3].state_hash.clone();
        assert!(matches!(casus::analysis::replay::replay(&p, &bad), casus::analysis::replay::Verdict::Diverged { .. }));
        let o = casus(&["replay", "tests/data/log_v2"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// Schema 3 digested the whole state's compact encoding at each checkpoint; schema 4
    /// combines per-part digests. A schema-3 log replays with its own digests and a tampered
    /// checkpoint is still caught. (Schema 5's rules differ, so today's run of its scenario
    /// is another run.)
    #[test]
    fn a_schema_3_log_replays_with_whole_state_digests() {
        let (log, p) = checked_in(3);
        assert!(log.checkpoints.len() > 5 && log.events.iter().any(|e| e.kind.name() == "CombatRound"));
        let header = log.header.as_ref().unwrap();
        assert!(matches!(casus::analysis::replay::replay(&p, &log), casus::analysis::replay::Verdict::Match { .. }));
        let now = casus::engine::run::run(&p, header.seed.wrapping_add(1), Default::default()).unwrap();
        assert_ne!(now.checkpoints[4].state_hash, log.checkpoints[4].state_hash);
        let mut bad = log.clone();
        bad.checkpoints[4].state_hash = now.checkpoints[4].state_hash.clone();
        assert!(matches!(casus::analysis::replay::replay(&p, &bad), casus::analysis::replay::Verdict::Diverged { .. }));
        let o = casus(&["replay", "tests/data/log_v3"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// Schema 4 had no `form` or `claimant` on `CoupStaged`: its log reads (the fields take
    /// their defaults: a military coup, no claimant) and replays to its own final state.
    #[test]
    fn a_schema_4_log_reads_without_the_coup_form_and_replays() {
        let (log, p) = checked_in(4);
        assert!(log.events.iter().any(|e| matches!(&e.kind, casus::model::event::EventKind::CoupStaged { form, claimant, .. }
            if *form == casus::model::scenario::UcgForm::Military && claimant.is_empty())));
        let casus::analysis::replay::Verdict::Match { final_state_hash, .. } = casus::analysis::replay::replay(&p, &log) else {
            panic!("the schema-4 log replays")
        };
        assert_eq!(final_state_hash, log.end.as_ref().unwrap().final_state_hash);
        let o = casus(&["replay", "tests/data/log_v4"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// Schema 5 had no `BorderForcesRecalled` (a threatened ruler's border forces stayed
    /// there for good): its log reads and replays to its own final state, and its scenario run
    /// today recalls the troops once the threat is over, so it is another log.
    #[test]
    fn a_schema_5_log_replays_to_its_own_final_state() {
        let (log, p) = checked_in(5);
        let casus::analysis::replay::Verdict::Match { final_state_hash, .. } = casus::analysis::replay::replay(&p, &log) else {
            panic!("the schema-5 log replays")
        };
        assert_eq!(final_state_hash, log.end.as_ref().unwrap().final_state_hash);
        assert!(!log.events.iter().any(|e| e.kind.name() == "BorderForcesRecalled"));
        let o = casus(&["replay", "tests/data/log_v5"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }

    #[test]
    fn a_schema_6_log_is_what_casus_writes_today_and_replays() {
        // The current schema's checked-in log: this casus writes it byte for byte (so a change
        // to the log's bytes cannot pass unnoticed: it needs a new schema version, with this
        // log kept and upcast) and replays it.
        let (log, p) = checked_in(6);
        let header = log.header.as_ref().unwrap();
        assert!(matches!(casus::analysis::replay::replay(&p, &log), casus::analysis::replay::Verdict::Match { .. }));
        let now = casus::engine::run::run(&p, header.seed, Default::default()).unwrap();
        let mut written = Vec::new();
        now.write_log(&mut written).unwrap();
        let checked_in = std::fs::read(repo().join("tests/data/log_v6/events.jsonl")).unwrap();
        // The header names the casus version, and every record's chain value covers the
        // header's bytes: the records after it are compared byte for byte without their chain.
        let text = |b: &[u8]| -> Vec<String> {
            let text = String::from_utf8(b.to_vec()).unwrap();
            text.lines().skip(1).map(|l| l[..l.rfind(",\"chain\"").unwrap()].to_string()).collect()
        };
        assert_eq!(text(&written), text(&checked_in), "the records' bytes differ from tests/data/log_v6");
        let o = casus(&["replay", "--strict", "tests/data/log_v6"], &repo());
        assert!(o.status.success(), "{}", stderr(&o));
    }

    #[test]
    fn logs_of_unknown_versions_are_refused() {
        let (bytes, _) = run_log(NIGER, 1);
        let text = String::from_utf8(bytes).unwrap();
        let first = text.lines().next().unwrap();
        let version = format!("\"schema_version\":{},", casus::model::event::LOG_SCHEMA_VERSION);
        let body = format!("{}}}", &first[..first.rfind(",\"chain\"").unwrap()]);
        for (v, expected) in [("99", "written by a newer casus"), ("0", "the header is damaged")] {
            let edited = body.replacen(&version, &format!("\"schema_version\":{v},"), 1);
            assert_ne!(edited, body);
            let mut out = Vec::new();
            casus::log::Chain::default().write_raw(&mut out, edited.as_bytes()).unwrap();
            let err = read_log(&out[..]).unwrap_err();
            assert!(err.message.contains(expected), "{v}: {}", err.message);
        }
    }
}

mod report {
    use super::*;

    /// Names a headless-capable browser goes by, looked up on PATH and then in the usual places.
    const BROWSERS: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// The browser the page checks use: `CASUS_BROWSER` if set, else the first of [`BROWSERS`] on
    /// PATH or in /usr/bin, /usr/local/bin, /snap/bin. None when there is none; then the page
    /// checks are skipped with a note, unless `CASUS_REQUIRE_BROWSER` is set (as `.ci/run` does),
    /// which makes a missing browser a failure.
    fn chromium() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("CASUS_BROWSER") {
            return Some(PathBuf::from(p));
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::env::split_paths(&path).chain(["/usr/bin", "/usr/local/bin", "/snap/bin"].map(PathBuf::from));
        dirs.flat_map(|dir| BROWSERS.map(|name| dir.join(name))).find(|p| p.is_file())
    }

    /// The browser to use, or None after printing why the browser part of a test is skipped.
    fn browser_or_skip(test: &str) -> Option<PathBuf> {
        let found = chromium();
        if found.is_none() {
            let hint = "no headless browser found on PATH or in /usr/bin, /usr/local/bin, /snap/bin \
                        (install Debian's chromium, or set CASUS_BROWSER)";
            assert!(std::env::var_os("CASUS_REQUIRE_BROWSER").is_none(), "{test}: {hint}; CASUS_REQUIRE_BROWSER is set");
            // Written to stderr directly, not with eprintln!, so the test harness does not capture
            // it: a skip must show in the test output of a passing run.
            let note = format!("\nSKIPPED (browser part of {test}): {hint}\n");
            std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes()).unwrap();
        }
        found
    }

    fn browser(chromium: &Path, args: &[&str]) -> Output {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile = scratch(&format!("chromium-profile-{}-{n}", std::process::id()));
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(args)
            .output()
            .expect("chromium runs")
    }

    /// Distinct colours in a PNG screenshot (a blank page has one).
    fn colours(png: &Path) -> usize {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let bpp = info.line_size / info.width as usize;
        let mut seen = std::collections::BTreeSet::new();
        for px in buf[..info.buffer_size()].chunks(bpp) {
            seen.insert(px[..3.min(px.len())].to_vec());
            if seen.len() > 64 {
                break;
            }
        }
        seen.len()
    }

    /// Checks a generated page is self-contained, then loads it in a headless browser (when one
    /// is found: see [`browser_or_skip`]) and checks the DOM it builds and a screenshot.
    fn check_page(test: &str, html: &Path, min_svgs: usize) {
        let text = std::fs::read_to_string(html).unwrap();
        assert!(text.starts_with("<!DOCTYPE html>"));
        for needle in ["src=\"http", "href=\"http", "<script src", "<link", "@import"] {
            assert!(!text.contains(needle), "self-contained: found {needle}");
        }
        // The only scripts are the map's, inline: its data and its code.
        let scripts = text.matches("<script").count();
        let map_scripts = text.matches(MAP_DATA).count() + text.matches("<script>\n// The report's map").count();
        assert_eq!(scripts, map_scripts, "a script other than the map's");
        let Some(chromium) = browser_or_skip(test) else { return };
        let url = format!("file://{}", html.canonicalize().unwrap().display());
        let dom = browser(&chromium, &["--dump-dom", &url]);
        assert!(dom.status.success(), "{}", stderr(&dom));
        let dom_text = stdout(&dom);
        let svgs = dom_text.matches("<svg").count();
        assert!(svgs >= min_svgs, "{svgs} svg elements in the DOM");
        if min_svgs > 0 {
            assert!(dom_text.matches("<polyline").count() + dom_text.matches("<path").count() > 5, "charts draw lines");
        }
        let log = stderr(&dom);
        for bad in ["Uncaught", "ERR_FILE_NOT_FOUND", "Failed to load", "net::ERR"] {
            assert!(!log.contains(bad), "browser reported {bad}: {log}");
        }
        let shot = html.with_file_name("screenshot.png");
        let s = browser(&chromium, &[&format!("--screenshot={}", shot.display()), "--window-size=1200,2000", &url]);
        assert!(s.status.success() && shot.exists(), "{}", stderr(&s));
        assert!(colours(&shot) > 16, "the screenshot is not blank");
    }

    #[test]
    fn a_run_report_renders_in_a_headless_browser() {
        let dir = scratch("report_run");
        let scen = repo().join("scenarios/niger_2023_intervention.ron");
        assert!(casus(&["run", scen.to_str().unwrap(), "--quiet", "--out", "run"], &dir).status.success());
        let o = casus(&["report", "run", "--png"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("run/report.html")).unwrap();
        for id in [
            "chart-forces",
            "chart-sanctions",
            "chart-gdp_loss",
            "chart-casualties",
            "id=\"timeline\"",
            "class=\"graph\"",
            "AES Charter Art. 6",
        ] {
            assert!(html.contains(id), "the report has {id}");
        }
        for png in ["forces", "sanctions", "gdp_loss", "casualties"] {
            let p = dir.join(format!("run/charts/{png}.png"));
            assert!(colours(&p) > 8, "{png}.png has content");
        }
        check_page("a_run_report_renders_in_a_headless_browser", &dir.join("run/report.html"), 5);
    }

    /// Text of an HTML page with character references decoded (named or numeric, as any
    /// escaper may write them), tags left as they are.
    fn unescape(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let end = rest.find(';').filter(|&e| e <= 8).expect("a character reference ends with ';'");
            let decoded = match &rest[1..end] {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                r if r.starts_with("#x") => char::from_u32(u32::from_str_radix(&r[2..], 16).unwrap()).unwrap(),
                r if r.starts_with('#') => char::from_u32(r[1..].parse().unwrap()).unwrap(),
                r => panic!("unknown reference &{r};"),
            };
            out.push(decoded);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn hostile_names_in_a_scenario_are_escaped_in_the_report() {
        let dir = scratch("report_hostile");
        let hostile = r#"<script>alert(1)</script> "&'"#;
        let ron_string = hostile.replace('\\', "\\\\").replace('"', "\\\"");
        let scen = std::fs::read_to_string(repo().join("scenarios/niger_2023_intervention.ron")).unwrap();
        // The focus state's name (page header, its lane in the causal graph) and the AES
        // Charter's defence clause (event descriptions, rules, the timeline).
        let edited = scen.replacen(r#"name: "Niger""#, &format!("name: \"{ron_string}\""), 1).replacen(
            r#"article: "Art. 6""#,
            &format!("article: \"{ron_string}\""),
            1,
        );
        assert_ne!(edited, scen);
        std::fs::write(dir.join("hostile.ron"), &edited).unwrap();
        let o = casus(&["run", "hostile.ron", "--quiet", "--out", "run"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["report", "run"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("run/report.html")).unwrap();
        assert!(!html.contains("<script>alert") && !html.contains("alert(1)</"), "the name is inserted unescaped");
        assert_eq!(html.matches("<script").count(), 2, "the map's data and code are the page's only scripts");
        assert!(html.contains(r"\u003cscript\u003ealert(1)\u003c/script\u003e"), "the map's data escapes the name");
        assert!(!html.contains(r#""&'"#), "quotes and ampersands are escaped");
        let text = unescape(&html);
        assert!(text.contains(&format!("focus {hostile} ·")), "the focus state's name shows as text");
        // Its lane in the causal graph is named by its code (the name is too long for the lane).
        assert!(text.contains(r#"font-weight="bold">NER</text>"#), "its lane in the causal graph is named");
        assert!(text.contains(&format!("{hostile} (NER)")), "the summary names it in full");
        assert!(text.matches(&format!("AES Charter {hostile}")).count() > 3, "the clause shows in the timeline");
        check_page("hostile_names_in_a_scenario_are_escaped_in_the_report", &dir.join("run/report.html"), 5);
        // The browser reads the name as text: its DOM has no script element, only the text.
        if let Some(chromium) = chromium() {
            let url = format!("file://{}", dir.join("run/report.html").canonicalize().unwrap().display());
            let dom = stdout(&browser(&chromium, &["--dump-dom", &url]));
            assert!(!dom.contains("<script>alert"), "the browser built a script element");
            assert_eq!(dom.matches("<script").count(), 2, "the browser built a script element");
            assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the browser shows the name as text");
        }
        // The comparison page escapes them too.
        let o = casus(&["run", "hostile.ron", "--quiet", "--seed", "5", "--out", "run2"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["report", "run", "run2"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let compared = std::fs::read_to_string(dir.join("run2/comparison.html")).unwrap();
        assert!(!compared.contains("<script") && !compared.contains(r#""&'"#), "the comparison inserts the name unescaped");
        assert!(unescape(&compared).contains(&format!("AES Charter {hostile}")), "the clause shows in the timelines");
    }

    #[test]
    fn a_sweep_report_charts_probabilities_with_bands() {
        let dir = scratch("report_sweep");
        let o = casus(
            &["sweep", "--param", "intervention.opposition_weight=0,4,8", "--runs", "12", "--jobs", "2", "--quiet", "--out", "sw"],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["report", "sw"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("sw/report.html")).unwrap();
        assert!(
            html.contains("Standby force activated against the focus: probability against intervention.opposition_weight"),
            "a varying outcome is charted"
        );
        let unchanged = section(&html, "<h3>Outcomes that did not change", "</table>");
        assert!(unchanged.contains("Economic sanctions imposed on the focus100%") && !unchanged.contains('_'), "{unchanged}");
        assert!(html.contains("<polygon") || html.contains("fill-opacity"), "a confidence band is drawn");
        check_page("a_sweep_report_charts_probabilities_with_bands", &dir.join("sw/report.html"), 1);
    }

    /// The sweep page's exploration (issue 23, item 4): heat maps over a pair of swept
    /// parameters (the first two, or --pair), continuous outcomes' distributions per design
    /// point, a Sobol sweep's indices, and the PRIM box with --discover; every link resolves,
    /// and the page renders in a browser.
    #[test]
    fn a_sweep_report_explores_pairs_distributions_sensitivity_and_discovery() {
        let dir = scratch("report_explore");
        let sweep = [
            "sweep",
            "--param",
            "NGA.war_opposition=0..1",
            "--param",
            "intervention.launch_intercept=2..8",
            "--param",
            "ECOWAS.ucg.standby_force=choice(false,true)",
            "--design",
            "sobol:8",
            "--runs",
            "4",
            "--seed",
            "5",
            "--quiet",
            "--out",
            "sw",
        ];
        let o = casus(&sweep, &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(&["report", "sw", "--discover", "armed_conflict"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("sw/report.html")).unwrap();
        let pairs = section(&html, "<h2 id=\"two-parameters\">", "<h2 id=\"distributions\">");
        assert!(pairs.contains("over NGA.war_opposition (across) and intervention.launch_intercept (up)"), "{pairs}");
        assert!(pairs.contains("Fighting between states or organisations in the focus: probability over NGA.war_opposition and intervention.launch_intercept"), "{pairs}");
        assert!(html.contains(">0.125</text>") && pairs.contains("no runs"), "a column per value (8 values), and the key: {pairs}");
        let dists = section(&html, "<h2 id=\"distributions\">", "<h2 id=\"sensitivity\">");
        assert!(dists.contains("distribution per design point") && dists.contains("One box per design point"), "{dists}");
        assert!(dists.contains("median") && dists.contains("95th percentile"), "the box key: {dists}");
        let sens = section(&html, "<h2 id=\"sensitivity\">", "<h2 id=\"discovery\">");
        assert!(
            sens.contains("Sobol indices of each outcome") && sens.contains("first order (S1)") && sens.contains("total (ST)"),
            "{sens}"
        );
        let disc = &html[html.find("<h2 id=\"discovery\">").unwrap()..];
        assert!(disc.contains("PRIM on <code>armed_conflict</code>") && disc.contains("id=\"figure-prim-trajectory\""), "{disc}");
        assert!(disc.contains("<td><code>ECOWAS.ucg.standby_force</code></td><td class=\"num\">true</td>"), "{disc}");
        // Another pair; a pair not swept is refused.
        let o = casus(&["report", "sw", "--pair", "ECOWAS.ucg.standby_force,NGA.war_opposition"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("sw/report.html")).unwrap();
        assert!(html.contains("over <code>ECOWAS.ucg.standby_force</code> (across) and <code>NGA.war_opposition</code> (up)"));
        assert!(
            html.contains("This pair was chosen with --pair.")
                && html.contains("Not asked for: <code>casus report DIR --discover OUTCOME</code>")
        );
        let o = casus(&["report", "sw", "--pair", "NGA.war_opposition,junta.review_days"], &dir);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--pair NGA.war_opposition,junta.review_days: junta.review_days was not swept"), "{}", stderr(&o));
        let o = casus(&["report", "sw", "--discover", "armed_conflict", "--out", "again.html"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let page = dir.join("again.html");
        assert_eq!(
            std::fs::read(&page).unwrap(),
            {
                let _ = casus(&["report", "sw", "--discover", "armed_conflict"], &dir);
                std::fs::read(dir.join("sw/report.html")).unwrap()
            },
            "the same bytes"
        );
        assert!(check_links(std::slice::from_ref(&page)) >= 5);
        check_page("a_sweep_report_explores_pairs_distributions_sensitivity_and_discovery", &page, 10);
    }

    /// How the map's data begins in a run's page.
    const MAP_DATA: &str = "<script type=\"application/json\" id=\"map-data\">";

    /// The map's data embedded in a run's page.
    fn map_data(html: &str) -> serde_json::Value {
        let start = html.find(MAP_DATA).expect("the page has the map's data") + MAP_DATA.len();
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end]).expect("the map's data is JSON")
    }

    /// The map's frame on `day`: the last that begins on or before it.
    fn frame_at(data: &serde_json::Value, day: u64) -> &serde_json::Value {
        data["frames"].as_array().unwrap().iter().rfind(|f| f["day"].as_u64().unwrap() <= day).unwrap()
    }

    /// The map of the default run (issue 24, item 4): every state on its outline, and, at the
    /// key dates the log gives, the right states marked: Niger's coup from day 0, its
    /// suspension and sanctions from the day ECOWAS imposed them and not before, the allies'
    /// pledges from the day they were made; the page opens on the end of the run.
    #[test]
    fn the_default_runs_map_marks_the_states_at_its_key_dates() {
        let dir = scratch("report_map");
        assert!(casus(&["run", "--quiet", "--out", "base"], &dir).status.success());
        let o = casus(&["report", "base"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(dir.join("base/report.html")).unwrap();
        let log = read_log(&std::fs::read(dir.join("base/events.jsonl")).unwrap()[..]).unwrap();
        let first_day = |kind: &str, actor: &str| {
            log.events.iter().find(|e| e.kind.name() == kind && e.actors.iter().any(|a| a == actor)).map(|e| u64::from(e.day)).unwrap()
        };
        let (sanctions, suspension, pledge) =
            (first_day("SanctionsImposed", "NER"), first_day("MemberSuspended", "NER"), first_day("DefencePledged", "NER"));
        let data = map_data(&html);
        let class = |day: u64, id: &str| frame_at(&data, day)["actors"][id]["class"].as_str().unwrap().to_string();
        assert!(class(0, "NER").contains("junta") && class(0, "NER").contains("coup") && class(0, "NER").contains("focus"));
        assert!(!class(sanctions - 1, "NER").contains("sanctioned") && !class(suspension - 1, "NER").contains("suspended"));
        assert!(
            class(sanctions, "NER").contains("sanctioned") && class(suspension, "NER").contains("suspended"),
            "{}",
            class(sanctions, "NER")
        );
        assert!(!class(sanctions, "NGA").contains("sanctioned") && !class(sanctions, "NGA").contains("junta"));
        let lines = |day: u64| frame_at(&data, day)["lines"].to_string();
        assert!(lines(pledge).contains("Burkina Faso pledged to defend Niger") && lines(pledge).contains("Mali pledged to defend Niger"));
        assert!(!lines(pledge - 1).contains("pledged to defend"), "{}", lines(pledge - 1));
        assert!(lines(sanctions).contains("Under sanctions: Niger by ECOWAS (sanctions, severity 1.00"));
        // The sanctions on Niger end in this run exactly when the log lifts them.
        let lifted = log.events.iter().any(|e| e.kind.name() == "SanctionsLifted" && e.actors.iter().any(|a| a == "NER"));
        let end = data["frames"].as_array().unwrap().last().unwrap();
        assert_eq!(end["actors"]["NER"]["class"].as_str().unwrap().contains("sanctioned"), !lifted);
        // The SVG: the fifteen states on their outlines, drawn as the last frame has them.
        for id in ["NER", "NGA", "MLI", "BFA", "GIN", "CIV", "SEN", "BEN", "GHA", "TGO", "GNB", "SLE", "LBR", "GMB", "CPV"] {
            let at = html.find(&format!("<g id=\"map-st-{id}\"")).unwrap_or_else(|| panic!("{id} is on the map"));
            let g = &html[at..at + html[at..].find("</g>").unwrap()];
            assert!(g.contains("<path class=\"shape\""), "{id} is drawn on its outline");
            assert!(g.contains(&format!("class=\"{}\"", end["actors"][id]["class"].as_str().unwrap())), "{g}");
        }
        assert!(html.contains(&format!(">First sanctions: {}</button>", frame_date(&data, sanctions))));
        assert!(html.contains("Natural Earth 1:50m"), "the page says where the outlines come from");
        check_page("the_default_runs_map_marks_the_states_at_its_key_dates", &dir.join("base/report.html"), 5);

        // In a browser, moving the slider changes Niger's class and fill, and the arrows shown.
        let Some(chromium) = browser_or_skip("the_default_runs_map_marks_the_states_at_its_key_dates") else { return };
        let probe = format!(
            "<script>var s = document.getElementById('map-day'), g = document.getElementById('map-st-NER'), out = [];\n\
             function probe(day) {{ s.value = day; s.dispatchEvent(new Event('input')); out.push(day + '|' + g.getAttribute('class') + '|' + \
             getComputedStyle(g.querySelector('.shape')).fill + '|' + document.querySelectorAll('#map-svg g.link:not([display])').length + '|' + \
             document.getElementById('map-date').textContent); }}\n\
             probe(0); probe({sanctions}); probe({pledge});\ndocument.body.setAttribute('data-probe', out.join(';'));</script></body>"
        );
        std::fs::write(dir.join("base/probe.html"), html.replacen("</body>", &probe, 1)).unwrap();
        let url = format!("file://{}", dir.join("base/probe.html").canonicalize().unwrap().display());
        let dom = browser(&chromium, &["--dump-dom", &url]);
        assert!(!stderr(&dom).contains("Uncaught"), "{}", stderr(&dom));
        let dom = stdout(&dom);
        let at = dom.find("data-probe=\"").expect("the probe ran") + 12;
        let probes: Vec<Vec<&str>> = dom[at..at + dom[at..].find('"').unwrap()].split(';').map(|p| p.split('|').collect()).collect();
        let [before, sanctioned, pledged] = &probes[..] else { panic!("{probes:?}") };
        assert!(!before[1].contains("sanctioned") && sanctioned[1].contains("sanctioned"), "{probes:?}");
        assert_ne!(before[2], sanctioned[2], "Niger's fill changes when it is sanctioned: {probes:?}");
        assert!(pledged[3].parse::<u32>().unwrap() >= before[3].parse::<u32>().unwrap() + 2, "the pledges' arrows show: {probes:?}");
        assert_eq!(sanctioned[4], format!("{} (day {sanctions})", frame_date(&data, sanctions)));
    }

    /// The date the map's data gives a day.
    fn frame_date(data: &serde_json::Value, day: u64) -> String {
        data["dates"][day as usize].as_str().unwrap().to_string()
    }

    /// A scenario whose states have no shipped outline is drawn as a labelled schematic; one
    /// with too many such states has no map, and says so.
    #[test]
    fn a_scenario_without_outlines_has_a_schematic_map() {
        let dir = scratch("report_map_schematic");
        for (states, out) in [("12", "small"), ("80", "big")] {
            let o =
                casus(&["gen", "--states", states, "--treaties", "2", "--orgs", "2", "--seed", "3", "--out", &format!("{out}.ron")], &dir);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(casus(&["run", &format!("{out}.ron"), "--quiet", "--out", out], &dir).status.success());
            let o = casus(&["report", out], &dir);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let small = std::fs::read_to_string(dir.join("small/report.html")).unwrap();
        assert!(small.contains("Schematic layout, not placed geographically"), "the schematic is labelled");
        let actors = map_data(&small)["frames"][0]["actors"].clone();
        let states = actors.as_object().unwrap().values().filter(|a| !a["class"].as_str().unwrap().contains("partner")).count();
        assert_eq!(states, 12, "every state is drawn");
        assert_eq!(small.matches("<circle class=\"shape\"").count(), actors.as_object().unwrap().len(), "each as a circle");
        let big = std::fs::read_to_string(dir.join("big/report.html")).unwrap();
        assert!(big.contains("No map: more than 60 states of this scenario have no shipped outline") && !big.contains(MAP_DATA));
        check_page("a_scenario_without_outlines_has_a_schematic_map", &dir.join("small/report.html"), 3);
    }

    /// Every `href` and `url(#...)` of a page, with character references decoded.
    fn links(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (opener, closer) in [("href=\"", '"'), ("url(#", ')')] {
            for (i, _) in html.match_indices(opener) {
                let rest = &html[i + opener.len()..];
                let value = &rest[..rest.find(closer).expect("an attribute ends")];
                out.push(if opener == "url(#" { format!("#{value}") } else { unescape(value) });
            }
        }
        out
    }

    /// The ids of a page, checked unique.
    fn ids(page: &Path, html: &str) -> std::collections::BTreeSet<String> {
        let mut ids = std::collections::BTreeSet::new();
        for (i, _) in html.match_indices(" id=\"") {
            let rest = &html[i + 5..];
            let id = unescape(&rest[..rest.find('"').unwrap()]);
            assert!(ids.insert(id.clone()), "{}: the id {id:?} is used twice", page.display());
        }
        ids
    }

    /// Checks that every link of every page resolves: `#x` to an id of the page, `file#x` to a
    /// file beside it that has the id, `file` to a file. Returns the number of links checked.
    fn check_links(pages: &[PathBuf]) -> usize {
        let mut checked = 0;
        for page in pages {
            let html = std::fs::read_to_string(page).unwrap();
            let own = ids(page, &html);
            for link in links(&html) {
                assert!(!link.contains("://") && !link.starts_with('/'), "{}: {link} leaves the folder", page.display());
                let (file, fragment) = link.split_once('#').map(|(f, x)| (f, Some(x))).unwrap_or((link.as_str(), None));
                let target_ids = if file.is_empty() {
                    own.clone()
                } else {
                    let decoded: String = percent_decode(file);
                    let target = page.parent().unwrap().join(&decoded);
                    assert!(target.is_file(), "{}: {link} points to {}, which does not exist", page.display(), target.display());
                    ids(&target, &std::fs::read_to_string(&target).unwrap())
                };
                if let Some(fragment) = fragment {
                    assert!(target_ids.contains(fragment), "{}: {link} points nowhere (no id {fragment:?})", page.display());
                }
                checked += 1;
            }
        }
        checked
    }

    fn percent_decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    /// The text of a page's part from one heading to the next, tags removed.
    fn section(html: &str, from: &str, to: &str) -> String {
        let start = html.find(from).unwrap_or_else(|| panic!("the page has {from}"));
        let end = start + html[start..].find(to).unwrap_or_else(|| panic!("the page has {to} after {from}"));
        let mut text = String::new();
        let mut in_tag = false;
        for ch in html[start..end].chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        unescape(&text)
    }

    /// A run, a fork of it with every kind of change, a sweep, their reports and the
    /// comparison of the run and the fork: every link in every page resolves (the count is
    /// printed), the outcomes read as words, an empty chart is a sentence, the fork's page
    /// names its parent, fork day and changes with links into the parent's report, and the
    /// pages are written byte for byte the same again.
    #[test]
    fn every_link_in_every_generated_page_resolves() {
        let dir = scratch("report_links");
        assert!(casus(&["run", "--quiet", "--out", "base"], &dir).status.success());
        let inject = r#"(date: "2023-08-01", event: Attack(attacker: "NGA", target: "NER", kind: Strike, troops: 500, deaths: 3))"#;
        let fork = [
            "fork",
            "base",
            "--at",
            "8",
            "--drop",
            "8",
            "--set",
            "NGA.war_opposition=0.1",
            "--inject",
            inject,
            "--quiet",
            "--out",
            "no sanctions",
        ];
        let o = casus(&fork, &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = casus(
            &["sweep", "--param", "intervention.opposition_weight=0,8", "--runs", "3", "--jobs", "2", "--quiet", "--out", "sw"],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for args in [
            vec!["report", "base", "--png"],
            vec!["report", "no sanctions", "--png"],
            vec!["report", "sw"],
            vec!["report", "base", "no sanctions"],
        ] {
            let o = casus(&args, &dir);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        }
        let pages: Vec<PathBuf> = ["base/report.html", "no sanctions/report.html", "sw/report.html", "no sanctions/comparison.html"]
            .iter()
            .map(|p| dir.join(p))
            .collect();
        let checked = check_links(&pages);
        let note = format!("\nthe link check followed {checked} links in {} pages; every one resolves\n", pages.len());
        std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes()).unwrap();
        assert!(checked > 300, "{checked} links");

        // The outcomes in words: no raw names, no null, no quoted enum names.
        let run = std::fs::read_to_string(&pages[0]).unwrap();
        let outcomes = section(&run, "<h2>Outcomes", "<h2 id=\"map\">Map");
        for raw in ["_day", "null", "\"", "Junta", "ForceThreatened", "true", "false"] {
            assert!(!outcomes.contains(raw), "the outcomes show {raw:?}: {outcomes}");
        }
        assert!(outcomes.contains("Economic sanctions imposed on Niger30 Jul 2023 (day 4)"), "{outcomes}");
        assert!(outcomes.contains("did not happen") && outcomes.contains("junta"), "{outcomes}");

        // The fork's page: parent, fork day and every change, linked into the parent's report.
        let forked = std::fs::read_to_string(&pages[1]).unwrap();
        let provenance = section(&forked, "<div class=\"box\" id=\"fork\">", "</div>");
        assert!(provenance.contains("A fork of the niger_2023 run in base (its report)"), "{provenance}");
        assert!(provenance.contains("from 30 Jul 2023 (day 4) on, the rules ran again with these changes"), "{provenance}");
        assert!(
            provenance.contains("dropped #8, sanctions imposed on 30 Jul 2023: Economic Community of West African States"),
            "{provenance}"
        );
        assert!(provenance.contains(&format!("injected {inject}")) && provenance.contains("set NGA.war_opposition=0.1"), "{provenance}");
        assert!(forked.contains("href=\"../base/report.html#e8\"") && forked.contains("id=\"fork-day\""));
        // Its sanctions chart has nothing to draw: a sentence, no chart, no PNG.
        assert!(forked.contains("<figure class=\"chart empty\" id=\"chart-sanctions\"><figcaption>Sanctions in force (economic severity)</figcaption><p>No sanctions in this run.</p></figure>"));
        assert!(!dir.join("no sanctions/charts/sanctions.png").exists() && dir.join("no sanctions/charts/forces.png").exists());

        // The comparison: the first divergence highlighted, outcome differences in words.
        let compared = std::fs::read_to_string(&pages[3]).unwrap();
        let summary = section(&compared, "<div class=\"box\" id=\"divergence-summary\">", "</div>");
        assert!(summary.contains("The runs share their first 8 events; they diverge on 30 Jul 2023 (day 4)"), "{summary}");
        assert!(compared.contains("<tr class=\"divergence\"><td class=\"date\" id=\"divergence\">"), "the divergence is marked");
        let differ = section(&compared, "<h3>Outcomes that differ", "</table>");
        assert!(differ.contains("Economic sanctions imposed on Niger30 Jul 2023 (day 4)did not happen"), "{differ}");
        assert!(compared.contains("class=\"only\""), "events of one run only are highlighted");

        // The same inputs give the same bytes.
        for (args, page) in [
            (vec!["report", "base", "--png"], &pages[0]),
            (vec!["report", "no sanctions"], &pages[1]),
            (vec!["report", "base", "no sanctions"], &pages[3]),
        ] {
            let before = std::fs::read(page).unwrap();
            assert!(casus(&args, &dir).status.success());
            assert_eq!(std::fs::read(page).unwrap(), before, "{args:?} wrote other bytes");
        }
        check_page("every_link_in_every_generated_page_resolves (fork)", &pages[1], 4);
        check_page("every_link_in_every_generated_page_resolves (comparison)", &pages[3], 0);
    }

    /// A generated world of 120 states over sixty years (31,000 events): its report stays bounded and says
    /// what it leaves out. Each chart draws at most `MAX_LINES` lines on at most
    /// `MAX_SAMPLE_DAYS` dates; the timeline covers the first `MAX_TIMELINE_EVENTS` events to the
    /// end of a day; every link still resolves. Before these bounds, the charts had a line per
    /// state sampled on every day with an event, and the timeline a row per event: a page of
    /// 22 MB (11 s) for this world, growing with states times days.
    #[test]
    fn a_report_of_a_big_world_stays_bounded_and_says_what_it_leaves_out() {
        use casus::analysis::report::{MAX_LINES, MAX_SAMPLE_DAYS, MAX_TIMELINE_EVENTS};
        let dir = scratch("report_big_world");
        let generate =
            ["gen", "--states", "120", "--treaties", "24", "--orgs", "4", "--seed", "1", "--horizon", "21900", "--out", "big.ron"];
        assert!(casus(&generate, &dir).status.success());
        let o = casus(&["run", "big.ron", "--quiet", "--out", "big"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let events = std::fs::read_to_string(dir.join("big/events.jsonl")).unwrap().lines().filter(|l| l.starts_with("{\"seq\":")).count();
        assert!(events > MAX_TIMELINE_EVENTS, "{events} events: the timeline is not cut");
        let o = casus(&["report", "big"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let page = dir.join("big/report.html");
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.len() < 6_000_000, "the page is {} bytes", html.len());
        // The page's HTML between two markers, tags kept.
        let raw = |from: &str, to: &str| -> String {
            let start = html.find(from).unwrap_or_else(|| panic!("the page has {from}"));
            html[start..start + html[start..].find(to).unwrap_or_else(|| panic!("{to} after {from}"))].to_string()
        };
        // Each chart: at most MAX_LINES lines, each with at most MAX_SAMPLE_DAYS points (twice
        // that as steps), and a note saying what is left out.
        let charts = raw("<div class=\"charts\">", "<h2>Causal graph");
        let figures: Vec<&str> = charts.split("<figure").skip(1).collect();
        assert_eq!(figures.len(), 4);
        let mut noted = 0;
        for f in &figures {
            // A line of data is drawn 2 pixels wide (the axes 1, the legend's swatches 3).
            let lines: Vec<&str> =
                f.split("<polyline").skip(1).map(|p| &p[..p.find('>').unwrap()]).filter(|p| p.contains("stroke-width=\"2\"")).collect();
            assert!(lines.len() <= MAX_LINES, "{} lines", lines.len());
            for poly in lines {
                let points = poly.split("points=\"").nth(1).unwrap().split('"').next().unwrap().split_whitespace().count();
                assert!(points <= 2 * MAX_SAMPLE_DAYS, "{points} points");
            }
            if f.contains("lines with the highest peak are drawn;") {
                noted += 1;
                assert!(f.contains("Sampled every"), "the note does not say how the chart was sampled");
            }
        }
        assert!(noted >= 1, "no chart says it leaves lines out");
        let cut = section(&html, "<p class=\"meta\" id=\"timeline-cut\">", "</p>");
        assert!(cut.contains(&format!("The log has {} events", casus::analysis::plain::thousands(events as u64))), "{cut}");
        let rows = raw("<table id=\"timeline\">", "</table>").matches("<tr id=\"e").count();
        assert!(rows > 100 && rows <= MAX_TIMELINE_EVENTS, "{rows} timeline rows");
        let checked = check_links(&[page]);
        assert!(checked > 100, "{checked} links");
    }

    #[test]
    fn a_comparison_needs_two_different_run_folders() {
        let dir = scratch("report_compare_bad");
        assert!(casus(&["run", "--quiet", "--out", "a"], &dir).status.success());
        let o = casus(&["sweep", "--param", "intervention.opposition_weight=0,8", "--runs", "1", "--quiet", "--out", "sw"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        for (args, says) in [
            (vec!["report", "a", "a"], "both folders are the same run"),
            (vec!["report", "a", "sw"], "is a sweep folder; a comparison takes two run folders"),
            (vec!["report", "a", "missing"], "missing is not a folder"),
            (vec!["report", "a", "sw", "--png"], "--png draws a run's or a sweep's charts"),
            (vec!["report", "a", "sw", "--out", "a/events.jsonl"], "is a sweep folder"),
        ] {
            let o = casus(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
            assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        }
        // A fork.json that is not a fork's provenance is bad input, named.
        std::fs::write(dir.join("a/fork.json"), "{\"parent\": 1}").unwrap();
        let o = casus(&["report", "a"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("fork.json: error: not a fork's provenance"), "{}", stderr(&o));
        std::fs::remove_file(dir.join("a/fork.json")).unwrap();
        assert!(casus(&["run", "--quiet", "--seed", "7", "--out", "b"], &dir).status.success());
        let o = casus(&["report", "a", "b", "--out", "a/events.jsonl"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("which this command reads"), "{}", stderr(&o));
        let o = casus(&["report", "a", "b"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("wrote b/comparison.html"), "{}", stdout(&o));
        let page = std::fs::read_to_string(dir.join("b/comparison.html")).unwrap();
        assert!(page.contains("seed: <code>2023</code> on the left, <code>7</code> on the right"), "the seeds differ: {page}");
    }

    /// `casus diff --html LEFT RIGHT` is `casus report LEFT RIGHT`: the same page, byte for
    /// byte, at the same place or at `--out`; without --html, `--out` is refused.
    #[test]
    fn diff_html_writes_the_comparison_page() {
        let dir = scratch("report_diff_html");
        assert!(casus(&["run", "--quiet", "--out", "a"], &dir).status.success());
        assert!(casus(&["run", "--quiet", "--seed", "7", "--out", "b"], &dir).status.success());
        let o = casus(&["report", "a", "b"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let by_report = std::fs::read(dir.join("b/comparison.html")).unwrap();
        std::fs::remove_file(dir.join("b/comparison.html")).unwrap();
        let o = casus(&["diff", "--html", "a", "b"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("wrote b/comparison.html (comparing a with b)"), "{}", stdout(&o));
        assert_eq!(std::fs::read(dir.join("b/comparison.html")).unwrap(), by_report, "the same page as casus report a b");
        let o = casus(&["diff", "a", "b", "--html", "--out", "c.html"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(std::fs::read_to_string(dir.join("c.html")).unwrap().contains("id=\"divergence\""));
        let o = casus(&["diff", "a", "b", "--out", "d.html"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("--html"), "{}", stderr(&o));
        let o = casus(&["diff", "--html", "a", "a"], &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("both folders are the same run"), "{}", stderr(&o));
    }

    /// Printing a report to PDF in the browser gives pages, with the print style sheet (no
    /// page-wide scroll boxes, charts and rows kept whole).
    #[test]
    fn a_report_prints_to_pdf() {
        let dir = scratch("report_print");
        assert!(casus(&["run", "--quiet", "--out", "r"], &dir).status.success());
        assert!(casus(&["report", "r"], &dir).status.success());
        let html = std::fs::read_to_string(dir.join("r/report.html")).unwrap();
        assert!(html.contains("@media print") && html.contains("break-inside: avoid"), "the page has a print style sheet");
        let Some(chromium) = browser_or_skip("a_report_prints_to_pdf") else { return };
        let pdf = dir.join("r/report.pdf");
        let url = format!("file://{}", dir.join("r/report.html").canonicalize().unwrap().display());
        let o = browser(&chromium, &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer", &url]);
        assert!(o.status.success() && pdf.exists(), "{}", stderr(&o));
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "a PDF");
        // The page tree's root counts every page: the largest /Count.
        let text = String::from_utf8_lossy(&bytes);
        let pages = text
            .match_indices("/Count ")
            .filter_map(|(i, m)| text[i + m.len()..].split(|c: char| !c.is_ascii_digit()).next()?.parse::<u32>().ok())
            .max();
        assert!(pages.is_some_and(|n| (4..60).contains(&n)), "{pages:?} pages");
    }
}
