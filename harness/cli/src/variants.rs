//! `ucwa-conform variants`: the whole suite against every conformant variant of the reference
//! server, and against all of them at once, each on its own embedded server (design section
//! 12). A variant is a server that is right, so any verdict but pass is a false failure of the
//! suite: the answer is a fairer case, never a narrower variant.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness_core::loader::Suite;
use harness_core::outcome::{RunReport, Verdict};
use harness_refserver::{ServerConfig, Variant, Variants};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::exec::ExecOptions;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::args::VariantsArgs;
use crate::embedded::{EmbeddedError, run_suite_on};
use crate::exit;

/// The name of the run with every variant at once.
pub const ALL: &str = "all";
/// The name of the run with none: the reference server's own choices.
pub const NONE: &str = "none";

/// One run that did not pass on a variant.
#[derive(Debug, Clone, Serialize)]
pub struct FalseFailure {
    /// `case-id[row]/format`.
    pub run: String,
    pub verdict: Verdict,
    pub reason: String,
}

/// One variant's result (or `all`'s).
#[derive(Debug, Clone, Serialize)]
pub struct VariantOutcome {
    pub name: String,
    pub kind: String,
    /// The choice it makes, with the OP or digest section that allows it.
    pub choice: String,
    /// Runs judged, and how many passed.
    pub runs: usize,
    pub passed: usize,
    /// Every run with another verdict than pass: a false failure of the suite.
    pub failures: Vec<FalseFailure>,
    /// Set when the suite could not run at all (the server did not start, or sign-in failed).
    pub error: Option<String>,
    pub duration_secs: f64,
    /// The conditional steps (`case-id`, step) this run took.
    #[serde(skip)]
    pub branches: BTreeSet<(String, String)>,
}

impl VariantOutcome {
    /// Every run passed, and some ran.
    pub fn passes(&self) -> bool {
        self.error.is_none()
            && self.failures.is_empty()
            && self.runs > 0
            && self.passed == self.runs
    }
}

/// The whole catalogue's result, as written to `reports/variants.json`.
#[derive(Debug, Clone, Serialize)]
pub struct VariantsReport {
    /// Variants in the catalogue that ran (`all` not counted).
    pub variants: usize,
    /// Of the runs (each variant and `all`), how many passed everything.
    pub passing: usize,
    /// Names of the runs with a false failure.
    pub failing: Vec<String>,
    /// case run -> the variants it failed on: the matrix.
    pub matrix: BTreeMap<String, Vec<String>>,
    /// Conditional steps (`when:`) that no run took: a documented answer nobody has seen pass.
    pub unexercised_branches: Vec<String>,
    pub duration_secs: f64,
    pub results: Vec<VariantOutcome>,
}

/// Runs the suite against one set of variants on its own server.
async fn run_variants(
    suite: Arc<Suite>,
    name: String,
    variants: Variants,
    exec: ExecOptions,
) -> VariantOutcome {
    let started = Instant::now();
    let one = (variants.len() == 1)
        .then(|| variants.iter().next().copied())
        .flatten();
    let mut outcome = VariantOutcome {
        kind: one.map_or("combined", Variant::kind).to_owned(),
        choice: one
            .map_or("every variant at once", Variant::choice)
            .to_owned(),
        name,
        runs: 0,
        passed: 0,
        failures: Vec::new(),
        error: None,
        duration_secs: 0.0,
        branches: BTreeSet::new(),
    };
    // Snapshots belong to a target (design section 13): a variant is another server, so it
    // records its own, in a folder of its own that nothing else sees.
    let snapshots = scratch_dir(&outcome.name);
    let exec = ExecOptions {
        snapshots: SnapshotStore {
            dir: snapshots.clone(),
            policy: UpdatePolicy::Never,
            record_missing: true,
        },
        ..exec
    };
    let config = ServerConfig {
        variants,
        ..ServerConfig::default()
    };
    match run_suite_on(suite.clone(), config, exec).await {
        Ok(report) => {
            outcome.branches = taken_branches(&suite, &report);
            outcome.runs = report.cases.len();
            outcome.passed = report
                .cases
                .iter()
                .filter(|c| crate::gate::clears(c.verdict))
                .count();
            outcome.failures = report
                .cases
                .iter()
                .filter(|c| !crate::gate::clears(c.verdict))
                .map(|c| FalseFailure {
                    run: c.name.clone(),
                    verdict: c.verdict,
                    reason: c.reason.clone().unwrap_or_default(),
                })
                .collect();
        }
        Err(EmbeddedError::Start(e) | EmbeddedError::SignIn(e)) => outcome.error = Some(e),
    }
    let _ = std::fs::remove_dir_all(&snapshots);
    outcome.duration_secs = started.elapsed().as_secs_f64();
    outcome
}

/// The `when:` steps of `suite` that ran (were not skipped) somewhere in `report`.
fn taken_branches(suite: &Suite, report: &RunReport) -> BTreeSet<(String, String)> {
    let mut taken = BTreeSet::new();
    for case in &report.cases {
        let Some(sc) = suite.get(&case.case_id) else {
            continue;
        };
        for step in sc.plan.steps.iter().filter(|s| s.when.is_some()) {
            if case
                .steps
                .iter()
                .any(|s| s.name == step.name && s.verdict != Verdict::Skip)
            {
                taken.insert((case.case_id.clone(), step.name.clone()));
            }
        }
    }
    taken
}

/// Every `when:` step of the suite, as (`case-id`, step name).
fn all_branches(suite: &Suite) -> BTreeSet<(String, String)> {
    suite
        .cases
        .iter()
        .flat_map(|sc| {
            sc.plan
                .steps
                .iter()
                .filter(|step| step.when.is_some())
                .map(|step| (sc.case.id.value.clone(), step.name.clone()))
        })
        .collect()
}

fn scratch_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ucwa-conform-variant-{}-{name}",
        std::process::id()
    ))
}

/// What to run: the reference server's own choices, each selected variant alone, then (with
/// more than one) all of them together.
fn selection(only: &[String]) -> Result<Vec<(String, Variants)>, String> {
    if let Some(unknown) = only
        .iter()
        .find(|o| o.as_str() != ALL && Variant::from_name(o).is_none())
    {
        return Err(format!(
            "error: no variant `{unknown}` (hint: `ucwa-conform variants` lists them all)"
        ));
    }
    let chosen: Vec<Variant> = Variant::all()
        .into_iter()
        .filter(|v| only.is_empty() || only.iter().any(|o| o == v.name()))
        .collect();
    let mut runs: Vec<(String, Variants)> = vec![(NONE.to_owned(), Variants::new())];
    runs.extend(
        chosen
            .iter()
            .map(|v| (v.name().to_owned(), Variants::from([*v]))),
    );
    let want_all = only.is_empty() || only.iter().any(|o| o == ALL);
    if want_all {
        runs.push((ALL.to_owned(), Variant::all().into_iter().collect()));
    }
    Ok(runs)
}

/// Runs every selected variant and prints the matrix.
pub async fn cmd_variants(args: VariantsArgs) -> i32 {
    let suite = match crate::setup::load(&args.cases) {
        Ok((suite, _)) => Arc::new(suite),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    let runs = match selection(&args.only) {
        Ok(runs) => runs,
        Err(message) => {
            eprintln!("{message}");
            return exit::USAGE;
        }
    };
    // The same deadlines as `run`: a variant may take as long as any right server.
    let exec = ExecOptions {
        snapshots: SnapshotStore {
            dir: PathBuf::new(),
            policy: UpdatePolicy::Never,
            record_missing: true,
        },
        request_timeout: Duration::from_secs(10),
        shrink_time: Duration::ZERO,
        events_within_cap: None,
    };
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(args.jobs.unwrap_or(8).max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    // The run with every variant is the longest (it holds events for windows and waits real
    // time for long polls): start it first, so it does not finish last on its own.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&i| runs[i].0 != ALL);
    for index in order {
        let (name, variants) = runs[index].clone();
        let suite = suite.clone();
        let exec = exec.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            (index, run_variants(suite, name, variants, exec).await)
        });
    }
    let mut results: Vec<Option<VariantOutcome>> = vec![None; runs.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, outcome)) => results[index] = Some(outcome),
            Err(e) => eprintln!("error: a variant's run was lost: {e}"),
        }
    }
    // A run that was lost is a failure of the command, never a silent pass.
    let results: Vec<VariantOutcome> = results
        .into_iter()
        .zip(&runs)
        .map(|(r, (name, _))| r.unwrap_or_else(|| lost(name)))
        .collect();
    // Branches are judged over the whole catalogue only: a selection sees some of them.
    let branches = args.only.is_empty().then(|| all_branches(&suite));
    let report = summarize(results, branches, started.elapsed().as_secs_f64());
    print_matrix(&report);
    let path = args.report_dir.join("variants.json");
    let written = std::fs::create_dir_all(&args.report_dir).and_then(|()| {
        let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        std::fs::write(&path, text)
    });
    match written {
        Ok(()) => say!("report: {}", path.display()),
        Err(e) => eprintln!("error: failed to write {}: {e}", path.display()),
    }
    if report.failing.is_empty()
        && report.passing == report.results.len()
        && report.unexercised_branches.is_empty()
    {
        exit::OK
    } else {
        exit::FAILURES
    }
}

fn lost(name: &str) -> VariantOutcome {
    VariantOutcome {
        name: name.to_owned(),
        kind: String::new(),
        choice: String::new(),
        runs: 0,
        passed: 0,
        failures: Vec::new(),
        error: Some("the run was lost (its task panicked)".into()),
        duration_secs: 0.0,
        branches: BTreeSet::new(),
    }
}

/// Counts, the case x variant matrix, and (given every branch of the suite) the branches that
/// no run took.
pub fn summarize(
    results: Vec<VariantOutcome>,
    branches: Option<BTreeSet<(String, String)>>,
    duration_secs: f64,
) -> VariantsReport {
    let mut matrix: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &results {
        for f in &r.failures {
            matrix
                .entry(f.run.clone())
                .or_default()
                .push(r.name.clone());
        }
    }
    let taken: BTreeSet<&(String, String)> = results.iter().flat_map(|r| &r.branches).collect();
    let unexercised_branches = branches
        .unwrap_or_default()
        .iter()
        .filter(|b| !taken.contains(b))
        .map(|(case, step)| format!("{case} step {step}"))
        .collect();
    VariantsReport {
        variants: results
            .iter()
            .filter(|r| r.name != ALL && r.name != NONE)
            .count(),
        passing: results.iter().filter(|r| r.passes()).count(),
        failing: results
            .iter()
            .filter(|r| !r.passes())
            .map(|r| r.name.clone())
            .collect(),
        matrix,
        unexercised_branches,
        duration_secs,
        results,
    }
}

fn print_matrix(report: &VariantsReport) {
    let width = report
        .results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(8);
    for r in &report.results {
        let state = if r.passes() { "passes" } else { "FAILS" };
        let detail = match (&r.error, r.failures.len()) {
            (Some(e), _) => e.clone(),
            (None, 0) => format!("{}/{} runs", r.passed, r.runs),
            (None, n) => {
                let first: Vec<String> = r
                    .failures
                    .iter()
                    .take(3)
                    .map(|f| format!("{} ({})", f.run, f.verdict.name()))
                    .collect();
                let more = if n > 3 {
                    format!(" (+{} more)", n - 3)
                } else {
                    String::new()
                };
                format!("{}{more}", first.join(", "))
            }
        };
        say!("{:width$}  {:14}  {state:6}  {detail}", r.name, r.kind);
    }
    say!(
        "{} of {} runs pass every case (the reference server, {} variants, all together); {:.2} s",
        report.passing,
        report.results.len(),
        report.variants,
        report.duration_secs
    );
    if !report.unexercised_branches.is_empty() {
        say!("branches no server took (a documented answer nobody has seen pass):");
        for b in &report.unexercised_branches {
            say!("  {b}");
        }
    }
    if !report.matrix.is_empty() {
        say!("false failures (case run: variants):");
        for (run, variants) in &report.matrix {
            say!("  {run}: {}", variants.join(", "));
        }
        for r in &report.results {
            for f in &r.failures {
                say!(
                    "  [{}] {} {}: {}",
                    r.name,
                    f.run,
                    f.verdict.name(),
                    f.reason
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(name: &str, runs: usize, failures: Vec<FalseFailure>) -> VariantOutcome {
        VariantOutcome {
            name: name.into(),
            kind: "k".into(),
            choice: "c".into(),
            runs,
            passed: runs - failures.len(),
            failures,
            error: None,
            duration_secs: 0.0,
            branches: BTreeSet::new(),
        }
    }

    #[test]
    fn a_variant_passes_only_when_every_run_passed_and_some_ran() {
        assert!(outcome("a", 3, vec![]).passes());
        assert!(!outcome("a", 0, vec![]).passes(), "nothing ran: no proof");
        let skip = FalseFailure {
            run: "x/json".into(),
            verdict: Verdict::Skip,
            reason: "skipped".into(),
        };
        assert!(
            !outcome("a", 3, vec![skip.clone()]).passes(),
            "a skip is no pass"
        );
        let mut errored = outcome("a", 3, vec![]);
        errored.error = Some("no server".into());
        assert!(!errored.passes());
        let report = summarize(
            vec![
                outcome(NONE, 3, vec![]),
                outcome("a", 3, vec![skip]),
                outcome(ALL, 3, vec![]),
            ],
            None,
            0.0,
        );
        assert_eq!(report.failing, vec!["a".to_owned()]);
        assert_eq!(report.matrix["x/json"], vec!["a".to_owned()]);
        assert_eq!(report.variants, 1);
    }

    #[test]
    fn a_branch_no_run_took_is_reported() {
        let branch = |c: &str, s: &str| (c.to_owned(), s.to_owned());
        let mut refused = outcome(NONE, 3, vec![]);
        refused.branches.insert(branch("c", "refused"));
        let mut clamped = outcome("duration-clamped", 3, vec![]);
        clamped.branches.insert(branch("c", "clamped"));
        let every = BTreeSet::from([
            branch("c", "refused"),
            branch("c", "clamped"),
            branch("d", "never"),
        ]);
        let report = summarize(vec![refused, clamped], Some(every), 0.0);
        assert_eq!(report.unexercised_branches, vec!["d step never".to_owned()]);
    }

    #[test]
    fn the_selection_is_each_variant_then_all_together() {
        let runs = selection(&[]).expect("every variant");
        assert_eq!(runs.len(), Variant::all().len() + 2);
        assert_eq!(runs[0], (NONE.to_owned(), Variants::new()));
        assert_eq!(runs.last().map(|r| r.0.as_str()), Some(ALL));
        assert_eq!(runs.last().map(|r| r.1.len()), Some(Variant::all().len()));
        let one = selection(&["extend-201".into()]).expect("one");
        assert_eq!(one.len(), 2, "the reference server, and the one");
        assert!(selection(&["nonsense".into()]).is_err());
    }
}
