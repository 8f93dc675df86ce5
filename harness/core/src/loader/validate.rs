//! Semantic checks of one parsed case file: what serde cannot see (references between steps,
//! undefined variables, selectors, exclusive fields), each pointed at its place in the YAML.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde_json::Value;

use super::rules::{self, Problem};
use super::scope::{Scope, suggest};
use super::step_names::StepNames;
use super::tree::{Node, Seg, parse_tree};
use crate::checklist::Checklist;
use crate::diag::{LoadError, SourceFile};
use crate::model::{Case, Level, PROPERTIES, PropertySpec, Step};
use crate::template::{Segment, TemplateErrorKind, is_var_name, parse_template};
use crate::yaml::span_range;

/// The checker of one file: its source, its located tree and the errors found so far.
pub(crate) struct FileCheck<'a> {
    pub(crate) src: &'a SourceFile,
    /// The located tree, parsed on first use (`None` when the text does not parse). Only a
    /// diagnostic needs a place, so a clean file is parsed once, not twice: the second parse
    /// was over half of the load time of a long case (issue 13).
    tree: OnceCell<Option<Node>>,
    pub(crate) checklist: Option<&'a Checklist>,
    pub(crate) errors: Vec<LoadError>,
    /// The index of the case being checked, for paths into the tree.
    pub(crate) case_index: usize,
    /// Queries already found to parse: a long case repeats a few of them many times.
    valid_queries: HashSet<String>,
}

/// A path into the file's tree.
pub(super) type Path<'p> = Vec<Seg<'p>>;

pub(super) fn at<'p>(base: &[Seg<'p>], more: &[Seg<'p>]) -> Path<'p> {
    base.iter().chain(more).copied().collect()
}

/// Whether a template parses and names only variables of `scope`; a string without `{{`
/// is quickly clean. The caller looks for the template's place only when it is not.
fn template_is_clean(text: &str, scope: &Scope) -> bool {
    !text.contains("{{")
        || parse_template(text).is_ok_and(|segments| {
            segments.iter().all(|seg| match seg {
                Segment::Var(name, _) => scope.contains(name),
                Segment::Text(_) => true,
            })
        })
}

impl<'a> FileCheck<'a> {
    /// A checker of `src` with no errors yet.
    pub(crate) fn new(src: &'a SourceFile, checklist: Option<&'a Checklist>) -> FileCheck<'a> {
        FileCheck {
            src,
            tree: OnceCell::new(),
            checklist,
            errors: Vec::new(),
            case_index: 0,
            valid_queries: HashSet::new(),
        }
    }

    fn tree(&self) -> Option<&Node> {
        self.tree
            .get_or_init(|| parse_tree(&self.src.text))
            .as_ref()
    }

    /// The range of the node at `path`, or of its nearest existing ancestor.
    pub(super) fn range(&self, path: &[Seg<'_>]) -> Range<usize> {
        self.tree().map_or(0..0, |t| t.nearest(path))
    }

    /// The range of the key at `path` (for "this key is not allowed here"), else of the value.
    pub(super) fn key_range(&self, path: &[Seg<'_>]) -> Range<usize> {
        self.tree()
            .and_then(|t| t.key_range(path))
            .unwrap_or_else(|| self.range(path))
    }

    pub(super) fn push(
        &mut self,
        range: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut err = LoadError::at(self.src, range, message);
        if let Some(hint) = hint {
            err = err.with_hint(hint);
        }
        self.errors.push(err);
    }

    pub(super) fn problem(&mut self, range: Range<usize>, text: &str, problem: Problem) {
        // Point inside the scalar when the problem knows where and the text is written verbatim.
        let range = match problem.within {
            Some(within) => self
                .find_in(range.clone(), &text[within.clone()], within.start)
                .unwrap_or(range),
            None => range,
        };
        self.push(range, problem.message, problem.hint);
    }

    /// [`rules::check_json_path`], parsing each distinct path that is valid once per file.
    pub(super) fn json_path(&mut self, path: &str) -> Result<(), Problem> {
        if !path.starts_with('$') || !self.valid_queries.contains(path) {
            rules::check_json_path(path)?;
            self.valid_queries.insert(path.to_owned());
        }
        Ok(())
    }

    /// [`rules::check_query`], parsing each distinct query that is valid once per file.
    pub(super) fn query(&mut self, text: &str) -> Result<(), Problem> {
        if !self.valid_queries.contains(text) {
            rules::check_query(text)?;
            self.valid_queries.insert(text.to_owned());
        }
        Ok(())
    }

    /// Finds `needle` in the source inside `range` (a scalar as written), preferring the
    /// occurrence at or after `nth_byte` of the value. Quoting and escapes may shift it; then
    /// `None` and the caller points at the whole scalar.
    pub(super) fn find_in(
        &self,
        range: Range<usize>,
        needle: &str,
        nth_byte: usize,
    ) -> Option<Range<usize>> {
        let text = self.src.text.get(range.clone())?;
        let hits: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
        let hit = hits
            .iter()
            .copied()
            .find(|&i| i >= nth_byte)
            .or_else(|| hits.first().copied())?;
        Some(range.start + hit..range.start + hit + needle.len())
    }

    /// Checks one template at the node of `path`.
    pub(super) fn template(&mut self, text: &str, path: &[Seg<'_>], scope: &Scope, step: &str) {
        if !template_is_clean(text, scope) {
            let range = self.range(path);
            self.template_at(text, range, scope, step);
        }
    }

    /// Checks one template written at `range`: well-formed, every variable defined.
    pub(super) fn template_at(
        &mut self,
        text: &str,
        range: Range<usize>,
        scope: &Scope,
        step: &str,
    ) {
        let located = |this: &Self, r: Range<usize>| {
            this.find_in(range.clone(), &text[r.clone()], r.start)
                .unwrap_or(range.clone())
        };
        match parse_template(text) {
            Err(err) => {
                let r = located(self, err.range.clone());
                let hint = matches!(err.kind, TemplateErrorKind::Unclosed)
                    .then(|| "write `{{ name }}`".to_owned());
                let message = match err.kind {
                    TemplateErrorKind::Unclosed => "unclosed `{{`".to_owned(),
                    other => other.to_string(),
                };
                self.push(r, message, hint);
            }
            Ok(segments) => {
                for seg in segments {
                    if let Segment::Var(name, r) = seg
                        && !scope.contains(name)
                    {
                        let r = located(self, r);
                        let hint = scope.hint_for(name, step);
                        self.push(r, format!("undefined variable `{name}`"), Some(hint));
                    }
                }
            }
        }
    }

    /// Checks the templates of every string leaf and map key of a JSON value.
    pub(super) fn value_templates(
        &mut self,
        value: &Value,
        path: &[Seg<'_>],
        scope: &Scope,
        step: &str,
    ) {
        let mut path = path.to_vec();
        self.walk_templates(value, &mut path, scope, step);
    }

    /// [`Self::value_templates`] on one growing path, so a leaf costs no path of its own.
    fn walk_templates<'v>(
        &mut self,
        value: &'v Value,
        path: &mut Path<'v>,
        scope: &Scope,
        step: &str,
    ) {
        match value {
            Value::String(s) => self.template(s, path, scope, step),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk_templates(item, path, scope, step);
                    path.pop();
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    path.push(Seg::Key(key));
                    if !template_is_clean(key, scope) {
                        let key_range = self.key_range(path);
                        self.template_at(key, key_range, scope, step);
                    }
                    self.walk_templates(item, path, scope, step);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// A case's checks are at its level, so the level may be no stronger than its strongest
    /// row: a `should` row cannot fail a case at `must` (design section 12).
    fn level_follows_rows(&mut self, case: &Case, checklist: &Checklist, base: &Path<'_>) {
        let strength = |level: Level| match level {
            Level::Must => 2,
            Level::Should => 1,
            Level::May => 0,
        };
        let strongest = case
            .spec
            .iter()
            .filter_map(|id| checklist.get(&id.value))
            .map(|row| row.level)
            .max_by_key(|level| strength(*level));
        if let Some(row_level) = strongest
            && strength(case.level) > strength(row_level)
        {
            let r = self.key_range(&at(base, &[Seg::Key("level")]));
            self.push(
                r,
                format!(
                    "the case is at `{}` but its strongest row is `{}`",
                    case.level.name(),
                    row_level.name()
                ),
                Some(format!(
                    "write `level: {}` (a check may demand no more than its row)",
                    row_level.name()
                )),
            );
        }
    }

    /// Checks one case; `ci` is its index in the file.
    pub(crate) fn case(&mut self, case: &Case, ci: usize) {
        self.case_fields(case, ci);
        let names = StepNames::of(&case.steps);
        let captures: Vec<(String, String)> = case
            .steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                let n = names.name(i);
                s.capture.keys().map(move |c| (n.to_owned(), c.clone()))
            })
            .collect();
        let mut scope = Scope::for_case(case, &captures);
        self.case_kind(case, !case.steps.is_empty());
        let base = self.case_path();
        for (si, step) in case.steps.iter().enumerate() {
            let sp = at(&base, &[Seg::Key("steps"), Seg::Index(si)]);
            self.step_name(step, si, &names);
            self.step(case, step, si, &names, &sp, &mut scope);
        }
    }

    /// The path of the case being checked.
    pub(super) fn case_path(&self) -> Path<'static> {
        vec![Seg::Key("cases"), Seg::Index(self.case_index)]
    }

    /// The checks of one case that do not concern its steps: id, formats, rows, level, vars.
    pub(super) fn case_fields(&mut self, case: &Case, ci: usize) {
        self.case_index = ci;
        let base = self.case_path();
        let id = &case.id.value;
        if id.is_empty() || id.contains(|c: char| c.is_whitespace() || "[]/".contains(c)) {
            self.push(
                span_range(&case.id),
                format!("bad case id `{id}`"),
                Some("ids are dotted words such as `presence-subscription.delete.events`; no blanks, `[`, `]` or `/`".into()),
            );
        }
        if case.formats.is_empty() {
            let r = self.range(&at(&base, &[Seg::Key("formats")]));
            self.push(
                r,
                "empty `formats`",
                Some("list `json`, `xml` or both, or leave `formats` out for both".into()),
            );
        }
        for (i, format) in case.formats.iter().enumerate() {
            if case.formats[..i].contains(format) {
                let r = self.range(&at(&base, &[Seg::Key("formats"), Seg::Index(i)]));
                self.push(r, format!("format `{}` listed twice", format.name()), None);
            }
        }
        if let Some(checklist) = self.checklist {
            for spec in &case.spec {
                if !checklist.contains(&spec.value) {
                    let ids: Vec<&str> = checklist.rows.iter().map(|r| r.id.as_str()).collect();
                    let hint = suggest(&spec.value, &ids).map_or_else(
                        || "rows are listed in `cases/rows.yaml`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.push(
                        span_range(spec),
                        format!("unknown checklist row `{}`", spec.value),
                        Some(hint),
                    );
                }
            }
        }
        if let Some(checklist) = self.checklist {
            self.level_follows_rows(case, checklist, &base);
        }
        self.vars_names(case.vars.keys(), &at(&base, &[Seg::Key("vars")]));
        for (ri, row) in case.rows.iter().enumerate() {
            if let Some(first) = case.rows[..ri]
                .iter()
                .find(|r| r.name.value == row.name.value)
            {
                let err = LoadError::at(
                    self.src,
                    span_range(&row.name),
                    format!("duplicate row name `{}`", row.name.value),
                )
                .with_related(self.src, span_range(&first.name), "first used here");
                self.errors.push(err);
            }
            if row.name.value.is_empty() || row.name.value.contains(['[', ']', '/']) {
                self.push(
                    span_range(&row.name),
                    format!("bad row name `{}`", row.name.value),
                    Some("row names appear as `id[row]/format`: no `[`, `]` or `/`".into()),
                );
            }
            self.vars_names(
                row.vars.keys(),
                &at(&base, &[Seg::Key("rows"), Seg::Index(ri), Seg::Key("vars")]),
            );
        }
    }

    /// A case runs its steps or a property, not both and not neither; `has_steps` says whether
    /// it has steps (a case read step by step keeps none).
    pub(super) fn case_kind(&mut self, case: &Case, has_steps: bool) {
        let base = self.case_path();
        match &case.property {
            Some(property) => self.property(case, property, has_steps, &base),
            None if !has_steps => {
                let r = self.range(&at(&base, &[Seg::Key("steps")]));
                self.push(
                    r,
                    "a case needs at least one step",
                    Some("or names a generated-input property with `property: { name: … }`".into()),
                );
            }
            None => {}
        }
    }

    /// A property case: a known name, no steps (the property is the whole case), a sane count.
    fn property(
        &mut self,
        case: &Case,
        property: &PropertySpec,
        has_steps: bool,
        base: &[Seg<'_>],
    ) {
        let name = &property.name.value;
        if !PROPERTIES.contains(&name.as_str()) {
            let hint = suggest(name, PROPERTIES).map_or_else(
                || format!("properties are {}", PROPERTIES.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            self.push(
                span_range(&property.name),
                format!("unknown property `{name}`"),
                Some(hint),
            );
        }
        if has_steps {
            let r = self.key_range(&at(base, &[Seg::Key("steps")]));
            self.push(
                r,
                "a property case has no steps",
                Some(
                    "the property generates its own requests; write `steps: []` or leave it out"
                        .into(),
                ),
            );
        }
        if property.cases == Some(0) {
            let r = self.range(&at(base, &[Seg::Key("property"), Seg::Key("cases")]));
            self.push(r, "`cases` must be at least 1", None);
        }
        if !case.rows.is_empty() {
            let r = self.key_range(&at(base, &[Seg::Key("rows")]));
            self.push(r, "a property case has no table rows", None);
        }
    }

    fn vars_names<'k>(&mut self, keys: impl Iterator<Item = &'k String>, path: &[Seg<'_>]) {
        for key in keys {
            if !is_var_name(key) {
                let r = self.key_range(&at(path, &[Seg::Key(key)]));
                self.push(
                    r,
                    format!("bad variable name `{key}`"),
                    Some("names are dotted words of letters, digits, `_` and `-`".into()),
                );
            }
        }
    }

    pub(super) fn step_name(&mut self, step: &Step, si: usize, names: &StepNames) {
        let Some(name) = &step.name else {
            return;
        };
        let r = span_range(name);
        let ok = !name.value.is_empty()
            && name
                .value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            self.push(r.clone(), format!("bad step name `{}`", name.value), Some("step names are letters, digits, `_` and `-`, so `{{ steps.NAME.status }}` can name them".into()));
        }
        if let Some(first) = names.position(&name.value).filter(|&first| first < si) {
            let mut err =
                LoadError::at(self.src, r, format!("duplicate step name `{}`", name.value));
            err = match names.written(&name.value) {
                Some(other) => err.with_related(self.src, other, "first used here"),
                None => err.with_hint(format!(
                    "step {} is implicitly named `{}`",
                    first + 1,
                    name.value
                )),
            };
            self.errors.push(err);
        }
    }
}

/// Duplicate ids among all cases of the suite: (id, file, range) in load order.
pub(crate) fn duplicate_ids(ids: &[(String, SourceFile, Range<usize>)]) -> Vec<LoadError> {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, (id, src, range)) in ids.iter().enumerate() {
        match first.get(id.as_str()) {
            Some(&f) => {
                let (_, fsrc, frange) = &ids[f];
                errors.push(
                    LoadError::at(src, range.clone(), format!("duplicate case id `{id}`"))
                        .with_related(fsrc, frange.clone(), "first used here")
                        .with_hint("case ids are unique across the suite"),
                );
            }
            None => {
                first.insert(id, i);
            }
        }
    }
    errors
}
