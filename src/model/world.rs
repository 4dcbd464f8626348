//! The world's resources besides the actors' components: today's clock, what never changes once
//! the world is built (`Fixed`: parameters, draws, the actor index, the scenario and static
//! indexes), and the log of events applied so far with its checkpoints.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::date::Date;
use crate::model::draw::Draws;
use crate::model::event::Event;
use crate::model::params::Params;
use crate::model::state::{ActorIndex, DonorsOf, ScenarioData, UcgOrgsOf};

/// Today, and which round of reactions this is.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Clock {
    /// Days since start.
    pub day: u32,
    /// Round within the day (0: nothing applied yet today).
    pub round: u32,
    /// Calendar date of day 0.
    pub start: Date,
    /// Last day simulated.
    pub horizon: u32,
}

/// The run's seeded draw source.
#[derive(Resource, Debug, Clone, Copy)]
pub struct DrawSource(pub Draws);

/// A state digest recorded at a day boundary, so replay can say where it diverged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Day after whose events the digest was taken.
    pub day: u32,
    /// Seq of the next event (all events before it are folded in).
    pub next_seq: u64,
    /// 64-bit digest of the canonical state (made by the fold layer's `Digester`).
    pub state_hash: String,
}

/// The append-only event log of a run.
#[derive(Resource, Debug, Default, Clone)]
pub struct Log {
    /// Every event, in seq order.
    pub events: Vec<Event>,
    /// Periodic state digests.
    pub checkpoints: Vec<Checkpoint>,
}

impl Log {
    /// The event with this seq.
    pub fn get(&self, seq: u64) -> Option<&Event> {
        self.events.get(seq as usize)
    }
}

/// Days between state checkpoints in the log.
pub const CHECKPOINT_DAYS: u32 = 30;

/// Everything that never changes once the world is built, in one resource: the rules fetch
/// their view of the world hundreds of times a run, and each resource costs a lookup.
#[derive(Resource, Debug)]
pub struct Fixed {
    /// Parameters.
    pub params: Params,
    /// Draws.
    pub draws: DrawSource,
    /// Actor lookup (actors are never added after the world is built), shared so that a
    /// folding loop can hold it beside the world (`apply::apply_indexed`).
    pub index: std::sync::Arc<ActorIndex>,
    /// The scenario.
    pub scenario: ScenarioData,
    /// Each state's aid donors.
    pub donors_of: DonorsOf,
    /// Each state's organisations with a UCG regime (at the start).
    pub ucg_orgs_of: UcgOrgsOf,
    /// The organisations with a regime on unconstitutional change, in id order.
    pub ucg_orgs: Vec<Entity>,
}
