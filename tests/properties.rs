//! Property tests over generated valid scenarios (random actors, organisations, treaties,
//! timelines, parameters): every run completes; its log is byte-identical across two runs;
//! replay reproduces its final state; every cause precedes its event; every event names a rule.
//!
//! The generator reads its choices from a byte string that proptest generates, so proptest's
//! shrinking of the bytes shrinks the scenario.

use std::collections::BTreeMap;

use casus::model::scenario::*;
use casus::model::state::Id;
use proptest::prelude::*;

struct Choices<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (usize::from(self.byte()) * 256 + usize::from(self.byte())) % n }
    }
    fn unit(&mut self) -> f64 {
        f64::from(self.byte()) / 255.0
    }
    fn flag(&mut self) -> bool {
        self.byte() % 2 == 1
    }
    fn pick<'b, T>(&mut self, v: &'b [T]) -> &'b T {
        &v[self.below(v.len())]
    }
    fn subset(&mut self, ids: &[Id], at_least_one: bool) -> Vec<Id> {
        let mut v: Vec<Id> = ids.iter().filter(|_| self.flag()).cloned().collect();
        if v.is_empty() && at_least_one {
            v.push(self.pick(ids).clone());
        }
        v
    }
}

const MEASURES: &[Measure] = &[
    Measure::BorderClosure,
    Measure::NoFlyZone,
    Measure::TransactionFreeze,
    Measure::AssetFreeze,
    Measure::DevelopmentBankCutoff,
    Measure::ServicesFreeze,
    Measure::TravelBan,
    Measure::TargetedAssetFreeze,
    Measure::AmbassadorRecall,
];
const TRIGGERS: &[Trigger] = &[
    Trigger::AttackOnTerritory,
    Trigger::AttackOnSovereignty,
    Trigger::AttackOnForcesAbroad,
    Trigger::AttackOnShipsOrAircraft,
    Trigger::ArmedRebellion,
    Trigger::Terrorism,
];
const KINDS: &[AttackKind] = &[
    AttackKind::Invasion,
    AttackKind::Strike,
    AttackKind::OnForcesAbroad,
    AttackKind::OnShipOrAircraft,
    AttackKind::Rebellion,
    AttackKind::Terrorist,
];

fn rule(c: &mut Choices) -> DecisionRule {
    match c.below(4) {
        0 => DecisionRule::Unanimity,
        1 => DecisionRule::Majority,
        2 => DecisionRule::TwoThirds,
        _ => DecisionRule::Share(c.unit()),
    }
}

fn generate(bytes: &[u8]) -> Scenario {
    let c = &mut Choices { bytes, pos: 0 };
    let horizon = 20 + c.below(200) as u32;
    let start = casus::model::date::Date::parse("2024-01-01").unwrap();
    let date = |c: &mut Choices| start.plus_days(c.below(horizon as usize + 1) as i64).to_string();
    let n_states = 2 + c.below(5);
    let states: Vec<Id> = (0..n_states).map(|i| Id::from(format!("S{i}"))).collect();
    let mut actors = Vec::new();
    for id in &states {
        let others: Vec<Id> = states.iter().filter(|s| *s != id).cloned().collect();
        let troops = 100 + c.below(60_000) as u32;
        actors.push(ActorDef::State(StateDef {
            id: id.clone(),
            name: id.to_string(),
            regime: *c.pick(&[Regime::Democracy, Regime::Authoritarian, Regime::Junta, Regime::Transitional]),
            troops,
            gdp_busd: 1.0 + c.unit() * 100.0,
            population_m: c.unit() * 50.0,
            trade_dependence: c.unit(),
            aid_dependence: c.unit(),
            cohesion: c.unit(),
            army_loyalty: c.unit(),
            war_opposition: c.unit(),
            security_threat: c.unit(),
            trade_exposure: c.subset(&others, false).into_iter().map(|o| (o, c.unit() * 0.05)).collect(),
            electricity_supply: c.subset(&others, false).into_iter().map(|o| (o, c.unit())).collect(),
            borders: c.subset(&others, false),
            forces_abroad: if c.flag() { [(c.pick(&others).clone(), troops / 10)].into_iter().collect() } else { BTreeMap::new() },
        }));
    }
    let mut orgs = Vec::new();
    // The members of every organisation and treaty: only a member withdraws or asks for help.
    let mut members_of: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
    for i in 0..c.below(3) {
        let id = Id::from(format!("O{i}"));
        let members = c.subset(&states, true);
        members_of.insert(id.clone(), members.clone());
        let suspended = c.subset(&members, false);
        let ucg = c.flag().then(|| UcgRegimeDef {
            suspension_article: "Art. S".into(),
            sanctions_article: "Art. X".into(),
            intervention_article: "Art. F".into(),
            suspension_delay_days: c.below(8) as u32,
            summit_delay_days: c.below(8) as u32,
            sanctions_menu: MEASURES.iter().copied().filter(|_| c.flag()).collect(),
            sanction_propensity: c.unit(),
            ultimatum_days: c.below(10) as u32,
            force_threatened: c.flag(),
            activation_summit_delay_days: c.below(6) as u32,
            dday_delay_days: c.below(20) as u32,
            force_decision_rule: rule(c),
            review_days: 1 + c.below(60) as u32,
            standby_force: c.flag(),
        });
        actors.push(ActorDef::Organisation(OrganisationDef {
            id: id.clone(),
            name: id.to_string(),
            members,
            suspended,
            withdrawal_notice_days: c.below(400) as u32,
            withdrawal_article: Default::default(),
            ucg,
        }));
        orgs.push(id);
    }
    let mut partners = Vec::new();
    for i in 0..c.below(3) {
        let id = Id::from(format!("P{i}"));
        actors.push(ActorDef::Partner(PartnerDef {
            id: id.clone(),
            name: id.to_string(),
            forces: c.subset(&states, false).into_iter().map(|s| (s, c.below(3000) as u32)).collect(),
            aid_musd: c.subset(&states, false).into_iter().map(|s| (s, c.unit() * 500.0)).collect(),
            aid_conditionality: c.unit(),
            aid_suspension_delay_days: c.below(15) as u32,
            aid_policy: Default::default(),
            hostility_exposure: c.unit(),
            withdrawal_days: c.below(200) as u32,
        }));
        partners.push(id);
    }
    let mut groups = Vec::new();
    for i in 0..c.below(3) {
        let id = Id::from(format!("G{i}"));
        actors.push(ActorDef::ArmedGroup(ArmedGroupDef {
            id: id.clone(),
            name: id.to_string(),
            operates_in: c.subset(&states, true),
            attacks_per_month: c.unit() * 8.0,
            mean_deaths: c.unit() * 30.0,
            terrorist: c.flag(),
        }));
        groups.push(id);
    }
    let mut treaties = Vec::new();
    for i in 0..c.below(3) {
        let mut clauses = Vec::new();
        for k in 0..1 + c.below(3) {
            let obligation = *c.pick(&[
                Obligation::Defence,
                Obligation::Offence,
                Obligation::Neutrality,
                Obligation::NonAggression,
                Obligation::Consultation,
            ]);
            let mut triggers: Vec<Trigger> = TRIGGERS.iter().copied().filter(|_| c.flag()).collect();
            if triggers.is_empty() {
                triggers.push(*c.pick(TRIGGERS));
            }
            let mut conditions = Vec::new();
            if c.flag() {
                conditions.push(Condition::WrittenRequest);
            }
            if c.flag() {
                conditions.push(Condition::NotProvoked);
            }
            if c.flag() {
                conditions.push(Condition::Location(c.subset(&states, true)));
            }
            if c.flag() {
                conditions.push(Condition::Adversary(c.subset(&states, true)));
            }
            let mut owed: Vec<AssistanceForm> = [AssistanceForm::ArmedForce, AssistanceForm::Logistics, AssistanceForm::Economic]
                .into_iter()
                .filter(|_| c.flag())
                .collect();
            if owed.is_empty() {
                owed.push(AssistanceForm::Logistics);
            }
            clauses.push(ClauseDef {
                article: format!("Art. {k}").into(),
                obligation,
                triggers,
                conditions,
                owed,
                binding: if c.flag() { Bindingness::Duty } else { Bindingness::Discretionary },
                collective: c.flag(),
            });
        }
        treaties.push(TreatyDef {
            id: format!("T{i}").into(),
            short_name: format!("Treaty {i}"),
            name: String::new(),
            members: c.subset(&states, true),
            in_force: c.flag().then(|| date(c).into()),
            withdrawal_notice_days: c.below(200) as u32,
            decision_rule: rule(c),
            decision_article: Default::default(),
            clauses,
        });
    }
    let treaty_ids: Vec<Id> = treaties.iter().map(|t| t.id.clone()).collect();
    members_of.extend(treaties.iter().map(|t| (t.id.clone(), t.members.clone())));
    let mut attackers: Vec<Id> = states.clone();
    attackers.extend(groups.iter().cloned());
    attackers.extend(orgs.iter().cloned());
    let mut timeline = Vec::new();
    for _ in 0..c.below(8) {
        let event = match c.below(9) {
            0 => ScriptedEvent::Coup {
                state: c.pick(&states).clone(),
                leader: Default::default(),
                form: Default::default(),
                claimant: Default::default(),
            },
            1 => {
                let target = c.pick(&states).clone();
                let kind = *c.pick(KINDS);
                let mut attacker = c.pick(&attackers).clone();
                if attacker == target && kind != AttackKind::Rebellion {
                    attacker = states.iter().find(|s| **s != target).unwrap().clone();
                }
                ScriptedEvent::Attack {
                    attacker,
                    target,
                    location: c.flag().then(|| c.pick(&states).clone()),
                    kind,
                    troops: c.below(5000) as u32,
                    deaths: c.below(100) as u32,
                }
            }
            2 if !treaty_ids.is_empty() => ScriptedEvent::TreatySigned { treaty: c.pick(&treaty_ids).clone() },
            3 if !orgs.is_empty() => ScriptedEvent::SanctionsImposed {
                org: c.pick(&orgs).clone(),
                target: c.pick(&states).clone(),
                measures: vec![*c.pick(MEASURES)],
            },
            4 if !partners.is_empty() => {
                ScriptedEvent::AidSuspended { partner: c.pick(&partners).clone(), recipient: c.pick(&states).clone() }
            }
            5 if !orgs.is_empty() => ScriptedEvent::InterventionLaunched { org: c.pick(&orgs).clone(), target: c.pick(&states).clone() },
            6 if !orgs.is_empty() || !treaty_ids.is_empty() => {
                let mut from: Vec<Id> = orgs.clone();
                from.extend(treaty_ids.iter().cloned());
                let from = c.pick(&from).clone();
                ScriptedEvent::WithdrawalAnnounced { state: c.pick(&members_of[&from]).clone(), from }
            }
            7 if !partners.is_empty() => {
                ScriptedEvent::ForcesExpelled { state: c.pick(&states).clone(), partner: c.pick(&partners).clone() }
            }
            8 if !treaty_ids.is_empty() => {
                let treaty = c.pick(&treaty_ids).clone();
                ScriptedEvent::AssistanceRequested { state: c.pick(&members_of[&treaty]).clone(), treaty }
            }
            _ => ScriptedEvent::Coup {
                state: c.pick(&states).clone(),
                leader: Default::default(),
                form: Default::default(),
                claimant: Default::default(),
            },
        };
        timeline.push(ScriptedDef { date: date(c), event });
    }
    let mut parameters = BTreeMap::new();
    for spec in casus::model::params::CATALOGUE {
        if c.below(8) == 0 {
            let v = spec.min + (spec.max - spec.min) * c.unit();
            parameters.insert(spec.name.to_string(), if spec.integer { v.round() } else { v });
        }
    }
    Scenario {
        name: "generated".into(),
        description: String::new(),
        start: start.to_string(),
        horizon_days: horizon,
        seed: c.below(1000) as u64,
        focus: states[0].to_string(),
        actors,
        treaties,
        timeline,
        parameters,
        expect: None,
    }
}

/// The property: a generated scenario is valid, runs to the same bytes twice, runs the same
/// with every module forced to run every round, replays to its final state, and every event
/// names its rule and a cause that precedes it.
fn check(bytes: &[u8], seed: u64) {
    let scenario = generate(bytes);
    let errors = validate(&scenario);
    assert!(errors.is_empty(), "the generator made an invalid scenario: {errors:?}");
    let p = casus::model::prepared::prepare_parsed(&scenario, "generated", &[]).unwrap();
    let a = casus::engine::run::run(&p, seed, Default::default()).expect("the run completes");
    let b = casus::engine::run::run(&p, seed, Default::default()).expect("the run completes");
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    a.write_log(&mut la).unwrap();
    b.write_log(&mut lb).unwrap();
    assert!(la == lb, "logs differ between two runs");
    // The engine skips modules that are not due in round 0: running them all anyway must
    // change nothing (the sim panics if a skipped module would have proposed an event).
    let mut sim = casus::engine::Sim::new(&p.scenario, p.params.clone(), seed, Default::default());
    sim.verify_due = true;
    // Every checkpoint digest is also recomputed from scratch (the sim panics if the
    // incremental digest differs).
    sim.verify_digests = true;
    // ... and the decision recorder (`casus explain --why-not`) is on: it must change nothing
    // either, and every decision it records must be the draw against its probability.
    sim.diagnose();
    sim.run().expect("the run completes");
    assert!(sim.log().events == a.events, "running every module every round, recording decisions, changed the run");
    for d in sim.decisions() {
        assert_eq!(d.yes, d.draw < d.probability.clamp(0.0, 1.0), "{d:?}");
        assert!((0.0..1.0).contains(&d.draw) && !d.why.is_empty() && d.day <= a.end.last_day.max(scenario.horizon_days), "{d:?}");
    }
    assert!(sim.log().checkpoints == a.checkpoints, "checkpoints differ");
    let parsed = casus::log::read_log(&la[..]).unwrap();
    match casus::analysis::replay::replay(&p, &parsed) {
        casus::analysis::replay::Verdict::Match { final_state_hash, .. } => assert_eq!(final_state_hash, a.end.final_state_hash.clone()),
        other => panic!("replay diverged: {other:?}"),
    }
    for e in &a.events {
        assert!(!e.rule.is_empty(), "event {} names no rule", e.seq);
        if let Some(cause) = e.cause {
            assert!(cause < e.seq, "event {} caused by later event {}", e.seq, cause);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_scenarios_run_deterministically_and_replay(bytes in proptest::collection::vec(any::<u8>(), 0..600), seed in 0u64..1000) {
        check(&bytes, seed);
    }
}

/// Inputs the property once failed on, kept as plain tests: a combat round decided in the same
/// round as a scripted coup that erased the intervention record; a launch review falling due on
/// the day of activation (D-Day delay 0), which `next_due` did not name for the next day.
#[test]
fn former_failures() {
    check(&REGRESSION_1, 987);
    check(&REGRESSION_2, 599);
}

const REGRESSION_1: [u8; 402] = [
    161, 207, 120, 195, 201, 77, 169, 194, 53, 233, 104, 154, 193, 248, 49, 214, 45, 31, 224, 11, 252, 28, 87, 101, 32, 254, 166, 91, 244,
    205, 225, 89, 56, 22, 143, 77, 39, 218, 153, 187, 125, 96, 91, 155, 192, 227, 202, 238, 15, 239, 228, 72, 244, 2, 233, 255, 190, 139,
    56, 36, 81, 139, 122, 188, 41, 221, 117, 253, 91, 44, 196, 222, 120, 29, 177, 182, 238, 93, 62, 134, 244, 206, 43, 124, 217, 186, 19,
    108, 176, 138, 192, 158, 0, 232, 163, 232, 205, 201, 114, 9, 29, 90, 103, 58, 176, 94, 144, 234, 14, 59, 3, 176, 105, 209, 25, 174,
    131, 241, 71, 214, 145, 203, 147, 222, 95, 162, 251, 191, 8, 87, 5, 160, 157, 138, 29, 161, 44, 118, 16, 26, 178, 22, 86, 17, 5, 83,
    192, 253, 194, 14, 67, 8, 65, 158, 103, 19, 88, 128, 169, 254, 113, 61, 75, 119, 77, 117, 105, 148, 118, 246, 157, 192, 58, 239, 27,
    159, 99, 94, 45, 243, 194, 216, 46, 41, 86, 24, 58, 53, 201, 183, 110, 139, 130, 54, 71, 167, 181, 175, 219, 47, 45, 221, 207, 109, 9,
    139, 72, 114, 182, 240, 58, 113, 17, 82, 249, 55, 152, 196, 35, 45, 146, 9, 222, 189, 243, 236, 177, 135, 87, 167, 244, 254, 173, 199,
    41, 95, 252, 122, 92, 50, 203, 16, 76, 30, 185, 150, 58, 165, 219, 65, 217, 227, 212, 25, 83, 224, 181, 140, 150, 234, 135, 9, 39, 230,
    32, 138, 56, 108, 52, 40, 192, 74, 167, 81, 109, 132, 114, 148, 47, 138, 182, 161, 100, 20, 181, 82, 215, 203, 99, 79, 182, 31, 178,
    158, 41, 129, 100, 188, 127, 103, 19, 174, 203, 190, 76, 231, 151, 129, 134, 101, 237, 209, 214, 14, 220, 242, 100, 166, 107, 208, 91,
    244, 176, 100, 38, 186, 159, 79, 171, 205, 129, 210, 145, 250, 90, 230, 245, 21, 146, 75, 28, 135, 197, 115, 225, 223, 0, 249, 141,
    165, 49, 85, 134, 102, 18, 193, 17, 217, 255, 122, 46, 25, 10, 43, 79, 104, 86, 57, 212, 220, 104, 52, 44, 168, 73, 29, 46, 198, 222,
    154, 36, 18, 252, 117, 201, 58, 199, 145, 22, 71, 28, 144, 128, 250, 58, 96, 236, 61, 139, 70, 154, 42,
];
const REGRESSION_2: [u8; 419] = [
    0, 1, 224, 130, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 73, 157, 109, 0, 0, 0, 0, 0,
    0, 0, 0, 181, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 127, 187, 0, 0, 0, 0, 19, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 31, 0, 61, 49, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 43, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    19, 91, 0, 0, 103, 0, 0, 0, 11, 1, 49, 1, 49, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 67, 0, 0, 2, 8, 73, 20, 12, 31, 19, 13, 0, 0, 0, 0, 29, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 55, 0, 1, 0, 0, 0, 13, 252, 0, 0, 0, 0, 11, 0, 0, 2, 24, 89, 6, 6, 74, 71, 90, 0, 0, 0, 0, 0, 0, 0,
    49, 19, 67, 0, 0, 0, 0, 0, 0, 0, 0, 0, 83, 92, 50, 128, 155, 67, 0, 0, 0, 0, 0, 0, 103, 152, 2, 74, 32, 72, 0, 0, 0, 0, 0, 0, 0, 10,
    17, 145, 42, 78, 45, 0, 0, 0, 0, 0, 0, 0, 155, 0, 0, 29, 0, 0, 0, 125, 0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19,
    0, 44, 0, 0, 0, 0, 0, 113, 209, 1, 130, 53, 7, 12, 0, 1, 0, 97, 0, 121, 0, 1, 0, 17, 0, 1, 0, 1, 0, 1, 0, 9, 0, 1, 0, 25, 0, 1, 0, 1,
    0, 1, 0, 33, 0, 1, 0, 1, 0, 1, 0, 25, 0, 9, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
    0, 1,
];
