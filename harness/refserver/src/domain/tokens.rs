//! Bearer and refresh tokens: issued in the configured style, remembered (bounded), and the
//! user a bearer token signs in.

use std::collections::{HashMap, VecDeque};
use std::sync::RwLock;

use crate::config::settings::TokenStyle;

use super::world::World;

/// Tokens kept at most; the oldest are forgotten first, so memory stays bounded.
const MAX_TOKENS: usize = 20_000;

/// Who is calling: the user and the token they hold. Applications belong to their user, not to
/// the token that created them: a token is renewed by fetching a new one (digest 6.2), and the
/// client carries on with its application. Another user's application is never reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    pub user: usize,
}

#[derive(Default)]
struct Store {
    by_token: HashMap<String, Caller>,
    order: VecDeque<String>,
    /// Refresh tokens handed out (`TokenStyle::Jwt`); never accepted as bearer tokens.
    refresh: VecDeque<String>,
}

/// Every token the server issued and still remembers.
#[derive(Default)]
pub(crate) struct Tokens {
    store: RwLock<Store>,
}

impl Tokens {
    /// Issues a bearer token for a user, in the configured style.
    pub(crate) fn issue(&self, world: &World, user: usize) -> String {
        let [a, b, c] = [(); 3].map(|()| world.next_random());
        let token = match world.config.token_style {
            TokenStyle::Cwt => format!("cwt=AAEB{a:016x}{b:016x}{c:016x}"),
            TokenStyle::Jwt => {
                let header = r#"{"alg":"RS256","typ":"JWT"}"#;
                let claims = format!(r#"{{"sub":"{user}","jti":"{a:016x}{b:016x}"}}"#);
                let signature: Vec<u8> = c.to_be_bytes().repeat(4);
                format!(
                    "{}.{}.{}",
                    base64url(header.as_bytes()),
                    base64url(claims.as_bytes()),
                    base64url(&signature)
                )
            }
            TokenStyle::Opaque => format!("{a:016x}{b:016x}{c:016x}"),
        };
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        store.by_token.insert(token.clone(), Caller { user });
        store.order.push_back(token.clone());
        while store.order.len() > MAX_TOKENS {
            if let Some(old) = store.order.pop_front() {
                store.by_token.remove(&old);
            }
        }
        token
    }

    /// A refresh token to go beside a bearer token, for the styles whose issuers give one.
    pub(crate) fn issue_refresh(&self, world: &World) -> Option<String> {
        if world.config.token_style != TokenStyle::Jwt {
            return None;
        }
        let token = format!("{:016x}{:016x}", world.next_random(), world.next_random());
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        store.refresh.push_back(token.clone());
        while store.refresh.len() > MAX_TOKENS {
            store.refresh.pop_front();
        }
        Some(token)
    }

    /// Every token still remembered, bearer and refresh (a test aid).
    pub(crate) fn issued(&self) -> Vec<String> {
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        store.order.iter().chain(&store.refresh).cloned().collect()
    }

    /// The user a bearer token signs in, if the token is known.
    pub(crate) fn caller(&self, token: &str) -> Option<Caller> {
        let store = self.store.read().unwrap_or_else(|p| p.into_inner());
        store.by_token.get(token).copied()
    }
}

/// Base64url without padding (RFC 4648 section 5), for the JWT-shaped tokens.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::config::settings::ServerConfig;

    #[test]
    fn tokens_take_the_configured_style_and_sign_in() {
        let addr: SocketAddr = "127.0.0.1:1".parse().expect("addr");
        for style in [TokenStyle::Cwt, TokenStyle::Jwt, TokenStyle::Opaque] {
            let config = ServerConfig {
                token_style: style,
                ..ServerConfig::default()
            };
            let world = World::new(config, addr);
            let tokens = Tokens::default();
            let token = tokens.issue(&world, 3);
            match style {
                TokenStyle::Cwt => assert!(token.starts_with("cwt=AAEB"), "{token}"),
                TokenStyle::Jwt => {
                    let parts: Vec<&str> = token.split('.').collect();
                    assert_eq!(parts.len(), 3, "{token}");
                    assert!(token.starts_with("eyJ"), "{token}");
                    assert!(
                        token
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    );
                }
                TokenStyle::Opaque => {
                    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()));
                }
            }
            assert_eq!(tokens.caller(&token), Some(Caller { user: 3 }));
            let refresh = tokens.issue_refresh(&world);
            assert_eq!(refresh.is_some(), style == TokenStyle::Jwt);
            let issued = tokens.issued();
            assert!(issued.contains(&token));
            assert!(refresh.as_ref().is_none_or(|r| issued.contains(r)));
            assert!(refresh.is_none_or(|r| tokens.caller(&r).is_none()));
        }
    }

    #[test]
    fn base64url_matches_rfc_4648_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(
            base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
        );
    }
}
