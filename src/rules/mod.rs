//! Rule systems: each reads state and the previous round's events and *proposes* events
//! citing the clause it implements. None mutates state; `crate::apply` does that.
//!
//! Each module also has a `next_due` system: a pure function of state that says on which day
//! the module next has something to do, so the engine can skip quiet days.

use bevy_ecs::prelude::*;

use crate::scenario::Regime;
use crate::state::Polity;

pub mod armed;
pub mod combat;
pub mod coup;
pub mod defence;
pub mod junta;
pub mod membership;
pub mod partners;
pub mod scripted;
pub mod ucg;

/// A stable 64-bit key for an id string (FNV-1a), for draw keys.
pub fn k(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Regime affinity in [-1, 1]: +1 for the same family, -1 for opposed families.
/// Juntas and transitional military governments are one family; democracies another;
/// authoritarian civilian regimes sit between.
pub fn affinity(a: Regime, b: Regime) -> f64 {
    use Regime::*;
    match (a, b) {
        (Junta | Transitional, Junta | Transitional) => 1.0,
        (Democracy, Democracy) => 1.0,
        (Authoritarian, Authoritarian) => 0.5,
        (Authoritarian, _) | (_, Authoritarian) => 0.0,
        _ => -0.5,
    }
}

/// Troops a state can still send or use: not lost, committed abroad or tied down at the borders.
pub fn available_troops(p: &Polity) -> u32 {
    p.troops.saturating_sub(p.committed_abroad).saturating_sub(p.redeployed)
}

/// Effective defending strength of a state's own army against an intervention: cohesive
/// regimes get more of their army to fight.
pub fn effective_defenders(p: &Polity, cohesion: f64) -> f64 {
    f64::from(p.troops.saturating_sub(p.committed_abroad)) * (0.2 + 0.5 * cohesion)
}

/// The smallest of some optional days.
pub fn earliest(days: impl IntoIterator<Item = Option<u32>>) -> Option<u32> {
    days.into_iter().flatten().min()
}

/// The first day strictly after `after` of the series `start + k * step` (k >= 1).
pub fn next_in_series(start: u32, step: u32, after: u32) -> Option<u32> {
    if step == 0 {
        return None;
    }
    let first = start.checked_add(step)?;
    if first > after {
        return Some(first);
    }
    let k = (after - start) / step + 1;
    start.checked_add(k.checked_mul(step)?)
}

/// Whether `day` is in the series `start + k * step` (k >= 1).
pub fn in_series(start: u32, step: u32, day: u32) -> bool {
    step > 0 && day > start && (day - start).is_multiple_of(step)
}

/// The earliest day after `after` on which any rule module has something to do.
pub fn next_due(world: &mut World, after: u32) -> Option<u32> {
    let results = [
        world.run_system_cached_with(scripted::next_due, after),
        world.run_system_cached_with(coup::next_due, after),
        world.run_system_cached_with(ucg::next_due, after),
        world.run_system_cached_with(partners::next_due, after),
        world.run_system_cached_with(junta::next_due, after),
        world.run_system_cached_with(defence::next_due, after),
        world.run_system_cached_with(combat::next_due, after),
        world.run_system_cached_with(armed::next_due, after),
        world.run_system_cached_with(membership::next_due, after),
    ];
    results.into_iter().filter_map(|r| r.expect("next_due systems are valid")).filter(|d| *d > after).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_helpers_agree() {
        assert_eq!(next_in_series(10, 7, 0), Some(17));
        assert_eq!(next_in_series(10, 7, 17), Some(24));
        assert_eq!(next_in_series(10, 7, 23), Some(24));
        assert!(in_series(10, 7, 24));
        assert!(!in_series(10, 7, 10));
        assert!(!in_series(10, 7, 25));
    }

    #[test]
    fn affinity_is_symmetric() {
        use Regime::*;
        for a in [Democracy, Authoritarian, Junta, Transitional] {
            for b in [Democracy, Authoritarian, Junta, Transitional] {
                assert_eq!(affinity(a, b), affinity(b, a));
            }
        }
    }
}
