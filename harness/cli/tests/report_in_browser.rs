//! `report.html` of a failing run, opened in a real browser (headless Chromium): its page as the
//! browser built it (`--dump-dom`) has the failing case's timeline drawn as lanes with the
//! missed deadline marked, and the areas, slowest cases and rows-by-format tables; a screenshot
//! is kept for people (copied to `$UCWA_CONFORM_ARTIFACTS` when set).
//!
//! The run is the suite's event cases against `serve --fault create-event-missing`, which never
//! reports a new subscription: its event expectation waits until its deadline and fails.
//! Without a browser the test is skipped locally and fails under CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{binary, serve, temp_dir, text};

/// The browsers tried, in order: Debian's `chromium` and `chromium-headless-shell`.
const BROWSERS: [&str; 2] = ["chromium", "chromium-headless-shell"];

/// The most a browser call may take before it is killed: it must never hang the tests.
const BROWSER_SECONDS: &str = "90";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The first of [`BROWSERS`] on the `PATH`.
fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    BROWSERS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Runs the browser headless on `url` with `args`, bounded by `timeout` (coreutils), with its
/// own profile in `scratch`. Root needs `--no-sandbox`; there is no GPU.
fn headless(browser: &Path, scratch: &Path, url: &str, args: &[&str]) -> Output {
    let output = Command::new("timeout")
        .args(["--kill-after=5", BROWSER_SECONDS])
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", scratch.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("timeout (coreutils) runs the browser");
    assert!(
        output.status.success(),
        "the browser failed or timed out on {url}: {}",
        text(&output)
    );
    output
}

/// The `id` suffix `report.html` gives a case's details: every character but ASCII letters
/// and digits as `-` (what the report's own test-local reader expects, not its writer's code).
fn anchor(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The name of the first failed case whose event expectation did not hold.
fn missed_events_case(report: &serde_json::Value) -> String {
    let cases = report["cases"].as_array().expect("cases");
    cases
        .iter()
        .find(|case| {
            case["verdict"] == "fail"
                && case["steps"].as_array().into_iter().flatten().any(|step| {
                    step["checks"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["kind"] == "events" && c["status"] == "fail")
                })
        })
        .and_then(|case| case["name"].as_str())
        .expect("a case whose event expectation failed")
        .to_owned()
}

#[test]
fn the_report_of_a_failing_run_draws_its_timeline_in_a_browser() {
    let Some(browser) = browser() else {
        let hint = "apt-get install chromium-headless-shell (or chromium)";
        assert!(
            !in_ci(),
            "no headless Chromium, which CI requires (hint: {hint})"
        );
        eprintln!("note: no chromium or chromium-headless-shell on PATH, skipping (hint: {hint})");
        return;
    };
    let dir = temp_dir("report-in-browser");
    let reports = dir.join("reports");
    let (server, base) = serve(&["--control", "--fault", "create-event-missing"]);
    let output = binary()
        .args(["run", "--target", &base])
        .args(["--filter", "presence-subscription.events.added"])
        .args(["--filter", "presence-subscription.get.deleted"])
        .args(["--filter", "application.create"])
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .expect("ucwa-conform runs");
    drop(server);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));

    let json = std::fs::read(reports.join("report.json")).expect("report.json");
    let report: serde_json::Value = serde_json::from_slice(&json).expect("report.json is JSON");
    let failing = missed_events_case(&report);
    let id = format!("c{}", anchor(&failing));
    let page = reports.join("report.html");
    let url = format!("file://{}", page.display());

    let dom = headless(&browser, &dir.join("profile-dom"), &url, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for table in ["groups", "slowest", "matrix"] {
        assert!(
            dom.contains(&format!("<table class=\"{table}\">")),
            "no {table} table in the page the browser built"
        );
    }
    assert!(!dom.contains("<script"), "the page needs no script");
    let start = dom
        .find(&format!("<details id=\"{id}\""))
        .unwrap_or_else(|| panic!("no details of {failing} (id {id})"));
    let section = &dom[start..];
    let section = &section[..section[1..]
        .find("<details id=\"c")
        .map_or(section.len(), |end| end + 1)];
    for part in [
        "<svg class=\"tl\"",
        "<g class=\"lane requests\">",
        "<g class=\"lane events\">",
        "<g class=\"step fail\">",
        "<g class=\"deadline\">",
    ] {
        assert!(
            section.contains(part),
            "the timeline of {failing} lacks {part}:\n{section}"
        );
    }

    // The whole short page, the failing case's timeline included (headless Chromium draws a
    // blank page when the address has a fragment to scroll to, so no `#id`).
    let png = dir.join("report.png");
    headless(
        &browser,
        &dir.join("profile-shot"),
        &url,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2400",
        ],
    );
    let shot = std::fs::read(&png).expect("the screenshot was written");
    assert!(shot.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    if let Some(artifacts) = std::env::var_os("UCWA_CONFORM_ARTIFACTS") {
        let artifacts = PathBuf::from(artifacts);
        std::fs::create_dir_all(&artifacts).expect("artifacts folder");
        std::fs::copy(&png, artifacts.join("report-in-browser.png")).expect("copy screenshot");
        std::fs::copy(&page, artifacts.join("report-in-browser.html")).expect("copy report");
    }
    eprintln!("screenshot: {}", png.display());
}
