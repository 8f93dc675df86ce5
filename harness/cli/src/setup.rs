//! Shared set-up: loading the suite, and reaching a target (the embedded reference server, a
//! URL, or a profile).

use std::path::Path;
use std::sync::Arc;

use harness_core::checklist::{Checklist, load_checklist};
use harness_core::loader::{Suite, load_suite};
use harness_core::outcome::TargetInfo;
use harness_refserver::{RunningServer, ServerConfig};
use harness_runner::client::{HttpClient, TlsOptions};
use harness_runner::profile::{TargetProfile, embedded_profile, load_profile};
use harness_runner::record::Recorder;
use harness_runner::target::Target;
use url::Url;

/// The checklist file inside the cases folder.
pub const CHECKLIST_FILE: &str = "rows.yaml";

/// `fixtures/snapshots` of the working directory: the reference server's snapshots, which
/// `run`, `mutants` and `bench` all read.
pub fn snapshot_dir() -> std::path::PathBuf {
    std::path::PathBuf::from("fixtures").join("snapshots")
}

/// Loads the checklist (if the suite has one) and the suite; the error is the rendered
/// diagnostics of every problem found.
pub fn load(cases: &Path) -> Result<(Suite, Option<Checklist>), String> {
    let checklist = load_rows(cases)?;
    let suite = load_suite(cases, checklist.as_ref()).map_err(|e| e.to_string())?;
    Ok((suite, checklist))
}

/// The folder's `rows.yaml`, when it has one.
pub fn load_rows(cases: &Path) -> Result<Option<Checklist>, String> {
    let checklist_path = cases.join(CHECKLIST_FILE);
    if !checklist_path.exists() {
        return Ok(None);
    }
    load_checklist(&checklist_path)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A reached target, and the embedded server behind it if there is one.
pub struct Reached {
    pub target: Arc<Target>,
    pub info: TargetInfo,
    /// Kept alive for the run; dropped (stopped) afterwards.
    pub server: Option<RunningServer>,
}

/// Where to go: nothing (the embedded server), a URL, or a profile file.
pub enum Where<'a> {
    /// The embedded reference server, with these conformant variants.
    Embedded(harness_refserver::Variants),
    Url(&'a str),
    Profile(&'a Path),
    /// A recording served by `replay` (the profile it was made with, pointed at the replay
    /// server): requests name their case run in a header.
    Replay(Box<TargetProfile>),
}

/// Why a target could not be used: a bad profile (exit 2) or an unreachable target (exit 3).
pub enum ReachError {
    Usage(String),
    Unreachable(String),
}

/// Starts the embedded server (if asked) and signs in to the target.
pub async fn reach(place: Where<'_>, tls: TlsOptions) -> Result<Reached, ReachError> {
    reach_with(place, tls, false).await
}

/// [`reach`], and with `real_time` clock steps wait in real time where the target has no
/// test-control clock (`run --real-time`).
pub async fn reach_with(
    place: Where<'_>,
    tls: TlsOptions,
    real_time: bool,
) -> Result<Reached, ReachError> {
    reach_recording(place, tls, real_time, None).await
}

/// [`reach_with`], every exchange (the sign-in's included) recorded into `recorder` if given
/// (`run --record`).
pub async fn reach_recording(
    place: Where<'_>,
    tls: TlsOptions,
    real_time: bool,
    recorder: Option<Arc<Recorder>>,
) -> Result<Reached, ReachError> {
    let replay = matches!(place, Where::Replay(_));
    let (profile, server, kind): (TargetProfile, Option<RunningServer>, &str) = match place {
        Where::Embedded(variants) => {
            let config = ServerConfig {
                variants,
                ..ServerConfig::default()
            };
            let server = harness_refserver::start(config).await.map_err(|e| {
                ReachError::Unreachable(format!("failed to start the reference server: {e}"))
            })?;
            let url = Url::parse(&server.discovery_url())
                .map_err(|e| ReachError::Unreachable(e.to_string()))?;
            (embedded_profile(url), Some(server), "embedded")
        }
        Where::Url(text) => {
            let url = Url::parse(text)
                .map_err(|e| ReachError::Usage(format!("failed to read --target `{text}`: {e}")))?;
            // The reference server's accounts, but the control protocol only if it answers:
            // `serve` offers it only with `--control`.
            let mut profile = embedded_profile(url);
            profile.control = None;
            (profile, None, "remote")
        }
        Where::Profile(path) => (
            load_profile(path).map_err(|e| ReachError::Usage(e.to_string()))?,
            None,
            "remote",
        ),
        Where::Replay(profile) => (*profile, None, "replay"),
    };
    let mut profile = profile;
    profile.real_time = real_time;
    if tls.insecure || tls.ca_cert.is_some() {
        profile.tls = tls;
    }
    let mut client = HttpClient::new(&profile.tls).map_err(|e| ReachError::Usage(e.to_string()))?;
    if let Some(recorder) = recorder {
        client = client.recording(recorder);
    }
    if replay {
        client = client.tagging_flows();
    }
    let target = Target::connect(profile, client)
        .await
        .map_err(|e| ReachError::Unreachable(e.to_string()))?;
    let info = TargetInfo {
        url: target.discovered.root.to_string(),
        kind: kind.to_owned(),
        capabilities: target.capabilities.names(),
        // The sign-in's; the run adds its own at the end.
        retries: target.client.retry_notes(),
    };
    Ok(Reached {
        target,
        info,
        server,
    })
}
