//! Sensitivity sweeps against the real binary: `--design sobol:N` and `morris:R[:levels]` on the
//! command line and in plan files, sharded, killed and resumed like every design; `casus
//! analyze` on their folders (tables, JSON, sensitivity.csv), and every refusal (exit 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{casus, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("analyze_{name}"))
}

const FILES: &[&str] = &["runs.csv", "checksums.jsonl", "points.csv", "manifest.json"];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs: {} {}", a.display(), b.display());
    }
}

/// A Sobol design over a continuous parameter, an integer and a yes/no clause, with the launch
/// vote raised so that the outcomes vary: 8 x (3 + 2) = 40 points.
const SOBOL: &[&str] = &[
    "sweep",
    "--param",
    "NGA.war_opposition=0..1",
    "--param",
    "ECOWAS.ucg.ultimatum_days=0..10",
    "--param",
    "ECOWAS.ucg.standby_force=choice(false,true)",
    "--set",
    "intervention.launch_intercept=6",
    "--design",
    "sobol:8",
    "--runs",
    "3",
    "--seed",
    "5",
    "--quiet",
];

fn run(plan: &[&str], dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args: Vec<&str> = plan.to_vec();
    args.extend(["--out", out]);
    args.extend(extra);
    casus(&args, dir)
}

fn points_of(dir: &Path) -> u64 {
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["points"].as_u64().unwrap()
}

#[test]
fn a_sobol_sweep_is_analysed_into_tables_json_and_sensitivity_csv() {
    let dir = scratch("sobol");
    let o = run(SOBOL, &dir, "s", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(points_of(&dir.join("s")), 40);
    // The Saltelli layout: A, AB_1..AB_3, B; AB_1 differs from A in the first parameter only.
    let csv = std::fs::read_to_string(dir.join("s/runs.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let at = |point: usize| &rows[point * 3][4..7];
    assert_eq!(at(5)[1..], at(6)[1..], "AB_1 keeps A's other values");
    assert_eq!(at(8)[..2], at(5)[..2], "AB_3 keeps A's first two values");
    assert_eq!(at(8)[2], at(9)[2], "AB_3 takes B's third value");
    assert!(rows.iter().all(|r| ["false", "true"].contains(&r[6]) && r[5].parse::<u32>().is_ok_and(|d| d <= 10)), "kinds kept");

    let o = casus(&["analyze", "s"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("sobol:8 over 3 parameters: 40 points x 3 runs; 95% intervals (±) from 1000 bootstrap resamples"), "{text}");
    assert!(text.contains("armed_conflict (probability)") && text.contains("S1") && text.contains("ST"), "{text}");
    assert!(text.contains("sanctions_days (probability)") || text.contains("sanctions_days (mean)"), "{text}");
    assert!(text.contains("wrote s/sensitivity.csv") || text.contains("wrote s\\sensitivity.csv"), "{text}");
    let table = std::fs::read_to_string(dir.join("s/sensitivity.csv")).unwrap();
    assert!(table.starts_with("outcome,measure,parameter,S1,S1_conf,ST,ST_conf\n"), "{table}");
    assert!(table.contains("armed_conflict,probability,ECOWAS.ucg.standby_force,"), "{table}");
    assert!(!dir.join("s/sensitivity_s2.csv").exists());

    // The same again, byte for byte (the bootstrap is seeded); JSON; one outcome.
    let o = casus(&["analyze", "s", "--json", "--outcome", "armed_conflict"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["design"], "sobol:8");
    assert_eq!(v["outcomes"].as_array().unwrap().len(), 1);
    let first = &v["outcomes"][0];
    assert_eq!(first["outcome"], "armed_conflict");
    assert_eq!(first["parameters"].as_array().unwrap().len(), 3);
    for key in ["S1", "S1_conf", "ST", "ST_conf"] {
        assert!(first["parameters"][2][key].is_f64(), "{key}: {first}");
    }
    // Without the standby-force clause the force is never launched: the clause matters most.
    let st = |j: usize| first["parameters"][j]["ST"].as_f64().unwrap();
    assert!(st(2) > st(0) && st(2) > st(1), "{first}");
    let only = std::fs::read_to_string(dir.join("s/sensitivity.csv")).unwrap();
    assert!(only.lines().skip(1).all(|l| l.starts_with("armed_conflict,")) && only.lines().count() == 4, "{only}");
    assert!(casus(&["analyze", "s"], &dir).status.success());
    assert_eq!(std::fs::read_to_string(dir.join("s/sensitivity.csv")).unwrap(), table);

    // A plan file says the same as the command line.
    std::fs::write(
        dir.join("plan.ron"),
        "(params: [(\"NGA.war_opposition\", \"0..1\"), (\"ECOWAS.ucg.ultimatum_days\", \"0..10\"), (\"ECOWAS.ucg.standby_force\", \"choice(false,true)\")],\n \
         set: [(\"intervention.launch_intercept\", \"6\")], design: Sobol(8), runs: 3, seed: 5)",
    )
    .unwrap();
    let o = casus(&["sweep", "plan.ron", "--quiet", "--out", "p"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("s"), &dir.join("p"));
}

#[test]
fn second_order_and_morris_designs() {
    let dir = scratch("designs");
    let mut plan: Vec<&str> = SOBOL.to_vec();
    let at = plan.iter().position(|a| *a == "sobol:8").unwrap();
    plan[at] = "sobol:4:2";
    let o = run(&plan, &dir, "s2", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(points_of(&dir.join("s2")), 4 * 8);
    let o = casus(&["analyze", "s2", "--outcome", "armed_conflict"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("second order (S2), largest first:"), "{}", stdout(&o));
    let s2 = std::fs::read_to_string(dir.join("s2/sensitivity_s2.csv")).unwrap();
    assert!(s2.starts_with("outcome,measure,parameter,parameter2,S2,S2_conf\n") && s2.lines().count() == 4, "{s2}");

    plan[at] = "morris:6";
    let o = run(&plan, &dir, "m", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(points_of(&dir.join("m")), 6 * 4);
    // Each trajectory moves one parameter at a time, on the grid of 4 levels.
    let csv = std::fs::read_to_string(dir.join("m/runs.csv")).unwrap();
    let pts: Vec<Vec<String>> = csv.lines().skip(1).step_by(3).map(|l| l.split(',').skip(4).take(3).map(String::from).collect()).collect();
    for t in pts.chunks(4) {
        for s in 0..3 {
            assert_eq!((0..3).filter(|&j| t[s][j] != t[s + 1][j]).count(), 1, "{t:?}");
        }
        assert!(t.iter().all(|p| ["0.0", "0.3333333333333333", "0.6666666666666666", "1.0"].contains(&p[0].as_str())), "{t:?}");
    }
    let o = casus(&["analyze", "m", "--json"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["design"], "morris:6:4");
    let p = &v["outcomes"][0]["parameters"][0];
    for key in ["mu_star", "mu_star_conf", "mu", "sigma"] {
        assert!(p[key].is_f64(), "{key}: {p}");
    }
    let table = std::fs::read_to_string(dir.join("m/sensitivity.csv")).unwrap();
    assert!(table.starts_with("outcome,measure,parameter,mu_star,mu_star_conf,mu,sigma\n"), "{table}");
    // Morris(R, levels) in a plan file.
    std::fs::write(dir.join("plan.ron"), "(params: [(\"NGA.war_opposition\", \"0..1\")], design: Morris(3, 6), runs: 1)").unwrap();
    let o = casus(&["sweep", "plan.ron", "--quiet", "--out", "pm"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(points_of(&dir.join("pm")), 6);
    let csv = std::fs::read_to_string(dir.join("pm/runs.csv")).unwrap();
    assert!(csv.lines().skip(1).all(|l| ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"].contains(&l.split(',').nth(4).unwrap())), "{csv}");
}

#[test]
fn sensitivity_sweeps_shard_merge_and_resume_like_every_design() {
    let dir = scratch("resume");
    assert!(run(SOBOL, &dir, "whole", &[]).status.success());
    for k in 0..2 {
        let o = run(SOBOL, &dir, &format!("s{k}"), &["--shard", &format!("{k}/2")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // A shard is refused by analyze; the merged folder is the whole sweep.
    let o = casus(&["analyze", "s0"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("s0 is shard 0/2 of a sweep; merge the shards first"), "{}", stderr(&o));
    let o = casus(&["merge", "s0", "s1", "--out", "merged"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("whole"), &dir.join("merged"));

    // Killed mid-sweep, then resumed: the same points, the same files.
    let mut args: Vec<&str> = SOBOL.to_vec();
    let at = args.iter().position(|a| *a == "3").unwrap();
    args[at] = "12"; // runs per point: 480 runs, time to kill it
    args.extend(["--jobs", "1", "--out", "killed"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(&args)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rows = dir.join("killed/runs.csv");
    for _ in 0..4000 {
        let n = std::fs::read(&rows).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0);
        if n >= 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let written = std::fs::read(&rows).unwrap().iter().filter(|c| **c == b'\n').count();
    assert!((20..480).contains(&written), "killed after {written} rows: the test needs a mid-sweep kill");
    // An unfinished sweep is refused by analyze.
    let o = casus(&["analyze", "killed"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the sweep is not finished (its manifest says \"running\")"), "{}", stderr(&o));
    args.push("--resume");
    let o = casus(&args, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    args.pop();
    *args.last_mut().unwrap() = "full";
    assert!(casus(&args, &dir).status.success());
    same_files(&dir.join("full"), &dir.join("killed"));
    assert!(casus(&["analyze", "killed"], &dir).status.success());
}

#[test]
fn analyze_refuses_what_it_cannot_analyse_with_exit_2() {
    let dir = scratch("refusals");
    let o = casus(&["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1", "--quiet", "--out", "grid"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run(SOBOL, &dir, "s", &[]).status.success());
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("file"), "x").unwrap();
    let refused = |args: &[&str], why: &str| {
        let o = casus(args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
    };
    refused(
        &["analyze", "grid"],
        "grid: the sweep's design is grid; casus analyze needs a sensitivity design: sweep with --design sobol:N",
    );
    refused(&["analyze", "empty"], "empty is not a sweep folder (it has no manifest.json)");
    refused(&["analyze", "file"], "file is not a folder");
    refused(&["analyze", "nowhere"], "nowhere is not a folder");
    refused(
        &["analyze", "s", "--outcome", "armed_conflicts"],
        "--outcome armed_conflicts: the sweep has no such outcome; analysable outcomes are",
    );

    // A complete manifest over missing runs (a row lost).
    let cut = dir.join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    for f in FILES.iter().chain(&[".casus-output"]) {
        std::fs::copy(dir.join("s").join(f), cut.join(f)).unwrap();
    }
    let csv = std::fs::read_to_string(cut.join("runs.csv")).unwrap();
    let kept: Vec<&str> = csv.lines().collect();
    std::fs::write(cut.join("runs.csv"), kept[..kept.len() - 1].join("\n") + "\n").unwrap();
    refused(&["analyze", "cut"], "runs.csv holds 119 runs, not the 120 of 40 points x 3 runs (point 39 is short); the sweep is incomplete");
    // A manifest that does not parse.
    std::fs::write(cut.join("manifest.json"), "{").unwrap();
    refused(&["analyze", "cut"], "manifest.json: EOF while parsing");

    // Designs that do not fit, on the command line and in plan files, before anything is written.
    for (design, why) in [
        ("sobol:8:3", "a Sobol design of order 3: give 1 (first-order and total indices) or 2"),
        ("sobol:0", "bad design \"sobol:0\""),
        ("morris:1", "a Morris design of 1 trajectory: give at least 2"),
        ("morris:4:3", "a Morris design of 3 levels: give an even number from 2 to 1000"),
        ("morris:4:x", "expected grid, oat, random:N, lhs:N, sobol:N, sobol:N:2, morris:R or morris:R:LEVELS"),
        ("lhs:4:2", "bad design \"lhs:4:2\""),
    ] {
        let o = casus(&["sweep", "--param", "NGA.war_opposition=0..1", "--design", design, "--runs", "1", "--quiet", "--out", "bad"], &dir);
        assert_eq!(o.status.code(), Some(2), "{design}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{design}: {}", stderr(&o));
        assert!(!dir.join("bad").exists());
    }
    for (design, why) in [
        ("Sobol(0)", "the design sobol:0 has no points"),
        ("Sobol(8, 3)", "a Sobol design of order 3"),
        ("Morris(1)", "a Morris design of 1 trajectory"),
        ("Morris(4, 5)", "a Morris design of 5 levels"),
    ] {
        std::fs::write(dir.join("plan.ron"), format!("(params: [(\"NGA.war_opposition\", \"0..1\")], design: {design}, runs: 1)")).unwrap();
        let o = casus(&["sweep", "plan.ron", "--quiet", "--out", "bad"], &dir);
        assert_eq!(o.status.code(), Some(2), "{design}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{design}: {}", stderr(&o));
        assert!(!dir.join("bad").exists());
    }
    // A list is for grids: a sensitivity design samples ranges, as random and lhs do.
    let o = casus(&["sweep", "--param", "NGA.war_opposition=0,1", "--design", "sobol:4", "--runs", "1", "--quiet", "--out", "bad"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a list is for grid and oat designs"), "{}", stderr(&o));
}

/// Scenario discovery (`--discover`) on a sweep of any design: the peeling trajectory and the
/// chosen box printed, as JSON and in discovery.csv, the same at every call; the yes/no clause
/// without which no force is launched is among the chosen box's restrictions.
#[test]
fn discover_finds_the_box_of_a_yes_no_outcome_in_any_design() {
    let dir = scratch("discover");
    // SOBOL's parameters in a Latin hypercube of 60 points, 4 runs each.
    let lhs: Vec<&str> = SOBOL
        .iter()
        .map(|a| match *a {
            "sobol:8" => "lhs:60",
            "3" => "4",
            a => a,
        })
        .collect();
    let o = run(&lhs, &dir, "l", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = casus(&["analyze", "l", "--discover", "armed_conflict"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.starts_with("PRIM on armed_conflict: 240 runs, "), "{table}");
    assert!(table.contains("peeling trajectory:") && table.contains("<- chosen") && table.contains("wrote l/discovery.csv"), "{table}");
    assert!(
        table.lines().any(|l| l.trim_start().starts_with("ECOWAS.ucg.standby_force ") && l.ends_with(" true   (all runs: false, true)")),
        "{table}"
    );
    assert_eq!(stdout(&casus(&["analyze", "l", "--discover", "armed_conflict"], &dir)), table, "deterministic");
    let csv = std::fs::read_to_string(dir.join("l/discovery.csv")).unwrap();
    assert!(csv.starts_with("box,stage,coverage,density,mass,runs,cases,restricted,chosen,p_NGA_war_opposition_lower,p_NGA_war_opposition_upper,p_ECOWAS_ucg_ultimatum_days_lower,p_ECOWAS_ucg_ultimatum_days_upper,p_ECOWAS_ucg_standby_force_values\n0,start,1,"), "{csv}");
    let j: serde_json::Value =
        serde_json::from_str(&stdout(&casus(&["analyze", "l", "--discover", "armed_conflict", "--threshold", "0.6", "--json"], &dir)))
            .unwrap();
    let trajectory = j["trajectory"].as_array().unwrap();
    assert!(trajectory.len() > 2 && trajectory[0]["coverage"] == 1.0 && trajectory[0]["mass"] == 1.0);
    let chosen = &trajectory[j["chosen"].as_u64().unwrap() as usize];
    assert!(chosen["density"].as_f64().unwrap() >= 0.6, "{chosen}");
    let dense_enough = trajectory.iter().filter(|b| b["density"].as_f64().unwrap() >= 0.6);
    assert!(dense_enough.clone().all(|b| b["coverage"].as_f64() <= chosen["coverage"].as_f64()), "the dense box of largest coverage");
    let csv = std::fs::read_to_string(dir.join("l/discovery.csv")).unwrap();
    assert_eq!(csv.lines().count(), trajectory.len() + 1);
    // --box picks another box; a numeric outcome takes a comparison.
    let o = casus(&["analyze", "l", "--discover", "armed_conflict", "--box", "1", "--json"], &dir);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((j["chosen"].as_u64(), j["rule"].as_str()), (Some(1), Some("--box 1")));
    let o = casus(&["analyze", "l", "--discover", "casualties_military>1000"], &dir);
    assert!(o.status.success() && stdout(&o).starts_with("PRIM on casualties_military>1000: 240 runs, 55 cases"), "{}", stderr(&o));

    let refused = |args: &[&str], why: &str| {
        let o = casus(args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
    };
    refused(
        &["analyze", "l", "--discover", "casualties_military"],
        "say which runs are cases, such as casualties_military=VALUE or casualties_military>N",
    );
    refused(&["analyze", "l", "--discover", "armed_conflicts"], "\"armed_conflicts\" is not an outcome; outcomes are");
    refused(&["analyze", "l", "--discover", "final_regime>2"], "final_regime is not a number; give final_regime=VALUE");
    refused(&["analyze", "l", "--discover", "armed_conflict", "--box", "999"], "--box 999: the trajectory has boxes 0 to");
    refused(&["analyze", "l", "--box", "1"], "--box chooses a scenario-discovery box; give --discover OUTCOME with it");
    refused(&["analyze", "l", "--discover", "armed_conflict", "--peel-alpha", "0"], "--peel-alpha 0: give a share between 0 and 1");
    refused(
        &["analyze", "l", "--discover", "casualties_military>1e9"],
        "0 of the 240 runs are cases; PRIM needs some runs that are and some that are not",
    );
}
