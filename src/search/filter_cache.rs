//! Name filters (`--speaker trump`) that are read once per index generation.
//!
//! A name filter is an OR of every facet whose name matches: `trump` is hundreds of
//! speaker facets. Run as a tantivy query, each of them costs a term lookup per segment
//! to weigh it and another to open its postings, on every search: ten milliseconds
//! before a single document is scored. Here the filter runs once per generation and
//! its matches are kept per segment with the score each one got, so later searches
//! walk a list. The scores are the ones the OR query gave (the filter takes part in the
//! BM25 sum as before), and the cost reported to tantivy is the OR query's, so an
//! intersection orders its parts and sums their scores exactly as it did: results and
//! scores stay the same to the bit.
//!
//! Filters on one facet term (the default `kind:body`, a party, `--quotes`) go through the
//! same cache: their matches all get the same score (no term frequencies, no field
//! norms), so they are kept as a bitset and that one score, and an intersection's seek
//! on them is a bit test instead of a walk of a posting list of most of the index.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// Matches (8 bytes each) kept per generation, over all filters; past this the cache
/// starts over, so memory stays flat whatever names are asked for.
const MAX_MATCHES: usize = 4 << 20;

/// What identifies a filter: the facet field and the normalised names asked for.
pub type FilterKey = (String, Vec<String>);

/// The filters read for one searcher generation.
#[derive(Default)]
pub struct FilterCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    generation: u64,
    filters: HashMap<FilterKey, CachedFilter>,
    matches: usize,
}

impl FilterCache {
    /// The filter `key` on `searcher`, reading it with `query` (the OR of its facet
    /// terms) the first time it is asked for in this generation.
    pub fn get(&self, searcher: &Searcher, key: &FilterKey, query: &dyn Query) -> tantivy::Result<CachedFilter> {
        let generation = searcher.generation().generation_id();
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.generation != generation {
                // Scores depend on document frequencies over the whole index.
                *state = CacheState { generation, ..CacheState::default() };
            }
            if let Some(found) = state.filters.get(key) {
                return Ok(found.clone());
            }
        }
        let built = CachedFilter::read(searcher, query)?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let size = built.len();
        if state.generation == generation && size <= MAX_MATCHES {
            if state.matches + size > MAX_MATCHES {
                *state = CacheState { generation, ..CacheState::default() };
            }
            state.matches += size;
            state.filters.insert(key.clone(), built.clone());
        }
        Ok(built)
    }
}

/// One segment's matches of a filter, with what tantivy was told about their number.
#[derive(Debug)]
struct SegmentMatches {
    set: MatchSet,
    size_hint: u32,
    cost: u64,
}

/// A segment's matches of a filter.
#[derive(Debug)]
enum MatchSet {
    /// In document order, with their scores.
    Listed { docs: Vec<DocId>, scores: Vec<Score> },
    /// A bit per document of the segment, when every match has the same score.
    Uniform { words: Vec<u64>, score: Score },
}

impl MatchSet {
    fn new(max_doc: DocId, docs: Vec<DocId>, scores: Vec<Score>) -> MatchSet {
        let uniform = scores.first().filter(|first| scores.iter().all(|s| s.to_bits() == first.to_bits()));
        let Some(&score) = uniform else { return MatchSet::Listed { docs, scores } };
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)];
        for doc in docs {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        MatchSet::Uniform { words, score }
    }

    /// Memory held, in units of one listed match (8 bytes).
    fn size(&self) -> usize {
        match self {
            MatchSet::Listed { docs, .. } => docs.len(),
            MatchSet::Uniform { words, .. } => words.len(),
        }
    }
}

/// A filter's matches in every segment of one generation, usable as a query.
#[derive(Debug, Clone)]
pub struct CachedFilter {
    segments: Arc<HashMap<SegmentId, Arc<SegmentMatches>>>,
}

impl CachedFilter {
    fn read(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<CachedFilter> {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut segments = HashMap::new();
        for reader in searcher.segment_readers() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            let (size_hint, cost) = (scorer.size_hint(), scorer.cost());
            let (mut docs, mut scores) = (Vec::new(), Vec::new());
            while scorer.doc() != TERMINATED {
                docs.push(scorer.doc());
                scores.push(scorer.score());
                scorer.advance();
            }
            let set = MatchSet::new(reader.max_doc(), docs, scores);
            segments.insert(reader.segment_id(), Arc::new(SegmentMatches { set, size_hint, cost }));
        }
        Ok(CachedFilter { segments: Arc::new(segments) })
    }

    /// Memory held over all segments, in units of one listed match.
    fn len(&self) -> usize {
        self.segments.values().map(|m| m.set.size()).sum()
    }
}

impl Query for CachedFilter {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for CachedFilter {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let matches = self.segments.get(&reader.segment_id()).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("filter was read without segment {:?}", reader.segment_id()))
        })?;
        let matches = Arc::clone(matches);
        Ok(match &matches.set {
            MatchSet::Listed { .. } => Box::new(MatchList { matches, at: 0, boost }),
            MatchSet::Uniform { .. } => Box::new(MatchBits::new(matches, boost)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match the filter")));
        }
        Ok(Explanation::new("name filter (OR of facet terms, read once)", scorer.score()))
    }
}

/// Walks one segment's matches.
struct MatchList {
    matches: Arc<SegmentMatches>,
    at: usize,
    boost: Score,
}

impl MatchList {
    fn docs(&self) -> &[DocId] {
        match &self.matches.set {
            MatchSet::Listed { docs, .. } => docs,
            MatchSet::Uniform { .. } => &[],
        }
    }
}

impl DocSet for MatchList {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs().len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at += self.docs()[self.at..].partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs().get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        self.matches.size_hint
    }

    fn cost(&self) -> u64 {
        self.matches.cost
    }
}

impl Scorer for MatchList {
    fn score(&mut self) -> Score {
        let score = match &self.matches.set {
            MatchSet::Listed { scores, .. } => scores.get(self.at).copied().unwrap_or(0.0),
            MatchSet::Uniform { score, .. } => *score,
        };
        boosted(score, self.boost)
    }
}

/// A boost of one leaves the score as read, bit for bit.
fn boosted(score: Score, boost: Score) -> Score {
    if boost == 1.0 {
        score
    } else {
        score * boost
    }
}

/// Walks one segment's matches kept as bits.
struct MatchBits {
    matches: Arc<SegmentMatches>,
    doc: DocId,
    boost: Score,
}

impl MatchBits {
    fn new(matches: Arc<SegmentMatches>, boost: Score) -> MatchBits {
        let mut bits = MatchBits { matches, doc: 0, boost };
        bits.doc = bits.first_from(0);
        bits
    }

    /// The first match at or after `target`.
    fn first_from(&self, target: DocId) -> DocId {
        let MatchSet::Uniform { words, .. } = &self.matches.set else { return TERMINATED };
        let mut at = target as usize / 64;
        let Some(&first) = words.get(at) else { return TERMINATED };
        let mut bits = first & (u64::MAX << (target % 64));
        while bits == 0 {
            at += 1;
            let Some(&next) = words.get(at) else { return TERMINATED };
            bits = next;
        }
        (at * 64) as DocId + bits.trailing_zeros()
    }
}

impl DocSet for MatchBits {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = if target >= TERMINATED { TERMINATED } else { self.first_from(target) };
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.matches.size_hint
    }

    fn cost(&self) -> u64 {
        self.matches.cost
    }
}

impl Scorer for MatchBits {
    fn score(&mut self) -> Score {
        match &self.matches.set {
            MatchSet::Uniform { score, .. } => boosted(*score, self.boost),
            MatchSet::Listed { .. } => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{Facet, FacetOptions, IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    #[test]
    fn cached_filter_ranks_and_scores_like_the_or_query() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let speaker = schema.add_facet_field("speaker", FacetOptions::default());
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let speakers = ["Donald Trump", "Eric Trump", "Ivanka Trump", "Al Franken"];
        // Two commits make two segments; some paragraphs have two speakers.
        for round in 0..2 {
            for i in 0..40usize {
                let mut document = doc!(text => format!("tax cuts {} {}", "tax ".repeat(i % 5), i));
                document.add_facet(speaker, Facet::from_path(["speaker", speakers[i % 4]]));
                if i % 7 == round {
                    document.add_facet(speaker, Facet::from_path(["speaker", speakers[(i + 1) % 4]]));
                }
                writer.add_document(document).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let or_query = BooleanQuery::new(
            speakers[..3]
                .iter()
                .map(|name| {
                    let term = Term::from_facet(speaker, &Facet::from_path(["speaker", *name]));
                    (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
                })
                .collect(),
        );
        let text_query = || -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(text, "tax"), IndexRecordOption::WithFreqs))
        };
        let cache = FilterCache::default();
        let key: FilterKey = ("speaker".into(), vec!["trump".into()]);
        let cached = cache.get(&searcher, &key, &or_query).unwrap();
        let top = TopDocs::with_limit(100).order_by_score();
        let plain = searcher
            .search(
                &BooleanQuery::new(vec![(Occur::Must, text_query()), (Occur::Must, Box::new(or_query.clone()))]),
                &top,
            )
            .unwrap();
        let fast = searcher
            .search(&BooleanQuery::new(vec![(Occur::Must, text_query()), (Occur::Must, Box::new(cached))]), &top)
            .unwrap();
        assert_eq!(plain.len(), 63, "60 Trump paragraphs and 3 where Al Franken speaks with Donald Trump");
        let bits =
            |hits: &[(f32, tantivy::DocAddress)]| hits.iter().map(|(s, a)| (s.to_bits(), *a)).collect::<Vec<_>>();
        assert_eq!(bits(&fast), bits(&plain));
        // The second time the filter comes from the cache.
        assert_eq!(cache.get(&searcher, &key, &or_query).unwrap().len(), cache.state.lock().unwrap().matches);
    }

    #[test]
    fn one_term_filter_is_kept_as_bits_and_scores_the_same() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let kind = schema.add_facet_field("kind", FacetOptions::default());
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Two segments; every third paragraph a caption, across 64-document words.
        for round in 0..2 {
            for i in 0..300usize {
                let mut document = doc!(text => format!("tax {} {}", "cut ".repeat(i % 4), i));
                document.add_facet(kind, Facet::from_path(["kind", if i % 3 == round { "caption" } else { "body" }]));
                writer.add_document(document).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let body = Term::from_facet(kind, &Facet::from_path(["kind", "body"]));
        let filter = BooleanQuery::new(vec![(
            Occur::Should,
            Box::new(TermQuery::new(body, IndexRecordOption::Basic)) as Box<dyn Query>,
        )]);
        let cached = FilterCache::default().get(&searcher, &("kind".into(), vec!["body".into()]), &filter).unwrap();
        assert!(cached.segments.values().all(|m| matches!(m.set, MatchSet::Uniform { .. })));
        let query = |filter: Box<dyn Query>| {
            let words = Box::new(TermQuery::new(Term::from_field_text(text, "cut"), IndexRecordOption::WithFreqs));
            BooleanQuery::new(vec![(Occur::Must, words as Box<dyn Query>), (Occur::Must, filter)])
        };
        let top = (TopDocs::with_limit(1000).order_by_score(), tantivy::collector::Count);
        let (plain, plain_count) = searcher.search(&query(Box::new(filter.clone())), &top).unwrap();
        let (fast, fast_count) = searcher.search(&query(Box::new(cached)), &top).unwrap();
        assert_eq!((plain_count, fast_count), (300, 300));
        let bits =
            |hits: &[(f32, tantivy::DocAddress)]| hits.iter().map(|(s, a)| (s.to_bits(), *a)).collect::<Vec<_>>();
        assert_eq!(bits(&fast), bits(&plain));
    }
}
