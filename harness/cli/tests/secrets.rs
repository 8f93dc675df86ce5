//! Secrets are redacted by value, whatever their shape: against a reference server that issues
//! JWTs (`eyJ…`, with refresh tokens) or opaque hex tokens, a run of cases that fail on purpose
//! while recording token answers, echoing tokens and passwords into requests and expectations,
//! snapshotting a token answer and signing in a second user leaves none of the values the
//! server issued, nor either password, in any output: stdout, stderr, junit.xml, report.json,
//! report.html, the snapshot files it wrote and its recording (`--record`).

use std::path::{Path, PathBuf};

use harness_refserver::{Directory, ServerConfig, TokenStyle};

mod common;
use common::{binary, temp_dir, text, workspace};

/// Long enough to be registered (short passwords are not: they would eat ordinary words).
const PASSWORD: &str = "Alice-Secret-Passw0rd!";
const SECOND_PASSWORD: &str = "Frank-Other-Passw0rd?";

/// Cases that put secrets everywhere a report could show them, and fail.
const CASES: &str = r#"
cases:
  - id: leak.token-answer
    title: records a token answer and fails on its access_token, which the check shows as actual
    session: bare
    formats: [json]
    steps:
      - name: grant
        request:
          method: POST
          link: discovery.token
          auth: none
          form: { grant_type: password, username: "{{ user.name }}", password: "{{ user.password }}" }
        expect:
          status: 200
          select:
            - { query: "$.access_token", equals: "not-the-token" }

  - id: leak.token-snapshot
    title: snapshots a token answer (recorded in the target's store; not a UCWA body, so it fails)
    session: bare
    formats: [json]
    steps:
      - name: grant
        request:
          method: POST
          link: discovery.token
          auth: none
          form: { grant_type: password, username: "{{ user.name }}", password: "{{ user.password }}" }
        expect: { status: 200 }
        snapshot: {}

  - id: leak.token-in-messages
    title: a fresh token and the password go into a request and into an expectation that fails
    formats: [json, xml]
    steps:
      - name: renew
        request:
          method: POST
          link: discovery.token
          auth: none
          form: { grant_type: password, username: "{{ user.name }}", password: "{{ user.password }}" }
        expect: { status: 200 }
        capture: { renewed: "$.access_token" }
      - name: use-it
        request:
          method: GET
          link: app.self
          auth: none
          headers:
            Authorization: "Bearer {{ renewed }}"
            X-Echo: "{{ renewed }} {{ user.password }}"
          query: { echo: "{{ renewed }}" }
        expect:
          status: 200
          headers:
            X-Nope: { equals: "{{ renewed }} {{ user.password }}" }

  - id: leak.second-user
    title: the second user signs in; its request on the first user's application fails on purpose
    formats: [json]
    steps:
      - name: as-second
        request: { method: GET, link: app.self, auth: second }
        expect: { status: 200 }
"#;

/// The built-in directory with long passwords for the two accounts the profile uses.
fn directory() -> Directory {
    let text = std::fs::read_to_string(workspace().join("fixtures/directory.json"))
        .expect("fixtures/directory.json");
    let text = text
        .replace(
            r#""password": "alice""#,
            &format!(r#""password": "{PASSWORD}""#),
        )
        .replace(
            r#""password": "frank""#,
            &format!(r#""password": "{SECOND_PASSWORD}""#),
        );
    Directory::from_json(&text).expect("the changed directory reads")
}

fn profile(discovery: &str) -> String {
    format!(
        "discovery: {discovery}
username: alice@contoso.com
password_env: UCWA_SECRETS_TEST_PASSWORD
watcher: sip:alice@contoso.com
contacts: [sip:bob@contoso.com, sip:carol@contoso.com, sip:dave@contoso.com, sip:erin@contoso.com]
group: Team
unknown_contact: sip:nobody@contoso.com
control: true
second_user:
  username: frank@contoso.com
  password_env: UCWA_SECRETS_TEST_SECOND
  watcher: sip:frank@contoso.com
snapshots: snaps
"
    )
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn no_secret_leaks(style: TokenStyle, name: &str) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = ServerConfig {
        token_style: style,
        directory: directory(),
        ..ServerConfig::default()
    };
    let server = runtime
        .block_on(harness_refserver::start(config))
        .expect("the server starts");
    let dir = temp_dir(name);
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).expect("cases dir");
    std::fs::write(cases.join("leak.yaml"), CASES).expect("case file");
    let profile_path = dir.join("target.yaml");
    std::fs::write(&profile_path, profile(&server.discovery_url())).expect("profile");
    let reports = dir.join("reports");

    // The server keeps serving on the runtime's workers while this thread waits.
    let output = binary()
        .args(["run", "--verbose", "--target-profile"])
        .arg(&profile_path)
        .arg("--cases")
        .arg(&cases)
        .arg("--report-dir")
        .arg(&reports)
        // The recording is an output too: every file of it is read below.
        .arg("--record")
        .arg(dir.join("recording"))
        .env("UCWA_SECRETS_TEST_PASSWORD", PASSWORD)
        .env("UCWA_SECRETS_TEST_SECOND", SECOND_PASSWORD)
        .output()
        .expect("runs");
    let tokens = server.issued_tokens();
    runtime.block_on(server.shutdown());

    let shown = text(&output);
    assert_eq!(output.status.code(), Some(1), "the cases fail: {shown}");
    // Not vacuous: the cases ran, failed where meant to, and the records hold redactions.
    for case in [
        "leak.token-answer",
        "leak.token-snapshot",
        "leak.token-in-messages",
        "leak.second-user",
    ] {
        assert!(shown.contains(case), "{case} ran: {shown}");
    }
    assert!(shown.contains("[redacted]"), "{shown}");
    // The harness's sign-in of each user, the cases' own grants and the two renewals.
    assert!(tokens.len() >= 6, "tokens issued: {}", tokens.len());
    match style {
        TokenStyle::Jwt => assert!(tokens.iter().any(|t| t.starts_with("eyJ"))),
        TokenStyle::Opaque => assert!(
            tokens
                .iter()
                .all(|t| t.chars().all(|c| c.is_ascii_hexdigit()))
        ),
        TokenStyle::Cwt => {}
    }

    let mut outputs: Vec<(String, String)> = vec![
        (
            "stdout".into(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr".into(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    let written = files(&dir);
    for wanted in ["junit.xml", "report.json", "report.html", "manifest.json"] {
        assert!(
            written.iter().any(|p| p.ends_with(wanted)),
            "{wanted} written: {written:?}"
        );
    }
    assert!(
        written
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "snap")),
        "the token answer's snapshot was recorded: {written:?}"
    );
    for path in written {
        if path.starts_with(&cases) || path == profile_path {
            continue;
        }
        let content = std::fs::read(&path).expect("readable");
        outputs.push((
            path.display().to_string(),
            String::from_utf8_lossy(&content).into_owned(),
        ));
    }
    let report = outputs
        .iter()
        .find(|(p, _)| p.ends_with("report.json"))
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    assert!(
        report.contains("refresh_token") == (style == TokenStyle::Jwt),
        "the token answer is recorded (with its refresh token for JWTs)"
    );
    // The failing select shows what it found: the token, redacted.
    assert!(
        report.contains(r#""actual": "\"[redacted]\"""#),
        "the select's actual value is there, redacted"
    );

    let secrets = tokens
        .iter()
        .map(String::as_str)
        .chain([PASSWORD, SECOND_PASSWORD]);
    for secret in secrets {
        for (what, content) in &outputs {
            assert!(
                !content.contains(secret),
                "{what} shows a secret ({}…)",
                secret.get(..6).unwrap_or(secret)
            );
        }
    }
}

#[test]
fn jwt_tokens_and_passwords_never_reach_any_output() {
    no_secret_leaks(TokenStyle::Jwt, "secrets-jwt");
}

#[test]
fn opaque_tokens_and_passwords_never_reach_any_output() {
    no_secret_leaks(TokenStyle::Opaque, "secrets-opaque");
}
