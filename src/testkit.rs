//! A given/when/then harness for rule tests: put the world in a state by applying events that
//! already happened (no rules run), then let one event happen, or one day begin, and see what
//! the rules propose. Nothing the rules propose is applied, so each `then` is exactly one
//! round of decisions.

use crate::engine::{Limits, Sim};
use crate::model::event::{Event, EventKind, Proposal};

/// A world under test.
pub struct Harness {
    /// The simulation (its world can be inspected).
    pub sim: Sim,
}

impl Harness {
    /// A harness for a scenario source with `--set` overrides.
    pub fn new(source: &str, sets: &[(&str, &str)]) -> Harness {
        let sets: Vec<(String, String)> = sets.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        let p = crate::model::prepared::prepare(source, &sets).unwrap_or_else(|e| panic!("{}", e.render("harness", source)));
        Harness { sim: Sim::new(&p.scenario, p.params, p.scenario.seed, Limits::default()) }
    }

    /// Given: these events happened on `day` (applied and logged, no rules run). Returns them.
    pub fn given(&mut self, day: u32, events: Vec<EventKind>) -> Vec<Event> {
        self.sim.start_day(day);
        let proposals = events.into_iter().map(|kind| Proposal { kind, cause: None, rule: "given".into() }).collect();
        let range = self.sim.apply_proposals(proposals).expect("given events apply");
        self.sim.log().events[range].to_vec()
    }

    /// When: `event` happens on `day`; returns what the rules propose in reaction (one round).
    pub fn when(&mut self, day: u32, event: EventKind) -> Vec<Proposal> {
        let applied = self.given(day, vec![event]);
        let first = applied[0].seq as usize;
        self.sim.set_fresh(first..first + applied.len());
        self.sim.run_rules()
    }

    /// When the clock reaches `day` with nothing new: what timed rules propose in round 0.
    pub fn on_day(&mut self, day: u32) -> Vec<Proposal> {
        self.sim.start_day(day);
        self.sim.run_rules()
    }

    /// The seq the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.sim.log().events.len() as u64
    }

    /// A state's regime now.
    pub fn regime(&mut self, state: &str) -> crate::model::scenario::Regime {
        let e = self.sim.world.resource::<crate::model::world::Fixed>().index[state];
        self.sim.world.get::<crate::model::state::Polity>(e).expect("a state").regime
    }
}
