//! The canonical UCWA tree: one format-neutral form for JSON and XML bodies (resources,
//! event-channel responses, errors and request input), the writers that send one case body
//! in both formats, and the comparator that implements the JSON/XML equivalence rule of the
//! protocol digest (section 5.4). Everything here is pure: it only parses the bytes it is given.

mod diff;
mod document;
mod error;
mod error_body;
mod events;
mod href;
mod input;
mod resource;
mod scalar;
mod xml_tree;

pub use diff::{ABSENT, Difference, diff, diff_errors, diff_events, diff_inputs, diff_resources};
pub use document::Document;
pub use error::{CanonError, CanonErrorKind, Format};
pub use error_body::ErrorBody;
pub use events::{EVENT_KINDS, Event, Events, RelLink, Sender};
pub use href::hrefs_equal;
pub use input::{Input, input_to_json, input_to_xml};
pub use resource::{Link, Resource, is_put_token_name};
pub use scalar::{
    DATE_TOLERANCE_MS, Scalar, format_iso8601, normalize_decimal, parse_aspnet_date, parse_iso8601,
};
pub use xml_tree::UCWA_NS;
