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

use catalogue::CATALOGUE;

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
