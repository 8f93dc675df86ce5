//! The pieces of the report files that one finished case contributes (its JUnit testcase, its
//! object in `report.json`, its details in `report.html`), each exactly as the whole file holds
//! it, so that a file is its head, the pieces in the report's order, and its tail. This names
//! the pieces and where a file's assembly gets them; `render` renders them, `spool` keeps them.

use std::io;

/// Which piece of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Its `<testcase>` element of the run's JUnit flavor, line break and indentation first.
    Testcase,
    /// The should-failures of a non-strict case, clean for XML but not escaped (the Ant flavor
    /// gathers them at suite level); empty for any other case.
    TestcaseOutput,
    /// Its object in the `cases` array of `report.json`, indented for that depth.
    Json,
    /// Its `<details>` section of `report.html`, the line break before it included.
    Html,
}

impl Part {
    /// Every part, in the order the spool keeps them.
    pub(crate) const ALL: [Part; 4] =
        [Part::Testcase, Part::TestcaseOutput, Part::Json, Part::Html];
}

/// Where the assembly of a file gets the pieces of the report's cases.
pub(crate) trait Pieces {
    /// Writes `part` of the report's case at `index` (its place in `RunReport::cases`).
    fn piece(&mut self, index: usize, part: Part, out: &mut dyn io::Write) -> io::Result<()>;
}
