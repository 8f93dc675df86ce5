//! people and what it holds besides subscriptions: subscribedContacts, a contact and its
//! contactPresence, myContacts, myGroups, one group, its contacts and a distribution group's
//! expansion.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use http::{Method, StatusCode};

use crate::config::directory::Group;
use crate::config::fault::Fault;
use crate::domain::application::App;
use crate::domain::hrefs::Hrefs;
use crate::domain::server::Server;
use crate::http::reply;
use crate::http::request::Req;
use crate::wire::error::ApiError;
use crate::wire::views;

/// `GET people`: only the links this server serves.
pub(crate) async fn people(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    drop(server.lock_live(&app)?);
    let res = views::people(Hrefs(&app.base));
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET subscribedContacts`: every contact a live subscription holds.
pub(crate) async fn subscribed_contacts(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let mut st = server.lock_live(&app)?;
    st.fire_condition("get-subscribed-contacts")?;
    let mut contacts = st.subscribed();
    if server.fault() == Fault::RemovedContactStaysSubscribed {
        for c in st.graveyard.iter().flat_map(|s| &s.contacts) {
            if !contacts.contains(c) {
                contacts.push(c.clone());
            }
        }
    }
    let res = views::subscribed_contacts(Hrefs(&app.base), &contacts);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET groups` (myGroups, in the T-SG shape).
pub(crate) async fn groups(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    drop(server.lock_live(&app)?);
    let res = views::my_groups(&server, Hrefs(&app.base));
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET groups/{id}`: one group of the directory.
pub(crate) async fn group(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let group = live_group(&server, &app, &id)?;
    let res = views::group(Hrefs(&app.base), group);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET people/contacts` (myContacts): the members of the user's groups.
pub(crate) async fn my_contacts(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    drop(server.lock_live(&app)?);
    let res = views::my_contacts(&server, Hrefs(&app.base));
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET groups/{id}/contacts` (groupContacts).
pub(crate) async fn group_contacts(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let group = live_group(&server, &app, &id)?;
    let res = views::group_contacts(&server, Hrefs(&app.base), group);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET groups/{id}/expand` (expandDistributionGroup): only a distribution group has one.
pub(crate) async fn expand_group(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let group = Some(live_group(&server, &app, &id)?)
        .filter(|g| g.kind == views::DISTRIBUTION_GROUP)
        .ok_or_else(ApiError::not_found)?;
    let res = views::expanded_group(&server, Hrefs(&app.base), group);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET people/{user@domain}`: the contact (any method is routed here: see [`contact_uri`]).
pub(crate) async fn contact(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, address)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let uri = contact_uri(&address, &req.method)?;
    drop(server.lock_live(&app)?);
    let res = views::contact(&server, Hrefs(&app.base), &uri);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET people/{user@domain}/presence`: the contact's presence as this application sees it
/// (any method is routed here: see [`contact_uri`]).
pub(crate) async fn contact_presence(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, address)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let uri = contact_uri(&address, &req.method)?;
    let st = server.lock_live(&app)?;
    let res = views::contact_presence(&server, Hrefs(&app.base), &st, &uri);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// The group `id` of the directory, asked for by a live application; 404 when there is none.
fn live_group<'s>(server: &'s Server, app: &App, id: &str) -> Result<&'s Group, ApiError> {
    drop(server.lock_live(app)?);
    server
        .config
        .directory
        .group(id)
        .ok_or_else(ApiError::not_found)
}

/// The contact a path segment names. A segment that is no `user@domain` names no resource, so
/// it is 404 whatever the method; only then does a method other than GET get 405. An axum
/// route cannot tell an address from other text, so these two routes take every method.
fn contact_uri(address: &str, method: &Method) -> Result<String, ApiError> {
    let uri = crate::sip::normalize_address(address)
        .map(|a| format!("sip:{a}"))
        .ok_or_else(ApiError::not_found)?;
    if *method != Method::GET {
        return Err(ApiError::method_not_allowed("GET"));
    }
    Ok(uri)
}
