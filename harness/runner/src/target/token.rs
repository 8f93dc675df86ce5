//! One account's bearer token: the profile's ready token, or a password-grant token cached
//! until shortly before it expires and fetched again once, however many sessions ask at once.
//! Every value fetched goes into the run's secret registry before anyone can use it.

use std::sync::Mutex;
use std::time::Instant;

use harness_core::secret::SecretValues;
use url::Url;

use super::bootstrap;
use super::error::TargetError;
use crate::client::HttpClient;
use crate::profile::{Secret, TargetProfile};

pub(super) use super::cached_token::CachedToken;

/// The token of one account (the profile's user, or its second user).
#[derive(Debug, Default)]
pub(super) struct TokenSlot {
    cached: Mutex<Option<CachedToken>>,
    /// Serialises fetches, so parallel sessions after expiry fetch once.
    fetch: tokio::sync::Mutex<()>,
}

impl TokenSlot {
    /// A slot holding the bootstrap's token, if it fetched one.
    pub fn with(token: Option<CachedToken>) -> TokenSlot {
        TokenSlot {
            cached: Mutex::new(token),
            fetch: tokio::sync::Mutex::new(()),
        }
    }

    /// The account's token: `profile.token` as it is, or the cached one, or a fresh password
    /// grant (registered in `secrets` before it is handed out).
    pub async fn get(
        &self,
        profile: &TargetProfile,
        client: &HttpClient,
        token_url: &Url,
        secrets: &SecretValues,
    ) -> Result<Secret, TargetError> {
        if let Some(token) = &profile.token {
            return Ok(token.clone());
        }
        if let Some(t) = self.cached() {
            return Ok(t);
        }
        let _guard = self.fetch.lock().await;
        // Another session may have fetched it while this one waited.
        if let Some(t) = self.cached() {
            return Ok(t);
        }
        // Whichever case asks first, the sign-in is the run's, not that case run's.
        let fresh =
            crate::flow::outside_cases(bootstrap::password_grant(profile, client, token_url))
                .await?;
        register(&fresh, secrets);
        let token = fresh.token.clone();
        *lock(&self.cached) = Some(fresh);
        Ok(token)
    }

    fn cached(&self) -> Option<Secret> {
        let guard = lock(&self.cached);
        let cached = guard.as_ref()?;
        match cached.renew_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(cached.token.clone()),
        }
    }
}

/// The names under which a token answer carries secrets (digest 6.2, and OAuth's others).
const TOKEN_KEYS: [&str; 3] = ["access_token", "refresh_token", "id_token"];

/// The token values of a token answer: JSON (digest 6.2), or form-encoded for good measure.
/// A body that names none of the keys is not parsed: every response of a run passes here.
pub(crate) fn tokens_in(body: &[u8]) -> Vec<String> {
    // One scan for what every key ends with: most bodies are not token answers.
    if !body.windows(6).any(|w| w == b"_token") {
        return Vec::new();
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        return TOKEN_KEYS
            .iter()
            .filter_map(|k| map.get(*k)?.as_str().map(str::to_owned))
            .collect();
    }
    url::form_urlencoded::parse(body)
        .filter(|(k, _)| TOKEN_KEYS.contains(&k.as_ref()))
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// Puts a fetched token (and its refresh token) into the registry.
pub(super) fn register(token: &CachedToken, secrets: &SecretValues) {
    secrets.add(token.token.expose());
    if let Some(refresh) = &token.refresh {
        secrets.add(refresh.expose());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not take redaction and tokens down with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_give_their_tokens() {
        let json = br#"{"access_token":"eyJa.eyJb.c","token_type":"Bearer","refresh_token":"0a1b2c3d4e5f"}"#;
        assert_eq!(tokens_in(json), ["eyJa.eyJb.c", "0a1b2c3d4e5f"]);
        assert_eq!(
            tokens_in(b"access_token=abc%2Bdef&token_type=Bearer"),
            ["abc+def"]
        );
        assert!(tokens_in(br#"{"rel":"application"}"#).is_empty());
        assert!(tokens_in(br#"{"access_token":42}"#).is_empty());
        assert!(tokens_in(b"").is_empty());
    }
}
