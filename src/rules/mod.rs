//! Rules: each reads state and the previous round's events and *proposes* events citing the
//! clause it implements. None mutates state; the fold layer's `apply` does that.
//!
//! Each module also says on which day it next has something to do (`RuleModule::next_due`, a
//! pure function of state: the earliest of its timers, `timers`, and of the days it works out
//! otherwise), so the engine can skip quiet days and, on a busy day, the modules with nothing
//! to do (`RuleModule::wakes_on` covers the rounds after the first).
//! Every module implements [`RuleModule`] in its own file and is listed once, in [`MODULES`].

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

use crate::model::event::{Event, EventKind};
use crate::model::timers::{Step, Timers};
use crate::rules::context::Ctx;

use crate::model::scenario::Regime;
use crate::model::state::{
    Code, Crises, Defence, GroupProfile, GroupState, OrgProfile, OrgState, PartnerProfile, PartnerState, Polity, StateProfile, Treaties,
};

pub mod armed;
pub mod combat;
pub mod context;
pub mod coup;
pub mod defence;
pub mod junta;
pub mod membership;
pub mod partners;
pub mod scripted;
pub mod timers;
pub mod ucg;
pub mod wakes;

/// A stable 64-bit key for an id string (FNV-1a), for draw keys.
pub fn k(id: &str) -> u64 {
    let mut h = crate::model::state::Fnv::default();
    std::hash::Hasher::write(&mut h, id.as_bytes());
    std::hash::Hasher::finish(&h)
}

/// Regime affinity in [-1, 1]: +1 for the same family, -1 for opposed families.
/// Juntas and transitional military governments are one family; democracies another;
/// authoritarian civilian regimes sit between.
pub fn affinity(a: Regime, b: Regime) -> f64 {
    use Regime::*;
    match (a, b) {
        (Junta | Transitional, Junta | Transitional) => 1.0,
        (Democracy, Democracy) => 1.0,
        (Authoritarian, Authoritarian) => 0.5,
        (Authoritarian, _) | (_, Authoritarian) => 0.0,
        _ => -0.5,
    }
}

/// Troops a state can still send or use: not lost, abroad since before the scenario began (its
/// `forces_abroad`), committed abroad since, or tied down at the borders.
pub fn available_troops(def: &crate::model::scenario::StateDef, p: &Polity) -> u32 {
    let abroad_at_start: u32 = def.forces_abroad.values().fold(0u32, |a, n| a.saturating_add(*n));
    p.troops.saturating_sub(abroad_at_start).saturating_sub(p.committed_abroad).saturating_sub(p.redeployed)
}

/// Effective defending strength of a state's own army against an intervention: cohesive
/// regimes get more of their army to fight.
pub fn effective_defenders(p: &Polity, cohesion: f64) -> f64 {
    f64::from(p.troops.saturating_sub(p.committed_abroad)) * (0.2 + 0.5 * cohesion)
}

/// The smallest of some optional days.
pub fn earliest(days: impl IntoIterator<Item = Option<u32>>) -> Option<u32> {
    days.into_iter().flatten().min()
}

/// The entries of `sorted` (ordered by key) whose key is `key`: the first found by binary
/// search, the rest (a handful at most) by walking on.
pub fn entries_of<'s, K: Ord, V>(sorted: &'s [(K, V)], key: &K) -> &'s [(K, V)] {
    let from = sorted.partition_point(|(k, _)| k < key);
    let len = sorted[from..].iter().take_while(|(k, _)| k == key).count();
    &sorted[from..from + len]
}

/// The first day strictly after `after` of the series `start + k * step` (k >= 1).
pub fn next_in_series(start: u32, step: u32, after: u32) -> Option<u32> {
    if step == 0 {
        return None;
    }
    let first = start.checked_add(step)?;
    if first > after {
        return Some(first);
    }
    let k = (after - start) / step + 1;
    start.checked_add(k.checked_mul(step)?)
}

/// Whether `day` is in the series `start + k * step` (k >= 1).
pub fn in_series(start: u32, step: u32, day: u32) -> bool {
    step > 0 && day > start && (day - start).is_multiple_of(step)
}

/// Everything the rule functions read besides [`Ctx`]: fetched once per round, so the cost
/// of reaching into the world does not grow with the number of rules.
#[derive(SystemParam)]
pub struct Facts<'w, 's> {
    /// The scripted timeline.
    pub timeline: Res<'w, scripted::Timeline>,
    /// Treaties.
    pub treaties: Res<'w, Treaties>,
    /// Crises and organisations' responses.
    pub crises: Res<'w, Crises>,
    /// Defence bookkeeping.
    pub defence: Res<'w, Defence>,
    /// The delayed steps waiting.
    pub timers: Res<'w, Timers>,
    /// States with their profiles.
    pub states: Query<'w, 's, (&'static StateProfile, &'static Polity)>,
    /// States' mutable state alone.
    pub polities: Query<'w, 's, &'static Polity>,
    /// Organisations.
    pub orgs: Query<'w, 's, (&'static OrgProfile, &'static OrgState)>,
    /// Organisations with their ids.
    pub coded_orgs: Query<'w, 's, (&'static Code, &'static OrgProfile, &'static OrgState)>,
    /// Partners.
    pub partners: Query<'w, 's, (&'static PartnerProfile, &'static PartnerState)>,
    /// Partners with their ids.
    pub coded_partners: Query<'w, 's, (&'static Code, &'static PartnerProfile, &'static PartnerState)>,
    /// Armed groups with their ids.
    pub groups: Query<'w, 's, (&'static Code, &'static GroupProfile, &'static GroupState)>,
}

/// What the engine hands the rules besides the world: the armed groups' attack calendar's
/// answers (the calendar is the engine's, kept current across rounds: `armed::AttackCalendar`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Calendar<'a> {
    /// The attacks due today, in round 0 (`armed::AttackCalendar::due_on`): empty otherwise.
    pub attacks_due: &'a [(Entity, usize)],
    /// The next attack day after the day asked about (`armed::AttackCalendar::next_due`).
    pub next_attack: Option<u32>,
}

/// A rule module: rules that run together, at their place in [`MODULES`]. A module reads the
/// world through [`Facts`] and [`Ctx`] and proposes events; it also says when it has something
/// to do, so the engine runs it only then (`Sim::verify_due` checks that a module not run
/// would have proposed nothing).
pub trait RuleModule: Sync {
    /// Its name in messages.
    fn name(&self) -> &'static str;

    /// Runs its rules in their order, pushing proposals into `ctx`.
    fn run(&self, ctx: &mut Ctx, facts: &Facts, calendar: &Calendar);

    /// Whether an applied event of this kind can give it something to do in the next round of
    /// the same day: its rules act on fresh events of certain kinds, on timers (round 0 only,
    /// see `next_due`), or on conditions only such events can make true within a day (a zero
    /// delay: a coup failing with an immediate reversal, a deployment with no mobilisation
    /// time, a withdrawal with no notice). Said per kind in [`wakes::modules_woken_by`].
    fn wakes_on(&self, kind: &EventKind) -> bool {
        wakes::modules_woken_by(kind).any(|name| name == self.name())
    }

    /// The steps whose timers it acts on (`model::timers`): its next due day is the earliest
    /// of their timers, or a day `next_computed` names.
    fn steps(&self) -> &'static [Step];

    /// A day after `after` on which it has something to do that no timer names, worked out
    /// from state (the armed groups' attack calendar, the scenario's timeline).
    fn next_computed(&self, _ctx: &Ctx, _facts: &Facts, _after: u32, _calendar: &Calendar) -> Option<u32> {
        None
    }

    /// The first day after `after` on which it has something to do, a pure function of state:
    /// the earliest of its timers and of the day `next_computed` names.
    fn next_due(&self, ctx: &Ctx, facts: &Facts, after: u32, calendar: &Calendar) -> Option<u32> {
        earliest([timers::earliest(ctx, facts, self.steps(), after), self.next_computed(ctx, facts, after, calendar)])
    }

    /// Whether it reads today's due attacks (the engine refreshes the calendar first).
    fn reads_attack_calendar(&self) -> bool;
}

/// Every rule module, in the order they run within a round (and so propose events). Adding a
/// module: implement [`RuleModule`] in its own file and list it here.
pub const MODULES: &[&dyn RuleModule] = &[
    &scripted::ScriptedRules,
    &coup::CoupRules,
    &ucg::UcgRules,
    &partners::PartnerRules,
    &junta::JuntaRules,
    &defence::DefenceRules,
    &combat::CombatRules,
    &armed::ArmedGroupRules,
    &membership::MembershipRules,
];

/// The number of rule modules.
pub const MODULE_COUNT: usize = MODULES.len();

/// Every module's name (`RuleModule::name`), in [`MODULES`] order (a test checks the two agree).
pub const MODULE_NAMES: [&str; MODULE_COUNT] =
    [scripted::NAME, coup::NAME, ucg::NAME, partners::NAME, junta::NAME, defence::NAME, combat::NAME, armed::NAME, membership::NAME];

/// One value per rule module, in [`MODULES`] order.
pub type PerModule<T> = [T; MODULE_COUNT];

/// Which modules an applied round of events wakes for the next round of the same day.
pub fn woken_by(fresh: &[Event]) -> PerModule<bool> {
    let woken = fresh.iter().fold(0, |set, e| set | wakes::wake_set(&e.kind));
    std::array::from_fn(|i| woken & (1 << i) != 0)
}

/// Runs the modules marked in `run`, in order, pushing proposals into `ctx`; returns how many
/// each proposed.
pub fn run_modules(ctx: &mut Ctx, f: &Facts, run: &PerModule<bool>, calendar: &Calendar) -> PerModule<usize> {
    let mut made = [0usize; MODULE_COUNT];
    for (i, module) in MODULES.iter().enumerate() {
        if run[i] {
            let before = ctx.pending.0.len();
            module.run(ctx, f, calendar);
            made[i] = ctx.pending.0.len() - before;
        }
    }
    made
}

/// Each module's earliest timer day as last worked out: (after, the changes of its steps' timers
/// then, the day). A timer's day is a function of the timer alone (the definitions and the
/// parameters do not change during a run), so the earliest after `a` is still `d` after any
/// later day before `d` while none of the module's timers has been set or ended
/// (`Timers::changes`). While no timer at all has changed (`Timers::generation`, kept beside
/// the days) the per-module counts need not be summed. `Sim::verify_due` checks every reused
/// day against one worked out afresh.
#[derive(Debug, Clone, Default)]
pub struct TimerDays(PerModule<Option<(u32, u64, Option<u32>)>>, Option<u64>);

impl TimerDays {
    /// Module `i`'s earliest timer day after `after`, reused if its timers have not changed.
    fn day(&mut self, i: usize, ctx: &Ctx, f: &Facts, after: u32, unchanged: bool) -> Option<u32> {
        let fits = |(a, _, d): (u32, u64, Option<u32>)| a <= after && d.is_none_or(|d| after < d);
        if unchanged && let Some(entry) = self.0[i].filter(|e| fits(*e)) {
            return entry.2;
        }
        let steps = MODULES[i].steps();
        let changes = f.timers.changes(steps);
        if let Some(entry) = self.0[i]
            && entry.1 == changes
            && fits(entry)
        {
            return entry.2;
        }
        let d = timers::earliest(ctx, f, steps, after);
        self.0[i] = Some((after, changes, d));
        d
    }
}

/// The day after `after` on which each module next has something to do: the earliest of its
/// timers (reused from `days` while they have not changed) and of its `next_computed` day.
pub fn next_due_by_module(ctx: &Ctx, f: &Facts, after: u32, calendar: &Calendar, days: &mut TimerDays) -> PerModule<Option<u32>> {
    let generation = f.timers.generation();
    let unchanged = days.1 == Some(generation);
    days.1 = Some(generation);
    std::array::from_fn(|i| {
        earliest([days.day(i, ctx, f, after, unchanged), MODULES[i].next_computed(ctx, f, after, calendar)]).filter(|d| *d > after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_of_finds_each_run_of_a_key() {
        let sorted = [(1, 'a'), (3, 'b'), (3, 'c'), (5, 'd')];
        assert_eq!(entries_of(&sorted, &1), &[(1, 'a')]);
        assert_eq!(entries_of(&sorted, &3), &[(3, 'b'), (3, 'c')]);
        assert_eq!(entries_of(&sorted, &5), &[(5, 'd')]);
        for absent in [0, 2, 4, 6] {
            assert!(entries_of(&sorted, &absent).is_empty());
        }
    }

    #[test]
    fn series_helpers_agree() {
        assert_eq!(next_in_series(10, 7, 0), Some(17));
        assert_eq!(next_in_series(10, 7, 17), Some(24));
        assert_eq!(next_in_series(10, 7, 23), Some(24));
        assert!(in_series(10, 7, 24));
        assert!(!in_series(10, 7, 10));
        assert!(!in_series(10, 7, 25));
    }

    #[test]
    fn module_names_are_listed_in_module_order() {
        assert_eq!(MODULE_NAMES.to_vec(), MODULES.iter().map(|m| m.name()).collect::<Vec<_>>());
    }

    #[test]
    fn affinity_is_symmetric() {
        use Regime::*;
        for a in [Democracy, Authoritarian, Junta, Transitional] {
            for b in [Democracy, Authoritarian, Junta, Transitional] {
                assert_eq!(affinity(a, b), affinity(b, a));
            }
        }
    }
}
