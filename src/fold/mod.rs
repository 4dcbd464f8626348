//! The fold layer, on the model: building the initial world from a scenario and folding events
//! into it (`apply`, the only code that mutates state), the digests and hashes of a folded
//! state, and the standard outcomes read off a folded state and its events. It runs no rule and
//! knows nothing of the day loop or of log files.

pub mod apply;
pub mod classes;
pub mod digest;

pub mod outcomes;
pub mod timers;
pub mod world;
