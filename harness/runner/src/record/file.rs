//! The recording on disk (docs/record-replay.md): `manifest.json`, and one JSON-lines file per
//! case run (plus `runs/(run).jsonl` for sign-in), one exchange a line.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use harness_core::secret::SecretValues;

use super::redact::redact_exchanges;
use crate::profile::{Account, Secret, TargetProfile, Timeouts};
use crate::tape::{Exchange, Recorder};

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
        let exchange = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}:{}: {e}", path.display(), n + 1, e.column()))?;
        out.push(exchange);
    }
    Ok(out)
}

/// Writes every flow's exchanges under `dir/runs/`, redacted with `secrets` (plus the
/// credentials any request or response holds by its shape), and returns each flow's file by
/// case run name (relative to `dir`).
pub fn write_runs(
    dir: &Path,
    recorder: &Recorder,
    secrets: &SecretValues,
) -> io::Result<BTreeMap<String, String>> {
    // A recording made into the same folder before must not leave its case runs behind.
    let runs = dir.join("runs");
    if runs.is_dir() {
        std::fs::remove_dir_all(&runs)?;
    }
    std::fs::create_dir_all(&runs)?;
    let mut files = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for (case, mut exchanges) in recorder.take() {
        redact_exchanges(&mut exchanges, secrets);
        let mut file = run_file(&case);
        // Two names may clean to the same file name.
        let mut n = 2;
        while !taken.insert(file.clone()) {
            file = format!("{}-{n}.jsonl", run_file(&case).trim_end_matches(".jsonl"));
            n += 1;
        }
        let mut out = io::BufWriter::new(std::fs::File::create(dir.join(&file))?);
        for exchange in &exchanges {
            serde_json::to_writer(&mut out, exchange)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        files.insert(case.to_string(), file);
    }
    Ok(files)
}
