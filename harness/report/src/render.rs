//! Rendering a case's pieces of the report files, and the files of a whole `RunReport` from
//! them: the pieces come either from the report's cases rendered on the spot ([`Rendered`]) or
//! from the spool a streamed run wrote them to as each case finished (`spool`); one renderer
//! and one assembly for both.

use std::io;

use harness_core::outcome::{CaseOutcome, RunReport};

use crate::html::{Proofs, assemble_html, render_details};
use crate::json::{assemble_json, render_case};
use crate::junit::{JunitFlavor, JunitOptions, assemble_junit, case_output, render_testcase};
use crate::piece::{Part, Pieces};

/// Renders `part` of `case`; `flavor` and `strict` shape its testcase.
pub(crate) fn render_part(
    case: &CaseOutcome,
    part: Part,
    flavor: JunitFlavor,
    strict: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match part {
        Part::Testcase => render_testcase(case, flavor, strict, out),
        Part::TestcaseOutput => out.write_all(case_output(case).unwrap_or_default().as_bytes()),
        Part::Json => render_case(case, out),
        Part::Html => render_details(case, out),
    }
}

/// The pieces of whole cases, rendered when asked for.
struct Rendered<'a> {
    cases: &'a [CaseOutcome],
    flavor: JunitFlavor,
    strict: bool,
}

impl<'a> Rendered<'a> {
    /// The pieces of `report`'s cases, testcases of `flavor`.
    fn new(report: &'a RunReport, flavor: JunitFlavor) -> Self {
        Rendered {
            cases: &report.cases,
            flavor,
            strict: report.strict,
        }
    }
}

impl Pieces for Rendered<'_> {
    fn piece(&mut self, index: usize, part: Part, out: &mut dyn io::Write) -> io::Result<()> {
        let case = self
            .cases
            .get(index)
            .ok_or_else(|| io::Error::other(format!("no case at {index} of the report")))?;
        render_part(case, part, self.flavor, self.strict, out)
    }
}

/// Writes `report` as JUnit XML of `flavor`, with the machine's host name.
pub fn write_junit(report: &RunReport, flavor: JunitFlavor, out: impl io::Write) -> io::Result<()> {
    let options = JunitOptions {
        flavor,
        hostname: None,
    };
    write_junit_with(report, &options, out)
}

/// Writes `report` as JUnit XML as `options` say. Every text is redacted (`cwt=…`,
/// `password=…`) and stripped of characters XML 1.0 forbids; failure texts are capped at
/// 64 KiB.
pub fn write_junit_with(
    report: &RunReport,
    options: &JunitOptions,
    out: impl io::Write,
) -> io::Result<()> {
    let mut pieces = Rendered::new(report, options.flavor);
    assemble_junit(report, options, &mut pieces, out)
}

/// Writes `report` as JUnit XML into a string.
pub fn junit_string(report: &RunReport, options: &JunitOptions) -> io::Result<String> {
    let mut buf = Vec::new();
    write_junit_with(report, options, &mut buf)?;
    String::from_utf8(buf).map_err(io::Error::other)
}

/// Writes `report` as pretty-printed JSON followed by a newline.
///
/// Field order is the order of the outcome types' declarations, so diffs between two reports
/// stay readable. Every string, keys included, passes through redaction as a second line of
/// defence after the runner's. The report is written as it is serialized: no copy of it as a
/// JSON tree is built first, which cost several times the report's size at its peak.
pub fn write_json(report: &RunReport, out: impl io::Write) -> io::Result<()> {
    let mut pieces = Rendered::new(report, JunitFlavor::Common);
    assemble_json(report, &mut pieces, out)
}

/// Writes the HTML report, with the proofs' matrices when there are any.
pub fn write_html(report: &RunReport, proofs: &Proofs, out: impl io::Write) -> io::Result<()> {
    let mut pieces = Rendered::new(report, JunitFlavor::Common);
    assemble_html(report, proofs, &mut pieces, out)
}
