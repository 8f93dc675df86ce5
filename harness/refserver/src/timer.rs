//! The per-application timer task: sleeps until the earliest deadline on the application
//! clock (or a change), fires what is due, and ends with the application. Nothing here reads
//! the wall clock or sleeps for a fixed time.

use std::sync::Arc;

use crate::app::Hrefs;
use crate::state::{App, Server};

pub(crate) async fn run(server: Arc<Server>, app: Arc<App>) {
    let mut stop = server.stop.subscribe();
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        // Registered before the state is read, so no change between the two is missed.
        notified.as_mut().enable();
        let wake = {
            let mut st = app.lock();
            let changed = st.tick(&server, Hrefs(&app.base));
            if st.deleted {
                drop(st);
                server.remove_app(&app.id);
                app.notify.notify_waiters();
                return;
            }
            let wake = st.next_wake(&server);
            drop(st);
            if changed {
                // Wake a parked P-GET for the events this tick queued.
                app.notify.notify_waiters();
                continue;
            }
            wake
        };
        tokio::select! {
            () = &mut notified => {}
            () = sleep_until(wake) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await, // sleep-ok: the timer deadline itself
        None => std::future::pending().await,
    }
}
