//! Withdrawals take effect when their notice period ends (ECOWAS: one year, Revised Treaty
//! Art. 91; AES Charter: six months), from organisations and treaties alike.

use crate::model::event::EventKind;
use crate::model::timers::Step;
use crate::rules::context::Ctx;

use crate::rules::timers;
use crate::rules::{Calendar, Facts, RuleModule};

/// The module's name in messages and in the wake table (`rules::wakes`).
pub const NAME: &str = "membership";

/// Withdrawals from organisations and treaties taking effect.
pub struct MembershipRules;

impl RuleModule for MembershipRules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &mut Ctx, f: &Facts, _calendar: &Calendar) {
        complete_withdrawals(ctx, f);
    }

    fn steps(&self) -> &'static [Step] {
        &[Step::OrgWithdrawal, Step::TreatyWithdrawal]
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

/// Emits `WithdrawalEffective` once each notice has run (`Step::OrgWithdrawal`, then
/// `Step::TreatyWithdrawal`, in (organisation or treaty, state) order), caused by the
/// announcement that set it.
pub fn complete_withdrawals(ctx: &mut Ctx, f: &Facts) {
    for (key, t) in f.timers.of(Step::OrgWithdrawal) {
        let (from, state) = (&key.a, &key.b);
        let Some((_, prof, _)) = ctx.fixed.index.get(from).and_then(|e| f.coded_orgs.get(*e).ok()) else { continue };
        if timers::reached_by(ctx, f, key, t) {
            let rule = if prof.0.withdrawal_article.is_empty() {
                crate::format_id!("{from} withdrawal notice")
            } else {
                prof.0.withdrawal_article.clone()
            };
            ctx.emit(EventKind::WithdrawalEffective { state: state.clone(), from: from.clone() }, Some(t.set_by), rule);
        }
    }
    for (key, t) in f.timers.of(Step::TreatyWithdrawal) {
        let (tid, state) = (&key.a, &key.b);
        let Some(treaty) = f.treaties.by_id.get(tid) else { continue };
        if timers::reached_by(ctx, f, key, t) {
            ctx.emit(
                EventKind::WithdrawalEffective { state: state.clone(), from: tid.clone() },
                Some(t.set_by),
                crate::format_id!("{} denunciation notice", treaty.def.short_name),
            );
        }
    }
}
