//! `report.html`: one self-contained page (no scripts, no network) with the summary, the row
//! coverage, every case with its verdict, the details of what failed, each case's event
//! timeline, and the mutants and variants matrices when they were run.
//!
//! `page` gathers the data, redacted and with control characters made visible; the askama
//! templates under `templates/report/` lay it out and escape every value. Nothing from a
//! target is ever written raw. The page is its head (summary, coverage, proofs, the cases'
//! table, from the cases' heads), each case's details (its piece, rendered as the case
//! finished) and its end.

mod page;
mod proof;
mod row;
mod summary;
mod timeline_svg;

use std::io;

use askama::Template as _;
use harness_core::outcome::{CaseOutcome, RunReport};

use self::page::{Details, PAGE_END, Page, Row, TABLE_END, case_view};
pub use self::proof::Proofs;
use self::row::case_row;
use crate::piece::{Part, Pieces};

/// Writes `report.html` of `report`, whose cases may be heads only: each case's details come
/// from `pieces`, in the report's order.
pub(crate) fn assemble_html(
    report: &RunReport,
    proofs: &Proofs,
    pieces: &mut dyn Pieces,
    mut out: impl io::Write,
) -> io::Result<()> {
    Page::new(report, proofs).write_into(&mut out)?;
    // One line at a time: the table of a long run is never in memory whole.
    for case in &report.cases {
        out.write_all(b"\n")?;
        Row {
            case: &case_row(case),
        }
        .write_into(&mut out)?;
    }
    out.write_all(TABLE_END.as_bytes())?;
    for index in 0..report.cases.len() {
        pieces.piece(index, Part::Html, &mut out)?;
    }
    out.write_all(PAGE_END.as_bytes())?;
    out.flush()
}

/// Renders the details of `case` as the page holds them, the line break before them included.
pub(crate) fn render_details(case: &CaseOutcome, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(b"\n")?;
    Details {
        case: &case_view(case),
    }
    .write_into(out)
}

#[cfg(test)]
mod tests {
    use crate::render::write_html;
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{CaseOutcome, CheckOutcome, Summary, TargetInfo, Verdict};

    use super::*;

    fn render(report: &RunReport, proofs: &Proofs) -> String {
        let mut out = Vec::new();
        write_html(report, proofs, &mut out).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    }

    fn report(name: &str, verdict: Verdict) -> RunReport {
        let case = CaseOutcome {
            name: name.to_owned(),
            case_id: "c".to_owned(),
            row: None,
            format: Format::Json,
            title: "t".to_owned(),
            file: "cases/c.yaml".to_owned(),
            line: 3,
            level: Level::Must,
            spec: vec!["PS-1".to_owned()],
            tags: vec![],
            verdict,
            reason: Some("why cwt=TOKEN".to_owned()),
            duration_secs: 0.25,
            steps: vec![].into(),
            session_checks: vec![CheckOutcome::fail("channel", Level::Must, "closed")],
            timeline: vec![],
        };
        RunReport {
            tool: "ucwa-conform".to_owned(),
            started_at: "2025-01-02T03:04:05Z".to_owned(),
            duration_secs: 1.5,
            target: TargetInfo {
                url: "http://t".to_owned(),
                kind: "remote".to_owned(),
                capabilities: vec![],
                retries: vec![],
            },
            strict: false,
            interrupted: true,
            report_bodies: harness_core::outcome::ReportBodies::All,
            summary: Summary::of(std::slice::from_ref(&case)),
            cases: vec![case],
            coverage: None,
            unexpected_passes: vec![],
            partition: None,
        }
    }

    #[test]
    fn a_failed_case_is_listed_linked_and_open() {
        let html = render(&report("a b/json", Verdict::Fail), &Proofs::default());
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("<strong>interrupted</strong>"), "{html}");
        assert!(html.contains("<h2>Needs attention</h2>"), "{html}");
        assert!(
            html.contains("<a href=\"#ca-b-json\">a b/json</a>"),
            "{html}"
        );
        assert!(html.contains("<details id=\"ca-b-json\" open>"), "{html}");
        assert!(
            html.contains("<tr><td>session</td><td></td><td></td><td>"),
            "{html}"
        );
        assert!(
            html.contains("<div class=\"fail\">channel: closed</div>"),
            "{html}"
        );
        assert!(html.contains("why cwt=[redacted]"), "{html}");
        assert!(!html.contains("TOKEN"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn no_secret_reaches_the_page_not_even_through_an_anchor() {
        let html = render(
            &report("c cwt=TOKEN/json", Verdict::Fail),
            &Proofs::default(),
        );
        assert!(!html.contains("TOKEN"), "{html}");
        assert!(html.contains("id=\"cc-cwt--redacted-\""), "{html}");
    }

    #[test]
    fn a_passed_case_is_closed_and_proofs_show_up() {
        let proofs = Proofs {
            mutants: Some(serde_json::json!({"results": [
                {"name": "create-200", "kind": "status", "rule": "201 <b>", "killed": false}
            ]})),
            variants: Some(serde_json::json!({"results": []})),
        };
        let html = render(&report("p/json", Verdict::Pass), &proofs);
        assert!(!html.contains("Needs attention"), "{html}");
        assert!(html.contains("<details id=\"cp-json\">"), "{html}");
        assert!(
            html.contains("<tr class=\"survived\"><td>create-200</td>"),
            "{html}"
        );
        assert!(html.contains("201 &#60;b&#62;"), "{html}");
        assert!(html.contains("<h2>Conformant variants</h2>"), "{html}");
    }

    #[test]
    fn a_case_streamed_row_by_row_is_the_details_the_whole_case_template_made() {
        // case.html was rendered from case.json before the steps and events became lazy:
        // a failing, an erroring and a passing check, a session row, a timeline, an svg.
        let case: CaseOutcome =
            serde_json::from_str(include_str!("../tests/fixtures/details/case.json"))
                .expect("the fixture is a case");
        let mut out = Vec::new();
        render_details(&case, &mut out).expect("renders");
        let html = String::from_utf8(out).expect("UTF-8");
        assert_eq!(html, include_str!("../tests/fixtures/details/case.html"));
    }
}
