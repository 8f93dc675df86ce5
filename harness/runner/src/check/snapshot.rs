//! Snapshots of canonical trees, stored as insta `.snap` files so `cargo insta review` works.
//!
//! The runner does not call insta's assertion macros: they panic, print to stdout and keep
//! thread-local settings, none of which suits a parallel runner that must report diffs as data.
//! Instead it reads and writes the same file format and follows insta's update policy: nothing
//! is written under CI; `INSTA_UPDATE=always` overwrites; otherwise a mismatch leaves a
//! `.snap.new` beside the `.snap` for review. One snapshot per step serves both formats, since
//! the canonical tree is format-neutral.

use std::path::{Path, PathBuf};

use harness_core::model::Level;
use harness_core::outcome::CheckOutcome;
use harness_core::secret::SecretValues;
use serde_json::Value;
use serde_json_path::JsonPath;
use similar::TextDiff;

use harness_core::template::Lookup;

/// When snapshot files may be written (insta's `INSTA_UPDATE`, and never under `CI`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// Never write (CI, or `INSTA_UPDATE=no`).
    Never,
    /// Write `<name>.snap.new` on a mismatch or a missing snapshot (the default).
    New,
    /// Overwrite `<name>.snap` and pass (`INSTA_UPDATE=always` or `1`).
    Always,
}

impl UpdatePolicy {
    /// Reads the policy from the environment the way insta does.
    pub fn from_env() -> UpdatePolicy {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
            || std::env::var_os("TF_BUILD").is_some();
        match std::env::var("INSTA_UPDATE").as_deref() {
            Ok("always" | "1") => UpdatePolicy::Always,
            Ok("no") => UpdatePolicy::Never,
            _ if ci => UpdatePolicy::Never,
            _ => UpdatePolicy::New,
        }
    }
}

/// Where snapshots live and how they may be updated.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    pub dir: PathBuf,
    pub policy: UpdatePolicy,
    /// A target's own store (design section 13): a missing snapshot is recorded as the
    /// target's and the check passes, noting "recorded". The reference server's store keeps
    /// insta's review flow instead (a missing snapshot fails and leaves a `.snap.new`).
    pub record_missing: bool,
}

/// The default redactions: values a server chooses freely. Hrefs, ids and etags are the server's;
/// dates move; the test accounts' URIs come from the target profile. The run's secret values
/// go too, wherever they sit: a snapshot file is written as it is.
pub fn redact(view: &Value, vars: &impl Lookup, extra: &[String], secrets: &SecretValues) -> Value {
    let mut out = view.clone();
    redact_walk(&mut out, None, vars);
    secrets.redact_json(&mut out);
    for path in extra {
        if let Ok(path) = JsonPath::parse(path) {
            let pointers: Vec<String> = path
                .query_located(&out)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect();
            for pointer in pointers {
                if let Some(slot) = out.pointer_mut(&pointer) {
                    *slot = Value::String("[redacted]".into());
                }
            }
        }
    }
    out
}

fn redact_walk(value: &mut Value, key: Option<&str>, vars: &impl Lookup) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let child_key = match key {
                    // Inside links, every leaf is an href whatever its rel.
                    Some("links") => Some("href"),
                    _ => Some(k.as_str()),
                };
                redact_walk(v, child_key, vars);
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_walk(item, key, vars);
            }
        }
        Value::String(text) => {
            if let Some(replacement) = redaction_for(key, text, vars) {
                *text = replacement;
            }
        }
        _ => {}
    }
}

fn redaction_for(key: Option<&str>, text: &str, vars: &impl Lookup) -> Option<String> {
    if matches!(key, Some("self" | "href" | "next" | "resync" | "resume")) {
        return Some("[href]".into());
    }
    if key == Some("id") {
        return Some("[id]".into());
    }
    // An etag is an opaque version tag (digest 5.2): it changes with the resource's href.
    if key.is_some_and(|k| k.eq_ignore_ascii_case("etag")) {
        return Some("[etag]".into());
    }
    for name in ["me", "contacts.0", "contacts.1", "contacts.2", "contacts.3"] {
        if let Some(Value::String(uri)) = vars.lookup(name, None)
            && text.eq_ignore_ascii_case(uri)
        {
            return Some(format!("[{name}]"));
        }
    }
    let b = text.as_bytes();
    let looks_like_date = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T';
    looks_like_date.then(|| "[date]".into())
}

/// Turns a case and step into a file name: `case-id__step.snap`.
pub fn snapshot_name(case_id: &str, step: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}__{}", clean(case_id), clean(step))
}

impl SnapshotStore {
    /// Compares `value` with the stored snapshot `name`, following the update policy.
    pub fn check(&self, name: &str, source: &str, value: &Value, level: Level) -> CheckOutcome {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        let path = self.dir.join(format!("{name}.snap"));
        let stored = std::fs::read_to_string(&path).ok().map(|s| contents_of(&s));
        let (what, diff) = match stored {
            Some(old) if old.trim_end() == text.trim_end() => {
                let _ = std::fs::remove_file(path.with_extension("snap.new"));
                return CheckOutcome::pass(
                    "snapshot",
                    level,
                    format!("matches {}", path.display()),
                );
            }
            Some(old) => (
                format!("snapshot {name} differs"),
                TextDiff::from_lines(old.trim_end(), text.trim_end())
                    .unified_diff()
                    .context_radius(3)
                    .header("stored", "received")
                    .to_string(),
            ),
            None if self.record_missing => {
                return match self.record(&path, name, source, &text) {
                    Ok(()) => CheckOutcome::pass(
                        "snapshot",
                        level,
                        format!("recorded {}", path.display()),
                    ),
                    Err(e) => CheckOutcome::error("snapshot", level, e),
                };
            }
            None => (
                format!("no stored snapshot {}", path.display()),
                text.clone(),
            ),
        };
        match self.write(&path, name, source, &text) {
            Ok(Some(note)) if self.policy == UpdatePolicy::Always => {
                CheckOutcome::pass("snapshot", level, note)
            }
            Ok(note) => CheckOutcome::fail(
                "snapshot",
                level,
                format!(
                    "{what}{}",
                    note.map(|n| format!(" ({n})")).unwrap_or_default()
                ),
            )
            .with_diff(diff),
            Err(e) => CheckOutcome::error("snapshot", level, e),
        }
    }

    fn record(&self, path: &Path, name: &str, source: &str, text: &str) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("failed to create {}: {e}", self.dir.display()))?;
        write_whole(path, &snap_file(name, source, text))
    }

    fn write(
        &self,
        path: &Path,
        name: &str,
        source: &str,
        text: &str,
    ) -> Result<Option<String>, String> {
        let target = match self.policy {
            UpdatePolicy::Never => return Ok(None),
            UpdatePolicy::Always => path.to_path_buf(),
            UpdatePolicy::New => path.with_extension("snap.new"),
        };
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("failed to create {}: {e}", self.dir.display()))?;
        write_whole(&target, &snap_file(name, source, text))?;
        Ok(Some(match self.policy {
            UpdatePolicy::Always => format!("written {}", target.display()),
            _ => format!(
                "wrote {} (hint: cargo insta review, or INSTA_UPDATE=always)",
                target.display()
            ),
        }))
    }
}

/// Writes a file through a sibling temporary file and a rename: the runs of one case in two
/// formats share a snapshot, and a reader must never see half of one.
fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            format!("failed to write {}: {e}", path.display())
        })
}

/// A `.snap` file as insta writes it.
fn snap_file(name: &str, source: &str, text: &str) -> String {
    format!(
        "---\nsource: {source}\nexpression: {name}\n---\n{}\n",
        text.trim_end()
    )
}

/// The body of a `.snap` file: everything after the second `---` line.
fn contents_of(file: &str) -> String {
    let mut rest = file;
    for _ in 0..2 {
        match rest.find("---\n") {
            Some(i) => rest = &rest[i + 4..],
            None => return file.to_owned(),
        }
    }
    rest.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redaction_hides_hrefs_ids_dates_and_account_uris() {
        let vars =
            crate::request::Vars::from([("contacts.0".to_owned(), json!("sip:bob@contoso.com"))]);
        let view = json!({
            "rel": "contact", "self": "/x/1",
            "properties": {"id": "77", "uri": "sip:bob@contoso.com", "lastActive": "2013-01-22T03:18:16.000Z", "name": "Bob"},
            "links": {"contactPresence": ["/p"], "photo": [{"href": "/ph", "title": "t"}]}
        });
        let out = redact(
            &view,
            &vars,
            &["$.properties.name".to_owned()],
            &SecretValues::new(),
        );
        assert_eq!(
            out,
            json!({
                "rel": "contact", "self": "[href]",
                "properties": {"id": "[id]", "uri": "[contacts.0]", "lastActive": "[date]", "name": "[redacted]"},
                "links": {"contactPresence": ["[href]"], "photo": [{"href": "[href]", "title": "t"}]}
            })
        );
    }

    /// `cargo insta review` must read what the store writes: insta's own parser reads it back.
    #[test]
    fn written_snapshots_read_back_with_insta() {
        let dir = std::env::temp_dir().join(format!("ucwa-snap-insta-{}", std::process::id()));
        let store = SnapshotStore {
            dir: dir.clone(),
            policy: UpdatePolicy::Always,
            record_missing: false,
        };
        let value = json!({"rel": "presenceSubscription", "links": {"memberships": ["[href]"]}});
        let check = store.check("case.id__step", "cases/x.yaml", &value, Level::Must);
        assert_eq!(check.status, harness_core::outcome::CheckStatus::Pass);
        let snapshot = insta::Snapshot::from_file(&dir.join("case.id__step.snap"))
            .expect("insta reads the file");
        assert_eq!(snapshot.metadata().source(), Some("cases/x.yaml"));
        let text = snapshot
            .contents()
            .as_text()
            .expect("a text snapshot")
            .to_string();
        assert_eq!(text.trim(), serde_json::to_string_pretty(&value).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn snap_contents_skip_the_header() {
        let file = "---\nsource: a\nexpression: b\n---\n{\n  \"a\": 1\n}\n";
        assert_eq!(contents_of(file), "{\n  \"a\": 1\n}\n");
    }

    #[test]
    fn a_mismatch_fails_with_a_diff_and_never_writes_under_never() {
        let dir = std::env::temp_dir().join(format!("ucwa-snap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("c__s.snap"),
            "---\nsource: x\n---\n{\n  \"a\": 1\n}\n",
        )
        .unwrap();
        let store = SnapshotStore {
            dir: dir.clone(),
            policy: UpdatePolicy::Never,
            record_missing: false,
        };
        let ok = store.check("c__s", "x", &json!({"a": 1}), Level::Must);
        assert_eq!(ok.status, harness_core::outcome::CheckStatus::Pass);
        let bad = store.check("c__s", "x", &json!({"a": 2}), Level::Must);
        assert_eq!(bad.status, harness_core::outcome::CheckStatus::Fail);
        assert!(bad.diff.unwrap().contains("+  \"a\": 2"));
        assert!(!dir.join("c__s.snap.new").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_target_store_records_a_missing_snapshot_then_compares() {
        let dir = std::env::temp_dir().join(format!("ucwa-snap-rec-{}", std::process::id()));
        let store = SnapshotStore {
            dir: dir.clone(),
            policy: UpdatePolicy::Never,
            record_missing: true,
        };
        let first = store.check("c__s", "x", &json!({"a": 1}), Level::Must);
        assert_eq!(first.status, harness_core::outcome::CheckStatus::Pass);
        assert!(first.message.starts_with("recorded"), "{}", first.message);
        assert!(dir.join("c__s.snap").exists());
        let same = store.check("c__s", "x", &json!({"a": 1}), Level::Must);
        assert!(same.message.starts_with("matches"), "{}", same.message);
        let changed = store.check("c__s", "x", &json!({"a": 2}), Level::Must);
        assert_eq!(changed.status, harness_core::outcome::CheckStatus::Fail);
        assert!(changed.diff.unwrap().contains("+  \"a\": 2"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
