//! What the target offers beyond plain UCWA: the test-control protocol's answer and the
//! profile's accounts.

use harness_core::model::Capability;

/// What the target offers beyond plain UCWA (from `GET /_conform` and the profile).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    /// The test-control protocol answers.
    pub control: bool,
    /// `POST /_conform/clock`.
    pub clock: bool,
    /// `POST /_conform/presence`.
    pub presence: bool,
    /// The conditions `POST /_conform/conditions` knows.
    pub conditions: Vec<String>,
    /// The operations conditions can target.
    pub operations: Vec<String>,
    /// `POST /_conform/system-subscription`.
    pub system_subscription: bool,
    /// The profile names a group.
    pub group: bool,
    /// The profile names a second user.
    pub second_user: bool,
    /// Limits the target declared (`subscriptions`, `contacts_per_subscription`).
    pub limits: serde_json::Value,
}

impl Capabilities {
    /// Whether the target offers `c`.
    pub fn has(&self, c: Capability) -> bool {
        match c {
            Capability::Clock => self.control && self.clock,
            // The second account changes its own presence through UCWA (crate::presence).
            Capability::Presence => (self.control && self.presence) || self.second_user,
            Capability::Conditions => self.control && !self.conditions.is_empty(),
            Capability::SystemSubscription => self.control && self.system_subscription,
            Capability::Group => self.group,
            Capability::SecondUser => self.second_user,
        }
    }

    /// The names of what the target offers, for reports.
    pub fn names(&self) -> Vec<String> {
        [
            Capability::Clock,
            Capability::Presence,
            Capability::Conditions,
            Capability::SystemSubscription,
            Capability::Group,
            Capability::SecondUser,
        ]
        .into_iter()
        .filter(|c| self.has(*c))
        .map(|c| c.name().to_owned())
        .collect()
    }

    /// Reads the `GET /_conform` answer; unknown keys are ignored so a vendor may add some.
    pub fn from_json(value: &serde_json::Value, group: bool) -> Capabilities {
        let flag = |k: &str| value.get(k).and_then(serde_json::Value::as_bool) == Some(true);
        let list = |k: &str| -> Vec<String> {
            value
                .get(k)
                .and_then(serde_json::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Capabilities {
            control: true,
            clock: flag("clock"),
            presence: flag("presence"),
            conditions: list("conditions"),
            operations: list("operations"),
            system_subscription: flag("system_subscription"),
            group,
            second_user: false,
            limits: value
                .get("limits")
                .cloned()
                .unwrap_or(serde_json::Value::Null),
        }
    }
}
