//! How cases change a contact's presence on a target, and what the second account's way keeps
//! for the run (crate::presence acts on it).

use tokio::sync::{Mutex, OwnedMutexGuard};
use url::Url;

/// How the presence of a case's contact changes on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceWay {
    /// `POST /_conform/presence`: any contact, seen by the case's application alone.
    Control,
    /// The second account sets its own presence: every watcher of it sees the change.
    SecondAccount,
}

impl PresenceWay {
    /// How a step says which way it took.
    pub fn describe(self) -> &'static str {
        match self {
            PresenceWay::Control => "through the test-control protocol",
            PresenceWay::SecondAccount => {
                "as the contact itself: the second account's own me/presence (UCWA)"
            }
        }
    }
}

/// The second account's own application, made available once and kept for the run, and the
/// turn that presence cases take one at a time on this way: the presence it sets is the
/// user's, seen by every watcher, so two cases changing it at once would see each other's.
#[derive(Debug, Default)]
pub struct OwnPresence {
    /// The application's self href and its `me/presence` href, once made.
    pub(crate) made: Mutex<Option<(Url, Url)>>,
    turn: std::sync::Arc<Mutex<()>>,
}

impl OwnPresence {
    /// Waits for this case's turn; held until the case ends.
    pub async fn turn(&self) -> OwnedMutexGuard<()> {
        self.turn.clone().lock_owned().await
    }
}
