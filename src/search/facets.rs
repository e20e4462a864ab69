//! Facet counting that scales with the number of matching documents, not with the number
//! of distinct facet values: tantivy's `FacetCollector` walks a field's whole facet
//! dictionary per segment and builds a map of every counted value, which costs seconds
//! for `/entity` (hundreds of thousands of values) on a common term.
//!
//! Here each segment counts facet ordinals in a flat array; the merge ranks the union of
//! each segment's top candidates, then recounts the short list exactly over all segments.
//! Listed counts are exact; a value that is in no segment's top candidates is not listed,
//! which for the candidate depth used (`CANDIDATES_PER_K` times the limit) only happens
//! for values far down the list.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Candidates taken from each segment, per value listed.
const CANDIDATES_PER_K: usize = 4;

/// Counts the children of `root` (a facet path such as `/speaker` or `/entity/person`),
/// returning the `limit` most frequent with their counts.
pub struct TopFacets {
    field: String,
    roots: Vec<String>,
    limit: usize,
}

impl TopFacets {
    /// Counts direct children of each of `roots` in facet field `field`.
    pub fn new(field: &str, roots: &[String], limit: usize) -> Self {
        TopFacets { field: field.to_owned(), roots: roots.to_vec(), limit }
    }
}

/// Per-segment counts by facet ordinal, kept until the merge.
pub struct SegmentCounts {
    column: StrColumn,
    counts: Vec<u32>,
}

/// Counts ordinals of one segment.
pub struct TopFacetsSegment {
    column: StrColumn,
    counts: Vec<u32>,
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
        let counts = vec![0u32; column.num_terms()];
        Ok(TopFacetsSegment { column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Vec<(String, u64)>> {
        let depth = CANDIDATES_PER_K * self.limit.max(1);
        // Rank candidates by the counts of the segments where they are candidates...
        let mut partial: HashMap<Vec<u8>, u64> = HashMap::new();
        for segment in &segments {
            for (key, count) in self.segment_candidates(segment, depth)? {
                *partial.entry(key).or_default() += count;
            }
        }
        let mut ranked: Vec<(Vec<u8>, u64)> = partial.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(self.limit + self.limit / 2 + 2);
        // ...then count the short list exactly over every segment.
        for (key, total) in &mut ranked {
            *total = 0;
            for segment in &segments {
                if let Some(ord) = segment.column.dictionary().term_ord(&*key)? {
                    *total += u64::from(segment.counts[ord as usize]);
                }
            }
        }
        let mut out: Vec<(String, u64)> =
            ranked.into_iter().filter_map(|(key, n)| leaf_name(&key).map(|name| (name, n))).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(self.limit);
        Ok(out)
    }
}

impl TopFacets {
    /// The segment's `depth` most counted children of the roots, with their counts,
    /// resolved to encoded facets in one sorted pass over the dictionary.
    fn segment_candidates(&self, segment: &SegmentCounts, depth: usize) -> tantivy::Result<Vec<(Vec<u8>, u64)>> {
        let counts = &segment.counts;
        let mut ords: Vec<u64> = (0..counts.len() as u64).filter(|&o| counts[o as usize] > 0).collect();
        // Ancestors (`/entity`, `/entity/person`) may be counted too; take extra to skip them.
        let take = (depth + 8).min(ords.len());
        if take < ords.len() {
            ords.select_nth_unstable_by(take, |a, b| counts[*b as usize].cmp(&counts[*a as usize]));
            ords.truncate(take);
        }
        ords.sort_unstable();
        let mut out = Vec::with_capacity(ords.len());
        let mut next = ords.iter();
        segment.column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            let count = next.next().map_or(0, |&ord| u64::from(counts[ord as usize]));
            if self.roots.iter().any(|root| is_direct_child(root, bytes)) {
                out.push((bytes.to_vec(), count));
            }
        })?;
        Ok(out)
    }
}

impl SegmentCollector for TopFacetsSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for ord in self.column.term_ords(doc) {
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        SegmentCounts { column: self.column, counts: self.counts }
    }
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
}
