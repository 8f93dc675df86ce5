//! The names of a case's steps, as the case refers to them, and what a later step may ask of
//! an earlier one by name (its index, its place, whether it runs in the background).

use std::collections::HashMap;
use std::ops::Range;

use crate::model::Step;
use crate::yaml::span_range;

/// A step's name as the case refers to it: its own, or `step-N` (1-based).
pub fn step_name(step: &Step, index: usize) -> String {
    step.name_at(index)
}

/// The first step of a name, small: a long case has thousands.
struct First {
    index: u32,
    /// Where its name is written; `None` for an implicit `step-N`.
    written: Option<Range<u32>>,
}

/// The names of a case's steps so far, with the first step of each name, so that a reference to
/// a step costs the same in a case of ten steps and in one of ten thousand. Steps are added in
/// order: the whole case at once, or one at a time as the case is read (`stream`).
#[derive(Default)]
pub(super) struct StepNames {
    names: Vec<String>,
    first: HashMap<Box<str>, First>,
    background: Vec<bool>,
}

impl StepNames {
    /// The names of all of `steps`.
    pub(super) fn of(steps: &[Step]) -> StepNames {
        let mut names = StepNames {
            names: Vec::with_capacity(steps.len()),
            first: HashMap::with_capacity(steps.len()),
            background: Vec::with_capacity(steps.len()),
        };
        for step in steps {
            names.push(step);
        }
        names
    }

    /// Adds the next step.
    pub(super) fn push(&mut self, step: &Step) {
        let index = self.names.len();
        let name = step_name(step, index);
        if !self.first.contains_key(name.as_str()) {
            let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let written = step.name.as_ref().map(span_range);
            self.first.insert(
                name.as_str().into(),
                First {
                    index: small(index),
                    written: written.map(|r| small(r.start)..small(r.end)),
                },
            );
        }
        self.names.push(name);
        self.background.push(step.background);
    }

    /// The name of step `index`.
    pub(super) fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// The index of the first step named `name`.
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.first.get(name).map(|f| f.index as usize)
    }

    /// Where the first step named `name` writes its name (`None` when it is implicit).
    pub(super) fn written(&self, name: &str) -> Option<Range<usize>> {
        self.first
            .get(name)
            .and_then(|f| f.written.clone())
            .map(|r| r.start as usize..r.end as usize)
    }

    /// Whether step `index` runs in the background.
    pub(super) fn background(&self, index: usize) -> bool {
        self.background[index]
    }

    /// Every name in step order, for "steps of this case: …" hints.
    pub(super) fn list(&self) -> String {
        self.names.join(", ")
    }
}
