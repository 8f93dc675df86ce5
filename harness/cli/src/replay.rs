//! `ucwa-conform replay DIR` (= `run --replay DIR`): the case runs of a recording judged
//! again, offline, against a local server that answers with the recorded answers
//! (docs/record-replay.md).

mod schedule;
mod server;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use harness_core::loader::Suite;
use harness_core::outcome::RunReport;
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::profile::TargetProfile;
use harness_runner::record::{MANIFEST, Manifest, RUN_FLOW, SCHEMA, read_exchanges};
use harness_runner::run::PlannedRun;

use crate::args::{FormatArg, RunArgs};
use schedule::CaseRun;
pub use server::ReplayServer;

/// A recording being served.
pub struct Replaying {
    pub manifest: Manifest,
    /// The recorded profile, pointed at the replay server.
    pub profile: TargetProfile,
    /// Kept alive for the run.
    pub server: ReplayServer,
}

/// Reads the recording in `dir` and starts its server; the error names the file.
pub async fn open(dir: &Path) -> Result<Replaying, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("failed to read the recording {}: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a recording: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if manifest.schema != SCHEMA {
        return Err(format!(
            "{}: a recording of format {:?}; this harness reads {SCHEMA:?}",
            path.display(),
            manifest.schema
        ));
    }
    let mut runs = HashMap::new();
    let files = manifest
        .runs
        .iter()
        .filter_map(|r| Some((r.name.as_str(), r.file.as_deref()?)))
        .chain(manifest.run_file.as_deref().map(|f| (RUN_FLOW, f)));
    for (name, file) in files {
        let exchanges = read_exchanges(&dir.join(file))?;
        runs.insert(name.to_owned(), CaseRun::new(name, exchanges));
    }
    let server = server::start(runs, manifest.origins.clone())
        .await
        .map_err(|e| format!("failed to start the replay server: {e}"))?;
    let profile = manifest
        .profile
        .to_profile(|url| server.served.rewrite(url))
        .map_err(|e| format!("{}: the recorded profile: {e}", path.display()))?;
    Ok(Replaying {
        manifest,
        profile,
        server,
    })
}

/// The recorded run's settings that decide which requests are sent: its format, strictness
/// and generated inputs (what the command line gives wins); options that name another target,
/// or a recording of the replay, are refused.
pub fn apply(manifest: &Manifest, args: &mut RunArgs) -> Result<(), String> {
    let other = [
        (args.target.is_some(), "--target"),
        (args.target_profile.is_some(), "--target-profile"),
        (!args.variants.is_empty(), "--variant"),
        (args.record.is_some(), "--record"),
    ];
    if let Some((_, option)) = other.iter().find(|(given, _)| *given) {
        return Err(format!(
            "a replay takes no {option}: its target is the recording"
        ));
    }
    if args.format.is_none() {
        args.format = match manifest.formats.as_deref() {
            Some([one]) => [FormatArg::Json, FormatArg::Xml]
                .into_iter()
                .find(|f| f.format().name() == one),
            _ => None,
        };
    }
    args.strict |= manifest.strict;
    args.real_time |= manifest.real_time;
    args.property_cases = args.property_cases.or(manifest.property_cases);
    Ok(())
}

impl Replaying {
    /// The planned runs the recording holds (a case run it does not hold would only diverge).
    pub fn keep_recorded(&self, suite: &Suite, runs: Vec<PlannedRun>) -> Vec<PlannedRun> {
        let recorded: HashSet<&str> = self.manifest.runs.iter().map(|r| r.name.as_str()).collect();
        let kept: Vec<PlannedRun> = runs
            .into_iter()
            .filter(|p| recorded.contains(p.resolve(suite).name().as_str()))
            .collect();
        if kept.len() < recorded.len() {
            eprintln!(
                "note: {} case runs of the recording are not run: left out by --filter, --tag \
                 or --format, or not in the suite any more",
                recorded.len() - kept.len()
            );
        }
        kept
    }

    /// The snapshot store the recorded run compared with.
    pub fn snapshots(&self) -> SnapshotStore {
        SnapshotStore {
            dir: self.manifest.snapshots.dir.clone(),
            policy: UpdatePolicy::from_env(),
            record_missing: self.manifest.snapshots.record_missing,
        }
    }

    /// Prints each case run whose verdict differs from the recorded one, and a line of counts.
    pub fn compare(&self, report: &RunReport) {
        let recorded: BTreeMap<&str, &str> = self
            .manifest
            .runs
            .iter()
            .map(|r| (r.name.as_str(), r.verdict.as_str()))
            .collect();
        let mut same = 0;
        let mut differ = 0;
        for case in &report.cases {
            let Some(was) = recorded.get(case.name.as_str()) else {
                continue;
            };
            let now = case.verdict.name();
            if *was == now {
                same += 1;
            } else {
                differ += 1;
                say!("DIFFERS {}  recorded {was}, replayed {now}", case.name);
            }
        }
        say!(
            "replay: {same} case runs judged as recorded, {differ} differ (recorded {} by {})",
            self.manifest.recorded_at,
            self.manifest.tool
        );
    }
}
