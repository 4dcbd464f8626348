//! Every input kept in tests/fuzz_regressions/ (inputs that once crashed a fuzz target, and
//! hand-made extremes) goes through the same code as the fuzz targets: no panic allowed.
//! Add a crashing input from fuzz/artifacts/<target>/ here when fixing it.

use std::path::PathBuf;

fn inputs(kind: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(kind);
    let mut v: Vec<(PathBuf, Vec<u8>)> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| (e.path(), std::fs::read(e.path()).unwrap())).collect();
    v.sort();
    assert!(!v.is_empty(), "no inputs in {}", dir.display());
    v
}

#[test]
fn scenario_inputs_never_panic() {
    for (path, bytes) in inputs("scenario") {
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let result = std::panic::catch_unwind(|| {
            if let Ok(mut p) = casus::model::prepared::prepare(text, &[]) {
                p.scenario.horizon_days = p.scenario.horizon_days.min(120);
                let _ = casus::engine::run::run(&p, 1, casus::engine::Limits { max_rounds_per_day: 64, max_events: 300 });
            }
        });
        assert!(result.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn log_inputs_never_panic() {
    let niger = casus::model::prepared::prepare(include_str!("../scenarios/niger_2023.ron"), &[]).unwrap();
    for (path, bytes) in inputs("log") {
        let result = std::panic::catch_unwind(|| {
            let whole =
                casus::log::read_log(&bytes[..]).map(|log| casus::analysis::replay::replay(&niger, &log)).map_err(|e| e.to_string());
            let streamed = casus::analysis::replay::replay_read(&bytes[..], 1, |_| Ok::<_, ()>(niger.clone())).map_err(|e| match e {
                casus::analysis::replay::ReadReplayError::Read(e) => e.to_string(),
                other => format!("{other:?}"),
            });
            assert_eq!(whole, streamed, "{}: whole and streamed replay disagree", path.display());
            let text = String::from_utf8_lossy(&bytes);
            let events: Vec<casus::model::event::Event> = text.lines().take(32).filter_map(|l| serde_json::from_str(l).ok()).collect();
            if !events.is_empty() {
                let log = casus::log::ParsedLog { header: Some(casus::log::header(&niger, 1)), events, ..Default::default() };
                let _ = casus::analysis::replay::replay(&niger, &log);
            }
        });
        assert!(result.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn verify_inputs_never_panic() {
    let minimal = include_str!("data/minimal.ron");
    let p = casus::model::prepared::prepare(minimal, &[]).unwrap();
    let mut genuine = Vec::new();
    casus::engine::run::run(&p, 1, Default::default()).unwrap().write_log(&mut genuine).unwrap();
    for (path, bytes) in inputs("verify") {
        let result = std::panic::catch_unwind(|| {
            let compared = casus::analysis::verify::compare(&bytes[..], |w| w.write_all(&genuine));
            assert_eq!(compared.is_ok(), bytes == genuine, "{}: {compared:?}", path.display());
            let mut seen = None;
            let verdict = casus::analysis::replay::replay_read(&bytes[..], 1, |h| {
                let p = casus::model::prepared::prepare(minimal, &h.overrides).map_err(|_| ())?;
                seen = Some((h.clone(), p.clone()));
                Ok::<_, ()>(p)
            });
            if let (Ok(casus::analysis::replay::Verdict::Match { events, summary, .. }), Some((header, p))) = (verdict, seen)
                && casus::analysis::verify::rerunnable(&header, summary.log_schema_version).is_ok()
                && let Ok(output) = casus::analysis::verify::rerun(&p, &header, events)
            {
                let strict = casus::analysis::verify::compare(&bytes[..], |mut w| output.write_log(&mut w));
                if header.seed == 1 && header.overrides.is_empty() {
                    assert_eq!(strict.is_ok(), bytes == genuine, "{}: {strict:?}", path.display());
                }
            }
        });
        assert!(result.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn sweep_prefix_inputs_never_panic() {
    use casus::sweep::prefix::{Files, verify};
    for (path, bytes) in inputs("sweep_prefix") {
        let result = std::panic::catch_unwind(|| {
            let Some((&first, rest)) = bytes.split_first() else { return };
            let shard_runs = u64::from(first % 64);
            let mut parts = rest.split(|b| *b == 0xFF);
            let (jsonl, csv, sums, events) =
                (parts.next().unwrap_or(&[]), parts.next().unwrap_or(&[]), parts.next().unwrap_or(&[]), parts.next());
            let files = events.map(|e| std::collections::BTreeMap::from([(0u64, e.to_vec())]));
            let given = Files { jsonl: Some(jsonl), csv, series: None, sums, events: files.as_ref() };
            if let Ok(cut) = verify(&given, casus::sweep::Shard::whole(), shard_runs) {
                assert!(cut.jsonl <= jsonl.len() as u64 && cut.csv <= csv.len() as u64 && cut.sums <= sums.len() as u64);
                let again = Files {
                    jsonl: Some(&jsonl[..cut.jsonl as usize]),
                    csv: &csv[..cut.csv as usize],
                    series: None,
                    sums: &sums[..cut.sums as usize],
                    events: None,
                };
                if files.is_none() {
                    assert_eq!(verify(&again, casus::sweep::Shard::whole(), shard_runs).map(|c| c.kept), Ok(cut.kept));
                }
            }
        });
        assert!(result.is_ok(), "{} panics", path.display());
    }
}

#[path = "../fuzz/fuzz_targets/bounded_check.rs"]
mod bounded_check;

/// The `bounded` target's inputs: the bounded line readers read what the unbounded ones read,
/// up to the first line over their limit, which they refuse by its number.
#[test]
fn bounded_inputs_read_as_the_unbounded_readers_do() {
    for (path, bytes) in inputs("bounded") {
        let result = std::panic::catch_unwind(|| bounded_check::check(&bytes));
        assert!(result.is_ok(), "{} fails the bounded readers' checks", path.display());
    }
}
