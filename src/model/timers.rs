//! Timers: the delayed steps waiting in the world, as data. Applying an event records the
//! timers it starts (what step, for whom, the day it was set and the event that set it) and
//! drops those it ends; the rules act on the timers that are due, and each rule module's next
//! due day is the earliest of its timers. The day a timer fires is not stored: the rules layer
//! works it out from the timer, the scenario's definitions and the parameters when asked
//! (`rules::timers`), so a fork that changes a delay moves the day. Only when the event that
//! set a timer names the day itself (an ultimatum's deadline, D-Day, a withdrawal's effective
//! day, ...) does the timer keep that day (`Timer::deadline`).
//!
//! Timers are a function of the events applied: `apply` keeps them, replay and fork rebuild
//! them, and they are neither digested nor logged.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;

use crate::model::id::Id;

/// An organisation's steps in a crisis (keyed organisation, target): the unconstitutional-change
/// rules' timers, which `apply` ends when the crisis is resolved or replaced by a new coup.
pub const RESPONSE_STEPS: [Step; 8] = [
    Step::Suspension,
    Step::Summit,
    Step::UltimatumExpiry,
    Step::Pledges,
    Step::ActivationSummit,
    Step::LaunchReview,
    Step::CallOff,
    Step::SanctionsReview,
];

/// A delayed step. Each names the two subjects of its key (`TimerKey::a`, `TimerKey::b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// A failing coup reversed by loyal forces on its reversal day: (state, -).
    Reversal,
    /// An organisation suspends a member after a coup: (organisation, target).
    Suspension,
    /// An organisation's sanctions summit after a coup: (organisation, target).
    Summit,
    /// An ultimatum's deadline passes: (organisation, target).
    UltimatumExpiry,
    /// Allies pledge to defend a junta threatened with force: (organisation, target).
    Pledges,
    /// The summit that votes on the standby force after an ultimatum expired: (organisation, target).
    ActivationSummit,
    /// A launch review of an activated standby force (D-Day, then every review period): (organisation, target).
    LaunchReview,
    /// An activated standby force that never launched is called off: (organisation, target).
    CallOff,
    /// The periodic review of economic sanctions: (organisation, target).
    SanctionsReview,
    /// A partner suspends its aid after a coup: (partner, recipient).
    AidSuspension,
    /// An expelled partner's forces leave: (partner, host).
    PartnerLeaving,
    /// A junta's periodic review of its position: (state, -).
    JuntaReview,
    /// Committed forces mobilise: (party, beneficiary).
    Mobilisation,
    /// Mobilised forces deploy: (party, beneficiary).
    Deployment,
    /// Deployed forces end their tour and return: (party, beneficiary).
    TourEnd,
    /// An intervention's next round of fighting: (target, organisation).
    CombatRound,
    /// A withdrawal from an organisation takes effect: (organisation, state).
    OrgWithdrawal,
    /// A withdrawal from a treaty takes effect: (treaty, state).
    TreatyWithdrawal,
}

impl Step {
    /// How many steps there are.
    pub const COUNT: usize = Step::TreatyWithdrawal as usize + 1;
}

/// Which timer: a step and its two subjects (the second empty for steps with one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerKey {
    /// The step.
    pub step: Step,
    /// The first subject.
    pub a: Id,
    /// The second subject.
    pub b: Id,
}

impl TimerKey {
    /// The key of `step` for `a` and `b`.
    pub fn new(step: Step, a: &Id, b: &Id) -> TimerKey {
        TimerKey { step, a: a.clone(), b: b.clone() }
    }

    /// The key of a step with one subject.
    pub fn one(step: Step, a: &Id) -> TimerKey {
        TimerKey { step, a: a.clone(), b: Id::default() }
    }
}

/// A running timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// The day it was set.
    pub set_day: u32,
    /// The seq of the event that set it.
    pub set_by: u64,
    /// The day it fires, when the event that set it named one.
    pub deadline: Option<u32>,
}

/// Every running timer: one map per step (indexed by `Step as usize`), in subject order, for
/// each step how many times its timers have changed (`changes`), and how many times any has
/// (`generation`).
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Timers([BTreeMap<TimerKey, Timer>; Step::COUNT], [u64; Step::COUNT], u64);

impl Timers {
    /// Starts (or restarts) a timer.
    pub fn set(&mut self, key: TimerKey, timer: Timer) {
        self.1[key.step as usize] += 1;
        self.2 += 1;
        self.0[key.step as usize].insert(key, timer);
    }

    /// Ends a timer, if it runs.
    pub fn clear(&mut self, key: &TimerKey) {
        if self.0[key.step as usize].remove(key).is_some() {
            self.1[key.step as usize] += 1;
            self.2 += 1;
        }
    }

    /// How many times the timers of these steps have been set or ended: while it stays the same,
    /// so do they (a module's earliest timer day can be reused: `rules::TimerDays`).
    pub fn changes(&self, steps: &[Step]) -> u64 {
        steps.iter().map(|s| self.1[*s as usize]).sum()
    }

    /// How many times any timer has been set or ended: while it stays the same, so does every
    /// timer.
    pub fn generation(&self) -> u64 {
        self.2
    }

    /// A timer, if it runs.
    pub fn get(&self, key: &TimerKey) -> Option<&Timer> {
        self.0[key.step as usize].get(key)
    }

    /// The timers of one step, in subject order.
    pub fn of(&self, step: Step) -> impl Iterator<Item = (&TimerKey, &Timer)> {
        self.0[step as usize].iter()
    }

    /// Whether a timer of this step runs (most steps have none most of the time).
    pub fn any(&self, step: Step) -> bool {
        !self.0[step as usize].is_empty()
    }

    /// How many timers run.
    pub fn len(&self) -> usize {
        self.0.iter().map(BTreeMap::len).sum()
    }

    /// Whether no timer runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends every timer of these steps whose subject `b` (or `a`, for `by_a`) is `who`.
    pub fn clear_for(&mut self, steps: &[Step], who: &Id, by_a: bool) {
        for step in steps {
            let before = self.0[*step as usize].len();
            self.0[*step as usize].retain(|k, _| if by_a { k.a != *who } else { k.b != *who });
            if self.0[*step as usize].len() != before {
                self.1[*step as usize] += 1;
                self.2 += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steps_timers_are_walked_in_subject_order_and_cleared_by_subject() {
        let mut t = Timers::default();
        let timer = |d| Timer { set_day: d, set_by: u64::from(d), deadline: None };
        let (a, b, c) = (Id::from("A"), Id::from("B"), Id::from("C"));
        t.set(TimerKey::new(Step::Summit, &b, &c), timer(1));
        t.set(TimerKey::new(Step::Suspension, &b, &a), timer(2));
        t.set(TimerKey::new(Step::Suspension, &a, &c), timer(3));
        t.set(TimerKey::one(Step::JuntaReview, &c), timer(4));
        let walked: Vec<u32> = t.of(Step::Suspension).map(|(_, t)| t.set_day).collect();
        assert_eq!(walked, [3, 2]);
        assert_eq!(t.of(Step::Reversal).count(), 0);
        t.clear_for(&[Step::Suspension, Step::Summit], &c, false);
        assert_eq!(t.len(), 2);
        assert!(t.get(&TimerKey::new(Step::Suspension, &b, &a)).is_some());
        t.clear_for(&[Step::JuntaReview], &c, true);
        t.clear(&TimerKey::new(Step::Suspension, &b, &a));
        assert!(t.is_empty());
    }
}
