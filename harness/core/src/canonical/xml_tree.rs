//! A minimal element tree built from quick-xml events, so the canonical mappers can look at
//! children in any order and report element paths and byte offsets.

use std::borrow::Cow;
use std::fmt::Write as _;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::error::{CanonError, CanonErrorKind};

/// The UCWA namespace every resource, input, events and reason element must be in.
pub const UCWA_NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// One element: resolved namespace, local name, attributes (namespace declarations dropped,
/// keys as written), children and the concatenated text directly inside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Borrowed when it is the UCWA namespace, as nearly every element's is.
    pub ns: Option<Cow<'static, str>>,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    /// XPath-like location: `/resource/link[2]`.
    pub path: String,
    /// Byte offset of the `<`.
    pub offset: u64,
}

impl Element {
    /// An attribute value by its written key.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// An error located at this element.
    pub fn error(&self, kind: CanonErrorKind) -> CanonError {
        CanonError::xml(self.path.clone(), self.offset, kind)
    }

    /// Fails unless the element is in the UCWA namespace.
    pub fn require_ucwa(&self) -> Result<(), CanonError> {
        if self.ns.as_deref() == Some(UCWA_NS) {
            Ok(())
        } else {
            Err(self.error(CanonErrorKind::WrongNamespace {
                element: self.name.clone(),
                found: self.ns.as_deref().map(str::to_owned),
            }))
        }
    }

    /// Fails if the element holds non-whitespace text (containers only hold elements).
    pub fn require_no_text(&self) -> Result<(), CanonError> {
        let text = self.text.trim();
        if text.is_empty() {
            Ok(())
        } else {
            Err(self.error(CanonErrorKind::UnexpectedText(
                text.chars().take(40).collect(),
            )))
        }
    }

    /// A required attribute, or the given error kind.
    pub fn required(&self, key: &str, missing: CanonErrorKind) -> Result<String, CanonError> {
        self.attr(key)
            .map(str::to_owned)
            .ok_or_else(|| self.error(missing))
    }

    /// `xsi:nil="true"` (any prefix bound by convention to XMLSchema-instance).
    pub fn is_nil(&self) -> bool {
        self.attrs
            .iter()
            .any(|(k, v)| k.ends_with(":nil") && v == "true")
    }
}

struct Open {
    element: Element,
    /// How many children of each name were seen, for the `[n]` in paths.
    seen: Vec<(String, usize)>,
}

impl Open {
    fn child_path(&mut self, name: &str) -> String {
        let count = match self.seen.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => {
                *c += 1;
                *c
            }
            None => {
                self.seen.push((name.to_owned(), 1));
                1
            }
        };
        // Sized once: `format!` guesses small and grows, a second allocation per element.
        let parent = &self.element.path;
        let mut path = String::with_capacity(parent.len() + name.len() + 24);
        path.push_str(parent);
        path.push('/');
        path.push_str(name);
        if count > 1 {
            // Writing to a String cannot fail.
            let _ = write!(path, "[{count}]");
        }
        path
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse_document(text: &str) -> Result<Element, CanonError> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Element> = None;
    let syntax = |offset: u64, path: &str, message: String| {
        CanonError::xml(
            if path.is_empty() { "/" } else { path },
            offset,
            CanonErrorKind::XmlSyntax { message },
        )
    };
    loop {
        let start = reader.buffer_position();
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolved_ns(&ns), event),
            Err(e) => {
                return Err(syntax(
                    reader.error_position(),
                    open_path(&stack),
                    e.to_string(),
                ));
            }
        };
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                if root.is_some() {
                    return Err(syntax(start, "/", "content after the root element".into()));
                }
                let mut element = start_element(tag, resolved, start, open_path(&stack))?;
                element.path = match stack.last_mut() {
                    Some(parent) => parent.child_path(&element.name),
                    None => format!("/{}", element.name),
                };
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(Open {
                        element,
                        seen: Vec::new(),
                    });
                }
            }
            Event::End(_) => match stack.pop() {
                Some(open) => close(&mut stack, &mut root, open.element),
                None => return Err(syntax(start, "/", "unmatched end tag".into())),
            },
            Event::Text(t) => push_text(
                &mut stack,
                &root,
                &t.xml_content(XmlVersion::Implicit1_0),
                start,
            )?,
            Event::CData(t) => push_text(
                &mut stack,
                &root,
                &t.xml_content(XmlVersion::Implicit1_0),
                start,
            )?,
            Event::GeneralRef(r) => {
                let resolved_text = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            return Err(syntax(
                                start,
                                open_path(&stack),
                                format!("invalid character reference &{};", &*r),
                            ));
                        }
                    }
                } else {
                    match resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(syntax(
                                start,
                                open_path(&stack),
                                format!("unknown entity &{};", &*r),
                            ));
                        }
                    }
                };
                push_text(&mut stack, &root, &resolved_text, start)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        let message = format!("unclosed element <{}>", open.element.name);
        return Err(syntax(
            reader.buffer_position(),
            &open.element.path,
            message,
        ));
    }
    root.ok_or_else(|| syntax(0, "/", "no root element".into()))
}

/// The path of the innermost open element (`""` outside the root), for errors.
fn open_path(stack: &[Open]) -> &str {
    stack.last().map_or("", |open| open.element.path.as_str())
}

fn resolved_ns(ns: &ResolveResult<'_>) -> Result<Option<Cow<'static, str>>, String> {
    match ns {
        ResolveResult::Bound(ns) if ns.0 == UCWA_NS => Ok(Some(Cow::Borrowed(UCWA_NS))),
        ResolveResult::Bound(ns) => Ok(Some(Cow::Owned(ns.0.to_owned()))),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(format!("unknown namespace prefix '{prefix}'")),
    }
}

fn start_element(
    tag: &BytesStart<'_>,
    ns: Result<Option<Cow<'static, str>>, String>,
    offset: u64,
    parent_path: &str,
) -> Result<Element, CanonError> {
    let name = tag.local_name().as_ref().to_owned();
    let here = || format!("{parent_path}/{name}");
    let ns = ns.map_err(|message| {
        CanonError::xml(here(), offset, CanonErrorKind::XmlSyntax { message })
    })?;
    let mut attrs = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| {
            CanonError::xml(
                here(),
                offset,
                CanonErrorKind::XmlSyntax {
                    message: e.to_string(),
                },
            )
        })?;
        let key: &str = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                CanonError::xml(
                    here(),
                    offset,
                    CanonErrorKind::XmlSyntax {
                        message: e.to_string(),
                    },
                )
            })?;
        attrs.push((key.to_owned(), value.into_owned()));
    }
    Ok(Element {
        ns,
        name,
        attrs,
        offset,
        ..Element::default()
    })
}

fn close(stack: &mut [Open], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.element.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(
    stack: &mut [Open],
    root: &Option<Element>,
    text: &str,
    offset: u64,
) -> Result<(), CanonError> {
    match stack.last_mut() {
        Some(open) => {
            open.element.text.push_str(text);
            Ok(())
        }
        // Whitespace around the root is fine; anything else is not XML.
        None if text.trim().is_empty() => Ok(()),
        None => {
            let where_ = if root.is_some() { "after" } else { "before" };
            Err(CanonError::xml(
                "/",
                offset,
                CanonErrorKind::XmlSyntax {
                    message: format!("text {where_} the root element"),
                },
            ))
        }
    }
}
