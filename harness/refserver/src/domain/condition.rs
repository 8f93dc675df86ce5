//! The documented error conditions the test-control protocol can make an operation answer
//! with (design.md section 8), and the operations they can be set on. The error each one
//! answers is written in `wire::error`.

/// A documented error a condition makes an operation answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Condition {
    CallbackChannelUnreachable,
    BackupPoolMissing,
    ExchangeVersionUnsupported,
    AlreadyExists,
    TooManyGroups,
    NotInProperState,
    InsufficientPrivileges,
    LimitExceeded,
}

/// Every condition by its control-protocol name.
pub(crate) const CONDITIONS: [(&str, Condition); 8] = [
    (
        "callback-channel-unreachable",
        Condition::CallbackChannelUnreachable,
    ),
    ("backup-pool-missing", Condition::BackupPoolMissing),
    (
        "exchange-version-unsupported",
        Condition::ExchangeVersionUnsupported,
    ),
    ("already-exists", Condition::AlreadyExists),
    ("too-many-groups", Condition::TooManyGroups),
    ("not-in-proper-state", Condition::NotInProperState),
    ("insufficient-privileges", Condition::InsufficientPrivileges),
    ("limit-exceeded", Condition::LimitExceeded),
];

/// The operations a condition can be set on.
pub(crate) const OPERATIONS: [&str; 10] = [
    "create-subscription",
    "get-subscription",
    "extend-subscription",
    "delete-subscription",
    "list-subscriptions",
    "get-memberships",
    "add-contacts",
    "delete-membership",
    "get-subscribed-contacts",
    "subscribe-group",
];
