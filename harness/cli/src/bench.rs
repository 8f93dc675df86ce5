//! `ucwa-conform bench`: whole-suite wall time against the embedded server and the harness's
//! cost per request next to a bare hyper round trip; with `--vs-hurl`, issue 13's side-by-side
//! benchmark against Hurl, whole process against whole process.
//!
//! The speed goals are checked here, by a person reading the table, and never by timed
//! assertions in tests: shared CI machines make such tests flaky.

mod bare;
mod figures;
mod machine;
mod options;
mod per_request;
mod render;
mod statistics;
mod suite;
mod units;
mod vs_hurl;

#[cfg(test)]
mod tests;

pub use figures::{PerRequest, WholeSuite};
pub use machine::Machine;
pub use render::BenchReport;
pub use statistics::Percentiles;
pub use vs_hurl::{Phases, SizeFigures, Tool, VsHurlReport};

use crate::args::BenchArgs;

/// Runs the benchmark that `args` asks for and prints its tables.
pub async fn cmd_bench(args: BenchArgs) -> i32 {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; its figures say nothing about the targets \
             (hint: cargo build --release -p harness-cli)"
        );
    }
    if args.vs_hurl {
        vs_hurl::cmd_vs_hurl(args).await
    } else {
        suite::cmd_suite_bench(args).await
    }
}
