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
use crate::config::{ServerConfig, TokenStyle};
use crate::directory::Presence;
use crate::fault::Fault;

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
    /// Refresh tokens handed out (`TokenStyle::Jwt`); never accepted as bearer tokens.
    refresh: VecDeque<String>,
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
    /// Presence users set themselves (`POST me/presence`), by normalized URI: what every
    /// application sees of them unless the control protocol changed it there. Only the owner
    /// of an application publishes, so the map never holds more than the directory's users.
    published: RwLock<HashMap<String, Presence>>,
    /// Held by one publication at a time, so every application ends with the same presence.
    pub publishing: Mutex<()>,
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
            published: RwLock::new(HashMap::new()),
            publishing: Mutex::new(()),
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
        self.base.elapsed() * self.config.time_scale + offset
    }

    /// Real time for a stretch of the server's clock: with `time_scale` K, K times shorter.
    pub(crate) fn real_span(&self, span: Duration) -> Duration {
        span / self.config.time_scale
    }

    /// The real instant at which an application-clock deadline falls, given the offset now.
    pub(crate) fn real_instant(&self, deadline: Duration, offset: Duration) -> Instant {
        self.base + self.real_span(deadline.saturating_sub(offset))
    }

    /// Wall-clock milliseconds for an application-clock time (for dates in bodies only).
    pub(crate) fn wall_ms(&self, app_time: Duration) -> i64 {
        self.wall_ms_at_base + i64::try_from(app_time.as_millis()).unwrap_or(0)
    }

    /// Issues a bearer token for a user, in the configured style.
    pub(crate) fn issue_token(&self, user: usize) -> String {
        let [a, b, c] = [(); 3].map(|()| self.next_random());
        let token = match self.config.token_style {
            TokenStyle::Cwt => format!("cwt=AAEB{a:016x}{b:016x}{c:016x}"),
            TokenStyle::Jwt => {
                let header = r#"{"alg":"RS256","typ":"JWT"}"#;
                let claims = format!(r#"{{"sub":"{user}","jti":"{a:016x}{b:016x}"}}"#);
                let signature: Vec<u8> = c.to_be_bytes().repeat(4);
                format!(
                    "{}.{}.{}",
                    base64url(header.as_bytes()),
                    base64url(claims.as_bytes()),
                    base64url(&signature)
                )
            }
            TokenStyle::Opaque => format!("{a:016x}{b:016x}{c:016x}"),
        };
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

    /// A refresh token to go beside a bearer token, for the styles whose issuers give one.
    pub(crate) fn issue_refresh_token(&self) -> Option<String> {
        if self.config.token_style != TokenStyle::Jwt {
            return None;
        }
        let token = format!("{:016x}{:016x}", self.next_random(), self.next_random());
        let mut store = self.tokens.write().unwrap_or_else(|p| p.into_inner());
        store.refresh.push_back(token.clone());
        while store.refresh.len() > MAX_TOKENS {
            store.refresh.pop_front();
        }
        Some(token)
    }

    /// Every token still remembered, bearer and refresh (a test aid).
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        let store = self.tokens.read().unwrap_or_else(|p| p.into_inner());
        store.order.iter().chain(&store.refresh).cloned().collect()
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

    /// The presence a user published, if they did.
    pub(crate) fn published(&self, uri: &str) -> Option<Presence> {
        let published = self.published.read().unwrap_or_else(|p| p.into_inner());
        published.get(uri).cloned()
    }

    /// A user's presence server-wide: published, else as the directory starts it, else
    /// Offline for people the directory does not know.
    pub(crate) fn presence(&self, uri: &str) -> Presence {
        self.published(uri).unwrap_or_else(|| {
            self.config
                .directory
                .user(uri)
                .map(|u| u.presence.clone())
                .unwrap_or_else(Presence::offline)
        })
    }

    /// Records what a user published (see [`Self::published`] for the bound).
    pub(crate) fn publish(&self, uri: &str, presence: Presence) {
        let mut published = self.published.write().unwrap_or_else(|p| p.into_inner());
        published.insert(uri.to_owned(), presence);
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

/// Base64url without padding (RFC 4648 section 5), for the JWT-shaped tokens.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_time_scale_runs_the_clock_faster_and_its_deadlines_sooner() {
        let config = ServerConfig {
            time_scale: 60,
            ..ServerConfig::default()
        };
        let server = Server::new(config, SocketAddr::from(([127, 0, 0, 1], 1)));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(server.app_now(Duration::ZERO), Duration::from_secs(600));
        assert_eq!(
            server.app_now(Duration::from_secs(5)),
            Duration::from_secs(605)
        );
        // Ten minutes of the server's clock are ten seconds of real time.
        assert_eq!(
            server.real_instant(Duration::from_secs(600), Duration::ZERO),
            server.base + Duration::from_secs(10)
        );
    }

    #[test]
    fn tokens_take_the_configured_style_and_sign_in() {
        let addr: SocketAddr = "127.0.0.1:1".parse().expect("addr");
        for style in [TokenStyle::Cwt, TokenStyle::Jwt, TokenStyle::Opaque] {
            let config = ServerConfig {
                token_style: style,
                ..ServerConfig::default()
            };
            let server = Server::new(config, addr);
            let token = server.issue_token(3);
            match style {
                TokenStyle::Cwt => assert!(token.starts_with("cwt=AAEB"), "{token}"),
                TokenStyle::Jwt => {
                    let parts: Vec<&str> = token.split('.').collect();
                    assert_eq!(parts.len(), 3, "{token}");
                    assert!(token.starts_with("eyJ"), "{token}");
                    assert!(
                        token
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    );
                }
                TokenStyle::Opaque => {
                    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()));
                }
            }
            let mut headers = HeaderMap::new();
            let value = format!("Bearer {token}").parse().expect("header value");
            headers.insert(http::header::AUTHORIZATION, value);
            assert_eq!(server.caller(&headers), Some(Caller { user: 3 }));
            let refresh = server.issue_refresh_token();
            assert_eq!(refresh.is_some(), style == TokenStyle::Jwt);
            let issued = server.issued_tokens();
            assert!(issued.contains(&token));
            assert!(refresh.is_none_or(|r| issued.contains(&r)));
        }
    }

    #[test]
    fn base64url_matches_rfc_4648_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(
            base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
        );
    }
}
