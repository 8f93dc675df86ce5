//! The failure detail of one case as plain or coloured text: shared by the console (at the end
//! of a run) and the JUnit failure text, so both tell the same story. Its `safe` also prepares
//! every text of the HTML page.

use std::fmt::{self, Write as _};

use harness_core::outcome::{
    CaseOutcome, CheckOutcome, CheckStatus, RequestRecord, ResponseRecord, StepOutcome,
    TimelineEntry, Verdict,
};

use crate::sanitize::{head, redact, terminal_clean};

/// Lines of a body shown for context; the full body is in `report.json`.
const BODY_HEAD_LINES: usize = 12;
const BODY_HEAD_BYTES: usize = 1024;

/// How text is dressed: ANSI colour or not. Untrusted text (bodies, messages) is always
/// redacted and has its control characters made visible, whatever the destination.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// The verdict word, padded to one width so the names line up.
    pub fn verdict(self, verdict: Verdict) -> String {
        let word = format!("{:<7}", verdict_word(verdict));
        match verdict {
            Verdict::Pass => self.green(&word),
            Verdict::Fail | Verdict::Error | Verdict::Flaky => self.red(&word),
            Verdict::Skip | Verdict::NonStrict | Verdict::KnownFailure => self.yellow(&word),
        }
    }
}

/// The upper-case word for a verdict, at most seven letters.
pub(crate) fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::NonStrict => "NSTRICT",
        Verdict::Skip => "SKIP",
        Verdict::KnownFailure => "KNOWN",
        Verdict::Fail => "FAIL",
        Verdict::Flaky => "FLAKY",
        Verdict::Error => "ERROR",
    }
}

/// Untrusted text made safe to show: secrets redacted, control characters visible.
pub(crate) fn safe(text: &str) -> String {
    terminal_clean(&redact(text)).into_owned()
}

/// A duration for people: `12 ms` below a second, `1.23 s` above.
pub(crate) fn human_duration(secs: f64) -> String {
    let secs = if secs.is_finite() { secs.max(0.0) } else { 0.0 };
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.2} s")
    }
}

/// Whether a check did not hold.
pub(crate) fn is_bad(check: &CheckOutcome) -> bool {
    check.status != CheckStatus::Pass
}

/// Whether anything in `step` is worth showing in a failure report.
fn step_is_bad(step: &StepOutcome) -> bool {
    !matches!(step.verdict, Verdict::Pass) || step.checks.iter().any(is_bad)
}

/// Whether the case failed on what the event channel carried, so its timeline explains it.
pub(crate) fn needs_timeline(case: &CaseOutcome) -> bool {
    // A step with a bad check did not pass, so it is in memory (see `CaseSteps::kept`).
    let mut checks = case
        .steps
        .kept()
        .iter()
        .flat_map(|s| s.checks.iter())
        .chain(case.session_checks.iter());
    checks.any(|c| is_bad(c) && matches!(c.kind.as_str(), "events" | "forbid"))
}

/// The full detail of a case that did not pass: where it is, why, each bad step with its
/// request and response head, each bad check with path, expected, actual and diff, and the
/// event timeline when an event check failed.
pub(crate) fn render_case(case: &CaseOutcome, style: Style, out: &mut dyn fmt::Write) {
    let _ = writeln!(
        out,
        "{} {}  {}",
        style.verdict(case.verdict),
        style.bold(&safe(&case.name)),
        safe(&case.title)
    );
    let _ = writeln!(out, "  --> {}:{}", safe(&case.file), case.line);
    if let Some(reason) = &case.reason {
        let _ = writeln!(out, "  reason: {}", safe(reason));
    }
    for step in case.steps.kept().iter().filter(|s| step_is_bad(s)) {
        render_step(step, style, false, out);
    }
    let session: Vec<&CheckOutcome> = case.session_checks.iter().filter(|c| is_bad(c)).collect();
    if !session.is_empty() {
        let _ = writeln!(out, "  session checks:");
        for check in session {
            render_check(check, style, "    ", out);
        }
    }
    if needs_timeline(case) {
        render_timeline(&case.timeline, style, out);
    }
}

/// One step: its header line, request and response for context, then its checks (only the
/// bad ones unless `all_checks`).
pub(crate) fn render_step(
    step: &StepOutcome,
    style: Style,
    all_checks: bool,
    out: &mut dyn fmt::Write,
) {
    let _ = write!(
        out,
        "  step \"{}\" (line {}): {}",
        safe(&step.name),
        step.line,
        style.verdict(step.verdict).trim_end()
    );
    if let Some(reason) = &step.reason {
        let _ = write!(out, " ({})", safe(reason));
    }
    let _ = writeln!(out, "  {}", style.dim(&human_duration(step.duration_secs)));
    let bad = step_is_bad(step);
    if let Some(request) = &step.request {
        render_request(request, bad, style, out);
    }
    if let Some(response) = &step.response {
        render_response(response, bad, style, out);
    }
    for check in step.checks.iter().filter(|c| all_checks || is_bad(c)) {
        render_check(check, style, "    ", out);
    }
}

fn render_request(
    request: &RequestRecord,
    with_body: bool,
    style: Style,
    out: &mut dyn fmt::Write,
) {
    let line = format!("> {} {}", safe(&request.method), safe(&request.url));
    let _ = writeln!(out, "    {}", style.dim(&line));
    if with_body && let Some(body) = &request.body {
        render_body(body, "    > ", style, out);
    }
}

fn render_response(
    response: &ResponseRecord,
    with_body: bool,
    style: Style,
    out: &mut dyn fmt::Write,
) {
    let line = format!(
        "< {} ({})",
        response.status,
        human_duration(response.duration_secs)
    );
    let _ = writeln!(out, "    {}", style.dim(&line));
    if with_body && let Some(body) = &response.body {
        render_body(body, "    < ", style, out);
    }
}

fn render_body(body: &str, prefix: &str, style: Style, out: &mut dyn fmt::Write) {
    let (shown, cut) = head(body, BODY_HEAD_LINES, BODY_HEAD_BYTES);
    for line in shown.lines() {
        let _ = writeln!(out, "{}", style.dim(&format!("{prefix}| {}", safe(line))));
    }
    if cut {
        let _ = writeln!(out, "{}", style.dim(&format!("{prefix}| …")));
    }
}

/// One check: status, kind, level and message, then path, expected, actual and the diff.
pub(crate) fn render_check(
    check: &CheckOutcome,
    style: Style,
    indent: &str,
    out: &mut dyn fmt::Write,
) {
    let mark = match check.status {
        CheckStatus::Pass => style.green("[pass]"),
        CheckStatus::Fail => style.red("[fail]"),
        CheckStatus::Error => style.red("[error]"),
    };
    let level = check.level.name();
    let _ = writeln!(
        out,
        "{indent}{mark} {} ({level}): {}",
        safe(&check.kind),
        safe(&check.message)
    );
    if check.status == CheckStatus::Pass {
        return;
    }
    let inner = format!("{indent}    ");
    if let Some(path) = &check.path {
        let _ = writeln!(out, "{inner}{:<9} {}", "path:", safe(path));
    }
    if let Some(expected) = &check.expected {
        render_value("expected", expected, &inner, out);
    }
    if let Some(actual) = &check.actual {
        render_value("actual", actual, &inner, out);
    }
    if let Some(diff) = &check.diff {
        let _ = writeln!(out, "{inner}diff:");
        for line in diff.lines() {
            let text = format!("{inner}  {}", safe(line));
            let painted = if line.starts_with("+++") || line.starts_with("---") {
                style.bold(&text)
            } else if line.starts_with('+') {
                style.green(&text)
            } else if line.starts_with('-') {
                style.red(&text)
            } else if line.starts_with("@@") {
                style.dim(&text)
            } else {
                text
            };
            let _ = writeln!(out, "{painted}");
        }
    }
}

/// A value on one line after its label, or as an indented block when it has several lines.
fn render_value(label: &str, value: &str, indent: &str, out: &mut dyn fmt::Write) {
    if value.contains('\n') {
        let _ = writeln!(out, "{indent}{label}:");
        for line in value.lines() {
            let _ = writeln!(out, "{indent}  {}", safe(line));
        }
    } else {
        let _ = writeln!(out, "{indent}{:<9} {}", format!("{label}:"), safe(value));
    }
}

/// The events the follower saw, one per line, in arrival order.
pub(crate) fn render_timeline(timeline: &[TimelineEntry], style: Style, out: &mut dyn fmt::Write) {
    let _ = writeln!(out, "  events seen ({}):", timeline.len());
    if timeline.is_empty() {
        let _ = writeln!(out, "    (none)");
    }
    for e in timeline {
        let mut line = format!(
            "#{:<3} {:>9}  {:<8} {:<14} {}",
            e.seq,
            format!("+{:.0} ms", e.at_ms),
            safe(&e.kind),
            safe(&e.rel),
            safe(&e.href)
        );
        if let Some(in_rel) = &e.in_rel {
            let _ = write!(line, "  in {}", safe(in_rel));
            if let Some(in_href) = &e.in_href {
                let _ = write!(line, " {}", safe(in_href));
            }
        }
        if let Some(embedded) = &e.embedded {
            let _ = write!(line, "  embeds {}", safe(embedded));
        }
        if let Some(step) = &e.step {
            let _ = write!(line, "  during \"{}\"", safe(step));
        }
        let matched = match &e.matched_by {
            Some(by) => format!("  matched by \"{}\"", safe(by)),
            None => "  unmatched".to_owned(),
        };
        let _ = writeln!(out, "    {line}{}", style.dim(&matched));
    }
}
