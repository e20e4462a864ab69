//! Throughput and load-time measurement for `newsdex bench-tagger`.

use std::time::{Duration, Instant};

use super::{tokenize, Tagger, BUILTIN_MODEL};

/// What one benchmark run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Texts tagged.
    pub texts: usize,
    /// Tokens in them (as [`tokenize`] splits them).
    pub tokens: usize,
    /// Entities found.
    pub entities: usize,
    /// Median wall time of one pass over all texts (tokenizing and tagging).
    pub median: Duration,
}

impl Throughput {
    /// Tokens per second at the median time.
    pub fn tokens_per_second(&self) -> f64 {
        self.tokens as f64 / self.median.as_secs_f64().max(1e-12)
    }
}

/// Tags every text with [`Tagger::entities`] `runs` times on the calling thread and
/// reports the median pass. Only tagging is timed: the texts are already in memory.
pub fn throughput(tagger: &Tagger, texts: &[String], runs: usize) -> Throughput {
    let tokens = texts.iter().map(|t| tokenize(t).len()).sum();
    let mut times = Vec::with_capacity(runs.max(1));
    let mut entities = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        entities = texts.iter().map(|t| tagger.entities(t).len()).sum();
        times.push(start.elapsed());
    }
    times.sort();
    Throughput { texts: texts.len(), tokens, entities, median: times[times.len() / 2] }
}

/// The median time to load the built-in model from its embedded bytes, over `runs`.
pub fn load_time(runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            let tagger = Tagger::from_bytes(BUILTIN_MODEL).expect("the embedded model loads");
            let t = start.elapsed();
            drop(tagger);
            t
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Size of the built-in model file in bytes.
pub fn builtin_model_size() -> usize {
    BUILTIN_MODEL.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_something() {
        let texts = vec!["Barack Obama visited Paris.".to_string(); 3];
        let t = throughput(Tagger::builtin(), &texts, 3);
        assert_eq!(t.tokens, 15);
        assert!(t.entities >= 3);
        assert!(load_time(1) < Duration::from_secs(5));
        assert!(builtin_model_size() > 0);
    }
}
