//! Both JUnit flavors read by independent tools: the Ant flavor validated by `xmllint` against
//! the Ant schema, the common flavor (and the Ant one) loaded by Python's `junitparser`.
//!
//! A missing tool skips the test locally but fails it under CI, naming the package to install.
//! Of the readers `shared/junit/README.md` names, junitparser is the one with a registry
//! package: it is also what EnricoMi/publish-unit-test-result-action parses with; Jenkins,
//! GitLab and the other GitHub actions ship none.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use harness_report::{JunitFlavor, JunitOptions, write_junit_with};
use serde::Deserialize;

use common::tools::{ANT_XSD, require, xmllint, xmllint_available};

const READER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/junit_report.py");

fn has_junitparser() -> bool {
    Command::new("python3")
        .args(["-c", "import junitparser"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Writes the sample report in `flavor` to `dir/name`.
fn write(dir: &Path, name: &str, flavor: JunitFlavor) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create junit file");
    let options = JunitOptions {
        flavor,
        hostname: Some("ci-runner".to_owned()),
    };
    write_junit_with(&common::sample_report(), &options, file).expect("write junit");
    path
}

/// What `junit_report.py` prints; test-local types, never the writer's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Parsed {
    suites: Vec<ParsedSuite>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParsedSuite {
    name: String,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    properties: std::collections::BTreeMap<String, String>,
    cases: Vec<ParsedCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParsedCase {
    classname: String,
    name: String,
    result: String,
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    time: f64,
    file: Option<String>,
    line: Option<String>,
}

fn read_with_junitparser(path: &Path) -> Parsed {
    let output = Command::new("python3")
        .arg(READER)
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "junitparser failed on {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("reader prints JSON")
}

/// (classname, name, result) of every testcase, in file order.
fn triples(parsed: &Parsed) -> Vec<(String, String, String)> {
    parsed
        .suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .map(|c| (c.classname.clone(), c.name.clone(), c.result.clone()))
        .collect()
}

fn expected_triples() -> Vec<(String, String, String)> {
    [
        ("ps.delete.events", "json", "passed"),
        ("ps.delete.events", "xml", "failure"),
        ("ps.extend.d9", "json[d9]", "passed"),
        ("ps.extend.d10", "json[d10]", "error"),
        ("ps.extend.d9", "xml[d9]", "skipped"),
        ("ps.extend.d9", "json[d9]#2", "passed"),
    ]
    .into_iter()
    .map(|(c, n, r)| (c.to_owned(), n.to_owned(), r.to_owned()))
    .collect()
}

#[test]
fn ant_flavor_validates_against_the_ant_schema() {
    if !xmllint_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ant = write(dir.path(), "ant.xml", JunitFlavor::Ant);
    if let Err(complaint) = xmllint(&ant, Some(ANT_XSD)) {
        panic!("ant.xml does not validate:\n{complaint}");
    }
}

#[test]
fn common_flavor_is_well_formed_xml() {
    if !xmllint_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "junit.xml", JunitFlavor::Common);
    if let Err(complaint) = xmllint(&path, None) {
        panic!("junit.xml is not well-formed XML:\n{complaint}");
    }
}

#[test]
fn junitparser_reads_the_common_flavor() {
    if !require(has_junitparser(), "junitparser", "pip install junitparser") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let parsed = read_with_junitparser(&write(dir.path(), "junit.xml", JunitFlavor::Common));

    let counts: Vec<(&str, usize, usize, usize, usize)> = parsed
        .suites
        .iter()
        .map(|s| (s.name.as_str(), s.tests, s.failures, s.errors, s.skipped))
        .collect();
    assert_eq!(
        counts,
        [
            (common::DELETE_FILE, 2, 1, 0, 0),
            (common::EXTEND_FILE, 4, 0, 1, 1),
        ]
    );
    assert_eq!(triples(&parsed), expected_triples());

    let suite = &parsed.suites[0];
    assert_eq!(
        suite.properties["target"],
        "https://127.0.0.1:4443/autodiscover"
    );
    assert_eq!(suite.properties["strict"], "false");
    let failed = &suite.cases[1];
    assert_eq!(failed.kind.as_deref(), Some("snapshot"));
    // The ANSI escape and NUL of the reason are gone, the token redacted.
    assert_eq!(
        failed.message.as_deref(),
        Some("snapshot differs red (cwt=[redacted])")
    );
    assert_eq!(failed.file.as_deref(), Some(common::DELETE_FILE));
    assert_eq!(failed.line.as_deref(), Some("3"));
    assert!((failed.time - 0.25).abs() < 1e-9);
    let skipped = &parsed.suites[1].cases[2];
    assert_eq!(
        skipped.message.as_deref(),
        Some("target lacks capability clock-control")
    );
}

#[test]
fn junitparser_reads_the_ant_flavor_with_the_same_names() {
    if !require(has_junitparser(), "junitparser", "pip install junitparser") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let parsed = read_with_junitparser(&write(dir.path(), "ant.xml", JunitFlavor::Ant));
    assert_eq!(triples(&parsed), expected_triples());
    let names: Vec<&str> = parsed.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["delete.yaml", "extend.yaml"]);
    assert!(
        parsed
            .suites
            .iter()
            .flat_map(|s| &s.cases)
            .all(|c| c.file.is_none())
    );
}
