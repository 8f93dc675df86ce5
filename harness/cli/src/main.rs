//! The `ucwa-conform` binary.

use clap::Parser;
use harness_cli::args::Cli;

fn main() {
    let cli = Cli::parse();
    let code = harness_cli::commands::dispatch(cli);
    std::process::exit(code);
}
