//! The running server's shared state: the [`World`] every application consults, the tokens,
//! the applications themselves and the stop signal; the lock that keeps an application live
//! and the timer task of each application. No lock is ever held across an await.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, MutexGuard, RwLock};

use tokio::sync::Notify;

use crate::config::fault::Fault;
use crate::config::settings::ServerConfig;

use super::application::{App, AppState};
use super::hrefs::{APPLICATIONS_PATH, Hrefs};
use super::ids::application_id;
use super::tokens::{Caller, Tokens};
use super::world::World;

/// Applications kept at most (410 TooManyApplications beyond).
pub(crate) const MAX_APPLICATIONS: usize = 20_000;

/// The application asked for is gone: deleted, expired, or never the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gone;

/// The running server's shared state.
pub(crate) struct Server {
    world: World,
    tokens: Tokens,
    apps: RwLock<HashMap<String, Arc<App>>>,
    /// Set to `true` at shutdown: parked P-GETs and timer tasks end.
    pub stop: tokio::sync::watch::Sender<bool>,
}

/// The server is first of all its world: every rule reads `server.fault()`, `server.config`
/// and the clock the same way, whether it holds the whole server or an application's part.
impl Deref for Server {
    type Target = World;

    fn deref(&self) -> &World {
        &self.world
    }
}

impl Server {
    pub(crate) fn new(config: ServerConfig, local_addr: SocketAddr) -> Self {
        Self {
            world: World::new(config, local_addr),
            tokens: Tokens::default(),
            apps: RwLock::new(HashMap::new()),
            stop: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Issues a bearer token for a user, in the configured style.
    pub(crate) fn issue_token(&self, user: usize) -> String {
        self.tokens.issue(&self.world, user)
    }

    /// A refresh token to go beside a bearer token, for the styles whose issuers give one.
    pub(crate) fn issue_refresh_token(&self) -> Option<String> {
        self.tokens.issue_refresh(&self.world)
    }

    /// Every token still remembered, bearer and refresh (a test aid).
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.tokens.issued()
    }

    /// The user a bearer token signs in, if the token is known.
    pub(crate) fn caller(&self, token: &str) -> Option<Caller> {
        self.tokens.caller(token)
    }

    /// Registers a new application; `None` when the server holds too many.
    pub(crate) fn insert_app(&self, caller: Caller, state: AppState) -> Option<Arc<App>> {
        let mut apps = self.apps.write().unwrap_or_else(|p| p.into_inner());
        if apps.len() >= MAX_APPLICATIONS {
            return None;
        }
        let id = loop {
            let id = application_id(&self.world);
            if !apps.contains_key(&id) {
                break id;
            }
        };
        let app = Arc::new(App {
            base: format!("{APPLICATIONS_PATH}/{id}"),
            id: id.clone(),
            owner: caller.user,
            state: std::sync::Mutex::new(state),
            notify: Notify::new(),
        });
        apps.insert(id, Arc::clone(&app));
        Some(app)
    }

    /// The application with this id if it is the caller's user's (isolation: others → 404).
    pub(crate) fn app(&self, id: &str, caller: Caller) -> Option<Arc<App>> {
        let apps = self.apps.read().unwrap_or_else(|p| p.into_inner());
        // The fault lets any signed-in user reach any application, as its owner would.
        let anyone = self.fault() == Fault::CrossUserReadable;
        apps.get(id)
            .filter(|a| anyone || a.owner == caller.user)
            .cloned()
    }

    /// The other applications of the same caller: only for the security fault profiles.
    pub(crate) fn sibling_apps(&self, app: &App) -> Vec<Arc<App>> {
        let apps = self.apps.read().unwrap_or_else(|p| p.into_inner());
        apps.values()
            .filter(|a| a.id != app.id && a.owner == app.owner)
            .cloned()
            .collect()
    }

    /// Every live application of every user, taken out of the map so that none is locked
    /// while the map is.
    pub(crate) fn all_apps(&self) -> Vec<Arc<App>> {
        let apps = self.apps.read().unwrap_or_else(|p| p.into_inner());
        apps.values().cloned().collect()
    }

    /// Forgets an application (deleted or expired).
    pub(crate) fn remove_app(&self, id: &str) {
        let mut apps = self.apps.write().unwrap_or_else(|p| p.into_inner());
        apps.remove(id);
    }

    /// Locks a live application, firing its due timers first; a gone one is forgotten.
    pub(crate) fn lock_live<'a>(&self, app: &'a App) -> Result<MutexGuard<'a, AppState>, Gone> {
        let mut st = app.lock();
        if st.tick(&self.world, Hrefs(&app.base)) {
            app.notify.notify_waiters();
        }
        if st.deleted {
            drop(st);
            self.remove_app(&app.id);
            app.notify.notify_waiters();
            return Err(Gone);
        }
        Ok(st)
    }
}

/// The timer task of one application: sleeps until the earliest deadline (or a change), fires
/// what is due, and ends with the application or the server.
pub(crate) async fn run_timers(server: Arc<Server>, app: Arc<App>) {
    let mut stop = server.stop.subscribe();
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        // Registered before the state is read, so no change between the two is missed.
        notified.as_mut().enable();
        let wake = {
            let mut st = app.lock();
            let changed = st.tick(&server, Hrefs(&app.base));
            if st.deleted {
                drop(st);
                server.remove_app(&app.id);
                app.notify.notify_waiters();
                return;
            }
            let wake = st.next_wake(&server);
            drop(st);
            if changed {
                // Wake a parked P-GET for the events this tick queued.
                app.notify.notify_waiters();
                continue;
            }
            wake
        };
        tokio::select! {
            () = &mut notified => {}
            () = sleep_until(wake) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await, // sleep-ok: the timer deadline itself
        None => std::future::pending().await,
    }
}
