//! Case-file diagnostics: errors with `file:line:col`, rendered as rustc-style snippets.
//!
//! Every problem the loader finds becomes a [`LoadError`] that keeps its source line, so it can
//! be rendered plain (files, CI logs, tests) or in colour (a terminal) long after loading.
//! Rendering goes through annotate-snippets, the renderer rustc and cargo use.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A source file as read, shared by the diagnostics that point into it.
#[derive(Clone)]
pub struct SourceFile {
    /// The path as given to the loader (relative when the suite directory is relative).
    pub path: PathBuf,
    /// The whole text.
    pub text: Arc<str>,
    /// The byte offset where each line starts, built on the first [`SourceFile::line_col`]
    /// and shared by clones, so that placing many errors in a long file does not read it
    /// from the top for each one.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The line index is a cache, not part of the value.
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("text", &self.text)
            .finish()
    }
}

impl SourceFile {
    /// Wraps a file's text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    /// The 1-based line and column (in characters) of a byte offset; offsets past the end or
    /// inside a character are clamped.
    pub fn line_col(&self, byte: usize) -> (u64, u64) {
        let byte = floor_boundary(&self.text, byte);
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // Lines that start at or before `byte`; the first starts at 0, so at least one.
        let line = starts.partition_point(|&start| start <= byte);
        let column = self.text[starts[line - 1]..byte].chars().count() + 1;
        (line as u64, column as u64)
    }

    /// The byte offset of a 1-based line and column (in characters), clamped to the text.
    pub fn offset_of(&self, line: u64, column: u64) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len(),
            }
        }
        let line_text = &self.text[start..];
        let line_end = line_text.find('\n').unwrap_or(line_text.len());
        let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        start
            + line_text[..line_end]
                .char_indices()
                .nth(skip)
                .map_or(line_end, |(i, _)| i)
    }
}

/// A marked range of a source file with an optional label.
#[derive(Debug, Clone)]
struct Mark {
    source: SourceFile,
    range: Range<usize>,
    label: String,
}

/// One problem in a case file (or the checklist), with where it is.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The file, as given to the loader.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem has no place in the file (it could not be read).
    pub line: u64,
    /// 1-based column in characters; 0 with line 0.
    pub column: u64,
    /// A lowercase fragment, e.g. "undefined variable `subb`".
    pub message: String,
    /// An optional hint shown as `= hint: …`.
    pub hint: Option<String>,
    primary: Option<Mark>,
    related: Vec<Mark>,
}

impl LoadError {
    /// An error at a byte range of a source file.
    pub fn at(source: &SourceFile, range: Range<usize>, message: impl Into<String>) -> LoadError {
        let start = floor_boundary(&source.text, range.start);
        let end = floor_boundary(&source.text, range.end.max(start));
        let (line, column) = source.line_col(start);
        LoadError {
            file: source.path.clone(),
            line,
            column,
            message: message.into(),
            hint: None,
            primary: Some(Mark {
                source: source.clone(),
                range: start..end,
                label: String::new(),
            }),
            related: Vec::new(),
        }
    }

    /// An error about a whole file that has no place in it (it could not be read).
    pub fn in_file(file: &Path, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            primary: None,
            related: Vec::new(),
        }
    }

    /// Adds a `= hint: …` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> LoadError {
        self.hint = Some(hint.into());
        self
    }

    /// Labels the marked range.
    pub fn with_label(mut self, label: impl Into<String>) -> LoadError {
        if let Some(mark) = &mut self.primary {
            mark.label = label.into();
        }
        self
    }

    /// Adds a second place, e.g. the first definition of a duplicate.
    pub fn with_related(
        mut self,
        source: &SourceFile,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> LoadError {
        let start = floor_boundary(&source.text, range.start);
        let end = floor_boundary(&source.text, range.end.max(start));
        self.related.push(Mark {
            source: source.clone(),
            range: start..end,
            label: label.into(),
        });
        self
    }

    /// `file:line:col` (or just the file when there is no place).
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }

    /// Renders the diagnostic; `color` adds ANSI styles (for a terminal only).
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let paths: Vec<String> = self
            .primary
            .iter()
            .chain(&self.related)
            .map(|m| m.source.path.display().to_string())
            .collect();
        let title = Level::ERROR.primary_title(self.message.as_str());
        let mut snippets = Vec::new();
        for (mark, path) in self.primary.iter().chain(&self.related).zip(&paths) {
            let kind = if snippets.is_empty() {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            snippets.push(one_line_snippet(mark, path, kind));
        }
        let mut group: Group<'_> = title.elements(snippets);
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.with_name("hint").message(hint.as_str()));
        }
        let mut out = renderer.render(&[group]);
        if self.primary.is_none() {
            // No line to show, but users still grep for the `--> file` line.
            let (head, tail) = out.split_once('\n').unwrap_or((&out, ""));
            out = format!(
                "{head}\n  --> {}{}{tail}",
                self.file.display(),
                if tail.is_empty() { "" } else { "\n" }
            );
        }
        out
    }
}

/// The snippet for one mark: its first line only, the way hurl shows case-file errors.
fn one_line_snippet<'a>(
    mark: &'a Mark,
    path: &'a str,
    kind: AnnotationKind,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = &mark.source.text;
    let line_start = text[..mark.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[mark.range.start..]
        .find('\n')
        .map_or(text.len(), |i| mark.range.start + i);
    let line_text = text[line_start..line_end].trim_end_matches('\r');
    let start = (mark.range.start - line_start).min(line_text.len());
    let end = (mark.range.end.min(line_end) - line_start).clamp(start, line_text.len());
    let (line, _) = mark.source.line_col(mark.range.start);
    let line = usize::try_from(line).unwrap_or(usize::MAX);
    Snippet::source(line_text)
        .line_start(line)
        .path(path)
        .fold(false)
        .annotation(kind.span(start..end).label(mark.label.as_str()))
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for LoadError {}

/// Every problem found while loading, in file and line order.
#[derive(Debug, Clone, Default)]
pub struct LoadErrors {
    /// The problems; never empty when returned as an error.
    pub errors: Vec<LoadError>,
}

impl LoadErrors {
    /// Renders all diagnostics and a closing count; `color` adds ANSI styles.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for error in &self.errors {
            out.push_str(&error.render(color));
            out.push_str("\n\n");
        }
        let n = self.errors.len();
        let plural = if n == 1 { "" } else { "s" };
        out.push_str("error: failed to load the cases: ");
        out.push_str(&n.to_string());
        out.push_str(" error");
        out.push_str(plural);
        out
    }

    /// Sorts by file, line and column, so output follows the files.
    pub fn sort(&mut self) {
        self.errors
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for LoadErrors {}

impl From<Vec<LoadError>> for LoadErrors {
    fn from(errors: Vec<LoadError>) -> LoadErrors {
        let mut errors = LoadErrors { errors };
        errors.sort();
        errors
    }
}

/// The largest char boundary at or below `byte`, clamped to the text.
fn floor_boundary(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_caret_and_hint() {
        let src = SourceFile::new("cases/ps/delete.yaml", "a: 1\nhref: \"{{ subb }}\"\n");
        let err = LoadError::at(&src, 12..22, "undefined variable `subb`")
            .with_label("not defined here")
            .with_hint("did you mean `sub`?");
        let text = err.render(false);
        assert_eq!((err.line, err.column), (2, 8));
        assert!(
            text.starts_with("error: undefined variable `subb`"),
            "{text}"
        );
        assert!(text.contains("--> cases/ps/delete.yaml:2:8"), "{text}");
        assert!(text.contains("2 | href: \"{{ subb }}\""), "{text}");
        assert!(text.contains("^^^^^^^^^^ not defined here"), "{text}");
        assert!(text.contains("= hint: did you mean `sub`?"), "{text}");
    }

    #[test]
    fn related_marks_show_both_files() {
        let a = SourceFile::new("a.yaml", "id: x\n");
        let b = SourceFile::new("b.yaml", "\n\nid: x\n");
        let err =
            LoadError::at(&b, 6..7, "duplicate case id `x`").with_related(&a, 4..5, "first here");
        let text = err.render(false);
        assert!(text.contains("b.yaml:3:5"), "{text}");
        assert!(text.contains("a.yaml:1:5"), "{text}");
        assert!(text.contains("first here"), "{text}");
    }

    #[test]
    fn line_col_and_offset_agree_on_multibyte_text() {
        let src = SourceFile::new("x", "é: 1\nab: \"ü{{ x }}\"\n");
        for byte in [0, 3, 6, 11, 13, src.text.len()] {
            let (line, col) = src.line_col(byte);
            assert_eq!(src.offset_of(line, col), byte, "byte {byte}");
        }
        assert_eq!(src.line_col(1), (1, 1), "inside a character clamps down");
        assert_eq!(src.line_col(5), (1, 5), "a newline is the end of its line");
        assert_eq!(
            src.line_col(6),
            (2, 1),
            "the byte after a newline starts the next line"
        );
        assert_eq!(src.line_col(999), (3, 1), "past the end clamps to the end");
        let blank = SourceFile::new("y", "\n\nid: x");
        assert_eq!(blank.line_col(2), (3, 1));
        assert_eq!(blank.line_col(9), (3, 6));
        assert_eq!(src.offset_of(99, 1), src.text.len());
    }

    #[test]
    fn error_without_place_names_the_file() {
        let err = LoadError::in_file(Path::new("cases/x.yaml"), "failed to read the file");
        let text = err.render(false);
        assert!(text.contains("error: failed to read the file"), "{text}");
        assert!(text.contains("--> cases/x.yaml"), "{text}");
    }
}
