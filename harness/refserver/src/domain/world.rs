//! What every application of the server consults: the configuration (limits, fault profile,
//! variants), the clock, the source of fresh ids and the presence users published. The
//! applications themselves are held one level up, by `server::Server`.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::config::directory::Presence;
use crate::config::fault::Fault;
use crate::config::settings::ServerConfig;
use crate::config::variant::Variant;

/// The server-wide ground every application stands on.
pub(crate) struct World {
    pub config: ServerConfig,
    pub local_addr: SocketAddr,
    /// Monotonic base of every application clock (tokio's, so paused-time tests work).
    pub base: Instant,
    /// Wall clock at `base`, in ms since the epoch: only to print dates such as lastActive.
    pub wall_ms_at_base: i64,
    seed: u64,
    counter: AtomicU64,
    /// Presence users set themselves (`POST me/presence`), by normalized URI: what every
    /// application sees of them unless the control protocol changed it there. Only the owner
    /// of an application publishes, so the map never holds more than the directory's users.
    published: RwLock<HashMap<String, Presence>>,
    /// Held by one publication at a time, so every application ends with the same presence.
    pub publishing: Mutex<()>,
}

impl World {
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
            published: RwLock::new(HashMap::new()),
            publishing: Mutex::new(()),
        }
    }

    /// The fault profile this server serves (`Fault::None`: faithful).
    pub(crate) fn fault(&self) -> Fault {
        self.config.fault
    }

    /// Whether this server makes the variant's choice.
    pub(crate) fn variant(&self, variant: Variant) -> bool {
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

    /// The lead of the expiry warning; the `expiry-warning-late` profile sends it in the last
    /// half second, too late for any client to extend. The `expiry-warning-early` variant
    /// warns twice as early (2 minutes with the default 1, OP-15's "about 1–2 min").
    pub(crate) fn warning_lead(&self) -> Duration {
        match self.fault() {
            Fault::ExpiryWarningLate => Duration::from_millis(500),
            _ if self.variant(Variant::ExpiryWarningEarly) => self.config.expiry_warning * 2,
            _ => self.config.expiry_warning,
        }
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
        let world = World::new(config, SocketAddr::from(([127, 0, 0, 1], 1)));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(world.app_now(Duration::ZERO), Duration::from_secs(600));
        assert_eq!(
            world.app_now(Duration::from_secs(5)),
            Duration::from_secs(605)
        );
        // Ten minutes of the server's clock are ten seconds of real time.
        assert_eq!(
            world.real_instant(Duration::from_secs(600), Duration::ZERO),
            world.base + Duration::from_secs(10)
        );
    }
}
