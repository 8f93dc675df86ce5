//! The common JUnit flavor: what Jenkins, GitLab and the GitHub report actions read, including
//! the de-facto `file`/`line` attributes and the testcase-level properties and output that the
//! Ant schema does not allow. The layout is the one quick-junit (nextest's writer) produces.

use std::io;

use chrono::{DateTime, FixedOffset};
use quick_xml::Writer;

use super::plan::{Plan, SuitePlan};
use super::testcase::{CasePlan, CaseStatus};
use super::xml::{
    copy_testcase, finish_document, seconds, start_document, text, write_properties, write_result,
};
use crate::piece::Pieces;

/// Spaces per level of nesting.
pub(crate) const INDENT: usize = 4;

/// RFC 3339 with milliseconds, as CI readers (and quick-junit) write it.
fn rfc3339(timestamp: &DateTime<FixedOffset>) -> String {
    timestamp.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// Writes `plan` as `<testsuites>` → `<testsuite>` per file → `<testcase>` per case, each
/// testcase copied from `pieces`.
pub(crate) fn write_common(
    plan: &Plan,
    pieces: &mut dyn Pieces,
    out: impl io::Write,
) -> io::Result<()> {
    let mut totals = (0, 0, 0, 0);
    for suite in &plan.suites {
        let (tests, failures, errors, skipped) = suite.counts();
        totals.0 += tests;
        totals.1 += failures;
        totals.2 += errors;
        totals.3 += skipped;
    }
    let (tests, failures, errors, skipped) = totals;
    let [tests, skipped, failures, errors] =
        [tests, skipped, failures, errors].map(|n| n.to_string());
    let timestamp = plan.timestamp.as_ref().map(rfc3339);
    let time = seconds(plan.time);
    let mut writer = start_document(out, INDENT)?;
    let mut element = writer.create_element("testsuites").with_attributes([
        ("name", plan.name.as_str()),
        ("tests", tests.as_str()),
        ("skipped", skipped.as_str()),
        ("failures", failures.as_str()),
        ("errors", errors.as_str()),
    ]);
    if let Some(timestamp) = &timestamp {
        element = element.with_attribute(("timestamp", timestamp.as_str()));
    }
    element
        .with_attribute(("time", time.as_str()))
        .write_inner_content(|writer| {
            for suite in &plan.suites {
                write_suite(writer, plan, suite, timestamp.as_deref(), pieces)?;
            }
            Ok(())
        })?;
    finish_document(writer)
}

fn write_suite<W: io::Write>(
    writer: &mut Writer<W>,
    plan: &Plan,
    suite: &SuitePlan,
    timestamp: Option<&str>,
    pieces: &mut dyn Pieces,
) -> io::Result<()> {
    let (tests, failures, errors, skipped) = suite.counts();
    let [tests, skipped, errors, failures] =
        [tests, skipped, errors, failures].map(|n| n.to_string());
    let time = seconds(suite.time);
    let mut element = writer.create_element("testsuite").with_attributes([
        ("name", suite.file.as_str()),
        ("tests", tests.as_str()),
        ("skipped", skipped.as_str()),
        ("errors", errors.as_str()),
        ("failures", failures.as_str()),
    ]);
    if let Some(timestamp) = timestamp {
        element = element.with_attribute(("timestamp", timestamp));
    }
    element
        .with_attributes([
            ("time", time.as_str()),
            ("hostname", plan.hostname.as_str()),
            // mikepenz falls back to the suite's `file` when a testcase has none.
            ("file", suite.file.as_str()),
        ])
        .write_inner_content(|writer| {
            if !plan.properties.is_empty() {
                write_properties(writer, &plan.properties)?;
            }
            let mut buf = Vec::new();
            for case in &suite.cases {
                copy_testcase(writer, pieces, case, &mut buf)?;
            }
            Ok(())
        })?;
    Ok(())
}

pub(crate) fn write_case<W: io::Write>(writer: &mut Writer<W>, case: &CasePlan) -> io::Result<()> {
    let time = seconds(case.time);
    let line = case.line.to_string();
    let element = writer.create_element("testcase").with_attributes([
        ("name", case.name.as_str()),
        ("classname", case.classname.as_str()),
        ("time", time.as_str()),
        ("file", case.file.as_str()),
        ("line", line.as_str()),
    ]);
    if case.properties.is_empty()
        && case.output.is_none()
        && matches!(case.status, CaseStatus::Pass)
    {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|writer| {
        if !case.properties.is_empty() {
            write_properties(writer, &case.properties)?;
        }
        match &case.status {
            CaseStatus::Pass => {}
            CaseStatus::Failure { message, ty, text } => {
                write_result(writer, "failure", message, ty, text)?;
            }
            CaseStatus::Error { message, ty, text } => {
                write_result(writer, "error", message, ty, text)?;
            }
            CaseStatus::Skipped { message, xfail } => {
                let mut skipped = writer
                    .create_element("skipped")
                    .with_attribute(("message", message.as_str()));
                // pytest's convention for a known failure: a skip of type `xfail`.
                if *xfail {
                    skipped = skipped.with_attribute(("type", "xfail"));
                }
                skipped.write_empty()?;
            }
        }
        if let Some(output) = &case.output {
            writer
                .create_element("system-out")
                .write_text_content(text(output))?;
        }
        Ok(())
    })?;
    Ok(())
}
