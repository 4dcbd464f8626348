//! The one place state changes: `apply` folds one event into the world.
//!
//! Apply holds no decisions and draws no random numbers. Everything it does is bookkeeping
//! implied by the event (a suspension adds the member to the suspended set; sanctions change
//! the target's loss rate, after accruing the loss so far). Live runs and `casus replay` call
//! the same function, which is why replaying a log reproduces the final state.

use bevy_ecs::prelude::*;

use crate::model::economics::{loss_at, package_severity};
use crate::model::event::{Event, EventKind, LiftReason, SummitAgenda, VoteQuestion};
use crate::model::scenario::{Measure, Regime, UcgForm};
use crate::model::state::*;

/// An event that cannot be folded into this world (only possible for a log that does not
/// belong to the scenario, or one that was edited).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("event {seq} ({kind}): {message}")]
pub struct ApplyError {
    /// The event's seq.
    pub seq: u64,
    /// The event's kind.
    pub kind: &'static str,
    /// What is inconsistent.
    pub message: String,
}

struct Ctx<'w> {
    world: &'w mut World,
    index: &'w ActorIndex,
    seq: u64,
    kind: &'static str,
    day: u32,
}

impl Ctx<'_> {
    fn err(&self, message: impl Into<String>) -> ApplyError {
        ApplyError { seq: self.seq, kind: self.kind, message: message.into() }
    }

    fn entity(&self, id: &Id) -> Result<Entity, ApplyError> {
        self.index.get(id).copied().ok_or_else(|| self.err(format!("unknown actor {id:?}")))
    }

    fn polity(&mut self, id: &Id) -> Result<Mut<'_, Polity>, ApplyError> {
        let e = self.entity(id)?;
        let kind = self.kind;
        let seq = self.seq;
        self.world.get_mut::<Polity>(e).ok_or_else(|| ApplyError { seq, kind, message: format!("{id:?} is not a state") })
    }

    /// Accrues a state's GDP loss up to today at its current rate, before the rate changes.
    fn accrue(&mut self, id: &Id) -> Result<(), ApplyError> {
        let e = self.entity(id)?;
        self.accrued(id, e).map(drop)
    }

    /// Accrues the loss of state `id` (entity `e`) up to today, and returns its polity for
    /// further changes (one lookup for both).
    fn accrued(&mut self, id: &Id, e: Entity) -> Result<Mut<'_, Polity>, ApplyError> {
        let day = self.day;
        // Read with shared borrows (no clones), then write the two accrued fields.
        let world: &World = self.world;
        let profile = &world.get::<StateProfile>(e).ok_or_else(|| self.err(format!("{id:?} is not a state")))?.0;
        let p = world.get::<Polity>(e).expect("state has polity");
        let loss = (day > p.accrued_day).then(|| loss_at(p, profile, &world.resource::<crate::model::world::Fixed>().params, day));
        let mut p = self.world.get_mut::<Polity>(e).expect("state has polity");
        if let Some(loss) = loss {
            p.gdp_loss_pct = loss;
            p.accrued_day = day;
        }
        Ok(p)
    }

    fn org(&mut self, id: &Id) -> Result<Mut<'_, OrgState>, ApplyError> {
        let e = self.entity(id)?;
        let (kind, seq) = (self.kind, self.seq);
        self.world.get_mut::<OrgState>(e).ok_or_else(|| ApplyError { seq, kind, message: format!("{id:?} is not an organisation") })
    }

    fn partner(&mut self, id: &Id) -> Result<Mut<'_, PartnerState>, ApplyError> {
        let e = self.entity(id)?;
        let (kind, seq) = (self.kind, self.seq);
        self.world.get_mut::<PartnerState>(e).ok_or_else(|| ApplyError { seq, kind, message: format!("{id:?} is not a partner") })
    }

    fn crisis(&mut self, target: &Id) -> Result<&mut Crisis, ApplyError> {
        let (kind, seq) = (self.kind, self.seq);
        crises_mut(self.world, target).into_inner().0.get_mut(target).ok_or_else(|| ApplyError {
            seq,
            kind,
            message: format!("no crisis open in {target:?}"),
        })
    }

    /// An organisation's response to a crisis in `target`. An organisation can act on a state
    /// with no coup (scripted sanctions or an intervention): that opens a crisis record too.
    fn response(&mut self, org: &Id, target: &Id) -> Result<&mut OrgResponse, ApplyError> {
        self.entity(org)?;
        self.polity(target)?;
        let (day, seq) = (self.day, self.seq);
        let crisis = crises_mut(self.world, target).into_inner().0.entry(target.clone()).or_insert_with(|| Crisis::opened(day, seq));
        Ok(crisis.responses.entry(org.clone()).or_default())
    }
}

/// The crises table, to change the crisis in `target`: every change to a crisis goes through
/// here, which renews the crisis's stamp for the checkpoint digester.
fn crises_mut<'w>(world: &'w mut World, target: &Id) -> Mut<'w, Crises> {
    world.resource_mut::<DigestStamps>().touch_crisis(target);
    world.resource_mut::<Crises>()
}

fn recompute_severity(world: &mut World, target: &str) -> f64 {
    world.resource::<Crises>().0.get(target).map(|c| c.responses.values().map(|r| r.severity).sum::<f64>().min(1.0)).unwrap_or(0.0)
}

/// Folds one event into the world.
pub fn apply(world: &mut World, event: &Event) -> Result<(), ApplyError> {
    let index = std::sync::Arc::clone(&world.resource::<crate::model::world::Fixed>().index);
    apply_indexed(world, &index, event)
}

/// `apply`, with the world's actor index (`Fixed::index`) held by the caller, so that a loop
/// folding many events does not fetch it from the world for each. One function per kind's
/// bookkeeping (one-line ones inline), grouped as the rules that propose them are.
pub fn apply_indexed(world: &mut World, index: &ActorIndex, event: &Event) -> Result<(), ApplyError> {
    let mut c = Ctx { world, index, seq: event.seq, kind: event.kind.name(), day: event.day };
    let (day, seq) = (event.day, event.seq);
    use EventKind as K;
    match &event.kind {
        // Coups.
        K::CoupStaged { state, form, claimant, .. } => coup_staged(&mut c, state, *form, claimant)?,
        K::CoupConsolidated { state } => c.polity(state)?.coup_consolidated = true,
        K::CoupFailing { state, reversal_day } => c.polity(state)?.reversal_day = Some(*reversal_day),
        K::OrderRestored { state, .. } => order_restored(&mut c, state)?,
        // Fighting.
        K::AttackOccurred { attacker, target, deaths_military, deaths_civilian, .. } => {
            attack_occurred(&mut c, attacker, target, *deaths_military, *deaths_civilian)?
        }
        K::CombatRound { org, target, round, attacker_strength, defender_strength, attacker_losses, defender_losses, civilian_deaths } => {
            let tally = RoundTally {
                round: *round,
                attacker_strength: *attacker_strength,
                defender_strength: *defender_strength,
                attacker_losses: *attacker_losses,
                defender_losses: *defender_losses,
                civilian_deaths: *civilian_deaths,
            };
            combat_round(&mut c, org, target, &tally)?
        }
        K::InterventionEnded { org, target, outcome } => {
            intervention(&mut c, org, target, "no intervention in {target} to end")?.ended = Some(*outcome)
        }
        // An organisation's measures.
        K::MemberSuspended { org, state } => member_suspended(&mut c, org, state)?,
        K::SuspensionLifted { org, state } => suspension_lifted(&mut c, org, state)?,
        K::SummitConvened { org, target, agenda } => summit_convened(&mut c, org, target, *agenda)?,
        K::SanctionsImposed { org, target, measures, .. } => sanctions_imposed(&mut c, org, target, measures)?,
        K::SanctionsLifted { org, target, measures, reason, .. } => sanctions_lifted(&mut c, org, target, measures, *reason)?,
        K::ExportsCut { to, share, .. } => exports_cut(&mut c, to, *share)?,
        K::UltimatumIssued { org, target, deadline_day, .. } => ultimatum_issued(&mut c, org, target, *deadline_day)?,
        K::UltimatumExpired { org, target } => c.response(org, target)?.ultimatum_expired = Some((day, seq)),
        // An organisation's force.
        K::VoteHeld { org, target, question, .. } => vote_held(&mut c, org, target, *question)?,
        K::StandbyForceActivated { org, target, dday } => c.response(org, target)?.activated = Some((day, *dday, seq)),
        K::ForcePledged { org, state, target, troops } => force_pledged(&mut c, org, state, target, *troops)?,
        K::LaunchPostponed { org, target, .. } => c.response(org, target)?.last_launch_review = Some(day),
        K::InterventionLaunched { org, target, troops, .. } => intervention_launched(&mut c, org, target, *troops)?,
        K::StandbyForceStoodDown { org, target, .. } => c.response(org, target)?.stood_down = true,
        // Allies and partners.
        K::DefencePledged { by, to, .. } => defence_pledged(&mut c, by, to)?,
        K::AidSuspended { partner, recipient, amount_musd } => aid_suspended(&mut c, partner, recipient, *amount_musd)?,
        K::ForcesExpelled { state, partner, leave_by_day, .. } => forces_expelled(&mut c, state, partner, *leave_by_day)?,
        K::ForcesWithdrawn { partner, from, .. } => forces_withdrawn(&mut c, partner, from)?,
        // The junta.
        K::ForcesRedeployed { state, troops, .. } => forces_redeployed(&mut c, state, *troops)?,
        K::BorderForcesRecalled { state, troops, .. } => border_forces_recalled(&mut c, state, *troops)?,
        K::TransitionProposed { state, months } => c.crisis(state)?.transition = Some((*months, day, seq)),
        K::TransitionAnswered { org, state, months, accepted } => transition_answered(&mut c, org, state, *months, *accepted)?,
        // Membership.
        K::WithdrawalAnnounced { state, from, effective_day } => withdrawal(&mut c, state, from, Some(*effective_day))?,
        K::WithdrawalEffective { state, from } => withdrawal(&mut c, state, from, None)?,
        // Treaties and their clauses.
        K::TreatyInForce { treaty } => treaty_mut(&mut c, treaty)?.in_force = true,
        K::ObligationArisen { treaty, article, party, beneficiary, attack_seq, .. } => {
            obligation_arisen(&mut c, treaty, article, party, beneficiary, *attack_seq)?
        }
        K::AssistanceRequested { state, treaty } => assistance_requested(&mut c, state, treaty)?,
        K::AssistanceDecided { treaty, party, beneficiary, honoured, troops, attack_seq, .. } => {
            let decision = Decision { treaty, party, beneficiary, honoured: *honoured, troops: *troops, attack_seq: *attack_seq };
            assistance_decided(&mut c, &decision, &event.rule)?
        }
        K::ForcesMobilised { party, beneficiary, .. } => forces_moved(&mut c, party, beneficiary, Stage::Mobilised)?,
        K::ForcesDeployed { party, beneficiary, .. } => forces_moved(&mut c, party, beneficiary, Stage::Deployed)?,
        K::ForcesReturned { party, beneficiary, troops } => forces_returned(&mut c, party, beneficiary, *troops)?,
        K::JointOperationFormed { treaty, beneficiary, attack_seq, .. } => joint_operation_formed(&mut c, treaty, beneficiary, *attack_seq),
        K::ConsultationsHeld { treaty, .. } => treaty_exists(&c, treaty)?,
        K::NonAggressionBreached { treaty, .. } => treaty_mut(&mut c, treaty)?.breaches += 1,
    }
    crate::fold::timers::keep(c.world, event);
    Ok(())
}

fn member_suspended(c: &mut Ctx<'_>, org: &Id, state: &Id) -> Result<(), ApplyError> {
    c.org(org)?.suspended.insert(state.clone());
    c.response(org, state)?.suspended = true;
    Ok(())
}

fn exports_cut(c: &mut Ctx<'_>, to: &Id, share: f64) -> Result<(), ApplyError> {
    let mut p = c.polity(to)?;
    p.electricity_cut = (p.electricity_cut + share).min(1.0);
    Ok(())
}

fn ultimatum_issued(c: &mut Ctx<'_>, org: &Id, target: &Id, deadline_day: u32) -> Result<(), ApplyError> {
    let seq = c.seq;
    let r = c.response(org, target)?;
    r.ultimatum = Some((deadline_day, seq));
    r.summit_held = true;
    Ok(())
}

fn force_pledged(c: &mut Ctx<'_>, org: &Id, state: &Id, target: &Id, troops: u32) -> Result<(), ApplyError> {
    c.polity(state)?;
    c.response(org, target)?.pledges.insert(state.clone(), troops);
    Ok(())
}

fn defence_pledged(c: &mut Ctx<'_>, by: &Id, to: &Id) -> Result<(), ApplyError> {
    c.entity(by)?;
    // Every change to `pledged_by` renews the digester's stamp.
    c.world.resource_mut::<DigestStamps>().touch_pledges(to);
    c.polity(to)?.pledged_by.insert(by.clone());
    Ok(())
}

fn forces_expelled(c: &mut Ctx<'_>, state: &Id, partner: &Id, leave_by_day: u32) -> Result<(), ApplyError> {
    c.polity(state)?;
    c.partner(partner)?.leaving.insert(state.clone(), leave_by_day);
    Ok(())
}

fn forces_withdrawn(c: &mut Ctx<'_>, partner: &Id, from: &Id) -> Result<(), ApplyError> {
    let day = c.day;
    let mut ps = c.partner(partner)?;
    ps.forces.remove(from);
    ps.leaving.remove(from);
    c.polity(from)?.security_changed_day = day;
    Ok(())
}

fn forces_redeployed(c: &mut Ctx<'_>, state: &Id, troops: u32) -> Result<(), ApplyError> {
    let day = c.day;
    let mut p = c.polity(state)?;
    p.redeployed = p.redeployed.saturating_add(troops).min(p.troops);
    p.security_changed_day = day;
    Ok(())
}

fn border_forces_recalled(c: &mut Ctx<'_>, state: &Id, troops: u32) -> Result<(), ApplyError> {
    let day = c.day;
    let mut p = c.polity(state)?;
    p.redeployed = p.redeployed.saturating_sub(troops);
    p.security_changed_day = day;
    Ok(())
}

/// A withdrawal announced (with the day it takes effect) or taking effect (`None`).
fn withdrawal(c: &mut Ctx<'_>, state: &Id, from: &Id, effective_day: Option<u32>) -> Result<(), ApplyError> {
    c.polity(state)?;
    withdraw_notice(c, state, from, effective_day)
}

fn assistance_requested(c: &mut Ctx<'_>, state: &Id, treaty: &Id) -> Result<(), ApplyError> {
    let seq = c.seq;
    c.polity(state)?;
    c.world.resource_mut::<Defence>().requests.insert((state.clone(), treaty.clone()), seq);
    Ok(())
}

fn joint_operation_formed(c: &mut Ctx<'_>, treaty: &Id, beneficiary: &Id, attack_seq: u64) {
    let mut d = c.world.resource_mut::<Defence>();
    for (k, inv) in d.invocations.iter_mut() {
        if k.0 == *treaty && k.2 == *beneficiary && k.3 == attack_seq {
            inv.joint = true;
        }
    }
}

/// A coup: the state comes under a junta, and a crisis opens (or reopens) in it.
fn coup_staged(c: &mut Ctx<'_>, state: &Id, form: UcgForm, claimant: &Id) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    let mut p = c.polity(state)?;
    if p.regime != Regime::Junta {
        p.regime_before_coup = Some(p.regime);
    }
    // Soldiers make a junta; a civilian ruler holding on to power rules as an authoritarian one
    // (both are "rulers since" `junta_since` for the rules on unconstitutional change).
    p.regime = if form == UcgForm::Military { Regime::Junta } else { Regime::Authoritarian };
    p.junta_since = Some(day);
    p.coup_consolidated = false;
    p.reversal_day = None;
    p.transition_months = None;
    let mut crises = crises_mut(c.world, state);
    let mut crisis = Crisis { form, claimant: claimant.clone(), ..Crisis::opened(day, seq) };
    // An intervention under way continues through a coup in its target: the force in the
    // field does not vanish, so its record moves to the new crisis (the organisation's
    // other steps start afresh for the new coup).
    if let Some(old) = crises.0.get(state) {
        for (org, r) in &old.responses {
            if r.intervention.as_ref().is_some_and(|iv| iv.ended.is_none()) {
                let carried = OrgResponse { intervention: r.intervention.clone(), ..Default::default() };
                crisis.responses.insert(org.clone(), carried);
            }
        }
    }
    crises.0.insert(state.clone(), crisis);
    Ok(())
}

/// Constitutional order restored: the regime before the coup returns and the crisis closes.
fn order_restored(c: &mut Ctx<'_>, state: &Id) -> Result<(), ApplyError> {
    let day = c.day;
    let mut p = c.polity(state)?;
    p.regime = p.regime_before_coup.take().unwrap_or(Regime::Democracy);
    p.junta_since = None;
    p.reversal_day = None;
    p.coup_consolidated = false;
    if let Some(crisis) = crises_mut(c.world, state).into_inner().0.get_mut(state) {
        crisis.resolved_day = Some(day);
    }
    Ok(())
}

/// An attack: the target's losses, and the attacker's tally (a state remembers whom it
/// attacked; an armed group counts its attacks and deaths per state).
fn attack_occurred(c: &mut Ctx<'_>, attacker: &Id, target: &Id, deaths_military: u32, deaths_civilian: u32) -> Result<(), ApplyError> {
    let day = c.day;
    let mut p = c.polity(target)?;
    p.casualties_military += u64::from(deaths_military);
    p.casualties_civilian += u64::from(deaths_civilian);
    p.troops = p.troops.saturating_sub(deaths_military);
    let e = c.entity(attacker)?;
    // The attacker is located once, for whichever of the two it is.
    let Ok(mut attacker) = c.world.get_entity_mut(e) else { return Ok(()) };
    if let Some(mut a) = attacker.get_mut::<Polity>() {
        a.attacked.insert(target.clone());
    }
    if let Some(mut g) = attacker.get_mut::<GroupState>() {
        // A group mostly attacks states it attacked before: their entries are updated in
        // place, without cloning the key.
        match g.attacks.get_mut(target) {
            Some(n) => *n += 1,
            None => drop(g.attacks.insert(target.clone(), 1)),
        }
        match g.last_attack_day.get_mut(target) {
            Some(d) => *d = day,
            None => drop(g.last_attack_day.insert(target.clone(), day)),
        }
        g.deaths += u64::from(deaths_military) + u64::from(deaths_civilian);
    }
    Ok(())
}

/// One combat round's figures (`EventKind::CombatRound`).
struct RoundTally {
    round: u32,
    attacker_strength: u32,
    defender_strength: u32,
    attacker_losses: u32,
    defender_losses: u32,
    civilian_deaths: u32,
}

/// A combat round: the intervention's strengths and losses, the target's casualties.
fn combat_round(c: &mut Ctx<'_>, org: &Id, target: &Id, t: &RoundTally) -> Result<(), ApplyError> {
    let day = c.day;
    let iv = intervention(c, org, target, "combat in {target} without an intervention")?;
    if iv.rounds == 0 {
        iv.defender_initial = t.defender_strength;
    }
    iv.rounds = t.round;
    iv.last_round_day = day;
    iv.attacker_strength = t.attacker_strength.saturating_sub(t.attacker_losses);
    iv.defender_strength = t.defender_strength.saturating_sub(t.defender_losses);
    iv.attacker_losses += u64::from(t.attacker_losses);
    let mut p = c.polity(target)?;
    p.casualties_military += u64::from(t.defender_losses);
    p.casualties_civilian += u64::from(t.civilian_deaths);
    p.troops = p.troops.saturating_sub(t.defender_losses);
    Ok(())
}

/// The organisation's intervention in `target`; `missing` (with `{target}` replaced) is the
/// error when there is none.
fn intervention<'c>(c: &'c mut Ctx<'_>, org: &Id, target: &Id, missing: &str) -> Result<&'c mut Intervention, ApplyError> {
    let (seq, kind) = (c.seq, c.kind);
    let missing = || ApplyError { seq, kind, message: missing.replace("{target}", target) };
    c.response(org, target)?.intervention.as_mut().ok_or_else(missing)
}

fn suspension_lifted(c: &mut Ctx<'_>, org: &Id, state: &Id) -> Result<(), ApplyError> {
    c.org(org)?.suspended.remove(state);
    if let Ok(r) = c.response(org, state) {
        r.suspended = false;
    }
    Ok(())
}

fn summit_convened(c: &mut Ctx<'_>, org: &Id, target: &Id, agenda: SummitAgenda) -> Result<(), ApplyError> {
    let r = c.response(org, target)?;
    match agenda {
        SummitAgenda::Sanctions => r.summit_held = true,
        SummitAgenda::StandbyForce => r.activation_vote_held = true,
    }
    Ok(())
}

/// Sanctions: the response's package and severity, the target's loss rate (after accruing the
/// loss so far) and each applying member's cost.
fn sanctions_imposed(c: &mut Ctx<'_>, org: &Id, target: &Id, measures: &[Measure]) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    c.accrue(target)?;
    let r = c.response(org, target)?;
    r.measures.extend(measures.iter().copied());
    r.severity = package_severity(r.measures.iter());
    r.summit_held = true;
    if r.sanctions_day.is_none() && measures.iter().any(|m| m.is_economic()) {
        r.sanctions_day = Some((day, seq));
    }
    sanctions_changed(c, org, target)
}

/// Sanctions lifted: as [`sanctions_imposed`], the other way.
fn sanctions_lifted(c: &mut Ctx<'_>, org: &Id, target: &Id, measures: &[Measure], reason: LiftReason) -> Result<(), ApplyError> {
    let day = c.day;
    c.accrue(target)?;
    let r = c.response(org, target)?;
    for m in measures {
        r.measures.remove(m);
    }
    r.severity = package_severity(r.measures.iter());
    if measures.iter().any(|m| m.is_economic()) {
        r.lifted_day = Some(day);
    }
    if reason == LiftReason::TransitionAgreed {
        r.transition_answer = Some(true);
    }
    sanctions_changed(c, org, target)
}

/// After a response's package changed: the target's total severity and the members' costs.
fn sanctions_changed(c: &mut Ctx<'_>, org: &Id, target: &Id) -> Result<(), ApplyError> {
    let sev = recompute_severity(c.world, target);
    c.polity(target)?.sanctions_severity = sev;
    update_members_costs(c, org, target)
}

fn vote_held(c: &mut Ctx<'_>, org: &Id, target: &Id, question: VoteQuestion) -> Result<(), ApplyError> {
    let day = c.day;
    match question {
        VoteQuestion::ActivateStandbyForce => c.response(org, target)?.activation_vote_held = true,
        VoteQuestion::LaunchIntervention => c.response(org, target)?.last_launch_review = Some(day),
        // A treaty's vote on a joint operation changes nothing until the operation forms.
        VoteQuestion::JointOperation => treaty_exists(c, org)?,
    }
    Ok(())
}

fn intervention_launched(c: &mut Ctx<'_>, org: &Id, target: &Id, troops: u32) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    let r = c.response(org, target)?;
    r.last_launch_review = Some(day);
    r.intervention = Some(Intervention {
        day,
        seq,
        initial_troops: troops,
        attacker_strength: troops,
        defender_strength: 0,
        defender_initial: 0,
        rounds: 0,
        last_round_day: day,
        attacker_losses: 0,
        ended: None,
    });
    Ok(())
}

/// Aid suspended: the recipient's loss rate changes (after accruing the loss so far).
fn aid_suspended(c: &mut Ctx<'_>, partner: &Id, recipient: &Id, amount_musd: f64) -> Result<(), ApplyError> {
    c.accrue(recipient)?;
    c.partner(partner)?.aid_suspended.insert(recipient.clone());
    c.polity(recipient)?.aid_suspended_musd += amount_musd;
    if let Some(crisis) = crises_mut(c.world, recipient).into_inner().0.get_mut(recipient) {
        crisis.aid_suspended_by.insert(partner.clone());
    }
    Ok(())
}

fn transition_answered(c: &mut Ctx<'_>, org: &Id, state: &Id, months: u32, accepted: bool) -> Result<(), ApplyError> {
    c.response(org, state)?.transition_answer = Some(accepted);
    if accepted {
        let mut p = c.polity(state)?;
        p.regime = Regime::Transitional;
        p.transition_months = Some(months);
    }
    Ok(())
}

/// A treaty's state, for a change (or to check the treaty exists).
fn treaty_mut<'c>(c: &'c mut Ctx<'_>, treaty: &Id) -> Result<&'c mut TreatyState, ApplyError> {
    let (seq, kind) = (c.seq, c.kind);
    let unknown = || ApplyError { seq, kind, message: format!("unknown treaty {treaty:?}") };
    c.world.resource_mut::<Treaties>().into_inner().by_id.get_mut(treaty).ok_or_else(unknown)
}

/// Checks that a treaty exists, changing nothing (not even its change tick).
fn treaty_exists(c: &Ctx<'_>, treaty: &Id) -> Result<(), ApplyError> {
    match c.world.resource::<Treaties>().by_id.contains_key(treaty) {
        true => Ok(()),
        false => Err(c.err(format!("unknown treaty {treaty:?}"))),
    }
}

fn obligation_arisen(c: &mut Ctx<'_>, treaty: &Id, article: &Id, party: &Id, beneficiary: &Id, attack_seq: u64) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    c.polity(party)?;
    let key = (treaty.clone(), article.clone(), beneficiary.clone(), attack_seq);
    let mut d = c.world.resource_mut::<Defence>();
    d.engaged.insert((treaty.clone(), article.clone(), beneficiary.clone()), day);
    d.invocations.entry(key).or_default().obligated.insert(party.clone(), seq);
    Ok(())
}

/// A party's decision on an obligation (`EventKind::AssistanceDecided`).
struct Decision<'e> {
    treaty: &'e Id,
    party: &'e Id,
    beneficiary: &'e Id,
    honoured: bool,
    troops: u32,
    attack_seq: u64,
}

/// A decision on an obligation: recorded on its invocation; honoured with troops, it commits
/// them (a deployment in the Decided stage, topped up if the party already has one there).
fn assistance_decided(c: &mut Ctx<'_>, x: &Decision, rule: &Id) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    let mut d = c.world.resource_mut::<Defence>();
    let key = d
        .invocations
        .iter()
        .find(|(k, inv)| k.0 == *x.treaty && k.2 == *x.beneficiary && k.3 == x.attack_seq && inv.obligated.contains_key(x.party))
        .map(|(k, _)| k.clone());
    let Some(key) = key else {
        return Err(c.err(format!("{} decided on an obligation that never arose", x.party)));
    };
    d.invocations.get_mut(&key).expect("found").decided.insert(x.party.clone(), (x.honoured, x.troops));
    if !(x.honoured && x.troops > 0) {
        return Ok(());
    }
    let entry = d.deployments.entry((x.party.clone(), x.beneficiary.clone())).or_insert(Deployment {
        troops: 0,
        stage: Stage::Decided,
        since: day,
        seq,
        rule: Id::default(),
    });
    entry.rule = rule.clone();
    entry.troops += x.troops;
    entry.since = day;
    entry.seq = seq;
    entry.stage = Stage::Decided;
    let mut p = c.polity(x.party)?;
    p.committed_abroad = p.committed_abroad.saturating_add(x.troops);
    Ok(())
}

/// Committed forces mobilised or deployed: their deployment moves to `stage`.
fn forces_moved(c: &mut Ctx<'_>, party: &Id, beneficiary: &Id, stage: Stage) -> Result<(), ApplyError> {
    let (day, seq) = (c.day, c.seq);
    let mut d = c.world.resource_mut::<Defence>();
    let Some(dep) = d.deployments.get_mut(&(party.clone(), beneficiary.clone())) else {
        return Err(c.err(format!("no forces committed by {party} to {beneficiary}")));
    };
    dep.stage = stage;
    dep.since = day;
    dep.seq = seq;
    Ok(())
}

fn forces_returned(c: &mut Ctx<'_>, party: &Id, beneficiary: &Id, troops: u32) -> Result<(), ApplyError> {
    let removed = c.world.resource_mut::<Defence>().deployments.remove(&(party.clone(), beneficiary.clone()));
    if removed.is_none() {
        return Err(c.err(format!("no forces of {party} deployed in {beneficiary}")));
    }
    let mut p = c.polity(party)?;
    p.committed_abroad = p.committed_abroad.saturating_sub(troops);
    Ok(())
}

/// Sets each applying member's share in the organisation's sanctions on `target` (after
/// accruing its loss so far). Suspended members do not apply the organisation's measures.
fn update_members_costs(c: &mut Ctx<'_>, org: &Id, target: &Id) -> Result<(), ApplyError> {
    let severity = c.crisis(target)?.responses.get(org).map(|r| r.severity).unwrap_or(0.0);
    let o = c.org(org)?;
    let members: Vec<Id> = o.members.iter().filter(|m| *m != target && !o.suspended.contains(*m)).cloned().collect();
    for m in members {
        let e = c.entity(&m)?;
        if c.world.get::<Polity>(e).is_none() {
            continue;
        }
        c.accrued(&m, e)?.imposing.insert(target.clone(), severity);
    }
    Ok(())
}

fn withdraw_notice(c: &mut Ctx<'_>, state: &Id, from: &Id, effective: Option<u32>) -> Result<(), ApplyError> {
    let found_treaty = {
        let mut t = c.world.resource_mut::<Treaties>();
        if let Some(ts) = t.by_id.get_mut(from) {
            match effective {
                Some(day) => {
                    ts.withdrawing.insert(state.clone(), day);
                }
                None => {
                    ts.withdrawing.remove(state);
                    ts.members.remove(state);
                }
            }
            true
        } else {
            false
        }
    };
    if found_treaty {
        return Ok(());
    }
    let mut o = c.org(from)?;
    match effective {
        Some(day) => {
            o.withdrawing.insert(state.clone(), day);
        }
        None => {
            o.withdrawing.remove(state);
            o.members.remove(state);
            o.suspended.remove(state);
        }
    }
    Ok(())
}
