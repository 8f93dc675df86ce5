//! Loader diagnostics: each bad case file must fail with the right message at the right
//! `file:line:col`, and the sample suite must load cleanly.

use std::path::Path;

use harness_core::checklist::{Checklist, coverage, load_checklist};
use harness_core::diag::SourceFile;
use harness_core::loader::{Suite, load_suite, parse_case_file};
use harness_core::model::Format;

fn checklist() -> Checklist {
    load_checklist(Path::new("../../cases/rows.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `text` as `cases/t.yaml` and returns the rendered errors (empty when it loads).
fn errors_of(text: &str) -> Vec<(String, String, String)> {
    let src = SourceFile::new("cases/t.yaml", text);
    match parse_case_file(&src, Some(&checklist())) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .errors
            .iter()
            .map(|e| (e.message.clone(), e.location(), e.render(false)))
            .collect(),
    }
}

/// Table: (what, YAML, expected message fragment, expected `file:line:col`).
const BAD: &[(&str, &str, &str, &str)] = &[
    (
        "unknown key",
        r#"
cases:
  - id: a
    title: t
    stepz: []
"#,
        "unknown field `stepz`, expected one of id, title",
        "cases/t.yaml:5:5",
    ),
    (
        "wrong type",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        parity: sometimes
"#,
        "invalid boolean",
        "cases/t.yaml:7:17",
    ),
    (
        "duplicate key",
        r#"
cases:
  - id: a
    title: t
    title: u
    steps: []
"#,
        "duplicate key `title`",
        "cases/t.yaml:5:5",
    ),
    (
        "undefined variable in href",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: people.presenceSubscriptions }
        capture: { sub: self }
      - request: { method: DELETE, href: "{{ subb }}" }
"#,
        "undefined variable `subb`",
        "cases/t.yaml:8:43",
    ),
    (
        "undefined variable in a selector",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: people.myGroups }
        expect:
          select:
            - { path: "$.embedded.*[?@.properties.name == '{{ grup.name }}']", count: 1 }
"#,
        "undefined variable `grup.name`",
        "cases/t.yaml:9:60",
    ),
    (
        "undefined variable in a nested body value",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request:
          method: POST
          link: people.presenceSubscriptions
          body:
            duration: 11
            uris:
              - "{{ contacts.0 }}"
              - "x {{ contact.1 }}"
"#,
        "undefined variable `contact.1`",
        "cases/t.yaml:13:20",
    ),
    (
        "capture used before the step that captures it",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, href: "{{ sub }}" }
      - request: { method: POST, link: people.presenceSubscriptions }
        capture: { sub: self }
"#,
        "undefined variable `sub`",
        "cases/t.yaml:6:40",
    ),
    (
        "unknown link name",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: people.presenceSubscription }
"#,
        "unknown link name `people.presenceSubscription`",
        "cases/t.yaml:6:39",
    ),
    (
        "bad select path",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect:
          select:
            - path: "$.links[x"
"#,
        "bad JSONPath `$.links[x`",
        "cases/t.yaml:9:29",
    ),
    (
        "bad capture selector",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        capture: { me2: "links.contact[one]" }
"#,
        "bad capture selector `links.contact[one]`",
        "cases/t.yaml:7:25",
    ),
    (
        "bad condition",
        r#"
cases:
  - id: a
    title: t
    steps:
      - control:
          condition: { name: already-exist, operation: get-subscription }
"#,
        "unknown condition `already-exist`",
        "cases/t.yaml:7:30",
    ),
    (
        "await of a step that is not in the background",
        r#"
cases:
  - id: a
    title: t
    steps:
      - name: poll
        request: { method: GET, link: app.events }
      - await: poll
"#,
        "`await` names step `poll`, which is not a background step",
        "cases/t.yaml:8:16",
    ),
    (
        "parity on POST",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: people.presenceSubscriptions }
        parity: true
"#,
        "`parity` on a step that is not a GET request",
        "cases/t.yaml:7:9",
    ),
    (
        "bad duration",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        events:
          within: 5 seconds
"#,
        "bad duration `5 seconds`",
        "cases/t.yaml:8:19",
    ),
    (
        "unknown checklist row",
        r#"
cases:
  - id: a
    title: t
    spec: [PS.GET.200, PS.GET.201]
    steps:
      - request: { method: GET, link: app.self }
"#,
        "unknown checklist row `PS.GET.201`",
        "cases/t.yaml:5:24",
    ),
    (
        "a select that checks nothing",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect:
          status: 200
          select:
            - { path: "$.links.self" }
"#,
        "`select` of `$.links.self` checks nothing",
        "cases/t.yaml:10:15",
    ),
    (
        "a case stronger than its rows",
        r#"
cases:
  - id: a
    title: t
    spec: [EV.timeout]
    level: must
    steps:
      - request: { method: GET, link: app.self }
"#,
        "the case is at `must` but its strongest row is `should`",
        "cases/t.yaml:6:5",
    ),
    (
        "a case stronger than its rows, by default",
        r#"
cases:
  - id: a
    title: t
    spec: [EV.timeout]
    steps:
      - request: { method: GET, link: app.self }
"#,
        "the case is at `must` but its strongest row is `should`",
        "cases/t.yaml:3:5",
    ),
    (
        "a step with two kinds",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        control: { clock: 5 }
"#,
        "step `step-1` has both `request` and `control`",
        "cases/t.yaml:7:9",
    ),
    (
        "link and href",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self, href: "/x" }
"#,
        "a request has both `link` and `href`",
        "cases/t.yaml:6:49",
    ),
    (
        "body and raw",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request:
          method: POST
          link: app.self
          body: {}
          raw: { text: "x" }
"#,
        "a request has both `body` and `raw`",
        "cases/t.yaml:10:11",
    ),
    (
        "duplicate step name",
        r#"
cases:
  - id: a
    title: t
    steps:
      - name: get
        request: { method: GET, link: app.self }
      - name: get
        request: { method: GET, link: app.self }
"#,
        "duplicate step name `get`",
        "cases/t.yaml:8:15",
    ),
    (
        "duplicate row name",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: r1, vars: { d: 1 } }
      - { name: r1, vars: { d: 2 } }
    steps:
      - request: { method: GET, link: app.self, query: { d: "{{ d }}" } }
"#,
        "duplicate row name `r1`",
        "cases/t.yaml:7:17",
    ),
    (
        "row variable missing from a row",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: r1, vars: { d: 1 } }
      - { name: r2, vars: { e: 2 } }
    steps:
      - request: { method: GET, link: app.self, query: { d: "{{ d }}" } }
"#,
        "undefined variable `d`",
        "cases/t.yaml:9:62",
    ),
    (
        "events with a manual channel",
        r#"
cases:
  - id: a
    title: t
    channel: manual
    steps:
      - request: { method: GET, link: app.self }
        events: { expect: [{ type: added, rel: contact }] }
"#,
        "`events` in a `channel: manual` case",
        "cases/t.yaml:8:9",
    ),
    (
        "bare session with an application link",
        r#"
cases:
  - id: a
    title: t
    session: bare
    steps:
      - request: { method: GET, link: app.self }
"#,
        "link `app.self` in a `session: bare` case",
        "cases/t.yaml:7:39",
    ),
    (
        "bad status",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect: { status: 999 }
"#,
        "status `999` is not an HTTP status (100-599)",
        "cases/t.yaml:7:27",
    ),
    (
        "empty formats",
        r#"
cases:
  - id: a
    title: t
    formats: []
    steps:
      - request: { method: GET, link: app.self }
"#,
        "empty `formats`",
        "cases/t.yaml:5:14",
    ),
    (
        "unclosed template",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, href: "/x/{{ y" }
"#,
        "unclosed `{{`",
        "cases/t.yaml:6:43",
    ),
    (
        "when names a later step",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        when: { step: later, status: [200] }
      - name: later
        request: { method: GET, link: app.self }
"#,
        "`when` names step `later`, which is not earlier",
        "cases/t.yaml:7:23",
    ),
    (
        "raw without text",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: app.self, raw: { json: "{}" } }
"#,
        "`raw` needs `text`, or both `json` and `xml`",
        "cases/t.yaml:6:55",
    ),
    (
        "bad condition given by a table row",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: ok, vars: { c: already-exists } }
      - { name: bad, vars: { c: already-exist } }
    steps:
      - control: { condition: { name: "{{ c }}", operation: get-subscription } }
"#,
        "unknown condition `already-exist`",
        "cases/t.yaml:7:33",
    ),
    (
        "undefined variable in an error expectation",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect: { error: { code: "{{ code }}" } }
"#,
        "undefined variable `code`",
        "cases/t.yaml:7:35",
    ),
    (
        "unknown property",
        r#"
cases:
  - id: a
    title: t
    property: { name: extend-rules }
"#,
        "unknown property `extend-rules`",
        "cases/t.yaml:5:23",
    ),
    (
        "a property case with steps",
        r#"
cases:
  - id: a
    title: t
    property: { name: parity-walk }
    steps:
      - request: { method: GET, link: app.self }
"#,
        "a property case has no steps",
        "cases/t.yaml:6:5",
    ),
    (
        "no steps and no property",
        r#"
cases:
  - id: a
    title: t
    steps: []
"#,
        "a case needs at least one step",
        "cases/t.yaml:5:12",
    ),
    (
        "zero generated cases",
        r#"
cases:
  - id: a
    title: t
    property: { name: parity-walk, cases: 0 }
"#,
        "`cases` must be at least 1",
        "cases/t.yaml:5:43",
    ),
];

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
fn bad_case_files_fail_with_message_and_location() {
    let mut failures = Vec::new();
    for (what, yaml, message, location) in BAD {
        let errors = errors_of(yaml);
        let found = errors.iter().any(|(m, loc, rendered)| {
            m.contains(message) && loc == location && rendered.contains(location)
        });
        if !found {
            failures.push(format!(
                "{what}: want `{message}` at {location}, got {errors:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_error_of_a_file_is_reported() {
    let errors = errors_of(
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, href: "{{ x }}", link: nope }
        parity: true
        events: { within: soon }
"#,
    );
    let messages: Vec<&str> = errors.iter().map(|(m, _, _)| m.as_str()).collect();
    assert!(messages.len() >= 3, "{messages:?}");
    for want in [
        "undefined variable `x`",
        "unknown link name `nope`",
        "bad duration `soon`",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(want)),
            "{want} in {messages:?}"
        );
    }
}

#[test]
fn rendered_error_has_snippet_caret_and_hint() {
    let errors = errors_of(
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: people.presenceSubscriptions }
        capture: { sub: self }
      - request: { method: DELETE, href: "{{ subb }}" }
"#,
    );
    let rendered = &errors[0].2;
    let want = r#"error: undefined variable `subb`
 --> cases/t.yaml:8:43
  |
8 |       - request: { method: DELETE, href: "{{ subb }}" }
  |                                           ^^^^^^^^^^
  |
  = hint: did you mean `sub`?"#;
    assert_eq!(rendered.trim_end(), want);
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
    assert_eq!(first.case.steps.len(), 4);
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
