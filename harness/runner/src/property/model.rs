//! The small model of one application's presence subscriptions (digest 2.13) that the
//! subscription-model property compares the target with: live subscriptions in creation order,
//! each an insertion-ordered set of contacts; subscribedContacts is their union.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

/// Availabilities a presence change sets (digest 2.11).
pub(crate) const AVAILABILITY: [&str; 4] = ["Away", "Busy", "DoNotDisturb", "BeRightBack"];

/// One generated operation. `sub` and `contact` indices are taken modulo what exists when the
/// operation runs, so every sequence is meaningful and shrinking never makes one invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// POST presenceSubscriptions with these contacts (indices into the profile's contacts).
    Create { contacts: Vec<usize> },
    /// POST addToPresenceSubscription with these contacts (some may be there already).
    Add { sub: usize, contacts: Vec<usize> },
    /// DELETE the membership of one of the subscription's contacts.
    Remove { sub: usize, contact: usize },
    /// DELETE the subscription.
    Delete { sub: usize },
    /// POST ?duration= on the subscription (no clock: nothing may expire).
    Extend { sub: usize, minutes: u64 },
    /// Change a contact's presence through the test-control protocol.
    Presence { contact: usize, availability: usize },
}

/// One generated input.
#[derive(Debug, Clone)]
pub(crate) struct ModelInput {
    pub(crate) ops: Vec<Op>,
}

/// The strategy over `contacts` profile contacts (at most 4 are used).
pub(crate) fn strategy(contacts: usize) -> BoxedStrategy<ModelInput> {
    let n = contacts.clamp(1, 4);
    let some =
        move || prop::collection::btree_set(0..n, 1..=n).prop_map(|s| s.into_iter().collect());
    let op = prop_oneof![
        3 => some().prop_map(|contacts| Op::Create { contacts }),
        2 => (0usize..4, some()).prop_map(|(sub, contacts)| Op::Add { sub, contacts }),
        2 => (0usize..4, 0usize..4).prop_map(|(sub, contact)| Op::Remove { sub, contact }),
        2 => (0usize..4).prop_map(|sub| Op::Delete { sub }),
        1 => (0usize..4, 10u64..=30).prop_map(|(sub, minutes)| Op::Extend { sub, minutes }),
        2 => (0..n, 0..AVAILABILITY.len())
            .prop_map(|(contact, availability)| Op::Presence { contact, availability }),
    ];
    prop::collection::vec(op, 1..=8)
        .prop_map(|ops| ModelInput { ops })
        .boxed()
}

/// A live subscription of the model.
#[derive(Debug, Clone)]
pub(crate) struct SubModel {
    /// 1-based creation number, for names in reports and regression cases.
    pub(crate) number: usize,
    /// Contacts in insertion order, without duplicates.
    pub(crate) contacts: Vec<usize>,
}

/// An operation resolved against the model, with what it must cause.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub(crate) action: Action,
    /// subscribedContacts before and after.
    pub(crate) before: BTreeSet<usize>,
    pub(crate) after: BTreeSet<usize>,
}

/// What the harness does for an operation; indices are into the live subscriptions as they
/// were before the operation.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Create {
        number: usize,
        contacts: Vec<usize>,
    },
    Add {
        index: usize,
        number: usize,
        contacts: Vec<usize>,
    },
    Remove {
        index: usize,
        number: usize,
        contact: usize,
        position: usize,
    },
    Delete {
        index: usize,
        number: usize,
    },
    Extend {
        index: usize,
        number: usize,
        minutes: u64,
    },
    Presence {
        contact: usize,
        availability: usize,
    },
    /// Nothing to act on (no live subscription, or one without contacts).
    Skip,
}

impl Applied {
    /// Contacts newly in subscribedContacts (each must get exactly one `contact added`).
    pub(crate) fn added(&self) -> Vec<usize> {
        self.after.difference(&self.before).copied().collect()
    }

    /// Contacts that left subscribedContacts (each exactly one `contact deleted`).
    pub(crate) fn removed(&self) -> Vec<usize> {
        self.before.difference(&self.after).copied().collect()
    }
}

/// The model state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub(crate) subs: Vec<SubModel>,
    created: usize,
}

impl Model {
    /// subscribedContacts: the union of the live subscriptions' contacts.
    pub(crate) fn union(&self) -> BTreeSet<usize> {
        self.subs
            .iter()
            .flat_map(|s| s.contacts.iter().copied())
            .collect()
    }

    /// Resolves `op` and applies it.
    pub(crate) fn apply(&mut self, op: &Op) -> Applied {
        let before = self.union();
        let pick = |sub: usize, len: usize| (len > 0).then(|| sub % len);
        let action = match op {
            Op::Create { contacts } => {
                self.created += 1;
                let mut set = Vec::new();
                for c in contacts {
                    if !set.contains(c) {
                        set.push(*c);
                    }
                }
                self.subs.push(SubModel {
                    number: self.created,
                    contacts: set.clone(),
                });
                Action::Create {
                    number: self.created,
                    contacts: set,
                }
            }
            Op::Add { sub, contacts } => match pick(*sub, self.subs.len()) {
                Some(index) => {
                    let s = &mut self.subs[index];
                    for c in contacts {
                        if !s.contacts.contains(c) {
                            s.contacts.push(*c);
                        }
                    }
                    Action::Add {
                        index,
                        number: s.number,
                        contacts: contacts.clone(),
                    }
                }
                None => Action::Skip,
            },
            Op::Remove { sub, contact } => match pick(*sub, self.subs.len()) {
                Some(index) if !self.subs[index].contacts.is_empty() => {
                    let s = &mut self.subs[index];
                    let position = contact % s.contacts.len();
                    let contact = s.contacts.remove(position);
                    Action::Remove {
                        index,
                        number: s.number,
                        contact,
                        position,
                    }
                }
                _ => Action::Skip,
            },
            Op::Delete { sub } => match pick(*sub, self.subs.len()) {
                Some(index) => {
                    let s = self.subs.remove(index);
                    Action::Delete {
                        index,
                        number: s.number,
                    }
                }
                None => Action::Skip,
            },
            Op::Extend { sub, minutes } => match pick(*sub, self.subs.len()) {
                Some(index) => Action::Extend {
                    index,
                    number: self.subs[index].number,
                    minutes: *minutes,
                },
                None => Action::Skip,
            },
            Op::Presence {
                contact,
                availability,
            } => Action::Presence {
                contact: *contact,
                availability: *availability,
            },
        };
        Applied {
            action,
            before,
            after: self.union(),
        }
    }
}

/// One line for an action, with contacts as `contacts.N`.
pub(crate) fn describe(action: &Action) -> String {
    let list = |cs: &[usize]| {
        cs.iter()
            .map(|c| format!("contacts.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match action {
        Action::Create { number, contacts } => format!("create s{number} [{}]", list(contacts)),
        Action::Add {
            number, contacts, ..
        } => format!("add [{}] to s{number}", list(contacts)),
        Action::Remove {
            number, contact, ..
        } => format!("remove the membership of contacts.{contact} from s{number}"),
        Action::Delete { number, .. } => format!("delete s{number}"),
        Action::Extend {
            number, minutes, ..
        } => format!("extend s{number} by {minutes} min"),
        Action::Presence {
            contact,
            availability,
        } => format!(
            "presence of contacts.{contact} → {}",
            AVAILABILITY[*availability % AVAILABILITY.len()]
        ),
        Action::Skip => "(nothing to act on)".to_owned(),
    }
}

/// The whole input, resolved, one operation per line.
pub(crate) fn describe_input(input: &ModelInput) -> String {
    let mut model = Model::default();
    input
        .ops
        .iter()
        .enumerate()
        .map(|(i, op)| format!("{}. {}", i + 1, describe(&model.apply(op).action)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_held_twice_leaves_only_with_the_last_holder() {
        let mut m = Model::default();
        let a = m.apply(&Op::Create {
            contacts: vec![0, 1],
        });
        assert_eq!(a.added(), vec![0, 1]);
        let b = m.apply(&Op::Create {
            contacts: vec![1, 2],
        });
        assert_eq!(b.added(), vec![2]);
        let del = m.apply(&Op::Delete { sub: 0 });
        assert_eq!(del.removed(), vec![0]);
        let rm = m.apply(&Op::Remove { sub: 0, contact: 0 });
        assert!(matches!(rm.action, Action::Remove { contact: 1, .. }));
        assert_eq!(rm.removed(), vec![1]);
    }

    #[test]
    fn adding_a_held_contact_changes_nothing() {
        let mut m = Model::default();
        m.apply(&Op::Create { contacts: vec![0] });
        let add = m.apply(&Op::Add {
            sub: 5,
            contacts: vec![0, 0],
        });
        assert!(add.added().is_empty());
        assert_eq!(m.subs[0].contacts, vec![0]);
    }

    #[test]
    fn operations_without_a_subscription_are_skipped() {
        let mut m = Model::default();
        assert!(matches!(
            m.apply(&Op::Delete { sub: 2 }).action,
            Action::Skip
        ));
    }
}
