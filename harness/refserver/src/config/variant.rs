//! Conformant variants: each one makes another choice where the documents are silent, disagree
//! or leave a range (design.md section 12). A server with any set of variants is still right,
//! so the suite must pass against every one of them; `docs/variants.md` gives the OP or digest
//! section that allows each.
//!
//! Each choice lives at its point of use as `if server.variant(Variant::X)`.

use std::collections::BTreeSet;

/// One conformant variant (see `docs/variants.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    // representation
    AbsoluteHrefs,
    IdShapes,
    LinkTitle,
    LinkRevision,
    ExtraProperties,
    FewerProperties,
    JsonKeyOrder,
    XmlElementOrder,
    CharsetSpelling,
    DatesIso,
    BooleansLower,
    LocationAbsent,
    // status
    Extend201,
    DurationClamped,
    Gone410,
    UnsupportedBody400,
    ErrorParametersAbsent,
    DurationQueryWins,
    UnknownFieldRefused,
    // events
    StartupEvents,
    ExpiryWarningEarly,
    ExpiryWarningOnce,
    ExpirySilent,
    WarningNotEmbedded,
    XmlInLink,
    XmlInAttribute,
    EventsAggregated,
    PresenceOnChangeOnly,
    // channel
    IdleNextOnly,
    AckResync,
    PgetRealTime,
    // state
    SystemSubscription,
}

/// name, kind, the choice it makes with the OP or digest section that allows it.
const CATALOGUE: &[(Variant, &str, &str, &str)] = &[
    (
        Variant::AbsoluteHrefs,
        "absolute-hrefs",
        "representation",
        "every href absolute (scheme, host, port) instead of relative (digest 5.2, OP-16)",
    ),
    (
        Variant::IdShapes,
        "id-shapes",
        "representation",
        "other id shapes: long opaque subscription and application ids, percent-encoded query values in hrefs (OP-1, OP-32)",
    ),
    (
        Variant::LinkTitle,
        "link-title",
        "representation",
        "links carry a `title` (digest 5.2, 5.3)",
    ),
    (
        Variant::LinkRevision,
        "link-revision",
        "representation",
        "links carry a `revision` (digest 5.2, 5.3)",
    ),
    (
        Variant::ExtraProperties,
        "extra-properties",
        "representation",
        "extra optional properties and links on every resource (digest 2, 5.4)",
    ),
    (
        Variant::FewerProperties,
        "fewer-properties",
        "representation",
        "optional properties left out (digest 2.10, 2.11)",
    ),
    (
        Variant::JsonKeyOrder,
        "json-key-order",
        "representation",
        "JSON object keys in another order (digest 5.2: JSON objects are unordered)",
    ),
    (
        Variant::XmlElementOrder,
        "xml-element-order",
        "representation",
        "XML children in another order where order carries no meaning (digest 5.3, 5.4)",
    ),
    (
        Variant::CharsetSpelling,
        "charset-spelling",
        "representation",
        "the charset parameter spelled `;charset=UTF-8` on every media type (OP-29)",
    ),
    (
        Variant::DatesIso,
        "dates-iso",
        "representation",
        "dates in the other documented form (digest 5.2, 5.3)",
    ),
    (
        Variant::BooleansLower,
        "booleans-lower",
        "representation",
        "XML booleans written `true`/`false` instead of `True`/`False` (digest 5.3)",
    ),
    (
        Variant::LocationAbsent,
        "location-absent",
        "representation",
        "no Location header on 201 (OP-27)",
    ),
    (
        Variant::Extend201,
        "extend-201",
        "status",
        "extend answers 201 Created instead of 200 OK (OP-4)",
    ),
    (
        Variant::DurationClamped,
        "duration-clamped",
        "status",
        "an out-of-range duration is clamped to 10..30 instead of refused (OP-3)",
    ),
    (
        Variant::Gone410,
        "gone-410",
        "status",
        "410 Gone instead of 404 for a deleted or expired subscription (OP-14)",
    ),
    (
        Variant::UnsupportedBody400,
        "unsupported-body-400",
        "status",
        "400 BadRequest instead of 415 for an unsupported request body type (digest 4.2, 4.3)",
    ),
    (
        Variant::ErrorParametersAbsent,
        "error-parameters-absent",
        "status",
        "400 ParameterValidationFailure without `parameters` (digest 4.1: optional)",
    ),
    (
        Variant::DurationQueryWins,
        "duration-query-wins",
        "status",
        "`duration` in both query and body with different values: the query wins (OP-2)",
    ),
    (
        Variant::UnknownFieldRefused,
        "unknown-field-refused",
        "status",
        "an undocumented input field on create is refused with 400 ParameterValidationFailure naming it, instead of ignored (digest 2.2, PF)",
    ),
    (
        Variant::StartupEvents,
        "startup-events",
        "events",
        "a new application's channel carries start-up events from `me` and `communication` (digest 3.6)",
    ),
    (
        Variant::ExpiryWarningEarly,
        "expiry-warning-early",
        "events",
        "the expiry warning 2 minutes before expiry instead of 1 (OP-15)",
    ),
    (
        Variant::ExpiryWarningOnce,
        "expiry-warning-once",
        "events",
        "one expiry warning per subscription, not one per extension (OP-15)",
    ),
    (
        Variant::ExpirySilent,
        "expiry-silent",
        "events",
        "expiry sends no deleted events (OP-15)",
    ),
    (
        Variant::WarningNotEmbedded,
        "warning-not-embedded",
        "events",
        "the expiry warning does not embed the subscription (OP-36)",
    ),
    (
        Variant::XmlInLink,
        "xml-in-link",
        "events",
        "XML events give `in` as a child `<link rel=\"in\" href/>` (OP-21)",
    ),
    (
        Variant::XmlInAttribute,
        "xml-in-attribute",
        "events",
        "XML events give `in` as an attribute `in=\"href\"` (OP-21)",
    ),
    (
        Variant::EventsAggregated,
        "events-aggregated",
        "events",
        "events held for the medium window and presence updates merged (digest 3.4)",
    ),
    (
        Variant::PresenceOnChangeOnly,
        "presence-on-change-only",
        "events",
        "contactPresence updated only when the presence really changed (digest 2.11, OP-35)",
    ),
    (
        Variant::IdleNextOnly,
        "idle-next-only",
        "channel",
        "a P-GET that times out answers only the `next` link, no `self` (OP-16)",
    ),
    (
        Variant::AckResync,
        "ack-resync",
        "channel",
        "a re-requested ack answers resync instead of replaying the package (OP-17)",
    ),
    (
        Variant::PgetRealTime,
        "pget-real-time",
        "channel",
        "P-GET timeouts run on real time, not the application's control clock (digest 3.3)",
    ),
    (
        Variant::SystemSubscription,
        "system-subscription",
        "state",
        "every new application holds a system-owned subscription (digest 2.2)",
    ),
];

impl Variant {
    /// Every variant in catalogue order.
    pub fn all() -> Vec<Variant> {
        CATALOGUE.iter().map(|(v, ..)| *v).collect()
    }

    fn entry(self) -> &'static (Variant, &'static str, &'static str, &'static str) {
        CATALOGUE
            .iter()
            .find(|(v, ..)| *v == self)
            .unwrap_or(&CATALOGUE[0])
    }

    /// The kebab-case name (`--variant NAME`).
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// representation | status | events | channel | state.
    pub fn kind(self) -> &'static str {
        self.entry().2
    }

    /// The choice it makes, with the OP or digest section that allows it.
    pub fn choice(self) -> &'static str {
        self.entry().3
    }

    /// The variant with this name.
    pub fn from_name(name: &str) -> Option<Variant> {
        CATALOGUE
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(v, ..)| *v)
    }
}

/// A set of variants (empty: today's choices).
pub type Variants = BTreeSet<Variant>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let all = Variant::all();
        assert!(all.len() >= 25);
        let names: BTreeSet<&str> = all.iter().map(|v| v.name()).collect();
        assert_eq!(names.len(), all.len());
        for v in all {
            assert_eq!(Variant::from_name(v.name()), Some(v));
            assert!(!v.choice().is_empty());
        }
    }
}
