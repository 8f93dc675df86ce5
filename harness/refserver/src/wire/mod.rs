//! The representations: the resource tree and its JSON and XML writers, the shapes the
//! variants give them, the views built from the domain, event bodies, error bodies, request
//! bodies read in, content negotiation, and the fault profiles that spoil a finished body.
//! It reads the domain and knows no request routing.

pub(crate) mod body_fault;
pub(crate) mod error;
pub(crate) mod event_body;
pub(crate) mod format;
pub(crate) mod input;
pub(crate) mod multipart;
pub(crate) mod reshape;
pub(crate) mod resource;
pub(crate) mod shape;
pub(crate) mod views;
pub(crate) mod writer;
