//! The mission on a real server: `serve` without the test-control protocol, a two-account
//! profile and `run --real-time`. Clock steps wait in real time (scaled by the profile's
//! `time_scale`, the server's `--time-scale`) side by side, presence changes go through the
//! second account, and the subscription limit is reached by filling it: every row is proven in
//! both formats except those only a condition or a system subscription can show.

mod common;
use std::collections::{BTreeMap, BTreeSet};

use common::{binary, serve, temp_dir, text, workspace};
use serde_json::Value;

/// Rows whose trigger is a condition or a system subscription but that a real server shows
/// anyway: the limit, by creating subscriptions until refused.
const REACHED_WITHOUT_CONTROL: &[&str] = &["PSS.POST.403-limit"];

#[test]
fn every_row_but_conditions_and_system_subscriptions_is_proven_without_test_control() {
    let (server, base) = serve(&["--time-scale", "60"]);
    let dir = temp_dir("real-time");
    let profile = dir.join("profile.yaml");
    std::fs::write(
        &profile,
        format!(
            "discovery: {base}\nusername: alice@contoso.com\npassword_env: UCWA_RT_PASSWORD\n\
             watcher: sip:alice@contoso.com\ncontacts: [sip:bob@contoso.com, sip:carol@contoso.com, \
             sip:dave@contoso.com, sip:erin@contoso.com]\ngroup: Team\n\
             unknown_contact: sip:nobody@contoso.com\nsecond_user:\n  username: frank@contoso.com\n  \
             password_env: UCWA_RT_SECOND\n  watcher: sip:frank@contoso.com\n\
             control: false\ntime_scale: 60\nsnapshots: snaps\n"
        ),
    )
    .expect("profile");
    let reports = dir.join("reports");
    let output = binary()
        .args(["run", "--real-time", "--target-profile"])
        .arg(&profile)
        .arg("--report-dir")
        .arg(&reports)
        .env("UCWA_RT_PASSWORD", "alice")
        .env("UCWA_RT_SECOND", "frank")
        .output()
        .expect("runs");
    drop(server);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json"),
    )
    .expect("json");
    let cases = report["cases"].as_array().expect("cases");

    // Skipped are exactly the runs that need a condition or a system subscription; the rest pass.
    // Row -> the formats its runs use (some cases run in one format only), and those passed.
    let mut planned: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut passes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for case in cases {
        let (name, reason) = (&case["name"], case["reason"].as_str().unwrap_or_default());
        for row in case["spec"].as_array().expect("spec") {
            planned
                .entry(row.as_str().expect("row").to_owned())
                .or_default()
                .insert(case["format"].as_str().expect("format").to_owned());
        }
        match case["verdict"].as_str() {
            Some("pass") => {
                for row in case["spec"].as_array().expect("spec") {
                    passes
                        .entry(row.as_str().expect("row").to_owned())
                        .or_default()
                        .insert(case["format"].as_str().expect("format").to_owned());
                }
            }
            Some("skip") => {
                let needs = reason
                    .split("requires: ")
                    .nth(1)
                    .and_then(|r| r.split([';', ')']).next())
                    .unwrap_or_default();
                assert!(
                    needs
                        .split(", ")
                        .all(|c| c == "conditions" || c == "system-subscription"),
                    "{name}: {reason}"
                );
            }
            other => panic!("{name}: {other:?} {reason}"),
        }
    }
    let said = report.to_string();
    assert!(
        said.contains("presence of sip:frank@contoso.com set to Busy as the contact itself"),
        "the presence cases say which way they took: {out}"
    );

    // Every row proven in every format its cases run in (both, for all but a few bootstrap
    // rows), but those only the test-control protocol reaches.
    let rows: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(workspace().join("cases/rows.yaml")).expect("rows.yaml"),
    )
    .expect("rows");
    // Only the test-control protocol reaches a row when every run of it needs a condition or a
    // system subscription; such a row is one whose trigger says so.
    let mut control_only = BTreeSet::new();
    for row in rows["rows"].as_array().expect("rows") {
        let id = row["id"].as_str().expect("id");
        let trigger = row["trigger"].as_str().expect("trigger");
        let formats = passes.get(id).cloned().unwrap_or_default();
        let wanted = planned.get(id).cloned().unwrap_or_default();
        if formats.is_empty() && matches!(trigger, "condition" | "system") {
            control_only.insert(id.to_owned());
            continue;
        }
        assert!(
            !wanted.is_empty() && formats == wanted,
            "{id} ({trigger}) proven in {formats:?} of {wanted:?}: {out}"
        );
    }
    for id in REACHED_WITHOUT_CONTROL.iter().chain(&[
        "CP.updated",
        "CP.unsubscribed-silent",
        "PS.POST.cap-30",
    ]) {
        assert!(!control_only.contains(*id), "{id} not proven: {out}");
    }
    let unproven: BTreeSet<String> = report["coverage"]["unproven"]
        .as_array()
        .expect("unproven")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(unproven, control_only, "{out}");
    // The summary lists them by the capability they lack, and by nothing else.
    let groups: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("not proven ("))
        .filter_map(|l| l.split(')').next())
        .collect();
    assert_eq!(groups, ["conditions", "system-subscription"], "{out}");

    // The plan: the waits run side by side, so the run lasts about the longest of them.
    let waits: Vec<f64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("WAIT    "))
        .map(|l| seconds(l.split("  ").nth(1).expect("a wait")))
        .collect();
    assert!(waits.len() >= 10, "{out}");
    let longest = waits.iter().copied().fold(0.0, f64::max);
    let total: f64 = waits.iter().sum();
    // 30 minutes of the target's clock at 60x: half a minute, give or take the cases' steps.
    assert!((20.0..=45.0).contains(&longest), "longest wait {longest}");
    let planned = out
        .lines()
        .find_map(|l| l.split("so the run lasts about ").nth(1))
        .map(|l| seconds(l.split(" (").next().expect("length")))
        .expect("the plan's length");
    assert!(
        (planned - longest).abs() < 0.1,
        "plan {planned} vs longest {longest}"
    );
    assert!(total > 5.0 * planned, "the waits add up to {total}");
}

/// `31.5 s` or `1 min 5 s` as seconds.
fn seconds(text: &str) -> f64 {
    let text = text.split(" (").next().unwrap_or(text).trim();
    match text.split_once(" min ") {
        Some((m, s)) => {
            m.parse::<f64>().expect("min") * 60.0
                + s.trim_end_matches(" s").parse::<f64>().expect("s")
        }
        None => text.trim_end_matches(" s").parse().expect("s"),
    }
}
