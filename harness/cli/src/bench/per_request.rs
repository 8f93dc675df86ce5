//! The per-request comparison: the same GET sent by the bare client and run as a harness step.

use std::sync::Arc;
use std::time::Instant;

use harness_core::diag::SourceFile;
use harness_core::loader::{SuiteCase, parse_case_file};
use harness_core::model::Format;
use harness_core::outcome::Verdict;
use harness_runner::session::Session;
use harness_runner::step::{StepContext, run_step};
use harness_runner::target::Target;

use super::bare::BareGet;
use super::figures::PerRequest;
use super::options::exec_options;
use super::statistics::Percentiles;

/// The generated case of the per-request comparison: one subscription, then the GET that is
/// timed. `channel: manual` keeps the follower's long poll out of both measurements.
const PER_REQUEST_CASE: &str = r#"
cases:
  - id: bench.get-subscription
    title: GET of one presenceSubscription, timed per request
    formats: [json]
    channel: manual
    steps:
      - name: subscribe
        request:
          method: POST
          link: people.presenceSubscriptions
          body: { duration: 30, uris: ["{{ contacts.0 }}"] }
        expect: { status: 201 }
        capture: { sub: "$.self" }
      - name: get
        request: { method: GET, href: "{{ sub }}" }
        expect:
          status: 200
          resource: { rel: presenceSubscription, links: [memberships] }
"#;

/// Requests of each path interleaved at a time, so drift (other load on shared cores, a
/// warming cache) falls on both paths alike.
const BLOCK: usize = 100;

pub async fn bench_requests(target: &Arc<Target>, requests: usize) -> Result<PerRequest, String> {
    let case = generated_case()?;
    let steps = &case.plan.steps;
    let (subscribe, get) = (&steps[0], &steps[1]);
    let session = Session::open(
        target.clone(),
        Format::Json,
        case.case.session,
        case.case.channel,
    )
    .await
    .map_err(|e| e.to_string())?;
    let opts = exec_options();
    let file = case.file.display().to_string();
    let mut vars = session.vars();
    vars.extend(case.case.vars.clone());
    let vars = harness_core::plan::Slots::fill(&case.plan.vars, &vars);
    // The same context `exec::run_case` builds; the timed part is `run_step`, which renders the
    // templates, builds and sends the request, parses the body and runs the checks.
    let mut ctx = StepContext::new(
        &session,
        Format::Json,
        case.case.level,
        &case.case.id.value,
        &file,
        &opts,
        vars,
    );
    let made = run_step(&mut ctx, subscribe, 0).await;
    if made.verdict != Verdict::Pass {
        let why = made.reason.unwrap_or_default();
        drop(ctx);
        session.close().await;
        return Err(format!("failed to create the subscription: {why}"));
    }
    let href = match ctx.vars.get("sub") {
        Some(serde_json::Value::String(href)) => href.clone(),
        _ => return Err("the subscription step captured no href".into()),
    };
    let url = target.resolve(&href).map_err(|e| e.to_string())?;
    let authorization = session.authorization().await.map_err(|e| e.to_string())?;
    let bare = BareGet::new(url.as_str(), &authorization)?;

    let mut harness_samples = Vec::with_capacity(requests);
    let mut bare_samples = Vec::with_capacity(requests);
    let mut failed = 0_usize;
    // Untimed warm-up of both paths: their first request opens a connection.
    let warm = (requests / 10).clamp(1, 200);
    for _ in 0..warm {
        bare.round_trip().await?;
        run_step(&mut ctx, get, 1).await;
    }
    while harness_samples.len() < requests {
        let n = BLOCK.min(requests - harness_samples.len());
        for _ in 0..n {
            bare_samples.push(bare.round_trip().await?);
        }
        for _ in 0..n {
            let started = Instant::now();
            let outcome = run_step(&mut ctx, get, 1).await;
            harness_samples.push(started.elapsed());
            if outcome.verdict != Verdict::Pass {
                failed += 1;
            }
        }
    }
    drop(ctx);
    session.close().await;
    Ok(PerRequest {
        bare: Percentiles::of(&mut bare_samples),
        harness: Percentiles::of(&mut harness_samples),
        requests,
        failed,
    })
}

fn generated_case() -> Result<SuiteCase, String> {
    let src = SourceFile::new("<bench>", PER_REQUEST_CASE);
    let mut cases = parse_case_file(&src, None).map_err(|e| e.to_string())?;
    match cases.pop() {
        Some(case) if cases.is_empty() && case.plan.steps.len() == 2 => Ok(case),
        _ => Err("the generated case is not one case of two steps".into()),
    }
}
