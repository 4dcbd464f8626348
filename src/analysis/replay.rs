//! Replay: rebuild state from the scenario's initial state by folding the logged events only
//! (no rule runs), and check it against the log's checkpoints and final-state hash.

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::mpsc;

use bevy_ecs::world::World;

use crate::engine::run::Summary;
use crate::fold::apply::apply_indexed;
use crate::fold::digest::{CheckpointDigest, Digester, StateEncoding, state_digest_as, state_hash_as};
use crate::fold::outcomes;
use crate::fold::world::build_world;
use crate::log::{End, Header, LogError, LogItem, LogReader, ParsedLog};
use crate::model::event::Event;
use crate::model::prepared::Prepared;
use crate::model::world::Checkpoint;

/// What replay found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The folded state equals the logged final state.
    Match {
        /// Events folded.
        events: u64,
        /// The final-state hash (as logged and as rebuilt).
        final_state_hash: String,
        /// The summary the log implies: its header, its end record and the standard outcomes
        /// recomputed from its events and the rebuilt final state (what summary.json must say).
        summary: Box<Summary>,
    },
    /// It does not.
    Diverged {
        /// The first event at which the divergence is detected, where one can be named.
        seq: Option<u64>,
        /// Explanation.
        message: String,
    },
}

/// Folds `log` over the initial state of `prepared` (whose overrides must be the log's).
pub fn replay(prepared: &Prepared, log: &ParsedLog) -> Verdict {
    let Some(header) = &log.header else { return diverged(None, "no header record".into()) };
    let mut replayer = match Replayer::new(prepared, header, log.written_schema_version) {
        Ok(r) => r,
        Err(v) => return v,
    };
    // All checkpoints are queued first: each is checked before the first event it does not
    // cover, which is where the log placed it.
    for cp in &log.checkpoints {
        replayer.checkpoint(cp.clone());
    }
    for e in &log.events {
        if let Err(v) = replayer.event(e) {
            return v;
        }
    }
    replayer.finish(log.end.as_ref(), log.torn)
}

fn diverged(seq: Option<u64>, message: String) -> Verdict {
    Verdict::Diverged { seq, message }
}

/// A replay in progress: fed a log's records in order (`checkpoint`, `event`), then `finish`ed
/// with its end record. This lets a log be folded as it is read (`casus replay` does), with
/// the same verdicts as `replay` over the whole parsed log.
pub struct Replayer<'a> {
    prepared: &'a Prepared,
    world: World,
    /// The world's actor index.
    index: std::sync::Arc<crate::model::state::ActorIndex>,
    digester: Digester,
    /// How checkpoints and the final state are digested: the way the log's own version did.
    method: CheckpointDigest,
    encoding: StateEncoding,
    /// Checkpoints read and not yet checked (checked before the first event they do not cover).
    pending: VecDeque<Checkpoint>,
    /// The first event after the last checkpoint that matched.
    window_start: u64,
    last_day: u32,
    /// The date string of the current day, computed once per day rather than once per event.
    date: Option<(u32, crate::model::id::Id)>,
    events: u64,
    /// The log's header, and the schema version it was written with.
    header: Header,
    written_schema_version: u32,
    /// The events the standard outcomes can read (`outcomes::relevant`), in order.
    relevant: Vec<Event>,
    /// Checkpoints checked so far (all of them stand before the next event): with the seq, an
    /// event's line in the log.
    checked: u64,
}

impl<'a> Replayer<'a> {
    /// Builds the scenario's initial state for the log whose header is `header`, written with
    /// schema `written_schema_version`. A log written for other scenario content diverges here.
    pub fn new(prepared: &'a Prepared, header: &Header, written_schema_version: u32) -> Result<Self, Verdict> {
        if header.scenario_hash != prepared.scenario_hash {
            return Err(diverged(
                None,
                format!(
                    "the log was written for scenario content {}, not {} (pass the scenario file it was run with)",
                    header.scenario_hash, prepared.scenario_hash
                ),
            ));
        }
        if let Some(wrong) = header_mismatch(prepared, header, written_schema_version) {
            return Err(diverged(None, wrong));
        }
        let mut world = build_world(&prepared.scenario, prepared.params.clone(), header.seed);
        let digester = Digester::new(&mut world);
        let index = std::sync::Arc::clone(&world.resource::<crate::model::world::Fixed>().index);
        Ok(Replayer {
            prepared,
            world,
            index,
            digester,
            method: CheckpointDigest::for_schema(written_schema_version),
            encoding: StateEncoding::for_schema(written_schema_version),
            pending: VecDeque::new(),
            window_start: 0,
            last_day: 0,
            date: None,
            events: 0,
            header: header.clone(),
            written_schema_version,
            relevant: Vec::new(),
            checked: 0,
        })
    }

    /// Takes a checkpoint record; it is checked before the first event it does not cover.
    pub fn checkpoint(&mut self, cp: Checkpoint) {
        self.pending.push_back(cp);
    }

    /// Checks the pending checkpoints that cover the events before `next_seq`.
    fn check_until(&mut self, next_seq: u64) -> Result<(), Verdict> {
        while let Some(cp) = self.pending.front() {
            if cp.next_seq > next_seq {
                break;
            }
            let digest = match self.method {
                CheckpointDigest::Whole(encoding) => state_digest_as(&mut self.world, encoding),
                CheckpointDigest::Parts => self.digester.digest(&mut self.world),
            };
            if digest != cp.state_hash {
                return Err(diverged(
                    Some(self.window_start),
                    format!(
                        "state after day {} (events before seq {}) differs from the logged checkpoint; the divergence lies in events {}..{}",
                        cp.day,
                        cp.next_seq,
                        self.window_start,
                        cp.next_seq.saturating_sub(1)
                    ),
                ));
            }
            self.window_start = cp.next_seq;
            self.pending.pop_front();
            self.checked += 1;
        }
        Ok(())
    }

    /// Folds the next event, after checking the checkpoints before it.
    pub fn event(&mut self, e: &Event) -> Result<(), Verdict> {
        self.check_until(e.seq)?;
        let horizon = self.prepared.scenario.horizon_days;
        if e.day < self.last_day || e.day > horizon {
            return Err(diverged(
                Some(e.seq),
                format!("event {} is dated day {} (after day {}, horizon {horizon})", e.seq, e.day, self.last_day),
            ));
        }
        if self.date.as_ref().is_none_or(|(d, _)| *d != e.day) {
            self.date = Some((e.day, self.prepared.scenario.start_date().plus_days(i64::from(e.day)).to_id()));
        }
        self.last_day = e.day;
        if self.date.as_ref().is_some_and(|(_, s)| e.date != *s) {
            return Err(diverged(Some(e.seq), format!("event {}: date {} does not match day {}", e.seq, e.date, e.day)));
        }
        if !e.kind.has_actors(&e.actors) {
            return Err(diverged(Some(e.seq), format!("event {}: actors {:?} do not match the event's fields", e.seq, e.actors)));
        }
        if e.cause.is_some_and(|c| c >= e.seq) {
            return Err(diverged(Some(e.seq), format!("event {}: cause {} does not precede it", e.seq, e.cause.unwrap_or(0))));
        }
        if let Some(wrong) = vote_mismatch(&self.prepared.scenario, e) {
            // The header is line 1; the checkpoints checked so far stand before the event.
            let line = e.seq + 2 + self.checked;
            return Err(diverged(
                Some(e.seq),
                format!("line {line}: event {} (VoteHeld): passed: {wrong} (the record contradicts the scenario: it was edited)", e.seq),
            ));
        }
        apply_indexed(&mut self.world, &self.index, e).map_err(|err| diverged(Some(e.seq), format!("cannot fold: {err}")))?;
        if outcomes::relevant(e, &self.prepared.scenario.focus) {
            self.relevant.push(e.clone());
        }
        self.events += 1;
        Ok(())
    }

    /// Checks the remaining checkpoints and the end record (`None`: the log is truncated, and
    /// `torn` is the line of a last record cut off mid-line, if any).
    pub fn finish(mut self, end: Option<&End>, torn: Option<usize>) -> Verdict {
        let n = self.events;
        if let Err(v) = self.check_until(u64::MAX) {
            return v;
        }
        let Some(end) = end else {
            return diverged(Some(n), crate::log::incomplete_message(n as usize, torn));
        };
        if end.events != n {
            return diverged(Some(n.min(end.events)), format!("the end record counts {} events but the log has {n}", end.events));
        }
        if n > 0 && end.last_day != self.last_day {
            return diverged(
                Some(n),
                format!("the end record's last day is {} but the last event is on day {}", end.last_day, self.last_day),
            );
        }
        let hash = state_hash_as(&mut self.world, self.encoding);
        if hash != end.final_state_hash {
            return diverged(
                Some(self.window_start),
                format!(
                    "final state {hash} differs from the logged {}; the divergence lies in events {}..",
                    end.final_state_hash, self.window_start
                ),
            );
        }
        let outcomes = outcomes::of_world(&mut self.world, &self.relevant, &self.prepared.scenario, &self.prepared.params);
        let h = &self.header;
        let summary = Summary {
            scenario: h.scenario.clone(),
            scenario_hash: h.scenario_hash.clone(),
            seed: h.seed,
            casus_version: h.casus_version.clone(),
            log_schema_version: self.written_schema_version,
            focus: h.focus.clone(),
            parameters: h.parameters.clone(),
            overrides: h.overrides.clone(),
            outcomes,
            final_state_hash: hash.clone(),
            events: end.events,
            last_day: end.last_day,
        };
        Verdict::Match { events: n, final_state_hash: hash, summary: Box::new(summary) }
    }
}

/// How the header of a log (written with schema `written`) differs from the header casus writes
/// for `prepared` and the log's seed, if it does: the first field that differs, with both values.
/// The header copies the scenario (name, start, horizon, focus, actors' names and types) and the
/// parameters it resolves to; a header that says otherwise was edited, or belongs to another
/// scenario. A log of an older schema may lack parameters added to the catalogue since, hold
/// some removed since, and hold defaults changed since: only the values the scenario or its
/// overrides set are compared; one of schema 1 has no actors.
pub fn header_mismatch(prepared: &Prepared, header: &Header, written: u32) -> Option<String> {
    let want = crate::log::header(prepared, header.seed);
    let differs = |field: &str, got: String, want: String| {
        Some(format!(
            "the header's {field} is {got} but the scenario gives {want} (the header was edited, or the log was run with another scenario)"
        ))
    };
    let older = written < crate::model::event::LOG_SCHEMA_VERSION;
    if header.scenario != want.scenario {
        return differs("scenario", format!("{:?}", header.scenario), format!("{:?}", want.scenario));
    }
    if header.start != want.start {
        return differs("start", format!("{:?}", header.start), format!("{:?}", want.start));
    }
    if header.horizon_days != want.horizon_days {
        return differs("horizon_days", header.horizon_days.to_string(), want.horizon_days.to_string());
    }
    if header.focus != want.focus {
        return differs("focus", format!("{:?}", header.focus), format!("{:?}", want.focus));
    }
    if header.overrides != want.overrides {
        return differs("overrides", format!("{:?}", header.overrides), format!("{:?}", want.overrides));
    }
    // Defaults change between versions of casus (each log records those of its own): in a
    // log of an older schema only the values the scenario or its overrides set are compared.
    let defaults = if older { crate::model::params::Params::defaults().to_map() } else { Default::default() };
    for (name, got) in &header.parameters {
        match want.parameters.get(name) {
            Some(w) if w.to_bits() == got.to_bits() => {}
            Some(w) if older && defaults.get(name).is_some_and(|d| d.to_bits() == w.to_bits()) => {}
            Some(w) => return differs(&format!("parameter {name}"), got.to_string(), w.to_string()),
            None if older => {}
            None => return differs(&format!("parameter {name:?}"), got.to_string(), "no such parameter".into()),
        }
    }
    if !older && let Some(name) = want.parameters.keys().find(|k| !header.parameters.contains_key(*k)) {
        return differs(&format!("parameter {name}"), "missing".into(), want.parameters[name].to_string());
    }
    if written >= 2 && header.actors != want.actors {
        let ids = header.actors.keys().chain(want.actors.keys());
        let show = |a: Option<&crate::log::ActorLabel>| a.map(|a| format!("{:?} ({})", a.name, a.kind)).unwrap_or_else(|| "missing".into());
        for id in ids {
            let (g, w) = (header.actors.get(id), want.actors.get(id));
            if g != w {
                return differs(&format!("actor {id}"), show(g), show(w));
            }
        }
    }
    None
}

/// How a vote contradicts the decision rule it was held under (the organisation's force
/// decision rule, or for a joint operation the treaty's), if it does: every member voting is
/// counted yes or no, so the rule says whether it passed. A launch also needs its lead
/// contributor's yes, which the vote does not record: one that the rule would pass may have
/// failed, never the reverse.
pub fn vote_mismatch(scenario: &crate::model::scenario::Scenario, e: &Event) -> Option<String> {
    use crate::model::event::{EventKind, VoteQuestion};
    use crate::model::scenario::ActorDef;
    let EventKind::VoteHeld { org, question, yes, no, passed, .. } = &e.kind else { return None };
    let (rule, source) = match question {
        VoteQuestion::JointOperation => {
            let t = scenario.treaties.iter().find(|t| t.id == *org)?;
            (t.decision_rule, format!("{}'s decision rule", t.short_name))
        }
        VoteQuestion::ActivateStandbyForce | VoteQuestion::LaunchIntervention => {
            let ucg = scenario.actors.iter().find_map(|a| match a {
                ActorDef::Organisation(o) if o.id == *org => o.ucg.as_ref(),
                _ => None,
            })?;
            (ucg.force_decision_rule, format!("{org}'s force decision rule"))
        }
    };
    let passes = rule.passes(yes.len(), yes.len() + no.len());
    let consistent = if *question == VoteQuestion::LaunchIntervention { passes || !passed } else { passes == *passed };
    (!consistent).then(|| {
        format!(
            "{passed} with {} yes and {} no, which {} under {source} ({rule:?})",
            yes.len(),
            no.len(),
            if passes { "passes" } else { "fails" }
        )
    })
}

/// Why `replay_read` could not reach a verdict.
#[derive(Debug)]
pub enum ReadReplayError<E> {
    /// The log cannot be read or fails its integrity check (`read_log`'s errors).
    Read(LogError),
    /// The scenario for the log's header could not be prepared.
    Prepare(E),
    /// The reading thread could not be started (one thread still works).
    Thread(std::io::Error),
}

/// Records handed from the reading thread to the folding thread at a time.
const BATCH: usize = 512;
/// Batches in flight between the two threads. This bounds memory (about 130,000 events, some
/// 50 MB) and lets reading run ahead while the scenario is prepared.
const BATCHES_IN_FLIGHT: usize = 256;

/// Replays a JSONL log as it is read, without holding it in memory: the header is read first
/// and `prepare` gives the scenario for it (its overrides are the header's), then records are
/// folded one by one. With `threads` of 2 or more, one thread reads, parses and checks the
/// hash chain while the calling thread prepares the scenario, then folds; the verdict does
/// not depend on it. A scenario that cannot be prepared is reported at once.
///
/// The verdict is `replay`'s over `read_log`'s result, and errors come in the same order: a
/// log that fails to read is an error even when the fold diverged earlier (reading goes on
/// after a divergence, to the end of the log).
pub fn replay_read<R, P, E>(r: R, threads: usize, prepare: P) -> Result<Verdict, ReadReplayError<E>>
where
    R: BufRead + Send,
    P: FnOnce(&Header) -> Result<Prepared, E>,
{
    let mut reader = LogReader::new(r);
    let header = loop {
        match reader.next() {
            Some(Ok(LogItem::Header(h))) => break h,
            // A record before the header: the reader reports the missing or late header next.
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(ReadReplayError::Read(e)),
            None => {
                return Err(ReadReplayError::Read(LogError { line: 1, message: "empty log: no header record".into(), integrity: false }));
            }
        }
    };
    let version = reader.written_schema_version();
    if threads <= 1 {
        let prepared = prepare(&header).map_err(ReadReplayError::Prepare)?;
        return fold_records(&prepared, &header, version, reader).map_err(ReadReplayError::Read);
    }
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        // Emptied batches go back to the reading side to be filled again, so that the two
        // threads pass the same few allocations back and forth instead of one allocating
        // fresh memory for every batch and the other freeing it.
        let (back, returned) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        // Reading starts while the scenario is prepared.
        let reading = std::thread::Builder::new().name("casus-read".into()).spawn_scoped(s, move || {
            let fresh = || returned.try_recv().unwrap_or_else(|_| VecDeque::with_capacity(BATCH));
            let mut batch = fresh();
            for item in reader {
                batch.push_back(item);
                // The folding side stops receiving only on an error (or an unprepared scenario).
                if batch.len() == BATCH && tx.send(std::mem::replace(&mut batch, fresh())).is_err() {
                    return;
                }
            }
            let _ = tx.send(batch);
        });
        reading.map_err(ReadReplayError::Thread)?;
        let prepared = prepare(&header).map_err(ReadReplayError::Prepare)?;
        let records = Received { rx, back, current: VecDeque::new() };
        fold_records(&prepared, &header, version, records).map_err(ReadReplayError::Read)
    })
}

/// Records as the reading thread hands them over.
type Batch = VecDeque<Result<LogItem, LogError>>;

/// The records of the batches received, in order; each batch, once emptied, is sent back.
struct Received {
    rx: mpsc::Receiver<Batch>,
    back: mpsc::SyncSender<Batch>,
    current: Batch,
}

impl Iterator for Received {
    type Item = Result<LogItem, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.pop_front() {
                return Some(item);
            }
            let emptied = std::mem::replace(&mut self.current, self.rx.recv().ok()?);
            if emptied.capacity() > 0 {
                // When the reading side has finished (or has enough batches), this one is freed.
                let _ = self.back.try_send(emptied);
            }
        }
    }
}

/// `replay_read`'s folding side: records in, a verdict out. A read error ends it; after a
/// divergence it goes on reading, so that a later read error still wins.
fn fold_records(
    prepared: &Prepared,
    header: &Header,
    written_schema_version: u32,
    records: impl Iterator<Item = Result<LogItem, LogError>>,
) -> Result<Verdict, LogError> {
    let mut state = Replayer::new(prepared, header, written_schema_version);
    let (mut end, mut torn) = (None, None);
    for record in records {
        match (record?, &mut state) {
            (LogItem::Event(e), Ok(r)) => {
                if let Err(v) = r.event(&e) {
                    state = Err(v);
                }
            }
            (LogItem::Checkpoint(cp), Ok(r)) => r.checkpoint(cp),
            (LogItem::End(e), _) => end = Some(e),
            (LogItem::Torn(line), _) => torn = Some(line),
            // After a divergence records are only read; the reader refuses a second header.
            _ => {}
        }
    }
    Ok(match state {
        Ok(r) => r.finish(end.as_ref(), torn),
        Err(v) => v,
    })
}

/// The fields of a summary.json (`summary`, as read) that differ from the summary a verified
/// log implies (`expected`): `outcomes.NAME` for an outcome, the field's name otherwise, with
/// the two values (summary, log). A summary written with an older log schema (a log of that
/// version, by an older casus) may lack outcomes added since; only the fields it has are
/// compared. A summary of the current schema must have every field.
pub fn summary_mismatches(expected: &Summary, summary: &serde_json::Value) -> Vec<(String, String, String)> {
    let want = serde_json::to_value(expected).expect("summaries serialise");
    let empty = serde_json::Map::new();
    let (want, got) = (want.as_object().unwrap_or(&empty), summary.as_object().unwrap_or(&empty));
    let older = expected.log_schema_version < crate::model::event::LOG_SCHEMA_VERSION;
    let mut out = Vec::new();
    let mut field = |name: String, w: Option<&serde_json::Value>, g: Option<&serde_json::Value>| {
        if w != g && !(older && g.is_none()) {
            let show = |v: Option<&serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_else(|| "(missing)".into());
            out.push((name, show(g), show(w)));
        }
    };
    for (k, w) in want {
        if k == "outcomes" {
            let inner = got.get(k).and_then(|v| v.as_object()).unwrap_or(&empty);
            for (o, wv) in w.as_object().unwrap_or(&empty) {
                field(format!("outcomes.{o}"), Some(wv), inner.get(o));
            }
            for (o, gv) in inner {
                if !w.as_object().is_some_and(|m| m.contains_key(o)) {
                    field(format!("outcomes.{o}"), None, Some(gv));
                }
            }
        } else {
            field(k.clone(), Some(w), got.get(k));
        }
    }
    for (k, g) in got {
        if !want.contains_key(k) {
            field(k.clone(), None, Some(g));
        }
    }
    out
}
