//! Word classes learnt from unlabeled news text: each frequent word gets two cluster ids
//! (coarse and fine) and a bucket of how often it is capitalised mid-sentence.
//!
//! Brown clusters from a large unlabeled corpus are the single strongest addition to a
//! CoNLL tagger (Ratinov & Roth 2009); this is a cheaper stand-in that trains in seconds:
//! each word's left and right neighbours are accumulated as random-indexing vectors
//! (weighted down for frequent neighbours), normalised and centred, then grouped with
//! spherical k-means. The capitalisation bucket tells a name (`Obama`, nearly always
//! capitalised) from an ordinary word that starts a sentence or a headline.

use std::io::Read;
use std::path::Path;

use super::features::{mix, TokenInfo, INIT_UPPER};
use super::tokenize::tokenize;
use super::IdMap;

/// Dimensions of the context vectors.
const DIM: usize = 96;
/// Clusters in the coarse and the fine clustering.
const K_COARSE: usize = 64;
const K_FINE: usize = 512;
/// Words seen fewer times get no class.
const MIN_COUNT: u32 = 10;
/// Only the most frequent words serve as contexts.
const N_CONTEXTS: usize = 20_000;
/// k-means iterations.
const ITERATIONS: usize = 8;

/// The class of a word, packed: fine cluster + 1 (bits 0-15, 0 = unknown word), coarse
/// cluster (16-23), capitalisation bucket (24-27), frequency bucket (28-31).
pub(crate) type WordClass = u32;

/// The fine cluster of a class (0 for unknown words).
pub(crate) fn fine(c: WordClass) -> u64 {
    u64::from(c & 0xFFFF)
}
/// The coarse cluster of a class.
pub(crate) fn coarse(c: WordClass) -> u64 {
    u64::from(c >> 16 & 0xFF)
}
/// The capitalisation bucket of a class.
pub(crate) fn caps(c: WordClass) -> u64 {
    u64::from(c >> 24 & 0xF)
}

/// Word classes keyed by the lowercase word hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordClasses {
    map: IdMap<WordClass>,
}

impl WordClasses {
    /// The class of a token, 0 when unknown.
    #[inline]
    pub(crate) fn get(&self, lower: u64) -> WordClass {
        self.map.get(&lower).copied().unwrap_or(0)
    }

    /// Entries sorted by key, for the model file.
    pub(crate) fn sorted_entries(&self) -> Vec<(u64, WordClass)> {
        let mut v: Vec<(u64, WordClass)> = self.map.iter().map(|(&k, &c)| (k, c)).collect();
        v.sort_unstable();
        v
    }

    /// Builds the table from stored entries.
    pub(crate) fn from_entries(entries: impl IntoIterator<Item = (u64, WordClass)>) -> Self {
        WordClasses { map: entries.into_iter().collect() }
    }

    /// Number of words with a class.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Learns classes from raw texts (deterministic; single-threaded).
    pub(crate) fn learn<S: AsRef<str>>(texts: &[S]) -> WordClasses {
        // Pass 1: ids, counts and capitalisation, and the token stream (u32::MAX marks
        // a sentence or paragraph boundary).
        let mut ids: IdMap<u32> = IdMap::default();
        let mut keys: Vec<u64> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut mid: Vec<u32> = Vec::new();
        let mut mid_caps: Vec<u32> = Vec::new();
        let mut stream: Vec<u32> = Vec::new();
        for text in texts {
            let text = text.as_ref();
            let spans = tokenize(text);
            let mut sentence_start = true;
            let mut prev_end = 0;
            for &(s, e) in &spans {
                if text.as_bytes()[prev_end..s].contains(&b'\n') {
                    sentence_start = true;
                    stream.push(u32::MAX);
                }
                prev_end = e;
                let word = &text[s..e];
                let info = TokenInfo::new(word);
                let id = *ids.entry(info.lower).or_insert_with(|| {
                    keys.push(info.lower);
                    counts.push(0);
                    mid.push(0);
                    mid_caps.push(0);
                    (keys.len() - 1) as u32
                });
                let i = id as usize;
                counts[i] += 1;
                if !sentence_start {
                    mid[i] += 1;
                    if info.flags & INIT_UPPER != 0 {
                        mid_caps[i] += 1;
                    }
                }
                stream.push(id);
                sentence_start =
                    matches!(word, "." | "!" | "?" | ":" | "\"" | "\u{201C}" | "\u{201D}" | "-" | "\u{2014}");
            }
            stream.push(u32::MAX);
        }
        // Vocabulary and contexts by frequency (ties by key, for determinism).
        let mut by_freq: Vec<u32> = (0..keys.len() as u32).collect();
        by_freq.sort_unstable_by_key(|&i| (std::cmp::Reverse(counts[i as usize]), keys[i as usize]));
        let vocab: Vec<u32> = by_freq.iter().copied().take_while(|&i| counts[i as usize] >= MIN_COUNT).collect();
        let mut row_of = vec![u32::MAX; keys.len()];
        for (r, &w) in vocab.iter().enumerate() {
            row_of[w as usize] = r as u32;
        }
        let n_ctx = vocab.len().min(N_CONTEXTS);
        // Random ±w vectors per context word and side; weight 1/sqrt(count) so that
        // function words do not drown the signal.
        let mut ctx_vec = vec![0f32; n_ctx * 2 * DIM];
        for (c, &w) in vocab.iter().take(n_ctx).enumerate() {
            let weight = 1.0 / (counts[w as usize] as f32).sqrt();
            for side in 0..2 {
                let mut h = mix(keys[w as usize], side as u64 + 7);
                for d in 0..DIM {
                    if d % 64 == 0 {
                        h = mix(h, d as u64);
                    }
                    let sign = if (h >> (d % 64)) & 1 == 1 { 1.0 } else { -1.0 };
                    ctx_vec[(c * 2 + side) * DIM + d] = sign * weight;
                }
            }
        }
        // Pass 2: accumulate the neighbours of each vocabulary word.
        let mut acc = vec![0f32; vocab.len() * DIM];
        let ctx_row = |id: u32| -> Option<usize> {
            if id == u32::MAX {
                return None;
            }
            let r = row_of[id as usize];
            (r != u32::MAX && (r as usize) < n_ctx).then_some(r as usize)
        };
        for t in 0..stream.len() {
            let id = stream[t];
            if id == u32::MAX || row_of[id as usize] == u32::MAX {
                continue;
            }
            let row = row_of[id as usize] as usize;
            let target = &mut acc[row * DIM..(row + 1) * DIM];
            if t > 0 {
                if let Some(c) = ctx_row(stream[t - 1]) {
                    let v = &ctx_vec[(c * 2) * DIM..(c * 2 + 1) * DIM];
                    target.iter_mut().zip(v).for_each(|(a, b)| *a += b);
                }
            }
            if let Some(&next) = stream.get(t + 1) {
                if let Some(c) = ctx_row(next) {
                    let v = &ctx_vec[(c * 2 + 1) * DIM..(c * 2 + 2) * DIM];
                    target.iter_mut().zip(v).for_each(|(a, b)| *a += b);
                }
            }
        }
        // Normalise, centre, normalise.
        let n = vocab.len();
        for r in 0..n {
            normalize(&mut acc[r * DIM..(r + 1) * DIM]);
        }
        let mut mean = [0f32; DIM];
        for r in 0..n {
            mean.iter_mut().zip(&acc[r * DIM..(r + 1) * DIM]).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f32);
        for r in 0..n {
            let v = &mut acc[r * DIM..(r + 1) * DIM];
            v.iter_mut().zip(&mean).for_each(|(a, m)| *a -= m);
            normalize(v);
        }
        let coarse_of = kmeans(&acc, n, K_COARSE);
        let fine_of = kmeans(&acc, n, K_FINE);
        let mut map = IdMap::default();
        for (r, &w) in vocab.iter().enumerate() {
            let w = w as usize;
            let cap_bucket: u32 = if mid[w] < 3 {
                5
            } else {
                let ratio = mid_caps[w] as f64 / mid[w] as f64;
                match ratio {
                    x if x < 0.01 => 0,
                    x if x < 0.1 => 1,
                    x if x < 0.5 => 2,
                    x if x < 0.9 => 3,
                    _ => 4,
                }
            };
            let freq_bucket = (counts[w] as f64).log10().floor().min(15.0) as u32;
            let class = (fine_of[r] + 1) | (coarse_of[r] << 16) | (cap_bucket << 24) | (freq_bucket << 28);
            map.insert(keys[w], class);
        }
        WordClasses { map }
    }
}

fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Spherical k-means over `n` unit rows of `DIM` floats; the first `k` rows (the most
/// frequent words) seed the centroids. Returns the cluster of each row.
fn kmeans(rows: &[f32], n: usize, k: usize) -> Vec<u32> {
    let k = k.min(n).max(1);
    let mut centroids: Vec<f32> = rows[..k * DIM].to_vec();
    let mut assign = vec![0u32; n];
    for _ in 0..ITERATIONS {
        // Rows are assigned independently, so two threads give the same result as one.
        let half = n.div_ceil(2);
        std::thread::scope(|scope| {
            let centroids = &centroids;
            for (part, chunk) in assign.chunks_mut(half.max(1)).enumerate() {
                scope.spawn(move || {
                    for (i, a) in chunk.iter_mut().enumerate() {
                        let r = part * half + i;
                        let v = &rows[r * DIM..(r + 1) * DIM];
                        let mut best = (f32::MIN, 0u32);
                        for c in 0..k {
                            let dot: f32 = centroids[c * DIM..(c + 1) * DIM].iter().zip(v).map(|(a, b)| a * b).sum();
                            if dot > best.0 {
                                best = (dot, c as u32);
                            }
                        }
                        *a = best.1;
                    }
                });
            }
        });
        centroids.iter_mut().for_each(|x| *x = 0.0);
        for r in 0..n {
            let c = assign[r] as usize;
            let v = &rows[r * DIM..(r + 1) * DIM];
            centroids[c * DIM..(c + 1) * DIM].iter_mut().zip(v).for_each(|(a, b)| *a += b);
        }
        for c in 0..k {
            normalize(&mut centroids[c * DIM..(c + 1) * DIM]);
        }
    }
    assign
}

/// Reads the `content_original` bodies of up to `limit` `.json.gz` articles under `dir`
/// (in file-name order, so the result is deterministic). Unreadable files are skipped
/// and counted.
pub fn read_article_bodies(dir: &Path, limit: usize) -> crate::Result<(Vec<String>, usize)> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| crate::Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    paths.sort();
    paths.truncate(limit);
    let mut texts = Vec::with_capacity(paths.len());
    let mut skipped = 0;
    for path in &paths {
        let mut json = String::new();
        let Ok(file) = std::fs::File::open(path) else {
            skipped += 1;
            continue;
        };
        if flate2::read::GzDecoder::new(file).read_to_string(&mut json).is_err() {
            skipped += 1;
            continue;
        }
        #[derive(serde::Deserialize)]
        struct Body {
            content_original: Option<String>,
        }
        match serde_json::from_str::<Body>(&json) {
            Ok(Body { content_original: Some(body) }) => texts.push(body),
            _ => skipped += 1,
        }
    }
    Ok((texts, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_contexts_share_classes_and_caps_are_counted() {
        let mut texts = Vec::new();
        for i in 0..40 {
            let name = ["Smith", "Jones", "Brown", "Obama"][i % 4];
            texts.push(format!("Yesterday Mr {name} said that the plan was good . And then {name} left ."));
        }
        let wc = WordClasses::learn(&texts);
        let class = |w: &str| wc.get(TokenInfo::new(w).lower);
        assert_ne!(class("smith"), 0);
        assert_eq!(fine(class("Smith")), fine(class("Jones")));
        assert_eq!(caps(class("Smith")), 4);
        assert_eq!(caps(class("said")), 0);
        assert_eq!(class("unseen-word"), 0);
        let again = WordClasses::learn(&texts);
        assert_eq!(wc.sorted_entries(), again.sorted_entries());
    }
}
