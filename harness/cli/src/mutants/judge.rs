//! Judging the catalogue's runs: what killed each profile, how that measures up to its
//! entry in `expected.yaml`, and whether the whole proves anything (the exit code).

use harness_refserver::Fault;

use super::kills;
use super::outcome::{Expectation, Finished, MutantOutcome, MutantsReport};
use crate::embedded::EmbeddedError;
use crate::exit;
use crate::expected::{Catcher, Expected, ProfileExpectation};
use kills::Kill;

/// Judges one profile's run against its expectation.
pub fn judge(
    fault: Fault,
    finished: Finished,
    entry: Option<&ProfileExpectation>,
) -> MutantOutcome {
    let mut out = MutantOutcome {
        name: fault.name().to_owned(),
        kind: fault.kind().to_owned(),
        rule: fault.rule().to_owned(),
        rows: entry.map(|e| e.rows.clone()).unwrap_or_default(),
        killed: false,
        killed_by_timeout_only: false,
        caught_by: Vec::new(),
        caught_by_timeout: Vec::new(),
        checks: Vec::new(),
        expected: entry
            .map(|e| e.caught_by.iter().map(|c| c.describe()).collect())
            .unwrap_or_default(),
        missed: Vec::new(),
        expectation: Expectation::NotJudged,
        reasons: Vec::new(),
        error: None,
        duration_secs: finished.duration_secs,
        slowest: Vec::new(),
    };
    let report = match finished.run {
        Err(why) => {
            out.error = Some(why);
            return out;
        }
        Ok(Err(EmbeddedError::Start(e))) => {
            out.error = Some(e);
            return out;
        }
        Ok(Err(EmbeddedError::SignIn(e))) => {
            // Nothing ran: a profile that breaks sign-in is caught by the bootstrap, which
            // no entry of expected.yaml names; the faithful server must sign in.
            out.killed = true;
            out.checks = vec![format!("(bootstrap): {e}")];
            out.caught_by = vec!["(bootstrap)".into()];
            if fault == Fault::None {
                out.reasons = vec![format!("sign-in failed: {e}")];
            } else {
                out.expectation = expectation_of(&out, entry, &[]);
            }
            return out;
        }
        Ok(Ok(report)) => report,
    };
    let mut runs: Vec<(f64, &str)> = report
        .cases
        .iter()
        .map(|c| (c.duration_secs, c.name.as_str()))
        .collect();
    runs.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.slowest = runs
        .iter()
        .take(3)
        .map(|(secs, name)| format!("{name} {secs:.1} s"))
        .collect();
    if fault == Fault::None {
        out.reasons = report
            .cases
            .iter()
            .filter(|c| !crate::gate::clears(c.verdict))
            .map(|c| {
                format!(
                    "{} ({}): {}",
                    c.name,
                    c.verdict.name(),
                    c.reason.clone().unwrap_or_default()
                )
            })
            .collect();
        out.killed = !out.reasons.is_empty();
        return out;
    }
    let kills = kills::kills(&report);
    let (real, timeout) = kills::split_runs(&kills);
    out.killed = !kills.is_empty();
    out.killed_by_timeout_only = out.killed && real.is_empty();
    out.caught_by = real;
    out.caught_by_timeout = timeout;
    for k in &kills {
        let step = k
            .step
            .as_deref()
            .map(|s| format!(" › {s}"))
            .unwrap_or_default();
        let mark = if k.timeout { " (timeout)" } else { "" };
        let line = format!("{}{step}: {}{mark}", k.case_id, k.kind);
        if !out.checks.contains(&line) {
            out.checks.push(line);
        }
    }
    out.expectation = expectation_of(&out, entry, &kills);
    if let Some(entry) = entry {
        out.missed = entry
            .caught_by
            .iter()
            .filter(|c| !caught(c, &kills))
            .map(|c| c.describe())
            .collect();
    }
    out
}

fn caught(catcher: &Catcher, kills: &[Kill]) -> bool {
    kills
        .iter()
        .any(|k| catcher.matches(&k.case_id, k.step.as_deref(), &k.kind, &k.path))
}

fn expectation_of(
    out: &MutantOutcome,
    entry: Option<&ProfileExpectation>,
    kills: &[Kill],
) -> Expectation {
    let Some(entry) = entry else {
        return Expectation::Unlisted;
    };
    if !out.killed {
        return Expectation::Survived;
    }
    let hits = entry.caught_by.iter().filter(|c| caught(c, kills)).count();
    match hits {
        0 => Expectation::OtherOnly,
        n if n == entry.caught_by.len() => Expectation::Met,
        _ => Expectation::Missed,
    }
}

/// Counts and lists what the command reports and fails on.
pub fn summarize(
    results: Vec<MutantOutcome>,
    expected_problems: Vec<String>,
    duration_secs: f64,
) -> MutantsReport {
    let faithful: Vec<&MutantOutcome> = results.iter().filter(|r| r.name == "none").collect();
    let faithful_passes =
        !faithful.is_empty() && faithful.iter().all(|r| !r.killed && r.error.is_none());
    let profiles: Vec<&MutantOutcome> = results.iter().filter(|r| r.name != "none").collect();
    let names = |keep: &dyn Fn(&MutantOutcome) -> bool| -> Vec<String> {
        profiles
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.name.clone())
            .collect()
    };
    MutantsReport {
        profiles: profiles.len(),
        killed: profiles
            .iter()
            .filter(|r| r.killed && r.error.is_none())
            .count(),
        killed_by_timeout_only: names(&|r| r.killed_by_timeout_only),
        survived: names(&|r| !r.killed && r.error.is_none()),
        errors: results
            .iter()
            .filter(|r| r.error.is_some())
            .map(|r| r.name.clone())
            .collect(),
        unexpected: names(&|r| {
            matches!(
                r.expectation,
                Expectation::Missed | Expectation::OtherOnly | Expectation::Unlisted
            )
        }),
        expected_problems,
        faithful_passes,
        duration_secs,
        results,
    }
}

/// The exit code: anything not proven fails the command.
pub fn exit_code(report: &MutantsReport) -> i32 {
    let proven = report.faithful_passes
        && report.survived.is_empty()
        && report.errors.is_empty()
        && report.unexpected.is_empty()
        && report.expected_problems.is_empty();
    if proven { exit::OK } else { exit::FAILURES }
}

pub(super) fn judge_all(
    faults: &[Fault],
    finished: Vec<Finished>,
    expected: &Expected,
) -> Vec<MutantOutcome> {
    faults
        .iter()
        .zip(finished)
        .map(|(fault, f)| judge(*fault, f, expected.profiles.get(fault.name())))
        .collect()
}
