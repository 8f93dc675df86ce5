//! Loads a directory of YAML case files into a [`Suite`], or reports every problem in every
//! file with `file:line:col` before any request is sent.
//!
//! Loading is two passes per file: serde-saphyr parses into the typed model (syntax, unknown
//! keys, types, duplicate keys), then `validate` checks what serde cannot see (references
//! between steps, undefined variables, selectors). Errors of all files are collected, so one
//! run shows them all.

mod rules;
mod scope;
mod step;
mod tree;
mod validate;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};

pub use self::rules::parse_duration;
pub(crate) use self::validate::span_range;
pub use self::validate::step_name;
use crate::checklist::Checklist;
use crate::diag::{LoadError, LoadErrors, SourceFile};
use crate::model::{Case, CaseFile, Format};

/// The checklist's file name at the top of the case directory; it is not a case file.
pub const CHECKLIST_FILE: &str = "rows.yaml";

/// Every case of a suite, in file order and, within a file, in written order.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The cases.
    pub cases: Vec<SuiteCase>,
}

/// A case with where it was written.
#[derive(Debug, Clone)]
pub struct SuiteCase {
    /// The case as parsed.
    pub case: Case,
    /// The file, as found under the directory given to [`load_suite`] (relative when it was).
    pub file: PathBuf,
    /// The line of the case's `id`.
    pub line: u64,
}

/// One run of a case: a table row (if the case has rows) in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRun {
    /// The row name, when the case is a table.
    pub row: Option<String>,
    /// The format of the run.
    pub format: Format,
    /// The unique name: `id`, `[row]` when there are rows, then `/format`, e.g. `ps.extend[d9]/json`.
    pub name: String,
}

impl SuiteCase {
    /// The case id.
    pub fn id(&self) -> &str {
        &self.case.id.value
    }

    /// Every run of the case, rows first then formats (`a[r1]/json`, `a[r1]/xml`, `a[r2]/json`…).
    pub fn runs(&self) -> Vec<CaseRun> {
        let rows: Vec<Option<String>> = if self.case.rows.is_empty() {
            vec![None]
        } else {
            self.case
                .rows
                .iter()
                .map(|r| Some(r.name.value.clone()))
                .collect()
        };
        rows.into_iter()
            .flat_map(|row| {
                self.case.formats.iter().map(move |&format| CaseRun {
                    name: run_name(&self.case.id.value, row.as_deref(), format),
                    row: row.clone(),
                    format,
                })
            })
            .collect()
    }
}

/// The unique name of a run, e.g. `ps.extend[d9]/json` or `ps.get/xml`.
pub fn run_name(id: &str, row: Option<&str>, format: Format) -> String {
    match row {
        Some(row) => format!("{id}[{row}]/{}", format.name()),
        None => format!("{id}/{}", format.name()),
    }
}

/// A `--filter` glob that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("failed to parse the filter `{glob}`: {source}")]
pub struct FilterError {
    /// The filter as given.
    pub glob: String,
    /// Why globset refused it.
    #[source]
    pub source: globset::Error,
}

impl Suite {
    /// The case with this id.
    pub fn get(&self, id: &str) -> Option<&SuiteCase> {
        self.cases.iter().find(|c| c.id() == id)
    }

    /// Sets the generated inputs of every property case (`run --property-cases N`).
    pub fn set_property_cases(&mut self, cases: u32) {
        for sc in &mut self.cases {
            if let Some(property) = &mut sc.case.property {
                property.cases = Some(cases.max(1));
            }
        }
    }

    /// The cases selected by `--filter` globs and `--tag` names (empty lists select all).
    ///
    /// A filter selects a run when it matches (as a glob, or exactly) the case id, `id[row]`
    /// or the run name `id[row]/format` (`id/format` without rows). Cases keep only the rows
    /// and formats that some selected run uses. A case is kept by tags when it has any of them.
    pub fn filter(&self, filters: &[String], tags: &[String]) -> Result<Suite, FilterError> {
        let matchers: Vec<(GlobMatcher, &str)> = filters
            .iter()
            .map(|f| {
                Glob::new(f)
                    .map(|g| (g.compile_matcher(), f.as_str()))
                    .map_err(|source| FilterError {
                        glob: f.clone(),
                        source,
                    })
            })
            .collect::<Result<_, _>>()?;
        let hit = |name: &str| matchers.iter().any(|(m, f)| *f == name || m.is_match(name));
        let mut cases = Vec::new();
        for sc in &self.cases {
            if !tags.is_empty() && !sc.case.tags.iter().any(|t| tags.contains(t)) {
                continue;
            }
            if matchers.is_empty() {
                cases.push(sc.clone());
                continue;
            }
            let id = sc.id();
            let mut rows = BTreeSet::new();
            let mut formats = BTreeSet::new();
            for run in sc.runs() {
                let with_row = run.row.as_ref().map(|r| format!("{id}[{r}]"));
                if hit(id) || with_row.as_deref().is_some_and(hit) || hit(&run.name) {
                    rows.insert(run.row);
                    formats.insert(run.format);
                }
            }
            if formats.is_empty() {
                continue;
            }
            let mut kept = sc.clone();
            kept.case.formats.retain(|f| formats.contains(f));
            kept.case
                .rows
                .retain(|r| rows.contains(&Some(r.name.value.clone())));
            cases.push(kept);
        }
        Ok(Suite { cases })
    }
}

/// Loads every `*.yaml` / `*.yml` under `dir` (recursively, sorted by path, skipping the
/// checklist `rows.yaml` at the top and dot-directories), and checks every case. Spec ids are
/// checked against `checklist` when one is given. All errors of all files are returned.
pub fn load_suite(dir: &Path, checklist: Option<&Checklist>) -> Result<Suite, LoadErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    collect_files(dir, dir, &mut files, &mut errors);
    files.sort();
    let mut suite = Suite::default();
    let mut ids = Vec::new();
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
    let file: CaseFile =
        serde_saphyr::from_str(&src.text).map_err(|err| vec![parse_error(src, &err)])?;
    let tree = tree::parse_tree(&src.text);
    let mut check = validate::FileCheck {
        src,
        tree: tree.as_ref(),
        checklist,
        errors: Vec::new(),
        case_index: 0,
    };
    if file.cases.is_empty() {
        let range = tree
            .as_ref()
            .map_or(0..0, |t| t.nearest(&[tree::Seg::Key("cases")]));
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
        .map(|case| SuiteCase {
            line: case.id.referenced.line(),
            file: src.path.clone(),
            case,
        })
        .collect())
}

/// A serde-saphyr error as a located diagnostic, with its message tidied.
pub(crate) fn parse_error(src: &SourceFile, err: &serde_saphyr::Error) -> LoadError {
    let mut message = err.without_snippet().to_string();
    let range: Range<usize> = match err.location() {
        Some(loc) => {
            let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_owned();
            }
            let span = loc.span();
            let start = span
                .byte_offset()
                .and_then(|b| usize::try_from(b).ok())
                .unwrap_or_else(|| src.offset_of(loc.line(), loc.column()));
            let len = span
                .byte_len()
                .and_then(|b| usize::try_from(b).ok())
                .unwrap_or(0);
            start..start.saturating_add(len)
        }
        None => 0..0,
    };
    // serde-saphyr's text names its own option; users need the key.
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        message = format!("duplicate key `{key}`");
    }
    LoadError::at(src, range, message)
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
