//! The event channel of one application: queued events, numbered packages (ack), the pending
//! P-GET and its remembered parameters (digest 3.2–3.5). The bodies are written in
//! `wire::event_body`.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::hrefs::Hrefs;
use super::subscription::Sub;

/// Events queued at most while nobody polls; older ones beyond are dropped and the next
/// response says `resume`, so a client that never polls cannot grow memory without bound.
const MAX_QUEUE: usize = 10_000;

/// One event: target link, optional `in` link, optional embedded subscription, type.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub sender_rel: &'static str,
    pub sender_href: String,
    pub link_rel: &'static str,
    pub link_href: String,
    pub in_link: Option<(&'static str, String)>,
    /// The subscription a presenceSubscription `updated` carries inside it (OP-36), as it
    /// was when the event was queued.
    pub embedded: Option<Sub>,
    pub kind: &'static str,
}

impl Event {
    /// An event from the resource `{app}/{sender}` with no `in` link and nothing embedded:
    /// what the senders other than `people` send.
    pub(crate) fn from_sender(
        h: Hrefs<'_>,
        sender: &'static str,
        link_rel: &'static str,
        link_href: String,
        kind: &'static str,
    ) -> Self {
        Self {
            sender_rel: sender,
            sender_href: h.at(sender),
            link_rel,
            link_href,
            in_link: None,
            embedded: None,
            kind,
        }
    }
}

/// The events of one response, kept so a lost response can be replayed (OP-17).
#[derive(Debug, Default)]
pub(crate) struct Package {
    pub events: Vec<Event>,
    /// The response carries `resume` instead of `next` (subscriptions were dropped).
    pub resume: bool,
}

/// The P-GET currently parked on the channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiter {
    pub generation: u64,
    pub priority: u64,
}

/// Channel state of one application.
#[derive(Debug)]
pub(crate) struct Channel {
    /// The number of the next package; the first events URL says `ack=1`.
    pub next_ack: u64,
    pub queue: Vec<Event>,
    pub first_queued_at: Option<Duration>,
    /// The last package delivered, for replay.
    pub last: Option<(u64, Arc<Package>)>,
    pub waiter: Option<Waiter>,
    pub generation: u64,
    /// Remembered across P-GETs (digest 3.2), clamped (OP-19).
    pub timeout: Duration,
    pub medium: Duration,
    pub low: Duration,
    pub resume_pending: bool,
    /// Application-clock time of the last channel activity (P-GET arrival or release).
    pub last_activity: Duration,
    /// Real time of the last answered P-GET (the creation, before the first one).
    pub last_answer: Option<Instant>,
}

impl Channel {
    pub(crate) fn new(now: Duration) -> Self {
        Self {
            next_ack: 1,
            queue: Vec::new(),
            first_queued_at: None,
            last: None,
            waiter: None,
            generation: 0,
            timeout: Duration::from_secs(180),
            medium: Duration::from_secs(5),
            low: Duration::from_secs(15),
            resume_pending: false,
            last_activity: now,
            // A new application gets the same grace for its first P-GET as an answered one
            // gets for the next: its client is still opening the connection, and a clock
            // moved in that moment must not find the channel idle.
            last_answer: Some(Instant::now()),
        }
    }

    /// Queues an event; with `merge`, a presence update replaces a queued one of the same
    /// contact (the `events-aggregated` variant). The window still runs from the first event.
    pub(crate) fn push(&mut self, event: Event, now: Duration, merge: bool) {
        if self.queue.is_empty() {
            self.first_queued_at = Some(now);
        }
        if merge {
            self.drop_superseded(&event);
        }
        if self.queue.len() >= MAX_QUEUE {
            self.queue.remove(0);
            self.resume_pending = true;
        }
        self.queue.push(event);
    }

    /// Removes the queued presence update the new one supersedes: the latest queued event
    /// about the same contact, when it is a contactPresence `updated`. A contact added or
    /// deleted after it keeps it, so the order of what the client learns stays true.
    fn drop_superseded(&mut self, event: &Event) {
        if event.link_rel != "contactPresence" || event.kind != "updated" {
            return;
        }
        let contact = event.in_link.as_ref().map(|(_, href)| href.as_str());
        let about =
            |e: &Event| e.link_href == event.link_href || contact.is_some_and(|c| e.link_href == c);
        if let Some(i) = self.queue.iter().rposition(about)
            && self.queue[i].link_rel == "contactPresence"
            && self.queue[i].kind == "updated"
        {
            self.queue.remove(i);
        }
    }

    /// When the queued events become due: now without windows, else after the medium window
    /// (every presence event is Medium priority, digest 3.4). `None` when nothing is queued.
    pub(crate) fn due_at(&self, windows: bool) -> Option<Duration> {
        if self.resume_pending {
            return Some(Duration::ZERO);
        }
        let first = self.first_queued_at.filter(|_| !self.queue.is_empty())?;
        Some(if windows { first + self.medium } else { first })
    }

    /// Takes the queued events as the next package.
    pub(crate) fn release(&mut self, now: Duration) -> (u64, Arc<Package>) {
        let package = Arc::new(Package {
            events: std::mem::take(&mut self.queue),
            resume: std::mem::take(&mut self.resume_pending),
        });
        self.first_queued_at = None;
        let ack = self.next_ack;
        self.next_ack += 1;
        self.last = Some((ack, Arc::clone(&package)));
        self.waiter = None;
        self.last_activity = now;
        self.last_answer = Some(Instant::now());
        (ack, package)
    }

    /// A P-GET is parked, or one was answered within `grace` of real time.
    pub(crate) fn in_use(&self, grace: Duration) -> bool {
        self.waiter.is_some() || self.last_answer.is_some_and(|t| t.elapsed() < grace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(rel: &'static str, href: &str, kind: &'static str) -> Event {
        let contact = href.trim_end_matches("/presence").to_owned();
        Event {
            sender_rel: "people",
            sender_href: "/a/people".into(),
            link_rel: rel,
            link_href: href.into(),
            in_link: (rel == "contactPresence").then_some(("contact", contact)),
            embedded: None,
            kind,
        }
    }

    fn kinds(ch: &Channel) -> Vec<(&str, &str)> {
        ch.queue
            .iter()
            .map(|e| (e.link_rel, e.link_href.as_str()))
            .collect()
    }

    #[test]
    fn merged_presence_keeps_only_the_latest_and_the_window_start() {
        let mut ch = Channel::new(Duration::ZERO);
        let bob = "/a/people/bob@x.y/presence";
        let carol = "/a/people/carol@x.y/presence";
        ch.push(
            event("contactPresence", bob, "updated"),
            Duration::from_secs(1),
            true,
        );
        ch.push(
            event("contactPresence", carol, "updated"),
            Duration::from_secs(2),
            true,
        );
        ch.push(
            event("contactPresence", bob, "updated"),
            Duration::from_secs(3),
            true,
        );
        assert_eq!(
            kinds(&ch),
            [("contactPresence", carol), ("contactPresence", bob)]
        );
        assert_eq!(ch.first_queued_at, Some(Duration::from_secs(1)));
    }

    #[test]
    fn a_contact_event_in_between_stops_the_merge() {
        let mut ch = Channel::new(Duration::ZERO);
        let bob = "/a/people/bob@x.y/presence";
        ch.push(
            event("contactPresence", bob, "updated"),
            Duration::ZERO,
            true,
        );
        ch.push(
            event("contact", "/a/people/bob@x.y", "added"),
            Duration::ZERO,
            true,
        );
        ch.push(
            event("contactPresence", bob, "updated"),
            Duration::ZERO,
            true,
        );
        assert_eq!(ch.queue.len(), 3);
        // Without merging nothing is ever dropped.
        let mut plain = Channel::new(Duration::ZERO);
        plain.push(
            event("contactPresence", bob, "updated"),
            Duration::ZERO,
            false,
        );
        plain.push(
            event("contactPresence", bob, "updated"),
            Duration::ZERO,
            false,
        );
        assert_eq!(plain.queue.len(), 2);
    }
}
