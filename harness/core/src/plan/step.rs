//! The compiled steps of a case: one action each, with its checks, captures and event
//! expectations, names and lines settled.

use std::collections::BTreeMap;

use super::query::{Check, Query};
use super::template::{Template, ValueTemplate};
use super::vars::VarTable;
use std::time::Duration;

use crate::model::{Auth, BodyExpect, Level, Method};

/// A case compiled: its steps in order.
#[derive(Debug, Clone, Default)]
pub struct CasePlan {
    /// The steps, run in order.
    pub steps: Vec<PlanStep>,
    /// Whether a check counts `$.embedded.presenceSubscription[*]`, so the run must learn the
    /// subscriptions the application held before the case began.
    pub counts_subscriptions: bool,
    /// Every variable the case uses, with its slot.
    pub vars: VarTable,
}

/// One step of a plan.
#[derive(Debug, Clone)]
pub struct PlanStep {
    /// Its name (written or `step-N`).
    pub name: String,
    /// The line of the step in its file (its name, else its request's link or href, else its
    /// `await`; 0 when none is written).
    pub line: u64,
    /// What the step does.
    pub action: StepAction,
    /// Run only when an earlier step ended with one of these statuses.
    pub when: Option<Box<WhenPlan>>,
    /// What must hold (`expect`, at the case's level) and what should (`prefer`).
    pub expectations: Vec<Expectation>,
    /// Whether a request or `await` step names a status anywhere: without one it must get a
    /// success (2xx).
    pub status_given: bool,
    /// Variables taken from the response: name, slot and query, in written order.
    pub captures: Vec<(String, usize, Query)>,
    /// The slot of `steps.NAME.status`, when a later step reads it (a long case's steps mostly
    /// are not read so, and each slot costs every run of the case).
    pub status_slot: Option<usize>,
    /// Event-channel entries expected or forbidden after the step.
    pub events: Option<Box<EventsPlan>>,
    /// Fetch the same URL in the other format and compare (a GET request only).
    pub parity: bool,
    /// Compare the canonical tree with a stored snapshot.
    pub snapshot: Option<SnapshotPlan>,
}

/// What a step does: exactly one of three.
#[derive(Debug, Clone)]
pub enum StepAction {
    /// An HTTP request; `background` sends it and goes on (a later `await` checks it).
    Request {
        /// The request.
        request: RequestPlan,
        /// Send and go on.
        background: bool,
    },
    /// A test-control action.
    Control(ControlAction),
    /// Wait for the response of an earlier background step.
    Await {
        /// The awaited step's index.
        step: usize,
        /// Its name.
        name: String,
    },
}

/// A test-control action (design section 8).
#[derive(Debug, Clone)]
pub enum ControlAction {
    /// Advance the application's clock by this many seconds.
    Clock(ValueTemplate),
    /// Change a contact's presence.
    Presence {
        /// The contact.
        uri: Template,
        /// The new availability.
        availability: String,
        /// The activity, when given.
        activity: Option<String>,
    },
    /// Make the next requests of an operation fail.
    Condition {
        /// One of `CONDITIONS` (a template a table row may set).
        name: Template,
        /// One of `OPERATIONS` (a template).
        operation: Template,
        /// How many requests.
        times: u32,
    },
    /// Create a system-owned subscription.
    SystemSubscription {
        /// Its contacts.
        uris: Vec<Template>,
    },
}

/// An HTTP request with its templates parsed.
#[derive(Debug, Clone)]
pub struct RequestPlan {
    /// The method.
    pub method: Method,
    /// Where it goes: a session link by name (`link:`), or an href template.
    pub target: RequestTarget,
    /// Query parameters (values are templates).
    pub query: Vec<(String, ValueTemplate)>,
    /// Extra headers (values are templates).
    pub headers: Vec<(String, Template)>,
    /// The body.
    pub body: RequestBody,
    /// Credentials.
    pub auth: Auth,
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub enum RequestTarget {
    /// A link the session discovered, by name, and its slot.
    Link(String, usize),
    /// An href template.
    Href(Template),
}

/// A request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// None.
    None,
    // Boxed: a long case holds thousands of plans, and most of their requests have no body.
    /// Written once, sent as JSON or UCWA XML `<input>` by the run's format.
    Value(Box<ValueTemplate>),
    /// Sent as it is.
    Raw(Box<RawBodyPlan>),
    /// `application/x-www-form-urlencoded`.
    Form(BTreeMap<String, Template>),
}

/// A body sent as it is: the text for each format (templates) and the Content-Type, if any.
#[derive(Debug, Clone)]
pub struct RawBodyPlan {
    /// The Content-Type header.
    pub content_type: Option<Template>,
    /// The text in JSON runs.
    pub json: Option<Template>,
    /// The text in XML runs.
    pub xml: Option<Template>,
}

/// A condition on an earlier step's status.
#[derive(Debug, Clone)]
pub struct WhenPlan {
    /// The earlier step's index.
    pub step: usize,
    /// Its name.
    pub name: String,
    /// The statuses that let this step run.
    pub status: Vec<u16>,
}

/// The media type a response must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaTypeExpect {
    /// Any (the default format check is off).
    Any,
    /// This one, without parameters.
    Is(String),
}

/// What must hold of a response at one level: `expect` or `prefer`.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The level of these checks.
    pub level: Level,
    /// The accepted statuses: a code, a list, a template or `any`.
    pub status: Option<ValueTemplate>,
    /// The media type.
    pub media_type: Option<MediaTypeExpect>,
    /// Whether a body must be there.
    pub body: Option<BodyExpect>,
    /// Header checks (kind `header`), run with the plain checks.
    pub headers: Vec<Check>,
    /// The `resource:` shorthand, compiled (kind `resource`); `Some` means a UCWA resource
    /// body is required.
    pub resource: Option<Vec<Check>>,
    /// The UCWA error body.
    pub error: Option<Box<ErrorPlan>>,
    /// `select` checks (kind `select`).
    pub select: Vec<Check>,
    /// Whether the body must be a well-formed UCWA document (a resource or error shorthand,
    /// parity or a snapshot).
    pub ucwa_body: bool,
}

/// Expectations on a UCWA error body (digest 4.1); its code must also match the status.
#[derive(Debug, Clone)]
pub struct ErrorPlan {
    /// The code.
    pub code: Option<Template>,
    /// The subcode.
    pub subcode: Option<Template>,
    /// A parameter the body's `parameters` must name.
    pub parameter: Option<Template>,
}

/// What must (or must not) arrive on the event channel after a step.
#[derive(Debug, Clone)]
pub struct EventsPlan {
    /// How long to wait for the expected entries.
    pub within: Duration,
    /// The wait as written, for messages.
    pub within_text: String,
    /// The expected entries must arrive in this order.
    pub ordered: bool,
    /// Entries that must arrive.
    pub expect: Vec<EventPattern>,
    /// Entries that must not arrive before the barrier.
    pub forbid: Vec<EventPattern>,
    /// Entries that need not arrive, but must fit whole when their kind does.
    pub if_any: Vec<EventPattern>,
    /// Compare the matched events with a stored snapshot.
    pub snapshot: bool,
}

/// A pattern for event-channel entries; every given field must match.
#[derive(Debug, Clone)]
pub struct EventPattern {
    /// added, updated, deleted, started, completed.
    pub kind: String,
    /// The rel of the event's link.
    pub rel: String,
    /// The link's href.
    pub href: Option<Template>,
    /// The sender's rel.
    pub sender: Option<String>,
    /// The rel of the `in` link, or `none`.
    pub in_rel: Option<String>,
    /// The rel of an embedded resource the event must carry.
    pub embedded: Option<String>,
    /// How many times the entry must occur.
    pub count: usize,
}

/// A snapshot comparison with extra redactions.
#[derive(Debug, Clone)]
pub struct SnapshotPlan {
    /// JSONPaths whose values are replaced by `[redacted]`.
    pub redact: Vec<String>,
}

impl PlanStep {
    /// The request of a request step.
    pub fn request(&self) -> Option<&RequestPlan> {
        match &self.action {
            StepAction::Request { request, .. } => Some(request),
            _ => None,
        }
    }

    /// The control action of a control step.
    pub fn control(&self) -> Option<&ControlAction> {
        match &self.action {
            StepAction::Control(control) => Some(control),
            _ => None,
        }
    }
}
