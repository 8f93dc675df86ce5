//! Routes under `…/people`: presenceSubscriptions, presenceSubscription (GET, extend, DELETE),
//! memberships and addToPresenceSubscription, membership, subscribedContacts, contacts,
//! contactPresence, myGroups and subscribeToGroupPresence.

use std::sync::Arc;

use axum::response::Response;
use http::header::{HeaderValue, LOCATION};
use http::{Method, StatusCode};

use crate::app::{AppState, Hrefs, Origin};
use crate::control::check_condition;
use crate::error::ApiError;
use crate::fault::Fault;
use crate::input::query_get;
use crate::respond;
use crate::router::{Req, allow};
use crate::routes::lock_live;
use crate::state::{App, Server};
use crate::subscription_input::{contact_list, duration};
use crate::variant::Variant;
use crate::views;
use crate::wire::Embed;

pub(crate) fn handle(
    server: &Server,
    app: &Arc<App>,
    req: &Req,
    tail: &[&str],
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    let fmt = req.format;
    let ok = |res: &crate::wire::Resource| Ok(respond::resource(StatusCode::OK, fmt, res));
    match tail {
        [] => {
            allow(req, "GET")?;
            drop(lock_live(server, app)?);
            ok(&views::people(h))
        }
        ["presenceSubscriptions"] => {
            allow(req, "GET, POST")?;
            // Read before this application is locked: never two application locks at once.
            let foreign = match (server.fault(), &req.method) {
                (Fault::CrossAppReadable, &Method::GET) => {
                    crate::ghost::sibling_subscriptions(server, app)
                }
                _ => Vec::new(),
            };
            let mut st = lock_live(server, app)?;
            if req.method == Method::GET {
                check_condition(&mut st, "list-subscriptions")?;
                let mut res = views::subscriptions(h, &st);
                if let Some((_, Embed::Many(list))) = res.embedded.first_mut() {
                    list.extend(foreign);
                }
                return ok(&res);
            }
            let pairs = req.query_pairs();
            let result = match query_get(&pairs, "groupId") {
                Some(group) => subscribe_group(server, h, req, &mut st, Some(group.to_owned())),
                None => create(server, h, req, &mut st),
            };
            drop(st);
            app.notify.notify_waiters();
            result
        }
        ["presenceSubscriptions", id] => {
            allow(req, "GET, POST, DELETE")?;
            let mut st = lock_live(server, app)?;
            if st.sub_index(id).is_none()
                && let Some(resp) = crate::ghost::ghost(server, h, req, &mut st, id)
            {
                return resp;
            }
            // OP-6: unknown or expired → 404 NotFound/ApplicationNotFound, as T-EX shows.
            let index = st.sub_index(id).ok_or_else(|| ended(&st, req, id))?;
            let op = match req.method {
                Method::GET => "get-subscription",
                Method::POST => "extend-subscription",
                _ => "delete-subscription",
            };
            if let Err(refused) = check_condition(&mut st, op) {
                if server.fault() == Fault::RefusedOperationApplies
                    && req.method == Method::POST
                    && let Ok(minutes) = req.input().and_then(|i| duration(server, req, &i))
                {
                    // Extends all the same, then answers the error.
                    st.extend(server, index, minutes);
                }
                return Err(refused);
            }
            refuse_system(server, req, &st, index)?;
            match req.method {
                Method::GET => ok(&views::subscription(h, &st.subs[index])),
                Method::POST => {
                    let input = req.input()?;
                    if server.fault() == Fault::ExtendQueryIgnored
                        && input.get("duration").is_none()
                    {
                        return Err(ApiError::parameter("duration", "is required"));
                    }
                    let minutes = duration(server, req, &input)?;
                    st.extend(server, index, minutes);
                    if server.fault() == Fault::ExtendNoBody {
                        return Ok(respond::empty(extended(server)));
                    }
                    // OP-4: 200 with the resource, as the real trace (T-EX).
                    let res = views::subscription(h, &st.subs[index]);
                    Ok(respond::resource(extended(server), fmt, &res))
                }
                _ => {
                    let res = views::subscription(h, &st.subs[index]);
                    if matches!(
                        server.fault(),
                        Fault::DeletedGet200 | Fault::RemovedContactStaysSubscribed
                    ) {
                        let sub = st.subs[index].clone();
                        st.bury(sub);
                    }
                    st.delete(server, h, index);
                    drop(st);
                    app.notify.notify_waiters();
                    if server.fault() == Fault::NoContent200 {
                        return ok(&res);
                    }
                    Ok(respond::no_content())
                }
            }
        }
        ["presenceSubscriptionMemberships"] => {
            allow(req, "GET, POST")?;
            let pairs = req.query_pairs();
            let id = match query_get(&pairs, "presenceSubscriptionId") {
                Some(id) => id.to_owned(),
                None if req.method == Method::GET => {
                    let mut st = lock_live(server, app)?;
                    check_condition(&mut st, "get-memberships")?;
                    let shown = match server.fault() {
                        Fault::PeopleMembershipsFirstOnly => 1,
                        _ => usize::MAX,
                    };
                    let subs = st.subs.iter().filter(|s| s.origin != Origin::System);
                    return ok(&views::memberships(
                        h,
                        h.all_memberships(),
                        subs.take(shown),
                    ));
                }
                // The people-level collection takes the subscription from the body (PSMS).
                None => {
                    drop(lock_live(server, app)?);
                    match req.input()?.string("presenceSubscriptionId") {
                        Ok(Some(id)) => id,
                        _ => {
                            return Err(ApiError::parameter(
                                "presenceSubscriptionId",
                                "names the subscription to add the contacts to",
                            ));
                        }
                    }
                }
            };
            let id = id.as_str();
            let mut st = lock_live(server, app)?;
            let index = st.sub_index(id).ok_or_else(ApiError::not_found)?;
            let op = if req.method == Method::GET {
                "get-memberships"
            } else {
                "add-contacts"
            };
            check_condition(&mut st, op)?;
            refuse_system(server, req, &st, index)?;
            let self_href = h.memberships(&st.subs[index].id);
            if req.method == Method::POST {
                let contacts = contact_list(&req.input()?, "contactUris")?;
                let sub = &st.subs[index];
                let mut total = sub.contacts.clone();
                total.extend(
                    contacts
                        .iter()
                        .filter(|c| !sub.contacts.contains(c))
                        .cloned(),
                );
                total.dedup();
                if total.len() > server.config.limits.contacts_per_subscription {
                    return Err(limit_exceeded());
                }
                st.add_contacts(server, h, index, contacts);
                let res = match server.fault() {
                    Fault::AddAnswersSubscription => views::subscription(h, &st.subs[index]),
                    _ => views::memberships(h, self_href, std::iter::once(&st.subs[index])),
                };
                drop(st);
                app.notify.notify_waiters();
                let status = match server.fault() {
                    Fault::Created200 => StatusCode::OK,
                    _ => StatusCode::CREATED,
                };
                return Ok(respond::resource(status, fmt, &res));
            }
            // `group-memberships-empty`: a group subscription lists none of its members.
            let hollow = server.fault() == Fault::GroupMembershipsEmpty
                && matches!(st.subs[index].origin, Origin::Group(_));
            let listed = std::iter::once(&st.subs[index]).filter(|_| !hollow);
            ok(&views::memberships(h, self_href, listed))
        }
        ["presenceSubscriptionMemberships", membership] => {
            allow(req, "GET, DELETE")?;
            let mut st = lock_live(server, app)?;
            let (index, uri) = find_membership(&st, membership).ok_or_else(ApiError::not_found)?;
            let op = if req.method == Method::GET {
                "get-memberships"
            } else {
                "delete-membership"
            };
            check_condition(&mut st, op)?;
            refuse_system(server, req, &st, index)?;
            if req.method == Method::GET {
                return ok(&views::membership(h, &st.subs[index], &uri));
            }
            let res = views::membership(h, &st.subs[index], &uri);
            st.remove_member(server, h, index, &uri);
            drop(st);
            app.notify.notify_waiters();
            if server.fault() == Fault::NoContent200 {
                return ok(&res);
            }
            Ok(respond::no_content())
        }
        ["subscribedContacts"] => {
            allow(req, "GET")?;
            let mut st = lock_live(server, app)?;
            check_condition(&mut st, "get-subscribed-contacts")?;
            let mut contacts = st.subscribed();
            if server.fault() == Fault::RemovedContactStaysSubscribed {
                for c in st.graveyard.iter().flat_map(|s| &s.contacts) {
                    if !contacts.contains(c) {
                        contacts.push(c.clone());
                    }
                }
            }
            ok(&views::subscribed_contacts(h, &contacts))
        }
        ["groups"] => {
            allow(req, "GET")?;
            drop(lock_live(server, app)?);
            ok(&views::my_groups(server, h))
        }
        ["groups", id] => {
            allow(req, "GET")?;
            drop(lock_live(server, app)?);
            let group = server
                .config
                .directory
                .group(id)
                .ok_or_else(ApiError::not_found)?;
            ok(&views::group(h, group))
        }
        [address] => {
            let uri = contact_uri(address)?;
            allow(req, "GET")?;
            drop(lock_live(server, app)?);
            ok(&views::contact(server, h, &uri))
        }
        [address, "presence"] => {
            let uri = contact_uri(address)?;
            allow(req, "GET")?;
            let st = lock_live(server, app)?;
            ok(&views::contact_presence(server, h, &st, &uri))
        }
        _ => Err(ApiError::not_found()),
    }
}

fn contact_uri(address: &str) -> Result<String, ApiError> {
    crate::sip::normalize_address(address)
        .map(|a| format!("sip:{a}"))
        .ok_or_else(ApiError::not_found)
}

/// The status of a successful extend (OP-4: 200 as T-EX; the `extend-201` variant: 201 as PS).
fn extended(server: &Server) -> StatusCode {
    if server.variant(Variant::Extend201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// The error for a subscription id this application does not hold: 404 ApplicationNotFound
/// (OP-6), or with the `gone-410` variant 410 Gone for GET and DELETE of one that ended
/// (OP-14). Extend keeps T-EX's 404, the only real trace of a request on an ended subscription.
fn ended(st: &AppState, req: &Req, id: &str) -> ApiError {
    if req.method != Method::POST && st.ended.iter().any(|e| e == id) {
        return ApiError::new(
            StatusCode::GONE,
            None,
            "The subscription was deleted or has expired.",
        );
    }
    ApiError::application_not_found()
}

fn limit_exceeded() -> ApiError {
    ApiError::forbidden(
        Some("LimitExceeded"),
        "The maximum number of subscriptions or contacts was reached.",
    )
}

/// System subscriptions cannot be accessed or modified (design 8); the `system-subscription-*`
/// profiles let one method through.
fn refuse_system(server: &Server, req: &Req, st: &AppState, index: usize) -> Result<(), ApiError> {
    let open = match server.fault() {
        Fault::SystemSubscriptionReadable => Method::GET,
        Fault::SystemSubscriptionExtendable => Method::POST,
        Fault::SystemSubscriptionDeletable => Method::DELETE,
        _ => Method::CONNECT,
    };
    if st.subs[index].origin == Origin::System && req.method != open {
        return Err(ApiError::forbidden(
            None,
            "The subscription was created by the system and cannot be accessed or modified.",
        ));
    }
    Ok(())
}

/// `{subscriptionId},{user@domain}` → (subscription index, contact URI).
fn find_membership(st: &AppState, membership: &str) -> Option<(usize, String)> {
    let (id, address) = membership.split_once(',')?;
    let uri = format!("sip:{}", crate::sip::normalize_address(address)?);
    let index = st.sub_index(id)?;
    st.subs[index]
        .contacts
        .contains(&uri)
        .then_some((index, uri))
}

fn created(fmt: crate::respond::Format, res: &crate::wire::Resource) -> Result<Response, ApiError> {
    let mut resp = respond::resource(StatusCode::CREATED, fmt, res);
    // OP-27: the location-absent variant sends none; otherwise the self href as written.
    if !fmt.shape.has(crate::variant::Variant::LocationAbsent)
        && let Ok(v) = HeaderValue::from_str(&fmt.shape.href(&res.href))
    {
        resp.headers_mut().insert(LOCATION, v);
    }
    Ok(resp)
}

/// POST presenceSubscriptions `{duration, uris}` → 201.
fn create(
    server: &Server,
    h: Hrefs<'_>,
    req: &Req,
    st: &mut AppState,
) -> Result<Response, ApiError> {
    if let Err(refused) = check_condition(st, "create-subscription") {
        if server.fault() == Fault::RefusedOperationApplies
            && let Ok(input) = req.input()
            && let (Ok(minutes), Ok(uris)) =
                (duration(server, req, &input), contact_list(&input, "uris"))
        {
            // Creates (and reports) the subscription all the same, then answers the error.
            st.create(server, h, uris, minutes, Origin::Adhoc);
        }
        return Err(refused);
    }
    let input = req.input()?;
    if server.fault() == Fault::InputLinksRefused
        && (input.get("_links").is_some() || input.get("_embedded").is_some())
    {
        return Err(ApiError::parameter(
            "_links",
            "is not an input of presenceSubscriptions",
        ));
    }
    if let Some(name) = input
        .undocumented(&["duration", "uris"])
        .filter(|_| server.variant(Variant::UnknownFieldRefused))
    {
        return Err(ApiError::parameter(
            name,
            "not a documented input of presenceSubscriptions",
        ));
    }
    let mut problems = Vec::new();
    let minutes = duration(server, req, &input)
        .map_err(|e| problems.extend(e.parameters))
        .ok();
    let uris = contact_list(&input, "uris")
        .map_err(|e| problems.extend(e.parameters))
        .ok();
    let (Some(minutes), Some(uris)) = (minutes, uris) else {
        if server.fault() == Fault::FailedOperationEvents {
            // Reports contacts as subscribed although nothing was created.
            if let Ok(uris) = contact_list(&input, "uris") {
                st.report_added(server, h, &uris);
            }
        }
        return Err(ApiError::parameters(problems));
    };
    let limits = server.config.limits;
    if st.counted_subs() >= limits.subscriptions || uris.len() > limits.contacts_per_subscription {
        return Err(limit_exceeded());
    }
    let index = st.create(server, h, uris, minutes, Origin::Adhoc);
    let res = views::subscription(h, &st.subs[index]);
    if server.fault() == Fault::Created200 {
        return Ok(respond::resource(StatusCode::OK, req.format, &res));
    }
    created(req.format, &res)
}

/// POST subscribeToGroupPresence (`…/presenceSubscriptions?groupId=`) with `duration` → 201;
/// a re-POST for the same group refreshes that subscription like an extend → 200 (OP-33).
fn subscribe_group(
    server: &Server,
    h: Hrefs<'_>,
    req: &Req,
    st: &mut AppState,
    group_id: Option<String>,
) -> Result<Response, ApiError> {
    let group_id = group_id.unwrap_or_default();
    let group = server
        .config
        .directory
        .group(&group_id)
        .ok_or_else(ApiError::not_found)?;
    check_condition(st, "subscribe-group")?;
    let minutes = duration(server, req, &req.input()?)?;
    let origin = Origin::Group(group.id.clone());
    if let Some(index) = st.subs.iter().position(|s| s.origin == origin) {
        st.extend(server, index, minutes);
        return Ok(respond::resource(
            extended(server),
            req.format,
            &views::subscription(h, &st.subs[index]),
        ));
    }
    if st.counted_subs() >= server.config.limits.subscriptions {
        return Err(limit_exceeded());
    }
    let index = st.create(server, h, group.members.clone(), minutes, origin);
    let res = views::subscription(h, &st.subs[index]);
    if server.fault() == Fault::Created200 {
        return Ok(respond::resource(StatusCode::OK, req.format, &res));
    }
    created(req.format, &res)
}
