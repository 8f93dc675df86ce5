//! The server's own neutral resource tree (digest 5.2, 5.3): every resource, embedded resource
//! and event payload is built once as a [`Resource`] and then written in the negotiated format
//! by `writer`, so the two formats cannot drift apart.

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
    pub rel: String,
    pub href: String,
    pub links: Vec<(String, LinkVal)>,
    pub props: Vec<(String, Prop)>,
    pub embedded: Vec<(String, Embed)>,
}

impl Resource {
    pub(crate) fn new(rel: &str, href: impl Into<String>) -> Self {
        Self {
            rel: rel.to_owned(),
            href: href.into(),
            links: Vec::new(),
            props: Vec::new(),
            embedded: Vec::new(),
        }
    }

    pub(crate) fn link(mut self, rel: &str, href: impl Into<String>) -> Self {
        self.links.push((rel.to_owned(), LinkVal::One(href.into())));
        self
    }

    pub(crate) fn links(mut self, rel: &str, hrefs: Vec<String>) -> Self {
        self.links.push((rel.to_owned(), LinkVal::Many(hrefs)));
        self
    }

    pub(crate) fn prop(mut self, name: &str, value: Prop) -> Self {
        self.props.push((name.to_owned(), value));
        self
    }

    pub(crate) fn str(self, name: &str, value: impl Into<String>) -> Self {
        self.prop(name, Prop::Str(value.into()))
    }

    /// Adds a string property only when there is a value.
    pub(crate) fn opt_str(self, name: &str, value: Option<&String>) -> Self {
        match value {
            Some(v) => self.str(name, v.clone()),
            None => self,
        }
    }

    pub(crate) fn embed(mut self, key: &str, value: Embed) -> Self {
        self.embedded.push((key.to_owned(), value));
        self
    }
}
