//! The sanctions economics: how sanctions, aid cuts and the trade a sanctioning member gives up
//! turn into GDP loss over time, and how heavy a package of measures is. Pure functions of
//! state and parameters, used by the fold (to accrue losses), the rules (to weigh them) and the
//! outcomes.

use crate::model::params::Params;
use crate::model::scenario::{Measure, StateDef};
use crate::model::state::Polity;

/// Daily GDP loss rate (percent of GDP per day) implied by a state's sanctions and aid cuts.
pub fn loss_rate_per_day(p: &Polity, profile: &StateDef, params: &Params) -> f64 {
    let sanctions = p.sanctions_severity * profile.trade_dependence * params.sanctions_gdp_loss_pct_per_year;
    let aid_share = if p.aid_total_musd > 0.0 { (p.aid_suspended_musd / p.aid_total_musd).min(1.0) } else { 0.0 };
    let aid = aid_share * profile.aid_dependence * params.sanctions_aid_gdp_loss_pct_per_year;
    // A sanctioning member loses the trade it cuts: its exposure to the target, scaled by severity.
    let imposing: f64 = p
        .imposing
        .iter()
        .map(|(target, sev)| sev * profile.trade_exposure.get(target).copied().unwrap_or(0.0) * 100.0 * params.sanctions_member_cost_weight)
        .sum();
    (sanctions + aid + imposing) / 365.0
}

/// Brings `gdp_loss_pct` up to `day` at the current rate.
pub fn accrue_loss(p: &mut Polity, profile: &StateDef, params: &Params, day: u32) {
    if day > p.accrued_day {
        p.gdp_loss_pct = loss_at(p, profile, params, day);
        p.accrued_day = day;
    }
}

/// The GDP loss `p` will have accrued by `day` at its current rate (no change to `p`).
pub fn loss_at(p: &Polity, profile: &StateDef, params: &Params, day: u32) -> f64 {
    if day > p.accrued_day {
        p.gdp_loss_pct + loss_rate_per_day(p, profile, params) * f64::from(day - p.accrued_day)
    } else {
        p.gdp_loss_pct
    }
}

/// Severity (economic weight) of a set of measures, at most 1.
pub fn package_severity<'a>(measures: impl IntoIterator<Item = &'a Measure>) -> f64 {
    measures.into_iter().map(|m| m.severity()).sum::<f64>().min(1.0)
}
