//! Runs one case in one format: opens a session, runs the steps in order, judges event
//! expectations on the follower's timeline, closes the session (pass or fail) and turns it all
//! into a `CaseOutcome`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use harness_core::loader::SuiteCase;
use harness_core::model::{Capability, Format, Level, Row};
use harness_core::outcome::{
    CaseOutcome, CaseSteps, ReportBodies, StepOutcome, TimelineEntry, Verdict, first_check_with,
    verdict_of, worst,
};
use harness_core::plan::{ControlAction, PlanStep, Slots};
use tokio::task::JoinHandle;

use crate::check::events::{PendingForbid, judge_forbids};
use crate::client::{HttpResponse, TransportError};
use crate::follower::ObservedEvent;
use crate::interrupt::Interrupt;
pub use crate::options::ExecOptions;
use crate::presence::PresenceWay;
pub use crate::real_time::{real_time_plan, waits_in_real_time};
use crate::request::Vars;
pub use crate::requirements::required_capabilities;
use crate::retention::{shed_behind, spill_behind};
use crate::session::Session;
use crate::step::{StepContext, run_step};
use crate::target::Target;

/// One case to run: the case, its table row if any, and the format.
#[derive(Debug, Clone, Copy)]
pub struct CaseRun<'a> {
    pub case: &'a SuiteCase,
    pub row: Option<&'a Row>,
    pub format: Format,
}

impl CaseRun<'_> {
    /// The unique name in reports: `id[row]/format`.
    pub fn name(&self) -> String {
        let id = &self.case.case.id.value;
        match self.row {
            Some(row) => format!("{id}[{}]/{}", row.name.value, self.format.name()),
            None => format!("{id}/{}", self.format.name()),
        }
    }
}

/// Why the target cannot run this case (with this row), if it cannot.
pub fn skip_reason(case: &SuiteCase, row: Option<&Row>, target: &Target) -> Option<String> {
    let waits = waits_in_real_time(case, target);
    let missing: Vec<Capability> = required_capabilities(case)
        .into_iter()
        .filter(|c| !target.capabilities.has(*c))
        .filter(|c| !(waits && *c == Capability::Clock))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|c| c.name()).collect();
        return Some(if missing.iter().any(|c| c.needs_control()) {
            // Presence also changes through a second account (crate::presence).
            let hint = if missing.contains(&Capability::Presence) {
                "; hint: a `second_user:` in the profile changes its own presence without it"
            } else {
                ""
            };
            format!(
                "the target does not offer the test-control protocol needed (requires: {}{hint})",
                names.join(", ")
            )
        } else {
            // `group` and `second-user` are the profile's to give, not the target's.
            format!(
                "the target profile does not name what is needed (requires: {}; hint: \
                 `group:` / `second_user:` in the profile)",
                names.join(", ")
            )
        });
    }
    let mut vars: Option<Vars> = None;
    for step in &case.plan.steps {
        if let Some(ControlAction::Condition {
            name, operation, ..
        }) = step.control()
        {
            // Table rows may name the condition; render it with the case and row variables.
            let vars = vars.get_or_insert_with(|| {
                let mut vars: Vars = case.case.vars.clone();
                if let Some(row) = row {
                    vars.extend(row.vars.clone());
                }
                vars
            });
            let name = name.render(vars).unwrap_or_default();
            let operation = operation.render(vars).unwrap_or_default();
            let caps = &target.capabilities;
            if !caps.conditions.iter().any(|c| c == &name) {
                return Some(format!("the target does not offer the condition `{name}`"));
            }
            if !caps.operations.iter().any(|o| o == &operation) {
                return Some(format!(
                    "the target does not offer conditions on `{operation}`"
                ));
            }
        }
    }
    None
}

/// Runs one case to its outcome. Never panics on target behaviour; never leaves the
/// application behind. The outcome is scrubbed of every secret value the run knows by now
/// (tokens the case received itself included) before any reporter sees it.
pub async fn run_case(run: CaseRun<'_>, target: Arc<Target>, opts: &ExecOptions) -> CaseOutcome {
    run_case_until(run, target, opts, ReportBodies::All, &Interrupt::default()).await
}

/// [`run_case`], stopped at the next step once `interrupt` is triggered: the step under way
/// is cut short (its wait or request dropped), the rest are skipped, and the session still
/// closes, so the application is deleted. A property case runs to its end (its inputs each
/// open and close a session of their own). Under `bodies: Failing` the passing steps far behind
/// the latest shed their records as the case goes ([`shed_behind`]).
pub async fn run_case_until(
    run: CaseRun<'_>,
    target: Arc<Target>,
    opts: &ExecOptions,
    bodies: ReportBodies,
    interrupt: &Interrupt,
) -> CaseOutcome {
    let secrets = target.secrets().clone();
    let mut outcome = run_case_unredacted(run, target, opts, bodies, interrupt).await;
    secrets.redact_case(&mut outcome);
    outcome
}

/// A case that was not run (the target stopped answering before its turn), with why.
pub fn not_run(run: CaseRun<'_>, verdict: Verdict, reason: String) -> CaseOutcome {
    CaseOutcome {
        verdict,
        reason: Some(reason),
        ..blank_outcome(run)
    }
}

/// The outcome of a case before it ran: passed until something says otherwise.
fn blank_outcome(run: CaseRun<'_>) -> CaseOutcome {
    let case = &run.case.case;
    CaseOutcome {
        name: run.name(),
        case_id: case.id.value.clone(),
        row: run.row.map(|r| r.name.value.clone()),
        format: run.format,
        title: case.title.clone(),
        file: run.case.file.display().to_string(),
        line: run.case.line,
        level: case.level,
        spec: case.spec.iter().map(|s| s.value.clone()).collect(),
        tags: case.tags.clone(),
        verdict: Verdict::Pass,
        reason: None,
        duration_secs: 0.0,
        steps: CaseSteps::default(),
        session_checks: Vec::new(),
        timeline: Vec::new(),
    }
}

async fn run_case_unredacted(
    run: CaseRun<'_>,
    target: Arc<Target>,
    opts: &ExecOptions,
    bodies: ReportBodies,
    interrupt: &Interrupt,
) -> CaseOutcome {
    let started = Instant::now();
    let case = &run.case.case;
    let mut outcome = blank_outcome(run);
    if let Some(reason) = skip_reason(run.case, run.row, &target) {
        outcome.verdict = Verdict::Skip;
        outcome.reason = Some(reason);
        return outcome;
    }
    // Presence cases take turns when the change is the second account's own, seen by all; so
    // does the parity walk, which can reach that account's presence (through a group's
    // contacts) and must not see it change between its JSON and its XML fetch.
    let walks_links = case
        .property
        .as_ref()
        .is_some_and(|p| p.name.value == "parity-walk");
    let _presence_turn = if (walks_links
        || required_capabilities(run.case).contains(&Capability::Presence))
        && target.presence_way() == Some(PresenceWay::SecondAccount)
    {
        Some(target.own_presence().turn().await)
    } else {
        None
    };
    if let Some(spec) = &case.property {
        // Each generated input gets a fresh session of its own inside the property.
        let step = crate::property::run_property(
            spec,
            &case.id.value,
            case.level,
            target,
            run.format,
            opts.shrink_time,
        )
        .await;
        outcome.steps.push(step);
        finish(&mut outcome, started);
        // A procedure that could not show its row here (no limit reached, say) proves nothing.
        if let [step] = outcome.steps.kept()
            && step.verdict == Verdict::Skip
        {
            outcome.verdict = Verdict::Skip;
            outcome.reason = step.reason.clone();
        }
        return outcome;
    }
    let session = match Session::open(target.clone(), run.format, case.session, case.channel).await
    {
        Ok(session) => session,
        Err(e) => {
            outcome.verdict = Verdict::Error;
            outcome.reason = Some(format!("failed to open a session: {e}"));
            outcome.duration_secs = started.elapsed().as_secs_f64();
            return outcome;
        }
    };
    let mut vars: Vars = session.vars();
    let mut preexisting = Vec::new();
    if run.case.plan.counts_subscriptions {
        match session.preexisting_subscriptions().await {
            Ok(hrefs) => preexisting = hrefs,
            Err(e) => {
                outcome.verdict = Verdict::Error;
                outcome.reason = Some(format!("failed to open a session: {e}"));
                let report = session.close().await;
                outcome.session_checks = report.checks;
                outcome.duration_secs = started.elapsed().as_secs_f64();
                return outcome;
            }
        }
    }
    vars.extend(case.vars.clone());
    if let Some(row) = run.row {
        vars.extend(row.vars.clone());
    }
    let vars = Slots::fill(&run.case.plan.vars, &vars);

    let mut ctx = StepContext::new(
        &session,
        run.format,
        case.level,
        &case.id.value,
        &outcome.file,
        opts,
        vars,
    );
    ctx.preexisting = preexisting;
    // Exactly one outcome a step: a long case's list never grows by doubling (a copy of it all).
    outcome.steps = CaseSteps::with_capacity(run.case.plan.steps.len());
    let secrets = target.secrets().clone();
    // Cleared when the step file cannot be written: the steps then stay in memory.
    let mut spilling = true;
    let mut stopped: Option<String> = None;
    // The step at which Ctrl-C cut the case short, if it did.
    let mut cut_at: Option<String> = None;
    for (index, step) in run.case.plan.steps.iter().enumerate() {
        let name = &step.name;
        if stopped.is_none() && interrupt.is_set() {
            cut_at = Some(name.clone());
            stopped = Some(INTERRUPTED.to_owned());
        }
        if let Some(why) = &stopped {
            outcome.steps.push(skipped_step(step, why.clone()));
            continue;
        }
        let at_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut step_outcome = tokio::select! {
            biased;
            step_outcome = run_step(&mut ctx, step, index) => step_outcome,
            () = interrupt.triggered() => {
                cut_at = Some(name.clone());
                stopped = Some(INTERRUPTED.to_owned());
                skipped_step(step, INTERRUPTED.to_owned())
            }
        };
        step_outcome.at_ms = at_ms;
        if stopped.is_none() && matches!(step_outcome.verdict, Verdict::Fail | Verdict::Error) {
            stopped = Some(format!("skipped: step {name} did not pass"));
        }
        outcome.steps.push(step_outcome);
        shed_behind(outcome.steps.kept_mut(), bodies);
        if spilling {
            let pinned = |i: usize| ctx.forbids.iter().any(|f| f.step_index == i);
            spilling = spill_behind(&mut outcome.steps, bodies, pinned, &secrets).is_ok();
        }
    }
    abort_background(std::mem::take(&mut ctx.background));
    let forbids: Vec<PendingForbid> = std::mem::take(&mut ctx.forbids);
    let matched_by_step = std::mem::take(&mut ctx.matched_by_step);
    let matched_label = std::mem::take(&mut ctx.matched_label);
    drop(ctx);

    let report = session.close().await;
    for (index, check) in judge_forbids(&forbids, &matched_by_step, &report.timeline) {
        if let Some(step) = outcome.steps.get_mut(index) {
            step.checks.push(check);
            step.verdict = worst(step.verdict, verdict_of(&step.checks));
        }
    }
    outcome.timeline = timeline_entries(&report.timeline, started, &matched_label);
    outcome.session_checks = report.checks;
    finish(&mut outcome, started);
    if let Some(step) = cut_at
        && outcome.verdict == Verdict::Pass
    {
        // Nothing failed, but not everything ran: not a pass. A failure found before the cut
        // stands.
        outcome.verdict = Verdict::Skip;
        outcome.reason = Some(format!("interrupted (Ctrl-C) at step {step}"));
    }
    outcome
}

/// Why the steps after Ctrl-C did not run.
const INTERRUPTED: &str = "skipped: the run was interrupted (Ctrl-C)";

fn skipped_step(step: &PlanStep, why: String) -> StepOutcome {
    StepOutcome {
        name: step.name.clone(),
        line: step.line,
        verdict: Verdict::Skip,
        reason: Some(why),
        request: None,
        response: None,
        checks: Vec::new(),
        at_ms: 0.0,
        duration_secs: 0.0,
    }
}

fn abort_background(
    background: HashMap<usize, (JoinHandle<Result<HttpResponse, TransportError>>, Instant)>,
) {
    for (_, (handle, _)) in background {
        handle.abort();
    }
}

fn timeline_entries(
    timeline: &[ObservedEvent],
    started: Instant,
    matched: &HashMap<u64, String>,
) -> Vec<TimelineEntry> {
    timeline
        .iter()
        .map(|e| TimelineEntry {
            matched_by: matched.get(&e.seq).cloned(),
            ..e.to_entry(started)
        })
        .collect()
}

/// Sets the case verdict and its one-line reason from the steps and session checks.
fn finish(outcome: &mut CaseOutcome, started: Instant) {
    let mut verdict = Verdict::Pass;
    let mut reason: Option<(Verdict, String)> = None;
    let mut consider = |v: Verdict, text: String| {
        if v != Verdict::Pass && v != Verdict::Skip && reason.as_ref().is_none_or(|(r, _)| v > *r) {
            reason = Some((v, text));
        }
    };
    // Spilled steps passed or were skipped: they give no verdict and no reason.
    for step in outcome.steps.kept() {
        if step.verdict == Verdict::Skip {
            continue;
        }
        verdict = worst(verdict, step.verdict);
        let first_bad = first_check_with(&step.checks, step.verdict);
        let text = match (first_bad, &step.reason) {
            (Some(check), _) => format!("step {}: {}", step.name, check.message),
            (None, Some(why)) => format!("step {}: {why}", step.name),
            (None, None) => format!("step {}", step.name),
        };
        consider(step.verdict, text);
    }
    let session_verdict = verdict_of(&outcome.session_checks);
    verdict = worst(verdict, session_verdict);
    if let Some(check) = first_check_with(&outcome.session_checks, session_verdict) {
        consider(
            session_verdict,
            format!("{}: {}", check.kind, check.message),
        );
    }
    // A `should` case never fails: its failures are non-strict (design section 6).
    if outcome.level != Level::Must && verdict == Verdict::Fail {
        verdict = Verdict::NonStrict;
    }
    outcome.verdict = verdict;
    outcome.reason = reason.map(|(_, text)| text);
    outcome.duration_secs = started.elapsed().as_secs_f64();
}
