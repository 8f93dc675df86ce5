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
use crate::outcome::{CaseOutcome, RunReport, Summary, Verdict};

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
        .map_err(|err| LoadErrors::from(vec![crate::loader::parse_error(src, &err)]))?;
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
                crate::loader::span_range(&entry.case),
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

    /// Judges every case of a finished run and recounts the summary.
    pub fn apply(&self, report: &mut RunReport) {
        let mut unexpected = Vec::new();
        for case in &mut report.cases {
            if self.judge(case) {
                unexpected.push(case.name.clone());
            }
        }
        report.unexpected_passes = unexpected;
        report.summary = Summary::of(&report.cases);
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

    #[test]
    fn a_bad_glob_is_an_error() {
        let src = SourceFile::new("b.yaml", "known:\n  - case: \"a[\"\n    reason: x\n");
        let err = parse_baseline(&src).unwrap_err();
        assert!(err.to_string().contains("bad glob"), "{err}");
    }
}
