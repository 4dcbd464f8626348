//! casus: an event-sourced simulation of how alliances and regional organisations respond to
//! crises. See ARCHITECTURE.md for the map and its invariants.
//!
//! Running a scenario from Rust (the CLI does the same and writes the files):
//!
//! ```
//! let source = include_str!("../scenarios/niger_2023.ron");
//! let overrides = vec![("NER.cohesion".to_string(), "0.8".to_string())];
//! let prepared = casus::run::prepare(source, &overrides).expect("a valid scenario");
//! let output = casus::run::run(&prepared, 42, Default::default()).expect("the run completes");
//!
//! // ECOWAS suspends Niger four days after the coup, citing the 2001 Protocol.
//! assert_eq!(output.outcomes.suspension_day, Some(4));
//! let suspension = output.events.iter().find(|e| e.kind.name() == "MemberSuspended").unwrap();
//! assert!(suspension.rule.contains("Art. 45"));
//!
//! // The log replays to the same final state.
//! let mut log = Vec::new();
//! output.write_log(&mut log).unwrap();
//! let parsed = casus::run::read_log(&log[..]).unwrap();
//! assert!(matches!(casus::replay::replay(&prepared, &parsed), casus::replay::Verdict::Match { .. }));
//! ```
#![warn(missing_docs)]

pub mod apply;
pub mod charts;
pub mod date;
pub mod describe;
pub mod diff;
pub mod draw;
pub mod engine;
pub mod event;
pub mod fork;
pub mod id;
pub mod outcomes;
pub mod outdir;
pub mod overrides;
pub mod params;
pub mod query;
pub mod replay;
pub mod report;
pub mod rules;
pub mod run;
pub mod scenario;
pub mod state;
pub mod sweep;
pub mod synth;
pub mod testkit;
