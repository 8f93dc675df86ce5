//! Reading response bodies into the canonical tree, and the JSON view selectors run on.

use harness_core::canonical::{self, CanonError, Document};
use harness_core::model::Format;
use serde_json::Value;

/// The canonical module's name for a format.
pub fn canon_format(format: Format) -> canonical::Format {
    match format {
        Format::Json => canonical::Format::Json,
        Format::Xml => canonical::Format::Xml,
    }
}

/// Parses a body in the given format into a canonical document.
pub fn parse_document(format: Format, body: &[u8]) -> Result<Document, CanonError> {
    Document::parse(canon_format(format), body)
}

/// The JSON form selectors and snapshots work on: the document itself, without its kind tag.
pub fn view_of(document: &Document) -> Value {
    match document {
        Document::Resource(r) => r.to_json_value(),
        Document::Events(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        Document::Error(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        Document::Input(i) => serde_json::to_value(i).unwrap_or(Value::Null),
    }
}

/// The view selectors and captures run on: [`view_of`], with every link read as its href
/// (`title` and `revision` are optional decorations, digest 5.2), so one selector fits a
/// server that adds them and one that does not.
pub fn selector_view_of(document: &Document) -> Value {
    let mut view = view_of(document);
    if matches!(document, Document::Resource(_)) {
        links_as_hrefs(&mut view);
    }
    view
}

fn links_as_hrefs(value: &mut Value) {
    let Value::Object(map) = value else { return };
    if let Some(Value::Object(links)) = map.get_mut("links") {
        for items in links.values_mut() {
            if let Value::Array(items) = items {
                for item in items {
                    if let Some(href) = item.get("href").cloned() {
                        *item = href;
                    }
                }
            }
        }
    }
    if let Some(Value::Object(embedded)) = map.get_mut("embedded") {
        for items in embedded.values_mut() {
            if let Value::Array(items) = items {
                items.iter_mut().for_each(links_as_hrefs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_see_every_link_as_its_href() {
        let json = br#"{"rel":"application","_links":{"self":{"href":"/a"},"events":{"href":"/a/e?ack=1","title":"Events","revision":"2"}},
            "_embedded":{"people":{"rel":"people","_links":{"self":{"href":"/p"},"myGroups":{"href":"/p/g","revision":2}}}}}"#;
        let doc = parse_document(Format::Json, json).expect("a resource");
        let view = selector_view_of(&doc);
        assert_eq!(view["links"]["events"][0], "/a/e?ack=1");
        assert_eq!(
            view["embedded"]["people"][0]["links"]["myGroups"][0],
            "/p/g"
        );
        assert!(
            view_of(&doc)["links"]["events"][0].is_object(),
            "snapshots keep the title"
        );
    }
}
