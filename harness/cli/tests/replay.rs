//! `run --record` and `replay`: a run recorded against `serve` (with a fault, so some case runs
//! fail) is judged again offline, the server gone, to the same verdict per case run; secrets
//! stay out of the recording; a case that now sends another request is an error naming it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{binary, serve, temp_dir, text, workspace};

/// Case runs with event-channel expectations (the delete events, the channel's own cases),
/// in JSON and XML.
const FILTERS: [&str; 4] = [
    "--filter",
    "presence-subscription.*",
    "--filter",
    "event-channel.*",
];

fn verdicts(report_dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(report_dir.join("report.json")).expect("report.json");
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_owned();
            (name, c["verdict"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("reads").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copies");
        }
    }
}

#[test]
fn a_recorded_run_replays_offline_to_the_same_verdicts_and_a_changed_case_diverges() {
    let dir = temp_dir("replay");
    let recording = dir.join("recording");
    let recorded = dir.join("recorded");
    let (served, base) = serve(&["--control", "--fault", "delete-events-reordered"]);
    let run = binary()
        .args(["run", "--target", &base])
        .args(FILTERS)
        .arg("--record")
        .arg(&recording)
        .arg("--report-dir")
        .arg(&recorded)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    // Offline from here on.
    drop(served);

    let before = verdicts(&recorded);
    let names = before.keys().cloned().collect::<Vec<_>>().join(" ");
    assert!(before.values().any(|v| v == "fail"), "{before:?}");
    assert!(before.values().any(|v| v == "pass"), "{before:?}");
    for name in [
        "presence-subscription.delete/json",
        "presence-subscription.delete/xml",
        "event-channel.next-and-ack/json",
        "event-channel.xml/xml",
    ] {
        assert!(before.contains_key(name), "{name} not in {names}");
    }
    assert_eq!(before["presence-subscription.delete/xml"], "fail");

    let replayed = dir.join("replayed");
    let replay = binary()
        .arg("replay")
        .arg(&recording)
        .arg("--report-dir")
        .arg(&replayed)
        .output()
        .expect("replay");
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay));
    assert_eq!(verdicts(&replayed), before, "{}", text(&replay));
    assert!(
        String::from_utf8_lossy(&replay.stdout).contains(&format!(
            "replay: {} case runs judged as recorded, 0 differ",
            before.len()
        )),
        "{}",
        text(&replay)
    );

    // The bearer tokens (the reference server's are `cwt=AAEB…`) and the passwords are not
    // in the recording; their places are.
    let mut all = String::new();
    for file in files(&recording) {
        all.push_str(&std::fs::read_to_string(&file).expect("text"));
    }
    assert!(!all.contains("cwt=AAEB"), "a bearer token was recorded");
    assert!(!all.contains("password=alice"), "a password was recorded");
    assert!(!all.contains("password=frank"), "a password was recorded");
    assert!(all.contains("password=[redacted]"));
    assert!(all.contains("Bearer [redacted]"));

    // The get step of a case that passed now asks for another resource.
    let cases = dir.join("cases");
    copy_dir(&workspace().join("cases"), &cases);
    let file = cases.join("presence-subscription/lifecycle.yaml");
    let yaml = std::fs::read_to_string(&file).expect("case file");
    assert_eq!(before["presence-subscription.get/json"], "pass");
    let get = "      - name: get\n        request: { method: GET, href: \"{{ sub }}\" }";
    assert!(yaml.contains(get), "the get case changed: update this test");
    let changed = get.replace("{{ sub }}", "{{ sub }}/memberships");
    std::fs::write(&file, yaml.replacen(get, &changed, 1)).expect("writes");
    let diverged_dir = dir.join("diverged");
    let diverged = binary()
        .arg("replay")
        .arg(&recording)
        .arg("--cases")
        .arg(&cases)
        .args(["--filter", "presence-subscription.get"])
        .arg("--report-dir")
        .arg(&diverged_dir)
        .output()
        .expect("replay");
    assert_eq!(diverged.status.code(), Some(1), "{}", text(&diverged));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(diverged_dir.join("report.json")).expect("report"),
    )
    .expect("json");
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 2, "{}", text(&diverged));
    for case in cases {
        let reason = case["reason"].as_str().unwrap_or_default();
        assert_eq!(case["verdict"], "error", "{reason}");
        let name = case["name"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("step get:")
                && reason.contains(&format!("diverged from the recording in {name}"))
                && reason.contains("the recording's next request is `GET /ucwa/")
                && reason.contains("the harness sent `GET /ucwa/")
                && reason.ends_with("/memberships`"),
            "{reason}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_recording_is_a_usage_error_with_its_place() {
    let dir = temp_dir("replay-broken");
    std::fs::write(dir.join("manifest.json"), "{\n  \"schema\": 3\n}\n").expect("writes");
    let out = binary().arg("replay").arg(&dir).output().expect("replay");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr.contains("manifest.json:2:"), "{stderr}");
    let missing = binary()
        .arg("replay")
        .arg(dir.join("nothing"))
        .output()
        .expect("replay");
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("failed to read the recording"),
        "{}",
        text(&missing)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
