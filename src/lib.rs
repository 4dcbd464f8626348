//! casus: an event-sourced simulation of how alliances and regional organisations respond to
//! crises. See ARCHITECTURE.md for the map and its invariants.
#![warn(missing_docs)]

pub mod apply;
pub mod date;
pub mod describe;
pub mod draw;
pub mod engine;
pub mod event;
pub mod outcomes;
pub mod overrides;
pub mod params;
pub mod replay;
pub mod rules;
pub mod run;
pub mod scenario;
pub mod state;
pub mod testkit;
