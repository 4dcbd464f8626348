//! casus's sensitivity designs and estimators against SALib (`scripts/salib_check.py`): the
//! Ishigami function (Sobol, with second order), Sobol's G function (Sobol) and a function with
//! interactions (Morris), each design made and analysed by casus, then checked by SALib on the
//! same points and outputs.
//!
//! Needs a Python with SALib and numpy in `CASUS_PYTHON` (`.ci/run` makes one: a venv with
//! `pip install SALib numpy`). Without it the test prints `SKIPPED (...)` with the reason, unless
//! `CASUS_REQUIRE_SALIB=1`, which makes it a failure.

use std::f64::consts::PI;
use std::path::PathBuf;
use std::process::Command;

use casus::sweep::sensitivity::{morris, morris_indices, saltelli, sobol_indices};
use serde_json::json;

mod common;
use common::{repo, scratch, stderr, stdout};

/// The Python to use, or None after printing why the test is skipped.
fn python_or_skip() -> Option<PathBuf> {
    let required = std::env::var("CASUS_REQUIRE_SALIB").is_ok_and(|v| v == "1");
    let why = match std::env::var_os("CASUS_PYTHON") {
        None => "CASUS_PYTHON is not set (point it at a Python with SALib and numpy: python3 -m venv v && v/bin/pip install SALib numpy)"
            .to_string(),
        Some(p) => {
            let p = PathBuf::from(p);
            match Command::new(&p).args(["-c", "import SALib, numpy"]).output() {
                Ok(o) if o.status.success() => return Some(p),
                Ok(o) => format!("{} cannot import SALib and numpy: {}", p.display(), stderr(&o).trim()),
                Err(e) => format!("CASUS_PYTHON={} does not run: {e}", p.display()),
            }
        }
    };
    assert!(!required, "salib: {why}; CASUS_REQUIRE_SALIB=1 is set");
    // Written to stderr directly so that the skip shows in a passing run's output.
    std::io::Write::write_all(&mut std::io::stderr(), format!("\nSKIPPED (salib): {why}\n").as_bytes()).unwrap();
    None
}

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn g_function(u: &[f64], a: &[f64]) -> f64 {
    u.iter().zip(a).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product()
}

fn sobol_case(
    function: &str,
    n: usize,
    names: &[&str],
    second: bool,
    f: impl Fn(&[f64]) -> f64,
    analytic: serde_json::Value,
) -> serde_json::Value {
    let k = names.len();
    let x = saltelli(n, k, second).unwrap();
    let y: Vec<f64> = x.iter().map(|u| f(u)).collect();
    let s = sobol_indices(&y, k, second, 11).unwrap().unwrap();
    let s2: Vec<serde_json::Value> = s.second.iter().map(|(j, l, e)| json!([j, l, e.value, e.conf])).collect();
    json!({
        "kind": "sobol", "function": function, "names": names, "n": n, "second_order": second, "X": x, "Y": y, "analytic": analytic,
        "casus": {
            "S1": s.first.iter().map(|e| e.value).collect::<Vec<_>>(), "S1_conf": s.first.iter().map(|e| e.conf).collect::<Vec<_>>(),
            "ST": s.total.iter().map(|e| e.value).collect::<Vec<_>>(), "ST_conf": s.total.iter().map(|e| e.conf).collect::<Vec<_>>(),
            "S2": s2,
        }
    })
}

#[test]
fn indices_agree_with_salib_on_the_same_design() {
    let Some(python) = python_or_skip() else { return };
    let dir = scratch("salib");
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
    let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
    let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
    let g_st: Vec<f64> = (0..6).map(|i| vi[i] * (0..6).filter(|j| *j != i).map(|j| 1.0 + vi[j]).product::<f64>() / v).collect();
    let cases = [
        sobol_case(
            "Ishigami (a = 7, b = 0.1)",
            1024,
            &["x1", "x2", "x3"],
            true,
            ishigami,
            json!({"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}),
        ),
        sobol_case(
            "Sobol G (a = 0, 1, 4.5, 9, 99, 99)",
            1024,
            &["x1", "x2", "x3", "x4", "x5", "x6"],
            false,
            |u| g_function(u, &a),
            json!({"S1": vi.iter().map(|x| x / v).collect::<Vec<_>>(), "ST": g_st}),
        ),
        {
            let names = ["x1", "x2", "x3", "x4", "x5"];
            let f = |u: &[f64]| 10.0 * u[0] + 5.0 * u[1] * u[1] + u[2] + 4.0 * u[0] * u[4];
            let (r, levels) = (50, 4);
            let x = morris(r, names.len(), levels, 5);
            let y: Vec<f64> = x.iter().map(|u| f(u)).collect();
            let m = morris_indices(&x, &y, names.len(), levels, 5).unwrap();
            json!({
                "kind": "morris", "function": "10 x1 + 5 x2^2 + x3 + 4 x1 x5 (Morris)", "names": names, "trajectories": r, "levels": levels,
                "X": x, "Y": y,
                "casus": {
                    "mu_star": m.mu_star.iter().map(|e| e.value).collect::<Vec<_>>(), "mu_star_conf": m.mu_star.iter().map(|e| e.conf).collect::<Vec<_>>(),
                    "mu": m.mu, "sigma": m.sigma,
                }
            })
        },
    ];
    let mut paths = vec![];
    for (i, case) in cases.iter().enumerate() {
        let path = dir.join(format!("case{i}.json"));
        std::fs::write(&path, serde_json::to_string(case).unwrap()).unwrap();
        paths.push(path);
    }
    let out = Command::new(&python).arg(repo().join("scripts/salib_check.py")).args(&paths).output().unwrap();
    // The side-by-side table, shown in the test's output.
    std::io::Write::write_all(&mut std::io::stderr(), stdout(&out).as_bytes()).unwrap();
    assert!(out.status.success(), "SALib disagrees:\n{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("all indices agree with SALib"));
}
