//! Whole `/api/search` answers, kept for the index generation they were computed on:
//! a search server answers the same few popular requests over and over, and an answer
//! read from memory costs microseconds where a common term's facet counts cost
//! milliseconds. A new commit empties the cache (counts and hits change); the cache is
//! bounded in entries and bytes, dropping the least recently used answer first.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use crate::search::Request;

/// Answers kept at most.
const MAX_ENTRIES: usize = 1024;

/// Bytes of answers kept at most.
const MAX_BYTES: usize = 32 << 20;

/// Serialised search answers per request, for one index generation.
#[derive(Default)]
pub struct ResponseCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    generation: u64,
    /// Each answer with the tick it was last used at.
    answers: HashMap<Request, (Bytes, u64)>,
    bytes: usize,
    tick: u64,
}

impl ResponseCache {
    /// The answer to `request` computed on `generation`, if kept.
    pub fn get(&self, generation: u64, request: &Request) -> Option<Bytes> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.start_generation(generation);
        state.tick += 1;
        let tick = state.tick;
        let (answer, used) = state.answers.get_mut(request)?;
        *used = tick;
        Some(answer.clone())
    }

    /// Keeps `answer` to `request`, computed on `generation` or later.
    pub fn insert(&self, generation: u64, request: Request, answer: Bytes) {
        if answer.len() > MAX_BYTES / 8 {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.start_generation(generation);
        while state.answers.len() >= MAX_ENTRIES || state.bytes + answer.len() > MAX_BYTES {
            state.evict_least_recent();
        }
        state.tick += 1;
        state.bytes += answer.len();
        let tick = state.tick;
        if let Some((old, _)) = state.answers.insert(request, (answer, tick)) {
            state.bytes -= old.len();
        }
    }

    /// Answers kept and their bytes.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.answers.len(), state.bytes)
    }
}

impl CacheState {
    /// Forgets every answer when `generation` differs from the one they were read on.
    fn start_generation(&mut self, generation: u64) {
        if self.generation != generation {
            *self = CacheState { generation, ..CacheState::default() };
        }
    }

    fn evict_least_recent(&mut self) {
        let oldest = self.answers.iter().min_by_key(|(_, (_, used))| *used).map(|(request, _)| request.clone());
        if let Some((answer, _)) = oldest.and_then(|request| self.answers.remove(&request)) {
            self.bytes -= answer.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_last_one_generation_and_stay_bounded() {
        let cache = ResponseCache::default();
        let trump = Request::new("trump");
        cache.insert(1, trump.clone(), Bytes::from_static(b"{\"total\":1}"));
        assert_eq!(cache.get(1, &trump).as_deref(), Some(&b"{\"total\":1}"[..]));
        assert_eq!(cache.get(1, &Request::new("recuse")), None);
        // A commit makes every answer stale.
        assert_eq!(cache.get(2, &trump), None);
        assert_eq!(cache.size(), (0, 0));

        // Past the entry bound the least recently used answer goes first.
        for i in 0..MAX_ENTRIES {
            cache.insert(2, Request::new(format!("q{i}")), Bytes::from(vec![b'x'; 10]));
        }
        assert!(cache.get(2, &Request::new("q0")).is_some());
        cache.insert(2, trump.clone(), Bytes::from_static(b"{}"));
        assert_eq!(cache.size().0, MAX_ENTRIES);
        assert!(cache.get(2, &Request::new("q0")).is_some(), "recently used, kept");
        assert!(cache.get(2, &Request::new("q1")).is_none(), "least recently used, dropped");
        assert_eq!(cache.size().1, (MAX_ENTRIES - 1) * 10 + 2);
    }
}
