//! The secret values of a run: every password and bearer token it knows or receives, redacted
//! by value wherever it appears.
//!
//! The shape rules of the reporters (`cwt=…`, `password=…`) only know the UCWA web ticket. A
//! server with other tokens (Skype for Business Online issues JWTs, `eyJ…`; others opaque
//! strings) would get them written in clear. So the runner registers each value here as it
//! learns it (the profile's passwords and ready tokens, every token answer), and records,
//! check messages, diffs, snapshots and the finished report are scrubbed of all of them.
//!
//! A run holds a handful of values, each with a searcher built once (every request and response
//! of a run is scanned, so the scan's set-up must not be paid per text); values
//! shorter than [`MIN_SECRET_LEN`] are not registered, because redacting a short password such
//! as `alice` would also eat `alice@contoso.com` and every other ordinary word that holds it.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::sync::{Arc, PoisonError, RwLock};

use memchr::memmem;
use serde_json::Value;

use crate::outcome::{CaseOutcome, CheckOutcome, RunReport, StepOutcome};

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Values shorter than this (in characters) are not secrets worth a scan: see the module docs.
pub const MIN_SECRET_LEN: usize = 8;

/// Headers whose whole value (after an auth scheme) is a credential, registered or not: a
/// session cookie or a Basic password is not in the registry.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// The registry: shared by every session of a run (cloning shares it), filled as values come.
///
/// Readers take a snapshot (an `Arc` clone under a read lock), so a scan never holds the lock
/// and a registration never waits for one.
#[derive(Clone, Default)]
pub struct SecretValues {
    values: Arc<RwLock<Arc<Vec<Secret>>>>,
}

/// One registered value and its searcher.
#[derive(Clone)]
struct Secret {
    text: String,
    finder: memmem::Finder<'static>,
}

impl Secret {
    fn new(text: String) -> Secret {
        let finder = memmem::Finder::new(text.as_bytes()).into_owned();
        Secret { text, finder }
    }
}

impl fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the values themselves: a Debug print must not undo the redaction.
        write!(f, "SecretValues({} values)", self.snapshot().len())
    }
}

impl SecretValues {
    /// An empty registry.
    pub fn new() -> SecretValues {
        SecretValues::default()
    }

    /// Registers a value (blanks around it trimmed), with the forms it takes in a form body or
    /// query string and inside a JSON string. Short values are ignored (see the module docs).
    pub fn add(&self, value: &str) {
        let value = value.trim();
        if value.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let mut forms = vec![value.to_owned()];
        let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(value)
            .to_owned();
        for other in [form, json] {
            if !forms.contains(&other) {
                forms.push(other);
            }
        }
        let mut guard = self.values.write().unwrap_or_else(PoisonError::into_inner);
        let known = |next: &[Secret], f: &String| next.iter().any(|s| &s.text == f);
        if forms.iter().all(|f| known(&guard, f)) {
            return;
        }
        let mut next: Vec<Secret> = guard.as_ref().clone();
        for f in forms {
            if !known(&next, &f) {
                next.push(Secret::new(f));
            }
        }
        // Longest first, so a token that holds a password is not half-redacted.
        next.sort_by_key(|v| std::cmp::Reverse(v.text.len()));
        *guard = Arc::new(next);
    }

    /// How many values (forms included) are registered.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.snapshot().is_empty()
    }

    fn snapshot(&self) -> Arc<Vec<Secret>> {
        Arc::clone(&self.values.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// `text` with every registered value replaced by `[redacted]`; borrowed when clean.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        redact_with(text, &self.snapshot())
    }

    /// A header's value as an output may show it: a credential header's whole value redacted,
    /// keeping its auth scheme (`Bearer [redacted]`: a reader and a replay see its shape), any
    /// other header's value with the registered values redacted.
    pub fn redact_header<'a>(&self, name: &str, value: &'a str) -> Cow<'a, str> {
        if !CREDENTIAL_HEADERS
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
        {
            return self.redact(value);
        }
        match value.split_once(' ') {
            // `a=b; c=d` is a cookie, not a scheme.
            Some((scheme, _)) if !scheme.contains('=') => {
                Cow::Owned(format!("{scheme} {REDACTED}"))
            }
            _ => Cow::Borrowed(REDACTED),
        }
    }

    /// Copies `input` to `out` with every registered value replaced, a chunk at a time, so a
    /// large text is never held whole (a report file's piece of a long case).
    pub fn redact_copy(&self, input: impl io::Read, out: &mut dyn io::Write) -> io::Result<()> {
        redact_copy_in_chunks(input, out, &self.snapshot(), COPY_CHUNK)
    }

    /// Redacts every string (keys included) of a JSON value in place.
    pub fn redact_json(&self, value: &mut Value) {
        let values = self.snapshot();
        if !values.is_empty() {
            json_in_place(value, &values);
        }
    }

    /// Redacts every text of a case outcome in place: records, reasons, check messages,
    /// expected and actual values, diffs and the timeline.
    pub fn redact_case(&self, case: &mut CaseOutcome) {
        let values = self.snapshot();
        if !values.is_empty() {
            case_in_place(case, &values);
        }
    }

    /// Redacts every text of one step in place: a long case's step before it is spilled.
    pub fn redact_step(&self, step: &mut StepOutcome) {
        let values = self.snapshot();
        if !values.is_empty() {
            step_in_place(step, &values);
        }
    }

    /// Redacts every text of a finished report in place.
    pub fn redact_report(&self, report: &mut RunReport) {
        let values = self.snapshot();
        if values.is_empty() {
            return;
        }
        in_place(&mut report.target.url, &values);
        for note in &mut report.target.retries {
            in_place(note, &values);
        }
        for case in &mut report.cases {
            case_in_place(case, &values);
        }
    }
}

fn redact_with<'a>(text: &'a str, values: &[Secret]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for v in values {
        // Most texts are shorter than a token or hold none: the length check spares a search.
        if out.len() >= v.text.len() && v.finder.find(out.as_bytes()).is_some() {
            out = Cow::Owned(out.replace(v.text.as_str(), REDACTED));
        }
    }
    out
}

/// How much of its input [`SecretValues::redact_copy`] reads at a time.
const COPY_CHUNK: usize = 64 * 1024;

fn redact_copy_in_chunks(
    mut input: impl io::Read,
    out: &mut dyn io::Write,
    values: &[Secret],
    chunk: usize,
) -> io::Result<()> {
    let Some(longest) = values.iter().map(|v| v.text.len()).max() else {
        io::copy(&mut input, out)?;
        return Ok(());
    };
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + longest);
    let mut at_end = false;
    while !at_end {
        let kept = buf.len();
        buf.resize(kept + chunk, 0);
        let mut filled = kept;
        while filled < buf.len() {
            match input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        at_end = filled < buf.len();
        buf.truncate(filled);
        // A value found starting before `safe` ends inside `buf`: none is longer than
        // `longest`. What lies beyond waits for the next chunk, where a value may complete.
        let safe = if at_end {
            buf.len()
        } else {
            (buf.len() + 1).saturating_sub(longest)
        };
        let mut at = 0;
        while at < safe {
            // The leftmost value; among values starting there, the longest (they are sorted
            // longest first and `min_by_key` keeps the first minimum).
            let found = values
                .iter()
                .filter_map(|v| v.finder.find(&buf[at..]).map(|i| (at + i, v.text.len())))
                .filter(|&(start, _)| start < safe)
                .min_by_key(|&(start, _)| start);
            match found {
                Some((start, len)) => {
                    out.write_all(&buf[at..start])?;
                    out.write_all(REDACTED.as_bytes())?;
                    at = start + len;
                }
                None => {
                    out.write_all(&buf[at..safe])?;
                    at = safe;
                }
            }
        }
        buf.drain(..at.min(buf.len()));
    }
    Ok(())
}

fn in_place(text: &mut String, values: &[Secret]) {
    if let Cow::Owned(clean) = redact_with(text, values) {
        *text = clean;
    }
}

fn opt_in_place(text: &mut Option<String>, values: &[Secret]) {
    if let Some(t) = text {
        in_place(t, values);
    }
}

fn json_in_place(value: &mut Value, values: &[Secret]) {
    match value {
        Value::String(s) => in_place(s, values),
        Value::Array(items) => items.iter_mut().for_each(|v| json_in_place(v, values)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (mut key, mut item) in entries {
                json_in_place(&mut item, values);
                in_place(&mut key, values);
                map.insert(key, item);
            }
        }
        _ => {}
    }
}

fn case_in_place(case: &mut CaseOutcome, values: &[Secret]) {
    opt_in_place(&mut case.reason, values);
    // Spilled steps were scrubbed as they were spilled, and the report spool scrubs every
    // piece again as it copies it into a file.
    for step in case.steps.kept_mut() {
        step_in_place(step, values);
    }
    for check in &mut case.session_checks {
        check_in_place(check, values);
    }
    for entry in &mut case.timeline {
        in_place(&mut entry.href, values);
        opt_in_place(&mut entry.in_href, values);
        opt_in_place(&mut entry.ack, values);
    }
}

fn step_in_place(step: &mut StepOutcome, values: &[Secret]) {
    opt_in_place(&mut step.reason, values);
    if let Some(request) = &mut step.request {
        in_place(&mut request.url, values);
        for (_, v) in &mut request.headers {
            in_place(v, values);
        }
        opt_in_place(&mut request.body, values);
    }
    if let Some(response) = &mut step.response {
        for (_, v) in &mut response.headers {
            in_place(v, values);
        }
        opt_in_place(&mut response.body, values);
    }
    for check in &mut step.checks {
        check_in_place(check, values);
    }
}

fn check_in_place(check: &mut CheckOutcome, values: &[Secret]) {
    in_place(&mut check.message, values);
    opt_in_place(&mut check.path, values);
    opt_in_place(&mut check.expected, values);
    opt_in_place(&mut check.actual, values);
    opt_in_place(&mut check.diff, values);
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

    #[test]
    fn redacts_registered_values_of_any_shape() {
        let s = SecretValues::new();
        s.add(JWT);
        s.add("0123456789abcdef");
        assert_eq!(
            s.redact(&format!("Bearer {JWT}; x=0123456789abcdef.")),
            "Bearer [redacted]; x=[redacted]."
        );
        assert!(matches!(s.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn credential_headers_lose_their_whole_value_known_or_not() {
        let s = SecretValues::new();
        s.add(JWT);
        assert_eq!(
            s.redact_header("Authorization", "Basic YWxpY2U6cGFzcw=="),
            "Basic [redacted]"
        );
        assert_eq!(
            s.redact_header("proxy-authorization", "Bearer opaque"),
            "Bearer [redacted]"
        );
        assert_eq!(
            s.redact_header("Set-Cookie", "session=abc; Path=/; HttpOnly"),
            "[redacted]"
        );
        assert_eq!(s.redact_header("Cookie", "a=1"), "[redacted]");
        assert_eq!(
            s.redact_header("Location", &format!("https://x/?t={JWT}")),
            "https://x/?t=[redacted]"
        );
        assert!(matches!(
            s.redact_header("Content-Type", "application/json"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn short_and_blank_values_are_not_registered() {
        let s = SecretValues::new();
        s.add("alice");
        s.add("   ");
        assert!(s.is_empty());
        assert_eq!(s.redact("alice@contoso.com"), "alice@contoso.com");
    }

    #[test]
    fn the_form_and_json_forms_of_a_value_are_redacted_too() {
        let s = SecretValues::new();
        s.add("p@ss w/rd\"1");
        assert_eq!(
            s.redact("password=p%40ss+w%2Frd%221&x"),
            "password=[redacted]&x"
        );
        assert_eq!(s.redact(r#"{"p":"p@ss w/rd\"1"}"#), r#"{"p":"[redacted]"}"#);
        s.add("p@ss w/rd\"1");
        assert_eq!(s.len(), 3, "added twice, kept once");
    }

    #[test]
    fn the_longest_value_wins() {
        let s = SecretValues::new();
        s.add("password1");
        s.add("cwt=password1XYZ");
        assert_eq!(
            s.redact("cwt=password1XYZ and password1"),
            "[redacted] and [redacted]"
        );
    }

    #[test]
    fn json_keys_and_values_are_redacted_in_place() {
        let s = SecretValues::new();
        s.add(JWT);
        let mut v = serde_json::json!({ "access_token": JWT, JWT: [format!("a {JWT}")] });
        s.redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({ "access_token": "[redacted]", "[redacted]": ["a [redacted]"] })
        );
    }

    #[test]
    fn debug_never_shows_a_value() {
        let s = SecretValues::new();
        s.add(JWT);
        let shown = format!("{s:?}");
        assert!(!shown.contains("eyJ"), "{shown}");
    }

    #[test]
    fn a_copy_in_chunks_redacts_values_across_chunk_borders() {
        let s = SecretValues::new();
        s.add("TOKEN-abcdefgh");
        s.add("pass-12345678");
        let values = s.snapshot();
        for chunk in [1, 5, 13, 14, 15, 64, 1000] {
            for lead in 0..20 {
                let text = format!(
                    "{}TOKEN-abcdefgh|pass-12345678TOKEN-abcdefghTOKEN-abc{}",
                    "x".repeat(lead),
                    "y".repeat(lead)
                );
                let mut out = Vec::new();
                redact_copy_in_chunks(text.as_bytes(), &mut out, &values, chunk).expect("copies");
                assert_eq!(
                    String::from_utf8(out).expect("UTF-8"),
                    s.redact(&text),
                    "chunk {chunk}, lead {lead}"
                );
            }
        }
        let mut out = Vec::new();
        SecretValues::new()
            .redact_copy("TOKEN-abcdefgh".as_bytes(), &mut out)
            .expect("copies");
        assert_eq!(
            out, b"TOKEN-abcdefgh",
            "nothing registered, nothing changes"
        );
    }
}
