//! The event ids a cursor remembers as delivered: the most recent ones, a bounded window.
//!
//! Remembering every id made the cursor grow with the stream (23 MB after a million events,
//! all of it read and written on every batch). Duplicates in an upstream stream are retries and
//! rewritten files, so they repeat recent events: a window of the last [`WINDOW`] ids catches
//! them, and an event repeated after more than that many newer ones is delivered again, the
//! same at-least-once rule a crash before [`super::EventStream::save`] already implies.
//!
//! Persisted as a JSON array of short digests, oldest first (the same shape as the unbounded
//! set of earlier versions, which loads as a window of its last entries).

use std::collections::{HashSet, VecDeque};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How many delivered ids a cursor keeps (about 1.2 MB of cursor file at most).
pub const WINDOW: usize = 50_000;

/// Digests of the most recently delivered event ids, at most `limit` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentIds {
    order: VecDeque<String>,
    members: HashSet<String>,
    limit: usize,
}

impl Default for RecentIds {
    fn default() -> Self {
        RecentIds::with_limit(WINDOW)
    }
}

impl RecentIds {
    /// An empty window of `limit` ids (at least one).
    pub fn with_limit(limit: usize) -> RecentIds {
        RecentIds {
            order: VecDeque::new(),
            members: HashSet::new(),
            limit: limit.max(1),
        }
    }

    /// Records `digest` as delivered; `false` when it is in the window already (a duplicate).
    /// The oldest id leaves the window when it is full.
    pub fn insert(&mut self, digest: String) -> bool {
        if self.members.contains(&digest) {
            return false;
        }
        if self.order.len() == self.limit {
            if let Some(oldest) = self.order.pop_front() {
                self.members.remove(&oldest);
            }
        }
        self.members.insert(digest.clone());
        self.order.push_back(digest);
        true
    }

    pub fn contains(&self, digest: &str) -> bool {
        self.members.contains(digest)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl Serialize for RecentIds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.order)
    }
}

impl<'de> Deserialize<'de> for RecentIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let listed = Vec::<String>::deserialize(deserializer)?;
        let mut ids = RecentIds::default();
        let skip = listed.len().saturating_sub(ids.limit);
        for digest in listed.into_iter().skip(skip) {
            ids.insert(digest);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_inside_the_window_is_a_duplicate() {
        let mut ids = RecentIds::with_limit(3);
        assert!(ids.insert("a".into()));
        assert!(ids.insert("b".into()));
        assert!(!ids.insert("a".into()));
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn the_oldest_id_leaves_a_full_window() {
        let mut ids = RecentIds::with_limit(2);
        for id in ["a", "b", "c"] {
            assert!(ids.insert(id.into()));
        }
        assert_eq!(ids.len(), 2);
        assert!(!ids.contains("a"));
        assert!(ids.contains("b") && ids.contains("c"));
        // Forgotten, so delivered again: at least once, never lost.
        assert!(ids.insert("a".into()));
        assert!(!ids.contains("b"));
    }

    #[test]
    fn it_round_trips_oldest_first_and_keeps_the_last_of_a_long_list() {
        let mut ids = RecentIds::default();
        ids.insert("x".into());
        ids.insert("y".into());
        let text = serde_json::to_string(&ids).expect("serialize");
        assert_eq!(text, r#"["x","y"]"#);
        assert_eq!(
            serde_json::from_str::<RecentIds>(&text).expect("parse"),
            ids
        );

        let long: Vec<String> = (0..WINDOW + 10).map(|i| format!("{i:016x}")).collect();
        let text = serde_json::to_string(&long).expect("serialize");
        let loaded: RecentIds = serde_json::from_str(&text).expect("parse");
        assert_eq!(loaded.len(), WINDOW);
        assert!(!loaded.contains(&format!("{:016x}", 9)));
        assert!(loaded.contains(&format!("{:016x}", 10)));
        assert!(loaded.contains(&format!("{:016x}", WINDOW + 9)));
    }
}
