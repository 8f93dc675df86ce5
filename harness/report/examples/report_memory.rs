//! Peak memory of a run's reporting as the run grows: the finish loop of `run_suite` played
//! with synthetic finished cases, streamed (each case spooled as it finishes and kept as its
//! head, as `ucwa-conform run` does) and whole (every case kept until the files are written,
//! as it did before reports streamed). Each figure is the peak resident set (`VmHWM`) of a
//! process of its own, so one measure cannot inherit another's peak. Linux only.
//!
//! ```sh
//! cargo run --release -p harness-report --example report_memory            # the table
//! cargo run --release -p harness-report --example report_memory streamed 20000
//! ```
//!
//! The cases look like the real suite's under `--report-bodies failing`: eight steps with their
//! request line, status and three checks; one case in twenty fails and keeps its steps' headers
//! and bodies (2 KiB each way) and a timeline of ten events.

use std::path::Path;
use std::process::Command;

use harness_core::model::{Format, Level};
use harness_core::outcome::{
    CaseOutcome, CheckOutcome, EventSink, RequestRecord, ResponseRecord, RunEvent, RunReport,
    StepOutcome, Summary, TargetInfo, TimelineEntry, Verdict,
};
use harness_report::{JunitFlavor, JunitOptions, ReportSpool, write_reports};

const SIZES: [usize; 4] = [1_000, 5_000, 20_000, 50_000];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, cases] => {
            let cases: usize = cases.parse().expect("a number of cases");
            let dir = std::env::temp_dir().join(format!("report-memory-{}", std::process::id()));
            play(mode == "streamed", cases, &dir);
            let _ = std::fs::remove_dir_all(&dir);
            println!("{}", peak_kib());
        }
        _ => table(),
    }
}

/// Runs every measure in a process of its own and prints the table.
fn table() {
    println!("| cases | streamed: peak RSS | whole: peak RSS |");
    println!("|---:|---:|---:|");
    let me = std::env::current_exe().expect("this example");
    for cases in SIZES {
        let measure = |mode: &str| -> String {
            let out = Command::new(&me)
                .args([mode, &cases.to_string()])
                .output()
                .expect("a measure runs");
            let kib: u64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or(0);
            format!("{:.1} MiB", kib as f64 / 1024.0)
        };
        println!(
            "| {cases} | {} | {} |",
            measure("streamed"),
            measure("whole")
        );
    }
}

/// The finish loop of a run of `cases` cases, then its report files.
fn play(streamed: bool, cases: usize, dir: &Path) {
    let junit = JunitOptions {
        flavor: JunitFlavor::Common,
        hostname: Some("localhost".to_owned()),
    };
    let mut spool = ReportSpool::create(dir, junit, false).expect("spool");
    let mut finished = Vec::with_capacity(cases);
    for position in 0..cases {
        let mut case = synthetic_case(position);
        if streamed {
            // What run_suite does with a sink that writes cases out.
            spool.on_event(RunEvent::CaseFinished {
                position,
                case: &case,
            });
            case.shed_details();
        }
        finished.push(case);
    }
    let report = RunReport {
        tool: "ucwa-conform".to_owned(),
        started_at: "2026-01-01T00:00:00.000Z".to_owned(),
        duration_secs: 1.0,
        target: TargetInfo {
            url: "http://127.0.0.1/autodiscover".to_owned(),
            kind: "embedded".to_owned(),
            capabilities: vec![],
            retries: vec![],
        },
        strict: false,
        interrupted: false,
        report_bodies: harness_core::outcome::ReportBodies::Failing,
        summary: Summary::of(&finished),
        cases: finished,
        coverage: None,
        unexpected_passes: vec![],
        partition: None,
    };
    if streamed {
        spool.finish(&report).expect("streamed files");
    } else {
        drop(spool);
        write_reports(&report, dir, JunitFlavor::Common).expect("whole files");
    }
}

fn synthetic_case(position: usize) -> CaseOutcome {
    let failing = position % 20 == 7;
    let body = |what: &str| failing.then(|| format!("{what} {}", "x".repeat(2048)));
    let headers = || {
        if failing {
            vec![("content-type".to_owned(), "application/json".to_owned()); 6]
        } else {
            Vec::new()
        }
    };
    let steps = (0..8)
        .map(|s| StepOutcome {
            name: format!("step-{s}"),
            line: 10 + s,
            verdict: if failing && s == 7 {
                Verdict::Fail
            } else {
                Verdict::Pass
            },
            reason: None,
            request: Some(RequestRecord {
                method: "POST".to_owned(),
                url: format!("http://127.0.0.1/ucwa/v1/applications/{position}/people/{s}"),
                headers: headers(),
                body: body("request"),
            }),
            response: Some(ResponseRecord {
                status: 200,
                headers: headers(),
                body: body("response"),
                duration_secs: 0.001,
            }),
            checks: vec![
                CheckOutcome::pass("status", Level::Must, "status 200"),
                CheckOutcome::pass("media-type", Level::Must, "application/json"),
                if failing && s == 7 {
                    CheckOutcome::fail("resource", Level::Must, "a link is missing").at(
                        Some("links.self".to_owned()),
                        "present",
                        "absent",
                    )
                } else {
                    CheckOutcome::pass("resource", Level::Must, "presenceSubscription")
                },
            ],
            at_ms: 1.0 + 2.0 * s as f64,
            duration_secs: 0.002,
        })
        .collect::<Vec<_>>()
        .into();
    let timeline = if failing {
        (0..10)
            .map(|seq| TimelineEntry {
                seq,
                at_ms: seq as f64,
                step: Some("step-3".to_owned()),
                ack: Some(format!("{seq}")),
                sender: "people".to_owned(),
                kind: "added".to_owned(),
                rel: "presenceSubscription".to_owned(),
                href: format!("/ucwa/v1/applications/{position}/subscriptions/{seq}"),
                in_rel: None,
                in_href: None,
                embedded: None,
                matched_by: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    CaseOutcome {
        name: format!("case.{position}/json"),
        case_id: format!("case.{position}"),
        row: None,
        format: Format::Json,
        title: "a synthetic case".to_owned(),
        file: format!("cases/area-{}.yaml", position / 50),
        line: 1,
        level: Level::Must,
        spec: vec!["PS-1".to_owned(), "PS-2".to_owned()],
        tags: vec![],
        verdict: if failing {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
        reason: failing.then(|| "step \"step-7\": a link is missing".to_owned()),
        duration_secs: 0.02,
        steps,
        session_checks: vec![CheckOutcome::pass("channel", Level::Must, "ack advances")],
        timeline,
    }
}

/// The peak resident set of this process, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
