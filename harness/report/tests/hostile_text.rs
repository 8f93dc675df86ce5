//! Markup, quotes, `&` and a control character in a case's name, title, reason and check
//! message: escaped in `report.html`, and both JUnit files still well-formed (the Ant one
//! still valid) with the text read back as it was, less the character XML 1.0 forbids.

mod common;

use std::borrow::Cow;

use harness_core::outcome::RunReport;
use harness_report::{JunitFlavor, JunitOptions, Proofs, junit_string, write_html};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

use common::tools::{ANT_XSD, xmllint, xmllint_available};

/// Everything that could break out of an element, an attribute or a terminal.
const HOSTILE: &str = "<script>alert(\"1 & 2\")</script> 'q'\u{7}!";
/// `HOSTILE` as XML carries it: the BEL removed, everything else kept.
const IN_XML: &str = "<script>alert(\"1 & 2\")</script> 'q'!";

/// The sample report with its failing case (the second) made hostile.
fn hostile_report() -> RunReport {
    let mut report = common::sample_report();
    let case = &mut report.cases[1];
    case.name = format!("{HOSTILE}/xml");
    case.case_id = HOSTILE.to_owned();
    case.title = HOSTILE.to_owned();
    case.reason = Some(HOSTILE.to_owned());
    case.steps.kept_mut()[0].checks[1].message = HOSTILE.to_owned();
    report
}

#[test]
fn markup_in_a_step_and_an_event_stays_text_in_the_timeline_picture() {
    let mut report = hostile_report();
    let case = &mut report.cases[1];
    case.steps.kept_mut()[0].name = HOSTILE.to_owned();
    case.steps.kept_mut()[0].checks[2].message = HOSTILE.to_owned();
    case.timeline[1].kind = HOSTILE.to_owned();
    let page = html(&report);
    assert!(!page.contains("<script"), "a raw <script> tag");
    assert!(!page.contains('\u{7}'), "a raw BEL");
    let details = page
        .find("<details id=\"c-script-alert--1---2----script---q----xml\"")
        .expect("the failing case's details");
    let svg = &page[details..];
    let svg = &svg[svg.find("<svg class=\"tl\"").expect("its picture")..];
    let svg = &svg[..svg.find("</svg>").expect("closed")];
    // The step's tooltip, its bar's label, the event's tooltip, the missed deadline's label.
    let escaped = "&#60;script&#62;alert(&#34;1 &#38; 2&#34;)&#60;/script&#62; &#39;q&#39;\\u{7}!";
    assert!(svg.matches(escaped).count() >= 3, "{svg}");
}

fn html(report: &RunReport) -> String {
    let mut out = Vec::new();
    write_html(report, &Proofs::default(), &mut out).expect("html renders");
    String::from_utf8(out).expect("UTF-8")
}

fn junit(report: &RunReport, flavor: JunitFlavor) -> String {
    let options = JunitOptions {
        flavor,
        hostname: Some("localhost".to_owned()),
    };
    junit_string(report, &options).expect("junit renders")
}

#[test]
fn markup_quotes_and_controls_are_escaped_in_the_html() {
    let page = html(&hostile_report());
    assert!(!page.contains("<script"), "a raw <script> tag");
    assert!(!page.contains('\u{7}'), "a raw BEL");
    let escaped = "&#60;script&#62;alert(&#34;1 &#38; 2&#34;)&#60;/script&#62; &#39;q&#39;\\u{7}!";
    // In the cases table, the list of cases needing attention, the details' summary (name and
    // title), the reason and the check message.
    assert!(
        page.matches(escaped).count() >= 6,
        "{}",
        page.matches(escaped).count()
    );
    // The anchor keeps only letters and digits.
    assert!(page.contains("href=\"#c-script-alert--1---2----script---q----xml\""));
}

/// `(element, attribute or "", value)` of every attribute and every element's text, with
/// references resolved.
fn read_back(xml: &str) -> Vec<(String, String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut seen = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                for attribute in e.attributes() {
                    let attribute = attribute.expect("well-formed attribute");
                    let key = attribute.key.as_ref().to_owned();
                    let value = attribute
                        .normalized_value(XmlVersion::Explicit1_0)
                        .expect("attribute value");
                    seen.push((name.clone(), key, value.into_owned()));
                }
                if matches!(event, Event::Start(_)) {
                    open.push(name);
                    text.clear();
                }
            }
            Event::Text(t) => text.push_str(&t.xml_content(XmlVersion::Explicit1_0)),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => Cow::Owned(c.to_string()),
                    None => Cow::Borrowed(match r.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity {other}"),
                    }),
                };
                text.push_str(&resolved);
            }
            Event::End(_) => {
                let name = open.pop().expect("balanced");
                seen.push((name, String::new(), std::mem::take(&mut text)));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    seen
}

fn value_of<'a>(seen: &'a [(String, String, String)], element: &str, key: &str) -> Vec<&'a str> {
    seen.iter()
        .filter(|(e, k, _)| e == element && k == key)
        .map(|(_, _, v)| v.as_str())
        .collect()
}

#[test]
fn both_junit_files_stay_valid_and_carry_the_text() {
    let report = hostile_report();
    let dir = tempfile::tempdir().expect("temp dir");
    for flavor in [JunitFlavor::Common, JunitFlavor::Ant] {
        let xml = junit(&report, flavor);
        assert!(!xml.contains('\u{7}'), "{flavor:?}: a raw BEL");
        assert!(!xml.contains("<script"), "{flavor:?}: a raw <script> tag");
        let seen = read_back(&xml);
        assert!(
            value_of(&seen, "testcase", "classname").contains(&IN_XML),
            "{flavor:?}: {seen:?}"
        );
        assert_eq!(
            value_of(&seen, "failure", "message"),
            [IN_XML],
            "{flavor:?}"
        );
        let failure = value_of(&seen, "failure", "");
        assert_eq!(failure.len(), 1, "{flavor:?}");
        // The failure text is the console's detail, whose control characters are made visible.
        assert!(
            failure[0].contains("<script>alert(\"1 & 2\")</script> 'q'\\u{7}!"),
            "{flavor:?}: {}",
            failure[0]
        );

        if !xmllint_available() {
            continue;
        }
        let path = dir.path().join(format!("{flavor:?}.xml"));
        std::fs::write(&path, &xml).expect("write junit");
        let schema = (flavor == JunitFlavor::Ant).then_some(ANT_XSD);
        if let Err(complaint) = xmllint(&path, schema) {
            panic!("{flavor:?} is not valid:\n{complaint}");
        }
    }
}
