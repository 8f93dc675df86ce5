//! The overviews at the top of `report.html` that need every case: the cases grouped by area
//! with their counts per verdict, the checklist rows against the formats, coloured by verdict,
//! and the slowest cases. Built from the cases' heads only (name, file, rows, format, verdict,
//! timing), which is all a streamed run keeps: the page's head is the same whether the cases
//! are whole or heads.

use std::collections::{BTreeMap, BTreeSet};

use harness_core::model::Format;
use harness_core::outcome::{CaseOutcome, CoverageSummary, Verdict, worst};

use super::row::{CaseRow, case_row};
use crate::detail::safe;

/// How many of the slowest cases are listed.
const SLOWEST: usize = 10;

/// The three overviews.
#[derive(Debug)]
pub(crate) struct Overview {
    /// The names of the verdicts the run gave, best first: the heads of the groups' count
    /// columns.
    pub verdicts: Vec<&'static str>,
    pub groups: Vec<Group>,
    pub matrix: Matrix,
    pub slowest: Vec<CaseRow>,
}

/// The cases of one area.
#[derive(Debug)]
pub(crate) struct Group {
    pub area: String,
    pub total: usize,
    /// The worst verdict of its cases: the row's class.
    pub verdict: &'static str,
    /// Per verdict of the run, in the order of `Overview::verdicts`: its name (the cell's
    /// class when not zero) and the count.
    pub counts: Vec<(&'static str, usize)>,
}

/// The checklist rows against the formats.
#[derive(Debug)]
pub(crate) struct Matrix {
    pub formats: Vec<&'static str>,
    pub rows: Vec<MatrixRow>,
}

/// One checklist row of the matrix.
#[derive(Debug)]
pub(crate) struct MatrixRow {
    pub id: String,
    pub cells: Vec<Cell>,
}

/// The cases of one row in one format.
#[derive(Debug)]
pub(crate) struct Cell {
    /// The verdict shown (the cell's class), `none` without a case.
    pub class: &'static str,
    pub text: String,
}

/// The overviews of `cases` (heads are enough), with the rows the suite has no case for from
/// `coverage`.
pub(crate) fn overview(cases: &[CaseOutcome], coverage: Option<&CoverageSummary>) -> Overview {
    // Only the verdicts the run gave: no empty columns, and a new verdict shows by itself.
    let verdicts: Vec<Verdict> = cases
        .iter()
        .map(|c| c.verdict)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Overview {
        verdicts: verdicts.iter().map(|v| v.name()).collect(),
        groups: groups(cases, &verdicts),
        matrix: matrix(cases, coverage),
        slowest: slowest(cases),
    }
}

/// The area of a case: the folder of its file under the cases' folder, else its id up to the
/// first dot.
fn area(case: &CaseOutcome) -> String {
    let folder = case
        .file
        .rsplit(['/', '\\'])
        .nth(1)
        .filter(|folder| !folder.is_empty() && *folder != "cases" && *folder != ".");
    match folder {
        Some(folder) => folder.to_owned(),
        None => case
            .case_id
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn groups(cases: &[CaseOutcome], columns: &[Verdict]) -> Vec<Group> {
    let mut by_area: BTreeMap<String, Vec<Verdict>> = BTreeMap::new();
    for case in cases {
        by_area.entry(area(case)).or_default().push(case.verdict);
    }
    by_area
        .into_iter()
        .map(|(area, verdicts)| Group {
            area: safe(&area),
            total: verdicts.len(),
            verdict: verdicts.iter().copied().fold(Verdict::Pass, worst).name(),
            counts: columns
                .iter()
                .map(|v| (v.name(), verdicts.iter().filter(|x| *x == v).count()))
                .collect(),
        })
        .collect()
}

/// The verdict a cell shows: the worst of the cases that were judged, a skip only when every
/// case skipped (a row proven in a format stays so beside a skipped case).
fn cell_verdict(verdicts: &[Verdict]) -> Verdict {
    let judged: Vec<Verdict> = verdicts
        .iter()
        .copied()
        .filter(|v| *v != Verdict::Skip)
        .collect();
    if judged.is_empty() {
        Verdict::Skip
    } else {
        judged.into_iter().fold(Verdict::Pass, worst)
    }
}

fn matrix(cases: &[CaseOutcome], coverage: Option<&CoverageSummary>) -> Matrix {
    let formats: BTreeSet<Format> = cases.iter().map(|c| c.format).collect();
    let mut rows: BTreeMap<&str, BTreeMap<Format, Vec<Verdict>>> = BTreeMap::new();
    for case in cases {
        for id in &case.spec {
            rows.entry(id)
                .or_default()
                .entry(case.format)
                .or_default()
                .push(case.verdict);
        }
    }
    // The suite's holes show too; rows whose cases this run left out (a filter) do not.
    for id in coverage.iter().flat_map(|c| &c.uncovered) {
        rows.entry(id).or_default();
    }
    Matrix {
        formats: formats.iter().map(|f| f.name()).collect(),
        rows: rows
            .into_iter()
            .map(|(id, by_format)| MatrixRow {
                id: safe(id),
                cells: formats
                    .iter()
                    .map(|format| match by_format.get(format) {
                        Some(verdicts) => {
                            let verdict = cell_verdict(verdicts).name();
                            Cell {
                                class: verdict,
                                text: format!("{verdict} ({})", verdicts.len()),
                            }
                        }
                        None => Cell {
                            class: "none",
                            text: "no case".to_owned(),
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The slowest cases that took any time, slowest first; ties in report order.
fn slowest(cases: &[CaseOutcome]) -> Vec<CaseRow> {
    let mut timed: Vec<&CaseOutcome> = cases.iter().filter(|c| c.duration_secs > 0.0).collect();
    timed.sort_by(|a, b| b.duration_secs.total_cmp(&a.duration_secs));
    timed.into_iter().take(SLOWEST).map(case_row).collect()
}

#[cfg(test)]
mod tests {
    use harness_core::model::Level;

    use super::*;

    fn case(id: &str, file: &str, format: Format, verdict: Verdict, secs: f64) -> CaseOutcome {
        CaseOutcome {
            name: format!("{id}/{}", format.name()),
            case_id: id.to_owned(),
            row: None,
            format,
            title: String::new(),
            file: file.to_owned(),
            line: 1,
            level: Level::Must,
            spec: vec!["R-1".to_owned()],
            tags: vec![],
            verdict,
            reason: None,
            duration_secs: secs,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    #[test]
    fn cases_group_by_folder_else_by_id_prefix() {
        let cases = [
            case(
                "a.one",
                "cases/alpha/x.yaml",
                Format::Json,
                Verdict::Pass,
                0.1,
            ),
            case(
                "a.two",
                "cases/alpha/x.yaml",
                Format::Xml,
                Verdict::Fail,
                0.2,
            ),
            case("b.one", "b.yaml", Format::Json, Verdict::Skip, 0.0),
        ];
        let groups = groups(&cases, &[Verdict::Pass, Verdict::Skip, Verdict::Fail]);
        let seen: Vec<(&str, usize, &str)> = groups
            .iter()
            .map(|g| (g.area.as_str(), g.total, g.verdict))
            .collect();
        assert_eq!(seen, [("alpha", 2, "fail"), ("b", 1, "skip")]);
        assert_eq!(groups[0].counts, [("pass", 1), ("skip", 0), ("fail", 1)]);
        assert_eq!(overview(&cases, None).verdicts, ["pass", "skip", "fail"]);
    }

    #[test]
    fn a_matrix_cell_shows_the_worst_judged_verdict_and_rows_without_a_case() {
        let cases = [
            case("a", "cases/x/a.yaml", Format::Json, Verdict::Pass, 0.1),
            case("b", "cases/x/b.yaml", Format::Json, Verdict::Skip, 0.1),
            case("c", "cases/x/c.yaml", Format::Xml, Verdict::Skip, 0.1),
        ];
        let coverage = CoverageSummary {
            uncovered: vec!["R-2".to_owned()],
            ..CoverageSummary::default()
        };
        let matrix = matrix(&cases, Some(&coverage));
        assert_eq!(matrix.formats, ["json", "xml"]);
        let cells: Vec<Vec<(&str, &str)>> = matrix
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| (c.class, c.text.as_str())).collect())
            .collect();
        assert_eq!(
            cells,
            [
                vec![("pass", "pass (2)"), ("skip", "skip (1)")],
                vec![("none", "no case"), ("none", "no case")]
            ]
        );
    }

    #[test]
    fn the_slowest_come_first_and_untimed_cases_are_left_out() {
        let mut cases: Vec<CaseOutcome> = (0..12)
            .map(|i| {
                let secs = f64::from(i) / 10.0;
                case(
                    &format!("c{i}"),
                    "cases/x/c.yaml",
                    Format::Json,
                    Verdict::Pass,
                    secs,
                )
            })
            .collect();
        cases.push(case(
            "z",
            "cases/x/z.yaml",
            Format::Json,
            Verdict::Skip,
            0.0,
        ));
        let names: Vec<String> = slowest(&cases).into_iter().map(|r| r.name).collect();
        assert_eq!(names.len(), SLOWEST);
        assert_eq!(names[0], "c11/json");
        assert_eq!(names[9], "c2/json");
    }
}
