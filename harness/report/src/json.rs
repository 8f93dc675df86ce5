//! `report.json`: the run report as pretty JSON, fields in declaration order, secrets redacted.

use std::io;

use harness_core::outcome::RunReport;
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

use crate::sanitize::redact;

/// Writes `report` as pretty-printed JSON followed by a newline.
///
/// Field order is the order of the outcome types' declarations, so diffs between two reports
/// stay readable. Every string, keys included, passes through redaction as a second line of
/// defence after the runner's. The report is written as it is serialized: no copy of it as a
/// JSON tree is built first, which cost several times the report's size at its peak.
pub fn write_json(report: &RunReport, out: impl io::Write) -> io::Result<()> {
    write_redacted(report, out)
}

fn write_redacted(value: &impl Serialize, mut out: impl io::Write) -> io::Result<()> {
    let formatter = Redacting {
        inner: PrettyFormatter::new(),
        string: None,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Pretty JSON whose strings are redacted: a string's text is gathered as serde_json hands it
/// over (in pieces between escapes, or as a number when a map key is one), then redacted and
/// written whole. Everything outside strings goes to the pretty formatter untouched.
struct Redacting {
    inner: PrettyFormatter<'static>,
    /// The string being written, unescaped, when inside one.
    string: Option<Vec<u8>>,
}

/// Writes a number or a boolean, into the string being gathered when inside one (a map key).
macro_rules! scalar {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(
            fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
                match &mut self.string {
                    Some(text) => self.inner.$name(text, value),
                    None => self.inner.$name(writer, value),
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
        self.string = Some(Vec::new());
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        match &mut self.string {
            Some(text) => {
                text.extend_from_slice(fragment.as_bytes());
                Ok(())
            }
            None => self.inner.write_string_fragment(writer, fragment),
        }
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        let Some(text) = &mut self.string else {
            return self.inner.write_char_escape(writer, escape);
        };
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
        text.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let text = self.string.take().unwrap_or_default();
        // Whole `str` pieces and ASCII digits: always UTF-8.
        let text = String::from_utf8(text).map_err(io::Error::other)?;
        // serde_json's own quoting and escaping, the same as the pretty formatter's.
        serde_json::to_writer(writer, redact(&text).as_ref()).map_err(io::Error::other)
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
        write_redacted(value, &mut out).expect("writes");
        String::from_utf8(out).expect("UTF-8")
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
