//! Where YAML values and YAML errors stand in their file: serde-saphyr's locations turned into
//! byte ranges and located [`LoadError`]s, for every reader of a YAML file (case files, the
//! checklist, the baseline).

use std::ops::Range;

use serde_saphyr::Spanned;

use crate::diag::{LoadError, SourceFile};

/// The byte range of a `Spanned` value.
pub(crate) fn span_range<T>(s: &Spanned<T>) -> Range<usize> {
    let span = s.referenced.span();
    let start = usize::try_from(span.byte_offset().unwrap_or(0)).unwrap_or(0);
    let len = usize::try_from(span.byte_len().unwrap_or(0)).unwrap_or(0);
    start..start.saturating_add(len)
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
