//! The handlers below `…/people`: the subscriptions, their memberships, and the contacts and
//! groups a subscription is made of.

pub(crate) mod contacts;
pub(crate) mod fault_answers;
pub(crate) mod memberships;
pub(crate) mod rules;
pub(crate) mod subscription;
pub(crate) mod subscription_input;
pub(crate) mod subscriptions;
