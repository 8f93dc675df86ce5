//! How one response spells what the builders produced: the representation variants
//! (design.md section 12). Href form, link attributes, JSON key order, charset spelling,
//! JSON date spelling live here; the writers (`writer`, `event_body`) ask a [`Shape`] at every
//! point where a variant makes another choice. (The id shapes are `domain::ids`.)
//!
//! With no variant set every function here is the identity (or today's id), so the faithful
//! server's bytes do not change: the suite's snapshots pin them.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::config::variant::Variant;
use crate::domain::world::World;

/// Longest Host kept for absolute hrefs; a longer one falls back to the local address, so
/// the shape stays a small `Copy` value carried in every `Format`.
const MAX_HOST: usize = 128;

/// What `expires` says under ExtraProperties: the token lifetime after the server started.
/// One fixed instant, so a JSON and an XML GET of the same resource always agree (5.4).
const EXPIRES_AFTER_MS: i64 = 8 * 3600 * 1000;

/// The representation choices of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// One bit per [`Variant`] (its discriminant).
    flags: u64,
    /// Absolute hrefs say `https` (the server runs with `--tls`).
    secure: bool,
    host_len: usize,
    host: [u8; MAX_HOST],
    /// Wall-clock ms for the `expires` property of ExtraProperties.
    pub expires_ms: i64,
}

impl Shape {
    /// No variant: today's spelling.
    pub(crate) const PLAIN: Shape = Shape {
        flags: 0,
        secure: false,
        host_len: 0,
        host: [0; MAX_HOST],
        expires_ms: 0,
    };

    /// The shape of a response on this server to a request for `host` (the `host[:port]`
    /// absolute hrefs name).
    pub(crate) fn of(world: &World, host: &str) -> Self {
        let variants = &world.config.variants;
        if variants.is_empty() {
            return Self::PLAIN;
        }
        let mut shape = Self::with(variants.iter().copied());
        if shape.has(Variant::AbsoluteHrefs) {
            shape.secure = world.config.tls.is_some();
            if host.len() > MAX_HOST {
                shape.set_host(&world.local_addr.to_string());
            } else {
                shape.set_host(host);
            }
        }
        shape.expires_ms = world.wall_ms_at_base + EXPIRES_AFTER_MS;
        shape
    }

    /// A shape with these variants and no host (tests, and the base of [`Shape::of`]).
    pub(crate) fn with(variants: impl IntoIterator<Item = Variant>) -> Self {
        let mut shape = Self::PLAIN;
        for v in variants {
            shape.flags |= bit(v);
        }
        shape
    }

    fn set_host(&mut self, host: &str) {
        let n = host.len().min(MAX_HOST);
        self.host[..n].copy_from_slice(&host.as_bytes()[..n]);
        self.host_len = n;
    }

    fn host(&self) -> &str {
        std::str::from_utf8(&self.host[..self.host_len]).unwrap_or("")
    }

    /// Whether this response makes the variant's choice.
    pub(crate) fn has(&self, variant: Variant) -> bool {
        self.flags & bit(variant) != 0
    }

    /// An href as written: percent-encoded (IdShapes) and absolute (AbsoluteHrefs). Only the
    /// server's own relative hrefs change; absolute ones (bootstrap) are already final.
    pub(crate) fn href<'a>(&self, href: &'a str) -> Cow<'a, str> {
        let encode = self.has(Variant::IdShapes);
        let absolute = self.has(Variant::AbsoluteHrefs);
        if !(encode || absolute) || !href.starts_with('/') {
            return Cow::Borrowed(href);
        }
        let mut out = String::with_capacity(href.len() + MAX_HOST);
        if absolute {
            out.push_str(if self.secure { "https://" } else { "http://" });
            out.push_str(self.host());
        }
        if encode {
            push_encoded(&mut out, href);
        } else {
            out.push_str(href);
        }
        Cow::Owned(out)
    }

    /// The `title` a link carries under LinkTitle (event links and `in` too).
    pub(crate) fn title(&self, rel: &str) -> Option<String> {
        self.has(Variant::LinkTitle).then(|| title_of(rel))
    }

    /// The `revision` a resource link carries under LinkRevision: the string `"2"`, as real
    /// Online responses write it (digest 2.10, 6.4), in JSON and in XML alike.
    pub(crate) fn revision(&self) -> Option<&'static str> {
        self.has(Variant::LinkRevision).then_some("2")
    }

    /// The media type as written: `;charset=UTF-8` under CharsetSpelling (OP-29, the token
    /// endpoint's own spelling in AUTH), else unchanged.
    pub(crate) fn content_type(&self, content_type: &'static str) -> &'static str {
        if !self.has(Variant::CharsetSpelling) {
            return content_type;
        }
        match content_type {
            "application/json; charset=utf-8" => "application/json;charset=UTF-8",
            "application/xml; charset=utf-8" => "application/xml;charset=UTF-8",
            "application/vnd.microsoft.com.ucwa+json; charset=utf-8" => {
                "application/vnd.microsoft.com.ucwa+json;charset=UTF-8"
            }
            "application/vnd.microsoft.com.ucwa+xml; charset=utf-8" => {
                "application/vnd.microsoft.com.ucwa+xml;charset=UTF-8"
            }
            "application/vnd.microsoft.ucwa+json; charset=utf-8" => {
                "application/vnd.microsoft.ucwa+json;charset=UTF-8"
            }
            "application/vnd.microsoft.ucwa+xml; charset=utf-8" => {
                "application/vnd.microsoft.ucwa+xml;charset=UTF-8"
            }
            other => other,
        }
    }

    /// A JSON body: keys reversed at every level under JsonKeyOrder (`rel` last, `_links`
    /// before the properties, as the real R-SAZ response), dates spelled `"\/Date(ms)\/"`
    /// under DatesIso (the spelling of every doc sample, digest 5.2).
    pub(crate) fn json_bytes(&self, value: &Value) -> Vec<u8> {
        // Room for a typical resource, so the buffer seldom grows while it is written.
        let mut bytes = Vec::with_capacity(1024);
        let written = if self.has(Variant::JsonKeyOrder) {
            serde_json::to_writer(&mut bytes, &reversed(value))
        } else {
            serde_json::to_writer(&mut bytes, value)
        };
        if written.is_err() {
            bytes.clear();
        }
        if self.has(Variant::DatesIso) {
            escape_dates(&bytes)
        } else {
            bytes
        }
    }
}

/// The flag of a variant; the catalogue has fewer than 64 (a test keeps it so).
fn bit(variant: Variant) -> u64 {
    1u64.checked_shl(variant as u32).unwrap_or(0)
}

/// `presenceSubscriptions` → `Presence Subscriptions`: what a person reads, not a rel.
fn title_of(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len() + 4);
    for (i, c) in rel.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            if c.is_ascii_uppercase() {
                out.push(' ');
            }
            out.push(c);
        }
    }
    out
}

/// Characters a real server percent-encodes in its ids and addresses (R-SPL `%3d`): `@` in
/// contact paths, `,` between the two halves of a membership id, `=` of base64 ids.
fn escape_of(c: char) -> Option<&'static str> {
    match c {
        '@' => Some("%40"),
        ',' => Some("%2C"),
        '=' => Some("%3D"),
        _ => None,
    }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match escape_of(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
}

/// Encodes the path and every query value; the `=` between a query name and its value stays.
fn push_encoded(out: &mut String, href: &str) {
    let (path, query) = match href.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (href, None),
    };
    push_escaped(out, path);
    let Some(query) = query else {
        return;
    };
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, value)) => {
                out.push_str(name);
                out.push('=');
                push_escaped(out, value);
            }
            None => out.push_str(pair),
        }
    }
}

/// The value with the keys of every object in reverse order; arrays keep their order (link
/// arrays, embedded arrays and senders are ordered).
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter().rev() {
                out.insert(k.clone(), reversed(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

/// Rewrites every string that is exactly `/Date(ms)/` as `\/Date(ms)\/`. A `/` occurs only
/// inside strings in serde_json output, and `\/` is the same character, so the document
/// parses to the same value.
fn escape_dates(bytes: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = b"\"/Date(";
    const CLOSE: &[u8] = b")/\"";
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(OPEN) {
            let start = i + OPEN.len();
            let mut j = start;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'-') {
                j += 1;
            }
            if j > start && bytes[j..].starts_with(CLOSE) {
                out.extend_from_slice(b"\"\\/Date(");
                out.extend_from_slice(&bytes[start..j]);
                out.extend_from_slice(b")\\/\"");
                i = j + CLOSE.len();
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_shape_changes_nothing() {
        let s = Shape::PLAIN;
        assert_eq!(s.href("/a/people/b@c.com"), "/a/people/b@c.com");
        assert_eq!(
            s.content_type("application/json; charset=utf-8"),
            "application/json; charset=utf-8"
        );
        let v = serde_json::json!({"rel": "x", "d": "/Date(5)/"});
        assert_eq!(s.json_bytes(&v), serde_json::to_vec(&v).expect("json"));
        assert_eq!(s.title("contact"), None);
    }

    #[test]
    fn every_variant_has_its_own_flag() {
        for v in Variant::all() {
            assert!(Shape::with([v]).has(v), "{}", v.name());
            assert_eq!(Shape::with([v]).flags.count_ones(), 1);
        }
    }

    #[test]
    fn hrefs_are_encoded_and_made_absolute() {
        let mut s = Shape::with([Variant::IdShapes, Variant::AbsoluteHrefs]);
        s.set_host("127.0.0.1:8080");
        assert_eq!(
            s.href("/a/people/presenceSubscriptionMemberships/ab==,bob@c.com"),
            "http://127.0.0.1:8080/a/people/presenceSubscriptionMemberships/ab%3D%3D%2Cbob%40c.com"
        );
        assert_eq!(
            s.href("/a/m?presenceSubscriptionId=ab==&x=1"),
            "http://127.0.0.1:8080/a/m?presenceSubscriptionId=ab%3D%3D&x=1"
        );
        assert_eq!(s.href("http://h/x@y"), "http://h/x@y");
        s.secure = true;
        assert_eq!(s.href("/a/m"), "https://127.0.0.1:8080/a/m");
    }

    #[test]
    fn json_keys_reverse_and_dates_escape() {
        let s = Shape::with([Variant::JsonKeyOrder, Variant::DatesIso]);
        let v = serde_json::json!({"rel": "x", "d": "/Date(-5)/", "l": [{"a": 1, "b": 2}]});
        let text = String::from_utf8(s.json_bytes(&v)).expect("utf8");
        assert_eq!(
            text,
            r#"{"l":[{"b":2,"a":1}],"d":"\/Date(-5)\/","rel":"x"}"#
        );
        let back: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(back["d"], "/Date(-5)/");
    }

    #[test]
    fn titles_read_as_words() {
        assert_eq!(
            title_of("addToPresenceSubscription"),
            "Add To Presence Subscription"
        );
        assert_eq!(title_of("in"), "In");
    }
}
