//! The console reporter: one line per finished case while the run goes, then the failures in
//! detail and a summary line.

use std::fmt::Write as _;
use std::io;

use harness_core::outcome::{CaseOutcome, EventSink, RunEvent, RunReport, TargetInfo, Verdict};
use harness_core::secret::SecretValues;

use crate::detail::{Style, human_duration, render_case, render_step, safe};

/// How the console reporter writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleOptions {
    /// ANSI colour. The caller decides: on only when the writer is a terminal and `NO_COLOR`
    /// is unset.
    pub color: bool,
    /// Print every step of every case (with all its checks) as the case finishes.
    pub verbose: bool,
}

/// A reporter that writes human-readable progress and results to any writer (stdout in the
/// CLI).
///
/// `EventSink::on_event` cannot return an error, so the first write error is kept (and
/// further output dropped) until [`ConsoleReporter::take_error`] collects it; a closed pipe
/// must not stop the run or its other reporters.
#[derive(Debug)]
pub struct ConsoleReporter<W> {
    out: W,
    options: ConsoleOptions,
    error: Option<io::Error>,
    /// The detail of each finished case that needs attention, by plan position, rendered as it
    /// finished: a streamed run keeps no case's steps until the end.
    failures: Vec<(usize, String)>,
    /// Whether any case was heard finishing (else the end renders from the report).
    heard_cases: bool,
    /// The run's secret values, scrubbed from the failures' detail once more at the end.
    secrets: Option<SecretValues>,
}

impl<W: io::Write + Send> ConsoleReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: ConsoleOptions) -> Self {
        ConsoleReporter {
            out,
            options,
            error: None,
            failures: Vec::new(),
            heard_cases: false,
            secrets: None,
        }
    }

    /// Scrubs the failures' detail, printed at the end, of the values `secrets` holds by then:
    /// the run scrubs its report so once more, and the detail was rendered as each case
    /// finished.
    pub fn with_secrets(mut self, secrets: SecretValues) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// The first write error, if any; later events are not written after one.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// The writer back, e.g. a `Vec<u8>` in tests.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn style(&self) -> Style {
        Style {
            color: self.options.color,
        }
    }

    /// Writes `text` unless an earlier write failed.
    fn emit(&mut self, text: &str) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
        {
            self.error = Some(e);
        }
    }
}

impl<W: io::Write + Send> EventSink for ConsoleReporter<W> {
    fn on_event(&mut self, event: RunEvent<'_>) {
        let text = match event {
            RunEvent::RunStarted { total, target } => render_started(total, target, self.style()),
            RunEvent::CaseStarted { .. } => return,
            RunEvent::CaseFinished { position, case } => {
                self.heard_cases = true;
                if case.verdict.needs_attention() {
                    let mut detail = String::new();
                    render_case(case, self.style(), &mut detail);
                    self.failures.push((position, detail));
                }
                render_finished(case, self.options, self.style())
            }
            RunEvent::RunFinished(report) => {
                let failures = if self.heard_cases {
                    // Plan order, as the report lists them.
                    self.failures.sort_by_key(|(position, _)| *position);
                    let secrets = self.secrets.as_ref();
                    std::mem::take(&mut self.failures)
                        .into_iter()
                        .map(|(_, detail)| match secrets {
                            Some(secrets) => secrets.redact(&detail).into_owned(),
                            None => detail,
                        })
                        .collect()
                } else {
                    let mut details = Vec::new();
                    for case in report.cases.iter().filter(|c| c.verdict.needs_attention()) {
                        let mut detail = String::new();
                        render_case(case, self.style(), &mut detail);
                        details.push(detail);
                    }
                    details
                };
                render_report_end(report, &failures, self.style())
            }
        };
        self.emit(&text);
    }
}

fn render_started(total: usize, target: &TargetInfo, style: Style) -> String {
    let cases = if total == 1 { "case" } else { "cases" };
    format!(
        "{} {total} {cases} against {} ({})\n",
        style.bold("Running"),
        safe(&target.url),
        safe(&target.kind)
    )
}

/// `PASS    ps.delete.events/json  12 ms`, with the reason for a skip, and every step in
/// verbose mode.
fn render_finished(case: &CaseOutcome, options: ConsoleOptions, style: Style) -> String {
    let mut out = format!(
        "{} {}  {}",
        style.verdict(case.verdict),
        safe(&case.name),
        style.dim(&human_duration(case.duration_secs))
    );
    if matches!(
        case.verdict,
        Verdict::Skip | Verdict::Error | Verdict::Flaky
    ) && let Some(reason) = &case.reason
    {
        let _ = write!(out, "  ({})", safe(reason));
    }
    out.push('\n');
    if options.verbose {
        for step in case.steps.iter() {
            render_step(&step, style, true, &mut out);
        }
    }
    out
}

/// The failures in detail (suite order), then the summary line.
fn render_report_end(report: &RunReport, failures: &[String], style: Style) -> String {
    let mut out = String::new();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n{}\n", style.bold("Failures:"));
        for detail in failures {
            out.push_str(detail);
            out.push('\n');
        }
    }
    if report.interrupted {
        let _ = writeln!(
            out,
            "{}",
            style.yellow("interrupted: only the cases that finished are counted")
        );
    }
    if !report.target.retries.is_empty() {
        // Every case may have passed, yet a target that needed retries is flaky: say so.
        let _ = writeln!(
            out,
            "{}",
            style.yellow("retried: requests sent again after a transport failure:")
        );
        for note in &report.target.retries {
            let _ = writeln!(out, "  {}", safe(note));
        }
    }
    if let Some(coverage) = &report.coverage {
        let _ = writeln!(
            out,
            "coverage: {} of {} checklist rows",
            coverage.covered, coverage.rows
        );
        if !coverage.levels.is_empty() {
            // A row counts on this target only when a run of it was judged here.
            let _ = writeln!(
                out,
                "proven on this target: {} of {} rows",
                coverage.proven, coverage.rows
            );
            for (why, rows) in coverage.unproven_by_reason() {
                let _ = writeln!(
                    out,
                    "  not proven ({why}): {} rows: {}",
                    rows.len(),
                    rows.join(", ")
                );
            }
        }
    }
    if !report.unexpected_passes.is_empty() {
        let _ = writeln!(
            out,
            "{} {}",
            style.yellow("unexpected passes (the baseline can shrink):"),
            report.unexpected_passes.join(", ")
        );
    }
    let not_started = report.fail_fast_skipped();
    if not_started > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.yellow(&format!(
                "fail-fast: {not_started} runs not started after the first failure (skipped)"
            ))
        );
    }
    let s = &report.summary;
    let mut line = format!(
        "{} passed, {} failed, {} errors, {} skipped, {} non-strict",
        s.passed, s.failed, s.errors, s.skipped, s.non_strict
    );
    if s.known_failures > 0 {
        let _ = write!(line, ", {} known failures", s.known_failures);
    }
    // Only when there are some: the line CI logs grep keeps its shape.
    if s.flaky > 0 {
        let _ = write!(line, ", {} flaky", s.flaky);
    }
    let _ = write!(line, " in {:.2} s", report.duration_secs);
    let painted = if s.is_failure(report.strict) {
        style.red(&line)
    } else {
        style.green(&line)
    };
    let _ = write!(out, "{painted}");
    if report.strict && s.non_strict > 0 {
        let _ = write!(out, " (strict: non-strict counts as failure)");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Broken;

    impl io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn target() -> TargetInfo {
        TargetInfo {
            url: "https://127.0.0.1:4443/autodiscover".to_owned(),
            kind: "embedded".to_owned(),
            capabilities: vec![],
            retries: vec![],
        }
    }

    #[test]
    fn write_errors_are_kept_not_raised() {
        let mut reporter = ConsoleReporter::new(Broken, ConsoleOptions::default());
        let target = target();
        reporter.on_event(RunEvent::RunStarted {
            total: 1,
            target: &target,
        });
        reporter.on_event(RunEvent::RunStarted {
            total: 1,
            target: &target,
        });
        let error = reporter.take_error().map(|e| e.kind());
        assert_eq!(error, Some(io::ErrorKind::BrokenPipe));
    }

    #[test]
    fn started_line_names_target_and_count() {
        let mut reporter = ConsoleReporter::new(Vec::new(), ConsoleOptions::default());
        reporter.on_event(RunEvent::RunStarted {
            total: 3,
            target: &target(),
        });
        let text = String::from_utf8(reporter.into_inner()).unwrap_or_default();
        assert_eq!(
            text,
            "Running 3 cases against https://127.0.0.1:4443/autodiscover (embedded)\n"
        );
    }

    #[test]
    fn retries_are_listed_at_the_end() {
        let note = "GET http://t/root: try 1 of 3 failed (reset); sent again after 100 ms";
        let report = RunReport {
            tool: "t".into(),
            started_at: String::new(),
            duration_secs: 0.0,
            target: TargetInfo {
                retries: vec![note.into()],
                ..target()
            },
            strict: false,
            interrupted: false,
            report_bodies: harness_core::outcome::ReportBodies::All,
            summary: harness_core::outcome::Summary::default(),
            cases: vec![],
            coverage: None,
            unexpected_passes: vec![],
            partition: None,
        };
        let text = render_report_end(&report, &[], Style { color: false });
        let expected =
            format!("retried: requests sent again after a transport failure:\n  {note}\n");
        assert!(text.contains(&expected), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = render_started(1, &target(), Style { color: false });
        let coloured = render_started(1, &target(), Style { color: true });
        assert!(!plain.contains('\u{1b}'));
        assert!(coloured.contains("\u{1b}[1mRunning\u{1b}[0m"));
    }
}
