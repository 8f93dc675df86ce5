//! Reporters of ucwa-conform: the console (live progress, failure detail, summary), JUnit XML
//! for CI (common and Ant flavors, both written with quick-xml), `report.json` and
//! `report.html` (an askama template). A run streams the files: each case's part of them is
//! spooled as it finishes (`spool`), and the files are put together at the end.
//!
//! Reporters learn everything from the outcome types and run events of `harness_core::outcome`;
//! they never see runner internals. Everything they write is redacted once more and, for XML,
//! cleaned of characters XML 1.0 forbids; escaping is left to quick-xml and askama.

mod console;
mod detail;
mod files;
mod html;
mod json;
mod junit;
mod piece;
mod progress;
mod render;
mod sanitize;
mod spool;
mod tee;

pub use console::{ConsoleOptions, ConsoleReporter};
pub use files::{HTML_FILE, JSON_FILE, JUNIT_FILE, MUTANTS_FILE, WriteError};
pub use html::Proofs;
pub use junit::{JunitFlavor, JunitOptions};
pub use progress::{PROGRESS_TICK, Progress, progress_wanted};
pub use render::{junit_string, write_html, write_json, write_junit, write_junit_with};
pub use sanitize::{REDACTED, redact};
pub use spool::{ReportSpool, write_reports, write_reports_with};
pub use tee::Tee;
