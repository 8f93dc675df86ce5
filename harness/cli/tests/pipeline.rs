//! Issue 10's pipeline flags, end to end through the binary: `--partition K/N` and `merge`
//! give what one whole run gives, `--repeat` reports a flaky target as flaky, `--fail-fast`
//! stops starting cases, and `--cases` is repeatable.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{binary, temp_dir, text};
use http::{Method, Request, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;

fn report_json(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Each case's name and verdict, in the report's order.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["verdict"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `(classname, name)` of every `<testcase>`, in the file's order.
fn testcases(dir: &Path) -> Vec<(String, String)> {
    let xml = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    let attr = |tag: &str, key: &str| -> String {
        let open = format!("{key}=\"");
        let start = tag.find(&open).map(|i| i + open.len()).unwrap_or_default();
        tag[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    xml.split("<testcase ")
        .skip(1)
        .map(|rest| {
            let tag = rest.split('>').next().unwrap_or_default();
            (attr(tag, "classname"), attr(tag, "name"))
        })
        .collect()
}

#[test]
fn three_parts_merged_are_the_whole_run() {
    let dir = temp_dir("partition");
    let whole = dir.join("whole");
    let output = binary()
        .args(["run", "--report-dir"])
        .arg(&whole)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.join(format!("part{k}"));
        let output = binary()
            .args(["run", "--partition", &format!("{k}/3"), "--report-dir"])
            .arg(&part)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let held = verdicts(&report_json(&part)).len();
        assert!(held > 0, "part {k}/3 is empty: {}", text(&output));
        parts.push(part);
    }

    let merged = dir.join("merged");
    let output = binary()
        .args(["merge", "--out"])
        .arg(&merged)
        .args(&parts)
        .output()
        .expect("merges");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let whole_verdicts = verdicts(&report_json(&whole));
    // The whole suite: every case of the tree, split three ways.
    assert!(whole_verdicts.len() > 200, "{whole_verdicts:?}");
    assert_eq!(verdicts(&report_json(&merged)), whole_verdicts);
    assert_eq!(testcases(&merged), testcases(&whole));
    assert_eq!(
        report_json(&merged)["summary"],
        report_json(&whole)["summary"]
    );
    // Each part proved only its own rows; the merged report proves what the whole run did.
    assert_eq!(
        report_json(&merged)["coverage"],
        report_json(&whole)["coverage"]
    );
    assert!(merged.join("report.html").is_file());
    // The same part twice is refused, and so is a split with a part missing (its job wrote
    // no report): the merge must not be green without its cases.
    let output = binary()
        .args(["merge", "--out"])
        .arg(dir.join("twice"))
        .args([&parts[0], &parts[1], &parts[0]])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("part 1/3 is given twice"),
        "{}",
        text(&output)
    );
    let output = binary()
        .args(["merge", "--out"])
        .arg(dir.join("missing"))
        .args([&parts[0], &parts[2]])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("part 2/3 missing"),
        "{}",
        text(&output)
    );
    assert!(!dir.join("missing").join("junit.xml").exists());
}

/// A proxy in front of `backend` that answers a POST to a `presenceSubscriptions` resource with
/// 200 instead of its 201 when the POST's count (from 0) modulo `every` is `corrupt_from`;
/// everything else passes through untouched.
async fn proxy(backend: SocketAddr, every: usize, corrupt_from: usize) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let client: Client<_, Incoming> = Client::builder(TokioExecutor::new()).build_http();
    let posts = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let client = client.clone();
            let posts = posts.clone();
            tokio::spawn(async move {
                let service = service_fn(move |mut request: Request<Incoming>| {
                    let client = client.clone();
                    let corrupt = request.method() == Method::POST
                        && request.uri().path().ends_with("/presenceSubscriptions")
                        && posts.fetch_add(1, Ordering::SeqCst) % every == corrupt_from;
                    let path = request
                        .uri()
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_owned();
                    *request.uri_mut() = format!("http://{backend}{path}").parse().expect("a URI");
                    async move {
                        let mut response = client.request(request).await?;
                        if corrupt && response.status() == StatusCode::CREATED {
                            *response.status_mut() = StatusCode::OK;
                        }
                        Ok::<_, hyper_util::client::legacy::Error>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

#[test]
fn a_case_that_fails_every_other_time_is_flaky() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(harness_refserver::start(Default::default()))
        .expect("the server starts");
    // Every second POST: the first repeat passes, the second fails, the third passes.
    let addr = runtime.block_on(proxy(server.addr(), 2, 1));
    let dir = temp_dir("flaky");
    let run = |reports: &Path, extra: &[&str]| {
        binary()
            .args(["run", "--target", &format!("http://{addr}")])
            .args([
                "--filter",
                "membership.get",
                "--format",
                "json",
                "--jobs",
                "1",
            ])
            .args(["--repeat", "3", "--report-dir"])
            .arg(reports)
            .args(extra)
            .output()
            .expect("runs")
    };
    let reports = dir.join("reports");
    let output = run(&reports, &[]);
    let shown = text(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "flaky fails the run: {shown}"
    );
    assert!(shown.contains("FLAKY"), "{shown}");
    assert!(
        shown.contains("flaky: verdicts pass, fail, pass over 3 repeats"),
        "{shown}"
    );
    // The line CI logs grep, with the flaky count after it.
    assert!(
        shown.contains("0 passed, 0 failed, 0 errors, 0 skipped, 0 non-strict, 1 flaky in "),
        "{shown}"
    );

    let report = report_json(&reports);
    assert_eq!(
        verdicts(&report),
        [("membership.get/json".to_owned(), "flaky".to_owned())]
    );
    assert_eq!(report["summary"]["flaky"], 1);
    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("type=\"flaky\""), "{junit}");
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let html = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    assert!(html.contains("<td class=\"flaky\">1</td>"), "{html}");

    // `--allow-flaky`: the next three POSTs fail, pass, fail: flaky again, and the run passes.
    let output = run(&dir.join("allowed"), &["--allow-flaky"]);
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(shown.contains("1 flaky"), "{shown}");
    runtime.block_on(server.shutdown());
}

#[test]
fn fail_fast_starts_no_case_after_the_first_failure() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(harness_refserver::start(Default::default()))
        .expect("the server starts");
    // Every POST corrupted: every case that subscribes fails.
    let addr = runtime.block_on(proxy(server.addr(), 1, 0));
    let reports = temp_dir("fail-fast").join("reports");
    let output = binary()
        .args(["run", "--target", &format!("http://{addr}"), "--fail-fast"])
        .args(["--filter", "membership*", "--format", "json", "--jobs", "1"])
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .expect("runs");
    runtime.block_on(server.shutdown());
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let report = report_json(&reports);
    let cases = report["cases"].as_array().expect("cases");
    let failed = cases.iter().filter(|c| c["verdict"] == "fail").count();
    let not_started: Vec<&Value> = cases
        .iter()
        .filter(|c| c["verdict"] == "skip" && c["reason"] == "fail-fast")
        .collect();
    // One case at a time: the first failure is the only one, every case after it not started.
    assert_eq!(failed, 1, "{shown}");
    assert!(!not_started.is_empty(), "{shown}");
    assert_eq!(
        not_started.len() + failed + report["summary"]["passed"].as_u64().unwrap_or(0) as usize,
        cases.len(),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "fail-fast: {} runs not started after the first failure (skipped)",
            not_started.len()
        )),
        "{shown}"
    );
    let html = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    assert!(
        html.contains(&format!(
            "<strong>fail-fast</strong>: {} runs were not started",
            not_started.len()
        )),
        "{html}"
    );
}

#[test]
fn cases_folders_join_and_a_shared_id_is_a_load_error_naming_both_files() {
    let output = binary()
        .args([
            "check",
            "--cases",
            "cases",
            "--cases",
            "fixtures/folders/extra",
        ])
        .output()
        .expect("runs");
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("in cases, fixtures/folders/extra"),
        "{shown}"
    );

    // The second folder's case runs and proves its own folder's row.
    let reports = temp_dir("folders").join("reports");
    let output = binary()
        .args([
            "run",
            "--cases",
            "cases",
            "--cases",
            "fixtures/folders/extra",
        ])
        .args(["--filter", "vendor.*", "--report-dir"])
        .arg(&reports)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = report_json(&reports);
    assert_eq!(
        verdicts(&report),
        [("vendor.people.get/json".to_owned(), "pass".to_owned())]
    );
    let unproven = report["coverage"]["unproven"].as_array().expect("rows");
    assert!(unproven.iter().all(|r| r["id"] != "EXTRA.people"));
    assert!(unproven.iter().any(|r| r["id"] == "PEO.GET"));

    let output = binary()
        .args([
            "check",
            "--cases",
            "cases",
            "--cases",
            "fixtures/folders/clash",
        ])
        .output()
        .expect("runs");
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("duplicate case id `people.get`"), "{shown}");
    assert!(
        shown.contains("fixtures/folders/clash/people.yaml:3:9"),
        "{shown}"
    );
    assert!(shown.contains("cases/people/people.yaml:5:9"), "{shown}");
}

#[test]
fn no_progress_line_when_stdout_is_not_a_terminal() {
    let reports = temp_dir("no-progress").join("reports");
    // Outside CI too: stdout is a pipe here, so only the plain lines are written.
    let output = binary()
        .env_remove("CI")
        .args(["run", "--filter", "membership.get", "--report-dir"])
        .arg(&reports)
        .output()
        .expect("runs");
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        !shown.contains('\r') && !shown.contains("\u{1b}[2K"),
        "{shown:?}"
    );
    assert!(shown.contains("PASS    membership.get/json  "), "{shown}");
    assert!(
        shown.contains("2 passed, 0 failed, 0 errors, 0 skipped, 0 non-strict in "),
        "{shown}"
    );
}
