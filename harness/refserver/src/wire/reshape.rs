//! FewerProperties and ExtraProperties: which optional properties and links a resource
//! carries. Applied to every resource as it is written (embedded ones and event payloads
//! included), so JSON and XML always carry the same set (digest 5.4).

use std::borrow::Cow;

use crate::config::variant::Variant;

use super::resource::{LinkVal, Prop, Resource};
use super::shape::Shape;

/// Properties FewerProperties leaves out, by resource rel: every one the digest lists
/// without requiring it, or that it does not describe at all. Kept: `rel` (5.2), the
/// subscription's and group's `id`, contactPresence `availability`, contact `name`/`uri`.
const OPTIONAL: &[(&str, &[&str])] = &[
    // Real R-SAZ application: only culture and userAgent (digest 6.3).
    ("application", &["endpointId", "id", "instanceId", "type"]),
    // `me` is outside the digest; name and uri name the user.
    ("me", &["title", "department", "emailAddresses"]),
    // Digest 2.10 lists them without any being required; directory data a contact may lack.
    (
        "contact",
        &[
            "company",
            "department",
            "title",
            "office",
            "workPhoneNumber",
            "mobilePhoneNumber",
            "emailAddresses",
            "type",
            "sourceNetwork",
        ],
    ),
    // The T-SC trace has no activity; digest 2.11 requires none of the others.
    ("contactPresence", &["activity", "deviceType", "lastActive"]),
    // Neither resource is described by the digest.
    (
        "communication",
        &["supportedModalities", "supportedMessageFormats"],
    ),
    ("policies", &["audioVideoCallingAllowed", "photoPolicy"]),
];

/// Links ExtraProperties adds, by rel: (link rel, path below the resource's self href). None
/// of them is served; each answers 404 NotFound cleanly.
const EXTRA_LINKS: &[(&str, &[(&str, &str)])] = &[
    // APP's link list.
    ("application", &[("reportMyNetwork", "reportMyNetwork")]),
    // PEO's link list and the real R-SAZ people.
    (
        "people",
        &[
            ("myGroupMemberships", "groupMemberships"),
            ("myPrivacyRelationships", "privacyRelationships"),
            (
                "myContactsAndGroupsSubscription",
                "contactsAndGroupsSubscription",
            ),
            ("search", "search"),
        ],
    ),
    // CON's link list, in the real Online shape (`…/people/{uri}/note`, R-SPL).
    (
        "contact",
        &[
            ("contactNote", "note"),
            ("contactLocation", "location"),
            ("contactPhoto", "photo"),
            ("contactSupportedModalities", "supportedMedia"),
            ("contactPrivacyRelationship", "privacyRelationship"),
        ],
    ),
    // The application sample's communication links.
    (
        "communication",
        &[
            ("conversations", "conversations"),
            ("missedItems", "missedItems"),
        ],
    ),
];

/// The resource with the optional properties and links of this shape.
pub(crate) fn reshape<'a>(shape: &Shape, res: &'a Resource) -> Cow<'a, Resource> {
    let fewer = shape.has(Variant::FewerProperties);
    let extra = shape.has(Variant::ExtraProperties);
    if !fewer && !extra {
        return Cow::Borrowed(res);
    }
    let mut out = res.clone();
    if fewer && let Some((_, names)) = OPTIONAL.iter().find(|(rel, _)| *rel == res.rel) {
        out.props.retain(|(name, _)| !names.contains(name));
    }
    if extra {
        add_extras(shape, &mut out);
    }
    Cow::Owned(out)
}

fn add_extras(shape: &Shape, res: &mut Resource) {
    let has = |res: &Resource, name: &str| res.props.iter().any(|(n, _)| *n == name);
    // Real Online resources carry an etag (R-SPL contacts, R-SWA application/communication).
    if !has(res, "etag") {
        let etag = etag(&res.rel, &res.href);
        res.props.push(("etag", Prop::Str(etag)));
    }
    // R-SPL contacts and the R-SWA application carry `expires` as a date.
    if matches!(res.rel.as_ref(), "application" | "contact") && !has(res, "expires") {
        res.props.push(("expires", Prop::Date(shape.expires_ms)));
    }
    // The application sample's communication (a boolean, so BooleansLower shows too).
    if res.rel == "communication" {
        for (name, value) in [
            ("publishEndpointLocation", Prop::Bool(false)),
            ("simultaneousRingNumberMatch", Prop::Str("Disabled".into())),
            ("videoBasedScreenSharing", Prop::Str("Disabled".into())),
        ] {
            if !has(res, name) {
                res.props.push((name, value));
            }
        }
    }
    if let Some((_, links)) = EXTRA_LINKS.iter().find(|(rel, _)| *rel == res.rel) {
        for (rel, tail) in *links {
            if !res.links.iter().any(|(r, _)| r == rel) {
                let href = format!("{}/{tail}", res.href);
                res.links.push((rel, LinkVal::One(href)));
            }
        }
    }
}

/// A stable etag per resource (FNV-1a of rel and href), digits as the real ones.
fn etag(rel: &str, href: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in rel.bytes().chain([0]).chain(href.bytes()) {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Resource {
        Resource::new("contact", "/a/people/bob@c.com")
            .str("name", "Bob")
            .str("uri", "sip:bob@c.com")
            .str("company", "C")
            .link("contactPresence", "/a/people/bob@c.com/presence")
    }

    #[test]
    fn plain_is_borrowed() {
        let c = contact();
        assert!(matches!(reshape(&Shape::PLAIN, &c), Cow::Borrowed(_)));
    }

    #[test]
    fn fewer_keeps_name_and_uri() {
        let c = contact();
        let r = reshape(&Shape::with([Variant::FewerProperties]), &c);
        let names: Vec<&str> = r.props.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["name", "uri"]);
    }

    #[test]
    fn extra_adds_etag_expires_and_links() {
        let c = contact();
        let r = reshape(&Shape::with([Variant::ExtraProperties]), &c);
        assert!(r.props.iter().any(|(n, _)| *n == "etag"));
        assert!(r.props.iter().any(|(n, _)| *n == "expires"));
        assert!(r.links.iter().any(|(rel, v)| *rel == "contactNote"
            && matches!(v, LinkVal::One(h) if h == "/a/people/bob@c.com/note")));
        assert_eq!(etag("contact", "/x"), etag("contact", "/x"));
    }
}
