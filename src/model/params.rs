//! The catalogue of model parameters: every behavioural coefficient a rule uses, with its
//! default, its documented range and where the default comes from.
//!
//! Values resolve in three layers: catalogue default, then the scenario's `parameters`
//! block, then `--set NAME=VALUE` overrides. Numbers that belong to one actor (a state's
//! troops, an organisation's ultimatum length) live in the scenario's actor definitions and
//! are overridden by path (`NER.cohesion`, `ECOWAS.ucg.ultimatum_days`): see `crate::model::overrides`.

use std::collections::BTreeMap;

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Dotted name used in scenarios and on the command line.
    pub name: &'static str,
    /// Default value.
    pub default: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Whether the value must be a whole number.
    pub integer: bool,
    /// What it means, and the source of its default.
    pub doc: &'static str,
}

macro_rules! catalogue {
    ($( $field:ident : $name:literal = $default:expr, [$min:expr, $max:expr], $int:literal, $doc:literal; )*) => {
        /// Resolved parameter values for one run (field names mirror the dotted names).
        #[derive(Debug, Clone, PartialEq, bevy_ecs::prelude::Resource)]
        #[allow(missing_docs)]
        pub struct Params { $(pub $field: f64,)* }

        /// Every parameter, in a fixed order (the order of the log header).
        pub const CATALOGUE: &[ParamSpec] = &[
            $( ParamSpec { name: $name, default: $default, min: $min, max: $max, integer: $int, doc: $doc }, )*
        ];

        impl Params {
            /// All defaults.
            pub fn defaults() -> Self {
                Params { $($field: $default,)* }
            }

            /// The value of a parameter by dotted name.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name { $($name => Some(self.$field),)* _ => None }
            }

            fn slot(&mut self, name: &str) -> Option<&mut f64> {
                match name { $($name => Some(&mut self.$field),)* _ => None }
            }
        }
    };
}

catalogue! {
    coup_fail_intercept: "coup.fail_intercept" = -2.5, [-10.0, 10.0], false,
        "Log-odds that a coup fails when army loyalty equals junta cohesion.";
    coup_loyalty_weight: "coup.loyalty_weight" = 6.0, [0.0, 20.0], false,
        "Log-odds added per unit of (army loyalty to the deposed ruler - junta cohesion).";
    coup_reversal_delay_days: "coup.reversal_delay_days" = 0.0, [0.0, 60.0], true,
        "Days until loyal forces reverse a failed coup (0: the same day, as in Guinea-Bissau on 1 Feb 2022 and Benin on 7 Dec 2025).";

    reliability_base: "reliability.base" = 0.75, [0.0, 1.0], false,
        "Probability a bound party honours an invoked commitment, all else neutral (Leeds, Long & Mitchell 2000: 74.5%; Leeds 2003: about 75%).";
    reliability_discretionary_odds: "reliability.discretionary_odds" = 0.5, [0.0, 1.0], false,
        "Odds multiplier for clauses worded 'such action as it deems necessary' (NATO Art. 5) against a duty of all parties (AES Art. 6).";
    reliability_affinity_weight: "reliability.affinity_weight" = 1.2, [0.0, 50.0], false,
        "Log-odds per unit of regime affinity (+1 same regime family, -1 opposed); Leeds 2003: non-democracies and regime changes predict violation.";
    reliability_threat_weight: "reliability.threat_weight" = 1.5, [0.0, 50.0], false,
        "Log-odds removed per unit of the party's own security threat (0-1).";
    reliability_capacity_weight: "reliability.capacity_weight" = 1.0, [0.0, 50.0], false,
        "Log-odds per unit of available-force ratio above 0.5.";
    assistance_commit_share: "assistance.commit_share" = 0.12, [0.0, 1.0], false,
        "Share of a party's available troops it commits when it honours with armed force.";
    assistance_min_armed_troops: "assistance.min_armed_troops" = 400.0, [0.0, 1.0e6], true,
        "Below this commitment a party sends logistics and economic help instead of armed force.";
    assistance_mobilisation_days: "assistance.mobilisation_days" = 10.0, [0.0, 365.0], true,
        "Days from a decision to honour until the committed forces are mobilised.";
    assistance_deployment_days: "assistance.deployment_days" = 6.0, [0.0, 365.0], true,
        "Days from mobilisation until the forces are deployed in the beneficiary's territory.";
    assistance_tour_days: "assistance.tour_days" = 180.0, [1.0, 3650.0], true,
        "Days committed forces stay deployed before returning home.";
    assistance_reengage_days: "assistance.reengage_days" = 90.0, [0.0, 3650.0], true,
        "Days during which further attacks of the same kind on the same beneficiary do not re-invoke a clause already engaged.";
    pledge_propensity: "pledge.propensity" = 0.9, [0.0, 1.0], false,
        "Probability that a state with full regime affinity to a threatened state publicly pledges to defend it (31 Jul 2023 Mali-Burkina declaration).";
    pledge_delay_days: "pledge.delay_days" = 1.0, [0.0, 60.0], true,
        "Days from a threat of force to the allies' public pledge.";
    request_propensity: "request.propensity" = 0.9, [0.0, 1.0], false,
        "Probability an attacked state files the written request a clause may require (ECOWAS 1981 Protocol).";

    sanctions_without_claimant: "sanctions.without_claimant" = 0.1, [0.0, 1.0], false,
        "Factor on an organisation's sanction_propensity when no elected leader is kept from office (none was elected, or the deposed one resigned): ECOWAS imposed targeted measures only after Togo 2005, Guinea 2008, Niger 2009, Mali 2021 and Burkina Faso 2022 (docs/casebook.md).";
    sanctions_gdp_loss_pct_per_year: "sanctions.gdp_loss_pct_per_year" = 9.0, [0.0, 100.0], false,
        "Target GDP loss (percent per year) under the full package at trade dependence 1.";
    sanctions_aid_gdp_loss_pct_per_year: "sanctions.aid_gdp_loss_pct_per_year" = 4.0, [0.0, 100.0], false,
        "Target GDP loss (percent per year) per unit of aid dependence when all aid is suspended (aid was close to half of Niger's budget).";
    sanctions_member_cost_weight: "sanctions.member_cost_weight" = 1.0, [0.0, 100.0], false,
        "Scale of the sanctioning members' own losses (lost trade, electricity exports) in the lifting decision.";
    lifting_threshold: "lifting.threshold" = 1.6, [0.0, 100.0], false,
        "Pressure at which an organisation is even odds to lift economic measures without its demand met.";
    lifting_slope: "lifting.slope" = 3.5, [0.0, 100.0], false,
        "Steepness of the lifting decision around the threshold (log-odds per unit pressure).";
    lifting_humanitarian_weight: "lifting.humanitarian_weight" = 1.6, [0.0, 100.0], false,
        "Pressure per year of sanctions at full severity (humanitarian cost grows with time).";
    lifting_withdrawal_weight: "lifting.withdrawal_weight" = 0.5, [0.0, 100.0], false,
        "Pressure added once the target has announced withdrawal from the organisation.";
    lifting_transition_accept_months: "lifting.transition_accept_months" = 24.0, [0.0, 240.0], true,
        "Longest transition timetable an organisation accepts as meeting its demand (ECOWAS accepted 24 months from Burkina Faso and Mali in Jul 2022, ECCAS 24 from Gabon in Dec 2023; 36 were rejected from Niger in 2023).";

    intervention_activation_intercept: "intervention.activation_intercept" = 2.0, [-20.0, 20.0], false,
        "Log-odds that a member votes to activate the standby force (a threat, cheap to vote for).";
    intervention_launch_intercept: "intervention.launch_intercept" = 1.5, [-20.0, 20.0], false,
        "Log-odds that a pledging member votes to launch, before opposition, exposure and deterrence.";
    intervention_opposition_weight: "intervention.opposition_weight" = 4.0, [0.0, 50.0], false,
        "Log-odds removed per unit of domestic opposition to war (5 Aug 2023: Nigerian Senate).";
    intervention_exposure_weight: "intervention.exposure_weight" = 2.0, [0.0, 50.0], false,
        "Log-odds removed per unit of exposure to retaliation (shared border, trade with the target).";
    intervention_deterrence_weight: "intervention.deterrence_weight" = 2.0, [0.0, 50.0], false,
        "Log-odds removed per unit of deterrence ratio (defenders plus expected allied commitment over the coalition force).";
    intervention_capacity_weight: "intervention.capacity_weight" = 1.0, [0.0, 50.0], false,
        "Log-odds added per unit of capacity (available troops / 20,000, at most 1): larger armies are readier to lead.";
    intervention_pledge_share: "intervention.pledge_share" = 0.05, [0.0, 1.0], false,
        "Share of its troops a willing member pledges to the standby force.";
    intervention_min_force_ratio: "intervention.min_force_ratio" = 0.25, [0.0, 100.0], false,
        "Smallest coalition-to-defender troop ratio at which a launch is considered at all.";
    intervention_review_days: "intervention.review_days" = 30.0, [1.0, 365.0], true,
        "Days between reconsiderations of a postponed launch.";
    intervention_call_off_days: "intervention.call_off_days" = 150.0, [1.0, 3650.0], true,
        "Days after activation after which a force never launched is stood down.";

    junta_review_days: "junta.review_days" = 14.0, [1.0, 365.0], true,
        "Days between the junta's reviews of its position.";
    junta_concession_intercept: "junta.concession_intercept" = -5.0, [-50.0, 50.0], false,
        "Log-odds that a junta hands power back at a review, before pain and backing.";
    junta_pain_weight: "junta.pain_weight" = 0.35, [0.0, 50.0], false,
        "Log-odds added per percent of GDP lost.";
    junta_backing_weight: "junta.backing_weight" = 2.0, [0.0, 50.0], false,
        "Log-odds removed per unit of backing (cohesion plus allies' pledges).";
    junta_transition_propensity: "junta.transition_propensity" = 0.5, [0.0, 1.0], false,
        "Probability per review that an unconceding ruler under any measure (suspension or sanctions) offers a transition timetable, or a new one after a rejection (19 Aug 2023: three years offered).";
    junta_offer_shrink: "junta.offer_shrink" = 0.75, [0.0, 1.0], false,
        "Factor on the months of an isolated ruler's next offer after a rejection (no ally pledged, no junta ally); a backed ruler stands on its offer.";
    junta_transition_months_max: "junta.transition_months_max" = 36.0, [1.0, 240.0], true,
        "Timetable a fully cohesive junta offers; weaker juntas offer shorter ones.";
    junta_withdraw_intercept: "junta.withdraw_intercept" = -5.0, [-50.0, 50.0], false,
        "Log-odds that a suspended, sanctioned junta with allies announces withdrawal at a review.";
    junta_withdraw_days_weight: "junta.withdraw_days_weight" = 0.014, [0.0, 1.0], false,
        "Log-odds added per day under sanctions (28 Jan 2024: announced after 186 days).";
    junta_expel_propensity: "junta.expel_propensity" = 0.35, [0.0, 1.0], false,
        "Probability per review that a junta expels a partner's forces, scaled by the partner's exposure to hostility.";
    withdrawal_solidarity: "withdrawal.solidarity" = 0.9, [0.0, 1.0], false,
        "Probability that allied juntas join an ally's withdrawal from an organisation the same day.";

    armed_redeploy_share: "armed.redeploy_share" = 0.15, [0.0, 1.0], false,
        "Share of its troops a threatened state moves to its borders when force is threatened.";
    armed_redeploy_weight: "armed.redeploy_weight" = 1.5, [0.0, 50.0], false,
        "Attack-rate multiplier added per unit share of national forces drawn away.";
    armed_foreign_exit_weight: "armed.foreign_exit_weight" = 0.8, [0.0, 50.0], false,
        "Attack-rate multiplier added once all foreign partner forces have left (security vacuum).";
    armed_civilian_share: "armed.civilian_share" = 0.25, [0.0, 1.0], false,
        "Expected share of civilians among those killed in jihadist attacks (Aug-Oct 2023: mostly soldiers).";

    combat_round_days: "combat.round_days" = 7.0, [1.0, 90.0], true,
        "Days per combat round.";
    combat_attacker_lethality: "combat.attacker_lethality" = 0.02, [0.0, 1.0], false,
        "Defender losses per attacking soldier per round (Lanchester square law).";
    combat_defender_lethality: "combat.defender_lethality" = 0.012, [0.0, 1.0], false,
        "Attacker losses per defending soldier per round.";
    combat_civilian_ratio: "combat.civilian_ratio" = 0.5, [0.0, 20.0], false,
        "Civilian deaths per military death in fighting.";
    combat_attacker_break: "combat.attacker_break" = 0.2, [0.0, 1.0], false,
        "Share of its force an intervention can lose before it withdraws.";
    combat_defender_break_base: "combat.defender_break_base" = 0.1, [0.0, 1.0], false,
        "Share of its initial strength a defending army with no cohesion can lose before it breaks.";
    combat_defender_break_cohesion: "combat.defender_break_cohesion" = 0.4, [0.0, 1.0], false,
        "Added breaking share per unit of the regime's cohesion (cohesive armies fight longer).";
    combat_max_rounds: "combat.max_rounds" = 26.0, [1.0, 1000.0], true,
        "Rounds after which fighting is declared a stalemate.";
}

/// Why a parameter value was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The name is not in the catalogue.
    #[error("unknown parameter {name:?}{hint}")]
    Unknown {
        /// The name given.
        name: String,
        /// A "did you mean" hint, possibly empty.
        hint: String,
    },
    /// The value is outside the documented range or not whole.
    #[error("parameter {name:?} = {value}: {reason}")]
    BadValue {
        /// The parameter.
        name: String,
        /// The value given.
        value: f64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Looks up a catalogue entry.
pub fn spec(name: &str) -> Option<&'static ParamSpec> {
    CATALOGUE.iter().find(|s| s.name == name)
}

/// Checks a value against a spec.
pub fn check_value(spec: &ParamSpec, value: f64) -> Result<(), ParamError> {
    let bad = |reason: String| ParamError::BadValue { name: spec.name.to_string(), value, reason };
    if !value.is_finite() {
        return Err(bad("must be a finite number".into()));
    }
    if value < spec.min || value > spec.max {
        return Err(bad(format!("outside the allowed range [{}, {}]", spec.min, spec.max)));
    }
    if spec.integer && value.fract() != 0.0 {
        return Err(bad("must be a whole number".into()));
    }
    Ok(())
}

impl Params {
    /// Sets a parameter by name after checking it.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ParamError> {
        let Some(spec) = spec(name) else {
            return Err(ParamError::Unknown { name: name.to_string(), hint: did_you_mean(name, CATALOGUE.iter().map(|s| s.name)) });
        };
        check_value(spec, value)?;
        *self.slot(name).expect("catalogue and struct agree") = value;
        Ok(())
    }

    /// Every parameter with its value, in catalogue order.
    pub fn to_map(&self) -> BTreeMap<String, f64> {
        CATALOGUE.iter().map(|s| (s.name.to_string(), self.get(s.name).expect("catalogue"))).collect()
    }

    /// An integer-valued parameter as a day count.
    pub fn days(value: f64) -> u32 {
        value.max(0.0) as u32
    }
}

/// A " (did you mean X?)" suffix for the closest candidate, or an empty string.
pub fn did_you_mean<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&given.to_lowercase(), &c.to_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    match best {
        Some((d, c)) if d <= 2.max(given.len() / 3) => format!(" (did you mean {c:?}?)"),
        _ => String::new(),
    }
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_inside_their_ranges_and_names_unique() {
        let mut names = std::collections::BTreeSet::new();
        for s in CATALOGUE {
            assert!(names.insert(s.name), "duplicate {}", s.name);
            check_value(s, s.default).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.doc.is_empty());
        }
    }

    #[test]
    fn set_checks_name_range_and_integrality() {
        let mut p = Params::defaults();
        p.set("reliability.base", 0.5).unwrap();
        assert_eq!(p.reliability_base, 0.5);
        assert!(matches!(p.set("reliability.bas", 0.5), Err(ParamError::Unknown { hint, .. }) if hint.contains("reliability.base")));
        assert!(p.set("reliability.base", 1.5).is_err());
        assert!(p.set("junta.review_days", 2.5).is_err());
        assert!(p.set("reliability.base", f64::NAN).is_err());
    }
}
