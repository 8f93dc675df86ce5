//! The comparator: digest 5.4 rules 1–9 over canonical trees, reporting every difference
//! with a path into the tree (`_embedded.presenceSubscription[0].properties.id`).

mod difference;
mod document;
mod error_body;
mod events;
mod resource;

pub use self::difference::{ABSENT, Difference};
pub use self::document::diff;
pub use self::error_body::diff_errors;
pub use self::events::diff_events;
pub use self::resource::{diff_inputs, diff_resources};
