//! What every rule reads and writes besides the world's state (`rules::Facts`): today's clock,
//! the fixed data, the events of the previous round (`Fresh`), the log so far, and where
//! proposals go (`Pending`). The engine fills `Pending` from the rules and empties it into the
//! log; the rules never apply anything.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::model::draw::Purpose;
use crate::model::event::{Citation, Event, EventKind, Proposal};
use crate::model::world::{Clock, Fixed, Log};

/// Proposals from the rules, waiting to be stamped and applied; and, when the run is
/// diagnosed (`Sim::diagnose`), the probabilistic decisions the rules took (`Ctx::chance`).
#[derive(Resource, Debug, Default)]
pub struct Pending(pub Vec<Proposal>, pub Option<Vec<Decision>>);

/// A probabilistic decision a rule took: the draw against its probability, and what the
/// probability was made of. Recorded only in a diagnosed run (`casus explain --why-not`
/// re-runs the rules with the recorder on); a normal run records nothing and its log is the
/// same either way.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The day it was taken.
    pub day: u32,
    /// What the draw decides (also the key's meaning).
    pub purpose: Purpose,
    /// The draw's key (actors' ids hashed with `rules::k`, sequence numbers, days).
    pub key: Vec<u64>,
    /// The probability of yes.
    pub probability: f64,
    /// The uniform draw in [0, 1): yes when it is below the probability.
    pub draw: f64,
    /// The decision.
    pub yes: bool,
    /// What the probability was made of, in words with the values.
    pub why: String,
}

/// Events applied in the previous round (what reactive rules react to): the log's events
/// `from..to` (read through `Ctx::fresh`, so they are never copied).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct Fresh {
    /// Index in the log of the first.
    pub from: usize,
    /// Index in the log after the last.
    pub to: usize,
}

impl Fresh {
    /// The events themselves.
    pub fn events<'a>(&self, log: &'a Log) -> &'a [Event] {
        &log.events[self.from..self.to]
    }
}

/// What every rule reads and writes besides `rules::Facts`, bundled.
#[derive(SystemParam)]
pub struct Ctx<'w> {
    /// Today.
    pub clock: Res<'w, Clock>,
    /// Parameters, draws, the actor index, the scenario and the static indexes.
    pub fixed: Res<'w, Fixed>,
    /// Events from the previous round.
    pub fresh: Res<'w, Fresh>,
    /// Where proposals go.
    pub pending: ResMut<'w, Pending>,
    /// The log so far.
    pub log: Res<'w, Log>,
}

impl<'w> Ctx<'w> {
    /// The events applied in the previous round, borrowed from the log for the whole round (so
    /// a rule can walk them while it proposes).
    pub fn fresh(&self) -> &'w [Event] {
        self.fresh.events(Res::clone(&self.log).into_inner())
    }

    /// The log so far, borrowed for the whole round (so a rule can hold an event while it proposes).
    pub fn log(&self) -> &'w Log {
        Res::clone(&self.log).into_inner()
    }

    /// What never changes, borrowed for the whole round (apart from `self`, which the rules
    /// borrow mutably to propose).
    pub fn fixed(&self) -> &'w Fixed {
        Res::clone(&self.fixed).into_inner()
    }

    /// Proposes an event.
    pub fn emit(&mut self, kind: EventKind, cause: Option<u64>, rule: impl Citation) {
        self.pending.0.push(Proposal { kind, cause, rule: rule.into_citation() });
    }

    /// A draw on `p` keyed by `purpose` and `key` (`Draws::chance`); in a diagnosed run the
    /// decision is recorded with `why()`, which a normal run never calls.
    pub fn chance(&mut self, purpose: Purpose, key: &[u64], p: f64, why: impl FnOnce() -> String) -> bool {
        let draw = self.fixed.draws.0.uniform(purpose, key);
        let yes = draw < p.clamp(0.0, 1.0);
        if let Some(record) = self.pending.1.as_mut() {
            record.push(Decision { day: self.clock.day, purpose, key: key.to_vec(), probability: p, draw, yes, why: why() });
        }
        yes
    }

    /// Today.
    pub fn day(&self) -> u32 {
        self.clock.day
    }

    /// Whether a timer set by event `cause_seq` on `set_day`, running `delay` days, fires
    /// now. A zero delay fires in the round right after the setting event; a positive delay
    /// fires in round 0 of its day. Either way it fires exactly once.
    pub fn due(&self, set_day: u32, delay: u32, cause_seq: u64) -> bool {
        if delay == 0 {
            self.fresh().iter().any(|e| e.seq == cause_seq)
        } else {
            self.clock.round == 0 && self.clock.day == set_day.saturating_add(delay)
        }
    }

    /// Whether this is round 0 (timed rules act here, once a day).
    pub fn first_round(&self) -> bool {
        self.clock.round == 0
    }
}
