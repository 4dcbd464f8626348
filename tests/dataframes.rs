//! Every sweep output loads in pandas and polars in one call each, with the documented types
//! (docs/sweeps.md, "Loading the outputs"), and holds what the CLI's own summary says (issue 22).
//!
//! Needs a Python with pandas, polars and pyarrow: `$CASUS_PYTHON` (`.ci/run` makes a virtual
//! environment and sets it), else `python3` on PATH. Without one the test prints `SKIPPED (...)`
//! with the reason, unless `CASUS_REQUIRE_DATAFRAMES` is set (as `.ci/run` does), which makes it
//! a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{casus, stderr, stdout};

/// The Python to use, or `None` (after printing why) when there is none with the three
/// libraries; with `CASUS_REQUIRE_DATAFRAMES` set, a missing one fails the test instead.
fn python_or_skip(test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("CASUS_PYTHON").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("python3"));
    let check = Command::new(&python).args(["-c", "import pandas, polars, pyarrow"]).output();
    let why = match &check {
        Ok(o) if o.status.success() => return Some(python),
        Ok(o) => {
            format!("{} cannot import pandas, polars and pyarrow ({})", python.display(), stderr(o).trim().lines().last().unwrap_or(""))
        }
        Err(e) => format!("{} does not run ({e})", python.display()),
    };
    let hint = format!(
        "{why}; set CASUS_PYTHON to a Python that has them (python3 -m venv v && v/bin/pip install pandas polars pyarrow; CASUS_PYTHON=v/bin/python)"
    );
    assert!(std::env::var_os("CASUS_REQUIRE_DATAFRAMES").is_none(), "{test}: {hint}; CASUS_REQUIRE_DATAFRAMES is set");
    // Written to stderr directly, not with eprintln!, so the test harness does not capture it: a
    // skip must show in the test output of a passing run.
    let note = format!("\nSKIPPED ({test}): {hint}\n");
    std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes()).unwrap();
    None
}

/// Loads each output with one call of each library and prints, as JSON, each frame's column
/// types and, per design point, P(intervention), P(armed conflict), mean sanctions days and mean
/// GDP loss computed from the rows; and, from points.csv and points.parquet, the same four
/// summaries as they hold them.
const LOAD: &str = r#"
import json, sys
import pandas as pd, polars as pl
d = sys.argv[1]
frames = {
    "pandas runs.csv": pd.read_csv(f"{d}/runs.csv", dtype_backend="numpy_nullable"),
    "pandas runs.parquet": pd.read_parquet(f"{d}/runs.parquet", dtype_backend="numpy_nullable"),
    "pandas runs.jsonl": pd.read_json(f"{d}/runs.jsonl", lines=True, engine="pyarrow", dtype_backend="numpy_nullable"),
    "pandas plain runs.parquet": pd.read_parquet(f"{d}/runs.parquet"),
    "pandas points.csv": pd.read_csv(f"{d}/points.csv", dtype_backend="numpy_nullable"),
    "pandas points.parquet": pd.read_parquet(f"{d}/points.parquet", dtype_backend="numpy_nullable"),
    "polars runs.csv": pl.read_csv(f"{d}/runs.csv"),
    "polars runs.parquet": pl.read_parquet(f"{d}/runs.parquet"),
    "polars runs.jsonl": pl.read_ndjson(f"{d}/runs.jsonl"),
    "polars points.csv": pl.read_csv(f"{d}/points.csv"),
    "polars points.parquet": pl.read_parquet(f"{d}/points.parquet"),
}
out = {"types": {}, "summaries": {}, "seeds": {}}
for name, f in frames.items():
    if isinstance(f, pl.DataFrame):
        out["types"][name] = {c: str(t) for c, t in f.schema.items()}
        f = f.to_pandas()
    else:
        out["types"][name] = {c: str(t) for c, t in f.dtypes.items()}
    if "runs." in name:
        out["seeds"][name] = [int(s) for s in f["seed"]]
        by = f.groupby("point")
        out["summaries"][name] = {
            str(p): [
                float(g["intervention_launched_day"].notna().mean()),
                float(g["armed_conflict"].astype(float).mean()),
                float(g["sanctions_days"].astype(float).mean()),
                float(g["target_gdp_loss_pct"].astype(float).mean()),
            ]
            for p, g in by
        }
    else:
        def at(g, outcome, column):
            return float(g[g["outcome"] == outcome][column].astype(float).iloc[0])
        out["summaries"][name] = {
            str(p): [
                at(g, "intervention_launched_day", "happened"),
                at(g, "armed_conflict", "mean"),
                at(g, "sanctions_days", "mean"),
                at(g, "target_gdp_loss_pct", "mean"),
            ]
            for p, g in f.groupby("point")
        }
print(json.dumps(out))
"#;

/// The CLI's table: per point, P(intervention), P(armed conflict), sanctions days, GDP loss %.
fn cli_summary(text: &str) -> BTreeMap<String, Vec<f64>> {
    text.lines()
        .skip(1)
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|l| !l.contains(" runs in "))
        .map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            let n = fields.len();
            let value = |i: usize| fields[i].parse::<f64>().unwrap();
            (fields[0].to_string(), vec![value(n - 6), value(n - 5), value(n - 2), value(n - 1)])
        })
        .collect()
}

fn sweep(dir: &Path) -> String {
    let o = casus(
        &[
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
            "12",
            "--seed",
            "3",
            "--jsonl",
            "--out",
            "s",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn issue_22_pandas_and_polars_load_every_sweep_output_with_its_types_and_the_cli_summary() {
    let Some(python) = python_or_skip("issue_22_pandas_and_polars_load_every_sweep_output") else { return };
    let dir = common::scratch("dataframes");
    let table = cli_summary(&sweep(&dir));
    assert_eq!(table.len(), 8, "{table:?}");
    let o = Command::new(&python).args(["-c", LOAD]).arg(dir.join("s")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let loaded: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let types = |frame: &str, column: &str| loaded["types"][frame][column].as_str().unwrap_or("missing").to_string();

    // Integers stay integers (with nulls too), floats are floats, booleans booleans, words text.
    let runs_columns = [
        ("run", "int"),
        ("seed", "int"),
        ("p_NGA_war_opposition", "float"),
        ("p_ECOWAS_ucg_ultimatum_days", "int"),
        ("p_ECOWAS_ucg_standby_force", "bool"),
        ("p_NER_regime", "str"),
        ("intervention_launched_day", "int"),
        ("sanctions_days", "int"),
        ("casualties_military", "int"),
        ("armed_conflict", "bool"),
        ("target_gdp_loss_pct", "float"),
        ("final_regime", "str"),
    ];
    let expected = |library: &str, kind: &str| -> &'static [&'static str] {
        match (library, kind) {
            ("pandas", "int") => &["Int64"],
            ("pandas", "float") => &["Float64"],
            ("pandas", "bool") => &["boolean"],
            ("pandas", _) => &["string", "object"],
            (_, "int") => &["Int64"],
            (_, "float") => &["Float64"],
            (_, "bool") => &["Boolean"],
            (_, _) => &["String", "Utf8"],
        }
    };
    for library in ["pandas", "polars"] {
        for file in ["runs.csv", "runs.parquet", "runs.jsonl"] {
            let frame = format!("{library} {file}");
            for (column, kind) in runs_columns {
                let found = types(&frame, column);
                assert!(expected(library, kind).contains(&found.as_str()), "{frame}: {column} is {found}, expected {kind}");
            }
        }
        for file in ["points.csv", "points.parquet"] {
            let frame = format!("{library} {file}");
            for (column, kind) in [
                ("point", "int"),
                ("p_NGA_war_opposition", "float"),
                ("p_ECOWAS_ucg_standby_force", "bool"),
                ("runs", "int"),
                ("mean", "float"),
            ] {
                let found = types(&frame, column);
                assert!(expected(library, kind).contains(&found.as_str()), "{frame}: {column} is {found}, expected {kind}");
            }
        }
    }
    // A column empty in every run (no transition is agreed in these runs) keeps its type in
    // Parquet; CSV and JSON cannot say it.
    assert_eq!(types("polars runs.csv", "transition_agreed_day"), "String", "the column is empty in every run");
    for frame in ["pandas runs.parquet", "polars runs.parquet"] {
        let library = &frame[..6];
        assert!(expected(library, "int").contains(&types(frame, "transition_agreed_day").as_str()), "{frame}");
    }
    // pandas without a nullable backend: seeds are int64 all the same.
    assert_eq!(types("pandas plain runs.parquet", "seed"), "int64");

    // Every file holds the same seeds (signed 64-bit), and the CLI's summary.
    let seeds = &loaded["seeds"]["polars runs.parquet"];
    assert_eq!(seeds.as_array().unwrap().len(), 96);
    for (frame, s) in loaded["seeds"].as_object().unwrap() {
        assert_eq!(s, seeds, "{frame}");
    }
    for (frame, summary) in loaded["summaries"].as_object().unwrap() {
        let summary: BTreeMap<String, Vec<f64>> = serde_json::from_value(summary.clone()).unwrap();
        assert_eq!(summary.keys().collect::<Vec<_>>(), table.keys().collect::<Vec<_>>(), "{frame}");
        for (point, values) in &summary {
            for (got, want) in values.iter().zip(&table[point]) {
                assert!((got - want).abs() <= 0.0005 + 1e-9, "{frame}: point {point}: {values:?} against the CLI's {:?}", table[point]);
            }
        }
    }
}

/// Loads the acceptance sweep's runs and series in polars (one call each) and prints their
/// schemas and the values the test checks.
const LOAD_MEASURES: &str = r#"
import json, sys
import polars as pl
d = sys.argv[1]
runs = pl.read_parquet(f"{d}/runs.parquet")
runs_csv = pl.read_csv(f"{d}/runs.csv")
series = pl.read_parquet(f"{d}/series.parquet")
series_csv = pl.read_csv(f"{d}/series.csv")
print(runs.select(pl.col("^.*__.*$")).schema, file=sys.stderr)
print(series.schema, file=sys.stderr)
last = series.filter(pl.col("day") == series["day"].max())
out = {
    "types": {
        "runs.parquet": {c: str(t) for c, t in runs.schema.items()},
        "runs.csv": {c: str(t) for c, t in runs_csv.schema.items()},
        "series.parquet": {c: str(t) for c, t in series.schema.items()},
        "series.csv": {c: str(t) for c, t in series_csv.schema.items()},
    },
    "rows": runs.height,
    "series_rows": series.height,
    "days": sorted(series["day"].unique().to_list()),
    "actors": sorted(series["actor"].unique().to_list()),
    "day0_troops": series.filter((pl.col("day") == 0) & (pl.col("quantity") == "troops")).group_by("actor").agg(pl.col("value").max()).sort("actor").rows(),
    "max_casualties": runs.select(["run", "NGA__max_casualties", "NER__max_casualties", "MLI__max_casualties"]).rows(),
    "series_casualties_max": series.filter(pl.col("quantity") == "casualties_military").group_by(["run", "actor"]).agg(pl.col("value").max()).sort(["run", "actor"]).rows(),
    "sanctions": runs.select(["run", "sanctioned_on", "NER__sanctions_on", "sanctions_imposed_day"]).rows(),
    "same_csv": runs_csv.select(runs.columns).cast(runs.schema).equals(runs),
}
print(json.dumps(out))
"#;

/// A run index and three integer columns that may be empty.
type RunAndThree = (i64, Option<i64>, Option<i64>, Option<i64>);

/// The acceptance sweep of issue 22: two outcomes defined over three states and a 30-day time
/// series, loaded in polars with the documented types.
#[test]
fn issue_22_two_custom_outcomes_over_three_actors_and_a_30_day_series_load_in_polars() {
    let Some(python) = python_or_skip("issue_22_two_custom_outcomes_over_three_actors_and_a_30_day_series") else { return };
    let dir = common::scratch("dataframes_measures");
    let o = casus(
        &[
            "sweep",
            "--param",
            "NGA.war_opposition=0,1",
            "--set",
            "intervention.launch_intercept=6",
            "--runs",
            "10",
            "--seed",
            "3",
            "--outcome",
            "sanctions_on=first(SanctionsImposed, NGA+NER+MLI)",
            "--outcome",
            "max_casualties=max(casualties_military, NGA+NER+MLI)",
            "--outcome",
            "sanctioned_on=first(SanctionsImposed, NER)",
            "--series",
            "troops,casualties_military,gdp_loss_pct,sanctioned",
            "--every",
            "30",
            "--series-for",
            "NGA,NER,MLI",
            "--quiet",
            "--out",
            "s",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new(&python).args(["-c", LOAD_MEASURES]).arg(dir.join("s")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let loaded: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let types = &loaded["types"];
    for file in ["runs.parquet", "runs.csv"] {
        for actor in ["NGA", "NER", "MLI"] {
            assert_eq!(types[file][format!("{actor}__max_casualties")], "Int64", "{file}");
        }
        assert_eq!(types[file]["NER__sanctions_on"], "Int64", "{file}: a day, with nulls");
    }
    // A day column empty in every run keeps its type in Parquet (CSV cannot say it).
    assert_eq!(types["runs.parquet"]["MLI__sanctions_on"], "Int64");
    let series_types =
        [("run", "Int64"), ("day", "Int64"), ("date", "String"), ("actor", "String"), ("quantity", "String"), ("value", "Float64")];
    for file in ["series.parquet", "series.csv"] {
        let found: Vec<(String, String)> =
            types[file].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
        let want: Vec<(String, String)> = series_types.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(found.len(), 6, "{file}: {found:?}");
        for w in &want {
            assert!(found.contains(w), "{file}: {w:?} not in {found:?}");
        }
    }
    assert_eq!(loaded["rows"], 20);
    let days: Vec<u64> = serde_json::from_value(loaded["days"].clone()).unwrap();
    // The default scenario's horizon is day 640.
    assert_eq!(days, (0..=630).step_by(30).collect::<Vec<u64>>(), "every 30 days up to the horizon");
    assert_eq!(loaded["series_rows"].as_u64().unwrap(), 20 * days.len() as u64 * 3 * 4);
    assert_eq!(loaded["actors"], serde_json::json!(["MLI", "NER", "NGA"]));
    assert_eq!(loaded["day0_troops"], serde_json::json!([["MLI", 21000.0], ["NER", 30000.0], ["NGA", 143000.0]]));
    // The maximum over the run bounds every sample of the series (casualties only grow).
    let maxima: Vec<RunAndThree> = serde_json::from_value(loaded["max_casualties"].clone()).unwrap();
    let sampled: Vec<(i64, String, f64)> = serde_json::from_value(loaded["series_casualties_max"].clone()).unwrap();
    for (run, actor, value) in sampled {
        let m = &maxima[run as usize];
        let max = match actor.as_str() {
            "NGA" => m.1,
            "NER" => m.2,
            _ => m.3,
        };
        assert!(max.is_some_and(|x| x as f64 >= value), "run {run} {actor}: {max:?} < {value}");
    }
    // A single-state definition is one column; a group's, one per state; the same definition
    // gives the same values.
    let sanctions: Vec<RunAndThree> = serde_json::from_value(loaded["sanctions"].clone()).unwrap();
    assert!(sanctions.iter().all(|(_, a, b, _)| a == b), "{sanctions:?}");
    assert!(sanctions.iter().any(|(_, a, _, _)| a.is_some()), "NER is sanctioned in some runs");
    assert_eq!(loaded["same_csv"], true, "runs.csv holds the Parquet file's values");
    // The schemas, as polars prints them (for the record).
    eprintln!("{}", stderr(&o));
}
