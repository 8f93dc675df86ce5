//! `--cases DIR` given more than once: each folder loaded with its own optional `rows.yaml`,
//! then joined into one suite in the order the folders were given. Case ids are unique across
//! all of them: a second use is a load error at its `id`, naming the first (the loader's own
//! duplicate-id check, run over every folder at once).

use std::path::{Path, PathBuf};

use harness_core::checklist::Checklist;
use harness_core::loader::{Suite, load_suites};

use crate::setup::{load, load_rows};

/// Loads every folder; the error is the rendered diagnostics of every problem in all of them.
/// The checklist is the folders' rows together (a row id given twice counts once).
pub fn load_folders(dirs: &[PathBuf]) -> Result<(Suite, Option<Checklist>), String> {
    if let [dir] = dirs {
        return load(dir);
    }
    let mut folder_rows: Vec<Option<Checklist>> = Vec::with_capacity(dirs.len());
    let mut problems = Vec::new();
    for dir in dirs {
        // A folder whose rows do not load still has its cases checked (against no rows), so
        // one run shows every problem of every folder.
        folder_rows.push(load_rows(dir).unwrap_or_else(|text| {
            problems.push(text);
            None
        }));
    }
    let roots: Vec<(&Path, Option<&Checklist>)> = dirs
        .iter()
        .zip(&folder_rows)
        .map(|(dir, rows)| (dir.as_path(), rows.as_ref()))
        .collect();
    let suite = match load_suites(&roots) {
        Ok(suite) if problems.is_empty() => suite,
        Ok(_) => return Err(problems.join("\n")),
        Err(errors) => {
            problems.push(errors.to_string());
            return Err(problems.join("\n"));
        }
    };
    let mut checklist: Option<Checklist> = None;
    for rows in folder_rows.into_iter().flatten() {
        let all = checklist.get_or_insert_with(Checklist::default);
        for row in rows.rows {
            if !all.rows.iter().any(|r| r.id == row.id) {
                all.rows.push(row);
            }
        }
    }
    Ok((suite, checklist))
}
