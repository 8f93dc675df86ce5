//! Two reporters hearing one run: the console and the report spool, in `ucwa-conform run`.

use harness_core::outcome::{EventSink, RunEvent};

/// Tells both sinks every event, the first first.
#[derive(Debug)]
pub struct Tee<A, B> {
    /// Hears each event first.
    pub first: A,
    /// Hears each event second.
    pub second: B,
}

impl<A: EventSink, B: EventSink> EventSink for Tee<A, B> {
    fn on_event(&mut self, event: RunEvent<'_>) {
        self.first.on_event(event);
        self.second.on_event(event);
    }

    /// Either writes the cases out: the other must then need no case's details at the end
    /// (the console keeps its own account of the failures).
    fn writes_cases_out(&self) -> bool {
        self.first.writes_cases_out() || self.second.writes_cases_out()
    }
}
