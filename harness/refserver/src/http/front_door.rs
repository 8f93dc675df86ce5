//! The front door every request passes before it is routed: the body read within bounds, the
//! response format negotiated, the zone's entry rules (sign-in, the caller's own application)
//! and the path made canonical for the router.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::uri::{PathAndQuery, Uri};
use http::{Extensions, StatusCode};

use crate::config::fault::Fault;
use crate::domain::server::Server;
use crate::wire::error::ApiError;
use crate::wire::format::Format;
use crate::wire::shape::Shape;

use super::reply::{self, ErrorStyle};
use super::request::{self, BodyRead, Req};
use super::spoil;
use super::zone::{self, Zone};

/// The middleware around the router.
pub(crate) async fn front_door(
    State(server): State<Arc<Server>>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let placed = zone::place(parts.uri.path());
    let body = request::read_body(&parts.headers, body).await;
    let mut format = Format::from_headers(&parts.headers);
    format.shape = Shape::of(&server, &request::host(&server, &parts.headers));
    if server.fault() == Fault::VndAcceptIgnored
        && format
            .content_type
            .starts_with("application/vnd.microsoft.com.ucwa+xml")
    {
        format = Format::json(format.shape);
    }
    let mut req = Req {
        format,
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        // Moved, not copied: past the front door only `Req` is read for headers.
        headers: std::mem::take(&mut parts.headers),
        body,
    };
    let shaped = match admit(&server, &placed.zone, &mut req, &mut parts.extensions) {
        Ok(shaped) => shaped,
        Err(Refused::Unauthorized) => {
            let host = request::host(&server, &req.headers);
            return reply::unauthorized(&format!("{}://{host}", server.config.scheme()));
        }
        Err(Refused::Error(err)) => {
            // Answered here, not by a route: the body faults apply as they do there.
            return spoil::response(server.fault(), reply::error(err, req.format)).await;
        }
    };
    parts.extensions.insert(ErrorStyle {
        format: req.format,
        shaped,
    });
    parts.extensions.insert(req);
    if let Some(uri) = canonical_uri(&parts.uri, &placed.path) {
        parts.uri = uri;
    }
    next.run(Request::from_parts(parts, Body::empty())).await
}

/// Why the front door turns a request away.
enum Refused {
    /// 401 with the challenges.
    Unauthorized,
    /// An error in the request's format.
    Error(ApiError),
}

/// The zone's entry rules: who may enter, and in what format its answers come. Puts the
/// caller (and the caller's application) in the extensions for the handlers; says whether the
/// zone's errors are shaped by the status variants.
fn admit(
    server: &Server,
    zone: &Zone,
    req: &mut Req,
    extensions: &mut Extensions,
) -> Result<bool, Refused> {
    match zone {
        Zone::Bootstrap | Zone::Elsewhere => Ok(true),
        Zone::User => {
            // `user-unchallenged` answers without a token too (applications still challenge).
            let challenged = server.fault() != Fault::UserUnchallenged;
            if challenged && request::caller(server, &req.headers).is_none() {
                return Err(Refused::Unauthorized);
            }
            Ok(true)
        }
        Zone::ControlRoot | Zone::Control => {
            if !server.config.control {
                return Err(Refused::Error(ApiError::not_found()));
            }
            // JSON whatever Accept says, spelled as the server's representation variants say;
            // its errors are the control protocol's own, not shaped by the status variants.
            req.format = Format::json(req.format.shape);
            if *zone == Zone::Control {
                let caller = request::caller(server, &req.headers).ok_or(Refused::Unauthorized)?;
                extensions.insert(caller);
            }
            Ok(false)
        }
        Zone::Ucwa | Zone::Application { .. } => {
            if server.fault() == Fault::UnreadableBody500 && unreadable(req) {
                return Err(Refused::Error(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    "The request body could not be processed.",
                )));
            }
            let Some(caller) = request::caller(server, &req.headers) else {
                if server.fault() == Fault::No401 {
                    return Err(Refused::Error(ApiError::not_found()));
                }
                return Err(Refused::Unauthorized);
            };
            extensions.insert(caller);
            if let Zone::Application { id, channel } = zone {
                let app = server
                    .app(id, caller)
                    .ok_or_else(|| Refused::Error(ApiError::application_not_found()))?;
                extensions.insert(app);
                // The `xml-events-as-json` profile answers on the channel in JSON, 405 too.
                if *channel && server.fault() == Fault::XmlEventsAsJson && req.format.xml {
                    req.format = Format::json(req.format.shape);
                }
            }
            Ok(true)
        }
    }
}

/// The URI with the canonical path (and the query as it was), when the path changes.
fn canonical_uri(uri: &Uri, path: &str) -> Option<Uri> {
    if uri.path() == path {
        return None;
    }
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse::<PathAndQuery>().ok()?);
    Uri::from_parts(parts).ok()
}

/// Whether the body of a UCWA request cannot be read: malformed, or of another media type
/// (the `unreadable-body-500` profile answers those with 500).
fn unreadable(req: &Req) -> bool {
    match &req.body {
        BodyRead::Complete(bytes) => {
            req.input()
                .is_err_and(|e| e.subcode.is_none() && matches!(e.status.as_u16(), 400 | 415))
                && !bytes.is_empty()
        }
        _ => false,
    }
}
