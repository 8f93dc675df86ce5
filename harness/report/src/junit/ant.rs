//! The Ant JUnit flavor: the schema (`fixtures/junit/JUnit-ant.xsd`) forbids attributes on
//! `<testsuites>`, wants `package`, `id` and `hostname` on every suite, a timestamp without zone
//! or fraction, a `<properties>` element even when empty, suite-level `<system-out>`/
//! `<system-err>` that must be present, and allows no `file`/`line` and nothing but the result
//! inside `<testcase>`.

use std::fmt::Write as _;
use std::io;

use chrono::Utc;
use quick_xml::Writer;

use super::plan::{Plan, SuitePlan};
use super::testcase::{CasePlan, CaseStatus};
use super::xml::{
    copy_testcase, finish_document, seconds, start_document, text, write_properties, write_result,
};
use crate::piece::{Part, Pieces};

/// Spaces per level of nesting.
pub(crate) const INDENT: usize = 2;

/// Used when `started_at` does not parse: the schema requires a timestamp.
const FALLBACK_TIMESTAMP: &str = "1970-01-01T00:00:00";

/// Splits `cases/area/delete.yaml` into package `cases/area` and name `delete.yaml`, the Ant
/// convention for aggregated documents (readers join them as `package.name`).
fn package_and_name(file: &str) -> (&str, &str) {
    match file.rsplit_once('/') {
        Some((dir, base)) if !base.trim().is_empty() => (dir, base),
        _ => ("", file),
    }
}

/// What every suite of the file shares.
struct SuiteHeader<'a> {
    timestamp: String,
    hostname: &'a str,
}

/// Writes `plan` so that it validates against the Ant schema, each testcase (and the output of
/// a non-strict one) copied from `pieces`.
pub(crate) fn write_ant(
    plan: &Plan,
    pieces: &mut dyn Pieces,
    out: impl io::Write,
) -> io::Result<()> {
    let timestamp = plan.timestamp.map_or_else(
        || FALLBACK_TIMESTAMP.to_owned(),
        |t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        },
    );
    let hostname = match plan.hostname.trim() {
        "" => "localhost",
        host => host,
    };
    let header = SuiteHeader {
        timestamp,
        hostname,
    };
    let mut writer = start_document(out, INDENT)?;
    writer
        .create_element("testsuites")
        .write_inner_content(|writer| {
            for (id, suite) in plan.suites.iter().enumerate() {
                write_suite(writer, plan, suite, id, &header, pieces)?;
            }
            Ok(())
        })?;
    finish_document(writer)
}

fn write_suite<W: io::Write>(
    writer: &mut Writer<W>,
    plan: &Plan,
    suite: &SuitePlan,
    id: usize,
    header: &SuiteHeader<'_>,
    pieces: &mut dyn Pieces,
) -> io::Result<()> {
    let (tests, failures, errors, skipped) = suite.counts();
    let (package, name) = package_and_name(&suite.file);
    let name = if name.trim().is_empty() {
        "cases"
    } else {
        name
    };
    let mut properties = plan.properties.clone();
    // Testcases cannot carry properties here, so the non-strict ones are listed on the suite.
    let non_strict: Vec<String> = suite
        .cases
        .iter()
        .filter_map(|c| c.non_strict.as_ref())
        .map(|(classname, name)| format!("{classname}/{name}"))
        .collect();
    if !non_strict.is_empty() {
        properties.push(("non-strict".to_owned(), non_strict.join(" ")));
    }
    // Testcase output is not allowed, so each case's output goes here under its own heading.
    let mut system_out = String::new();
    let mut buf = Vec::new();
    for case in &suite.cases {
        let Some((classname, name)) = &case.non_strict else {
            continue;
        };
        buf.clear();
        pieces.piece(case.index, Part::TestcaseOutput, &mut buf)?;
        let _ = writeln!(system_out, "--- {classname} {name}");
        system_out.push_str(std::str::from_utf8(&buf).map_err(io::Error::other)?);
    }
    let time = seconds(suite.time);
    let numbers = [id, tests, failures, errors, skipped].map(|n| n.to_string());
    let [id, tests, failures, errors, skipped] = numbers.each_ref().map(String::as_str);
    writer
        .create_element("testsuite")
        .with_attributes([
            ("name", name),
            ("package", package),
            ("id", id),
            ("timestamp", header.timestamp.as_str()),
            ("hostname", header.hostname),
            ("tests", tests),
            ("failures", failures),
            ("errors", errors),
            ("skipped", skipped),
            ("time", time.as_str()),
        ])
        .write_inner_content(|writer| {
            write_properties(writer, &properties)?;
            for case in &suite.cases {
                copy_testcase(writer, pieces, case, &mut buf)?;
            }
            writer
                .create_element("system-out")
                .write_text_content(text(&system_out))?;
            writer
                .create_element("system-err")
                .write_text_content(text(""))?;
            Ok(())
        })?;
    Ok(())
}

pub(crate) fn write_case<W: io::Write>(writer: &mut Writer<W>, case: &CasePlan) -> io::Result<()> {
    let time = seconds(case.time);
    let element = writer.create_element("testcase").with_attributes([
        ("name", case.name.as_str()),
        ("classname", case.classname.as_str()),
        ("time", time.as_str()),
    ]);
    match &case.status {
        CaseStatus::Pass => element.write_empty().map(drop),
        CaseStatus::Skipped { message, .. } => element
            .write_inner_content(|writer| {
                writer
                    .create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()
                    .map(drop)
            })
            .map(drop),
        CaseStatus::Failure { message, ty, text } => element
            .write_inner_content(|writer| write_result(writer, "failure", message, ty, text))
            .map(drop),
        CaseStatus::Error { message, ty, text } => element
            .write_inner_content(|writer| write_result(writer, "error", message, ty, text))
            .map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_name_is_the_file_and_package_its_folder() {
        assert_eq!(
            package_and_name("cases/presence-subscription/delete.yaml"),
            ("cases/presence-subscription", "delete.yaml")
        );
        assert_eq!(package_and_name("top.yaml"), ("", "top.yaml"));
        assert_eq!(package_and_name("odd/"), ("", "odd/"));
    }
}
