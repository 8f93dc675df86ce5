//! `report.json`: the run report as pretty JSON, fields in declaration order, secrets redacted.

use std::io;

use harness_core::outcome::RunReport;
use serde_json::Value;

use crate::sanitize::redact;

/// Writes `report` as pretty-printed JSON followed by a newline.
///
/// Field order is the order of the outcome types' declarations (serde_json keeps it with
/// `preserve_order`), so diffs between two reports stay readable. Every string, keys included,
/// passes through redaction as a second line of defence after the runner's.
pub fn write_json(report: &RunReport, mut out: impl io::Write) -> io::Result<()> {
    let mut value = serde_json::to_value(report).map_err(io::Error::other)?;
    redact_value(&mut value);
    serde_json::to_writer_pretty(&mut out, &value).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Redacts every string in `value`, in place.
fn redact_value(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let std::borrow::Cow::Owned(clean) = redact(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                redact_value(&mut item);
                map.insert(redact(&key).into_owned(), item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_nested_strings_and_keeps_order() {
        let mut value = serde_json::json!({
            "z": "Bearer cwt=abc",
            "a": [{"body": "password=x&y=1"}, 3, null],
        });
        redact_value(&mut value);
        assert_eq!(
            value.to_string(),
            r#"{"z":"Bearer cwt=[redacted]","a":[{"body":"password=[redacted]&y=1"},3,null]}"#
        );
    }
}
