//! Loads a directory of YAML case files into a [`Suite`], or reports every problem in every
//! file with `file:line:col` before any request is sent.
//!
//! Loading is two passes per file: serde-saphyr parses into the typed model (syntax, unknown
//! keys, types, duplicate keys), then `validate` checks what serde cannot see (references
//! between steps, undefined variables, selectors). Errors of all files are collected, so one
//! run shows them all. The cost of a step does not depend on the length of its case: checks
//! look names up rather than scan earlier steps, and the located tree that places a semantic
//! error is parsed only when there is one. A file is first loaded step by step (`stream`:
//! each step parsed, checked, compiled and dropped, for the memory of long cases); anything
//! that path cannot settle is loaded whole as above, which alone words diagnostics.

mod control;
mod expect;
mod request;
mod rules;
mod scope;
mod step;
mod step_names;
mod stream;
mod tree;
mod validate;

use std::path::{Path, PathBuf};

pub use self::rules::parse_duration;
use self::step_names::StepNames;
pub use self::step_names::step_name;
use crate::checklist::Checklist;
use crate::diag::{LoadError, LoadErrors, SourceFile};
use crate::model::Case;
use crate::model::CaseFile;
use crate::plan::{CasePlan, CasePlanner};
pub use crate::suite::{CaseRun, FilterError, Suite, SuiteCase, run_name};
use crate::yaml::{parse_error, span_range};

/// The checklist's file name at the top of the case directory; it is not a case file.
pub const CHECKLIST_FILE: &str = "rows.yaml";

/// Loads every `*.yaml` / `*.yml` under `dir` (recursively, sorted by path, skipping the
/// checklist `rows.yaml` at the top and dot-directories), and checks every case. Spec ids are
/// checked against `checklist` when one is given. All errors of all files are returned.
pub fn load_suite(dir: &Path, checklist: Option<&Checklist>) -> Result<Suite, LoadErrors> {
    load_suites(&[(dir, checklist)])
}

/// [`load_suite`] over several folders (`--cases` given more than once), each with its own
/// checklist, joined in the order given; case ids are unique across all of them.
pub fn load_suites(roots: &[(&Path, Option<&Checklist>)]) -> Result<Suite, LoadErrors> {
    let mut suite = Suite::default();
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    for &(dir, checklist) in roots {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files, &mut errors);
        files.sort();
        for path in files {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) => {
                    errors.push(LoadError::in_file(
                        &path,
                        format!("failed to read the case file: {err}"),
                    ));
                    continue;
                }
            };
            let src = SourceFile::new(path, text);
            match check_file(&src, checklist) {
                Ok(cases) => {
                    for sc in cases {
                        ids.push((sc.id().to_owned(), src.clone(), span_range(&sc.case.id)));
                        suite.cases.push(sc);
                    }
                }
                Err(errs) => errors.extend(errs),
            }
        }
    }
    errors.extend(validate::duplicate_ids(&ids));
    if errors.is_empty() {
        Ok(suite)
    } else {
        Err(LoadErrors::from(errors))
    }
}

/// Parses and checks one case file's text (no cross-file checks such as duplicate ids).
pub fn parse_case_file(
    src: &SourceFile,
    checklist: Option<&Checklist>,
) -> Result<Vec<SuiteCase>, LoadErrors> {
    check_file(src, checklist).map_err(LoadErrors::from)
}

fn check_file(
    src: &SourceFile,
    checklist: Option<&Checklist>,
) -> Result<Vec<SuiteCase>, Vec<LoadError>> {
    // Most files load step by step, never holding all their parsed steps; the rest, and every
    // file with a problem, load whole.
    match stream::load_stepwise(src, checklist) {
        Some(cases) => Ok(cases),
        None => check_whole(src, checklist),
    }
}

/// Parses the whole file into the model, checks it, then compiles each case: the only source
/// of diagnostics (see `stream`).
fn check_whole(
    src: &SourceFile,
    checklist: Option<&Checklist>,
) -> Result<Vec<SuiteCase>, Vec<LoadError>> {
    let file: CaseFile =
        serde_saphyr::from_str(&src.text).map_err(|err| vec![parse_error(src, &err)])?;
    let mut check = validate::FileCheck::new(src, checklist);
    if file.cases.is_empty() {
        let range = check.range(&[tree::Seg::Key("cases")]);
        check.errors.push(
            LoadError::at(src, range, "no cases in this file")
                .with_hint("a case file holds one or more cases under `cases:`"),
        );
    }
    for (i, case) in file.cases.iter().enumerate() {
        check.case(case, i);
    }
    if !check.errors.is_empty() {
        return Err(check.errors);
    }
    Ok(file
        .cases
        .into_iter()
        .map(|mut case| {
            let plan = plan_whole(&mut case);
            SuiteCase {
                line: case.id.referenced.line(),
                file: src.path.clone(),
                plan,
                case,
            }
        })
        .collect())
}

/// The plan of a validated case, its steps named as the checks named them. The plan is what
/// runs: it takes the parsed steps, each dropped once compiled, so a long case never holds its
/// parsed and its compiled steps whole at once.
fn plan_whole(case: &mut Case) -> CasePlan {
    let parsed = std::mem::take(&mut case.steps);
    let names = StepNames::of(&parsed);
    let index_of = |n: &str| names.position(n).unwrap_or_default();
    let mut planner = CasePlanner::with_capacity(case.level, parsed.len());
    for (i, step) in parsed.into_iter().enumerate() {
        planner.push(&step, names.name(i).to_owned(), &index_of);
    }
    planner.finish()
}

fn collect_files(root: &Path, dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(LoadError::in_file(
                dir,
                format!("failed to read the case directory: {err}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') {
                collect_files(root, &path, files, errors);
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !(dir == root && name == CHECKLIST_FILE)
        {
            files.push(path);
        }
    }
}

/// The JSON Schema of case files (draft 2020-12), for editors (`docs/case-file.schema.json`).
pub fn case_file_schema() -> serde_json::Value {
    schemars::schema_for!(CaseFile).to_value()
}
