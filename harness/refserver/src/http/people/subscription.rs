//! One presenceSubscription: GET, extend (POST `{duration}` or `?duration=`) and DELETE.

use std::sync::{Arc, MutexGuard};

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use http::{Method, StatusCode};

use crate::config::fault::Fault;
use crate::domain::application::{App, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::Server;
use crate::http::reply;
use crate::http::request::Req;
use crate::wire::error::ApiError;
use crate::wire::views;

use super::fault_answers::ghost;
use super::rules::{extended, refuse_system};
use super::subscription_input::duration;

/// What a request on one subscription finds.
enum Located<'a> {
    /// The live subscription (its index), the application locked, every check passed.
    Live(MutexGuard<'a, AppState>, usize),
    /// What a fault profile answers for a subscription that ended.
    Ghost(Response),
}

/// `GET presenceSubscriptions/{id}`.
pub(crate) async fn get(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let (st, index) = match locate(&server, &app, &req, &id, "get-subscription")? {
        Located::Live(st, index) => (st, index),
        Located::Ghost(resp) => return Ok(resp),
    };
    let res = views::subscription(Hrefs(&app.base), &st.subs[index]);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `POST presenceSubscriptions/{id}`: remaining = min(remaining + duration, 30 min); 200 with
/// the resource (OP-4).
pub(crate) async fn extend(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let (mut st, index) = match locate(&server, &app, &req, &id, "extend-subscription")? {
        Located::Live(st, index) => (st, index),
        Located::Ghost(resp) => return Ok(resp),
    };
    let input = req.input()?;
    if server.fault() == Fault::ExtendQueryIgnored && input.get("duration").is_none() {
        return Err(ApiError::parameter("duration", "is required"));
    }
    let minutes = duration(&server, &req, &input)?;
    st.extend(&server, index, minutes);
    if server.fault() == Fault::ExtendNoBody {
        return Ok(reply::empty(extended(&server)));
    }
    let res = views::subscription(Hrefs(&app.base), &st.subs[index]);
    Ok(reply::resource(extended(&server), req.format, &res))
}

/// `DELETE presenceSubscriptions/{id}` → 204, with the events of T-DEL.
pub(crate) async fn delete(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    Path((_, id)): Path<(String, String)>,
    req: Req,
) -> Result<Response, ApiError> {
    let (mut st, index) = match locate(&server, &app, &req, &id, "delete-subscription")? {
        Located::Live(st, index) => (st, index),
        Located::Ghost(resp) => return Ok(resp),
    };
    let h = Hrefs(&app.base);
    let res = views::subscription(h, &st.subs[index]);
    if matches!(
        server.fault(),
        Fault::DeletedGet200 | Fault::RemovedContactStaysSubscribed
    ) {
        let sub = st.subs[index].clone();
        st.bury(sub);
    }
    st.delete(&server, h, index);
    drop(st);
    app.notify.notify_waiters();
    if server.fault() == Fault::NoContent200 {
        return Ok(reply::resource(StatusCode::OK, req.format, &res));
    }
    Ok(reply::no_content())
}

/// The subscription `id` of the application, after what every method checks first: that it
/// exists (OP-6, OP-14), the condition set on `operation`, and that the system does not own it.
fn locate<'a>(
    server: &Server,
    app: &'a App,
    req: &Req,
    id: &str,
    operation: &'static str,
) -> Result<Located<'a>, ApiError> {
    let h = Hrefs(&app.base);
    let mut st = server.lock_live(app)?;
    if st.sub_index(id).is_none()
        && let Some(answer) = ghost(server, h, req, &mut st, id)
    {
        return answer.map(Located::Ghost);
    }
    let index = st
        .sub_index(id)
        .ok_or_else(|| ended(&st, &req.method, id))?;
    if let Err(refused) = st.fire_condition(operation) {
        if server.fault() == Fault::RefusedOperationApplies
            && req.method == Method::POST
            && let Ok(minutes) = req.input().and_then(|i| duration(server, req, &i))
        {
            // Extends all the same, then answers the error.
            st.extend(server, index, minutes);
        }
        return Err(refused.into());
    }
    refuse_system(server, &req.method, &st, index)?;
    Ok(Located::Live(st, index))
}

/// The error for a subscription id this application does not hold: 404 ApplicationNotFound
/// (OP-6, as T-EX shows), or with the `gone-410` variant 410 Gone for GET and DELETE of one
/// that ended (OP-14). Extend keeps T-EX's 404, the only real trace of a request on an ended
/// subscription.
fn ended(st: &AppState, method: &Method, id: &str) -> ApiError {
    if *method != Method::POST && st.ended.iter().any(|e| e == id) {
        return ApiError::new(
            StatusCode::GONE,
            None,
            "The subscription was deleted or has expired.",
        );
    }
    ApiError::application_not_found()
}
