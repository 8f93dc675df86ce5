//! The bootstrap requests of digest section 6, in order: autodiscover root (one redirect
//! followed), `user` without a token for the 401 challenge, the password grant, `user` with the
//! token for the `applications` link, then `GET /_conform` for the test-control capabilities.

use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use super::cached_token::CachedToken;
use super::capabilities::Capabilities;
use super::challenge::parse_challenges;
use super::error::{TargetError, TargetErrorKind, redact};
use super::urls::{Discovered, control_url, resolve_against};
use crate::client::{HttpClient, HttpRequest, HttpResponse, Retry};
use crate::profile::{Secret, TargetProfile};

/// Where a bare `scheme://host:port` discovery URL keeps the autodiscover root.
const ROOT_PATH: &str = "/autodiscover/autodiscoverservice.svc/root";

/// How much of an unexpected body an error message shows.
const EXCERPT: usize = 200;

/// What the bootstrap produced.
pub(super) struct Boot {
    pub discovered: Discovered,
    pub capabilities: Capabilities,
    pub token: Option<CachedToken>,
}

pub(super) async fn run(profile: &TargetProfile, client: &HttpClient) -> Result<Boot, TargetError> {
    let ctx = Ctx { profile, client };
    // Where the bootstrap starts: autodiscover, the user resource, or applications directly.
    let (root, user, direct_apps) = if let Some(discovery) = &profile.discovery {
        let (root, user) = ctx.discover(discovery).await?;
        (root, user, None)
    } else if let Some(user) = &profile.user {
        (user.clone(), user.clone(), None)
    } else if let Some(apps) = &profile.applications {
        (apps.clone(), apps.clone(), Some(apps.clone()))
    } else {
        return Err(fail(
            "start the bootstrap",
            body("the profile names no entry URL"),
        ));
    };

    let token_url = ctx.challenge(&user).await?;
    let token = match &profile.token {
        Some(_) => None,
        None => Some(password_grant(profile, client, &token_url).await?),
    };
    let bearer = match (&profile.token, &token) {
        (Some(t), _) => t.clone(),
        (None, Some(c)) => c.token.clone(),
        (None, None) => return Err(fail("get a token", body("no password and no token"))),
    };
    let applications = match direct_apps {
        Some(apps) => apps,
        None => ctx.applications(&user, &bearer).await?,
    };
    let capabilities = ctx.capabilities(&applications).await?;
    Ok(Boot {
        discovered: Discovered {
            root,
            user,
            token: token_url,
            applications,
        },
        capabilities,
        token,
    })
}

/// Fetches a token with the password grant (digest 6.2).
pub(super) async fn password_grant(
    profile: &TargetProfile,
    client: &HttpClient,
    token_url: &Url,
) -> Result<CachedToken, TargetError> {
    let step = format!("get a token from {token_url}");
    let password = profile
        .password
        .as_ref()
        .ok_or_else(|| fail(&step, body("the profile has no password")))?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("username", &profile.username)
        .append_pair("password", password.expose())
        .finish();
    let req = HttpRequest::new(
        http::Method::POST,
        token_url.clone(),
        profile.timeouts.request,
    )
    .header("Accept", "application/json")
    .header(
        "Content-Type",
        "application/x-www-form-urlencoded;charset=UTF-8",
    )
    .body(form);
    let started = Instant::now();
    let resp = send(client, req, &step, profile).await?;
    expect_status(&resp, 200, &step, profile)?;
    // The body holds the token: errors below never quote it.
    let json = json_body(&resp, &step)?;
    let token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| fail(&step, body("the answer has no access_token string")))?;
    let renew_at = json
        .get("expires_in")
        .and_then(Value::as_f64)
        .and_then(|secs| {
            // Renew at 90 % of the lifetime, so a token never expires during a request.
            Duration::try_from_secs_f64((secs * 0.9).max(1.0))
                .ok()
                .map(|d| started + d)
        });
    Ok(CachedToken {
        token: Secret::new(token.trim()),
        // Never sent, but a secret to redact all the same.
        refresh: json
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(Secret::new),
        renew_at,
    })
}

struct Ctx<'a> {
    profile: &'a TargetProfile,
    client: &'a HttpClient,
}

impl Ctx<'_> {
    fn get(&self, url: &Url) -> HttpRequest {
        HttpRequest::new(
            http::Method::GET,
            url.clone(),
            self.profile.timeouts.request,
        )
        .header("Accept", "application/json")
    }

    /// Autodiscover: the root, or for a bare origin the standard path and then `/`.
    async fn discover(&self, discovery: &Url) -> Result<(Url, Url), TargetError> {
        let mut candidates = Vec::new();
        if matches!(discovery.path(), "" | "/") && discovery.query().is_none() {
            let mut standard = discovery.clone();
            standard.set_path(ROOT_PATH);
            candidates.push(standard);
        }
        candidates.push(discovery.clone());
        let mut failures = Vec::new();
        for url in &candidates {
            match self.root(url).await {
                Ok(found) => return Ok(found),
                Err(e) => failures.push(e),
            }
        }
        // Report the first attempt: it is the one a reader expects to have worked.
        Err(failures.remove(0))
    }

    async fn root(&self, url: &Url) -> Result<(Url, Url), TargetError> {
        let step = format!("read the autodiscover root {url}");
        let resp = send(self.client, self.get(url), &step, self.profile).await?;
        expect_status(&resp, 200, &step, self.profile)?;
        let json = json_body(&resp, &step)?;
        if let Some(user) = link(&json, "user", url, &step)? {
            return Ok((url.clone(), user));
        }
        let Some(redirect) = link(&json, "redirect", url, &step)? else {
            return Err(fail(
                &step,
                body("the root has neither a user nor a redirect link"),
            ));
        };
        // One redirect only: a second one is a loop as far as the harness is concerned.
        let step = format!("follow the autodiscover redirect to {redirect}");
        let resp = send(self.client, self.get(&redirect), &step, self.profile).await?;
        expect_status(&resp, 200, &step, self.profile)?;
        let json = json_body(&resp, &step)?;
        match link(&json, "user", &redirect, &step)? {
            Some(user) => Ok((redirect, user)),
            None => Err(fail(&step, body("the redirected root has no user link"))),
        }
    }

    /// `GET user` without a token: 401 with an `MsRtcOAuth href` challenge (digest 6.1).
    async fn challenge(&self, user: &Url) -> Result<Url, TargetError> {
        let step = format!("read the sign-in challenge of {user}");
        let resp = send(self.client, self.get(user), &step, self.profile).await?;
        if let Some(url) = token_href(&resp, user, &step)? {
            return Ok(url);
        }
        // A target that answers without a token (a fault under test) may still challenge on
        // applications; the cases then judge the missing 401.
        if resp.status == 200
            && let Ok(json) = json_body(&resp, &step)
            && let Ok(Some(apps)) = link(&json, "applications", user, &step)
        {
            let resp = send(self.client, self.get(&apps), &step, self.profile).await?;
            if let Some(url) = token_href(&resp, &apps, &step)? {
                return Ok(url);
            }
        }
        expect_status(&resp, 401, &step, self.profile)?;
        Err(fail(
            &step,
            body("no MsRtcOAuth challenge with an href in WWW-Authenticate"),
        ))
    }

    /// `GET user` with the token: the `applications` link (one redirect followed).
    async fn applications(&self, user: &Url, token: &Secret) -> Result<Url, TargetError> {
        let mut url = user.clone();
        for _ in 0..2 {
            let step = format!("read the user resource {url}");
            let req = self
                .get(&url)
                .header("Authorization", format!("Bearer {}", token.expose()));
            let resp = send(self.client, req, &step, self.profile).await?;
            expect_status(&resp, 200, &step, self.profile)?;
            let json = json_body(&resp, &step)?;
            if let Some(apps) = link(&json, "applications", &url, &step)? {
                return Ok(apps);
            }
            match link(&json, "redirect", &url, &step)? {
                Some(next) => url = next,
                None => {
                    return Err(fail(
                        &step,
                        body("the user resource has no applications link"),
                    ));
                }
            }
        }
        Err(fail(
            &format!("read the user resource {user}"),
            body("redirected more than once"),
        ))
    }

    /// `GET /_conform` without a token; `control: true` in the profile makes it required.
    async fn capabilities(&self, applications: &Url) -> Result<Capabilities, TargetError> {
        let group = self.profile.group.is_some();
        let none = Capabilities {
            group,
            ..Capabilities::default()
        };
        if self.profile.control == Some(false) {
            return Ok(none);
        }
        let url = control_url(applications, "");
        let step = format!("read the test-control capabilities from {url}");
        let required = self.profile.control == Some(true);
        let answer = async {
            let resp = send(self.client, self.get(&url), &step, self.profile).await?;
            expect_status(&resp, 200, &step, self.profile)?;
            let json = json_body(&resp, &step)?;
            if !json.is_object() {
                return Err(fail(&step, body("the answer is not a JSON object")));
            }
            Ok(Capabilities::from_json(&json, group))
        };
        match answer.await {
            Ok(c) => Ok(c),
            Err(e) if required => Err(e),
            Err(_) => Ok(none),
        }
    }
}

fn token_href(resp: &HttpResponse, base: &Url, step: &str) -> Result<Option<Url>, TargetError> {
    if resp.status != 401 {
        return Ok(None);
    }
    let challenges = parse_challenges(&resp.header_values("www-authenticate"));
    let Some(href) = challenges
        .iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("MsRtcOAuth"))
        .and_then(|c| c.param("href"))
    else {
        return Ok(None);
    };
    resolve_against(base, href)
        .map(Some)
        .map_err(|e| fail(step, body(&format!("bad MsRtcOAuth href: {e}"))))
}

/// `_links.<rel>.href` resolved against the URL the body came from.
fn link(json: &Value, rel: &str, base: &Url, step: &str) -> Result<Option<Url>, TargetError> {
    let Some(href) = json
        .get("_links")
        .and_then(|l| l.get(rel))
        .and_then(|l| l.get("href"))
    else {
        return Ok(None);
    };
    let href = href
        .as_str()
        .ok_or_else(|| fail(step, body(&format!("_links.{rel}.href is not a string"))))?;
    resolve_against(base, href)
        .map(Some)
        .map_err(|e| fail(step, body(&format!("bad {rel} link: {e}"))))
}

/// Every bootstrap request is a GET or the token grant, which change nothing when repeated:
/// one connection reset during sign-in is retried rather than ending the run (exit 3).
async fn send(
    client: &HttpClient,
    req: HttpRequest,
    step: &str,
    profile: &TargetProfile,
) -> Result<HttpResponse, TargetError> {
    client
        .send_with(req, Retry::Idempotent)
        .await
        .map_err(|e| TargetError {
            step: redact(step, &profile_secrets(profile)),
            kind: TargetErrorKind::Transport(e),
        })
}

fn expect_status(
    resp: &HttpResponse,
    expected: u16,
    step: &str,
    profile: &TargetProfile,
) -> Result<(), TargetError> {
    if resp.status == expected {
        return Ok(());
    }
    // Only text bodies are quoted, and never in full: a hostile target must not flood the
    // message, and an HTML error page says nothing a person needs here.
    let text = match resp.media_type().as_deref() {
        Some("application/json" | "text/plain") => {
            let mut text: String = resp.text().chars().take(EXCERPT).collect();
            text.retain(|c| !c.is_control());
            redact(&text, &profile_secrets(profile))
        }
        _ => String::new(),
    };
    Err(TargetError {
        step: step.to_owned(),
        kind: TargetErrorKind::Status {
            status: resp.status,
            expected: expected.to_string(),
            body: text,
        },
    })
}

fn json_body(resp: &HttpResponse, step: &str) -> Result<Value, TargetError> {
    // serde_json's message names line and column only, never the content.
    serde_json::from_slice(&resp.body)
        .map_err(|e| fail(step, body(&format!("the body is not JSON ({e})"))))
}

fn profile_secrets(profile: &TargetProfile) -> Vec<String> {
    [&profile.password, &profile.token]
        .into_iter()
        .flatten()
        .map(|s| s.expose().to_owned())
        .collect()
}

fn body(message: &str) -> TargetErrorKind {
    TargetErrorKind::Body(message.to_owned())
}

fn fail(step: &str, kind: TargetErrorKind) -> TargetError {
    TargetError {
        step: step.to_owned(),
        kind,
    }
}
