//! The suite against one embedded reference server of a given configuration: what `mutants`
//! (one fault profile each) and `variants` (one conformant variant each) repeat.

use std::sync::Arc;

use harness_core::loader::Suite;
use harness_core::outcome::{EventSink, ReportBodies, RunEvent, RunReport, TargetInfo};
use harness_refserver::ServerConfig;
use harness_runner::client::{HttpClient, TlsOptions};
use harness_runner::exec::ExecOptions;
use harness_runner::profile::embedded_profile;
use harness_runner::run::{Interrupt, RunOptions, plan, run_suite};
use harness_runner::target::Target;
use url::Url;

/// Why the suite could not run on the server.
#[derive(Debug, Clone)]
pub enum EmbeddedError {
    /// The server did not start: nothing was judged.
    Start(String),
    /// The bootstrap (discovery, sign-in) failed against it.
    SignIn(String),
}

struct Silent;

impl EventSink for Silent {
    fn on_event(&mut self, _: RunEvent<'_>) {}
}

/// Starts a server with `config`, runs every case of `suite` against it (64 at once), stops it.
pub async fn run_suite_on(
    suite: Arc<Suite>,
    config: ServerConfig,
    exec: ExecOptions,
) -> Result<RunReport, EmbeddedError> {
    run_suite_on_jobs(suite, config, exec, 64).await
}

/// [`run_suite_on`] with `jobs` cases at once.
pub async fn run_suite_on_jobs(
    suite: Arc<Suite>,
    config: ServerConfig,
    exec: ExecOptions,
    jobs: usize,
) -> Result<RunReport, EmbeddedError> {
    let server = harness_refserver::start(config)
        .await
        .map_err(|e| EmbeddedError::Start(format!("failed to start the server: {e}")))?;
    let target = match connect(&server.discovery_url()).await {
        Ok(target) => target,
        Err(e) => {
            server.shutdown().await;
            return Err(EmbeddedError::SignIn(e));
        }
    };
    let runs = plan(&suite, None);
    let info = TargetInfo {
        url: server.discovery_url(),
        kind: "embedded".into(),
        capabilities: target.capabilities.names(),
        retries: vec![],
    };
    let options = Arc::new(RunOptions {
        baseline: None,
        coverage: None,
        // Cases mostly wait (on events, on long polls); waiting costs no CPU.
        jobs,
        strict: false,
        formats: None,
        // Proofs judge verdicts; a failing case keeps its bodies for the reports anyway.
        report_bodies: ReportBodies::Failing,
        repeat: 1,
        fail_fast: false,
        exec,
    });
    let report = run_suite(
        suite,
        runs,
        target,
        info,
        options,
        &mut Silent,
        Interrupt::default(),
    )
    .await;
    server.shutdown().await;
    Ok(report)
}

async fn connect(discovery: &str) -> Result<Arc<Target>, String> {
    let url = Url::parse(discovery).map_err(|e| e.to_string())?;
    let profile = embedded_profile(url);
    let client = HttpClient::new(&TlsOptions::default()).map_err(|e| e.to_string())?;
    Target::connect(profile, client)
        .await
        .map_err(|e| e.to_string())
}
