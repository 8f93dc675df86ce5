//! Fixed procedures a case names like a property: one sequence, run once per format on a fresh
//! application (closed afterwards, pass or fail), with no generated inputs and nothing to
//! shrink.
//!
//! A procedure may find that the target gives it nothing to prove (a limit it never reaches
//! within its bound): that skips the case with a reason rather than passing it, so the row
//! shows as unproven on that target instead of proven by a case that saw nothing.

use std::sync::Arc;

use harness_core::model::{Channel, Format, Level, SessionKind};
use harness_core::outcome::{CheckOutcome, CheckStatus, Verdict};

use super::driver::{Driver, Violation};
use crate::session::Session;
use crate::target::Target;

/// What a procedure that ran to its end found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Proved {
    /// The rule held; what was seen, in one line.
    Held(String),
    /// The target gave the procedure nothing to judge; why, in one line.
    NotProven(String),
}

/// A fixed sequence of requests judged on a fresh application.
pub(crate) trait Procedure: Send + Sync + 'static {
    async fn run(&self, d: &Driver<'_>) -> Result<Proved, Violation>;
}

/// Runs `procedure` on a fresh session; the channel and clean-up checks of the session count
/// too, as they do for every generated input.
pub(crate) async fn run_procedure<P: Procedure>(
    procedure: &P,
    target: Arc<Target>,
    format: Format,
) -> Result<Proved, Violation> {
    let session = Session::open(target, format, SessionKind::Application, Channel::Follow)
        .await
        .map_err(|e| Violation::Error(e.to_string()))?;
    let result = procedure.run(&Driver::new(&session)).await;
    let report = session.close().await;
    let proved = result?;
    match report.checks.iter().find(|c| c.status != CheckStatus::Pass) {
        Some(c) if c.status == CheckStatus::Fail => {
            Err(Violation::Fail(format!("{}: {}", c.kind, c.message)))
        }
        Some(c) => Err(Violation::Error(format!("{}: {}", c.kind, c.message))),
        None => Ok(proved),
    }
}

/// The verdict, reason and checks of the procedure's step. A procedure that proved nothing is
/// skipped (no check: nothing was judged).
pub(crate) fn judge(
    name: &str,
    level: Level,
    outcome: Result<Proved, Violation>,
) -> (Verdict, Option<String>, Vec<CheckOutcome>) {
    let check = match outcome {
        Ok(Proved::NotProven(why)) => return (Verdict::Skip, Some(why), Vec::new()),
        Ok(Proved::Held(what)) => CheckOutcome::pass("property", level, what),
        Err(Violation::Fail(m)) => CheckOutcome::fail("property", level, format!("{name}: {m}")),
        Err(Violation::Error(m)) => CheckOutcome::error("property", level, format!("{name}: {m}")),
    };
    let checks = vec![check];
    (harness_core::outcome::verdict_of(&checks), None, checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_proven_skips_with_the_reason() {
        let why = "no subscription limit reached within 200 subscriptions".to_owned();
        let (verdict, reason, checks) = judge("p", Level::Must, Ok(Proved::NotProven(why.clone())));
        assert_eq!(verdict, Verdict::Skip);
        assert_eq!(reason, Some(why));
        assert!(checks.is_empty());
    }

    #[test]
    fn a_violation_fails_at_the_case_level() {
        let broken = Err(Violation::Fail(
            "the declared limit 3 is not enforced".into(),
        ));
        let (verdict, _, checks) = judge("p", Level::Must, broken);
        assert_eq!(verdict, Verdict::Fail);
        assert_eq!(checks[0].message, "p: the declared limit 3 is not enforced");
        let (verdict, _, _) = judge("p", Level::Should, Err(Violation::Error("down".into())));
        assert_eq!(verdict, Verdict::Error);
        let held = judge("p", Level::Must, Ok(Proved::Held("fine".into())));
        assert_eq!(held.0, Verdict::Pass);
    }
}
