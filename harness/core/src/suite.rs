//! A loaded suite: its cases with where they were written, the runs of each case (rows times
//! formats) and their names, and the selection of runs by `--filter` and `--tag`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use globset::{Glob, GlobMatcher};

use crate::model::{Case, Format};
use crate::plan::CasePlan;

/// Every case of a suite, in file order and, within a file, in written order.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The cases.
    pub cases: Vec<SuiteCase>,
}

/// A case with where it was written.
#[derive(Debug, Clone)]
pub struct SuiteCase {
    /// The case as parsed, without its steps: they live on compiled, in `plan`.
    pub case: Case,
    /// The case compiled: what the runner executes.
    pub plan: CasePlan,
    /// The file, as found under the directory given to [`load_suite`](crate::loader::load_suite)
    /// (relative when it was).
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
