//! Any bytes as an event log: reading (chain, records, sequence) and replaying it against the
//! default scenario must never panic, and replaying it as it is read must answer as reading it
//! whole and then replaying does. Where the direct event reader reads a record, it reads what
//! `serde_json` reads.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn niger() -> &'static casus::model::prepared::Prepared {
    static P: OnceLock<casus::model::prepared::Prepared> = OnceLock::new();
    P.get_or_init(|| casus::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).expect("valid"))
}

fuzz_target!(|data: &[u8]| {
    // Whole (read, then replay) and streamed (`replay_read`, as `casus replay` does) give the
    // same answer, errors included.
    let whole = casus::log::read_log(data).map(|log| casus::analysis::replay::replay(niger(), &log)).map_err(|e| e.to_string());
    let streamed = casus::analysis::replay::replay_read(data, 1, |_| Ok::<_, ()>(niger().clone())).map_err(|e| match e {
        casus::analysis::replay::ReadReplayError::Read(e) => e.to_string(),
        other => format!("{other:?}"),
    });
    assert_eq!(whole, streamed, "whole and streamed replay disagree");
    // The chain check stops edited logs early; also feed the events to replay unchained, so the
    // fold itself meets arbitrary events.
    let text = String::from_utf8_lossy(data);
    let mut events = Vec::new();
    for line in text.lines().take(32) {
        // The log reader's direct path reads a record (the line without its chain field) to
        // the event `serde_json` reads, or leaves it to `serde_json`.
        let body = line.rfind(",\"chain\":").map_or(line.to_string(), |at| format!("{}}}", &line[..at]));
        for record in [line, body.as_str()] {
            if let Some(fast) = casus::model::event::fast::event(record) {
                let general = serde_json::from_str::<casus::model::event::Event>(record).ok();
                assert_eq!(general.as_ref(), Some(&fast), "direct and general reading disagree on {record}");
            }
        }
        if let Ok(e) = serde_json::from_str::<casus::model::event::Event>(line) {
            events.push(e);
        }
    }
    if !events.is_empty() {
        let mut log = casus::log::ParsedLog::default();
        log.header = Some(casus::log::header(niger(), 1));
        log.events = events;
        let _ = casus::analysis::replay::replay(niger(), &log);
    }
});
