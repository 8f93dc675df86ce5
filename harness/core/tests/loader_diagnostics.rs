//! Loader diagnostics: each bad case file must fail with the right message at the right
//! `file:line:col`, every error of a file is reported, and an error renders with its snippet.

mod bad_cases;
mod common;

use harness_core::diag::SourceFile;
use harness_core::loader::parse_case_file;

use common::checklist;

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
const BAD: &[bad_cases::Bad] = &bad_cases::ALL;

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
        capture: { sub: "$.self" }
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
