//! The second user: cases that act as it (`auth: second`) need the `second-user` capability,
//! which only a profile with `second_user` gives; without one they are skipped with that
//! reason, with one they run (and pass on the reference server).

use harness_core::model::Capability;

mod common;
use common::{binary, temp_dir, text, workspace};

const ONE_USER: &str = "\
username: alice@contoso.com
password_env: UCWA_TWO_USERS_TEST_PASSWORD
watcher: sip:alice@contoso.com
contacts: [sip:bob@contoso.com, sip:carol@contoso.com, sip:dave@contoso.com, sip:erin@contoso.com]
group: Team
unknown_contact: sip:nobody@contoso.com
control: true
";

const SECOND_USER: &str = "\
second_user:
  username: frank@contoso.com
  password_env: UCWA_TWO_USERS_TEST_SECOND
  watcher: sip:frank@contoso.com
";

/// Runs the two-users cases against an embedded server through a profile file.
fn run_two_users(name: &str, profile_tail: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(harness_refserver::start(
            harness_refserver::ServerConfig::default(),
        ))
        .expect("the server starts");
    let dir = temp_dir(name);
    let profile = dir.join("target.yaml");
    let text_of_profile = format!(
        "discovery: {}\n{ONE_USER}{profile_tail}snapshots: snaps\n",
        server.discovery_url()
    );
    std::fs::write(&profile, text_of_profile).expect("profile");
    let reports = dir.join("reports");
    let output = binary()
        .args([
            "run",
            "--filter",
            "application.two-users*",
            "--target-profile",
        ])
        .arg(&profile)
        .arg("--report-dir")
        .arg(&reports)
        .env("UCWA_TWO_USERS_TEST_PASSWORD", "alice")
        .env("UCWA_TWO_USERS_TEST_SECOND", "frank")
        .output()
        .expect("runs");
    runtime.block_on(server.shutdown());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).expect("report"))
        .expect("json")
}

#[test]
fn acting_as_the_second_user_needs_the_capability() {
    let (suite, _) = harness_cli::setup::load(&workspace().join("cases")).expect("suite loads");
    let ids: Vec<&str> = suite
        .cases
        .iter()
        .map(|c| c.case.id.value.as_str())
        .filter(|id| id.starts_with("application.two-users."))
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");
    for id in ids {
        let case = suite.get(id).expect("case");
        let caps = harness_runner::exec::required_capabilities(case);
        assert!(caps.contains(&Capability::SecondUser), "{id}: {caps:?}");
    }
    // `auth: second` alone implies it, as control steps imply theirs.
    assert!(!Capability::SecondUser.needs_control());
}

#[test]
fn without_a_second_user_the_cases_are_skipped_with_the_reason() {
    let report = run_two_users("two-users-one", "");
    let cases = report["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        assert_eq!(case["verdict"], "skip", "{case}");
        let reason = case["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("requires: second-user") && reason.contains("second_user"),
            "{reason}"
        );
    }
}

#[test]
fn with_a_second_user_the_cases_pass_on_the_reference_server() {
    let report = run_two_users("two-users-two", SECOND_USER);
    let cases = report["cases"].as_array().expect("cases");
    assert!(cases.len() >= 8, "both formats of every case");
    for case in cases {
        assert_eq!(case["verdict"], "pass", "{}", case["reason"]);
    }
    let capabilities = report["target"]["capabilities"].as_array().expect("caps");
    assert!(
        capabilities.iter().any(|c| c == "second-user"),
        "{capabilities:?}"
    );
}
