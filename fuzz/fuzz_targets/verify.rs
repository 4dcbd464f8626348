//! Any bytes as a log given to the strict verifier (`casus replay --strict`): comparing it with
//! the log casus writes never panics and accepts exactly the bytes written; a log that replays
//! (against a small scenario, with its header's seed and overrides) is re-run and compared.
#![no_main]
use std::sync::OnceLock;

use casus::analysis::replay::{Verdict, replay_read};
use casus::analysis::verify;
use libfuzzer_sys::fuzz_target;

const MINIMAL: &str = include_str!("../../tests/data/minimal.ron");

/// The log casus writes for the small scenario with seed 1.
fn genuine() -> &'static [u8] {
    static LOG: OnceLock<Vec<u8>> = OnceLock::new();
    LOG.get_or_init(|| {
        let p = casus::model::prepared::prepare(MINIMAL, &[]).expect("valid");
        let out = casus::engine::run::run(&p, 1, Default::default()).expect("runs");
        let mut bytes = Vec::new();
        out.write_log(&mut bytes).expect("in memory");
        bytes
    })
}

fuzz_target!(|data: &[u8]| {
    let genuine = genuine();
    let compared = verify::compare(data, |w| w.write_all(genuine));
    assert_eq!(compared.is_ok(), data == genuine, "compare accepts exactly the bytes written: {compared:?}");
    let mut prepared = None;
    let verdict = replay_read(data, 1, |h| {
        let p = casus::model::prepared::prepare(MINIMAL, &h.overrides).map_err(|_| ())?;
        prepared = Some((h.clone(), p.clone()));
        Ok::<_, ()>(p)
    });
    if let (Ok(Verdict::Match { events, summary, .. }), Some((header, p))) = (verdict, prepared)
        && verify::rerunnable(&header, summary.log_schema_version).is_ok()
        && let Ok(output) = verify::rerun(&p, &header, events)
    {
        let strict = verify::compare(data, |mut w| output.write_log(&mut w));
        if header.seed == 1 && header.overrides.is_empty() {
            assert_eq!(strict.is_ok(), data == genuine, "the genuine log, and only it, verifies: {strict:?}");
        }
    }
});
