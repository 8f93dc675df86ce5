//! A case's variables as slots: every name the case can use gets an index at load, so a run
//! keeps its values in a vector and a compiled template reads them by index.

use std::collections::HashMap;

use serde_json::Value;

use crate::template::{Lookup, Vars};

/// The names of a case's variables and their slots.
#[derive(Clone, Default)]
pub struct VarTable {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

// The index is built from the names, and a map's order differs between runs: only the names
// are shown, so equal tables show the same.
impl std::fmt::Debug for VarTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VarTable")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// Names every run may look up by name besides its templates: the snapshot redactions read
/// the watcher and contacts, the request builder the event channel.
const ALWAYS: &[&str] = &[
    "me",
    "contacts.0",
    "contacts.1",
    "contacts.2",
    "contacts.3",
    "app.events",
];

impl VarTable {
    /// A table with the names every run looks up.
    pub fn new() -> VarTable {
        let mut table = VarTable::default();
        for name in ALWAYS {
            table.slot_for(name);
        }
        table
    }

    /// The slot of `name`, added when new.
    pub fn slot_for(&mut self, name: &str) -> usize {
        if let Some(&slot) = self.index.get(name) {
            return slot;
        }
        let slot = self.names.len();
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), slot);
        slot
    }

    /// The slot of `name`, if the case uses it.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no slots.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The values of a case run's variables, by slot.
#[derive(Debug, Clone)]
pub struct Slots<'t> {
    table: &'t VarTable,
    values: Vec<Option<Value>>,
}

impl<'t> Slots<'t> {
    /// Slots of `table` filled from `vars` (session, case and row variables); names the case
    /// never uses are left out.
    pub fn fill(table: &'t VarTable, vars: &Vars) -> Slots<'t> {
        Slots {
            table,
            values: table.names.iter().map(|n| vars.get(n).cloned()).collect(),
        }
    }

    /// The value of `name`, if the case uses it and it is set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.table.slot(name).and_then(|s| self.values[s].as_ref())
    }

    /// Sets the variable of `slot`.
    pub fn set(&mut self, slot: usize, value: Value) {
        self.values[slot] = Some(value);
    }
}

impl Lookup for Slots<'_> {
    fn lookup(&self, name: &str, slot: Option<usize>) -> Option<&Value> {
        match slot {
            Some(slot) => self.values.get(slot).and_then(Option::as_ref),
            None => self.get(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn slots_are_read_by_index_and_by_name() {
        let mut table = VarTable::new();
        let sub = table.slot_for("sub");
        assert_eq!(table.slot_for("sub"), sub);
        let vars: Vars = [
            ("me".to_owned(), json!("sip:me")),
            ("x".to_owned(), json!(1)),
        ]
        .into_iter()
        .collect();
        let mut slots = Slots::fill(&table, &vars);
        assert_eq!(slots.get("me"), Some(&json!("sip:me")));
        assert_eq!(slots.get("x"), None, "not used by the case");
        assert_eq!(slots.lookup("sub", Some(sub)), None);
        slots.set(sub, json!("/s/1"));
        assert_eq!(slots.lookup("sub", Some(sub)), Some(&json!("/s/1")));
    }
}
