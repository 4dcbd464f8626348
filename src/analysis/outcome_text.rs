//! A run's standard outcomes in words, for the report pages: each outcome's name as a phrase
//! about the focus ("Niger suspended by an organisation"), and its value as people write it: a
//! date with its day number, "did not happen", "yes" or "no", a count, a percentage, a class
//! or regime in words. An outcome this module does not know (a newer casus's) still reads:
//! its name in words and its value by its JSON type.

use crate::analysis::plain::{human_date, words};
use crate::model::date::Date;

/// One outcome, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeText {
    /// The outcome's name in the summary (`sanctions_imposed_day`).
    pub name: String,
    /// What it is, as a phrase about the focus ("Economic sanctions imposed on Niger").
    pub label: String,
    /// Its value in words ("30 Jul 2023 (day 4)", "did not happen", "5.35% of GDP").
    pub value: String,
    /// For an outcome that is the day of an event: that day, or `None` when it did not happen.
    /// `None` for every other outcome.
    pub day: Option<u32>,
    /// Whether the outcome is the day of an event (dated), rather than a figure.
    pub dated: bool,
}

/// How an outcome's value reads.
#[derive(Clone, Copy)]
enum Unit {
    /// The day of an event (`*_day`): a date, or "did not happen".
    Day,
    /// A yes/no.
    YesNo,
    /// A whole count of something: its singular and plural ("1 ally", "2 allies").
    Count(&'static str, &'static str),
    /// A number of days ("{} days"), or "none" when absent.
    Days,
    /// A percentage of GDP.
    PercentGdp,
    /// Millions of US dollars a year.
    MillionUsd,
    /// A regime, in words.
    Regime,
    /// How an intervention ended, in words; "no intervention" when absent.
    Combat,
    /// The outcome class, in words.
    Class,
}

/// The outcomes casus computes (`fold::outcomes::Outcomes`): name, phrase (`{f}` is the
/// focus's name) and unit.
const KNOWN: [(&str, &str, Unit); 28] = [
    ("suspension_day", "{f} suspended by an organisation", Unit::Day),
    ("sanctions_imposed_day", "Economic sanctions imposed on {f}", Unit::Day),
    ("ultimatum_day", "Ultimatum issued to {f}", Unit::Day),
    ("standby_force_activated_day", "Standby force activated against {f}", Unit::Day),
    ("intervention_launched_day", "Intervention launched in {f}", Unit::Day),
    ("order_restored_day", "Constitutional order restored in {f}", Unit::Day),
    ("sanctions_lifted_day", "Economic sanctions on {f} lifted", Unit::Day),
    ("withdrawal_announced_day", "{f} announced its withdrawal from an organisation", Unit::Day),
    ("withdrawal_effective_day", "{f}'s withdrawal took effect", Unit::Day),
    ("foreign_forces_expelled_day", "{f} expelled a partner's forces", Unit::Day),
    ("transition_agreed_day", "Transition timetable agreed for {f}", Unit::Day),
    ("outcome_class", "How the crisis ended for {f}", Unit::Class),
    ("final_regime", "{f}'s regime at the end", Unit::Regime),
    ("coup_consolidated", "The coup consolidated", Unit::YesNo),
    ("intervention_outcome", "How the intervention ended", Unit::Combat),
    ("defence_clause_invoked", "A defence clause invoked for {f} against a state or organisation", Unit::YesNo),
    ("allies_obligated", "Allies obligated by such a clause", Unit::Count("ally", "allies")),
    ("allies_committed", "Allies that decided to honour it", Unit::Count("ally", "allies")),
    ("allies_pledged", "Allies that publicly pledged to defend {f}", Unit::Count("ally", "allies")),
    ("armed_conflict", "Fighting between states or organisations in {f}", Unit::YesNo),
    ("sanctions_days", "Days under economic sanctions", Unit::Days),
    ("target_gdp_loss_pct", "GDP lost by {f}", Unit::PercentGdp),
    ("sanctioning_states_gdp_loss_pct", "GDP lost by the sanctioning states (GDP-weighted)", Unit::PercentGdp),
    ("aid_suspended_musd", "Aid to {f} suspended", Unit::MillionUsd),
    ("casualties_military", "Military deaths in {f}", Unit::Count("death", "deaths")),
    ("casualties_civilian", "Civilian deaths in {f}", Unit::Count("death", "deaths")),
    ("armed_group_attacks", "Attacks by armed groups in {f}", Unit::Count("attack", "attacks")),
    ("terrorism_obligations", "Obligations arising for {f} from terrorist or rebel attacks", Unit::Count("obligation", "obligations")),
];

/// Every outcome of a summary's `outcomes` object in words: the dated ones first, in the order
/// they happened (those that did not happen after them, in catalogue order), then the figures
/// in catalogue order, then any outcome the catalogue does not know, by name.
pub fn outcomes_in_words(outcomes: &serde_json::Value, start: Date, focus: &str) -> Vec<OutcomeText> {
    let Some(map) = outcomes.as_object() else { return vec![] };
    let rank = |name: &str| KNOWN.iter().position(|k| k.0 == name).unwrap_or(KNOWN.len());
    let mut out: Vec<OutcomeText> = map.iter().map(|(name, value)| outcome_in_words(name, value, start, focus)).collect();
    out.sort_by(|a, b| {
        let key = |o: &OutcomeText| (!o.dated, o.day.is_none(), o.day, rank(&o.name), o.name.clone());
        key(a).cmp(&key(b))
    });
    out
}

/// One outcome in words.
pub fn outcome_in_words(name: &str, value: &serde_json::Value, start: Date, focus: &str) -> OutcomeText {
    let known = KNOWN.iter().find(|k| k.0 == name);
    let unit = known.map(|k| k.2).unwrap_or(if name.ends_with("_day") { Unit::Day } else { Unit::Count("", "") });
    let label = match known {
        Some(k) => sentence_case(&k.1.replace("{f}", focus)),
        None => sentence_case(&name.replace('_', " ")),
    };
    let day = match unit {
        Unit::Day => value.as_u64().and_then(|d| u32::try_from(d).ok()),
        _ => None,
    };
    let value = value_in_words(unit, value, start);
    OutcomeText { name: name.to_string(), label, value, day, dated: matches!(unit, Unit::Day) }
}

/// An outcome's name as a phrase about the focus, named `focus` ("Economic sanctions imposed on
/// the focus").
pub fn outcome_label(name: &str, focus: &str) -> String {
    outcome_in_words(name, &serde_json::Value::Null, Date::from_ymd(1970, 1, 1).expect("a date"), focus).label
}

/// "30 Jul 2023 (day 4)".
pub fn dated(day: u32, start: Date) -> String {
    format!("{} (day {day})", human_date(start.plus_days(i64::from(day))))
}

fn value_in_words(unit: Unit, value: &serde_json::Value, start: Date) -> String {
    use serde_json::Value as V;
    match (unit, value) {
        (Unit::Day, V::Null) => "did not happen".into(),
        (Unit::Day, v) if v.as_u64().is_some() => dated(v.as_u64().unwrap_or(0) as u32, start),
        (Unit::Days, V::Null) => "none".into(),
        (Unit::Days, v) if v.as_u64() == Some(1) => "1 day".into(),
        (Unit::Days, v) if v.as_u64().is_some() => format!("{} days", v),
        (Unit::Combat, V::Null) => "no intervention was fought".into(),
        (_, V::Bool(true)) => "yes".into(),
        (_, V::Bool(false)) => "no".into(),
        (Unit::PercentGdp, V::Number(n)) => format!("{}% of GDP", decimal(n.as_f64().unwrap_or(0.0))),
        (Unit::MillionUsd, V::Number(n)) => format!("{} million USD a year", decimal(n.as_f64().unwrap_or(0.0))),
        (Unit::Count(one, _), V::Number(n)) if !one.is_empty() && n.as_u64() == Some(1) => format!("1 {one}"),
        (Unit::Count(_, many), V::Number(n)) if !many.is_empty() => format!("{} {many}", decimal(n.as_f64().unwrap_or(0.0))),
        (Unit::Class, V::String(s)) => class_in_words(s),
        (_, V::String(s)) => words(s),
        (_, V::Number(n)) => decimal(n.as_f64().unwrap_or(0.0)),
        (_, V::Null) => "none".into(),
        (_, other) => other.to_string(),
    }
}

/// An outcome class (docs/casebook.md) as a phrase.
fn class_in_words(class: &str) -> String {
    match class {
        "CoupReversed" => "the coup was reversed".into(),
        "InterventionRestoredWithCombat" => "an intervention restored order, with heavy fighting".into(),
        "InterventionRestored" => "an intervention restored order".into(),
        "InterventionFailed" => "an intervention failed to restore order".into(),
        "ForceThreatened" => "force was threatened; no intervention followed".into(),
        "ForceByConsent" => "foreign forces deployed at the government's request".into(),
        "LeaderClimbsDown" => "the ruler handed power back under pressure".into(),
        "TransitionAgreed" => "a transition timetable was agreed".into(),
        "SanctionsLiftedUnmet" => "sanctions were lifted with the demand unmet".into(),
        "SanctionsInForce" => "sanctions still in force at the end".into(),
        "SuspensionOrTargeted" => "suspension or targeted measures only".into(),
        "NoMeasures" => "no measures were taken".into(),
        other => words(other),
    }
}

/// A number as people write it: whole numbers plainly with thousands separated, others to
/// two decimals ("5.35", "0.13", "1,204").
pub fn decimal(v: f64) -> String {
    if !v.is_finite() {
        return "unknown".into();
    }
    let rounded = (v * 100.0).round() / 100.0;
    let whole = rounded.trunc();
    let digits = format!("{}", whole.abs() as u64);
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let fraction = (rounded - whole).abs();
    if fraction < 0.005 {
        format!("{sign}{grouped}")
    } else {
        let cents = format!("{:.2}", fraction);
        format!("{sign}{grouped}{}", cents.trim_start_matches('0').trim_end_matches('0'))
    }
}

fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Date {
        Date::parse("2023-07-26").unwrap()
    }

    fn check(name: &str, value: serde_json::Value, label: &str, words: &str) {
        let o = outcome_in_words(name, &value, start(), "Niger");
        assert_eq!((o.label.as_str(), o.value.as_str()), (label, words), "{name} = {value}");
    }

    #[test]
    fn outcomes_read_as_words_with_dates() {
        use serde_json::json;
        check("sanctions_imposed_day", json!(4), "Economic sanctions imposed on Niger", "30 Jul 2023 (day 4)");
        check("intervention_launched_day", json!(null), "Intervention launched in Niger", "did not happen");
        check("final_regime", json!("Junta"), "Niger's regime at the end", "junta");
        check(
            "outcome_class",
            json!("ForceThreatened"),
            "How the crisis ended for Niger",
            "force was threatened; no intervention followed",
        );
        check("intervention_outcome", json!(null), "How the intervention ended", "no intervention was fought");
        check("intervention_outcome", json!("Stalemate"), "How the intervention ended", "stalemate");
        check("coup_consolidated", json!(true), "The coup consolidated", "yes");
        check("armed_conflict", json!(false), "Fighting between states or organisations in Niger", "no");
        check("target_gdp_loss_pct", json!(5.348955), "GDP lost by Niger", "5.35% of GDP");
        check("aid_suspended_musd", json!(570.0), "Aid to Niger suspended", "570 million USD a year");
        check("casualties_military", json!(1722), "Military deaths in Niger", "1,722 deaths");
        check("allies_pledged", json!(1), "Allies that publicly pledged to defend Niger", "1 ally");
        check("sanctions_days", json!(null), "Days under economic sanctions", "none");
        check("sanctions_days", json!(180), "Days under economic sanctions", "180 days");
        check("a_new_outcome_day", json!(2), "A new outcome day", "28 Jul 2023 (day 2)");
        check("a_new_measure", json!(null), "A new measure", "none");
        assert_eq!(outcome_label("suspension_day", "the focus"), "The focus suspended by an organisation");
    }

    #[test]
    fn dated_outcomes_come_first_in_the_order_they_happened() {
        let o = serde_json::json!({"casualties_civilian": 3, "sanctions_lifted_day": 184, "suspension_day": 4,
            "intervention_launched_day": null, "ultimatum_day": 4});
        let names: Vec<String> = outcomes_in_words(&o, start(), "Niger").into_iter().map(|o| o.name).collect();
        assert_eq!(names, ["suspension_day", "ultimatum_day", "sanctions_lifted_day", "intervention_launched_day", "casualties_civilian"]);
    }

    #[test]
    fn every_outcome_casus_computes_has_words() {
        let prepared = crate::model::prepared::prepare(include_str!("../../scenarios/niger_2023.ron"), &[]).unwrap();
        let run = crate::engine::run::run(&prepared, 1, Default::default()).unwrap();
        let fields = serde_json::to_value(&run.outcomes).unwrap();
        for name in fields.as_object().unwrap().keys() {
            assert!(KNOWN.iter().any(|k| k.0 == name), "{name} has no phrase in KNOWN");
        }
        assert_eq!(fields.as_object().unwrap().len(), KNOWN.len(), "KNOWN names an outcome casus does not compute");
    }

    #[test]
    fn decimals_read_as_people_write_them() {
        for (v, s) in [(0.131138, "0.13"), (5.348955, "5.35"), (1204.0, "1,204"), (1234567.891, "1,234,567.89"), (0.0, "0"), (-2.5, "-2.5")]
        {
            assert_eq!(decimal(v), s, "{v}");
        }
    }
}
