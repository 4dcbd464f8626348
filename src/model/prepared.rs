//! A scenario ready to run: parsed, overridden (`--set`) and validated, with its parameters
//! resolved and the hash of its source.

use crate::model::overrides::{self, OverrideError};
use crate::model::params::{ParamError, Params};
use crate::model::scenario::{self, Scenario, ScenarioError};
use crate::model::state;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The scenario after overrides.
    pub scenario: Scenario,
    /// Resolved parameters.
    pub params: Params,
    /// SHA-256 of the source bytes.
    pub scenario_hash: String,
    /// Overrides applied.
    pub overrides: Vec<(String, String)>,
}

/// Why a scenario could not be prepared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    /// Syntax or validation.
    #[error("invalid scenario")]
    Scenario(ScenarioError),
    /// A bad `--set`.
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// A parameter out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
}

impl PrepareError {
    /// Renders for a terminal.
    pub fn render(&self, file: &str, source: &str) -> String {
        match self {
            PrepareError::Scenario(e) => e.render(file, source),
            other => format!("{file}: error: {other}\n"),
        }
    }
}

/// Parses, applies overrides, and validates.
pub fn prepare(source: &str, overrides: &[(String, String)]) -> Result<Prepared, PrepareError> {
    let scenario = scenario::parse(source).map_err(PrepareError::Scenario)?;
    let errors = scenario::validate(&scenario);
    if !errors.is_empty() {
        return Err(PrepareError::Scenario(ScenarioError::Invalid(errors)));
    }
    prepare_owned(scenario, &state::sha256_hex(source.as_bytes()), overrides)
}

/// Applies overrides to an already parsed and validated scenario (`scenario::load`'s), and
/// validates the result (sweeps parse once and prepare each design point from the parsed form).
pub fn prepare_parsed(base: &Scenario, scenario_hash: &str, overrides: &[(String, String)]) -> Result<Prepared, PrepareError> {
    prepare_owned(base.clone(), scenario_hash, overrides)
}

/// `prepare_parsed` on a scenario it may change in place. Without overrides the scenario is
/// the validated one and is not validated again (a big world's validation is not free).
fn prepare_owned(mut scenario: Scenario, scenario_hash: &str, overrides: &[(String, String)]) -> Result<Prepared, PrepareError> {
    if !overrides.is_empty() {
        overrides::apply(&mut scenario, overrides)?;
        let errors = scenario::validate(&scenario);
        if !errors.is_empty() {
            return Err(PrepareError::Scenario(ScenarioError::Invalid(errors)));
        }
    }
    let params = scenario.params()?;
    Ok(Prepared { scenario, params, scenario_hash: scenario_hash.to_string(), overrides: overrides.to_vec() })
}
