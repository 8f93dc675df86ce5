//! The fast path against the whole load: the same cases and plans for every case file of the
//! repository, the fast path taken by the suite's own files and a long case, and the whole
//! load's diagnostics for every file it gives up on.

use std::fmt::Write as _;
use std::path::Path;

use super::load_stepwise;
use crate::checklist::load_checklist;
use crate::diag::{LoadErrors, SourceFile};
use crate::loader::{check_file, check_whole, collect_files};
use crate::plan::{Predicate, StepAction};
use crate::suite::SuiteCase;

fn source(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFile::new(path, text)
}

/// Cases and plans as text: every field of both, with the parsed places of the case's values.
fn shown(cases: &[SuiteCase]) -> String {
    format!("{cases:#?}")
}

/// Asserts two loads show the same, naming the first line that differs.
fn assert_same(whole: &[SuiteCase], fast: &[SuiteCase], file: &Path) {
    let (whole, fast) = (shown(whole), shown(fast));
    if let Some((i, (w, f))) = whole
        .lines()
        .zip(fast.lines())
        .enumerate()
        .find(|(_, (w, f))| w != f)
    {
        panic!(
            "{}: line {} of the loads differs:\n whole: {w}\n  fast: {f}",
            file.display(),
            i + 1
        );
    }
    assert_eq!(whole.len(), fast.len(), "{}", file.display());
}

/// Loads `src` both ways; whether the fast path took it. Panics when they disagree.
fn same_both_ways(src: &SourceFile) -> bool {
    let whole = check_whole(src, None);
    let fast = load_stepwise(src, None);
    match (&whole, &fast) {
        (Ok(whole), Some(fast)) => {
            assert_same(whole, fast, &src.path);
            true
        }
        (Err(errors), Some(_)) => panic!(
            "{}: the fast path took a file the whole load rejects:\n{}",
            src.path.display(),
            LoadErrors::from(errors.clone())
        ),
        (_, None) => false,
    }
}

#[test]
fn every_case_file_of_the_repository_loads_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folders = [
        root.join("../../cases"),
        root.join("../../fixtures/folders/clash"),
        root.join("../../fixtures/folders/extra"),
        root.join("tests/data/dup"),
        root.join("tests/data/sample"),
    ];
    let mut fell_back = String::new();
    let mut total = 0;
    for folder in &folders {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        collect_files(folder, folder, &mut files, &mut errors);
        assert!(
            errors.is_empty() && !files.is_empty(),
            "{}",
            folder.display()
        );
        for path in files {
            total += 1;
            if !same_both_ways(&source(&path)) {
                writeln!(fell_back, "{}", path.display()).unwrap();
            }
        }
    }
    assert!(total > 30, "only {total} files found");
    // Every case file of these folders is clean and writes its fields before `steps`.
    assert_eq!(fell_back, "", "files loaded whole");
}

#[test]
fn the_suites_cases_with_their_checklist_take_the_fast_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cases");
    let checklist = load_checklist(&root.join("rows.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut files = Vec::new();
    collect_files(&root, &root, &mut files, &mut Vec::new());
    for path in files {
        let src = source(&path);
        let fast = load_stepwise(&src, Some(&checklist));
        let whole = check_whole(&src, Some(&checklist)).unwrap_or_else(|e| panic!("{e:?}"));
        let fast = fast.unwrap_or_else(|| panic!("{} was loaded whole", path.display()));
        assert_same(&whole, &fast, &path);
    }
}

/// A case of `4 * n` steps shaped like the bench's (`ucwa-conform bench --vs-hurl`).
fn long_case(n: usize) -> String {
    let mut text = String::from(
        "cases:\n  - id: long\n    title: t\n    formats: [json]\n    channel: manual\n    steps:\n",
    );
    for i in 1..=n {
        write!(
            text,
            "      - name: create-{i}
        request: {{ method: POST, link: people.presenceSubscriptions, body: {{ duration: 30, uris: [\"{{{{ contacts.0 }}}}\"] }} }}
        expect: {{ status: 201 }}
        capture: {{ sub: \"$.self\" }}
      - name: get-{i}
        request: {{ method: GET, href: \"{{{{ sub }}}}\" }}
        expect: {{ status: 200, select: [{{ query: \"$.embedded.presenceSubscription[*]\", count: 1 }}] }}
      - await: create-{i}
        when: {{ step: get-{i}, status: [200] }}
      - name: delete-{i}
        request: {{ method: DELETE, href: \"{{{{ sub }}}}\" }}
        expect: {{ status: 204 }}
"
        )
        .unwrap();
    }
    text
}

#[test]
fn a_long_case_is_compiled_step_by_step_into_the_same_plan() {
    let text = long_case(50).replace("capture:", "background: true\n        capture:");
    let src = SourceFile::new("cases/long.yaml", text);
    assert!(same_both_ways(&src), "the long case was loaded whole");
    let cases = load_stepwise(&src, None).expect("the fast path");
    let [case] = cases.as_slice() else {
        panic!("one case expected")
    };
    // The fast path keeps no parsed step: the plan holds them all.
    assert!(case.case.steps.is_empty());
    assert_eq!(case.plan.steps.len(), 200);
    assert!(case.plan.counts_subscriptions);
    assert!(matches!(
        case.plan.steps[2].action,
        StepAction::Await { step: 0, .. }
    ));
    assert_eq!(case.plan.steps[6].when.as_ref().map(|w| w.step), Some(5));
}

/// A valid step list after a header, for the snippets below.
fn case_file(header: &str, steps: &str, trailer: &str) -> SourceFile {
    let text = format!("cases:\n  - id: a\n    title: t\n{header}    steps:\n{steps}{trailer}");
    SourceFile::new("cases/a.yaml", text)
}

const GET: &str = "      - name: get
        request: { method: GET, link: people.presenceSubscriptions }
        expect: { status: 200, select: [{ query: \"$.rel\", equals: x }] }
";

#[test]
fn files_with_problems_get_the_whole_loads_diagnostics() {
    let later_step = "      - await: bg
      - name: bg
        background: true
        request: { method: GET, link: people.presenceSubscriptions }
";
    let later_capture = "      - request: { method: GET, href: \"{{ sub }}\" }
      - request: { method: GET, link: people.presenceSubscriptions }
        capture: { sub: \"$.self\" }
";
    let bad_query = "      - request: { method: GET, link: people.presenceSubscriptions }
        capture: { sub: \"$[\" }
";
    let unknown_key = "      - request: { method: GET, link: people.presenceSubscriptions }
        expcet: { status: 200 }
";
    let duplicate_name = format!("{GET}{GET}");
    let files = [
        case_file("", later_step, ""),
        case_file("", later_capture, ""),
        case_file("", bad_query, ""),
        case_file("", unknown_key, ""),
        case_file("", &duplicate_name, ""),
        case_file("", GET, "    property: { name: extend-rule }\n"),
        case_file("    session: bare\n", GET, ""),
        case_file("    formats: []\n", GET, ""),
        case_file("", "", ""),
        case_file("", GET, "    level: sometimes\n"),
        SourceFile::new("cases/a.yaml", "cases:\n  - id: a\n    steps: [\n"),
        SourceFile::new("cases/a.yaml", ""),
    ];
    for src in files {
        assert!(load_stepwise(&src, None).is_none(), "{}", src.text);
        let whole = check_whole(&src, None).expect_err(&src.text);
        let got = check_file(&src, None).expect_err(&src.text);
        assert_eq!(
            LoadErrors::from(got).render(false),
            LoadErrors::from(whole).render(false),
            "{}",
            src.text
        );
    }
}

#[test]
fn a_field_read_by_steps_after_them_is_left_to_the_whole_load() {
    // `level` sets the level of every check: compiled with the default, the plan would be wrong.
    let src = case_file("", GET, "    level: should\n");
    assert!(load_stepwise(&src, None).is_none());
    let cases = check_file(&src, None).unwrap_or_else(|e| panic!("{e:?}"));
    let whole = check_whole(&src, None).unwrap_or_else(|e| panic!("{e:?}"));
    assert_same(&cases, &whole, &src.path);
    let check = &cases[0].plan.steps[0].expectations[0].select[0];
    assert_eq!(check.level, crate::model::Level::Should);
    assert!(matches!(check.predicate, Predicate::Equals(_)));
    // Fields no step reads may come after the steps.
    let src = case_file("", GET, "    tags: [x]\n    spec: []\n    formats: [xml]\n");
    assert!(same_both_ways(&src));
}

#[test]
fn only_a_step_whose_status_a_later_step_reads_has_a_status_slot() {
    let steps = format!(
        "{GET}      - name: del
        request: {{ method: DELETE, link: people.presenceSubscriptions, headers: {{ X-Status: \"{{{{ steps.get.status }}}}\" }} }}
"
    );
    for src in [case_file("", &steps, "")] {
        let fast = load_stepwise(&src, None).expect("the fast path");
        let whole = check_whole(&src, None).unwrap_or_else(|e| panic!("{e:?}"));
        for cases in [&fast, &whole] {
            let plan = &cases[0].plan;
            let read = plan.vars.slot("steps.get.status");
            assert!(read.is_some());
            assert_eq!(plan.steps[0].status_slot, read);
            assert_eq!(plan.steps[1].status_slot, None);
            assert_eq!(plan.vars.slot("steps.del.status"), None);
        }
    }
}
