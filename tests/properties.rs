//! Property tests over generated valid scenarios (random actors, organisations, treaties,
//! timelines, parameters): every run completes; its log is byte-identical across two runs;
//! replay reproduces its final state; every cause precedes its event; every event names a rule.
//!
//! The generator reads its choices from a byte string that proptest generates, so proptest's
//! shrinking of the bytes shrinks the scenario.

use std::collections::BTreeMap;

use casus::scenario::*;
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
    fn subset(&mut self, ids: &[String], at_least_one: bool) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().filter(|_| self.flag()).cloned().collect();
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
    let start = casus::date::Date::parse("2024-01-01").unwrap();
    let date = |c: &mut Choices| start.plus_days(c.below(horizon as usize + 1) as i64).to_string();
    let n_states = 2 + c.below(5);
    let states: Vec<String> = (0..n_states).map(|i| format!("S{i}")).collect();
    let mut actors = Vec::new();
    for id in &states {
        let others: Vec<String> = states.iter().filter(|s| *s != id).cloned().collect();
        let troops = 100 + c.below(60_000) as u32;
        actors.push(ActorDef::State(StateDef {
            id: id.clone(),
            name: id.clone(),
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
    for i in 0..c.below(3) {
        let id = format!("O{i}");
        let members = c.subset(&states, true);
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
            name: id.clone(),
            members,
            suspended,
            withdrawal_notice_days: c.below(400) as u32,
            withdrawal_article: String::new(),
            ucg,
        }));
        orgs.push(id);
    }
    let mut partners = Vec::new();
    for i in 0..c.below(3) {
        let id = format!("P{i}");
        actors.push(ActorDef::Partner(PartnerDef {
            id: id.clone(),
            name: id.clone(),
            forces: c.subset(&states, false).into_iter().map(|s| (s, c.below(3000) as u32)).collect(),
            aid_musd: c.subset(&states, false).into_iter().map(|s| (s, c.unit() * 500.0)).collect(),
            aid_conditionality: c.unit(),
            aid_suspension_delay_days: c.below(15) as u32,
            aid_policy: String::new(),
            hostility_exposure: c.unit(),
            withdrawal_days: c.below(200) as u32,
        }));
        partners.push(id);
    }
    let mut groups = Vec::new();
    for i in 0..c.below(3) {
        let id = format!("G{i}");
        actors.push(ActorDef::ArmedGroup(ArmedGroupDef {
            id: id.clone(),
            name: id.clone(),
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
                article: format!("Art. {k}"),
                obligation,
                triggers,
                conditions,
                owed,
                binding: if c.flag() { Bindingness::Duty } else { Bindingness::Discretionary },
                collective: c.flag(),
            });
        }
        treaties.push(TreatyDef {
            id: format!("T{i}"),
            short_name: format!("Treaty {i}"),
            name: String::new(),
            members: c.subset(&states, true),
            in_force: c.flag().then(|| date(c)),
            withdrawal_notice_days: c.below(200) as u32,
            decision_rule: rule(c),
            decision_article: String::new(),
            clauses,
        });
    }
    let treaty_ids: Vec<String> = treaties.iter().map(|t| t.id.clone()).collect();
    let mut attackers: Vec<String> = states.clone();
    attackers.extend(groups.iter().cloned());
    attackers.extend(orgs.iter().cloned());
    let mut timeline = Vec::new();
    for _ in 0..c.below(8) {
        let event = match c.below(9) {
            0 => ScriptedEvent::Coup { state: c.pick(&states).clone(), leader: String::new() },
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
                let mut from: Vec<String> = orgs.clone();
                from.extend(treaty_ids.iter().cloned());
                ScriptedEvent::WithdrawalAnnounced { state: c.pick(&states).clone(), from: c.pick(&from).clone() }
            }
            7 if !partners.is_empty() => {
                ScriptedEvent::ForcesExpelled { state: c.pick(&states).clone(), partner: c.pick(&partners).clone() }
            }
            8 if !treaty_ids.is_empty() => {
                ScriptedEvent::AssistanceRequested { state: c.pick(&states).clone(), treaty: c.pick(&treaty_ids).clone() }
            }
            _ => ScriptedEvent::Coup { state: c.pick(&states).clone(), leader: String::new() },
        };
        timeline.push(ScriptedDef { date: date(c), event });
    }
    let mut parameters = BTreeMap::new();
    for spec in casus::params::CATALOGUE {
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
        focus: states[0].clone(),
        actors,
        treaties,
        timeline,
        parameters,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_scenarios_run_deterministically_and_replay(bytes in proptest::collection::vec(any::<u8>(), 0..600), seed in 0u64..1000) {
        let scenario = generate(&bytes);
        let errors = validate(&scenario);
        prop_assert!(errors.is_empty(), "the generator made an invalid scenario: {errors:?}");
        let p = casus::run::prepare_parsed(&scenario, "generated", &[]).unwrap();
        let a = casus::run::run(&p, seed, Default::default()).expect("the run completes");
        let b = casus::run::run(&p, seed, Default::default()).expect("the run completes");
        let (mut la, mut lb) = (Vec::new(), Vec::new());
        a.write_log(&mut la).unwrap();
        b.write_log(&mut lb).unwrap();
        prop_assert!(la == lb, "logs differ between two runs");
        // The engine skips modules that are not due in round 0: running them all anyway must
        // change nothing (the sim panics if a skipped module would have proposed an event).
        let mut sim = casus::engine::Sim::new(&p.scenario, p.params.clone(), seed, Default::default());
        sim.verify_due = true;
        sim.run().expect("the run completes");
        prop_assert!(sim.log().events == a.events, "running every module every round changed the run");
        let parsed = casus::run::read_log(&la[..]).unwrap();
        match casus::replay::replay(&p, &parsed) {
            casus::replay::Verdict::Match { final_state_hash, .. } => prop_assert_eq!(final_state_hash, a.end.final_state_hash.clone()),
            other => prop_assert!(false, "replay diverged: {:?}", other),
        }
        for e in &a.events {
            prop_assert!(!e.rule.is_empty(), "event {} names no rule", e.seq);
            if let Some(cause) = e.cause {
                prop_assert!(cause < e.seq, "event {} caused by later event {}", e.seq, cause);
            }
        }
    }
}
