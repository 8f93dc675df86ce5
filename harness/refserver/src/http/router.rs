//! The routes: every resource with the methods it answers, the uniform 405 (with `Allow`) for
//! the others, HEAD among them (OP-34), and the 404 with a UCWA error body for every path that
//! is no resource. The front door goes around it all.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, MatchedPath, Request};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{MethodRouter, any, get, post};
use tower::util::{BoxCloneSyncService, MapRequestLayer};
use tower::{Layer, Service};

use crate::domain::server::Server;
use crate::wire::body_fault;
use crate::wire::error::ApiError;

use super::people::{contacts, memberships, subscription, subscriptions};
use super::{application, batch, bootstrap, control, events, front_door, me, reply, spoil};

/// Where the applications live (the task/real layout, OP-1); `{app}` is resolved by the front
/// door, which hands the caller's application to the handlers.
macro_rules! app {
    ($tail:literal) => {
        concat!("/ucwa/oauth/v1/applications/{app}", $tail)
    };
}

/// Every resource: its route, the methods it answers (the `Allow` of its 405) and their
/// handlers. Bootstrap and control routes are lowercase: the front door folds their case.
fn resources() -> Vec<(&'static str, &'static str, MethodRouter<Arc<Server>>)> {
    vec![
        // Bootstrap (digest 6).
        (
            "/autodiscover/autodiscoverservice.svc/root",
            "GET",
            get(bootstrap::root),
        ),
        (
            "/autodiscover/autodiscoverservice.svc/root/oauth/user",
            "GET",
            get(bootstrap::user),
        ),
        // What browser clients ask of `lyncdiscoverinternal.<domain>`.
        ("/", "GET", get(bootstrap::root)),
        ("/xframe", "GET", get(bootstrap::xframe)),
        (
            "/autodiscover/xframe/xframe.html",
            "GET",
            get(bootstrap::xframe),
        ),
        ("/webticket/oauthtoken", "POST", post(bootstrap::token)),
        // The test-control protocol (design.md section 8).
        ("/_conform", "GET", get(control::capabilities)),
        ("/_conform/clock", "POST", post(control::clock)),
        ("/_conform/presence", "POST", post(control::presence)),
        ("/_conform/conditions", "POST", post(control::conditions)),
        (
            "/_conform/system-subscription",
            "POST",
            post(control::system_subscription),
        ),
        // Applications (digest 6.3) and the channel (digest 3).
        (
            "/ucwa/oauth/v1/applications",
            "POST",
            post(application::create),
        ),
        (
            app!(""),
            "GET, DELETE",
            get(application::get).delete(application::delete),
        ),
        (app!("/me"), "GET", get(application::me)),
        (
            app!("/me/presence"),
            "GET, POST",
            get(me::presence).post(me::publish_presence),
        ),
        (
            app!("/communication"),
            "GET",
            get(application::communication),
        ),
        (
            app!("/communication/makeMeAvailable"),
            "POST",
            post(me::make_me_available),
        ),
        (
            app!("/onlineMeetings"),
            "GET",
            get(application::online_meetings),
        ),
        (app!("/policies"), "GET", get(application::policies)),
        (app!("/batch"), "POST", post(batch::batch)),
        (app!("/events"), "GET", get(events::pget)),
        // People (digest 2).
        (app!("/people"), "GET", get(contacts::people)),
        (
            app!("/people/presenceSubscriptions"),
            "GET, POST",
            get(subscriptions::list).post(subscriptions::create),
        ),
        (
            app!("/people/presenceSubscriptions/{id}"),
            "GET, POST, DELETE",
            get(subscription::get)
                .post(subscription::extend)
                .delete(subscription::delete),
        ),
        (
            app!("/people/presenceSubscriptionMemberships"),
            "GET, POST",
            get(memberships::list).post(memberships::add),
        ),
        (
            app!("/people/presenceSubscriptionMemberships/{id}"),
            "GET, DELETE",
            get(memberships::get).delete(memberships::delete),
        ),
        (
            app!("/people/subscribedContacts"),
            "GET",
            get(contacts::subscribed_contacts),
        ),
        (app!("/people/groups"), "GET", get(contacts::groups)),
        (app!("/people/groups/{id}"), "GET", get(contacts::group)),
        (
            app!("/people/groups/{id}/contacts"),
            "GET",
            get(contacts::group_contacts),
        ),
        (
            app!("/people/groups/{id}/expand"),
            "GET",
            get(contacts::expand_group),
        ),
        (app!("/people/contacts"), "GET", get(contacts::my_contacts)),
    ]
}

/// The methods of each route, by route.
#[derive(Clone)]
struct Allows(Arc<HashMap<&'static str, &'static str>>);

/// The whole HTTP face of the server: the front door around the routes.
pub(crate) fn app(
    server: Arc<Server>,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
+ Clone
+ Send
+ Sync
+ 'static {
    let routes = routes(Arc::clone(&server));
    let whole =
        BoxCloneSyncService::new(from_fn_with_state(server, front_door::front_door).layer(routes));
    // Requests from outside carry the way back in for the parts of a batch.
    let dispatch = batch::Dispatch(Arc::new(whole.clone()));
    MapRequestLayer::new(move |mut request: Request| {
        request.extensions_mut().insert(dispatch.clone());
        request
    })
    .layer(whole)
}

fn routes(server: Arc<Server>) -> Router {
    let mut allows = HashMap::new();
    let mut router = Router::new();
    for (path, allow, methods) in resources() {
        allows.insert(path, allow);
        // HEAD is refused like every method a resource does not define (OP-34), where axum
        // would answer it with the GET handler.
        router = router.route(path, methods.head(refuse_method));
    }
    let mut router = router
        // A segment that is none of the static people paths names a contact. Either route
        // takes every method: a contact must be an address before its method is judged.
        .route(app!("/people/{contact}"), any(contacts::contact))
        .route(
            app!("/people/{contact}/presence"),
            any(contacts::contact_presence),
        )
        .method_not_allowed_fallback(refuse_method)
        .fallback(no_resource)
        .layer(from_fn_with_state(Arc::clone(&server), reply::write_errors));
    // A server that spoils no body goes without the layer and what it costs every request.
    if body_fault::applies(server.fault()) {
        router = router.layer(from_fn_with_state(Arc::clone(&server), spoil::layer));
    }
    router
        .layer(Extension(Allows(Arc::new(allows))))
        .with_state(server)
}

/// 405 MethodNotAllowed with the resource's `Allow`.
async fn refuse_method(path: MatchedPath, Extension(allows): Extension<Allows>) -> ApiError {
    let allow = allows.0.get(path.as_str()).copied().unwrap_or("GET");
    ApiError::method_not_allowed(allow)
}

/// 404 NotFound for every path that is no resource.
async fn no_resource() -> ApiError {
    ApiError::not_found()
}
