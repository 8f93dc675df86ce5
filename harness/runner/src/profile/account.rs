//! The profile's optional second account (`second_user`): another user of the target, signed
//! in only when a case acts as it (`auth: second`), to prove that one user's token reaches
//! nothing of another user's application.

use std::path::Path;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::invalid::{ProfileError, ProfileErrorKind, check_sip};
use super::secret::Secret;

/// A second user of the target.
#[derive(Debug, Clone)]
pub struct Account {
    /// The sign-in name for the password grant.
    pub username: String,
    /// The password for the password grant.
    pub password: Option<Secret>,
    /// A ready bearer token (instead of the password grant).
    pub token: Option<Secret>,
    /// The user's SIP URI.
    pub watcher: String,
}

/// `second_user:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    username: Spanned<String>,
    #[serde(default)]
    password_env: Option<Spanned<String>>,
    #[serde(default)]
    token_env: Option<Spanned<String>>,
    #[serde(default)]
    password_literal: Option<Spanned<String>>,
    watcher: Spanned<String>,
}

impl RawAccount {
    /// Reads the secrets and checks the values; errors point at the key in `path`.
    /// `first_username` is the profile's own user: the second must be someone else.
    pub(super) fn resolve(
        &self,
        path: &Path,
        allow_literal: bool,
        first_username: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Account, ProfileError> {
        let error = |loc: Location, kind: ProfileErrorKind| ProfileError {
            path: path.to_owned(),
            line: Some(loc.line()),
            column: Some(loc.column()),
            kind,
        };
        let invalid =
            |loc: Location, message: String| error(loc, ProfileErrorKind::Invalid(message));
        let username = self.username.value.trim();
        if username.is_empty() {
            return Err(invalid(
                self.username.referenced,
                "second_user.username is empty".into(),
            ));
        }
        if username.eq_ignore_ascii_case(first_username) {
            return Err(invalid(
                self.username.referenced,
                "second_user must be another user than username (hint: isolation needs two)".into(),
            ));
        }
        if let Some(literal) = &self.password_literal
            && !allow_literal
        {
            return Err(invalid(
                literal.referenced,
                "password_literal is only for the built-in profile (hint: use password_env)".into(),
            ));
        }
        let mut password = env_secret(path, &self.password_env, "second_user.password_env", env)?;
        if let Some(literal) = &self.password_literal {
            password = Some(Secret::new(literal.value.clone()));
        }
        let token = env_secret(path, &self.token_env, "second_user.token_env", env)?;
        if password.is_some() == token.is_some() {
            let loc = self
                .token_env
                .as_ref()
                .map_or(self.username.referenced, |t| t.referenced);
            return Err(invalid(
                loc,
                "second_user needs exactly one of password_env and token_env".into(),
            ));
        }
        let watcher = check_sip(&self.watcher.value).map_err(|why| {
            invalid(
                self.watcher.referenced,
                format!("second_user.watcher: {why}"),
            )
        })?;
        Ok(Account {
            username: username.to_owned(),
            password,
            token,
            watcher,
        })
    }
}

/// The value of the environment variable a key (`password_env`, `token_env`) names; `None`
/// when the key is absent, an error at the key when the variable is unset or empty.
pub(super) fn env_secret(
    path: &Path,
    field: &Option<Spanned<String>>,
    key: &'static str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, ProfileError> {
    let Some(name) = field else { return Ok(None) };
    match env(name.value.trim()) {
        Some(value) if !value.is_empty() => Ok(Some(Secret::new(value))),
        _ => Err(ProfileError {
            path: path.to_owned(),
            line: Some(name.referenced.line()),
            column: Some(name.referenced.column()),
            kind: ProfileErrorKind::MissingEnv {
                var: name.value.trim().to_owned(),
                key,
            },
        }),
    }
}
