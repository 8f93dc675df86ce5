//! Generated-input properties run with proptest: every input on a fresh session of its own
//! (closed afterwards, pass or fail), so shrinking replays are independent.
//!
//! proptest's `TestRunner` is synchronous, so it runs on a blocking thread and drives each
//! input with `Handle::block_on`. The seed is fixed per property and format (repeatable runs)
//! unless `PROPTEST_RNG_SEED` says otherwise; failure persistence is off (the runner writes no
//! proptest-regressions files; the YAML regression case replaces them).

use super::driver::{Driver, Violation, in_real_time};
use super::extend_rule::{ExtendInput, ExtendRule};
use super::model::{self, ModelInput};
use super::{model_check, parity_walk, regression};
use crate::session::Session;
use crate::target::Target;
use harness_core::model::{Channel, Format, SessionKind};
use harness_core::outcome::CheckStatus;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

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
    fn strategy(&self, target: &Target) -> BoxedStrategy<ExtendInput> {
        if in_real_time(target) {
            ExtendRule::real_time_strategy()
        } else {
            ExtendRule::strategy()
        }
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
    /// The failing input (minimal when `shrunk`), its description and the regression case.
    Failed {
        violation: Violation,
        input: String,
        yaml: String,
        shrunk: bool,
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
pub(crate) fn seed(name: &str, format: Format) -> [u8; 32] {
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
pub(crate) async fn one_case<P: Property>(
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
    let flow = crate::flow::current();
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
                .block_on(crate::flow::within(
                    flow.clone(),
                    one_case(&*p, &t, format, &input),
                ))
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
            failed(prop, case_id, target, format, &input, violation, true).await
        }
        Err(e) => PropertyOutcome::Aborted(format!("the property panicked (a harness bug): {e}")),
    }
}

/// The outcome of a failing input, with its regression case written on a fresh session.
pub(crate) async fn failed<P: Property>(
    prop: Arc<P>,
    case_id: &str,
    target: Arc<Target>,
    format: Format,
    input: &P::Input,
    violation: Violation,
    shrunk: bool,
) -> PropertyOutcome {
    let why = match &violation {
        Violation::Fail(m) | Violation::Error(m) => m.clone(),
    };
    let yaml = match Session::open(target, format, SessionKind::Application, Channel::Follow).await
    {
        Ok(session) => {
            let yaml = prop
                .regression(&Driver::new(&session), case_id, input, &why)
                .await;
            let _ = session.close().await;
            yaml
        }
        Err(e) => format!("# failed to open a session to write the regression: {e}\n"),
    };
    PropertyOutcome::Failed {
        violation,
        input: prop.describe(input),
        yaml,
        shrunk,
    }
}
