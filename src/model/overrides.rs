//! `--set NAME=VALUE`: a catalogue parameter (`reliability.base=0.6`) or any scalar field of
//! an actor or treaty by path (`NER.cohesion=0.3`, `ECOWAS.ucg.ultimatum_days=14`,
//! `NGA.regime=Junta`). Paths are resolved on the scenario's serialised form, so every field
//! in docs/scenario-format.md is reachable without a hand-written list.

use serde_json::Value;

use crate::model::params::{self, CATALOGUE};
use crate::model::scenario::{MAX_OVERRIDE_BYTES, MAX_OVERRIDES, Scenario};

/// A bad override, with a hint listing what is valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("--set {name}: {message}")]
pub struct OverrideError {
    /// The name given.
    pub name: String,
    /// What is wrong, with the valid names or fields.
    pub message: String,
}

/// Parses `NAME=VALUE`.
pub fn split(arg: &str) -> Result<(String, String), OverrideError> {
    match arg.split_once('=') {
        Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_string(), v.trim().to_string())),
        _ => Err(OverrideError { name: arg.to_string(), message: "expected NAME=VALUE".into() }),
    }
}

/// Every name `--set` accepts besides actor paths (for error messages).
pub fn catalogue_names() -> String {
    CATALOGUE.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// Refuses more than `MAX_OVERRIDES` overrides, or one longer than `MAX_OVERRIDE_BYTES`: the
/// log's header records every override, and its size is bounded by these limits
/// (`log::MAX_HEADER_LINE`).
pub fn check_sizes(overrides: &[(String, String)]) -> Result<(), OverrideError> {
    if overrides.len() > MAX_OVERRIDES {
        return Err(OverrideError {
            name: "(all)".into(),
            message: format!("{} overrides; the limit is {MAX_OVERRIDES}", overrides.len()),
        });
    }
    for (name, value) in overrides {
        let bytes = name.len() + 1 + value.len();
        if bytes > MAX_OVERRIDE_BYTES {
            let shown: String = name.chars().take(60).collect();
            return Err(OverrideError {
                name: if shown.len() < name.len() { format!("{shown}...") } else { shown },
                message: format!("NAME=VALUE is {bytes} bytes; the limit is {MAX_OVERRIDE_BYTES} bytes"),
            });
        }
    }
    Ok(())
}

/// Applies overrides in order. Parameter values are range-checked here; actor fields are
/// checked by `scenario::validate` afterwards.
pub fn apply(scenario: &mut Scenario, overrides: &[(String, String)]) -> Result<(), OverrideError> {
    check_sizes(overrides)?;
    let mut tree: Option<Value> = None;
    for (name, raw) in overrides {
        if let Some(spec) = params::spec(name) {
            let value: f64 = raw.parse().map_err(|_| OverrideError { name: name.clone(), message: format!("{raw:?} is not a number") })?;
            params::check_value(spec, value).map_err(|e| OverrideError { name: name.clone(), message: e.to_string() })?;
            scenario.parameters.insert(name.clone(), value);
            continue;
        }
        let tree = tree.get_or_insert_with(|| serde_json::to_value(&*scenario).expect("scenario serialises"));
        set_path(tree, name, raw)?;
    }
    if let Some(tree) = tree {
        let params = std::mem::take(&mut scenario.parameters);
        *scenario = serde_json::from_value(tree)
            .map_err(|e| OverrideError { name: "(fields)".into(), message: format!("the result is not a valid scenario: {e}") })?;
        scenario.parameters.extend(params);
    }
    Ok(())
}

fn unknown(name: &str, scenario: &Value) -> OverrideError {
    let mut ids: Vec<String> = Vec::new();
    for section in ["actors", "treaties"] {
        for item in scenario[section].as_array().into_iter().flatten() {
            let inner = if section == "actors" { item.as_object().and_then(|o| o.values().next()) } else { Some(item) };
            if let Some(id) = inner.and_then(|i| i["id"].as_str()) {
                ids.push(id.to_string());
            }
        }
    }
    let hint = params::did_you_mean(name, CATALOGUE.iter().map(|s| s.name));
    OverrideError {
        name: name.to_string(),
        message: format!(
            "unknown parameter{hint}. Valid parameters: {}. Or ID.FIELD for a field of one of: {} (e.g. NER.cohesion)",
            catalogue_names(),
            ids.join(", ")
        ),
    }
}

/// The node a path `ID.FIELD[.FIELD...]` names in a scenario's serialised form, with the kind of
/// what owns it (`State`, `Organisation`, `Partner`, `ArmedGroup` or `Treaty`). An unknown id is
/// an error listing the catalogue and the ids; an unknown field, one listing the fields there.
pub(crate) fn locate<'t>(tree: &'t mut Value, name: &str) -> Result<(String, &'t mut Value), OverrideError> {
    let err = |message: String| OverrideError { name: name.to_string(), message };
    let Some((id, path)) = name.split_once('.') else { return Err(unknown(name, tree)) };
    let actor_pos = tree["actors"]
        .as_array()
        .and_then(|a| a.iter().position(|x| x.as_object().and_then(|o| o.values().next()).and_then(|i| i["id"].as_str()) == Some(id)));
    let actor_ids: Vec<String> = tree["actors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_object().and_then(|o| o.values().next()).and_then(|i| i["id"].as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let treaty_pos = tree["treaties"].as_array().and_then(|a| a.iter().position(|t| t["id"].as_str() == Some(id)));
    if actor_pos.is_none() && treaty_pos.is_none() {
        return Err(unknown(name, tree));
    }
    let found: Option<(String, &mut Value)> = match (actor_pos, treaty_pos) {
        (Some(i), _) => tree["actors"][i].as_object_mut().and_then(|o| o.iter_mut().next()).map(|(k, v)| (k.clone(), v)),
        (None, Some(i)) => Some(("Treaty".to_string(), &mut tree["treaties"][i])),
        _ => None,
    };
    let Some((owner, mut node)) = found else { return Err(err("not an actor or treaty".into())) };
    // A field keyed by actor (`forces_abroad.*`, `trade_exposure.*`, ...) takes a new entry for
    // an actor the scenario has; its value is then set like any other.
    let keyed = crate::model::fields::field_spec(&owner, path).filter(|f| f.path.ends_with(".*"));
    let key_known = path.rsplit('.').next().is_some_and(|key| actor_ids.iter().any(|a| a == key));
    let new_entry = keyed
        .filter(|_| key_known)
        .map(|f| if f.domain.kind == crate::model::fields::Kind::Integer { Value::from(0u64) } else { Value::from(0.0) });
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let fields: Vec<String> = node.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        let Some(obj) = node.as_object_mut() else {
            return Err(err(format!("{} is not a structure with fields", segments[..i].join("."))));
        };
        if i + 1 == segments.len()
            && !obj.contains_key(*seg)
            && let Some(zero) = &new_entry
        {
            obj.insert(seg.to_string(), zero.clone());
        }
        let Some(next) = obj.get_mut(*seg) else {
            if keyed.is_some() && i + 1 == segments.len() {
                let hint = params::did_you_mean(seg, actor_ids.iter().map(|s| s.as_str()));
                return Err(err(format!(
                    "{seg:?} is no actor of the scenario{hint}; the entries are keyed by actor id: {}",
                    actor_ids.join(", ")
                )));
            }
            let hint = params::did_you_mean(seg, fields.iter().map(|s| s.as_str()));
            return Err(err(format!("{id} has no field {seg:?}{hint}; fields here: {}", fields.join(", "))));
        };
        node = next;
    }
    if node.is_object() || node.is_array() {
        return Err(err(format!("{path} is a list or structure; set one of its scalar fields")));
    }
    Ok((owner, node))
}

fn set_path(tree: &mut Value, name: &str, raw: &str) -> Result<(), OverrideError> {
    let err = |message: String| OverrideError { name: name.to_string(), message };
    let path = name.split_once('.').map(|(_, p)| p).unwrap_or_default();
    let (_, node) = locate(tree, name)?;
    let new = match &*node {
        Value::Number(n) => {
            let v: f64 = raw.parse().map_err(|_| err(format!("{raw:?} is not a number")))?;
            if !v.is_finite() {
                return Err(err("must be finite".into()));
            }
            if n.is_u64() || n.is_i64() {
                if v.fract() != 0.0 || v < 0.0 || v > u32::MAX as f64 {
                    return Err(err(format!("{raw} must be a whole number between 0 and {}", u32::MAX)));
                }
                Value::from(v as u64)
            } else {
                serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| err("not representable".into()))?
            }
        }
        Value::Bool(_) => Value::Bool(raw.parse().map_err(|_| err(format!("{raw:?} is not true or false")))?),
        Value::String(_) => Value::String(raw.to_string()),
        Value::Null => {
            // An optional field not set: accept a number, a bool or a string; never NaN or an
            // infinity, which JSON cannot hold (the field would silently stay unset).
            if let Ok(v) = raw.parse::<f64>() {
                serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| err(format!("{raw:?} is not a finite number")))?
            } else {
                Value::String(raw.to_string())
            }
        }
        _ => return Err(err(format!("{path} is a list or structure; set one of its scalar fields"))),
    };
    *node = new;
    Ok(())
}
