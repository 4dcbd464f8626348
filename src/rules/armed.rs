//! Armed groups: attacks as a Poisson process per (group, state) whose rate responds to the
//! security situation. Because waiting times are memoryless, the next attack is drawn afresh
//! from the later of the last attack and the last change in the security situation; the draw
//! is keyed by (group, state, attack count, anchor day), so it is a pure function of state.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemState;

use crate::model::draw::{Draws, Purpose};
use crate::model::event::EventKind;
use crate::model::params::Params;
use crate::model::scenario::AttackKind;
use crate::model::state::{Code, GroupProfile, GroupState, PartnerState, Place, Polity, StateProfile};
use crate::model::world::Fixed;
use crate::rules::context::Ctx;
use crate::rules::k;

use crate::model::timers::Step;
use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "armed";

/// Armed groups' attacks.
pub struct ArmedGroupRules;

impl RuleModule for ArmedGroupRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, calendar: &Calendar) {
        launch_armed_group_attacks(ctx, calendar.attacks_due, &f.groups);
    }

    fn steps(&self) -> &'static [Step] {
        &[]
    }

    fn next_computed(&self, _ctx: &Ctx, _f: &Facts, after: u32, calendar: &Calendar) -> Option<u32> {
        calendar.next_attack.filter(|d| *d > after)
    }

    fn reads_attack_calendar(&self) -> bool {
        true
    }
}

/// Rule citation for the attack process.
pub const RULE: &str = "armed group attack process (Poisson, security-dependent rate)";

/// Attack-rate multiplier for a state: national forces drawn away (a share of the troops it had
/// at the start, `initial_troops`, so that the rate changes only with a change in the security
/// situation, from which the next attack is drawn: `security_changed_day`), foreign forces gone.
pub fn rate_multiplier(params: &Params, p: &Polity, initial_troops: u32, hosted_initially: bool, hosted_now: bool) -> f64 {
    let drawn_away = if initial_troops > 0 { (f64::from(p.redeployed) / f64::from(initial_troops)).min(1.0) } else { 0.0 };
    let vacuum = if hosted_initially && !hosted_now { 1.0 } else { 0.0 };
    1.0 + params.armed_redeploy_weight * drawn_away + params.armed_foreign_exit_weight * vacuum
}

/// Everything the next attack day of a (group, state) pair depends on besides the two ids: the
/// daily rate, the day the waiting time runs from, and the attacks so far.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AttackInputs {
    /// Attacks per day (its bits, so equal inputs give the same draw, bit for bit).
    per_day: u64,
    anchor: u32,
    count: u32,
}

impl AttackInputs {
    /// `None` when the group does not attack there (a rate of zero).
    fn of(params: &Params, g: &GroupProfile, gs: &GroupState, state: &str, place: (&Polity, u32), hosted: (bool, bool)) -> Option<Self> {
        let (p, initial_troops) = place;
        let per_day = g.0.attacks_per_month / 30.0 * rate_multiplier(params, p, initial_troops, hosted.0, hosted.1);
        if per_day <= 0.0 {
            return None;
        }
        let anchor = gs.last_attack_day.get(state).copied().unwrap_or(0).max(p.security_changed_day);
        let count = gs.attacks.get(state).copied().unwrap_or(0);
        Some(AttackInputs { per_day: per_day.to_bits(), anchor, count })
    }

    fn next_day(self, draws: &Draws, group: &str, state: &str) -> Option<u32> {
        let per_day = f64::from_bits(self.per_day);
        let gap =
            draws.exponential(Purpose::AttackGap, &[k(group), k(state), u64::from(self.count), u64::from(self.anchor)], 1.0 / per_day);
        let days = gap.ceil().clamp(1.0, 1.0e6) as u32;
        self.anchor.checked_add(days)
    }
}

/// Whether a place hosted foreign forces at the start, and whether it still does: its initial
/// hosts (resolved when the world was built) are the only partners that can still be there.
fn hosting(place: &Place, partners: &Query<Ref<PartnerState>>, state: &str) -> (bool, bool) {
    let now = place.hosts.iter().any(|e| partners.get(*e).is_ok_and(|s| s.forces.get(state).is_some_and(|t| *t > 0)));
    (!place.hosts.is_empty(), now)
}

/// What the calendar reads: the inputs of a pair's next attack day, with their change ticks.
type CalendarParams = (
    Res<'static, Fixed>,
    Query<'static, 'static, (Entity, &'static Code, &'static GroupProfile, Ref<'static, GroupState>)>,
    Query<'static, 'static, (Ref<'static, Polity>, &'static StateProfile)>,
    Query<'static, 'static, Ref<'static, PartnerState>>,
);

/// The next attack day of every (group, place) pair, kept up to date by change detection: a
/// pair's inputs are looked at again only when its group's state, its place's polity or the
/// state of a partner hosted there changed since the last refresh (or the parameters or draws
/// did), and its day is drawn again only when those inputs (`AttackInputs`) differ. The days
/// are a pure function of state, as if drawn afresh each time (`Sim::verify_due` checks that
/// against a calendar built from scratch); the calendar only saves redrawing, so a quiet pair
/// costs a few change-tick comparisons a day.
pub struct AttackCalendar {
    params: SystemState<CalendarParams>,
    /// Every pair, in the order attacks are launched: group id, then the group's places in order.
    pairs: Vec<Pair>,
    built: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Pair {
    group: Entity,
    /// Index into the group's `operates_in` (and its resolved places).
    place: usize,
    /// What its day was drawn from.
    inputs: Option<AttackInputs>,
    /// Its next attack day; `None` when it has none (no rate, or the place is unknown).
    day: Option<u32>,
}

impl AttackCalendar {
    /// An empty calendar for `world`; the first refresh draws every pair.
    pub fn new(world: &mut World) -> AttackCalendar {
        AttackCalendar { params: SystemState::new(world), pairs: Vec::new(), built: false }
    }

    /// Brings every pair's day up to date with the world.
    pub fn refresh(&mut self, world: &mut World) {
        let (fixed, groups, polities, partners) = self.params.get_mut(world).expect("calendar parameters are valid");
        let all = !self.built || fixed.is_changed();
        let (params, draws) = (&fixed.params, &fixed.draws);
        if !self.built {
            let mut list: Vec<(&Code, Entity, usize)> =
                groups.iter().map(|(e, code, g, _)| (code, e, g.0.operates_in.len().min(g.1.len()))).collect();
            list.sort_by(|a, b| a.0.cmp(b.0));
            self.pairs = list
                .into_iter()
                .flat_map(|(_, group, n)| (0..n).map(move |place| Pair { group, place, inputs: None, day: None }))
                .collect();
            self.built = true;
        }
        for pair in &mut self.pairs {
            let Ok((_, code, g, gs)) = groups.get(pair.group) else {
                (pair.inputs, pair.day) = (None, None);
                continue;
            };
            let place = &g.1[pair.place];
            let Some((p, profile)) = place.state.and_then(|e| polities.get(e).ok()) else {
                (pair.inputs, pair.day) = (None, None);
                continue;
            };
            if all || gs.is_changed() || p.is_changed() || place.hosts.iter().any(|h| partners.get(*h).is_ok_and(|s| s.is_changed())) {
                let st = &g.0.operates_in[pair.place];
                let inputs = AttackInputs::of(params, g, &gs, st, (&p, profile.0.troops), hosting(place, &partners, st));
                if all || inputs != pair.inputs {
                    pair.inputs = inputs;
                    pair.day = inputs.and_then(|i| i.next_day(&draws.0, &code.0, st));
                }
            }
        }
    }

    /// The first attack day after `after` (as of the last refresh).
    pub fn next_due(&self, after: u32) -> Option<u32> {
        self.pairs.iter().filter_map(|p| p.day).filter(|d| *d > after).min()
    }

    /// The (group, place index) pairs attacking on `day`, in launch order (as of the last refresh).
    pub fn due_on(&self, day: u32) -> Vec<(Entity, usize)> {
        self.pairs.iter().filter(|p| p.day == Some(day)).map(|p| (p.group, p.place)).collect()
    }

    /// A pair whose next attack day is before `day` (as of the last refresh): it would never
    /// attack again, since attacks are launched only on their day.
    pub fn stale_before(&self, day: u32) -> Option<(Entity, usize, u32)> {
        self.pairs.iter().find_map(|p| p.day.filter(|d| *d < day).map(|d| (p.group, p.place, d)))
    }

    /// Panics if a refreshed calendar's days differ from those of one built from scratch.
    pub fn verify(&self, world: &mut World) {
        let mut fresh = AttackCalendar::new(world);
        fresh.refresh(world);
        assert_eq!(
            self.pairs, fresh.pairs,
            "the attack calendar differs from one drawn afresh: a change escaped change detection, or a refresh was wrongly skipped"
        );
    }
}

/// Emits today's attacks: the pairs the calendar has due today, in its order.
pub fn launch_armed_group_attacks(ctx: &mut Ctx, due: &[(Entity, usize)], groups: &Query<(&Code, &GroupProfile, &GroupState)>) {
    if !ctx.first_round() {
        return;
    }
    for &(group, i) in due {
        let Ok((code, g, gs)) = groups.get(group) else { continue };
        let st = &g.0.operates_in[i];
        let count = gs.attacks.get(st).copied().unwrap_or(0);
        let deaths = ctx
            .fixed
            .draws
            .0
            .exponential(Purpose::AttackCasualties, &[k(&code.0), k(st), u64::from(count)], g.0.mean_deaths)
            .round()
            .min(1.0e5) as u32;
        let share = (ctx.fixed.params.armed_civilian_share
            * (0.5 + ctx.fixed.draws.0.uniform(Purpose::AttackCasualties, &[k(&code.0), k(st), u64::from(count), 1])))
        .min(1.0);
        let civilian = (f64::from(deaths) * share).round() as u32;
        ctx.emit(
            EventKind::AttackOccurred {
                attacker: code.0.clone(),
                target: st.clone(),
                location: st.clone(),
                attack: if g.0.terrorist { AttackKind::Terrorist } else { AttackKind::Rebellion },
                troops: 0,
                deaths_military: deaths - civilian,
                deaths_civilian: civilian,
            },
            None,
            RULE,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_redraws_the_places_hosted_forces_left() {
        let p = crate::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).expect("valid");
        let mut world = crate::fold::world::build_world(&p.scenario, p.params.clone(), 1);
        let mut calendar = AttackCalendar::new(&mut world);
        calendar.refresh(&mut world);
        assert!(calendar.pairs.iter().any(|p| p.day.is_some()), "the scenario has attacks");
        let before = calendar.pairs.clone();
        // Nothing changed: nothing moves.
        calendar.refresh(&mut world);
        assert_eq!(calendar.pairs, before);
        // Every partner's forces leave, and nothing else is touched (not even the polities, as
        // `apply` would): the places they hosted are redrawn at the higher rate.
        let mut partners = world.query::<&mut PartnerState>();
        for mut s in partners.iter_mut(&mut world) {
            s.forces.clear();
        }
        calendar.refresh(&mut world);
        calendar.verify(&mut world);
        assert_ne!(calendar.pairs, before, "attacks come sooner where foreign forces left");
    }
}
