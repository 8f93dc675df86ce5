//! Event expectations: matching `expect` entries against the follower's timeline, and the
//! deferred `forbid` checks with their barrier.
//!
//! Each observed event can satisfy one expectation only (it is consumed), so two steps that
//! each expect a `contact added` need two events. A `forbid` entry covers the events from its
//! step's start up to the barrier: the first event a later step's expectation matched. Events
//! keep their order on the channel, so anything the forbidden operation caused arrives before
//! that barrier; with no later expectation the window runs to the end of the case.

use std::collections::{BTreeMap, HashSet};

use harness_core::canonical::hrefs_equal;
use harness_core::model::Level;
use harness_core::outcome::CheckOutcome;
use harness_core::plan::EventPattern;
use harness_core::template::Lookup;

use crate::follower::ObservedEvent;

/// An `EventPattern` with its templates rendered.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub kind: String,
    pub rel: String,
    pub href: Option<String>,
    pub sender: Option<String>,
    pub in_rel: Option<String>,
    pub embedded: Option<String>,
}

impl Pattern {
    /// Renders one pattern per expected occurrence (`count`, default 1).
    pub fn expand(matches: &[EventPattern], vars: &impl Lookup) -> Result<Vec<Pattern>, String> {
        let mut out = Vec::new();
        for m in matches {
            let href = match &m.href {
                Some(h) => Some(h.render(vars).map_err(|e| e.to_string())?),
                None => None,
            };
            let pattern = Pattern {
                kind: m.kind.clone(),
                rel: m.rel.clone(),
                href,
                sender: m.sender.clone(),
                in_rel: m.in_rel.clone(),
                embedded: m.embedded.clone(),
            };
            for _ in 0..m.count {
                out.push(pattern.clone());
            }
        }
        Ok(out)
    }

    /// Whether an observed event fits this pattern.
    pub fn matches(&self, observed: &ObservedEvent) -> bool {
        let event = &observed.event;
        if !event.kind.eq_ignore_ascii_case(&self.kind) || event.link.rel != self.rel {
            return false;
        }
        if let Some(href) = &self.href
            && !hrefs_equal(&event.link.href, href)
        {
            return false;
        }
        if let Some(sender) = &self.sender
            && &observed.sender_rel != sender
        {
            return false;
        }
        match (self.in_rel.as_deref(), &event.in_collection) {
            (None, _) => {}
            (Some("none"), None) => {}
            (Some("none"), Some(_)) | (Some(_), None) => return false,
            (Some(rel), Some(actual)) if !actual.fits_rel(rel) => return false,
            (Some(_), Some(_)) => {}
        }
        if let Some(rel) = &self.embedded
            && event.embedded.as_ref().is_none_or(|r| &r.rel != rel)
        {
            return false;
        }
        true
    }

    /// Whether an observed event is of this pattern's type and rel (what `if_any` judges).
    pub fn same_kind(&self, observed: &ObservedEvent) -> bool {
        observed.event.kind.eq_ignore_ascii_case(&self.kind) && observed.event.link.rel == self.rel
    }

    /// How the pattern reads in a report.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}", self.kind, self.rel);
        if let Some(href) = &self.href {
            text.push(' ');
            text.push_str(href);
        }
        if let Some(rel) = &self.in_rel {
            text.push_str(" in ");
            text.push_str(rel);
        }
        if let Some(rel) = &self.embedded {
            text.push_str(" embedding ");
            text.push_str(rel);
        }
        text
    }
}

/// How an observed event reads in a report.
pub fn describe_event(e: &ObservedEvent) -> String {
    let mut text = format!(
        "#{} {} {} {}",
        e.seq, e.event.kind, e.event.link.rel, e.event.link.href
    );
    if let Some(i) = &e.event.in_collection {
        text.push_str(" in ");
        text.push_str(&i.rel);
    }
    text
}

/// Finds the events that satisfy `patterns` among the unconsumed events from `from_seq` on.
/// Returns one seq per pattern, or `None` for the patterns left unmatched.
pub fn find_matches(
    patterns: &[Pattern],
    ordered: bool,
    timeline: &[ObservedEvent],
    from_seq: u64,
    consumed: &HashSet<u64>,
) -> Vec<Option<u64>> {
    let candidates: Vec<&ObservedEvent> = timeline
        .iter()
        .filter(|e| e.seq >= from_seq && !consumed.contains(&e.seq))
        .collect();
    let mut used = HashSet::new();
    let mut result = Vec::with_capacity(patterns.len());
    let mut position = 0;
    for pattern in patterns {
        let start = if ordered { position } else { 0 };
        let found = candidates
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, e)| !used.contains(&e.seq) && pattern.matches(e));
        match found {
            Some((index, event)) => {
                used.insert(event.seq);
                position = index + 1;
                result.push(Some(event.seq));
            }
            None => result.push(None),
        }
    }
    result
}

/// The outcome of waiting for a step's expected events.
pub fn expectation_outcome(
    patterns: &[Pattern],
    found: &[Option<u64>],
    ordered: bool,
    window: &[ObservedEvent],
    level: Level,
    within: &str,
) -> CheckOutcome {
    let missing: Vec<String> = patterns
        .iter()
        .zip(found)
        .filter(|(_, f)| f.is_none())
        .map(|(p, _)| p.describe())
        .collect();
    let order = if ordered { "in order" } else { "in any order" };
    if missing.is_empty() {
        return CheckOutcome::pass(
            "events",
            level,
            format!("{} expected events arrived {order}", patterns.len()),
        );
    }
    let expected: Vec<String> = patterns.iter().map(Pattern::describe).collect();
    let seen: Vec<String> = window.iter().map(describe_event).collect();
    CheckOutcome::fail(
        "events",
        level,
        format!(
            "within {within}, {} of {} expected events did not arrive {order}: {}",
            missing.len(),
            patterns.len(),
            missing.join("; ")
        ),
    )
    .at(
        Some("events".into()),
        expected.join("\n"),
        if seen.is_empty() {
            "no events".to_owned()
        } else {
            seen.join("\n")
        },
    )
}

/// What a deferred list judges at its barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferred {
    /// `forbid`: no event may fit a pattern.
    Forbid,
    /// `if_any`: an event of a pattern's type and rel must fit one such pattern whole.
    IfAny,
}

/// A `forbid` or `if_any` list waiting for its barrier.
#[derive(Debug, Clone)]
pub struct PendingForbid {
    pub step_index: usize,
    pub step: String,
    pub from_seq: u64,
    pub kind: Deferred,
    pub patterns: Vec<Pattern>,
    /// Events this step's own expectations consumed: they are the allowed ones.
    pub own: HashSet<u64>,
    pub level: Level,
}

fn scope_of(barrier: Option<u64>) -> String {
    match barrier {
        Some(seq) => format!("before the barrier event #{seq}"),
        None => "by the end of the case (no later expectation served as a barrier)".into(),
    }
}

fn judge_if_any(pending: &PendingForbid, misfits: &[String], scope: &str) -> CheckOutcome {
    if misfits.is_empty() {
        return CheckOutcome::pass(
            "events",
            pending.level,
            format!(
                "every optional event after step {} {scope} fits its entry (or none came)",
                pending.step
            ),
        );
    }
    let expected: Vec<String> = pending.patterns.iter().map(Pattern::describe).collect();
    CheckOutcome::fail(
        "events",
        pending.level,
        format!(
            "optional events after step {} {scope} came, but not as documented: {}",
            pending.step,
            misfits.join("; ")
        ),
    )
    .at(
        Some("events".into()),
        format!("if any, as: {}", expected.join("; ")),
        misfits.join("\n"),
    )
}

/// Judges the forbids once the case is over. `matched_by_step` maps each step index to the
/// seqs its expectations matched; the barrier is the first seq matched by a later step.
pub fn judge_forbids(
    pending: &[PendingForbid],
    matched_by_step: &BTreeMap<usize, Vec<u64>>,
    timeline: &[ObservedEvent],
) -> Vec<(usize, CheckOutcome)> {
    let mut out = Vec::new();
    for forbid in pending {
        let barrier = matched_by_step
            .range(forbid.step_index + 1..)
            .flat_map(|(_, seqs)| seqs.iter().copied())
            .min();
        let window: Vec<&ObservedEvent> = timeline
            .iter()
            .filter(|e| e.seq >= forbid.from_seq && barrier.is_none_or(|b| e.seq < b))
            .filter(|e| !forbid.own.contains(&e.seq))
            .collect();
        let hits: Vec<String> = window
            .iter()
            .filter(|e| match forbid.kind {
                Deferred::Forbid => forbid.patterns.iter().any(|p| p.matches(e)),
                Deferred::IfAny => {
                    let mut same_kind =
                        forbid.patterns.iter().filter(|p| p.same_kind(e)).peekable();
                    same_kind.peek().is_some() && !same_kind.any(|p| p.matches(e))
                }
            })
            .map(|e| describe_event(e))
            .collect();
        if forbid.kind == Deferred::IfAny {
            out.push((
                forbid.step_index,
                judge_if_any(forbid, &hits, &scope_of(barrier)),
            ));
            continue;
        }
        let scope = scope_of(barrier);
        let check = if hits.is_empty() {
            CheckOutcome::pass(
                "forbid",
                forbid.level,
                format!("no forbidden event after step {} {scope}", forbid.step),
            )
        } else {
            let expected: Vec<String> = forbid.patterns.iter().map(Pattern::describe).collect();
            CheckOutcome::fail(
                "forbid",
                forbid.level,
                format!(
                    "forbidden events after step {} {scope}: {}",
                    forbid.step,
                    hits.join("; ")
                ),
            )
            .at(
                Some("events".into()),
                format!("none of: {}", expected.join("; ")),
                hits.join("\n"),
            )
        };
        out.push((forbid.step_index, check));
    }
    out
}
