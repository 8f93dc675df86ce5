//! The whole-suite bench: every case, row and format against the embedded server, timed in
//! process, then the per-request comparison; `bench` without `--vs-hurl`.

use std::sync::Arc;
use std::time::Instant;

use harness_core::loader::Suite;
use harness_core::outcome::Summary;
use harness_runner::client::TlsOptions;
use harness_runner::run::{Interrupt, plan, run_suite};

use super::figures::WholeSuite;
use super::machine::Machine;
use super::options::{Silent, run_options};
use super::per_request::bench_requests;
use super::render::BenchReport;
use crate::args::BenchArgs;
use crate::exit;
use crate::setup::{ReachError, Reached, Where, load, reach};

/// Runs the whole-suite bench and the per-request comparison, and prints their table.
pub async fn cmd_suite_bench(args: BenchArgs) -> i32 {
    let suite = match load(&args.cases) {
        Ok((suite, _)) => Arc::new(suite),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    let reached = match reach(Where::Embedded(Default::default()), TlsOptions::default()).await {
        Ok(reached) => reached,
        Err(ReachError::Usage(e) | ReachError::Unreachable(e)) => {
            eprintln!("error: {e}");
            return exit::UNREACHABLE;
        }
    };
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let whole = bench_suite(&suite, &reached, jobs, args.iterations.max(1)).await;
    let per_request = match bench_requests(&reached.target, args.requests.max(1)).await {
        Ok(figures) => figures,
        Err(e) => {
            eprintln!("error: failed to run the per-request comparison: {e}");
            return exit::FAILURES;
        }
    };
    if let Some(server) = reached.server {
        server.shutdown().await;
    }
    let report = BenchReport {
        machine: Machine::current(),
        jobs,
        whole,
        per_request,
    };
    if args.markdown {
        print!("{}", report.markdown());
    } else {
        print!("{}", report.plain());
    }
    exit::OK
}

/// As `run` does: cases mostly wait on the network, so several per core.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get() * 4)
}

async fn bench_suite(
    suite: &Arc<Suite>,
    reached: &Reached,
    jobs: usize,
    iterations: usize,
) -> WholeSuite {
    let options = run_options(jobs);
    let client = &reached.target.client;
    let mut walls = Vec::with_capacity(iterations);
    let mut requests = 0_u64;
    let mut summaries: Vec<Summary> = Vec::with_capacity(iterations);
    // One untimed run first: the pool's connections and the server's first allocations are a
    // cost of starting, not of the suite.
    for timed in std::iter::once(false).chain(std::iter::repeat_n(true, iterations)) {
        let before = client.requests_sent();
        let started = Instant::now();
        let report = run_suite(
            suite.clone(),
            plan(suite, None),
            reached.target.clone(),
            reached.info.clone(),
            options.clone(),
            &mut Silent,
            Interrupt::default(),
        )
        .await;
        let wall = started.elapsed();
        if timed {
            walls.push(wall);
            requests += client.requests_sent() - before;
            summaries.push(report.summary);
        }
    }
    WholeSuite {
        cases: suite.cases.len(),
        case_runs: plan(suite, None).len(),
        walls,
        requests,
        summaries,
    }
}
