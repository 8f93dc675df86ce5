//! A publication of the signed-in user's own presence (digest 6.3, OP-31): it makes the user's
//! availability what every application sees (`contactPresence updated` to those subscribed).

use crate::config::directory::Presence;

use super::hrefs::Hrefs;
use super::server::Server;

/// Makes `uri`'s presence `availability` server-wide and tells every application, as the
/// control protocol does for one (`contactPresence updated` to those subscribed to `uri`).
/// With `keep_published`, an earlier publication stays as it is. The caller holds no
/// application lock. Deleting or expiring the publisher's application leaves the presence
/// published: a simplification, as nothing in the suite depends on a user going offline.
pub(crate) fn publish(
    server: &Server,
    uri: &str,
    availability: &str,
    last_active: i64,
    keep_published: bool,
) {
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
        let Ok(mut st) = server.lock_live(&app) else {
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
