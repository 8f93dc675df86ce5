//! Server configuration: address, control protocol, directory, windows, limits and timings.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::directory::Directory;
use super::fault::Fault;
use super::tls::TlsIdentity;
use super::variant::Variants;

/// Limits that answer 403 LimitExceeded when passed (OP-26).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Live subscriptions per application (system subscriptions do not count).
    pub subscriptions: usize,
    /// Contacts per subscription.
    pub contacts_per_subscription: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            subscriptions: 32,
            contacts_per_subscription: 50,
        }
    }
}

/// The shape of the bearer tokens the server issues: a test aid, so the harness can prove it
/// redacts tokens by value and not only by the UCWA `cwt=` shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenStyle {
    /// `cwt=AAEB…`, the UCWA web ticket (digest 6.2).
    #[default]
    Cwt,
    /// A JWT (`eyJ…`, three base64url parts) as Skype for Business Online issues, with a
    /// `refresh_token` beside it in the token answer.
    Jwt,
    /// Random hex of no known shape.
    Opaque,
}

/// Everything [`crate::start`] needs. `Default` is the embedded test server: port 0, control
/// protocol on, events released at once.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Serve `/_conform/` (the test-control protocol).
    pub control: bool,
    /// Users, contacts, groups.
    pub directory: Directory,
    /// Honour the medium/low aggregation windows; `false` releases events at once.
    pub windows: bool,
    /// Subscription and contact limits.
    pub limits: Limits,
    /// Lead time of the presenceSubscription `updated` warning before expiry (OP-15).
    pub expiry_warning: Duration,
    /// Channel idle time (application clock) after which presence subscriptions are dropped
    /// and the next event response carries `resume`.
    pub idle_resume: Duration,
    /// Channel idle time (application clock) after which the application ends.
    pub idle_expiry: Duration,
    /// Real time after a P-GET was answered during which the channel still counts as in use,
    /// so moving the clock between two P-GETs never ends an application.
    pub channel_grace: Duration,
    /// The deliberate deviation from the protocol to serve (`Fault::None`: faithful).
    pub fault: Fault,
    /// Conformant variants: other documented choices (empty: the choices of
    /// `docs/op-decisions.md`).
    pub variants: Variants,
    /// The shape of issued tokens (a test aid; `Cwt` is the protocol's).
    pub token_style: TokenStyle,
    /// How many times faster than real time the server's clock runs (1: real time). A test
    /// aid: subscriptions, warnings, windows and long polls all run on it, so a profile with
    /// the same `time_scale` sees a 30-minute subscription end in 30 s at 60.
    pub time_scale: u32,
    /// Serve `https` with this identity instead of `http`.
    pub tls: Option<TlsIdentity>,
}

impl ServerConfig {
    /// `https` with a TLS identity, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            control: true,
            directory: Directory::builtin(),
            windows: false,
            limits: Limits::default(),
            expiry_warning: Duration::from_secs(60),
            idle_resume: Duration::from_secs(10 * 60),
            idle_expiry: Duration::from_secs(15 * 60),
            channel_grace: Duration::from_secs(5),
            fault: Fault::None,
            variants: Variants::new(),
            token_style: TokenStyle::Cwt,
            time_scale: 1,
            tls: None,
        }
    }
}
