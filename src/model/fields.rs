//! What each parameter takes: a catalogue parameter's kind and range, and the kind and range
//! of every scalar field of an actor or treaty that `--set ID.FIELD=VALUE` reaches. Sweeps read
//! it to sample a parameter the way it is used (whole numbers for counts and days, one of a
//! list of words for a regime or a yes/no clause) and `casus params --fields` lists it.
//!
//! The field table mirrors `docs/scenario-format.md` and the checks of `scenario::validate`; a
//! test sets every field to the ends of its range and checks that the scenario stays valid,
//! and that every scalar field of the shipped scenarios has its row.

use serde_json::Value;

use crate::model::overrides::{self, OverrideError};
use crate::model::params;
use crate::model::scenario::{MAX_DELAY_DAYS, Scenario};

/// The kind of values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Any number in its range.
    Continuous,
    /// Whole numbers in its range.
    Integer,
    /// One of these words (an enumeration, or `false`/`true`).
    Categorical(&'static [&'static str]),
    /// Free text: a name, a citation, a date.
    Text,
}

impl Kind {
    /// `continuous`, `integer`, `categorical` or `text`.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Continuous => "continuous",
            Kind::Integer => "integer",
            Kind::Categorical(_) => "categorical",
            Kind::Text => "text",
        }
    }

    /// Whether the values are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Kind::Continuous | Kind::Integer)
    }
}

/// What a parameter takes: its kind and, for numbers, its valid range (either end may be
/// infinite). The range is the parameter's own; other checks of a scenario may still refuse a
/// value (troops abroad may not exceed a state's troops).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    /// The kind of values.
    pub kind: Kind,
    /// Smallest valid value (numbers only).
    pub min: f64,
    /// Largest valid value (numbers only).
    pub max: f64,
}

impl Domain {
    /// A domain with no numeric range (categorical or text).
    const fn words(kind: Kind) -> Domain {
        Domain { kind, min: f64::NEG_INFINITY, max: f64::INFINITY }
    }

    /// A one-line description: `integer in [0, 36600]`, `categorical: Democracy, Junta`.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Continuous | Kind::Integer => format!("{} in [{}, {}]", self.kind.name(), self.min, self.max),
            Kind::Categorical(values) => format!("categorical: {}", values.join(", ")),
            Kind::Text => "text".into(),
        }
    }
}

/// A row of the field table.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// What owns the field: `State`, `Organisation`, `Partner`, `ArmedGroup` or `Treaty`.
    pub owner: &'static str,
    /// The path after the id; `*` stands for any key of a map (another state's id).
    pub path: &'static str,
    /// Its kind and range.
    pub domain: Domain,
}

/// A state's regime.
pub const REGIMES: &[&str] = &["Democracy", "Authoritarian", "Junta", "Transitional"];
/// A decision rule given by a word (`Share(x)` is a structure; its share is the field `.Share`).
pub const DECISION_RULES: &[&str] = &["Unanimity", "Majority", "TwoThirds"];
/// A yes/no field.
pub const BOOLEANS: &[&str] = &["false", "true"];

const DAYS: f64 = MAX_DELAY_DAYS as f64;
const COUNT: f64 = u32::MAX as f64;
const AMOUNT: f64 = 1.0e15;

const fn num(owner: &'static str, path: &'static str, min: f64, max: f64) -> FieldSpec {
    FieldSpec { owner, path, domain: Domain { kind: Kind::Continuous, min, max } }
}

const fn int(owner: &'static str, path: &'static str, min: f64, max: f64) -> FieldSpec {
    FieldSpec { owner, path, domain: Domain { kind: Kind::Integer, min, max } }
}

const fn cat(owner: &'static str, path: &'static str, values: &'static [&'static str]) -> FieldSpec {
    FieldSpec { owner, path, domain: Domain::words(Kind::Categorical(values)) }
}

const fn text(owner: &'static str, path: &'static str) -> FieldSpec {
    FieldSpec { owner, path, domain: Domain::words(Kind::Text) }
}

/// Every scalar field `--set ID.FIELD` reaches, by owner, in the order of
/// docs/scenario-format.md.
pub const FIELDS: &[FieldSpec] = &[
    text("State", "id"),
    text("State", "name"),
    cat("State", "regime", REGIMES),
    int("State", "troops", 0.0, COUNT),
    num("State", "gdp_busd", 0.0, AMOUNT),
    num("State", "population_m", 0.0, AMOUNT),
    num("State", "trade_dependence", 0.0, 1.0),
    num("State", "aid_dependence", 0.0, 1.0),
    num("State", "cohesion", 0.0, 1.0),
    num("State", "army_loyalty", 0.0, 1.0),
    num("State", "war_opposition", 0.0, 1.0),
    num("State", "security_threat", 0.0, 1.0),
    num("State", "trade_exposure.*", 0.0, 1.0),
    num("State", "electricity_supply.*", 0.0, 1.0),
    int("State", "forces_abroad.*", 0.0, COUNT),
    text("Organisation", "id"),
    text("Organisation", "name"),
    int("Organisation", "withdrawal_notice_days", 0.0, DAYS),
    text("Organisation", "withdrawal_article"),
    text("Organisation", "ucg.suspension_article"),
    text("Organisation", "ucg.sanctions_article"),
    text("Organisation", "ucg.intervention_article"),
    int("Organisation", "ucg.suspension_delay_days", 0.0, DAYS),
    int("Organisation", "ucg.summit_delay_days", 0.0, DAYS),
    num("Organisation", "ucg.sanction_propensity", 0.0, 1.0),
    int("Organisation", "ucg.ultimatum_days", 0.0, DAYS),
    cat("Organisation", "ucg.force_threatened", BOOLEANS),
    int("Organisation", "ucg.activation_summit_delay_days", 0.0, DAYS),
    int("Organisation", "ucg.dday_delay_days", 0.0, DAYS),
    cat("Organisation", "ucg.force_decision_rule", DECISION_RULES),
    num("Organisation", "ucg.force_decision_rule.Share", 0.0, 1.0),
    int("Organisation", "ucg.review_days", 1.0, DAYS),
    cat("Organisation", "ucg.standby_force", BOOLEANS),
    text("Partner", "id"),
    text("Partner", "name"),
    int("Partner", "forces.*", 0.0, COUNT),
    num("Partner", "aid_musd.*", 0.0, AMOUNT),
    num("Partner", "aid_conditionality", 0.0, 1.0),
    int("Partner", "aid_suspension_delay_days", 0.0, DAYS),
    text("Partner", "aid_policy"),
    num("Partner", "hostility_exposure", 0.0, 1.0),
    int("Partner", "withdrawal_days", 0.0, DAYS),
    text("ArmedGroup", "id"),
    text("ArmedGroup", "name"),
    num("ArmedGroup", "attacks_per_month", 0.0, 1000.0),
    num("ArmedGroup", "mean_deaths", 0.0, 100_000.0),
    cat("ArmedGroup", "terrorist", BOOLEANS),
    text("Treaty", "id"),
    text("Treaty", "short_name"),
    text("Treaty", "name"),
    text("Treaty", "in_force"),
    int("Treaty", "withdrawal_notice_days", 0.0, DAYS),
    cat("Treaty", "decision_rule", DECISION_RULES),
    num("Treaty", "decision_rule.Share", 0.0, 1.0),
    text("Treaty", "decision_article"),
];

/// The table row for a field path (after the id) of an owner, if any.
pub fn field_spec(owner: &str, path: &str) -> Option<&'static FieldSpec> {
    let segments: Vec<&str> = path.split('.').collect();
    FIELDS.iter().find(|f| {
        let pattern: Vec<&str> = f.path.split('.').collect();
        f.owner == owner && pattern.len() == segments.len() && pattern.iter().zip(&segments).all(|(p, s)| *p == "*" || p == s)
    })
}

/// What a parameter takes: a catalogue parameter, or a field by path (`NER.regime`,
/// `ECOWAS.ucg.ultimatum_days`). A name `--set` would refuse is the same error here.
pub fn domain(scenario: &Scenario, name: &str) -> Result<Domain, OverrideError> {
    if let Some(spec) = params::spec(name) {
        let kind = if spec.integer { Kind::Integer } else { Kind::Continuous };
        return Ok(Domain { kind, min: spec.min, max: spec.max });
    }
    let mut tree = serde_json::to_value(scenario).expect("scenario serialises");
    let (owner, node) = overrides::locate(&mut tree, name)?;
    let path = name.split_once('.').map(|(_, p)| p).unwrap_or_default();
    if let Some(f) = field_spec(&owner, path) {
        return Ok(f.domain);
    }
    // A field the table does not know: its kind from its value.
    Ok(match node {
        Value::Bool(_) => Domain::words(Kind::Categorical(BOOLEANS)),
        Value::Number(n) if n.is_u64() => Domain { kind: Kind::Integer, min: 0.0, max: COUNT },
        Value::Number(_) => Domain { kind: Kind::Continuous, min: f64::NEG_INFINITY, max: f64::INFINITY },
        _ => Domain::words(Kind::Text),
    })
}

/// The current value of a field by path (`NER.regime`, `AES.withdrawal_notice_days`), as the
/// scenario's serialised form holds it; None for an unknown path or an unset optional field.
pub fn field_value(scenario: &Scenario, name: &str) -> Option<Value> {
    let mut tree = serde_json::to_value(scenario).ok()?;
    let (_, node) = overrides::locate(&mut tree, name).ok()?;
    (!node.is_null()).then(|| node.take())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::{load, validate};

    const SHIPPED: &[&str] = &[
        include_str!("../../scenarios/niger_2023.ron"),
        include_str!("../../scenarios/nato_art5.ron"),
        include_str!("../../scenarios/ecowas_1981_protocol.ron"),
        include_str!("../../scenarios/aes_terror_pressure.ron"),
    ];

    #[test]
    fn a_field_keyed_by_actor_takes_a_new_entry_for_an_actor_of_the_scenario_and_no_other() {
        // `casus params --fields` lists `forces_abroad.*`; `--set NER.forces_abroad.MLI=1000`
        // was refused when Niger had no troops in Mali to begin with.
        let s = load(SHIPPED[0]).unwrap();
        let mut t = s.clone();
        overrides::apply(&mut t, &[("NER.forces_abroad.MLI".into(), "1000".into())]).unwrap();
        assert!(validate(&t).is_empty());
        let tree = serde_json::to_value(&t).unwrap();
        let ner = tree["actors"].as_array().unwrap().iter().find_map(|a| a.get("State").filter(|s| s["id"] == "NER")).unwrap();
        assert_eq!(ner["forces_abroad"]["MLI"], 1000);
        let mut t = s.clone();
        let e = overrides::apply(&mut t, &[("NER.forces_abroad.MLX".into(), "1000".into())]).unwrap_err();
        assert!(e.message.contains("\"MLX\" is no actor of the scenario") && e.message.contains("did you mean \"MLI\""), "{}", e.message);
        let mut t = s.clone();
        let e = overrides::apply(&mut t, &[("NER.no_such.MLI".into(), "1".into())]).unwrap_err();
        assert!(e.message.contains("has no field \"no_such\""), "{}", e.message);
    }

    /// Every scalar leaf under an actor or treaty, as `(owner, id, path, value)`.
    fn leaves(s: &Scenario) -> Vec<(String, String, String, Value)> {
        fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
            match v {
                Value::Object(o) => {
                    for (k, x) in o {
                        let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                        walk(&p, x, out);
                    }
                }
                Value::Array(_) => {}
                other => out.push((prefix.to_string(), other.clone())),
            }
        }
        let tree = serde_json::to_value(s).unwrap();
        let mut owners: Vec<(String, &Value)> = Vec::new();
        for a in tree["actors"].as_array().unwrap() {
            let (kind, node) = a.as_object().unwrap().iter().next().unwrap();
            owners.push((kind.clone(), node));
        }
        owners.extend(tree["treaties"].as_array().unwrap().iter().map(|t| ("Treaty".to_string(), t)));
        let mut all = Vec::new();
        for (owner, node) in owners {
            let id = node["id"].as_str().unwrap().to_string();
            let mut out = Vec::new();
            walk("", node, &mut out);
            all.extend(out.into_iter().map(|(p, v)| (owner.clone(), id.clone(), p, v)));
        }
        all
    }

    #[test]
    fn every_scalar_field_of_the_shipped_scenarios_has_its_row_and_kind() {
        for text in SHIPPED {
            let s = load(text).unwrap();
            for (owner, id, path, value) in leaves(&s) {
                if value.is_null() && path == "ucg" {
                    continue; // an organisation without a UCG regime: a structure not given
                }
                let f = field_spec(&owner, &path).unwrap_or_else(|| panic!("{owner} field {path} has no row in FIELDS"));
                let fits = match (&f.domain.kind, &value) {
                    (Kind::Continuous, Value::Number(n)) => n.is_f64(),
                    (Kind::Integer, Value::Number(n)) => n.is_u64(),
                    (Kind::Categorical(v), Value::String(w)) => v.contains(&w.as_str()),
                    (Kind::Categorical(v), Value::Bool(_)) => *v == BOOLEANS,
                    (Kind::Text, Value::String(_) | Value::Null) => true,
                    _ => false,
                };
                assert!(fits, "{id}.{path} = {value} does not fit its row {:?}", f.domain);
                assert_eq!(domain(&s, &format!("{id}.{path}")).unwrap(), f.domain);
            }
        }
    }

    /// Each numeric field's range is the one validation applies: both ends are accepted, a step
    /// beyond a finite end is refused; each categorical field takes each of its words and no other.
    #[test]
    fn the_table_agrees_with_validation() {
        let s = load(SHIPPED[0]).unwrap();
        let mut tried = 0;
        for (owner, id, path, value) in leaves(&s) {
            if value.is_null() && path == "ucg" {
                continue;
            }
            let f = field_spec(&owner, &path).unwrap();
            let name = format!("{id}.{path}");
            let try_value = |raw: &str| -> bool {
                let mut t = s.clone();
                overrides::apply(&mut t, &[(name.clone(), raw.to_string())]).is_ok() && validate(&t).is_empty()
            };
            match f.domain.kind {
                Kind::Continuous | Kind::Integer => {
                    // Troops abroad count against troops: a state's troops may not fall below them.
                    if path != "troops" {
                        assert!(try_value(&format!("{}", f.domain.min)), "{name} = min {}", f.domain.min);
                    }
                    if !path.starts_with("forces_abroad") {
                        assert!(try_value(&format!("{}", f.domain.max)), "{name} = max {}", f.domain.max);
                    }
                    let step = if f.domain.kind == Kind::Integer { 1.0 } else { 1e-9 * f.domain.max.abs().max(1.0) };
                    if f.domain.min > 0.0 || f.domain.kind == Kind::Continuous {
                        assert!(!try_value(&format!("{}", f.domain.min - step)), "{name} below min");
                    }
                    if f.domain.max < COUNT {
                        assert!(!try_value(&format!("{}", f.domain.max + step)), "{name} above max");
                    }
                }
                Kind::Categorical(values) => {
                    for v in values {
                        assert!(try_value(v), "{name} = {v}");
                    }
                    assert!(!try_value("Nonsense"), "{name} = Nonsense");
                }
                Kind::Text => {}
            }
            tried += 1;
        }
        assert!(tried > 50, "{tried}");
    }

    #[test]
    fn kinds_of_catalogue_parameters_and_fields() {
        let s = load(SHIPPED[0]).unwrap();
        assert_eq!(domain(&s, "junta.review_days").unwrap(), Domain { kind: Kind::Integer, min: 1.0, max: 365.0 });
        assert_eq!(domain(&s, "reliability.base").unwrap().kind, Kind::Continuous);
        assert_eq!(domain(&s, "NER.regime").unwrap().kind, Kind::Categorical(REGIMES));
        assert_eq!(domain(&s, "ECOWAS.ucg.ultimatum_days").unwrap().kind, Kind::Integer);
        assert_eq!(domain(&s, "ECOWAS.ucg.standby_force").unwrap().kind, Kind::Categorical(BOOLEANS));
        assert!(domain(&s, "NER.regim").unwrap_err().message.contains("did you mean \"regime\"?"));
        assert!(domain(&s, "NER.borders").unwrap_err().message.contains("is a list or structure"));
        assert_eq!(field_value(&s, "NER.regime"), Some(Value::String("Democracy".into())));
        assert_eq!(field_value(&s, "ECOWAS.ucg.ultimatum_days"), Some(Value::from(7u64)));
    }
}
