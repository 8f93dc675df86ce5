//! Fault profiles: one deliberate, documented deviation from the protocol per profile, chosen
//! at start (`ServerConfig::fault`), so that the `mutants` command can prove which cases of
//! the suite notice it. `Fault::None` is the faithful server.
//!
//! Each deviation lives at its point of use as a small `if server.fault() == Fault::X`; the
//! faults that spoil a finished body (error bodies, representation faults of one format) are
//! applied by `wire::body_fault` after the response is built, so the builders stay faithful.

/// One fault profile (see `docs/faults.md` for the catalogue and the cases that catch each);
/// its name, kind and rule are in the `catalogue`, read through `lookup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Fault {
    /// The faithful server.
    #[default]
    None,
    // status
    Created200,
    NoContent200,
    DeletedGet200,
    ExtendNoBody,
    UnreadableBody500,
    // error-body
    SubcodeMissing,
    ParametersWrong,
    PgetReplacedSubcodeWrong,
    NotFoundCodeDrift,
    XmlErrorNamespace,
    LimitSubcodeMissing,
    ConditionSubcodeMissing,
    // representation
    XmlNoMembershipsLink,
    JsonNoSelf,
    XmlIdDiffers,
    XmlListFlattened,
    JsonLinkArraySingle,
    JsonEmbeddedSingle,
    ApplicationGetNoEvents,
    PeopleNoMyGroupsLink,
    ContactNoPresenceLink,
    AvailabilityUndocumented,
    MembershipSubscriptionLinkWrong,
    GroupsNoSubscribeLink,
    VndAcceptIgnored,
    AddAnswersSubscription,
    // events
    CreateEventMissing,
    ContactAddedRepeated,
    EventDuplicated,
    DeleteEventsReordered,
    EventSenderWrong,
    EventTypeWrong,
    EventInWrong,
    ExpiryWarningLate,
    FailedOperationEvents,
    PresenceEventUnsubscribed,
    MembershipDeleteNoEvent,
    EventSubHrefWrong,
    EventRelWrong,
    EventContactHrefWrong,
    PresenceEventHrefWrong,
    SharedContactReportedDeleted,
    GroupEventsMissing,
    // channel
    AckNotAdvancing,
    NextMissing,
    NoPgetReplaced,
    NextInsteadOfResync,
    PgetImmediateEmpty,
    EventSelfWrong,
    AckIgnored,
    ResyncTargetWrong,
    TimeoutParamIgnored,
    TimeoutNotRemembered,
    PriorityIgnored,
    XmlEventsAsJson,
    // rules
    Cap30Missing,
    ExtendIgnoresRemaining,
    DurationUnchecked,
    ExpiredExtendable,
    RemovedContactStaysSubscribed,
    DurationBoundsExclusive,
    DurationBothSummed,
    ExtendQueryIgnored,
    InputLinksRefused,
    RefusedOperationApplies,
    PeopleMembershipsFirstOnly,
    GroupMembershipsEmpty,
    ApplicationDeleteKeeps,
    // security
    No401,
    CrossAppReadable,
    CrossAppDeletable,
    CrossUserReadable,
    UserUnchallenged,
    WrongPasswordAccepted,
    SystemSubscriptionReadable,
    SystemSubscriptionExtendable,
    SystemSubscriptionDeletable,
}

mod catalogue;
mod lookup;

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
