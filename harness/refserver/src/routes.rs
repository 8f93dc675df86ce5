//! Routes under `/ucwa/oauth/v1/applications`: the collection, one application and its
//! small satellite resources; people and events are delegated.

use std::sync::{Arc, MutexGuard};

use axum::response::Response;
use http::{Method, StatusCode};

use crate::app::{AppProps, AppState, Hrefs, Origin};
use crate::error::ApiError;
use crate::fault::Fault;
use crate::respond;
use crate::router::{Req, allow};
use crate::state::{App, Caller, Server};
use crate::views;

/// Longest accepted application property (digest 6.3).
const MAX_PROPERTY: usize = 100;

pub(crate) async fn handle(
    server: &Arc<Server>,
    req: &Req,
    caller: Caller,
    rest: &[&str],
) -> Response {
    let result = match rest {
        [] => create_application(server, req, caller),
        [id, tail @ ..] => match server.app(id, caller) {
            None => Err(ApiError::application_not_found()),
            Some(app) => {
                if tail == ["events"] {
                    return crate::events::pget(server, &app, req).await;
                }
                application_route(server, &app, req, tail)
            }
        },
    };
    result.unwrap_or_else(|e| e.shaped(server).into_response(req.format))
}

/// Locks a live application, firing its due timers first; a gone application → 404.
pub(crate) fn lock_live<'a>(
    server: &Server,
    app: &'a App,
) -> Result<MutexGuard<'a, AppState>, ApiError> {
    let mut st = app.lock();
    if st.tick(server, Hrefs(&app.base)) {
        app.notify.notify_waiters();
    }
    if st.deleted {
        drop(st);
        server.remove_app(&app.id);
        app.notify.notify_waiters();
        return Err(ApiError::application_not_found());
    }
    Ok(st)
}

fn application_route(
    server: &Server,
    app: &Arc<App>,
    req: &Req,
    tail: &[&str],
) -> Result<Response, ApiError> {
    let h = Hrefs(&app.base);
    match tail {
        [] => {
            allow(req, "GET, DELETE")?;
            let mut st = lock_live(server, app)?;
            if req.method == Method::DELETE {
                if server.fault() == Fault::ApplicationDeleteKeeps {
                    // Says it is gone, and lives on.
                    return Ok(respond::no_content());
                }
                // Tears everything down; later requests (the channel included) get 404.
                st.deleted = true;
                st.subs.clear();
                drop(st);
                server.remove_app(&app.id);
                app.notify.notify_waiters();
                if server.fault() == Fault::CrossAppDeletable {
                    // Ends the subscriptions of the user's other applications as well.
                    for other in server.sibling_apps(app) {
                        let mut st = other.lock();
                        while let Some(i) = st.subs.iter().position(|s| s.origin != Origin::System)
                        {
                            st.delete(server, Hrefs(&other.base), i);
                        }
                        drop(st);
                        other.notify.notify_waiters();
                    }
                }
                return Ok(respond::no_content());
            }
            let res = views::application(server, h, &app.id, app.owner, &st);
            Ok(respond::resource(StatusCode::OK, req.format, &res))
        }
        ["me"] | ["communication"] | ["onlineMeetings"] | ["policies"] => {
            allow(req, "GET")?;
            let available = lock_live(server, app)?.available;
            let res = match tail[0] {
                "me" => views::me(server, h, app.owner, available),
                "communication" => views::communication(h),
                "policies" => views::policies(h),
                _ => crate::wire::Resource::new("onlineMeetings", h.at("onlineMeetings")),
            };
            Ok(respond::resource(StatusCode::OK, req.format, &res))
        }
        ["me", "presence"] => crate::me::presence(server, app, req),
        ["communication", "makeMeAvailable"] => crate::me::make_me_available(server, app, req),
        ["batch"] => {
            allow(req, "POST")?;
            drop(lock_live(server, app)?);
            let media = req
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if media.to_ascii_lowercase().starts_with("multipart/batching") {
                Err(ApiError::bad_request(
                    "Batch requests are not supported by this reference server.",
                ))
            } else {
                Err(ApiError::unsupported_media_type())
            }
        }
        ["people", people_tail @ ..] => crate::people::handle(server, app, req, people_tail),
        _ => Err(ApiError::not_found()),
    }
}

/// Reads one required application property: present, a string, 1..=100 characters.
fn app_property(
    input: &crate::input::Input,
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

fn create_application(
    server: &Arc<Server>,
    req: &Req,
    caller: Caller,
) -> Result<Response, ApiError> {
    allow(req, "POST")?;
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
    tokio::spawn(crate::timer::run(Arc::clone(server), Arc::clone(&app)));
    let mut st = app.lock();
    crate::startup::prepare(server, Hrefs(&app.base), app.owner, &mut st);
    let res = views::application(server, Hrefs(&app.base), &app.id, app.owner, &st);
    let status = match server.fault() {
        Fault::Created200 => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    Ok(respond::resource(status, req.format, &res))
}
