//! The scenario file format (RON): the serialisable schema, kept separate from the ECS
//! components it is lowered into so the file format can stay stable while internals change.
//!
//! `docs/scenario-format.md` documents every field. Loading is two steps: `parse` (syntax and
//! types, errors with line and column) and `validate` (references, ranges, dates; all errors
//! collected at once, each with the path of the offending field).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::date::Date;
use crate::model::params::{self, Params};
pub use crate::model::state::Id;

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short identifier, used in output folder names.
    pub name: String,
    /// What the scenario explores.
    #[serde(default)]
    pub description: String,
    /// First day of the simulation (day 0), `YYYY-MM-DD`.
    pub start: String,
    /// Number of days simulated after the start (the last day is `horizon_days`).
    pub horizon_days: u32,
    /// Seed used when the command line gives none.
    #[serde(default)]
    pub seed: u64,
    /// The actor whose crisis the standard outcomes describe.
    pub focus: String,
    /// States, organisations, external partners and armed groups.
    pub actors: Vec<ActorDef>,
    /// Alliances and other treaties, with their clauses as data.
    #[serde(default)]
    pub treaties: Vec<TreatyDef>,
    /// Scripted events by date.
    #[serde(default)]
    pub timeline: Vec<ScriptedDef>,
    /// Values for catalogue parameters (see `casus params`); unspecified ones keep defaults.
    #[serde(default, deserialize_with = "unique_keys")]
    pub parameters: BTreeMap<String, f64>,
    /// The historical record, for case files that `casus validate` checks (never read by a run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<crate::model::expect::Expectation>,
}

/// One actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActorDef {
    /// A sovereign state.
    State(StateDef),
    /// A regional or continental organisation.
    Organisation(OrganisationDef),
    /// An external partner (a state or union acting from outside the region).
    Partner(PartnerDef),
    /// A non-state armed group.
    ArmedGroup(ArmedGroupDef),
}

/// Regime type of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Regime {
    /// Elected civilian government.
    Democracy,
    /// Civilian but not freely elected.
    Authoritarian,
    /// Military government after a coup.
    Junta,
    /// A transition towards elections, under a timetable.
    Transitional,
}

/// A sovereign state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    /// Stable identifier (ISO 3166 alpha-3 by convention).
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Regime at the start.
    pub regime: Regime,
    /// Active military personnel.
    pub troops: u32,
    /// GDP in billions of US dollars.
    pub gdp_busd: f64,
    /// Population in millions.
    #[serde(default)]
    pub population_m: f64,
    /// Share of the economy exposed to regional trade and finance measures (0-1).
    #[serde(default)]
    pub trade_dependence: f64,
    /// Share of the state budget financed by foreign aid (0-1).
    #[serde(default)]
    pub aid_dependence: f64,
    /// Cohesion of the ruling group (0-1): how well a junta holds together under pressure.
    #[serde(default = "half")]
    pub cohesion: f64,
    /// Loyalty of the army to the constitutional ruler (0-1); a coup fails more often when high.
    #[serde(default = "half")]
    pub army_loyalty: f64,
    /// Domestic opposition to military action abroad (0-1).
    #[serde(default = "half")]
    pub war_opposition: f64,
    /// The state's own security threat, e.g. an insurgency at home (0-1).
    #[serde(default)]
    pub security_threat: f64,
    /// Share of own GDP tied to trade with each other state (fraction, e.g. 0.004).
    #[serde(default, deserialize_with = "unique_keys")]
    pub trade_exposure: BTreeMap<Id, f64>,
    /// Share of another state's electricity supplied by this one (0-1).
    #[serde(default, deserialize_with = "unique_keys")]
    pub electricity_supply: BTreeMap<Id, f64>,
    /// States this one shares a land border with.
    #[serde(default)]
    pub borders: Vec<Id>,
    /// Troops deployed abroad, by host state.
    #[serde(default, deserialize_with = "unique_keys")]
    pub forces_abroad: BTreeMap<Id, u32>,
}

/// Reads a map whose keys must each be given once: a plain map keeps the last of two equal
/// keys and drops the first without a word. The error is the parser's, so it has a line and
/// column.
fn unique_keys<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de> + Ord + std::fmt::Debug,
    V: Deserialize<'de>,
{
    struct Unique<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K, V> serde::de::Visitor<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + Ord + std::fmt::Debug,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<K>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("the key {key:?} is given twice; give each key once")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

fn half() -> f64 {
    0.5
}

/// Decision rule of a collective body.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum DecisionRule {
    /// Every voting member must agree.
    Unanimity,
    /// More than half.
    Majority,
    /// At least two thirds.
    TwoThirds,
    /// At least this share (0-1).
    Share(f64),
}

impl DecisionRule {
    /// Whether `yes` out of `voters` satisfies the rule (no voters means no decision).
    pub fn passes(self, yes: usize, voters: usize) -> bool {
        if voters == 0 {
            return false;
        }
        match self {
            DecisionRule::Unanimity => yes == voters,
            DecisionRule::Majority => 2 * yes > voters,
            DecisionRule::TwoThirds => 3 * yes >= 2 * voters,
            DecisionRule::Share(s) => yes as f64 >= s * voters as f64,
        }
    }
}

/// A measure an organisation can impose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Measure {
    /// Suspension from all decision-making bodies (ECOWAS 2001 Protocol Art. 45).
    Suspension,
    /// Closure of land and air borders.
    BorderClosure,
    /// No-fly zone for commercial flights.
    NoFlyZone,
    /// Suspension of commercial and financial transactions.
    TransactionFreeze,
    /// Freeze of state assets at the regional central bank and in commercial banks.
    AssetFreeze,
    /// Suspension of regional development-bank financing (EBID, BOAD).
    DevelopmentBankCutoff,
    /// Freeze of service transactions including electricity.
    ServicesFreeze,
    /// Travel bans on the junta.
    TravelBan,
    /// Asset freezes on the junta's members.
    TargetedAssetFreeze,
    /// Recall of ambassadors.
    AmbassadorRecall,
    /// Embargo on arms deliveries to the target (ECOWAS: Sierra Leone, Aug 1997; Togo, 19 Feb 2005).
    ArmsEmbargo,
}

impl Measure {
    /// Economic measures cost the whole economy; the others target the rulers.
    pub fn is_economic(self) -> bool {
        matches!(
            self,
            Measure::BorderClosure
                | Measure::NoFlyZone
                | Measure::TransactionFreeze
                | Measure::AssetFreeze
                | Measure::DevelopmentBankCutoff
                | Measure::ServicesFreeze
        )
    }

    /// Weight of the measure in the package's severity (economic weights sum to 1).
    pub fn severity(self) -> f64 {
        match self {
            Measure::BorderClosure => 0.25,
            Measure::TransactionFreeze => 0.25,
            Measure::AssetFreeze => 0.15,
            Measure::ServicesFreeze => 0.15,
            Measure::DevelopmentBankCutoff => 0.1,
            Measure::NoFlyZone => 0.1,
            _ => 0.0,
        }
    }
}

/// How an organisation responds to an unconstitutional change of government in a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UcgRegimeDef {
    /// Citation for suspension.
    pub suspension_article: Id,
    /// Citation for sanctions decisions.
    pub sanctions_article: Id,
    /// Citation for ultimatums and the use of force.
    pub intervention_article: Id,
    /// Days from the coup to the suspension.
    pub suspension_delay_days: u32,
    /// Days from the coup to the extraordinary summit that decides sanctions.
    pub summit_delay_days: u32,
    /// Measures the summit can impose, beyond suspension.
    pub sanctions_menu: Vec<Measure>,
    /// Base probability that a summit imposes economic sanctions (67% of recent coups).
    pub sanction_propensity: f64,
    /// Days given by the ultimatum (0: no ultimatum).
    pub ultimatum_days: u32,
    /// Whether the ultimatum threatens force.
    pub force_threatened: bool,
    /// Days from the ultimatum's expiry to the summit that votes on the standby force.
    pub activation_summit_delay_days: u32,
    /// Days from activation to the agreed D-Day.
    pub dday_delay_days: u32,
    /// Decision rule for the use of force.
    pub force_decision_rule: DecisionRule,
    /// Days between reviews of sanctions in force.
    pub review_days: u32,
    /// Whether there is a standby force at all.
    pub standby_force: bool,
}

/// A regional or continental organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationDef {
    /// Stable identifier.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Member states.
    pub members: Vec<Id>,
    /// Members already suspended at the start.
    #[serde(default)]
    pub suspended: Vec<Id>,
    /// Days of written notice before a withdrawal takes effect.
    pub withdrawal_notice_days: u32,
    /// Citation for withdrawal.
    #[serde(default)]
    pub withdrawal_article: Id,
    /// Response to unconstitutional changes of government, if the organisation has one.
    #[serde(default)]
    pub ucg: Option<UcgRegimeDef>,
}

/// An external partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerDef {
    /// Stable identifier.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Troops stationed in each host state.
    #[serde(default, deserialize_with = "unique_keys")]
    pub forces: BTreeMap<Id, u32>,
    /// Aid per year to each recipient, millions of US dollars.
    #[serde(default, deserialize_with = "unique_keys")]
    pub aid_musd: BTreeMap<Id, f64>,
    /// Probability that the partner suspends aid after a coup in a recipient (0-1).
    #[serde(default)]
    pub aid_conditionality: f64,
    /// Days from a coup to the aid suspension.
    #[serde(default)]
    pub aid_suspension_delay_days: u32,
    /// Citation for the aid suspension (the partner's own policy or law).
    #[serde(default)]
    pub aid_policy: Id,
    /// How exposed the partner's forces are to a junta's hostility (0-1).
    #[serde(default)]
    pub hostility_exposure: f64,
    /// Days the partner needs to withdraw its forces once expelled.
    #[serde(default)]
    pub withdrawal_days: u32,
}

/// A non-state armed group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmedGroupDef {
    /// Stable identifier.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// States where it operates.
    pub operates_in: Vec<Id>,
    /// Mean attacks per 30 days in each state, before the security situation changes.
    pub attacks_per_month: f64,
    /// Mean deaths per attack.
    pub mean_deaths: f64,
    /// Whether its attacks count as terrorism (engaging terrorism triggers).
    #[serde(default = "yes")]
    pub terrorist: bool,
}

fn yes() -> bool {
    true
}

/// ATOP obligation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Obligation {
    /// Help a party that is attacked.
    Defence,
    /// Join an attack.
    Offence,
    /// Stay out of a party's war.
    Neutrality,
    /// Do not attack each other.
    NonAggression,
    /// Consult when a party is threatened.
    Consultation,
}

/// What kind of attack or threat engages a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Trigger {
    /// Armed attack on a party's territory.
    AttackOnTerritory,
    /// Attack on a party's sovereignty (e.g. an intervention to change its government).
    AttackOnSovereignty,
    /// Attack on a party's forces deployed abroad (AES Art. 7).
    AttackOnForcesAbroad,
    /// Attack on a party's ships or aircraft anywhere (AES Art. 7).
    AttackOnShipsOrAircraft,
    /// Armed rebellion against a party (AES Art. 5).
    ArmedRebellion,
    /// Terrorist attack (AES Art. 4).
    Terrorism,
}

/// An extra condition on a clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// Only attacks by one of these actors.
    Adversary(Vec<Id>),
    /// Only attacks located in one of these states.
    Location(Vec<Id>),
    /// Only after the attacked party's written request (ECOWAS 1981 Protocol).
    WrittenRequest,
    /// Only if the attacked party did not attack first (non-provocation).
    NotProvoked,
}

/// Form of assistance owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AssistanceForm {
    /// Troops.
    ArmedForce,
    /// Transport, supplies, intelligence.
    Logistics,
    /// Money, trade, fuel.
    Economic,
}

/// How binding the obligation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bindingness {
    /// A duty of all parties (AES Art. 6).
    Duty,
    /// Such action as each party deems necessary (NATO Art. 5).
    Discretionary,
}

/// One clause of a treaty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseDef {
    /// Citation, e.g. "Art. 6" (prefixed with the treaty's short name in events).
    pub article: Id,
    /// ATOP obligation type.
    pub obligation: Obligation,
    /// What engages it (for defence and consultation clauses).
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// Extra conditions, all of which must hold.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Forms of assistance owed.
    #[serde(default)]
    pub owed: Vec<AssistanceForm>,
    /// Duty or discretion.
    #[serde(default = "duty")]
    pub binding: Bindingness,
    /// Whether assistance is given collectively (a joint operation) as well as individually.
    #[serde(default)]
    pub collective: bool,
}

fn duty() -> Bindingness {
    Bindingness::Duty
}

/// A treaty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatyDef {
    /// Stable identifier.
    pub id: Id,
    /// Short name used in citations, e.g. "AES Charter".
    pub short_name: String,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// Parties.
    pub members: Vec<Id>,
    /// Date it enters into force; before it, no clause applies (default: in force at start).
    #[serde(default)]
    pub in_force: Option<Id>,
    /// Days of notice before a denunciation takes effect.
    #[serde(default)]
    pub withdrawal_notice_days: u32,
    /// Decision rule for collective action.
    #[serde(default = "unanimity")]
    pub decision_rule: DecisionRule,
    /// Citation for the decision rule.
    #[serde(default)]
    pub decision_article: Id,
    /// The clauses.
    pub clauses: Vec<ClauseDef>,
}

fn unanimity() -> DecisionRule {
    DecisionRule::Unanimity
}

/// Kind of a scripted or derived attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AttackKind {
    /// Armed invasion or intervention: territory and sovereignty.
    Invasion,
    /// A cross-border strike on territory.
    Strike,
    /// Attack on forces deployed abroad.
    OnForcesAbroad,
    /// Attack on a ship or aircraft.
    OnShipOrAircraft,
    /// Armed rebellion.
    Rebellion,
    /// Terrorist attack.
    Terrorist,
}

impl AttackKind {
    /// The clause triggers an attack of this kind satisfies.
    pub fn triggers(self) -> &'static [Trigger] {
        match self {
            AttackKind::Invasion => &[Trigger::AttackOnTerritory, Trigger::AttackOnSovereignty],
            AttackKind::Strike => &[Trigger::AttackOnTerritory],
            AttackKind::OnForcesAbroad => &[Trigger::AttackOnForcesAbroad],
            AttackKind::OnShipOrAircraft => &[Trigger::AttackOnShipsOrAircraft],
            AttackKind::Rebellion => &[Trigger::ArmedRebellion],
            AttackKind::Terrorist => &[Trigger::Terrorism],
        }
    }
}

/// A scripted event on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedDef {
    /// `YYYY-MM-DD`, within the horizon.
    pub date: String,
    /// What happens.
    pub event: ScriptedEvent,
}

/// The forms of unconstitutional change of government (AU African Charter on Democracy,
/// Elections and Governance, 2007, Art. 23).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum UcgForm {
    /// A military coup d'etat against a democratically elected government (Art. 23(1)).
    #[default]
    Military,
    /// An incumbent government refuses to relinquish power to the winner of free, fair and
    /// regular elections (Art. 23(4)).
    IncumbentRefusesToLeave,
    /// An amendment or revision of the constitution or legal instruments that infringes the
    /// principles of democratic change of government, such as a term extension (Art. 23(5)).
    TermExtension,
}

impl UcgForm {
    /// Whether it is a military coup (the default, not written out).
    pub fn is_military(&self) -> bool {
        *self == UcgForm::Military
    }
}

/// Events a scenario can script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ScriptedEvent {
    /// An unconstitutional change of government in `state`: a military coup, or one of the
    /// other forms the AU's African Charter on Democracy, Elections and Governance (Art. 23)
    /// and ECOWAS's 2001 Protocol treat alike.
    Coup {
        /// The state.
        state: Id,
        /// Who leads it (or who holds on to power).
        #[serde(default)]
        leader: Id,
        /// Which form it takes (default: a military coup).
        #[serde(default, skip_serializing_if = "UcgForm::is_military")]
        form: UcgForm,
        /// The elected head of state or government kept from office who has not resigned (or
        /// the declared winner of a presidential election kept from office), if any: an
        /// observable fact of the first week (docs/casebook.md). Empty if there is none.
        #[serde(default, skip_serializing_if = "Id::is_empty")]
        claimant: Id,
    },
    /// An attack.
    Attack {
        /// Who attacks.
        attacker: Id,
        /// Whose territory, forces, ships or government is attacked.
        target: Id,
        /// Where it happens (default: the target's territory).
        #[serde(default)]
        location: Option<Id>,
        /// What kind of attack.
        kind: AttackKind,
        /// Troops engaged by the attacker.
        #[serde(default)]
        troops: u32,
        /// Deaths.
        #[serde(default)]
        deaths: u32,
    },
    /// A treaty is signed and enters into force.
    TreatySigned {
        /// The treaty.
        treaty: Id,
    },
    /// An organisation imposes measures on a state outside any rule.
    SanctionsImposed {
        /// The organisation.
        org: Id,
        /// The state.
        target: Id,
        /// The measures.
        measures: Vec<Measure>,
    },
    /// A partner suspends its aid.
    AidSuspended {
        /// The partner.
        partner: Id,
        /// The recipient.
        recipient: Id,
    },
    /// An organisation launches a military intervention with its pledged force.
    InterventionLaunched {
        /// The organisation.
        org: Id,
        /// The target state.
        target: Id,
    },
    /// A state announces its withdrawal from an organisation or treaty.
    WithdrawalAnnounced {
        /// The state.
        state: Id,
        /// The organisation or treaty.
        from: Id,
    },
    /// A state expels a partner's forces.
    ForcesExpelled {
        /// The host state.
        state: Id,
        /// The partner.
        partner: Id,
    },
    /// A state formally requests assistance under a treaty.
    AssistanceRequested {
        /// The requesting state.
        state: Id,
        /// The treaty.
        treaty: Id,
    },
}

/// A parse error with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What the parser said.
    pub message: String,
}

/// A semantic error with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldError {
    /// Path such as `timeline[3].event.state`.
    pub path: String,
    /// What is wrong, with a hint where one helps.
    pub message: String,
}

/// Everything that can be wrong with a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioError {
    /// The file is not valid RON for this schema.
    Syntax(SyntaxError),
    /// The file parsed but is inconsistent.
    Invalid(Vec<FieldError>),
}

impl ScenarioError {
    /// Renders the error for a terminal: `file:line:col: message` with the line and a caret,
    /// or one `file: path: message` line per semantic error.
    pub fn render(&self, file: &str, source: &str) -> String {
        match self {
            ScenarioError::Syntax(e) => {
                let line_text = source.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
                let shown: String = crate::model::text::printable(&line_text.chars().take(200).collect::<String>()).into_owned();
                let caret_pad: String = shown.chars().take(e.col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                format!("{file}:{}:{}: error: {}\n{:>5} | {shown}\n      | {caret_pad}^\n", e.line, e.col, e.message, e.line)
            }
            ScenarioError::Invalid(errors) => {
                let mut out = String::new();
                for e in errors {
                    out.push_str(&format!("{file}: error: {}: {}\n", e.path, e.message));
                }
                out.push_str(&format!("{file}: {} error(s); nothing was run\n", errors.len()));
                out
            }
        }
    }
}

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Most actors a scenario may declare.
pub const MAX_ACTORS: usize = 100_000;
/// Longest horizon, in days (about 100 years).
pub const MAX_HORIZON_DAYS: u32 = 36_600;
/// Longest id (of an actor or a treaty), in bytes.
pub const MAX_ID_BYTES: usize = 32;
/// Longest scenario name, in bytes. The name names the output folder (`NAME-seedN`, written
/// first under a temporary name with a dot, the process id and a suffix), which must stay
/// well inside the 255 bytes a file name may have.
pub const MAX_SCENARIO_NAME_BYTES: usize = 100;
/// Longest text the log carries from a scenario, in bytes: an actor's or treaty's name and
/// short name, a clause's or decision's article, a coup's leader and claimant.
pub const MAX_TEXT_BYTES: usize = 256;
/// Most treaties a scenario may declare.
pub const MAX_TREATIES: usize = 100_000;
/// Most `--set` overrides one run may have (a fork's count its parent's too): the log's
/// header records them all.
pub const MAX_OVERRIDES: usize = 1_000;
/// Longest `--set NAME=VALUE` argument, in bytes (a value may be a text of `MAX_TEXT_BYTES`).
pub const MAX_OVERRIDE_BYTES: usize = 1_024;
/// The last day a run may reach: dates are written `YYYY-MM-DD` with a four-digit year.
pub const LAST_DATE: &str = "9999-12-31";
/// Longest delay, notice or period a scenario may give in days (`suspension_delay_days`,
/// `withdrawal_notice_days`, ...): the longest horizon. A day plus a delay then stays far
/// inside `u32` (the rules add them with saturating arithmetic all the same).
pub const MAX_DELAY_DAYS: u32 = MAX_HORIZON_DAYS;

/// Parses RON text into the schema. Comments are allowed; `Some(..)` may be omitted.
pub fn parse(source: &str) -> Result<Scenario, ScenarioError> {
    if source.len() > MAX_FILE_BYTES {
        return Err(ScenarioError::Syntax(SyntaxError {
            line: 1,
            col: 1,
            message: format!("file is {} bytes; the limit is {MAX_FILE_BYTES} bytes", source.len()),
        }));
    }
    parse_ron::<Scenario>(source).map_err(ScenarioError::Syntax)
}

/// Parses any part of the scenario schema (a timeline entry for `casus fork --inject`, say)
/// with the options scenario files use.
pub fn parse_ron<T: serde::de::DeserializeOwned>(source: &str) -> Result<T, SyntaxError> {
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_default_extension(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES)
        .with_recursion_limit(64);
    options.from_str::<T>(source).map_err(|e| SyntaxError { line: e.span.start.line, col: e.span.start.col, message: e.code.to_string() })
}

/// Parses and validates.
pub fn load(source: &str) -> Result<Scenario, ScenarioError> {
    let scenario = parse(source)?;
    let errors = validate(&scenario);
    if errors.is_empty() { Ok(scenario) } else { Err(ScenarioError::Invalid(errors)) }
}

impl ActorDef {
    /// The actor's id.
    pub fn id(&self) -> &Id {
        match self {
            ActorDef::State(s) => &s.id,
            ActorDef::Organisation(o) => &o.id,
            ActorDef::Partner(p) => &p.id,
            ActorDef::ArmedGroup(g) => &g.id,
        }
    }

    /// The actor's display name.
    pub fn name(&self) -> &str {
        match self {
            ActorDef::State(s) => &s.name,
            ActorDef::Organisation(o) => &o.name,
            ActorDef::Partner(p) => &p.name,
            ActorDef::ArmedGroup(g) => &g.name,
        }
    }

    /// The actor's kind, as written in files.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ActorDef::State(_) => "State",
            ActorDef::Organisation(_) => "Organisation",
            ActorDef::Partner(_) => "Partner",
            ActorDef::ArmedGroup(_) => "ArmedGroup",
        }
    }
}

impl Scenario {
    /// The start date (only call on a validated scenario).
    pub fn start_date(&self) -> Date {
        Date::parse(&self.start).expect("validated scenario")
    }

    /// Resolved catalogue parameters (defaults overlaid with the scenario's block).
    pub fn params(&self) -> Result<Params, params::ParamError> {
        let mut p = Params::defaults();
        for (name, value) in &self.parameters {
            p.set(name, *value)?;
        }
        Ok(p)
    }

    /// The state definition with this id.
    pub fn state(&self, id: &str) -> Option<&StateDef> {
        self.actors.iter().find_map(|a| match a {
            ActorDef::State(s) if s.id == id => Some(s),
            _ => None,
        })
    }
}

/// The one rule for every id a scenario declares (states, organisations, partners, armed
/// groups, treaties): non-empty ASCII letters, digits, `_` or `-`. Ids name actors in timelines
/// and files, so they may hold no path separator, space or control character.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.len() > MAX_ID_BYTES {
        return Err(format!("{} bytes; the limit is {MAX_ID_BYTES} bytes", id.len()));
    }
    if id.is_empty() || !id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
        return Err(format!("{id:?} must be non-empty letters, digits, '_' or '-'"));
    }
    Ok(())
}

struct Checker<'a> {
    errors: Vec<FieldError>,
    /// Every actor id with its kind, in id order (for hints).
    kinds: BTreeMap<&'a str, &'static str>,
    /// The same, hashed: looked up for every reference.
    kind_of: crate::model::state::Lookup<&'a str, &'static str>,
    treaties: BTreeSet<&'a str>,
    /// The members of every treaty and organisation, by id.
    members: BTreeMap<&'a str, &'a [Id]>,
}

impl<'a> Checker<'a> {
    fn err(&mut self, path: impl std::fmt::Display, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.to_string(), message: message.into() });
    }

    fn unit(&mut self, path: impl std::fmt::Display, value: f64) {
        if !value.is_finite() || !(0.0..=1.0).contains(&value) {
            self.err(path, format!("{value} is outside [0, 1]"));
        }
    }

    /// A delay, notice or period in days: at most `MAX_DELAY_DAYS`.
    fn days(&mut self, path: impl std::fmt::Display, value: u32) {
        if value > MAX_DELAY_DAYS {
            self.err(path, format!("{value} days is more than the longest horizon; give at most {MAX_DELAY_DAYS}"));
        }
    }

    /// A text the log carries: at most `MAX_TEXT_BYTES`.
    fn text(&mut self, path: impl std::fmt::Display, value: &str) {
        if value.len() > MAX_TEXT_BYTES {
            self.err(path, format!("{} bytes; the limit is {MAX_TEXT_BYTES} bytes", value.len()));
        }
    }

    fn non_negative(&mut self, path: impl std::fmt::Display, value: f64) {
        if !value.is_finite() || !(0.0..=1.0e15).contains(&value) {
            self.err(path, format!("{value} must be a finite number between 0 and 1e15"));
        }
    }

    /// Each measure once: a measure listed twice would count twice in a package's severity.
    fn no_repeats(&mut self, path: impl std::fmt::Display, measures: &[Measure]) {
        for (j, m) in measures.iter().enumerate() {
            if measures[..j].contains(m) {
                self.err(format!("{path}[{j}]"), format!("{m:?} is listed twice"));
            }
        }
    }

    /// A state acting as a party to a treaty or organisation must be one of its members.
    fn member_of(&mut self, path: impl std::fmt::Display, state: &str, of: &str) {
        if let Some(members) = self.members.get(of)
            && self.kind_of.get(state).is_some()
            && !members.iter().any(|m| m == state)
        {
            self.err(path, format!("{state:?} is not a member of {of}; only a member can do this"));
        }
    }

    fn actor_ref(&mut self, path: impl std::fmt::Display, id: &str, expected: &[&str]) {
        match self.kind_of.get(id) {
            None => {
                let hint = params::did_you_mean(id, self.kinds.keys().copied());
                self.err(path, format!("unknown actor {id:?}{hint}"));
            }
            Some(kind) if !expected.is_empty() && !expected.contains(kind) => {
                self.err(path, format!("{id:?} is a {kind}, expected {}", expected.join(" or ")));
            }
            Some(_) => {}
        }
    }

    fn treaty_or_org_ref(&mut self, path: impl std::fmt::Display, id: &str) {
        if self.treaties.contains(id) || self.kind_of.get(id) == Some(&"Organisation") {
            return;
        }
        let candidates: Vec<&str> =
            self.treaties.iter().copied().chain(self.kinds.iter().filter(|(_, k)| **k == "Organisation").map(|(id, _)| *id)).collect();
        let hint = params::did_you_mean(id, candidates.into_iter());
        self.err(path, format!("unknown treaty or organisation {id:?}{hint}"));
    }

    fn date_in_horizon(&mut self, path: impl std::fmt::Display, text: &str, start: Option<Date>, horizon: u32) -> Option<u32> {
        match Date::parse(text) {
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
            Ok(d) => {
                let start = start?;
                let day = d.days_since(start);
                if day < 0 || day > horizon as i64 {
                    self.err(
                        path,
                        format!(
                            "{text} is outside the horizon {start} .. {} (day {day}); extend horizon_days or move the event",
                            start.plus_days(horizon as i64)
                        ),
                    );
                    None
                } else {
                    Some(day as u32)
                }
            }
        }
    }
}

/// Checks everything the parser cannot: ids, references, ranges and dates. Returns every
/// problem found, sorted by path.
pub fn validate(s: &Scenario) -> Vec<FieldError> {
    let mut c = Checker {
        errors: Vec::new(),
        kinds: BTreeMap::new(),
        kind_of: Default::default(),
        treaties: BTreeSet::new(),
        members: BTreeMap::new(),
    };
    let start = c.header(s);
    c.ids(s);
    for (i, a) in s.actors.iter().enumerate() {
        let p = format!("actors[{i}]");
        match a {
            ActorDef::State(st) => c.state(&p, st),
            ActorDef::Organisation(o) => c.organisation(&p, o),
            ActorDef::Partner(pd) => c.partner(&p, pd),
            ActorDef::ArmedGroup(g) => c.armed_group(&p, g),
        }
    }
    for (i, t) in s.treaties.iter().enumerate() {
        c.treaty(&format!("treaties[{i}]"), t);
    }
    c.actor_ref("focus", &s.focus, &["State"]);
    for (name, value) in &s.parameters {
        c.parameter(name, *value);
    }
    for (i, ev) in s.timeline.iter().enumerate() {
        let p = format!("timeline[{i}]");
        c.date_in_horizon(format_args!("{p}.date"), &ev.date, start, s.horizon_days);
        c.scripted_event(&format!("{p}.event"), &ev.event);
    }
    c.errors.sort();
    c.errors
}

/// One validation concern per method: the scenario's header, its ids, each kind of actor, a
/// treaty, a parameter, a scripted event. Each records what it finds with the field's path.
impl<'a> Checker<'a> {
    /// Name, start date, horizon and the number of actors; returns the start date if valid.
    fn header(&mut self, s: &Scenario) -> Option<Date> {
        if s.name.trim().is_empty() {
            self.err("name", "must not be empty");
        }
        if s.name.len() > MAX_SCENARIO_NAME_BYTES {
            self.err("name", format!("{} bytes; the limit is {MAX_SCENARIO_NAME_BYTES} bytes (it names output folders)", s.name.len()));
        } else if !s.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch)) || s.name.starts_with('.') {
            self.err("name", format!("{:?} may only contain letters, digits, '_', '-' and '.' (it names output folders)", s.name));
        }
        let start = match Date::parse(&s.start) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err("start", e.to_string());
                None
            }
        };
        if s.horizon_days == 0 || s.horizon_days > MAX_HORIZON_DAYS {
            self.err("horizon_days", format!("{} must be between 1 and {MAX_HORIZON_DAYS}", s.horizon_days));
        } else if let Some(start) = start {
            let last = Date::parse(LAST_DATE).expect("a valid date");
            let end = start.plus_days(s.horizon_days as i64);
            if end.days_since(last) > 0 {
                self.err(
                    "horizon_days",
                    format!(
                        "the run would end on day {} after {LAST_DATE}, the last date casus writes; start earlier or give at most {} days",
                        s.horizon_days,
                        last.days_since(start).max(0)
                    ),
                );
            }
        }
        if s.actors.is_empty() {
            self.err("actors", "a scenario needs at least one actor");
        }
        if s.actors.len() > MAX_ACTORS {
            self.err("actors", format!("{} actors; the limit is {MAX_ACTORS}", s.actors.len()));
        }
        if s.treaties.len() > MAX_TREATIES {
            self.err("treaties", format!("{} treaties; the limit is {MAX_TREATIES}", s.treaties.len()));
        }
        start
    }

    /// Actor and treaty ids: well formed and unique in one namespace (and indexed for the
    /// reference checks that follow).
    fn ids(&mut self, s: &'a Scenario) {
        for (i, a) in s.actors.iter().enumerate() {
            let id = a.id();
            if let Err(e) = check_id(id) {
                self.err(format!("actors[{i}].id"), e);
            }
            self.text(format_args!("actors[{i}].name"), a.name());
            self.kind_of.insert(id, a.kind_name());
            if let ActorDef::Organisation(o) = a {
                self.members.insert(id, &o.members);
            }
            if self.kinds.insert(id, a.kind_name()).is_some() {
                self.err(format!("actors[{i}].id"), format!("duplicate actor id {id:?}"));
            }
        }
        for (i, t) in s.treaties.iter().enumerate() {
            if let Err(e) = check_id(&t.id) {
                self.err(format!("treaties[{i}].id"), e);
            }
            self.text(format_args!("treaties[{i}].name"), &t.name);
            self.text(format_args!("treaties[{i}].short_name"), &t.short_name);
            self.text(format_args!("treaties[{i}].decision_article"), &t.decision_article);
            for (k, clause) in t.clauses.iter().enumerate() {
                self.text(format_args!("treaties[{i}].clauses[{k}].article"), &clause.article);
            }
            self.members.entry(&t.id).or_insert(&t.members);
            if self.kinds.contains_key(t.id.as_str()) || !self.treaties.insert(&t.id) {
                self.err(format!("treaties[{i}].id"), format!("duplicate id {:?} (treaty and actor ids share one namespace)", t.id));
            }
        }
    }

    fn state(&mut self, p: &str, st: &StateDef) {
        for (field, v) in [
            ("trade_dependence", st.trade_dependence),
            ("aid_dependence", st.aid_dependence),
            ("cohesion", st.cohesion),
            ("army_loyalty", st.army_loyalty),
            ("war_opposition", st.war_opposition),
            ("security_threat", st.security_threat),
        ] {
            self.unit(format_args!("{p}.{field}"), v);
        }
        self.non_negative(format_args!("{p}.gdp_busd"), st.gdp_busd);
        self.non_negative(format_args!("{p}.population_m"), st.population_m);
        for (other, v) in &st.trade_exposure {
            self.actor_ref(format_args!("{p}.trade_exposure[{other:?}]"), other, &["State"]);
            self.unit(format_args!("{p}.trade_exposure[{other:?}]"), *v);
        }
        for (other, v) in &st.electricity_supply {
            self.actor_ref(format_args!("{p}.electricity_supply[{other:?}]"), other, &["State"]);
            self.unit(format_args!("{p}.electricity_supply[{other:?}]"), *v);
        }
        for (j, other) in st.borders.iter().enumerate() {
            self.actor_ref(format_args!("{p}.borders[{j}]"), other, &["State"]);
            if other == &st.id {
                self.err(format!("{p}.borders[{j}]"), "a state cannot border itself");
            }
        }
        for (other, _) in st.trade_exposure.iter().chain(st.electricity_supply.iter()) {
            if other == &st.id {
                self.err(p, format!("{} cannot trade with or supply itself ({other:?})", st.id));
            }
        }
        let mut abroad = 0u64;
        for (host, n) in &st.forces_abroad {
            self.actor_ref(format_args!("{p}.forces_abroad[{host:?}]"), host, &["State"]);
            if host == &st.id {
                self.err(format!("{p}.forces_abroad[{host:?}]"), "a state's forces cannot be abroad at home");
            }
            abroad += *n as u64;
        }
        if abroad > st.troops as u64 {
            self.err(format!("{p}.forces_abroad"), format!("{abroad} troops abroad exceed the {} troops the state has", st.troops));
        }
    }

    fn organisation(&mut self, p: &str, o: &OrganisationDef) {
        if o.members.is_empty() {
            self.err(format!("{p}.members"), "an organisation needs at least one member");
        }
        let mut seen = BTreeSet::new();
        for (j, m) in o.members.iter().enumerate() {
            self.actor_ref(format_args!("{p}.members[{j}]"), m, &["State"]);
            if !seen.insert(m) {
                self.err(format!("{p}.members[{j}]"), format!("{m:?} is listed twice"));
            }
        }
        for (j, m) in o.suspended.iter().enumerate() {
            if !o.members.contains(m) {
                self.err(format!("{p}.suspended[{j}]"), format!("{m:?} is not a member of {}", o.id));
            }
        }
        self.days(format_args!("{p}.withdrawal_notice_days"), o.withdrawal_notice_days);
        self.text(format_args!("{p}.withdrawal_article"), &o.withdrawal_article);
        if let Some(u) = &o.ucg {
            self.text(format_args!("{p}.ucg.suspension_article"), &u.suspension_article);
            self.text(format_args!("{p}.ucg.sanctions_article"), &u.sanctions_article);
            self.text(format_args!("{p}.ucg.intervention_article"), &u.intervention_article);
            for (field, v) in [
                ("suspension_delay_days", u.suspension_delay_days),
                ("summit_delay_days", u.summit_delay_days),
                ("ultimatum_days", u.ultimatum_days),
                ("activation_summit_delay_days", u.activation_summit_delay_days),
                ("dday_delay_days", u.dday_delay_days),
                ("review_days", u.review_days),
            ] {
                self.days(format_args!("{p}.ucg.{field}"), v);
            }
            self.unit(format_args!("{p}.ucg.sanction_propensity"), u.sanction_propensity);
            if let DecisionRule::Share(x) = u.force_decision_rule {
                self.unit(format_args!("{p}.ucg.force_decision_rule"), x);
            }
            if u.review_days == 0 {
                self.err(format!("{p}.ucg.review_days"), "must be at least 1");
            }
            self.no_repeats(format_args!("{p}.ucg.sanctions_menu"), &u.sanctions_menu);
            if u.sanctions_menu.contains(&Measure::Suspension) {
                self.err(format!("{p}.ucg.sanctions_menu"), "Suspension is applied by its own step; remove it from the menu");
            }
        }
    }

    fn partner(&mut self, p: &str, pd: &PartnerDef) {
        self.text(format_args!("{p}.aid_policy"), &pd.aid_policy);
        self.unit(format_args!("{p}.aid_conditionality"), pd.aid_conditionality);
        self.unit(format_args!("{p}.hostility_exposure"), pd.hostility_exposure);
        self.days(format_args!("{p}.aid_suspension_delay_days"), pd.aid_suspension_delay_days);
        self.days(format_args!("{p}.withdrawal_days"), pd.withdrawal_days);
        for host in pd.forces.keys() {
            self.actor_ref(format_args!("{p}.forces[{host:?}]"), host, &["State"]);
        }
        for (r, v) in &pd.aid_musd {
            self.actor_ref(format_args!("{p}.aid_musd[{r:?}]"), r, &["State"]);
            self.non_negative(format_args!("{p}.aid_musd[{r:?}]"), *v);
        }
    }

    fn armed_group(&mut self, p: &str, g: &ArmedGroupDef) {
        if g.operates_in.is_empty() {
            self.err(format!("{p}.operates_in"), "an armed group needs at least one state to operate in");
        }
        for (j, st) in g.operates_in.iter().enumerate() {
            self.actor_ref(format_args!("{p}.operates_in[{j}]"), st, &["State"]);
        }
        if !g.attacks_per_month.is_finite() || !(0.0..=1000.0).contains(&g.attacks_per_month) {
            self.err(format!("{p}.attacks_per_month"), format!("{} must be between 0 and 1000", g.attacks_per_month));
        }
        if !g.mean_deaths.is_finite() || !(0.0..=100_000.0).contains(&g.mean_deaths) {
            self.err(format!("{p}.mean_deaths"), format!("{} must be between 0 and 100000", g.mean_deaths));
        }
    }

    fn treaty(&mut self, p: &str, t: &TreatyDef) {
        if t.members.is_empty() {
            self.err(format!("{p}.members"), "a treaty needs at least one member");
        }
        let mut seen = BTreeSet::new();
        for (j, m) in t.members.iter().enumerate() {
            self.actor_ref(format_args!("{p}.members[{j}]"), m, &["State"]);
            if !seen.insert(m) {
                self.err(format!("{p}.members[{j}]"), format!("{m:?} is listed twice"));
            }
        }
        if let Some(d) = &t.in_force
            && let Err(e) = Date::parse(d)
        {
            self.err(format!("{p}.in_force"), e.to_string());
        }
        self.days(format_args!("{p}.withdrawal_notice_days"), t.withdrawal_notice_days);
        if let DecisionRule::Share(x) = t.decision_rule {
            self.unit(format_args!("{p}.decision_rule"), x);
        }
        if t.clauses.is_empty() {
            self.err(format!("{p}.clauses"), "a treaty needs at least one clause");
        }
        for (k, cl) in t.clauses.iter().enumerate() {
            let cp = format!("{p}.clauses[{k}]");
            if matches!(cl.obligation, Obligation::Defence | Obligation::Consultation) && cl.triggers.is_empty() {
                self.err(format!("{cp}.triggers"), "a defence or consultation clause needs at least one trigger");
            }
            if cl.obligation == Obligation::Defence && cl.owed.is_empty() {
                self.err(format!("{cp}.owed"), "a defence clause must say what is owed (ArmedForce, Logistics, Economic)");
            }
            for (j, cond) in cl.conditions.iter().enumerate() {
                if let Condition::Adversary(ids) | Condition::Location(ids) = cond {
                    for (n, id) in ids.iter().enumerate() {
                        self.actor_ref(format_args!("{cp}.conditions[{j}][{n}]"), id, &[]);
                    }
                }
            }
        }
    }

    fn parameter(&mut self, name: &str, value: f64) {
        match params::spec(name) {
            None => {
                let hint = params::did_you_mean(name, params::CATALOGUE.iter().map(|s| s.name));
                self.err(format!("parameters[{name:?}]"), format!("unknown parameter{hint}; `casus params` lists them"));
            }
            Some(spec) => {
                if let Err(e) = params::check_value(spec, value) {
                    self.err(format!("parameters[{name:?}]"), e.to_string());
                }
            }
        }
    }

    fn scripted_event(&mut self, e: &str, event: &ScriptedEvent) {
        match event {
            ScriptedEvent::Coup { state, leader, claimant, .. } => {
                self.actor_ref(format_args!("{e}.state"), state, &["State"]);
                self.text(format_args!("{e}.leader"), leader);
                self.text(format_args!("{e}.claimant"), claimant);
            }
            ScriptedEvent::Attack { attacker, target, location, kind, .. } => {
                self.actor_ref(format_args!("{e}.attacker"), attacker, &[]);
                self.actor_ref(format_args!("{e}.target"), target, &["State"]);
                if let Some(l) = location {
                    self.actor_ref(format_args!("{e}.location"), l, &["State"]);
                }
                if attacker == target && *kind != AttackKind::Rebellion {
                    self.err(format!("{e}.attacker"), "a state cannot attack itself (use kind: Rebellion for an armed group at home)");
                }
            }
            ScriptedEvent::TreatySigned { treaty } => {
                if !self.treaties.contains(treaty.as_str()) {
                    let hint = params::did_you_mean(treaty, self.treaties.iter().copied().collect::<Vec<_>>().into_iter());
                    self.err(format!("{e}.treaty"), format!("unknown treaty {treaty:?}{hint}"));
                }
            }
            ScriptedEvent::SanctionsImposed { org, target, measures } => {
                self.actor_ref(format_args!("{e}.org"), org, &["Organisation"]);
                self.actor_ref(format_args!("{e}.target"), target, &["State"]);
                if measures.is_empty() {
                    self.err(format!("{e}.measures"), "at least one measure");
                }
                self.no_repeats(format_args!("{e}.measures"), measures);
            }
            ScriptedEvent::AidSuspended { partner, recipient } => {
                self.actor_ref(format_args!("{e}.partner"), partner, &["Partner"]);
                self.actor_ref(format_args!("{e}.recipient"), recipient, &["State"]);
            }
            ScriptedEvent::InterventionLaunched { org, target } => {
                self.actor_ref(format_args!("{e}.org"), org, &["Organisation"]);
                self.actor_ref(format_args!("{e}.target"), target, &["State"]);
            }
            ScriptedEvent::WithdrawalAnnounced { state, from } => {
                self.actor_ref(format_args!("{e}.state"), state, &["State"]);
                self.treaty_or_org_ref(format_args!("{e}.from"), from);
                self.member_of(format_args!("{e}.state"), state, from);
            }
            ScriptedEvent::ForcesExpelled { state, partner } => {
                self.actor_ref(format_args!("{e}.state"), state, &["State"]);
                self.actor_ref(format_args!("{e}.partner"), partner, &["Partner"]);
            }
            ScriptedEvent::AssistanceRequested { state, treaty } => {
                self.actor_ref(format_args!("{e}.state"), state, &["State"]);
                if !self.treaties.contains(treaty.as_str()) {
                    self.err(format!("{e}.treaty"), format!("unknown treaty {treaty:?}"));
                } else {
                    self.member_of(format_args!("{e}.state"), state, treaty);
                }
            }
        }
    }
}
