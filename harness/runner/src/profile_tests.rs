//! Tests of profile loading: locations in errors, secrets from the environment, redaction.

use super::*;

const GOOD: &str = "\
discovery: http://127.0.0.1:4000
username: alice@contoso.com
password_env: PW
watcher: sip:alice@contoso.com
contacts: [sip:bob@contoso.com, sip:carol@contoso.com, sip:dave@contoso.com, sip:erin@contoso.com]
unknown_contact: sip:nobody@contoso.com
";

fn env_pw(name: &str) -> Option<String> {
    (name == "PW").then(|| "hunter2".to_owned())
}

fn parse(text: &str) -> Result<TargetProfile, ProfileError> {
    parse_profile(text, Path::new("p.yaml"), false, env_pw)
}

#[test]
fn good_profile_reads_secret_from_env() {
    let p = parse(GOOD).expect("valid profile");
    assert_eq!(p.password.as_ref().map(Secret::expose), Some("hunter2"));
    assert_eq!(p.contacts.len(), 4);
    assert_eq!(p.control, None);
    assert_eq!(p.timeouts, Timeouts::default());
    assert!(!format!("{p:?}").contains("hunter2"));
}

#[test]
fn unknown_key_points_at_line_and_column() {
    let text = GOOD.replace("password_env: PW", "password: hunter2");
    let err = parse(&text).expect_err("unknown key");
    let shown = err.to_string();
    assert!(
        shown.starts_with("failed to load target profile p.yaml:3:"),
        "{shown}"
    );
    assert!(shown.contains("password"), "{shown}");
    // The snippet is left out, so a pasted password is not echoed.
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn missing_env_var_is_named() {
    let text = GOOD.replace("password_env: PW", "password_env: NOT_SET_ANYWHERE");
    let err = parse(&text).expect_err("missing variable");
    let shown = err.to_string();
    assert!(shown.contains("p.yaml:3:"), "{shown}");
    assert!(
        shown.contains("environment variable NOT_SET_ANYWHERE (named by password_env) is not set"),
        "{shown}"
    );
}

#[test]
fn too_few_contacts_points_at_contacts() {
    let text = GOOD.replace(", sip:erin@contoso.com", "");
    let err = parse(&text).expect_err("three contacts");
    assert_eq!(err.line, Some(5), "{err}");
    assert!(err.to_string().contains("at least 4"), "{err}");
}

#[test]
fn literal_password_is_refused_in_files() {
    let text = GOOD.replace("password_env: PW", "password_literal: x");
    let err = parse(&text).expect_err("literal refused");
    assert!(
        err.to_string().contains("only for the built-in profile"),
        "{err}"
    );
    assert!(err.to_string().contains("p.yaml:3:"), "{err}");
}

#[test]
fn two_entry_points_are_refused() {
    let text = format!("{GOOD}user: http://127.0.0.1:4000/user\n");
    let err = parse(&text).expect_err("two entry points");
    assert!(err.to_string().contains("only one of discovery"), "{err}");
    assert_eq!(err.line, Some(7));
}

#[test]
fn bad_sip_uri_and_bad_url_are_located() {
    let err = parse(&GOOD.replace("sip:alice@contoso.com", "alice")).expect_err("bad watcher");
    assert_eq!(err.line, Some(4), "{err}");
    let err = parse(&GOOD.replace("http://127.0.0.1:4000", "ftp://x")).expect_err("bad scheme");
    assert_eq!(err.line, Some(1), "{err}");
}

#[test]
fn timeouts_accept_units_and_numbers() {
    let text = format!("{GOOD}timeouts: {{ request: 500ms, events: 3 }}\n");
    let p = parse(&text).expect("valid timeouts");
    assert_eq!(p.timeouts.request, Duration::from_millis(500));
    assert_eq!(p.timeouts.events, Duration::from_secs(3));
    let err = parse(&format!("{GOOD}timeouts: {{ request: soon }}\n")).expect_err("bad duration");
    assert!(err.to_string().contains("p.yaml:7:"), "{err}");
}

#[test]
fn embedded_profile_is_valid_and_points_at_the_server() {
    let url = Url::parse("http://127.0.0.1:5555/").expect("url");
    let p = embedded_profile(url.clone());
    assert_eq!(p.discovery, Some(url));
    assert_eq!(p.username, "alice@contoso.com");
    assert_eq!(p.password.as_ref().map(Secret::expose), Some("alice"));
    assert_eq!(p.contacts[0], "sip:bob@contoso.com");
    assert_eq!(p.group.as_deref(), Some("Team"));
    assert_eq!(p.control, Some(true));
}

#[test]
fn second_user_reads_its_own_secret_and_sees_the_profile_as_itself() {
    let text = format!(
        "{GOOD}second_user:\n  username: frank@contoso.com\n  token_env: TOKEN2\n  watcher: sip:frank@contoso.com\n"
    );
    let p = parse_profile(&text, Path::new("p.yaml"), false, |n| match n {
        "PW" => Some("hunter2".to_owned()),
        "TOKEN2" => Some("eyJhbGciOiJub25lIn0.e30.".to_owned()),
        _ => None,
    })
    .expect("valid second user");
    let second = p.as_second_user().expect("a second user");
    assert_eq!(second.username, "frank@contoso.com");
    assert_eq!(second.watcher, "sip:frank@contoso.com");
    assert!(second.password.is_none());
    assert_eq!(
        second.token.as_ref().map(Secret::expose),
        Some("eyJhbGciOiJub25lIn0.e30.")
    );
    assert_eq!(second.discovery, p.discovery);
    assert!(second.second_user.is_none());
    assert!(!format!("{p:?}").contains("eyJ"), "Debug shows no token");
    assert!(parse(GOOD).expect("valid").as_second_user().is_none());
}

#[test]
fn second_user_errors_are_located() {
    let with = |body: &str| format!("{GOOD}second_user:\n{body}");
    let err = parse(&with(
        "  username: alice@contoso.com\n  password_env: PW\n  watcher: sip:alice@contoso.com\n",
    ))
    .expect_err("the same user twice");
    assert!(err.to_string().contains("another user"), "{err}");
    assert_eq!(err.line, Some(8), "{err}");
    let err = parse(&with(
        "  username: frank@contoso.com\n  password_env: NOPE\n  watcher: sip:frank@contoso.com\n",
    ))
    .expect_err("unset variable");
    assert!(
        err.to_string()
            .contains("NOPE (named by second_user.password_env)"),
        "{err}"
    );
    let err = parse(&with(
        "  username: frank@contoso.com\n  watcher: sip:frank@contoso.com\n",
    ))
    .expect_err("no secret");
    assert!(err.to_string().contains("exactly one of"), "{err}");
    let err = parse(&with(
        "  username: frank@contoso.com\n  password_literal: frank\n  watcher: sip:frank@contoso.com\n",
    ))
    .expect_err("literal in a file");
    assert!(err.to_string().contains("built-in profile"), "{err}");
    let err = parse(&with(
        "  username: frank@contoso.com\n  password_env: PW\n  watcher: frank\n  extra: 1\n",
    ))
    .expect_err("unknown key");
    assert!(err.to_string().contains("extra"), "{err}");
}

#[test]
fn embedded_profile_has_the_directorys_second_user() {
    let p = embedded_profile(Url::parse("http://127.0.0.1:5555/").expect("url"));
    let second = p.second_user.as_ref().expect("second_user");
    assert_eq!(second.username, "frank@contoso.com");
    assert_eq!(second.watcher, "sip:frank@contoso.com");
    assert!(
        !p.contacts.contains(&second.watcher),
        "not one of the contacts"
    );
}

#[test]
fn example_profile_loads_with_its_variable() {
    let text = include_str!("../../../fixtures/profiles/example.yaml");
    let p = parse_profile(text, Path::new("example.yaml"), false, |n| {
        (n == "UCWA_CONFORM_PASSWORD").then(|| "pw".to_owned())
    })
    .expect("the example profile is valid");
    assert_eq!(p.contacts.len(), 4);
}

#[test]
fn secret_never_prints() {
    let s = Secret::new("cwt=AAAA");
    assert_eq!(format!("{s}"), "[redacted]");
    assert_eq!(format!("{s:?}"), "[redacted]");
    assert_eq!(s.expose(), "cwt=AAAA");
}

#[test]
fn missing_file_is_a_read_error() {
    let err = load_profile(Path::new("/nonexistent/profile.yaml")).expect_err("no file");
    assert!(err.to_string().contains("cannot read the file"), "{err}");
}
