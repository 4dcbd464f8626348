//! Strict verification (`casus replay --strict`, `casus verify`): a log is genuine only if casus
//! writes it again. Replay folds a log's events and checks them against each other, the scenario
//! and the logged state digests, but someone who edits an event, or the header's seed, and
//! recomputes every digest and chain value after it is caught only by running the rules again.
//!
//! A run's log is re-run from the scenario (prepared with the header's overrides) and the
//! header's seed; a fork's from its parent's log and the changes its `fork.json` records. The
//! log casus writes is compared, line by line, with the log given: the first line that differs
//! is named with the fields that differ. The header's `casus_version` is the one field not
//! re-derived (the rules are this casus's; a log of the same schema written by another version
//! whose rules differ fails, at its first event that differs). Only logs of the current schema
//! can be re-run: older schemas were written by older rules.

use std::io::{self, BufRead, Write};

use crate::analysis::fork::{self, At, Changes, ForkError, Lineage};
use crate::engine::run::{self, RunOutput};
use crate::engine::{Limits, RunError};
use crate::log::{Header, ParsedLog};
use crate::model::event::LOG_SCHEMA_VERSION;
use crate::model::prepared::Prepared;

/// Where the log given differs from the log casus writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The first line that differs (1-based).
    pub line: usize,
    /// The record there: `the header`, `event 57 (VoteHeld)`, `a checkpoint`, `the end record`.
    pub record: String,
    /// How it differs: the fields with both values, or which log ends first.
    pub detail: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.record, self.detail)
    }
}

/// Why a log could not be verified strictly.
#[derive(Debug, thiserror::Error)]
pub enum StrictError {
    /// The log was written with an older schema, by older rules: it cannot be re-run.
    #[error(
        "the log was written with log schema {written} (casus {version}); --strict re-runs only logs of the current schema ({LOG_SCHEMA_VERSION}), whose rules this casus has: replay it without --strict (folding only), or run its scenario again"
    )]
    OldSchema {
        /// The schema it was written with.
        written: u32,
        /// The casus version its header names.
        version: String,
    },
    /// The re-run stopped (a run limit): casus does not write this log.
    #[error("re-running the scenario failed: {0}")]
    Run(#[from] RunError),
    /// The fork could not be made again from its parent and changes.
    #[error("re-running the fork from its parent failed: {0}")]
    Fork(ForkError),
    /// The log differs from the one casus writes.
    #[error("{0}")]
    Differs(Mismatch),
}

/// Refuses a log written with another schema than the current one (see [`StrictError::OldSchema`]).
pub fn rerunnable(header: &Header, written_schema_version: u32) -> Result<(), StrictError> {
    if written_schema_version == LOG_SCHEMA_VERSION {
        Ok(())
    } else {
        Err(StrictError::OldSchema { written: written_schema_version, version: header.casus_version.clone() })
    }
}

/// Limits for re-running a log of `events` events: the defaults, raised to what the log needs
/// (a run limit only stops a run, it never changes its events; a run allowed one event more than
/// the log has either writes the log or differs from it).
pub fn limits_for(events: u64) -> Limits {
    let d = Limits::default();
    let events = events.saturating_add(1);
    Limits { max_events: d.max_events.max(events), max_rounds_per_day: d.max_rounds_per_day.max(u32::try_from(events).unwrap_or(u32::MAX)) }
}

/// Re-runs a plain run's log: `prepared` is its scenario with the header's overrides, and the
/// header's seed is used. The output's header names the log's casus version.
pub fn rerun(prepared: &Prepared, header: &Header, events: u64) -> Result<RunOutput, StrictError> {
    let mut output = run::run(prepared, header.seed, limits_for(events))?;
    output.header.casus_version = header.casus_version.clone();
    Ok(output)
}

/// Re-runs a fork's log from its parent (`parent`, run from `parent_source`) and the changes its
/// lineage records; returns the fork's output (its header naming `header`'s casus version) and
/// the lineage casus writes for it.
pub fn rerun_fork(
    parent_source: &str,
    parent: &ParsedLog,
    lineage: &Lineage,
    header: &Header,
    events: u64,
) -> Result<(RunOutput, Lineage), StrictError> {
    let changes =
        Changes { sets: lineage.sets.clone(), drops: lineage.drops.iter().map(|d| d.seq).collect(), injects: lineage.injects.clone() };
    let at: At = lineage.at;
    let mut forked = fork::fork(parent_source, parent, at, &changes, limits_for(events)).map_err(StrictError::Fork)?;
    forked.output.header.casus_version = header.casus_version.clone();
    Ok((forked.output, forked.lineage))
}

/// Compares the log `write` writes with `log`, line by line, stopping at the first line that
/// differs; the log given may not go on after the last line written.
pub fn compare(log: impl BufRead, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Mismatch> {
    let mut c = Comparer { log, line: 0, written: Vec::new(), mismatch: None };
    let result = write(&mut c);
    if let Some(m) = c.mismatch {
        return Err(m);
    }
    if let Err(e) = result {
        // Writing into memory fails only on a mismatch; anything else is the log given failing to read.
        return Err(Mismatch { line: c.line + 1, record: "the log".into(), detail: format!("cannot be read: {e}") });
    }
    let mut rest = Vec::new();
    match c.log.read_until(b'\n', &mut rest) {
        Ok(0) => Ok(()),
        Ok(_) => Err(Mismatch {
            line: c.line + 1,
            record: record_name(&rest),
            detail: "the log goes on after the end record casus writes".into(),
        }),
        Err(e) => Err(Mismatch { line: c.line + 1, record: "the log".into(), detail: format!("cannot be read: {e}") }),
    }
}

/// A writer that checks each line written against the next line of the log given.
struct Comparer<R> {
    log: R,
    /// Lines compared so far.
    line: usize,
    /// What was written since the last complete line.
    written: Vec<u8>,
    mismatch: Option<Mismatch>,
}

impl<R: BufRead> Write for Comparer<R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            self.written.extend_from_slice(&rest[..=nl]);
            rest = &rest[nl + 1..];
            self.line += 1;
            let mut given = Vec::with_capacity(self.written.len());
            self.log.read_until(b'\n', &mut given)?;
            if given != self.written {
                self.mismatch = Some(describe(self.line, &given, &self.written));
                return Err(io::Error::other("the logs differ"));
            }
            self.written.clear();
        }
        self.written.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A line's record without its chain field, as JSON.
fn body(line: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let text = std::str::from_utf8(line).ok()?.trim_end();
    let at = text.rfind(",\"chain\":").unwrap_or(text.len().saturating_sub(1));
    match serde_json::from_str(&format!("{}}}", text.get(..at)?)).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

/// What a log line holds, in words.
fn record_name(line: &[u8]) -> String {
    let Some(m) = body(line) else { return "a line".into() };
    match (m.get("record").and_then(|r| r.as_str()), m.get("seq"), m.get("kind").and_then(|k| k.as_str())) {
        (Some("header"), ..) => "the header".into(),
        (Some("checkpoint"), ..) => "a checkpoint".into(),
        (Some("end"), ..) => "the end record".into(),
        (None, Some(seq), Some(kind)) => format!("event {seq} ({})", crate::model::text::printable(kind)),
        _ => "a line".into(),
    }
}

/// How line `line` of the log given (`given`, empty when the log ends there) differs from the
/// line casus writes (`written`): the fields that differ, with both values.
fn describe(line: usize, given: &[u8], written: &[u8]) -> Mismatch {
    let record = record_name(written);
    if given.is_empty() {
        return Mismatch { line, record, detail: "the log ends here, where casus writes more".into() };
    }
    let (Some(g), Some(w)) = (body(given), body(written)) else {
        return Mismatch { line, record, detail: "the line is not the record casus writes".into() };
    };
    let show = |v: Option<&serde_json::Value>| {
        v.map(|v| crate::model::text::printable(&v.to_string()).into_owned()).unwrap_or_else(|| "(missing)".into())
    };
    let mut fields: Vec<String> = Vec::new();
    for k in w.keys().chain(g.keys().filter(|k| !w.contains_key(*k))) {
        if g.get(k) != w.get(k) {
            fields.push(format!("{}: the log has {}, casus writes {}", crate::model::text::printable(k), show(g.get(k)), show(w.get(k))));
        }
    }
    let detail = if fields.is_empty() {
        "the record's bytes differ from those casus writes (the same fields, written otherwise)".into()
    } else {
        let more = fields.len().saturating_sub(3);
        fields.truncate(3);
        format!("{}{}", fields.join("; "), if more > 0 { format!("; and {more} more field(s)") } else { String::new() })
    };
    Mismatch { line, record, detail }
}

/// The fields of a fork's `fork.json` (`given`) that differ from the lineage casus writes for the
/// fork made again (`expected`), with both values.
pub fn lineage_mismatches(expected: &Lineage, given: &serde_json::Value) -> Vec<(String, String, String)> {
    let want = serde_json::to_value(expected).expect("lineages serialise");
    let empty = serde_json::Map::new();
    let (want, got) = (want.as_object().unwrap_or(&empty), given.as_object().unwrap_or(&empty));
    let mut out = Vec::new();
    for k in want.keys().chain(got.keys().filter(|k| !want.contains_key(*k))) {
        let (w, g) = (want.get(k), got.get(k));
        if w != g {
            let show = |v: Option<&serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_else(|| "(missing)".into());
            out.push((k.clone(), show(g), show(w)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(lines: &'static [&'static str]) -> impl FnOnce(&mut dyn Write) -> io::Result<()> {
        move |w| lines.iter().try_for_each(|l| w.write_all(l.as_bytes()).and_then(|_| w.write_all(b"\n")))
    }

    #[test]
    fn the_first_line_that_differs_is_named_with_its_fields() {
        const HEADER: &str = r#"{"record":"header","seed":1,"chain":"a"}"#;
        const EVENT: &str = r#"{"seq":0,"day":0,"kind":"TreatyInForce","treaty":"AES","rule":"scenario","chain":"b"}"#;
        const END: &str = r#"{"record":"end","events":1,"chain":"c"}"#;
        let (header, event, end) = (HEADER, EVENT, END);
        let lines: &'static [&'static str] = &[HEADER, EVENT, END];
        let log = format!("{header}\n{event}\n{end}\n");
        assert_eq!(compare(log.as_bytes(), write(lines)), Ok(()));
        let edited = log.replace("\"rule\":\"scenario\"", "\"rule\":\"forged\"");
        let m = compare(edited.as_bytes(), write(lines)).unwrap_err();
        assert_eq!((m.line, m.record.as_str()), (2, "event 0 (TreatyInForce)"));
        assert!(m.detail.contains("rule: the log has \"forged\", casus writes \"scenario\""), "{m}");
        let seeded = log.replace("\"seed\":1", "\"seed\":8");
        let m = compare(seeded.as_bytes(), write(lines)).unwrap_err();
        assert_eq!((m.line, m.record.as_str()), (1, "the header"));
        assert!(m.detail.contains("seed: the log has 8, casus writes 1"), "{m}");
        let short = format!("{header}\n{event}\n");
        let m = compare(short.as_bytes(), write(lines)).unwrap_err();
        assert_eq!((m.line, m.detail.as_str()), (3, "the log ends here, where casus writes more"));
        let long = format!("{log}{event}\n");
        let m = compare(long.as_bytes(), write(lines)).unwrap_err();
        assert_eq!((m.line, m.detail.as_str()), (4, "the log goes on after the end record casus writes"));
        let junk = format!("{header}\nnot json\n{end}\n");
        let m = compare(junk.as_bytes(), write(lines)).unwrap_err();
        assert_eq!(m.line, 2);
    }
}
