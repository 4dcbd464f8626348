//! When the world's timers (`model::timers`, kept by `apply`) fire: the one place a delayed
//! step's delay is written. A timer's day is worked out when asked, from the timer, the
//! scenario's definitions and the run's parameters (so a fork that changes a delay moves it),
//! unless the event that set it named the day itself (`Timer::deadline`). The rules ask
//! whether a timer is due (`reached`, `on_today`, `fires`); a module's next due day is the
//! earliest of its steps' timers (`earliest`).

use crate::model::params::Params;
use crate::model::scenario::UcgRegimeDef;
use crate::model::state::Id;
use crate::model::timers::{Step, Timer, TimerKey};
use crate::rules::context::Ctx;
use crate::rules::{Facts, in_series, next_in_series};

/// When a timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Once, on this day.
    At(u32),
    /// On every `step` days after `start` (periodic reviews).
    Every {
        /// The day the series counts from.
        start: u32,
        /// Days between two.
        step: u32,
    },
}

/// An organisation's regime on unconstitutional change, by id.
fn ucg<'a>(ctx: &Ctx, f: &'a Facts, org: &Id) -> Option<&'a UcgRegimeDef> {
    ctx.fixed.index.get(org).and_then(|e| f.orgs.get(*e).ok()).and_then(|(p, _)| p.0.ucg.as_ref())
}

/// When the timer `key` (running as `t`) fires: its delay, written once. None if the actor
/// whose definition gives the delay has none.
#[inline]
pub fn when(ctx: &Ctx, f: &Facts, key: &TimerKey, t: &Timer) -> Option<When> {
    if let Some(d) = t.deadline {
        return Some(When::At(d));
    }
    let p = &ctx.fixed.params;
    let after = |delay: u32| Some(When::At(t.set_day.saturating_add(delay)));
    match key.step {
        Step::Suspension => after(ucg(ctx, f, &key.a)?.suspension_delay_days),
        Step::Summit => after(ucg(ctx, f, &key.a)?.summit_delay_days),
        Step::Pledges => after(Params::days(p.pledge_delay_days)),
        Step::ActivationSummit => after(ucg(ctx, f, &key.a)?.activation_summit_delay_days),
        Step::LaunchReview => after(Params::days(p.intervention_review_days)),
        Step::CallOff => after(Params::days(p.intervention_call_off_days)),
        Step::SanctionsReview => Some(When::Every { start: t.set_day, step: ucg(ctx, f, &key.a)?.review_days }),
        Step::AidSuspension => {
            let (prof, _) = ctx.fixed.index.get(&key.a).and_then(|e| f.partners.get(*e).ok())?;
            after(prof.0.aid_suspension_delay_days)
        }
        Step::JuntaReview => Some(When::Every { start: t.set_day, step: Params::days(p.junta_review_days) }),
        Step::Mobilisation => after(Params::days(p.assistance_mobilisation_days)),
        Step::Deployment => after(Params::days(p.assistance_deployment_days)),
        Step::TourEnd => after(Params::days(p.assistance_tour_days)),
        Step::CombatRound => after(Params::days(p.combat_round_days)),
        // Set with the day the event named.
        Step::Reversal | Step::UltimatumExpiry | Step::PartnerLeaving | Step::OrgWithdrawal | Step::TreatyWithdrawal => None,
    }
}

/// The day a one-off timer fires, if it runs.
pub fn day_of(ctx: &Ctx, f: &Facts, key: &TimerKey) -> Option<u32> {
    day(ctx, f, key, f.timers.get(key)?)
}

/// The day the one-off timer `key`, running as `t`, fires.
fn day(ctx: &Ctx, f: &Facts, key: &TimerKey, t: &Timer) -> Option<u32> {
    match when(ctx, f, key, t)? {
        When::At(d) => Some(d),
        When::Every { .. } => None,
    }
}

/// Whether a one-off timer runs and its day has come (today or before: it fires whenever its
/// module runs from that day on, until the step it waits for happens and `apply` ends it).
pub fn reached(ctx: &Ctx, f: &Facts, key: &TimerKey) -> bool {
    f.timers.get(key).is_some_and(|t| reached_by(ctx, f, key, t))
}

/// `reached`, for a timer in hand (walking a step's timers: `Timers::of`).
pub fn reached_by(ctx: &Ctx, f: &Facts, key: &TimerKey, t: &Timer) -> bool {
    day(ctx, f, key, t).is_some_and(|d| d <= ctx.day())
}

/// Whether a timer runs and fires today: a one-off timer on its day, a periodic one on each of
/// its series' days.
pub fn on_today(ctx: &Ctx, f: &Facts, key: &TimerKey) -> bool {
    let Some(t) = f.timers.get(key) else { return false };
    match when(ctx, f, key, t) {
        Some(When::At(d)) => d == ctx.day(),
        Some(When::Every { start, step }) => in_series(start, step, ctx.day()),
        None => false,
    }
}

/// Whether a one-off timer fires now, exactly once (`Ctx::due`): a zero delay in the round
/// right after the event that set it, a positive one in round 0 of its day.
pub fn fires(ctx: &Ctx, f: &Facts, key: &TimerKey) -> bool {
    let Some(t) = f.timers.get(key) else { return false };
    match when(ctx, f, key, t) {
        Some(When::At(d)) => ctx.due(t.set_day, d.saturating_sub(t.set_day), t.set_by),
        _ => false,
    }
}

/// The first day after `after` on which a timer of one of `steps` fires. A launch review acts
/// in round 0 only, so one that fell due on a day already under way (D-Day on the day of the
/// activation) happens the next day.
pub fn earliest(ctx: &Ctx, f: &Facts, steps: &[Step], after: u32) -> Option<u32> {
    let mut best: Option<u32> = None;
    for &step in steps.iter().filter(|s| f.timers.any(**s)) {
        for (key, t) in f.timers.of(step) {
            let day = match when(ctx, f, key, t) {
                Some(When::At(d)) if step == Step::LaunchReview => Some(d.max(after.saturating_add(1))),
                Some(When::At(d)) => Some(d),
                Some(When::Every { start, step }) => next_in_series(start, step, after),
                None => None,
            };
            if let Some(d) = day.filter(|d| *d > after)
                && best.is_none_or(|b| d < b)
            {
                best = Some(d);
            }
        }
    }
    best
}
