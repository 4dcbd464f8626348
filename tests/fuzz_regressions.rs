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
