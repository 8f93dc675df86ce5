//! The signed-in user's own presence: `makeMeAvailable` (leaving "lurker mode", digest 6.3,
//! OP-31) and `me/presence`, whose POST publishes the user's availability to every watcher.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::response::Response;
use http::StatusCode;

use crate::config::variant::Variant;
use crate::domain::application::{App, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::publication::publish;
use crate::domain::server::Server;
use crate::wire::error::ApiError;
use crate::wire::input::Input;
use crate::wire::views;

use super::reply;
use super::request::Req;

/// The availabilities a user may choose (the Idle ones and Offline are the server's to say).
const SETTABLE: [&str; 6] = [
    "Online",
    "Away",
    "BeRightBack",
    "Busy",
    "DoNotDisturb",
    "Offwork",
];

/// `POST {app}/communication/makeMeAvailable` → 204, again and again. The first one sends the
/// events a real server sends, and publishes Online unless the user published already.
pub(crate) async fn make_me_available(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let mut st = server.lock_live(&app)?;
    // Read only so that a malformed body is refused as everywhere: what SfB Online clients
    // send (SupportedModalities and the like) changes nothing on a presence-only server.
    req.input()?;
    let first = !st.available;
    if first {
        st.available = true;
        st.queue_available(&server, Hrefs(&app.base));
    }
    let last_active = server.wall_ms(server.app_now(st.offset));
    drop(st);
    app.notify.notify_waiters();
    if first && let Some(uri) = server.config.directory.uri_at(app.owner) {
        publish(&server, &uri, "Online", last_active, true);
    }
    Ok(reply::no_content())
}

/// `GET {app}/me/presence`: the user's own presence; 409 MakeMeAvailableRequired before
/// makeMeAvailable, except under the `startup-events` variant, whose `presence` added event
/// links it from the start.
pub(crate) async fn presence(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let st = server.lock_live(&app)?;
    if !server.variant(Variant::StartupEvents) {
        made_available(&st)?;
    }
    let res = views::my_presence(&server, Hrefs(&app.base), app.owner, &st);
    Ok(reply::resource(StatusCode::OK, req.format, &res))
}

/// `POST {app}/me/presence {availability}` → 204: publishes it (409 before makeMeAvailable).
pub(crate) async fn publish_presence(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let st = server.lock_live(&app)?;
    made_available(&st)?;
    let availability = settable(&req.input()?)?;
    let last_active = server.wall_ms(server.app_now(st.offset));
    // Publishing locks every application, this one included.
    drop(st);
    let uri = server
        .config
        .directory
        .uri_at(app.owner)
        .ok_or_else(ApiError::not_found)?;
    publish(&server, &uri, availability, last_active, false);
    Ok(reply::no_content())
}

/// 409 MakeMeAvailableRequired until the application made the user available.
fn made_available(st: &AppState) -> Result<(), ApiError> {
    if st.available {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        Some("MakeMeAvailableRequired"),
        "The application must make the user available (makeMeAvailable) first.",
    ))
}

/// The chosen availability, spelled as the server spells it; anything else → 400.
fn settable(input: &Input) -> Result<&'static str, ApiError> {
    let chosen = input.string("availability").ok().flatten();
    let found = chosen.and_then(|c| {
        SETTABLE
            .iter()
            .copied()
            .find(|s| s.eq_ignore_ascii_case(c.trim()))
    });
    match found {
        // Watchers read it in contactPresence, whose availability has no Offwork (digest
        // 2.11): they see the nearest one it has.
        Some("Offwork") => Ok("Away"),
        Some(a) => Ok(a),
        None => Err(ApiError::parameter(
            "availability",
            "must be one of Online, Away, BeRightBack, Busy, DoNotDisturb, Offwork",
        )),
    }
}
