//! The subscription-model check's minimal input as a regression case.
//!
//! The case format names contacts by `{{ contacts.N }}` but cannot map a contact href back to
//! its URI, so the case checks counts where the property compares sets, and picks a membership
//! to remove by its position in the listing (the position the model expects; the comment says
//! which contact it stands for).

use super::model::{AVAILABILITY, Action, Applied, Model, ModelInput, describe, describe_input};
use super::model_check::barrier;
use super::yaml::CaseYaml;

/// The case for `input` (with the barrier create at the end).
pub(crate) fn regression(case_id: &str, input: &ModelInput, why: &str) -> String {
    let header = format!(
        "minimal input:\n{}\nwhat failed: {why}",
        describe_input(input)
    );
    let mut y = CaseYaml::new(
        &format!("{case_id}.regression"),
        "subscription model: a shrunk sequence replayed",
        &header,
        &["SC.union", "PS.DELETE.events"],
        &["presence"],
    );
    let mut model = Model::default();
    let ops = input.ops.iter().cloned().chain(std::iter::once(barrier()));
    for (i, op) in ops.enumerate() {
        let n = i + 1;
        let applied = model.apply(&op);
        if matches!(applied.action, Action::Skip) {
            continue;
        }
        act(&mut y, n, &applied);
        y.step(&format!("contacts-{n}"));
        y.line(
            3,
            "request: { method: GET, link: people.subscribedContacts }",
        );
        y.line(
            3,
            &format!(
                "expect: {{ status: 200, resource: {{ link_counts: {{ contact: {} }} }} }}",
                applied.after.len()
            ),
        );
        for sub in &model.subs {
            y.step(&format!("members-{n}-s{}", sub.number));
            y.line(
                3,
                &format!(
                    "request: {{ method: GET, href: \"{{{{ s{}_members }}}}\" }}",
                    sub.number
                ),
            );
            y.line(
                3,
                &format!(
                    "expect: {{ status: 200, resource: {{ embedded_counts: {{ presenceSubscriptionMembership: {} }} }} }}",
                    sub.contacts.len()
                ),
            );
        }
    }
    y.finish()
}

fn templates(indices: &[usize]) -> String {
    indices
        .iter()
        .map(|c| format!("\"{{{{ contacts.{c} }}}}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The step(s) of one operation, with its events.
fn act(y: &mut CaseYaml, n: usize, applied: &Applied) {
    let (added, removed) = (applied.added().len(), applied.removed().len());
    let contact_event = |kind: &str, count: usize| {
        format!("- {{ type: {kind}, rel: contact, in: subscribedContacts, count: {count} }}")
    };
    match &applied.action {
        Action::Create { number, contacts } => {
            y.step(&format!("create-s{number}"));
            y.comment(3, &describe(&applied.action));
            y.line(3, "request:");
            y.line(4, "method: POST");
            y.line(4, "link: people.presenceSubscriptions");
            y.line(
                4,
                &format!("body: {{ duration: 30, uris: [{}] }}", templates(contacts)),
            );
            y.line(3, "expect: { status: 201 }");
            y.line(
                3,
                &format!(
                    "capture: {{ s{number}: \"$.self\", s{number}_members: \"$.links.memberships[0]\", s{number}_add: \"$.links.addToPresenceSubscription[0]\" }}"
                ),
            );
            y.line(3, "events:");
            y.line(4, "ordered: false");
            y.line(4, "expect:");
            if added > 0 {
                y.line(5, &contact_event("added", added));
            }
            y.line(
                5,
                &format!(
                    "- {{ type: added, rel: presenceSubscription, href: \"{{{{ s{number} }}}}\" }}"
                ),
            );
        }
        Action::Add {
            number, contacts, ..
        } => {
            y.step(&format!("add-{n}-s{number}"));
            y.comment(3, &describe(&applied.action));
            y.line(
                3,
                &format!(
                    "request: {{ method: POST, href: \"{{{{ s{number}_add }}}}\", body: {{ contactUris: [{}] }} }}",
                    templates(contacts)
                ),
            );
            y.line(3, "expect: { status: 201 }");
            if added > 0 {
                y.line(3, "events:");
                y.line(4, "expect:");
                y.line(5, &contact_event("added", added));
            }
        }
        Action::Remove {
            number,
            contact,
            position,
            ..
        } => {
            y.step(&format!("memberships-{n}"));
            y.comment(
                3,
                &format!(
                    "the membership of contacts.{contact}: position {position} in the model's insertion order"
                ),
            );
            y.line(
                3,
                &format!("request: {{ method: GET, href: \"{{{{ s{number}_members }}}}\" }}"),
            );
            y.line(3, "expect: { status: 200 }");
            y.line(
                3,
                &format!(
                    "capture: {{ m{n}: \"$.embedded.presenceSubscriptionMembership[{position}].self\" }}"
                ),
            );
            y.step(&format!("remove-{n}"));
            y.line(
                3,
                &format!("request: {{ method: DELETE, href: \"{{{{ m{n} }}}}\" }}"),
            );
            y.line(3, "expect: { status: 204 }");
            if removed > 0 {
                y.line(3, "events:");
                y.line(4, "expect:");
                y.line(5, &contact_event("deleted", removed));
            }
        }
        Action::Delete { number, .. } => {
            y.step(&format!("delete-s{number}"));
            y.line(
                3,
                &format!("request: {{ method: DELETE, href: \"{{{{ s{number} }}}}\" }}"),
            );
            y.line(3, "expect: { status: 204 }");
            y.line(3, "events:");
            y.line(4, "ordered: true");
            y.line(4, "expect:");
            if removed > 0 {
                y.line(5, &contact_event("deleted", removed));
            }
            y.line(
                5,
                &format!("- {{ type: deleted, rel: presenceSubscription, href: \"{{{{ s{number} }}}}\" }}"),
            );
        }
        Action::Extend {
            number, minutes, ..
        } => {
            y.step(&format!("extend-{n}-s{number}"));
            y.line(
                3,
                &format!(
                    "request: {{ method: POST, href: \"{{{{ s{number} }}}}\", query: {{ duration: {minutes} }} }}"
                ),
            );
            y.line(3, "expect: { status: [200, 201] }");
        }
        Action::Presence {
            contact,
            availability,
        } => {
            y.step(&format!("presence-{n}"));
            y.line(
                3,
                &format!(
                    "control: {{ presence: {{ uri: \"{{{{ contacts.{contact} }}}}\", availability: {} }} }}",
                    AVAILABILITY[*availability % AVAILABILITY.len()]
                ),
            );
            if applied.after.contains(contact) {
                y.line(3, "events:");
                y.line(4, "expect:");
                y.line(5, "- { type: updated, rel: contactPresence, in: contact }");
            }
        }
        Action::Skip => {}
    }
}
