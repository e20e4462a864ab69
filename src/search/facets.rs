//! Facet counting that scales with the number of matching documents, not with the number
//! of distinct facet values: tantivy's `FacetCollector` walks a field's whole facet
//! dictionary per segment and builds a map of every counted value, which costs seconds
//! for `/entity` (hundreds of thousands of values) on a common term.
//!
//! Here each segment's listed values (the children a facet lists, without ancestors such
//! as `/entity/person`) are read once per segment into a per-document array
//! ([`SegmentValues`]), and numbered across the searcher's segments once per set of
//! segments ([`FieldOrdinals`]). A query then counts by array index in each segment
//! (sparsely for few matches, in a flat array for many) and adds the segments up by
//! global ordinal: counts are exact, and no name is compared until the top few are
//! picked. Decoding the column per hit and merging by name cost more than the search.
//!
//! All of it lives in [`FacetNames`], shared by all queries; segments are immutable, so
//! nothing goes stale, and entries of merged-away segments are dropped by `retain`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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
    /// Each segment's listed values per field.
    values: Mutex<HashMap<(SegmentId, String), Arc<SegmentValues>>>,
    /// Global ordinals per field, for the latest set of segments.
    ordinals: Mutex<HashMap<String, Arc<FieldOrdinals>>>,
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
            self.values.lock().unwrap_or_else(|e| e.into_inner()).retain(|(segment, _), _| live.contains(segment));
            self.ordinals.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, o| o.covers(live));
        }
    }
}

/// The values of one facet field in one segment that facet counts list (direct
/// children of the field's roots), and each document's such values, read once from the
/// column: counting then costs an array walk per hit instead of decoding the column.
#[derive(Default)]
pub struct SegmentValues {
    /// The segment's sorted encoded names of the field (all of them, ancestors too).
    names: Names,
    /// Ordinals into `names` of the listed values, in name order; a value's index here is
    /// its "listed index".
    listed: Vec<u32>,
    /// Each document's listed values in one word, so that counting a hit usually reads
    /// one place in memory: [`NO_VALUE`], the listed index of its only value, or
    /// [`MANY_VALUES`] plus the position in `many` of its count followed by its values.
    /// Empty when the segment has no column for the field.
    slots: Vec<u32>,
    many: Vec<u32>,
}

/// The slot of a document without listed values.
const NO_VALUE: u32 = u32::MAX;

/// The flag of a slot that points into `many`.
const MANY_VALUES: u32 = 1 << 31;

impl SegmentValues {
    fn read(reader: &SegmentReader, names: Names, column: Option<&StrColumn>, roots: &[Vec<u8>]) -> SegmentValues {
        let mut local = vec![u32::MAX; names.len()];
        let mut listed = Vec::new();
        for (ord, name) in names.iter().enumerate() {
            if roots.iter().any(|root| is_direct_child(root, name)) {
                local[ord] = listed.len() as u32;
                listed.push(ord as u32);
            }
        }
        let (mut slots, mut many) = (Vec::new(), Vec::new());
        if let Some(column) = column.filter(|_| !listed.is_empty()) {
            slots.reserve(reader.max_doc() as usize);
            let mut values = Vec::new();
            for doc in 0..reader.max_doc() {
                values.clear();
                values.extend(
                    column.term_ords(doc).filter_map(|ord| local.get(ord as usize)).filter(|&&l| l != u32::MAX),
                );
                slots.push(match values[..] {
                    [] => NO_VALUE,
                    [only] => only,
                    _ => {
                        let at = many.len() as u32 | MANY_VALUES;
                        many.push(values.len() as u32);
                        many.extend_from_slice(&values);
                        at
                    }
                });
            }
        }
        SegmentValues { names, listed, slots, many }
    }

    /// Number of listed values.
    fn len(&self) -> usize {
        self.listed.len()
    }

    /// The encoded name of listed value `index`.
    fn name(&self, index: u32) -> &[u8] {
        &self.names[self.listed[index as usize] as usize]
    }

    /// The listed values of `doc`.
    fn of_doc(&self, doc: DocId) -> &[u32] {
        let Some(slot) = self.slots.get(doc as usize) else { return &[] };
        match *slot {
            NO_VALUE => &[],
            only if only & MANY_VALUES == 0 => std::slice::from_ref(slot),
            at => {
                let at = (at & !MANY_VALUES) as usize;
                let n = self.many[at] as usize;
                &self.many[at + 1..at + 1 + n]
            }
        }
    }
}

/// One segment's place in a [`FieldOrdinals`].
struct SegmentOrdinals {
    id: SegmentId,
    values: Arc<SegmentValues>,
    /// Global ordinal of each listed index.
    to_global: Vec<u32>,
}

/// The listed values of one field over a searcher's segments, numbered in one sorted
/// sequence (global ordinals), so per-segment counts add up by array index rather than
/// by comparing names. Built once per set of segments.
pub struct FieldOrdinals {
    segments: Vec<SegmentOrdinals>,
    /// Each global value as (segment position, listed index) of a segment holding it.
    global: Vec<(u32, u32)>,
}

impl FieldOrdinals {
    fn new(segments: Vec<(SegmentId, Arc<SegmentValues>)>) -> FieldOrdinals {
        let mut to_global: Vec<Vec<u32>> = segments.iter().map(|(_, v)| vec![0; v.len()]).collect();
        let mut global: Vec<(u32, u32)> = Vec::new();
        // A k-way merge of the segments' sorted name lists.
        let mut heap: BinaryHeap<Reverse<(&[u8], u32, u32)>> = segments
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| v.len() > 0)
            .map(|(s, (_, v))| Reverse((v.name(0), s as u32, 0)))
            .collect();
        let mut last: Option<&[u8]> = None;
        while let Some(Reverse((name, s, l))) = heap.pop() {
            if last != Some(name) {
                global.push((s, l));
                last = Some(name);
            }
            to_global[s as usize][l as usize] = global.len() as u32 - 1;
            let values = &segments[s as usize].1;
            if (l as usize + 1) < values.len() {
                heap.push(Reverse((values.name(l + 1), s, l + 1)));
            }
        }
        let segments = segments
            .into_iter()
            .zip(to_global)
            .map(|((id, values), to_global)| SegmentOrdinals { id, values, to_global })
            .collect();
        FieldOrdinals { segments, global }
    }

    /// Whether these ordinals were built for exactly `segments`, in order.
    fn covers(&self, segments: &[SegmentId]) -> bool {
        self.segments.len() == segments.len() && self.segments.iter().zip(segments).all(|(a, b)| a.id == *b)
    }

    /// The encoded name of global ordinal `ord`.
    fn name(&self, ord: u32) -> &[u8] {
        let (s, l) = self.global[ord as usize];
        self.segments[s as usize].values.name(l)
    }
}

impl FacetNames {
    /// The listed values of `field` in `reader`'s segment (direct children of `roots`,
    /// which must be the same for every call with this field).
    fn segment_values(
        &self,
        reader: &SegmentReader,
        field: &str,
        roots: &[Vec<u8>],
    ) -> tantivy::Result<Arc<SegmentValues>> {
        let key = (reader.segment_id(), field.to_owned());
        if let Some(values) = self.values.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(Arc::clone(values));
        }
        let column = reader.fast_fields().str(field)?;
        let names = match &column {
            Some(column) => self.get(reader.segment_id(), field, column)?,
            None => Names::default(),
        };
        let values = Arc::new(SegmentValues::read(reader, names, column.as_ref(), roots));
        self.values.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::clone(&values));
        Ok(values)
    }

    /// The global ordinals of `field`'s values under `roots` (facet paths such as
    /// `/speaker`) over the segments of `searcher`.
    pub fn ordinals(
        &self,
        searcher: &tantivy::Searcher,
        field: &str,
        roots: &[String],
    ) -> tantivy::Result<Arc<FieldOrdinals>> {
        let ids: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        if let Some(found) = self.ordinals.lock().unwrap_or_else(|e| e.into_inner()).get(field) {
            if found.covers(&ids) {
                return Ok(Arc::clone(found));
            }
        }
        let roots: Vec<Vec<u8>> =
            roots.iter().map(|r| Facet::from(r.as_str()).encoded_str().as_bytes().to_vec()).collect();
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|reader| Ok((reader.segment_id(), self.segment_values(reader, field, &roots)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let built = Arc::new(FieldOrdinals::new(segments));
        self.ordinals.lock().unwrap_or_else(|e| e.into_inner()).insert(field.to_owned(), Arc::clone(&built));
        Ok(built)
    }
}

/// Counts the listed values of a facet field (see [`FacetNames::ordinals`]), returning
/// the `limit` most frequent leaf names with their exact counts, ties by name.
pub struct TopFacets {
    ordinals: Arc<FieldOrdinals>,
    limit: usize,
}

impl TopFacets {
    /// Counts over `ordinals`, which must have been built for the searcher this collector
    /// runs on.
    pub fn new(ordinals: Arc<FieldOrdinals>, limit: usize) -> Self {
        TopFacets { ordinals, limit }
    }
}

/// Listed-index counts of one segment: a list of indexes while few documents match, a
/// flat array once that would be smaller.
enum Counts {
    Sparse(Vec<u32>),
    Dense(Vec<u32>),
}

/// Counts listed values of one segment.
pub struct TopFacetsSegment {
    segment: usize,
    values: Arc<SegmentValues>,
    counts: Counts,
    /// Hits not counted yet: counting [`BATCH`] at a time in a tight loop lets the
    /// processor wait for several documents' slots at once (the walk is bound by memory
    /// latency, not by instructions).
    pending: Vec<DocId>,
}

/// Hits counted together.
const BATCH: usize = 64;

/// A segment's counts by listed index, kept until the merge: a flat array, or
/// (listed index, count) pairs.
pub struct SegmentCounts {
    segment: usize,
    counts: Result<Vec<u32>, Vec<(u32, u32)>>,
}

impl Collector for TopFacets {
    type Fruit = Vec<(String, u64)>;
    type Child = TopFacetsSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<TopFacetsSegment> {
        let id = reader.segment_id();
        let segment = self.ordinals.segments.iter().position(|s| s.id == id).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("facet ordinals were built without segment {id:?}"))
        })?;
        let values = Arc::clone(&self.ordinals.segments[segment].values);
        Ok(TopFacetsSegment { segment, values, counts: Counts::Sparse(Vec::new()), pending: Vec::with_capacity(BATCH) })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Vec<(String, u64)>> {
        if self.limit == 0 {
            return Ok(Vec::new());
        }
        let mut counted = self.global_counts(segments);
        // Keep every value tied with the last one listed, then order exactly.
        if counted.len() > self.limit {
            counted.select_nth_unstable_by(self.limit - 1, |a, b| b.1.cmp(&a.1));
            let threshold = counted[self.limit - 1].1;
            counted.retain(|c| c.1 >= threshold);
        }
        // Ties are listed by name, then by where the name sits (an entity's kind).
        let names = &self.ordinals;
        let mut out: Vec<(String, u64, u32)> =
            counted.into_iter().filter_map(|(ord, n)| leaf_name(names.name(ord)).map(|leaf| (leaf, n, ord))).collect();
        out.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)).then_with(|| names.name(a.2).cmp(names.name(b.2)))
        });
        out.truncate(self.limit);
        let out = out.into_iter().map(|(leaf, n, _)| (leaf, n)).collect();
        Ok(out)
    }
}

impl TopFacets {
    /// The non-zero (global ordinal, count) pairs summed over `segments`.
    fn global_counts(&self, segments: Vec<SegmentCounts>) -> Vec<(u32, u64)> {
        if segments.iter().any(|s| s.counts.is_ok()) {
            // Many hits: add up in one array over all values.
            let mut all = vec![0u32; self.ordinals.global.len()];
            for segment in &segments {
                let to_global = &self.ordinals.segments[segment.segment].to_global;
                match &segment.counts {
                    Ok(dense) => {
                        for (local, &n) in dense.iter().enumerate().filter(|(_, n)| **n > 0) {
                            all[to_global[local] as usize] += n;
                        }
                    }
                    Err(pairs) => {
                        for &(local, n) in pairs {
                            all[to_global[local as usize] as usize] += n;
                        }
                    }
                }
            }
            return all
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(ord, n)| (ord as u32, u64::from(n)))
                .collect();
        }
        let mut pairs: Vec<(u32, u64)> = Vec::new();
        for segment in &segments {
            let to_global = &self.ordinals.segments[segment.segment].to_global;
            if let Err(counts) = &segment.counts {
                pairs.extend(counts.iter().map(|&(local, n)| (to_global[local as usize], u64::from(n))));
            }
        }
        pairs.sort_unstable_by_key(|p| p.0);
        let mut summed: Vec<(u32, u64)> = Vec::with_capacity(pairs.len());
        for (ord, n) in pairs {
            match summed.last_mut() {
                Some((last, total)) if *last == ord => *total += n,
                _ => summed.push((ord, n)),
            }
        }
        summed
    }
}

impl TopFacetsSegment {
    /// Counts the values of the pending hits.
    fn count_pending(&mut self) {
        match &mut self.counts {
            Counts::Dense(counts) => {
                for &doc in &self.pending {
                    for &v in self.values.of_doc(doc) {
                        counts[v as usize] += 1;
                    }
                }
            }
            Counts::Sparse(listed) => {
                for &doc in &self.pending {
                    listed.extend_from_slice(self.values.of_doc(doc));
                }
                // Past this size sorting the list in `harvest` costs more than zeroing
                // and scanning a flat array.
                if listed.len() > self.values.len() / 32 + 256 {
                    let mut dense = vec![0u32; self.values.len()];
                    for &v in listed.iter() {
                        dense[v as usize] += 1;
                    }
                    self.counts = Counts::Dense(dense);
                }
            }
        }
        self.pending.clear();
    }
}

impl SegmentCollector for TopFacetsSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BATCH {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> SegmentCounts {
        self.count_pending();
        let counts = match self.counts {
            Counts::Dense(dense) => Ok(dense),
            Counts::Sparse(mut listed) => {
                listed.sort_unstable();
                let mut pairs: Vec<(u32, u32)> = Vec::new();
                for v in listed {
                    match pairs.last_mut() {
                        Some((last, n)) if *last == v => *n += 1,
                        _ => pairs.push((v, 1)),
                    }
                }
                Err(pairs)
            }
        };
        SegmentCounts { segment: self.segment, counts }
    }
}

/// Whether a facet leaf (a name) matches a wanted key: the whole name or one of its parts.
fn name_matches(leaf: &[u8], wanted: &[String]) -> bool {
    let Ok(leaf) = std::str::from_utf8(leaf) else { return false };
    let keys = crate::index::schema::name_keys(leaf);
    wanted.iter().any(|w| keys.contains(w))
}

/// Whether the encoded facet `bytes` is a direct child of the encoded facet `encoded`.
fn is_direct_child(encoded: &[u8], bytes: &[u8]) -> bool {
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

    fn encoded(path: &[&str]) -> Vec<u8> {
        Facet::from_path(path).encoded_str().as_bytes().to_vec()
    }

    #[test]
    fn direct_children_only() {
        let child = encoded(&["entity", "person", "Al Franken"]);
        assert!(is_direct_child(&encoded(&["entity", "person"]), &child));
        assert!(!is_direct_child(&encoded(&["entity"]), &child));
        assert!(!is_direct_child(&encoded(&["speaker"]), &child));
        assert_eq!(leaf_name(&child).as_deref(), Some("Al Franken"));
    }

    /// Listed values of a segment holding `names` (sorted encoded facets).
    fn segment(names: &[&[&str]]) -> Arc<SegmentValues> {
        let names: Vec<Box<[u8]>> = names.iter().map(|n| encoded(n).into_boxed_slice()).collect();
        let listed = (0..names.len() as u32).collect();
        Arc::new(SegmentValues { names: Arc::new(names), listed, slots: Vec::new(), many: Vec::new() })
    }

    #[test]
    fn global_ordinals_merge_the_segments_names() {
        let a = segment(&[&["speaker", "Al"], &["speaker", "Cy"]]);
        let b = segment(&[&["speaker", "Bo"], &["speaker", "Cy"], &["speaker", "Di"]]);
        let ids = [SegmentId::generate_random(), SegmentId::generate_random()];
        let ordinals = FieldOrdinals::new(vec![(ids[0], a), (ids[1], b)]);
        let names: Vec<String> =
            (0..ordinals.global.len() as u32).filter_map(|o| leaf_name(ordinals.name(o))).collect();
        assert_eq!(names, ["Al", "Bo", "Cy", "Di"]);
        assert_eq!(ordinals.segments[0].to_global, [0, 2]);
        assert_eq!(ordinals.segments[1].to_global, [1, 2, 3]);
        assert!(ordinals.covers(&ids) && !ordinals.covers(&ids[..1]));

        // Sparse and dense segment counts add up by global ordinal; ties go by name.
        let top = TopFacets::new(Arc::new(ordinals), 3);
        let fruits = vec![
            SegmentCounts { segment: 0, counts: Err(vec![(0, 2), (1, 1)]) },
            SegmentCounts { segment: 1, counts: Ok(vec![2, 1, 1]) },
        ];
        let counted = top.merge_fruits(fruits).unwrap();
        let expected: Vec<(String, u64)> = [("Al", 2), ("Bo", 2), ("Cy", 2)].map(|(n, c)| (n.to_owned(), c)).to_vec();
        assert_eq!(counted, expected);
    }
}
