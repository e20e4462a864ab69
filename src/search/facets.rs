//! Facet counting that scales with the number of matching documents, not with the number
//! of distinct facet values: tantivy's `FacetCollector` walks a field's whole facet
//! dictionary per segment and builds a map of every counted value, which costs seconds
//! for `/entity` (hundreds of thousands of values) on a common term.
//!
//! Here each segment counts facet ordinals (sparsely for few matches, in a flat array for
//! many); the merge ranks the union of each segment's top candidates, then recounts the
//! short list exactly over all segments. Listed counts are exact; a value that is in no
//! segment's top candidates is not listed, which for the candidate depth used
//! (`CANDIDATES_PER_K` times the limit) only happens for values far down the list.
//!
//! Ordinal-to-name lookups go through [`FacetNames`], each segment's sorted facet names
//! read once and shared by all later queries: walking the term dictionary per query was
//! the largest cost left.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Candidates taken from each segment, per value listed.
const CANDIDATES_PER_K: usize = 4;

/// A name filter: the facet field and the normalised names asked for.
type MatchKey = (String, Vec<String>);

/// Sorted encoded facet names of one segment's field, indexed by ordinal.
type Names = Arc<Vec<Box<[u8]>>>;

/// Each segment's facet names per field, read on first use. Segments are immutable, so
/// an entry never goes stale; entries of merged-away segments are dropped by [`retain`].
///
/// [`retain`]: FacetNames::retain
#[derive(Default)]
pub struct FacetNames {
    names: Mutex<HashMap<(SegmentId, String), Names>>,
    /// Facets matched by a name filter (field, keys), for the current set of segments.
    matches: Mutex<HashMap<MatchKey, Arc<Vec<Facet>>>>,
}

impl FacetNames {
    fn get(&self, segment: SegmentId, field: &str, column: &StrColumn) -> tantivy::Result<Names> {
        let key = (segment, field.to_owned());
        if let Some(names) = self.names.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(Arc::clone(names));
        }
        let mut all = Vec::with_capacity(column.num_terms());
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            all.push(stream.key().to_vec().into_boxed_slice());
        }
        let names = Arc::new(all);
        self.names.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::clone(&names));
        Ok(names)
    }

    /// The facets of `field` in any segment of `searcher` whose leaf name matches one of
    /// `wanted` (already normalised with `filter_key`): the whole name or any of its
    /// words, ignoring case. Filters on names are OR-ed facet terms found this way, so the
    /// index needs no extra token field per name.
    pub fn matching(
        &self,
        searcher: &tantivy::Searcher,
        field: &str,
        wanted: &[String],
    ) -> tantivy::Result<Arc<Vec<Facet>>> {
        let key = (field.to_owned(), wanted.to_vec());
        if let Some(found) = self.matches.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(Arc::clone(found));
        }
        let found = Arc::new(self.scan_matching(searcher, field, wanted)?);
        self.matches.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::clone(&found));
        Ok(found)
    }

    fn scan_matching(
        &self,
        searcher: &tantivy::Searcher,
        field: &str,
        wanted: &[String],
    ) -> tantivy::Result<Vec<Facet>> {
        let mut found: std::collections::BTreeSet<Box<[u8]>> = Default::default();
        let mut lower = Vec::new();
        for reader in searcher.segment_readers() {
            let Some(column) = reader.fast_fields().str(field)? else { continue };
            let names = self.get(reader.segment_id(), field, &column)?;
            for name in names.iter() {
                let leaf = name.rsplit(|&b| b == 0).next().unwrap_or(&name[..]);
                lower.clear();
                lower.extend(leaf.iter().map(u8::to_ascii_lowercase));
                let maybe = wanted.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some());
                if maybe && name_matches(leaf, wanted) {
                    found.insert(name.clone());
                }
            }
        }
        Ok(found.into_iter().filter_map(|name| Facet::from_encoded(name.into_vec()).ok()).collect())
    }

    /// Forgets segments not in `live` (after merges).
    pub fn retain(&self, live: &[SegmentId]) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let before = names.len();
        names.retain(|(segment, _), _| live.contains(segment));
        let new_segment = live.iter().any(|segment| !names.keys().any(|(s, _)| s == segment));
        if names.len() != before || new_segment {
            // Matches were computed over other segments.
            self.matches.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

/// Counts the children of `root` (a facet path such as `/speaker` or `/entity/person`),
/// returning the `limit` most frequent with their counts.
pub struct TopFacets {
    field: String,
    roots: Vec<String>,
    limit: usize,
    names: Arc<FacetNames>,
}

impl TopFacets {
    /// Counts direct children of each of `roots` in facet field `field`.
    pub fn new(field: &str, roots: &[String], limit: usize, names: Arc<FacetNames>) -> Self {
        TopFacets { field: field.to_owned(), roots: roots.to_vec(), limit, names }
    }
}

/// Ordinal counts of one segment: a list of ordinals while few documents match, a
/// flat array once that would be smaller.
enum Counts {
    Sparse(Vec<u32>),
    Dense(Vec<u32>),
}

/// Counts ordinals of one segment.
pub struct TopFacetsSegment {
    column: StrColumn,
    names: Names,
    counts: Counts,
}

/// A segment's counts by ordinal, with its names, kept until the merge.
pub struct SegmentCounts {
    names: Names,
    counts: Vec<(u32, u32)>,
    dense: Option<Vec<u32>>,
}

impl SegmentCounts {
    /// The count of ordinal `ord`.
    fn count(&self, ord: u32) -> u32 {
        match &self.dense {
            Some(dense) => dense.get(ord as usize).copied().unwrap_or(0),
            None => self.counts.binary_search_by_key(&ord, |(o, _)| *o).map_or(0, |i| self.counts[i].1),
        }
    }
}

impl Collector for TopFacets {
    type Fruit = Vec<(String, u64)>;
    type Child = TopFacetsSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<TopFacetsSegment> {
        // A facet field's ordinals live in a string column of the same name.
        let column = reader
            .fast_fields()
            .str(&self.field)?
            .ok_or_else(|| tantivy::TantivyError::SchemaError(format!("facet field {} has no column", self.field)))?;
        let names = self.names.get(reader.segment_id(), &self.field, &column)?;
        Ok(TopFacetsSegment { column, names, counts: Counts::Sparse(Vec::new()) })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Vec<(String, u64)>> {
        let depth = CANDIDATES_PER_K * self.limit.max(1);
        // Rank candidates by the counts of the segments where they are candidates...
        let mut partial: HashMap<&[u8], u64> = HashMap::new();
        for segment in &segments {
            for (name, count) in self.segment_candidates(segment, depth) {
                *partial.entry(name).or_default() += count;
            }
        }
        let mut ranked: Vec<(&[u8], u64)> = partial.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranked.truncate(self.limit + self.limit / 2 + 2);
        // ...then count the short list exactly over every segment.
        for (name, total) in &mut ranked {
            *total = segments
                .iter()
                .filter_map(|s| s.names.binary_search_by(|n| (**n).cmp(name)).ok().map(|ord| s.count(ord as u32)))
                .map(u64::from)
                .sum();
        }
        let mut out: Vec<(String, u64)> =
            ranked.into_iter().filter_map(|(name, n)| leaf_name(name).map(|leaf| (leaf, n))).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(self.limit);
        Ok(out)
    }
}

impl TopFacets {
    /// The segment's `depth` most counted children of the roots, with their counts.
    fn segment_candidates<'s>(&self, segment: &'s SegmentCounts, depth: usize) -> Vec<(&'s [u8], u64)> {
        let mut counted: Vec<(u32, u32)> = match &segment.dense {
            Some(dense) => {
                (0..dense.len() as u32).filter(|&o| dense[o as usize] > 0).map(|o| (o, dense[o as usize])).collect()
            }
            None => segment.counts.clone(),
        };
        // Ancestors (`/entity`, `/entity/person`) are counted too; take extra to skip them.
        let take = (depth + 8).min(counted.len());
        if take < counted.len() {
            counted.select_nth_unstable_by(take, |a, b| b.1.cmp(&a.1));
            counted.truncate(take);
        }
        counted
            .into_iter()
            .filter_map(|(ord, n)| segment.names.get(ord as usize).map(|name| (&name[..], u64::from(n))))
            .filter(|(name, _)| self.roots.iter().any(|root| is_direct_child(root, name)))
            .collect()
    }
}

impl SegmentCollector for TopFacetsSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        match &mut self.counts {
            Counts::Dense(counts) => {
                for ord in self.column.term_ords(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
            Counts::Sparse(ords) => {
                ords.extend(self.column.term_ords(doc).map(|o| o as u32));
                if ords.len() > self.names.len() / 2 + 1024 {
                    let mut dense = vec![0u32; self.names.len()];
                    for &ord in ords.iter() {
                        if let Some(count) = dense.get_mut(ord as usize) {
                            *count += 1;
                        }
                    }
                    self.counts = Counts::Dense(dense);
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        match self.counts {
            Counts::Dense(dense) => SegmentCounts { names: self.names, counts: Vec::new(), dense: Some(dense) },
            Counts::Sparse(mut ords) => {
                ords.sort_unstable();
                let mut counts: Vec<(u32, u32)> = Vec::new();
                for ord in ords {
                    match counts.last_mut() {
                        Some((last, n)) if *last == ord => *n += 1,
                        _ => counts.push((ord, 1)),
                    }
                }
                SegmentCounts { names: self.names, counts, dense: None }
            }
        }
    }
}

/// Whether a facet leaf (a name) matches a wanted key: the whole name or one of its parts.
fn name_matches(leaf: &[u8], wanted: &[String]) -> bool {
    let Ok(leaf) = std::str::from_utf8(leaf) else { return false };
    let keys = crate::index::schema::name_keys(leaf);
    wanted.iter().any(|w| keys.contains(w))
}

/// Whether the encoded facet `bytes` is a direct child of the facet path `root`.
fn is_direct_child(root: &str, bytes: &[u8]) -> bool {
    let root = Facet::from(root);
    let encoded = root.encoded_str().as_bytes();
    bytes.len() > encoded.len() + 1
        && bytes.starts_with(encoded)
        && bytes[encoded.len()] == 0
        && !bytes[encoded.len() + 1..].contains(&0)
}

/// The last path component of an encoded facet.
fn leaf_name(bytes: &[u8]) -> Option<String> {
    let facet = Facet::from_encoded(bytes.to_vec()).ok()?;
    facet.to_path().last().map(|s| (*s).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_children_only() {
        let child = Facet::from_path(["entity", "person", "Al Franken"]);
        assert!(is_direct_child("/entity/person", child.encoded_str().as_bytes()));
        assert!(!is_direct_child("/entity", child.encoded_str().as_bytes()));
        assert!(!is_direct_child("/speaker", child.encoded_str().as_bytes()));
        assert_eq!(leaf_name(child.encoded_str().as_bytes()).as_deref(), Some("Al Franken"));
    }

    #[test]
    fn sparse_counts_are_looked_up_by_ordinal() {
        let counts = SegmentCounts { names: Arc::new(Vec::new()), counts: vec![(2, 5), (7, 1)], dense: None };
        assert_eq!((counts.count(2), counts.count(7), counts.count(3)), (5, 1, 0));
    }
}
