//! Any bytes as a scenario file: parsing, validation, overrides and (for valid ones) a
//! bounded run must never panic. Runs are capped (events and horizon) so the fuzzer spends
//! its time on the loader, which is what most inputs exercise.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut prepared) = casus::model::prepared::prepare(text, &[]) {
        prepared.scenario.horizon_days = prepared.scenario.horizon_days.min(120);
        let limits = casus::engine::Limits { max_rounds_per_day: 64, max_events: 300 };
        let _ = casus::engine::run::run(&prepared, 1, limits);
    }
});
