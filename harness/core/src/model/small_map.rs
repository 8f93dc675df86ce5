//! A map of a few entries by name, for the parts of a step that hold one or two (its captures,
//! its request's headers): a `BTreeMap`'s first node costs about a kilobyte, and a long case
//! holds thousands of them. Keys in order, as a `BTreeMap` keeps them.

use std::collections::BTreeMap;

use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Entries sorted by key, without slack.
#[derive(Debug, Clone, PartialEq)]
pub struct SmallMap<V>(Box<[(String, V)]>);

impl<V> Default for SmallMap<V> {
    fn default() -> Self {
        SmallMap(Box::new([]))
    }
}

impl<V> SmallMap<V> {
    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut V)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, V> IntoIterator for &'a SmallMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, V> IntoIterator for &'a mut SmallMap<V> {
    type Item = (&'a String, &'a mut V);
    type IntoIter = std::iter::Map<
        std::slice::IterMut<'a, (String, V)>,
        fn(&'a mut (String, V)) -> (&'a String, &'a mut V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SmallMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Read as a `BTreeMap` (its order, its rule for a repeated key), kept as a slice: the
        // map's node lives only while this one entry list is made.
        let map = BTreeMap::<String, V>::deserialize(deserializer)?;
        Ok(SmallMap(map.into_iter().collect()))
    }
}

impl<V: Serialize> Serialize for SmallMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_btreemaps_order_and_reads_back_as_a_map() {
        let map: SmallMap<u32> = serde_json::from_str(r#"{"b": 1, "a": 2}"#).expect("a map");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(map.len(), 2);
        assert_eq!(
            serde_json::to_string(&map).expect("serializes"),
            r#"{"a":2,"b":1}"#
        );
        assert!(SmallMap::<u32>::default().is_empty());
    }
}
