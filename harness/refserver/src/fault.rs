//! Fault profiles: one deliberate, documented deviation from the protocol per profile, chosen
//! at start (`ServerConfig::fault`), so that the `mutants` command can prove which cases of
//! the suite notice it. `Fault::None` is the faithful server.
//!
//! Each deviation lives at its point of use as a small `if server.fault() == Fault::X`; the
//! representation faults of one format only are applied by [`crate::respond`] after the
//! resource is built, so the builders stay faithful.

/// One fault profile (see `docs/faults.md` for the catalogue and the cases that catch each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Fault {
    /// The faithful server.
    #[default]
    None,
    // status
    Create200,
    Delete200Body,
    DeletedGet200,
    MembershipsAdd200,
    MembershipDelete200,
    ApplicationCreate200,
    // error-body
    SubcodeMissing,
    ParametersWrong,
    PgetReplacedSubcodeWrong,
    NotFoundCodeDrift,
    XmlErrorNamespace,
    LimitSubcodeMissing,
    // representation
    XmlNoMembershipsLink,
    JsonNoSelf,
    XmlIdDiffers,
    XmlListFlattened,
    JsonLinkArraySingle,
    JsonEmbeddedSingle,
    // events
    CreateEventMissing,
    ContactAddedRepeated,
    EventDuplicated,
    DeleteEventsReordered,
    EventSenderWrong,
    EventTypeWrong,
    EventInWrong,
    ExpiryWarningMissing,
    ExpiryWarningLate,
    FailedOperationEvents,
    PresenceEventUnsubscribed,
    MembershipDeleteNoEvent,
    // channel
    AckNotAdvancing,
    NextMissing,
    NoPgetReplaced,
    NextInsteadOfResync,
    PgetImmediateEmpty,
    // rules
    Cap30Missing,
    ExtendIgnoresRemaining,
    DurationUnchecked,
    ExpiredExtendable,
    RemovedContactStaysSubscribed,
    // security
    No401,
    CrossAppReadable,
    CrossAppDeletable,
}

/// name, kind, rule broken (with the digest section), for every profile; `None` first.
const CATALOGUE: &[(Fault, &str, &str, &str)] = &[
    (Fault::None, "none", "none", "none: the faithful server"),
    (
        Fault::Create200,
        "create-200",
        "status",
        "POST presenceSubscriptions answers 201 Created (digest 2.2)",
    ),
    (
        Fault::Delete200Body,
        "delete-200-body",
        "status",
        "DELETE presenceSubscription answers 204 No Content with an empty body (digest 2.3)",
    ),
    (
        Fault::DeletedGet200,
        "deleted-get-200",
        "status",
        "a deleted presenceSubscription is gone: GET answers 404 (digest 2.3, OP-14)",
    ),
    (
        Fault::MembershipsAdd200,
        "memberships-add-200",
        "status",
        "POST memberships / addToPresenceSubscription answers 201 Created (digest 2.4, 2.7)",
    ),
    (
        Fault::MembershipDelete200,
        "membership-delete-200",
        "status",
        "DELETE presenceSubscriptionMembership answers 204 No Content (digest 2.6)",
    ),
    (
        Fault::ApplicationCreate200,
        "application-create-200",
        "status",
        "POST applications (a new instance) answers 201 Created (digest 6.3)",
    ),
    (
        Fault::SubcodeMissing,
        "pvf-subcode-missing",
        "error-body",
        "a bad or missing parameter gives 400 BadRequest with subcode ParameterValidationFailure (digest 4.3)",
    ),
    (
        Fault::ParametersWrong,
        "pvf-parameters-wrong",
        "error-body",
        "a 400 ParameterValidationFailure's `parameters`, when present, lists the invalid properties (digest 4.1, 4.3)",
    ),
    (
        Fault::PgetReplacedSubcodeWrong,
        "pget-replaced-subcode-wrong",
        "error-body",
        "a replaced P-GET is released with 409 Conflict subcode PGetReplaced (digest 3.5)",
    ),
    (
        Fault::NotFoundCodeDrift,
        "not-found-code-drift",
        "error-body",
        "the error code maps one to one to the HTTP status: 404 is NotFound (digest 4.2, OP-23)",
    ),
    (
        Fault::XmlErrorNamespace,
        "xml-error-namespace",
        "error-body",
        "an XML error is a <reason> in the ucwa namespace (digest 4.1, 5.3)",
    ),
    (
        Fault::LimitSubcodeMissing,
        "limit-subcode-missing",
        "error-body",
        "a reached limit answers 403 Forbidden subcode LimitExceeded (digest 2.2, 2.4)",
    ),
    (
        Fault::XmlNoMembershipsLink,
        "xml-no-memberships-link",
        "representation",
        "a presenceSubscription links its memberships, in XML as in JSON (digest 2.3, 5.3)",
    ),
    (
        Fault::JsonNoSelf,
        "json-no-self",
        "representation",
        "every JSON resource has _links.self (digest 5.2)",
    ),
    (
        Fault::XmlIdDiffers,
        "xml-id-differs",
        "representation",
        "JSON and XML forms are equivalent: the same id property (digest 5.4)",
    ),
    (
        Fault::XmlListFlattened,
        "xml-list-flattened",
        "representation",
        "an array property is a <propertyList> of <item>s in XML (digest 5.3, 5.4)",
    ),
    (
        Fault::JsonLinkArraySingle,
        "json-link-array-single",
        "representation",
        "a rel that can have several links is always a JSON array, even with one (digest 2.9, 5.2)",
    ),
    (
        Fault::JsonEmbeddedSingle,
        "json-embedded-single",
        "representation",
        "presenceSubscriptions embeds its subscriptions as a JSON array, even with one (digest 2.2, 5.2)",
    ),
    (
        Fault::CreateEventMissing,
        "create-event-missing",
        "events",
        "creating a subscription sends presenceSubscription added (digest 2.3, 2.13)",
    ),
    (
        Fault::ContactAddedRepeated,
        "contact-added-repeated",
        "events",
        "contact added in subscribedContacts only when a contact gains its first subscription (digest 2.9, 2.13)",
    ),
    (
        Fault::EventDuplicated,
        "event-duplicated",
        "events",
        "every event is delivered exactly once (digest 3.5)",
    ),
    (
        Fault::DeleteEventsReordered,
        "delete-events-reordered",
        "events",
        "DELETE sends the contact deleted events, then presenceSubscription deleted (digest 2.3, T-DEL)",
    ),
    (
        Fault::EventSenderWrong,
        "event-sender-wrong",
        "events",
        "people is the sender of every presence event (digest 2.1, 3.6)",
    ),
    (
        Fault::EventTypeWrong,
        "event-type-wrong",
        "events",
        "a presence change of a watched contact is contactPresence updated (digest 2.11)",
    ),
    (
        Fault::EventInWrong,
        "event-in-wrong",
        "events",
        "contact added/deleted events carry in: subscribedContacts (digest 2.9, 3.6)",
    ),
    (
        Fault::ExpiryWarningMissing,
        "expiry-warning-missing",
        "events",
        "presenceSubscription updated warns before expiry (digest 2.3, OP-15)",
    ),
    (
        Fault::ExpiryWarningLate,
        "expiry-warning-late",
        "events",
        "the expiry warning comes while the client can still extend, not in the last seconds (digest 2.3, OP-15)",
    ),
    (
        Fault::FailedOperationEvents,
        "failed-operation-events",
        "events",
        "a failed operation changes nothing and sends no event (digest 4.1, design 8)",
    ),
    (
        Fault::PresenceEventUnsubscribed,
        "presence-event-unsubscribed",
        "events",
        "contactPresence updated only for contacts the application watches (digest 2.11, 2.13)",
    ),
    (
        Fault::MembershipDeleteNoEvent,
        "membership-delete-no-event",
        "events",
        "removing a contact's last membership sends contact deleted in subscribedContacts (digest 2.6, 2.13)",
    ),
    (
        Fault::AckNotAdvancing,
        "ack-not-advancing",
        "channel",
        "each response's next link carries the next ack, not the one just used (digest 3.5)",
    ),
    (
        Fault::NextMissing,
        "next-missing",
        "channel",
        "every event response carries _links.next (digest 3.5, 3.6)",
    ),
    (
        Fault::NoPgetReplaced,
        "no-pget-replaced",
        "channel",
        "a second P-GET releases the pending one with 409 PGetReplaced (digest 3.5)",
    ),
    (
        Fault::NextInsteadOfResync,
        "next-instead-of-resync",
        "channel",
        "an ack out of range gets a body holding only a resync link (digest 3.5)",
    ),
    (
        Fault::PgetImmediateEmpty,
        "pget-immediate-empty",
        "channel",
        "a P-GET waits for events or its timeout; it does not return at once with nothing (digest 3.3)",
    ),
    (
        Fault::Cap30Missing,
        "cap-30-missing",
        "rules",
        "extend caps remaining + d at 30 minutes (digest 2.3)",
    ),
    (
        Fault::ExtendIgnoresRemaining,
        "extend-ignores-remaining",
        "rules",
        "extend adds d to the remaining time (digest 2.3)",
    ),
    (
        Fault::DurationUnchecked,
        "duration-unchecked",
        "rules",
        "duration is 10 to 30 minutes on create and extend (digest 2.2, 2.3, OP-3)",
    ),
    (
        Fault::ExpiredExtendable,
        "expired-extendable",
        "rules",
        "an expired subscription cannot be extended: 404 (digest 2.3, OP-6)",
    ),
    (
        Fault::RemovedContactStaysSubscribed,
        "removed-contact-stays-subscribed",
        "rules",
        "subscribedContacts holds exactly the contacts of live subscriptions (digest 2.9)",
    ),
    (
        Fault::No401,
        "no-401",
        "security",
        "every UCWA request needs the bearer token: without one, 401, not a UCWA error (digest 4.2, 6.2)",
    ),
    (
        Fault::CrossAppReadable,
        "cross-app-readable",
        "security",
        "an application sees only its own subscriptions: URLs and state belong to one application instance (digest 1, 2.3)",
    ),
    (
        Fault::CrossAppDeletable,
        "cross-app-deletable",
        "security",
        "DELETE application ends its own subscriptions only, not those of the user's other applications (digest 1, 6.3)",
    ),
];

impl Fault {
    /// `None` first, then every profile in catalogue order.
    pub fn all() -> Vec<Fault> {
        CATALOGUE.iter().map(|(f, ..)| *f).collect()
    }

    fn entry(self) -> &'static (Fault, &'static str, &'static str, &'static str) {
        CATALOGUE
            .iter()
            .find(|(f, ..)| *f == self)
            .unwrap_or(&CATALOGUE[0])
    }

    /// The kebab-case name (`--fault NAME`); `none` for the faithful server.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// status | error-body | representation | events | channel | rules | security | none.
    pub fn kind(self) -> &'static str {
        self.entry().2
    }

    /// The rule the profile breaks, with the digest section.
    pub fn rule(self) -> &'static str {
        self.entry().3
    }

    /// The profile with this name.
    pub fn from_name(name: &str) -> Option<Fault> {
        CATALOGUE
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(f, ..)| *f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let all = Fault::all();
        assert_eq!(all[0], Fault::None);
        assert!(all.len() >= 31, "at least 30 profiles besides none");
        let mut names: Vec<&str> = all.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "names are unique");
        for f in all {
            assert_eq!(Fault::from_name(f.name()), Some(f));
            assert!(
                f.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            let kinds = [
                "none",
                "status",
                "error-body",
                "representation",
                "events",
                "channel",
                "rules",
                "security",
            ];
            assert!(kinds.contains(&f.kind()), "{}", f.name());
            assert!(
                f == Fault::None || f.rule().contains("digest"),
                "{}",
                f.name()
            );
        }
        assert_eq!(Fault::from_name("no-such-fault"), None);
    }

    #[test]
    fn every_kind_is_covered() {
        for kind in [
            "status",
            "error-body",
            "representation",
            "events",
            "channel",
            "rules",
            "security",
        ] {
            assert!(Fault::all().iter().any(|f| f.kind() == kind), "{kind}");
        }
    }
}
