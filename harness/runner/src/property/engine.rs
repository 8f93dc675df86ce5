//! Runs a property with proptest: every generated input on a fresh session of its own (closed
//! afterwards, pass or fail), so shrinking replays are independent; the verdict becomes a
//! `property` step of the case.
//!
//! proptest's `TestRunner` is synchronous, so it runs on a blocking thread and drives each
//! input with `Handle::block_on`. The seed is fixed per property and format (repeatable runs)
//! unless `PROPTEST_RNG_SEED` says otherwise; failure persistence is off (the runner writes no
//! proptest-regressions files; the YAML regression case replaces them).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness_core::model::{Channel, Format, Level, PropertySpec, SessionKind};
use harness_core::outcome::{CheckOutcome, CheckStatus, StepOutcome, verdict_of};
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use super::driver::{Driver, Violation};
use super::extend_rule::{ExtendInput, ExtendRule};
use super::model::{self, ModelInput};
use super::{model_check, parity_walk, regression};
use crate::session::Session;
use crate::target::Target;

/// A property: a strategy, a check of one input on a fresh application, and the regression
/// case of a minimal input.
pub(crate) trait Property: Send + Sync + 'static {
    type Input: Clone + Debug + Send + 'static;
    fn strategy(&self, target: &Target) -> BoxedStrategy<Self::Input>;
    fn describe(&self, input: &Self::Input) -> String;
    async fn check(&self, d: &Driver<'_>, input: &Self::Input) -> Result<(), Violation>;
    /// The case file; `d` is a fresh session on which the input may be replayed.
    async fn regression(
        &self,
        d: &Driver<'_>,
        case_id: &str,
        input: &Self::Input,
        why: &str,
    ) -> String;
}

impl Property for ExtendRule {
    type Input = ExtendInput;
    fn strategy(&self, _: &Target) -> BoxedStrategy<ExtendInput> {
        ExtendRule::strategy()
    }
    fn describe(&self, input: &ExtendInput) -> String {
        ExtendRule::describe(self, input)
    }
    async fn check(&self, d: &Driver<'_>, input: &ExtendInput) -> Result<(), Violation> {
        ExtendRule::check(self, d, input).await
    }
    async fn regression(&self, _: &Driver<'_>, id: &str, input: &ExtendInput, why: &str) -> String {
        ExtendRule::regression(self, id, input, why)
    }
}

/// The subscription-model property.
pub(crate) struct SubscriptionModel;

impl Property for SubscriptionModel {
    type Input = ModelInput;
    fn strategy(&self, target: &Target) -> BoxedStrategy<ModelInput> {
        model::strategy(target.profile.contacts.len())
    }
    fn describe(&self, input: &ModelInput) -> String {
        model::describe_input(input)
    }
    async fn check(&self, d: &Driver<'_>, input: &ModelInput) -> Result<(), Violation> {
        model_check::check(d, input).await
    }
    async fn regression(&self, _: &Driver<'_>, id: &str, input: &ModelInput, why: &str) -> String {
        regression::regression(id, input, why)
    }
}

/// The parity-walk property.
pub(crate) struct ParityWalk;

impl Property for ParityWalk {
    type Input = parity_walk::WalkInput;
    fn strategy(&self, target: &Target) -> BoxedStrategy<Self::Input> {
        parity_walk::strategy(target.profile.contacts.len())
    }
    fn describe(&self, input: &Self::Input) -> String {
        parity_walk::describe(input)
    }
    async fn check(&self, d: &Driver<'_>, input: &Self::Input) -> Result<(), Violation> {
        parity_walk::walk(d, input, &mut Vec::new()).await
    }
    async fn regression(&self, d: &Driver<'_>, id: &str, input: &Self::Input, why: &str) -> String {
        // The hops depend on the target's documents: replay the walk to record them.
        let mut hops = Vec::new();
        let _ = parity_walk::walk(d, input, &mut hops).await;
        parity_walk::regression(id, input, &hops, why)
    }
}

/// How a property run ended.
#[derive(Debug, Clone)]
pub(crate) enum PropertyOutcome {
    Passed {
        cases: u32,
    },
    /// The minimal failing input, its description and the regression case.
    Failed {
        violation: Violation,
        input: String,
        yaml: String,
    },
    /// proptest gave up (too many rejects) or the harness failed.
    Aborted(String),
}

/// What the blocking proptest run returns.
enum Ran<I> {
    Passed,
    Failed(String, I),
    Aborted(String),
}

/// The seed of a run: `PROPTEST_RNG_SEED` when set, else fixed per property and format.
fn seed(name: &str, format: Format) -> [u8; 32] {
    let from_env = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let n = from_env.unwrap_or_else(|| {
        // FNV-1a: stable across runs and platforms, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes().chain(format.name().bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h
    });
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&n.to_le_bytes());
    }
    seed
}

/// One input on a fresh session, closed afterwards; the channel and clean-up checks of the
/// session count too (exactly-once delivery is a channel invariant).
async fn one_case<P: Property>(
    prop: &P,
    target: &Arc<Target>,
    format: Format,
    input: &P::Input,
) -> Result<(), Violation> {
    let session = Session::open(
        target.clone(),
        format,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .map_err(|e| Violation::Error(e.to_string()))?;
    let result = prop.check(&Driver::new(&session), input).await;
    let report = session.close().await;
    result?;
    match report.checks.iter().find(|c| c.status != CheckStatus::Pass) {
        Some(c) if c.status == CheckStatus::Fail => {
            Err(Violation::Fail(format!("{}: {}", c.kind, c.message)))
        }
        Some(c) => Err(Violation::Error(format!("{}: {}", c.kind, c.message))),
        None => Ok(()),
    }
}

/// Runs `prop` over `cases` generated inputs and shrinks a failure.
pub(crate) async fn run_with<P: Property>(
    prop: Arc<P>,
    name: &str,
    case_id: &str,
    target: Arc<Target>,
    format: Format,
    cases: u32,
    shrink_time: Duration,
) -> PropertyOutcome {
    let handle = tokio::runtime::Handle::current();
    let seed = seed(name, format);
    let (p, t) = (prop.clone(), target.clone());
    let joined = tokio::task::spawn_blocking(move || {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: if shrink_time.is_zero() { 0 } else { 512 },
            max_shrink_time: u32::try_from(shrink_time.as_millis()).unwrap_or(u32::MAX),
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let strategy = p.strategy(&t);
        let result = runner.run(&strategy, |input| {
            handle
                .block_on(one_case(&*p, &t, format, &input))
                .map_err(|v| TestCaseError::fail(v.to_reason()))
        });
        match result {
            Ok(()) => Ran::Passed,
            Err(TestError::Fail(reason, input)) => Ran::Failed(reason.message().to_owned(), input),
            Err(TestError::Abort(reason)) => Ran::Aborted(reason.message().to_owned()),
        }
    })
    .await;
    match joined {
        Ok(Ran::Passed) => PropertyOutcome::Passed { cases },
        Ok(Ran::Aborted(why)) => PropertyOutcome::Aborted(format!("proptest gave up: {why}")),
        Ok(Ran::Failed(reason, input)) => {
            let violation = Violation::parse(&reason);
            let why = match &violation {
                Violation::Fail(m) | Violation::Error(m) => m.clone(),
            };
            let yaml = match Session::open(
                target.clone(),
                format,
                SessionKind::Application,
                Channel::Follow,
            )
            .await
            {
                Ok(session) => {
                    let yaml = prop
                        .regression(&Driver::new(&session), case_id, &input, &why)
                        .await;
                    let _ = session.close().await;
                    yaml
                }
                Err(e) => format!("# failed to open a session to write the regression: {e}\n"),
            };
            PropertyOutcome::Failed {
                violation,
                input: prop.describe(&input),
                yaml,
            }
        }
        Err(e) => PropertyOutcome::Aborted(format!("the property panicked (a harness bug): {e}")),
    }
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
    let cases = spec.cases.unwrap_or(PropertySpec::DEFAULT_CASES).max(1);
    let name = spec.name.value.as_str();
    let outcome = match name {
        "extend-rule" => {
            run_with(
                Arc::new(ExtendRule::default()),
                name,
                case_id,
                target,
                format,
                cases,
                shrink_time,
            )
            .await
        }
        "subscription-model" => {
            run_with(
                Arc::new(SubscriptionModel),
                name,
                case_id,
                target,
                format,
                cases,
                shrink_time,
            )
            .await
        }
        "parity-walk" => {
            run_with(
                Arc::new(ParityWalk),
                name,
                case_id,
                target,
                format,
                cases,
                shrink_time,
            )
            .await
        }
        other => PropertyOutcome::Aborted(format!("unknown property `{other}`")),
    };
    let check = check_of(name, level, outcome);
    let checks = vec![check];
    StepOutcome {
        name: format!("property {name}"),
        line: spec.name.referenced.line(),
        verdict: verdict_of(&checks),
        reason: None,
        request: None,
        response: None,
        checks,
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
        } => {
            let check = match violation {
                Violation::Fail(m) => CheckOutcome::fail("property", level, format!("{name}: {m}")),
                Violation::Error(m) => {
                    CheckOutcome::error("property", level, format!("{name}: {m}"))
                }
            };
            check
                .at(None, format!("{name} holds for every input"), format!("minimal failing input: {input}"))
                .with_diff(format!(
                    "minimal failing input (shrunk):\n{input}\n\nas a regression case (save under cases/):\n{yaml}"
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
