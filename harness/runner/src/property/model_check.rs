//! The subscription model check: random sequences of create, add contacts, remove a
//! membership, delete, extend and presence change; after each step the events received and a
//! GET of subscribedContacts and of every live subscription's memberships agree with the model.
//!
//! Judged: set semantics (subscribedContacts is the union of the live subscriptions' contacts,
//! memberships are a subscription's contacts, no duplicates), exactly-once `contact`
//! added/deleted events in subscribedContacts, the `presenceSubscription` added/deleted events,
//! the delete order (contacts before the subscription), and `contactPresence` updated only for
//! watched contacts. A final create is the barrier that brings in late or extra events.

use std::collections::BTreeSet;

use harness_core::canonical::{Resource, hrefs_equal};
use serde_json::{Map, json};

use super::driver::{Driver, Violation, fail, is_event, link_hrefs};
use super::model::{AVAILABILITY, Action, Applied, Model, ModelInput, Op, describe};
use crate::follower::ObservedEvent;
use crate::presence::PresenceWay;

/// Hrefs of a live subscription, parallel to the model's `subs`.
struct LiveSub {
    href: String,
    memberships: String,
    add: Option<String>,
}

/// The operation appended to every input: its events bring in anything left over.
pub(crate) fn barrier() -> Op {
    Op::Create { contacts: vec![0] }
}

/// Runs one input on a fresh application.
pub(crate) async fn check(d: &Driver<'_>, input: &ModelInput) -> Result<(), Violation> {
    let target = &d.session.target;
    let mut contacts = target.profile.contacts.clone();
    // The presence that changes is the first contact's: the second account itself where the
    // change goes through it (it can set only its own).
    let own = target.presence_way() == Some(PresenceWay::SecondAccount);
    if let (Some(first), Some(changeable)) = (contacts.first_mut(), target.presence_contact()) {
        *first = changeable;
    }
    let mut model = Model::default();
    let mut live: Vec<LiveSub> = Vec::new();
    let ops = input
        .ops
        .iter()
        .cloned()
        .map(|op| match op {
            Op::Presence { availability, .. } if own => Op::Presence {
                contact: 0,
                availability,
            },
            op => op,
        })
        .chain(std::iter::once(barrier()));
    for (n, op) in ops.enumerate() {
        let applied = model.apply(&op);
        let label = format!("step {} ({})", n + 1, describe(&applied.action));
        let at = |v: Violation| match v {
            Violation::Fail(m) => Violation::Fail(format!("{label}: {m}")),
            Violation::Error(m) => Violation::Error(format!("{label}: {m}")),
        };
        step(d, &contacts, &applied, &mut live).await.map_err(at)?;
        compare_state(d, &contacts, &model, &live)
            .await
            .map_err(at)?;
    }
    Ok(())
}

/// Acts, then judges the events of this step.
async fn step(
    d: &Driver<'_>,
    contacts: &[String],
    applied: &Applied,
    live: &mut Vec<LiveSub>,
) -> Result<(), Violation> {
    let cursor = d.cursor();
    let mut sub_added: Option<String> = None;
    let mut sub_deleted: Option<String> = None;
    let mut presence: Option<usize> = None;
    match &applied.action {
        Action::Create { contacts: cs, .. } => {
            let mut body = Map::new();
            body.insert("duration".into(), json!(30));
            body.insert("uris".into(), json!(uris(contacts, cs)));
            let resp = d.post(&d.link("presenceSubscriptions")?, &body).await?;
            expect_status("create", resp.status, &[201])?;
            let sub = d.resource("the created subscription", &resp)?;
            let Some(href) = sub.self_href.clone() else {
                return fail("the created subscription has no self link");
            };
            let Some(memberships) = link_hrefs(&sub, "memberships").into_iter().next() else {
                return fail("the created subscription has no memberships link");
            };
            let add = link_hrefs(&sub, "addToPresenceSubscription")
                .into_iter()
                .next();
            sub_added = Some(href.clone());
            live.push(LiveSub {
                href,
                memberships,
                add,
            });
        }
        Action::Add {
            index,
            contacts: cs,
            ..
        } => {
            let Some(add) = live[*index].add.clone() else {
                return fail("the ad hoc subscription has no addToPresenceSubscription link");
            };
            let mut body = Map::new();
            body.insert("contactUris".into(), json!(uris(contacts, cs)));
            let resp = d.post(&add, &body).await?;
            expect_status("add contacts", resp.status, &[201])?;
        }
        Action::Remove { index, contact, .. } => {
            let members = memberships(d, &live[*index]).await?;
            let Some((member, _)) = members
                .iter()
                .find(|(_, uri)| same_uri(uri, &contacts[*contact]))
            else {
                return fail(format!(
                    "no membership of {} to remove in {}",
                    contacts[*contact], live[*index].memberships
                ));
            };
            let resp = d.delete(member).await?;
            expect_status("DELETE membership", resp.status, &[204])?;
        }
        Action::Delete { index, .. } => {
            let href = live[*index].href.clone();
            let resp = d.delete(&href).await?;
            expect_status("DELETE subscription", resp.status, &[204])?;
            live.remove(*index);
            sub_deleted = Some(href);
        }
        Action::Extend { index, minutes, .. } => {
            let resp = d
                .post_query(&live[*index].href, &[("duration", minutes.to_string())])
                .await?;
            expect_status("extend", resp.status, &[200, 201])?;
        }
        Action::Presence {
            contact,
            availability,
        } => {
            let availability = AVAILABILITY[*availability % AVAILABILITY.len()];
            crate::presence::change(d.session, &contacts[*contact], availability, None)
                .await
                .map_err(Violation::Error)?;
            if applied.after.contains(contact) {
                presence = Some(*contact);
            }
        }
        Action::Skip => return Ok(()),
    }
    let (added, removed) = (applied.added(), applied.removed());
    let events = d
        .events_since(cursor, |es| {
            let count = |kind: &str| es.iter().filter(|e| is_contact_event(e, kind)).count();
            count("added") >= added.len()
                && count("deleted") >= removed.len()
                && sub_added
                    .as_ref()
                    .is_none_or(|h| has_sub_event(es, "added", h))
                && sub_deleted
                    .as_ref()
                    .is_none_or(|h| has_sub_event(es, "deleted", h))
                && (presence.is_none()
                    || es.iter().any(|e| is_event(e, "updated", "contactPresence")))
        })
        .await?;
    judge_events(
        d,
        contacts,
        applied,
        &events,
        sub_added,
        sub_deleted,
        presence,
    )
    .await?;
    if let Action::Delete { .. } = &applied.action {
        // The subscription is gone for GET too (PS.DELETE.204).
        let events_href = events
            .iter()
            .find(|e| is_event(e, "deleted", "presenceSubscription"))
            .map(|e| e.event.link.href.clone());
        if let Some(href) = events_href {
            let resp = d.get(&href).await?;
            expect_status("GET of the deleted subscription", resp.status, &[404, 410])?;
        }
    }
    Ok(())
}

async fn judge_events(
    d: &Driver<'_>,
    contacts: &[String],
    applied: &Applied,
    events: &[ObservedEvent],
    sub_added: Option<String>,
    sub_deleted: Option<String>,
    presence: Option<usize>,
) -> Result<(), Violation> {
    for (kind, want) in [("added", applied.added()), ("deleted", applied.removed())] {
        let mut got = Vec::new();
        for e in events.iter().filter(|e| is_contact_event(e, kind)) {
            got.push(contact_index(d, contacts, &e.event.link.href).await?);
        }
        got.sort_unstable();
        if got != want {
            return fail(format!(
                "contact {kind} events in subscribedContacts: expected exactly once for [{}], got [{}]",
                names(contacts, &want),
                names(contacts, &got)
            ));
        }
    }
    for (kind, want) in [("added", &sub_added), ("deleted", &sub_deleted)] {
        let got: Vec<&str> = events
            .iter()
            .filter(|e| is_event(e, kind, "presenceSubscription"))
            .map(|e| e.event.link.href.as_str())
            .collect();
        let ok = match want {
            Some(h) => got.len() == 1 && hrefs_equal(got[0], h),
            None => got.is_empty(),
        };
        if !ok {
            return fail(format!(
                "presenceSubscription {kind} events: expected [{}], got [{}]",
                want.as_deref().unwrap_or(""),
                got.join(", ")
            ));
        }
    }
    if let Some(href) = &sub_deleted {
        let sub_at = events.iter().position(|e| {
            is_event(e, "deleted", "presenceSubscription") && hrefs_equal(&e.event.link.href, href)
        });
        let last_contact = events.iter().rposition(|e| is_contact_event(e, "deleted"));
        if let (Some(s), Some(c)) = (sub_at, last_contact)
            && c > s
        {
            return fail(
                "a contact deleted event came after the subscription's own deleted event (T-DEL)",
            );
        }
    }
    let watched: BTreeSet<usize> = applied.before.union(&applied.after).copied().collect();
    let mut presence_seen = false;
    for e in events
        .iter()
        .filter(|e| is_event(e, "updated", "contactPresence"))
    {
        let Some(contact) = e
            .event
            .in_collection
            .as_ref()
            .filter(|i| i.fits_rel("contact"))
        else {
            continue;
        };
        let k = contact_index(d, contacts, &contact.href).await?;
        if !watched.contains(&k) {
            return fail(format!(
                "contactPresence updated for {}, which no subscription watches",
                contacts[k]
            ));
        }
        presence_seen |= Some(k) == presence;
    }
    if let Some(k) = presence
        && !presence_seen
    {
        return fail(format!(
            "no contactPresence updated (in contact) for the watched {} after its presence changed",
            contacts[k]
        ));
    }
    Ok(())
}

/// GET subscribedContacts and every live subscription's memberships; compare with the model.
async fn compare_state(
    d: &Driver<'_>,
    contacts: &[String],
    model: &Model,
    live: &[LiveSub],
) -> Result<(), Violation> {
    let sc = d
        .get_resource("subscribedContacts", &d.link("subscribedContacts")?)
        .await?;
    let mut got = Vec::new();
    for href in link_hrefs(&sc, "contact") {
        got.push(contact_index(d, contacts, &href).await?);
    }
    compare_sets("subscribedContacts", contacts, &model.union(), got)?;
    for (sub, l) in model.subs.iter().zip(live) {
        let got = memberships(d, l).await?;
        let mut indices = Vec::new();
        for (_, uri) in &got {
            indices.push(index_of(contacts, uri)?);
        }
        let want: BTreeSet<usize> = sub.contacts.iter().copied().collect();
        compare_sets(
            &format!("memberships of s{}", sub.number),
            contacts,
            &want,
            indices,
        )?;
    }
    Ok(())
}

fn compare_sets(
    what: &str,
    contacts: &[String],
    want: &BTreeSet<usize>,
    mut got: Vec<usize>,
) -> Result<(), Violation> {
    got.sort_unstable();
    let want: Vec<usize> = want.iter().copied().collect();
    if got == want {
        return Ok(());
    }
    fail(format!(
        "{what}: expected [{}], got [{}] (set semantics: each contact once)",
        names(contacts, &want),
        names(contacts, &got)
    ))
}

/// The memberships of a subscription: (membership self href, contact uri). Reads embedded
/// memberships, or follows `presenceSubscriptionMembership` links when they are not embedded.
async fn memberships(d: &Driver<'_>, sub: &LiveSub) -> Result<Vec<(String, String)>, Violation> {
    let coll = d.get_resource("memberships", &sub.memberships).await?;
    let mut items: Vec<Resource> = coll
        .embedded
        .get("presenceSubscriptionMembership")
        .cloned()
        .unwrap_or_default();
    if items.is_empty() {
        for href in link_hrefs(&coll, "presenceSubscriptionMembership") {
            items.push(d.get_resource("a membership", &href).await?);
        }
    }
    let mut out = Vec::new();
    for m in items {
        let Some(self_href) = m.self_href.clone() else {
            return fail("a membership has no self link");
        };
        if let Some(owner) = link_hrefs(&m, "presenceSubscription").first()
            && !hrefs_equal(owner, &sub.href)
        {
            return fail(format!(
                "membership {self_href} of {} links presenceSubscription {owner}",
                sub.href
            ));
        }
        let Some(contact) = link_hrefs(&m, "contact").into_iter().next() else {
            return fail(format!("membership {self_href} has no contact link"));
        };
        out.push((self_href, d.contact_uri(&contact).await?));
    }
    Ok(out)
}

async fn contact_index(
    d: &Driver<'_>,
    contacts: &[String],
    href: &str,
) -> Result<usize, Violation> {
    let uri = d.contact_uri(href).await?;
    index_of(contacts, &uri)
}

fn index_of(contacts: &[String], uri: &str) -> Result<usize, Violation> {
    contacts
        .iter()
        .position(|c| same_uri(c, uri))
        .ok_or_else(|| Violation::Fail(format!("{uri} is listed but was never subscribed")))
}

/// SIP URIs compare without case (the server may normalise them).
fn same_uri(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn uris(contacts: &[String], indices: &[usize]) -> Vec<String> {
    indices.iter().map(|&i| contacts[i].clone()).collect()
}

fn names(contacts: &[String], indices: &[usize]) -> String {
    indices
        .iter()
        .map(|&i| contacts[i].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn expect_status(what: &str, status: u16, want: &[u16]) -> Result<(), Violation> {
    if want.contains(&status) {
        Ok(())
    } else {
        fail(format!("{what} answered {status}, expected {want:?}"))
    }
}

fn is_contact_event(e: &ObservedEvent, kind: &str) -> bool {
    is_event(e, kind, "contact")
        && e.event
            .in_collection
            .as_ref()
            .is_some_and(|i| i.fits_rel("subscribedContacts"))
}

fn has_sub_event(events: &[ObservedEvent], kind: &str, href: &str) -> bool {
    events
        .iter()
        .any(|e| is_event(e, kind, "presenceSubscription") && hrefs_equal(&e.event.link.href, href))
}
