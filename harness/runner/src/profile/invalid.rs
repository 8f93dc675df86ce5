//! What can be wrong in a profile, and the check of a SIP URI, for the profile and its
//! second account alike.

use std::path::PathBuf;

/// A profile could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("failed to load target profile {}{}: {kind}", path.display(), at(*.line, *.column))]
pub struct ProfileError {
    /// The profile file.
    pub path: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<u64>,
    /// 1-based column of the problem, when known.
    pub column: Option<u64>,
    /// What is wrong.
    pub kind: ProfileErrorKind,
}

fn at(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// The ways a profile can be wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProfileErrorKind {
    /// The file could not be read.
    #[error("cannot read the file ({0})")]
    Read(std::io::Error),
    /// YAML syntax, an unknown key, a wrong type.
    #[error("{0}")]
    Syntax(String),
    /// A value is wrong.
    #[error("{0}")]
    Invalid(String),
    /// `password_env` / `token_env` names a variable that is not set.
    #[error(
        "environment variable {var} (named by {key}) is not set (hint: export it before the run)"
    )]
    MissingEnv {
        /// The variable.
        var: String,
        /// The key that names it.
        key: &'static str,
    },
}

/// A SIP URI as given, or why it is not one.
pub(crate) fn check_sip(uri: &str) -> Result<String, String> {
    let uri = uri.trim();
    let rest = uri
        .strip_prefix("sip:")
        .ok_or_else(|| format!("{uri:?} is not a SIP URI (hint: sip:name@domain)"))?;
    if rest.is_empty() || !rest.contains('@') {
        return Err(format!("{uri:?} is not a SIP URI (hint: sip:name@domain)"));
    }
    Ok(uri.to_owned())
}
