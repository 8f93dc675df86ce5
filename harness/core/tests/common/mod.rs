//! Helpers shared by the loader tests.

use std::path::Path;

use harness_core::checklist::{Checklist, load_checklist};

pub fn checklist() -> Checklist {
    load_checklist(Path::new("../../cases/rows.yaml")).unwrap_or_else(|e| panic!("{e}"))
}
