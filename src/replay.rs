//! Replay: rebuild state from the scenario's initial state by folding the logged events only
//! (no rule runs), and check it against the log's checkpoints and final-state hash.

use crate::apply::apply;
use crate::engine::build_world;
use crate::run::{ParsedLog, Prepared};
use crate::state::{CheckpointDigest, Digester, StateEncoding, state_digest_as, state_hash_as};

/// What replay found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The folded state equals the logged final state.
    Match {
        /// Events folded.
        events: u64,
        /// The final-state hash (as logged and as rebuilt).
        final_state_hash: String,
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
    let diverged = |seq: Option<u64>, message: String| Verdict::Diverged { seq, message };
    let Some(header) = &log.header else { return diverged(None, "no header record".into()) };
    if header.scenario_hash != prepared.scenario_hash {
        return diverged(
            None,
            format!(
                "the log was written for scenario content {}, not {} (pass the scenario file it was run with)",
                header.scenario_hash, prepared.scenario_hash
            ),
        );
    }
    let mut world = build_world(&prepared.scenario, prepared.params.clone(), header.seed);
    // Digests are computed the way the log's own version computed them.
    let encoding = StateEncoding::for_schema(log.written_schema_version);
    let method = CheckpointDigest::for_schema(log.written_schema_version);
    let mut digester = Digester::new(&mut world);
    let start = prepared.scenario.start_date();
    let mut checkpoints = log.checkpoints.iter().peekable();
    let mut window_start = 0u64;
    let mut last_day = 0u32;
    // The date string of the current day, computed once per day rather than once per event.
    let mut date: Option<(u32, String)> = None;
    let check_until = |world: &mut bevy_ecs::world::World,
                       next_seq: u64,
                       cps: &mut std::iter::Peekable<std::slice::Iter<'_, crate::engine::Checkpoint>>,
                       window_start: &mut u64,
                       digester: &mut Digester|
     -> Option<Verdict> {
        while let Some(cp) = cps.next_if(|cp| cp.next_seq <= next_seq) {
            let digest = match method {
                CheckpointDigest::Whole(encoding) => state_digest_as(world, encoding),
                CheckpointDigest::Parts => digester.digest(world),
            };
            if digest != cp.state_hash {
                return Some(Verdict::Diverged {
                    seq: Some(*window_start),
                    message: format!(
                        "state after day {} (events before seq {}) differs from the logged checkpoint; the divergence lies in events {}..{}",
                        cp.day,
                        cp.next_seq,
                        window_start,
                        cp.next_seq.saturating_sub(1)
                    ),
                });
            }
            *window_start = cp.next_seq;
        }
        None
    };
    for e in &log.events {
        if let Some(v) = check_until(&mut world, e.seq, &mut checkpoints, &mut window_start, &mut digester) {
            return v;
        }
        if e.day < last_day || e.day > prepared.scenario.horizon_days {
            return diverged(
                Some(e.seq),
                format!("event {} is dated day {} (after day {last_day}, horizon {})", e.seq, e.day, prepared.scenario.horizon_days),
            );
        }
        if date.as_ref().is_none_or(|(d, _)| *d != e.day) {
            date = Some((e.day, start.plus_days(i64::from(e.day)).to_string()));
        }
        last_day = e.day;
        if date.as_ref().is_some_and(|(_, s)| e.date != *s) {
            return diverged(Some(e.seq), format!("event {}: date {} does not match day {}", e.seq, e.date, e.day));
        }
        if e.actors != e.kind.actors() {
            return diverged(Some(e.seq), format!("event {}: actors {:?} do not match the event's fields", e.seq, e.actors));
        }
        if e.cause.is_some_and(|c| c >= e.seq) {
            return diverged(Some(e.seq), format!("event {}: cause {} does not precede it", e.seq, e.cause.unwrap_or(0)));
        }
        if let Err(err) = apply(&mut world, e) {
            return diverged(Some(e.seq), format!("cannot fold: {err}"));
        }
    }
    let n = log.events.len() as u64;
    if let Some(v) = check_until(&mut world, u64::MAX, &mut checkpoints, &mut window_start, &mut digester) {
        return v;
    }
    let Some(end) = &log.end else {
        return diverged(Some(n), format!("the log is truncated: no end record after {n} events"));
    };
    if end.events != n {
        return diverged(Some(n.min(end.events)), format!("the end record counts {} events but the log has {n}", end.events));
    }
    let hash = state_hash_as(&mut world, encoding);
    if hash != end.final_state_hash {
        return diverged(
            Some(window_start),
            format!("final state {hash} differs from the logged {}; the divergence lies in events {window_start}..", end.final_state_hash),
        );
    }
    Verdict::Match { events: n, final_state_hash: hash }
}
