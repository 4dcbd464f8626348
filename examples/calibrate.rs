//! Calibration of a scenario against the historical baseline elements (docs/model.md).
//!
//! `cargo run --release --example calibrate -- [SCENARIO] [--runs N] [--set NAME=VALUE]...`
//! runs seeds 1..=N and prints the share of runs matching each element of the 2023 Niger
//! outcome, and the share matching all of them at once.

use std::sync::Mutex;

use casus::engine::Limits;
use casus::engine::run;
use casus::fold::outcomes::Outcomes;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Check = (&'static str, fn(&Outcomes) -> bool);

const CHECKS: &[Check] = &[
    ("suspended within 7 days", |o| o.suspension_day.is_some_and(|d| d <= 7)),
    ("economic sanctions within 7 days", |o| o.sanctions_imposed_day.is_some_and(|d| d <= 7)),
    ("ultimatum issued", |o| o.ultimatum_day.is_some()),
    ("standby force activated", |o| o.standby_force_activated_day.is_some()),
    ("no intervention executed", |o| o.intervention_launched_day.is_none()),
    ("aid suspended by partners", |o| o.aid_suspended_musd > 0.0),
    ("foreign forces expelled", |o| o.foreign_forces_expelled_day.is_some()),
    ("order not restored", |o| o.order_restored_day.is_none()),
    ("economic sanctions lifted after 150-300 days, demand unmet", |o| {
        o.order_restored_day.is_none()
            && o.transition_agreed_day.is_none()
            && o.sanctions_lifted_day.is_some()
            && o.sanctions_days.is_some_and(|d| (150..=300).contains(&d))
    }),
    ("withdrawal announced", |o| o.withdrawal_announced_day.is_some()),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut runs = 1000u64;
    let mut sets = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--set" => sets.push(casus::model::overrides::split(&args.next().expect("--set NAME=VALUE")).expect("NAME=VALUE")),
            _ => path = Some(a),
        }
    }
    let source = match &path {
        Some(p) => std::fs::read_to_string(p).expect("readable scenario"),
        None => include_str!("../scenarios/niger_2023.ron").to_string(),
    };
    let prepared = casus::model::prepared::prepare(&source, &sets).unwrap_or_else(|e| panic!("{}", e.render("scenario", &source)));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u64;
    let results: Mutex<Vec<(u64, Outcomes)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..threads {
            let prepared = &prepared;
            let results = &results;
            s.spawn(move || {
                let mut seed = 1 + t;
                while seed <= runs {
                    let out = run::run(prepared, seed, Limits::default()).expect("run completes");
                    results.lock().expect("lock").push((seed, out.outcomes));
                    seed += threads;
                }
            });
        }
    });
    let results = results.into_inner().expect("lock");
    let n = results.len() as f64;
    println!(
        "{} runs of {}{}",
        results.len(),
        prepared.scenario.name,
        if sets.is_empty() { String::new() } else { format!(" with {sets:?}") }
    );
    for (name, check) in CHECKS {
        let k = results.iter().filter(|(_, o)| check(o)).count();
        println!("{:>6.1}%  {name}", 100.0 * k as f64 / n);
    }
    let all = results.iter().filter(|(_, o)| CHECKS.iter().all(|(_, c)| c(o))).count();
    println!("{:>6.1}%  all elements at once", 100.0 * all as f64 / n);
    let mut lifted: Vec<u32> =
        results.iter().filter_map(|(_, o)| o.sanctions_lifted_day.zip(o.sanctions_imposed_day).map(|(l, i)| l - i)).collect();
    lifted.sort();
    if !lifted.is_empty() {
        println!(
            "sanctions duration when lifted: median {} days, 10%-90% {}-{}",
            lifted[lifted.len() / 2],
            lifted[lifted.len() / 10],
            lifted[lifted.len() * 9 / 10]
        );
    }
    let mut wd: Vec<u32> = results.iter().filter_map(|(_, o)| o.withdrawal_announced_day).collect();
    wd.sort();
    if !wd.is_empty() {
        println!("withdrawal announced: median day {}, 10%-90% {}-{}", wd[wd.len() / 2], wd[wd.len() / 10], wd[wd.len() * 9 / 10]);
    }
    let share = |f: fn(&Outcomes) -> bool| 100.0 * results.iter().filter(|(_, o)| f(o)).count() as f64 / n;
    println!(
        "other: intervention {:.1}%, armed conflict {:.1}%, defence clause invoked {:.1}%, coup failed {:.1}%, transition agreed {:.1}%",
        share(|o| o.intervention_launched_day.is_some()),
        share(|o| o.armed_conflict),
        share(|o| o.defence_clause_invoked),
        share(|o| !o.coup_consolidated),
        share(|o| o.transition_agreed_day.is_some())
    );
    let fought: Vec<&Outcomes> = results.iter().map(|(_, o)| o).filter(|o| o.intervention_launched_day.is_some()).collect();
    if !fought.is_empty() {
        let m = fought.len() as f64;
        let outcome =
            |c: casus::model::event::CombatOutcome| 100.0 * fought.iter().filter(|o| o.intervention_outcome == Some(c)).count() as f64 / m;
        println!(
            "interventions: {} runs; success {:.1}%, stalemate {:.1}%, withdrawal {:.1}%; mean allies committed {:.2} of {:.2} obligated; mean deaths {:.0} military, {:.0} civilian",
            fought.len(),
            outcome(casus::model::event::CombatOutcome::Success),
            outcome(casus::model::event::CombatOutcome::Stalemate),
            outcome(casus::model::event::CombatOutcome::Withdrawal),
            fought.iter().map(|o| f64::from(o.allies_committed)).sum::<f64>() / m,
            fought.iter().map(|o| f64::from(o.allies_obligated)).sum::<f64>() / m,
            fought.iter().map(|o| o.casualties_military as f64).sum::<f64>() / m,
            fought.iter().map(|o| o.casualties_civilian as f64).sum::<f64>() / m,
        );
    }
}
