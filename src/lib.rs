//! casus: an event-sourced simulation of how alliances and regional organisations respond to
//! crises. See ARCHITECTURE.md for the map and its invariants.
//!
//! Running a scenario from Rust (the CLI does the same and writes the files):
//!
//! ```
//! let source = include_str!("../scenarios/niger_2023.ron");
//! let overrides = vec![("NER.cohesion".to_string(), "0.8".to_string())];
//! let prepared = casus::model::prepared::prepare(source, &overrides).expect("a valid scenario");
//! let output = casus::engine::run::run(&prepared, 42, Default::default()).expect("the run completes");
//!
//! // ECOWAS suspends Niger four days after the coup, citing the 2001 Protocol.
//! assert_eq!(output.outcomes.suspension_day, Some(4));
//! let suspension = output.events.iter().find(|e| e.kind.name() == "MemberSuspended").unwrap();
//! assert!(suspension.rule.contains("Art. 45"));
//!
//! // The log replays to the same final state.
//! let mut log = Vec::new();
//! output.write_log(&mut log).unwrap();
//! let parsed = casus::log::read_log(&log[..]).unwrap();
//! assert!(matches!(casus::analysis::replay::replay(&prepared, &parsed), casus::analysis::replay::Verdict::Match { .. }));
//! ```
#![warn(missing_docs)]

// The layers, lowest first; each imports only the layers listed before it (a test checks it:
// tests/layers.rs, and ARCHITECTURE.md says what each may not know).
pub mod analysis;
pub mod engine;
pub mod fold;
pub mod log;
pub mod model;
pub mod rules;
pub mod sweep;
// Beside the layers: synthetic scenarios (on the model), input files (on nothing), output
// folders (on input files) and the test kit (on the engine).
pub mod input;
pub mod outdir;
pub mod synth;
pub mod testkit;
