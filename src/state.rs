//! World state: the ECS components and resources a run mutates (only through `apply`), plus
//! the static profiles lowered from the scenario. `snapshot` gives a canonical, ordered view
//! of all mutable state; its hash is the "final-state hash" in logs.
//!
//! Invariants: no `Entity` value and no hash-map order ever reaches a snapshot, an event or a
//! draw; every map here is a `BTreeMap` keyed by stable string ids.

use std::collections::{BTreeMap, BTreeSet};

use bevy_ecs::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::event::CombatOutcome;
use crate::scenario::{ArmedGroupDef, Measure, OrganisationDef, PartnerDef, Regime, Scenario, StateDef, TreatyDef};

/// Stable actor id, on every actor entity.
#[derive(Component, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code(pub String);

/// Static profile of a state (from the scenario, after overrides).
#[derive(Component, Debug, Clone)]
pub struct StateProfile(pub StateDef);

/// Static profile of an organisation.
#[derive(Component, Debug, Clone)]
pub struct OrgProfile(pub OrganisationDef);

/// Static profile of a partner.
#[derive(Component, Debug, Clone)]
pub struct PartnerProfile(pub PartnerDef);

/// Static profile of an armed group.
#[derive(Component, Debug, Clone)]
pub struct GroupProfile(pub ArmedGroupDef);

/// Mutable state of a state actor.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct Polity {
    /// Current regime.
    pub regime: Regime,
    /// Regime before the last coup (restored with constitutional order).
    pub regime_before_coup: Option<Regime>,
    /// Day the current junta took power.
    pub junta_since: Option<u32>,
    /// Whether the coup has consolidated.
    pub coup_consolidated: bool,
    /// Day a failing coup will be reversed.
    pub reversal_day: Option<u32>,
    /// Troops available (after losses).
    pub troops: u32,
    /// Troops committed to allies under defence clauses.
    pub committed_abroad: u32,
    /// Troops moved to the borders against a threat.
    pub redeployed: u32,
    /// Cumulative GDP loss, percent of pre-crisis GDP.
    pub gdp_loss_pct: f64,
    /// Day up to which `gdp_loss_pct` is accrued.
    pub accrued_day: u32,
    /// Economic weight of sanctions in force (0-1).
    pub sanctions_severity: f64,
    /// Aid suspended, millions of US dollars per year.
    pub aid_suspended_musd: f64,
    /// Total aid received at the start, millions of US dollars per year.
    pub aid_total_musd: f64,
    /// Electricity supply cut off, share.
    pub electricity_cut: f64,
    /// Military deaths.
    pub casualties_military: u64,
    /// Civilian deaths.
    pub casualties_civilian: u64,
    /// Allies that publicly pledged to defend this state.
    pub pledged_by: BTreeSet<String>,
    /// Last day the security situation changed (forces left or were redeployed).
    pub security_changed_day: u32,
    /// Accepted transition timetable, months.
    pub transition_months: Option<u32>,
    /// States this one has attacked (for non-provocation conditions).
    pub attacked: BTreeSet<String>,
}

/// Mutable state of an organisation.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct OrgState {
    /// Current members.
    pub members: BTreeSet<String>,
    /// Suspended members.
    pub suspended: BTreeSet<String>,
    /// Members that gave notice, with the day it takes effect.
    pub withdrawing: BTreeMap<String, u32>,
}

/// Mutable state of a partner.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct PartnerState {
    /// Troops per host.
    pub forces: BTreeMap<String, u32>,
    /// Recipients whose aid is suspended.
    pub aid_suspended: BTreeSet<String>,
    /// Hosts that expelled the partner, with the day its forces must be out.
    pub leaving: BTreeMap<String, u32>,
}

/// Mutable state of an armed group.
#[derive(Component, Debug, Clone, PartialEq, Serialize)]
pub struct GroupState {
    /// Attacks so far, per state.
    pub attacks: BTreeMap<String, u32>,
    /// Day of the last attack, per state.
    pub last_attack_day: BTreeMap<String, u32>,
    /// Deaths caused.
    pub deaths: u64,
}

/// A treaty's mutable state with its static definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatyState {
    /// Static definition.
    #[serde(skip)]
    pub def: TreatyDef,
    /// In force now.
    pub in_force: bool,
    /// Current parties.
    pub members: BTreeSet<String>,
    /// Parties that gave notice, with the day it takes effect.
    pub withdrawing: BTreeMap<String, u32>,
    /// Breaches of its non-aggression clauses.
    pub breaches: u32,
}

/// All treaties, by id, with an index of treaties by member for trigger matching.
#[derive(Resource, Debug, Clone, Default)]
pub struct Treaties {
    /// Treaties by id.
    pub by_id: BTreeMap<String, TreatyState>,
    /// Treaty ids each state is (or was at the start) a party to.
    pub by_member: BTreeMap<String, Vec<String>>,
}

/// Where an intervention stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intervention {
    /// Launch day.
    pub day: u32,
    /// Seq of the launch event.
    pub seq: u64,
    /// Troops at launch.
    pub initial_troops: u32,
    /// Attacker strength now.
    pub attacker_strength: u32,
    /// Defender strength at the last round.
    pub defender_strength: u32,
    /// Defender strength at the first round.
    pub defender_initial: u32,
    /// Rounds fought.
    pub rounds: u32,
    /// Day of the last round.
    pub last_round_day: u32,
    /// Attacker deaths.
    pub attacker_losses: u64,
    /// How it ended, once it has.
    pub ended: Option<CombatOutcome>,
}

/// One organisation's response to one crisis.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OrgResponse {
    /// Member suspended.
    pub suspended: bool,
    /// The sanctions summit has been held.
    pub summit_held: bool,
    /// Measures in force.
    pub measures: BTreeSet<Measure>,
    /// Economic weight of the measures in force.
    pub severity: f64,
    /// Day economic sanctions were first imposed, and the event.
    pub sanctions_day: Option<(u32, u64)>,
    /// Day economic measures were lifted.
    pub lifted_day: Option<u32>,
    /// Ultimatum deadline and event.
    pub ultimatum: Option<(u32, u64)>,
    /// Expiry day and event.
    pub ultimatum_expired: Option<(u32, u64)>,
    /// Whether the force-activation summit was held.
    pub activation_vote_held: bool,
    /// Activation day, D-Day and event.
    pub activated: Option<(u32, u32, u64)>,
    /// Pledged troops by member.
    pub pledges: BTreeMap<String, u32>,
    /// Day of the last launch decision (D-Day or review).
    pub last_launch_review: Option<u32>,
    /// The intervention, once launched.
    pub intervention: Option<Intervention>,
    /// The force was stood down.
    pub stood_down: bool,
    /// Answer to the junta's transition offer.
    pub transition_answer: Option<bool>,
    /// Day of the last sanctions review.
    pub last_review_day: Option<u32>,
}

/// A crisis opened by a coup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crisis {
    /// Day of the coup.
    pub coup_day: u32,
    /// Seq of the coup event.
    pub coup_seq: u64,
    /// Day the crisis ended (order restored), if it has.
    pub resolved_day: Option<u32>,
    /// Transition offer: months, day, event.
    pub transition: Option<(u32, u32, u64)>,
    /// Responses by organisation.
    pub responses: BTreeMap<String, OrgResponse>,
    /// Partners' aid suspended (partner ids).
    pub aid_suspended_by: BTreeSet<String>,
}

/// Crises by target state.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize)]
pub struct Crises(pub BTreeMap<String, Crisis>);

/// One invocation of a defence clause by one attack.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Invocation {
    /// Parties obligated, with the seq of their obligation event.
    pub obligated: BTreeMap<String, u64>,
    /// Decisions: party -> (honoured, troops).
    pub decided: BTreeMap<String, (bool, u32)>,
    /// Whether a joint operation was formed.
    pub joint: bool,
}

/// Key of an invocation: (treaty, article, beneficiary, attack seq).
pub type InvocationKey = (String, String, String, u64);

/// Stage of a committed deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    /// Decided, not yet mobilised.
    Decided,
    /// Mobilised.
    Mobilised,
    /// In the beneficiary's territory.
    Deployed,
}

/// Forces one party committed to one beneficiary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    /// Troops.
    pub troops: u32,
    /// Stage.
    pub stage: Stage,
    /// Day the stage began.
    pub since: u32,
    /// Seq of the event that began the stage.
    pub seq: u64,
    /// The clause the forces serve under (cited by their movements).
    pub rule: String,
}

/// Defence bookkeeping: invocations, written requests and deployments.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize)]
pub struct Defence {
    /// Invocations of defence clauses.
    pub invocations: BTreeMap<InvocationKey, Invocation>,
    /// Written requests: (state, treaty) -> seq.
    pub requests: BTreeMap<(String, String), u64>,
    /// Deployments: (party, beneficiary) -> deployment.
    pub deployments: BTreeMap<(String, String), Deployment>,
    /// Last day each (treaty, article, beneficiary) was engaged.
    pub engaged: BTreeMap<(String, String, String), u32>,
}

/// Stable id -> entity, for every actor.
#[derive(Resource, Debug, Clone, Default)]
pub struct ActorIndex(pub BTreeMap<String, Entity>);

/// Static run facts rules read: the scenario after overrides.
#[derive(Resource, Debug, Clone)]
pub struct ScenarioData(pub Scenario);

/// The canonical view of all mutable state, in id order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// States.
    pub states: BTreeMap<String, Polity>,
    /// Organisations.
    pub organisations: BTreeMap<String, OrgState>,
    /// Partners.
    pub partners: BTreeMap<String, PartnerState>,
    /// Armed groups.
    pub groups: BTreeMap<String, GroupState>,
    /// Treaties.
    pub treaties: BTreeMap<String, TreatyState>,
    /// Crises.
    pub crises: Crises,
    /// Defence bookkeeping (keys rendered as strings for JSON).
    pub defence: BTreeMap<String, String>,
}

/// Takes a canonical snapshot of the world's mutable state.
pub fn snapshot(world: &mut World) -> Snapshot {
    let mut states = BTreeMap::new();
    for (code, p) in world.query::<(&Code, &Polity)>().iter(world) {
        states.insert(code.0.clone(), p.clone());
    }
    let mut organisations = BTreeMap::new();
    for (code, o) in world.query::<(&Code, &OrgState)>().iter(world) {
        organisations.insert(code.0.clone(), o.clone());
    }
    let mut partners = BTreeMap::new();
    for (code, p) in world.query::<(&Code, &PartnerState)>().iter(world) {
        partners.insert(code.0.clone(), p.clone());
    }
    let mut groups = BTreeMap::new();
    for (code, g) in world.query::<(&Code, &GroupState)>().iter(world) {
        groups.insert(code.0.clone(), g.clone());
    }
    let treaties = world.resource::<Treaties>().by_id.clone();
    let crises = world.resource::<Crises>().clone();
    let d = world.resource::<Defence>();
    let mut defence = BTreeMap::new();
    for (k, v) in &d.invocations {
        defence.insert(format!("invocation/{}/{}/{}/{}", k.0, k.1, k.2, k.3), serde_json::to_string(v).expect("serialisable"));
    }
    for (k, v) in &d.requests {
        defence.insert(format!("request/{}/{}", k.0, k.1), v.to_string());
    }
    for (k, v) in &d.engaged {
        defence.insert(format!("engaged/{}/{}/{}", k.0, k.1, k.2), v.to_string());
    }
    for (k, v) in &d.deployments {
        defence.insert(format!("deployment/{}/{}", k.0, k.1), serde_json::to_string(v).expect("serialisable"));
    }
    Snapshot { states, organisations, partners, groups, treaties, crises, defence }
}

/// SHA-256 (hex) of the canonical JSON of a snapshot.
pub fn state_hash(world: &mut World) -> String {
    let snap = snapshot(world);
    let bytes = serde_json::to_vec(&snap).expect("snapshot serialises");
    hex(&Sha256::digest(&bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 (hex) of arbitrary bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
