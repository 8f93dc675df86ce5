//! `ucwa-conform coverage`: the checklist rows, each with the cases that prove it (and how those
//! ended in the last run) and the fault profiles that break it and that those cases are expected
//! to catch (`fixtures/mutants/expected.yaml`). A row without a case, or a `must` row without a
//! profile, is a hole in the suite: exit 1.

use std::collections::BTreeMap;
use std::path::Path;

use harness_core::checklist::{Checklist, coverage};
use harness_core::loader::Suite;
use harness_core::model::Level;
use harness_core::outcome::{CoverageSummary, Verdict, worst};
use serde::Deserialize;

use crate::args::CoverageArgs;
use crate::exit;
use crate::expected::{expected_path, load_expected, must_rows_without_profile, profiles_by_row};
use crate::setup::load;

/// The part of a `report.json` coverage reads.
#[derive(Deserialize)]
struct LastRun {
    cases: Vec<LastCase>,
}

#[derive(Deserialize)]
struct LastCase {
    case_id: String,
    verdict: Verdict,
}

/// The row-coverage summary of a suite, for the reports.
pub fn summary(suite: &Suite, checklist: &Checklist) -> CoverageSummary {
    let rows = coverage(suite, checklist);
    let uncovered: Vec<String> = rows
        .iter()
        .filter(|r| r.cases.is_empty())
        .map(|r| r.row.id.clone())
        .collect();
    CoverageSummary {
        rows: rows.len(),
        covered: rows.len() - uncovered.len(),
        uncovered,
        levels: checklist
            .rows
            .iter()
            .map(|r| (r.id.clone(), r.level))
            .collect(),
        ..CoverageSummary::default()
    }
}

/// Verdicts of the last run per case id: the worst over its rows and formats.
fn last_verdicts(report_dir: &Path) -> Option<BTreeMap<String, Verdict>> {
    let text = std::fs::read_to_string(report_dir.join("report.json")).ok()?;
    let last: LastRun = serde_json::from_str(&text).ok()?;
    let mut out: BTreeMap<String, Verdict> = BTreeMap::new();
    for case in last.cases {
        let slot = out.entry(case.case_id).or_insert(case.verdict);
        *slot = worst(*slot, case.verdict);
    }
    Some(out)
}

pub fn cmd_coverage(args: &CoverageArgs) -> i32 {
    let (suite, checklist) = match load(&args.cases) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    let Some(checklist) = checklist else {
        eprintln!(
            "error: no checklist at {} (hint: copy the rows to prove there)",
            args.cases.join(crate::setup::CHECKLIST_FILE).display()
        );
        return exit::USAGE;
    };
    let verdicts = last_verdicts(&args.report_dir);
    let expected_file = expected_path(args.expected.as_deref());
    let expected = match load_expected(&expected_file) {
        Ok(expected) => expected,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let by_row = expected
        .as_ref()
        .map(|e| profiles_by_row(e, &suite))
        .unwrap_or_default();
    let last_mutants = last_mutants(&args.report_dir);
    let rows = coverage(&suite, &checklist);
    let width = rows.iter().map(|r| r.row.id.len()).max().unwrap_or(10);
    for row in &rows {
        let level = format!("{:?}", row.row.level).to_lowercase();
        let cases: Vec<String> = row
            .cases
            .iter()
            .map(|id| match verdicts.as_ref().and_then(|v| v.get(id)) {
                Some(verdict) => format!("{id} ({})", verdict.name()),
                None => id.clone(),
            })
            .collect();
        let cases = if cases.is_empty() {
            "NO CASE".to_owned()
        } else {
            cases.join(", ")
        };
        let profiles: Vec<String> = by_row
            .get(&row.row.id)
            .into_iter()
            .flatten()
            .map(|p| match last_mutants.as_ref().and_then(|m| m.get(p)) {
                Some(state) => format!("{p} ({state})"),
                None => p.clone(),
            })
            .collect();
        let profiles = match (profiles.is_empty(), expected.is_some(), row.row.level) {
            (false, ..) => profiles.join(", "),
            (true, true, Level::Must) => "NO PROFILE".to_owned(),
            (true, ..) => "-".to_owned(),
        };
        say!("{:width$}  {level:6}  {cases}", row.row.id);
        say!("{:width$}          profiles: {profiles}", "");
    }
    let s = summary(&suite, &checklist);
    say!(
        "{} of {} rows have a case{}",
        s.covered,
        s.rows,
        if verdicts.is_some() {
            format!(
                "; verdicts from {}",
                args.report_dir.join("report.json").display()
            )
        } else {
            String::new()
        }
    );
    let unbroken = match &expected {
        Some(_) => must_rows_without_profile(&checklist, &by_row),
        None => {
            say!(
                "no {}: the fault profiles of the rows are not shown",
                expected_file.display()
            );
            Vec::new()
        }
    };
    if expected.is_some() {
        let must = checklist
            .rows
            .iter()
            .filter(|r| r.level == Level::Must)
            .count();
        say!(
            "{} of {must} must rows have a fault profile their own cases catch",
            must - unbroken.len()
        );
    }
    if !s.uncovered.is_empty() {
        say!("rows without a case: {}", s.uncovered.join(", "));
    }
    if !unbroken.is_empty() {
        say!("must rows without a fault profile: {}", unbroken.join(", "));
    }
    if s.uncovered.is_empty() && unbroken.is_empty() {
        exit::OK
    } else {
        exit::FAILURES
    }
}

/// The state of each profile in the last `mutants` run (`killed`, `timeout`, `SURVIVED`).
fn last_mutants(report_dir: &Path) -> Option<BTreeMap<String, String>> {
    #[derive(Deserialize)]
    struct Last {
        results: Vec<LastProfile>,
    }
    #[derive(Deserialize)]
    struct LastProfile {
        name: String,
        killed: bool,
        #[serde(default)]
        killed_by_timeout_only: bool,
        #[serde(default)]
        error: Option<String>,
    }
    let text = std::fs::read_to_string(report_dir.join("mutants.json")).ok()?;
    let last: Last = serde_json::from_str(&text).ok()?;
    Some(
        last.results
            .into_iter()
            .map(|p| {
                let state = match (p.error.is_some(), p.killed, p.killed_by_timeout_only) {
                    (true, ..) => "ERROR",
                    (false, true, true) => "timeout",
                    (false, true, false) => "killed",
                    (false, false, _) => "SURVIVED",
                };
                (p.name, state.to_owned())
            })
            .collect(),
    )
}
