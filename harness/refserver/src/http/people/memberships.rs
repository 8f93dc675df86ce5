//! presenceSubscriptionMemberships: every membership (people level), one subscription's
//! (`?presenceSubscriptionId=`), addToPresenceSubscription (POST `{contactUris}`), and one
//! membership `{subscriptionId},{user@domain}` (GET, DELETE).

use std::sync::{Arc, MutexGuard};

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use http::StatusCode;

use crate::config::fault::Fault;
use crate::domain::application::{App, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::Server;
use crate::domain::subscription::Origin;
use crate::http::reply;
use crate::http::request::Req;
use crate::wire::error::ApiError;
use crate::wire::input::query_get;
use crate::wire::views;

use super::rules::{limit_exceeded, refuse_system};
use super::subscription_input::contact_list;

/// `GET presenceSubscriptionMemberships[?presenceSubscriptionId=]`: the memberships of every
/// subscription (system ones aside), or of the one named.
pub(crate) async fn list(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    let pairs = req.query_pairs();
    let Some(id) = query_get(&pairs, "presenceSubscriptionId") else {
        let mut st = server.lock_live(&app)?;
        st.fire_condition("get-memberships")?;
        let shown = match server.fault() {
            Fault::PeopleMembershipsFirstOnly => 1,
            _ => usize::MAX,
        };
        let subs = st.subs.iter().filter(|s| s.origin != Origin::System);
        let res = views::memberships(h, h.all_memberships(), subs.take(shown));
        return Ok(reply::resource(StatusCode::OK, req.format, &res));
    };
    let (st, index) = subscription_of(&server, &app, &req, id, "get-memberships")?;
    // `group-memberships-empty`: a group subscription lists none of its members.
    let hollow = server.fault() == Fault::GroupMembershipsEmpty
        && matches!(st.subs[index].origin, Origin::Group(_));
    let listed = std::iter::once(&st.subs[index]).filter(|_| !hollow);
    let res = views::memberships(h, h.memberships(&st.subs[index].id), listed);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `POST presenceSubscriptionMemberships[?presenceSubscriptionId=] {contactUris}` → 201: adds
/// contacts to the subscription named in the query, or (people level, PSMS) in the body.
pub(crate) async fn add(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    let pairs = req.query_pairs();
    let id = match query_get(&pairs, "presenceSubscriptionId") {
        Some(id) => id.to_owned(),
        None => {
            drop(server.lock_live(&app)?);
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
    let (mut st, index) = subscription_of(&server, &app, &req, &id, "add-contacts")?;
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
    st.add_contacts(&server, h, index, contacts);
    let res = match server.fault() {
        Fault::AddAnswersSubscription => views::subscription(h, &st.subs[index]),
        _ => {
            let self_href = h.memberships(&st.subs[index].id);
            views::memberships(h, self_href, std::iter::once(&st.subs[index]))
        }
    };
    drop(st);
    app.notify.notify_waiters();
    let status = match server.fault() {
        Fault::Created200 => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    Ok(reply::resource(status, req.format, &res))
}

/// `GET presenceSubscriptionMemberships/{subscriptionId},{user@domain}`.
pub(crate) async fn get(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, membership)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let (st, index, uri) = membership_of(&server, &app, &req, &membership, "get-memberships")?;
    let res = views::membership(Hrefs(&app.base), &st.subs[index], &uri);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `DELETE presenceSubscriptionMemberships/{subscriptionId},{user@domain}` → 204: the contact
/// leaves the subscription.
pub(crate) async fn delete(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, membership)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    let (mut st, index, uri) =
        membership_of(&server, &app, &req, &membership, "delete-membership")?;
    let res = views::membership(h, &st.subs[index], &uri);
    st.remove_member(&server, h, index, &uri);
    drop(st);
    app.notify.notify_waiters();
    if server.fault() == Fault::NoContent200 {
        return Ok(reply::resource(StatusCode::OK, req.format, &res));
    }
    Ok(reply::no_content())
}

/// The subscription `id` names (404 if none), after the condition set on `operation` and the
/// refusal of system subscriptions.
fn subscription_of<'a>(
    server: &Server,
    app: &'a App,
    req: &Req,
    id: &str,
    operation: &'static str,
) -> Result<(MutexGuard<'a, AppState>, usize), ApiError> {
    let mut st = server.lock_live(app)?;
    let index = st.sub_index(id).ok_or_else(ApiError::not_found)?;
    st.fire_condition(operation)?;
    refuse_system(server, &req.method, &st, index)?;
    Ok((st, index))
}

/// The membership `{subscriptionId},{user@domain}` names (404 if none): its subscription's
/// index and the contact URI, after the condition set on `operation` and the refusal of
/// system subscriptions.
fn membership_of<'a>(
    server: &Server,
    app: &'a App,
    req: &Req,
    membership: &str,
    operation: &'static str,
) -> Result<(MutexGuard<'a, AppState>, usize, String), ApiError> {
    let mut st = server.lock_live(app)?;
    let (index, uri) = find_membership(&st, membership).ok_or_else(ApiError::not_found)?;
    st.fire_condition(operation)?;
    refuse_system(server, &req.method, &st, index)?;
    Ok((st, index, uri))
}

/// `{subscriptionId},{user@domain}` → (subscription index, contact URI). An axum route cannot
/// split one segment, so the comma is read here.
fn find_membership(st: &AppState, membership: &str) -> Option<(usize, String)> {
    let (id, address) = membership.split_once(',')?;
    let uri = format!("sip:{}", crate::sip::normalize_address(address)?);
    let index = st.sub_index(id)?;
    st.subs[index]
        .contacts
        .contains(&uri)
        .then_some((index, uri))
}
