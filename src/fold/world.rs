//! Building the initial world from a scenario: one entity per actor with its static profile and
//! mutable state, and the resources (treaties, crises, defence bookkeeping, the fixed data and
//! an empty log). Live runs, replay, fork and report all start from this world.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;

use crate::model::date::Date;
use crate::model::draw::Draws;
use crate::model::params::Params;
use crate::model::scenario::{ActorDef, Scenario, StateDef};
use crate::model::state::*;
use crate::model::world::*;

/// Builds the world for a scenario (already validated, overrides applied): one entity per
/// actor, in the scenario's order, then the treaties, the empty crisis and defence tables, the
/// clock, the fixed data with its static indexes, and an empty log.
pub fn build_world(scenario: &Scenario, params: Params, seed: u64) -> World {
    let mut world = World::new();
    let start = scenario.start_date();
    let aid_totals = aid_totals(scenario);
    let mut index = ActorIndex::default();
    let mut ucg_orgs_of: BTreeMap<Id, Vec<(Id, Entity)>> = BTreeMap::new();
    let mut donors_of: BTreeMap<Id, Vec<(Id, Entity)>> = BTreeMap::new();
    for a in &scenario.actors {
        let code = Code(a.id().clone());
        let e = match a {
            ActorDef::State(s) => world.spawn((code, StateProfile(s.clone()), initial_polity(s, &aid_totals))).id(),
            ActorDef::Organisation(o) => {
                let state = OrgState {
                    members: o.members.iter().cloned().collect(),
                    suspended: o.suspended.iter().cloned().collect(),
                    withdrawing: Default::default(),
                };
                let e = world.spawn((code, OrgProfile(o.clone()), state)).id();
                if o.ucg.is_some() {
                    for m in &o.members {
                        ucg_orgs_of.entry(m.clone()).or_default().push((o.id.clone(), e));
                    }
                }
                e
            }
            ActorDef::Partner(p) => {
                let state = PartnerState { forces: p.forces.clone(), aid_suspended: Default::default(), leaving: Default::default() };
                let e = world.spawn((code, PartnerProfile(p.clone()), state)).id();
                for r in p.aid_musd.keys() {
                    donors_of.entry(r.clone()).or_default().push((p.id.clone(), e));
                }
                e
            }
            ActorDef::ArmedGroup(g) => {
                // Places in id order, once: the attack rule walks them every due day. They are
                // resolved to entities once every actor has one (`resolve_places`).
                let mut g = g.clone();
                g.operates_in.sort();
                g.operates_in.dedup();
                let state = GroupState { attacks: Default::default(), last_attack_day: Default::default(), deaths: 0 };
                world.spawn((code, GroupProfile(g, Vec::new()), state)).id()
            }
        };
        index.insert(a.id().clone(), e);
    }
    resolve_places(&mut world, scenario, &index);
    world.insert_resource(treaties_at_start(scenario, start));
    world.insert_resource(Crises::default());
    world.insert_resource(crate::model::state::DigestStamps::default());
    world.insert_resource(Defence::default());
    world.insert_resource(crate::model::timers::Timers::default());
    world.insert_resource(Clock { day: 0, round: 0, start, horizon: scenario.horizon_days });
    world.insert_resource(Fixed {
        ucg_orgs: ucg_orgs(scenario, &index),
        params,
        draws: DrawSource(Draws::new(seed)),
        index: std::sync::Arc::new(index),
        scenario: ScenarioData(scenario.clone()),
        donors_of: donors_by_recipient(donors_of),
        ucg_orgs_of: ucg_orgs_by_state(ucg_orgs_of),
    });
    // Room for a typical run's events (the default scenario logs about 370), so that the log
    // is not copied as it grows through its first thousand.
    world.insert_resource(Log { events: Vec::with_capacity(1024), checkpoints: Vec::new() });
    world
}

/// Each recipient's total aid from every partner.
fn aid_totals(scenario: &Scenario) -> BTreeMap<&str, f64> {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for a in &scenario.actors {
        if let ActorDef::Partner(p) = a {
            for (r, v) in &p.aid_musd {
                *totals.entry(r.as_str()).or_default() += v;
            }
        }
    }
    totals
}

/// A state's mutable state on day 0.
fn initial_polity(s: &StateDef, aid_totals: &BTreeMap<&str, f64>) -> Polity {
    Polity {
        regime: s.regime,
        regime_before_coup: None,
        junta_since: None,
        coup_consolidated: false,
        reversal_day: None,
        troops: s.troops,
        committed_abroad: 0,
        redeployed: 0,
        gdp_loss_pct: 0.0,
        accrued_day: 0,
        sanctions_severity: 0.0,
        aid_suspended_musd: 0.0,
        aid_total_musd: aid_totals.get(s.id.as_str()).copied().unwrap_or(0.0),
        electricity_cut: 0.0,
        casualties_military: 0,
        casualties_civilian: 0,
        pledged_by: Default::default(),
        security_changed_day: 0,
        transition_months: None,
        attacked: Default::default(),
        imposing: Default::default(),
    }
}

/// Resolves each armed group's places to the state's entity and the partners whose forces are
/// there at the start.
fn resolve_places(world: &mut World, scenario: &Scenario, index: &ActorIndex) {
    let mut hosts: BTreeMap<&str, Vec<Entity>> = BTreeMap::new();
    for a in &scenario.actors {
        if let ActorDef::Partner(p) = a {
            for (st, t) in &p.forces {
                if *t > 0 {
                    hosts.entry(st.as_str()).or_default().push(index[p.id.as_str()]);
                }
            }
        }
    }
    let mut groups = world.query::<&mut GroupProfile>();
    for mut g in groups.iter_mut(world) {
        let places =
            g.0.operates_in
                .iter()
                .map(|st| Place { state: index.get(st).copied(), hosts: hosts.get(st.as_str()).cloned().unwrap_or_default() })
                .collect();
        g.1 = places;
    }
}

/// The treaties on day 0: in force unless they enter into force later, with each member's
/// treaties indexed.
fn treaties_at_start(scenario: &Scenario, start: Date) -> Treaties {
    let mut treaties = Treaties::default();
    for t in &scenario.treaties {
        let in_force = match &t.in_force {
            None => true,
            Some(d) => Date::parse(d).map(|d| d.days_since(start) <= 0).unwrap_or(false),
        };
        for m in &t.members {
            treaties.by_member.entry(m.clone()).or_default().push(t.id.clone());
        }
        let state = TreatyState {
            def: t.clone(),
            in_force,
            members: t.members.iter().cloned().collect(),
            withdrawing: Default::default(),
            breaches: 0,
        };
        treaties.by_id.insert(t.id.clone(), state);
    }
    treaties
}

/// Each state's organisations with a regime on unconstitutional change, in id order, once.
fn ucg_orgs_by_state(by_state: BTreeMap<Id, Vec<(Id, Entity)>>) -> UcgOrgsOf {
    let mut lookup = Lookup::default();
    for (state, mut orgs) in by_state {
        orgs.sort();
        orgs.dedup();
        lookup.insert(state, orgs);
    }
    UcgOrgsOf(lookup)
}

/// Each recipient's aid donors, in id order.
fn donors_by_recipient(by_recipient: BTreeMap<Id, Vec<(Id, Entity)>>) -> DonorsOf {
    DonorsOf(
        by_recipient
            .into_iter()
            .map(|(recipient, mut donors)| {
                donors.sort();
                (recipient, donors.into_iter().map(|(_, e)| e).collect())
            })
            .collect(),
    )
}

/// The organisations with a regime on unconstitutional change, in id order.
fn ucg_orgs(scenario: &Scenario, index: &ActorIndex) -> Vec<Entity> {
    scenario
        .actors
        .iter()
        .filter(|a| matches!(a, ActorDef::Organisation(o) if o.ucg.is_some()))
        .map(|a| (a.id(), index[a.id().as_str()]))
        .collect::<BTreeMap<_, _>>()
        .into_values()
        .collect()
}
