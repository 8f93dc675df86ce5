//! The channel invariants (design section 5, digest 3.5): what every P-GET response must be,
//! judged one response at a time, and the `channel` checks they become at close.
//!
//! Kept free of I/O so every rule is unit-tested on hand-made responses.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use harness_core::canonical::{Document, Event, Events};
use harness_core::model::{Format, Level};
use harness_core::outcome::CheckOutcome;
use url::Url;

use crate::client::HttpResponse;
use crate::parse::canon_format;

/// The `Accept` header of the event channel: XML events need the vnd type (digest 3.7).
pub fn events_accept(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json",
        Format::Xml => "application/vnd.microsoft.com.ucwa+xml",
    }
}

fn media_type_fits(format: Format, media: Option<&str>) -> bool {
    match format {
        Format::Json => matches!(
            media,
            Some("application/json" | "application/vnd.microsoft.com.ucwa+json")
        ),
        Format::Xml => matches!(
            media,
            Some("application/xml" | "application/vnd.microsoft.com.ucwa+xml")
        ),
    }
}

/// The `ack` query parameter of an href, decoded (`None` when absent or unreadable).
pub fn ack_of(href: &str) -> Option<String> {
    // Parsed once: every P-GET asks for two or three acks.
    static BASE: LazyLock<Option<Url>> = LazyLock::new(|| Url::parse("http://ack.invalid/").ok());
    let url = BASE.as_ref()?.join(href).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "ack")
        .map(|(_, v)| v.into_owned())
}

/// Whether `next` moved past `current`: numerically when both are numbers, else by differing.
fn advances(current: &str, next: &str) -> bool {
    match (current.parse::<u128>(), next.parse::<u128>()) {
        (Ok(c), Ok(n)) => n > c,
        _ => current != next,
    }
}

/// What one response means for the follower.
#[derive(Debug)]
pub struct Observation {
    /// Its events, with their sender, in order.
    pub events: Vec<(String, String, Event)>,
    /// The href to poll next, or why the channel cannot go on.
    pub follow: Result<String, String>,
    /// The href to follow leads back where the channel already was (the URL just requested,
    /// or a `next` whose ack did not advance): following it at once would poll in a tight
    /// loop, so the follower backs off.
    pub stalled: bool,
}

/// The violations of one invariant: the first in full and how many there were. A channel
/// that breaks a rule on every response (a `next` pointing back at itself, polled for minutes)
/// must cost one line, not one string per poll.
#[derive(Debug, Default)]
struct Tally {
    first: Option<String>,
    count: u64,
}

impl Tally {
    fn push(&mut self, violation: String) {
        self.count += 1;
        self.first.get_or_insert(violation);
    }
}

/// How many resync/resume notes a check message lists; the rest are counted.
const NOTES_SHOWN: usize = 5;

/// The invariants seen so far.
#[derive(Debug, Default)]
pub struct ChannelState {
    responses: u64,
    bodies: Tally,
    links: Tally,
    acks: Tally,
    duplicates: Tally,
    repeats: Tally,
    notes: Vec<String>,
    notes_left_out: u64,
    /// Requested URL → the response number that delivered events for it.
    delivered: HashMap<String, u64>,
}

impl ChannelState {
    /// Judges one response to a GET of `requested`.
    pub fn observe(&mut self, requested: &str, resp: &HttpResponse, format: Format) -> Observation {
        let broken = |reason: String| Observation {
            events: Vec::new(),
            follow: Err(reason),
            stalled: false,
        };
        if resp.status != 200 {
            return broken(non_200(resp, format));
        }
        self.responses += 1;
        let n = self.responses;
        let media = resp.media_type();
        if !media_type_fits(format, media.as_deref()) {
            self.bodies.push(format!(
                "response {n}: media type {}, expected {format:?} events",
                media.as_deref().unwrap_or("(none)")
            ));
        }
        let events = match Document::parse(canon_format(format), &resp.body) {
            Ok(Document::Events(events)) => events,
            Ok(other) => {
                let what = match other {
                    Document::Resource(_) => "a resource",
                    Document::Error(_) => "an error body",
                    _ => "not an events body",
                };
                self.bodies
                    .push(format!("response {n}: {what} instead of events"));
                return broken(format!("response {n} of the event channel is {what}"));
            }
            Err(e) => {
                self.bodies.push(format!("response {n}: {e}"));
                return broken(format!(
                    "response {n} of the event channel is unreadable: {e}"
                ));
            }
        };
        self.check_events(n, requested, &events);
        let present: Vec<&str> = ["next", "resync", "resume"]
            .into_iter()
            .filter(|rel| events.links.contains_key(*rel))
            .collect();
        if present.len() != 1 {
            self.links.push(format!(
                "response {n}: expected exactly one of next, resync, resume; found [{}]",
                present.join(", ")
            ));
        }
        let mut stalled = false;
        let follow = if let Some(next) = events.links.get("next") {
            let same = leads_back(requested, next);
            match (ack_of(requested), ack_of(next)) {
                (Some(cur), Some(nxt)) if !advances(&cur, &nxt) => {
                    stalled = true;
                    self.acks.push(format!(
                        "response {n}: ack {cur} followed by next ack {nxt}"
                    ));
                }
                _ if same => {
                    stalled = true;
                    self.acks.push(format!(
                        "response {n}: next points back at the URL just requested ({requested})"
                    ));
                }
                _ => {}
            }
            Ok(next.clone())
        } else if let Some(resync) = events.links.get("resync") {
            self.note(format!("response {n} carried resync"));
            stalled = leads_back(requested, resync);
            Ok(resync.clone())
        } else if let Some(resume) = events.links.get("resume") {
            self.note(format!("response {n} carried resume"));
            stalled = leads_back(requested, resume);
            Ok(resume.clone())
        } else {
            Err(format!(
                "response {n} of the event channel has no next, resync or resume link"
            ))
        };
        // The parsed events are the follower's now: moved, not copied.
        let flat = events
            .senders
            .into_iter()
            .flat_map(|s| {
                let (rel, href) = (s.rel, s.href);
                s.events
                    .into_iter()
                    .map(move |e| (rel.clone(), href.clone(), e))
            })
            .collect();
        Observation {
            events: flat,
            follow,
            stalled,
        }
    }

    fn note(&mut self, note: String) {
        if self.notes.len() < NOTES_SHOWN {
            self.notes.push(note);
        } else {
            self.notes_left_out += 1;
        }
    }

    fn check_events(&mut self, n: u64, requested: &str, events: &Events) {
        let mut seen = BTreeSet::new();
        for sender in &events.senders {
            // Two `updated` events of one resource are two changes (a server may merge them,
            // digest 3.4, but need not); an `added` or `deleted` twice is one change told twice.
            for e in sender
                .events
                .iter()
                .filter(|e| !e.kind.eq_ignore_ascii_case("updated"))
            {
                let key = (
                    e.kind.clone(),
                    e.link.rel.clone(),
                    e.link.href.clone(),
                    e.in_collection
                        .as_ref()
                        .map(|i| (i.rel.clone(), i.href.clone())),
                );
                if !seen.insert(key) {
                    self.duplicates.push(format!(
                        "response {n}: {} {} {} twice",
                        e.link.rel, e.kind, e.link.href
                    ));
                }
            }
        }
        if events.senders.iter().all(|s| s.events.is_empty()) {
            return;
        }
        if let Some(first) = self.delivered.get(requested) {
            self.repeats.push(format!(
                "response {n}: {requested} delivered events again (first in response {first})"
            ));
        } else {
            self.delivered.insert(requested.to_owned(), n);
        }
    }

    /// The `channel` checks: one per invariant, plus the breakage if any.
    pub fn checks(&self, broken: Option<&str>) -> Vec<CheckOutcome> {
        let n = self.responses;
        let one = |violations: &Tally, held: String| match &violations.first {
            None => CheckOutcome::pass("channel", Level::Must, held),
            Some(first) => {
                let more = violations.count - 1;
                let tail = if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                };
                CheckOutcome::fail("channel", Level::Must, format!("{first}{tail}"))
            }
        };
        let notes = match (self.notes.is_empty(), self.notes_left_out) {
            (true, _) => String::new(),
            (false, 0) => format!("; {}", self.notes.join("; ")),
            (false, more) => format!("; {} (and {more} more)", self.notes.join("; ")),
        };
        let mut out = vec![
            one(
                &self.bodies,
                format!("{n} event responses, each a well-formed events body"),
            ),
            one(
                &self.links,
                format!("each response had exactly one of next, resync, resume{notes}"),
            ),
            one(&self.acks, "the ack advanced with every next link".into()),
            one(&self.duplicates, "no event twice within a response".into()),
            one(&self.repeats, "no package delivered twice".into()),
        ];
        if let Some(why) = broken {
            out.push(CheckOutcome::fail(
                "channel",
                Level::Must,
                format!("the event channel broke: {why}"),
            ));
        }
        out
    }
}

/// Whether `href`, resolved against `requested`, is `requested` itself.
fn leads_back(requested: &str, href: &str) -> bool {
    Url::parse(requested)
        .and_then(|base| base.join(href.trim()))
        .is_ok_and(|url| url.as_str() == requested)
}

/// Why a non-200 response ends the channel (digest 3.5).
fn non_200(resp: &HttpResponse, format: Format) -> String {
    let subcode = match Document::parse(canon_format(format), &resp.body) {
        Ok(Document::Error(e)) => e.subcode.map(|s| format!(" {s}")).unwrap_or_default(),
        _ => String::new(),
    };
    let status = resp.status;
    match status {
        404 => format!("the application vanished (404{subcode})"),
        409 => format!("another client polls this application (409{subcode})"),
        410 => format!("the application expired (410{subcode})"),
        _ => format!("the event channel answered {status}{subcode}"),
    }
}

#[cfg(test)]
#[path = "channel_tests.rs"]
mod tests;
