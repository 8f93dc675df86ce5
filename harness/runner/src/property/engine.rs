//! Runs the property a case names; its verdict becomes a `property` step of the case.
//! Generated inputs run with proptest (`generated.rs`); a fixed procedure (`procedure.rs`)
//! runs once; in real time (no test-control clock) a property's inputs run side by side,
//! unshrunk (`side_by_side.rs`).

use super::driver::{Violation, in_real_time};
use super::extend_rule::ExtendRule;
use super::generated::{ParityWalk, Property, PropertyOutcome, SubscriptionModel, run_with};
use super::limit::SubscriptionLimit;
use super::procedure;
use super::side_by_side::{run_side_by_side, runs_in_real_time};
use crate::target::Target;
use harness_core::model::{Format, Level, PropertySpec};
use harness_core::outcome::{CheckOutcome, StepOutcome, Verdict, verdict_of};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs a generated-input property: with proptest, or side by side in real time when the
/// target's clock cannot be moved.
async fn run_generated<P: Property>(
    prop: P,
    spec: &PropertySpec,
    case_id: &str,
    target: Arc<Target>,
    format: Format,
    shrink_time: Duration,
) -> PropertyOutcome {
    let prop = Arc::new(prop);
    if in_real_time(&target) && runs_in_real_time(spec) {
        return run_side_by_side(prop, spec, case_id, target, format).await;
    }
    let name = spec.name.value.as_str();
    let cases = spec.cases.unwrap_or(PropertySpec::DEFAULT_CASES).max(1);
    run_with(prop, name, case_id, target, format, cases, shrink_time).await
}

/// Runs the property a case names and returns its one step.
pub async fn run_property(
    spec: &PropertySpec,
    case_id: &str,
    level: Level,
    target: Arc<Target>,
    format: Format,
    shrink_time: Duration,
) -> StepOutcome {
    let started = Instant::now();
    let name = spec.name.value.as_str();
    let (id, f, shrink) = (case_id, format, shrink_time);
    let outcome = match name {
        "subscription-limit" => {
            let limit = SubscriptionLimit::for_target(&target);
            let ran = procedure::run_procedure(&limit, target, format).await;
            let (verdict, reason, checks) = procedure::judge(name, level, ran);
            return step_of(spec, verdict, reason, checks, started);
        }
        "extend-rule" => run_generated(ExtendRule::default(), spec, id, target, f, shrink).await,
        "subscription-model" => run_generated(SubscriptionModel, spec, id, target, f, shrink).await,
        "parity-walk" => run_generated(ParityWalk, spec, id, target, f, shrink).await,
        other => PropertyOutcome::Aborted(format!("unknown property `{other}`")),
    };
    let checks = vec![check_of(name, level, outcome)];
    step_of(spec, verdict_of(&checks), None, checks, started)
}

/// The one step of a property case.
fn step_of(
    spec: &PropertySpec,
    verdict: Verdict,
    reason: Option<String>,
    checks: Vec<CheckOutcome>,
    started: Instant,
) -> StepOutcome {
    StepOutcome {
        name: format!("property {}", spec.name.value),
        line: spec.name.referenced.line(),
        verdict,
        reason,
        request: None,
        response: None,
        checks,
        at_ms: 0.0,
        duration_secs: started.elapsed().as_secs_f64(),
    }
}

/// The `property` check of an outcome: the minimal input in `actual`, the YAML case in `diff`.
pub(crate) fn check_of(name: &str, level: Level, outcome: PropertyOutcome) -> CheckOutcome {
    match outcome {
        PropertyOutcome::Passed { cases } => {
            CheckOutcome::pass("property", level, format!("{cases} generated cases passed"))
        }
        PropertyOutcome::Failed {
            violation,
            input,
            yaml,
            shrunk,
        } => {
            let check = match violation {
                Violation::Fail(m) => CheckOutcome::fail("property", level, format!("{name}: {m}")),
                Violation::Error(m) => {
                    CheckOutcome::error("property", level, format!("{name}: {m}"))
                }
            };
            let (short, long) = if shrunk {
                ("minimal failing input", "minimal failing input (shrunk)")
            } else {
                (
                    "failing input",
                    "failing input (not shrunk: run in real time)",
                )
            };
            check
                .at(
                    None,
                    format!("{name} holds for every input"),
                    format!("{short}: {input}"),
                )
                .with_diff(format!(
                    "{long}:\n{input}\n\nas a regression case (save under cases/):\n{yaml}"
                ))
        }
        PropertyOutcome::Aborted(why) => {
            CheckOutcome::error("property", level, format!("{name}: {why}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{HttpClient, TlsOptions};
    use crate::profile::embedded_profile;
    use harness_core::diag::SourceFile;
    use harness_core::loader::parse_case_file;
    use harness_core::outcome::CheckStatus;

    async fn embedded() -> (harness_refserver::RunningServer, Arc<Target>) {
        let server = harness_refserver::start(harness_refserver::ServerConfig::default())
            .await
            .expect("the reference server starts");
        let url = url::Url::parse(&server.discovery_url()).expect("a discovery URL");
        let client = HttpClient::new(&TlsOptions::default()).expect("a client");
        let target = Target::connect(embedded_profile(url), client)
            .await
            .expect("the embedded target signs in");
        (server, target)
    }

    /// A property that cannot fail proves nothing: against a model that caps at 25 minutes,
    /// the extend rule fails, shrinks to one extend, and writes a loadable regression case.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn extend_rule_fails_and_shrinks_against_a_wrong_cap() {
        let (_server, target) = embedded().await;
        let wrong = Arc::new(ExtendRule { cap_secs: 25 * 60 });
        let shrink = Duration::from_secs(60);
        let outcome = run_with(
            wrong,
            "extend-rule",
            "t.extend",
            target,
            Format::Json,
            32,
            shrink,
        )
        .await;
        let PropertyOutcome::Failed {
            violation,
            input,
            yaml,
            shrunk: true,
        } = outcome
        else {
            panic!("expected a failure, got {outcome:?}");
        };
        assert!(matches!(violation, Violation::Fail(_)), "{violation:?}");
        // Shrunk to the shortest create and 1-second advances, with no more extends than it
        // takes to pass 25 minutes (one of 16+ min, or two of 10: 599 + 600 + 599 + 600 caps).
        assert!(
            input.starts_with("create duration=10 min; advance 1 s; extend duration=")
                && input.matches("extend").count() <= 2
                && !input.contains("advance 2"),
            "not shrunk: {input}\n{yaml}"
        );
        let src = SourceFile::new("cases/regression.yaml", yaml.as_str());
        let cases = parse_case_file(&src, None).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(cases.len(), 1);
        let check = check_of(
            "extend-rule",
            Level::Must,
            PropertyOutcome::Failed {
                violation,
                input,
                yaml,
                shrunk: true,
            },
        );
        assert_eq!(check.status, CheckStatus::Fail);
        assert!(check.diff.is_some_and(|d| d.contains("cases:")));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_properties_pass_against_the_reference_server() {
        let (_server, target) = embedded().await;
        let t = || target.clone();
        let outcomes = [
            run_with(
                Arc::new(ExtendRule::default()),
                "extend-rule",
                "a",
                t(),
                Format::Xml,
                4,
                Duration::ZERO,
            )
            .await,
            run_with(
                Arc::new(SubscriptionModel),
                "subscription-model",
                "b",
                t(),
                Format::Json,
                4,
                Duration::ZERO,
            )
            .await,
            run_with(
                Arc::new(ParityWalk),
                "parity-walk",
                "c",
                t(),
                Format::Xml,
                4,
                Duration::ZERO,
            )
            .await,
        ];
        for outcome in outcomes {
            assert!(
                matches!(outcome, PropertyOutcome::Passed { cases: 4 }),
                "{outcome:?}"
            );
        }
    }
}
