//! The recording on disk (docs/record-replay.md): `manifest.json`, and one JSON-lines file per
//! case run (plus `runs/(run).jsonl` for sign-in), one exchange a line.

use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::profile::{Account, Secret, TargetProfile, Timeouts};

/// The manifest's file name inside the recording's folder.
pub const MANIFEST: &str = "manifest.json";

/// The format's name and version, so a later harness knows what it reads.
pub const SCHEMA: &str = "ucwa-conform-recording/1";

/// What a recording holds besides its exchanges: enough to judge the same case runs again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SCHEMA`].
    pub schema: String,
    /// The harness that recorded (`ucwa-conform 0.1.0`).
    pub tool: String,
    /// When the run started (RFC 3339, UTC).
    pub recorded_at: String,
    /// The target as the run's report names it (`url`, `kind`, `capabilities`).
    pub target: harness_core::outcome::TargetInfo,
    /// Every `scheme://host:port` requests went to; a replay serves them all on its own.
    pub origins: Vec<String>,
    /// The profile the run used, its secrets left out.
    pub profile: RecordedProfile,
    /// `--format`: the formats run (`None`: every case's own).
    pub formats: Option<Vec<String>>,
    /// `--filter` and `--tag` of the recorded run (for people; the runs below are what counts).
    pub filter: Vec<String>,
    pub tag: Vec<String>,
    /// `--jobs`.
    pub jobs: usize,
    pub strict: bool,
    pub real_time: bool,
    /// `--property-cases`: generated inputs must be the same to send the same requests.
    pub property_cases: Option<u32>,
    pub request_timeout_secs: u64,
    /// The snapshot store the run compared with.
    pub snapshots: RecordedSnapshots,
    /// Every case run, in suite order, with its verdict.
    pub runs: Vec<RecordedRun>,
    /// The file of the run's own exchanges (discovery, sign-in, clean-up), if any.
    pub run_file: Option<String>,
}

/// The snapshot store of the recorded run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedSnapshots {
    pub dir: PathBuf,
    pub record_missing: bool,
}

/// One case run of the recording.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRun {
    /// `id[row]/format`, as in every report.
    pub name: String,
    /// Its verdict in the recorded run (`pass`, `fail`, `error`, …).
    pub verdict: String,
    /// Its exchanges, relative to the recording's folder; none when it sent nothing (a skip).
    pub file: Option<String>,
}

/// One exchange: a line of a run file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// The lane of the case run that sent it (`steps`, `events`, `input-N`).
    pub lane: String,
    /// Its place in the case run (one count over all lanes) when it left, and when its answer
    /// was complete: a replay answers no earlier than the requests sent before that.
    pub sent: u64,
    pub done: Option<u64>,
    /// Microseconds from the start of the recording to the same two moments.
    pub sent_us: u64,
    pub done_us: Option<u64>,
    pub request: RecordedRequest,
    /// `None` when no answer came (cancelled, as a P-GET at the end of its session, or failed).
    pub response: Option<RecordedResponse>,
    /// Why no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A request as sent, secrets redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossily, for a body that is not UTF-8).
    pub body: String,
}

/// A response as received, secrets redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The profile of the run without its secrets: which were given, not their values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedProfile {
    pub origin: String,
    pub discovery: Option<String>,
    pub user: Option<String>,
    pub applications: Option<String>,
    pub username: String,
    pub password: bool,
    pub token: bool,
    pub watcher: String,
    pub contacts: Vec<String>,
    pub group: Option<String>,
    pub unknown_contact: String,
    pub second_user: Option<RecordedAccount>,
    pub control: Option<bool>,
    pub request_timeout_ms: u64,
    pub events_timeout_ms: u64,
    pub time_scale: u32,
}

/// The second account without its secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedAccount {
    pub username: String,
    pub password: bool,
    pub token: bool,
    pub watcher: String,
}

/// What stands for a secret the recording left out.
fn placeholder(given: bool) -> Option<Secret> {
    given.then(|| Secret::new(harness_core::secret::REDACTED))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RecordedProfile {
    /// The profile as recorded: URLs and accounts, never a password or token.
    pub fn of(p: &TargetProfile) -> RecordedProfile {
        RecordedProfile {
            origin: p.origin.clone(),
            discovery: p.discovery.as_ref().map(Url::to_string),
            user: p.user.as_ref().map(Url::to_string),
            applications: p.applications.as_ref().map(Url::to_string),
            username: p.username.clone(),
            password: p.password.is_some(),
            token: p.token.is_some(),
            watcher: p.watcher.clone(),
            contacts: p.contacts.clone(),
            group: p.group.clone(),
            unknown_contact: p.unknown_contact.clone(),
            second_user: p.second_user.as_ref().map(|a| RecordedAccount {
                username: a.username.clone(),
                password: a.password.is_some(),
                token: a.token.is_some(),
                watcher: a.watcher.clone(),
            }),
            control: p.control,
            request_timeout_ms: millis(p.timeouts.request),
            events_timeout_ms: millis(p.timeouts.events),
            time_scale: p.time_scale,
        }
    }

    /// A profile for the replay: the recorded one with every URL passed through `rewrite` (to
    /// the replay server) and placeholders for its secrets (the replay server checks none).
    pub fn to_profile(&self, rewrite: impl Fn(&str) -> String) -> Result<TargetProfile, String> {
        let url = |u: &Option<String>| -> Result<Option<Url>, String> {
            u.as_deref()
                .map(|u| Url::parse(&rewrite(u)).map_err(|e| format!("url {u:?}: {e}")))
                .transpose()
        };
        Ok(TargetProfile {
            origin: format!("replay of {}", self.origin),
            discovery: url(&self.discovery)?,
            user: url(&self.user)?,
            applications: url(&self.applications)?,
            username: self.username.clone(),
            password: placeholder(self.password),
            token: placeholder(self.token),
            watcher: self.watcher.clone(),
            contacts: self.contacts.clone(),
            group: self.group.clone(),
            unknown_contact: self.unknown_contact.clone(),
            second_user: self.second_user.as_ref().map(|a| Account {
                username: a.username.clone(),
                password: placeholder(a.password),
                token: placeholder(a.token),
                watcher: a.watcher.clone(),
            }),
            control: self.control,
            tls: crate::client::TlsOptions::default(),
            timeouts: Timeouts {
                request: Duration::from_millis(self.request_timeout_ms),
                events: Duration::from_millis(self.events_timeout_ms),
            },
            snapshots: None,
            time_scale: self.time_scale,
            real_time: false,
        })
    }
}

/// A file name for a case run's exchanges: its name with anything but `[A-Za-z0-9._-]` as `_`,
/// under `runs/`.
pub fn run_file(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("runs/{clean}.jsonl")
}

/// Reads a run file: its exchanges in the order they were written; an error names the
/// file and line.
pub fn read_exchanges(path: &Path) -> Result<Vec<Exchange>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let exchange = serde_json::from_str(&line).map_err(|e| {
            format!("{}:{}:{}: {e}", path.display(), n + 1, e.column())
        })?;
        out.push(exchange);
    }
    Ok(out)
}
