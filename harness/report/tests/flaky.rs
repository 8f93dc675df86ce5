//! A flaky run (`run --repeat N` whose repeats disagreed) is a verdict of its own in every
//! report, and one that fails: console, both JUnit flavors (the Ant one still valid against
//! its schema), `report.json` (read back as the run report `merge` reads) and `report.html`.

mod common;

use harness_core::outcome::{EventSink, RunEvent, RunReport, Summary, Verdict};
use harness_report::{
    ConsoleOptions, ConsoleReporter, JunitFlavor, JunitOptions, Proofs, junit_string, write_html,
    write_json,
};

use common::tools::{ANT_XSD, xmllint, xmllint_available};

const REASON: &str = "flaky: verdicts pass, fail, pass over 3 repeats; repeat 2: status 500";

/// The sample report with its first run flaky.
fn flaky_report() -> RunReport {
    let mut report = common::sample_report();
    report.cases[0].verdict = Verdict::Flaky;
    report.cases[0].reason = Some(REASON.to_owned());
    report.summary = Summary::of(&report.cases);
    report
}

fn junit(report: &RunReport, flavor: JunitFlavor) -> String {
    let options = JunitOptions {
        flavor,
        hostname: Some("localhost".to_owned()),
    };
    junit_string(report, &options).expect("junit renders")
}

#[test]
fn the_summary_counts_it_and_fails_the_run() {
    let report = flaky_report();
    assert_eq!(report.summary.flaky, 1);
    assert!(report.summary.is_failure(false));
    assert!(Verdict::Flaky.needs_attention());
}

#[test]
fn console_shows_it_and_adds_the_count_after_the_grepped_counts() {
    let report = flaky_report();
    let mut reporter = ConsoleReporter::new(Vec::new(), ConsoleOptions::default());
    for (position, case) in report.cases.iter().enumerate() {
        reporter.on_event(RunEvent::CaseFinished { position, case });
    }
    reporter.on_event(RunEvent::RunFinished(&report));
    let text = String::from_utf8(reporter.into_inner()).expect("UTF-8");
    assert!(text.contains("FLAKY   ps.delete.events/json  "), "{text}");
    assert!(text.contains(REASON), "{text}");
    let s = &report.summary;
    let counts = format!(
        "{} passed, {} failed, {} errors, {} skipped, {} non-strict, 1 flaky in ",
        s.passed, s.failed, s.errors, s.skipped, s.non_strict
    );
    assert!(text.contains(&counts), "{text}");
}

#[test]
fn junit_makes_it_a_failure_of_type_flaky_in_both_flavors() {
    let report = flaky_report();
    let plain = common::sample_report();
    for flavor in [JunitFlavor::Common, JunitFlavor::Ant] {
        let xml = junit(&report, flavor);
        assert!(
            xml.contains(&format!("<failure message=\"{REASON}\" type=\"flaky\">")),
            "{flavor:?}: {xml}"
        );
        // One more failure than the sample counts, where CI readers count.
        let failures = |xml: &str| {
            let at = xml.find("<testsuites").expect("testsuites");
            let tag = &xml[at..at + xml[at..].find('>').expect("tag end")];
            let value = tag.split("failures=\"").nth(1).expect("failures");
            value
                .split('"')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_default()
        };
        if flavor == JunitFlavor::Common {
            assert_eq!(failures(&xml), failures(&junit(&plain, flavor)) + 1);
            assert!(xml.contains("<property name=\"verdict\" value=\"flaky\"/>"));
        }
    }
}

#[test]
fn the_ant_flavor_with_a_flaky_run_still_validates() {
    if !xmllint_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, junit(&flaky_report(), JunitFlavor::Ant)).expect("write");
    if let Err(complaint) = xmllint(&path, Some(ANT_XSD)) {
        panic!("the Ant flavor is invalid: {complaint}");
    }
}

#[test]
fn report_json_has_the_verdict_and_the_count_and_reads_back() {
    let mut json = Vec::new();
    write_json(&flaky_report(), &mut json).expect("json");
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(value["cases"][0]["verdict"], "flaky");
    assert_eq!(value["summary"]["flaky"], 1);
    let back: RunReport = serde_json::from_slice(&json).expect("reads back");
    assert_eq!(back.cases[0].verdict, Verdict::Flaky);
    assert_eq!(back.summary, flaky_report().summary);
    // Without a flaky run the count is left out: the file's shape is as before.
    let mut plain = Vec::new();
    write_json(&common::sample_report(), &mut plain).expect("json");
    assert!(!String::from_utf8_lossy(&plain).contains("\"flaky\""));
}

#[test]
fn report_html_counts_it_and_marks_its_row() {
    let mut html = Vec::new();
    write_html(&flaky_report(), &Proofs::default(), &mut html).expect("html");
    let html = String::from_utf8(html).expect("UTF-8");
    assert!(html.contains("<th>flaky</th>"), "{html}");
    assert!(html.contains("<td class=\"flaky\">1</td>"), "{html}");
    assert!(html.contains("<tr class=\"flaky\">"), "{html}");
}
