//! The sweeps across machines of docs/sweeps.md ("Beyond one machine"), run for real: the Slurm
//! job array script (`scripts/slurm_sweep.sh`, shown verbatim in the doc) submitted unchanged to
//! a running Slurm cluster, one of its tasks requeued mid-run, the shards merged with the doc's
//! `casus merge` command; and the GNU parallel recipe (`scripts/parallel_sweep.sh`, also shown
//! verbatim) run on this machine. Each merged folder must be byte-identical, file for file, to
//! the unsharded sweep of the same plan.
//!
//! The Slurm test needs `sbatch`, `squeue` and `scontrol` on PATH and a cluster that answers
//! `sinfo` (`.ci/slurm-up` starts a one-node cluster on this machine, as root); the parallel test
//! needs GNU parallel. Without them each prints `SKIPPED (...)` with the reason, unless
//! `CASUS_REQUIRE_SLURM=1` or `CASUS_REQUIRE_PARALLEL=1` is set (as `.ci/run` does), which makes
//! it a failure. The job scripts find casus through `CASUS`, set here to the test's binary
//! (`sbatch` passes the environment on), and run `CASUS_RUNS` runs per design point.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

mod common;
use common::{repo, scratch, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_casus");
/// The plan both scripts sweep (a path relative to the folder they run in).
const PLAN: &str = "scenarios/sweeps/nigeria_war_opposition.ron";
/// Runs per design point (the plan has 5 points): enough that a shard runs for some seconds even
/// on an idle machine, so that the requeue (which takes effect within a second) lands mid-run.
const RUNS: &str = "800";

fn note(text: &str) {
    // Written to stderr directly so that it shows in a passing run's output.
    std::io::Write::write_all(&mut std::io::stderr(), format!("{text}\n").as_bytes()).unwrap();
}

/// Whether `program args` runs and succeeds: its output, or why not.
fn try_run(program: &str, args: &[&str]) -> Result<Output, String> {
    match Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => Ok(o),
        Ok(o) => Err(format!("`{program} {}` failed: {}", args.join(" "), stderr(&o).trim())),
        Err(e) => Err(format!("no `{program}` ({e})")),
    }
}

/// Prints `SKIPPED (test): why`, or fails when the variable `require` is set to 1.
fn skip(test: &str, require: &str, why: &str) {
    assert!(std::env::var(require).as_deref() != Ok("1"), "{test}: {why}; {require}=1 is set");
    note(&format!("\nSKIPPED ({test}): {why}"));
}

/// A scratch folder where the scripts run as from the repository's root: `scenarios` links to
/// the repository's.
fn workdir(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::os::unix::fs::symlink(repo().join("scenarios"), dir.join("scenarios")).unwrap();
    dir
}

/// The unsharded sweep of the scripts' plan, in `dir/whole`.
fn unsharded(dir: &Path) {
    let o = Command::new(BIN).args(["sweep", PLAN, "--runs", RUNS, "--out", "whole", "--quiet"]).current_dir(dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The two folders hold the same files, byte for byte.
fn same_folder(whole: &Path, merged: &Path) {
    let names = files(whole);
    assert_eq!(names, files(merged), "{} and {} hold different files", whole.display(), merged.display());
    assert!(names.iter().any(|n| n == Path::new("runs.csv")), "{names:?}");
    for n in &names {
        assert!(std::fs::read(whole.join(n)).unwrap() == std::fs::read(merged.join(n)).unwrap(), "{} differs", n.display());
    }
    note(&format!("merged == unsharded, byte for byte: {}", names.iter().map(|n| n.display().to_string()).collect::<Vec<_>>().join(" ")));
}

/// The doc's merge command for the shards (`... merge shards/* --out DIR`), run with bash in
/// `dir`; returns DIR.
fn merge_as_documented(dir: &Path) -> PathBuf {
    let doc = std::fs::read_to_string(repo().join("docs/sweeps.md")).unwrap();
    let line =
        doc.lines().find(|l| l.starts_with('"') && l.contains(" merge shards/* --out ")).expect("docs/sweeps.md shows the merge command");
    let o = Command::new("bash").args(["-c", line]).env("CASUS", BIN).current_dir(dir).output().unwrap();
    assert!(o.status.success(), "`{line}`: {}", stderr(&o));
    dir.join(line.rsplit(' ').next().unwrap())
}

#[test]
fn the_documented_job_scripts_are_the_files_in_scripts() {
    let doc = std::fs::read_to_string(repo().join("docs/sweeps.md")).unwrap();
    for script in ["scripts/slurm_sweep.sh", "scripts/parallel_sweep.sh"] {
        let text = std::fs::read_to_string(repo().join(script)).unwrap();
        assert!(doc.contains(&format!("```sh\n{text}```\n")), "docs/sweeps.md must show {script} verbatim, in a ```sh block");
    }
}

/// `(task id, state, restarts, exit code)` of each started task of array job `job`, by task id.
fn tasks(job: &str) -> Vec<(u32, String, u32, String)> {
    let o = try_run("scontrol", &["show", "job", job, "-o"]).unwrap();
    let field = |line: &str, key: &str| -> String {
        line.split_whitespace().find_map(|w| w.strip_prefix(key)).unwrap_or_else(|| panic!("no {key} in {line}")).to_string()
    };
    // Tasks not started yet are listed together (`ArrayTaskId=2-3`): left out.
    let mut out: Vec<(u32, String, u32, String)> = stdout(&o)
        .lines()
        .filter_map(|l| {
            Some((
                field(l, "ArrayTaskId=").parse().ok()?,
                field(l, "JobState="),
                field(l, "Restarts=").parse().ok()?,
                field(l, "ExitCode="),
            ))
        })
        .collect();
    out.sort();
    out
}

/// Saved runs of a shard folder (lines of its checksums.jsonl) and its manifest's status.
fn progress(shard: &Path) -> (usize, String) {
    let saved = std::fs::read(shard.join("checksums.jsonl")).map(|b| b.iter().filter(|c| **c == b'\n').count()).unwrap_or(0);
    let manifest = std::fs::read_to_string(shard.join("manifest.json")).unwrap_or_default();
    let status = manifest.split("\"status\": \"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string();
    (saved, status)
}

/// Waits until `f` is true, or fails after `limit` with the job's logs.
fn wait_for(what: &str, dir: &Path, limit: Duration, mut f: impl FnMut() -> bool) {
    // Counted in polls (no clock: the crate's lints keep wall-clock time out of casus).
    let poll = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while !f() {
        if waited > limit {
            let logs: String = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("slurm-"))
                .map(|e| format!("{}:\n{}", e.path().display(), std::fs::read_to_string(e.path()).unwrap_or_default()))
                .collect();
            panic!(
                "{what}: not after {limit:?}; squeue:\n{}\njob logs:\n{logs}",
                try_run("squeue", &[]).map(|o| stdout(&o)).unwrap_or_default()
            );
        }
        std::thread::sleep(poll);
        waited += poll;
    }
}

fn slurm_or_skip() -> bool {
    let test = "slurm";
    for tool in ["sbatch", "squeue", "scontrol"] {
        if let Err(why) = try_run(tool, &["--version"]) {
            skip(
                test,
                "CASUS_REQUIRE_SLURM",
                &format!("{why}: install Slurm (Debian: slurm-wlm and munge) and start a cluster (.ci/slurm-up)"),
            );
            return false;
        }
    }
    match try_run("sinfo", &["-h", "-o", "%n %T"]) {
        Ok(o) if !stdout(&o).trim().is_empty() => {
            note(&format!("slurm: nodes (name state): {}", stdout(&o).trim()));
            true
        }
        Ok(_) => {
            skip(test, "CASUS_REQUIRE_SLURM", "sinfo shows no node: start a cluster (.ci/slurm-up)");
            false
        }
        Err(why) => {
            skip(test, "CASUS_REQUIRE_SLURM", &format!("{why}: no cluster answers; start one (.ci/slurm-up)"));
            false
        }
    }
}

#[test]
fn a_slurm_job_array_of_the_documented_script_with_a_requeued_task_merges_to_the_unsharded_sweep() {
    if !slurm_or_skip() {
        return;
    }
    let dir = workdir("slurm");
    unsharded(&dir);

    // The script as documented; the array size and CPUs per task given on the command line,
    // which overrides the script's #SBATCH lines, to fit a small cluster.
    let o = Command::new("sbatch")
        .args(["--parsable", "--array=0-3", "--cpus-per-task=1", "--time=00:10:00", "--output=slurm-%A_%a.out"])
        .arg(repo().join("scripts/slurm_sweep.sh"))
        .env("CASUS", BIN)
        .env("CASUS_RUNS", RUNS)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "sbatch: {}", stderr(&o));
    let job = stdout(&o).trim().split(';').next().unwrap().to_string();

    // Requeue task 1 once it has saved some runs: Slurm kills it, and runs the script again.
    let shard = dir.join("shards/1");
    wait_for("task 1 saves runs", &dir, Duration::from_secs(300), || progress(&shard).0 >= 10);
    let task = format!("{job}_1");
    try_run("scontrol", &["requeue", &task]).unwrap();
    // Pending again (for at least the cluster's cred_expire) once its processes are gone.
    wait_for("task 1 is requeued", &dir, Duration::from_secs(60), || tasks(&job).iter().any(|t| t.0 == 1 && t.2 == 1 && t.1 == "PENDING"));
    let (saved, status) = progress(&shard);
    let total = RUNS.parse::<usize>().unwrap() * 5 / 4;
    note(&format!("slurm: task {task} requeued with {saved} of {total} runs saved (status {status:?})"));
    assert!(saved < total && status == "running", "the test needs a mid-run requeue: {saved} of {total} runs saved, status {status:?}");

    wait_for("the array finishes", &dir, Duration::from_secs(600), || {
        // A job whose tasks are all done lists nothing (or, once purged, is unknown).
        match try_run("squeue", &["-h", "-j", &job, "-o", "%i"]) {
            Ok(o) => stdout(&o).trim().is_empty(),
            Err(e) => e.contains("Invalid job id"),
        }
    });
    let states = tasks(&job);
    note(&format!("slurm: job {job} done, tasks (id, state, restarts, exit code): {states:?}"));
    assert_eq!(states.iter().map(|t| t.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(states.iter().all(|t| t.1 == "COMPLETED" && t.3 == "0:0"), "{states:?}");
    assert_eq!(states[1].2, 1, "task 1 ran twice: {states:?}");
    assert_eq!(progress(&shard), (total, "complete".to_string()));

    let merged = merge_as_documented(&dir);
    same_folder(&dir.join("whole"), &merged);
}

#[test]
fn the_gnu_parallel_recipe_merges_to_the_unsharded_sweep() {
    let test = "gnu parallel";
    match try_run("parallel", &["--version"]) {
        Ok(o) if stdout(&o).starts_with("GNU parallel") => {}
        Ok(_) => return skip(test, "CASUS_REQUIRE_PARALLEL", "`parallel` on PATH is not GNU parallel (Debian: the parallel package)"),
        Err(why) => return skip(test, "CASUS_REQUIRE_PARALLEL", &format!("{why}: install GNU parallel (Debian: parallel)")),
    }
    let dir = workdir("parallel");
    unsharded(&dir);
    // Two "hosts", both this machine (`:` is GNU parallel's name for it): two shards.
    let o = Command::new("bash")
        .arg(repo().join("scripts/parallel_sweep.sh"))
        .env("CASUS", BIN)
        .env("CASUS_RUNS", RUNS)
        .env("CASUS_HOSTS", ":,:")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "scripts/parallel_sweep.sh: {}\n{}", stdout(&o), stderr(&o));
    let shards: Vec<String> =
        files(&dir.join("shards")).iter().filter(|f| f.ends_with("manifest.json")).map(|f| f.display().to_string()).collect();
    assert_eq!(shards, ["0/manifest.json", "1/manifest.json"]);
    let merged = merge_as_documented(&dir);
    same_folder(&dir.join("whole"), &merged);
}
