//! Expectation baselines: a vendor's list of known failures, each with its reason.
//!
//! With a baseline, a run fails only on a regression: a known failure that fails as expected
//! becomes `known-failure` (JUnit `skipped type="xfail"`, pytest's convention), and a known
//! failure that now passes is reported as an unexpected pass so the baseline can shrink (a
//! failure only under `--strict`, like pytest's strict XPASS).

use std::path::Path;

use globset::{Glob, GlobMatcher};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{LoadError, LoadErrors, SourceFile};
use crate::outcome::{CaseOutcome, Verdict};
use crate::yaml::{parse_error, span_range};

/// A baseline file: `known:` entries.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// The known failures.
    pub known: Vec<KnownEntry>,
}

/// One known failure.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownEntry {
    /// A glob on run names (`id`, `id[row]/format`): `presence-subscription.extend.cap-30/*`.
    #[schemars(with = "String")]
    pub case: Spanned<String>,
    /// The verdict the target is known to give.
    #[serde(default = "fail")]
    pub verdict: KnownVerdict,
    /// Why: a ticket, a decision; shown in every report.
    pub reason: String,
}

fn fail() -> KnownVerdict {
    KnownVerdict::Fail
}

/// The verdicts a baseline may expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KnownVerdict {
    Fail,
    Error,
    NonStrict,
}

impl KnownVerdict {
    fn matches(self, verdict: Verdict) -> bool {
        matches!(
            (self, verdict),
            (KnownVerdict::Fail, Verdict::Fail)
                | (KnownVerdict::Error, Verdict::Error)
                | (KnownVerdict::NonStrict, Verdict::NonStrict)
        )
    }
}

/// A loaded baseline with its globs compiled.
#[derive(Debug, Clone)]
pub struct Baseline {
    entries: Vec<(KnownEntry, GlobMatcher)>,
}

/// Reads a baseline file; every error with file:line:col.
pub fn load_baseline(path: &Path) -> Result<Baseline, LoadErrors> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        LoadErrors::from(vec![LoadError::in_file(
            path,
            format!("failed to read the baseline: {err}"),
        )])
    })?;
    parse_baseline(&SourceFile::new(path, text))
}

/// Parses baseline text (see [`load_baseline`]).
pub fn parse_baseline(src: &SourceFile) -> Result<Baseline, LoadErrors> {
    let file: BaselineFile = serde_saphyr::from_str(&src.text)
        .map_err(|err| LoadErrors::from(vec![parse_error(src, &err)]))?;
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for entry in file.known {
        match Glob::new(&entry.case.value) {
            Ok(glob) => {
                let matcher = glob.compile_matcher();
                entries.push((entry, matcher));
            }
            Err(e) => errors.push(LoadError::at(
                src,
                span_range(&entry.case),
                format!("bad glob `{}`: {e}", entry.case.value),
            )),
        }
    }
    if errors.is_empty() {
        Ok(Baseline { entries })
    } else {
        Err(LoadErrors::from(errors))
    }
}

impl Baseline {
    fn entry_for(&self, name: &str, case_id: &str) -> Option<&KnownEntry> {
        self.entries
            .iter()
            .find(|(_, m)| m.is_match(name) || m.is_match(case_id))
            .map(|(e, _)| e)
    }

    /// Judges one finished case: an expected failure becomes `known-failure`; returns true
    /// when the baseline lists the case but it passed (an unexpected pass).
    pub fn judge(&self, case: &mut CaseOutcome) -> bool {
        let Some(entry) = self.entry_for(&case.name, &case.case_id) else {
            return false;
        };
        if entry.verdict.matches(case.verdict) {
            let was = case.reason.clone().unwrap_or_default();
            case.verdict = Verdict::KnownFailure;
            case.reason = Some(format!("known failure ({}): {was}", entry.reason));
            false
        } else {
            case.verdict == Verdict::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_points_at_its_line() {
        let src = SourceFile::new("b.yaml", "known:\n  - case: a/*\n    reasn: x\n");
        let err = parse_baseline(&src).unwrap_err();
        assert!(err.to_string().contains("b.yaml:3:5"), "{err}");
    }

    fn case(name: &str, verdict: Verdict) -> CaseOutcome {
        let id = name.split('/').next().unwrap_or(name).to_owned();
        CaseOutcome {
            name: name.to_owned(),
            case_id: id,
            row: None,
            format: crate::model::Format::Json,
            title: String::new(),
            file: String::new(),
            line: 1,
            level: crate::model::Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: Some("status 500".to_owned()),
            duration_secs: 0.0,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    #[test]
    fn judging_marks_known_failures_and_reports_unexpected_passes() {
        let src = SourceFile::new(
            "b.yaml",
            "known:\n  - { case: \"a.*/json\", reason: \"ticket 7\" }\n  - { case: c, verdict: error, reason: r }\n",
        );
        let baseline = parse_baseline(&src).unwrap();
        let mut failed = case("a.x/json", Verdict::Fail);
        assert!(!baseline.judge(&mut failed));
        assert_eq!(failed.verdict, Verdict::KnownFailure);
        assert_eq!(
            failed.reason.as_deref(),
            Some("known failure (ticket 7): status 500")
        );
        let mut passed = case("a.y/json", Verdict::Pass);
        assert!(baseline.judge(&mut passed), "an unexpected pass");
        // Listed as an error, it failed: a different verdict is a regression, left as it is.
        let mut other = case("c/xml", Verdict::Fail);
        assert!(!baseline.judge(&mut other));
        assert_eq!(other.verdict, Verdict::Fail);
        let mut unlisted = case("d/json", Verdict::Fail);
        assert!(!baseline.judge(&mut unlisted));
        assert_eq!(unlisted.verdict, Verdict::Fail);
    }

    #[test]
    fn a_bad_glob_is_an_error() {
        let src = SourceFile::new("b.yaml", "known:\n  - case: \"a[\"\n    reason: x\n");
        let err = parse_baseline(&src).unwrap_err();
        assert!(err.to_string().contains("bad glob"), "{err}");
    }
}
