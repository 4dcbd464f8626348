//! A scenario's historical record, as data `casus validate` checks runs against: how the crisis
//! ended (an [`OutcomeClass`]), on which days key steps happened (with a tolerance), and which
//! measures were and were not taken. Only case files (scenarios/history/) carry one; it never
//! changes a run.
//!
//! Days and measures name standard outcomes (docs/log-format.md): a day check names an outcome
//! that is a day (`suspension_day`, `transition_agreed_day`, ...); a measure names a day or a
//! yes/no outcome (`defence_clause_invoked`), taken when the day is set or the answer is yes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a crisis ended, for the scenario's focus. Defined here, read off a run by
/// `fold::classes::classify`; docs/casebook.md documents each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OutcomeClass {
    /// The coup failed or was reversed by the focus's own loyal forces.
    CoupReversed,
    /// An intervention restored constitutional order after significant combat.
    InterventionRestoredWithCombat,
    /// An intervention restored constitutional order without significant combat.
    InterventionRestored,
    /// An intervention was launched and did not restore order (stalemate or withdrawal).
    InterventionFailed,
    /// A force was threatened (an ultimatum threatening force, or a standby force activated
    /// against the focus) and never used.
    ForceThreatened,
    /// Foreign forces (an organisation's or a partner's) deployed at the request of a
    /// government holding office constitutionally (not of a junta).
    ForceByConsent,
    /// The leader climbed down or handed power back under pressure.
    LeaderClimbsDown,
    /// A transition timetable was agreed with an organisation.
    TransitionAgreed,
    /// Economic sanctions were lifted with the demand unmet.
    SanctionsLiftedUnmet,
    /// Economic sanctions were still in force at the horizon.
    SanctionsInForce,
    /// Suspension or targeted measures only (no economic sanctions, no force).
    SuspensionOrTargeted,
    /// No organisation took any measure against the focus.
    NoMeasures,
}

impl OutcomeClass {
    /// Every class, in precedence order: a run's class is the first that applies.
    pub const ALL: [OutcomeClass; 12] = [
        OutcomeClass::CoupReversed,
        OutcomeClass::InterventionRestoredWithCombat,
        OutcomeClass::InterventionRestored,
        OutcomeClass::InterventionFailed,
        OutcomeClass::ForceThreatened,
        OutcomeClass::ForceByConsent,
        OutcomeClass::LeaderClimbsDown,
        OutcomeClass::TransitionAgreed,
        OutcomeClass::SanctionsLiftedUnmet,
        OutcomeClass::SanctionsInForce,
        OutcomeClass::SuspensionOrTargeted,
        OutcomeClass::NoMeasures,
    ];

    /// Its name in files and tables (the variant's name).
    pub fn name(self) -> &'static str {
        match self {
            OutcomeClass::CoupReversed => "CoupReversed",
            OutcomeClass::InterventionRestoredWithCombat => "InterventionRestoredWithCombat",
            OutcomeClass::InterventionRestored => "InterventionRestored",
            OutcomeClass::InterventionFailed => "InterventionFailed",
            OutcomeClass::ForceByConsent => "ForceByConsent",
            OutcomeClass::LeaderClimbsDown => "LeaderClimbsDown",
            OutcomeClass::ForceThreatened => "ForceThreatened",
            OutcomeClass::TransitionAgreed => "TransitionAgreed",
            OutcomeClass::SanctionsLiftedUnmet => "SanctionsLiftedUnmet",
            OutcomeClass::SanctionsInForce => "SanctionsInForce",
            OutcomeClass::SuspensionOrTargeted => "SuspensionOrTargeted",
            OutcomeClass::NoMeasures => "NoMeasures",
        }
    }

    /// Its place in [`OutcomeClass::ALL`].
    pub fn index(self) -> usize {
        OutcomeClass::ALL.iter().position(|c| *c == self).expect("every class is listed")
    }
}

impl std::fmt::Display for OutcomeClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A day the record fixes, with how far a run's day may be from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayCheck {
    /// The historical day (days after the scenario's start).
    pub day: u32,
    /// Largest accepted distance in days between the runs' median day and `day`.
    pub tolerance: u32,
}

/// The historical record of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// How it ended.
    pub class: OutcomeClass,
    /// Other classes equally true of history (a failed coup followed by a force deployed at
    /// the government's request is both `CoupReversed` and `ForceByConsent`).
    #[serde(default)]
    pub also: Vec<OutcomeClass>,
    /// Key days, by the name of a day outcome.
    #[serde(default)]
    pub days: BTreeMap<String, DayCheck>,
    /// Measures or steps that were taken, by the name of a day or yes/no outcome.
    #[serde(default)]
    pub taken: Vec<String>,
    /// Measures or steps that were not taken within the horizon.
    #[serde(default)]
    pub not_taken: Vec<String>,
    /// Where the record comes from (free text, shown in the scorecard's JSON).
    #[serde(default)]
    pub source: String,
}

impl Expectation {
    /// Whether a run of class `class` matches history.
    pub fn accepts(&self, class: OutcomeClass) -> bool {
        class == self.class || self.also.contains(&class)
    }
}
