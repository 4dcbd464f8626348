//! The engine: builds a bevy_ecs world from a scenario, runs the rules day by day, stamps what
//! they propose into events, folds each through `apply`, and keeps the log.
//!
//! A day runs in rounds. In each round the rule modules with something to do run once, in a
//! fixed order, reading state and the events applied in the previous round (`Fresh`), and push
//! proposals into `Pending`. The engine then stamps and applies them in order. The day ends
//! when a round proposes nothing. Then the engine asks every rule module when it next has
//! something to do (`next_due`, a pure function of state) and jumps straight there: quiet days
//! cost nothing, and on the next day round 0 runs only the modules due then.

pub mod run;

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemState;

use crate::fold::apply::{ApplyError, apply_indexed};
use crate::fold::digest::{Digester, state_hash};
use crate::fold::world::build_world;
use crate::model::event::{Event, EventKind, Proposal};
use crate::model::params::Params;
use crate::model::scenario::Scenario;
use crate::model::state::*;
use crate::model::world::*;
use crate::rules;
use crate::rules::context::{Ctx, Fresh, Pending};
use crate::rules::{Calendar, MODULE_COUNT, MODULES, PerModule};

/// Limits that stop runaway runs with a clear message instead of exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most rounds of rule reactions within one day.
    pub max_rounds_per_day: u32,
    /// Most events in one run.
    pub max_events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rounds_per_day: 64, max_events: 5_000_000 }
    }
}

/// Why a run stopped before its horizon.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// Rules kept reacting to each other within one day.
    #[error(
        "event storm on day {day}: rules were still reacting after {rounds} rounds; the last round's events came from {rules}. A rule loops on its own events: check the scenario's clauses and delays"
    )]
    Storm {
        /// Day.
        day: u32,
        /// Rounds run.
        rounds: u32,
        /// Rules that emitted in the last round, with counts.
        rules: String,
    },
    /// Too many events in one run.
    #[error(
        "the run produced more than {limit} events (day {day}); the busiest rule was {rule}. Shorten the horizon or reduce attack rates"
    )]
    TooManyEvents {
        /// Limit.
        limit: u64,
        /// Day.
        day: u32,
        /// Busiest rule.
        rule: String,
    },
    /// An event could not be applied (a bug in a rule: it proposed an inconsistent event).
    #[error("internal inconsistency: {0}")]
    Apply(#[from] ApplyError),
}

/// A proposal the engine refuses on one day: how `casus fork --drop` removes an event from
/// a counterfactual run. Every proposal that day with the same kind, fields and rule is
/// dropped before it is stamped, so nothing it would have caused happens either.
#[derive(Debug, Clone, PartialEq)]
pub struct Veto {
    /// The day it applies to.
    pub day: u32,
    /// The event as proposed.
    pub kind: EventKind,
    /// The rule that proposes it.
    pub rule: Id,
    /// How many proposals it dropped.
    pub matched: u32,
}

/// A simulation: a world plus its schedule.
pub struct Sim {
    /// The ECS world holding all state.
    pub world: World,
    /// Whether to record periodic state checkpoints (logs that will be replayed need them).
    pub checkpoints: bool,
    /// Proposals to refuse (counterfactual forks).
    pub vetoes: Vec<Veto>,
    /// Run every module in every round and check that the modules that were skipped (not due
    /// in round 0, not reacting to the fresh events later) would have proposed nothing (tests
    /// turn this on; it costs the time skipping saves).
    pub verify_due: bool,
    /// Recompute every checkpoint digest from scratch and check it equals the incremental one
    /// (tests turn this on).
    pub verify_digests: bool,
    limits: Limits,
    last_checkpoint_period: Option<u32>,
    /// The rules' view of the world, fetched once per round (see `rules::run_modules`).
    rules: SystemState<(Ctx<'static>, rules::Facts<'static, 'static>)>,
    /// Which modules are due in round 0 of the day being run (`rules::MODULES` order).
    due: PerModule<bool>,
    /// Checkpoint digests, re-encoding only the parts that changed.
    digester: Digester,
    /// The armed groups' next attack days, redrawn only where something changed.
    attacks: rules::armed::AttackCalendar,
    /// The next day each module is due after the day named, worked out by that day's last
    /// round (a round that proposed nothing, so nothing changes before the plan) from the
    /// view it had fetched anyway, with the number of events logged then: the plan takes it
    /// only for that day and while no event has been applied since.
    plan: Option<(u32, usize, PerModule<Option<u32>>)>,
    /// Each module's earliest timer day, reused while its timers are unchanged (`rules::TimerDays`).
    timer_days: rules::TimerDays,
    /// The date of the day events were last stamped with, written once per day.
    date: Option<(u32, Id)>,
    /// The world's actor index (`Fixed::index`, fixed once the world is built), held here so
    /// that folding a round's events does not fetch it from the world.
    index: std::sync::Arc<ActorIndex>,
}

impl Sim {
    /// A simulation ready to run from day 0.
    pub fn new(scenario: &Scenario, params: Params, seed: u64, limits: Limits) -> Sim {
        let mut world = build_world(scenario, params, seed);
        // The rules' own resources: the scripted timeline, the proposals of a round, and the
        // events of the previous round.
        world.insert_resource(rules::scripted::Timeline::from_scenario(scenario));
        world.insert_resource(Pending::default());
        world.insert_resource(Fresh::default());
        let rules = SystemState::new(&mut world);
        let digester = Digester::new(&mut world);
        let attacks = rules::armed::AttackCalendar::new(&mut world);
        Sim {
            checkpoints: true,
            vetoes: Vec::new(),
            verify_due: false,
            verify_digests: false,
            limits,
            last_checkpoint_period: None,
            rules,
            due: [true; MODULE_COUNT],
            digester,
            attacks,
            plan: None,
            timer_days: rules::TimerDays::default(),
            date: None,
            index: std::sync::Arc::clone(&world.resource::<Fixed>().index),
            world,
        }
    }

    /// Runs to the horizon.
    pub fn run(&mut self) -> Result<(), RunError> {
        self.run_from(0)
    }

    /// Folds already-logged events (a fork's history: every event before day `until`, in seq
    /// order) into the world and the log without running any rule, recording checkpoints as
    /// the run that logged them did.
    pub fn fold_history(&mut self, events: &[Event], until: u32) -> Result<(), ApplyError> {
        let mut day: Option<u32> = None;
        for e in events {
            let seq = self.world.resource::<Log>().events.len() as u64;
            if e.seq != seq || e.day >= until || day.is_some_and(|d| e.day < d) {
                return Err(ApplyError {
                    seq: e.seq,
                    kind: e.kind.name(),
                    message: format!("history must be the log's events before day {until}, in order (expected seq {seq})"),
                });
            }
            if let Some(d) = day
                && d != e.day
            {
                self.end_day(d, true);
            }
            day = Some(e.day);
            apply_indexed(&mut self.world, &self.index, e)?;
            self.world.resource_mut::<Log>().events.push(e.clone());
        }
        if let Some(d) = day {
            self.end_day(d, true);
        }
        Ok(())
    }

    /// Runs from day `first` to the horizon, on the days the rules are due. From a fork's
    /// history, this is the first day at or after `first` on which any rule is due: exactly
    /// the days the original run visited from there, when nothing has changed.
    pub fn run_from(&mut self, first: u32) -> Result<(), RunError> {
        // The world may have been changed from outside since the last round (a fork's timeline).
        self.plan = None;
        let horizon = self.world.resource::<Clock>().horizon;
        // `planned`: the attack calendar was refreshed by the plan that chose `day`, and
        // nothing has been applied since, so round 0 need not refresh it again.
        let (mut day, mut planned) = if first == 0 {
            self.due = [true; MODULE_COUNT];
            (0, false)
        } else {
            match self.plan_next(first - 1) {
                Some(d) if d <= horizon => (d, true),
                _ => return Ok(()),
            }
        };
        loop {
            self.run_day(day, planned)?;
            match self.plan_next(day) {
                Some(next) if next <= horizon => (day, planned) = (next, true),
                _ => break,
            }
        }
        Ok(())
    }

    /// The next day any module is due after `after`, remembering which modules are due then.
    fn plan_next(&mut self, after: u32) -> Option<u32> {
        let logged = self.world.resource::<Log>().events.len();
        let by_module = match self.plan.take() {
            Some((day, at, by_module)) if day == after && at == logged => {
                if self.verify_due {
                    assert_eq!(
                        by_module,
                        self.due_by_module(after),
                        "day {after}: the plan the last round made differs from one made afresh"
                    );
                }
                by_module
            }
            _ => self.due_by_module(after),
        };
        let next = by_module.into_iter().flatten().min();
        self.due = by_module.map(|d| d.is_some() && d == next);
        next
    }

    /// Runs all rounds of one day. In round 0 only the modules due today run (a module not due
    /// has, by its `next_due`, nothing to do before a fresh event); in later rounds, the modules
    /// that wake on the previous round's events (`RuleModule::wakes_on`).
    fn run_day(&mut self, day: u32, planned: bool) -> Result<(), RunError> {
        self.start_day(day);
        // The round and the previous round's events are kept here too, so the loop does not
        // look them up in the world (the rules read them there: `Clock`, `Fresh`).
        let mut round = 0;
        let mut fresh = Fresh::default();
        loop {
            let first_round = round == 0;
            let run = if first_round { self.due } else { rules::woken_by(fresh.events(self.world.resource::<Log>())) };
            let mut proposals = self.run_modules(run, first_round && planned);
            if !self.vetoes.is_empty() {
                self.refuse_vetoed(day, &mut proposals);
            }
            if proposals.is_empty() {
                break;
            }
            if round >= self.limits.max_rounds_per_day {
                return Err(RunError::Storm { day, rounds: round, rules: rule_counts(&proposals) });
            }
            let next_seq = if first_round { self.world.resource::<Log>().events.len() } else { fresh.to } as u64;
            if next_seq + proposals.len() as u64 > self.limits.max_events {
                return Err(RunError::TooManyEvents { limit: self.limits.max_events, day, rule: rule_counts(&proposals) });
            }
            let applied = self.apply_proposals(proposals)?;
            fresh = Fresh { from: applied.start, to: applied.end };
            *self.world.resource_mut::<Fresh>() = fresh;
            round += 1;
            self.world.resource_mut::<Clock>().round = round;
        }
        self.end_day(day, round > 0);
        Ok(())
    }

    fn refuse_vetoed(&mut self, day: u32, proposals: &mut Vec<Proposal>) {
        proposals.retain(|p| {
            let veto = self.vetoes.iter_mut().find(|v| v.day == day && v.kind == p.kind && v.rule == p.rule);
            match veto {
                Some(v) => {
                    v.matched += 1;
                    false
                }
                None => true,
            }
        });
    }

    /// Records a checkpoint after a day with events, once per checkpoint period.
    fn end_day(&mut self, day: u32, applied_today: bool) {
        if applied_today && self.checkpoints {
            let period = day / CHECKPOINT_DAYS;
            if self.last_checkpoint_period != Some(period) {
                self.last_checkpoint_period = Some(period);
                let state_hash = self.digester.digest(&mut self.world);
                if self.verify_digests {
                    let whole = Digester::new(&mut self.world).digest(&mut self.world);
                    assert_eq!(
                        state_hash, whole,
                        "day {day}: the incremental checkpoint digest differs from one computed afresh: a change escaped change detection"
                    );
                }
                let next_seq = self.world.resource::<Log>().events.len() as u64;
                self.world.resource_mut::<Log>().checkpoints.push(Checkpoint { day, next_seq, state_hash });
            }
        }
    }

    /// Sets the clock to round 0 of `day` with no fresh events.
    pub fn start_day(&mut self, day: u32) {
        let mut clock = self.world.resource_mut::<Clock>();
        clock.day = day;
        clock.round = 0;
        *self.world.resource_mut::<Fresh>() = Fresh::default();
    }

    /// Records every probabilistic decision the rules take from now on (`Ctx::chance`), for
    /// `casus explain --why-not`; the log is the same as without.
    pub fn diagnose(&mut self) {
        self.world.resource_mut::<Pending>().1 = Some(Vec::new());
    }

    /// The decisions recorded since `diagnose`, in the order taken.
    pub fn decisions(&mut self) -> Vec<crate::rules::context::Decision> {
        self.world.resource_mut::<Pending>().1.take().unwrap_or_default()
    }

    /// Runs every rule module once and returns what they propose (nothing is applied).
    pub fn run_rules(&mut self) -> Vec<Proposal> {
        self.run_modules([true; MODULE_COUNT], false)
    }

    /// `calendar_current`: the attack calendar is up to date with the world (refreshed by the
    /// plan that chose today, nothing applied since); `verify_due` checks that claim too.
    fn run_modules(&mut self, run: PerModule<bool>, calendar_current: bool) -> Vec<Proposal> {
        let clock = *self.world.resource::<Clock>();
        let armed = self.verify_due || MODULES.iter().zip(run).any(|(m, run)| run && m.reads_attack_calendar());
        // Whether the attack calendar is current once the rules run: in round 0 when the plan
        // that chose today refreshed it or the armed groups are due (refreshed here); after a
        // round that applied events it is refreshed here too, so that a round proposing
        // nothing (the day's last) can plan the next day from this round's view of the world.
        let current = if clock.round == 0 {
            if armed {
                if !calendar_current {
                    self.refresh_attacks();
                } else if self.verify_due {
                    self.attacks.verify(&mut self.world);
                }
            }
            calendar_current || armed
        } else {
            self.refresh_attacks();
            true
        };
        let attacks_due = if clock.round == 0 && armed { self.attacks.due_on(clock.day) } else { Vec::new() };
        let next_attack = current.then(|| self.attacks.next_due(clock.day));
        let (mut ctx, facts) = self.rules.get_mut(&mut self.world).expect("rule parameters are valid");
        let calendar = Calendar { attacks_due: &attacks_due, next_attack: None };
        let made = rules::run_modules(&mut ctx, &facts, if self.verify_due { &[true; MODULE_COUNT] } else { &run }, &calendar);
        if self.verify_due {
            for (i, m) in MODULES.iter().enumerate() {
                assert!(
                    run[i] || made[i] == 0,
                    "module {} was skipped on day {} round {} but proposed {} event(s): its next_due or wakes_on misses a case",
                    m.name(),
                    ctx.clock.day,
                    ctx.clock.round,
                    made[i]
                );
            }
        }
        let proposals = std::mem::take(&mut ctx.pending.0);
        self.plan = match next_attack {
            Some(next_attack) if proposals.is_empty() => Some((
                clock.day,
                ctx.log.events.len(),
                plan_modules(&ctx, &facts, clock.day, next_attack, &mut self.timer_days, self.verify_due),
            )),
            _ => None,
        };
        proposals
    }

    /// The earliest day after `after` on which any rule module has something to do.
    pub fn next_due(&mut self, after: u32) -> Option<u32> {
        self.due_by_module(after).into_iter().flatten().min()
    }

    fn due_by_module(&mut self, after: u32) -> PerModule<Option<u32>> {
        self.refresh_attacks();
        if self.verify_due
            && let Some((group, place, day)) = self.attacks.stale_before(after.saturating_add(1))
        {
            panic!("after day {after}: armed group {group:?}'s attacks at its place {place} were drawn for day {day}, already past");
        }
        let next_attack = self.attacks.next_due(after);
        let (ctx, facts) = self.rules.get_mut(&mut self.world).expect("rule parameters are valid");
        plan_modules(&ctx, &facts, after, next_attack, &mut self.timer_days, self.verify_due)
    }

    fn refresh_attacks(&mut self) {
        self.attacks.refresh(&mut self.world);
        if self.verify_due {
            self.attacks.verify(&mut self.world);
        }
    }

    /// Stamps proposals into events on the clock's day, applies and logs them in order;
    /// returns where they are in the log.
    pub fn apply_proposals(&mut self, proposals: Vec<Proposal>) -> Result<std::ops::Range<usize>, RunError> {
        let clock = *self.world.resource::<Clock>();
        let date = match &self.date {
            Some((day, date)) if *day == clock.day => date.clone(),
            _ => {
                let date = clock.start.plus_days(i64::from(clock.day)).to_id();
                self.date = Some((clock.day, date.clone()));
                date
            }
        };
        // The log's events are held here while the round is folded (`apply` never reads the
        // log), and put back whatever happens.
        let mut events = std::mem::take(&mut self.world.resource_mut::<Log>().events);
        let first = events.len();
        let mut folded = Ok(());
        for (i, p) in proposals.into_iter().enumerate() {
            let event = Event {
                seq: (first + i) as u64,
                day: clock.day,
                date: date.clone(),
                actors: p.kind.actors(),
                kind: p.kind,
                cause: p.cause,
                rule: p.rule,
            };
            folded = apply_indexed(&mut self.world, &self.index, &event);
            if folded.is_err() {
                break;
            }
            events.push(event);
        }
        let end = events.len();
        self.world.resource_mut::<Log>().events = events;
        folded?;
        Ok(first..end)
    }

    /// Makes the logged events `events` the previous round's events, as if just applied (for
    /// harnesses).
    pub fn set_fresh(&mut self, events: std::ops::Range<usize>) {
        *self.world.resource_mut::<Fresh>() = Fresh { from: events.start, to: events.end };
        self.world.resource_mut::<Clock>().round += 1;
    }

    /// The log.
    pub fn log(&self) -> &Log {
        self.world.resource::<Log>()
    }

    /// The final-state hash.
    pub fn state_hash(&mut self) -> String {
        state_hash(&mut self.world)
    }
}

/// Each module's next due day after `after` (the armed groups' from their calendar's next
/// attack day), reusing the timer days in `days` where their timers are unchanged; `verify`
/// checks them against days worked out afresh.
fn plan_modules(
    ctx: &Ctx,
    facts: &rules::Facts,
    after: u32,
    next_attack: Option<u32>,
    days: &mut rules::TimerDays,
    verify: bool,
) -> PerModule<Option<u32>> {
    let calendar = Calendar { attacks_due: &[], next_attack };
    let by_module = rules::next_due_by_module(ctx, facts, after, &calendar, days);
    if verify {
        let afresh: PerModule<Option<u32>> =
            std::array::from_fn(|i| MODULES[i].next_due(ctx, facts, after, &calendar).filter(|d| *d > after));
        assert_eq!(by_module, afresh, "after day {after}: a module's reused timer day differs from one worked out afresh");
    }
    by_module
}

fn rule_counts(proposals: &[Proposal]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in proposals {
        *counts.entry(p.rule.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter().map(|(r, n)| format!("{r:?} ({n})")).collect::<Vec<_>>().join(", ")
}
