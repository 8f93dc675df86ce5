//! A YAML node tree with a location on every node, to point diagnostics at any value.
//!
//! The typed model keeps `Spanned` only where the runner needs it; semantic checks want to
//! point at plain fields too (`within`, `parity`, a string deep inside a `body`). Parsing the
//! file a second time into this tree keeps the model free of span noise; it costs as much as
//! the first parse, so the validator does it only when it has an error to place.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One step of a path into the tree: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(key: &'a str) -> Self {
        Seg::Key(key)
    }
}

impl From<usize> for Seg<'_> {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// A YAML node and where it starts (a byte range of the source; for collections, the range
/// of their first token).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) range: Range<usize>,
    pub(crate) kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    /// Keys keep their own ranges; keys that are not scalars become empty text.
    Map(Vec<(String, Range<usize>, Node)>),
    Seq(Vec<Node>),
    Scalar,
}

impl Node {
    /// The node at `path`, if there is one.
    pub(crate) fn get(&self, path: &[Seg<'_>]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (&node.kind, seg) {
                (NodeKind::Map(entries), Seg::Key(key)) => entries
                    .iter()
                    .find(|(k, _, _)| k == key)
                    .map(|(_, _, v)| v)?,
                (NodeKind::Seq(items), Seg::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The range of the key that holds the value at `path` (the last segment must be a key).
    pub(crate) fn key_range(&self, path: &[Seg<'_>]) -> Option<Range<usize>> {
        let (last, parent) = path.split_last()?;
        let Seg::Key(key) = last else { return None };
        match &self.get(parent)?.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, r, _)| r.clone()),
            _ => None,
        }
    }

    /// The range of the node at the longest prefix of `path` that exists.
    pub(crate) fn nearest(&self, path: &[Seg<'_>]) -> Range<usize> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.get(&path[..n]))
            .map_or(0..0, |node| node.range.clone())
    }
}

fn range_of(loc: &serde_saphyr::Location) -> Range<usize> {
    let span = loc.span();
    let start = span.byte_offset().unwrap_or(0);
    let len = span.byte_len().unwrap_or(0);
    let start = usize::try_from(start).unwrap_or(0);
    start..start.saturating_add(usize::try_from(len).unwrap_or(0))
}

/// The deserialized value before its location is attached.
struct Bare(NodeKind, Option<String>);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Bare>::deserialize(deserializer)?;
        Ok(Node {
            range: range_of(&spanned.referenced),
            kind: spanned.value.0,
        })
    }
}

impl<'de> Deserialize<'de> for Bare {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BareVisitor)
    }
}

struct BareVisitor;

impl BareVisitor {
    fn scalar<E>(text: String) -> Result<Bare, E> {
        Ok(Bare(NodeKind::Scalar, Some(text)))
    }
}

impl<'de> Visitor<'de> for BareVisitor {
    type Value = Bare;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Bare, E> {
        Self::scalar(v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Bare, E> {
        Self::scalar(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Bare, E> {
        Self::scalar(v)
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Bare, E> {
        Self::scalar(String::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Bare, E> {
        Self::scalar(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Bare, E> {
        Self::scalar(String::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Bare, D::Error> {
        Bare::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Bare, D::Error> {
        Bare::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bare, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Bare(NodeKind::Seq(items), None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Bare, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Bare>>()? {
            let value = map.next_value::<Node>()?;
            let text = key.value.1.unwrap_or_default();
            entries.push((text, range_of(&key.referenced), value));
        }
        Ok(Bare(NodeKind::Map(entries), None))
    }
}

/// Parses YAML text into a located tree; `None` when it does not parse (the typed parse has
/// reported why).
pub(crate) fn parse_tree(text: &str) -> Option<Node> {
    serde_saphyr::from_str::<Node>(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_nested_scalars_and_keys() {
        let text = "cases:\n  - id: a\n    body: { x: [1, \"{{ v }}\"] }\n";
        let tree = parse_tree(text).unwrap();
        let path = [
            Seg::Key("cases"),
            Seg::Index(0),
            Seg::Key("body"),
            Seg::Key("x"),
            Seg::Index(1),
        ];
        let node = tree.get(&path).unwrap();
        assert_eq!(&text[node.range.clone()], "\"{{ v }}\"");
        let key = tree.key_range(&path[..3]).unwrap();
        assert_eq!(&text[key], "body");
        let id = tree
            .get(&[Seg::Key("cases"), Seg::Index(0), Seg::Key("id")])
            .unwrap();
        assert_eq!(&text[id.range.clone()], "a");
        let missing = [Seg::Key("cases"), Seg::Index(0), Seg::Key("nope")];
        assert!(tree.get(&missing).is_none());
        assert_eq!(
            tree.nearest(&missing),
            tree.get(&missing[..2]).unwrap().range
        );
    }
}
