//! Building the initial world from a scenario: one entity per actor with its static profile and
//! mutable state, and the resources (treaties, crises, defence bookkeeping, the fixed data and
//! an empty log). Live runs, replay, fork and report all start from this world.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;

use crate::model::date::Date;
use crate::model::draw::Draws;
use crate::model::params::Params;
use crate::model::scenario::{ActorDef, Scenario};
use crate::model::state::*;
use crate::model::world::*;

/// Builds the world for a scenario (already validated, overrides applied).
pub fn build_world(scenario: &Scenario, params: Params, seed: u64) -> World {
    let mut world = World::new();
    let start = scenario.start_date();
    let mut aid_totals: BTreeMap<&str, f64> = BTreeMap::new();
    for a in &scenario.actors {
        if let ActorDef::Partner(p) = a {
            for (r, v) in &p.aid_musd {
                *aid_totals.entry(r.as_str()).or_default() += v;
            }
        }
    }
    let mut index = ActorIndex::default();
    let mut ucg_orgs_of: BTreeMap<Id, Vec<(Id, Entity)>> = BTreeMap::new();
    let mut donors_of: BTreeMap<Id, Vec<(Id, Entity)>> = BTreeMap::new();
    for a in &scenario.actors {
        let code = Code(a.id().clone());
        let e = match a {
            ActorDef::State(s) => world
                .spawn((
                    code,
                    StateProfile(s.clone()),
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
                    },
                ))
                .id(),
            ActorDef::Organisation(o) => {
                let e = world
                    .spawn((
                        code,
                        OrgProfile(o.clone()),
                        OrgState {
                            members: o.members.iter().cloned().collect(),
                            suspended: o.suspended.iter().cloned().collect(),
                            withdrawing: Default::default(),
                        },
                    ))
                    .id();
                if o.ucg.is_some() {
                    for m in &o.members {
                        ucg_orgs_of.entry(m.clone()).or_default().push((o.id.clone(), e));
                    }
                }
                e
            }
            ActorDef::Partner(p) => {
                let e = world
                    .spawn((
                        code,
                        PartnerProfile(p.clone()),
                        PartnerState { forces: p.forces.clone(), aid_suspended: Default::default(), leaving: Default::default() },
                    ))
                    .id();
                for r in p.aid_musd.keys() {
                    donors_of.entry(r.clone()).or_default().push((p.id.clone(), e));
                }
                e
            }
            ActorDef::ArmedGroup(g) => world
                .spawn((
                    code,
                    GroupProfile(
                        {
                            // Places in id order, once: the attack rule walks them every due day.
                            let mut g = g.clone();
                            g.operates_in.sort();
                            g.operates_in.dedup();
                            g
                        },
                        Vec::new(),
                    ),
                    GroupState { attacks: Default::default(), last_attack_day: Default::default(), deaths: 0 },
                ))
                .id(),
        };
        index.insert(a.id().clone(), e);
    }
    // Armed groups' places, resolved now that every actor has its entity.
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
    for mut g in groups.iter_mut(&mut world) {
        let places =
            g.0.operates_in
                .iter()
                .map(|st| Place { state: index.get(st).copied(), hosts: hosts.get(st.as_str()).cloned().unwrap_or_default() })
                .collect();
        g.1 = places;
    }
    let mut treaties = Treaties::default();
    for t in &scenario.treaties {
        let in_force = match &t.in_force {
            None => true,
            Some(d) => Date::parse(d).map(|d| d.days_since(start) <= 0).unwrap_or(false),
        };
        for m in &t.members {
            treaties.by_member.entry(m.clone()).or_default().push(t.id.clone());
        }
        treaties.by_id.insert(
            t.id.clone(),
            TreatyState {
                def: t.clone(),
                in_force,
                members: t.members.iter().cloned().collect(),
                withdrawing: Default::default(),
                breaches: 0,
            },
        );
    }
    let ucg_orgs_of = UcgOrgsOf({
        let mut lookup = Lookup::default();
        for (state, mut orgs) in ucg_orgs_of {
            orgs.sort();
            orgs.dedup();
            lookup.insert(state, orgs);
        }
        lookup
    });
    let donors_of = DonorsOf(
        donors_of
            .into_iter()
            .map(|(recipient, mut donors)| {
                donors.sort();
                (recipient, donors.into_iter().map(|(_, e)| e).collect())
            })
            .collect(),
    );
    world.insert_resource(treaties);
    world.insert_resource(Crises::default());
    world.insert_resource(crate::model::state::DigestStamps::default());
    world.insert_resource(Defence::default());
    world.insert_resource(Clock { day: 0, round: 0, start, horizon: scenario.horizon_days });
    let ucg_orgs = scenario
        .actors
        .iter()
        .filter(|a| matches!(a, ActorDef::Organisation(o) if o.ucg.is_some()))
        .map(|a| (a.id(), index[a.id().as_str()]))
        .collect::<BTreeMap<_, _>>()
        .into_values()
        .collect();
    world.insert_resource(Fixed {
        ucg_orgs,
        params,
        draws: DrawSource(Draws::new(seed)),
        index: std::sync::Arc::new(index),
        scenario: ScenarioData(scenario.clone()),
        donors_of,
        ucg_orgs_of,
    });
    // Room for a typical run's events (the default scenario logs about 370), so that the log
    // is not copied as it grows through its first thousand.
    world.insert_resource(Log { events: Vec::with_capacity(1024), checkpoints: Vec::new() });
    world
}
