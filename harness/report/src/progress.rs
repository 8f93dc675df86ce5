//! A live progress line on a terminal: runs done of the total, failures so far, and the
//! slowest run still going, redrawn in place on stderr. It wraps the console reporter: the
//! line is cleared before the console writes a case's line and drawn again after, both under
//! one lock, so the two never interleave. Hand-written (a carriage return and an erase) rather
//! than a crate: it must step aside around another writer's lines, and that is all it does.
//!
//! Only for a person at a terminal ([`progress_wanted`]): when stdout is not a terminal or
//! `CI` is set, nothing is drawn and the console's plain lines are all there is.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use harness_core::outcome::{EventSink, RunEvent};

use crate::detail::human_duration;

/// How often the slowest run's time is redrawn while nothing else happens.
pub const PROGRESS_TICK: Duration = Duration::from_millis(250);
/// The bar's width in characters.
const BAR: usize = 20;

/// Whether to draw: both stdout (the console's lines) and stderr (the bar) are terminals, and
/// `CI` is unset (or empty, `0`, `false`), since CI logs keep every redraw.
pub fn progress_wanted(stdout_tty: bool, stderr_tty: bool, ci: Option<&OsStr>) -> bool {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    stdout_tty && stderr_tty && !in_ci
}

/// What the line shows.
#[derive(Debug, Default)]
struct State {
    total: usize,
    done: usize,
    failed: usize,
    /// Running runs by plan position: name and start.
    running: HashMap<usize, (String, Instant)>,
    /// Whether the line is on screen (and must be erased before other output).
    drawn: bool,
    /// The run is over: the ticker stops.
    over: bool,
}

/// The line's writer and state, shared with the ticker thread.
struct Shared<W> {
    out: W,
    width: usize,
    state: State,
}

impl<W: io::Write> Shared<W> {
    fn clear(&mut self) {
        if self.state.drawn {
            // Back to the line's start and erase it: the console's next line takes its place.
            let _ = self.out.write_all(b"\r\x1b[2K");
            let _ = self.out.flush();
            self.state.drawn = false;
        }
    }

    fn draw(&mut self) {
        if self.state.over || self.state.total == 0 {
            return;
        }
        let line = render_line(&self.state, Instant::now(), self.width);
        let _ = self.out.write_all(format!("\r\x1b[2K{line}").as_bytes());
        let _ = self.out.flush();
        self.state.drawn = true;
    }
}

/// The progress line, without control characters, at most `width` characters.
fn render_line(state: &State, now: Instant, width: usize) -> String {
    let filled = (state.done * BAR).checked_div(state.total).unwrap_or(0);
    let mut line = format!(
        "[{}{}] {}/{}",
        "=".repeat(filled),
        " ".repeat(BAR - filled.min(BAR)),
        state.done,
        state.total
    );
    if state.failed > 0 {
        let _ = write!(line, "  {} failed", state.failed);
    }
    let slowest = state
        .running
        .values()
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    if let Some((name, started)) = slowest {
        let took = now.saturating_duration_since(*started).as_secs_f64();
        // The time before the name: a cut line loses the end of the name, not the time.
        let _ = write!(
            line,
            "  running {}, slowest {} {name}",
            state.running.len(),
            human_duration(took)
        );
    }
    // A line wider than the terminal wraps, and the erase would clear only its last part.
    line.chars().take(width.max(1)).collect()
}

/// The line's writer and state and the ticker's wake-up, shared with the ticker thread.
type Line<W> = Arc<(Mutex<Shared<W>>, Condvar)>;

/// Wraps a reporter (the console) with the progress line, written to `out` (stderr); or, made
/// with [`Progress::off`], passes every event through and draws nothing.
pub struct Progress<S, W: io::Write + Send + 'static> {
    inner: S,
    line: Option<Line<W>>,
    ticker: Option<JoinHandle<()>>,
}

impl<S: EventSink, W: io::Write + Send + 'static> Progress<S, W> {
    /// The line on `out`, at most `width` characters; `tick` redraws it while nothing happens
    /// (`None`: only on events, as tests want).
    pub fn new(inner: S, out: W, width: usize, tick: Option<Duration>) -> Self {
        let line: Line<W> = Arc::new((
            Mutex::new(Shared {
                out,
                width,
                state: State::default(),
            }),
            Condvar::new(),
        ));
        let ticker = tick.map(|every| {
            let line = line.clone();
            std::thread::spawn(move || {
                let (lock, wake) = &*line;
                let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                while !guard.state.over {
                    guard.draw();
                    // Woken early when the run ends; otherwise the next redraw is due.
                    guard = wake
                        .wait_timeout(guard, every)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            })
        });
        Progress {
            inner,
            line: Some(line),
            ticker,
        }
    }

    /// No line: `inner` alone.
    pub fn off(inner: S) -> Self {
        Progress {
            inner,
            line: None,
            ticker: None,
        }
    }
}

impl<S, W: io::Write + Send + 'static> Drop for Progress<S, W> {
    fn drop(&mut self) {
        let Some(line) = &self.line else { return };
        let (lock, wake) = &**line;
        let mut shared = lock.lock().unwrap_or_else(PoisonError::into_inner);
        shared.clear();
        shared.state.over = true;
        drop(shared);
        wake.notify_all();
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl<S: EventSink, W: io::Write + Send + 'static> EventSink for Progress<S, W> {
    fn on_event(&mut self, event: RunEvent<'_>) {
        let Some(line) = &self.line else {
            self.inner.on_event(event);
            return;
        };
        let (lock, wake) = &**line;
        let mut shared = lock.lock().unwrap_or_else(PoisonError::into_inner);
        shared.clear();
        self.inner.on_event(event);
        let state = &mut shared.state;
        match event {
            RunEvent::RunStarted { total, .. } => state.total = total,
            RunEvent::CaseStarted { position, name } => {
                state
                    .running
                    .insert(position, (name.to_owned(), Instant::now()));
            }
            RunEvent::CaseFinished { position, case } => {
                state.running.remove(&position);
                state.done += 1;
                if case.verdict.is_failure(false) {
                    state.failed += 1;
                }
            }
            RunEvent::RunFinished(_) => state.over = true,
        }
        shared.draw();
        let over = shared.state.over;
        drop(shared);
        if over {
            wake.notify_all();
        }
    }

    fn writes_cases_out(&self) -> bool {
        self.inner.writes_cases_out()
    }
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{CaseOutcome, TargetInfo, Verdict};

    use super::*;

    /// A writer into a buffer the test keeps a handle to.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("buffer")).into_owned()
        }
    }

    impl io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A reporter that writes each event's kind into the same buffer as the line.
    struct Lines(Buffer);

    impl EventSink for Lines {
        fn on_event(&mut self, event: RunEvent<'_>) {
            use io::Write as _;
            let word = match event {
                RunEvent::RunStarted { .. } => "started",
                RunEvent::CaseStarted { .. } => return,
                RunEvent::CaseFinished { .. } => "finished",
                RunEvent::RunFinished(_) => "over",
            };
            let _ = writeln!(self.0, "<{word}>");
        }
    }

    fn case(verdict: Verdict) -> CaseOutcome {
        CaseOutcome {
            name: "a/json".to_owned(),
            case_id: "a".to_owned(),
            row: None,
            format: Format::Json,
            title: String::new(),
            file: String::new(),
            line: 1,
            level: Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: None,
            duration_secs: 0.0,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    #[test]
    fn drawn_only_for_a_terminal_outside_ci() {
        assert!(progress_wanted(true, true, None));
        assert!(progress_wanted(true, true, Some(OsStr::new("false"))));
        assert!(progress_wanted(true, true, Some(OsStr::new(""))));
        assert!(!progress_wanted(true, true, Some(OsStr::new("true"))));
        assert!(!progress_wanted(false, true, None));
        assert!(!progress_wanted(true, false, None));
    }

    #[test]
    fn the_line_is_erased_before_other_output_and_shows_counts_and_the_slowest() {
        let screen = Buffer::default();
        let mut progress = Progress::new(Lines(screen.clone()), screen.clone(), 200, None);
        let target = TargetInfo {
            url: "u".to_owned(),
            kind: "k".to_owned(),
            capabilities: vec![],
            retries: vec![],
        };
        progress.on_event(RunEvent::RunStarted {
            total: 4,
            target: &target,
        });
        progress.on_event(RunEvent::CaseStarted {
            position: 0,
            name: "first/json",
        });
        progress.on_event(RunEvent::CaseStarted {
            position: 1,
            name: "second/xml",
        });
        progress.on_event(RunEvent::CaseFinished {
            position: 1,
            case: &case(Verdict::Fail),
        });
        let text = screen.text();
        // The reporter's line starts where the bar was, erased, never after the bar's text.
        assert!(text.starts_with("<started>\n"), "{text:?}");
        assert!(text.contains("\r\x1b[2K<finished>\n"), "{text:?}");
        assert_eq!(text.matches('<').count(), 2, "{text:?}");
        let last = text.rsplit('\r').next().unwrap_or_default();
        assert!(
            last.starts_with("\x1b[2K[=====               ] 1/4  1 failed  running 1, slowest ")
                && last.ends_with(" first/json"),
            "{last:?}"
        );
        drop(progress);
        // Dropped (the run over): the line is gone.
        assert!(screen.text().ends_with("\r\x1b[2K"), "{:?}", screen.text());
    }

    #[test]
    fn the_line_fits_the_width() {
        let mut state = State {
            total: 2,
            ..State::default()
        };
        state.running.insert(0, ("x".repeat(300), Instant::now()));
        let line = render_line(&state, Instant::now(), 40);
        assert_eq!(line.chars().count(), 40);
    }

    #[test]
    fn off_passes_through_and_draws_nothing() {
        let screen = Buffer::default();
        let mut progress: Progress<Lines, Buffer> = Progress::off(Lines(screen.clone()));
        progress.on_event(RunEvent::CaseFinished {
            position: 0,
            case: &case(Verdict::Pass),
        });
        drop(progress);
        assert_eq!(screen.text(), "<finished>\n");
    }
}
