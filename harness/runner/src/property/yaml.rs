//! Writes a shrunk property input as a case file that the loader accepts, to be saved under
//! `cases/` as a regression.
//!
//! Written by hand rather than serialized from the model: the model's `Spanned` fields do not
//! serialize, and a hand-written file keeps the house layout and its explaining comments.

use std::fmt::Write as _;

/// A case file under construction: a header, then steps.
pub(crate) struct CaseYaml {
    text: String,
}

/// A YAML double-quoted scalar (JSON string escapes are valid YAML escapes).
pub(crate) fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

impl CaseYaml {
    /// Starts one case: id, title, spec rows and requirements; `why` becomes a comment.
    pub(crate) fn new(
        id: &str,
        title: &str,
        why: &str,
        spec: &[&str],
        requires: &[&str],
    ) -> CaseYaml {
        let mut text = String::from(
            "# yaml-language-server: $schema=../../docs/case-file.schema.json\n\
             # A regression written by a generated-input property from its minimal failing input.\n",
        );
        for line in why.lines() {
            let _ = writeln!(text, "# {line}");
        }
        text.push_str("cases:\n");
        let _ = writeln!(text, "  - id: {id}");
        let _ = writeln!(text, "    title: {}", quote(title));
        if !spec.is_empty() {
            let _ = writeln!(text, "    spec: [{}]", spec.join(", "));
        }
        if !requires.is_empty() {
            let _ = writeln!(text, "    requires: [{}]", requires.join(", "));
        }
        text.push_str("    steps:\n");
        CaseYaml { text }
    }

    /// Starts a step with its name.
    pub(crate) fn step(&mut self, name: &str) {
        let _ = writeln!(self.text, "      - name: {name}");
    }

    /// A line inside the current step; level 3 is a step key, each level two more spaces.
    pub(crate) fn line(&mut self, level: usize, text: &str) {
        let _ = writeln!(self.text, "{:width$}{text}", "", width = 2 * level + 2);
    }

    /// A comment line at a level.
    pub(crate) fn comment(&mut self, level: usize, text: &str) {
        for line in text.lines() {
            self.line(level, &format!("# {line}"));
        }
    }

    /// The file's text.
    pub(crate) fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::extend_rule::{ExtendInput, ExtendRule};
    use crate::property::model::{ModelInput, Op};
    use crate::property::parity_walk::{Hop, WalkInput};
    use harness_core::diag::SourceFile;
    use harness_core::loader::parse_case_file;

    fn loads(text: &str) -> usize {
        let src = SourceFile::new("cases/regression.yaml", text);
        match parse_case_file(&src, None) {
            Ok(cases) => cases.iter().map(|c| c.plan.steps.len()).sum(),
            Err(e) => panic!("the regression case does not load:\n{e}\n---\n{text}"),
        }
    }

    #[test]
    fn quote_escapes_quotes_and_newlines() {
        assert_eq!(quote("a \"b\"\nc"), r#""a \"b\"\nc""#);
    }

    #[test]
    fn extend_rule_regression_loads() {
        let rule = ExtendRule { cap_secs: 1500 };
        let input = ExtendInput {
            duration: 10,
            moves: vec![(1, 16), (30, 10)],
        };
        let text = rule.regression("properties.extend-rule", &input, "GET at t=1500s: 200\nx");
        assert_eq!(loads(&text), 9, "{text}");
    }

    #[test]
    fn model_check_regression_loads() {
        let input = ModelInput {
            ops: vec![
                Op::Create {
                    contacts: vec![0, 1],
                },
                Op::Create { contacts: vec![1] },
                Op::Add {
                    sub: 1,
                    contacts: vec![2, 1],
                },
                Op::Remove { sub: 0, contact: 1 },
                Op::Presence {
                    contact: 2,
                    availability: 1,
                },
                Op::Extend {
                    sub: 0,
                    minutes: 12,
                },
                Op::Delete { sub: 1 },
                Op::Delete { sub: 7 },
            ],
        };
        let text =
            crate::property::regression::regression("properties.subscription-model", &input, "why");
        assert!(loads(&text) > 10, "{text}");
    }

    #[test]
    fn parity_walk_regression_loads() {
        let input = WalkInput {
            subscribe: vec![0, 2],
            choices: vec![3, 1],
        };
        let hops = vec![
            Hop {
                selector: "$.embedded.people[0].links.subscribedContacts[0]".into(),
                status: 200,
                moved: true,
            },
            Hop {
                selector: "$.links.contact[1]".into(),
                status: 200,
                moved: true,
            },
        ];
        let text =
            crate::property::parity_walk::regression("properties.parity-walk", &input, &hops, "w");
        assert_eq!(loads(&text), 4, "{text}");
    }
}
