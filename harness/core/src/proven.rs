//! Which checklist rows a run proved on its target (design section 6, issue "the mission on a
//! real server"): a row is proven when some run of a case that names it was judged, pass or
//! fail; a row whose runs were all skipped is not, and the reasons say what was missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Level;
use crate::outcome::{CaseOutcome, CoverageSummary, UnprovenRow, Verdict};

impl CoverageSummary {
    /// Fills `proven` and `unproven` from a run's outcomes.
    pub fn judge_run(&mut self, cases: &[CaseOutcome]) {
        let mut proven: BTreeSet<&str> = BTreeSet::new();
        let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for case in cases {
            for row in &case.spec {
                if judged(case.verdict) {
                    proven.insert(row);
                } else {
                    missing.entry(row).or_default().extend(why_not(case));
                }
            }
        }
        let uncovered: BTreeSet<&str> = self.uncovered.iter().map(String::as_str).collect();
        self.proven = proven.len();
        self.unproven = self
            .levels
            .iter()
            .filter(|(id, _)| !proven.contains(id.as_str()))
            .map(|(id, level)| {
                let why = if uncovered.contains(id.as_str()) {
                    vec!["no case".to_owned()]
                } else {
                    missing.get(id.as_str()).map_or_else(
                        || vec!["not run".to_owned()],
                        |m| m.iter().cloned().collect(),
                    )
                };
                UnprovenRow {
                    id: id.clone(),
                    level: *level,
                    missing: why,
                }
            })
            .collect();
    }

    /// The rows not proven whose level is `level` or stronger.
    pub fn unproven_at(&self, level: Level) -> Vec<&UnprovenRow> {
        let strength = |l: Level| match l {
            Level::Must => 2,
            Level::Should => 1,
            Level::May => 0,
        };
        self.unproven
            .iter()
            .filter(|r| strength(r.level) >= strength(level))
            .collect()
    }

    /// Unproven rows grouped by what was missing, most rows first: `clock: 18 rows, …`.
    pub fn unproven_by_reason(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for row in &self.unproven {
            for why in &row.missing {
                groups.entry(why).or_default().push(row.id.clone());
            }
        }
        let mut out: Vec<(String, Vec<String>)> = groups
            .into_iter()
            .map(|(why, rows)| (why.to_owned(), rows))
            .collect();
        out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        out
    }
}

/// A verdict that put the target to the test (a flaky run was judged each time).
fn judged(verdict: Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Pass | Verdict::Fail | Verdict::NonStrict | Verdict::KnownFailure | Verdict::Flaky
    )
}

/// Why a run did not prove its rows: the capabilities a skip names (`requires: a, b`), or its
/// verdict.
fn why_not(case: &CaseOutcome) -> Vec<String> {
    let reason = case.reason.as_deref().unwrap_or_default();
    if case.verdict == Verdict::Skip
        && let Some(rest) = reason.split("requires: ").nth(1)
    {
        let list = rest.split([';', ')']).next().unwrap_or_default();
        return list
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
    }
    vec![case.verdict.name().to_owned()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    fn run(spec: &[&str], verdict: Verdict, reason: &str) -> CaseOutcome {
        CaseOutcome {
            name: "c/json".into(),
            case_id: "c".into(),
            row: None,
            format: Format::Json,
            title: String::new(),
            file: String::new(),
            line: 1,
            level: Level::Must,
            spec: spec.iter().map(|s| (*s).to_owned()).collect(),
            tags: Vec::new(),
            verdict,
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
            duration_secs: 0.0,
            steps: Vec::new().into(),
            session_checks: Vec::new(),
            timeline: Vec::new(),
        }
    }

    #[test]
    fn a_row_is_proven_by_a_judged_run_and_unproven_rows_say_why() {
        let mut coverage = CoverageSummary {
            rows: 5,
            covered: 4,
            uncovered: vec!["E".into()],
            levels: BTreeMap::from([
                ("A".into(), Level::Must),
                ("B".into(), Level::Must),
                ("C".into(), Level::Should),
                ("D".into(), Level::Must),
                ("E".into(), Level::May),
            ]),
            ..CoverageSummary::default()
        };
        let skip = "the target does not offer the test-control protocol needed (requires: clock, conditions)";
        coverage.judge_run(&[
            run(&["A"], Verdict::Fail, "step x"),
            run(&["A", "B"], Verdict::Skip, skip),
            run(
                &["C"],
                Verdict::Skip,
                "the target profile does not name what is needed (requires: second-user; hint: …)",
            ),
            run(&["B"], Verdict::Error, "timeout"),
        ]);
        assert_eq!(coverage.proven, 1, "a fail proves its row too");
        let why: BTreeMap<&str, Vec<String>> = coverage
            .unproven
            .iter()
            .map(|r| (r.id.as_str(), r.missing.clone()))
            .collect();
        assert_eq!(why["B"], ["clock", "conditions", "error"]);
        assert_eq!(why["C"], ["second-user"]);
        assert_eq!(why["D"], ["not run"]);
        assert_eq!(why["E"], ["no case"]);
        let must: Vec<&str> = coverage
            .unproven_at(Level::Must)
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(must, ["B", "D"]);
        assert_eq!(coverage.unproven_at(Level::May).len(), 4);
        let groups = coverage.unproven_by_reason();
        assert_eq!(groups[0].1.len(), 1);
        assert!(
            groups
                .iter()
                .any(|(why, rows)| why == "clock" && rows == &["B"])
        );
    }
}
