//! `--cases DIR` given more than once: each folder loaded with its own optional `rows.yaml`,
//! then joined into one suite in the order the folders were given. Case ids are unique across
//! all of them: a second use is a load error at its `id`, naming the first.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use harness_core::checklist::Checklist;
use harness_core::diag::{LoadError, LoadErrors, SourceFile};
use harness_core::loader::{Suite, SuiteCase};

use crate::setup::load;

/// Loads every folder; the error is the rendered diagnostics of every problem in all of them.
/// The checklist is the folders' rows together (a row id given twice counts once).
pub fn load_folders(dirs: &[PathBuf]) -> Result<(Suite, Option<Checklist>), String> {
    if let [dir] = dirs {
        return load(dir);
    }
    let mut suite = Suite::default();
    let mut checklist: Option<Checklist> = None;
    let mut problems = Vec::new();
    for dir in dirs {
        match load(dir) {
            Ok((loaded, rows)) => {
                suite.cases.extend(loaded.cases);
                if let Some(rows) = rows {
                    let all = checklist.get_or_insert_with(Checklist::default);
                    for row in rows.rows {
                        if !all.rows.iter().any(|r| r.id == row.id) {
                            all.rows.push(row);
                        }
                    }
                }
            }
            Err(text) => problems.push(text),
        }
    }
    let duplicates = duplicate_ids(&suite.cases);
    if !duplicates.is_empty() {
        problems.push(LoadErrors::from(duplicates).to_string());
    }
    if problems.is_empty() {
        Ok((suite, checklist))
    } else {
        Err(problems.join("\n"))
    }
}

/// A load error at every later use of a case id, with the first use as related.
fn duplicate_ids(cases: &[SuiteCase]) -> Vec<LoadError> {
    let mut first: HashMap<&str, &SuiteCase> = HashMap::new();
    let mut errors = Vec::new();
    for case in cases {
        match first.get(case.id()) {
            Some(earlier) => {
                let (src, range) = id_place(case);
                let (first_src, first_range) = id_place(earlier);
                errors.push(
                    LoadError::at(&src, range, format!("duplicate case id `{}`", case.id()))
                        .with_related(&first_src, first_range, "first used here")
                        .with_hint("case ids are unique across every --cases folder"),
                );
            }
            None => {
                first.insert(case.id(), case);
            }
        }
    }
    errors
}

/// The case's file and where its id stands (the `id` line; the file's start if unreadable).
fn id_place(case: &SuiteCase) -> (SourceFile, Range<usize>) {
    let text = std::fs::read_to_string(&case.file).unwrap_or_default();
    let line_start: usize = text
        .split_inclusive('\n')
        .take(usize::try_from(case.line.saturating_sub(1)).unwrap_or(0))
        .map(str::len)
        .sum();
    let line = text[line_start..].lines().next().unwrap_or_default();
    let range = match line.find(case.id()) {
        Some(at) => line_start + at..line_start + at + case.id().len(),
        None => line_start..line_start + line.len(),
    };
    (SourceFile::new(case.file.clone(), text), range)
}
