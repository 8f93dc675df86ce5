//! The quick-xml `Writer` both JUnit flavors write through: the declaration, indentation,
//! escaping and the closing newline. Texts arrive redacted and cleaned of characters XML 1.0
//! forbids (`plan`); escaping is quick-xml's alone.

use std::io;
use std::time::Duration;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::plan::CaseHead;
use crate::piece::{Part, Pieces};

/// Starts a document: the UTF-8 declaration, then elements indented by `indent` spaces.
pub(crate) fn start_document<W: io::Write>(out: W, indent: usize) -> io::Result<Writer<W>> {
    let mut writer = Writer::new_with_indent(out, b' ', indent);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(writer)
}

/// Ends the document with a newline and flushes it.
pub(crate) fn finish_document<W: io::Write>(mut writer: Writer<W>) -> io::Result<()> {
    writer.write_indent()?;
    writer.into_inner().flush()
}

/// Element text, escaped by quick-xml's text escaper: `<`, `&` and `>` (so `]]>` never appears)
/// and CR as `&#13;` (a parser would turn a bare CR into LF). Quotes need no escaping in text
/// and stay readable in failure diffs. Attributes go through `with_attribute`, whose escaper
/// also keeps tab, LF and CR from attribute-value normalisation.
pub(crate) fn text(content: &str) -> BytesText<'_> {
    BytesText::from_escaped(partial_escape(content))
}

/// `<properties>` with one `<property name value/>` each; written even when empty.
pub(crate) fn write_properties<W: io::Write>(
    writer: &mut Writer<W>,
    properties: &[(String, String)],
) -> io::Result<()> {
    writer
        .create_element("properties")
        .write_inner_content(|writer| {
            for (name, value) in properties {
                writer
                    .create_element("property")
                    .with_attribute(("name", name.as_str()))
                    .with_attribute(("value", value.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `<failure>` or `<error>`: the one-line `message` CI lists show, the `type` to group by and
/// the full detail as text.
pub(crate) fn write_result<W: io::Write>(
    writer: &mut Writer<W>,
    tag: &'static str,
    message: &str,
    ty: &str,
    body: &str,
) -> io::Result<()> {
    writer
        .create_element(tag)
        .with_attribute(("message", message))
        .with_attribute(("type", ty))
        .write_text_content(text(body))?;
    Ok(())
}

/// Copies the `<testcase>` of `case` from `pieces` where the writer stands, its name made
/// unique by the file's suffix. The writer's indentation state is left as a written element
/// leaves it: the next element starts on a line of its own.
pub(crate) fn copy_testcase<W: io::Write>(
    writer: &mut Writer<W>,
    pieces: &mut dyn Pieces,
    case: &CaseHead,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    buf.clear();
    pieces.piece(case.index, Part::Testcase, buf)?;
    let out = writer.get_mut();
    if case.suffix.is_empty() {
        return out.write_all(buf);
    }
    // The suffix (`#2`…) needs no escaping; it goes right before the name's closing quote.
    let at = name_end(buf).ok_or_else(|| io::Error::other("a testcase piece without a name"))?;
    out.write_all(&buf[..at])?;
    out.write_all(case.suffix.as_bytes())?;
    out.write_all(&buf[at..])
}

/// Where the value of the first `<testcase name="…"` ends: escaped values hold no `"`.
fn name_end(piece: &[u8]) -> Option<usize> {
    const OPEN: &[u8] = b"<testcase name=\"";
    let start = piece.windows(OPEN.len()).position(|w| w == OPEN)? + OPEN.len();
    let len = piece[start..].iter().position(|&b| b == b'"')?;
    Some(start + len)
}

/// Seconds with three decimals and a `.`, as `xs:decimal` and every CI reader want.
pub(crate) fn seconds(time: Duration) -> String {
    format!("{:.3}", time.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(write: impl FnOnce(&mut Writer<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        let mut writer = start_document(&mut buf, 2).expect("declaration");
        write(&mut writer).expect("writes");
        finish_document(writer).expect("finishes");
        String::from_utf8(buf).expect("UTF-8")
    }

    #[test]
    fn text_escapes_markup_cdata_end_and_cr_but_not_quotes() {
        let xml = document(|w| {
            w.create_element("t")
                .write_text_content(text("a<b>&c]]>\r\n\"q\" 'q'"))?;
            Ok(())
        });
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <t>a&lt;b&gt;&amp;c]]&gt;&#13;\n\"q\" 'q'</t>\n"
        );
    }

    #[test]
    fn attributes_escape_quotes_and_keep_whitespace() {
        let xml = document(|w| {
            w.create_element("a")
                .with_attribute(("v", "\"x\"\t<y>\n&'\r"))
                .write_empty()?;
            Ok(())
        });
        assert!(
            xml.contains("<a v=\"&quot;x&quot;&#9;&lt;y&gt;&#10;&amp;&apos;&#13;\"/>"),
            "{xml}"
        );
    }

    #[test]
    fn empty_properties_are_still_written() {
        let xml = document(|w| write_properties(w, &[]));
        assert!(xml.contains("<properties>\n</properties>"), "{xml}");
    }

    #[test]
    fn seconds_use_a_dot_and_three_decimals() {
        assert_eq!(seconds(Duration::from_millis(1234)), "1.234");
        assert_eq!(seconds(Duration::ZERO), "0.000");
    }
}
