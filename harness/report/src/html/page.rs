//! The data of `report.html`, ready to lay out with `templates/report/page.html`. Every text
//! from the run, and so possibly from a target, is redacted and has its control characters
//! made visible here; the template's HTML escaping (askama's) is the only escaping.

use askama::Template;
use harness_core::outcome::{
    CaseOutcome, CaseSteps, CheckOutcome, CheckStatus, CoverageSummary, RunReport, StepOutcome,
    Summary, TimelineEntry,
};

use super::proof::{MutantRow, Proofs, VariantRow, mutant_rows, variant_rows};
use super::row::{CaseRow, anchor, case_row};
use super::summary::{Overview, overview};
use super::timeline_svg::{TimelineSvg, timeline_svg};
use crate::detail::safe;
use crate::sanitize::{cap, redact};

/// The most of an expected or actual value shown; the full value is in `report.json`.
const MAX_VALUE: usize = 4096;
/// The most of a diff shown.
const MAX_DIFF: usize = 16384;

/// The whole page.
#[derive(Debug, Template)]
#[template(path = "report/page.html", whitespace = "minimize")]
pub(crate) struct Page {
    pub tool: String,
    pub target_url: String,
    pub target_kind: String,
    pub started_at: String,
    /// Seconds, two decimals.
    pub duration: String,
    pub strict: bool,
    pub interrupted: bool,
    pub summary: Summary,
    /// Runs `--fail-fast` did not start.
    pub fail_fast: usize,
    pub coverage: Option<CoverageView>,
    /// Baseline failures that passed, comma-separated; empty when none.
    pub unexpected_passes: String,
    pub mutants: Option<Vec<MutantRow>>,
    pub variants: Option<Vec<VariantRow>>,
    /// The cases listed under "Needs attention" (each case's line in the table follows the
    /// page's head, one at a time).
    pub attention: Vec<CaseRow>,
    /// The areas, the rows against the formats, the slowest cases.
    pub overview: Overview,
}

/// What follows the last line of the cases table, before the first case's details.
pub(crate) const TABLE_END: &str = "\n</table>\n<h2>Details</h2>\n<p class=\"legend\">Each case's timeline: \
    its requests as bars coloured by verdict (the darker part is the request itself, the rest \
    waiting for events) with their status; the events the channel delivered, blue when a step \
    expected them, grey otherwise; a red dashed line where an event expectation's deadline ran \
    out. Hover for details.</p>";

/// What the page holds after the last case's details.
pub(crate) const PAGE_END: &str = "\n</body>\n</html>";

/// One case's line in the cases table.
#[derive(Debug, Template)]
#[template(path = "report/case_row.html", whitespace = "minimize")]
pub(crate) struct Row<'a> {
    pub case: &'a CaseRow,
}

/// The details of one case: its piece of the page, after the page's head.
#[derive(Debug, Template)]
#[template(path = "report/case.html", whitespace = "minimize")]
pub(crate) struct Details<'a> {
    pub case: &'a CaseView<'a>,
}

/// Which checklist rows have a case and which the run proved on its target.
#[derive(Debug)]
pub(crate) struct CoverageView {
    pub rows: usize,
    pub covered: usize,
    /// The rows without a case, comma-separated; empty when none.
    pub uncovered: String,
    /// Rows proven on this target, when the run judged rows at all.
    pub proven: Option<usize>,
    /// The rows not proven, grouped by what their cases lacked.
    pub unproven: Vec<UnprovenGroup>,
}

/// Rows not proven for one reason.
#[derive(Debug)]
pub(crate) struct UnprovenGroup {
    pub missing: String,
    pub count: usize,
    pub rows: String,
}

/// One case's details: its steps and its timeline. The steps' and events' lines are made one
/// at a time as the template reaches them: a long case is never held as a page piece whole.
#[derive(Debug)]
pub(crate) struct CaseView<'a> {
    /// As in its [`CaseRow`].
    pub anchor: String,
    pub verdict: &'static str,
    pub needs_attention: bool,
    pub name: String,
    pub title: String,
    /// The steps, then a `session` row for checks that belong to no step.
    pub rows: StepRows<'a>,
    /// Its steps and events drawn against time, when it ran a step.
    pub svg: Option<TimelineSvg>,
    pub timeline: EventRows<'a>,
}

/// The lines of a case's step table, each made when the template's loop asks for it.
#[derive(Debug)]
pub(crate) struct StepRows<'a> {
    steps: &'a CaseSteps,
    session: &'a [CheckOutcome],
}

impl<'a> IntoIterator for &StepRows<'a> {
    type Item = StepRow;
    type IntoIter = Box<dyn Iterator<Item = StepRow> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        let session = std::iter::once(self.session)
            .filter(|checks| !checks.is_empty())
            .map(session_row);
        Box::new(self.steps.iter().map(|s| step_row(&s)).chain(session))
    }
}

/// The lines of a case's event timeline, each made when the template's loop asks for it.
#[derive(Debug)]
pub(crate) struct EventRows<'a>(&'a [TimelineEntry]);

impl EventRows<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &EventRows<'a> {
    type Item = EventRow;
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, TimelineEntry>, fn(&TimelineEntry) -> EventRow>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(event_row)
    }
}

/// One line of a case's step table.
#[derive(Debug)]
pub(crate) struct StepRow {
    /// The verdict's name (the CSS class); `None` for the session row.
    pub verdict: Option<&'static str>,
    /// `name (line N)`, or `session`.
    pub label: String,
    /// `METHOD url → status`; `None` for the session row.
    pub request: Option<String>,
    pub checks: Vec<CheckView>,
}

/// One check with, when it did not pass, what was expected, what came and the diff.
#[derive(Debug)]
pub(crate) struct CheckView {
    /// `pass`, `fail` or `error`: also the CSS class.
    pub status: &'static str,
    pub kind: String,
    pub message: String,
    /// `expected: …` and `actual: …` lines, capped.
    pub values: Option<String>,
    pub diff: Option<String>,
}

/// One event the follower saw.
#[derive(Debug)]
pub(crate) struct EventRow {
    pub seq: u64,
    /// Milliseconds since the case started, one decimal.
    pub at_ms: String,
    pub step: String,
    pub kind: String,
    pub rel: String,
    pub href: String,
    pub in_rel: String,
    pub matched_by: String,
}

impl Page {
    /// The head of the page of `report` (whose cases may be heads only), with the proofs'
    /// matrices when there are any.
    pub(crate) fn new(report: &RunReport, proofs: &Proofs) -> Page {
        Page {
            tool: safe(&report.tool),
            target_url: safe(&report.target.url),
            target_kind: safe(&report.target.kind),
            started_at: safe(&report.started_at),
            duration: format!("{:.2}", report.duration_secs),
            strict: report.strict,
            interrupted: report.interrupted,
            summary: report.summary,
            fail_fast: report.fail_fast_skipped(),
            coverage: report.coverage.as_ref().map(coverage_view),
            unexpected_passes: safe(&report.unexpected_passes.join(", ")),
            mutants: proofs.mutants.as_ref().and_then(mutant_rows),
            variants: proofs.variants.as_ref().and_then(variant_rows),
            attention: report
                .cases
                .iter()
                .filter(|c| c.verdict.needs_attention())
                .map(case_row)
                .collect(),
            overview: overview(&report.cases, report.coverage.as_ref()),
        }
    }
}

fn coverage_view(coverage: &CoverageSummary) -> CoverageView {
    let judged = !coverage.levels.is_empty();
    let unproven = if judged {
        coverage
            .unproven_by_reason()
            .into_iter()
            .map(|(missing, rows)| UnprovenGroup {
                missing: safe(&missing),
                count: rows.len(),
                rows: safe(&rows.join(", ")),
            })
            .collect()
    } else {
        Vec::new()
    };
    CoverageView {
        rows: coverage.rows,
        covered: coverage.covered,
        uncovered: safe(&coverage.uncovered.join(", ")),
        proven: judged.then_some(coverage.proven),
        unproven,
    }
}

/// The details of `case`, from its steps, session checks and timeline.
pub(crate) fn case_view(case: &CaseOutcome) -> CaseView<'_> {
    CaseView {
        // Redacted first: the anchor shows in the page too.
        anchor: anchor(&redact(&case.name)),
        verdict: case.verdict.name(),
        needs_attention: case.verdict.needs_attention(),
        name: safe(&case.name),
        title: safe(&case.title),
        rows: StepRows {
            steps: &case.steps,
            session: &case.session_checks,
        },
        svg: timeline_svg(case),
        timeline: EventRows(&case.timeline),
    }
}

fn session_row(checks: &[CheckOutcome]) -> StepRow {
    StepRow {
        verdict: None,
        label: "session".to_owned(),
        request: None,
        checks: checks.iter().map(check_view).collect(),
    }
}

fn step_row(step: &StepOutcome) -> StepRow {
    let mut request = step
        .request
        .as_ref()
        .map(|r| format!("{} {}", r.method, r.url))
        .unwrap_or_default();
    if let Some(response) = &step.response {
        request.push_str(" → ");
        request.push_str(&response.status.to_string());
    }
    StepRow {
        verdict: Some(step.verdict.name()),
        label: format!("{} (line {})", safe(&step.name), step.line),
        request: Some(safe(&request)),
        checks: step.checks.iter().map(check_view).collect(),
    }
}

fn check_view(check: &CheckOutcome) -> CheckView {
    let status = match check.status {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::Error => "error",
    };
    let bad = check.status != CheckStatus::Pass;
    let values = match (&check.expected, &check.actual) {
        (Some(expected), Some(actual)) if bad => Some(format!(
            "expected: {}\nactual:   {}",
            safe(&cap(expected, MAX_VALUE)),
            safe(&cap(actual, MAX_VALUE))
        )),
        _ => None,
    };
    CheckView {
        status,
        kind: safe(&check.kind),
        message: safe(&check.message),
        values,
        diff: check
            .diff
            .as_ref()
            .filter(|_| bad)
            .map(|diff| safe(&cap(diff, MAX_DIFF))),
    }
}

fn event_row(e: &TimelineEntry) -> EventRow {
    let text = |value: &Option<String>| safe(value.as_deref().unwrap_or(""));
    EventRow {
        seq: e.seq,
        at_ms: format!("{:.1}", e.at_ms),
        step: text(&e.step),
        kind: safe(&e.kind),
        rel: safe(&e.rel),
        href: safe(&e.href),
        in_rel: text(&e.in_rel),
        matched_by: text(&e.matched_by),
    }
}
