//! The model layer: the vocabulary every other layer speaks, and nothing else. Ids and dates,
//! seeded draws, the parameter catalogue and `--set` overrides, the scenario schema and its
//! validation, event kinds, the ECS components and resources that hold state, and the sanctions
//! economics. It imports nothing else in the crate: it knows no rule, no loop, no log file.

pub mod date;
pub mod draw;
pub mod economics;
pub mod event;
pub mod expect;
pub mod fields;
pub mod id;
pub mod overrides;
pub mod params;
pub mod prepared;
pub mod scenario;
pub mod state;
pub mod text;
pub mod timers;
pub mod world;
