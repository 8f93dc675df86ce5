//! `ucwa-conform bench`: whole-suite wall time against the embedded server, and the harness's
//! cost per request next to a bare hyper round trip.

use crate::args::BenchArgs;
use crate::exit;

/// Runs the benchmark and prints its table.
pub async fn cmd_bench(args: BenchArgs) -> i32 {
    let _ = args;
    eprintln!("error: bench is not built yet");
    exit::USAGE
}
