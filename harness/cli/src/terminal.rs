//! What `run` writes to the terminal: the console reporter on stdout (coloured on a terminal
//! unless `NO_COLOR`), wrapped in the progress line on stderr when a person is watching.

use std::io::{IsTerminal, Stderr, Stdout};

use harness_core::secret::SecretValues;
use harness_report::{ConsoleOptions, ConsoleReporter, PROGRESS_TICK, Progress, progress_wanted};

/// The console of a run, with the progress line when stdout and stderr are terminals and
/// `CI` is unset.
pub fn console(verbose: bool, secrets: SecretValues) -> Progress<ConsoleReporter<Stdout>, Stderr> {
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let color = tty && std::env::var_os("NO_COLOR").is_none();
    let console =
        ConsoleReporter::new(stdout, ConsoleOptions { color, verbose }).with_secrets(secrets);
    let ci = std::env::var_os("CI");
    if progress_wanted(tty, std::io::stderr().is_terminal(), ci.as_deref()) {
        Progress::new(console, std::io::stderr(), width(), Some(PROGRESS_TICK))
    } else {
        Progress::off(console)
    }
}

/// `COLUMNS` when the shell exports it, else the classic 80, less one: the line must not wrap,
/// or its erase would clear only its last part.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(80)
        .saturating_sub(1)
}
