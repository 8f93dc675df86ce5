//! A connected target: the bootstrap (digest 6: autodiscover, 401 challenge, token, user),
//! the token cache, href resolution and the test-control capabilities (design section 8).
//!
//! Everything here runs once per run, before any case; every failure is a [`TargetError`]
//! naming the step, which the CLI maps to "target unreachable".

mod bootstrap;
mod cached_token;
mod capabilities;
mod challenge;
mod error;
mod token;
mod urls;

use std::sync::Arc;

use harness_core::secret::SecretValues;
use url::Url;

use crate::client::{HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::presence_way::{OwnPresence, PresenceWay};
use crate::profile::{Secret, TargetProfile};

pub use capabilities::Capabilities;
pub use challenge::{Challenge, parse_challenges};
pub use error::{TargetError, TargetErrorKind, redact};
use token::TokenSlot;
pub(crate) use token::tokens_in;
use urls::control_url;
pub use urls::{Discovered, resolve_against};

/// A target ready for sessions. Shared by every case of a run.
#[derive(Debug)]
pub struct Target {
    /// The client every request of the run goes through.
    pub client: HttpClient,
    /// The profile it was connected with.
    pub profile: TargetProfile,
    /// The URLs the bootstrap found.
    pub discovered: Discovered,
    /// What the target offers beyond plain UCWA.
    pub capabilities: Capabilities,
    /// The token of the profile's account.
    token: TokenSlot,
    /// The token of the profile's second user, fetched on first use.
    second_token: TokenSlot,
    /// The profile as its second user sees it.
    second_profile: Option<TargetProfile>,
    /// Every password and token of the run, known or received: what redaction removes.
    secrets: SecretValues,
    /// The second account's own presence, when cases change it through UCWA.
    own_presence: OwnPresence,
}

impl Target {
    /// Runs the bootstrap of digest section 6 and reads the capabilities. The second user, if
    /// any, signs in later, when a case first acts as it.
    pub async fn connect(
        profile: TargetProfile,
        client: HttpClient,
    ) -> Result<Arc<Target>, TargetError> {
        let secrets = SecretValues::new();
        let second_profile = profile.as_second_user();
        // Known before the first request, so even a bootstrap record could not show them.
        for p in std::iter::once(&profile).chain(&second_profile) {
            for s in p.password.iter().chain(&p.token) {
                secrets.add(s.expose());
            }
        }
        let boot = bootstrap::run(&profile, &client).await?;
        if let Some(token) = &boot.token {
            token::register(token, &secrets);
        }
        let mut capabilities = boot.capabilities;
        capabilities.second_user = second_profile.is_some();
        Ok(Arc::new(Target {
            client,
            profile,
            discovered: boot.discovered,
            capabilities,
            token: TokenSlot::with(boot.token),
            second_token: TokenSlot::with(None),
            second_profile,
            secrets,
            own_presence: OwnPresence::default(),
        }))
    }

    /// The bearer token: the profile's ready token, or a cached password-grant token, fetched
    /// again once it is about to expire.
    pub async fn token(&self) -> Result<Secret, TargetError> {
        self.token
            .get(
                &self.profile,
                &self.client,
                &self.discovered.token,
                &self.secrets,
            )
            .await
    }

    /// The second user's bearer token (`auth: second`), the same way; signed in on first use.
    pub async fn second_token(&self) -> Result<Secret, TargetError> {
        let Some(profile) = &self.second_profile else {
            return Err(TargetError {
                step: "sign in the second user".into(),
                kind: TargetErrorKind::Body(
                    "the target profile names no second_user (hint: requires: [second-user])"
                        .into(),
                ),
            });
        };
        self.second_token
            .get(profile, &self.client, &self.discovered.token, &self.secrets)
            .await
    }

    /// How cases change a contact's presence here, if they can: the test-control protocol
    /// first (it reaches any contact), else the second account itself.
    pub fn presence_way(&self) -> Option<PresenceWay> {
        if self.capabilities.control && self.capabilities.presence {
            Some(PresenceWay::Control)
        } else if self.second_profile.is_some() {
            Some(PresenceWay::SecondAccount)
        } else {
            None
        }
    }

    /// The contact whose presence cases change (`{{ presence_contact }}`): the first contact
    /// under the test-control protocol, the second account itself otherwise.
    pub fn presence_contact(&self) -> Option<String> {
        match self.presence_way()? {
            PresenceWay::Control => self.profile.contacts.first().cloned(),
            PresenceWay::SecondAccount => self.second_user_uri().map(str::to_owned),
        }
    }

    /// The SIP URI of the profile's second user.
    pub fn second_user_uri(&self) -> Option<&str> {
        self.second_profile.as_ref().map(|p| p.watcher.as_str())
    }

    /// The second account's own presence (crate::presence).
    pub fn own_presence(&self) -> &OwnPresence {
        &self.own_presence
    }

    /// The run's registry of secret values: records, messages, snapshots and reports are
    /// scrubbed of every value in it.
    pub fn secrets(&self) -> &SecretValues {
        &self.secrets
    }

    /// Registers the tokens of a token answer (`access_token`, `refresh_token`, `id_token`), so
    /// a case that signs in by itself (the bootstrap cases) leaks nothing either.
    pub fn learn_tokens(&self, body: &[u8]) {
        for value in token::tokens_in(body) {
            self.secrets.add(&value);
        }
    }

    /// An href as a URL: absolute as is, relative against the UCWA host (the origin of the
    /// `applications` URL, digest 1), keeping every query parameter as written.
    pub fn resolve(&self, href: &str) -> Result<Url, TargetError> {
        resolve_against(&self.discovered.applications, href).map_err(|e| TargetError {
            step: format!("resolve href {href:?}"),
            kind: TargetErrorKind::Body(e),
        })
    }

    /// A test-control URL: the UCWA origin + `/_conform` + `path`.
    pub fn control_url(&self, path: &str) -> Url {
        control_url(&self.discovered.applications, path)
    }

    /// Replaces every secret value in `text` with `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        self.secrets.redact(text).into_owned()
    }

    /// A request with the profile's deadline.
    pub fn request(&self, method: http::Method, url: Url) -> HttpRequest {
        HttpRequest::new(method, url, self.profile.timeouts.request)
    }

    /// Sends a request through the run's client.
    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.client.send(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness_core::model::Capability;

    #[test]
    fn relative_hrefs_resolve_against_the_ucwa_origin() {
        let base = Url::parse("https://lync.domain.com/ucwa/oauth/v1/applications").expect("url");
        let url = resolve_against(
            &base,
            "/ucwa/oauth/v1/applications/1/events?ack=1&key=a%2Bb",
        )
        .expect("resolves");
        assert_eq!(
            url.as_str(),
            "https://lync.domain.com/ucwa/oauth/v1/applications/1/events?ack=1&key=a%2Bb"
        );
        let abs = resolve_against(&base, "http://other:1/x?ack=7").expect("absolute");
        assert_eq!(abs.as_str(), "http://other:1/x?ack=7");
        assert!(resolve_against(&base, "").is_err());
        assert!(resolve_against(&base, "http://[bad").is_err());
    }

    #[test]
    fn control_url_sits_at_the_origin() {
        let base = Url::parse("http://127.0.0.1:9/ucwa/oauth/v1/applications?x=1").expect("url");
        assert_eq!(
            control_url(&base, "").as_str(),
            "http://127.0.0.1:9/_conform"
        );
        assert_eq!(
            control_url(&base, "/clock").as_str(),
            "http://127.0.0.1:9/_conform/clock"
        );
    }

    #[test]
    fn redaction_prefers_the_longest_secret() {
        let secrets = vec![
            "password".to_owned(),
            "cwt=passwordXYZ".to_owned(),
            String::new(),
        ];
        assert_eq!(
            redact("a cwt=passwordXYZ b password", &secrets),
            "a [redacted] b [redacted]"
        );
    }

    #[test]
    fn redaction_leaves_short_and_empty_values_alone() {
        // A short password such as the reference server's `alice` is part of ordinary words.
        let secrets = vec!["cwt=pwXYZ".to_owned(), "alice".to_owned(), String::new()];
        assert_eq!(
            redact("Bearer cwt=pwXYZ for alice@contoso.com", &secrets),
            "Bearer [redacted] for alice@contoso.com"
        );
        assert_eq!(redact("", &secrets), "");
    }

    #[test]
    fn capabilities_from_control_answer() {
        let v = serde_json::json!({"clock": true, "presence": false, "conditions": ["a"],
            "operations": ["create-subscription"], "system_subscription": true,
            "limits": {"subscriptions": 3}, "vendor_extra": 1});
        let c = Capabilities::from_json(&v, true);
        assert!(c.has(Capability::Clock) && !c.has(Capability::Presence));
        assert_eq!(
            c.names(),
            ["clock", "conditions", "system-subscription", "group"]
        );
        let none = Capabilities::default();
        assert!(!none.has(Capability::Clock) && none.names().is_empty());
    }
}
