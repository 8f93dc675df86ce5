//! What the subscription resources share: system subscriptions refused, the limit, the status
//! of an extend and the `Location` of a creation.

use axum::response::Response;
use http::header::{HeaderValue, LOCATION};
use http::{Method, StatusCode};

use crate::config::fault::Fault;
use crate::config::variant::Variant;
use crate::domain::application::AppState;
use crate::domain::subscription::Origin;
use crate::domain::world::World;
use crate::http::reply;
use crate::wire::error::ApiError;
use crate::wire::format::Format;
use crate::wire::resource::Resource;

/// System subscriptions cannot be accessed or modified (design 8); the `system-subscription-*`
/// profiles let one method through.
pub(crate) fn refuse_system(
    world: &World,
    method: &Method,
    st: &AppState,
    index: usize,
) -> Result<(), ApiError> {
    let open = match world.fault() {
        Fault::SystemSubscriptionReadable => Method::GET,
        Fault::SystemSubscriptionExtendable => Method::POST,
        Fault::SystemSubscriptionDeletable => Method::DELETE,
        _ => Method::CONNECT,
    };
    if st.subs[index].origin == Origin::System && *method != open {
        return Err(ApiError::forbidden(
            None,
            "The subscription was created by the system and cannot be accessed or modified.",
        ));
    }
    Ok(())
}

/// 403 LimitExceeded: too many subscriptions, or contacts in one (OP-26).
pub(crate) fn limit_exceeded() -> ApiError {
    ApiError::forbidden(
        Some("LimitExceeded"),
        "The maximum number of subscriptions or contacts was reached.",
    )
}

/// The status of a successful extend (OP-4: 200 as T-EX; the `extend-201` variant: 201 as PS).
pub(crate) fn extended(world: &World) -> StatusCode {
    if world.variant(Variant::Extend201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// 201 with the new resource, and (OP-27) its self href as written in `Location`, which the
/// `location-absent` variant leaves out.
pub(crate) fn created(fmt: Format, res: &Resource) -> Response {
    let mut resp = reply::resource(StatusCode::CREATED, fmt, res);
    if !fmt.shape.has(Variant::LocationAbsent)
        && let Ok(v) = HeaderValue::from_str(&fmt.shape.href(&res.href))
    {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}
