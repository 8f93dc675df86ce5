//! `ucwa-conform` as a library: the commands, and the set-up the test targets share with
//! the binary (loading the suite, starting the embedded server, connecting to a target).

/// Prints a line to stdout, ignoring write errors: a reader that goes away (`| head`) must
/// neither panic the command nor change its exit code.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod args;
pub mod bench;
pub mod commands;
pub mod coverage;
pub mod embedded;
pub mod exit;
pub mod expected;
pub mod folders;
pub mod gate;
pub mod merge;
pub mod mutants;
pub mod partition;
pub mod record;
pub mod replay;
pub mod serve;
pub mod setup;
pub mod terminal;
pub mod variants;
