//! `ucwa-conform merge --out DIR PART_DIR...`: the reports of `run --partition` parts joined
//! into one set (junit.xml, report.json, report.html), written by the same report writers from
//! the parts' outcomes read back from their `report.json`. The cases are listed by case file
//! and line (a whole run's order for one `--cases` folder); the counts, the row coverage and
//! the exit code are the merged run's.

use std::path::{Path, PathBuf};

use harness_core::outcome::{CaseOutcome, PartOfSplit, RunReport, Summary};
use harness_report::{JSON_FILE, JunitFlavor, JunitOptions, write_reports_with};

use crate::args::{FlavorArg, MergeArgs};
use crate::exit;

/// More parts than any CI matrix has: a report that says so was not written by `run`.
const MAX_PARTS: u32 = 10_000;

/// Merges the parts' reports; exit 1 when the merged run fails, 2 on an unreadable part.
pub fn cmd_merge(args: &MergeArgs) -> i32 {
    let mut parts = Vec::new();
    for dir in &args.parts {
        match read_part(dir) {
            Ok(report) => parts.push(report),
            Err(message) => {
                eprintln!("error: {message}");
                return exit::USAGE;
            }
        }
    }
    let report = match merge_reports(parts) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::USAGE;
        }
    };
    let junit = JunitOptions {
        flavor: match args.junit_flavor {
            FlavorArg::Common => JunitFlavor::Common,
            FlavorArg::Ant => JunitFlavor::Ant,
        },
        hostname: None,
    };
    match write_reports_with(&report, &args.out, junit) {
        Ok(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            let s = &report.summary;
            say!(
                "merged {} parts: {} passed, {} failed, {} errors, {} skipped, {} non-strict{}",
                args.parts.len(),
                s.passed,
                s.failed,
                s.errors,
                s.skipped,
                s.non_strict,
                if s.flaky > 0 {
                    format!(", {} flaky", s.flaky)
                } else {
                    String::new()
                }
            );
            say!("reports: {}", names.join(", "));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    if report.summary.is_failure(report.strict) || report.interrupted {
        exit::FAILURES
    } else {
        exit::OK
    }
}

/// A part's `report.json`, read back.
fn read_part(dir: &Path) -> Result<RunReport, String> {
    let path: PathBuf = dir.join(JSON_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "failed to read {}:{}:{}: {e} (hint: give the folders `run --report-dir` wrote)",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// One report of the parts: their cases by file and line (each part lists a case's runs
/// together, in plan order, and a stable sort keeps them so), the first part's target and
/// settings, the earliest start and the longest part's time.
pub fn merge_reports(parts: Vec<RunReport>) -> Result<RunReport, String> {
    check_whole_split(&parts)?;
    let mut parts = parts.into_iter();
    let mut merged = parts.next().ok_or("no part to merge")?;
    for part in parts {
        if part.strict != merged.strict {
            return Err("the parts were run with and without --strict".to_owned());
        }
        if part.started_at < merged.started_at {
            merged.started_at = part.started_at;
        }
        merged.duration_secs = merged.duration_secs.max(part.duration_secs);
        merged.interrupted |= part.interrupted;
        for retry in part.target.retries {
            merged.target.retries.push(retry);
        }
        merged.cases.extend(part.cases);
        merged.unexpected_passes.extend(part.unexpected_passes);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = merged.cases.iter().find(|c| !seen.insert(c.name.as_str())) {
        return Err(format!(
            "`{}` is in two parts: merge the parts of one split (`--partition K/N`, same N)",
            twice.name
        ));
    }
    // The merged run is the whole suite, not a part of it.
    merged.partition = None;
    merged.cases.sort_by(|a, b| order(a).cmp(&order(b)));
    merged.unexpected_passes.sort();
    merged.summary = Summary::of(&merged.cases);
    if let Some(coverage) = &mut merged.coverage {
        // Each part proved only its own cases' rows: the rows are judged again on them all.
        coverage.judge_run(&merged.cases);
    }
    Ok(merged)
}

/// Holds when the parts are every part of one `--partition` split, each once, or when none
/// was run with `--partition` (reports of different folders, say). A part whose job never
/// wrote its report would otherwise leave its cases out of a green merge.
fn check_whole_split(parts: &[RunReport]) -> Result<(), String> {
    let splits: Vec<Option<PartOfSplit>> = parts.iter().map(|p| p.partition).collect();
    let Some(count) = splits.iter().flatten().map(|s| s.count).next() else {
        return Ok(());
    };
    if !(1..=MAX_PARTS).contains(&count) {
        return Err(format!("a part says it is one of {count} parts"));
    }
    let mut seen = vec![false; count as usize];
    for split in &splits {
        let Some(split) = split else {
            return Err(
                "a part was run without --partition: merge the parts of one split, \
                 or only whole runs"
                    .to_owned(),
            );
        };
        if split.index == 0 || split.index > split.count {
            return Err(format!(
                "a part says it is part {}/{}",
                split.index, split.count
            ));
        }
        if split.count != count {
            return Err(format!(
                "the parts come from splits into {count} and into {} parts: merge the parts \
                 of one split",
                split.count
            ));
        }
        let slot = &mut seen[(split.index - 1) as usize];
        if *slot {
            return Err(format!("part {}/{count} is given twice", split.index));
        }
        *slot = true;
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| !seen[(*k - 1) as usize])
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "part {} missing: its job wrote no report.json (every part of the split must be \
             merged, or the merged run would leave its cases out)",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// By path components, as the loader sorts case files (`a/x` before `a-b/x`).
fn order(case: &CaseOutcome) -> (&Path, u64) {
    (Path::new(&case.file), case.line)
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{ReportBodies, TargetInfo, Verdict};

    use super::*;

    fn case(id: &str, file: &str, line: u64, format: Format, verdict: Verdict) -> CaseOutcome {
        CaseOutcome {
            name: format!("{id}/{}", format.name()),
            case_id: id.to_owned(),
            row: None,
            format,
            title: String::new(),
            file: file.to_owned(),
            line,
            level: Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: None,
            duration_secs: 0.1,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    fn part(started_at: &str, secs: f64, cases: Vec<CaseOutcome>) -> RunReport {
        RunReport {
            tool: "ucwa-conform".to_owned(),
            started_at: started_at.to_owned(),
            duration_secs: secs,
            target: TargetInfo {
                url: "u".to_owned(),
                kind: "embedded".to_owned(),
                capabilities: vec![],
                retries: vec![],
            },
            strict: false,
            interrupted: false,
            report_bodies: ReportBodies::Failing,
            summary: Summary::of(&cases),
            cases,
            coverage: None,
            unexpected_passes: vec![],
            partition: None,
        }
    }

    #[test]
    fn parts_join_in_file_and_line_order_with_counts_again() {
        let one = part(
            "2026-01-01T00:00:02.000Z",
            3.0,
            vec![
                case("b", "cases/b.yaml", 1, Format::Json, Verdict::Pass),
                case("b", "cases/b.yaml", 1, Format::Xml, Verdict::Fail),
            ],
        );
        let two = part(
            "2026-01-01T00:00:01.000Z",
            5.0,
            vec![
                case("a", "cases/a.yaml", 9, Format::Json, Verdict::Flaky),
                case("c", "cases/b.yaml", 20, Format::Json, Verdict::Pass),
                case("d", "cases/a-b/z.yaml", 1, Format::Json, Verdict::Pass),
                case("e", "cases/a/z.yaml", 1, Format::Json, Verdict::Pass),
            ],
        );
        let merged = merge_reports(vec![one, two]).expect("merges");
        let names: Vec<&str> = merged.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["e/json", "d/json", "a/json", "b/json", "b/xml", "c/json"]
        );
        assert_eq!(merged.summary.total, 6);
        assert_eq!(merged.summary.failed, 1);
        assert_eq!(merged.summary.flaky, 1);
        assert_eq!(merged.started_at, "2026-01-01T00:00:01.000Z");
        assert!((merged.duration_secs - 5.0).abs() < 1e-9);
    }

    #[test]
    fn a_case_in_two_parts_is_refused() {
        let a = || {
            part(
                "t",
                1.0,
                vec![case("a", "f", 1, Format::Json, Verdict::Pass)],
            )
        };
        let err = merge_reports(vec![a(), a()]).expect_err("overlap");
        assert!(err.contains("`a/json` is in two parts"), "{err}");
        assert!(merge_reports(vec![]).is_err());
    }

    fn of_split(index: u32, count: u32, id: &str) -> RunReport {
        let mut report = part(
            "t",
            1.0,
            vec![case(id, "f", u64::from(index), Format::Json, Verdict::Pass)],
        );
        report.partition = Some(PartOfSplit { index, count });
        report
    }

    #[test]
    fn every_part_of_one_split_merges_into_a_whole_run() {
        let merged = merge_reports(vec![
            of_split(2, 3, "b"),
            of_split(1, 3, "a"),
            of_split(3, 3, "c"),
        ])
        .expect("a whole split");
        assert_eq!(merged.summary.passed, 3);
        assert_eq!(merged.partition, None, "the merged run is not a part");
    }

    #[test]
    fn a_missing_part_is_refused_not_left_out() {
        let err = merge_reports(vec![of_split(1, 3, "a"), of_split(3, 3, "c")])
            .expect_err("part 2 missing");
        assert!(err.contains("part 2/3 missing"), "{err}");
    }

    #[test]
    fn parts_of_different_splits_twice_given_or_out_of_range_are_refused() {
        let err =
            merge_reports(vec![of_split(1, 2, "a"), of_split(2, 3, "b")]).expect_err("2 and 3");
        assert!(err.contains("into 2 and into 3"), "{err}");
        let err = merge_reports(vec![of_split(1, 2, "a"), of_split(1, 2, "b")]).expect_err("twice");
        assert!(err.contains("part 1/2 is given twice"), "{err}");
        let err = merge_reports(vec![of_split(3, 2, "a")]).expect_err("3 of 2");
        assert!(err.contains("part 3/2"), "{err}");
        let err = merge_reports(vec![of_split(1, 0, "a")]).expect_err("of 0");
        assert!(err.contains("one of 0 parts"), "{err}");
        let whole = part(
            "t",
            1.0,
            vec![case("b", "f", 2, Format::Json, Verdict::Pass)],
        );
        let err = merge_reports(vec![of_split(1, 2, "a"), whole]).expect_err("mixed");
        assert!(err.contains("without --partition"), "{err}");
    }
}
