//! The URL layout of the server (the task/real layout, OP-1): where applications live and
//! the href of every resource of one application.

/// The prefix of every application URL.
pub(crate) const APPLICATIONS_PATH: &str = "/ucwa/oauth/v1/applications";

/// The URL layout of one application (the task/real layout, OP-1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hrefs<'a>(pub &'a str);

impl Hrefs<'_> {
    pub(crate) fn app(&self) -> String {
        self.0.to_owned()
    }
    pub(crate) fn at(&self, tail: &str) -> String {
        format!("{}/{tail}", self.0)
    }
    pub(crate) fn people(&self) -> String {
        self.at("people")
    }
    pub(crate) fn subscriptions(&self) -> String {
        self.at("people/presenceSubscriptions")
    }
    pub(crate) fn subscription(&self, id: &str) -> String {
        format!("{}/people/presenceSubscriptions/{id}", self.0)
    }
    pub(crate) fn all_memberships(&self) -> String {
        self.at("people/presenceSubscriptionMemberships")
    }
    pub(crate) fn memberships(&self, id: &str) -> String {
        format!(
            "{}/people/presenceSubscriptionMemberships?presenceSubscriptionId={id}",
            self.0
        )
    }
    pub(crate) fn membership(&self, id: &str, uri: &str) -> String {
        format!(
            "{}/people/presenceSubscriptionMemberships/{id},{}",
            self.0,
            crate::sip::address(uri)
        )
    }
    pub(crate) fn subscribed(&self) -> String {
        self.at("people/subscribedContacts")
    }
    pub(crate) fn contact(&self, uri: &str) -> String {
        format!("{}/people/{}", self.0, crate::sip::address(uri))
    }
    pub(crate) fn presence(&self, uri: &str) -> String {
        format!("{}/people/{}/presence", self.0, crate::sip::address(uri))
    }
    pub(crate) fn groups(&self) -> String {
        self.at("people/groups")
    }
    pub(crate) fn group(&self, id: &str) -> String {
        format!("{}/people/groups/{}", self.0, encode(id))
    }
    pub(crate) fn my_contacts(&self) -> String {
        self.at("people/contacts")
    }
    pub(crate) fn group_contacts(&self, id: &str) -> String {
        format!("{}/contacts", self.group(id))
    }
    pub(crate) fn expand_group(&self, id: &str) -> String {
        format!("{}/expand", self.group(id))
    }
    pub(crate) fn subscribe_group(&self, id: &str) -> String {
        format!(
            "{}/people/presenceSubscriptions?groupId={}",
            self.0,
            encode(id)
        )
    }
    pub(crate) fn events(&self, ack: u64) -> String {
        format!("{}/events?ack={ack}", self.0)
    }
}

/// Characters kept as they are in ids put into paths and query values (RFC 3986 unreserved).
const ID_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes an id for a path segment or a query value.
pub(crate) fn encode(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, ID_ESCAPES).to_string()
}
