//! The typed columns of a sweep's outputs (runs.csv, runs.jsonl, runs.parquet, points.csv,
//! points.parquet): each column's name, value type and whether it may be empty, and how a value
//! is written as CSV text and as JSON, so that pandas and polars infer the types the schema
//! says and Parquet stores them.
//!
//! Parameter columns are named `p_` and the parameter's name with every character that is not
//! an ASCII letter or digit replaced by `_` (`NGA.war_opposition` is `p_NGA_war_opposition`), a
//! name usable as a pandas attribute or a polars column without quoting. Their type follows the
//! parameter's kind: a continuous parameter is a float, an integer an integer, a categorical
//! `false`/`true` a boolean, any other categorical or text a string. Outcome columns keep the
//! outcomes' names (docs/log-format.md); [`OUTCOME_COLUMNS`] types them.
//!
//! Written text: integers as whole numbers, floats always with a decimal point (`0.0`, never
//! `0`, so that a reader inferring types from the first rows does not take a float column for
//! integers), booleans as `true`/`false`, strings as they are; a missing value is an empty CSV
//! field and a JSON `null`.

use serde::{Deserialize, Serialize};

use crate::model::fields::{BOOLEANS, Kind};

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// A signed 64-bit integer: counts, days, indices, seeds, integer parameters.
    Integer,
    /// A 64-bit float: continuous values.
    Float,
    /// `true` or `false`.
    Boolean,
    /// Text: categories (regimes, outcome classes) and text parameters.
    String,
}

impl ValueType {
    /// The type of a swept parameter of this kind.
    pub fn of_kind(kind: &Kind) -> ValueType {
        match kind {
            Kind::Continuous => ValueType::Float,
            Kind::Integer => ValueType::Integer,
            Kind::Categorical(words) if *words == BOOLEANS => ValueType::Boolean,
            Kind::Categorical(_) | Kind::Text => ValueType::String,
        }
    }
}

/// A swept parameter's column, recorded in the manifest so that every writer of the folder
/// (the sweep, its resume, a merge of its shards) writes the same columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamColumn {
    /// The parameter's name, as given to `--param`.
    pub param: String,
    /// The column's name ([`column_name`]).
    pub column: String,
    /// Its values' type ([`ValueType::of_kind`]).
    #[serde(rename = "type")]
    pub value_type: ValueType,
}

/// An outcome column beyond the standard ones (`--outcome`, `--outcomes-for`), recorded in the
/// manifest so that every writer of the folder writes the same columns (see
/// [`crate::sweep::measure`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeColumn {
    /// The column's name.
    pub name: String,
    /// Its values' type.
    #[serde(rename = "type")]
    pub value_type: ValueType,
    /// Whether a value may be missing.
    pub nullable: bool,
}

/// A column of an output table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its values' type.
    pub value_type: ValueType,
    /// Whether a value may be missing.
    pub nullable: bool,
}

impl Column {
    fn new(name: &str, value_type: ValueType, nullable: bool) -> Column {
        Column { name: name.to_string(), value_type, nullable }
    }
}

/// The column name of a swept parameter: `p_` and the name with every character that is not an
/// ASCII letter or digit replaced by `_`.
pub fn column_name(param: &str) -> String {
    let mut name = String::from("p_");
    name.extend(param.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }));
    name
}

/// The standard outcomes' columns, in the order the outcome columns are written (by name):
/// (name, type, nullable). `*_day` and `sanctions_days` are empty when the thing never happened,
/// `intervention_outcome` when no intervention was fought.
pub const OUTCOME_COLUMNS: &[(&str, ValueType, bool)] = &[
    ("aid_suspended_musd", ValueType::Float, false),
    ("allies_committed", ValueType::Integer, false),
    ("allies_obligated", ValueType::Integer, false),
    ("allies_pledged", ValueType::Integer, false),
    ("armed_conflict", ValueType::Boolean, false),
    ("armed_group_attacks", ValueType::Integer, false),
    ("casualties_civilian", ValueType::Integer, false),
    ("casualties_military", ValueType::Integer, false),
    ("coup_consolidated", ValueType::Boolean, false),
    ("defence_clause_invoked", ValueType::Boolean, false),
    ("final_regime", ValueType::String, false),
    ("foreign_forces_expelled_day", ValueType::Integer, true),
    ("intervention_launched_day", ValueType::Integer, true),
    ("intervention_outcome", ValueType::String, true),
    ("order_restored_day", ValueType::Integer, true),
    ("outcome_class", ValueType::String, false),
    ("sanctioning_states_gdp_loss_pct", ValueType::Float, false),
    ("sanctions_days", ValueType::Integer, true),
    ("sanctions_imposed_day", ValueType::Integer, true),
    ("sanctions_lifted_day", ValueType::Integer, true),
    ("standby_force_activated_day", ValueType::Integer, true),
    ("suspension_day", ValueType::Integer, true),
    ("target_gdp_loss_pct", ValueType::Float, false),
    ("terrorism_obligations", ValueType::Integer, false),
    ("transition_agreed_day", ValueType::Integer, true),
    ("ultimatum_day", ValueType::Integer, true),
    ("withdrawal_announced_day", ValueType::Integer, true),
    ("withdrawal_effective_day", ValueType::Integer, true),
];

/// Whether an outcome is an event or a yes/no, whose probability is worth charting (a `*_day`
/// outcome happened when it has a value, a boolean when true).
pub fn is_probability_outcome(name: &str) -> bool {
    name.ends_with("_day") || OUTCOME_COLUMNS.iter().any(|(n, t, _)| *n == name && *t == ValueType::Boolean)
}

/// The columns of runs.csv, runs.jsonl and runs.parquet: `run`, `point`, `replication`, `seed`,
/// the swept parameters, the standard outcomes, then the outcomes asked for (`extra`).
pub fn run_columns(params: &[ParamColumn], extra: &[OutcomeColumn]) -> Vec<Column> {
    let mut columns: Vec<Column> =
        ["run", "point", "replication", "seed"].iter().map(|n| Column::new(n, ValueType::Integer, false)).collect();
    columns.extend(params.iter().map(|p| Column::new(&p.column, p.value_type, false)));
    columns.extend(OUTCOME_COLUMNS.iter().map(|(n, t, null)| Column::new(n, *t, *null)));
    columns.extend(extra.iter().map(|c| Column::new(&c.name, c.value_type, c.nullable)));
    columns
}

/// The columns of series.csv and series.parquet, the time series (`--series`): one row per
/// run, day, actor and quantity.
pub fn series_columns() -> Vec<Column> {
    let mut columns: Vec<Column> = ["run", "day"].iter().map(|n| Column::new(n, ValueType::Integer, false)).collect();
    columns.extend(["date", "actor", "quantity"].iter().map(|n| Column::new(n, ValueType::String, false)));
    columns.push(Column::new("value", ValueType::Float, false));
    columns
}

/// The columns of points.csv and points.parquet: `point`, the swept parameters, then per
/// outcome `outcome`, `runs`, `happened`, `mean`, `sd`, `ci95_low`, `ci95_high` (the last four
/// empty when no run has a value).
pub fn point_columns(params: &[ParamColumn]) -> Vec<Column> {
    let mut columns = vec![Column::new("point", ValueType::Integer, false)];
    columns.extend(params.iter().map(|p| Column::new(&p.column, p.value_type, false)));
    columns.push(Column::new("outcome", ValueType::String, false));
    columns.push(Column::new("runs", ValueType::Integer, false));
    columns.push(Column::new("happened", ValueType::Float, false));
    columns.extend(["mean", "sd", "ci95_low", "ci95_high"].iter().map(|n| Column::new(n, ValueType::Float, true)));
    columns
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Missing.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// Text.
    String(String),
}

/// A float as text, always with a decimal point or an exponent (`0.0`, `1.5`, `1e300`): the
/// shortest text that reads back as the same float.
pub fn float_text(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x }; // no "-0.0"
    let text = format!("{x:?}");
    if text.contains(['.', 'e', 'E']) || !x.is_finite() { text } else { text + ".0" }
}

impl Cell {
    /// The value as a CSV field: empty when missing.
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Integer(i) => i.to_string(),
            Cell::Float(x) => float_text(*x),
            Cell::Boolean(b) => b.to_string(),
            Cell::String(s) => s.clone(),
        }
    }

    /// The value as a JSON value's text: `null` when missing (and for a float that is not
    /// finite, which JSON cannot hold).
    pub fn json_text(&self) -> String {
        match self {
            Cell::Null => "null".into(),
            Cell::Float(x) if !x.is_finite() => "null".into(),
            Cell::String(s) => serde_json::to_string(s).expect("strings serialise"),
            other => other.csv_text(),
        }
    }

    /// The cell of a value given as text (a design point's value, or a CSV field) in a column of
    /// this type; an empty text is missing when the column is `nullable`.
    pub fn parse(text: &str, value_type: ValueType, nullable: bool) -> Result<Cell, String> {
        if text.is_empty() && nullable {
            return Ok(Cell::Null);
        }
        let bad = || format!("{text:?} is not {}", describe(value_type));
        Ok(match value_type {
            ValueType::Integer => match text.parse::<i64>() {
                Ok(i) => Cell::Integer(i),
                // A whole number written as a float (a design point's `7.0`).
                Err(_) => {
                    let x: f64 = text.parse().map_err(|_| bad())?;
                    if x.fract() != 0.0 || x.abs() > 9.0e15 {
                        return Err(bad());
                    }
                    Cell::Integer(x as i64)
                }
            },
            ValueType::Float => Cell::Float(text.parse().map_err(|_| bad())?),
            ValueType::Boolean => match text {
                "true" => Cell::Boolean(true),
                "false" => Cell::Boolean(false),
                _ => return Err(bad()),
            },
            ValueType::String => Cell::String(text.to_string()),
        })
    }

    /// The cell of an outcome's JSON value (from the outcomes' serde form) in a column of this type.
    pub fn of_json(value: &serde_json::Value, value_type: ValueType) -> Cell {
        match (value, value_type) {
            (serde_json::Value::Null, _) => Cell::Null,
            (serde_json::Value::Bool(b), _) => Cell::Boolean(*b),
            (serde_json::Value::Number(n), ValueType::Integer) => {
                n.as_i64().map(Cell::Integer).unwrap_or_else(|| Cell::Float(n.as_f64().unwrap_or(f64::NAN)))
            }
            (serde_json::Value::Number(n), _) => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
            (serde_json::Value::String(s), _) => Cell::String(s.clone()),
            (other, _) => Cell::String(other.to_string()),
        }
    }

    /// The value as a number for statistics: booleans as 0 or 1; `None` for text and missing.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Integer(i) => Some(*i as f64),
            Cell::Float(x) => Some(*x),
            Cell::Boolean(b) => Some(if *b { 1.0 } else { 0.0 }),
            Cell::Null | Cell::String(_) => None,
        }
    }
}

fn describe(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::Integer => "an integer",
        ValueType::Float => "a number",
        ValueType::Boolean => "true or false",
        ValueType::String => "text",
    }
}

/// A JSON object of one row: `{"name":value,...}` in the columns' order, each value typed.
pub fn json_object(columns: &[Column], cells: &[Cell]) -> String {
    let mut out = String::from("{");
    for (i, (column, cell)) in columns.iter().zip(cells).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(&column.name).expect("strings serialise"));
        out.push(':');
        out.push_str(&cell.json_text());
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_always_have_a_decimal_point_and_read_back_the_same() {
        for (x, text) in [(0.0, "0.0"), (-0.0, "0.0"), (1.0, "1.0"), (0.25, "0.25"), (-3.0, "-3.0"), (1e300, "1e300"), (1e-7, "1e-7")] {
            assert_eq!(float_text(x), text);
            assert_eq!(float_text(x).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn parameter_columns_are_plain_names_typed_by_kind() {
        assert_eq!(column_name("NGA.war_opposition"), "p_NGA_war_opposition");
        assert_eq!(column_name("ECOWAS.ucg.ultimatum_days"), "p_ECOWAS_ucg_ultimatum_days");
        assert_eq!(column_name("NGA.electricity_supply.NER"), "p_NGA_electricity_supply_NER");
        assert_eq!(ValueType::of_kind(&Kind::Continuous), ValueType::Float);
        assert_eq!(ValueType::of_kind(&Kind::Integer), ValueType::Integer);
        assert_eq!(ValueType::of_kind(&Kind::Categorical(BOOLEANS)), ValueType::Boolean);
        assert_eq!(ValueType::of_kind(&Kind::Categorical(crate::model::fields::REGIMES)), ValueType::String);
        assert_eq!(ValueType::of_kind(&Kind::Text), ValueType::String);
    }

    #[test]
    fn cells_parse_and_write_by_type() {
        let cell = |t: &str, ty| Cell::parse(t, ty, true).unwrap();
        assert_eq!(cell("0", ValueType::Float).csv_text(), "0.0");
        assert_eq!(cell("7.0", ValueType::Integer), Cell::Integer(7));
        assert_eq!(cell("", ValueType::Integer), Cell::Null);
        assert_eq!(cell("true", ValueType::Boolean).json_text(), "true");
        assert_eq!(cell("say \"hi\"", ValueType::String).json_text(), "\"say \\\"hi\\\"\"");
        assert!(Cell::parse("2.5", ValueType::Integer, false).is_err());
        assert!(Cell::parse("", ValueType::Integer, false).is_err());
        assert!(Cell::parse("yes", ValueType::Boolean, false).is_err());
    }

    /// Every outcome has its column, in the order the outcomes are written, and its values fit
    /// the column's type in runs where outcomes happen and where they do not.
    #[test]
    fn the_outcome_columns_type_every_standard_outcome() {
        let mut checked_null = std::collections::BTreeSet::new();
        for (source, seeds) in [
            (include_str!("../../scenarios/niger_2023.ron"), 0..6),
            (include_str!("../../scenarios/niger_2023_intervention.ron"), 0..6),
            (include_str!("../../scenarios/aes_terror_pressure.ron"), 0..3),
        ] {
            let prepared = crate::model::prepared::prepare(source, &[]).unwrap();
            for seed in seeds {
                let outcomes = crate::engine::run::run(&prepared, seed, Default::default()).unwrap().outcomes;
                let columns = crate::sweep::outcome_columns(&outcomes);
                let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, OUTCOME_COLUMNS.iter().map(|(n, _, _)| *n).collect::<Vec<_>>());
                for ((name, value), (_, value_type, nullable)) in columns.iter().zip(OUTCOME_COLUMNS) {
                    let fits = match (value, value_type) {
                        (serde_json::Value::Null, _) => {
                            checked_null.insert(name.clone());
                            *nullable
                        }
                        (serde_json::Value::Number(n), ValueType::Integer) => n.is_i64() || n.is_u64(),
                        (serde_json::Value::Number(n), ValueType::Float) => n.is_f64(),
                        (serde_json::Value::Bool(_), ValueType::Boolean) => true,
                        (serde_json::Value::String(_), ValueType::String) => true,
                        _ => false,
                    };
                    assert!(fits, "{name}: {value} is not a {value_type:?}");
                }
            }
        }
        assert!(checked_null.contains("intervention_launched_day") && checked_null.contains("intervention_outcome"));
    }
}
