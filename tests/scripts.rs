//! The scripts in `scripts/` and the sweep examples of README.md and docs/sweeps.md, against the
//! real binary: the scripts find casus as the README's Install section says (`$CASUS` if set,
//! else `casus` on PATH, and an error naming both when neither works); the intervention curve
//! script shows its overrides and the exact command it runs, and its curve changes across
//! values; every documented sweep shows an effect on its outcomes, and every output shown in
//! the docs is what the binary prints.
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

fn spread(p: &[f64]) -> f64 {
    p.iter().cloned().fold(f64::MIN, f64::max) - p.iter().cloned().fold(f64::MAX, f64::min)
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
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["0.0", "1.0"], "{text}");
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

/// A fenced block of a Markdown file: its info string, its lines, and whether only blank lines
/// separate it from the block before.
struct Block {
    info: String,
    lines: Vec<String>,
    follows: bool,
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    let mut text_between = true;
    for line in md.lines() {
        if let Some(info) = line.strip_prefix("```") {
            match open.take() {
                Some(b) => {
                    out.push(b);
                    text_between = false;
                }
                None => open = Some(Block { info: info.trim().to_string(), lines: Vec::new(), follows: !text_between }),
            }
        } else if let Some(b) = open.as_mut() {
            b.lines.push(line.to_string());
        } else if !line.trim().is_empty() {
            text_between = true;
        }
    }
    out
}

/// The shell commands of a block, continuation lines joined, comment lines dropped.
fn commands(b: &Block) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in &b.lines {
        if cur.is_empty() && line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => cur.push_str(head),
            None => {
                cur.push_str(line);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    out
}

/// The arguments after `casus sweep` in a command line (however the binary is named: `casus`,
/// `"$casus"`, `${CASUS:-casus}`), up to a comment or the next command; None without one.
fn sweep_args(command: &str) -> Option<Vec<String>> {
    let words: Vec<String> = command.split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_string()).collect();
    let at = (1..words.len()).find(|&i| words[i] == "sweep" && words[i - 1].trim_end_matches('}').ends_with("casus"))?;
    Some(words[at + 1..].iter().take_while(|w| !w.starts_with('#') && !["&&", "||", "|", ";"].contains(&w.as_str())).cloned().collect())
}

/// Whether a documented sweep has a sensitivity design (`sobol`, `morris`, on the command line or
/// in its plan file): those are shown for their indices (docs/sweeps.md), on thousands of runs
/// per design at any run count, and are not re-run here; tests/analyze.rs runs such sweeps,
/// from the command line and from plan files, and `casus analyze` on them.
fn sensitivity_design(args: &[String]) -> bool {
    args.iter().any(|a| a.starts_with("sobol:") || a.starts_with("morris:"))
        || args.iter().filter(|a| a.ends_with(".ron")).any(|plan| {
            let text = std::fs::read_to_string(repo().join(plan)).unwrap_or_default();
            text.contains("design: Sobol(") || text.contains("design: Morris(")
        })
}

/// The sweep examples of a doc, reduced to their design: the options that place the output or
/// set the run count or the sharding dropped, a plan file's path made absolute.
fn design(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" | "--runs" | "--shard" | "--jobs" => {
                it.next();
            }
            "--quiet" | "--resume" | "--force" | "--events" => {}
            path if path.ends_with(".ron") => out.push(repo().join(path).to_string_lossy().into_owned()),
            _ => out.push(a.clone()),
        }
    }
    out
}

/// Each line of `excerpt` that is not blank or `...` appears in `output`, in order.
fn check_excerpt(doc: &str, command: &str, excerpt: &[String], output: &str) {
    let mut lines = output.lines();
    for want in excerpt.iter().filter(|l| !l.trim().is_empty() && l.trim() != "...") {
        assert!(
            lines.any(|l| l == want),
            "{doc}: the output shown for `{command}` is not what it prints: {want:?} not found (in order) in\n{output}"
        );
    }
}

#[test]
fn every_documented_sweep_shows_an_effect_and_its_shown_output_is_real() {
    let dir = scratch("scripts_docs");
    let mut examples = 0;
    let mut excerpts = 0;
    for doc in ["README.md", "docs/sweeps.md"] {
        let bs = blocks(&std::fs::read_to_string(repo().join(doc)).unwrap());
        let mut found = 0;
        for (i, b) in bs.iter().enumerate() {
            if b.info != "sh" {
                continue;
            }
            let cmds = commands(b);
            for cmd in &cmds {
                let Some(args) = sweep_args(cmd) else { continue };
                found += 1;
                if sensitivity_design(&args) {
                    continue;
                }
                // The design at 30 runs per point: P(intervention) must differ between points.
                let out = format!("e{examples}");
                let mut a: Vec<String> = vec!["sweep".into()];
                a.extend(design(&args));
                a.extend(["--runs", "30", "--out", &out, "--quiet"].map(String::from));
                let o = Command::new(BIN).args(&a).current_dir(&dir).output().unwrap();
                assert!(o.status.success(), "{doc}: `{cmd}`: {}", stderr(&o));
                let p = p_intervention(&dir.join(&out));
                assert!(spread(&p) >= 0.3, "{doc}: `{cmd}` shows no effect: P(intervention) per point {p:?}");
                examples += 1;
            }
            // A block holding one command, followed at once by a text block: that is its output.
            let Some(shown) = bs.get(i + 1).filter(|n| n.info == "text" && n.follows && cmds.len() == 1) else { continue };
            let cmd = &cmds[0];
            assert!(!cmd.contains(['"', '\'', '$', '|']), "{doc}: `{cmd}` is shown with its output: keep it a plain command");
            let words: Vec<&str> = cmd.split_whitespace().collect();
            let run_dir = dir.join(format!("x{excerpts}"));
            std::fs::create_dir_all(&run_dir).unwrap();
            let o = match words[0] {
                // A plan or scenario file is the repository's, as a reader in its root runs it.
                "casus" => Command::new(BIN)
                    .args(
                        words[1..]
                            .iter()
                            .map(|w| if w.ends_with(".ron") { repo().join(w).to_string_lossy().into_owned() } else { w.to_string() }),
                    )
                    .current_dir(&run_dir)
                    .output()
                    .unwrap(),
                "python3" => {
                    let Some(python) = python_or_skip(&format!("the output shown in {doc} for `{cmd}`")) else { continue };
                    Command::new(python)
                        .arg(repo().join(words[1]))
                        .args(&words[2..])
                        .env("CASUS", BIN)
                        .current_dir(&run_dir)
                        .output()
                        .unwrap()
                }
                other => panic!("{doc}: no way to check the output of `{other}`"),
            };
            assert!(o.status.success(), "{doc}: `{cmd}`: {}", stderr(&o));
            check_excerpt(doc, cmd, &shown.lines, &stdout(&o));
            excerpts += 1;
        }
        assert!(found > 0, "{doc} shows no casus sweep example");
    }
    // README: one sweep; docs/sweeps.md: the grid, the plan file, the kinds (a grid, an LHS on
    // the command line and from its plan file, a normal), Slurm, GNU parallel.
    assert!(examples >= 9, "{examples} sweep examples found");
    assert!(excerpts >= 4, "{excerpts} outputs checked");
}
