//! Target profiles: where a server is, how to log in, and which test accounts exist there.
//!
//! A profile is a YAML file (`fixtures/profiles/example.yaml` documents every key). Secrets never
//! live in the file: `password_env` / `token_env` name an environment variable. The one exception
//! is the built-in profile of the embedded reference server, whose `password_literal` is the
//! published test password of a server that only runs inside the harness.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use url::Url;

use crate::client::TlsOptions;

mod account;
mod invalid;
mod secret;

pub use account::Account;
use invalid::check_sip;
pub use invalid::{ProfileError, ProfileErrorKind};
pub use secret::Secret;

/// The built-in profile of the embedded reference server.
const EMBEDDED: &str = include_str!("../../../fixtures/profiles/embedded.yaml");

/// Deadlines for requests to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Every ordinary request, body included (default 10 s).
    pub request: Duration,
    /// One P-GET of the event channel; above the server's long-poll timeout (default 200 s).
    pub events: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request: Duration::from_secs(10),
            events: Duration::from_secs(200),
        }
    }
}

/// A resolved target profile: secrets read, URLs parsed, accounts checked.
#[derive(Debug, Clone)]
pub struct TargetProfile {
    /// Where it came from: the file path, or `embedded`.
    pub origin: String,
    /// An autodiscover root URL, or just `scheme://host:port`.
    pub discovery: Option<Url>,
    /// The `user` resource, when discovery is skipped.
    pub user: Option<Url>,
    /// The `applications` resource, when discovery and `user` are skipped.
    pub applications: Option<Url>,
    /// The sign-in name for the password grant.
    pub username: String,
    /// The password for the password grant.
    pub password: Option<Secret>,
    /// A ready bearer token (instead of the password grant).
    pub token: Option<Secret>,
    /// The SIP URI of the signed-in user.
    pub watcher: String,
    /// At least four SIP URIs of other users that exist on the target.
    pub contacts: Vec<String>,
    /// A group of the watcher's contact list, by name.
    pub group: Option<String>,
    /// A SIP URI that is nobody on the target.
    pub unknown_contact: String,
    /// Another user of the target, for cross-user isolation (`auth: second`).
    pub second_user: Option<Account>,
    /// Whether the target offers the test-control protocol; `None` asks `GET /_conform`.
    pub control: Option<bool>,
    /// Certificate checking.
    pub tls: TlsOptions,
    /// Request deadlines.
    pub timeouts: Timeouts,
    /// This target's snapshot store (design section 13): the `snapshots:` key, relative to the
    /// profile, or `<profile stem>.snapshots` beside it. `None` for a profile without a file.
    pub snapshots: Option<PathBuf>,
    /// How many times faster than real time the target's clock runs (`time_scale:`, default 1;
    /// a test aid, as `ucwa-conform serve --time-scale K`): real-time waits are that much
    /// shorter.
    pub time_scale: u32,
    /// `run --real-time`: on a target without the test-control clock, a clock step waits that
    /// long in real time (divided by `time_scale`) instead of skipping its case.
    pub real_time: bool,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    #[serde(default)]
    discovery: Option<Spanned<String>>,
    #[serde(default)]
    user: Option<Spanned<String>>,
    #[serde(default)]
    applications: Option<Spanned<String>>,
    username: Spanned<String>,
    #[serde(default)]
    password_env: Option<Spanned<String>>,
    #[serde(default)]
    token_env: Option<Spanned<String>>,
    #[serde(default)]
    password_literal: Option<Spanned<String>>,
    watcher: Spanned<String>,
    contacts: Spanned<Vec<String>>,
    #[serde(default)]
    group: Option<String>,
    unknown_contact: Spanned<String>,
    #[serde(default)]
    second_user: Option<account::RawAccount>,
    #[serde(default)]
    control: Option<bool>,
    #[serde(default)]
    tls: RawTls,
    #[serde(default)]
    timeouts: RawTimeouts,
    #[serde(default)]
    snapshots: Option<PathBuf>,
    #[serde(default)]
    time_scale: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    #[serde(default)]
    ca_cert: Option<PathBuf>,
    #[serde(default)]
    insecure: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeouts {
    #[serde(default)]
    request: Option<Seconds>,
    #[serde(default)]
    events: Option<Seconds>,
}

/// A duration written `10s`, `500ms`, `2m` or as a number of seconds.
#[derive(Debug, Clone, Copy)]
struct Seconds(Duration);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 10s, 500ms, 2m or a number of seconds")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(Duration::from_secs(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Seconds, E> {
                u64::try_from(v)
                    .map(|v| Seconds(Duration::from_secs(v)))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Seconds, E> {
                Duration::try_from_secs_f64(v)
                    .map(Seconds)
                    .map_err(|_| E::custom("not a valid number of seconds"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Seconds, E> {
                parse_duration(v).map(Seconds).ok_or_else(|| {
                    E::custom(format!("{v:?} is not a duration (hint: 10s, 500ms, 2m)"))
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Parses `10s`, `500ms`, `2m`, `1.5s`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

/// Loads a profile file and reads its secrets from the environment.
pub fn load_profile(path: &Path) -> Result<TargetProfile, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
        path: path.to_owned(),
        line: None,
        column: None,
        kind: ProfileErrorKind::Read(e),
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    parse_profile(&text, path, false, |name| std::env::var(name).ok()).map(|mut profile| {
        // A relative CA path means "next to the profile", not "next to wherever the run starts".
        if let Some(ca) = &profile.tls.ca_cert
            && ca.is_relative()
        {
            profile.tls.ca_cert = Some(base.join(ca));
        }
        profile.snapshots = Some(match profile.snapshots.take() {
            Some(dir) if dir.is_relative() => base.join(dir),
            Some(dir) => dir,
            None => {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                base.join(format!("{stem}.snapshots"))
            }
        });
        profile
    })
}

/// The built-in profile of the embedded reference server, pointed at its discovery URL.
pub fn embedded_profile(discovery: Url) -> TargetProfile {
    let mut profile = parse_profile(EMBEDDED, Path::new("embedded"), true, |_| None)
        .expect("the built-in profile fixtures/profiles/embedded.yaml is valid");
    profile.discovery = Some(discovery);
    profile
}

/// Parses and resolves a profile; `env` reads an environment variable (a parameter so tests
/// need not touch the process environment, which edition 2024 makes `unsafe` to change).
pub fn parse_profile(
    text: &str,
    path: &Path,
    allow_literal: bool,
    env: impl Fn(&str) -> Option<String>,
) -> Result<TargetProfile, ProfileError> {
    let error = |loc: Option<Location>, kind: ProfileErrorKind| ProfileError {
        path: path.to_owned(),
        line: loc.map(|l| l.line()),
        column: loc.map(|l| l.column()),
        kind,
    };
    let invalid =
        |loc: Location, message: String| error(Some(loc), ProfileErrorKind::Invalid(message));
    let raw: RawProfile = serde_saphyr::from_str(text).map_err(|e| {
        // Without the snippet: the offending line could hold a password someone pasted in.
        let plain = e.without_snippet();
        error(
            plain.location(),
            ProfileErrorKind::Syntax(message_of(plain)),
        )
    })?;

    let url = |field: &Option<Spanned<String>>, key: &str| -> Result<Option<Url>, ProfileError> {
        let Some(s) = field else { return Ok(None) };
        let url = Url::parse(s.value.trim())
            .map_err(|e| invalid(s.referenced, format!("{key} is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(
                s.referenced,
                format!("{key} must be an http or https URL"),
            ));
        }
        Ok(Some(url))
    };
    let discovery = url(&raw.discovery, "discovery")?;
    let user = url(&raw.user, "user")?;
    let applications = url(&raw.applications, "applications")?;
    let starts = [&raw.discovery, &raw.user, &raw.applications];
    match starts.iter().filter(|s| s.is_some()).count() {
        0 => {
            return Err(invalid(
                raw.username.referenced,
                "give one of discovery, user or applications".into(),
            ));
        }
        1 => {}
        _ => {
            let second = starts.iter().filter_map(|s| s.as_ref()).nth(1);
            let loc = second.map_or(raw.username.referenced, |s| s.referenced);
            return Err(invalid(
                loc,
                "give only one of discovery, user or applications".into(),
            ));
        }
    }

    if let Some(literal) = &raw.password_literal
        && !allow_literal
    {
        return Err(invalid(
            literal.referenced,
            "password_literal is only for the built-in profile (hint: use password_env)".into(),
        ));
    }
    let mut password = account::env_secret(path, &raw.password_env, "password_env", &env)?;
    if let Some(literal) = &raw.password_literal {
        password = Some(Secret::new(literal.value.clone()));
    }
    let token = account::env_secret(path, &raw.token_env, "token_env", &env)?;
    if password.is_none() && token.is_none() {
        return Err(invalid(
            raw.username.referenced,
            "give password_env or token_env".into(),
        ));
    }
    if raw.password_env.is_some() && raw.token_env.is_some() {
        let loc = raw
            .token_env
            .as_ref()
            .map_or(raw.username.referenced, |t| t.referenced);
        return Err(invalid(
            loc,
            "give only one of password_env and token_env".into(),
        ));
    }

    let sip = |s: &Spanned<String>, key: &str| -> Result<String, ProfileError> {
        check_sip(&s.value).map_err(|why| invalid(s.referenced, format!("{key}: {why}")))
    };
    let watcher = sip(&raw.watcher, "watcher")?;
    let unknown_contact = sip(&raw.unknown_contact, "unknown_contact")?;
    let mut contacts = Vec::new();
    for (i, c) in raw.contacts.value.iter().enumerate() {
        contacts
            .push(check_sip(c).map_err(|why| {
                invalid(raw.contacts.referenced, format!("contacts[{i}]: {why}"))
            })?);
    }
    if contacts.len() < 4 {
        return Err(invalid(
            raw.contacts.referenced,
            format!(
                "contacts needs at least 4 SIP URIs, found {}",
                contacts.len()
            ),
        ));
    }
    if raw.username.value.trim().is_empty() {
        return Err(invalid(raw.username.referenced, "username is empty".into()));
    }
    let second_user = match &raw.second_user {
        Some(second) => {
            Some(second.resolve(path, allow_literal, raw.username.value.trim(), &env)?)
        }
        None => None,
    };

    let defaults = Timeouts::default();
    Ok(TargetProfile {
        origin: path.display().to_string(),
        discovery,
        user,
        applications,
        username: raw.username.value.trim().to_owned(),
        password,
        token,
        watcher,
        contacts,
        group: raw.group.filter(|g| !g.trim().is_empty()),
        unknown_contact,
        second_user,
        control: raw.control,
        tls: TlsOptions {
            ca_cert: raw.tls.ca_cert,
            insecure: raw.tls.insecure,
        },
        timeouts: Timeouts {
            request: raw.timeouts.request.map_or(defaults.request, |s| s.0),
            events: raw.timeouts.events.map_or(defaults.events, |s| s.0),
        },
        snapshots: raw.snapshots,
        time_scale: match raw.time_scale {
            Some(k) if k.value == 0 => {
                return Err(invalid(
                    k.referenced,
                    "time_scale must be at least 1 (1: real time)".into(),
                ));
            }
            Some(k) => k.value,
            None => 1,
        },
        real_time: false,
    })
}

/// The message of a YAML error without its trailing location (we print `file:line:col` first).
fn message_of(err: &serde_saphyr::Error) -> String {
    let text = err.to_string();
    let text = text.trim();
    match text.rfind(" at line ") {
        Some(i) => text[..i].trim_end_matches(',').to_owned(),
        None => text.to_owned(),
    }
}

impl TargetProfile {
    /// The profile as the second user sees it: its account in place of the first user's, the
    /// rest (URLs, deadlines, certificates) the same. `None` without a `second_user`.
    pub fn as_second_user(&self) -> Option<TargetProfile> {
        let second = self.second_user.as_ref()?;
        Some(TargetProfile {
            username: second.username.clone(),
            password: second.password.clone(),
            token: second.token.clone(),
            watcher: second.watcher.clone(),
            second_user: None,
            ..self.clone()
        })
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
