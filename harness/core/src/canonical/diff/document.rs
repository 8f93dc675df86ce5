//! The comparison of two documents of any kind, by the comparator of their kind.

use super::difference::Difference;
use super::error_body::diff_errors;
use super::events::diff_events;
use super::resource::{diff_inputs, diff_resources};
use crate::canonical::document::Document;

/// Compares two documents of any kind; different kinds give one difference at path `""`.
pub fn diff(a: &Document, b: &Document) -> Vec<Difference> {
    match (a, b) {
        (Document::Resource(x), Document::Resource(y)) => diff_resources(x, y),
        (Document::Events(x), Document::Events(y)) => diff_events(x, y),
        (Document::Error(x), Document::Error(y)) => diff_errors(x, y),
        (Document::Input(x), Document::Input(y)) => diff_inputs(x, y),
        _ => vec![Difference {
            path: String::new(),
            left: a.kind_name().to_owned(),
            right: b.kind_name().to_owned(),
            note: "the documents are of different kinds".to_owned(),
        }],
    }
}
