//! The server's own neutral resource tree (digest 5.2, 5.3): every resource, embedded resource
//! and event payload is built once as a [`Resource`] and then written in the negotiated format
//! by `writer`, so the two formats cannot drift apart.

use std::borrow::Cow;

/// A property value.
#[derive(Debug, Clone)]
pub(crate) enum Prop {
    Str(String),
    Bool(bool),
    /// Milliseconds since the Unix epoch: `/Date(ms)/` in JSON, ISO 8601 in XML.
    Date(i64),
    List(Vec<String>),
}

/// A link value: one link, or a link array (JSON always an array, even with one element).
#[derive(Debug, Clone)]
pub(crate) enum LinkVal {
    One(String),
    Many(Vec<String>),
}

/// An embedded value: one resource or an array of them.
#[derive(Debug, Clone)]
pub(crate) enum Embed {
    One(Resource),
    Many(Vec<Resource>),
}

/// One UCWA resource: rel, self href, links, properties, embedded resources.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// Borrowed but for a group's rel, which the directory names.
    pub rel: Cow<'static, str>,
    pub href: String,
    pub links: Vec<(&'static str, LinkVal)>,
    pub props: Vec<(&'static str, Prop)>,
    pub embedded: Vec<(&'static str, Embed)>,
}

impl Resource {
    pub(crate) fn new(rel: impl Into<Cow<'static, str>>, href: impl Into<String>) -> Self {
        Self {
            rel: rel.into(),
            href: href.into(),
            links: Vec::new(),
            props: Vec::new(),
            embedded: Vec::new(),
        }
    }

    pub(crate) fn link(mut self, rel: &'static str, href: impl Into<String>) -> Self {
        self.links.push((rel, LinkVal::One(href.into())));
        self
    }

    pub(crate) fn links(mut self, rel: &'static str, hrefs: Vec<String>) -> Self {
        self.links.push((rel, LinkVal::Many(hrefs)));
        self
    }

    pub(crate) fn prop(mut self, name: &'static str, value: Prop) -> Self {
        self.props.push((name, value));
        self
    }

    pub(crate) fn str(self, name: &'static str, value: impl Into<String>) -> Self {
        self.prop(name, Prop::Str(value.into()))
    }

    /// Adds a string property only when there is a value.
    pub(crate) fn opt_str(self, name: &'static str, value: Option<&String>) -> Self {
        match value {
            Some(v) => self.str(name, v.clone()),
            None => self,
        }
    }

    pub(crate) fn embed(mut self, key: &'static str, value: Embed) -> Self {
        self.embedded.push((key, value));
        self
    }
}
