//! The extend rule (digest 2.3): random sequences of create, clock advance and extend; the
//! subscription ends exactly min(remaining + d, 30 min) after each extend, and an expiry
//! warning (`presenceSubscription updated`) comes before the expiry.
//!
//! Time moves through the test-control clock, so a case never waits for real minutes; on a
//! target without one (`run --real-time`) the advances wait in real time instead, on a strategy
//! short enough to wait out (see `real_time_strategy`). The expiry is measured to a few seconds:
//! GET answers 200 shortly before the instant the model computes and 404/410 shortly after it
//! (at the instant itself either is right; see `Margins`).

use std::fmt::Write as _;

use harness_core::canonical::hrefs_equal;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value, json};

use super::driver::{Driver, Violation, fail, is_event};
use super::yaml::CaseYaml;

/// Seconds in the cap of the extend rule (30 minutes, digest 2.3).
pub(crate) const CAP_SECS: u64 = 30 * 60;

/// One generated input: the duration of the create, then (advance, extend) pairs.
#[derive(Debug, Clone)]
pub(crate) struct ExtendInput {
    /// Minutes, 10..=30.
    pub(crate) duration: u64,
    /// Seconds to advance the clock, then minutes to extend by (10..=30).
    pub(crate) moves: Vec<(u64, u64)>,
}

/// The rule under test, with its cap as a parameter so a deliberately wrong model can prove
/// that the property fails (and shrinks) when the target and the model disagree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtendRule {
    pub(crate) cap_secs: u64,
}

impl Default for ExtendRule {
    fn default() -> Self {
        ExtendRule { cap_secs: CAP_SECS }
    }
}

/// What the model expects at each point, in seconds since the create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// (advance, extend-by minutes, remaining after the extend) for each extend that happens
    /// before the subscription expires.
    pub(crate) extends: Vec<(u64, u64, u64)>,
    /// The remaining seconds after the last extend (or the create).
    pub(crate) remaining: u64,
}

/// Seconds of target time before and after the model's expiry at which the subscription must
/// be alive and gone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Margins {
    pub(crate) alive: f64,
    pub(crate) gone: f64,
}

/// With a test-control clock a request takes next to no target time.
const CONTROLLED: Margins = Margins {
    alive: 5.0,
    gone: 1.0,
};

/// In real time a request's latency passes `time_scale` times faster on the target (50 ms are
/// 3 s at 60); the bounds of the expiry already hold the requests' round trips, the margins
/// hold the rest (a slow machine between a request and the clock reading).
pub(crate) const REAL_TIME: Margins = Margins {
    alive: 30.0,
    gone: 2.0,
};

impl ExtendRule {
    pub(crate) fn strategy() -> BoxedStrategy<ExtendInput> {
        (
            10u64..=30,
            prop::collection::vec((1u64..=900, 10u64..=30), 0..=4),
        )
            .prop_map(|(duration, moves)| ExtendInput { duration, moves })
            .boxed()
    }

    /// Inputs to wait out in real time: at most two advances of at most 30 s, so one input
    /// spans at most 60 s + the 30-minute cap + the gone margin (31 s at time scale 60). It
    /// still tells adds-to-remaining from set-to-d (an advance before each extend) and reaches
    /// the cap (a long create extended).
    pub(crate) fn real_time_strategy() -> BoxedStrategy<ExtendInput> {
        (
            10u64..=30,
            prop::collection::vec((1u64..=30, 10u64..=30), 0..=2),
        )
            .prop_map(|(duration, moves)| ExtendInput { duration, moves })
            .boxed()
    }

    /// Seconds of target time from the create to the gone check, as the model plans them.
    pub(crate) fn span(&self, input: &ExtendInput, margins: Margins) -> f64 {
        let plan = self.plan(input);
        let advanced: u64 = plan.extends.iter().map(|(advance, _, _)| advance).sum();
        secs(advanced + plan.remaining) + margins.gone
    }

    /// Applies the model: an advance that reaches the expiry ends the sequence there.
    pub(crate) fn plan(&self, input: &ExtendInput) -> Plan {
        let mut remaining = input.duration * 60;
        let mut extends = Vec::new();
        for &(advance, minutes) in &input.moves {
            if advance >= remaining {
                break;
            }
            remaining = (remaining - advance + minutes * 60).min(self.cap_secs);
            extends.push((advance, minutes, remaining));
        }
        Plan { extends, remaining }
    }

    pub(crate) fn describe(&self, input: &ExtendInput) -> String {
        let mut text = format!("create duration={} min", input.duration);
        for (advance, minutes) in &input.moves {
            let _ = write!(text, "; advance {advance} s; extend duration={minutes}");
        }
        text
    }

    /// Runs one input on a fresh application.
    pub(crate) async fn check(&self, d: &Driver<'_>, input: &ExtendInput) -> Result<(), Violation> {
        let contact = contact0(d)?;
        let margins = if d.real_time() { REAL_TIME } else { CONTROLLED };
        let mut body = Map::new();
        body.insert("duration".into(), json!(input.duration));
        body.insert("uris".into(), json!([contact]));
        // The application clock also runs in real time (waits for events, an aggregation
        // window, a slow machine), so the model follows the clock the target has, not only the
        // seconds this property moved it by.
        let mut clock = Clock::started(d);
        let resp = d.post(&d.link("presenceSubscriptions")?, &body).await?;
        // The target made it somewhere in the round trip: the expiry is known to that span.
        let mut expiry = Expiry::at(secs(input.duration * 60), clock.now());
        if resp.status != 201 {
            return fail(format!("create answered {}, expected 201", resp.status));
        }
        let sub = d.resource("the created subscription", &resp)?;
        let Some(href) = sub.self_href else {
            return fail("the created subscription has no self link");
        };
        // The added event proves the channel is being polled: the target may end an
        // application (or its subscriptions) whose channel looks idle when the clock moves.
        let added = |e: &crate::follower::ObservedEvent| {
            is_event(e, "added", "presenceSubscription") && hrefs_equal(&e.event.link.href, &href)
        };
        if !d
            .events_since(0, |es| es.iter().any(added))
            .await?
            .iter()
            .any(added)
        {
            return fail(format!("no presenceSubscription added event for {href}"));
        }
        let created_at = d.cursor();
        let cap = secs(self.cap_secs);
        for &(advance, minutes) in &input.moves {
            // The model ends the sequence once an advance reaches the expiry; a second's margin
            // keeps the extend clear of the instant itself. The clock is not moved past it, so
            // the alive check below still has its moment.
            if clock.now() + secs(advance) >= expiry.earliest - 1.0 {
                break;
            }
            let now = clock.move_to(d, clock.now() + secs(advance)).await?;
            let resp = d
                .post_query(&href, &[("duration", minutes.to_string())])
                .await?;
            if !matches!(resp.status, 200 | 201) {
                return fail(format!(
                    "extend by {minutes} min at t={now:.0}s answered {}, expected 200 or 201 \
                     (the model has {:.0} s left before it)",
                    resp.status,
                    expiry.earliest - now
                ));
            }
            expiry = expiry.extended(secs(minutes * 60), cap, now, clock.now());
        }
        // Alive a little before the earliest instant the model allows, gone a little after the
        // latest (the clock also runs while requests travel on a busy machine).
        let now = clock.move_to(d, expiry.earliest - margins.alive).await?;
        let resp = d.get(&href).await?;
        if resp.status != 200 {
            return fail(format!(
                "GET at t={now:.0}s answered {}: the subscription ended before t={:.0}s, \
                 where min(remaining + d, {} min) puts its expiry",
                resp.status,
                expiry.earliest,
                self.cap_secs / 60
            ));
        }
        let now = clock.move_to(d, expiry.latest + margins.gone).await?;
        let resp = d.get(&href).await?;
        if !matches!(resp.status, 404 | 410) {
            return fail(format!(
                "GET at t={now:.0}s answered {}, expected 404 or 410: the subscription outlived \
                 min(remaining + d, {} min)",
                resp.status,
                self.cap_secs / 60
            ));
        }
        // A warning before expiry (row PS.EVENT.updated-expiring). Whether an extend re-arms it
        // is open (OP-15): one warning per subscription is as right as one per extension.
        let warned = |e: &crate::follower::ObservedEvent| {
            is_event(e, "updated", "presenceSubscription") && hrefs_equal(&e.event.link.href, &href)
        };
        let events = d
            .events_since(created_at, |es| es.iter().any(warned))
            .await?;
        let warning = events.iter().position(warned);
        let deleted = events.iter().position(|e| {
            is_event(e, "deleted", "presenceSubscription") && hrefs_equal(&e.event.link.href, &href)
        });
        match (warning, deleted) {
            (None, _) => fail(format!(
                "no expiry warning (presenceSubscription updated) for {href} before the \
                 expiry at t={:.0}s",
                expiry.earliest
            )),
            (Some(w), Some(del)) if del < w => fail(format!(
                "the expiry warning for {href} came after its deleted event"
            )),
            _ => Ok(()),
        }
    }

    /// The minimal input as a case that replays it step by step.
    pub(crate) fn regression(&self, case_id: &str, input: &ExtendInput, why: &str) -> String {
        let plan = self.plan(input);
        let mut y = CaseYaml::new(
            &format!("{case_id}.regression"),
            &format!("extend rule: {}", self.describe(input)),
            why,
            &["PS.POST.cap-30", "PS.POST.adds-to-remaining"],
            &["clock"],
        );
        y.step("subscribe");
        y.line(3, "request:");
        y.line(4, "method: POST");
        y.line(4, "link: people.presenceSubscriptions");
        y.line(
            4,
            &format!(
                "body: {{ duration: {}, uris: [\"{{{{ contacts.0 }}}}\"] }}",
                input.duration
            ),
        );
        y.line(3, "expect: { status: 201 }");
        y.line(3, "capture: { sub: \"$.self\" }");
        y.line(3, "events:");
        y.line(
            4,
            "expect: [{ type: added, rel: presenceSubscription, href: \"{{ sub }}\" }]",
        );
        for (i, &(advance, minutes, remaining)) in plan.extends.iter().enumerate() {
            y.step(&format!("advance-{}", i + 1));
            y.line(3, &format!("control: {{ clock: {advance} }}"));
            y.step(&format!("extend-{}", i + 1));
            y.line(
                3,
                &format!(
                    "request: {{ method: POST, href: \"{{{{ sub }}}}\", query: {{ duration: {minutes} }} }}"
                ),
            );
            y.line(3, "expect: { status: [200, 201] }");
            y.comment(
                3,
                &format!("the model: {remaining} s left after this extend"),
            );
        }
        let last = plan.remaining;
        if last > 1 {
            y.step("to-last-second");
            y.line(3, &format!("control: {{ clock: {} }}", last - 1));
        }
        y.step("alive-one-second-before");
        y.line(3, "request: { method: GET, href: \"{{ sub }}\" }");
        y.line(3, "expect: { status: 200 }");
        y.step("expire");
        y.line(3, "control: { clock: 2 }");
        y.step("gone");
        y.line(3, "request: { method: GET, href: \"{{ sub }}\" }");
        y.line(3, "expect: { status: [404, 410] }");
        y.finish()
    }
}

fn secs(n: u64) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// When the model says the subscription ends, in seconds of the property's clock: an interval,
/// because the target acts somewhere within each request's round trip, not at a known instant.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Expiry {
    earliest: f64,
    latest: f64,
}

impl Expiry {
    /// A create of `duration` seconds sent at 0 and answered at `answered`.
    fn at(duration: f64, answered: f64) -> Expiry {
        Expiry {
            earliest: duration,
            latest: answered + duration,
        }
    }

    /// An extend by `d` seconds sent at `sent` and answered at `answered`: the subscription
    /// ends min(remaining + d, cap) after the instant the target took it, which is
    /// min(expiry + d, that instant + cap).
    fn extended(self, d: f64, cap: f64, sent: f64, answered: f64) -> Expiry {
        Expiry {
            earliest: (self.earliest + d).min(sent + cap),
            latest: (self.latest + d).min(answered + cap),
        }
    }
}

/// The application's clock as the property sees it: seconds it moved the clock by, plus the
/// real time since the create times the target's time scale.
struct Clock {
    origin: std::time::Instant,
    moved: f64,
    scale: f64,
    /// `advance` waits rather than moves: the time it stands for passes on its own.
    waits: bool,
}

impl Clock {
    fn started(d: &Driver<'_>) -> Clock {
        Clock {
            origin: std::time::Instant::now(),
            moved: 0.0,
            scale: d.time_scale(),
            waits: d.real_time(),
        }
    }

    fn now(&self) -> f64 {
        self.moved + self.origin.elapsed().as_secs_f64() * self.scale
    }

    /// Moves the clock to `t` seconds after the create (not back, if real time passed it) and
    /// returns the time it now shows.
    async fn move_to(&mut self, d: &Driver<'_>, t: f64) -> Result<f64, Violation> {
        let step = t - self.now();
        if step > 0.0 {
            d.advance(step).await?;
            if !self.waits {
                self.moved += step;
            }
        }
        Ok(self.now())
    }
}

fn contact0(d: &Driver<'_>) -> Result<Value, Violation> {
    d.session
        .target
        .profile
        .contacts
        .first()
        .map(|c| Value::String(c.clone()))
        .ok_or_else(|| Violation::Error("the target profile names no contacts".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_adds_to_remaining_and_caps() {
        let rule = ExtendRule::default();
        let input = ExtendInput {
            duration: 10,
            moves: vec![(300, 10), (60, 30), (5000, 10), (1, 10)],
        };
        let plan = rule.plan(&input);
        // 600 - 300 + 600 = 900; 900 - 60 + 1800 capped at 1800; 5000 ≥ 1800 ends it.
        assert_eq!(plan.extends, vec![(300, 10, 900), (60, 30, 1800)]);
        assert_eq!(plan.remaining, 1800);
    }

    #[test]
    fn the_expiry_interval_holds_the_round_trips() {
        let cap = secs(CAP_SECS);
        // Created within the first 2 s: 600 s later, give or take those 2 s.
        let created = Expiry::at(600.0, 2.0);
        assert_eq!(
            created,
            Expiry {
                earliest: 600.0,
                latest: 602.0
            }
        );
        // Below the cap an extend adds to whatever the expiry was.
        let added = created.extended(300.0, cap, 100.0, 103.0);
        assert_eq!(
            added,
            Expiry {
                earliest: 900.0,
                latest: 902.0
            }
        );
        // At the cap the expiry counts from when the target took the extend.
        let capped = added.extended(1800.0, cap, 200.0, 203.0);
        assert_eq!(
            capped,
            Expiry {
                earliest: 2000.0,
                latest: 2003.0
            }
        );
    }

    #[test]
    fn real_time_inputs_span_at_most_31_minutes() {
        let rule = ExtendRule::default();
        let longest = ExtendInput {
            duration: 30,
            moves: vec![(30, 30), (30, 30)],
        };
        assert_eq!(rule.span(&longest, REAL_TIME), 60.0 + 1800.0 + 2.0);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = ExtendRule::real_time_strategy();
        for _ in 0..256 {
            let input = strategy
                .new_tree(&mut runner)
                .expect("the strategy generates")
                .current();
            let span = rule.span(&input, REAL_TIME);
            assert!(span <= 31.0 * 60.0 + 2.0, "{span} s: {input:?}");
        }
    }

    #[test]
    fn a_wrong_cap_changes_the_plan() {
        let wrong = ExtendRule { cap_secs: 25 * 60 };
        let input = ExtendInput {
            duration: 10,
            moves: vec![(1, 30)],
        };
        assert_eq!(wrong.plan(&input).remaining, 1500);
        assert_eq!(ExtendRule::default().plan(&input).remaining, 1800);
    }
}
