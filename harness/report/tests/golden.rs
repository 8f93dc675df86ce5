//! Golden files: the fixed sample report through every reporter, snapshotted with insta.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always` and read the diff).

mod common;

use harness_core::outcome::{EventSink, RunEvent, RunReport};
use harness_report::{
    ConsoleOptions, ConsoleReporter, JunitFlavor, JunitOptions, Proofs, junit_string, write_html,
    write_json,
};

/// Plays the run to a console reporter as the runner would.
fn console(report: &RunReport, options: ConsoleOptions) -> String {
    let mut reporter = ConsoleReporter::new(Vec::new(), options);
    reporter.on_event(RunEvent::RunStarted {
        total: report.cases.len(),
        target: &report.target,
    });
    for (position, case) in report.cases.iter().enumerate() {
        reporter.on_event(RunEvent::CaseFinished { position, case });
    }
    reporter.on_event(RunEvent::RunFinished(report));
    assert!(reporter.take_error().is_none());
    String::from_utf8(reporter.into_inner()).expect("console output is UTF-8")
}

fn junit(report: &RunReport, flavor: JunitFlavor) -> String {
    let options = JunitOptions {
        flavor,
        hostname: Some("localhost".to_owned()),
    };
    junit_string(report, &options).expect("junit renders")
}

#[test]
fn console_output() {
    insta::assert_snapshot!(
        "console",
        console(&common::sample_report(), ConsoleOptions::default())
    );
}

#[test]
fn console_verbose_output() {
    let options = ConsoleOptions {
        verbose: true,
        ..ConsoleOptions::default()
    };
    insta::assert_snapshot!(
        "console_verbose",
        console(&common::sample_report(), options)
    );
}

#[test]
fn console_colour_is_ansi_and_body_escapes_stay_visible() {
    let options = ConsoleOptions {
        color: true,
        ..ConsoleOptions::default()
    };
    let text = console(&common::sample_report(), options);
    assert!(text.contains("\u{1b}[32mPASS   \u{1b}[0m"));
    // The body's own escape is shown, never sent raw to the terminal.
    assert!(text.contains("\\u{1b}[31mAway"));
    assert!(!text.contains('\u{0}'));
}

#[test]
fn junit_common() {
    insta::assert_snapshot!(
        "junit_common",
        junit(&common::sample_report(), JunitFlavor::Common)
    );
}

#[test]
fn junit_ant() {
    insta::assert_snapshot!(
        "junit_ant",
        junit(&common::sample_report(), JunitFlavor::Ant)
    );
}

fn html(report: &RunReport) -> String {
    let mut out = Vec::new();
    write_html(report, &Proofs::default(), &mut out).expect("html renders");
    String::from_utf8(out).expect("html is UTF-8")
}

#[test]
fn html_report() {
    insta::assert_snapshot!("report_html", html(&common::sample_report()));
}

#[test]
fn json_report() {
    let mut out = Vec::new();
    write_json(&common::sample_report(), &mut out).expect("json renders");
    insta::assert_snapshot!("report_json", String::from_utf8(out).expect("UTF-8"));
}

#[test]
fn no_secret_and_no_illegal_character_in_any_output() {
    let report = common::sample_report();
    let mut json = Vec::new();
    write_json(&report, &mut json).expect("json renders");
    let outputs = [
        (
            "console",
            console(
                &report,
                ConsoleOptions {
                    verbose: true,
                    color: false,
                },
            ),
        ),
        ("common", junit(&report, JunitFlavor::Common)),
        ("ant", junit(&report, JunitFlavor::Ant)),
        ("json", String::from_utf8(json).expect("UTF-8")),
        ("html", html(&report)),
    ];
    for (what, text) in outputs {
        assert!(!text.contains(common::SECRET), "{what} leaks the cwt token");
        assert!(!text.contains("hunter2"), "{what} leaks the password");
        assert!(
            text.contains("cwt=[redacted]"),
            "{what} lost the redaction marker"
        );
        assert!(!text.contains('\u{0}'), "{what} contains NUL");
        if what != "json" {
            assert!(!text.contains('\u{1b}'), "{what} contains a raw ESC");
        }
    }
}

#[test]
fn strict_turns_non_strict_into_a_failure() {
    let mut report = common::sample_report();
    report.strict = true;
    let xml = junit(&report, JunitFlavor::Common);
    let start = xml
        .find("name=\"json[d9]\"")
        .expect("the non-strict case is there");
    let case = &xml[start..start + xml[start..].find("</testcase>").expect("closed")];
    assert!(
        case.contains("<failure message=\"a should rule failed"),
        "{case}"
    );
    assert!(case.contains("type=\"header\""), "{case}");
    assert!(
        case.contains("<property name=\"verdict\" value=\"non-strict\"/>"),
        "{case}"
    );
}
