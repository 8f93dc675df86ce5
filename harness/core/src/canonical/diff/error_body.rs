//! The comparison of UCWA error bodies, whole or as an event's `reason`.

use super::difference::{ABSENT, Difference, Diffs, join, opt};
use crate::canonical::error_body::ErrorBody;

/// Compares two error bodies: code, subcode, message, and presence of parameters.
pub fn diff_errors(a: &ErrorBody, b: &ErrorBody) -> Vec<Difference> {
    let mut d = Diffs { out: Vec::new() };
    error_body(&mut d, "", a, b);
    d.out
}

/// Compares two error bodies under `prefix`, recording every difference in `d`.
pub(super) fn error_body(d: &mut Diffs, prefix: &str, a: &ErrorBody, b: &ErrorBody) {
    if a.code != b.code {
        d.push(join(prefix, "code"), &a.code, &b.code, "error codes differ");
    }
    for (name, x, y) in [
        ("subcode", &a.subcode, &b.subcode),
        ("message", &a.message, &b.message),
    ] {
        if x != y {
            d.push(
                join(prefix, name),
                opt(x.as_deref()),
                opt(y.as_deref()),
                "error fields differ",
            );
        }
    }
    if a.parameters.is_some() != b.parameters.is_some() {
        let show = |p: &Option<serde_json::Value>| {
            p.as_ref()
                .map_or_else(|| ABSENT.to_owned(), |v| v.to_string())
        };
        d.push(
            join(prefix, "parameters"),
            show(&a.parameters),
            show(&b.parameters),
            "parameters present on one side only",
        );
    }
}
