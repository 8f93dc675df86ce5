//! The applications collection and one application: create (digest 6.3), GET, DELETE, and its
//! small satellite resources (me, communication, onlineMeetings, policies).

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::response::Response;
use http::StatusCode;

use crate::config::fault::Fault;
use crate::domain::application::{App, AppProps, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::{Server, run_timers};
use crate::domain::startup;
use crate::domain::subscription::Origin;
use crate::domain::tokens::Caller;
use crate::wire::error::ApiError;
use crate::wire::input::Input;
use crate::wire::resource::Resource;
use crate::wire::views;

use super::reply;
use super::request::Req;

/// Longest accepted application property (digest 6.3).
const MAX_PROPERTY: usize = 100;

/// `POST applications {userAgent, endpointId, culture, instanceId?}` → 201 the application.
pub(crate) async fn create(
    State(server): State<Arc<Server>>,
    Extension(caller): Extension<Caller>,
    req: Req,
) -> Result<Response, ApiError> {
    let input = req.input()?;
    let mut problems = Vec::new();
    let user_agent = app_property(&input, "userAgent", true, &mut problems);
    let endpoint_id = app_property(&input, "endpointId", true, &mut problems);
    let culture = app_property(&input, "culture", true, &mut problems);
    let instance_id = app_property(&input, "instanceId", false, &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::parameters(problems));
    }
    let props = AppProps {
        user_agent: user_agent.unwrap_or_default(),
        endpoint_id: endpoint_id.unwrap_or_default(),
        culture: culture.unwrap_or_default(),
        instance_id,
    };
    let now = server.app_now(std::time::Duration::ZERO);
    let Some(app) = server.insert_app(caller, AppState::new(props, now)) else {
        return Err(ApiError::new(
            StatusCode::GONE,
            Some("TooManyApplications"),
            "The server holds too many applications.",
        ));
    };
    tokio::spawn(run_timers(Arc::clone(&server), Arc::clone(&app)));
    let mut st = app.lock();
    startup::prepare(&server, Hrefs(&app.base), app.owner, &mut st);
    let res = views::application(&server, Hrefs(&app.base), &app.id, app.owner, &st);
    let status = match server.fault() {
        Fault::Created200 => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    Ok(reply::resource(status, req.format, &res))
}

/// `GET` the application, with its embedded me, people, onlineMeetings and communication.
pub(crate) async fn get(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let st = server.lock_live(&app)?;
    let res = views::application(&server, Hrefs(&app.base), &app.id, app.owner, &st);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `DELETE` the application: tears everything down; later requests (the channel included)
/// get 404.
pub(crate) async fn delete(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
) -> Result<Response, ApiError> {
    let mut st = server.lock_live(&app)?;
    if server.fault() == Fault::ApplicationDeleteKeeps {
        // Says it is gone, and lives on.
        return Ok(reply::no_content());
    }
    st.deleted = true;
    st.subs.clear();
    drop(st);
    server.remove_app(&app.id);
    app.notify.notify_waiters();
    if server.fault() == Fault::CrossAppDeletable {
        // Ends the subscriptions of the user's other applications as well.
        for other in server.sibling_apps(&app) {
            let mut st = other.lock();
            while let Some(i) = st.subs.iter().position(|s| s.origin != Origin::System) {
                st.delete(&server, Hrefs(&other.base), i);
            }
            drop(st);
            other.notify.notify_waiters();
        }
    }
    Ok(reply::no_content())
}

/// `GET me`: the signed-in user, linking makeMeAvailable or, once available, presence.
pub(crate) async fn me(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let available = server.lock_live(&app)?.available;
    let res = views::me(&server, Hrefs(&app.base), app.owner, available);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `GET communication`.
pub(crate) async fn communication(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    satellite(&server, &app, &req, views::communication)
}

/// `GET onlineMeetings`.
pub(crate) async fn online_meetings(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    satellite(&server, &app, &req, views::online_meetings)
}

/// `GET policies`.
pub(crate) async fn policies(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    satellite(&server, &app, &req, views::policies)
}

/// A resource of the application that only its href determines.
fn satellite(
    server: &Server,
    app: &App,
    req: &Req,
    view: fn(Hrefs<'_>) -> Resource,
) -> Result<Response, ApiError> {
    drop(server.lock_live(app)?);
    Ok(reply::resource(
        StatusCode::OK,
        req.format,
        &view(Hrefs(&app.base)),
    ))
}

/// Reads one application property: present (when `required`), a string, 1..=100 characters.
fn app_property(
    input: &Input,
    name: &str,
    required: bool,
    problems: &mut Vec<(String, String)>,
) -> Option<String> {
    match input.string(name) {
        Ok(Some(v)) if !v.trim().is_empty() && v.chars().count() <= MAX_PROPERTY => Some(v),
        Ok(None) if !required => None,
        Ok(None) => {
            problems.push((name.to_owned(), "is required".to_owned()));
            None
        }
        _ => {
            problems.push((
                name.to_owned(),
                format!("must be a non-empty string of at most {MAX_PROPERTY} characters"),
            ));
            None
        }
    }
}
