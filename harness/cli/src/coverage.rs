//! `ucwa-conform coverage`: the checklist rows, each with the cases that prove it and how those
//! ended in the last run. A row without a case is a hole in the suite: exit 1.

use std::collections::BTreeMap;
use std::path::Path;

use harness_core::checklist::{Checklist, coverage};
use harness_core::loader::Suite;
use harness_core::outcome::{CoverageSummary, Verdict, worst};
use serde::Deserialize;

use crate::args::CoverageArgs;
use crate::exit;
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
    let rows = coverage(&suite, &checklist);
    let width = rows.iter().map(|r| r.row.id.len()).max().unwrap_or(10);
    for row in &rows {
        let level = format!("{:?}", row.row.level).to_lowercase();
        if row.cases.is_empty() {
            say!("{:width$}  {level:6}  NO CASE", row.row.id);
            continue;
        }
        let cases: Vec<String> = row
            .cases
            .iter()
            .map(|id| match verdicts.as_ref().and_then(|v| v.get(id)) {
                Some(verdict) => format!("{id} ({})", verdict.name()),
                None => id.clone(),
            })
            .collect();
        say!("{:width$}  {level:6}  {}", row.row.id, cases.join(", "));
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
    if s.uncovered.is_empty() {
        exit::OK
    } else {
        say!("rows without a case: {}", s.uncovered.join(", "));
        exit::FAILURES
    }
}
