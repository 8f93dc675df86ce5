//! Builds a case's plan one step at a time, in step order: from a whole parsed case
//! ([`compile_case`]) or from steps handed over as the case file is read (the loader's
//! `stream`), so both ways give the same plan.

use std::collections::HashMap;

use super::bind::bind_step;
use super::compile::{Queries, compile_step};
use super::query::{PRESENCE_SUBSCRIPTIONS_COUNT, Predicate, Query};
use super::step::{CasePlan, PlanStep};
use super::vars::VarTable;
use crate::model::{Case, Level, Step};

/// Compiles a validated case (see [`crate::loader`]); steps of a property case: none. The
/// case's steps are taken: each is dropped once compiled, so a long case never holds its
/// parsed and its compiled steps whole at once.
pub fn compile_case(case: &mut Case) -> CasePlan {
    let parsed = std::mem::take(&mut case.steps);
    let names: Vec<String> = parsed
        .iter()
        .enumerate()
        .map(|(i, s)| s.name_at(i))
        .collect();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        first.entry(name.as_str()).or_insert(i);
    }
    let index_of = |n: &str| first.get(n).copied().unwrap_or_default();
    let mut planner = CasePlanner::with_capacity(case.level, parsed.len());
    for (step, name) in parsed.into_iter().zip(&names) {
        planner.push(&step, name.clone(), &index_of);
    }
    planner.finish()
}

/// A case's plan so far: its compiled steps, bound to the slots of its variable table.
pub(crate) struct CasePlanner {
    level: Level,
    steps: Vec<PlanStep>,
    counts_subscriptions: bool,
    table: VarTable,
    queries: Queries,
}

impl CasePlanner {
    /// A plan of no steps yet for a case at `level`, with room for `steps` steps.
    pub(crate) fn with_capacity(level: Level, steps: usize) -> CasePlanner {
        CasePlanner {
            level,
            steps: Vec::with_capacity(steps),
            counts_subscriptions: false,
            table: VarTable::new(),
            queries: Queries::default(),
        }
    }

    /// Compiles the next step, validated, named `name`; `index_of` gives the index of the
    /// step a name refers to (always an earlier one in a validated case).
    pub(crate) fn push(&mut self, step: &Step, name: String, index_of: &dyn Fn(&str) -> usize) {
        let mut plan = compile_step(step, name, self.level, index_of, &self.queries);
        bind_step(&mut plan, &mut self.table);
        self.counts_subscriptions |= plan.expectations.iter().any(|e| {
            e.resource.iter().flatten().chain(&e.select).any(|c| {
                matches!((&c.query, &c.predicate), (Query::Path(p), Predicate::Count(_))
                    if p.text.as_str() == PRESENCE_SUBSCRIPTIONS_COUNT)
            })
        });
        self.steps.push(plan);
    }

    /// The plan of the steps pushed.
    pub(crate) fn finish(mut self) -> CasePlan {
        // Only now is every reader of a step's status bound (readers come after the step).
        for step in &mut self.steps {
            step.status_slot = self.table.slot(&format!("steps.{}.status", step.name));
        }
        // Steps read one at a time leave up to half the list's room unused, for the whole run.
        self.steps.shrink_to_fit();
        CasePlan {
            steps: self.steps,
            counts_subscriptions: self.counts_subscriptions,
            vars: self.table,
        }
    }
}
