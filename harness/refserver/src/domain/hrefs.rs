//! The URL layout of the server (the task/real layout, OP-1): where applications live and
//! the href of every resource of one application.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The prefix of every application URL.
pub(crate) const APPLICATIONS_PATH: &str = "/ucwa/oauth/v1/applications";

/// The URL layout of one application (the task/real layout, OP-1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hrefs<'a>(pub &'a str);

// `concat` sizes each href once; `format!` would start small and grow it several times.
impl Hrefs<'_> {
    pub(crate) fn app(&self) -> String {
        self.0.to_owned()
    }
    pub(crate) fn at(&self, tail: &str) -> String {
        [self.0, "/", tail].concat()
    }
    pub(crate) fn people(&self) -> String {
        self.at("people")
    }
    pub(crate) fn subscriptions(&self) -> String {
        self.at("people/presenceSubscriptions")
    }
    pub(crate) fn subscription(&self, id: &str) -> String {
        [self.0, "/people/presenceSubscriptions/", id].concat()
    }
    pub(crate) fn all_memberships(&self) -> String {
        self.at("people/presenceSubscriptionMemberships")
    }
    pub(crate) fn memberships(&self, id: &str) -> String {
        [
            self.0,
            "/people/presenceSubscriptionMemberships?presenceSubscriptionId=",
            id,
        ]
        .concat()
    }
    pub(crate) fn membership(&self, id: &str, uri: &str) -> String {
        [
            self.0,
            "/people/presenceSubscriptionMemberships/",
            id,
            ",",
            crate::sip::address(uri),
        ]
        .concat()
    }
    pub(crate) fn subscribed(&self) -> String {
        self.at("people/subscribedContacts")
    }
    pub(crate) fn contact(&self, uri: &str) -> String {
        [self.0, "/people/", crate::sip::address(uri)].concat()
    }
    pub(crate) fn presence(&self, uri: &str) -> String {
        [self.0, "/people/", crate::sip::address(uri), "/presence"].concat()
    }
    pub(crate) fn groups(&self) -> String {
        self.at("people/groups")
    }
    pub(crate) fn group(&self, id: &str) -> String {
        [self.0, "/people/groups/", &encode(id)].concat()
    }
    pub(crate) fn my_contacts(&self) -> String {
        self.at("people/contacts")
    }
    pub(crate) fn group_contacts(&self, id: &str) -> String {
        let mut href = self.group(id);
        href.push_str("/contacts");
        href
    }
    pub(crate) fn expand_group(&self, id: &str) -> String {
        let mut href = self.group(id);
        href.push_str("/expand");
        href
    }
    pub(crate) fn subscribe_group(&self, id: &str) -> String {
        [
            self.0,
            "/people/presenceSubscriptions?groupId=",
            &encode(id),
        ]
        .concat()
    }
    pub(crate) fn events(&self, ack: u64) -> String {
        let mut href = String::with_capacity(self.0.len() + 32);
        let _ = write!(href, "{}/events?ack={ack}", self.0);
        href
    }
}

/// Characters kept as they are in ids put into paths and query values (RFC 3986 unreserved).
const ID_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes an id for a path segment or a query value.
pub(crate) fn encode(id: &str) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(id, ID_ESCAPES).into()
}
