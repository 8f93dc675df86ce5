//! Runs a property in real time (`run --real-time`, no test-control clock): a few inputs
//! generated from the fixed seed, all at once on sessions of their own, so the case lasts about
//! as long as its longest input rather than the sum. Nothing is shrunk (each replay would wait
//! its span again): a failure is reported with its input as generated.

use std::sync::Arc;
use std::time::Duration;

use harness_core::model::{Format, PropertySpec};
use proptest::strategy::{BoxedStrategy, Strategy as _, ValueTree as _};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::driver::Violation;
use super::extend_rule::{ExtendRule, REAL_TIME};
use super::generated::{Property, PropertyOutcome, failed, one_case, seed};

/// Inputs a real-time run tries at most: each holds an application for up to half a minute
/// at time scale 60, side by side with the others.
pub(crate) const REAL_TIME_INPUTS: u32 = 4;

/// Whether a property can wait in real time for a target's clock it cannot move.
pub fn runs_in_real_time(spec: &PropertySpec) -> bool {
    spec.name.value == "extend-rule"
}

/// How many inputs a real-time run of `spec` tries.
fn inputs_of(spec: &PropertySpec) -> u32 {
    spec.cases
        .unwrap_or(PropertySpec::DEFAULT_CASES)
        .clamp(1, REAL_TIME_INPUTS)
}

/// The target time the longest real-time input of `spec` spans, in either format (each has its
/// own seed); zero for a property that does not wait.
pub fn real_time_span(spec: &PropertySpec) -> Duration {
    if !runs_in_real_time(spec) {
        return Duration::ZERO;
    }
    let rule = ExtendRule::default();
    let strategy = ExtendRule::real_time_strategy();
    let longest = [Format::Json, Format::Xml]
        .into_iter()
        .flat_map(|format| generate(&strategy, seed(&spec.name.value, format), inputs_of(spec)))
        .map(|input| rule.span(&input, REAL_TIME))
        .fold(0.0, f64::max);
    Duration::from_secs_f64(longest)
}

/// The first `n` inputs the strategy draws from `seed`: the same ones for the plan and the run.
pub(crate) fn generate<I>(strategy: &BoxedStrategy<I>, seed: [u8; 32], n: u32) -> Vec<I>
where
    I: std::fmt::Debug,
{
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    (0..n)
        .filter_map(|_| strategy.new_tree(&mut runner).ok())
        .map(|tree| tree.current())
        .collect()
}

/// Runs `n` inputs of `prop` at once and reports the first failing one (in generation order).
pub(crate) async fn run_side_by_side<P: Property>(
    prop: Arc<P>,
    spec: &PropertySpec,
    case_id: &str,
    target: Arc<crate::target::Target>,
    format: Format,
) -> PropertyOutcome {
    let name = spec.name.value.as_str();
    let inputs = generate(&prop.strategy(&target), seed(name, format), inputs_of(spec));
    let handle = tokio::runtime::Handle::current();
    // A property's futures are not `Send` (async fns of a generic trait), so each input drives
    // on a blocking thread of its own, as the proptest runner's do.
    let runs: Vec<_> = inputs
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, input)| {
            let (p, t, h) = (prop.clone(), target.clone(), handle.clone());
            // Each input's requests run beside the others': a lane of their own.
            let mut flow = crate::flow::current();
            flow.lane = format!("input-{index}").into();
            tokio::task::spawn_blocking(move || {
                h.block_on(crate::flow::within(flow, one_case(&*p, &t, format, &input)))
            })
        })
        .collect();
    let mut first_failure: Option<(usize, Violation)> = None;
    for (index, run) in runs.into_iter().enumerate() {
        match run.await {
            Ok(Ok(())) => {}
            Ok(Err(violation)) => {
                first_failure.get_or_insert((index, violation));
            }
            Err(e) => {
                return PropertyOutcome::Aborted(format!(
                    "the property panicked (a harness bug): {e}"
                ));
            }
        }
    }
    match first_failure {
        None => PropertyOutcome::Passed {
            cases: u32::try_from(inputs.len()).unwrap_or(u32::MAX),
        },
        Some((index, violation)) => {
            failed(
                prop,
                case_id,
                target,
                format,
                &inputs[index],
                violation,
                false,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{HttpClient, TlsOptions};
    use crate::profile::embedded_profile;
    use crate::target::Target;
    use harness_core::diag::SourceFile;
    use harness_core::loader::parse_case_file;
    use harness_refserver::ServerConfig;

    /// The reference server without the test-control protocol, its clock 600 times faster, and
    /// a profile that waits for it in real time.
    async fn real_time_target() -> (harness_refserver::RunningServer, Arc<Target>) {
        let config = ServerConfig {
            control: false,
            time_scale: 600,
            ..ServerConfig::default()
        };
        let server = harness_refserver::start(config)
            .await
            .expect("the reference server starts");
        let url = url::Url::parse(&server.discovery_url()).expect("a discovery URL");
        let mut profile = embedded_profile(url);
        profile.control = Some(false);
        profile.real_time = true;
        profile.time_scale = 600;
        let client = HttpClient::new(&TlsOptions::default()).expect("a client");
        let target = Target::connect(profile, client)
            .await
            .expect("the target signs in");
        (server, target)
    }

    /// Without a clock to move, a model that caps extends at 5 minutes fails on the target's
    /// 30, and the failure comes unshrunk, with its input and a loadable regression case.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wrong_cap_fails_in_real_time_unshrunk() {
        let (_server, target) = real_time_target().await;
        assert!(super::super::driver::in_real_time(&target));
        let wrong = ExtendRule { cap_secs: 5 * 60 };
        let inputs = generate(
            &ExtendRule::real_time_strategy(),
            seed("extend-rule", Format::Json),
            4,
        );
        // The wrong cap shows only after an extend: some input must extend.
        assert!(
            inputs.iter().any(|i| !wrong.plan(i).extends.is_empty()),
            "{inputs:?}"
        );
        let spec = spec("extend-rule", Some(16));
        let outcome = run_side_by_side(Arc::new(wrong), &spec, "t.rt", target, Format::Json).await;
        let PropertyOutcome::Failed {
            violation,
            input,
            yaml,
            shrunk,
        } = outcome
        else {
            panic!("expected a failure, got {outcome:?}");
        };
        assert!(!shrunk);
        assert!(matches!(violation, Violation::Fail(_)), "{violation:?}");
        assert!(
            inputs.iter().any(|i| wrong.describe(i) == input),
            "not one of the generated inputs: {input}"
        );
        let src = SourceFile::new("cases/regression.yaml", yaml.as_str());
        parse_case_file(&src, None).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    }

    fn spec(name: &str, cases: Option<u32>) -> PropertySpec {
        let yaml = match cases {
            Some(n) => format!("{{ name: {name}, cases: {n} }}"),
            None => format!("{{ name: {name} }}"),
        };
        serde_saphyr::from_str(&yaml).expect("a property spec")
    }

    #[test]
    fn the_plan_and_the_run_draw_the_same_inputs() {
        let strategy = ExtendRule::real_time_strategy();
        let s = seed("extend-rule", Format::Json);
        let a = format!("{:?}", generate(&strategy, s, 4));
        let b = format!("{:?}", generate(&strategy, s, 4));
        assert_eq!(a, b);
        let other = format!(
            "{:?}",
            generate(&strategy, seed("extend-rule", Format::Xml), 4)
        );
        assert_ne!(a, other, "each format has a seed of its own");
    }

    #[test]
    fn the_span_is_the_longest_input_of_either_format() {
        let rule = ExtendRule::default();
        let strategy = ExtendRule::real_time_strategy();
        let longest = [Format::Json, Format::Xml]
            .into_iter()
            .flat_map(|f| generate(&strategy, seed("extend-rule", f), 4))
            .map(|i| rule.span(&i, REAL_TIME))
            .fold(0.0, f64::max);
        let span = real_time_span(&spec("extend-rule", None)).as_secs_f64();
        assert!((span - longest).abs() < 1e-6, "{span} vs {longest}");
        assert!(span > 10.0 * 60.0 && span <= 31.0 * 60.0 + 2.0, "{span}");
        // One input is at most as long as the longest of four.
        assert!(real_time_span(&spec("extend-rule", Some(1))).as_secs_f64() <= span);
        assert_eq!(real_time_span(&spec("parity-walk", None)), Duration::ZERO);
    }
}
