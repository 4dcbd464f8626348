//! The analysis layer: reading logs after the fact. Replay folds a log over its scenario and
//! checks its checkpoints; query filters events and walks causes; diff compares two runs; report
//! and charts draw a run or a sweep, compare two runs side by side, outcome_text puts outcomes
//! into words for those pages; describe puts an event into words (plain and timeline, for people:
//! names, dates, grouped routine attacks, a summary); whynot explains what did not happen from the log
//! and the scenario, with the rules' own condition functions. Only fork runs rules
//! (through the engine): everything else folds a log without the engine.

pub mod charts;
pub mod compare;
pub mod describe;
pub mod diff;
pub mod explore;
pub mod figures;
pub mod fork;
pub mod map;
pub mod outcome_text;
pub mod plain;
pub mod query;
pub mod replay;
pub mod report;
pub mod timeline;
pub mod verify;
pub mod whynot;
