//! Parity: the JSON and XML forms of one resource are equivalent (digest 5.4).

use harness_core::canonical::{Difference, Document, diff, parse_iso8601};
use harness_core::model::{Format, Level};
use harness_core::outcome::CheckOutcome;

use crate::check::response::head;
use crate::client::HttpResponse;
use crate::parse::parse_document;

/// Compares the response in the run's format with the same resource fetched in the other one.
pub fn check_parity(
    level: Level,
    format: Format,
    first: &HttpResponse,
    second: &HttpResponse,
) -> CheckOutcome {
    let other = format.other();
    if first.status != second.status {
        return CheckOutcome::fail(
            "parity",
            level,
            format!(
                "{} answered {}, {} answered {}",
                format.name(),
                first.status,
                other.name(),
                second.status
            ),
        )
        .at(None, first.status.to_string(), second.status.to_string());
    }
    let parsed = |fmt: Format, response: &HttpResponse| -> Result<Document, String> {
        parse_document(fmt, &response.body)
            .map_err(|e| format!("the {} form is not a UCWA document: {e}", fmt.name()))
    };
    let (a, b) = match (parsed(format, first), parsed(other, second)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            return CheckOutcome::fail("parity", level, e).at(
                None,
                "two equivalent documents",
                format!("{}\n---\n{}", head(&first.body), head(&second.body)),
            );
        }
    };
    let (json, xml) = match format {
        Format::Json => (&a, &b),
        Format::Xml => (&b, &a),
    };
    let (moved, differences): (Vec<Difference>, Vec<Difference>) = diff(json, xml)
        .into_iter()
        .partition(|d| is_moving_date(d) || is_moving_ack(d));
    if differences.is_empty() {
        let note = if moved.is_empty() {
            String::new()
        } else {
            format!(
                " (dates that moved between the two fetches: {})",
                moved
                    .iter()
                    .map(|d| d.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return CheckOutcome::pass(
            "parity",
            level,
            format!("JSON and XML forms are equivalent{note}"),
        );
    }
    CheckOutcome::fail(
        "parity",
        level,
        format!(
            "JSON and XML forms differ at {} (digest 5.4)",
            differences
                .iter()
                .map(|d| d.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_diff(render(&differences))
}

/// The two forms come from two fetches, and a date (a contact's `lastActive`, an
/// application's `expires`) may rightly move between them: both sides must be dates, not the
/// same instant.
fn is_moving_date(d: &Difference) -> bool {
    d.note == "values differ"
        && parse_iso8601(&d.left).is_some()
        && parse_iso8601(&d.right).is_some()
}

/// The event channel's link carries the ack the channel has reached (digest 3.1), which a
/// follower moves on between the two fetches: the same href but for the ack's value.
fn is_moving_ack(d: &Difference) -> bool {
    let without_ack = |href: &str| -> String {
        let mut out = String::with_capacity(href.len());
        let mut rest = href;
        while let Some(i) = rest.find("ack=") {
            out.push_str(&rest[..i + 4]);
            rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
        }
        out.push_str(rest);
        out
    };
    d.path.ends_with("links.events")
        && d.left != d.right
        && without_ack(&d.left) == without_ack(&d.right)
}

fn render(differences: &[Difference]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for d in differences {
        let _ = write!(out, "{}: json {} / xml {}", d.path, d.left, d.right);
        if !d.note.is_empty() {
            let _ = write!(out, " ({})", d.note);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn difference(left: &str, right: &str) -> Difference {
        Difference {
            path: "properties.lastActive".into(),
            left: left.into(),
            right: right.into(),
            note: "values differ".into(),
        }
    }

    #[test]
    fn only_a_date_against_a_date_may_move_between_fetches() {
        assert!(is_moving_date(&difference(
            "2026-01-01T10:00:00.000Z",
            "2026-01-01T10:00:03.000Z"
        )));
        assert!(!is_moving_date(&difference(
            "2026-01-01T10:00:00.000Z",
            "Away"
        )));
        assert!(!is_moving_date(&difference("Online", "Away")));
    }

    #[test]
    fn only_the_ack_of_the_events_link_may_move_between_fetches() {
        let link = |left: &str, right: &str| Difference {
            path: "links.events".into(),
            left: left.into(),
            right: right.into(),
            note: "hrefs differ".into(),
        };
        assert!(is_moving_ack(&link(
            "/a/1/events?ack=2",
            "/a/1/events?ack=5"
        )));
        assert!(!is_moving_ack(&link(
            "/a/1/events?ack=2",
            "/a/2/events?ack=2"
        )));
        let mut other = link("/a/p?ack=1", "/a/p?ack=2");
        other.path = "links.people".into();
        assert!(!is_moving_ack(&other));
    }
}
