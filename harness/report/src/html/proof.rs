//! The suite's two proofs, read from the JSON their commands left in the report folder:
//! `mutants.json` (was every fault caught?) and `variants.json` (did every right server pass?),
//! and their rows on the page. Texts are made safe to show; the template escapes them.

use serde_json::Value;

use crate::detail::safe;

/// The suite's two proofs, when they ran into the same folder: `mutants.json` (every fault
/// caught) and `variants.json` (every right server passed).
#[derive(Debug, Clone, Default)]
pub struct Proofs {
    /// The content of `mutants.json`.
    pub mutants: Option<Value>,
    /// The content of `variants.json`.
    pub variants: Option<Value>,
}

/// One fault profile of the mutants matrix.
#[derive(Debug)]
pub(crate) struct MutantRow {
    /// `pass`, `fail` or `survived`: the row's colour.
    pub class: &'static str,
    pub name: String,
    pub kind: String,
    /// The rule the profile breaks.
    pub rule: String,
    /// What came of it: `killed`, `SURVIVED`, `NOT AS EXPECTED`…
    pub result: &'static str,
    /// The first five checks that caught it.
    pub caught_by: String,
}

/// One conformant variant of the variants matrix.
#[derive(Debug)]
pub(crate) struct VariantRow {
    /// `pass` or `fail`: the row's colour.
    pub class: &'static str,
    pub name: String,
    pub kind: String,
    /// The choice the variant makes.
    pub choice: String,
    /// `passes` or `FAILS`.
    pub result: &'static str,
    /// The runs the suite wrongly failed, or why the variant could not run.
    pub false_failures: String,
}

/// The string at `key` of `value`, or empty.
fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The rows of `mutants.json`; `None` when it has no `results` list.
pub(crate) fn mutant_rows(mutants: &Value) -> Option<Vec<MutantRow>> {
    let results = mutants.get("results").and_then(Value::as_array)?;
    Some(results.iter().map(mutant_row).collect())
}

fn mutant_row(r: &Value) -> MutantRow {
    let flag = |k: &str| r.get(k).and_then(Value::as_bool).unwrap_or(false);
    let killed = flag("killed");
    let name = text(r, "name");
    // A profile caught by other checks than expected, or not run, fails the proof too.
    let unproven = r.get("error").is_some_and(|e| !e.is_null())
        || matches!(text(r, "expectation"), "missed" | "other-only" | "unlisted");
    let (class, result) = match (name, killed) {
        ("none", false) => ("pass", "passes"),
        ("none", true) => ("fail", "FAILS"),
        (_, _) if unproven => ("fail", "NOT AS EXPECTED"),
        (_, true) if flag("killed_by_timeout_only") => ("pass", "killed by timeout only"),
        (_, true) => ("pass", "killed"),
        (_, false) => ("survived", "SURVIVED"),
    };
    let caught: Vec<&str> = r
        .get("caught_by")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).take(5).collect())
        .unwrap_or_default();
    MutantRow {
        class,
        name: safe(name),
        kind: safe(text(r, "kind")),
        rule: safe(text(r, "rule")),
        result,
        caught_by: safe(&caught.join(", ")),
    }
}

/// The rows of `variants.json`; `None` when it has no `results` list.
pub(crate) fn variant_rows(variants: &Value) -> Option<Vec<VariantRow>> {
    let results = variants.get("results").and_then(Value::as_array)?;
    Some(results.iter().map(variant_row).collect())
}

fn variant_row(r: &Value) -> VariantRow {
    let failures: Vec<String> = r
        .get("failures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| format!("{} ({})", text(f, "run"), text(f, "verdict")))
                .collect()
        })
        .unwrap_or_default();
    let error = r.get("error").and_then(Value::as_str);
    let runs = r.get("runs").and_then(Value::as_u64).unwrap_or(0);
    let (class, result) = if failures.is_empty() && error.is_none() && runs > 0 {
        ("pass", "passes")
    } else {
        ("fail", "FAILS")
    };
    let detail = error.map_or_else(|| failures.join(", "), str::to_owned);
    VariantRow {
        class,
        name: safe(text(r, "name")),
        kind: safe(text(r, "kind")),
        choice: safe(text(r, "choice")),
        result,
        false_failures: safe(&detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mutants_matrix_marks_survivors() {
        let mutants = serde_json::json!({"results": [
            {"name": "none", "kind": "none", "rule": "", "killed": false, "caught_by": []},
            {"name": "create-200", "kind": "status", "rule": "201 <b>", "killed": false, "caught_by": []},
            {"name": "late", "kind": "events", "rule": "", "killed": true,
             "killed_by_timeout_only": true, "caught_by": ["a", "b", "c", "d", "e", "f"]},
            {"name": "odd", "kind": "status", "rule": "", "killed": true,
             "expectation": "other-only", "caught_by": []}
        ]});
        let rows = mutant_rows(&mutants).expect("has results");
        let summary: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.class, r.result))
            .collect();
        assert_eq!(
            summary,
            [
                ("none", "pass", "passes"),
                ("create-200", "survived", "SURVIVED"),
                ("late", "pass", "killed by timeout only"),
                ("odd", "fail", "NOT AS EXPECTED"),
            ]
        );
        assert_eq!(rows[1].rule, "201 <b>");
        assert_eq!(rows[2].caught_by, "a, b, c, d, e");
        assert!(mutant_rows(&serde_json::json!({})).is_none());
    }

    #[test]
    fn the_variants_matrix_marks_false_failures() {
        let variants = serde_json::json!({"results": [
            {"name": "extend-201", "kind": "status", "choice": "OP-4", "runs": 3, "failures": []},
            {"name": "gone-410", "kind": "status", "choice": "OP-14", "runs": 3,
             "failures": [{"run": "ps.get.deleted/json", "verdict": "fail", "reason": "404"}]},
            {"name": "broken", "kind": "status", "choice": "", "runs": 0, "error": "no server"}
        ]});
        let rows = variant_rows(&variants).expect("has results");
        assert_eq!((rows[0].class, rows[0].result), ("pass", "passes"));
        assert_eq!((rows[1].class, rows[1].result), ("fail", "FAILS"));
        assert_eq!(rows[1].false_failures, "ps.get.deleted/json (fail)");
        assert_eq!(rows[2].false_failures, "no server");
    }
}
