//! The console matrix of `mutants`: one line per profile, then every reason the command fails
//! and the profiles that only a timeout caught.

use super::outcome::{Expectation, MutantOutcome, MutantsReport};

fn state(r: &MutantOutcome) -> &'static str {
    match (
        r.name.as_str(),
        &r.error,
        r.killed,
        r.killed_by_timeout_only,
    ) {
        (_, Some(_), ..) => "ERROR",
        ("none", None, false, _) => "PASSES",
        ("none", None, true, _) => "FAILS",
        (_, None, true, true) => "timeout",
        (_, None, true, false) => "killed",
        (_, None, false, _) => "SURVIVED",
    }
}

fn expectation(r: &MutantOutcome) -> &'static str {
    match r.expectation {
        Expectation::Met => "as expected",
        Expectation::Missed => "MISSED",
        Expectation::OtherOnly => "OTHER ONLY",
        Expectation::Unlisted => "UNLISTED",
        Expectation::Survived | Expectation::NotJudged => "",
    }
}

fn first(items: &[String], n: usize) -> String {
    if items.len() <= n {
        items.join(", ")
    } else {
        format!("{} (+{} more)", items[..n].join(", "), items.len() - n)
    }
}

/// Prints the matrix and the summary.
pub fn print(report: &MutantsReport) {
    let width = report
        .results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(8);
    for r in &report.results {
        let caught = match &r.error {
            Some(e) => e.clone(),
            None if !r.caught_by.is_empty() => first(&r.caught_by, 3),
            None => first(&r.caught_by_timeout, 3),
        };
        say!(
            "{:width$}  {:14}  {:8}  {:11}  {caught}",
            r.name,
            r.kind,
            state(r),
            expectation(r)
        );
    }
    say!(
        "{} of {} profiles killed ({} by timeout only); the faithful server {}; {:.2} s",
        report.killed,
        report.profiles,
        report.killed_by_timeout_only.len(),
        if report.faithful_passes {
            "passes"
        } else {
            "FAILS"
        },
        report.duration_secs
    );
    print_reasons(report);
}

fn print_reasons(report: &MutantsReport) {
    if !report.results.iter().any(|r| r.name == "none") {
        say!("the faithful server (none) did not run: nothing is proven without it");
    }
    for r in report.results.iter().filter(|r| !r.reasons.is_empty()) {
        say!("the faithful server failed (every case must pass on it):");
        for reason in &r.reasons {
            say!("  {reason}");
        }
    }
    for r in report.results.iter().filter(|r| r.error.is_some()) {
        say!(
            "could not judge {}: {}",
            r.name,
            r.error.as_deref().unwrap_or("")
        );
    }
    if !report.survived.is_empty() {
        say!(
            "survivors (holes in the suite): {}",
            report.survived.join(", ")
        );
    }
    if !report.killed_by_timeout_only.is_empty() {
        say!(
            "killed by timeout only (a check gave up waiting; no wrong answer was seen): {}",
            report.killed_by_timeout_only.join(", ")
        );
    }
    for r in report.results.iter().filter(|r| {
        matches!(
            r.expectation,
            Expectation::Missed | Expectation::OtherOnly | Expectation::Unlisted
        )
    }) {
        match r.expectation {
            Expectation::Unlisted => say!("{}: no entry in expected.yaml", r.name),
            _ => {
                say!(
                    "{}: not caught by its expected catcher(s) {}",
                    r.name,
                    r.missed.join("; ")
                );
                say!("  caught by: {}", first(&r.checks, 6));
            }
        }
    }
    for problem in &report.expected_problems {
        say!("expected.yaml: {problem}");
    }
}
