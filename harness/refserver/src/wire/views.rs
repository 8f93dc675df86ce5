//! Builders of every resource representation the server emits. Only links the server serves
//! are emitted: every href here answers its documented method in both formats.

use crate::config::directory::Group;
use crate::domain::application::AppState;
use crate::domain::hrefs::{APPLICATIONS_PATH, Hrefs};
use crate::domain::subscription::{Origin, Sub};
use crate::domain::world::World;

use super::resource::{Embed, Prop, Resource};

/// Autodiscover root: links user and xframe (absolute, built from the Host header).
pub(crate) fn root(origin: &str) -> Resource {
    Resource::new(
        "root",
        format!("{origin}/autodiscover/autodiscoverservice.svc/root"),
    )
    .link(
        "user",
        format!("{origin}/autodiscover/autodiscoverservice.svc/root/oauth/user"),
    )
    .link(
        "xframe",
        format!("{origin}/autodiscover/xframe/xframe.html"),
    )
}

/// The user resource: links applications and xframe.
pub(crate) fn user(origin: &str) -> Resource {
    Resource::new(
        "user",
        format!("{origin}/autodiscover/autodiscoverservice.svc/root/oauth/user"),
    )
    .link("applications", format!("{origin}{APPLICATIONS_PATH}"))
    .link(
        "xframe",
        format!("{origin}/autodiscover/xframe/xframe.html"),
    )
}

/// The application with its embedded me, people, onlineMeetings and communication.
pub(crate) fn application(
    world: &World,
    h: Hrefs<'_>,
    id: &str,
    owner: usize,
    st: &AppState,
) -> Resource {
    let p = &st.props;
    let mut res = Resource::new("application", h.app())
        .str("culture", p.culture.clone())
        .str("userAgent", p.user_agent.clone())
        .str("endpointId", p.endpoint_id.clone())
        .str("id", id)
        .opt_str("instanceId", p.instance_id.as_ref())
        .str("type", "Browser")
        .link("policies", h.at("policies"))
        .link("batch", h.at("batch"))
        .link("events", h.events(st.channel.next_ack));
    res = res
        .embed("me", Embed::One(me(world, h, owner, st.available)))
        .embed("people", Embed::One(people(h)))
        .embed("onlineMeetings", Embed::One(online_meetings(h)))
        .embed("communication", Embed::One(communication(h)));
    res
}

/// The signed-in user: makeMeAvailable until the application made the user available, then
/// the user's own presence (the sample links both at once; a server links what applies).
pub(crate) fn me(world: &World, h: Hrefs<'_>, owner: usize, available: bool) -> Resource {
    let mut res = Resource::new("me", h.at("me"));
    res = if available {
        res.link("presence", h.at("me/presence"))
    } else {
        res.link("makeMeAvailable", h.at("communication/makeMeAvailable"))
    };
    if let Some(user) = world.config.directory.user_at(owner) {
        res = res
            .str("name", user.name.clone())
            .str("uri", user.uri.clone())
            .opt_str("title", user.title.as_ref())
            .opt_str("department", user.department.as_ref());
        if !user.email_addresses.is_empty() {
            res = res.prop("emailAddresses", Prop::List(user.email_addresses.clone()));
        }
    }
    res
}

/// The `presence` resource: the signed-in user's own presence as this application sees it.
pub(crate) fn my_presence(world: &World, h: Hrefs<'_>, owner: usize, st: &AppState) -> Resource {
    let uri = world.config.directory.uri_at(owner).unwrap_or_default();
    let p = st.presence_of(world, &uri);
    Resource::new("presence", h.at("me/presence"))
        .str("availability", p.availability)
        .opt_str("activity", p.activity.as_ref())
}

pub(crate) fn online_meetings(h: Hrefs<'_>) -> Resource {
    Resource::new("onlineMeetings", h.at("onlineMeetings"))
}

pub(crate) fn communication(h: Hrefs<'_>) -> Resource {
    Resource::new("communication", h.at("communication"))
        .prop("supportedModalities", Prop::List(Vec::new()))
        .prop("supportedMessageFormats", Prop::List(vec!["Plain".into()]))
}

pub(crate) fn policies(h: Hrefs<'_>) -> Resource {
    Resource::new("policies", h.at("policies"))
        .prop("audioVideoCallingAllowed", Prop::Bool(false))
        .prop("photoPolicy", Prop::Str("Enabled".into()))
}

/// people: only the links this server serves.
pub(crate) fn people(h: Hrefs<'_>) -> Resource {
    Resource::new("people", h.people())
        .link("presenceSubscriptions", h.subscriptions())
        .link("subscribedContacts", h.subscribed())
        .link("presenceSubscriptionMemberships", h.all_memberships())
        .link("myGroups", h.groups())
        .link("myContacts", h.my_contacts())
}

/// presenceSubscription: id, memberships, and addToPresenceSubscription for ad hoc ones
/// (group subscriptions follow their group, T-SG; OP-11).
pub(crate) fn subscription(h: Hrefs<'_>, sub: &Sub) -> Resource {
    let mut res = Resource::new("presenceSubscription", h.subscription(&sub.id))
        .str("id", sub.id.clone())
        .link("memberships", h.memberships(&sub.id));
    if sub.origin == Origin::Adhoc {
        res = res.link("addToPresenceSubscription", h.memberships(&sub.id));
    }
    res
}

pub(crate) fn subscriptions(h: Hrefs<'_>, st: &AppState) -> Resource {
    let subs = st.subs.iter().map(|s| subscription(h, s)).collect();
    Resource::new("presenceSubscriptions", h.subscriptions())
        .embed("presenceSubscription", Embed::Many(subs))
}

pub(crate) fn membership(h: Hrefs<'_>, sub: &Sub, uri: &str) -> Resource {
    Resource::new("presenceSubscriptionMembership", h.membership(&sub.id, uri))
        .link("contact", h.contact(uri))
        .link("presenceSubscription", h.subscription(&sub.id))
}

/// The memberships of some subscriptions, as a presenceSubscriptionMemberships collection.
pub(crate) fn memberships<'s>(
    h: Hrefs<'_>,
    self_href: String,
    subs: impl Iterator<Item = &'s Sub>,
) -> Resource {
    let items = subs
        .flat_map(|s| s.contacts.iter().map(move |c| membership(h, s, c)))
        .collect();
    Resource::new("presenceSubscriptionMemberships", self_href)
        .embed("presenceSubscriptionMembership", Embed::Many(items))
}

/// subscribedContacts: the contact link is an array (also with one element).
pub(crate) fn subscribed_contacts(h: Hrefs<'_>, contacts: &[String]) -> Resource {
    let hrefs = contacts.iter().map(|c| h.contact(c)).collect();
    Resource::new("subscribedContacts", h.subscribed()).links("contact", hrefs)
}

/// A contact: directory data, or a minimal contact for people the directory does not know.
pub(crate) fn contact(world: &World, h: Hrefs<'_>, uri: &str) -> Resource {
    let mut res = Resource::new("contact", h.contact(uri)).link("contactPresence", h.presence(uri));
    match world.config.directory.user(uri) {
        Some(u) => {
            res = res
                .str("name", u.name.clone())
                .str("uri", u.uri.clone())
                .str("type", "User")
                .str("sourceNetwork", "SameEnterprise")
                .opt_str("company", u.company.as_ref())
                .opt_str("department", u.department.as_ref())
                .opt_str("title", u.title.as_ref())
                .opt_str("office", u.office.as_ref())
                .opt_str("workPhoneNumber", u.work_phone_number.as_ref())
                .opt_str("mobilePhoneNumber", u.mobile_phone_number.as_ref());
            if !u.email_addresses.is_empty() {
                res = res.prop("emailAddresses", Prop::List(u.email_addresses.clone()));
            }
        }
        None => {
            res = res
                .str("name", crate::sip::address(uri))
                .str("uri", uri)
                .str("type", "User")
                .str("sourceNetwork", "Unknown");
        }
    }
    res
}

pub(crate) fn contact_presence(world: &World, h: Hrefs<'_>, st: &AppState, uri: &str) -> Resource {
    let p = st.presence_of(world, uri);
    Resource::new("contactPresence", h.presence(uri))
        .str("availability", p.availability)
        .opt_str("activity", p.activity.as_ref())
        .str("deviceType", p.device_type)
        .prop("lastActive", Prop::Date(p.last_active))
}

/// The rel of a distribution group in myGroups (digest 2.12 [T-SG]).
pub(crate) const DISTRIBUTION_GROUP: &str = "distributionGroup";

/// A group: its contacts, its subscription, and for a distribution group its expansion.
pub(crate) fn group(h: Hrefs<'_>, g: &Group) -> Resource {
    let res = Resource::new(g.kind.clone(), h.group(&g.id))
        .str("id", g.id.clone())
        .str("name", g.name.clone())
        .link("groupContacts", h.group_contacts(&g.id))
        .link("subscribeToGroupPresence", h.subscribe_group(&g.id));
    if g.kind == DISTRIBUTION_GROUP {
        res.link("expandDistributionGroup", h.expand_group(&g.id))
    } else {
        res
    }
}

/// Contacts embedded in a collection resource, in the order given.
fn contact_list(world: &World, h: Hrefs<'_>, res: Resource, uris: &[String]) -> Resource {
    let contacts = uris.iter().map(|u| contact(world, h, u)).collect();
    res.embed("contact", Embed::Many(contacts))
}

/// myContacts: every member of the user's groups, once each, in directory order.
pub(crate) fn my_contacts(world: &World, h: Hrefs<'_>) -> Resource {
    let mut uris: Vec<String> = Vec::new();
    for g in world.config.directory.groups() {
        for m in &g.members {
            if !uris.contains(m) {
                uris.push(m.clone());
            }
        }
    }
    contact_list(
        world,
        h,
        Resource::new("myContacts", h.my_contacts()),
        &uris,
    )
}

/// groupContacts: the group's members.
pub(crate) fn group_contacts(world: &World, h: Hrefs<'_>, g: &Group) -> Resource {
    let res = Resource::new("groupContacts", h.group_contacts(&g.id));
    contact_list(world, h, res, &g.members)
}

/// expandDistributionGroup: the distribution group's members.
pub(crate) fn expanded_group(world: &World, h: Hrefs<'_>, g: &Group) -> Resource {
    let res = Resource::new("expandDistributionGroup", h.expand_group(&g.id));
    contact_list(world, h, res, &g.members)
}

/// myGroups in the T-SG shape: pinnedGroup, defaultGroup, group[], distributionGroup[].
pub(crate) fn my_groups(world: &World, h: Hrefs<'_>) -> Resource {
    let groups = world.config.directory.groups();
    let mut res = Resource::new("myGroups", h.groups());
    for kind in ["pinnedGroup", "defaultGroup"] {
        if let Some(g) = groups.iter().find(|g| g.kind == kind) {
            res = res.embed(kind, Embed::One(group(h, g)));
        }
    }
    let of_kind = |single: bool| {
        groups
            .iter()
            .filter(|g| g.kind != "pinnedGroup" && g.kind != "defaultGroup")
            .filter(|g| (g.kind == DISTRIBUTION_GROUP) != single)
            .map(|g| group(h, g))
            .collect()
    };
    res.embed("group", Embed::Many(of_kind(true)))
        .embed(DISTRIBUTION_GROUP, Embed::Many(of_kind(false)))
}
