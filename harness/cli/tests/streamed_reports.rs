//! The real suite against the embedded server, reported as `run` reports it (each case spooled
//! as it finishes, out of plan order, and the run keeping only the cases' heads), gives byte
//! for byte the files that the whole report, every case kept, gives through `write_reports`.
//! (That the whole-report path writes what the writers wrote before reports streamed is
//! `harness-report`'s `whole_identity` test, on fixtures those writers wrote.)

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use harness_cli::setup::{Where, load, reach};
use harness_core::outcome::{CaseOutcome, EventSink, ReportBodies, RunEvent};
use harness_report::{
    HTML_FILE, JSON_FILE, JUNIT_FILE, JunitFlavor, JunitOptions, ReportSpool, Tee,
    write_reports_with,
};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::client::TlsOptions;
use harness_runner::exec::ExecOptions;
use harness_runner::run::{Interrupt, RunOptions, plan, run_suite};

mod common;
use common::{temp_dir, workspace};

/// Keeps a whole copy of every finished case, as the run did before reports streamed.
#[derive(Default)]
struct Whole(Vec<(usize, CaseOutcome)>);

impl EventSink for Whole {
    fn on_event(&mut self, event: RunEvent<'_>) {
        if let RunEvent::CaseFinished { position, case } = event {
            self.0.push((position, case.clone()));
        }
    }
}

fn junit(flavor: JunitFlavor) -> JunitOptions {
    JunitOptions {
        flavor,
        hostname: Some("localhost".to_owned()),
    }
}

fn assert_same_files(streamed: &Path, whole: &Path) {
    for file in [JUNIT_FILE, JSON_FILE, HTML_FILE] {
        let a = std::fs::read(streamed.join(file)).expect("streamed file");
        let b = std::fs::read(whole.join(file)).expect("whole file");
        assert!(a == b, "{file} differs: {}", streamed.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_suite_streamed_writes_the_files_of_its_whole_report() {
    let (suite, checklist) = load(&workspace().join("cases")).expect("the suite loads");
    let coverage = checklist.map(|c| harness_cli::coverage::summary(&suite, &c));
    let Ok(reached) = reach(Where::Embedded(Default::default()), TlsOptions::default()).await
    else {
        panic!("the embedded server starts");
    };
    let runs = plan(&suite, None);
    let options = Arc::new(RunOptions {
        jobs: 16,
        strict: false,
        formats: None,
        baseline: None,
        coverage,
        // Every case keeps its bodies and timeline: the biggest pieces.
        report_bodies: ReportBodies::All,
        repeat: 1,
        fail_fast: false,
        exec: ExecOptions {
            snapshots: SnapshotStore {
                dir: workspace().join("fixtures").join("snapshots"),
                policy: UpdatePolicy::Never,
                record_missing: false,
            },
            request_timeout: Duration::from_secs(10),
            shrink_time: Duration::from_secs(20),
            events_within_cap: None,
        },
    });
    let dir = temp_dir("streamed-reports");
    let spool = |name: &str, flavor| {
        ReportSpool::create(&dir.join(name), junit(flavor), false)
            .expect("spool")
            .with_secrets(reached.target.secrets().clone())
    };
    let mut sink = Tee {
        first: Whole::default(),
        second: Tee {
            first: spool("streamed-common", JunitFlavor::Common),
            second: spool("streamed-ant", JunitFlavor::Ant),
        },
    };
    let report = run_suite(
        Arc::new(suite),
        runs,
        reached.target.clone(),
        reached.info.clone(),
        options,
        &mut sink,
        Interrupt::default(),
    )
    .await;
    if let Some(server) = reached.server {
        server.shutdown().await;
    }
    assert!(report.cases.len() > 100, "{} cases", report.cases.len());
    assert!(
        report.cases.iter().all(|c| c.steps.is_empty()),
        "the run kept only heads"
    );
    sink.second.first.finish(&report).expect("streamed common");
    sink.second.second.finish(&report).expect("streamed ant");

    let mut whole = report.clone();
    let mut cases = sink.first.0;
    cases.sort_by_key(|(position, _)| *position);
    whole.cases = cases.into_iter().map(|(_, case)| case).collect();
    // The run's last scrub, as it scrubbed the heads.
    reached.target.secrets().redact_report(&mut whole);
    assert!(whole.cases.iter().all(|c| !c.steps.is_empty()));
    for (name, flavor) in [("common", JunitFlavor::Common), ("ant", JunitFlavor::Ant)] {
        let out = dir.join(format!("whole-{name}"));
        write_reports_with(&whole, &out, junit(flavor)).expect("whole");
        let streamed = dir.join(format!("streamed-{name}"));
        assert_same_files(&streamed, &out);
        // The spool is gone: the three files are all the folder holds.
        assert_eq!(std::fs::read_dir(&streamed).expect("list").count(), 3);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
