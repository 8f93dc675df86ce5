//! `ucwa-conform` as a library: the commands, and the set-up the test targets share with
//! the binary (loading the suite, starting the embedded server, connecting to a target).

pub mod args;
pub mod bench;
pub mod commands;
pub mod coverage;
pub mod exit;
pub mod mutants;
pub mod setup;
