//! `casus analyze`: the command-line layer over [`casus::sweep::analyze`] (sensitivity indices)
//! and [`casus::sweep::prim`] (scenario discovery, `--discover`).

use std::path::PathBuf;

use crate::{Fail, bad};

/// Arguments of `casus analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// A finished sweep folder (casus sweep --out): made with --design sobol:N or morris:R for
    /// sensitivity indices, of any design with --discover.
    dir: PathBuf,
    /// Analyse only this outcome (repeatable; default: every yes/no and numeric outcome).
    #[arg(long = "outcome", value_name = "NAME")]
    outcomes: Vec<String>,
    /// Scenario discovery (PRIM) instead of indices: the region of the swept parameters where
    /// runs are cases: OUTCOME (a yes/no, or a day: it happened), OUTCOME=VALUE, OUTCOME>N,
    /// OUTCOME>=N, OUTCOME<N or OUTCOME<=N.
    #[arg(long, value_name = "CASE")]
    discover: Option<String>,
    /// With --discover: the share of a box's runs each peel removes.
    #[arg(long, default_value_t = 0.05, value_name = "SHARE")]
    peel_alpha: f64,
    /// With --discover: the share of a box's runs each paste may add.
    #[arg(long, default_value_t = 0.05, value_name = "SHARE")]
    paste_alpha: f64,
    /// With --discover: the smallest share of all runs a box may hold.
    #[arg(long, default_value_t = 0.05, value_name = "SHARE")]
    min_mass: f64,
    /// With --discover: the density (share of cases) the chosen box must reach; the box of
    /// largest coverage that reaches it is chosen.
    #[arg(long, default_value_t = 0.8, value_name = "DENSITY")]
    threshold: f64,
    /// With --discover: choose box N of the peeling trajectory instead (or `last`).
    #[arg(long = "box", value_name = "N")]
    pick: Option<String>,
    /// Print the indices (or the discovery) as JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// `casus analyze`.
pub fn cmd_analyze(a: AnalyzeArgs) -> Result<(), Fail> {
    if !a.dir.is_dir() {
        return Err(bad(format!("error: {} is not a folder; give the --out folder of a casus sweep", a.dir.display())));
    }
    let fail =
        |e: casus::sweep::analyze::AnalyzeError| Fail { code: if e.input { 2 } else { 1 }, message: format!("error: {}", e.message) };
    if a.discover.is_none() && a.pick.is_some() {
        return Err(bad("error: --box chooses a scenario-discovery box; give --discover OUTCOME with it"));
    }
    // It writes sensitivity.csv or discovery.csv into the folder: no other command may write it meanwhile.
    let _lock = casus::outdir::Lock::acquire(&a.dir).map_err(|r| bad(r.0))?;
    if let Some(text) = &a.discover {
        if !a.outcomes.is_empty() {
            return Err(bad("error: --outcome chooses outcomes for sensitivity indices; --discover names its own outcome"));
        }
        let case = casus::sweep::prim::Case::parse(text).map_err(|e| bad(format!("error: {e}")))?;
        let options = casus::sweep::prim::Options {
            peel_alpha: a.peel_alpha,
            paste_alpha: a.paste_alpha,
            min_mass: a.min_mass,
            threshold: a.threshold,
        };
        let pick = match a.pick.as_deref() {
            None => None,
            Some("last") => Some(None),
            Some(n) => Some(Some(
                n.parse::<usize>().map_err(|_| bad(format!("error: --box {n}: give a box number from the trajectory, or last")))?,
            )),
        };
        let discovery = casus::sweep::prim::discover(&a.dir, case, options, pick).map_err(fail)?;
        let written = discovery.write(&a.dir).map_err(fail)?;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&discovery.json()).expect("the discovery serialises"));
        } else {
            print!("{}", discovery.table());
            println!("\nwrote {}", written.display());
        }
        return Ok(());
    }
    let analysis = casus::sweep::analyze::analyze(&a.dir, &a.outcomes).map_err(fail)?;
    let written = analysis.write(&a.dir).map_err(fail)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&analysis.json()).expect("the analysis serialises"));
    } else {
        print!("{}", analysis.table());
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!("\nwrote {}", files.join(", "));
    }
    Ok(())
}
