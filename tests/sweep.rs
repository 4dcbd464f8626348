//! Sweep tests against the real binary: results do not depend on --jobs; merged shards equal
//! the unsharded sweep; a killed sweep resumed equals an uninterrupted one; common random
//! numbers hold; parameters of every kind work in every design (issue 22); bad plans are clear
//! errors with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{casus, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("sweep_{name}"))
}

/// Every file of a finished sweep with `--jsonl` (the Parquet files with the `parquet` feature).
const FILES: &[&str] = &[
    "runs.csv",
    "runs.jsonl",
    "checksums.jsonl",
    "points.csv",
    "manifest.json",
    #[cfg(feature = "parquet")]
    "runs.parquet",
    #[cfg(feature = "parquet")]
    "points.parquet",
];

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

fn events_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir.join("events")).unwrap().flatten().map(|e| format!("events/{}", e.file_name().to_string_lossy())).collect();
    v.sort();
    v
}

const PLAN: &[&str] = &[
    "sweep",
    "--param",
    "NGA.war_opposition=0,1",
    "--param",
    "pledge.propensity=0..1:2",
    "--runs",
    "4",
    "--seed",
    "5",
    "--quiet",
    "--jsonl",
];

/// A sampled design over parameters of every kind: an integer (uniform and normal), a
/// continuous one drawn from a normal, a regime and a yes/no clause.
const KINDS_PLAN: &[&str] = &[
    "sweep",
    "--param",
    "junta.review_days=1..30",
    "--param",
    "ECOWAS.ucg.ultimatum_days=normal(5,3,0,10)",
    "--param",
    "NGA.war_opposition=normal(0.5,0.2)",
    "--param",
    "NER.regime=choice(Junta,Transitional)",
    "--param",
    "ECOWAS.ucg.standby_force=choice(false,true)",
    "--design",
    "lhs:5",
    "--runs",
    "3",
    "--seed",
    "5",
    "--quiet",
    "--jsonl",
];

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> Output {
    sweep_plan(PLAN, dir, out, extra)
}

fn sweep_plan(plan: &[&str], dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args: Vec<&str> = plan.to_vec();
    args.extend(["--out", out]);
    args.extend(extra);
    casus(&args, dir)
}

#[test]
fn results_do_not_depend_on_the_number_of_jobs() {
    let dir = scratch("jobs");
    for (plan, name, rows_expected) in [(PLAN, "grid", 16), (KINDS_PLAN, "kinds", 15)] {
        for jobs in ["1", "2", "3"] {
            let o = sweep_plan(plan, &dir, &format!("{name}{jobs}"), &["--jobs", jobs]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        same_files(&dir.join(format!("{name}1")), &dir.join(format!("{name}2")), FILES);
        same_files(&dir.join(format!("{name}1")), &dir.join(format!("{name}3")), FILES);
        let rows = std::fs::read_to_string(dir.join(format!("{name}1/runs.csv"))).unwrap();
        assert_eq!(rows.lines().count(), 1 + rows_expected, "header and one row per run");
        let ids: Vec<&str> = rows.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(ids, (0..rows_expected).map(|i| i.to_string()).collect::<Vec<_>>());
    }
}

#[test]
fn merged_shards_equal_the_unsharded_sweep_including_event_logs() {
    for (plan, name) in [(PLAN, "shards"), (KINDS_PLAN, "shards_kinds")] {
        let dir = scratch(name);
        assert!(sweep_plan(plan, &dir, "whole", &["--events"]).status.success());
        for k in 0..3 {
            let shard = format!("{k}/3");
            let o = sweep_plan(plan, &dir, &format!("s{k}"), &["--events", "--shard", &shard]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let o = casus(&["merge", "s2", "s0", "s1", "--out", "merged"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        same_files(&dir.join("whole"), &dir.join("merged"), FILES);
        let ev = events_files(&dir.join("whole"));
        assert_eq!(ev, events_files(&dir.join("merged")));
        let refs: Vec<&str> = ev.iter().map(|s| s.as_str()).collect();
        same_files(&dir.join("whole"), &dir.join("merged"), &refs);
    }
}

/// The swept parameters' values at each design point of a finished sweep (from runs.csv,
/// replication 0), by parameter name.
fn point_values(dir: &Path, names: &[&str]) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    let replication = column("replication");
    // A parameter's column: `p_` and its name with `.` (any character but letters and digits) as `_`.
    let columns: Vec<usize> = names.iter().map(|n| column(&casus::sweep::columns::column_name(n))).collect();
    lines
        .map(|l| l.split(',').collect::<Vec<&str>>())
        .filter(|cells| cells[replication] == "0")
        .map(|cells| columns.iter().map(|c| cells[*c].to_string()).collect())
        .collect()
}

fn whole_numbers(points: &[Vec<String>], j: usize) -> Vec<i64> {
    points.iter().map(|p| p[j].parse::<i64>().unwrap_or_else(|_| panic!("{} is not a whole number", p[j]))).collect()
}

/// Sorted, the k-th of n values of an integer in [lo, hi] stands for the draws within 1/2 of
/// it, the units [(v - lo)/m, (v - lo + 1)/m) with m = hi - lo + 1; that interval must meet the
/// k-th stratum [k/n, (k+1)/n).
fn assert_stratified(mut values: Vec<i64>, lo: i64, hi: i64, what: &str) {
    let (n, m) = (values.len() as f64, (hi - lo + 1) as f64);
    values.sort();
    for (k, v) in values.iter().enumerate() {
        assert!((lo..=hi).contains(v), "{what}: {v} outside [{lo}, {hi}]");
        let (a, b) = ((v - lo) as f64 / m, (v - lo + 1) as f64 / m);
        assert!(a < (k + 1) as f64 / n && (k as f64) / n < b, "{what}: value {v} is not in stratum {k}: {values:?}");
    }
    for v in lo..=hi {
        let count = values.iter().filter(|x| **x == v).count() as f64;
        assert!(count == (n / m).floor() || count == (n / m).ceil(), "{what}: {v} appears {count} times in {values:?}");
    }
}

/// The issue's example: an LHS over two integer parameters and one categorical one on the
/// default scenario; the values are in runs.csv, whole, one per stratum, and the clause's two
/// levels have equal shares.
#[test]
fn issue_22_an_lhs_over_two_integers_and_a_categorical_keeps_strata_and_level_shares() {
    let dir = scratch("lhs_kinds");
    let names = ["junta.review_days", "ECOWAS.ucg.ultimatum_days", "ECOWAS.ucg.standby_force"];
    for (n, seed) in [(5, "3"), (12, "3"), (12, "4"), (30, "7")] {
        let out = format!("o{n}_{seed}");
        let design = format!("lhs:{n}");
        let o = casus(
            &[
                "sweep",
                "--param",
                "junta.review_days=1..30",
                "--param",
                "ECOWAS.ucg.ultimatum_days=0..10",
                "--param",
                "ECOWAS.ucg.standby_force=choice(false,true)",
                "--design",
                &design,
                "--runs",
                "2",
                "--seed",
                seed,
                "--quiet",
                "--out",
                &out,
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let points = point_values(&dir.join(&out), &names);
        assert_eq!(points.len(), n);
        assert_stratified(whole_numbers(&points, 0), 1, 30, &format!("review days, lhs:{n} seed {seed}"));
        assert_stratified(whole_numbers(&points, 1), 0, 10, &format!("ultimatum days, lhs:{n} seed {seed}"));
        let on = points.iter().filter(|p| p[2] == "true").count();
        let off = points.iter().filter(|p| p[2] == "false").count();
        assert_eq!(on + off, n, "only the two levels: {points:?}");
        assert!(on == n / 2 || on == n.div_ceil(2), "lhs:{n}: {on} of {n} points with the standby force");
    }
    // The same integer as grid steps, rounded to the nearest day.
    let o = casus(&["sweep", "--param", "ECOWAS.ucg.ultimatum_days=0..10:4", "--runs", "1", "--quiet", "--out", "grid"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let points = point_values(&dir.join("grid"), &["ECOWAS.ucg.ultimatum_days"]);
    assert_eq!(points.concat(), ["0", "3", "7", "10"]);
}

/// Every design takes every kind of parameter: continuous, integer, an enumeration and a
/// yes/no clause, each written in runs.csv the way its kind is.
#[test]
fn every_design_takes_every_kind_of_parameter() {
    let dir = scratch("design_kinds");
    let names = ["NGA.war_opposition", "ECOWAS.ucg.ultimatum_days", "NER.regime", "ECOWAS.ucg.standby_force"];
    let listed = ["0.2,0.8", "0..10:3", "Junta,Transitional", "choice(false,true)"];
    let drawn = ["normal(0.5,0.3)", "0..10", "choice(Junta,Transitional)", "choice(false,true)"];
    for (design, specs, points_expected) in
        [("grid", listed, Some(24)), ("oat", listed, None), ("random:8", drawn, Some(8)), ("lhs:8", drawn, Some(8))]
    {
        let mut args = vec!["sweep", "--design", design, "--runs", "1", "--seed", "2", "--quiet", "--out", design];
        let params: Vec<String> = names.iter().zip(specs).map(|(n, s)| format!("{n}={s}")).collect();
        for p in &params {
            args.extend(["--param", p]);
        }
        let o = casus(&args, &dir);
        assert!(o.status.success(), "{design}: {}", stderr(&o));
        let points = point_values(&dir.join(design), &names);
        if let Some(n) = points_expected {
            assert_eq!(points.len(), n, "{design}");
        }
        for p in &points {
            let opposition: f64 = p[0].parse().unwrap();
            assert!((0.0..=1.0).contains(&opposition), "{design}: {p:?}");
            assert!(matches!(p[1].parse::<i64>(), Ok(0..=10)), "{design}: {p:?}");
            assert!(["Democracy", "Junta", "Transitional"].contains(&p[2].as_str()), "{design}: {p:?}");
            assert!(["false", "true"].contains(&p[3].as_str()), "{design}: {p:?}");
        }
        // Each level of each categorical parameter appears (in oat, beside the baseline).
        for level in ["Junta", "Transitional"] {
            assert!(points.iter().any(|p| p[2] == level), "{design}: no {level} in {points:?}");
        }
        for level in ["false", "true"] {
            assert!(points.iter().any(|p| p[3] == level), "{design}: no {level} in {points:?}");
        }
        // The report charts every parameter, the categorical ones against their words.
        let page = format!("{design}.html");
        let o = casus(&["report", design, "--out", &page], &dir);
        assert!(o.status.success(), "{design}: {}", stderr(&o));
        assert!(stdout(&o).contains(" charts"), "{design}: {}", stdout(&o));
        if design == "oat" {
            // The baseline (the scenario's values), then one parameter changed at a time.
            let base = &points[0];
            assert_eq!(base[2], "Democracy", "{points:?}");
            assert!(points[1..].iter().all(|p| p.iter().zip(base).filter(|(a, b)| a != b).count() == 1), "{points:?}");
        }
    }
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let dir = scratch("merge_refusals");
    for k in 0..2 {
        assert!(sweep(&dir, &format!("s{k}"), &["--shard", &format!("{k}/2")]).status.success());
    }
    let o = casus(&["merge", "s0", "--out", "m1"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing shards: 1/2"), "{}", stderr(&o));
    let o = casus(&["merge", "s0", "s0", "--out", "m2"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("given twice"), "{}", stderr(&o));
    let mut args: Vec<&str> = PLAN.to_vec();
    args.iter_mut().for_each(|a| {
        if *a == "5" {
            *a = "6"
        }
    });
    args.extend(["--out", "other", "--shard", "1/2"]);
    assert!(casus(&args, &dir).status.success());
    let o = casus(&["merge", "s0", "other", "--out", "m3"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a shard of a different sweep"), "{}", stderr(&o));
}

#[test]
fn a_killed_sweep_resumed_equals_an_uninterrupted_one() {
    let dir = scratch("resume");
    let plan =
        ["sweep", "--param", "NGA.war_opposition=0,0.5,1", "--runs", "80", "--seed", "9", "--quiet", "--events", "--jobs", "2", "--jsonl"];
    let mut full: Vec<&str> = plan.to_vec();
    full.extend(["--out", "full"]);
    assert!(casus(&full, &dir).status.success());

    let mut child_args: Vec<&str> = plan.to_vec();
    child_args.extend(["--out", "killed"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(&child_args)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some rows are on disk, mid-sweep.
    let rows = dir.join("killed/runs.jsonl");
    for _ in 0..2000 {
        let n = std::fs::read(&rows).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0);
        if n >= 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let written = std::fs::read(&rows).unwrap().iter().filter(|c| **c == b'\n').count();
    assert!((30..240).contains(&written), "killed after {written} rows: the test needs a mid-sweep kill");
    let manifest = std::fs::read_to_string(dir.join("killed/manifest.json")).unwrap();
    assert!(manifest.contains("\"running\""));

    // Without --resume the folder is protected.
    let o = casus(&child_args, &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));

    let mut resume = child_args.clone();
    resume.push("--resume");
    let o = casus(&resume, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("full"), &dir.join("killed"), FILES);
    let ev = events_files(&dir.join("full"));
    assert_eq!(ev, events_files(&dir.join("killed")));
    let refs: Vec<&str> = ev.iter().map(|s| s.as_str()).collect();
    same_files(&dir.join("full"), &dir.join("killed"), &refs);
}

#[test]
fn common_random_numbers_give_identical_outcomes_where_a_parameter_reaches_no_draw() {
    // Combat never happens in the baseline, so the combat round limit reaches no draw: the two
    // points must agree run for run.
    let dir = scratch("crn");
    let o = casus(&["sweep", "--param", "combat.max_rounds=5,50", "--runs", "6", "--seed", "2", "--out", "o", "--quiet", "--jsonl"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("o/runs.jsonl")).unwrap();
    // The outcomes of a flat row: every field but the indices, the seed and the swept parameter.
    let outcomes = |row: &serde_json::Value| -> Vec<(String, serde_json::Value)> {
        let not_outcomes = ["run", "point", "replication", "seed", "p_combat_max_rounds"];
        row.as_object().unwrap().iter().filter(|(k, _)| !not_outcomes.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for r in 0..6 {
        assert_eq!(rows[r]["seed"], rows[r + 6]["seed"], "replication {r} shares its seed across points");
        assert_eq!(outcomes(&rows[r]), outcomes(&rows[r + 6]), "replication {r}");
    }
    assert_ne!(outcomes(&rows[0]), outcomes(&rows[1]), "different replications differ");
}

#[test]
fn a_plan_file_runs_with_its_scenario_path_relative_to_it() {
    let dir = scratch("plan_file");
    let plan = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/nigeria_war_opposition.ron");
    let o = casus(&["sweep", plan.to_str().unwrap(), "--runs", "2", "--out", "o", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = std::fs::read_to_string(dir.join("o/runs.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 5 * 2);
    assert!(rows.lines().next().unwrap().contains(",p_NGA_war_opposition,"));
}

#[test]
fn bad_specs_names_and_shards_are_clear_errors() {
    let dir = scratch("errors");
    for (args, fragment) in [
        (vec!["--param", "reliability.base=1..0:3"], "bad SPEC"),
        (vec!["--param", "reliability.base=0..1"], "needs a sampled design"),
        (vec!["--param", "reliabilty.base=0,1"], "did you mean \"reliability.base\"?"),
        (vec!["--param", "NER.cohesion=0.5,2"], "design point 1 (NER.cohesion=2)"),
        (vec!["--param", "reliability.base"], "expected NAME=SPEC"),
        (vec!["--param", "reliability.base=0,1", "--shard", "3/3"], "bad shard"),
        (vec!["--param", "reliability.base=0,1", "--design", "lhs:x"], "bad design"),
        (vec!["--param", "reliability.base=0,1", "--runs", "0"], "at least 1"),
        (
            vec!["--param", "junta.review_days=normal(5,0)", "--design", "lhs:4"],
            "--param junta.review_days: bad SPEC \"normal(5,0)\": the standard deviation of normal(mu,sigma) must be more than 0",
        ),
        (vec!["--param", "junta.review_days=normal(5)", "--design", "lhs:4"], "normal takes a mean, a standard deviation"),
        (vec!["--param", "NER.regime=choice(Junta,Empire)", "--design", "lhs:4"], "\"Empire\" is not one of Democracy, Authoritarian"),
        (vec!["--param", "NER.regime=Junta,Empire"], "\"Empire\" is not one of"),
        (vec!["--param", "ECOWAS.ucg.standby_force=yes,no"], "\"yes\" is not one of false, true"),
        (vec!["--param", "junta.review_days=1.5..30", "--design", "lhs:4"], "whole numbers only; give whole bounds (such as 2..30)"),
        (vec!["--param", "ECOWAS.ucg.ultimatum_days=0..2:5"], "0..2 holds 3 of them, fewer than the 5 steps asked"),
        (vec!["--param", "ECOWAS.ucg.ultimatum_days=1,2.5"], "whole numbers only; 2.5 is not one"),
        (vec!["--param", "NER.regime=0..1", "--design", "random:3"], "categorical (Democracy, Authoritarian, Junta, Transitional)"),
        (vec!["--param", "NER.regime=normal(0,1)", "--design", "random:3"], "or choice(Democracy,Authoritarian,Junta,Transitional)"),
        (vec!["--param", "junta.review_days=1,2", "--design", "lhs:3"], "a list is for grid and oat designs"),
        (vec!["--param", "NGA.war_opposition=normal(0.5,0.1)"], "needs a sampled design"),
        (vec!["--param", "NGA.war_opposition=0..2", "--design", "lhs:3"], "the range 0..2 goes beyond the valid range [0, 1]"),
        (vec!["--param", "NGA.war_opposition=normal(9,0.1)", "--design", "lhs:3"], "puts almost no probability"),
        (vec!["--param", "NGA.war_opposition=gauss(0,1)", "--design", "lhs:3"], "unknown distribution \"gauss\""),
        (vec!["--param", "NER.borders=choice(1,2)", "--design", "lhs:3"], "is a list or structure"),
        (
            vec!["--param", "reliability.base=0,1", "--seed", "9223372036854775808"],
            "the seed 9223372036854775808 is above 9223372036854775807 (2^63 - 1)",
        ),
    ] {
        let mut a = vec!["sweep", "--out", "o", "--quiet"];
        a.extend(args.iter());
        let o = casus(&a, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(fragment), "{args:?}: expected {fragment:?} in {}", stderr(&o));
        assert!(!dir.join("o").exists(), "{args:?}: nothing may be written");
    }
}

#[test]
fn ctrl_c_stops_a_sweep_cleanly_and_it_resumes_to_the_same_result() {
    let dir = scratch("ctrl_c");
    let plan = ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "300", "--seed", "4", "--quiet", "--jobs", "2", "--jsonl"];
    let mut full: Vec<&str> = plan.to_vec();
    full.extend(["--out", "full"]);
    assert!(casus(&full, &dir).status.success());
    let mut args: Vec<&str> = plan.to_vec();
    args.extend(["--out", "stopped"]);
    let child = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(&args)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rows = dir.join("stopped/runs.jsonl");
    for _ in 0..2000 {
        if std::fs::read(&rows).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0) >= 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(0) {
        // The sweep finished before the signal arrived: nothing to resume, but the result stands.
        same_files(&dir.join("full"), &dir.join("stopped"), FILES);
        return;
    }
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted:") && err.contains("--resume"), "{err}");
    let saved = std::fs::read_to_string(&rows).unwrap();
    assert!(saved.ends_with('\n'), "a clean stop leaves no torn line");
    let mut resume = args.clone();
    resume.push("--resume");
    let o = casus(&resume, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("full"), &dir.join("stopped"), FILES);
}

#[test]
fn two_sweeps_into_one_folder_at_once_are_refused_naming_the_holder() {
    let dir = scratch("locked");
    let plan =
        ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1000", "--seed", "4", "--quiet", "--jobs", "1", "--out", "s", "--jsonl"];
    // A second sweep, a resume and a run into a folder this process holds are refused, naming it.
    let held = casus::outdir::Lock::acquire(&dir.join("s")).unwrap();
    let mut resume = plan.to_vec();
    resume.push("--resume");
    for args in [&plan[..], &resume[..], &["run", "--quiet", "--out", "s"][..]] {
        let o = casus(args, &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("s is in use by another casus command") && err.contains(&format!("PID {}", std::process::id())), "{err}");
        assert!(err.contains("started 20"), "{err}");
    }
    assert!(!dir.join("s").exists(), "a refused command wrote nothing");
    drop(held);
    assert!(!dir.join(".s.lock").exists(), "a released lock leaves no file");
    // A sweep running in another process holds the folder: a concurrent resume is refused with
    // its PID and command, and the rows are not written twice.
    let mut child = Command::new(env!("CARGO_BIN_EXE_casus")).args(plan).current_dir(&dir).stderr(Stdio::null()).spawn().unwrap();
    for _ in 0..2000 {
        if dir.join("s/runs.jsonl").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let o = casus(&resume, &dir);
    let finished = child.try_wait().unwrap().is_some();
    if !finished {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("PID {}, `casus sweep", child.id())), "{}", stderr(&o));
    }
    // Killed, it holds nothing: the lock goes with the process.
    let _ = child.kill();
    let _ = child.wait();
    let o = casus(&resume, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.join("s/runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2000, "one header and one row per run");
    assert!(!dir.join(".s.lock").exists());
}

#[test]
fn a_parameter_both_swept_and_set_is_an_error() {
    let dir = scratch("set_and_param");
    for extra in [&["--set", "NGA.war_opposition=0.5"][..], &["--set", "pledge.propensity=0.3", "--set", "NGA.war_opposition=1"][..]] {
        let mut args = vec!["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1", "--quiet", "--out", "o"];
        args.extend(extra);
        let o = casus(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("\"NGA.war_opposition\" is both swept (--param) and fixed (--set)"), "{}", stderr(&o));
        assert!(!dir.join("o").exists(), "nothing may be written");
    }
}

/// A plan file takes the same SPECs; an error about one of its parameters names the file, the
/// line and the column of the parameter.
#[test]
fn a_plan_file_takes_every_kind_and_places_a_bad_spec_at_its_line_and_column() {
    let dir = scratch("plan_kinds");
    let plan = |review: &str| {
        format!(
            "(\n    params: [\n        (\"NER.regime\", \"choice(Junta,Transitional)\"),\n        (\"junta.review_days\", \"{review}\"),\n    ],\n    design: Lhs(4),\n    runs: 1,\n)\n"
        )
    };
    std::fs::write(dir.join("good.ron"), plan("normal(14,5,1,30)")).unwrap();
    let o = casus(&["sweep", "good.ron", "--quiet", "--out", "o"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let points = point_values(&dir.join("o"), &["NER.regime", "junta.review_days"]);
    assert_eq!(points.len(), 4);
    assert_eq!(points.iter().filter(|p| p[0] == "Junta").count(), 2, "{points:?}");
    assert!(whole_numbers(&points, 1).iter().all(|d| (1..=30).contains(d)), "{points:?}");
    std::fs::write(dir.join("bad.ron"), plan("1..30.5")).unwrap();
    let o = casus(&["sweep", "bad.ron", "--quiet", "--out", "o2"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.ron:4:10: error: params: junta.review_days: whole numbers only; give whole bounds (such as 1..30)"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("o2").exists(), "nothing may be written");
}

#[test]
fn a_plan_file_with_no_design_points_is_refused_before_anything_is_written() {
    let dir = scratch("no_points");
    for design in ["Random(0)", "Lhs(0)"] {
        std::fs::write(dir.join("plan.ron"), format!("(params: [(\"NGA.war_opposition\", \"0..1\")], design: {design}, runs: 2)")).unwrap();
        let o = casus(&["sweep", "plan.ron", "--quiet", "--out", "o"], &dir);
        assert_eq!(o.status.code(), Some(2), "{design}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("the design {design} has no points; give at least 1")), "{design}: {}", stderr(&o));
        assert!(!dir.join("o").exists(), "{design}: nothing may be written");
    }
}

#[test]
fn ctrl_c_marks_the_manifest_interrupted_and_report_says_the_sweep_is_unfinished() {
    let dir = scratch("interrupted_manifest");
    let args =
        ["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1000", "--seed", "4", "--quiet", "--jobs", "1", "--out", "s", "--jsonl"];
    let child = Command::new(env!("CARGO_BIN_EXE_casus")).args(args).current_dir(&dir).stderr(Stdio::piped()).spawn().unwrap();
    let rows = dir.join("s/runs.jsonl");
    for _ in 0..2000 {
        if std::fs::read(&rows).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0) >= 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let status = |dir: &Path| -> String {
        let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        m["status"].as_str().unwrap().to_string()
    };
    assert_eq!(status(&dir.join("s")), "interrupted");
    // A report on the unfinished sweep says what it is, not that a run's log is missing.
    let o = casus(&["report", "s"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a sweep folder without points.csv: the sweep is not finished (its manifest says \"interrupted\")"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("events.jsonl"), "{}", stderr(&o));
    let mut resume = args.to_vec();
    resume.push("--resume");
    assert!(casus(&resume, &dir).status.success());
    assert_eq!(status(&dir.join("s")), "complete");
    assert!(casus(&["report", "s"], &dir).status.success());
}

/// Resume re-verifies the runs already saved (issue 21, item 8). `full` is a complete sweep with
/// `--events`; `damaged` a copy of it with `damage` applied to its files.
mod resume_verifies {
    use super::*;

    fn copy_dir(from: &Path, to: &Path) {
        let _ = std::fs::remove_dir_all(to);
        std::fs::create_dir_all(to.join("events")).unwrap();
        for rel in ["runs.csv", "runs.jsonl", "checksums.jsonl", "points.csv", "manifest.json", ".casus-output"] {
            std::fs::copy(from.join(rel), to.join(rel)).unwrap();
        }
        for rel in events_files(from) {
            std::fs::copy(from.join(&rel), to.join(&rel)).unwrap();
        }
    }

    /// The sweep's lines of `file`, with their newlines.
    fn lines(dir: &Path, file: &str) -> Vec<String> {
        std::fs::read_to_string(dir.join(file)).unwrap().split_inclusive('\n').map(String::from).collect()
    }

    fn write_lines(dir: &Path, file: &str, lines: &[String]) {
        std::fs::write(dir.join(file), lines.concat()).unwrap();
    }

    /// Issue 21, item 8 (merge): `casus merge` verifies each shard against its checksums, as
    /// `--resume` does, and refuses a changed shard with its file and line (it copied them).
    /// A shard written by an older casus (no checksums.jsonl) is refused with what to do.
    #[test]
    fn merge_verifies_each_shard_against_its_checksums() {
        let dir = scratch("merge_verifies");
        for k in 0..2 {
            let o = sweep(&dir, &format!("s{k}"), &["--events", "--shard", &format!("{k}/2")]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let o = casus(&["merge", "s0", "s1", "--out", "merged"], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        type Damage = fn(&Path);
        let cases: [(&str, Damage, &str); 5] = [
            (
                "an edited value in runs.jsonl",
                |d| {
                    let mut l = lines(d, "runs.jsonl");
                    l[2] = l[2].replacen("\"seed\":", "\"seed\":1", 1);
                    write_lines(d, "runs.jsonl", &l);
                },
                "runs.jsonl: line 3: run 5's row is not the row that was written",
            ),
            (
                "an edited value in runs.csv",
                |d| {
                    let mut l = lines(d, "runs.csv");
                    l[4] = l[4].trim_end().to_string() + "1\n";
                    write_lines(d, "runs.csv", &l);
                },
                "runs.csv: line 5: run 7's row is not the row that was written",
            ),
            (
                "a row added at the end",
                |d| {
                    let mut l = lines(d, "runs.jsonl");
                    l.push(l[l.len() - 1].clone());
                    write_lines(d, "runs.jsonl", &l);
                },
                "runs.jsonl: line 9: a row after the sweep's last run",
            ),
            (
                "the last run's checksums removed",
                |d| {
                    let l = lines(d, "checksums.jsonl");
                    write_lines(d, "checksums.jsonl", &l[..l.len() - 1]);
                },
                "holds 7 of the shard's 8 runs whole",
            ),
            (
                "no checksums (an older casus wrote it)",
                |d| std::fs::remove_file(d.join("checksums.jsonl")).unwrap(),
                "holds runs but no checksums.jsonl, so they cannot be verified (the folder was written by an older casus): run the shard again",
            ),
        ];
        for (case, damage, fragment) in cases {
            copy_dir(&dir.join("s1"), &dir.join("damaged"));
            damage(&dir.join("damaged"));
            let _ = std::fs::remove_dir_all(dir.join("m"));
            let o = casus(&["merge", "s0", "damaged", "--out", "m"], &dir);
            assert_eq!(o.status.code(), Some(2), "{case}: {}", stderr(&o));
            assert!(stderr(&o).contains(fragment), "{case}: expected {fragment:?} in\n{}", stderr(&o));
            assert!(!dir.join("m").exists(), "{case}: nothing written");
        }
    }

    fn full(dir: &Path) -> PathBuf {
        let o = sweep(dir, "full", &["--events"]);
        assert!(o.status.success(), "{}", stderr(&o));
        dir.join("full")
    }

    fn resume(dir: &Path) -> Output {
        sweep(dir, "damaged", &["--events", "--resume"])
    }

    fn same_as_full(dir: &Path) {
        same_files(&dir.join("full"), &dir.join("damaged"), FILES);
        let ev = events_files(&dir.join("full"));
        assert_eq!(ev, events_files(&dir.join("damaged")));
        let refs: Vec<&str> = ev.iter().map(|s| s.as_str()).collect();
        same_files(&dir.join("full"), &dir.join("damaged"), &refs);
    }

    /// The folder as a kill leaves it: the first `kept` runs whole, the next one's lines cut
    /// part way (its row in runs.jsonl whole, in runs.csv torn, its log torn), no checksum for it.
    fn killed_after(dir: &Path, kept: usize) {
        let d = dir.join("damaged");
        let jsonl = lines(&d, "runs.jsonl");
        write_lines(&d, "runs.jsonl", &jsonl[..=kept]);
        let csv = lines(&d, "runs.csv");
        let torn_csv = csv[kept + 1][..csv[kept + 1].len() / 2].to_string();
        write_lines(&d, "runs.csv", &[&csv[..=kept][..], &[torn_csv]].concat());
        write_lines(&d, "checksums.jsonl", &lines(&d, "checksums.jsonl")[..kept]);
        let events = lines(&d, "events/runs-00000000.jsonl");
        let next = events.iter().position(|l| l.starts_with(&format!("{{\"record\":\"run\",\"run\":{kept},"))).unwrap();
        let torn = events[next + 3][..20].to_string();
        write_lines(&d, "events/runs-00000000.jsonl", &[&events[..next + 3][..], &[torn]].concat());
        std::fs::remove_file(d.join("points.csv")).unwrap();
        let m = std::fs::read_to_string(d.join("manifest.json")).unwrap().replace("\"complete\"", "\"running\"");
        std::fs::write(d.join("manifest.json"), m).unwrap();
    }

    /// A torn tail (docs/sweeps.md: it is dropped) resumes to the uninterrupted result; so does a
    /// folder whose last run's lines are all torn, and one cut by a full disk.
    #[test]
    fn a_torn_tail_is_dropped_and_the_sweep_resumes_to_the_same_result() {
        let dir = scratch("resume_torn");
        full(&dir);
        for kept in [0, 5, 11] {
            copy_dir(&dir.join("full"), &dir.join("damaged"));
            killed_after(&dir, kept);
            let o = resume(&dir);
            assert!(o.status.success(), "kept {kept}: {}", stderr(&o));
            same_as_full(&dir);
        }
        // A last line torn in runs.csv only, the sweep complete otherwise.
        copy_dir(&dir.join("full"), &dir.join("damaged"));
        let d = dir.join("damaged");
        let csv = std::fs::read(d.join("runs.csv")).unwrap();
        std::fs::write(d.join("runs.csv"), &csv[..csv.len() - 7]).unwrap();
        let o = resume(&dir);
        assert!(o.status.success(), "{}", stderr(&o));
        same_as_full(&dir);
    }

    /// A full disk during an `--events` sweep (the files may grow no further: writes fail) stops
    /// it with an error; resumed with room again, it ends as the uninterrupted sweep.
    #[test]
    fn a_sweep_stopped_by_a_full_disk_resumes_to_the_same_result() {
        let dir = scratch("resume_full_disk");
        full(&dir);
        let _ = std::fs::remove_dir_all(dir.join("damaged"));
        let mut args: Vec<String> = PLAN.iter().map(|s| s.to_string()).collect();
        args.extend(["--out", "damaged", "--events", "--jobs", "1"].map(String::from));
        // A file size limit of 160 KiB (the events file reaches it after a few runs); with
        // SIGXFSZ ignored, a write past it fails as on a full disk.
        let script = format!("trap '' XFSZ; ulimit -f 160; exec \"$0\" {}", args.join(" "));
        let o = Command::new("bash").args(["-c", &script, env!("CARGO_BIN_EXE_casus")]).current_dir(&dir).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("runs-00000000.jsonl"), "{}", stderr(&o));
        let saved = std::fs::read_to_string(dir.join("damaged/runs.jsonl")).unwrap().lines().count();
        assert!((1..16).contains(&saved), "the disk filled mid-sweep ({saved} rows)");
        let o = resume(&dir);
        assert!(o.status.success(), "{}", stderr(&o));
        same_as_full(&dir);
    }

    /// Every other change to the saved runs is refused (exit 2), naming the file and line, and
    /// nothing is changed.
    #[test]
    fn an_edited_saved_run_is_refused_with_its_line() {
        let dir = scratch("resume_edited");
        full(&dir);
        type Damage = fn(&Path);
        let cases: Vec<(&str, Damage, &str)> = vec![
            (
                "a duplicated row in runs.csv",
                |d| {
                    let mut l = lines(d, "runs.csv");
                    l.insert(4, l[3].clone());
                    write_lines(d, "runs.csv", &l);
                },
                "runs.csv: line 5: holds run 2 where run 3 comes next",
            ),
            (
                "the last row of runs.jsonl duplicated",
                |d| {
                    let mut l = lines(d, "runs.jsonl");
                    l.push(l[l.len() - 1].clone());
                    write_lines(d, "runs.jsonl", &l);
                },
                "runs.jsonl: line 17: a row after the sweep's last run",
            ),
            (
                "a last line of runs.csv ending in ;",
                |d| {
                    let mut l = lines(d, "runs.csv");
                    let last = l.pop().unwrap();
                    l.push(last.trim_end().to_string() + ";\n");
                    write_lines(d, "runs.csv", &l);
                },
                "runs.csv: line 17: run 15's row is not the row that was written",
            ),
            (
                "an edited value in runs.csv",
                |d| {
                    let mut l = lines(d, "runs.csv");
                    l[7] = l[7].trim_end().to_string() + "1\n";
                    write_lines(d, "runs.csv", &l);
                },
                "runs.csv: line 8: run 6's row is not the row that was written",
            ),
            (
                "an edited header in runs.csv",
                |d| {
                    let mut l = lines(d, "runs.csv");
                    l[0] = l[0].replacen("run,", "Run,", 1);
                    write_lines(d, "runs.csv", &l);
                },
                "runs.csv: line 1: the header is not the header that was written",
            ),
            (
                "an edited value in runs.jsonl",
                |d| {
                    let mut l = lines(d, "runs.jsonl");
                    l[2] = l[2].replacen("\"seed\":", "\"seed\":1", 1);
                    write_lines(d, "runs.jsonl", &l);
                },
                "runs.jsonl: line 3: run 2's row is not the row that was written",
            ),
            (
                "an edited event in a run's log",
                |d| {
                    let mut l = lines(d, "events/runs-00000000.jsonl");
                    let at = l.iter().position(|x| x.contains("\"kind\":\"SanctionsImposed\"")).unwrap();
                    l[at] = l[at].replacen("\"severity\":", "\"severity\":0", 1);
                    write_lines(d, "events/runs-00000000.jsonl", &l);
                },
                "runs-00000000.jsonl: line 1: run 0's log is not the log that was written",
            ),
            (
                "rows added beyond the checksums",
                |d| {
                    write_lines(d, "checksums.jsonl", &lines(d, "checksums.jsonl")[..10]);
                },
                "runs.jsonl: line 12: a row beyond the runs checksums.jsonl records, other than run 10's",
            ),
            ("no checksums", |d| std::fs::remove_file(d.join("checksums.jsonl")).unwrap(), "holds runs but no checksums.jsonl"),
        ];
        for (case, damage, fragment) in cases {
            copy_dir(&dir.join("full"), &dir.join("damaged"));
            damage(&dir.join("damaged"));
            let before: Vec<Vec<u8>> =
                ["runs.csv", "runs.jsonl"].iter().map(|f| std::fs::read(dir.join("damaged").join(f)).unwrap()).collect();
            let o = resume(&dir);
            assert_eq!(o.status.code(), Some(2), "{case}: {}", stderr(&o));
            assert!(stderr(&o).contains(fragment), "{case}: expected {fragment:?} in\n{}", stderr(&o));
            let after: Vec<Vec<u8>> =
                ["runs.csv", "runs.jsonl"].iter().map(|f| std::fs::read(dir.join("damaged").join(f)).unwrap()).collect();
            assert!(before == after, "{case}: nothing is cut");
        }
    }
}

/// runs.parquet and points.parquet hold runs.csv's rows with typed columns (issue 22): integers
/// (nullable days among them) as Int64, floats as Float64, clauses as Boolean, words as Utf8;
/// runs.jsonl is written only with `--jsonl`, flat and typed; a resume must keep the choice.
#[cfg(feature = "parquet")]
#[test]
fn issue_22_sweep_outputs_are_typed_and_runs_jsonl_is_opt_in() {
    use arrow_array::Array;
    use arrow_schema::DataType;
    let dir = scratch("typed");
    let plan = [
        "sweep",
        "--param",
        "NGA.war_opposition=0,1",
        "--param",
        "ECOWAS.ucg.ultimatum_days=0,7",
        "--param",
        "ECOWAS.ucg.standby_force=false,true",
        "--param",
        "NER.regime=Junta",
        "--set",
        "intervention.launch_intercept=6",
        "--runs",
        "5",
        "--seed",
        "3",
        "--quiet",
    ];
    let o = sweep_plan(&plan, &dir, "plain", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.join("plain/runs.jsonl").exists(), "runs.jsonl only with --jsonl");
    let o = sweep_plan(&plan, &dir, "plain", &["--resume", "--jsonl"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("was started without --jsonl; resume with the same arguments"), "{}", stderr(&o));

    let csv = std::fs::read_to_string(dir.join("plain/runs.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..8],
        [
            "run",
            "point",
            "replication",
            "seed",
            "p_NGA_war_opposition",
            "p_ECOWAS_ucg_ultimatum_days",
            "p_ECOWAS_ucg_standby_force",
            "p_NER_regime"
        ]
    );
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r[4] == "0.0" || r[4] == "1.0"), "floats are written with a decimal point");
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let day = column("intervention_launched_day");
    let empty_days = rows.iter().filter(|r| r[day].is_empty()).count();
    assert!(0 < empty_days && empty_days < rows.len(), "the test needs runs with and without an intervention");

    let file = std::fs::File::open(dir.join("plain/runs.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let batches: Vec<arrow_array::RecordBatch> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, header);
    for (name, data_type, nullable) in [
        ("run", DataType::Int64, false),
        ("seed", DataType::Int64, false),
        ("p_NGA_war_opposition", DataType::Float64, false),
        ("p_ECOWAS_ucg_ultimatum_days", DataType::Int64, false),
        ("p_ECOWAS_ucg_standby_force", DataType::Boolean, false),
        ("p_NER_regime", DataType::Utf8, false),
        ("intervention_launched_day", DataType::Int64, true),
        ("casualties_military", DataType::Int64, false),
        ("armed_conflict", DataType::Boolean, false),
        ("target_gdp_loss_pct", DataType::Float64, false),
        ("intervention_outcome", DataType::Utf8, true),
        ("outcome_class", DataType::Utf8, false),
    ] {
        let field = schema.field_with_name(name).unwrap();
        assert_eq!((field.data_type(), field.is_nullable()), (&data_type, nullable), "{name}");
    }
    let total: usize = batches.iter().map(|b| b.num_rows()).sum();
    let nulls: usize = batches.iter().map(|b| b.column(day).null_count()).sum();
    assert_eq!((total, nulls), (rows.len(), empty_days));
    let seeds: Vec<String> = batches
        .iter()
        .flat_map(|b| b.column(3).as_any().downcast_ref::<arrow_array::Int64Array>().unwrap().values().to_vec())
        .map(|s| s.to_string())
        .collect();
    assert_eq!(seeds, rows.iter().map(|r| r[3].to_string()).collect::<Vec<_>>(), "the same seeds as runs.csv");

    let file = std::fs::File::open(dir.join("plain/points.parquet")).unwrap();
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let points = builder.schema().clone();
    for (name, data_type) in [
        ("point", DataType::Int64),
        ("p_ECOWAS_ucg_standby_force", DataType::Boolean),
        ("outcome", DataType::Utf8),
        ("runs", DataType::Int64),
        ("mean", DataType::Float64),
    ] {
        assert_eq!(points.field_with_name(name).unwrap().data_type(), &data_type, "points.parquet {name}");
    }

    // With --jsonl: one flat object per run, its keys runs.csv's columns, its values typed.
    let o = sweep_plan(&plan, &dir, "jsonl", &["--jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("jsonl/runs.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let object = first.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut expected = header.clone();
    keys.sort();
    expected.sort();
    assert_eq!(keys, expected);
    assert!(text.lines().next().unwrap().starts_with("{\"run\":0,\"point\":0,\"replication\":0,\"seed\":"), "in column order");
    assert!(text.contains(
        "\"p_NGA_war_opposition\":0.0,\"p_ECOWAS_ucg_ultimatum_days\":0,\"p_ECOWAS_ucg_standby_force\":false,\"p_NER_regime\":\"Junta\""
    ));
    assert!(object["intervention_launched_day"].is_null() || object["intervention_launched_day"].is_u64());
    assert!(object["armed_conflict"].is_boolean() && object["target_gdp_loss_pct"].is_f64());
    same_files(&dir.join("plain"), &dir.join("jsonl"), &["runs.csv", "points.csv", "runs.parquet", "points.parquet"]);
}

/// Outcomes defined on the command line and the standard outcomes of other states
/// (docs/sweeps.md, "Outcomes you define").
const MEASURES_PLAN: &[&str] = &[
    "sweep",
    "--param",
    "NGA.war_opposition=0,1",
    "--set",
    "intervention.launch_intercept=6",
    "--runs",
    "6",
    "--seed",
    "4",
    "--quiet",
    "--outcome",
    "sanctions_on=first(SanctionsImposed, NER+MLI)",
    "--outcome",
    "coups=count(CoupStaged)",
    "--outcome",
    "ner_troops=end(troops, NER)",
    "--outcome",
    "ner_gdp=end(gdp_loss_pct, NER)",
    "--outcome",
    "ner_casualties=max(casualties_military, NER)",
    "--outcome",
    "ner_junta_day_0=at(junta, NER, 0)",
    "--outcome",
    "art6=invoked(AES, Art. 6)",
    "--outcomes-for",
    "NGA,NER",
    "--series",
    "troops,gdp_loss_pct,sanctioned",
    "--every",
    "30",
    "--series-for",
    "NER,NGA",
];

/// Every file of a finished sweep of [`MEASURES_PLAN`].
const MEASURE_FILES: &[&str] = &[
    "runs.csv",
    "checksums.jsonl",
    "points.csv",
    "manifest.json",
    "series.csv",
    #[cfg(feature = "parquet")]
    "runs.parquet",
    #[cfg(feature = "parquet")]
    "points.parquet",
    #[cfg(feature = "parquet")]
    "series.parquet",
];

/// runs.csv as a header and rows of fields.
fn runs_table(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn field<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    &row[i]
}

#[test]
fn issue_22_outcomes_you_define_match_the_run_s_log_and_state() {
    let dir = scratch("measures_values");
    let o = sweep_plan(MEASURES_PLAN, &dir, "s", &["--jobs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = runs_table(&dir.join("s"));
    // The focus's standard outcomes keep their names; other states' are prefixed; a group
    // definition writes one column per state; the focus listed in --outcomes-for is skipped.
    for column in ["NGA__intervention_launched_day", "NGA__final_regime", "NER__sanctions_on", "MLI__sanctions_on", "coups", "art6"] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    assert!(!header.iter().any(|h| h.starts_with("NER__intervention")), "{header:?}");
    assert_eq!(header.iter().filter(|h| h.starts_with("NGA__")).count(), 28);
    for (i, row) in rows.iter().enumerate() {
        // Run i of the sweep is a run of its point's scenario with its seed: its log says the same.
        let seed = field(&header, row, "seed");
        let opposition = field(&header, row, "p_NGA_war_opposition");
        let out = format!("run{i}");
        let set = format!("NGA.war_opposition={opposition}");
        let o = casus(&["run", "--seed", seed, "--set", &set, "--set", "intervention.launch_intercept=6", "--out", &out], &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let log = std::fs::read_to_string(dir.join(&out).join("events.jsonl")).unwrap();
        let events: Vec<serde_json::Value> =
            log.lines().map(|l| serde_json::from_str(l).unwrap()).filter(|e: &serde_json::Value| e.get("kind").is_some()).collect();
        let first = |kind: &str, actor: &str| {
            events
                .iter()
                .find(|e| e["kind"] == kind && e["actors"].as_array().unwrap().iter().any(|a| a == actor))
                .map(|e| e["day"].to_string())
                .unwrap_or_default()
        };
        assert_eq!(field(&header, row, "NER__sanctions_on"), first("SanctionsImposed", "NER"), "run {i}");
        assert_eq!(field(&header, row, "MLI__sanctions_on"), first("SanctionsImposed", "MLI"), "run {i}");
        let coups = events.iter().filter(|e| e["kind"] == "CoupStaged").count();
        assert_eq!(field(&header, row, "coups"), coups.to_string(), "run {i}");
        let art6 = events.iter().any(|e| e["kind"] == "ObligationArisen" && e["treaty"] == "AES" && e["article"] == "Art. 6");
        assert_eq!(field(&header, row, "art6"), art6.to_string(), "run {i}");
        // The state read at the end is the state the standard outcomes read.
        assert_eq!(field(&header, row, "ner_gdp"), field(&header, row, "target_gdp_loss_pct"), "run {i}");
        assert_eq!(field(&header, row, "ner_casualties"), field(&header, row, "casualties_military"), "run {i}");
        assert_eq!(field(&header, row, "ner_junta_day_0"), "true", "the coup is on day 0");
        assert!(field(&header, row, "ner_troops").parse::<i64>().is_ok_and(|t| t > 0), "run {i}");
    }
    // The series: day 0, 30, ... up to the horizon, for each state and quantity, in order.
    let series = std::fs::read_to_string(dir.join("s/series.csv")).unwrap();
    let mut lines = series.lines();
    assert_eq!(lines.next(), Some("run,day,date,actor,quantity,value"));
    let run0: Vec<&str> = lines.clone().filter(|l| l.starts_with("0,")).collect();
    assert_eq!(
        &run0[..6],
        [
            "0,0,2023-07-26,NER,troops,30000.0",
            "0,0,2023-07-26,NER,gdp_loss_pct,0.0",
            "0,0,2023-07-26,NER,sanctioned,0.0",
            "0,0,2023-07-26,NGA,troops,143000.0",
            "0,0,2023-07-26,NGA,gdp_loss_pct,0.0",
            "0,0,2023-07-26,NGA,sanctioned,0.0"
        ]
    );
    assert_eq!(lines.count(), rows.len() * run0.len(), "every run has as many samples");
    // Sanctions are in force in the series from the first sample after they were imposed.
    let (header0, row0) = (&header, &rows[0]);
    if let Ok(day) = field(header0, row0, "NER__sanctions_on").parse::<u32>() {
        let after =
            run0.iter().find(|l| l.contains(",NER,sanctioned,") && l.split(',').nth(1).unwrap().parse::<u32>().unwrap() >= day).unwrap();
        assert!(after.ends_with(",1.0"), "{after}");
    }
}

#[test]
fn issue_22_outcomes_and_series_do_not_depend_on_jobs_or_shards_and_resume() {
    let dir = scratch("measures_determinism");
    for jobs in ["1", "2"] {
        let o = sweep_plan(MEASURES_PLAN, &dir, &format!("j{jobs}"), &["--jobs", jobs]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    same_files(&dir.join("j1"), &dir.join("j2"), MEASURE_FILES);
    for k in 0..3 {
        let o = sweep_plan(MEASURES_PLAN, &dir, &format!("s{k}"), &["--shard", &format!("{k}/3")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = casus(&["merge", "s1", "s2", "s0", "--out", "merged"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("j1"), &dir.join("merged"), MEASURE_FILES);

    // A sweep stopped in the middle of a run's series lines resumes to the same files.
    let o = sweep_plan(MEASURES_PLAN, &dir, "cut", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cut = dir.join("cut");
    let sums = std::fs::read_to_string(cut.join("checksums.jsonl")).unwrap();
    let kept: String = sums.lines().take(5).map(|l| format!("{l}\n")).collect();
    std::fs::write(cut.join("checksums.jsonl"), kept).unwrap();
    let runs = std::fs::read_to_string(cut.join("runs.csv")).unwrap();
    let runs: String = runs.lines().take(7).map(|l| format!("{l}\n")).collect();
    std::fs::write(cut.join("runs.csv"), runs).unwrap();
    let series = std::fs::read_to_string(cut.join("series.csv")).unwrap();
    // Runs 0 to 4 kept; run 5 was being saved: its row written, one series line whole and one torn.
    let start5 = series.find("\n5,").unwrap() + 1;
    let line_end = start5 + series[start5..].find('\n').unwrap() + 1;
    let torn = &series[..line_end + 5];
    std::fs::write(cut.join("series.csv"), torn).unwrap();
    let o = sweep_plan(MEASURES_PLAN, &dir, "cut", &["--resume"]);
    assert!(o.status.success(), "{}", stderr(&o));
    same_files(&dir.join("j1"), &cut, MEASURE_FILES);

    // An edited series line is refused with its file and line.
    let series = std::fs::read_to_string(cut.join("series.csv")).unwrap();
    std::fs::write(cut.join("series.csv"), series.replacen("0,0,2023-07-26,NER,troops,30000.0", "0,0,2023-07-26,NER,troops,30001.0", 1))
        .unwrap();
    let o = sweep_plan(MEASURES_PLAN, &dir, "cut", &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("series.csv: line 1: run 0's series is not the series that was written"), "{}", stderr(&o));
}

#[test]
fn issue_22_bad_outcome_definitions_are_clear_errors() {
    let dir = scratch("measures_errors");
    let cases: &[(&[&str], &[&str])] = &[
        (&["--outcome", "x=first(SanctionImposed, NER)"], &["--outcome x", "unknown event kind \"SanctionImposed\"", "SanctionsImposed"]),
        (&["--outcome", "x=end(troops, NIG)"], &["--outcome x", "unknown state \"NIG\"", "NER, NGA"]),
        (&["--outcome", "x=end(soldiers, NER)"], &["unknown quantity \"soldiers\"", "troops", "gdp_loss_pct"]),
        (&["--outcome", "x=end(troops, members:ECOWA)"], &["unknown organisation \"ECOWA\"", "ECOWAS"]),
        (&["--outcome", "x=invoked(AES, Art. 99)"], &["no article \"Art. 99\"", "Art. 6"]),
        (&["--outcome", "x=at(troops, NER, 9999)"], &["after the scenario's horizon"]),
        (&["--outcome", "x=median(troops, NER)"], &["unknown function \"median\"", "first(KIND"]),
        (&["--outcome", "p_x=count(CoupStaged)"], &["--outcome p_x", "not starting with p_"]),
        (&["--outcome", "armed_conflict=count(CoupStaged)"], &["already a column"]),
        (&["--outcome", "x=max(regime, NER)"], &["a category"]),
        (&["--outcomes-for", "NER,XYZ"], &["--outcomes-for XYZ", "unknown state"]),
        (&["--series", "regime", "--every", "30"], &["--series regime", "category"]),
        (&["--series", "troops"], &["--series needs --every"]),
        (&["--series", "troops", "--every", "0"], &["at least 1 day"]),
    ];
    for (i, (args, words)) in cases.iter().enumerate() {
        let out = format!("e{i}");
        let mut all = vec!["sweep", "--param", "NGA.war_opposition=0,1", "--runs", "1", "--quiet", "--out", &out];
        all.extend(args.iter());
        let o = casus(&all, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        for w in *words {
            assert!(stderr(&o).contains(w), "{args:?}: {w:?} not in {}", stderr(&o));
        }
        assert!(!dir.join(&out).exists(), "{args:?}: nothing is written");
    }
    // In a plan file, at the definition's line and column.
    let plan = "(\n    params: [(\"NGA.war_opposition\", \"0,1\")],\n    runs: 1,\n    outcomes: [\n        (\"ok\", \"count(CoupStaged)\"),\n        (\"bad\", \"first(Coup, NER)\"),\n    ],\n)\n";
    std::fs::write(dir.join("plan.ron"), plan).unwrap();
    let o = casus(&["sweep", "plan.ron", "--quiet", "--out", "p"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("plan.ron:6:10: error: outcomes: bad: unknown event kind \"Coup\""), "{}", stderr(&o));
    let plan = "(\n    params: [(\"NGA.war_opposition\", \"0,1\")],\n    runs: 1,\n    series: (quantities: [\"troops\", \"soldiers\"], every: 30),\n)\n";
    std::fs::write(dir.join("plan2.ron"), plan).unwrap();
    let o = casus(&["sweep", "plan2.ron", "--quiet", "--out", "p"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("plan2.ron:4:37: error: series: soldiers: unknown quantity"), "{}", stderr(&o));
}
