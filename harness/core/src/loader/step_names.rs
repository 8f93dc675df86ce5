//! The names of a case's steps, as the case refers to them.

use std::collections::HashMap;

use crate::model::Step;

/// A step's name as the case refers to it: its own, or `step-N` (1-based).
pub fn step_name(step: &Step, index: usize) -> String {
    step.name_at(index)
}

/// The names of a case's steps, with the first step of each name, so that a reference to a
/// step costs the same in a case of ten steps and in one of ten thousand.
pub(super) struct StepNames<'n> {
    names: &'n [String],
    first: HashMap<&'n str, usize>,
}

impl<'n> StepNames<'n> {
    pub(super) fn new(names: &'n [String]) -> StepNames<'n> {
        let mut first = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            first.entry(name.as_str()).or_insert(i);
        }
        StepNames { names, first }
    }

    /// The name of step `index`.
    pub(super) fn name(&self, index: usize) -> &'n str {
        &self.names[index]
    }

    /// The index of the first step named `name`.
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.first.get(name).copied()
    }

    /// Every name in step order, for "steps of this case: …" hints.
    pub(super) fn list(&self) -> String {
        self.names.join(", ")
    }
}
