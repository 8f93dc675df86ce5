//! Times loading case folders the way the CLI does (issue 13: a 2,000-step case loads in
//! under 50 ms, and the cost per step does not grow with the case's length).
//!
//! ```text
//! cargo run --release -p harness-core --example load_time -- [--runs N] DIR...
//! ```
//!
//! Each `DIR` is a case folder (e.g. the `cases` folder that `ucwa-conform bench --vs-hurl
//! --work-dir W` keeps under `W/nN/`). For each, prints the median, minimum and maximum of
//! `N` loads (default 5) and the median per step; a folder that does not load is timed too,
//! with its number of errors, since reporting errors must not be slow either.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use harness_core::checklist::load_checklist;
use harness_core::loader::{CHECKLIST_FILE, load_suite};

fn main() -> ExitCode {
    let mut runs = 5_usize;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => {
                    eprintln!("`--runs` needs a positive number");
                    return ExitCode::from(2);
                }
            }
        } else {
            dirs.push(PathBuf::from(arg));
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: load_time [--runs N] DIR...");
        return ExitCode::from(2);
    }
    for dir in &dirs {
        match time_dir(dir, runs) {
            Ok(line) => println!("{line}"),
            Err(err) => {
                eprintln!("{}: {err}", dir.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// What one load found.
enum Loaded {
    Steps(usize),
    Errors(usize),
}

/// Loads `dir` `runs` times, as `harness-cli`'s `setup::load` does, and describes the timings.
fn time_dir(dir: &Path, runs: usize) -> Result<String, String> {
    let mut times = Vec::with_capacity(runs);
    let mut loaded = Loaded::Steps(0);
    for _ in 0..runs {
        let start = Instant::now();
        let checklist_path = dir.join(CHECKLIST_FILE);
        let checklist = if checklist_path.exists() {
            Some(load_checklist(&checklist_path).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let outcome = load_suite(dir, checklist.as_ref());
        times.push(start.elapsed());
        loaded = match outcome {
            Ok(suite) => Loaded::Steps(suite.cases.iter().map(|c| c.plan.steps.len()).sum()),
            Err(errs) => Loaded::Errors(errs.errors.len()),
        };
    }
    times.sort();
    let median = times[times.len() / 2];
    let what = match loaded {
        Loaded::Steps(steps) => {
            let per_step = median / u32::try_from(steps.max(1)).unwrap_or(u32::MAX);
            format!(
                "{steps} steps, {:.1} µs per step",
                per_step.as_secs_f64() * 1e6
            )
        }
        Loaded::Errors(errors) => format!("{errors} errors"),
    };
    Ok(format!(
        "{}: {what}, median {} (min {}, max {}, {runs} runs)",
        dir.display(),
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
    ))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
