//! casus's scenario discovery (PRIM, `casus analyze --discover`) against EMA Workbench's
//! (`scripts/ema_prim_check.py`): a small sweep of the default scenario (three continuous
//! parameters and a yes/no clause; 2,000 runs), discovered by casus, then by
//! `ema_workbench.analysis.prim.Prim(...).find_box()` on the same runs with the same settings
//! (threshold 0.6: EMA returns an empty "dump" box when the last box's density is below it);
//! the peeling trajectories must agree box by box. No integer parameter: EMA Workbench 2.5.3
//! fails on one under pandas 3 when it pastes (it writes a fractional bound into the int64
//! column of its box limits: `TypeError: Invalid value '2.5' for dtype 'int64'`).
//!
//! Needs a Python with ema_workbench, pandas and numpy in `CASUS_PYTHON` (`.ci/run` makes one:
//! a venv with `pip install ema_workbench pandas numpy`). Without it the test prints
//! `SKIPPED (...)` with the reason, unless `CASUS_REQUIRE_EMA=1`, which makes it a failure.

use std::path::PathBuf;
use std::process::Command;

mod common;
use common::{casus, repo, scratch, stderr, stdout};

/// The Python to use, or None after printing why the test is skipped.
fn python_or_skip() -> Option<PathBuf> {
    let required = std::env::var("CASUS_REQUIRE_EMA").is_ok_and(|v| v == "1");
    let why = match std::env::var_os("CASUS_PYTHON") {
        None => "CASUS_PYTHON is not set (point it at a Python with EMA Workbench: python3 -m venv v && v/bin/pip install ema_workbench pandas numpy)"
            .to_string(),
        Some(p) => {
            let p = PathBuf::from(p);
            match Command::new(&p).args(["-c", "import ema_workbench.analysis.prim, pandas, numpy"]).output() {
                Ok(o) if o.status.success() => return Some(p),
                Ok(o) => format!("{} cannot import ema_workbench, pandas and numpy: {}", p.display(), stderr(&o).trim()),
                Err(e) => format!("CASUS_PYTHON={} does not run: {e}", p.display()),
            }
        }
    };
    assert!(!required, "ema: {why}; CASUS_REQUIRE_EMA=1 is set");
    // Written to stderr directly so that the skip shows in a passing run's output.
    std::io::Write::write_all(&mut std::io::stderr(), format!("\nSKIPPED (ema): {why}\n").as_bytes()).unwrap();
    None
}

/// The sweep both tools discover in.
fn sweep(dir: &std::path::Path) -> PathBuf {
    let out = dir.join("sweep");
    let o = casus(
        &[
            "sweep",
            "--param",
            "intervention.launch_intercept=0..12",
            "--param",
            "NGA.war_opposition=0..1",
            "--param",
            "intervention.opposition_weight=0..8",
            "--param",
            "ECOWAS.ucg.standby_force=choice(false,true)",
            "--design",
            "lhs:500",
            "--runs",
            "4",
            "--seed",
            "3",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn prim_agrees_with_ema_workbench_on_the_same_runs() {
    let Some(python) = python_or_skip() else { return };
    let dir = scratch("ema");
    let out = sweep(&dir);
    let o = casus(&["analyze", out.to_str().unwrap(), "--discover", "armed_conflict", "--threshold", "0.6", "--json"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = dir.join("discovery.json");
    std::fs::write(&json, stdout(&o)).unwrap();
    let check = Command::new(&python)
        .env("PYTHONHASHSEED", "0")
        .arg(repo().join("scripts/ema_prim_check.py"))
        .args([out.as_os_str(), json.as_os_str()])
        .arg("1e-9")
        .output()
        .unwrap();
    // The side-by-side table, shown in the test's output.
    std::io::Write::write_all(&mut std::io::stderr(), stdout(&check).as_bytes()).unwrap();
    assert!(check.status.success(), "EMA Workbench disagrees:\n{}\n{}", stdout(&check), stderr(&check));
    assert!(stdout(&check).contains("agrees with EMA Workbench"));
}
