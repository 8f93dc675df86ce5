//! One case's line in the cases table of `report.html`, from its head alone: also what the
//! needs-attention list and the slowest cases show, and the anchor its details are found by.

use harness_core::outcome::CaseOutcome;

use crate::detail::safe;
use crate::sanitize::redact;

/// One case's line in the table: what its head holds.
#[derive(Debug)]
pub(crate) struct CaseRow {
    /// The `id` of its details, without the `c` prefix: the name with every character but
    /// ASCII letters and digits as `-`.
    pub anchor: String,
    /// The verdict's name, which is also the row's CSS class.
    pub verdict: &'static str,
    pub name: String,
    /// The checklist rows it proves, comma-separated.
    pub spec: String,
    pub file: String,
    pub line: u64,
    /// Milliseconds, no decimals.
    pub ms: String,
    pub reason: String,
}

/// The `id` suffix of a case's details: stable, and safe in a URL fragment.
pub(crate) fn anchor(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The line of `case` in the cases table, from its head.
pub(crate) fn case_row(case: &CaseOutcome) -> CaseRow {
    CaseRow {
        // Redacted first: the anchor shows in the page too.
        anchor: anchor(&redact(&case.name)),
        verdict: case.verdict.name(),
        name: safe(&case.name),
        spec: safe(&case.spec.join(", ")),
        file: safe(&case.file),
        line: case.line,
        ms: format!("{:.0}", case.duration_secs * 1000.0),
        reason: safe(case.reason.as_deref().unwrap_or("")),
    }
}
