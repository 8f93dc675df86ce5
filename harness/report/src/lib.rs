//! Reporters of ucwa-conform: the console (live progress, failure detail, summary), JUnit XML
//! for CI (common and Ant flavors, both written with quick-xml), `report.json` and
//! `report.html` (an askama template).
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
mod sanitize;

pub use console::{ConsoleOptions, ConsoleReporter};
pub use files::{HTML_FILE, JSON_FILE, JUNIT_FILE, MUTANTS_FILE, WriteError, write_reports};
pub use html::{Proofs, write_html};
pub use json::write_json;
pub use junit::{JunitFlavor, JunitOptions, junit_string, write_junit, write_junit_with};
pub use sanitize::{REDACTED, redact};
