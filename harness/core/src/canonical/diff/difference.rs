//! One difference between two canonical trees, and how the comparators record it: the path
//! written into the tree, each side shown as canonical text or [`ABSENT`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::canonical::href::hrefs_equal;

/// Shown for a side that has nothing at a path.
pub const ABSENT: &str = "<absent>";

/// One difference between two trees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where: `rel`, `self`, `links.contact`, `properties.availability`, `lists.uris[1]`,
    /// `_embedded.presenceSubscription[0].properties.id`, `sender[0].events[2].type`.
    pub path: String,
    /// The left value (canonical text), or [`ABSENT`].
    pub left: String,
    /// The right value (canonical text), or [`ABSENT`].
    pub right: String,
    /// Which rule was broken, in words.
    pub note: String,
}

/// Accumulates differences under a path prefix.
pub(super) struct Diffs {
    pub(super) out: Vec<Difference>,
}

impl Diffs {
    pub(super) fn push(
        &mut self,
        path: String,
        left: impl Into<String>,
        right: impl Into<String>,
        note: &str,
    ) {
        self.out.push(Difference {
            path,
            left: left.into(),
            right: right.into(),
            note: note.to_owned(),
        });
    }
}

/// `prefix.part`, or `part` at the root.
pub(super) fn join(prefix: &str, part: &str) -> String {
    if prefix.is_empty() {
        part.to_owned()
    } else {
        format!("{prefix}.{part}")
    }
}

/// The text of an optional value, or [`ABSENT`].
pub(super) fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| ABSENT.to_owned(), str::to_owned)
}

/// The keys of both maps, sorted, each once.
pub(super) fn union<'a, V>(
    a: &'a BTreeMap<String, V>,
    b: &'a BTreeMap<String, V>,
) -> Vec<&'a String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Records a difference when two optional hrefs differ (by `hrefs_equal`; absent equals only
/// absent).
pub(super) fn href_opt(d: &mut Diffs, path: String, a: Option<&str>, b: Option<&str>) {
    let equal = match (a, b) {
        (Some(x), Some(y)) => hrefs_equal(x, y),
        (None, None) => true,
        _ => false,
    };
    if !equal {
        d.push(path, opt(a), opt(b), "hrefs differ");
    }
}
