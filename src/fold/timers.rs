//! The timers an applied event starts and ends (`model::timers`): bookkeeping `apply` does
//! after an event's own, reading the state the event left. A timer runs exactly while the step
//! it waits for can still happen, so a rule module's next due day is the earliest of its
//! timers and a rule acts on the timers due.

use bevy_ecs::prelude::*;

use crate::model::event::{Event, EventKind, SummitAgenda, VoteQuestion};
use crate::model::state::{Code, Crises, Id, OrgResponse, OrgState, PartnerState, Treaties};
use crate::model::timers::{RESPONSE_STEPS, Step, Timer, TimerKey, Timers};
use crate::model::world::Fixed;

/// Starts and ends the timers `event` (just applied) starts and ends.
pub fn keep(world: &mut World, event: &Event) {
    let (day, seq) = (event.day, event.seq);
    let at = |d: u32| Timer { set_day: day, set_by: seq, deadline: Some(d) };
    let now = Timer { set_day: day, set_by: seq, deadline: None };
    use EventKind as K;
    match &event.kind {
        K::CoupStaged { state, .. } => coup_staged(world, state, now),
        K::CoupFailing { state, reversal_day } => timers(world).set(TimerKey::one(Step::Reversal, state), at(*reversal_day)),
        K::OrderRestored { state, .. } => {
            let mut t = timers(world);
            t.clear_for(&RESPONSE_STEPS, state, false);
            t.clear_for(&[Step::AidSuspension], state, false);
            t.clear_for(&[Step::Reversal, Step::JuntaReview], state, true);
        }
        K::MemberSuspended { org, state } => timers(world).clear(&TimerKey::new(Step::Suspension, org, state)),
        K::SuspensionLifted { org, state } => suspension_lifted(world, org, state),
        K::SummitConvened { org, target, agenda: SummitAgenda::Sanctions } => {
            timers(world).clear(&TimerKey::new(Step::Summit, org, target))
        }
        K::SummitConvened { org, target, agenda: SummitAgenda::StandbyForce }
        | K::VoteHeld { org, target, question: VoteQuestion::ActivateStandbyForce, .. } => {
            timers(world).clear(&TimerKey::new(Step::ActivationSummit, org, target))
        }
        K::SanctionsImposed { org, target, .. } | K::SanctionsLifted { org, target, .. } => sanctions_changed(world, org, target),
        K::UltimatumIssued { org, target, deadline_day, .. } => ultimatum_issued(world, org, target, at(*deadline_day), now),
        K::UltimatumExpired { org, target } => ultimatum_expired(world, org, target, now),
        K::StandbyForceActivated { org, target, dday } => activated(world, org, target, *dday, now),
        K::VoteHeld { org, target, question: VoteQuestion::LaunchIntervention, .. } | K::LaunchPostponed { org, target, .. } => {
            let key = TimerKey::new(Step::LaunchReview, org, target);
            let mut t = timers(world);
            if t.get(&key).is_some() {
                t.set(key, now);
            }
        }
        K::InterventionLaunched { org, target, .. } => {
            standby_force_done(world, org, target);
            timers(world).set(TimerKey::new(Step::CombatRound, target, org), now);
        }
        K::StandbyForceStoodDown { org, target, .. } => standby_force_done(world, org, target),
        K::CombatRound { org, target, .. } => timers(world).set(TimerKey::new(Step::CombatRound, target, org), now),
        K::InterventionEnded { org, target, .. } => timers(world).clear(&TimerKey::new(Step::CombatRound, target, org)),
        K::AidSuspended { partner, recipient, .. } => timers(world).clear(&TimerKey::new(Step::AidSuspension, partner, recipient)),
        K::ForcesExpelled { state, partner, leave_by_day, .. } => {
            timers(world).set(TimerKey::new(Step::PartnerLeaving, partner, state), at(*leave_by_day))
        }
        K::ForcesWithdrawn { partner, from, .. } => timers(world).clear(&TimerKey::new(Step::PartnerLeaving, partner, from)),
        K::TransitionAnswered { state, accepted: true, .. } => timers(world).clear(&TimerKey::one(Step::JuntaReview, state)),
        K::WithdrawalAnnounced { state, from, effective_day } => {
            let step = withdrawal_step(world, from);
            timers(world).set(TimerKey::new(step, from, state), at(*effective_day));
        }
        K::WithdrawalEffective { state, from } => {
            let step = withdrawal_step(world, from);
            timers(world).clear(&TimerKey::new(step, from, state));
        }
        K::AssistanceDecided { party, beneficiary, honoured: true, troops, .. } if *troops > 0 => {
            forces_at(world, party, beneficiary, Step::Mobilisation, now)
        }
        K::ForcesMobilised { party, beneficiary, .. } => forces_at(world, party, beneficiary, Step::Deployment, now),
        K::ForcesDeployed { party, beneficiary, .. } => forces_at(world, party, beneficiary, Step::TourEnd, now),
        K::ForcesReturned { party, beneficiary, .. } => {
            let mut t = timers(world);
            for step in [Step::Mobilisation, Step::Deployment, Step::TourEnd] {
                t.clear(&TimerKey::new(step, party, beneficiary));
            }
        }
        _ => {}
    }
}

fn timers(world: &mut World) -> Mut<'_, Timers> {
    world.resource_mut::<Timers>()
}

fn response<'w>(world: &'w World, org: &Id, target: &Id) -> Option<&'w OrgResponse> {
    world.resource::<Crises>().0.get(target).and_then(|c| c.responses.get(org))
}

/// A coup opens a new crisis: the previous crisis's steps end, and the new one's start: each
/// organisation's suspension (unless the state is suspended already) and sanctions summit (those the state belonged to at the start
/// with a regime on unconstitutional change), each donor's aid suspension (those that have not
/// suspended their aid to it already), the junta's reviews. An intervention under way keeps
/// its combat timer (it continues through the coup).
fn coup_staged(world: &mut World, state: &Id, now: Timer) {
    let fixed = world.resource::<Fixed>();
    let orgs: Vec<(Id, bool)> = fixed
        .ucg_orgs_of
        .0
        .get(state)
        .into_iter()
        .flatten()
        .map(|(o, e)| (o.clone(), world.get::<OrgState>(*e).is_some_and(|s| s.suspended.contains(state))))
        .collect();
    let donors: Vec<Id> = fixed
        .donors_of
        .0
        .get(state)
        .into_iter()
        .flatten()
        .filter(|e| world.get::<PartnerState>(**e).is_some_and(|p| !p.aid_suspended.contains(state)))
        .filter_map(|e| world.get::<Code>(*e).map(|c| c.0.clone()))
        .collect();
    let mut t = timers(world);
    t.clear_for(&RESPONSE_STEPS, state, false);
    t.clear_for(&[Step::AidSuspension], state, false);
    t.clear_for(&[Step::Reversal], state, true);
    for (org, already_suspended) in &orgs {
        // A member already suspended (a second coup within a transition: Burkina Faso, Sep
        // 2022) is not suspended again; the summit still meets.
        if !already_suspended {
            t.set(TimerKey::new(Step::Suspension, org, state), now);
        }
        t.set(TimerKey::new(Step::Summit, org, state), now);
    }
    for partner in &donors {
        t.set(TimerKey::new(Step::AidSuspension, partner, state), now);
    }
    t.set(TimerKey::one(Step::JuntaReview, state), now);
}

/// A lifted suspension can be imposed again while the coup's crisis is open: its timer runs
/// again from the coup, for the organisations that suspend on their own delay.
fn suspension_lifted(world: &mut World, org: &Id, state: &Id) {
    let Some(crisis) = world.resource::<Crises>().0.get(state).filter(|c| c.resolved_day.is_none()) else { return };
    let timer = Timer { set_day: crisis.coup_day, set_by: crisis.coup_seq, deadline: None };
    let starts = world.resource::<Fixed>().ucg_orgs_of.0.get(state).is_some_and(|v| v.iter().any(|(o, _)| o == org));
    if starts {
        timers(world).set(TimerKey::new(Step::Suspension, org, state), timer);
    }
}

/// Sanctions imposed or lifted: the summit is held (imposed), and the periodic review runs from
/// the first economic measures while economic measures are in force.
fn sanctions_changed(world: &mut World, org: &Id, target: &Id) {
    let review = response(world, org, target).and_then(|r| {
        let (d0, seq0) = r.sanctions_day?;
        r.measures.iter().any(|m| m.is_economic()).then_some(Timer { set_day: d0, set_by: seq0, deadline: None })
    });
    let imposed = response(world, org, target).is_some_and(|r| r.summit_held);
    let mut t = timers(world);
    if imposed {
        t.clear(&TimerKey::new(Step::Summit, org, target));
    }
    let key = TimerKey::new(Step::SanctionsReview, org, target);
    match review {
        Some(timer) => t.set(key, timer),
        None => t.clear(&key),
    }
}

/// A standby force activated: unless it has launched or stood down already, its launch reviews
/// (D-Day first, or the review period after a review already held) and its call-off run.
fn activated(world: &mut World, org: &Id, target: &Id, dday: u32, now: Timer) {
    let Some(r) = response(world, org, target) else { return };
    if r.intervention.is_some() || r.stood_down {
        return;
    }
    let review = match r.last_launch_review {
        Some(last) => Timer { set_day: last, deadline: None, ..now },
        None => Timer { deadline: Some(dday), ..now },
    };
    let mut t = timers(world);
    t.set(TimerKey::new(Step::LaunchReview, org, target), review);
    t.set(TimerKey::new(Step::CallOff, org, target), now);
}

/// An ultimatum: the sanctions summit was held; its expiry and the allies' pledges wait.
fn ultimatum_issued(world: &mut World, org: &Id, target: &Id, deadline: Timer, now: Timer) {
    let mut t = timers(world);
    t.clear(&TimerKey::new(Step::Summit, org, target));
    t.set(TimerKey::new(Step::UltimatumExpiry, org, target), deadline);
    t.set(TimerKey::new(Step::Pledges, org, target), now);
}

/// An ultimatum expired: the summit on the standby force waits, unless its vote was held.
fn ultimatum_expired(world: &mut World, org: &Id, target: &Id, now: Timer) {
    let vote_held = response(world, org, target).is_some_and(|r| r.activation_vote_held);
    let mut t = timers(world);
    t.clear(&TimerKey::new(Step::UltimatumExpiry, org, target));
    if !vote_held {
        t.set(TimerKey::new(Step::ActivationSummit, org, target), now);
    }
}

/// A standby force launched or stood down: no more launch reviews, no call-off.
fn standby_force_done(world: &mut World, org: &Id, target: &Id) {
    let mut t = timers(world);
    t.clear(&TimerKey::new(Step::LaunchReview, org, target));
    t.clear(&TimerKey::new(Step::CallOff, org, target));
}

/// Committed forces move to the stage whose end `step` waits for (a deployment waits for one
/// step at a time).
fn forces_at(world: &mut World, party: &Id, beneficiary: &Id, step: Step, now: Timer) {
    let mut t = timers(world);
    let mut key = TimerKey::new(step, party, beneficiary);
    for other in [Step::Mobilisation, Step::Deployment, Step::TourEnd].into_iter().filter(|s| *s != step) {
        key.step = other;
        t.clear(&key);
    }
    key.step = step;
    t.set(key, now);
}

/// A withdrawal from a treaty, or else from an organisation (as `apply` decides).
fn withdrawal_step(world: &World, from: &Id) -> Step {
    if world.resource::<Treaties>().by_id.contains_key(from) { Step::TreatyWithdrawal } else { Step::OrgWithdrawal }
}
