//! `fixtures/mutants/expected.yaml`: for every fault profile, the checks meant to catch it and
//! the checklist rows it breaks. `mutants` holds a run against it (a profile caught only by
//! something else has lost the case written for it, and may soon survive unnoticed), and
//! `coverage` reads the rows from it (every `must` row needs a profile its own cases catch).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use harness_core::checklist::Checklist;
use harness_core::loader::Suite;
use harness_core::model::Level;
use serde::Deserialize;

/// Where the file is, relative to the project's root.
pub const EXPECTED_FILE: &str = "fixtures/mutants/expected.yaml";

/// The check kinds a catcher may name (`CheckOutcome::kind` as the runner writes it).
pub const CHECK_KINDS: &[&str] = &[
    "status",
    "media-type",
    "header",
    "body",
    "resource",
    "error",
    "select",
    "events",
    "forbid",
    "parity",
    "snapshot",
    "channel",
    "capture",
    "property",
    "step",
];

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Profile name → what is expected of it, in file order.
    pub profiles: BTreeMap<String, ProfileExpectation>,
}

/// What one profile breaks and what must catch it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileExpectation {
    /// The checklist rows the deviation breaks.
    pub rows: Vec<String>,
    /// Every one of these must catch the profile in every run of the catalogue.
    pub caught_by: Vec<Catcher>,
}

/// One expected catcher: a check of a kind in a case (optionally in one step, at one path).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catcher {
    pub case: String,
    pub check: String,
    #[serde(default)]
    pub step: Option<String>,
    /// A part of the failing check's path (a JSONPath, `links.events`, …).
    #[serde(default)]
    pub path: Option<String>,
}

impl Catcher {
    /// `case › step: check at path`, for people.
    pub fn describe(&self) -> String {
        let mut out = self.case.clone();
        if let Some(step) = &self.step {
            out.push_str(" › ");
            out.push_str(step);
        }
        out.push_str(": ");
        out.push_str(&self.check);
        if let Some(path) = &self.path {
            out.push_str(" at ");
            out.push_str(path);
        }
        out
    }

    /// Whether a failing check of a run of `case_id` is this catcher.
    pub fn matches(&self, case_id: &str, step: Option<&str>, kind: &str, path: &str) -> bool {
        self.case == case_id
            && self.check == kind
            && self.step.as_deref().is_none_or(|s| Some(s) == step)
            && self.path.as_deref().is_none_or(|p| path.contains(p))
    }
}

/// Reads the file; `Ok(None)` when there is none.
pub fn load_expected(path: &Path) -> Result<Option<Expected>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("failed to read {}: {e}", path.display())),
    };
    serde_saphyr::from_str::<Expected>(&text)
        .map(Some)
        .map_err(|e| format!("failed to read {}: {e}", path.display()))
}

/// The default location, or the one given on the command line.
pub fn expected_path(given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| PathBuf::from(EXPECTED_FILE), Path::to_path_buf)
}

/// Every problem of the file against the catalogue, the suite and the checklist: a profile
/// without an entry (or an entry without a profile), catchers naming no case, step or check
/// kind, rows that do not exist or that none of the profile's catcher cases proves, and two
/// profiles that the same checks catch (one check cannot tell them apart: they are one fault,
/// or the check that separates them is missing).
pub fn problems(
    expected: &Expected,
    profiles: &[&str],
    suite: &Suite,
    checklist: Option<&Checklist>,
) -> Vec<String> {
    let mut out = Vec::new();
    for name in profiles {
        if !expected.profiles.contains_key(*name) {
            out.push(format!(
                "profile `{name}` has no entry (hint: name its catchers and rows in {EXPECTED_FILE})"
            ));
        }
    }
    let mut seen: BTreeMap<BTreeSet<&Catcher>, &str> = BTreeMap::new();
    for (name, entry) in &expected.profiles {
        if !profiles.contains(&name.as_str()) {
            out.push(format!("`{name}` is no fault profile (renamed or merged?)"));
            continue;
        }
        if entry.caught_by.is_empty() {
            out.push(format!("`{name}`: no expected catcher"));
        }
        for catcher in &entry.caught_by {
            out.extend(catcher_problem(catcher, suite).map(|p| format!("`{name}`: {p}")));
        }
        for row in &entry.rows {
            if checklist.is_some_and(|c| !c.contains(row)) {
                out.push(format!("`{name}`: no checklist row `{row}`"));
                continue;
            }
            if !entry
                .caught_by
                .iter()
                .any(|c| case_proves(suite, &c.case, row))
            {
                out.push(format!(
                    "`{name}` breaks `{row}` but none of its expected catchers is a case of that row"
                ));
            }
        }
        let key: BTreeSet<&Catcher> = entry.caught_by.iter().collect();
        if let Some(other) = seen.insert(key, name) {
            out.push(format!(
                "`{other}` and `{name}` have the same expected catchers: one check cannot tell them apart (merge them, or name the check that does)"
            ));
        }
    }
    out
}

fn catcher_problem(catcher: &Catcher, suite: &Suite) -> Option<String> {
    if !CHECK_KINDS.contains(&catcher.check.as_str()) {
        return Some(format!(
            "unknown check kind `{}` (one of {})",
            catcher.check,
            CHECK_KINDS.join(", ")
        ));
    }
    let Some(case) = suite.cases.iter().find(|c| c.case.id.value == catcher.case) else {
        return Some(format!("no case `{}`", catcher.case));
    };
    if case.case.level != Level::Must {
        // The catalogue runs the must cases only against a profile.
        return Some(format!(
            "case `{}` is not a must case: it cannot kill a profile",
            catcher.case
        ));
    }
    let step = catcher.step.as_ref()?;
    let known = case.plan.steps.iter().any(|s| s.name == *step);
    (!known).then(|| format!("case `{}` has no step `{step}`", catcher.case))
}

/// Whether the case with this id names the row in its `spec`.
pub fn case_proves(suite: &Suite, case_id: &str, row: &str) -> bool {
    suite
        .cases
        .iter()
        .any(|c| c.case.id.value == case_id && c.case.spec.iter().any(|s| s.value == row))
}

/// Per checklist row, the profiles that break it and that one of the row's own cases is
/// expected to catch.
pub fn profiles_by_row(expected: &Expected, suite: &Suite) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, entry) in &expected.profiles {
        for row in &entry.rows {
            if entry
                .caught_by
                .iter()
                .any(|c| case_proves(suite, &c.case, row))
            {
                out.entry(row.clone()).or_default().push(name.clone());
            }
        }
    }
    out
}

/// The rows a `must` level that no profile covers, in checklist order.
pub fn must_rows_without_profile(
    checklist: &Checklist,
    by_row: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    checklist
        .rows
        .iter()
        .filter(|r| r.level == Level::Must && by_row.get(&r.id).is_none_or(Vec::is_empty))
        .map(|r| r.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catcher(case: &str, check: &str, step: Option<&str>, path: Option<&str>) -> Catcher {
        Catcher {
            case: case.into(),
            check: check.into(),
            step: step.map(Into::into),
            path: path.map(Into::into),
        }
    }

    #[test]
    fn a_catcher_matches_its_case_kind_step_and_path() {
        let c = catcher("ev.fields", "select", Some("poll"), Some("$.self"));
        assert!(c.matches("ev.fields", Some("poll"), "select", "$.self"));
        assert!(!c.matches("ev.fields", Some("other"), "select", "$.self"));
        assert!(!c.matches("ev.fields", Some("poll"), "status", "$.self"));
        assert!(!c.matches("ev.fields", Some("poll"), "select", "$.links.next"));
        assert!(!c.matches("ev.other", Some("poll"), "select", "$.self"));
        let loose = catcher("ev.fields", "select", None, None);
        assert!(loose.matches("ev.fields", None, "select", ""));
    }

    #[test]
    fn the_file_reads_and_rejects_unknown_keys() {
        let text = "profiles:\n  created-200:\n    rows: [PSS.POST.201]\n    caught_by:\n      - { case: presence-subscription.create, check: status }\n";
        let e: Expected = serde_saphyr::from_str(text).unwrap();
        assert_eq!(e.profiles["created-200"].caught_by[0].check, "status");
        let bad = "profiles:\n  x:\n    rows: []\n    caught_by: []\n    extra: 1\n";
        assert!(serde_saphyr::from_str::<Expected>(bad).is_err());
    }

    #[test]
    fn missing_entries_and_twins_are_problems() {
        let suite = Suite { cases: Vec::new() };
        let mut e = Expected::default();
        let same = vec![catcher("c", "status", None, None)];
        for name in ["a", "b"] {
            e.profiles.insert(
                name.into(),
                ProfileExpectation {
                    rows: Vec::new(),
                    caught_by: same.clone(),
                },
            );
        }
        let found = problems(&e, &["a", "b", "c"], &suite, None);
        assert!(
            found.iter().any(|p| p.contains("`c` has no entry")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|p| p.contains("same expected catchers")),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.contains("no case `c`")), "{found:?}");
    }
}
