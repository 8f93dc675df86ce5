//! `run --real-time` against a server without the test-control protocol: clock steps wait in
//! real time (scaled by the profile's `time_scale`, the server's `--time-scale`), the waiting
//! cases run side by side, and the clock rows are proven there.

mod common;
use common::{binary, serve, temp_dir, text};

#[test]
fn clock_rows_are_proven_in_real_time_and_the_waits_run_side_by_side() {
    let (server, base) = serve(&["--time-scale", "60"]);
    let dir = temp_dir("real-time");
    let profile = dir.join("profile.yaml");
    std::fs::write(
        &profile,
        format!(
            "discovery: {base}\nusername: alice@contoso.com\npassword_env: UCWA_RT_PASSWORD\n\
             watcher: sip:alice@contoso.com\ncontacts: [sip:bob@contoso.com, sip:carol@contoso.com, \
             sip:dave@contoso.com, sip:erin@contoso.com]\nunknown_contact: sip:nobody@contoso.com\n\
             control: false\ntime_scale: 60\nsnapshots: snaps\n"
        ),
    )
    .expect("profile");
    let reports = dir.join("reports");
    let output = binary()
        .args(["run", "--real-time", "--target-profile"])
        .arg(&profile)
        .args([
            "--filter",
            "presence-subscription.extend.*",
            "--filter",
            "presence-subscription.expiry*",
        ])
        .arg("--report-dir")
        .arg(&reports)
        .env("UCWA_RT_PASSWORD", "alice")
        .output()
        .expect("runs");
    drop(server);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");

    // The plan: every waiting run with its scaled wait; the run lasts about the longest.
    let waits: Vec<f64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("WAIT    "))
        .map(|l| {
            let wait = l
                .split("  ")
                .nth(1)
                .and_then(|w| w.split(" (").next())
                .expect("a wait");
            let secs = |w: &str| -> f64 {
                match w.split_once(" min ") {
                    Some((m, s)) => {
                        m.parse::<f64>().expect("min") * 60.0
                            + s.trim_end_matches(" s").parse::<f64>().expect("s")
                    }
                    None => w.trim_end_matches(" s").parse().expect("s"),
                }
            };
            secs(wait)
        })
        .collect();
    assert!(waits.len() >= 10, "{out}");
    let longest = waits.iter().copied().fold(0.0, f64::max);
    let total: f64 = waits.iter().sum();
    // 30 minutes of the target's clock at 60x: half a minute, give or take the cases' steps.
    assert!((20.0..=40.0).contains(&longest), "longest wait {longest}");
    assert!(total > 5.0 * longest, "the plan's waits add up to {total}");

    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json"),
    )
    .expect("json");
    // Side by side: far shorter than the waits one after another.
    let took = report["duration_secs"].as_f64().expect("duration");
    assert!(took < total / 3.0, "took {took} s for {total} s of waits");
    let unproven: Vec<&str> = report["coverage"]["unproven"]
        .as_array()
        .expect("unproven")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for row in [
        "PS.POST.cap-30",
        "PS.POST.adds-to-remaining",
        "PS.POST.expired-404",
        "PS.EVENT.updated-expiring",
        "PS.EVENT.expiry",
    ] {
        assert!(!unproven.contains(&row), "{row} not proven: {out}");
    }
    // What still skips needs what no waiting gives: conditions, a system subscription.
    for case in report["cases"].as_array().expect("cases") {
        if case["verdict"] == "skip" {
            let reason = case["reason"].as_str().unwrap_or_default();
            assert!(
                !reason.contains("clock")
                    && (reason.contains("conditions") || reason.contains("system-subscription")),
                "{}: {reason}",
                case["name"]
            );
        }
    }
}
