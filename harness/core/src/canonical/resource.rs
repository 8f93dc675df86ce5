//! The canonical resource tree (digest 5.2, 5.3) and its two readers.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::{CanonError, CanonErrorKind, Format, JsonAt, json_type, utf8};
use super::scalar::Scalar;
use super::xml_tree::{Element, parse_document};

/// A non-self link. XML cannot tell a single link from a one-element array, so links are
/// always kept in a `Vec` per rel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// Target URL, absolute or relative, as written.
    pub href: String,
    /// Optional `title` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Optional `revision` attribute (JSON numbers are kept as their text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// One UCWA resource, independent of the format it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resource {
    /// The resource type (`rel`); not repeated in `properties`.
    pub rel: String,
    /// The self link (JSON `_links.self.href`, XML `href` attribute).
    pub self_href: Option<String>,
    /// Scalar properties by name.
    pub properties: BTreeMap<String, Scalar>,
    /// Array properties (XML `<propertyList>`), in order.
    pub lists: BTreeMap<String, Vec<Scalar>>,
    /// Links by rel, self excluded.
    pub links: BTreeMap<String, Vec<Link>>,
    /// Embedded resources by key (JSON `_embedded` key, XML nested `rel`), in document order.
    pub embedded: BTreeMap<String, Vec<Resource>>,
}

/// Whether a property name is a random per-representation PUT token (a GUID such as
/// `56de7bbf-1081-43e6-bbf2-1cabf3224c83`, digest 5.2 and 5.4 rule 9).
pub fn is_put_token_name(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Resource {
    /// Parses a JSON body (bytes) into a resource.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Resource, CanonError> {
        let value = parse_json(bytes)?;
        Resource::from_json(&value)
    }

    /// Maps a JSON resource object.
    pub fn from_json(value: &Value) -> Result<Resource, CanonError> {
        resource_from_json(value, JsonAt::Root)
    }

    /// Parses an XML body whose root is `<resource>` in the UCWA namespace.
    pub fn from_xml(text: &str) -> Result<Resource, CanonError> {
        let root = parse_document(text)?;
        expect_root(&root, "resource", "<resource>")?;
        resource_from_element(&root)
    }

    /// Like [`Resource::from_xml`], from bytes (rejects invalid UTF-8).
    pub fn from_xml_bytes(bytes: &[u8]) -> Result<Resource, CanonError> {
        Resource::from_xml(utf8(Format::Xml, bytes)?)
    }

    /// The snapshot form: identical whichever format the resource came from. Keys are sorted,
    /// empty sections are left out, scalars are their [`Scalar::neutral_text`], links are sorted and
    /// written as a bare href unless they carry a title or revision, and PUT-token property
    /// names (random GUIDs) are replaced by `<put-token>` so snapshots stay stable.
    pub fn to_json_value(&self) -> Value {
        let mut out = Map::new();
        out.insert("rel".into(), Value::String(self.rel.clone()));
        if let Some(href) = &self.self_href {
            out.insert("self".into(), Value::String(href.clone()));
        }
        if !self.properties.is_empty() {
            let mut props: Vec<(String, Value)> = Vec::new();
            let mut tokens = 0;
            for (name, value) in &self.properties {
                let key = if is_put_token_name(name) {
                    tokens += 1;
                    if tokens == 1 {
                        "<put-token>".to_owned()
                    } else {
                        format!("<put-token#{tokens}>")
                    }
                } else {
                    name.clone()
                };
                props.push((key, scalar_value(value)));
            }
            props.sort_by(|a, b| a.0.cmp(&b.0));
            out.insert(
                "properties".into(),
                Value::Object(props.into_iter().collect()),
            );
        }
        if !self.lists.is_empty() {
            let lists = self
                .lists
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(scalar_value).collect()));
            out.insert("lists".into(), Value::Object(lists.collect()));
        }
        if !self.links.is_empty() {
            let links = self.links.iter().map(|(rel, links)| {
                let mut sorted = links.clone();
                sorted.sort();
                (
                    rel.clone(),
                    Value::Array(sorted.iter().map(link_value).collect()),
                )
            });
            out.insert("links".into(), Value::Object(links.collect()));
        }
        if !self.embedded.is_empty() {
            let embedded = self.embedded.iter().map(|(k, v)| {
                (
                    k.clone(),
                    Value::Array(v.iter().map(Resource::to_json_value).collect()),
                )
            });
            out.insert("embedded".into(), Value::Object(embedded.collect()));
        }
        Value::Object(out)
    }
}

/// Serialised in the snapshot form of [`Resource::to_json_value`].
impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

fn scalar_value(scalar: &Scalar) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        other => Value::String(other.neutral_text()),
    }
}

fn link_value(link: &Link) -> Value {
    if link.title.is_none() && link.revision.is_none() {
        Value::String(link.href.clone())
    } else {
        serde_json::to_value(link).unwrap_or(Value::Null)
    }
}

/// Parses JSON bytes, mapping syntax errors to [`CanonErrorKind::JsonSyntax`].
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, CanonError> {
    let text = utf8(Format::Json, bytes)?;
    serde_json::from_str(text).map_err(|e| {
        CanonError::json(
            "$",
            CanonErrorKind::JsonSyntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
        )
    })
}

/// Checks the root element's name and namespace.
pub(crate) fn expect_root(
    root: &Element,
    name: &str,
    expected: &'static str,
) -> Result<(), CanonError> {
    if root.name != name {
        return Err(root.error(CanonErrorKind::UnexpectedRoot {
            found: format!("<{}>", root.name),
            expected,
        }));
    }
    root.require_ucwa()
}

/// The object at `value`, or a located type error.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    at: JsonAt<'_>,
) -> Result<&'a Map<String, Value>, CanonError> {
    value.as_object().ok_or_else(|| {
        CanonError::json(
            at,
            CanonErrorKind::WrongType {
                expected: "an object",
                found: json_type(value),
            },
        )
    })
}

/// An optional string member; present-but-not-a-string is an error.
pub(crate) fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    at: JsonAt<'_>,
) -> Result<Option<String>, CanonError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(CanonError::json(
            at.key(key),
            CanonErrorKind::WrongType {
                expected: "a string",
                found: json_type(other),
            },
        )),
    }
}

/// A JSON link object `{href, title?, revision?}`; other members (`etag`…) are ignored (5.2).
pub(crate) fn link_from_json(value: &Value, at: JsonAt<'_>) -> Result<Link, CanonError> {
    let obj = as_object(value, at)?;
    let href = opt_string(obj, "href", at)?
        .ok_or_else(|| CanonError::json(at, CanonErrorKind::MissingHref))?;
    let title = opt_string(obj, "title", at)?;
    let revision = match obj.get("revision") {
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => opt_string(obj, "revision", at)?,
    };
    Ok(Link {
        href,
        title,
        revision,
    })
}

pub(crate) fn resource_from_json(value: &Value, at: JsonAt<'_>) -> Result<Resource, CanonError> {
    let obj = as_object(value, at)?;
    let rel = opt_string(obj, "rel", at)?
        .ok_or_else(|| CanonError::json(at, CanonErrorKind::MissingRel))?;
    let mut resource = Resource {
        rel,
        ..Resource::default()
    };
    for (key, member) in obj {
        let here = at.key(key);
        match key.as_str() {
            "rel" => {}
            "_links" => {
                for (rel, links) in as_object(member, here)? {
                    let link_at = here.key(rel);
                    if rel == "self" {
                        resource.self_href = Some(link_from_json(links, link_at)?.href);
                        continue;
                    }
                    let parsed = match links {
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, l)| link_from_json(l, link_at.index(i)))
                            .collect::<Result<Vec<_>, _>>()?,
                        single => vec![link_from_json(single, link_at)?],
                    };
                    resource.links.insert(rel.clone(), parsed);
                }
            }
            "_embedded" => {
                for (name, items) in as_object(member, here)? {
                    let item_at = here.key(name);
                    let parsed = match items {
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, r)| resource_from_json(r, item_at.index(i)))
                            .collect::<Result<Vec<_>, _>>()?,
                        single => vec![resource_from_json(single, item_at)?],
                    };
                    resource.embedded.insert(name.clone(), parsed);
                }
            }
            _ => insert_json_property(
                &mut resource.properties,
                &mut resource.lists,
                key,
                member,
                here,
            )?,
        }
    }
    Ok(resource)
}

/// Files one JSON member as a scalar property or a list (shared with input bodies).
pub(crate) fn insert_json_property(
    properties: &mut BTreeMap<String, Scalar>,
    lists: &mut BTreeMap<String, Vec<Scalar>>,
    key: &str,
    member: &Value,
    at: JsonAt<'_>,
) -> Result<(), CanonError> {
    if let Value::Array(items) = member {
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            list.push(Scalar::from_json(item).ok_or_else(|| {
                CanonError::json(
                    at.index(i),
                    CanonErrorKind::WrongType {
                        expected: "a scalar list item",
                        found: json_type(item),
                    },
                )
            })?);
        }
        lists.insert(key.to_owned(), list);
        return Ok(());
    }
    let scalar = Scalar::from_json(member).ok_or_else(|| {
        CanonError::json(
            at,
            CanonErrorKind::WrongType {
                expected: "a scalar or an array",
                found: json_type(member),
            },
        )
    })?;
    properties.insert(key.to_owned(), scalar);
    Ok(())
}

/// The value of a `<property>` or `<item>` element.
pub(crate) fn xml_scalar(element: &Element) -> Result<Scalar, CanonError> {
    if let Some(child) = element.children.first() {
        return Err(child.error(CanonErrorKind::UnexpectedElement(child.name.clone())));
    }
    Ok(if element.is_nil() {
        Scalar::Null
    } else {
        Scalar::from_xml_text(&element.text)
    })
}

/// Files a `<property>` or `<propertyList>` child (shared with input bodies).
pub(crate) fn insert_xml_property(
    properties: &mut BTreeMap<String, Scalar>,
    lists: &mut BTreeMap<String, Vec<Scalar>>,
    child: &Element,
) -> Result<(), CanonError> {
    let name = child.required("name", CanonErrorKind::MissingField("name"))?;
    if properties.contains_key(&name) || lists.contains_key(&name) {
        return Err(child.error(CanonErrorKind::DuplicateProperty(name)));
    }
    if child.name == "property" {
        properties.insert(name, xml_scalar(child)?);
        return Ok(());
    }
    child.require_no_text()?;
    let mut items = Vec::with_capacity(child.children.len());
    for item in &child.children {
        item.require_ucwa()?;
        if item.name != "item" {
            return Err(item.error(CanonErrorKind::UnexpectedElement(item.name.clone())));
        }
        items.push(xml_scalar(item)?);
    }
    lists.insert(name, items);
    Ok(())
}

pub(crate) fn resource_from_element(element: &Element) -> Result<Resource, CanonError> {
    element.require_ucwa()?;
    element.require_no_text()?;
    let rel = element.required("rel", CanonErrorKind::MissingRel)?;
    let mut resource = Resource {
        rel,
        self_href: element.attr("href").map(str::to_owned),
        ..Resource::default()
    };
    for child in &element.children {
        child.require_ucwa()?;
        match child.name.as_str() {
            "link" => {
                let rel = child.required("rel", CanonErrorKind::MissingField("rel"))?;
                let link = Link {
                    href: child.required("href", CanonErrorKind::MissingHref)?,
                    title: child.attr("title").map(str::to_owned),
                    revision: child.attr("revision").map(str::to_owned),
                };
                if rel == "self" {
                    resource.self_href = Some(link.href);
                } else {
                    resource.links.entry(rel).or_default().push(link);
                }
            }
            "property" | "propertyList" => {
                insert_xml_property(&mut resource.properties, &mut resource.lists, child)?;
            }
            "resource" => {
                let nested = resource_from_element(child)?;
                resource
                    .embedded
                    .entry(nested.rel.clone())
                    .or_default()
                    .push(nested);
            }
            other => return Err(child.error(CanonErrorKind::UnexpectedElement(other.to_owned()))),
        }
    }
    // The samples repeat rel as a property; it must agree with the attribute (5.4 rule 2).
    if let Some(property) = resource.properties.remove("rel") {
        let text = property.as_text();
        if text != resource.rel {
            return Err(element.error(CanonErrorKind::RelMismatch {
                attribute: resource.rel,
                property: text,
            }));
        }
    }
    Ok(resource)
}
