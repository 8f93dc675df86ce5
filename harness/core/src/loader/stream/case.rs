//! One case of the fast path: its fields read as the derived [`Case`] reads them, except
//! `steps`, which are checked and compiled one at a time and never kept.

use std::collections::BTreeSet;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use crate::loader::scope::Scope;
use crate::loader::step_names::StepNames;
use crate::loader::tree::Seg;
use crate::loader::validate::{FileCheck, at};
use crate::model::{Case, Format, Level, Step};
use crate::plan::{CasePlan, CasePlanner};

/// The reason the fast path gives up; never shown, since the whole load runs next.
pub(super) const GIVE_UP: &str = "left to the whole load";

/// The keys of a case, as [`Case`] names them.
const FIELDS: &[&str] = &[
    "id", "title", "spec", "level", "formats", "tags", "requires", "channel", "session", "vars",
    "rows", "steps", "property",
];

/// The fields that the checks or the plan of a step read. Written after `steps`, they would
/// have been needed before they were known: such a case is left to the whole load.
const READ_BY_STEPS: &[&str] = &["level", "channel", "session", "vars", "rows", "property"];

/// Case `index` of the file.
pub(super) struct CaseSeed<'c, 'a> {
    pub(super) check: &'c mut FileCheck<'a>,
    pub(super) index: usize,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_, '_> {
    type Value = (Case, CasePlan);

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_struct("Case", FIELDS, self)
    }
}

impl<'de> Visitor<'de> for CaseSeed<'_, '_> {
    type Value = (Case, CasePlan);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a case")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let give_up = || de::Error::custom(GIVE_UP);
        let check = self.check;
        check.case_index = self.index;
        // The serde defaults of `Case`; `id` and `title` must be written.
        let mut case = Case {
            id: Spanned::new(String::new(), Location::UNKNOWN, Location::UNKNOWN),
            title: String::new(),
            spec: Vec::new(),
            level: Level::default(),
            formats: Format::both(),
            tags: Vec::new(),
            requires: Vec::new(),
            channel: Default::default(),
            session: Default::default(),
            vars: Default::default(),
            rows: Vec::new(),
            steps: Vec::new(),
            property: None,
        };
        let mut seen = BTreeSet::new();
        let mut steps: Option<(CasePlan, bool)> = None;
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) || (steps.is_some() && READ_BY_STEPS.contains(&key.as_str())) {
                return Err(give_up());
            }
            match key.as_str() {
                "id" => case.id = map.next_value()?,
                "title" => case.title = map.next_value()?,
                "spec" => case.spec = map.next_value()?,
                "level" => case.level = map.next_value()?,
                "formats" => case.formats = map.next_value()?,
                "tags" => case.tags = map.next_value()?,
                "requires" => case.requires = map.next_value()?,
                "channel" => case.channel = map.next_value()?,
                "session" => case.session = map.next_value()?,
                "vars" => case.vars = map.next_value()?,
                "rows" => case.rows = map.next_value()?,
                "property" => case.property = map.next_value()?,
                "steps" => {
                    steps = Some(map.next_value_seed(StepsSeed {
                        check: &mut *check,
                        case: &case,
                    })?);
                }
                _ => return Err(give_up()),
            }
            seen.insert(key);
        }
        if !(seen.contains("id") && seen.contains("title")) {
            return Err(give_up());
        }
        let (plan, has_steps) =
            steps.unwrap_or_else(|| (CasePlanner::with_capacity(case.level, 0).finish(), false));
        check.case_fields(&case, self.index);
        check.case_kind(&case, has_steps);
        if !check.errors.is_empty() {
            return Err(give_up());
        }
        Ok((case, plan))
    }
}

/// The `steps:` list of a case whose fields read by steps are known: each step is checked
/// against the steps before it, compiled, and dropped. Its value: the plan, and whether there
/// were steps.
struct StepsSeed<'c, 'a, 'k> {
    check: &'c mut FileCheck<'a>,
    case: &'k Case,
}

impl<'de> DeserializeSeed<'de> for StepsSeed<'_, '_, '_> {
    type Value = (CasePlan, bool);

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StepsSeed<'_, '_, '_> {
    type Value = (CasePlan, bool);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of steps")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Self { check, case } = self;
        let base = check.case_path();
        let mut names = StepNames::default();
        // Captures are only known as their steps arrive; the scope learns them the same way in
        // both loads, and only hints (never shown here) use the captures still to come.
        let mut scope = Scope::for_case(case, &[]);
        let mut planner = CasePlanner::with_capacity(case.level, 0);
        let mut si = 0;
        while let Some(step) = seq.next_element::<Step>()? {
            names.push(&step);
            let sp = at(&base, &[Seg::Key("steps"), Seg::Index(si)]);
            check.step_name(&step, si, &names);
            check.step(case, &step, si, &names, &sp, &mut scope);
            if !check.errors.is_empty() {
                return Err(de::Error::custom(GIVE_UP));
            }
            // A reference names an earlier step, so `names` knows it already.
            let index_of = |n: &str| names.position(n).unwrap_or_default();
            planner.push(&step, names.name(si).to_owned(), &index_of);
            si += 1;
        }
        Ok((planner.finish(), si > 0))
    }
}
