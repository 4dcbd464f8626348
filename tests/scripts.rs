//! The scripts in `scripts/` against the real binary: they find casus as the README's Install
//! section says (`$CASUS` if set, else `casus` on PATH, and an error naming both when neither
//! works); the intervention curve script shows its overrides and the exact command it runs, and
//! its curve changes across values.
//!
//! The Python parts need `python3` on PATH. Without it they print `SKIPPED (...)` with the
//! reason, unless `CASUS_REQUIRE_PYTHON` is set (as `.ci/run` does), which makes a missing
//! python3 a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{repo, scratch, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_casus");
const INSTALL: &str = "`cargo install --locked --path .`";

/// The Python interpreter itself (`sys.executable` of `python3` on PATH), so that a test can run
/// it with a PATH of its own; None after printing why the test is skipped. With
/// `CASUS_REQUIRE_PYTHON` set, a missing python3 fails the test instead.
fn python_or_skip(test: &str) -> Option<PathBuf> {
    let found = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(stdout(&o).trim()))
        .filter(|p| p.is_file());
    if found.is_none() {
        let hint = "no python3 on PATH (install Python 3, e.g. Debian's python3)";
        assert!(std::env::var_os("CASUS_REQUIRE_PYTHON").is_none(), "{test}: {hint}; CASUS_REQUIRE_PYTHON is set");
        // Written to stderr directly, not with eprintln!, so the test harness does not capture
        // it: a skip must show in the test output of a passing run.
        let note = format!("\nSKIPPED ({test}): {hint}\n");
        std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes()).unwrap();
    }
    found
}

/// Runs scripts/intervention_curve.py with `args`, in `cwd`, with `CASUS` set to `casus` (or
/// removed when None) and `PATH` set to `path` (or inherited when None).
fn curve(python: &Path, args: &[&str], casus: Option<&str>, path: Option<&Path>, cwd: &Path) -> Output {
    let mut c = Command::new(python);
    c.arg(repo().join("scripts/intervention_curve.py")).args(args).current_dir(cwd);
    match casus {
        Some(v) => c.env("CASUS", v),
        None => c.env_remove("CASUS"),
    };
    if let Some(p) = path {
        c.env("PATH", p);
    }
    c.output().expect("python3 runs")
}

/// The curve's rows: (value, P(intervention)).
fn curve_rows(text: &str, param: &str) -> Vec<(String, f64)> {
    let mut lines = text.lines().skip_while(|l| !(l.trim_start().starts_with(param) && l.contains("P(intervention)")));
    assert!(lines.next().is_some(), "no table header in {text}");
    lines
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[2].parse().unwrap_or_else(|_| panic!("bad row {l:?} in {text}")))
        })
        .collect()
}

/// The line starting with `label` in the script's header.
fn header<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label:?} line in {text}"))
}

/// P(intervention) per design point, from a sweep folder's points.csv.
fn p_intervention(dir: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(dir.join("points.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (outcome, happened) = (col("outcome"), col("happened"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[outcome] == "intervention_launched_day")
        .map(|f| f[happened].parse().unwrap())
        .collect()
}

#[test]
fn the_intervention_curve_script_shows_its_overrides_and_command_and_a_curve_that_changes() {
    let Some(python) = python_or_skip("the_intervention_curve_script_shows_its_overrides_and_command_and_a_curve_that_changes") else {
        return;
    };
    let dir = scratch("scripts_curve");

    // Without --set: the example overrides, printed, and in the command.
    let o = curve(&python, &["--values", "0,1", "--runs", "20"], Some(BIN), None, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(header(&text, "binary:"), format!("binary:    {BIN} ($CASUS)"));
    assert!(
        header(&text, "overrides:")
            .starts_with("overrides: intervention.pledge_share=0.12 intervention.launch_intercept=4 (the script's example values"),
        "{text}"
    );
    let command = header(&text, "command:").trim_start_matches("command:").trim();
    assert_eq!(
        command,
        format!(
            "{BIN} sweep --param NGA.war_opposition=0,1 --runs 20 --seed 3 --set intervention.pledge_share=0.12 \
             --set intervention.launch_intercept=4 --out sweep --quiet"
        )
    );
    let rows = curve_rows(&text, "NGA.war_opposition");
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["0", "1"], "{text}");
    assert!(rows[0].1 - rows[1].1 >= 0.3, "the curve must fall with Nigeria's opposition to war: {text}");
    // The printed command is the one that ran: run it and find the same curve.
    let words: Vec<&str> = command.split(' ').collect();
    let o = Command::new(words[0]).args(&words[1..]).current_dir(&dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let again = p_intervention(&dir.join("sweep"));
    assert_eq!(again.iter().map(|p| format!("{p:.3}")).collect::<Vec<_>>(), rows.iter().map(|r| format!("{:.3}", r.1)).collect::<Vec<_>>());

    // A --set replaces the example overrides (all of them).
    let o = curve(&python, &["--values", "0,1", "--runs", "20", "--set", "intervention.launch_intercept=6"], Some(BIN), None, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(header(&text, "overrides:"), "overrides: intervention.launch_intercept=6 (from --set)");
    let command = header(&text, "command:");
    assert!(command.contains("--set intervention.launch_intercept=6 --out") && !command.contains("pledge_share"), "{text}");
    let rows = curve_rows(&text, "NGA.war_opposition");
    assert!(rows[0].1 - rows[1].1 >= 0.3, "{text}");

    // --set none passes no override: with the catalogue's values no intervention is launched
    // on the default scenario, as the script's help says.
    let o = curve(&python, &["--values", "0,1", "--runs", "20", "--set", "none"], Some(BIN), None, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(header(&text, "overrides:").starts_with("overrides: none"), "{text}");
    assert!(!header(&text, "command:").contains("--set"), "{text}");
    assert!(curve_rows(&text, "NGA.war_opposition").iter().all(|r| r.1 == 0.0), "{text}");

    // The help names the example values and how to replace them.
    let o = curve(&python, &["--help"], Some(BIN), None, &dir);
    let help = stdout(&o);
    assert!(help.contains("intervention.pledge_share=0.12") && help.contains("--set none") && help.contains("$CASUS"), "{help}");

    // casus's own errors come back with its message and exit code.
    let o = curve(&python, &["--param", "nosuch.param", "--runs", "1"], Some(BIN), None, &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown parameter"), "{}", stderr(&o));
}

#[test]
fn the_intervention_curve_script_finds_casus_on_path_or_names_both_ways() {
    let Some(python) = python_or_skip("the_intervention_curve_script_finds_casus_on_path_or_names_both_ways") else {
        return;
    };
    let dir = scratch("scripts_find");
    let empty = dir.join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();

    // No CASUS: casus on PATH.
    let on_path = Path::new(BIN).parent().unwrap();
    let o = curve(&python, &["--values", "0,1", "--runs", "2"], None, Some(on_path), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(header(&stdout(&o), "binary:"), format!("binary:    {BIN} (casus on PATH)"));

    // CASUS names a missing file: no fallback to PATH, an error naming both.
    let missing = dir.join("no-such-dir/casus");
    let o = curve(&python, &["--runs", "2"], Some(missing.to_str().unwrap()), Some(on_path), &dir);
    assert_eq!(o.status.code(), Some(127), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with(&format!("casus not found: CASUS={} is not an executable file", missing.display())), "{err}");
    assert!(err.contains("set CASUS=/path/to/casus") && err.contains(INSTALL) && err.contains("on PATH"), "{err}");
    assert!(o.stdout.is_empty(), "nothing printed before the error");

    // Neither CASUS nor casus on PATH.
    let o = curve(&python, &["--runs", "2"], None, Some(&empty), &dir);
    assert_eq!(o.status.code(), Some(127), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("casus not found: CASUS is not set and there is no casus on PATH"), "{err}");
    assert!(err.contains("set CASUS=/path/to/casus") && err.contains(INSTALL), "{err}");

    // And with CASUS missing and no casus on PATH.
    let o = curve(&python, &["--runs", "2"], Some(missing.to_str().unwrap()), Some(&empty), &dir);
    assert_eq!(o.status.code(), Some(127), "{}", stderr(&o));
    assert!(stderr(&o).contains("CASUS=") && stderr(&o).contains(INSTALL), "{}", stderr(&o));
}

#[test]
fn the_battery_script_names_both_ways_to_find_casus() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let bash = std::env::split_paths(&path).chain([PathBuf::from("/bin")]).map(|d| d.join("bash")).find(|p| p.is_file()).expect("bash");
    let dir = scratch("scripts_battery");
    let empty = dir.join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let missing = dir.join("no-such-dir/casus");
    for casus in [Some(missing.to_str().unwrap()), None] {
        let mut c = Command::new(&bash);
        c.arg(repo().join("scripts/battery.sh")).arg(dir.join("out")).env("PATH", &empty).current_dir(&dir);
        match casus {
            Some(v) => c.env("CASUS", v),
            None => c.env_remove("CASUS"),
        };
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(127), "{casus:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.starts_with("casus not found: CASUS"), "{err}");
        assert!(err.contains("set CASUS=/path/to/casus") && err.contains(INSTALL), "{err}");
        assert!(!dir.join("out").exists(), "nothing written");
    }
    // The old form (binary first) is refused before anything is removed.
    let o = Command::new(&bash).arg(repo().join("scripts/battery.sh")).args([BIN, "out"]).current_dir(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("usage: [CASUS=/path/to/casus]"), "{}", stderr(&o));
}
