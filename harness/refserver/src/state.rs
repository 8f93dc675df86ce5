//! Server-wide state: tokens, applications, ids and the clock base. Each application keeps
//! its own state behind its own mutex; no lock is ever held across an await.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::app::AppState;
use crate::config::ServerConfig;

/// Tokens kept at most; the oldest are forgotten first, so memory stays bounded.
const MAX_TOKENS: usize = 20_000;
/// Applications kept at most (410 TooManyApplications beyond).
pub(crate) const MAX_APPLICATIONS: usize = 20_000;

/// The prefix of every application URL (the task/real layout, OP-1).
pub(crate) const APPLICATIONS_PATH: &str = "/ucwa/oauth/v1/applications";

/// Who is calling: the user and the token they hold. Applications belong to their user, not to
/// the token that created them: a token is renewed by fetching a new one (digest 6.2), and the
/// client carries on with its application. Another user's application is never reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    pub user: usize,
}

#[derive(Default)]
struct TokenStore {
    by_token: HashMap<String, Caller>,
    order: VecDeque<String>,
}

/// One application: owner, URL base, state and the wake-up signal of its waiters.
pub(crate) struct App {
    pub id: String,
    /// Index of the owning user in the directory.
    pub owner: usize,
    /// `/ucwa/oauth/v1/applications/{id}`.
    pub base: String,
    pub state: Mutex<AppState>,
    /// Woken on every change: events queued, clock moved, P-GET replaced, application gone.
    pub notify: Notify,
}

impl App {
    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data.
    pub(crate) fn lock(&self) -> MutexGuard<'_, AppState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running server's shared state.
pub(crate) struct Server {
    pub config: ServerConfig,
    pub local_addr: SocketAddr,
    /// Monotonic base of every application clock (tokio's, so paused-time tests work).
    pub base: Instant,
    /// Wall clock at `base`, in ms since the epoch: only to print dates such as lastActive.
    pub wall_ms_at_base: i64,
    seed: u64,
    counter: AtomicU64,
    tokens: RwLock<TokenStore>,
    apps: RwLock<HashMap<String, Arc<App>>>,
    /// Set to `true` at shutdown: parked P-GETs and timer tasks end.
    pub stop: tokio::sync::watch::Sender<bool>,
}

impl Server {
    pub(crate) fn new(config: ServerConfig, local_addr: SocketAddr) -> Self {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(0x5eed);
        let wall_ms_at_base = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
            .unwrap_or(0);
        Self {
            config,
            local_addr,
            base: Instant::now(),
            wall_ms_at_base,
            seed: hasher.finish(),
            counter: AtomicU64::new(1),
            tokens: RwLock::new(TokenStore::default()),
            apps: RwLock::new(HashMap::new()),
            stop: tokio::sync::watch::Sender::new(false),
        }
    }

    /// The fault profile this server serves (`Fault::None`: faithful).
    pub(crate) fn fault(&self) -> crate::fault::Fault {
        self.config.fault
    }

    /// Whether this server makes the variant's choice.
    pub(crate) fn variant(&self, variant: crate::variant::Variant) -> bool {
        self.config.variants.contains(&variant)
    }

    /// A fresh, hard-to-guess number: a counter mixed with the per-server seed (splitmix64).
    pub(crate) fn next_random(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut z = self
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The application clock: monotonic time since start plus that application's offset.
    pub(crate) fn app_now(&self, offset: Duration) -> Duration {
        self.base.elapsed() + offset
    }

    /// The real instant at which an application-clock deadline falls, given the offset now.
    pub(crate) fn real_instant(&self, deadline: Duration, offset: Duration) -> Instant {
        self.base + deadline.saturating_sub(offset)
    }

    /// Wall-clock milliseconds for an application-clock time (for dates in bodies only).
    pub(crate) fn wall_ms(&self, app_time: Duration) -> i64 {
        self.wall_ms_at_base + i64::try_from(app_time.as_millis()).unwrap_or(0)
    }

    /// Issues a bearer token for a user.
    pub(crate) fn issue_token(&self, user: usize) -> String {
        let id = self.next_random();
        let token = format!(
            "cwt=AAEB{id:016x}{:016x}{:016x}",
            self.next_random(),
            self.next_random()
        );
        let mut store = self.tokens.write().unwrap_or_else(|p| p.into_inner());
        store.by_token.insert(token.clone(), Caller { user });
        store.order.push_back(token.clone());
        while store.order.len() > MAX_TOKENS {
            if let Some(old) = store.order.pop_front() {
                store.by_token.remove(&old);
            }
        }
        token
    }

    /// The user of the `Authorization: Bearer cwt=…` header, if the token is known.
    pub(crate) fn caller(&self, headers: &HeaderMap) -> Option<Caller> {
        let value = headers
            .get(http::header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .trim();
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let store = self.tokens.read().unwrap_or_else(|p| p.into_inner());
        store.by_token.get(token.trim()).copied()
    }

    /// Registers a new application; `None` when the server holds too many.
    pub(crate) fn insert_app(&self, caller: Caller, state: AppState) -> Option<Arc<App>> {
        let mut apps = self.apps.write().unwrap_or_else(|p| p.into_inner());
        if apps.len() >= MAX_APPLICATIONS {
            return None;
        }
        let id = loop {
            let id = crate::shape::application_id(self);
            if !apps.contains_key(&id) {
                break id;
            }
        };
        let app = Arc::new(App {
            base: format!("{APPLICATIONS_PATH}/{id}"),
            id: id.clone(),
            owner: caller.user,
            state: Mutex::new(state),
            notify: Notify::new(),
        });
        apps.insert(id, Arc::clone(&app));
        Some(app)
    }

    /// The application with this id if it is the caller's user's (isolation: others → 404).
    pub(crate) fn app(&self, id: &str, caller: Caller) -> Option<Arc<App>> {
        let apps = self.apps.read().unwrap_or_else(|p| p.into_inner());
        apps.get(id).filter(|a| a.owner == caller.user).cloned()
    }

    /// The other applications of the same caller: only for the security fault profiles.
    pub(crate) fn sibling_apps(&self, app: &App) -> Vec<Arc<App>> {
        let apps = self.apps.read().unwrap_or_else(|p| p.into_inner());
        apps.values()
            .filter(|a| a.id != app.id && a.owner == app.owner)
            .cloned()
            .collect()
    }

    /// Forgets an application (deleted or expired).
    pub(crate) fn remove_app(&self, id: &str) {
        let mut apps = self.apps.write().unwrap_or_else(|p| p.into_inner());
        apps.remove(id);
    }

    /// The `host[:port]` to put in absolute URLs: the request's Host header, else our address.
    pub(crate) fn host(&self, headers: &HeaderMap) -> String {
        headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
            })
            .map(str::to_owned)
            .unwrap_or_else(|| self.local_addr.to_string())
    }
}
