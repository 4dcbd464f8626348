//! Withdrawals take effect when their notice period ends (ECOWAS: one year, Revised Treaty
//! Art. 91; AES Charter: six months), from organisations and treaties alike.

use bevy_ecs::prelude::*;

use crate::model::event::EventKind;
use crate::model::state::{Code, OrgProfile, OrgState, Treaties};
use crate::rules::context::Ctx;

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
        complete_withdrawals(ctx, &f.coded_orgs, &f.treaties);
    }

    fn next_due(&self, _ctx: &Ctx, f: &Facts, after: u32, _calendar: &Calendar) -> Option<u32> {
        next_due(after, &f.coded_orgs, &f.treaties)
    }

    fn reuses_due_day(&self) -> bool {
        true
    }

    fn reads_attack_calendar(&self) -> bool {
        false
    }
}

fn announcement(ctx: &Ctx, state: &str, from: &str) -> Option<u64> {
    ctx.log
        .events
        .iter()
        .rev()
        .find(|e| matches!(&e.kind, EventKind::WithdrawalAnnounced { state: s, from: f, .. } if s == state && f == from))
        .map(|e| e.seq)
}

/// Emits `WithdrawalEffective` on each notice's day.
pub fn complete_withdrawals(ctx: &mut Ctx, orgs: &Query<(&Code, &OrgProfile, &OrgState)>, treaties: &Treaties) {
    let day = ctx.day();
    let mut list: Vec<(&Code, &OrgProfile, &OrgState)> = orgs.iter().collect();
    list.sort_by(|a, b| a.0.cmp(b.0));
    for (code, prof, st) in list {
        for (state, eff) in &st.withdrawing {
            if day >= *eff {
                let rule = if prof.0.withdrawal_article.is_empty() {
                    crate::format_id!("{} withdrawal notice", code.0)
                } else {
                    prof.0.withdrawal_article.clone()
                };
                let cause = announcement(ctx, state, &code.0);
                ctx.emit(EventKind::WithdrawalEffective { state: state.clone(), from: code.0.clone() }, cause, rule);
            }
        }
    }
    for (tid, t) in &treaties.by_id {
        for (state, eff) in &t.withdrawing {
            if day >= *eff {
                let cause = announcement(ctx, state, tid);
                ctx.emit(
                    EventKind::WithdrawalEffective { state: state.clone(), from: tid.clone() },
                    cause,
                    crate::format_id!("{} denunciation notice", t.def.short_name),
                );
            }
        }
    }
}

/// Next day a withdrawal takes effect.
pub fn next_due(after: u32, orgs: &Query<(&Code, &OrgProfile, &OrgState)>, treaties: &Treaties) -> Option<u32> {
    orgs.iter()
        .flat_map(|(_, _, o)| o.withdrawing.values().copied())
        .chain(treaties.by_id.values().flat_map(|t| t.withdrawing.values().copied()))
        .filter(|d| *d > after)
        .min()
}
