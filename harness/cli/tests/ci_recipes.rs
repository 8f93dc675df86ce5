//! The CI recipes of `docs/ci/` are YAML, are what the README shows, split the run with
//! `run --partition K/3` and `merge`, and hand the CI the files the README names: the JUnit
//! file to its test view, the HTML report as an artifact.

use serde_json::Value;

mod common;
use common::workspace;

const JUNIT: &str = "reports/junit.xml";
const HTML: &str = "reports/report.html";

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// Every string in `value`, depth first.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn mentions(value: &Value, text: &str) -> bool {
    strings(value).iter().any(|s| s.contains(text))
}

#[test]
fn the_readme_shows_both_recipes_as_they_are_and_names_their_reports() {
    let readme = read("README.md");
    for path in ["docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"] {
        let block = format!("```yaml\n{}```", read(path));
        assert!(
            readme.contains(&block),
            "the README does not show {path} as it is"
        );
    }
    assert!(
        readme.contains(&format!("`{JUNIT}`")),
        "the README names no {JUNIT}"
    );
    assert!(
        readme.contains(&format!("`{HTML}`")),
        "the README names no {HTML}"
    );
}

#[test]
fn the_github_actions_recipe_runs_three_parts_merges_and_uploads_the_reports() {
    let recipe = parse("docs/ci/github-actions.yml");
    let part = &recipe["jobs"]["part"];
    assert_eq!(
        part["strategy"]["matrix"]["part"],
        serde_json::json!([1, 2, 3])
    );
    assert!(mentions(
        part,
        "run --partition ${{ matrix.part }}/3 --report-dir reports/part-${{ matrix.part }}"
    ));
    let report = &recipe["jobs"]["report"];
    assert_eq!(report["needs"], "part");
    assert!(mentions(report, "merge --out reports reports/part-*"));
    let steps = report["steps"].as_array().expect("the report job's steps");
    let uses = |action: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
            .unwrap_or_else(|| panic!("no {action} step"))
    };
    assert_eq!(
        uses("mikepenz/action-junit-report")["with"]["report_paths"],
        JUNIT
    );
    let artifact = uses("actions/upload-artifact")["with"]["path"]
        .as_str()
        .expect("artifact paths");
    assert!(artifact.lines().any(|l| l.trim() == HTML), "{artifact}");
}

#[test]
fn the_gitlab_recipe_runs_three_parts_merges_and_uploads_the_reports() {
    let recipe = parse("docs/ci/gitlab-ci.yml");
    let parts = &recipe["conformance"];
    assert_eq!(
        parts["parallel"]["matrix"][0]["PART"],
        serde_json::json!(["1", "2", "3"])
    );
    assert!(mentions(
        parts,
        "run --partition \"$PART/3\" --report-dir \"reports/part-$PART\""
    ));
    let report = &recipe["conformance-report"];
    assert!(mentions(report, "merge --out reports reports/part-*"));
    assert_eq!(report["artifacts"]["reports"]["junit"], JUNIT);
    let paths = strings(&report["artifacts"]["paths"]);
    assert!(paths.contains(&HTML), "{paths:?}");
    assert_eq!(report["when"], "always");
}
