//! Facet counting that scales with the number of matching documents, not with the number
//! of distinct facet values: tantivy's `FacetCollector` walks a field's whole facet
//! dictionary per segment and builds a map of every counted value, which costs seconds
//! for `/entity` (hundreds of thousands of values) on a common term.
//!
//! Here each segment's listed values (the children a facet lists, without ancestors such
//! as `/entity/person`) of every counted field are read once per segment into one slab
//! ([`SegmentSlab`]: per document, one run of ordinals for all fields), and numbered in
//! one sequence across the searcher's segments and fields once per set of segments
//! ([`FacetSpace`]), which rewrites each slab's ordinals as global ones. A query then
//! counts a hit with one walk over its run into one array (a list of ordinals while few
//! documents match), shared by all segments; names are compared only for the top few.
//! Counts are exact. Decoding the columns per hit, a pass per field, and an array per
//! segment each cost more than the search itself.
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

use crate::index::schema::{entity_kind_path, names};
use crate::tagger::EntityKind;

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
    /// Each segment's counted values.
    slabs: Mutex<HashMap<SegmentId, Arc<SegmentSlab>>>,
    /// The counted values numbered over the latest set of segments.
    space: Mutex<Option<Arc<FacetSpace>>>,
    /// Facets matched by a name filter (field, keys), for the current set of segments.
    matches: Mutex<HashMap<MatchKey, Arc<Vec<Facet>>>>,
    /// Whether a space numbers values by frequency (see [`most_frequent_first`]): a pass
    /// over every document's values, which only pays off over many searches.
    by_frequency: bool,
}

impl FacetNames {
    /// Names for a process that runs many searches (`by_frequency`) or one.
    pub fn new(many_searches: bool) -> FacetNames {
        FacetNames { by_frequency: many_searches, ..FacetNames::default() }
    }

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
        // The names lock is let go before the space lock is taken: a search building the
        // space holds that lock while its threads read names, so holding both here in the
        // other order deadlocked concurrent first searches.
        let changed = {
            let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
            let before = names.len();
            names.retain(|(segment, _), _| live.contains(segment));
            let new_segment = live.iter().any(|segment| !names.keys().any(|(s, _)| s == segment));
            names.len() != before || new_segment
        };
        if changed {
            // Matches were computed over other segments.
            self.matches.lock().unwrap_or_else(|e| e.into_inner()).clear();
            self.slabs.lock().unwrap_or_else(|e| e.into_inner()).retain(|segment, _| live.contains(segment));
            let mut space = self.space.lock().unwrap_or_else(|e| e.into_inner());
            if space.as_ref().is_some_and(|s| !s.covers(live)) {
                *space = None;
            }
        }
    }
}

/// A facet field whose values are counted over a result set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Speaker names.
    Speaker,
    /// Party codes.
    Party,
    /// Entity names, of every kind.
    Entity,
    /// Source (outlet) names.
    Source,
}

/// How many fields are counted.
const N_COUNTED: usize = 4;

impl Counted {
    /// Every counted field, in the order of their ranges in a [`FacetSpace`].
    pub const ALL: [Counted; N_COUNTED] = [Counted::Speaker, Counted::Party, Counted::Entity, Counted::Source];

    /// The facet field's name.
    fn field_name(self) -> &'static str {
        match self {
            Counted::Speaker => names::SPEAKER,
            Counted::Party => names::PARTY,
            Counted::Entity => names::ENTITY,
            Counted::Source => names::SOURCE,
        }
    }

    /// The encoded facets whose direct children are the field's listed values: the
    /// field's root, or each entity kind's root (a name is listed, `/entity/person` is not).
    fn roots(self) -> Vec<Vec<u8>> {
        let encoded = |facet: Facet| facet.encoded_str().as_bytes().to_vec();
        match self {
            Counted::Entity => EntityKind::ALL
                .iter()
                .map(|kind| encoded(Facet::from_path([names::ENTITY, entity_kind_path(*kind)])))
                .collect(),
            other => vec![encoded(Facet::from_path([other.field_name()]))],
        }
    }
}

/// One segment's listed values of every counted field, and each document's values as
/// one run in a single slab (offsets plus ordinals, the CSR layout), read once from the
/// facet columns: counting a hit is then one walk over a short run of adjacent numbers,
/// whatever the number of fields.
///
/// Ordinals here are local to the segment: field by field, each field's listed values in
/// name order.
#[derive(Default)]
pub struct SegmentSlab {
    /// Each field's sorted encoded names (all of them, ancestors too) and the ordinals
    /// into them of its listed values.
    fields: Vec<(Names, Vec<u32>)>,
    /// The first local ordinal of each field; one more entry closes the last range.
    field_starts: Vec<u32>,
    /// Document `d`'s values are `ords[offsets[d]..offsets[d + 1]]`.
    offsets: Vec<u32>,
    ords: Vec<u32>,
}

impl SegmentSlab {
    /// Reads `reader`'s columns of `columns` (in [`Counted::ALL`] order; `None` for a
    /// field the segment has no column of) with their names.
    fn read(reader: &SegmentReader, columns: &[(Option<StrColumn>, Names)]) -> SegmentSlab {
        let mut fields = Vec::with_capacity(columns.len());
        let mut field_starts = vec![0u32];
        // Per field, the local ordinal of each column ordinal (u32::MAX: not listed).
        let mut to_local: Vec<Vec<u32>> = Vec::with_capacity(columns.len());
        for (counted, (_, names)) in Counted::ALL.iter().zip(columns) {
            let roots = counted.roots();
            let base = *field_starts.last().unwrap_or(&0);
            let mut local = vec![u32::MAX; names.len()];
            let mut listed = Vec::new();
            for (ord, name) in names.iter().enumerate() {
                if roots.iter().any(|root| is_direct_child(root, name)) {
                    local[ord] = base + listed.len() as u32;
                    listed.push(ord as u32);
                }
            }
            field_starts.push(base + listed.len() as u32);
            fields.push((Arc::clone(names), listed));
            to_local.push(local);
        }
        let max_doc = reader.max_doc() as usize;
        let mut offsets = Vec::with_capacity(max_doc + 1);
        let mut ords = Vec::with_capacity(max_doc * 2);
        offsets.push(0);
        for doc in 0..reader.max_doc() {
            for ((column, _), local) in columns.iter().zip(&to_local) {
                let Some(column) = column else { continue };
                let values = column.term_ords(doc).filter_map(|ord| local.get(ord as usize).copied());
                ords.extend(values.filter(|&l| l != u32::MAX));
            }
            offsets.push(ords.len() as u32);
        }
        ords.shrink_to_fit();
        SegmentSlab { fields, field_starts, offsets, ords }
    }

    /// Number of listed values of `field`.
    fn len(&self, field: usize) -> u32 {
        self.field_starts[field + 1] - self.field_starts[field]
    }

    /// The encoded name of listed value `index` (counted within its field) of `field`.
    fn name(&self, field: usize, index: u32) -> &[u8] {
        let (names, listed) = &self.fields[field];
        &names[listed[index as usize] as usize]
    }
}

/// One segment's place in a [`FacetSpace`].
struct SpaceSegment {
    id: SegmentId,
    slab: Arc<SegmentSlab>,
    /// The slab's ordinals turned into global ones, so counting needs no lookup.
    ords: Vec<u32>,
}

impl SpaceSegment {
    /// The global ordinals of `doc`'s values.
    fn of_doc(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match (self.slab.offsets.get(doc), self.slab.offsets.get(doc + 1)) {
            (Some(&start), Some(&end)) => &self.ords[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// The listed values of every counted field over a searcher's segments, numbered in one
/// sequence (global ordinals: field by field, each field's values from the most to the
/// least frequent, ties in name order, when it serves many searches), so a
/// query counts every field of every segment into one array by index and compares names
/// only for the few values it lists. Built once per set of segments.
pub struct FacetSpace {
    segments: Vec<SpaceSegment>,
    /// Each global value as (segment position, local ordinal) of a segment holding it.
    global: Vec<(u32, u32)>,
    /// The first global ordinal of each field; one more entry closes the last range.
    field_starts: [u32; N_COUNTED + 1],
    /// Zeroed count arrays (one slot per global value) left by earlier queries, so a
    /// large result set does not pay for a fresh allocation's page faults.
    spare_counts: Mutex<Vec<Vec<u32>>>,
}

/// Count arrays a [`FacetSpace`] keeps for reuse: one per query running at once.
const SPARE_COUNTS: usize = 4;

/// The new ordinal of each global ordinal so that within each field's range the values
/// come from the most to the least frequent over all documents (ties keep their order).
/// A query's count array is then touched mostly at the front of each range: the few
/// values most hits carry (a big party, a frequent speaker, a large outlet) share cache
/// lines, where in name order every hit's increments landed on scattered lines of an
/// array of hundreds of thousands of values, which made counting memory-bound.
fn most_frequent_first(ords: &[Vec<u32>], field_starts: &[u32; N_COUNTED + 1], values: usize) -> Vec<u32> {
    let mut frequency = vec![0u32; values];
    for &ord in ords.iter().flatten() {
        frequency[ord as usize] += 1;
    }
    let mut renumber = vec![0u32; values];
    for range in field_starts.windows(2) {
        let mut field: Vec<u32> = (range[0]..range[1]).collect();
        field.sort_by_key(|&ord| Reverse(frequency[ord as usize]));
        for (new, old) in (range[0]..).zip(field) {
            renumber[old as usize] = new;
        }
    }
    renumber
}

impl FacetSpace {
    fn new(segments: Vec<(SegmentId, Arc<SegmentSlab>)>, by_frequency: bool) -> FacetSpace {
        let mut to_global: Vec<Vec<u32>> =
            segments.iter().map(|(_, slab)| vec![0; slab.field_starts[N_COUNTED] as usize]).collect();
        let mut global: Vec<(u32, u32)> = Vec::new();
        let mut field_starts = [0u32; N_COUNTED + 1];
        for field in 0..N_COUNTED {
            // A k-way merge of the segments' sorted name lists of this field.
            let mut heap: BinaryHeap<Reverse<(&[u8], u32, u32)>> = segments
                .iter()
                .enumerate()
                .filter(|(_, (_, slab))| slab.len(field) > 0)
                .map(|(s, (_, slab))| Reverse((slab.name(field, 0), s as u32, 0)))
                .collect();
            let mut last: Option<&[u8]> = None;
            while let Some(Reverse((name, s, index))) = heap.pop() {
                let slab = &segments[s as usize].1;
                let local = slab.field_starts[field] + index;
                if last != Some(name) {
                    global.push((s, local));
                    last = Some(name);
                }
                to_global[s as usize][local as usize] = global.len() as u32 - 1;
                if index + 1 < slab.len(field) {
                    heap.push(Reverse((slab.name(field, index + 1), s, index + 1)));
                }
            }
            field_starts[field + 1] = global.len() as u32;
        }
        // Each segment's ordinals, global in name order until renumbered.
        let mut ords: Vec<Vec<u32>> = segments
            .iter()
            .zip(&to_global)
            .map(|((_, slab), to_global)| slab.ords.iter().map(|&local| to_global[local as usize]).collect())
            .collect();
        if by_frequency {
            let renumber = most_frequent_first(&ords, &field_starts, global.len());
            let mut renumbered = vec![(0, 0); global.len()];
            for (old, &new) in renumber.iter().enumerate() {
                renumbered[new as usize] = global[old];
            }
            global = renumbered;
            ords.iter_mut().flatten().for_each(|ord| *ord = renumber[*ord as usize]);
        }
        let segments: Vec<SpaceSegment> =
            segments.into_iter().zip(ords).map(|((id, slab), ords)| SpaceSegment { id, slab, ords }).collect();
        FacetSpace { segments, global, field_starts, spare_counts: Mutex::new(Vec::new()) }
    }

    /// Whether this space was built for exactly `segments`, in order.
    fn covers(&self, segments: &[SegmentId]) -> bool {
        self.segments.len() == segments.len() && self.segments.iter().zip(segments).all(|(a, b)| a.id == *b)
    }

    /// The encoded name of global ordinal `ord`.
    fn name(&self, ord: u32) -> &[u8] {
        let (s, local) = self.global[ord as usize];
        let slab = &self.segments[s as usize].slab;
        let field = slab.field_starts.partition_point(|&start| start <= local) - 1;
        slab.name(field, local - slab.field_starts[field])
    }

    /// Ordinals a segment's counter lists before it counts in an array over all values:
    /// past this size sorting the list in the merge costs more than zeroing and scanning
    /// the array.
    fn sparse_limit(&self) -> usize {
        self.global.len() / 32 + 256
    }

    /// A zeroed count array over all global values.
    fn take_counts(&self) -> Vec<u32> {
        let spare = self.spare_counts.lock().unwrap_or_else(|e| e.into_inner()).pop();
        spare.unwrap_or_else(|| vec![0; self.global.len()])
    }

    /// Keeps `counts`, which must be all zero again, for a later query.
    fn give_back(&self, counts: Vec<u32>) {
        debug_assert!(counts.iter().all(|&n| n == 0));
        let mut spare = self.spare_counts.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < SPARE_COUNTS {
            spare.push(counts);
        }
    }
}

impl FacetNames {
    /// The counted values of `reader`'s segment, read on first use.
    /// The slabs of `readers`, in their order, read on all cores: reading them is most of
    /// a one-off `newsdex search` process, and segments are independent.
    fn segment_slabs(&self, readers: &[SegmentReader]) -> tantivy::Result<Vec<Arc<SegmentSlab>>> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        crate::parallel::map_in_order(readers, cores, |reader| self.segment_slab(reader)).into_iter().collect()
    }

    fn segment_slab(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentSlab>> {
        let id = reader.segment_id();
        if let Some(slab) = self.slabs.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(Arc::clone(slab));
        }
        let mut columns = Vec::with_capacity(N_COUNTED);
        for counted in Counted::ALL {
            let field = counted.field_name();
            let column = reader.fast_fields().str(field)?;
            let names = match &column {
                Some(column) => self.get(id, field, column)?,
                None => Names::default(),
            };
            columns.push((column, names));
        }
        let slab = Arc::new(SegmentSlab::read(reader, &columns));
        self.slabs.lock().unwrap_or_else(|e| e.into_inner()).insert(id, Arc::clone(&slab));
        Ok(slab)
    }

    /// The counted values over the segments of `searcher`.
    pub fn space(&self, searcher: &tantivy::Searcher) -> tantivy::Result<Arc<FacetSpace>> {
        let ids: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        // Held while building, so queries arriving together after a commit build it once.
        let mut space = self.space.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = space.as_ref().filter(|s| s.covers(&ids)) {
            return Ok(Arc::clone(found));
        }
        let readers = searcher.segment_readers();
        let slabs = self.segment_slabs(readers)?;
        let segments = readers.iter().map(SegmentReader::segment_id).zip(slabs).collect();
        let built = Arc::new(FacetSpace::new(segments, self.by_frequency));
        *space = Some(Arc::clone(&built));
        Ok(built)
    }
}

/// Counts the listed values of the counted fields over a result set and returns, per
/// field asked for, the most frequent leaf names with their exact counts, ties by name.
pub struct FacetCounter {
    space: Arc<FacetSpace>,
    /// Values listed per field, in [`Counted::ALL`] order (0: not listed).
    limits: [usize; N_COUNTED],
    /// The dense count array segments share: one segment's counter takes it, counts
    /// into it and leaves it here for the next segment, so a query zeroes and scans one
    /// array however many segments the index has.
    shared: Arc<Mutex<Option<Vec<u32>>>>,
}

impl FacetCounter {
    /// Counts over `space`, which must have been built for the searcher this collector
    /// runs on, listing `limit` values of each field in `wanted`.
    pub fn new(space: Arc<FacetSpace>, wanted: &[(Counted, usize)]) -> Self {
        let mut limits = [0; N_COUNTED];
        for &(counted, limit) in wanted {
            limits[counted as usize] = limit;
        }
        FacetCounter { space, limits, shared: Arc::default() }
    }
}

/// The top values of each counted field, as [`FacetCounter`] found them.
#[derive(Debug, Default)]
pub struct FacetTops([Vec<(String, u64)>; N_COUNTED]);

impl FacetTops {
    /// Takes the list of `counted`.
    pub fn take(&mut self, counted: Counted) -> Vec<(String, u64)> {
        std::mem::take(&mut self.0[counted as usize])
    }
}

/// Global-ordinal counts of one segment's hits: the ordinals themselves while few
/// documents match, a count per global value once that would be smaller.
pub enum Tally {
    /// Every counted ordinal, repeated as often as it was counted.
    Sparse(Vec<u32>),
    /// A count per global value.
    Dense(Vec<u32>),
}

/// Counts one segment's hits.
pub struct FacetCounterSegment {
    space: Arc<FacetSpace>,
    segment: usize,
    tally: Tally,
    shared: Arc<Mutex<Option<Vec<u32>>>>,
    /// Hits not counted yet: counting [`BATCH`] at a time in a tight loop lets the
    /// processor wait for several documents' runs at once (the walk is bound by memory
    /// latency, not by instructions).
    pending: Vec<DocId>,
}

/// Hits counted together.
const BATCH: usize = 64;

impl Collector for FacetCounter {
    type Fruit = FacetTops;
    type Child = FacetCounterSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetCounterSegment> {
        let id = reader.segment_id();
        let segment = self.space.segments.iter().position(|s| s.id == id).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("facet values were read without segment {id:?}"))
        })?;
        Ok(FacetCounterSegment {
            space: Arc::clone(&self.space),
            segment,
            tally: Tally::Sparse(Vec::with_capacity(self.space.sparse_limit())),
            shared: Arc::clone(&self.shared),
            pending: Vec::with_capacity(BATCH),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Tally>) -> tantivy::Result<FacetTops> {
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut dense = shared;
        let mut sparse: Vec<u32> = Vec::new();
        for tally in segments {
            match (tally, dense.as_mut()) {
                (Tally::Dense(counts), None) => dense = Some(counts),
                (Tally::Dense(mut counts), Some(all)) => {
                    for (total, n) in all.iter_mut().zip(counts.iter_mut()) {
                        *total += std::mem::take(n);
                    }
                    self.space.give_back(counts);
                }
                (Tally::Sparse(ords), _) => sparse.extend(ords),
            }
        }
        let mut tops = FacetTops::default();
        match dense {
            Some(mut counts) => {
                for ord in sparse {
                    counts[ord as usize] += 1;
                }
                for (field, range) in self.field_ranges() {
                    let limit = self.limits[field];
                    let candidates = take_frequent(&mut counts[range.clone()], limit);
                    let candidates = candidates.into_iter().map(|(i, n)| (range.start as u32 + i, u64::from(n)));
                    tops.0[field] = self.top(candidates.collect(), limit);
                }
                self.space.give_back(counts);
            }
            None => {
                let summed = run_lengths(sparse);
                for (field, range) in self.field_ranges() {
                    let start = summed.partition_point(|&(ord, _)| (ord as usize) < range.start);
                    let end = summed.partition_point(|&(ord, _)| (ord as usize) < range.end);
                    tops.0[field] = self.top(summed[start..end].to_vec(), self.limits[field]);
                }
            }
        }
        Ok(tops)
    }
}

impl FacetCounter {
    /// Each counted field with its range of global ordinals.
    fn field_ranges(&self) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        let starts = &self.space.field_starts;
        (0..N_COUNTED).map(|field| (field, starts[field] as usize..starts[field + 1] as usize))
    }

    /// The `limit` most frequent of `counted` (global ordinal, count) pairs as leaf names
    /// with counts, ties by name, then by where the name sits (an entity's kind).
    fn top(&self, mut counted: Vec<(u32, u64)>, limit: usize) -> Vec<(String, u64)> {
        if limit == 0 {
            return Vec::new();
        }
        // Keep every value tied with the last one listed, then order exactly.
        if counted.len() > limit {
            counted.select_nth_unstable_by(limit - 1, |a, b| b.1.cmp(&a.1));
            let threshold = counted[limit - 1].1;
            counted.retain(|c| c.1 >= threshold);
        }
        let space = &self.space;
        let mut out: Vec<(String, u64, u32)> =
            counted.into_iter().filter_map(|(ord, n)| leaf_name(space.name(ord)).map(|leaf| (leaf, n, ord))).collect();
        out.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)).then_with(|| space.name(a.2).cmp(space.name(b.2)))
        });
        out.truncate(limit);
        out.into_iter().map(|(leaf, n, _)| (leaf, n)).collect()
    }
}

/// The (index, count) of the values of `counts` that can be among the `limit` most
/// frequent (every value tied with the last one too), zeroing all of `counts`. Two passes
/// over the array: a small heap finds the threshold, so the many rare values are never
/// collected. Both passes skip a chunk at a time on its maximum (a loop the compiler turns
/// into vector instructions), since nearly every value of a large array is 0 or rare.
fn take_frequent(counts: &mut [u32], limit: usize) -> Vec<(u32, u32)> {
    if limit == 0 {
        counts.fill(0);
        return Vec::new();
    }
    let mut heap: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(limit + 1);
    for chunk in counts.chunks(SCAN_CHUNK) {
        // Until the heap is full every value counted enters it; then only larger ones.
        let floor = if heap.len() < limit { 0 } else { heap.peek().map_or(0, |&Reverse(least)| least) };
        if chunk_max(chunk) <= floor {
            continue;
        }
        for &n in chunk.iter().filter(|&&n| n > 0) {
            if heap.len() < limit {
                heap.push(Reverse(n));
            } else if heap.peek().is_some_and(|&Reverse(least)| n > least) {
                heap.pop();
                heap.push(Reverse(n));
            }
        }
    }
    // With fewer than `limit` values counted, every one of them is listed.
    let threshold = if heap.len() < limit { 1 } else { heap.peek().map_or(1, |&Reverse(least)| least) };
    let mut frequent = Vec::new();
    for (c, chunk) in counts.chunks(SCAN_CHUNK).enumerate() {
        if chunk_max(chunk) < threshold {
            continue;
        }
        let at = c * SCAN_CHUNK;
        frequent.extend(chunk.iter().enumerate().filter(|(_, &n)| n >= threshold).map(|(i, &n)| ((at + i) as u32, n)));
    }
    counts.fill(0);
    frequent
}

/// Values [`take_frequent`] skips at once when none of them can be listed.
const SCAN_CHUNK: usize = 64;

fn chunk_max(chunk: &[u32]) -> u32 {
    chunk.iter().fold(0, |max, &n| max.max(n))
}

/// Sorted `ords` as (ordinal, number of times it occurs) pairs.
fn run_lengths(mut ords: Vec<u32>) -> Vec<(u32, u64)> {
    ords.sort_unstable();
    let mut summed: Vec<(u32, u64)> = Vec::new();
    for ord in ords {
        match summed.last_mut() {
            Some((last, n)) if *last == ord => *n += 1,
            _ => summed.push((ord, 1)),
        }
    }
    summed
}

impl FacetCounterSegment {
    /// Counts the values of the pending hits.
    fn count_pending(&mut self) {
        let segment = &self.space.segments[self.segment];
        match &mut self.tally {
            Tally::Dense(counts) => {
                for &doc in &self.pending {
                    for &ord in segment.of_doc(doc) {
                        counts[ord as usize] += 1;
                    }
                }
            }
            Tally::Sparse(ords) => {
                // Runs are a few values long: pushing them one by one beats a call to
                // copy each.
                for &doc in &self.pending {
                    for &ord in segment.of_doc(doc) {
                        ords.push(ord);
                    }
                }
                if ords.len() > self.space.sparse_limit() {
                    let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner()).take();
                    let mut counts = shared.unwrap_or_else(|| self.space.take_counts());
                    for &ord in ords.iter() {
                        counts[ord as usize] += 1;
                    }
                    self.tally = Tally::Dense(counts);
                }
            }
        }
        self.pending.clear();
    }
}

impl SegmentCollector for FacetCounterSegment {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BATCH {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> Tally {
        self.count_pending();
        match self.tally {
            Tally::Dense(counts) => {
                // Leave the array for the next segment unless another one holds it
                // (segments counted in parallel); then the merge adds them up.
                let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
                if shared.is_none() {
                    *shared = Some(counts);
                    Tally::Sparse(Vec::new())
                } else {
                    Tally::Dense(counts)
                }
            }
            sparse => sparse,
        }
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
    use tantivy::collector::Count;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{FacetOptions, IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

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

    #[test]
    fn take_frequent_keeps_ties_and_zeroes_the_counts() {
        let mut counts = [0, 5, 1, 3, 0, 3, 7, 2];
        assert_eq!(take_frequent(&mut counts, 3), [(1, 5), (3, 3), (5, 3), (6, 7)]);
        assert_eq!(counts, [0; 8]);
        let mut counts = [0, 2, 0, 1];
        assert_eq!(take_frequent(&mut counts, 5), [(1, 2), (3, 1)]);
        let mut counts = [4, 2];
        assert!(take_frequent(&mut counts, 0).is_empty());
        assert_eq!(counts, [0, 0]);
    }

    #[test]
    fn take_frequent_over_many_chunks_is_the_plain_selection() {
        // Mostly zeros and ones with a few large counts, ties across chunk borders.
        let counts: Vec<u32> =
            (0..1000u32).map(|i| if i % 7 == 0 { (i * 37) % 11 } else { u32::from(i % 13 == 0) }).collect();
        for limit in [1, 3, 10, 200, 2000] {
            let mut sorted: Vec<u32> = counts.iter().copied().filter(|&n| n > 0).collect();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            let threshold = sorted.get(limit - 1).copied().unwrap_or(1);
            let expected: Vec<(u32, u32)> = counts
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0 && n >= threshold)
                .map(|(i, &n)| (i as u32, n))
                .collect();
            let mut taken = counts.clone();
            assert_eq!(take_frequent(&mut taken, limit), expected, "limit {limit}");
            assert!(taken.iter().all(|&n| n == 0));
        }
    }

    #[test]
    fn run_lengths_count_repeats() {
        assert_eq!(run_lengths(vec![5, 1, 5, 3, 5, 1]), [(1, 2), (3, 1), (5, 3)]);
        assert!(run_lengths(Vec::new()).is_empty());
    }

    /// A test document: its text and its facets as paths.
    type TestDoc<'a> = (&'a str, Vec<Vec<&'a str>>);

    /// An index of (text, facets) documents, committed in the given rounds (one segment
    /// each).
    fn index_of(rounds: &[Vec<TestDoc>]) -> Index {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let mut facet_fields = HashMap::new();
        // Paragraph kinds too, which are not counted here.
        for name in Counted::ALL.map(Counted::field_name).into_iter().chain([names::KIND]) {
            facet_fields.insert(name, schema.add_facet_field(name, FacetOptions::default()));
        }
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for round in rounds {
            for (words, facets) in round {
                let mut document = doc!(text => *words);
                for path in facets {
                    document.add_facet(facet_fields[path[0]], Facet::from_path(path));
                }
                writer.add_document(document).unwrap();
            }
            writer.commit().unwrap();
        }
        index
    }

    /// Every listed value of `counted` over the hits of `query`, counted the plain way
    /// (one stored facet list per hit), most frequent first, ties by name.
    fn counted_plainly(rounds: &[Vec<TestDoc>], word: Option<&str>, counted: Counted) -> Vec<(String, u64)> {
        let roots = counted.roots();
        let mut counts: HashMap<Vec<u8>, u64> = HashMap::new();
        for (words, facets) in rounds.iter().flatten() {
            if word.is_some_and(|w| !words.split(' ').any(|x| x == w)) {
                continue;
            }
            for path in facets {
                let name = encoded(path);
                if roots.iter().any(|root| is_direct_child(root, &name)) {
                    *counts.entry(name).or_default() += 1;
                }
            }
        }
        let mut out: Vec<(String, u64, Vec<u8>)> =
            counts.into_iter().map(|(name, n)| (leaf_name(&name).unwrap(), n, name)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)).then_with(|| a.2.cmp(&b.2)));
        out.into_iter().map(|(leaf, n, _)| (leaf, n)).collect()
    }

    #[test]
    fn counts_every_field_exactly_over_segments_sparse_and_dense() {
        // Three segments with overlapping and distinct names; many hits make the counts
        // dense, the rare word keeps them sparse.
        let speakers = ["Al Franken", "Donald Trump", "Eric Trump", "Nancy Pelosi"];
        let entities =
            [["person", "Donald Trump"], ["place", "Washington"], ["organization", "FBI"], ["person", "Washington"]];
        let mut rounds = Vec::new();
        for round in 0..3usize {
            let mut docs = Vec::new();
            for i in 0..400usize {
                let words = if i % 97 == round { "tax rare" } else { "tax" };
                let mut facets = vec![vec!["kind", if i % 9 == 0 { "caption" } else { "body" }]];
                if i % 3 != 0 {
                    facets.push(vec!["speaker", speakers[(i + round) % 4]]);
                    facets.push(vec!["party", ["D", "R"][i % 2]]);
                }
                if i % 5 == 0 {
                    facets.push(vec!["speaker", speakers[(i / 5) % 4]]);
                }
                for e in 0..(i % 4) {
                    let [kind, name] = entities[(i + e + round) % 4];
                    facets.push(vec!["entity", kind, name]);
                }
                facets.push(vec!["source", ["CNN", "Fox News", "Reuters"][(i * 7 + round) % 3]]);
                docs.push((words, facets));
            }
            // A name only this segment has.
            docs.push(("tax rare", vec![vec!["speaker", ["Zed", "Ann", "Bo"][round]]]));
            rounds.push(docs);
        }
        let index = index_of(&rounds);
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        // Values numbered by name or by frequency count the same.
        for many_searches in [false, true] {
            let names = FacetNames::new(many_searches);
            let space = names.space(&searcher).unwrap();
            let text = index.schema().get_field("text").unwrap();
            for word in [None, Some("rare")] {
                let query: Box<dyn tantivy::query::Query> = match word {
                    None => Box::new(AllQuery),
                    Some(w) => Box::new(TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::Basic)),
                };
                for limit in [1, 3, 50] {
                    let wanted: Vec<(Counted, usize)> = Counted::ALL.iter().map(|c| (*c, limit)).collect();
                    let counter = FacetCounter::new(Arc::clone(&space), &wanted);
                    let (mut tops, hits) = searcher.search(&*query, &(counter, Count)).unwrap();
                    assert!(hits > 0);
                    for counted in Counted::ALL {
                        let mut expected = counted_plainly(&rounds, word, counted);
                        expected.truncate(limit);
                        assert_eq!(
                            tops.take(counted),
                            expected,
                            "{counted:?} of {word:?}, limit {limit}, many searches {many_searches}"
                        );
                    }
                }
            }
            // Fields not asked for are not listed, and the count arrays come back zeroed.
            let counter = FacetCounter::new(Arc::clone(&space), &[(Counted::Party, 5)]);
            let mut tops = searcher.search(&AllQuery, &counter).unwrap();
            assert_eq!(tops.take(Counted::Party), [("D".to_owned(), 399), ("R".to_owned(), 399)]);
            assert!(tops.take(Counted::Speaker).is_empty());
            let spare = space.spare_counts.lock().unwrap();
            assert!(!spare.is_empty() && spare.iter().all(|counts| counts.iter().all(|&n| n == 0)));
        }
    }

    #[test]
    fn concurrent_first_searches_do_not_deadlock() {
        // Each round: a fresh cache, and threads that all check the segments and build the
        // space at once, as the first requests to a server do.
        let rounds: Vec<Vec<TestDoc>> = (0..4)
            .map(|r| (0..50).map(|i| ("a", vec![vec!["speaker", ["Al", "Bo", "Cy"][(i + r) % 3]]])).collect())
            .collect();
        let index = index_of(&rounds);
        let searcher = index.reader().unwrap().searcher();
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..200 {
                let names = FacetNames::default();
                std::thread::scope(|scope| {
                    for _ in 0..4 {
                        scope.spawn(|| {
                            names.retain(&live);
                            names.space(&searcher).unwrap();
                            names.retain(&live);
                        });
                    }
                });
            }
            done.send(()).unwrap();
        });
        assert!(finished.recv_timeout(std::time::Duration::from_secs(60)).is_ok(), "deadlocked");
    }

    #[test]
    fn global_ordinals_merge_names_field_by_field() {
        let rounds = vec![
            vec![("a", vec![vec!["speaker", "Cy"], vec!["party", "R"]]), ("a", vec![vec!["speaker", "Al"]])],
            vec![("a", vec![vec!["speaker", "Bo"], vec!["speaker", "Cy"], vec!["source", "CNN"]])],
        ];
        let index = index_of(&rounds);
        let searcher = index.reader().unwrap().searcher();
        let listed = |space: &FacetSpace| -> Vec<String> {
            (0..space.global.len() as u32).filter_map(|ord| leaf_name(space.name(ord))).collect()
        };
        assert_eq!(listed(&FacetNames::new(false).space(&searcher).unwrap()), ["Al", "Bo", "Cy", "R", "CNN"]);
        let space = FacetNames::new(true).space(&searcher).unwrap();
        // Cy is on two documents; Al and Bo, on one each, keep their name order.
        assert_eq!(listed(&space), ["Cy", "Al", "Bo", "R", "CNN"]);
        assert_eq!(space.field_starts, [0, 3, 4, 4, 5]);
        // Each document's run holds the global ordinals of its values, in field order.
        let runs: Vec<Vec<u32>> = space
            .segments
            .iter()
            .flat_map(|s| (0..s.slab.offsets.len() as u32 - 1).map(|doc| s.of_doc(doc).to_vec()))
            .collect();
        let mut runs_sorted = runs.clone();
        runs_sorted.sort();
        // (Cy and R; Al; Bo, Cy and CNN: a field's values stay in the segment's name order.)
        assert_eq!(runs_sorted, [vec![0, 3], vec![1], vec![2, 0, 4]]);
    }
}
