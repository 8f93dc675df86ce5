//! `report.html`: one self-contained page (no scripts, no network) with the summary, the row
//! coverage, every case with its verdict, the details of what failed, each case's event
//! timeline, and the mutants matrix when one was run.
//!
//! Every text goes through `esc` after redaction; nothing from a target is ever written raw.

use std::fmt::Write as _;
use std::io;

use harness_core::outcome::{CaseOutcome, CheckStatus, RunReport, Verdict};
use serde_json::Value;

use crate::sanitize::{cap, redact};

/// Escapes text for HTML element content and attribute values, after redacting secrets.
fn esc(text: &str) -> String {
    let text = redact(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
.pass{background:#e6f4ea}.fail,.error,.survived{background:#fce8e6}.skip,.non-strict,.known-failure{background:#fef7e0}\
pre{background:#f6f8fa;padding:.5em;overflow:auto;max-height:30em}details{margin:.3em 0}code{font-size:90%}\
td.spec,td.file{font-size:80%;color:#555}li{margin:.2em 0}";

fn verdict_class(verdict: Verdict) -> &'static str {
    verdict.name()
}

/// The suite's two proofs, when they ran into the same folder: `mutants.json` (every fault
/// caught) and `variants.json` (every right server passed).
#[derive(Debug, Clone, Default)]
pub struct Proofs {
    pub mutants: Option<Value>,
    pub variants: Option<Value>,
}

/// Writes the HTML report, with the proofs' matrices when there are any.
pub fn write_html(report: &RunReport, proofs: &Proofs, mut out: impl io::Write) -> io::Result<()> {
    out.write_all(render(report, proofs).as_bytes())
}

fn render(report: &RunReport, proofs: &Proofs) -> String {
    let mut h = String::new();
    let s = &report.summary;
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ucwa-conform report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        h,
        "<h1>ucwa-conform report</h1><p>{} against <code>{}</code> ({}), started {}, {:.2} s{}{}</p>",
        esc(&report.tool),
        esc(&report.target.url),
        esc(&report.target.kind),
        esc(&report.started_at),
        report.duration_secs,
        if report.strict { ", strict" } else { "" },
        if report.interrupted {
            ", <strong>interrupted</strong>"
        } else {
            ""
        }
    );
    let _ = write!(
        h,
        "<table><tr><th>total</th><th>passed</th><th>failed</th><th>errors</th><th>skipped</th><th>non-strict</th><th>known failures</th></tr>\
         <tr><td>{}</td><td class=\"pass\">{}</td><td class=\"fail\">{}</td><td class=\"error\">{}</td><td class=\"skip\">{}</td><td class=\"non-strict\">{}</td><td class=\"known-failure\">{}</td></tr></table>",
        s.total, s.passed, s.failed, s.errors, s.skipped, s.non_strict, s.known_failures
    );
    if let Some(coverage) = &report.coverage {
        let _ = write!(
            h,
            "<p>Coverage: {} of {} checklist rows have a case.",
            coverage.covered, coverage.rows
        );
        if !coverage.uncovered.is_empty() {
            let _ = write!(
                h,
                " Without a case: {}",
                esc(&coverage.uncovered.join(", "))
            );
        }
        h.push_str("</p>");
        if !coverage.levels.is_empty() {
            let _ = write!(
                h,
                "<p>Proven on this target: {} of {} rows.</p>",
                coverage.proven, coverage.rows
            );
            let groups = coverage.unproven_by_reason();
            if !groups.is_empty() {
                h.push_str("<table><tr><th>not proven: missing</th><th>rows</th></tr>");
                for (why, rows) in groups {
                    let _ = write!(
                        h,
                        "<tr class=\"skip\"><td>{}</td><td>{} ({})</td></tr>",
                        esc(&why),
                        rows.len(),
                        esc(&rows.join(", "))
                    );
                }
                h.push_str("</table>");
            }
        }
    }
    if !report.unexpected_passes.is_empty() {
        let _ = write!(
            h,
            "<p>Unexpected passes (the baseline can shrink): {}</p>",
            esc(&report.unexpected_passes.join(", "))
        );
    }
    if let Some(mutants) = &proofs.mutants {
        render_mutants(&mut h, mutants);
    }
    if let Some(variants) = &proofs.variants {
        render_variants(&mut h, variants);
    }
    let bad: Vec<&CaseOutcome> = report
        .cases
        .iter()
        .filter(|c| c.verdict.needs_attention())
        .collect();
    if !bad.is_empty() {
        h.push_str("<h2>Needs attention</h2><ul>");
        for case in bad {
            let _ = write!(
                h,
                "<li class=\"{}\"><a href=\"#c{}\">{}</a> ({}): {}</li>",
                verdict_class(case.verdict),
                anchor(&case.name),
                esc(&case.name),
                case.verdict.name(),
                esc(case.reason.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2>Cases</h2><table><tr><th>case</th><th>verdict</th><th>rows of the documents</th><th>file</th><th>ms</th><th>reason</th></tr>");
    for case in &report.cases {
        let _ = write!(
            h,
            "<tr class=\"{}\"><td><a href=\"#c{}\">{}</a></td><td>{}</td><td class=\"spec\">{}</td><td class=\"file\">{}:{}</td><td>{:.0}</td><td>{}</td></tr>",
            verdict_class(case.verdict),
            anchor(&case.name),
            esc(&case.name),
            case.verdict.name(),
            esc(&case.spec.join(", ")),
            esc(&case.file),
            case.line,
            case.duration_secs * 1000.0,
            esc(case.reason.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table><h2>Details</h2>");
    for case in &report.cases {
        render_case(&mut h, case);
    }
    h.push_str("</body></html>\n");
    h
}

fn anchor(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn render_case(h: &mut String, case: &CaseOutcome) {
    let open = case.verdict.needs_attention();
    let _ = write!(
        h,
        "<details id=\"c{}\"{}><summary class=\"{}\">{} — {} — {}</summary>",
        anchor(&case.name),
        if open { " open" } else { "" },
        verdict_class(case.verdict),
        esc(&case.name),
        case.verdict.name(),
        esc(&case.title)
    );
    h.push_str("<table><tr><th>step</th><th>verdict</th><th>request</th><th>checks</th></tr>");
    for step in &case.steps {
        let request = step
            .request
            .as_ref()
            .map(|r| format!("{} {}", r.method, r.url))
            .unwrap_or_default();
        let status = step
            .response
            .as_ref()
            .map(|r| format!(" → {}", r.status))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr class=\"{}\"><td>{} (line {})</td><td>{}</td><td><code>{}{}</code></td><td>",
            verdict_class(step.verdict),
            esc(&step.name),
            step.line,
            step.verdict.name(),
            esc(&request),
            esc(&status)
        );
        for check in &step.checks {
            render_check(h, check);
        }
        h.push_str("</td></tr>");
    }
    if !case.session_checks.is_empty() {
        h.push_str("<tr><td>session</td><td></td><td></td><td>");
        for check in &case.session_checks {
            render_check(h, check);
        }
        h.push_str("</td></tr>");
    }
    h.push_str("</table>");
    if !case.timeline.is_empty() {
        h.push_str("<details><summary>event timeline</summary><table><tr><th>#</th><th>ms</th><th>step</th><th>event</th><th>in</th><th>matched by</th></tr>");
        for e in &case.timeline {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{:.1}</td><td>{}</td><td>{} {} <code>{}</code></td><td>{}</td><td>{}</td></tr>",
                e.seq,
                e.at_ms,
                esc(e.step.as_deref().unwrap_or("")),
                esc(&e.kind),
                esc(&e.rel),
                esc(&e.href),
                esc(e.in_rel.as_deref().unwrap_or("")),
                esc(e.matched_by.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</table></details>");
    }
    h.push_str("</details>");
}

fn render_check(h: &mut String, check: &harness_core::outcome::CheckOutcome) {
    let class = match check.status {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::Error => "error",
    };
    let _ = write!(
        h,
        "<div class=\"{class}\">{}: {}",
        esc(&check.kind),
        esc(&check.message)
    );
    if check.status != CheckStatus::Pass {
        if let (Some(expected), Some(actual)) = (&check.expected, &check.actual) {
            let _ = write!(
                h,
                "<pre>expected: {}\nactual:   {}</pre>",
                esc(&cap(expected, 4096)),
                esc(&cap(actual, 4096))
            );
        }
        if let Some(diff) = &check.diff {
            let _ = write!(h, "<pre>{}</pre>", esc(&cap(diff, 16384)));
        }
    }
    h.push_str("</div>");
}

fn render_mutants(h: &mut String, mutants: &Value) {
    let Some(results) = mutants.get("results").and_then(Value::as_array) else {
        return;
    };
    h.push_str("<h2>Mutants</h2><table><tr><th>profile</th><th>kind</th><th>rule it breaks</th><th>result</th><th>caught by</th></tr>");
    for r in results {
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        let flag = |k: &str| r.get(k).and_then(Value::as_bool).unwrap_or(false);
        let killed = flag("killed");
        let name = text("name");
        // A profile caught by other checks than expected, or not run, fails the proof too.
        let unproven = r.get("error").is_some_and(|e| !e.is_null())
            || matches!(text("expectation"), "missed" | "other-only" | "unlisted");
        let (class, word) = match (name, killed) {
            ("none", false) => ("pass", "passes"),
            ("none", true) => ("fail", "FAILS"),
            (_, _) if unproven => ("fail", "NOT AS EXPECTED"),
            (_, true) if flag("killed_by_timeout_only") => ("pass", "killed by timeout only"),
            (_, true) => ("pass", "killed"),
            (_, false) => ("survived", "SURVIVED"),
        };
        let caught: Vec<&str> = r
            .get("caught_by")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).take(5).collect())
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{word}</td><td>{}</td></tr>",
            esc(name),
            esc(text("kind")),
            esc(text("rule")),
            esc(&caught.join(", "))
        );
    }
    h.push_str("</table>");
}

fn render_variants(h: &mut String, variants: &Value) {
    let Some(results) = variants.get("results").and_then(Value::as_array) else {
        return;
    };
    h.push_str("<h2>Conformant variants</h2><table><tr><th>variant</th><th>kind</th><th>the choice it makes</th><th>result</th><th>false failures</th></tr>");
    for r in results {
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        let failures: Vec<String> = r
            .get("failures")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|f| {
                        let t = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("");
                        format!("{} ({})", t("run"), t("verdict"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let error = r.get("error").and_then(Value::as_str);
        let runs = r.get("runs").and_then(Value::as_u64).unwrap_or(0);
        let (class, word) = if failures.is_empty() && error.is_none() && runs > 0 {
            ("pass", "passes")
        } else {
            ("fail", "FAILS")
        };
        let detail = error.map_or_else(|| failures.join(", "), str::to_owned);
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{word}</td><td>{}</td></tr>",
            esc(text("name")),
            esc(text("kind")),
            esc(text("choice")),
            esc(&detail)
        );
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_quotes_controls_and_secrets() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{1b}cwt=ABC"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u{1b}cwt=[redacted]"
        );
    }

    #[test]
    fn the_mutants_matrix_marks_survivors() {
        let mutants = serde_json::json!({"results": [
            {"name": "none", "kind": "none", "rule": "", "killed": false, "caught_by": []},
            {"name": "create-200", "kind": "status", "rule": "201 <b>", "killed": false, "caught_by": []}
        ]});
        let mut h = String::new();
        render_mutants(&mut h, &mutants);
        assert!(h.contains("class=\"survived\"><td>create-200"), "{h}");
        assert!(h.contains("201 &lt;b&gt;"), "{h}");
    }

    #[test]
    fn the_variants_matrix_marks_false_failures() {
        let variants = serde_json::json!({"results": [
            {"name": "extend-201", "kind": "status", "choice": "OP-4", "runs": 3, "failures": []},
            {"name": "gone-410", "kind": "status", "choice": "OP-14", "runs": 3,
             "failures": [{"run": "ps.get.deleted/json", "verdict": "fail", "reason": "404"}]}
        ]});
        let mut h = String::new();
        render_variants(&mut h, &variants);
        assert!(h.contains("class=\"pass\"><td>extend-201"), "{h}");
        assert!(h.contains("class=\"fail\"><td>gone-410"), "{h}");
        assert!(h.contains("ps.get.deleted/json (fail)"), "{h}");
    }
}
