//! The signed-in user's own presence: `makeMeAvailable` (leaving "lurker mode", digest 6.3,
//! OP-31) and `me/presence`, whose POST publishes the user's availability to every watcher.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use crate::app::{AppState, Hrefs};
use crate::channel::Event;
use crate::directory::Presence;
use crate::error::ApiError;
use crate::input::Input;
use crate::respond;
use crate::router::{Req, allow};
use crate::routes::lock_live;
use crate::state::{App, Server};
use crate::variant::Variant;
use crate::wire::Resource;

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
pub(crate) fn make_me_available(
    server: &Server,
    app: &Arc<App>,
    req: &Req,
) -> Result<Response, ApiError> {
    allow(req, "POST")?;
    let mut st = lock_live(server, app)?;
    // Read only so that a malformed body is refused as everywhere: what SfB Online clients
    // send (SupportedModalities and the like) changes nothing on a presence-only server.
    req.input()?;
    let first = !st.available;
    if first {
        st.available = true;
        queue_available_events(server, Hrefs(&app.base), &mut st);
    }
    let last_active = server.wall_ms(server.app_now(st.offset));
    drop(st);
    app.notify.notify_waiters();
    if first && let Some(uri) = own_uri(server, app.owner) {
        publish(server, &uri, "Online", last_active, true);
    }
    Ok(respond::no_content())
}

/// `{app}/me/presence`: GET the user's own presence, POST `{availability}` to publish it;
/// both 409 MakeMeAvailableRequired before makeMeAvailable, except GET under the
/// `startup-events` variant, whose `presence` added event links it from the start.
pub(crate) fn presence(server: &Server, app: &Arc<App>, req: &Req) -> Result<Response, ApiError> {
    allow(req, "GET, POST")?;
    let st = lock_live(server, app)?;
    let startup_get = req.method == Method::GET && server.variant(Variant::StartupEvents);
    if !st.available && !startup_get {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            Some("MakeMeAvailableRequired"),
            "The application must make the user available (makeMeAvailable) first.",
        ));
    }
    if req.method == Method::GET {
        let res = my_presence(server, Hrefs(&app.base), app.owner, &st);
        return Ok(respond::resource(StatusCode::OK, req.format, &res));
    }
    let availability = settable(&req.input()?)?;
    let last_active = server.wall_ms(server.app_now(st.offset));
    // Publishing locks every application, this one included.
    drop(st);
    let uri = own_uri(server, app.owner).ok_or_else(ApiError::not_found)?;
    publish(server, &uri, availability, last_active, false);
    Ok(respond::no_content())
}

/// `me` updated and `presence` added from sender `me`: what a real server sends as the user
/// becomes available (after makeMeAvailable, or as the application comes up under
/// `startup-events`).
pub(crate) fn queue_available_events(server: &Server, h: Hrefs<'_>, st: &mut AppState) {
    let now = server.app_now(st.offset);
    for ev in [
        Event::from_sender(h, "me", "me", h.at("me"), "updated"),
        Event::from_sender(h, "me", "presence", h.at("me/presence"), "added"),
    ] {
        // Neither is a contact presence update, so nothing can merge with them.
        st.channel.push(ev, now, false);
    }
}

/// The `presence` resource: the signed-in user's own presence as this application sees it.
pub(crate) fn my_presence(server: &Server, h: Hrefs<'_>, owner: usize, st: &AppState) -> Resource {
    let uri = own_uri(server, owner).unwrap_or_default();
    let p = st.presence_of(server, &uri);
    Resource::new("presence", h.at("me/presence"))
        .str("availability", p.availability)
        .opt_str("activity", p.activity.as_ref())
}

fn own_uri(server: &Server, owner: usize) -> Option<String> {
    server
        .config
        .directory
        .user_at(owner)
        .and_then(|u| crate::sip::normalize(&u.uri))
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

/// Makes `uri`'s presence `availability` server-wide and tells every application, as the
/// control protocol does for one (`contactPresence updated` to those subscribed to `uri`).
/// With `keep_published`, an earlier publication stays as it is. The caller holds no
/// application lock. Deleting or expiring the publisher's application leaves the presence
/// published: a simplification, as nothing in the suite depends on a user going offline.
fn publish(server: &Server, uri: &str, availability: &str, last_active: i64, keep_published: bool) {
    let _turn = server.publishing.lock().unwrap_or_else(|p| p.into_inner());
    if keep_published && server.published(uri).is_some() {
        return;
    }
    let previous = server.presence(uri);
    let presence = Presence {
        availability: availability.to_owned(),
        // An activity belongs to the old state; the user chose an availability only.
        activity: None,
        device_type: previous.device_type.clone(),
        last_active,
    };
    // Published before the applications are told, so one created meanwhile sees it too.
    server.publish(uri, presence.clone());
    for app in server.all_apps() {
        // A gone application is skipped (and forgotten by lock_live).
        let Ok(mut st) = lock_live(server, &app) else {
            continue;
        };
        // What this application showed until now, unless the control protocol changed it
        // here: `presence-on-change-only` compares with that, not with the new publication.
        st.presence
            .entry(uri.to_owned())
            .or_insert_with(|| previous.clone());
        st.set_presence(server, Hrefs(&app.base), uri, presence.clone());
        drop(st);
        app.notify.notify_waiters();
    }
}
