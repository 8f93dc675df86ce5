//! The reference directory: users (accounts, contact details, initial presence) and groups.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Deserialize;

/// The built-in directory, embedded so the binary needs no file at run time.
const BUILTIN: &str = include_str!("../../../../fixtures/directory.json");

/// Why a directory description was refused.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The text is not the expected JSON shape.
    #[error("failed to parse the directory: {0}")]
    Parse(#[from] serde_json::Error),
    /// A user or group member is not a plain `sip:user@domain` URI.
    #[error("failed to load the directory: `{0}` is not a sip:user@domain URI")]
    BadUri(String),
    /// A group names a member that is not a user of the directory.
    #[error("failed to load the directory: group `{group}` names unknown member `{member}`")]
    UnknownMember {
        /// The group id.
        group: String,
        /// The member URI.
        member: String,
    },
}

/// A contact's presence as the directory starts it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Presence {
    /// Online, Away, Busy, …
    pub availability: String,
    /// Free text or a well-known token; absent when none.
    #[serde(default)]
    pub activity: Option<String>,
    /// PC, Mobile, Web, DeskPhone, Unknown.
    #[serde(default = "unknown_device")]
    pub device_type: String,
    /// Milliseconds since the Unix epoch.
    #[serde(default)]
    pub last_active: i64,
}

fn unknown_device() -> String {
    "Unknown".to_owned()
}

impl Presence {
    /// The presence of somebody the directory does not know.
    pub fn offline() -> Self {
        Self {
            availability: "Offline".to_owned(),
            activity: None,
            device_type: unknown_device(),
            last_active: 0,
        }
    }
}

/// One account of the directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// `sip:alice@contoso.com`.
    pub uri: String,
    /// The password of the password grant.
    pub password: String,
    /// Display name.
    pub name: String,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Office.
    #[serde(default)]
    pub office: Option<String>,
    /// E-mail addresses.
    #[serde(default)]
    pub email_addresses: Vec<String>,
    /// `tel:` URI.
    #[serde(default)]
    pub work_phone_number: Option<String>,
    /// `tel:` URI.
    #[serde(default)]
    pub mobile_phone_number: Option<String>,
    /// The presence the server starts with.
    pub presence: Presence,
}

/// One contact group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// The group id (used in URLs, percent-encoded).
    pub id: String,
    /// Display name.
    pub name: String,
    /// `pinnedGroup`, `defaultGroup`, `group` or `distributionGroup` (its rel in myGroups).
    #[serde(default = "plain_group")]
    pub kind: String,
    /// Member URIs.
    pub members: Vec<String>,
}

fn plain_group() -> String {
    "group".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    #[serde(default)]
    #[expect(dead_code, reason = "documents the file; users carry their own domain")]
    domain: Option<String>,
    users: Vec<User>,
    #[serde(default)]
    groups: Vec<Group>,
}

/// Users, their contact data and presence, and groups.
#[derive(Debug, Clone)]
pub struct Directory {
    users: Vec<User>,
    groups: Vec<Group>,
    by_uri: HashMap<String, usize>,
}

impl Default for Directory {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Directory {
    /// The built-in directory (`fixtures/directory.json`): alice … frank, password = name.
    pub fn builtin() -> Self {
        Self::from_json(BUILTIN).expect("the embedded fixtures/directory.json is valid")
    }

    /// Reads a directory in the shape of `fixtures/directory.json`.
    pub fn from_json(text: &str) -> Result<Self, DirectoryError> {
        let file: DirectoryFile = serde_json::from_str(text)?;
        let mut users = file.users;
        let mut by_uri = HashMap::new();
        for (i, user) in users.iter_mut().enumerate() {
            let uri = crate::sip::normalize(&user.uri)
                .ok_or_else(|| DirectoryError::BadUri(user.uri.clone()))?;
            user.uri = uri.clone();
            by_uri.insert(uri, i);
        }
        let mut groups = file.groups;
        for group in &mut groups {
            for member in &mut group.members {
                let uri = crate::sip::normalize(member)
                    .ok_or_else(|| DirectoryError::BadUri(member.clone()))?;
                if !by_uri.contains_key(&uri) {
                    return Err(DirectoryError::UnknownMember {
                        group: group.id.clone(),
                        member: uri,
                    });
                }
                *member = uri;
            }
        }
        Ok(Self {
            users,
            groups,
            by_uri,
        })
    }

    /// The accounts table printed by `serve` at start.
    pub fn describe(&self) -> String {
        let mut out = String::from("accounts (username / password):\n");
        for user in &self.users {
            let name = user.uri.trim_start_matches("sip:");
            let _ = writeln!(out, "  {name:<28} {:<12} {}", user.password, user.name);
        }
        if !self.groups.is_empty() {
            out.push_str("groups:\n");
            for group in &self.groups {
                let members: Vec<&str> = group
                    .members
                    .iter()
                    .map(|m| m.trim_start_matches("sip:"))
                    .collect();
                let _ = writeln!(
                    out,
                    "  {} ({}, {}): {}",
                    group.id,
                    group.name,
                    group.kind,
                    members.join(", ")
                );
            }
        }
        out
    }

    /// The user with this normalized URI.
    pub(crate) fn user(&self, uri: &str) -> Option<&User> {
        self.by_uri.get(uri).map(|&i| &self.users[i])
    }

    /// The index of the user with this normalized URI.
    pub(crate) fn user_index(&self, uri: &str) -> Option<usize> {
        self.by_uri.get(uri).copied()
    }

    /// The user at an index returned by [`Self::user_index`].
    pub(crate) fn user_at(&self, index: usize) -> Option<&User> {
        self.users.get(index)
    }

    /// The normalized `sip:` URI of the user at `index`.
    pub(crate) fn uri_at(&self, index: usize) -> Option<String> {
        self.user_at(index)
            .and_then(|u| crate::sip::normalize(&u.uri))
    }

    /// All groups, in file order.
    pub(crate) fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The group with this id.
    pub(crate) fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_six_users_and_team_group() {
        let dir = Directory::builtin();
        for name in ["alice", "bob", "carol", "dave", "erin", "frank"] {
            let user = dir.user(&format!("sip:{name}@contoso.com")).expect(name);
            assert_eq!(user.password, name);
        }
        let team = dir.group("team").expect("team");
        assert_eq!(team.members.len(), 3);
        let text = dir.describe();
        assert!(text.contains("alice@contoso.com") && text.contains("team"));
    }

    #[test]
    fn unknown_member_is_refused() {
        let text = r#"{"users":[],"groups":[{"id":"g","name":"G","members":["sip:x@y.com"]}]}"#;
        assert!(matches!(
            Directory::from_json(text),
            Err(DirectoryError::UnknownMember { .. })
        ));
    }
}
