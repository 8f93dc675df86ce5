//! What a server is started with: its settings, user directory, fault profile and variants.
//! The bottom layer: nothing here knows a request, an application or a representation.

pub(crate) mod directory;
pub(crate) mod fault;
pub(crate) mod settings;
pub(crate) mod tls;
pub(crate) mod variant;
