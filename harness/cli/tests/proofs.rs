//! The suite's two proofs, run as a user runs them: every fault profile caught (`mutants`),
//! every conformant variant passed (`variants`); and snapshots that belong to their target.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

mod common;
use common::{binary, serve, temp_dir, text, workspace};

#[derive(Deserialize)]
struct Mutants {
    profiles: usize,
    killed: usize,
    survived: Vec<String>,
    errors: Vec<String>,
    unexpected: Vec<String>,
    expected_problems: Vec<String>,
    faithful_passes: bool,
    results: Vec<Mutant>,
}

#[derive(Deserialize)]
struct Mutant {
    name: String,
    kind: String,
    killed: bool,
    expectation: String,
}

/// The suite proves itself: every fault profile of the reference server is caught by the checks
/// `fixtures/mutants/expected.yaml` names, every kind of fault is in the catalogue, and the
/// faithful server passes every case.
#[test]
fn every_fault_profile_is_killed_and_the_faithful_server_passes() {
    let reports = temp_dir("mutants");
    let output = binary()
        // The other tests of this binary run beside it: fewer profiles at once.
        .args(["mutants", "--jobs", "3", "--report-dir"])
        .arg(&reports)
        .output()
        .expect("mutants runs");
    let text_out = text(&output);
    let json = std::fs::read_to_string(reports.join("mutants.json")).expect("mutants.json");
    let mutants: Mutants = serde_json::from_str(&json).expect("mutants.json reads back");
    assert!(mutants.faithful_passes, "{text_out}");
    assert!(
        mutants.survived.is_empty(),
        "survivors: {:?}\n{text_out}",
        mutants.survived
    );
    assert!(mutants.profiles >= 30, "{} profiles", mutants.profiles);
    assert_eq!(mutants.killed, mutants.profiles);
    assert!(
        mutants.errors.is_empty(),
        "not judged: {:?}",
        mutants.errors
    );
    assert!(
        mutants.unexpected.is_empty() && mutants.expected_problems.is_empty(),
        "not caught as expected: {:?} {:?}\n{text_out}",
        mutants.unexpected,
        mutants.expected_problems
    );
    assert!(
        mutants
            .results
            .iter()
            .filter(|m| m.name != "none")
            .all(|m| m.expectation == "met")
    );
    let kinds: std::collections::BTreeSet<&str> =
        mutants.results.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "status",
        "error-body",
        "representation",
        "events",
        "channel",
        "rules",
        "security",
    ] {
        assert!(kinds.contains(kind), "no profile of kind {kind}");
    }
    assert!(
        mutants
            .results
            .iter()
            .any(|m| m.name == "none" && !m.killed)
    );
    assert_eq!(output.status.code(), Some(0), "{text_out}");
}

#[derive(Deserialize)]
struct Variants {
    variants: usize,
    unexercised_branches: Vec<String>,
    passing: usize,
    failing: Vec<String>,
    results: Vec<VariantRun>,
}

#[derive(Deserialize)]
struct VariantRun {
    name: String,
    runs: usize,
    passed: usize,
    failures: Vec<serde_json::Value>,
}

/// The suite is fair: against every conformant variant of the reference server, alone and all
/// together, every run passes (no fail, error, non-strict or skip: the embedded server offers
/// every capability).
#[test]
fn every_conformant_variant_passes_every_case() {
    let reports = temp_dir("variants");
    let output = binary()
        .args(["variants", "--jobs", "6", "--report-dir"])
        .arg(&reports)
        .output()
        .expect("variants runs");
    let text_out = text(&output);
    let json = std::fs::read_to_string(reports.join("variants.json")).expect("variants.json");
    let variants: Variants = serde_json::from_str(&json).expect("variants.json reads back");
    assert!(variants.variants >= 25, "{} variants", variants.variants);
    assert_eq!(
        variants.results.len(),
        variants.variants + 2,
        "the reference server, each variant, and all together"
    );
    assert_eq!(
        variants.results.first().map(|r| r.name.as_str()),
        Some("none")
    );
    assert!(
        variants.unexercised_branches.is_empty(),
        "branches no server took: {:?}",
        variants.unexercised_branches
    );
    assert_eq!(
        variants.results.last().map(|r| r.name.as_str()),
        Some("all")
    );
    for run in &variants.results {
        assert!(run.runs > 200, "{}: only {} runs", run.name, run.runs);
        assert_eq!(
            run.passed, run.runs,
            "{}: false failures {:?}\n{text_out}",
            run.name, run.failures
        );
    }
    assert!(variants.failing.is_empty(), "{:?}", variants.failing);
    assert_eq!(variants.passing, variants.results.len());
    assert_eq!(output.status.code(), Some(0), "{text_out}");
}

/// Every file of the project's tree (outside `target/` and `.git/`) with its length and content
/// hash: what a run must leave as it found it.
fn tree_state(root: &Path) -> BTreeMap<String, (u64, u64)> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable tree").flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    stack.push(path);
                }
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_default();
            let mut hasher = DefaultHasher::new();
            bytes.hash(&mut hasher);
            let key = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.insert(key, (bytes.len() as u64, hasher.finish()));
        }
    }
    out
}

/// Snapshots belong to a target (design section 13): against a server that is not the
/// reference server, the first run records its snapshots and passes, the second compares with
/// them and passes, and neither writes into the project's tree.
#[test]
fn another_servers_snapshots_are_recorded_then_compared_outside_the_tree() {
    let (server, base) = serve(&["--control", "--variant", "all"]);
    let snapshots = temp_dir("target-snapshots");
    let before = tree_state(&workspace());
    let mut runs = Vec::new();
    for round in ["record", "compare"] {
        let reports = temp_dir(&format!("snap-{round}"));
        let output = binary()
            .args(["run", "--target", &base, "--snapshots"])
            .arg(&snapshots)
            .arg("--report-dir")
            .arg(&reports)
            // Outside CI too: the target's store is written, the project's never.
            .env_remove("CI")
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{round}: {}", text(&output));
        runs.push(std::fs::read_to_string(reports.join("report.json")).expect("report.json"));
    }
    drop(server);
    let stored: Vec<_> = std::fs::read_dir(&snapshots)
        .expect("the snapshot folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(stored.len() >= 10, "recorded: {stored:?}");
    assert!(stored.iter().all(|n| n.ends_with(".snap")), "{stored:?}");
    assert!(runs[0].contains("recorded "), "the first run records");
    assert!(
        !runs[1].contains("recorded "),
        "the second run only compares"
    );
    assert!(runs[1].contains("matches "), "the second run compares");
    assert_eq!(
        before,
        tree_state(&workspace()),
        "the project's tree changed"
    );
}

/// Every `must` row has a fault profile that its own cases are expected to catch, and
/// `coverage` fails as soon as one has none.
#[test]
fn coverage_shows_a_profile_for_every_must_row_and_fails_without_one() {
    let output = binary()
        .args(["coverage", "--report-dir"])
        .arg(temp_dir("coverage-none"))
        .output()
        .expect("coverage runs");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("profiles: user-unchallenged"), "{out}");
    assert!(!out.contains("NO PROFILE"), "{out}");

    // Without the entry of the one profile of AUTH.challenge, that row has none.
    let expected = std::fs::read_to_string(workspace().join("fixtures/mutants/expected.yaml"))
        .expect("expected.yaml");
    let start = expected.find("  user-unchallenged:").expect("its entry");
    let end = start
        + expected[start..]
            .find("  wrong-password-accepted:")
            .expect("next");
    let dir = temp_dir("coverage-missing");
    let trimmed = dir.join("expected.yaml");
    std::fs::write(
        &trimmed,
        format!("{}{}", &expected[..start], &expected[end..]),
    )
    .expect("written");
    let output = binary()
        .args(["coverage", "--expected"])
        .arg(&trimmed)
        .arg("--report-dir")
        .arg(&dir)
        .output()
        .expect("coverage runs");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("must rows without a fault profile: AUTH.challenge"),
        "{out}"
    );
}
