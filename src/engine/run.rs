//! One run end to end, as a library call: simulate a prepared scenario and package its log
//! records, outcomes and summary. No IO: callers choose where bytes go.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::engine::{Limits, RunError, Sim};
use crate::fold::outcomes::{self, Outcomes};
use crate::log::{End, Header, header};
use crate::model::event::Event;
use crate::model::params::Params;
use crate::model::prepared::Prepared;
use crate::model::scenario::Scenario;
use crate::model::world::Checkpoint;

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Header record.
    pub header: Header,
    /// Events.
    pub events: Vec<Event>,
    /// Checkpoints.
    pub checkpoints: Vec<Checkpoint>,
    /// End record.
    pub end: End,
    /// Standard outcomes.
    pub outcomes: Outcomes,
}

/// The summary.json document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario hash.
    pub scenario_hash: String,
    /// Seed.
    pub seed: u64,
    /// casus version.
    pub casus_version: String,
    /// Log schema version.
    pub log_schema_version: u32,
    /// Focus actor.
    pub focus: String,
    /// Parameters after overrides.
    pub parameters: BTreeMap<String, f64>,
    /// Overrides.
    pub overrides: Vec<(String, String)>,
    /// Standard outcomes.
    pub outcomes: Outcomes,
    /// Final-state hash.
    pub final_state_hash: String,
    /// Event count.
    pub events: u64,
    /// Last day simulated.
    pub last_day: u32,
}

/// Outcomes from a world's final state and log.
pub fn outcomes_of(sim: &mut Sim, scenario: &Scenario, params: &Params) -> Outcomes {
    let log = std::mem::take(&mut sim.world.resource_mut::<crate::model::world::Log>().events);
    let outcomes = outcomes::of_world(&mut sim.world, &log, scenario, params);
    sim.world.resource_mut::<crate::model::world::Log>().events = log;
    outcomes
}

/// Runs a prepared scenario.
pub fn run(p: &Prepared, seed: u64, limits: Limits) -> Result<RunOutput, RunError> {
    run_with(p, seed, limits, true)
}

/// Runs a prepared scenario, optionally without periodic checkpoints (for runs whose log is
/// not kept, such as sweep runs without `--events`: their outcomes are identical).
pub fn run_with(p: &Prepared, seed: u64, limits: Limits, checkpoints: bool) -> Result<RunOutput, RunError> {
    let mut sim = Sim::new(&p.scenario, p.params.clone(), seed, limits);
    sim.checkpoints = checkpoints;
    sim.run()?;
    Ok(finish(sim, p, seed))
}

/// Runs a prepared scenario recording every probabilistic decision the rules take
/// (`Sim::diagnose`): the output is the same as `run`'s.
pub fn run_diagnosed(p: &Prepared, seed: u64, limits: Limits) -> Result<(RunOutput, Vec<crate::rules::context::Decision>), RunError> {
    let mut sim = Sim::new(&p.scenario, p.params.clone(), seed, limits);
    sim.diagnose();
    sim.run()?;
    let decisions = sim.decisions();
    Ok((finish(sim, p, seed), decisions))
}

/// Packages a finished simulation of `p` into its log records and outcomes.
pub fn finish(mut sim: Sim, p: &Prepared, seed: u64) -> RunOutput {
    let final_state_hash = sim.state_hash();
    let outcomes = outcomes_of(&mut sim, &p.scenario, &p.params);
    let log = std::mem::take(&mut *sim.world.resource_mut::<crate::model::world::Log>());
    let last_day = log.events.last().map(|e| e.day).unwrap_or(0);
    RunOutput {
        header: header(p, seed),
        end: End { events: log.events.len() as u64, last_day, final_state_hash },
        events: log.events,
        checkpoints: log.checkpoints,
        outcomes,
    }
}

impl RunOutput {
    /// The summary document.
    pub fn summary(&self) -> Summary {
        Summary {
            scenario: self.header.scenario.clone(),
            scenario_hash: self.header.scenario_hash.clone(),
            seed: self.header.seed,
            casus_version: self.header.casus_version.clone(),
            log_schema_version: self.header.schema_version,
            focus: self.header.focus.clone(),
            parameters: self.header.parameters.clone(),
            overrides: self.header.overrides.clone(),
            outcomes: self.outcomes.clone(),
            final_state_hash: self.end.final_state_hash.clone(),
            events: self.end.events,
            last_day: self.end.last_day,
        }
    }

    /// Writes the JSONL log (see [`crate::log::write_log`]).
    pub fn write_log(&self, w: &mut impl Write) -> io::Result<()> {
        crate::log::write_log(w, &self.header, &self.events, &self.checkpoints, &self.end)
    }
}
