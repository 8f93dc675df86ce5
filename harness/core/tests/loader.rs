//! Loading: the sample suite and the project's suite load cleanly, property cases load without
//! steps, filters and coverage work on the sample, whole-suite errors (a missing directory, a
//! case id in two files) are reported, and no mangled case file makes the loader panic.

mod common;

use std::path::Path;

use harness_core::checklist::coverage;
use harness_core::diag::SourceFile;
use harness_core::loader::{Suite, load_suite, parse_case_file};
use harness_core::model::Format;

use common::checklist;

#[test]
fn property_cases_load_without_steps() {
    let text = r#"
cases:
  - id: a
    title: t
    property: { name: extend-rule, cases: 4 }
  - id: b
    title: t
    steps: []
    property: { name: subscription-model }
"#;
    let src = SourceFile::new("cases/t.yaml", text);
    let cases = parse_case_file(&src, None).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<(&str, Option<u32>)> = cases
        .iter()
        .filter_map(|c| c.case.property.as_ref())
        .map(|p| (p.name.value.as_str(), p.cases))
        .collect();
    assert_eq!(
        names,
        [("extend-rule", Some(4)), ("subscription-model", None)]
    );
}

#[test]
fn duplicate_case_ids_across_files_point_at_both() {
    let errs = load_suite(Path::new("tests/data/dup"), None).unwrap_err();
    assert_eq!(errs.errors.len(), 1, "{errs}");
    let text = errs.to_string();
    assert!(
        text.contains("error: duplicate case id `dup.one`"),
        "{text}"
    );
    let b = Path::new("tests/data/dup/sub/b.yaml").display().to_string();
    let a = Path::new("tests/data/dup/a.yaml").display().to_string();
    assert!(text.contains(&format!("{b}:6:9")), "{text}");
    assert!(text.contains(&format!("{a}:2:9")), "{text}");
}

fn sample() -> Suite {
    load_suite(Path::new("tests/data/sample"), Some(&checklist())).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn sample_suite_loads_cleanly() {
    let suite = sample();
    let ids: Vec<&str> = suite.cases.iter().map(|c| c.id()).collect();
    assert_eq!(
        ids,
        [
            "sample.subscribe.delete",
            "sample.extend.table",
            "sample.controls",
            "sample.bare.token"
        ]
    );
    let first = &suite.cases[0];
    assert_eq!(first.file, Path::new("tests/data/sample/ps/features.yaml"));
    assert_eq!(first.line, 4);
    assert_eq!(first.plan.steps.len(), 4);
    let table = suite.get("sample.extend.table").unwrap();
    let names: Vec<String> = table.runs().into_iter().map(|r| r.name).collect();
    assert_eq!(
        names,
        [
            "sample.extend.table[d9]/json",
            "sample.extend.table[d31]/json",
            "sample.extend.table[d-text]/json"
        ]
    );
}

#[test]
fn filters_select_cases_rows_and_formats() {
    let suite = sample();
    let ids = |s: &Suite| {
        s.cases
            .iter()
            .map(|c| c.id().to_owned())
            .collect::<Vec<_>>()
    };
    let all = suite.filter(&[], &[]).unwrap();
    assert_eq!(all.cases.len(), 4);
    let tagged = suite.filter(&[], &["smoke".to_owned()]).unwrap();
    assert_eq!(ids(&tagged), ["sample.subscribe.delete"]);
    let globbed = suite.filter(&["sample.*.t*".to_owned()], &[]).unwrap();
    assert_eq!(ids(&globbed), ["sample.extend.table", "sample.bare.token"]);
    let row = suite
        .filter(&["sample.extend.table[d31]/json".to_owned()], &[])
        .unwrap();
    assert_eq!(row.cases.len(), 1);
    assert_eq!(row.cases[0].case.rows.len(), 1);
    assert_eq!(row.cases[0].case.rows[0].name.value, "d31");
    let format = suite
        .filter(&["sample.subscribe.delete/xml".to_owned()], &[])
        .unwrap();
    assert_eq!(format.cases[0].case.formats, [Format::Xml]);
    assert!(suite.filter(&["a[".to_owned()], &[]).is_err());
}

#[test]
fn coverage_lists_the_cases_of_each_row() {
    let suite = sample();
    let list = checklist();
    let rows = coverage(&suite, &list);
    assert_eq!(rows.len(), list.rows.len());
    let delete = rows.iter().find(|r| r.row.id == "PS.DELETE.204").unwrap();
    assert_eq!(delete.cases, ["sample.subscribe.delete"]);
    let none = rows.iter().find(|r| r.row.id == "GRP.subscribe").unwrap();
    assert!(none.cases.is_empty());
}

#[test]
fn the_project_suite_loads() {
    let suite =
        load_suite(Path::new("../../cases"), Some(&checklist())).unwrap_or_else(|e| panic!("{e}"));
    assert!(!suite.cases.is_empty());
}

#[test]
fn a_missing_directory_is_one_error() {
    let errs = load_suite(Path::new("tests/data/no-such-dir"), None).unwrap_err();
    assert_eq!(errs.errors.len(), 1);
    assert!(
        errs.errors[0]
            .message
            .starts_with("failed to read the case directory"),
        "{errs}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// No input makes the loader panic: cut and splice the sample file anywhere.
    #[test]
    fn mangled_case_files_never_panic(start in 0usize..6000, len in 0usize..40, insert in "[{}\\[\\]:\"'\\- a-z\n]{0,8}") {
        let text = std::fs::read_to_string("tests/data/sample/ps/features.yaml").unwrap();
        let start = start.min(text.len());
        let end = (start + len).min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            let mangled = format!("{}{insert}{}", &text[..start], &text[end..]);
            let src = SourceFile::new("cases/t.yaml", mangled);
            if let Err(errs) = parse_case_file(&src, None) {
                let _ = errs.render(false);
                let _ = errs.render(true);
            }
        }
    }
}
