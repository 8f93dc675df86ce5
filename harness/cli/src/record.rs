//! `run --record DIR`: the run's exchanges, the profile it used and its case runs with their
//! verdicts, written once the run is over (docs/record-replay.md).

use std::path::Path;
use std::sync::Arc;

use harness_core::outcome::RunReport;
use harness_runner::check::snapshot::SnapshotStore;
use harness_runner::record::{
    MANIFEST, Manifest, RUN_FLOW, RecordedProfile, RecordedRun, RecordedSnapshots, Recorder,
    SCHEMA, write_runs,
};
use harness_runner::target::Target;

use crate::args::RunArgs;

/// What the manifest says besides the exchanges.
pub struct RunSettings<'a> {
    pub args: &'a RunArgs,
    pub jobs: usize,
    pub snapshots: &'a SnapshotStore,
}

/// Writes the recording into `dir`; the error says what could not be written.
pub fn write(
    dir: &Path,
    recorder: &Arc<Recorder>,
    target: &Target,
    report: &RunReport,
    settings: &RunSettings<'_>,
) -> Result<(), String> {
    let failed =
        |e: std::io::Error| format!("failed to write the recording {}: {e}", dir.display());
    let origins = recorder.origins();
    let files = write_runs(dir, recorder, target.secrets()).map_err(failed)?;
    let args = settings.args;
    let mut manifest = Manifest {
        schema: SCHEMA.to_owned(),
        tool: report.tool.clone(),
        recorded_at: report.started_at.clone(),
        target: report.target.clone(),
        origins,
        profile: RecordedProfile::of(&target.profile),
        formats: args.format.map(|f| vec![f.format().name().to_owned()]),
        filter: args.select.filter.clone(),
        tag: args.select.tag.clone(),
        jobs: settings.jobs,
        strict: args.strict,
        real_time: args.real_time,
        property_cases: args.property_cases,
        request_timeout_secs: args.request_timeout,
        snapshots: RecordedSnapshots {
            dir: settings.snapshots.dir.clone(),
            record_missing: settings.snapshots.record_missing,
        },
        runs: report
            .cases
            .iter()
            .map(|case| RecordedRun {
                name: case.name.clone(),
                verdict: case.verdict.name().to_owned(),
                file: files.get(&case.name).cloned(),
            })
            .collect(),
        run_file: files.get(RUN_FLOW).cloned(),
    };
    // The report's target line may hold what the run's secrets redact.
    let mut value = serde_json::to_value(&manifest).map_err(|e| e.to_string())?;
    target.secrets().redact_json(&mut value);
    manifest = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(MANIFEST), text + "\n").map_err(failed)
}
