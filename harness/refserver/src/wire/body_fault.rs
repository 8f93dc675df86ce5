//! The fault profiles that spoil a body after it was built: error-body faults (both formats)
//! and representation faults (one format only). The builders stay faithful; only a server
//! started with one of these profiles has its finished bodies rewritten here (by
//! `http::spoil`), a complete in-memory body at a time, so nothing can wait or grow.

use std::fmt::Write as _;

use serde_json::Value;

use crate::config::fault::Fault;

use super::writer::UCWA_NS;

/// Whether this profile rewrites bodies here.
pub(crate) fn applies(fault: Fault) -> bool {
    matches!(
        fault,
        Fault::SubcodeMissing
            | Fault::ParametersWrong
            | Fault::PgetReplacedSubcodeWrong
            | Fault::NotFoundCodeDrift
            | Fault::XmlErrorNamespace
            | Fault::LimitSubcodeMissing
            | Fault::XmlNoMembershipsLink
            | Fault::JsonNoSelf
            | Fault::XmlIdDiffers
            | Fault::XmlListFlattened
            | Fault::JsonLinkArraySingle
            | Fault::JsonEmbeddedSingle
            | Fault::ConditionSubcodeMissing
            | Fault::ApplicationGetNoEvents
            | Fault::PeopleNoMyGroupsLink
            | Fault::ContactNoPresenceLink
            | Fault::AvailabilityUndocumented
            | Fault::MembershipSubscriptionLinkWrong
            | Fault::GroupsNoSubscribeLink
    )
}

/// The subcodes of the documented error conditions (design 8) that `condition-subcode-missing`
/// leaves out; LimitExceeded is `limit-subcode-missing`'s.
const CONDITION_SUBCODES: [&str; 5] = [
    "InvalidExchangeServerVersion",
    "AlreadyExists",
    "TooManyGroups",
    "CallbackChannelError",
    "CannotRedirect",
];

/// Calls `f` on every JSON object of the tree (the root, embedded resources, list items).
fn each_object(value: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match value {
        Value::Object(obj) => {
            f(obj);
            for v in obj.values_mut() {
                each_object(v, f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| each_object(v, f)),
        _ => {}
    }
}

/// Removes the link `rel` from a JSON resource object.
fn drop_link(obj: &mut serde_json::Map<String, Value>, rel: &str) {
    if let Some(links) = obj.get_mut("_links").and_then(Value::as_object_mut) {
        links.remove(rel);
    }
}

/// The rel of the XML document's root `<resource>`, if it is one.
fn xml_root_rel(text: &str) -> Option<&str> {
    let start = text.find('<')?;
    let rest = &text[start..];
    let rest = if rest.starts_with("<?") {
        &rest[rest.find("?>")? + 2..]
    } else {
        rest
    };
    let rest = rest.trim_start().strip_prefix("<resource rel=\"")?;
    rest.split('"').next()
}

/// Appends `x` to the href of every `<link rel="REL" href="…">`: a link to nothing.
fn spoil_link_hrefs(text: &str, rel: &str) -> String {
    let open = format!("<link rel=\"{rel}\" href=\"");
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let at = i + open.len();
        let Some(end) = rest[at..].find('"') else {
            break;
        };
        out.push_str(&rest[..at + end]);
        out.push('x');
        rest = &rest[at + end..];
    }
    out.push_str(rest);
    out
}

/// The body as the fault spoils it (unchanged where the fault does not concern it); `None`
/// when it cannot be read as JSON (`xml` false) or as UTF-8 XML.
pub(crate) fn rewrite(fault: Fault, status: u16, xml: bool, bytes: &[u8]) -> Option<Vec<u8>> {
    if xml {
        std::str::from_utf8(bytes)
            .ok()
            .map(|text| xml_body(fault, status, text).into_bytes())
    } else {
        serde_json::from_slice::<Value>(bytes).ok().map(|mut v| {
            json_body(fault, status, &mut v);
            serde_json::to_vec(&v).unwrap_or_default()
        })
    }
}

/// Replaces `from` by `to` in a JSON string field when it holds exactly `from`.
fn swap(obj: &mut serde_json::Map<String, Value>, field: &str, from: &str, to: Option<&str>) {
    if obj.get(field).and_then(Value::as_str) == Some(from) {
        match to {
            Some(to) => {
                obj.insert(field.into(), Value::String(to.into()));
            }
            None => {
                obj.remove(field);
            }
        }
    }
}

fn json_body(fault: Fault, status: u16, value: &mut Value) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    let rel = obj
        .get("rel")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    match (fault, status) {
        (Fault::SubcodeMissing, 400) => swap(obj, "subcode", "ParameterValidationFailure", None),
        (Fault::ParametersWrong, 400) if obj.contains_key("parameters") => {
            obj.insert(
                "parameters".into(),
                serde_json::json!({ "body": "invalid" }),
            );
        }
        (Fault::PgetReplacedSubcodeWrong, 409) => swap(
            obj,
            "subcode",
            "PGetReplaced",
            Some("AnotherOperationPending"),
        ),
        (Fault::NotFoundCodeDrift, 404) => swap(obj, "code", "NotFound", Some("ResourceNotFound")),
        (Fault::LimitSubcodeMissing, 403) => swap(obj, "subcode", "LimitExceeded", None),
        (Fault::JsonNoSelf, _) if rel == "presenceSubscription" => {
            if let Some(links) = obj.get_mut("_links").and_then(Value::as_object_mut) {
                links.remove("self");
            }
        }
        (Fault::JsonEmbeddedSingle, _) if rel == "presenceSubscriptions" => {
            if let Some(embedded) = obj.get_mut("_embedded").and_then(Value::as_object_mut)
                && let Some(Value::Array(items)) = embedded.get("presenceSubscription")
                && items.len() == 1
            {
                let one = items[0].clone();
                embedded.insert("presenceSubscription".into(), one);
            }
        }
        (Fault::ConditionSubcodeMissing, _) => {
            for sub in CONDITION_SUBCODES {
                swap(obj, "subcode", sub, None);
            }
        }
        (Fault::ApplicationGetNoEvents, 200) if rel == "application" => drop_link(obj, "events"),
        (Fault::PeopleNoMyGroupsLink, _) if rel == "people" => drop_link(obj, "myGroups"),
        (Fault::ContactNoPresenceLink, _) if rel == "contact" => {
            drop_link(obj, "contactPresence");
        }
        (Fault::AvailabilityUndocumented, _) if rel == "contactPresence" => {
            obj.insert("availability".into(), Value::String("Available".into()));
        }
        (Fault::MembershipSubscriptionLinkWrong, _) => each_object(value, &mut |o| {
            if o.get("rel").and_then(Value::as_str) == Some("presenceSubscriptionMembership")
                && let Some(link) = o
                    .get_mut("_links")
                    .and_then(|l| l.get_mut("presenceSubscription"))
                    .and_then(Value::as_object_mut)
                && let Some(Value::String(href)) = link.get_mut("href")
            {
                href.push('x');
            }
        }),
        (Fault::GroupsNoSubscribeLink, _) if rel == "myGroups" => {
            each_object(value, &mut |o| drop_link(o, "subscribeToGroupPresence"));
        }
        (Fault::JsonLinkArraySingle, _) if rel == "subscribedContacts" => {
            if let Some(links) = obj.get_mut("_links").and_then(Value::as_object_mut)
                && let Some(Value::Array(items)) = links.get("contact")
                && items.len() == 1
            {
                let one = items[0].clone();
                links.insert("contact".into(), one);
            }
        }
        _ => {}
    }
}

fn xml_body(fault: Fault, status: u16, text: &str) -> String {
    let resource_rel = |rel: &str| text.contains(&format!("<resource rel=\"{rel}\""));
    let root = xml_root_rel(text);
    match (fault, status) {
        (Fault::SubcodeMissing, 400) => {
            text.replace("<subcode>ParameterValidationFailure</subcode>", "")
        }
        (Fault::ParametersWrong, 400) => cut_between(text, "<parameters>", "</parameters>")
            .map_or_else(
                || text.to_owned(),
                |t| {
                    t.replace(
                        "<parameters></parameters>",
                        "<parameters><property name=\"body\">invalid</property></parameters>",
                    )
                },
            ),
        (Fault::PgetReplacedSubcodeWrong, 409) => text.replace(
            "<subcode>PGetReplaced</subcode>",
            "<subcode>AnotherOperationPending</subcode>",
        ),
        (Fault::NotFoundCodeDrift, 404) => {
            text.replace("<code>NotFound</code>", "<code>ResourceNotFound</code>")
        }
        (Fault::LimitSubcodeMissing, 403) => text.replace("<subcode>LimitExceeded</subcode>", ""),
        (Fault::XmlErrorNamespace, _) if text.contains("<reason ") => {
            text.replace(&format!(" xmlns=\"{UCWA_NS}\""), "")
        }
        (Fault::XmlNoMembershipsLink, _) => {
            remove_elements(text, "<link rel=\"memberships\" ", "/>")
        }
        (Fault::XmlIdDiffers, _) if resource_rel("presenceSubscription") => {
            text.replace("<property name=\"id\">", "<property name=\"id\">x")
        }
        (Fault::XmlListFlattened, _) => flatten_lists(text),
        (Fault::ConditionSubcodeMissing, _) => {
            CONDITION_SUBCODES.iter().fold(text.to_owned(), |t, sub| {
                t.replace(&format!("<subcode>{sub}</subcode>"), "")
            })
        }
        (Fault::ApplicationGetNoEvents, 200) if root == Some("application") => {
            remove_elements(text, "<link rel=\"events\" ", "/>")
        }
        (Fault::PeopleNoMyGroupsLink, _) if root == Some("people") => {
            remove_elements(text, "<link rel=\"myGroups\" ", "/>")
        }
        (Fault::ContactNoPresenceLink, _) if root == Some("contact") => {
            remove_elements(text, "<link rel=\"contactPresence\" ", "/>")
        }
        (Fault::AvailabilityUndocumented, _) if root == Some("contactPresence") => {
            match cut_between(text, "<property name=\"availability\">", "</property>") {
                Some(t) => t.replace(
                    "<property name=\"availability\"></property>",
                    "<property name=\"availability\">Available</property>",
                ),
                None => text.to_owned(),
            }
        }
        (Fault::MembershipSubscriptionLinkWrong, _) => {
            spoil_link_hrefs(text, "presenceSubscription")
        }
        (Fault::GroupsNoSubscribeLink, _) if root == Some("myGroups") => {
            remove_elements(text, "<link rel=\"subscribeToGroupPresence\" ", "/>")
        }
        _ => text.to_owned(),
    }
}

/// Empties the content between the first `open` and the following `close`.
fn cut_between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = start + text[start..].find(close)?;
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// Removes every element that starts with `start` and ends at the next `end`.
fn remove_elements(text: &str, start: &str, end: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(start) {
        out.push_str(&rest[..i]);
        match rest[i..].find(end) {
            Some(j) => rest = &rest[i + j + end.len()..],
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `<propertyList name="N"><item>a</item><item>b</item></propertyList>` becomes
/// `<property name="N">a,b</property>`.
fn flatten_lists(text: &str) -> String {
    const OPEN: &str = "<propertyList name=\"";
    const CLOSE: &str = "</propertyList>";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let element = &rest[i..];
        let (Some(name_end), Some(close)) = (element[OPEN.len()..].find('"'), element.find(CLOSE))
        else {
            rest = element;
            break;
        };
        let name = &element[OPEN.len()..OPEN.len() + name_end];
        let inner = &element[..close];
        let items: Vec<&str> = inner
            .split("<item>")
            .skip(1)
            .filter_map(|s| s.split("</item>").next())
            .collect();
        let _ = write!(
            out,
            "<property name=\"{name}\">{}</property>",
            items.join(",")
        );
        rest = &element[close + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_flatten_to_one_property() {
        let xml = "<a><propertyList name=\"e\"><item>x</item><item>y</item></propertyList><b/></a>";
        assert_eq!(
            flatten_lists(xml),
            "<a><property name=\"e\">x,y</property><b/></a>"
        );
    }

    #[test]
    fn memberships_links_are_removed_everywhere() {
        let xml = "<r><link rel=\"memberships\" href=\"/m\"/><link rel=\"x\" href=\"/x\"/><link rel=\"memberships\" href=\"/n\"/></r>";
        assert_eq!(
            remove_elements(xml, "<link rel=\"memberships\" ", "/>"),
            "<r><link rel=\"x\" href=\"/x\"/></r>"
        );
    }

    #[test]
    fn xml_parameters_name_another_property() {
        let xml =
            "<reason><parameters><property name=\"duration\">bad</property></parameters></reason>";
        assert_eq!(
            xml_body(Fault::ParametersWrong, 400, xml),
            "<reason><parameters><property name=\"body\">invalid</property></parameters></reason>"
        );
    }
}
