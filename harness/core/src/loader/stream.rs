//! The fast path of loading a case file: each step is parsed, checked, compiled into its plan
//! and dropped before the next one is parsed, so a long case never holds a parsed model of all
//! its steps (issue 13: the whole model took about twice the memory of the plans).
//!
//! It decides nothing on its own: whatever it cannot settle (a parse error, a problem found
//! by the checks, a field the steps depend on written after `steps`) makes it give up, and the
//! file is loaded whole by `check_whole`, the only source of diagnostics. So every file it
//! accepts is one the whole load accepts, with the same cases and plans.

mod case;
#[cfg(test)]
mod tests;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use self::case::{CaseSeed, GIVE_UP};
use super::validate::FileCheck;
use crate::checklist::Checklist;
use crate::diag::SourceFile;
use crate::model::Case;
use crate::plan::CasePlan;
use crate::suite::SuiteCase;

/// Loads `src` step by step; `None` when the file must be loaded whole (see the module doc).
pub(super) fn load_stepwise(
    src: &SourceFile,
    checklist: Option<&Checklist>,
) -> Option<Vec<SuiteCase>> {
    let mut check = FileCheck::new(src, checklist);
    let cases = serde_saphyr::with_deserializer_from_str(&src.text, |de| {
        FileSeed { check: &mut check }.deserialize(de)
    })
    .ok()?;
    if !check.errors.is_empty() {
        return None;
    }
    Some(
        cases
            .into_iter()
            .map(|(case, plan)| SuiteCase {
                line: case.id.referenced.line(),
                file: src.path.clone(),
                plan,
                case,
            })
            .collect(),
    )
}

/// A case file (`cases:` and nothing else), read as [`crate::model::CaseFile`] is.
struct FileSeed<'c, 'a> {
    check: &'c mut FileCheck<'a>,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_, '_> {
    type Value = Vec<(Case, CasePlan)>;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_struct("CaseFile", &["cases"], self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_, '_> {
    type Value = Vec<(Case, CasePlan)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a case file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut cases = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "cases" || cases.is_some() {
                return Err(de::Error::custom(GIVE_UP));
            }
            cases = Some(map.next_value_seed(CasesSeed {
                check: &mut *self.check,
            })?);
        }
        // No cases is a problem the whole load words.
        match cases {
            Some(cases) if !cases.is_empty() => Ok(cases),
            _ => Err(de::Error::custom(GIVE_UP)),
        }
    }
}

/// The `cases:` list: each case read by a [`CaseSeed`].
struct CasesSeed<'c, 'a> {
    check: &'c mut FileCheck<'a>,
}

impl<'de> DeserializeSeed<'de> for CasesSeed<'_, '_> {
    type Value = Vec<(Case, CasePlan)>;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for CasesSeed<'_, '_> {
    type Value = Vec<(Case, CasePlan)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of cases")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut cases = Vec::new();
        while let Some(case) = seq.next_element_seed(CaseSeed {
            check: &mut *self.check,
            index: cases.len(),
        })? {
            cases.push(case);
        }
        Ok(cases)
    }
}
