//! `run --record DIR`: the recording on disk, its secrets redacted (docs/record-replay.md).

mod file;
mod redact;

pub use crate::flow::{DIVERGED_HEADER, EVENTS, FLOW_HEADER, Flow, RUN_FLOW, STEPS};
pub use crate::tape::{Exchange, RecordedRequest, RecordedResponse, Recorder};
pub use file::{
    MANIFEST, Manifest, RecordedProfile, RecordedRun, RecordedSnapshots, SCHEMA, read_exchanges,
    run_file, write_runs,
};
