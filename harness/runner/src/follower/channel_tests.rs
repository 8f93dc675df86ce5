//! Tests of the channel invariants on hand-made responses.

use std::time::Duration;

use bytes::Bytes;
use harness_core::outcome::CheckStatus;

use super::*;

fn resp(status: u16, media: &str, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), media.into())],
        body: Bytes::from(body.to_owned()),
        elapsed: Duration::ZERO,
    }
}

fn events_json(self_ack: u32, next: &str, events: &str) -> String {
    format!(
        r#"{{"_links":{{"self":{{"href":"/a/events?ack={self_ack}"}},{next}}},
            "sender":[{{"rel":"people","href":"/a/people","events":[{events}]}}]}}"#
    )
}

const ADDED: &str = r#"{"link":{"rel":"contact","href":"/a/people/bob"},"in":{"rel":"subscribedContacts","href":"/a/people/subscribedContacts"},"type":"added"}"#;
const SUB_ADDED: &str = r#"{"link":{"rel":"presenceSubscription","href":"/a/people/presenceSubscriptions/1"},"type":"added"}"#;

fn failures(state: &ChannelState) -> Vec<String> {
    state
        .checks(None)
        .into_iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| c.message)
        .collect()
}

#[test]
fn normal_responses_pass_every_invariant() {
    let mut s = ChannelState::default();
    let body = events_json(
        1,
        r#""next":{"href":"/a/events?ack=2"}"#,
        &format!("{ADDED},{SUB_ADDED}"),
    );
    let o = s.observe(
        "http://h/a/events?ack=1",
        &resp(200, "application/json; charset=utf-8", &body),
        Format::Json,
    );
    assert_eq!(o.events.len(), 2);
    assert_eq!(o.events[0].0, "people");
    assert_eq!(o.follow.as_deref(), Ok("/a/events?ack=2"));
    let empty = events_json(2, r#""next":{"href":"/a/events?ack=3"}"#, "");
    s.observe(
        "http://h/a/events?ack=2",
        &resp(200, "application/json", &empty),
        Format::Json,
    );
    assert!(failures(&s).is_empty(), "{:?}", failures(&s));
    assert_eq!(s.checks(None).len(), 5);
}

#[test]
fn ack_that_does_not_advance_is_a_failure() {
    let mut s = ChannelState::default();
    let body = events_json(1, r#""next":{"href":"/a/events?ack=1"}"#, "");
    s.observe(
        "http://h/a/events?ack=1",
        &resp(200, "application/json", &body),
        Format::Json,
    );
    let f = failures(&s);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("ack 1 followed by next ack 1"), "{f:?}");
}

#[test]
fn numeric_acks_compare_as_numbers() {
    assert!(advances("9", "10"));
    assert!(!advances("10", "9"));
    assert!(advances("abc", "abd"));
    assert_eq!(ack_of("/x/events?key=k&ack=14").as_deref(), Some("14"));
    assert_eq!(ack_of("/x/events"), None);
}

#[test]
fn duplicate_event_in_one_response_and_repeated_package() {
    let mut s = ChannelState::default();
    let body = events_json(
        1,
        r#""next":{"href":"/a/events?ack=2"}"#,
        &format!("{ADDED},{ADDED}"),
    );
    s.observe(
        "u?ack=1",
        &resp(200, "application/json", &body),
        Format::Json,
    );
    let again = events_json(1, r#""next":{"href":"/a/events?ack=2"}"#, SUB_ADDED);
    s.observe(
        "u?ack=1",
        &resp(200, "application/json", &again),
        Format::Json,
    );
    let f = failures(&s);
    assert!(f.iter().any(|m| m.contains("twice")), "{f:?}");
    assert!(
        f.iter().any(|m| m.contains("delivered events again")),
        "{f:?}"
    );
}

#[test]
fn two_channel_links_and_notes_on_resync() {
    let mut s = ChannelState::default();
    let body = events_json(
        1,
        r#""next":{"href":"/a/events?ack=2"},"resync":{"href":"/a/events?ack=1"}"#,
        "",
    );
    s.observe(
        "u?ack=1",
        &resp(200, "application/json", &body),
        Format::Json,
    );
    assert!(failures(&s)[0].contains("exactly one of next, resync, resume; found [next, resync]"));
    let mut s = ChannelState::default();
    let body =
        r#"{"_links":{"self":{"href":"/a/events?ack=9"},"resync":{"href":"/a/events?ack=3"}}}"#;
    let o = s.observe(
        "u?ack=9",
        &resp(200, "application/json", body),
        Format::Json,
    );
    assert_eq!(o.follow.as_deref(), Ok("/a/events?ack=3"));
    let links = &s.checks(None)[1];
    assert!(links.message.contains("resync"), "{}", links.message);
}

#[test]
fn garbage_wrong_media_type_and_errors_break_the_channel() {
    let mut s = ChannelState::default();
    let o = s.observe(
        "u?ack=1",
        &resp(200, "text/html", "<html>nope"),
        Format::Json,
    );
    assert!(o.follow.is_err());
    let f = failures(&s);
    assert!(f[0].contains("media type text/html"), "{f:?}");
    let o = s.observe(
        "u?ack=1",
        &resp(200, "application/json", "[1,2"),
        Format::Json,
    );
    assert!(o.follow.unwrap_err().contains("unreadable"));
    let gone = r#"{"code":"NotFound","subcode":"ApplicationNotFound","message":"x"}"#;
    let o = s.observe(
        "u?ack=1",
        &resp(404, "application/json", gone),
        Format::Json,
    );
    assert_eq!(
        o.follow.unwrap_err(),
        "the application vanished (404 ApplicationNotFound)"
    );
    let o = s.observe(
        "u?ack=1",
        &resp(409, "application/json", "{}"),
        Format::Json,
    );
    assert!(o.follow.unwrap_err().contains("another client polls"));
    let broken = s.checks(Some("x"));
    assert_eq!(broken.last().map(|c| c.status), Some(CheckStatus::Fail));
}

#[test]
fn xml_events_are_read_with_the_vnd_type() {
    let mut s = ChannelState::default();
    let body = r#"<events href="/a/events?ack=1" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">
      <link rel="next" href="/a/events?ack=2"/>
      <sender rel="people" href="/a/people">
        <added rel="presenceSubscription" href="/a/people/presenceSubscriptions/1"/>
      </sender></events>"#;
    let o = s.observe(
        "u?ack=1",
        &resp(200, "application/vnd.microsoft.com.ucwa+xml", body),
        Format::Xml,
    );
    assert_eq!(o.events.len(), 1);
    assert_eq!(o.events[0].2.kind, "added");
    assert!(failures(&s).is_empty(), "{:?}", failures(&s));
    assert_eq!(
        events_accept(Format::Xml),
        "application/vnd.microsoft.com.ucwa+xml"
    );
}

/// Two presence changes of one contact in one response are two changes, not a duplicate: a
/// server may merge them (digest 3.4) but need not.
#[test]
fn two_updates_of_one_resource_in_a_response_are_no_duplicate() {
    let updated = r#"{"link":{"rel":"contactPresence","href":"/a/people/bob/presence"},"in":{"rel":"contact","href":"/a/people/bob"},"type":"updated"}"#;
    let mut s = ChannelState::default();
    let body = events_json(
        1,
        r#""next":{"href":"/a/events?ack=2"}"#,
        &format!("{updated},{updated}"),
    );
    s.observe(
        "u?ack=1",
        &resp(200, "application/json", &body),
        Format::Json,
    );
    assert!(failures(&s).is_empty(), "{:?}", failures(&s));
    let twice = events_json(
        2,
        r#""next":{"href":"/a/events?ack=3"}"#,
        &format!("{SUB_ADDED},{SUB_ADDED}"),
    );
    s.observe(
        "u?ack=2",
        &resp(200, "application/json", &twice),
        Format::Json,
    );
    assert!(failures(&s).iter().any(|m| m.contains("twice")));
}

#[test]
fn a_next_leading_back_stalls_the_channel_and_fails_once_however_often_polled() {
    let mut s = ChannelState::default();
    let body = events_json(1, r#""next":{"href":"/a/events"}"#, "");
    for _ in 0..1000 {
        let o = s.observe(
            "http://h/a/events",
            &resp(200, "application/json", &body),
            Format::Json,
        );
        assert!(o.stalled);
        assert_eq!(o.follow.as_deref(), Ok("/a/events"));
    }
    let f = failures(&s);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("next points back at the URL just requested"),
        "{f:?}"
    );
    assert!(f[0].ends_with("(and 999 more)"), "{f:?}");
}

#[test]
fn an_ack_standing_still_stalls_and_an_advancing_one_does_not() {
    let mut s = ChannelState::default();
    let still = events_json(4, r#""next":{"href":"/a/events?ack=4"}"#, "");
    let o = s.observe(
        "http://h/a/events?ack=4",
        &resp(200, "application/json", &still),
        Format::Json,
    );
    assert!(o.stalled);
    let on = events_json(4, r#""next":{"href":"/a/events?ack=5"}"#, "");
    let o = s.observe(
        "http://h/a/events?ack=4",
        &resp(200, "application/json", &on),
        Format::Json,
    );
    assert!(!o.stalled);
}
