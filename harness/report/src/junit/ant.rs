//! The Ant JUnit flavor, written by hand because quick-junit cannot produce it: the schema
//! (`fixtures/junit/JUnit-ant.xsd`) forbids attributes on `<testsuites>`, wants `package`, `id`
//! and `hostname` on every suite, a timestamp without zone or fraction, a `<properties>`
//! element even when empty, suite-level `<system-out>`/`<system-err>` that must be present, and
//! allows no `file`/`line` and nothing but the result inside `<testcase>`.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use chrono::Utc;

use super::plan::{CasePlan, CaseStatus, Plan, SuitePlan};

/// Used when `started_at` does not parse: the schema requires a timestamp.
const FALLBACK_TIMESTAMP: &str = "1970-01-01T00:00:00";

/// Escapes text content. `>` is escaped too so that `]]>` can never appear.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare CR would be normalised to LF by every parser.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value for double quotes; tab, LF and CR become character references
/// because attribute-value normalisation would turn them into spaces.
pub(crate) fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Seconds with three decimals and a `.`, as `xs:decimal` wants.
fn seconds(time: Duration) -> String {
    format!("{:.3}", time.as_secs_f64())
}

/// Splits `cases/area/delete.yaml` into package `cases/area` and name `delete.yaml`, the Ant
/// convention for aggregated documents (readers join them as `package.name`).
fn package_and_name(file: &str) -> (&str, &str) {
    match file.rsplit_once('/') {
        Some((dir, base)) if !base.trim().is_empty() => (dir, base),
        _ => ("", file),
    }
}

/// Writes `plan` so that it validates against the Ant schema.
pub(crate) fn write_ant(plan: &Plan, mut out: impl io::Write) -> io::Result<()> {
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
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, suite) in plan.suites.iter().enumerate() {
        write_suite(&mut xml, plan, suite, id, &timestamp, hostname);
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())?;
    out.flush()
}

fn write_suite(
    xml: &mut String,
    plan: &Plan,
    suite: &SuitePlan,
    id: usize,
    timestamp: &str,
    hostname: &str,
) {
    let (tests, failures, errors, skipped) = suite.counts();
    let (package, name) = package_and_name(&suite.file);
    let name = if name.trim().is_empty() {
        "cases"
    } else {
        name
    };
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" package=\"{}\" id=\"{id}\" timestamp=\"{timestamp}\" \
         hostname=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" \
         skipped=\"{skipped}\" time=\"{}\">",
        escape_attr(name),
        escape_attr(package),
        escape_attr(hostname),
        seconds(suite.time),
    );
    xml.push_str("    <properties>\n");
    let non_strict: Vec<String> = suite
        .cases
        .iter()
        .filter(|c| c.non_strict)
        .map(|c| format!("{}/{}", c.classname, c.name))
        .collect();
    let mut properties = plan.properties.clone();
    // Testcases cannot carry properties here, so the non-strict ones are listed on the suite.
    if !non_strict.is_empty() {
        properties.push(("non-strict".to_owned(), non_strict.join(" ")));
    }
    for (name, value) in &properties {
        let _ = writeln!(
            xml,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape_attr(name),
            escape_attr(value)
        );
    }
    xml.push_str("    </properties>\n");
    for case in &suite.cases {
        write_case(xml, case);
    }
    // Testcase output is not allowed, so each case's output goes here under its own heading.
    let mut system_out = String::new();
    for case in &suite.cases {
        if let Some(output) = &case.output {
            let _ = writeln!(system_out, "--- {} {}", case.classname, case.name);
            system_out.push_str(output);
        }
    }
    let _ = writeln!(
        xml,
        "    <system-out>{}</system-out>\n    <system-err></system-err>\n  </testsuite>",
        escape_text(&system_out)
    );
}

fn write_case(xml: &mut String, case: &CasePlan) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        escape_attr(&case.name),
        escape_attr(&case.classname),
        seconds(case.time)
    );
    let (tag, message, ty, text) = match &case.status {
        CaseStatus::Pass => {
            xml.push_str("/>\n");
            return;
        }
        CaseStatus::Skipped { message, .. } => {
            let _ = writeln!(
                xml,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape_attr(message)
            );
            return;
        }
        CaseStatus::Failure { message, ty, text } => ("failure", message, ty, text),
        CaseStatus::Error { message, ty, text } => ("error", message, ty, text),
    };
    let _ = writeln!(
        xml,
        ">\n      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
        escape_attr(message),
        escape_attr(ty),
        escape_text(text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_covers_markup_and_cdata_end() {
        assert_eq!(
            escape_text("a<b>&c]]>\r\n"),
            "a&lt;b&gt;&amp;c]]&gt;&#13;\n"
        );
    }

    #[test]
    fn attribute_escaping_keeps_whitespace_and_quotes() {
        assert_eq!(
            escape_attr("\"x\"\t<y>\n&'"),
            "&quot;x&quot;&#9;&lt;y&gt;&#10;&amp;'"
        );
    }

    #[test]
    fn suite_name_is_the_file_and_package_its_folder() {
        assert_eq!(
            package_and_name("cases/presence-subscription/delete.yaml"),
            ("cases/presence-subscription", "delete.yaml")
        );
        assert_eq!(package_and_name("top.yaml"), ("", "top.yaml"));
        assert_eq!(package_and_name("odd/"), ("", "odd/"));
    }

    #[test]
    fn seconds_use_a_dot_and_three_decimals() {
        assert_eq!(seconds(Duration::from_millis(1234)), "1.234");
        assert_eq!(seconds(Duration::ZERO), "0.000");
    }
}
