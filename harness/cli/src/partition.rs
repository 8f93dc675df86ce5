//! `run --partition K/N`: one of N parts of the suite, for CI jobs run side by side. A case
//! goes to a part by a hash of its id alone, so a case keeps its part while others are added
//! or removed, every run of a case (its rows and formats) is in the same part, and the N parts
//! together are the whole suite, each case in exactly one.

use std::fmt;
use std::str::FromStr;

use harness_core::loader::Suite;
use harness_core::outcome::PartOfSplit;

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub index: u32,
    pub count: u32,
}

impl Partition {
    /// Whether the case with this id belongs to this part.
    pub fn holds(&self, case_id: &str) -> bool {
        part_of(case_id, self.count) == self.index
    }

    /// Keeps the suite's cases of this part.
    pub fn apply(&self, suite: &mut Suite) {
        suite.cases.retain(|case| self.holds(case.id()));
    }
}

/// The part (1..=count) of a case id: FNV-1a over the id's bytes, which unlike std's hasher
/// is the same on every build and platform, so parts agree between CI machines.
pub fn part_of(case_id: &str, count: u32) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let hash = case_id
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    let part = hash % u64::from(count.max(1));
    u32::try_from(part).unwrap_or(0) + 1
}

impl From<Partition> for PartOfSplit {
    fn from(part: Partition) -> Self {
        PartOfSplit {
            index: part.index,
            count: part.count,
        }
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not K/N with 1 <= K <= N (e.g. 2/3)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { index, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        (0..200)
            .map(|i| format!("area{}.case-{i}", i % 7))
            .collect()
    }

    #[test]
    fn parts_are_disjoint_and_cover_every_case() {
        for count in 1..=5 {
            let parts: Vec<Partition> = (1..=count)
                .map(|index| Partition { index, count })
                .collect();
            for id in ids() {
                let holders = parts.iter().filter(|p| p.holds(&id)).count();
                assert_eq!(holders, 1, "{id} in {holders} of {count} parts");
            }
        }
    }

    #[test]
    fn every_part_gets_cases() {
        for count in 1..=5 {
            for index in 1..=count {
                let part = Partition { index, count };
                let held = ids().iter().filter(|id| part.holds(id)).count();
                assert!(held > 0, "part {part} is empty");
            }
        }
    }

    #[test]
    fn the_part_of_an_id_is_stable() {
        // Pinned values: a change of the hash would move cases between CI jobs' parts.
        assert_eq!(part_of("presence-subscription.delete", 3), 3);
        assert_eq!(part_of("presence-subscription.create", 3), 3);
        assert_eq!(part_of("presence-subscription.create", 2), 1);
        assert_eq!(part_of("events.next-and-ack", 4), 4);
        assert_eq!(part_of("anything", 1), 1);
        // Depends on the id alone: the same id, the same part, whatever else is in the suite.
        assert_eq!(part_of("a.b", 7), part_of(&String::from("a.b"), 7));
    }

    #[test]
    fn bad_partitions_are_refused() {
        assert_eq!(
            "2/3".parse::<Partition>(),
            Ok(Partition { index: 2, count: 3 })
        );
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/3/4", ""] {
            let err = bad.parse::<Partition>().expect_err(bad);
            assert!(err.contains("is not K/N"), "{bad}: {err}");
        }
    }
}
