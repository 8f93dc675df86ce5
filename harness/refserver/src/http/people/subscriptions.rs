//! The presenceSubscriptions collection: list (GET), create (POST `{duration, uris}`) and
//! subscribeToGroupPresence (POST `?groupId=`).

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::response::Response;
use http::StatusCode;

use crate::config::fault::Fault;
use crate::config::variant::Variant;
use crate::domain::application::{App, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::Server;
use crate::domain::subscription::Origin;
use crate::http::reply;
use crate::http::request::Req;
use crate::wire::error::ApiError;
use crate::wire::input::query_get;
use crate::wire::resource::Embed;
use crate::wire::views;

use super::fault_answers::sibling_subscriptions;
use super::rules::{created, extended, limit_exceeded};
use super::subscription_input::{contact_list, duration};

/// `GET presenceSubscriptions`: every subscription of the application.
pub(crate) async fn list(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    // Read before this application is locked: never two application locks at once.
    let foreign = match server.fault() {
        Fault::CrossAppReadable => sibling_subscriptions(&server, &app),
        _ => Vec::new(),
    };
    let mut st = server.lock_live(&app)?;
    st.fire_condition("list-subscriptions")?;
    let mut res = views::subscriptions(Hrefs(&app.base), &st);
    if let Some((_, Embed::Many(list))) = res.embedded.first_mut() {
        list.extend(foreign);
    }
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `POST presenceSubscriptions`: a new subscription, or with `?groupId=` one to a group.
pub(crate) async fn create(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    let mut st = server.lock_live(&app)?;
    let pairs = req.query_pairs();
    let result = match query_get(&pairs, "groupId") {
        Some(group) => subscribe_group(&server, h, &req, &mut st, group),
        None => create_adhoc(&server, h, &req, &mut st),
    };
    drop(st);
    app.notify.notify_waiters();
    result
}

/// POST presenceSubscriptions `{duration, uris}` → 201.
fn create_adhoc(
    server: &Server,
    h: Hrefs<'_>,
    req: &Req,
    st: &mut AppState,
) -> Result<Response, ApiError> {
    if let Err(refused) = st.fire_condition("create-subscription") {
        if server.fault() == Fault::RefusedOperationApplies
            && let Ok(input) = req.input()
            && let (Ok(minutes), Ok(uris)) =
                (duration(server, req, &input), contact_list(&input, "uris"))
        {
            // Creates (and reports) the subscription all the same, then answers the error.
            st.create(server, h, uris, minutes, Origin::Adhoc);
        }
        return Err(refused.into());
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
        return Ok(reply::resource(StatusCode::OK, req.format, &res));
    }
    Ok(created(req.format, &res))
}

/// POST subscribeToGroupPresence (`…/presenceSubscriptions?groupId=`) with `duration` → 201;
/// a re-POST for the same group refreshes that subscription like an extend → 200 (OP-33).
fn subscribe_group(
    server: &Server,
    h: Hrefs<'_>,
    req: &Req,
    st: &mut AppState,
    group_id: &str,
) -> Result<Response, ApiError> {
    let group = server
        .config
        .directory
        .group(group_id)
        .ok_or_else(ApiError::not_found)?;
    st.fire_condition("subscribe-group")?;
    let minutes = duration(server, req, &req.input()?)?;
    let origin = Origin::Group(group.id.clone());
    if let Some(index) = st.subs.iter().position(|s| s.origin == origin) {
        st.extend(server, index, minutes);
        return Ok(reply::resource(
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
        return Ok(reply::resource(StatusCode::OK, req.format, &res));
    }
    Ok(created(req.format, &res))
}
