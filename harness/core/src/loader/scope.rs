//! Which `{{ variables }}` a step may use, and hints for the ones it may not.
//!
//! A variable is defined for a step when a session provides it (built-ins and bootstrap links),
//! the case or every one of its rows sets it, or an earlier step captured it. The hints say why
//! a name is missing, because "undefined" alone sends users hunting.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{BUILTIN_VARS, Case, LINK_NAMES, SessionKind};

/// The variables defined at one point of a case.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    defined: BTreeSet<String>,
    /// Row variables that some rows lack: name → a row without it.
    partial: BTreeMap<String, String>,
    /// Every capture of the case: name → the first step that captures it.
    captured_by: BTreeMap<String, String>,
    bare: bool,
}

impl Scope {
    /// The scope before the first step of `case`; `captures` lists (step name, capture name).
    pub(crate) fn for_case(case: &Case, captures: &[(String, String)]) -> Scope {
        let bare = case.session == SessionKind::Bare;
        let mut defined: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| (*s).to_owned()).collect();
        defined.extend(
            LINK_NAMES
                .iter()
                .filter(|name| !bare || name.starts_with("discovery."))
                .map(|s| (*s).to_owned()),
        );
        defined.extend(case.vars.keys().cloned());
        let mut partial = BTreeMap::new();
        if let Some((first, rest)) = case.rows.split_first() {
            for name in first
                .vars
                .keys()
                .chain(rest.iter().flat_map(|r| r.vars.keys()))
            {
                match case.rows.iter().find(|row| !row.vars.contains_key(name)) {
                    None => {
                        defined.insert(name.clone());
                    }
                    Some(row) if !defined.contains(name) => {
                        partial.insert(name.clone(), row.name.value.clone());
                    }
                    Some(_) => {}
                }
            }
        }
        let mut captured_by = BTreeMap::new();
        for (step, name) in captures {
            captured_by
                .entry(name.clone())
                .or_insert_with(|| step.clone());
        }
        Scope {
            defined,
            partial,
            captured_by,
            bare,
        }
    }

    /// Adds a name (a capture, `steps.NAME.status`).
    pub(crate) fn define(&mut self, name: impl Into<String>) {
        self.defined.insert(name.into());
    }

    /// Whether `name` is defined here. Besides the fixed names, an application session offers
    /// every link the target gives by its rel (`app.REL`, `people.REL`, `me.REL`); which rels a
    /// target has is only known at run time, where a missing one is a step error.
    pub(crate) fn contains(&self, name: &str) -> bool {
        if self.defined.contains(name) {
            return true;
        }
        !self.bare
            && ["app.", "people.", "me."].iter().any(|prefix| {
                name.strip_prefix(prefix)
                    .is_some_and(|rel| !rel.is_empty() && !rel.contains('.'))
            })
    }

    /// Why `name` is not defined at a point of step `step`, as a hint.
    pub(crate) fn hint_for(&self, name: &str, step: &str) -> String {
        if let Some(row) = self.partial.get(name) {
            return format!(
                "row `{row}` does not set `{name}`; set it in every row or in the case's `vars`"
            );
        }
        if let Some(by) = self.captured_by.get(name) {
            return if by == step {
                format!(
                    "`{name}` is captured by this step, so it is set only after the response \
                     (in `events` and later steps)"
                )
            } else {
                format!("`{name}` is captured by step `{by}`, which runs after this one")
            };
        }
        if self.bare && (name.starts_with("app.") || name.starts_with("people.")) {
            return "a `session: bare` case has only the `discovery.*` links".to_owned();
        }
        if let Some(close) = self.closest(name) {
            return format!("did you mean `{close}`?");
        }
        "define it in `vars`, capture it in an earlier step, or use a built-in such as `me` or \
         `contacts.0`"
            .to_owned()
    }

    /// The defined name nearest to `name` by edit distance, when it is near enough.
    fn closest(&self, name: &str) -> Option<&str> {
        let len = name.chars().count();
        let limit = (len / 3).clamp(1, 3);
        // The distance is at least the difference in length, so most of the names a long case
        // defines (a `steps.NAME.status` per step) are ruled out without computing it.
        self.defined
            .iter()
            .filter(|cand| cand.chars().count().abs_diff(len) <= limit)
            .map(|cand| (edit_distance(name, cand), cand))
            .filter(|(d, _)| *d <= limit)
            .min()
            .map(|(_, cand)| cand.as_str())
    }
}

/// Levenshtein distance over characters (names are short, so the quadratic cost is nothing).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The close match from a fixed list, for "unknown name" errors.
pub(crate) fn suggest<'a>(name: &str, options: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 4);
    options
        .iter()
        .map(|cand| (edit_distance(name, cand), *cand))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, cand)| cand)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("sub", "subb"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(
            suggest(
                "delete-subscriptoin",
                &["delete-subscription", "get-subscription"]
            ),
            Some("delete-subscription")
        );
        assert_eq!(suggest("zzz", &["delete-subscription"]), None);
    }
}
