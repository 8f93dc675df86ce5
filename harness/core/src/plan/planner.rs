//! Builds a case's plan one step at a time, in step order: the loader hands it the steps of a
//! whole parsed case, or each step as the case file is read (`stream`), so both ways give the
//! same plan.

use super::bind::bind_step;
use super::compile::{Queries, compile_step};
use super::query::{PRESENCE_SUBSCRIPTIONS_COUNT, Predicate, Query};
use super::step::{CasePlan, PlanStep};
use super::vars::VarTable;
use crate::model::{Level, Step};

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
