//! Flows: every exchange belongs to the case run it was sent for and a lane within it (its
//! steps, its event follower), so a recording keeps each case run's exchanges apart and a replay
//! can answer them in their recorded order however the cases interleave
//! (docs/record-replay.md).
//!
//! The flow travels with the task (a task-local), not through every request builder: the
//! runner scopes each case run, and the places that spawn carry it into the new task.

use std::future::Future;
use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// The header that names a request's flow when the client tags them (`replay` only: a real
/// target never sees it).
pub const FLOW_HEADER: &str = "x-conform-case";

/// The header of a replay server's answer to a request that is not the one the recording has
/// next; its body says which was expected.
pub const DIVERGED_HEADER: &str = "x-conform-diverged";

/// The flow of the requests of no case run: discovery, sign-in, the run's own clean-up.
pub const RUN_FLOW: &str = "(run)";

/// A case run's steps (its own requests).
pub const STEPS: &str = "steps";

/// A case run's event follower (its P-GETs).
pub const EVENTS: &str = "events";

tokio::task_local! {
    static FLOW: Flow;
}

/// Which case run a request belongs to, and which of its concurrent lanes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flow {
    /// The case run's name (`id[row]/format`), or [`RUN_FLOW`].
    pub case: Arc<str>,
    /// [`STEPS`], [`EVENTS`], or a lane of its own (`input-N` of a property case).
    pub lane: Arc<str>,
}

/// `%` and what a header value cannot hold are escaped.
const HEADER_ESCAPES: &AsciiSet = &CONTROLS.add(b'%').add(b' ');

impl Flow {
    /// The flow of requests outside any case run.
    pub fn run() -> Flow {
        Flow {
            case: RUN_FLOW.into(),
            lane: STEPS.into(),
        }
    }

    /// Whether this is the run's own flow rather than a case run's.
    pub fn is_run(&self) -> bool {
        &*self.case == RUN_FLOW
    }

    /// The flow as a header value: `LANE CASE`, the case percent-escaped.
    pub fn header_value(&self) -> String {
        let case = utf8_percent_encode(&self.case, HEADER_ESCAPES);
        format!("{} {case}", self.lane)
    }

    /// Reads a header value written by [`Flow::header_value`].
    pub fn from_header(value: &str) -> Option<Flow> {
        let (lane, case) = value.split_once(' ')?;
        let case = percent_decode_str(case).decode_utf8().ok()?;
        (!lane.is_empty() && !case.is_empty()).then(|| Flow {
            case: case.as_ref().into(),
            lane: lane.into(),
        })
    }
}

/// The flow of the running task: its case run's, or the run's own.
pub fn current() -> Flow {
    FLOW.try_with(Clone::clone).unwrap_or_else(|_| Flow::run())
}

/// Runs `fut` as the steps of case run `name`.
pub fn in_case<F: Future>(name: &str, fut: F) -> impl Future<Output = F::Output> {
    let flow = Flow {
        case: name.into(),
        lane: STEPS.into(),
    };
    FLOW.scope(flow, fut)
}

/// Runs `fut` in `flow` (taken with [`current`] before a blocking thread drives it).
pub fn within<F: Future>(flow: Flow, fut: F) -> impl Future<Output = F::Output> {
    FLOW.scope(flow, fut)
}

/// Runs `fut` (about to be spawned) in the flow of the task that spawns it.
pub fn carried<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    FLOW.scope(current(), fut)
}

/// Runs `fut` in a lane of the current case run of its own: its requests run beside the
/// steps', in an order of their own.
pub fn in_lane<F: Future>(lane: &str, fut: F) -> impl Future<Output = F::Output> {
    let flow = Flow {
        lane: lane.into(),
        ..current()
    };
    FLOW.scope(flow, fut)
}

/// Runs `fut` in the run's own flow: what any case may trigger first (a token fetch) belongs
/// to no case run.
pub fn outside_cases<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    FLOW.scope(Flow::run(), fut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_reads_back_from_its_header() {
        let flow = Flow {
            case: "a.b[two words %]/json".into(),
            lane: EVENTS.into(),
        };
        let value = flow.header_value();
        assert_eq!(value, "events a.b[two%20words%20%25]/json");
        assert!(http::HeaderValue::from_str(&value).is_ok());
        assert_eq!(Flow::from_header(&value), Some(flow));
        assert_eq!(Flow::from_header("events"), None);
    }

    #[tokio::test]
    async fn spawned_work_keeps_its_case_run() {
        let inner = in_case("c/xml", async {
            let spawned = tokio::spawn(carried(async { current() }));
            let lane = in_lane(EVENTS, async { current() }).await;
            (spawned.await.expect("joins"), lane)
        })
        .await;
        assert_eq!(&*inner.0.case, "c/xml");
        assert_eq!(&*inner.1.lane, EVENTS);
        assert!(current().is_run());
        assert!(outside_cases(async { current() }).await.is_run());
    }
}
