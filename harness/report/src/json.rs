//! `report.json`: the run report as pretty JSON, fields in declaration order, secrets redacted.
//!
//! Written as its head (every field of the report, `cases` empty), each case's object (its
//! piece, rendered as the case finished) and its tail: the same bytes serde_json writes for the
//! whole report at once.

use std::io;

use harness_core::outcome::{
    CaseOutcome, CoverageSummary, PartOfSplit, ReportBodies, RunReport, Summary, TargetInfo,
};
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

use crate::piece::{Part, Pieces};
use crate::sanitize::redact;

/// Where a case's object sits: in the `cases` array of the top-level object.
const CASE_INDENT: &[u8] = b"    ";
/// The `cases` array of the head, empty: a key at depth one is the only line that starts so
/// (a string holds no raw line break).
const EMPTY_CASES: &[u8] = b"\n  \"cases\": []";

/// Writes `report.json` of `report`, whose cases may be heads only: each case's object comes
/// from `pieces`, in the report's order.
pub(crate) fn assemble_json(
    report: &RunReport,
    pieces: &mut dyn Pieces,
    mut out: impl io::Write,
) -> io::Result<()> {
    let mut head = Vec::new();
    serialize_redacted(&Head::of(report), &mut head)?;
    let at = head
        .windows(EMPTY_CASES.len())
        .position(|w| w == EMPTY_CASES)
        .ok_or_else(|| io::Error::other("the report's head has no `cases` array"))?;
    // Up to and with the `[`; the `]` and the rest are the tail.
    let (before, tail) = head.split_at(at + EMPTY_CASES.len() - 1);
    out.write_all(before)?;
    for index in 0..report.cases.len() {
        // PrettyFormatter's separators: a line break, then the value at its depth.
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        out.write_all(CASE_INDENT)?;
        pieces.piece(index, Part::Json, &mut out)?;
    }
    if !report.cases.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(tail)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Renders `case` as its object in the `cases` array, indented for that depth.
pub(crate) fn render_case(case: &CaseOutcome, out: &mut dyn io::Write) -> io::Result<()> {
    // serde_json writes a token at a time: the buffer turns them into a few large writes, so
    // the indenting and the dynamic call happen per chunk, not per token.
    let mut chunks = io::BufWriter::with_capacity(16 * 1024, Indented(out, Vec::new()));
    serialize_redacted(case, &mut chunks)?;
    chunks
        .into_inner()
        .map(drop)
        .map_err(io::IntoInnerError::into_error)
}

/// Writes through, indenting every line after the first by [`CASE_INDENT`]: a JSON string
/// holds no raw line break, so every one is the formatter's. Only a chunk is buffered before
/// it, so a long case's object is never held whole.
struct Indented<'a>(&'a mut dyn io::Write, Vec<u8>);

impl io::Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let indented = &mut self.1;
        indented.clear();
        let mut lines = buf.split(|&b| b == b'\n');
        if let Some(first) = lines.next() {
            indented.extend_from_slice(first);
        }
        for line in lines {
            indented.push(b'\n');
            indented.extend_from_slice(CASE_INDENT);
            indented.extend_from_slice(line);
        }
        self.0.write_all(indented)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `RunReport`'s fields in its order with `cases` empty: what `report.json` holds around the
/// cases. A test keeps it in step with `RunReport`.
#[derive(Serialize)]
struct Head<'a> {
    tool: &'a str,
    started_at: &'a str,
    duration_secs: f64,
    target: &'a TargetInfo,
    strict: bool,
    interrupted: bool,
    report_bodies: ReportBodies,
    summary: &'a Summary,
    cases: &'a [CaseOutcome],
    coverage: &'a Option<CoverageSummary>,
    unexpected_passes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    partition: Option<PartOfSplit>,
}

impl<'a> Head<'a> {
    fn of(report: &'a RunReport) -> Self {
        Head {
            tool: &report.tool,
            started_at: &report.started_at,
            duration_secs: report.duration_secs,
            target: &report.target,
            strict: report.strict,
            interrupted: report.interrupted,
            report_bodies: report.report_bodies,
            summary: &report.summary,
            cases: &[],
            coverage: &report.coverage,
            unexpected_passes: &report.unexpected_passes,
            partition: report.partition,
        }
    }
}

fn serialize_redacted(value: &impl Serialize, out: impl io::Write) -> io::Result<()> {
    let formatter = Redacting {
        inner: PrettyFormatter::new(),
        in_string: false,
        string: Vec::new(),
    };
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::other)
}

/// Pretty JSON whose strings are redacted: a string's text is gathered as serde_json hands it
/// over (in pieces between escapes, or as a number when a map key is one), then redacted and
/// written whole. Everything outside strings goes to the pretty formatter untouched.
struct Redacting {
    inner: PrettyFormatter<'static>,
    in_string: bool,
    /// The string being written, unescaped, while `in_string` (one buffer for all strings).
    string: Vec<u8>,
}

/// Writes a number or a boolean, into the string being gathered when inside one (a map key).
macro_rules! scalar {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(
            fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
                if self.in_string {
                    self.inner.$name(&mut self.string, value)
                } else {
                    self.inner.$name(writer, value)
                }
            }
        )*
    };
}

impl Formatter for Redacting {
    scalar!(
        write_bool: bool,
        write_i8: i8,
        write_i16: i16,
        write_i32: i32,
        write_i64: i64,
        write_i128: i128,
        write_u8: u8,
        write_u16: u16,
        write_u32: u32,
        write_u64: u64,
        write_u128: u128,
        write_f32: f32,
        write_f64: f64,
    );

    fn begin_string<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.in_string = true;
        self.string.clear();
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_string {
            self.string.extend_from_slice(fragment.as_bytes());
            Ok(())
        } else {
            self.inner.write_string_fragment(writer, fragment)
        }
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        if !self.in_string {
            return self.inner.write_char_escape(writer, escape);
        }
        let c = match escape {
            CharEscape::Quote => '"',
            CharEscape::ReverseSolidus => '\\',
            CharEscape::Solidus => '/',
            CharEscape::Backspace => '\u{8}',
            CharEscape::FormFeed => '\u{c}',
            CharEscape::LineFeed => '\n',
            CharEscape::CarriageReturn => '\r',
            CharEscape::Tab => '\t',
            CharEscape::AsciiControl(byte) => char::from(byte),
        };
        self.string
            .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_string = false;
        // Whole `str` pieces and ASCII digits: always UTF-8.
        let text = std::str::from_utf8(&self.string).map_err(io::Error::other)?;
        // serde_json's own quoting and escaping, the same as the pretty formatter's.
        serde_json::to_writer(writer, redact(text).as_ref()).map_err(io::Error::other)
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn written(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        serialize_redacted(value, &mut out).expect("writes");
        out.push(b'\n');
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn the_head_is_the_report_without_its_cases() {
        let report = RunReport {
            tool: "t".to_owned(),
            started_at: "s".to_owned(),
            duration_secs: 1.5,
            target: TargetInfo {
                url: "u".to_owned(),
                kind: "k".to_owned(),
                capabilities: vec!["c".to_owned()],
                retries: vec!["r".to_owned()],
            },
            strict: true,
            interrupted: true,
            report_bodies: ReportBodies::Failing,
            summary: Summary::default(),
            cases: Vec::new(),
            coverage: Some(CoverageSummary::default()),
            unexpected_passes: vec!["p".to_owned()],
            partition: Some(PartOfSplit { index: 2, count: 3 }),
        };
        let head = serde_json::to_string_pretty(&Head::of(&report)).expect("head");
        let whole = serde_json::to_string_pretty(&report).expect("report");
        assert_eq!(head, whole);
    }

    #[test]
    fn redacts_nested_strings_and_keeps_order() {
        let value = serde_json::json!({
            "z": "Bearer cwt=abc",
            "a": [{"body": "password=x&y=1"}, 3, null],
        });
        let text = written(&value);
        let compact: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            compact.to_string(),
            r#"{"z":"Bearer cwt=[redacted]","a":[{"body":"password=[redacted]&y=1"},3,null]}"#
        );
    }

    #[test]
    fn writes_what_serde_json_pretty_writes_when_there_is_nothing_to_redact() {
        let mut keyed: BTreeMap<u64, f64> = BTreeMap::new();
        keyed.insert(7, 0.25);
        let value = serde_json::json!({
            "text": "quote \" backslash \\ tab \t nl \n bell \u{7} é ✓",
            "numbers": [1, -2, 3.5, 1e300, u64::MAX],
            "flags": [true, false, null],
            "empty": {}, "none": [],
            "keyed": keyed,
        });
        let expected = serde_json::to_string_pretty(&value).expect("pretty") + "\n";
        assert_eq!(written(&value), expected);
        assert_eq!(written(&keyed), "{\n  \"7\": 0.25\n}\n");
    }

    #[test]
    fn redacts_a_secret_split_by_escapes_and_a_secret_key() {
        let value = serde_json::json!({ "password=hunter2": "a\ncwt=\"x\"" });
        let text = written(&value);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains(r#""password=[redacted]": "a\ncwt=\"x\"""#),
            "{text}"
        );
    }
}
