//! The log layer, on the model: the JSONL log's records (header, events, checkpoints, end), the
//! SHA-256 chain that links them, the writer and the streaming reader, and the upcasters that
//! read every older schema version.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::model::event::{Event, LOG_SCHEMA_VERSION};
use crate::model::prepared::Prepared;
use crate::model::scenario;
use crate::model::world::Checkpoint;

/// The crate version written into logs.
pub const CASUS_VERSION: &str = env!("CARGO_PKG_VERSION");

/// First record of a log. A field it does not have is refused (as in every record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Log schema version.
    pub schema_version: u32,
    /// casus version that wrote it.
    pub casus_version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_hash: String,
    /// Seed.
    pub seed: u64,
    /// Start date.
    pub start: String,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Focus actor.
    pub focus: String,
    /// Every catalogue parameter after overrides.
    pub parameters: BTreeMap<String, f64>,
    /// `--set` overrides in the order given.
    pub overrides: Vec<(String, String)>,
    /// Every actor of the scenario by id, with its display name and type (schema 2; logs of
    /// schema 1 are upcast with an empty map, and readers fall back to ids).
    pub actors: BTreeMap<String, ActorLabel>,
}

/// How a log names an actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorLabel {
    /// Display name.
    pub name: String,
    /// `State`, `Organisation`, `Partner` or `ArmedGroup`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Header {
    /// The display name of an actor, or its id when the log does not name it.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.actors.get(id).map(|a| a.name.as_str()).unwrap_or(id)
    }
}

/// Last record of a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct End {
    /// Number of events.
    pub events: u64,
    /// Last day simulated.
    pub last_day: u32,
    /// Hash of the final state.
    pub final_state_hash: String,
}

/// A non-event log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "lowercase")]
pub enum Record {
    /// First line.
    Header(Header),
    /// Periodic state digest.
    Checkpoint(Checkpoint),
    /// Last line.
    End(End),
}

/// A non-event log line, borrowed, for writing (serialises exactly as `Record`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "record", rename_all = "lowercase")]
pub enum RecordRef<'a> {
    /// First line.
    Header(&'a Header),
    /// Periodic state digest.
    Checkpoint(&'a Checkpoint),
    /// Last line.
    End(&'a End),
}

/// Header for a prepared scenario and seed.
pub fn header(p: &Prepared, seed: u64) -> Header {
    Header {
        schema_version: LOG_SCHEMA_VERSION,
        casus_version: CASUS_VERSION.to_string(),
        scenario: p.scenario.name.clone(),
        scenario_hash: p.scenario_hash.clone(),
        seed,
        start: p.scenario.start.clone(),
        horizon_days: p.scenario.horizon_days,
        focus: p.scenario.focus.clone(),
        parameters: p.params.to_map(),
        overrides: p.overrides.clone(),
        actors: p
            .scenario
            .actors
            .iter()
            .map(|a| (a.id().to_string(), ActorLabel { name: a.name().to_string(), kind: a.kind_name().to_string() }))
            .collect(),
    }
}

/// Writes a JSONL log: header, events with checkpoints after the events they cover, end.
/// Every record carries `chain`, a hash over the previous record's chain and its own bytes.
pub fn write_log(w: &mut impl Write, header: &Header, events: &[Event], checkpoints: &[Checkpoint], end: &End) -> io::Result<()> {
    let mut chain = Chain::default();
    chain.write(w, &RecordRef::Header(header))?;
    let mut cps = checkpoints.iter().peekable();
    for e in events {
        while let Some(cp) = cps.next_if(|cp| cp.next_seq == e.seq) {
            chain.write(w, &RecordRef::Checkpoint(cp))?;
        }
        chain.write(w, e)?;
    }
    for cp in cps {
        chain.write(w, &RecordRef::Checkpoint(cp))?;
    }
    chain.write(w, &RecordRef::End(end))
}

/// Hex digits of a record's chain value.
pub const CHAIN_HEX: usize = 32;

/// The running hash chain of a log: each record's `chain` is the first 128 bits (hex) of
/// SHA-256(previous chain || the record's JSON without its chain field).
#[derive(Debug, Default, Clone)]
pub struct Chain {
    /// The previous record's chain value (hex), empty before the header.
    prev: [u8; CHAIN_HEX],
    prev_len: usize,
    /// A reused serialisation buffer.
    buf: Vec<u8>,
}

impl Chain {
    fn next(&mut self, parts: &[&[u8]]) -> &[u8] {
        use sha2::{Digest, Sha256};
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut h = Sha256::new();
        h.update(&self.prev[..self.prev_len]);
        for p in parts {
            h.update(p);
        }
        let digest = h.finalize();
        for (i, b) in digest.iter().take(CHAIN_HEX / 2).enumerate() {
            self.prev[2 * i] = DIGITS[(b >> 4) as usize];
            self.prev[2 * i + 1] = DIGITS[(b & 15) as usize];
        }
        self.prev_len = CHAIN_HEX;
        &self.prev
    }

    /// Serialises `record` with its chain value appended, and a newline.
    pub fn write(&mut self, w: &mut impl Write, record: &impl Serialize) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        serde_json::to_writer(&mut buf, record)?;
        let written = self.write_raw(w, &buf);
        self.buf = buf;
        written
    }

    /// Writes one record given as JSON object bytes (ending in `}`), chained.
    pub fn write_raw(&mut self, w: &mut impl Write, body: &[u8]) -> io::Result<()> {
        if body.last() != Some(&b'}') {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a log record must be a JSON object"));
        }
        self.next(&[body]);
        w.write_all(&body[..body.len() - 1])?;
        w.write_all(b",\"chain\":\"")?;
        w.write_all(&self.prev)?;
        w.write_all(b"\"}\n")
    }

    /// The chain value of the last record written or verified.
    pub fn head(&self) -> &str {
        std::str::from_utf8(&self.prev[..self.prev_len]).expect("hex digits")
    }

    /// Checks a line's chain value; returns where the chain field starts: the record without
    /// it is the line up to there, closed by `}`.
    pub fn verify_at(&mut self, line: &str) -> Result<usize, &'static str> {
        let Some(at) = chain_key_at(line) else { return Err("record has no chain value") };
        let value = &line[at + CHAIN_KEY.len()..];
        if value.len() != CHAIN_HEX + 2 || !value.ends_with("\"}") {
            return Err("record's chain value is malformed");
        }
        if self.next(&[&line.as_bytes()[..at], b"}"]) != &value.as_bytes()[..CHAIN_HEX] {
            return Err("hash chain broken");
        }
        Ok(at)
    }

    /// Checks a line's chain value; returns the line without it.
    pub fn verify(&mut self, line: &str) -> Result<String, &'static str> {
        let at = self.verify_at(line)?;
        Ok(format!("{}}}", &line[..at]))
    }
}

/// The key of a line's chain field.
const CHAIN_KEY: &str = ",\"chain\":\"";

/// Where the last `,"chain":"` of `line` starts (`line.rfind(CHAIN_KEY)`), looked for first
/// where the writer puts it: where the line ends in `,"chain":"<32 bytes without a quote>"}`,
/// that key is the last one (a later one would need two more quotes).
fn chain_key_at(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let tail = b.len().checked_sub(CHAIN_KEY.len() + CHAIN_HEX + 2).filter(|&at| {
        b[at..].starts_with(CHAIN_KEY.as_bytes()) && b.ends_with(b"\"}") && !b[at + CHAIN_KEY.len()..b.len() - 2].contains(&b'"')
    });
    tail.or_else(|| line.rfind(CHAIN_KEY))
}

/// A log read back from JSONL.
#[derive(Debug, Clone, Default)]
pub struct ParsedLog {
    /// Header, if present.
    pub header: Option<Header>,
    /// Events.
    pub events: Vec<Event>,
    /// Checkpoints.
    pub checkpoints: Vec<Checkpoint>,
    /// End, if present (absent: truncated).
    pub end: Option<End>,
    /// The line of a last record cut off mid-line (no newline, not a whole record), which was
    /// not read: the log was truncated while it was being written (then `end` is `None`).
    pub torn: Option<usize>,
    /// The schema version the log was written with (the header is upcast to the current one).
    pub written_schema_version: u32,
    /// The chain value of the last record: a fingerprint of the whole log.
    pub chain_head: String,
}

/// A line of a log that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LogError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// True when the log is well formed but fails its integrity check (an edited, removed,
    /// added or reordered record); false when it is not a casus log at all.
    pub integrity: bool,
}

/// Brings a header record of any schema version this build reads up to the current one, in
/// place: the upcasting step that lets logs of older versions load. Events and other records
/// have not changed shape since schema 1.
///
/// - 1 → 2: the header gains `actors` (id → name and type); a schema-1 log gets an empty map.
/// - 2 → 3: no record changes shape; state digests are computed over the compact encoding of
///   the snapshot (the fold layer's `StateEncoding`), so replay digests older logs' state as JSON.
///
/// Returns the version the record was written with.
pub fn upcast_header(value: &mut serde_json::Value) -> Result<u32, String> {
    let obj = value.as_object_mut().ok_or("bad record: the header is not an object")?;
    let version = obj.get("schema_version").and_then(|v| v.as_u64()).ok_or("bad record: the header has no schema_version")?;
    if version == 0 || version > u64::from(LOG_SCHEMA_VERSION) {
        return Err(format!(
            "log schema version {version} is not one this casus reads (1 to {LOG_SCHEMA_VERSION}); {}",
            if version == 0 { "the header is damaged" } else { "it was written by a newer casus: upgrade" }
        ));
    }
    if version < 2 {
        obj.entry("actors").or_insert_with(|| serde_json::json!({}));
    }
    obj.insert("schema_version".into(), serde_json::json!(LOG_SCHEMA_VERSION));
    Ok(version as u32)
}

/// The most bytes one byte of scenario text takes in a log line: JSON writes a control
/// character as `\u001f`.
const ESCAPED: usize = 6;

/// The header's fields other than its actors and overrides (versions, the scenario's name and
/// hash, seed, start, horizon, focus, every catalogue parameter) take at most this many bytes
/// (a unit test checks it against the longest header of that kind casus writes).
const HEADER_FIXED_BYTES: usize = 64 * 1024;

/// Largest header line accepted, in bytes: the largest header casus writes for a scenario
/// within the scenario's limits (`model::scenario::MAX_ACTORS` actors, each with an id of
/// `MAX_ID_BYTES` and a name of `MAX_TEXT_BYTES`, every byte of it escaped) and
/// `MAX_OVERRIDES` overrides of `MAX_OVERRIDE_BYTES`. What `casus run` accepts, every reader
/// reads; the limit is applied as the line is read, so a longer line costs no more memory.
pub const MAX_HEADER_LINE: usize = HEADER_FIXED_BYTES
    + scenario::MAX_OVERRIDES * (ESCAPED * scenario::MAX_OVERRIDE_BYTES + 8)
    + scenario::MAX_ACTORS * (scenario::MAX_ID_BYTES + ESCAPED * scenario::MAX_TEXT_BYTES + 48);

/// Largest line after the header accepted, in bytes: the largest event casus writes. An
/// event names at most two lists of actors (a vote's `yes` and `no`: an organisation's
/// members, at most every actor) besides its `actors` (those same ids and a few more), and
/// at most eight texts from the scenario (its `rule`, an article, a coup's leader and
/// claimant); the rest is a few numbers, ids and dates. Checkpoints and end records are short.
pub const MAX_LOG_LINE: usize =
    4096 + 8 * ESCAPED * scenario::MAX_TEXT_BYTES + 2 * (scenario::MAX_ACTORS + 8) * (scenario::MAX_ID_BYTES + 3);

/// Most events `read_log_sized` reserves room for up front (more grow the list as usual).
const MAX_RESERVED_EVENTS: usize = 5_000_000;

/// Reads a JSONL log, verifying its hash chain and sequence numbers. Structural checks only;
/// semantic checks are replay's job.
pub fn read_log(r: impl BufRead) -> Result<ParsedLog, LogError> {
    read_log_sized(r, 0)
}

/// `read_log` for a log of about `bytes` bytes: room for its events is reserved up front (an
/// event line is at least about 200 bytes), so a million events are not copied each time the
/// list outgrows its allocation. Reserved room that is never written costs address space only.
pub fn read_log_sized(r: impl BufRead, bytes: u64) -> Result<ParsedLog, LogError> {
    let mut log = ParsedLog::default();
    // If the room cannot be had, the list grows as it goes.
    let _ = log.events.try_reserve(usize::try_from(bytes / 200).unwrap_or(0).min(MAX_RESERVED_EVENTS));
    let mut reader = LogReader::new(r);
    for item in &mut reader {
        match item? {
            LogItem::Header(h) => log.header = Some(h),
            LogItem::Event(e) => log.events.push(e),
            LogItem::Checkpoint(c) => log.checkpoints.push(c),
            LogItem::End(e) => log.end = Some(e),
            LogItem::Torn(line) => log.torn = Some(line),
        }
    }
    log.written_schema_version = reader.written_schema_version();
    log.chain_head = reader.chain_head().to_string();
    Ok(log)
}

/// Whether a line ends the way every written record does: in its chain field.
fn ends_in_chain_field(line: &[u8]) -> bool {
    line.ends_with(b"\"}") && line.windows(CHAIN_KEY.len()).any(|w| w == CHAIN_KEY.as_bytes())
}

/// `BufRead::read_until(b'\n', line)`, finding the line's end with `memchr`'s vectorised
/// search rather than the standard library's portable one: log lines are a few hundred bytes.
/// It stops once the line holds more than `limit` bytes (the caller refuses such a line), so
/// a line of a gigabyte is never held in memory.
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
    let mut read = 0;
    loop {
        if line.len() > limit {
            return Ok(read);
        }
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (done, used) = match memchr::memchr(b'\n', buf) {
            Some(i) => (true, i + 1),
            None => (buf.is_empty(), buf.len()),
        };
        line.extend_from_slice(&buf[..used]);
        r.consume(used);
        read += used;
        if done {
            return Ok(read);
        }
    }
}

/// One record of a log, as `LogReader` yields it.
#[derive(Debug, Clone, PartialEq)]
pub enum LogItem {
    /// The header, upcast to the current schema.
    Header(Header),
    /// An event.
    Event(Event),
    /// A checkpoint.
    Checkpoint(Checkpoint),
    /// The end record.
    End(End),
    /// The last line, cut off mid-record (no newline and not a whole record): the log was
    /// truncated. It is the last item; the log has no end record.
    Torn(usize),
}

/// What a log without its end record is called by every reader (`casus log` and `explain`
/// warn with it; the verifying readers refuse the log with it).
pub fn incomplete_message(events: usize, torn: Option<usize>) -> String {
    let torn = torn.map(|line| format!("; its last line ({line}) is cut off mid-record")).unwrap_or_default();
    format!(
        "log is incomplete: no end record after {events} events{torn} (the run that wrote it was interrupted, or the file was truncated)"
    )
}

/// Reads a JSONL log one record at a time, with every check `read_log` makes, so a log can be
/// folded as it is read instead of held in memory whole. The first item is the header or an
/// error; after an error it yields nothing more. A log without a header ends with an error.
pub struct LogReader<R> {
    r: R,
    chain: Chain,
    line: Vec<u8>,
    /// Lines read so far.
    lines: usize,
    header_seen: bool,
    end_seen: bool,
    events: u64,
    written_schema_version: u32,
    finished: bool,
    /// What the records after the header are checked against: the header's start and horizon.
    start: Option<crate::model::date::Date>,
    horizon: u32,
    /// The day of the last event read, and its date as written.
    last_day: Option<u32>,
    date: Option<(u32, crate::model::id::Id)>,
    /// The day of a checkpoint read since the last event: the next event comes on a later day.
    checkpoint_day: Option<u32>,
    /// The longest header line and other line read: [`MAX_HEADER_LINE`] and [`MAX_LOG_LINE`].
    limits: (usize, usize),
}

impl<R: BufRead> LogReader<R> {
    /// A reader over `r`.
    pub fn new(r: R) -> Self {
        Self::with_limits(r, MAX_HEADER_LINE, MAX_LOG_LINE)
    }

    /// A reader over `r` refusing a header line over `header` bytes and any other line over
    /// `line` bytes, instead of [`MAX_HEADER_LINE`] and [`MAX_LOG_LINE`]: for the fuzz target
    /// that checks the limits at lengths it can reach.
    #[doc(hidden)]
    pub fn with_limits(r: R, header: usize, line: usize) -> Self {
        LogReader {
            r,
            chain: Chain::default(),
            line: Vec::new(),
            lines: 0,
            header_seen: false,
            end_seen: false,
            events: 0,
            written_schema_version: 0,
            finished: false,
            start: None,
            horizon: 0,
            last_day: None,
            date: None,
            checkpoint_day: None,
            limits: (header, line),
        }
    }

    /// The schema version the header was written with (0 before the header is read).
    pub fn written_schema_version(&self) -> u32 {
        self.written_schema_version
    }

    /// The chain value of the last record read: after the whole log, its fingerprint.
    pub fn chain_head(&self) -> &str {
        self.chain.head()
    }

    /// The next record, `Ok(None)` at the end of the input.
    fn read_item(&mut self) -> Result<Option<LogItem>, LogError> {
        loop {
            self.lines += 1;
            let n = self.lines;
            let malformed = |message: String| LogError { line: n, message, integrity: false };
            self.line.clear();
            let limit = if self.header_seen { self.limits.1 } else { self.limits.0 };
            if read_line(&mut self.r, &mut self.line, limit).map_err(|e| malformed(e.to_string()))? == 0 {
                if !self.header_seen {
                    return Err(LogError { line: 1, message: "empty log: no header record".into(), integrity: false });
                }
                return Ok(None);
            }
            let whole_line = self.line.last() == Some(&b'\n');
            if whole_line {
                self.line.pop();
            }
            if self.line.len() > limit {
                let what = if self.header_seen { "a record" } else { "the header" };
                return Err(malformed(format!("line longer than {limit} bytes, the most {what} casus writes may take")));
            }
            // A line without its newline at the end of the input, not ending in a chain field
            // as every written record does, was cut off while the log was written (only the
            // last line can lack its newline, so only it is searched for the field).
            let cut = !whole_line && !ends_in_chain_field(&self.line);
            let looks_like_header = self.line.starts_with(b"{\"record\":\"header\"");
            // The line buffer becomes a String for this record (validated once, not copied) and
            // goes back to being the buffer afterwards.
            let item = match String::from_utf8(std::mem::take(&mut self.line)) {
                Ok(mut text) => {
                    let item = self.record(n, &mut text);
                    self.line = text.into_bytes();
                    item
                }
                Err(e) => {
                    self.line = e.into_bytes();
                    Err(malformed("not UTF-8".into()))
                }
            };
            // A cut last line that is not a whole record (even one cut inside a character) is a
            // truncation (no end record), not a damaged record. A cut first line is a
            // truncated header: not a readable log (exit 2, like an empty file).
            let item = match item {
                Err(_) if cut && !self.end_seen && self.header_seen => {
                    self.end_seen = true;
                    Ok(Some(LogItem::Torn(n)))
                }
                Err(_) if cut && !self.header_seen && looks_like_header => Err(LogError {
                    line: n,
                    message: "the log is truncated inside its header line: there is nothing to read".into(),
                    integrity: false,
                }),
                other => other,
            };
            if let Some(item) = item.transpose() {
                return item.map(Some);
            }
        }
    }

    /// The record on line `n` (`None` for a blank line). `text` is cut to the record's body.
    fn record(&mut self, n: usize, text: &mut String) -> Result<Option<LogItem>, LogError> {
        let malformed = |message: String| LogError { line: n, message, integrity: false };
        while text.ends_with('\r') {
            text.pop();
        }
        if text.trim().is_empty() {
            return Ok(None);
        }
        if self.end_seen {
            return Err(LogError { line: n, message: "content after the end record".into(), integrity: true });
        }
        if !text.starts_with('{') {
            return Err(malformed("not a JSON object".into()));
        }
        let at = self.chain.verify_at(text).map_err(|why| {
            let seq_hint =
                text.strip_prefix("{\"seq\":").and_then(|rest| rest.split(',').next()).map(|s| format!(" (seq {s})")).unwrap_or_default();
            LogError {
                line: n,
                message: format!(
                    "{why}{seq_hint}: this record was edited, or a record before it was removed, added or reordered (the first bad record is here)"
                ),
                integrity: why == "hash chain broken",
            }
        })?;
        // The record without its chain value, in place: the line cut at the chain field, closed.
        text.truncate(at);
        text.push('}');
        let body = text.as_str();
        if body.starts_with("{\"record\"") {
            return self.meta_record(n, body).map(Some);
        }
        self.event_record(n, body).map(Some)
    }

    /// A header, checkpoint or end record on line `n`, checked against the records before it.
    fn meta_record(&mut self, n: usize, body: &str) -> Result<LogItem, LogError> {
        let malformed = |message: String| LogError { line: n, message, integrity: false };
        let rec: Record = if body.starts_with("{\"record\":\"header\"") {
            let mut value: serde_json::Value = serde_json::from_str(body).map_err(|e| malformed(format!("bad record: {e}")))?;
            self.written_schema_version = upcast_header(&mut value).map_err(malformed)?;
            serde_json::from_value(value).map_err(|e| malformed(format!("bad record: {e}")))?
        } else {
            serde_json::from_str(body).map_err(|e| malformed(format!("bad record: {e}")))?
        };
        Ok(match rec {
            Record::Header(h) => {
                if n != 1 || self.header_seen {
                    return Err(malformed("header must be the first line".into()));
                }
                let (field, message) = match check_header(&h) {
                    Ok(start) => {
                        self.start = Some(start);
                        self.horizon = h.horizon_days;
                        self.header_seen = true;
                        return Ok(LogItem::Header(h));
                    }
                    Err(wrong) => wrong,
                };
                return Err(contradiction(n, "the header", field, &message));
            }
            Record::Checkpoint(c) => {
                // A checkpoint covers the events before it, so it stands just before the
                // event it names as next: replay checks it where it stands.
                if c.next_seq != self.events {
                    return Err(LogError {
                        line: n,
                        message: format!(
                            "a checkpoint of the state before event {} stands after {} events (a record was removed, added or reordered)",
                            c.next_seq, self.events
                        ),
                        integrity: true,
                    });
                }
                // It is taken at the end of a day with events, after that day's last one.
                match self.last_day {
                    Some(day) if c.day == day => {}
                    Some(day) => {
                        let m = format!("day {} is not the day of the events it follows (day {day})", c.day);
                        return Err(contradiction(n, "a checkpoint", "day", &m));
                    }
                    None => return Err(contradiction(n, "a checkpoint", "next_seq", "0: a checkpoint follows a day's events")),
                }
                self.checkpoint_day = Some(c.day);
                LogItem::Checkpoint(c)
            }
            Record::End(e) => {
                if e.events != self.events {
                    let m = format!("{} events are counted, but the log has {}", e.events, self.events);
                    return Err(contradiction(n, "the end record", "events", &m));
                }
                let last = self.last_day.unwrap_or(0);
                if e.last_day != last {
                    let m = format!("day {} is not the day of the last event (day {last})", e.last_day);
                    return Err(contradiction(n, "the end record", "last_day", &m));
                }
                self.end_seen = true;
                LogItem::End(e)
            }
        })
    }

    /// An event on line `n`, read and checked against the header and the records before it.
    fn event_record(&mut self, n: usize, body: &str) -> Result<LogItem, LogError> {
        let malformed = |message: String| LogError { line: n, message, integrity: false };
        if !self.header_seen {
            return Err(malformed("the first line must be the header record".into()));
        }
        let e = match crate::model::event::fast::event(body) {
            Some(e) => e,
            None => {
                let e = serde_json::from_str::<Event>(body).map_err(|e| malformed(format!("bad event: {e}")))?;
                // serde's reading of an event (a flattened kind) passes over fields it does not
                // know; the direct reader above knows exactly the written ones.
                let keys = serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(body)
                    .map_err(|e| malformed(format!("bad event: {e}")))?;
                if let Some(field) = crate::model::event::check::unknown_field(&e.kind, keys.keys().map(String::as_str)) {
                    return Err(malformed(format!("bad event: unknown field `{field}`: {} events have no such field", e.kind.name())));
                }
                e
            }
        };
        if e.seq != self.events {
            return Err(LogError {
                line: n,
                message: format!("event seq {} where {} was expected (a record was removed, added or reordered)", e.seq, self.events),
                integrity: true,
            });
        }
        self.check_event(n, &e)?;
        self.events += 1;
        self.last_day = Some(e.day);
        self.checkpoint_day = None;
        Ok(LogItem::Event(e))
    }

    /// Checks an event against itself ([`Event::check_fields`]), the header (its day within the
    /// horizon, its date that day's) and the records before it (days never going back; a
    /// checkpoint closes its day).
    fn check_event(&mut self, n: usize, e: &Event) -> Result<(), LogError> {
        let what = || format!("event {} ({})", e.seq, e.kind.name());
        if e.day > self.horizon {
            return Err(contradiction(n, &what(), "day", &format!("day {} is after the horizon (day {})", e.day, self.horizon)));
        }
        if let Some(last) = self.checkpoint_day.or(self.last_day)
            && (e.day < last || (e.day == last && self.checkpoint_day.is_some()))
        {
            let after = if self.checkpoint_day.is_some() {
                "the checkpoint before it, taken at the end of day"
            } else {
                "the event before it, on day"
            };
            return Err(contradiction(n, &what(), "day", &format!("day {} comes after {after} {last}", e.day)));
        }
        if self.date.as_ref().is_none_or(|(d, _)| *d != e.day) {
            let start = self.start.expect("a header was read");
            self.date = Some((e.day, start.plus_days(i64::from(e.day)).to_id()));
        }
        if let Some((_, date)) = &self.date
            && *date != e.date
        {
            return Err(contradiction(n, &what(), "date", &format!("{} is not day {} ({date})", e.date, e.day)));
        }
        e.check_fields().map_err(|w| contradiction(n, &what(), w.field, &w.message))
    }
}

/// The error for a record whose field contradicts the record itself, the header or the records
/// before it: the log is well formed, but it was edited (its chain recomputed after the edit,
/// or the hash chain would have caught it).
fn contradiction(line: usize, what: &str, field: &str, message: &str) -> LogError {
    LogError { line, message: format!("{what}: {field}: {message} (the record contradicts the log: it was edited)"), integrity: true }
}

/// Checks a header's own fields: its start a date, its horizon one a scenario may have, its
/// focus one of its actors (schema 2 on), its actors' types; returns the start date.
fn check_header(h: &Header) -> Result<crate::model::date::Date, (&'static str, String)> {
    let start = crate::model::date::Date::parse(&h.start).map_err(|e| ("start", e.to_string()))?;
    let max = crate::model::scenario::MAX_HORIZON_DAYS;
    if h.horizon_days == 0 || h.horizon_days > max {
        return Err(("horizon_days", format!("{} is not between 1 and {max}", h.horizon_days)));
    }
    if !h.actors.is_empty() && !h.actors.contains_key(&h.focus) {
        return Err(("focus", format!("{:?} is not one of the log's actors", h.focus)));
    }
    for (id, a) in &h.actors {
        if !["State", "Organisation", "Partner", "ArmedGroup"].contains(&a.kind.as_str()) {
            return Err(("actors", format!("{id}: type {:?} is not State, Organisation, Partner or ArmedGroup", a.kind)));
        }
    }
    Ok(start)
}

impl<R: BufRead> Iterator for LogReader<R> {
    type Item = Result<LogItem, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.read_item().transpose();
        self.finished = !matches!(item, Some(Ok(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's size, as written (with its chain field).
    fn header_bytes(header: &Header) -> usize {
        let mut out = Vec::new();
        Chain::default().write(&mut out, &RecordRef::Header(header)).unwrap();
        out.len()
    }

    /// Issue 21, item 5: the header line limit is derived from the scenario's limits. The
    /// fields other than actors and overrides fit `HEADER_FIXED_BYTES`, and each actor and
    /// each override, at its largest and with every byte escaped, fits its share.
    #[test]
    fn the_largest_header_casus_writes_fits_the_header_line_limit() {
        let parameters =
            crate::model::params::Params::defaults().to_map().into_keys().map(|name| (name, -1.2345678901234567e-300)).collect();
        let mut header = Header {
            schema_version: LOG_SCHEMA_VERSION,
            casus_version: CASUS_VERSION.to_string(),
            scenario: "n".repeat(scenario::MAX_SCENARIO_NAME_BYTES),
            scenario_hash: "f".repeat(64),
            seed: u64::MAX,
            start: "2023-07-26".into(),
            horizon_days: scenario::MAX_HORIZON_DAYS,
            focus: "F".repeat(scenario::MAX_ID_BYTES),
            parameters,
            overrides: vec![],
            actors: BTreeMap::new(),
        };
        let fixed = header_bytes(&header);
        assert!(fixed <= HEADER_FIXED_BYTES, "{fixed} bytes");
        let text = "\u{1}".repeat(scenario::MAX_TEXT_BYTES);
        header.actors.insert("A".repeat(scenario::MAX_ID_BYTES), ActorLabel { name: text.clone(), kind: "Organisation".into() });
        let per_actor = header_bytes(&header) - fixed;
        assert!(per_actor <= scenario::MAX_ID_BYTES + ESCAPED * scenario::MAX_TEXT_BYTES + 48, "{per_actor} bytes");
        let with_actor = header_bytes(&header);
        let half = scenario::MAX_OVERRIDE_BYTES / 2;
        header.overrides.push(("\u{1}".repeat(half), "\u{1}".repeat(scenario::MAX_OVERRIDE_BYTES - half - 1)));
        let per_override = header_bytes(&header) - with_actor;
        assert!(per_override <= ESCAPED * scenario::MAX_OVERRIDE_BYTES + 8, "{per_override} bytes");
    }

    /// Counts the bytes taken from a reader.
    struct Counting<R> {
        inner: R,
        taken: std::rc::Rc<std::cell::Cell<u64>>,
    }

    impl<R: io::Read> io::Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.taken.set(self.taken.get() + n as u64);
            Ok(n)
        }
    }

    /// Issue 21, item 10: a line over the limit is refused as it is read: a line of 64 MB
    /// after the header is read only to the limit (and an endless one ends too).
    #[test]
    fn a_line_over_the_limit_is_refused_before_it_is_read_whole() {
        let mut log = Vec::new();
        let prepared = crate::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).unwrap();
        Chain::default().write(&mut log, &RecordRef::Header(&header(&prepared, 1))).unwrap();
        let header_len = log.len() as u64;
        let taken = std::rc::Rc::new(std::cell::Cell::new(0));
        let long = io::Read::chain(io::Cursor::new(log), io::Read::take(io::repeat(b'a'), 64 << 20));
        let reader = io::BufReader::new(Counting { inner: long, taken: taken.clone() });
        let error = read_log(reader).unwrap_err();
        assert!(error.message.contains(&format!("line longer than {MAX_LOG_LINE} bytes")), "{}", error.message);
        assert_eq!(error.line, 2);
        assert!(taken.get() <= header_len + MAX_LOG_LINE as u64 + 16 * 1024, "{} bytes read", taken.get());
    }

    /// `read_line` reads what `read_until(b'\n')` reads, line by line, whatever the buffer's
    /// size: lines across buffer boundaries, empty lines, a last line without a newline.
    #[test]
    fn read_line_is_read_until_newline() {
        let texts: [&[u8]; 5] = [b"", b"\n", b"a", b"ab\n\ncd\nlast", "é\n{\"seq\":0}\n\n\n".as_bytes()];
        for text in texts {
            let long = [text, &b"x".repeat(300), b"\n", text].concat();
            for input in [text, &long[..]] {
                for capacity in [1, 2, 3, 7, 64] {
                    let (mut a, mut b) = (io::BufReader::with_capacity(capacity, input), io::BufReader::with_capacity(capacity, input));
                    loop {
                        let (mut x, mut y) = (vec![b'?'], vec![b'?']);
                        let n = read_line(&mut a, &mut x, usize::MAX).unwrap();
                        assert_eq!(n, b.read_until(b'\n', &mut y).unwrap());
                        assert_eq!(x, y, "{input:?} {capacity}");
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// The look at the line's end finds what `rfind` finds: on a written line, and on lines that
    /// differ from it by a replaced, inserted or removed character in any of its last 60 bytes.
    #[test]
    fn chain_key_at_is_rfind() {
        let value = "0123456789abcdef".repeat(2);
        let written = format!("{{\"seq\":0,\"rule\":\"r{CHAIN_KEY}x\"{CHAIN_KEY}{value}\"}}");
        assert_eq!(chain_key_at(&written), Some(written.len() - CHAIN_KEY.len() - CHAIN_HEX - 2));
        // The last line's chain value holds a second key, which is the last one.
        let mut lines = vec![
            String::new(),
            "}".into(),
            CHAIN_KEY.into(),
            format!("{CHAIN_KEY}{value}\"}}"),
            format!("{{\"seq\":0{CHAIN_KEY}{CHAIN_KEY}{}\"}}", &value[..CHAIN_HEX - CHAIN_KEY.len()]),
        ];
        for i in written.len() - 60..=written.len() {
            for c in ['"', ',', '}', 'a', ':', 'é'] {
                if i < written.len() {
                    let mut replaced = written.clone();
                    replaced.replace_range(i..=i, &c.to_string());
                    lines.push(replaced);
                }
                let mut inserted = written.clone();
                inserted.insert(i, c);
                lines.push(inserted);
            }
            if i < written.len() {
                let mut removed = written.clone();
                removed.remove(i);
                lines.push(removed);
            }
        }
        for line in &lines {
            assert_eq!(chain_key_at(line), line.rfind(CHAIN_KEY), "{line}");
        }
        assert!(lines.iter().filter(|l| chain_key_at(l) == l.len().checked_sub(44)).count() > 100);
    }
}
