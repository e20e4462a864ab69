//! Search stage: a [`Request`] (query text plus filters) in, a [`Response`] (ranked hits
//! with snippets, and facet counts over the whole result set) out.
//!
//! Filters and facet counts work on indexed terms and facet columns only; stored
//! documents are read for the hits of the page shown, never for the whole result set.

mod browse;
mod exclusion;
mod facets;
mod filter_cache;
mod request;
mod response;

pub use browse::{ArticleView, DateBucket, DateHistogram, DateUnit, FacetDictionary, FacetField, FacetValue};
pub use request::{parse_party, Request};
pub use response::{FacetCounts, Hit, Response};

use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Executor, Index, IndexReader, ReloadPolicy, Searcher, Term};

use crate::clean::ParagraphKind;
use crate::index::schema::{filter_key, names, Fields};
use crate::index::{open_index, read_hit_record};
use crate::tagger::EntityKind;
use crate::{Error, Result};
use facets::{Counted, FacetCounter};

/// How many values each facet lists.
pub const FACET_LIMIT: usize = 20;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// An open index, ready for many searches (the reader reloads after each commit).
pub struct Searchable {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    facet_names: std::sync::Arc<facets::FacetNames>,
    /// Filters read once per index generation: name filters and one-term facet filters.
    name_filters: filter_cache::FilterCache,
    /// Whether one-term facet filters go through [`Searchable::name_filters`]: reading one
    /// whole costs more than using it once, so a process running one search does not.
    cache_term_filters: bool,
    speaker_party_memo: browse::NameMemo<Option<crate::roster::Party>>,
    entity_kind_memo: browse::NameMemo<Option<EntityKind>>,
    /// Threads that search a request's segments in parallel (none on one core).
    segment_threads: Option<Executor>,
    /// Searches in progress, to use [`Searchable::segment_threads`] only when cores are idle.
    searches_running: AtomicUsize,
}

impl Searchable {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Searchable> {
        Self::open_with(dir, true)
    }

    /// Opens the index at `dir` for a process that runs one search: it reads nothing
    /// ahead that only later searches would use.
    pub fn open_for_one_search(dir: &Path) -> Result<Searchable> {
        Self::open_with(dir, false)
    }

    fn open_with(dir: &Path, many_searches: bool) -> Result<Searchable> {
        let (index, fields) = open_index(dir)?;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let segment_threads = if cores > 1 { Some(Executor::multi_thread(cores, "newsdex-search-")?) } else { None };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(Searchable {
            index,
            reader,
            fields,
            facet_names: std::sync::Arc::new(facets::FacetNames::new(many_searches)),
            name_filters: Default::default(),
            cache_term_filters: many_searches,
            speaker_party_memo: Default::default(),
            entity_kind_memo: Default::default(),
            segment_threads,
            searches_running: AtomicUsize::new(0),
        })
    }

    /// The current searcher (sees the latest commit).
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Runs `request`.
    pub fn search(&self, request: &Request) -> Result<Response> {
        Ok(self.search_collecting(request, None::<Count>)?.0)
    }

    /// Runs `request`, feeding every matching paragraph to `extra` as well (one pass
    /// over the postings for the response and whatever else a caller counts).
    fn search_collecting<C: Collector>(&self, request: &Request, extra: C) -> Result<(Response, C::Fruit)> {
        request.validate()?;
        let searcher = self.reader.searcher();
        let live: Vec<_> = searcher.segment_readers().iter().map(|r| r.segment_id()).collect();
        self.facet_names.retain(&live);
        let text_query = self.text_query(&request.query)?;
        let query = BooleanQuery::new(
            std::iter::once((Occur::Must, text_query.box_clone())).chain(self.filters(&searcher, request)?).collect(),
        );
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset).order_by_score();
        let facets = self.facet_counter(
            &searcher,
            &[Counted::Speaker, Counted::Party, Counted::Entity, Counted::Source].map(|c| (c, FACET_LIMIT)),
        )?;
        let (top_docs, total, mut tops, extra) = self.run(&searcher, &query, &(top, Count, facets, extra))?;
        let top_docs = if request.limit == 0 { Vec::new() } else { top_docs };
        let mut snippets = SnippetGenerator::create(&searcher, &*text_query, self.fields.text)?;
        // Highlights over (nearly) the whole paragraph; `window` then cuts the snippet
        // around the first match, which reads better than tantivy's shortest fragment.
        snippets.set_max_num_chars(WHOLE_PARAGRAPH_CHARS);
        let hits = top_docs
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, &snippets, score, address))
            .collect::<Result<Vec<Hit>>>()?;
        let facets = FacetCounts {
            speaker: tops.take(Counted::Speaker),
            party: tops.take(Counted::Party),
            entity: merge_entities(tops.take(Counted::Entity), FACET_LIMIT),
            source: tops.take(Counted::Source),
        };
        Ok((Response { query: request.query.clone(), total: total as u64, hits, facets }, extra))
    }

    /// `searcher.search(query, collector)`, over the segments in parallel when no other
    /// search is running: alone, a common term's hits are counted in about half the time
    /// on two cores; under load every core is busy with a request already, and handing
    /// segments between threads would only add work.
    fn run<C: Collector>(&self, searcher: &Searcher, query: &dyn Query, collector: &C) -> Result<C::Fruit> {
        let running = RunningSearch::start(&self.searches_running);
        let executor = match &self.segment_threads {
            Some(threads) if running.alone() => threads,
            _ => searcher.index().search_executor(),
        };
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        Ok(searcher.search_with_executor(query, collector, executor, scoring)?)
    }

    /// The query text parsed with tantivy's syntax over paragraph text; empty means all.
    fn text_query(&self, text: &str) -> Result<Box<dyn Query>> {
        if text.trim().is_empty() {
            return Ok(Box::new(AllQuery));
        }
        let mut parser = QueryParser::for_index(&self.index, vec![self.fields.text]);
        parser.set_conjunction_by_default();
        parser
            .parse_query(text)
            .map(exclusion::guard_exclusions)
            .map_err(|e| Error::InvalidRequest { what: "query".into(), message: e.to_string() })
    }

    fn filters(&self, searcher: &Searcher, r: &Request) -> Result<Vec<(Occur, Box<dyn Query>)>> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, name, values) in [
            (f.speaker, names::SPEAKER, &r.speakers),
            (f.entity, names::ENTITY, &r.entities),
            (f.source, names::SOURCE, &r.sources),
        ] {
            if values.is_empty() {
                continue;
            }
            let wanted: Vec<String> = values.iter().map(|v| filter_key(v)).collect();
            let facets = self.facet_names.matching(searcher, name, &wanted)?;
            // A filter that names nobody matches nothing, rather than being dropped.
            let terms: Vec<Term> = facets.iter().map(|facet| Term::from_facet(field, facet)).collect();
            let many_terms = terms.len() > 1;
            let Some((occur, clause)) = any_of(terms) else {
                out.push((Occur::Must, Box::new(tantivy::query::EmptyQuery)));
                continue;
            };
            // An OR of many facets is read once per generation; one term is cheap as it is
            // (and tantivy intersects lone term queries its own way).
            if many_terms {
                out.push((occur, self.cached_filter(searcher, name, wanted, &*clause)?));
            } else {
                out.push((occur, clause));
            }
        }
        let parties: Vec<&str> =
            r.parties.iter().map(|p| parse_party(p).map(|party| party.code())).collect::<Result<_>>()?;
        let party_terms = parties.iter().map(|code| Term::from_facet(f.party, &Facet::from_path(["party", *code])));
        if let Some((occur, clause)) = any_of(party_terms.collect()) {
            let keys = parties.iter().map(|code| (*code).to_owned()).collect();
            out.push((occur, self.term_filter(searcher, names::PARTY, keys, clause)?));
        }
        let kinds = r.effective_kinds();
        let kind_terms = kinds.iter().map(|k| Term::from_facet(f.kind, &Facet::from_path(["kind", k.as_str()])));
        if let Some((occur, clause)) = any_of(kind_terms.collect()) {
            let keys = kinds.iter().map(|k| k.as_str().to_owned()).collect();
            out.push((occur, self.term_filter(searcher, names::KIND, keys, clause)?));
        }
        if r.quotes {
            let clause = Box::new(TermQuery::new(Term::from_field_u64(f.quoted, 1), IndexRecordOption::Basic));
            out.push((Occur::Must, self.term_filter(searcher, names::QUOTED, vec![], clause)?));
        }
        if r.since.is_some() || r.until.is_some() {
            // Dates are stored at midnight, so an inclusive bound on both ends keeps the
            // whole of the `until` day.
            let bound = |d: Option<chrono::NaiveDate>| match d.and_then(|d| d.and_hms_opt(0, 0, 0)) {
                Some(t) => Bound::Included(Term::from_field_date(
                    f.date,
                    tantivy::DateTime::from_timestamp_secs(t.and_utc().timestamp()),
                )),
                None => Bound::Unbounded,
            };
            out.push((Occur::Must, Box::new(RangeQuery::new(bound(r.since), bound(r.until)))));
        }
        Ok(out)
    }

    /// `clause`, the filter on `field` for `keys`, with its matches read once per index
    /// generation (see [`filter_cache`]): the same documents and scores, found faster.
    fn cached_filter(
        &self,
        searcher: &Searcher,
        field: &str,
        keys: Vec<String>,
        clause: &dyn Query,
    ) -> Result<Box<dyn Query>> {
        Ok(Box::new(self.name_filters.get(searcher, &(field.to_owned(), keys), clause)?))
    }

    /// A filter on one facet term or a few: cached unless this process runs one search.
    fn term_filter(
        &self,
        searcher: &Searcher,
        field: &str,
        keys: Vec<String>,
        clause: Box<dyn Query>,
    ) -> Result<Box<dyn Query>> {
        if self.cache_term_filters {
            self.cached_filter(searcher, field, keys, &*clause)
        } else {
            Ok(clause)
        }
    }

    fn hit(&self, searcher: &Searcher, snippets: &SnippetGenerator, score: f32, address: DocAddress) -> Result<Hit> {
        let record = read_hit_record(&self.fields, searcher, address)?;
        let snippet = snippets.snippet(&record.text);
        let offset = snippet.fragment_range().start;
        let matched: Vec<[usize; 2]> =
            snippet.highlighted().iter().map(|r| [offset + r.start, offset + r.end]).collect();
        let (snippet, highlights) = window(&record.text, &matched, SNIPPET_CHARS);
        Ok(Hit::from_record(record, score, snippet, highlights))
    }
}

/// One search counted in [`Searchable::searches_running`] while it lives.
struct RunningSearch<'a> {
    running: &'a AtomicUsize,
    /// Searches running when this one started, itself included.
    at_start: usize,
}

impl<'a> RunningSearch<'a> {
    fn start(running: &'a AtomicUsize) -> Self {
        let at_start = running.fetch_add(1, Ordering::Relaxed) + 1;
        RunningSearch { running, at_start }
    }

    fn alone(&self) -> bool {
        self.at_start == 1
    }
}

impl Drop for RunningSearch<'_> {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Paragraphs up to this length get highlights everywhere in them.
const WHOLE_PARAGRAPH_CHARS: usize = 4000;

/// About `max_chars` of `text` around the first highlight, cut at word boundaries, with
/// the highlights moved into the window's coordinates.
fn window(text: &str, highlights: &[[usize; 2]], max_chars: usize) -> (String, Vec<[usize; 2]>) {
    let total_chars = text.chars().count();
    if total_chars <= max_chars {
        return (text.to_owned(), highlights.to_vec());
    }
    let first = highlights.first().map_or(0, |h| h[0]);
    let lead = max_chars / 4;
    let mut start = text[..first].char_indices().rev().nth(lead).map_or(0, |(i, _)| i);
    // Near the end of the paragraph, spend the unused budget on text before the match.
    let tail_chars = text[start..].chars().count();
    if tail_chars < max_chars {
        let back = total_chars - max_chars;
        start = text.char_indices().nth(back).map_or(0, |(i, _)| i).min(start);
    }
    if start > 0 {
        start = text[start..].find(' ').map_or(start, |sp| start + sp + 1).min(first);
    }
    let mut end = text[start..].char_indices().nth(max_chars).map_or(text.len(), |(i, _)| start + i);
    if end < text.len() {
        end = text[..end].rfind(' ').filter(|&sp| sp > start).unwrap_or(end);
    }
    let prefix = if start > 0 { "\u{2026}" } else { "" };
    let suffix = if end < text.len() { "\u{2026}" } else { "" };
    let shift = prefix.len();
    let moved = highlights
        .iter()
        .filter(|h| h[0] >= start && h[1] <= end)
        .map(|h| [h[0] - start + shift, h[1] - start + shift])
        .collect();
    (format!("{prefix}{}{suffix}", &text[start..end]), moved)
}

/// One filter clause matching any of `terms` (none: no clause).
fn any_of(terms: Vec<Term>) -> Option<(Occur, Box<dyn Query>)> {
    if terms.is_empty() {
        return None;
    }
    let clauses = terms
        .into_iter()
        .map(|t| (Occur::Should, Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>))
        .collect();
    Some((Occur::Must, Box::new(BooleanQuery::new(clauses))))
}

impl Searchable {
    /// The facet counter on `searcher` listing `(field, limit)` of `wanted`.
    fn facet_counter(&self, searcher: &Searcher, wanted: &[(Counted, usize)]) -> Result<FacetCounter> {
        Ok(FacetCounter::new(self.facet_names.space(searcher)?, wanted))
    }
}

/// Entity counts come over all kinds; the same name under two kinds is listed once, with
/// its larger count.
fn merge_entities(mut all: Vec<(String, u64)>, limit: usize) -> Vec<(String, u64)> {
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut seen = std::collections::HashSet::new();
    all.retain(|(name, _)| seen.insert(name.clone()));
    all.truncate(limit);
    all
}

/// What an index holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Files indexed.
    pub files: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Paragraph documents (all kinds).
    pub paragraphs: u64,
    /// Paragraphs where someone speaks.
    pub quoted_paragraphs: u64,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// Paragraphs per kind.
    pub kinds: Vec<(String, u64)>,
    /// Top speakers.
    pub speakers: Vec<(String, u64)>,
    /// Parties.
    pub parties: Vec<(String, u64)>,
    /// Top sources.
    pub sources: Vec<(String, u64)>,
}

impl Searchable {
    /// Counts over the whole index at `dir`.
    pub fn stats(&self, dir: &Path) -> Result<Stats> {
        let searcher = self.reader.searcher();
        let manifest = crate::index::manifest::Manifest::load(dir)?.unwrap_or_default();
        let (articles, _) = manifest.totals();
        let quoted_query = TermQuery::new(Term::from_field_u64(self.fields.quoted, 1), IndexRecordOption::Basic);
        let quoted = searcher.search(&quoted_query, &Count)?;
        let wanted = [(Counted::Speaker, FACET_LIMIT), (Counted::Party, FACET_LIMIT), (Counted::Source, FACET_LIMIT)];
        let mut tops = searcher.search(&AllQuery, &self.facet_counter(&searcher, &wanted)?)?;
        Ok(Stats {
            files: manifest.files.len() as u64,
            articles,
            paragraphs: searcher.num_docs(),
            quoted_paragraphs: quoted as u64,
            size_bytes: dir_size(dir),
            kinds: self.kind_counts(&searcher)?,
            speakers: tops.take(Counted::Speaker),
            parties: tops.take(Counted::Party),
            sources: tops.take(Counted::Source),
        })
    }
}

impl Searchable {
    /// Paragraphs per kind, most first, ties by name; kinds no paragraph has are left out.
    /// Four term counts: kinds are not in the facet slabs, which only searches' sidebars need.
    fn kind_counts(&self, searcher: &Searcher) -> Result<Vec<(String, u64)>> {
        let mut kinds = Vec::new();
        for kind in ParagraphKind::ALL {
            let term = Term::from_facet(self.fields.kind, &Facet::from_path(["kind", kind.as_str()]));
            let paragraphs = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?;
            if paragraphs > 0 {
                kinds.push((kind.as_str().to_owned(), paragraphs as u64));
            }
        }
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(kinds)
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_short_text_whole() {
        assert_eq!(window("a b c", &[[2, 3]], 10), ("a b c".to_owned(), vec![[2, 3]]));
    }

    #[test]
    fn window_centres_on_the_first_match_and_moves_highlights() {
        let text = format!("{} needle {}", "word ".repeat(100), "tail ".repeat(100));
        let at = text.find("needle").unwrap();
        let (snippet, highlights) = window(&text, &[[at, at + 6]], 80);
        let [s, e] = highlights[0];
        assert_eq!(&snippet[s..e], "needle");
        assert!(snippet.starts_with('\u{2026}') && snippet.ends_with('\u{2026}'));
        assert!(snippet.chars().count() <= 83);
    }
}
