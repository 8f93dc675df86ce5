//! The subscription limit (row PSS.POST.403-limit) without the test-control protocol: create
//! subscriptions until the target refuses one, then judge that the refusal was 403 Forbidden
//! LimitExceeded, that it created nothing (the collection and the channel show exactly the
//! accepted creates), and that a freed slot takes exactly one more.
//!
//! The bound is the limit the target declares (`GET /_conform`), else `CAP` creates; a target
//! that accepts them all skips the case rather than passing it: the row is not proven there.

use harness_core::canonical::{Document, hrefs_equal};
use serde_json::{Map, Value, json};

use super::driver::{Driver, Violation, fail, is_event};
use super::procedure::{Procedure, Proved};
use crate::client::HttpResponse;
use crate::follower::ObservedEvent;
use crate::parse::parse_document;
use crate::target::Target;

/// Creates tried when the target declares no limit: well past the limits servers are known to
/// set, yet quick enough to try on every run.
pub(crate) const CAP: usize = 200;

/// How many creates to try before judging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// The target declared this limit: create number N + 1 must be refused.
    Declared(usize),
    /// No limit declared: try this many, and prove nothing if all are accepted.
    Cap(usize),
}

/// The subscription-limit procedure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SubscriptionLimit {
    pub(crate) bound: Bound,
}

impl SubscriptionLimit {
    /// The declared limit when the target has one, else `CAP`.
    pub(crate) fn for_target(target: &Target) -> SubscriptionLimit {
        let declared = target
            .capabilities
            .limits
            .get("subscriptions")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok());
        SubscriptionLimit {
            bound: declared.map_or(Bound::Cap(CAP), Bound::Declared),
        }
    }
}

/// How a create was answered.
enum Answer {
    /// 201 with the new subscription's self href.
    Created(String),
    /// Not a 2xx.
    Refused(HttpResponse),
}

/// The subscriptions this procedure made: every one accepted, and those still to delete.
#[derive(Default)]
struct Made {
    ever: Vec<String>,
    live: Vec<String>,
}

impl Procedure for SubscriptionLimit {
    async fn run(&self, d: &Driver<'_>) -> Result<Proved, Violation> {
        let mut made = Made::default();
        let result = self.fill_and_free(d, &mut made).await;
        // Ours to delete, pass or fail: a target that counts the limit per user, or keeps
        // subscriptions past their application's DELETE, would start the next case full.
        let cleanup = delete_all(d, &made.live).await;
        let proved = result?;
        cleanup?;
        Ok(proved)
    }
}

impl SubscriptionLimit {
    async fn fill_and_free(&self, d: &Driver<'_>, made: &mut Made) -> Result<Proved, Violation> {
        let collection = d.link("presenceSubscriptions")?;
        // Subscriptions the application held before (system-owned ones on some servers) are
        // neither ours nor made by a refused create.
        let before = d
            .session
            .preexisting_subscriptions()
            .await
            .map_err(Violation::Error)?;
        let cursor = d.cursor();
        let tries = match self.bound {
            Bound::Declared(n) => n + 1,
            Bound::Cap(n) => n,
        };
        let mut refused_at = None;
        for k in 1..=tries {
            match create(d, &collection, k).await? {
                Answer::Created(href) => made.accept(href),
                Answer::Refused(resp) => {
                    judge_refusal(d, &format!("create {k}"), &resp)?;
                    refused_at = Some(k);
                    break;
                }
            }
        }
        let Some(k) = refused_at else {
            return match self.bound {
                Bound::Declared(n) => fail(format!(
                    "the declared limit {n} is not enforced: create {} answered 201",
                    n + 1
                )),
                Bound::Cap(n) => Ok(Proved::NotProven(format!(
                    "no subscription limit reached within {n} subscriptions: PSS.POST.403-limit \
                     not proven here"
                ))),
            };
        };
        if made.live.is_empty() {
            return Err(Violation::Error(
                "the first create was refused with LimitExceeded: with no subscription of ours \
                 there is no slot to free"
                    .into(),
            ));
        }
        let held = made.live.len();
        // Every accepted create's added event, before the refused one is judged by them.
        let ever = made.ever.clone();
        let events = d
            .events_since(cursor, |es| {
                ever.iter().all(|h| es.iter().any(|e| added(e, h)))
            })
            .await?;
        if let Some(href) = ever.iter().find(|h| !events.iter().any(|e| added(e, h))) {
            return fail(format!(
                "no presenceSubscription added event for {href}, created with 201"
            ));
        }
        let listed = listed_hrefs(d, &collection).await?;
        judge_listing(&listed, &made.live, &before, k)?;

        let first = made.live.remove(0);
        let resp = d.delete(&first).await?;
        if resp.status != 204 {
            return fail(format!(
                "DELETE of the first subscription answered {}, expected 204",
                resp.status
            ));
        }
        let again = match create(d, &collection, held + 2).await? {
            Answer::Created(href) => href,
            Answer::Refused(resp) => {
                return fail(format!(
                    "with {} subscriptions after deleting one of {held}, create answered {}: the \
                     freed slot was not usable",
                    held - 1,
                    resp.status
                ));
            }
        };
        made.accept(again.clone());
        // The freed slot's added event is the barrier: anything the refused create caused
        // would come before it.
        let events = d
            .events_since(cursor, |es| es.iter().any(|e| added(e, &again)))
            .await?;
        judge_added_events(&events, &made.ever, &before, k)?;
        match create(d, &collection, held + 3).await? {
            Answer::Created(href) => {
                made.accept(href);
                fail(format!(
                    "with the freed slot taken again ({held} subscriptions), create answered 201: \
                     the limit no longer holds"
                ))
            }
            Answer::Refused(resp) => {
                judge_refusal(d, "the create past the retaken slot", &resp)?;
                Ok(Proved::Held(format!(
                    "create {k} refused with 403 Forbidden LimitExceeded at {held} subscriptions, \
                     nothing created by it; a freed slot took exactly one more"
                )))
            }
        }
    }
}

impl Made {
    fn accept(&mut self, href: String) {
        self.ever.push(href.clone());
        self.live.push(href);
    }
}

/// Create number `k`: 11 minutes, one contact, the profile's contacts in turn.
async fn create(d: &Driver<'_>, collection: &str, k: usize) -> Result<Answer, Violation> {
    let contacts = &d.session.target.profile.contacts;
    let Some(contact) = contacts.get((k - 1) % contacts.len().max(1)) else {
        return Err(Violation::Error(
            "the target profile names no contacts".into(),
        ));
    };
    let mut body = Map::new();
    body.insert("duration".into(), json!(11));
    body.insert("uris".into(), json!([contact]));
    let resp = d.post(collection, &body).await?;
    match resp.status {
        201 => {
            let sub = d.resource(&format!("create {k}"), &resp)?;
            sub.self_href
                .map(Answer::Created)
                .ok_or_else(|| Violation::Fail(format!("create {k}: 201 without a self link")))
        }
        s if (200..300).contains(&s) => fail(format!("create {k} answered {s}, expected 201")),
        _ => Ok(Answer::Refused(resp)),
    }
}

/// A refusal must be 403 Forbidden LimitExceeded (digest 2.2, 2.4); anything else is named.
fn judge_refusal(d: &Driver<'_>, what: &str, resp: &HttpResponse) -> Result<(), Violation> {
    let error = match parse_document(d.format, &resp.body) {
        Ok(Document::Error(e)) => Some(e),
        _ => None,
    };
    let code = error.as_ref().map(|e| e.code.as_str());
    let subcode = error.as_ref().and_then(|e| e.subcode.as_deref());
    if resp.status == 403 && code == Some("Forbidden") && subcode == Some("LimitExceeded") {
        return Ok(());
    }
    let came = match (code, subcode) {
        (Some(code), Some(subcode)) => format!("{} {code} {subcode}", resp.status),
        (Some(code), None) => format!("{} {code} without a subcode", resp.status),
        _ => format!("{} without a UCWA error body", resp.status),
    };
    fail(format!(
        "{what} was refused with {came}, expected 403 Forbidden LimitExceeded"
    ))
}

/// The self hrefs the collection embeds.
async fn listed_hrefs(d: &Driver<'_>, collection: &str) -> Result<Vec<String>, Violation> {
    let resource = d.get_resource("presenceSubscriptions", collection).await?;
    Ok(resource
        .embedded
        .get("presenceSubscription")
        .into_iter()
        .flatten()
        .filter_map(|s| s.self_href.clone())
        .collect())
}

fn contains(hrefs: &[String], href: &str) -> bool {
    hrefs.iter().any(|h| hrefs_equal(h, href))
}

/// The collection lists each of ours once, and nothing else but what was there before.
fn judge_listing(
    listed: &[String],
    ours: &[String],
    before: &[String],
    refused: usize,
) -> Result<(), Violation> {
    for href in ours {
        let times = listed.iter().filter(|h| hrefs_equal(h, href)).count();
        if times != 1 {
            return fail(format!(
                "after create {refused} was refused, presenceSubscriptions lists {href} {times} \
                 times, expected once"
            ));
        }
    }
    match listed
        .iter()
        .find(|h| !contains(ours, h) && !contains(before, h))
    {
        Some(extra) => fail(format!(
            "after create {refused} was refused, presenceSubscriptions lists {extra}, neither \
             an accepted create of ours nor held before: the refused create made it, or it is not \
             this application's"
        )),
        None => Ok(()),
    }
}

fn added(e: &ObservedEvent, href: &str) -> bool {
    is_event(e, "added", "presenceSubscription") && hrefs_equal(&e.event.link.href, href)
}

/// The channel's `presenceSubscription added` events are the accepted creates, once each.
fn judge_added_events(
    events: &[ObservedEvent],
    ever: &[String],
    before: &[String],
    refused: usize,
) -> Result<(), Violation> {
    for href in ever {
        let times = events.iter().filter(|e| added(e, href)).count();
        if times != 1 {
            return fail(format!(
                "{times} presenceSubscription added events for {href}, expected exactly one"
            ));
        }
    }
    let stray = events.iter().find(|e| {
        is_event(e, "added", "presenceSubscription")
            && !contains(ever, &e.event.link.href)
            && !contains(before, &e.event.link.href)
    });
    match stray {
        Some(e) => fail(format!(
            "a presenceSubscription added event for {}, neither an accepted create of ours nor \
             held before: create {refused} was refused and must add nothing",
            e.event.link.href
        )),
        None => Ok(()),
    }
}

/// Deletes `hrefs`; one already gone (expired on a fast clock) is no failure.
async fn delete_all(d: &Driver<'_>, hrefs: &[String]) -> Result<(), Violation> {
    let mut first_problem = None;
    for href in hrefs {
        let outcome = match d.delete(href).await {
            Ok(resp) if matches!(resp.status, 204 | 404 | 410) => Ok(()),
            Ok(resp) => fail(format!(
                "DELETE of {href} (clean-up) answered {}, expected 204",
                resp.status
            )),
            Err(v) => Err(v),
        };
        if let Err(v) = outcome {
            first_problem.get_or_insert(v);
        }
    }
    first_problem.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use harness_core::model::Format;
    use harness_refserver::{Fault, Limits, ServerConfig};

    use super::*;
    use crate::client::{HttpClient, TlsOptions};
    use crate::profile::embedded_profile;
    use crate::property::procedure::run_procedure;

    /// The reference server with a small limit (quick to fill), and its target.
    async fn server(
        subscriptions: usize,
        fault: Fault,
    ) -> (harness_refserver::RunningServer, Arc<Target>) {
        let config = ServerConfig {
            limits: Limits {
                subscriptions,
                ..Limits::default()
            },
            fault,
            ..ServerConfig::default()
        };
        let server = harness_refserver::start(config)
            .await
            .expect("the reference server starts");
        let url = url::Url::parse(&server.discovery_url()).expect("a discovery URL");
        let client = HttpClient::new(&TlsOptions::default()).expect("a client");
        let target = Target::connect(embedded_profile(url), client)
            .await
            .expect("the embedded target signs in");
        (server, target)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_declared_limit_holds_on_the_reference_server() {
        let (_server, target) = server(3, Fault::None).await;
        let limit = SubscriptionLimit::for_target(&target);
        assert_eq!(limit.bound, Bound::Declared(3));
        for format in [Format::Json, Format::Xml] {
            let proved = run_procedure(&limit, target.clone(), format).await;
            let Ok(Proved::Held(what)) = proved else {
                panic!("{format:?}: {proved:?}");
            };
            assert!(what.contains("create 4 refused"), "{what}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_limit_above_the_declared_one_fails() {
        let (_server, target) = server(3, Fault::None).await;
        let wrong = SubscriptionLimit {
            bound: Bound::Declared(2),
        };
        let proved = run_procedure(&wrong, target, Format::Json).await;
        assert_eq!(
            proved,
            Err(Violation::Fail(
                "the declared limit 2 is not enforced: create 3 answered 201".into()
            ))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_refusal_within_the_cap_proves_nothing() {
        let (_server, target) = server(32, Fault::None).await;
        let capped = SubscriptionLimit {
            bound: Bound::Cap(4),
        };
        let proved = run_procedure(&capped, target, Format::Xml).await;
        let Ok(Proved::NotProven(why)) = proved else {
            panic!("{proved:?}");
        };
        assert!(why.contains("within 4 subscriptions"), "{why}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refusal_without_its_subcode_is_named() {
        let (_server, target) = server(2, Fault::LimitSubcodeMissing).await;
        let limit = SubscriptionLimit::for_target(&target);
        let proved = run_procedure(&limit, target, Format::Xml).await;
        assert_eq!(
            proved,
            Err(Violation::Fail(
                "create 3 was refused with 403 Forbidden without a subcode, expected 403 \
                 Forbidden LimitExceeded"
                    .into()
            ))
        );
    }

    #[test]
    fn a_listing_with_more_than_ours_fails() {
        let ours = vec!["/s/1".to_owned(), "/s/2".to_owned()];
        let before = vec!["/s/system".to_owned()];
        let listed = |hrefs: &[&str]| hrefs.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>();
        assert!(judge_listing(&listed(&["/s/system", "/s/1", "/s/2"]), &ours, &before, 3).is_ok());
        let Err(Violation::Fail(m)) =
            judge_listing(&listed(&["/s/1", "/s/2", "/s/3"]), &ours, &before, 3)
        else {
            panic!("an extra subscription passed");
        };
        assert!(
            m.contains("/s/3") && m.contains("the refused create made it"),
            "{m}"
        );
        assert!(judge_listing(&listed(&["/s/1"]), &ours, &before, 3).is_err());
        assert!(judge_listing(&listed(&["/s/1", "/s/1", "/s/2"]), &ours, &before, 3).is_err());
    }
}
