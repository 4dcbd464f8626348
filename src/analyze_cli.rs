//! `casus analyze`: the command-line layer over [`casus::sweep::analyze`].

use std::path::PathBuf;

use crate::{Fail, bad};

/// Arguments of `casus analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// A finished sweep folder (casus sweep --out) made with --design sobol:N or morris:R.
    dir: PathBuf,
    /// Analyse only this outcome (repeatable; default: every yes/no and numeric outcome).
    #[arg(long = "outcome", value_name = "NAME")]
    outcomes: Vec<String>,
    /// Print the indices as JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// `casus analyze`.
pub fn cmd_analyze(a: AnalyzeArgs) -> Result<(), Fail> {
    if !a.dir.is_dir() {
        return Err(bad(format!("error: {} is not a folder; give the --out folder of a casus sweep", a.dir.display())));
    }
    // It writes sensitivity.csv into the folder: no other command may write it meanwhile.
    let _lock = casus::outdir::Lock::acquire(&a.dir).map_err(|r| bad(r.0))?;
    let fail =
        |e: casus::sweep::analyze::AnalyzeError| Fail { code: if e.input { 2 } else { 1 }, message: format!("error: {}", e.message) };
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
