//! The suite's checklist (`cases/rows.yaml`): the documented rules every case names by id, and
//! the coverage of those rules by the suite.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::diag::{LoadError, LoadErrors, SourceFile};
use crate::model::Level;
use crate::suite::Suite;
use crate::yaml::{parse_error, span_range};

/// The checklist: one row per documented rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// The rows in file order.
    pub rows: Vec<ChecklistRow>,
}

/// One documented rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistRow {
    /// A stable id such as `PS.DELETE.204`.
    pub id: String,
    /// Where the rule comes from: digest keys and open points (`PS`, `T-DEL`, `OP-4`).
    pub src: Vec<String>,
    /// How binding the rule is.
    pub level: Level,
    /// How a case can bring the situation about.
    pub trigger: Trigger,
    /// What must hold.
    pub what: String,
}

/// How a case can bring a row's situation about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// Ordinary requests are enough.
    Natural,
    /// Needs the test-control clock.
    Clock,
    /// Needs the test-control presence change.
    Presence,
    /// Needs a test-control condition.
    Condition,
    /// Needs a system-owned subscription.
    System,
}

impl Checklist {
    /// Whether a row with this id exists.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The row with this id.
    pub fn get(&self, id: &str) -> Option<&ChecklistRow> {
        self.rows.iter().find(|row| row.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    rows: Vec<RowEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowEntry {
    id: Spanned<String>,
    src: Vec<String>,
    level: Level,
    trigger: Trigger,
    what: String,
}

/// Reads and checks the checklist file; duplicate ids are errors.
pub fn load_checklist(path: &Path) -> Result<Checklist, LoadErrors> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        LoadErrors::from(vec![LoadError::in_file(
            path,
            format!("failed to read the checklist: {err}"),
        )])
    })?;
    parse_checklist(&SourceFile::new(path, text))
}

/// Parses checklist text (see [`load_checklist`]).
pub fn parse_checklist(src: &SourceFile) -> Result<Checklist, LoadErrors> {
    let file: ChecklistFile = serde_saphyr::from_str(&src.text)
        .map_err(|err| LoadErrors::from(vec![parse_error(src, &err)]))?;
    let mut errors = Vec::new();
    let mut first: BTreeMap<&str, &Spanned<String>> = BTreeMap::new();
    for row in &file.rows {
        let range = span_range(&row.id);
        if row.id.value.is_empty() || row.id.value.contains(char::is_whitespace) {
            errors.push(LoadError::at(
                src,
                range.clone(),
                format!("bad row id `{}`", row.id.value),
            ));
        }
        match first.get(row.id.value.as_str()) {
            Some(earlier) => errors.push(
                LoadError::at(
                    src,
                    range,
                    format!("duplicate checklist row `{}`", row.id.value),
                )
                .with_related(src, span_range(earlier), "first used here"),
            ),
            None => {
                first.insert(&row.id.value, &row.id);
            }
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors::from(errors));
    }
    let rows = file
        .rows
        .into_iter()
        .map(|row| ChecklistRow {
            id: row.id.value,
            src: row.src,
            level: row.level,
            trigger: row.trigger,
            what: row.what,
        })
        .collect();
    Ok(Checklist { rows })
}

/// One checklist row with the ids of the cases that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowCoverage {
    /// The row.
    pub row: ChecklistRow,
    /// Ids of the cases whose `spec` lists the row, in suite order.
    pub cases: Vec<String>,
}

/// Every checklist row, in checklist order, with the cases that prove it (empty: uncovered).
pub fn coverage(suite: &Suite, checklist: &Checklist) -> Vec<RowCoverage> {
    checklist
        .rows
        .iter()
        .map(|row| RowCoverage {
            row: row.clone(),
            cases: suite
                .cases
                .iter()
                .filter(|c| c.case.spec.iter().any(|s| s.value == row.id))
                .map(|c| c.case.id.value.clone())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Checklist, LoadErrors> {
        parse_checklist(&SourceFile::new("cases/rows.yaml", text))
    }

    #[test]
    fn parses_rows() {
        let list = parse(
            r#"
rows:
  - { id: A.one, src: [PS], level: must, trigger: natural, what: "a" }
  - { id: A.two, src: [], level: should, trigger: clock, what: "b" }
"#,
        )
        .unwrap();
        assert_eq!(list.rows.len(), 2);
        assert!(list.contains("A.two"));
        assert_eq!(list.get("A.two").unwrap().trigger, Trigger::Clock);
        assert!(!list.contains("A.three"));
    }

    #[test]
    fn errors_point_at_the_row() {
        let cases = [
            (
                "rows:\n  - { id: A, src: [], level: must, trigger: natural, what: a }\n  - { id: A, src: [], level: must, trigger: natural, what: b }\n",
                "duplicate checklist row `A`",
                "cases/rows.yaml:3:11",
            ),
            (
                "rows:\n  - { id: A, src: [], level: must, trigger: often, what: a }\n",
                "unknown variant `often`",
                "cases/rows.yaml:2:45",
            ),
            (
                "rows:\n  - { id: A, src: [], level: must, trigger: natural, wat: a }\n",
                "unknown field `wat`",
                "cases/rows.yaml:2:54",
            ),
        ];
        for (text, message, location) in cases {
            let errs = parse(text).unwrap_err();
            let rendered = errs.to_string();
            assert!(errs.errors[0].message.contains(message), "{rendered}");
            assert!(rendered.contains(location), "{rendered}");
        }
    }

    #[test]
    fn the_project_checklist_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cases/rows.yaml");
        let list = load_checklist(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(list.rows.len() >= 70, "{}", list.rows.len());
        assert!(list.contains("PS.DELETE.events"));
    }
}
