//! What some fault profiles answer where the faithful server has nothing to say: a subscription
//! that ended (`deleted-get-200`, `expired-extendable`) and the subscriptions of the caller's
//! other applications (`cross-app-readable`). Kept apart so the handlers read as the faithful
//! server does.

use axum::response::Response;
use http::{Method, StatusCode};

use crate::config::fault::Fault;
use crate::domain::application::{App, AppState};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::Server;
use crate::domain::subscription::Origin;
use crate::http::reply;
use crate::http::request::Req;
use crate::wire::error::ApiError;
use crate::wire::resource::Resource;
use crate::wire::views;

use super::subscription_input::duration;

/// What the `deleted-get-200` and `expired-extendable` profiles answer for an ended
/// subscription; `None` (the faithful 404) otherwise.
pub(crate) fn ghost(
    server: &Server,
    h: Hrefs<'_>,
    req: &Req,
    st: &mut AppState,
    id: &str,
) -> Option<Result<Response, ApiError>> {
    let at = st.graveyard.iter().position(|s| s.id == id)?;
    match (server.fault(), &req.method) {
        (Fault::DeletedGet200, &Method::GET) => Some(Ok(reply::resource(
            StatusCode::OK,
            req.format,
            &views::subscription(h, &st.graveyard[at]),
        ))),
        (Fault::ExpiredExtendable, &Method::POST) => {
            let minutes = match req.input().and_then(|input| duration(server, req, &input)) {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            let mut sub = st.graveyard.remove(at);
            sub.expires_at = server.app_now(st.offset);
            sub.warned = false;
            st.subs.push(sub);
            let index = st.subs.len() - 1;
            st.extend(server, index, minutes);
            Some(Ok(reply::resource(
                StatusCode::OK,
                req.format,
                &views::subscription(h, &st.subs[index]),
            )))
        }
        _ => None,
    }
}

/// The `cross-app-readable` profile: the subscriptions of the caller's other applications.
pub(crate) fn sibling_subscriptions(server: &Server, app: &App) -> Vec<Resource> {
    let mut out = Vec::new();
    for other in server.sibling_apps(app) {
        let st = other.lock();
        let h = Hrefs(&other.base);
        out.extend(
            st.subs
                .iter()
                .filter(|s| s.origin != Origin::System)
                .map(|s| views::subscription(h, s)),
        );
    }
    out
}
