//! Why a sweep, a resume or a merge could not be done. Each message says what is wrong and, where
//! the user can act, what to do; the command line adds its own prefix and chooses the exit code
//! ([`SweepError::is_bad_input`] tells it which side is at fault).

use std::path::PathBuf;

use crate::engine::RunError;
use crate::model::prepared::PrepareError;
use crate::outdir::Refusal;
use crate::sweep::{PlanError, Point};

/// Why a sweep, a resume or a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The plan does not expand (a bad SPEC or design, a parameter swept twice, too many points).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The scenario with the plan's fixed overrides is invalid.
    #[error("invalid scenario or overrides: {0}")]
    Fixed(PrepareError),
    /// One design point's overrides make the scenario invalid (found before anything is written).
    #[error("design point {index} ({}): {source}", describe_point(point))]
    InvalidPoint {
        /// The point's index.
        index: usize,
        /// Its values.
        point: Point,
        /// Why the scenario is invalid there.
        source: PrepareError,
    },
    /// The plan's points times its replications do not fit a run index.
    #[error("too many runs")]
    TooManyRuns,
    /// The output folder may not be written (see [`crate::outdir`]); the text is complete.
    #[error("{0}")]
    Refused(Refusal),
    /// The output folder holds files and neither `--resume` nor `--force` was given.
    #[error("{} is not empty: {}", dir.display(), if *is_sweep { "pass --resume to continue it, or --force to start over" } else { "it is not a casus sweep; choose another --out" })]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
        /// Whether it holds a sweep (a manifest.json).
        is_sweep: bool,
    },
    /// `--resume` in a folder without a manifest.
    #[error("--resume: {} has no manifest.json; it is not a sweep", dir.display())]
    ResumeNotASweep {
        /// The folder.
        dir: PathBuf,
    },
    /// `--resume` in a folder whose manifest does not parse.
    #[error("--resume: {}: {source}", path.display())]
    ResumeBadManifest {
        /// The manifest.
        path: PathBuf,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// `--resume` in a folder of another sweep.
    #[error(
        "--resume: {} holds a different sweep (plan, scenario, shard or --events differ); resume with the same arguments",
        dir.display()
    )]
    ResumeOtherSweep {
        /// The folder.
        dir: PathBuf,
    },
    /// `--resume` in a folder written by a casus whose outputs have other columns.
    #[error(
        "--resume: {} was written by an older casus (its runs.csv has other columns: output format {found}, this casus writes {expected}): start over with --force",
        dir.display()
    )]
    ResumeOldFormat {
        /// The folder.
        dir: PathBuf,
        /// The folder's output format.
        found: u32,
        /// This casus's.
        expected: u32,
    },
    /// `--resume` with `--jsonl` of a sweep started without it, or the other way round.
    #[error("--resume: {} was started {}; resume with the same arguments", dir.display(), if *had { "with --jsonl" } else { "without --jsonl" })]
    ResumeJsonl {
        /// The folder.
        dir: PathBuf,
        /// Whether it was started with `--jsonl`.
        had: bool,
    },
    /// `--resume` found a saved run changed after it was written (its lines no longer match
    /// their checksums, or lines beyond the runs saved other than one torn run).
    #[error(
        "--resume: {}: line {line}: {what}; the saved runs were changed after casus wrote them: restore the files, or start over with --force",
        path.display()
    )]
    ResumeDamaged {
        /// The file.
        path: PathBuf,
        /// Its line (from 1).
        line: u64,
        /// What is wrong.
        what: String,
    },
    /// `--resume` in a folder whose saved runs have no checksums (written by an older casus).
    #[error(
        "--resume: {} holds runs but no {}, so they cannot be verified (the folder was written by an older casus): finish it with the casus that began it, or run the same sweep with --force instead of --resume to start it over (its saved runs are replaced)",
        dir.display(),
        crate::sweep::prefix::SUMS
    )]
    ResumeNoChecksums {
        /// The folder.
        dir: PathBuf,
    },
    /// A design point could not be prepared while running (the points are checked before, so
    /// this is not expected).
    #[error("design point {point}: {source}")]
    Point {
        /// The point.
        point: u64,
        /// Why it could not be prepared.
        source: PrepareError,
    },
    /// A run failed (an event storm, too many events).
    #[error("run {run} (point {point}, seed {seed}): {source}")]
    Run {
        /// The run index.
        run: u64,
        /// Its design point.
        point: u64,
        /// Its seed.
        seed: u64,
        /// What went wrong.
        source: RunError,
    },
    /// The caller asked the sweep to stop (Ctrl-C); every finished run is saved.
    #[error("{saved} of {total} runs are saved in {}; continue with the same command and --resume", dir.display())]
    Interrupted {
        /// Runs saved in this shard.
        saved: u64,
        /// Runs in this shard.
        total: u64,
        /// The sweep folder.
        dir: PathBuf,
    },
    /// The workers stopped before every run was done, without being asked to.
    #[error("the sweep stopped after {saved} of {total} runs")]
    Stopped {
        /// Runs saved in this shard.
        saved: u64,
        /// Runs in this shard.
        total: u64,
    },
    /// A row of a finished sweep's runs.csv does not read.
    #[error("{}: line {line}: {what}", path.display())]
    BadRow {
        /// runs.csv.
        path: PathBuf,
        /// Its line (from 1).
        line: u64,
        /// Why it does not read.
        what: String,
    },
    /// runs.parquet or points.parquet could not be written.
    #[error("{}: {what}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the Parquet writer said.
        what: String,
    },
    /// `casus merge` with no folder.
    #[error("merge needs at least one folder")]
    NothingToMerge,
    /// A folder given to merge has no manifest.
    #[error("{} has no manifest.json; it is not a sweep folder", dir.display())]
    MergeNotASweep {
        /// The folder.
        dir: PathBuf,
    },
    /// A folder given to merge has a manifest that does not parse.
    #[error("{}: {source}", path.display())]
    MergeBadManifest {
        /// The manifest.
        path: PathBuf,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// A folder given to merge is a shard of another sweep (or of the same plan with other
    /// options: `--events`, `--jsonl`, or written by a casus with another output format).
    #[error("{} is a shard of a different sweep (plan {} vs {}, {shards} shards vs {first_shards}, or --events, --jsonl or the casus version differ)", dir.display(), &plan_hash[..12], &first_plan_hash[..12])]
    ForeignShard {
        /// The folder.
        dir: PathBuf,
        /// Its plan hash.
        plan_hash: String,
        /// The first folder's plan hash.
        first_plan_hash: String,
        /// Its number of shards.
        shards: u64,
        /// The first folder's.
        first_shards: u64,
    },
    /// A shard given to merge is not finished.
    #[error("{} is incomplete (shard {k}/{n}); finish it with --resume first", dir.display())]
    IncompleteShard {
        /// The folder.
        dir: PathBuf,
        /// Its shard.
        k: u64,
        /// Number of shards.
        n: u64,
    },
    /// The same shard is given twice.
    #[error("shard {k}/{n} is given twice ({} and {})", first.display(), second.display())]
    DuplicateShard {
        /// The shard.
        k: u64,
        /// Number of shards.
        n: u64,
        /// The folder given first.
        first: PathBuf,
        /// The folder given again.
        second: PathBuf,
    },
    /// Shards are missing.
    #[error("missing shards: {}", missing.iter().map(|k| format!("{k}/{n}")).collect::<Vec<_>>().join(", "))]
    MissingShards {
        /// The missing shards.
        missing: Vec<u64>,
        /// Number of shards.
        n: u64,
    },
    /// Merge into a folder that holds files, without `--force`.
    #[error("{} is not empty; choose another --out (or --force to replace a sweep folder)", dir.display())]
    MergeNotEmpty {
        /// The folder.
        dir: PathBuf,
    },
    /// `casus merge` found a shard's saved run changed after it was written (its lines no
    /// longer match their checksums), missing, or lines after its last run.
    #[error(
        "{}: line {line}: {what}; the shard was changed after casus wrote it: restore its files, or run the shard again (casus sweep ... --shard K/N --out DIR --force)",
        path.display()
    )]
    ShardDamaged {
        /// The file.
        path: PathBuf,
        /// Its line (from 1).
        line: u64,
        /// What is wrong.
        what: String,
    },
    /// `casus merge` of a shard folder without checksums (written by an older casus).
    #[error(
        "{} holds runs but no {}, so they cannot be verified (the folder was written by an older casus): run the shard again with this casus (casus sweep ... --shard K/N --out DIR --force), then merge",
        dir.display(),
        crate::sweep::prefix::SUMS
    )]
    MergeNoChecksums {
        /// The folder.
        dir: PathBuf,
    },
    /// A shard's runs.jsonl ends early.
    #[error("shard {k}/{n} ends before run {run}")]
    ShardEnds {
        /// The shard.
        k: u64,
        /// Number of shards.
        n: u64,
        /// The first run missing.
        run: u64,
    },
    /// A shard's row does not read.
    #[error("shard {k}: {what}")]
    ShardBadRow {
        /// The shard.
        k: u64,
        /// Why the row does not read.
        what: String,
    },
    /// A shard's row is out of order.
    #[error("shard {k}/{n} has run {found} where {expected} was expected")]
    ShardOutOfOrder {
        /// The shard.
        k: u64,
        /// Number of shards.
        n: u64,
        /// The run it holds.
        found: u64,
        /// The run it should hold.
        expected: u64,
    },
    /// A shard's events files end early.
    #[error("shard {k}: events end before run {run}")]
    ShardEventsEnd {
        /// The shard.
        k: u64,
        /// The first run missing.
        run: u64,
    },
}

impl SweepError {
    /// Whether the input is at fault (a plan, a folder or shards that do not fit), rather than
    /// the system or a run.
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            SweepError::Io { .. }
                | SweepError::Run { .. }
                | SweepError::Interrupted { .. }
                | SweepError::Stopped { .. }
                | SweepError::BadRow { .. }
                | SweepError::Parquet { .. }
        )
    }

    /// An [`SweepError::Io`] maker for `map_err`.
    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
        move |source| SweepError::Io { path: path.to_path_buf(), source }
    }
}

/// A design point as `name=value` pairs separated by spaces.
pub fn describe_point(p: &Point) -> String {
    p.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(" ")
}
