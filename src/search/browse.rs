//! Browsing the index beside ranked search: facet values by prefix (autocompletion of
//! speakers, entities and sources), an article's paragraphs in order (reading a hit in
//! context), and the small lookups a result page draws its sidebar with (a speaker's
//! party, an entity's kind, a date histogram of the result set).
//!
//! Everything here reads indexed terms, facet columns and stored paragraphs of the same
//! [`Searchable`] that runs searches; the date histogram runs the very query
//! [`Searchable::search`] builds, so both always count the same paragraphs.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, DocSetCollector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term, TERMINATED,
};

use super::{Request, Searchable};
use crate::annotate::ParagraphRecord;
use crate::clean::ParagraphKind;
use crate::index::read_record;
use crate::index::schema::{entity_kind_path, names as field_names};
use crate::roster::Party;
use crate::tagger::EntityKind;
use crate::{Error, Result};

/// The separator tantivy puts between the parts of an encoded facet path.
const FACET_SEP: u8 = 0;

/// A facet field that can be browsed by prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetField {
    /// Speaker names.
    Speaker,
    /// Entity names, of every kind.
    Entity,
    /// Source (outlet) names.
    Source,
    /// Party codes.
    Party,
}

impl FacetField {
    /// Every browsable field.
    pub const ALL: [FacetField; 4] = [FacetField::Speaker, FacetField::Entity, FacetField::Source, FacetField::Party];

    /// The field's name, as in the facet root and the `field` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            FacetField::Speaker => field_names::SPEAKER,
            FacetField::Entity => field_names::ENTITY,
            FacetField::Source => field_names::SOURCE,
            FacetField::Party => field_names::PARTY,
        }
    }

    /// The field named `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<FacetField> {
        Self::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// One facet value with the number of paragraphs that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// The value: a name, or a party code.
    pub value: String,
    /// Paragraphs (of any kind) in the index with this value.
    pub count: u64,
    /// For an entity, its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityKind>,
}

/// All values of one facet, most frequent first, with a sorted list of the places where
/// their words start, so a prefix lookup is a binary search rather than a dictionary scan.
#[derive(Debug, Clone)]
pub struct FacetDictionary {
    generation: u64,
    values: Vec<FacetValue>,
    /// Each value lowercased, parallel to `values`.
    lower: Vec<Box<str>>,
    /// (value index, byte offset of a word start in its lowercase form), sorted by the
    /// text from that offset on.
    word_starts: Vec<(u32, u32)>,
}

impl FacetDictionary {
    fn new(generation: u64, mut values: Vec<FacetValue>) -> FacetDictionary {
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)).then(a.kind.cmp(&b.kind)));
        let lower: Vec<Box<str>> = values.iter().map(|v| v.value.to_lowercase().into_boxed_str()).collect();
        let mut word_starts: Vec<(u32, u32)> = Vec::new();
        for (i, text) in lower.iter().enumerate() {
            let starts = std::iter::once(0).chain(
                text.char_indices().filter(|&(at, c)| at > 0 && !c.is_alphanumeric()).map(|(at, c)| at + c.len_utf8()),
            );
            word_starts.extend(starts.filter(|&at| at < text.len()).map(|at| (i as u32, at as u32)));
        }
        word_starts
            .sort_unstable_by(|a, b| lower[a.0 as usize][a.1 as usize..].cmp(&lower[b.0 as usize][b.1 as usize..]));
        FacetDictionary { generation, values, lower, word_starts }
    }

    /// The searcher generation this dictionary was read from; a newer one means the
    /// index changed since.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Values whose name, or any word of it, starts with `prefix` (ignoring case), most
    /// frequent first; at most `limit`.
    pub fn complete(&self, prefix: &str, limit: usize) -> Vec<FacetValue> {
        let prefix = prefix.trim().to_lowercase();
        if prefix.is_empty() {
            return self.values.iter().take(limit).cloned().collect();
        }
        let tail = |&(i, at): &(u32, u32)| &self.lower[i as usize][at as usize..];
        let first = self.word_starts.partition_point(|w| tail(w) < prefix.as_str());
        let mut found: Vec<u32> =
            self.word_starts[first..].iter().take_while(|w| tail(w).starts_with(&prefix)).map(|w| w.0).collect();
        // Value indexes are in count order already.
        found.sort_unstable();
        found.dedup();
        found.into_iter().take(limit).map(|i| self.values[i as usize].clone()).collect()
    }
}

/// An article as indexed: its paragraphs of every kind, in order, with their annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    /// The file the article came from.
    pub path: String,
    /// Position of the article in the file.
    pub article: usize,
    /// Article title.
    pub title: Option<String>,
    /// Article date.
    pub date: Option<NaiveDate>,
    /// Article source.
    pub source: Option<String>,
    /// The paragraphs, in the `annotate --json` wire format, by paragraph number.
    pub paragraphs: Vec<ParagraphRecord>,
}

/// The width of one bar of a [`DateHistogram`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateUnit {
    /// One bar a day.
    Day,
    /// One bar a calendar month.
    Month,
    /// One bar a calendar year.
    Year,
}

/// One bar of a [`DateHistogram`]: the dates `first..=last` and how many paragraphs fall in them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateBucket {
    /// First day of the bar.
    pub first: NaiveDate,
    /// Last day of the bar, inclusive.
    pub last: NaiveDate,
    /// Paragraphs dated inside it.
    pub count: u64,
}

/// Paragraphs of a result set per day, month or year, whichever gives a readable number of bars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateHistogram {
    /// The width of each bar.
    pub unit: DateUnit,
    /// Bars in date order, empty ones included between the first and the last.
    pub buckets: Vec<DateBucket>,
}

/// Spans up to this many days are drawn a bar a day.
const MAX_DAY_BARS: i64 = 62;
/// Spans up to this many months are drawn a bar a month; longer ones a bar a year.
const MAX_MONTH_BARS: i64 = 36;

impl Searchable {
    /// Values of `field` whose name, or any word of it, starts with `prefix` (ignoring
    /// case), most frequent first, ties by name; at most `limit`. An empty prefix lists
    /// the most frequent values. Counts are over all paragraphs of the index.
    ///
    /// This reads the field's whole dictionary; a caller answering many lookups keeps a
    /// [`FacetDictionary`] instead and rebuilds it when the index changes.
    pub fn facet_values(&self, field: FacetField, prefix: &str, limit: usize) -> Result<Vec<FacetValue>> {
        Ok(self.facet_dictionary(field)?.complete(prefix, limit))
    }

    /// Every value of `field` with its count of live paragraphs, indexed by word for
    /// [`FacetDictionary::complete`].
    pub fn facet_dictionary(&self, field: FacetField) -> Result<FacetDictionary> {
        let searcher = self.searcher();
        let facet_field = match field {
            FacetField::Speaker => self.fields.speaker,
            FacetField::Entity => self.fields.entity,
            FacetField::Source => self.fields.source,
            FacetField::Party => self.fields.party,
        };
        let mut root = field.as_str().as_bytes().to_vec();
        root.push(FACET_SEP);
        let mut end = field.as_str().as_bytes().to_vec();
        end.push(FACET_SEP + 1);
        let mut counts: HashMap<(String, Option<EntityKind>), u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(facet_field)?;
            let mut terms = inverted.terms().range().ge(&root).lt(&end).into_stream().map_err(tantivy_io)?;
            while terms.advance() {
                let Some((kind, value)) = facet_leaf(field, &terms.key()[root.len()..]) else {
                    continue;
                };
                let alive = match segment.alive_bitset() {
                    None => u64::from(terms.value().doc_freq),
                    Some(bitset) => {
                        let mut postings = inverted
                            .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                            .map_err(tantivy_io)?;
                        let mut n = 0;
                        while postings.doc() != TERMINATED {
                            n += u64::from(bitset.is_alive(postings.doc()));
                            postings.advance();
                        }
                        n
                    }
                };
                if alive > 0 {
                    *counts.entry((value.to_owned(), kind)).or_default() += alive;
                }
            }
        }
        let values = counts.into_iter().map(|((value, kind), count)| FacetValue { value, count, kind }).collect();
        Ok(FacetDictionary::new(searcher.generation().generation_id(), values))
    }

    /// The paragraphs of the article at `position` in the file `path`, in order, or
    /// `None` when the index has no such article.
    pub fn article(&self, path: &str, position: usize) -> Result<Option<ArticleView>> {
        let searcher = self.searcher();
        let f = &self.fields;
        let position_term = Term::from_field_u64(f.article, position as u64);
        let article_query = BooleanQuery::intersection(vec![
            Box::new(TermQuery::new(Term::from_field_text(f.path, path), IndexRecordOption::Basic)),
            Box::new(RangeQuery::new(Bound::Included(position_term.clone()), Bound::Included(position_term))),
        ]);
        let addresses = searcher.search(&article_query, &DocSetCollector)?;
        // The kind facet is indexed but not stored: ask the index which paragraphs have each kind.
        let mut kinds = HashMap::new();
        for kind in ParagraphKind::ALL {
            let kind_term = Term::from_facet(f.kind, &Facet::from_path([field_names::KIND, kind.as_str()]));
            let query = BooleanQuery::intersection(vec![
                Box::new(article_query.clone()),
                Box::new(TermQuery::new(kind_term, IndexRecordOption::Basic)),
            ]);
            kinds.extend(searcher.search(&query, &DocSetCollector)?.into_iter().map(|address| (address, kind)));
        }
        let mut paragraphs = Vec::with_capacity(addresses.len());
        let mut title = None;
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut record = read_record(f, &doc);
            record.kind = kinds.get(&address).copied().unwrap_or(record.kind);
            title = title.or_else(|| record.title.clone());
            paragraphs.push(record);
        }
        if paragraphs.is_empty() {
            return Ok(None);
        }
        paragraphs.sort_by_key(|p| p.paragraph);
        let first = &paragraphs[0];
        Ok(Some(ArticleView {
            path: path.to_owned(),
            article: position,
            title,
            date: first.date,
            source: first.source.clone(),
            paragraphs,
        }))
    }

    /// The party of each speaker named in `names`, as the index recorded it in the first
    /// few paragraphs where they speak (`None` when none of those gives one). Reads the
    /// postings directly: no scoring, a handful of stored documents per name.
    /// Answers are kept until the next commit: a result page asks for the same few dozen
    /// speakers again and again, and each costs stored documents.
    pub fn speaker_parties(&self, names: &[String]) -> Result<Vec<Option<Party>>> {
        let searcher = self.searcher();
        self.speaker_party_memo.get_many(&searcher, names, |missing| self.read_speaker_parties(&searcher, missing))
    }

    fn read_speaker_parties(&self, searcher: &Searcher, names: &[String]) -> Result<Vec<Option<Party>>> {
        /// Paragraphs read per speaker before giving up on a party.
        const LOOK_AT: usize = 3;
        let f = &self.fields;
        let mut readers = Vec::new();
        for segment in searcher.segment_readers() {
            readers.push((segment.inverted_index(f.speaker)?, segment.alive_bitset().cloned()));
        }
        names
            .iter()
            .map(|name| {
                let term = Term::from_facet(f.speaker, &Facet::from_path([field_names::SPEAKER, name.as_str()]));
                let mut looked_at = 0;
                for (segment, (inverted, alive)) in readers.iter().enumerate() {
                    let Some(mut postings) =
                        inverted.read_postings(&term, IndexRecordOption::Basic).map_err(tantivy_io)?
                    else {
                        continue;
                    };
                    while postings.doc() != TERMINATED && looked_at < LOOK_AT {
                        let doc_id = postings.doc();
                        postings.advance();
                        if alive.as_ref().is_some_and(|a| !a.is_alive(doc_id)) {
                            continue;
                        }
                        looked_at += 1;
                        let doc: TantivyDocument = searcher.doc(DocAddress::new(segment as u32, doc_id))?;
                        let record = read_record(f, &doc);
                        if let Some(party) = record.speakers.iter().find(|s| &s.name == name).and_then(|s| s.party) {
                            return Ok(Some(party));
                        }
                    }
                }
                Ok(None)
            })
            .collect()
    }

    /// The kind of each entity named in `names`: the kind it is indexed under most often,
    /// or `None` for a name the index does not hold.
    /// Answers are kept until the next commit.
    pub fn entity_kinds(&self, names: &[String]) -> Result<Vec<Option<EntityKind>>> {
        let searcher = self.searcher();
        self.entity_kind_memo.get_many(&searcher, names, |missing| self.read_entity_kinds(&searcher, missing))
    }

    fn read_entity_kinds(&self, searcher: &Searcher, names: &[String]) -> Result<Vec<Option<EntityKind>>> {
        let mut readers = Vec::new();
        for segment in searcher.segment_readers() {
            readers.push(segment.inverted_index(self.fields.entity)?);
        }
        names
            .iter()
            .map(|name| {
                let mut best: Option<(u32, EntityKind)> = None;
                for kind in EntityKind::ALL {
                    let facet = Facet::from_path([field_names::ENTITY, entity_kind_path(kind), name.as_str()]);
                    let mut n = 0;
                    for inverted in &readers {
                        if let Some(info) = inverted.terms().get(facet.encoded_str()).map_err(tantivy_io)? {
                            n += info.doc_freq;
                        }
                    }
                    if n > 0 && best.is_none_or(|(m, _)| n > m) {
                        best = Some((n, kind));
                    }
                }
                Ok(best.map(|(_, kind)| kind))
            })
            .collect()
    }

    /// [`Searchable::search`] and [`Searchable::date_histogram`] of `request` in one pass
    /// over the matching paragraphs, as a result page needs both.
    pub fn search_with_dates(&self, request: &Request) -> Result<(super::Response, DateHistogram)> {
        let (response, days) = self.search_collecting(request, DayCounts)?;
        Ok((response, histogram(&days)))
    }

    /// Paragraphs matching `request` (query and filters, as [`Searchable::search`] reads
    /// them; paging ignored) per date. Undated paragraphs are not counted.
    pub fn date_histogram(&self, request: &Request) -> Result<DateHistogram> {
        request.validate()?;
        let searcher = self.searcher();
        let text_query = self.text_query(&request.query)?;
        let filters = self.filters(&searcher, request)?;
        let query = BooleanQuery::new(std::iter::once((Occur::Must, text_query)).chain(filters).collect());
        let days = searcher.search(&query, &DayCounts)?;
        Ok(histogram(&days))
    }
}

/// Names looked up until a commit comes: per-name answers of one searcher generation.
pub(super) struct NameMemo<V> {
    state: Mutex<(u64, HashMap<String, V>)>,
}

/// Names a [`NameMemo`] holds before it starts over (a bound on memory; facet values of a
/// page are far fewer).
const MEMO_NAMES: usize = 100_000;

impl<V> Default for NameMemo<V> {
    fn default() -> Self {
        NameMemo { state: Mutex::new((0, HashMap::new())) }
    }
}

impl<V: Clone> NameMemo<V> {
    /// The answer for each of `names` on `searcher`, asking `read` (once, in order) only
    /// for the names not known for its generation.
    fn get_many(
        &self,
        searcher: &Searcher,
        names: &[String],
        read: impl FnOnce(&[String]) -> Result<Vec<V>>,
    ) -> Result<Vec<V>> {
        let generation = searcher.generation().generation_id();
        let missing: Vec<String> = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.0 != generation {
                *state = (generation, HashMap::new());
            }
            names.iter().filter(|n| !state.1.contains_key(*n)).cloned().collect()
        };
        let read = if missing.is_empty() { Vec::new() } else { read(&missing)? };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut fresh: HashMap<String, V> = missing.into_iter().zip(read).collect();
        let answers = names
            .iter()
            .map(|n| fresh.get(n).or_else(|| state.1.get(n)).cloned())
            .collect::<Option<Vec<V>>>()
            .ok_or_else(|| {
                Error::Tantivy(tantivy::TantivyError::InternalError("a name lookup gave no answer".into()))
            })?;
        if state.0 == generation {
            if state.1.len() + fresh.len() > MEMO_NAMES {
                state.1.clear();
            }
            state.1.extend(fresh.drain());
        }
        Ok(answers)
    }
}

/// Splits the part of an encoded facet term below its root into (entity kind, value);
/// `None` for inner nodes such as `/entity/person` itself.
fn facet_leaf(field: FacetField, below_root: &[u8]) -> Option<(Option<EntityKind>, &str)> {
    let rest = std::str::from_utf8(below_root).ok()?;
    if field != FacetField::Entity {
        return (!rest.is_empty() && !rest.contains('\0')).then_some((None, rest));
    }
    let (kind_path, name) = rest.split_once('\0')?;
    let kind = EntityKind::ALL.into_iter().find(|k| entity_kind_path(*k) == kind_path)?;
    (!name.is_empty()).then_some((Some(kind), name))
}

/// Whether `value` or one of its words starts with `prefix` (already lowercase): what
/// [`FacetDictionary::complete`] finds, said plainly, for its test.
#[cfg(test)]
fn matches_prefix(value: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let lower = value.to_lowercase();
    lower.starts_with(prefix)
        || lower
            .char_indices()
            .filter(|&(i, c)| i > 0 && !c.is_alphanumeric())
            .any(|(i, c)| lower[i + c.len_utf8()..].starts_with(prefix))
}

fn tantivy_io(e: std::io::Error) -> Error {
    Error::Tantivy(tantivy::TantivyError::from(e))
}

/// Counts matching paragraphs per day since the Unix epoch, from the date column.
struct DayCounts;

/// Segments whose dates span more days than this count in a map instead of an array.
const MAX_DAY_ARRAY: i64 = 200_000;

struct SegmentDayCounts {
    dates: Option<Column<tantivy::DateTime>>,
    /// The segment's first day; `by_day[d - first_day]` counts day `d`.
    first_day: i64,
    by_day: Vec<u64>,
    /// Days outside `by_day` (a segment with a very long date range).
    other_days: HashMap<i64, u64>,
}

fn day_of(date: tantivy::DateTime) -> i64 {
    date.into_timestamp_secs().div_euclid(86_400)
}

impl Collector for DayCounts {
    type Fruit = HashMap<i64, u64>;
    type Child = SegmentDayCounts;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentDayCounts> {
        // A segment without any dated paragraph has no date column at all.
        let dates = segment.fast_fields().date(field_names::DATE).ok();
        let (first_day, span) = match &dates {
            Some(column) => (day_of(column.min_value()), day_of(column.max_value()) - day_of(column.min_value()) + 1),
            None => (0, 0),
        };
        let by_day = if (1..=MAX_DAY_ARRAY).contains(&span) { vec![0; span as usize] } else { Vec::new() };
        Ok(SegmentDayCounts { dates, first_day, by_day, other_days: HashMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<i64, u64>>) -> tantivy::Result<HashMap<i64, u64>> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (day, n) in fruit {
                *all.entry(day).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentDayCounts {
    type Fruit = HashMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(date) = self.dates.as_ref().and_then(|c| c.first(doc)) {
            let day = day_of(date);
            match usize::try_from(day - self.first_day).ok().and_then(|i| self.by_day.get_mut(i)) {
                Some(n) => *n += 1,
                None => *self.other_days.entry(day).or_default() += 1,
            }
        }
    }

    fn harvest(mut self) -> HashMap<i64, u64> {
        for (i, n) in self.by_day.iter().enumerate().filter(|(_, n)| **n > 0) {
            *self.other_days.entry(self.first_day + i as i64).or_default() += n;
        }
        self.other_days
    }
}

/// Bars for per-day counts (days since the Unix epoch).
fn histogram(days: &HashMap<i64, u64>) -> DateHistogram {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let date_of = |day: i64| epoch.checked_add_signed(chrono::Duration::days(day)).unwrap_or(epoch);
    let (Some(&first), Some(&last)) = (days.keys().min(), days.keys().max()) else {
        return DateHistogram { unit: DateUnit::Day, buckets: Vec::new() };
    };
    let (first_date, last_date) = (date_of(first), date_of(last));
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let unit = if last - first < MAX_DAY_BARS {
        DateUnit::Day
    } else if months(last_date) - months(first_date) < MAX_MONTH_BARS {
        DateUnit::Month
    } else {
        DateUnit::Year
    };
    let bar_start = |d: NaiveDate| match unit {
        DateUnit::Day => d,
        DateUnit::Month => d.with_day(1).unwrap_or(d),
        DateUnit::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
    };
    let next_start = |d: NaiveDate| match unit {
        DateUnit::Day => d.succ_opt(),
        DateUnit::Month => d.checked_add_months(chrono::Months::new(1)),
        DateUnit::Year => d.checked_add_months(chrono::Months::new(12)),
    };
    let mut counts: HashMap<NaiveDate, u64> = HashMap::new();
    for (&day, &n) in days {
        *counts.entry(bar_start(date_of(day))).or_default() += n;
    }
    let mut buckets = Vec::new();
    let mut start = bar_start(first_date);
    while start <= last_date {
        let Some(next) = next_start(start) else { break };
        let last = next.pred_opt().unwrap_or(next);
        buckets.push(DateBucket { first: start, last, count: counts.get(&start).copied().unwrap_or(0) });
        start = next;
    }
    DateHistogram { unit, buckets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matches_the_start_of_any_word() {
        assert!(matches_prefix("Elizabeth Warren", "war"));
        assert!(matches_prefix("Elizabeth Warren", "eliz"));
        assert!(matches_prefix("Elizabeth Warren", ""));
        assert!(!matches_prefix("Elizabeth Warren", "arren"));
        assert!(matches_prefix("Beto O'Rourke", "rour"));
        assert!(matches_prefix("Ángela Núñez", "núñ"));
    }

    #[test]
    fn dictionary_completes_like_matches_prefix() {
        let names = ["Elizabeth Warren", "Beto O'Rourke", "Ángela Núñez", "Warren G. Harding", "Al Franken", "war"];
        let values: Vec<FacetValue> = names
            .iter()
            .enumerate()
            .map(|(i, n)| FacetValue { value: (*n).to_owned(), count: 10 - i as u64, kind: None })
            .collect();
        let dictionary = FacetDictionary::new(7, values.clone());
        assert_eq!(dictionary.generation(), 7);
        for prefix in ["war", "WAR", "warren g", "rour", "o'r", "núñ", "a", "", "zzz", "arren", " franken "] {
            let lower = prefix.trim().to_lowercase();
            let expected: Vec<&str> =
                values.iter().filter(|v| matches_prefix(&v.value, &lower)).map(|v| v.value.as_str()).take(3).collect();
            let got: Vec<String> = dictionary.complete(prefix, 3).into_iter().map(|v| v.value).collect();
            assert_eq!(got, expected, "{prefix:?}");
        }
    }

    #[test]
    fn facet_leaves_skip_inner_nodes() {
        assert_eq!(facet_leaf(FacetField::Speaker, b"Al Franken"), Some((None, "Al Franken")));
        assert_eq!(facet_leaf(FacetField::Entity, b"person"), None);
        assert_eq!(facet_leaf(FacetField::Entity, b"place\0Washington"), Some((Some(EntityKind::Place), "Washington")));
        assert_eq!(facet_leaf(FacetField::Entity, b"nonsense\0X"), None);
    }

    #[test]
    fn facet_field_names_round_trip() {
        for field in FacetField::ALL {
            assert_eq!(FacetField::parse(field.as_str()), Some(field));
        }
        assert_eq!(FacetField::parse("Speaker"), Some(FacetField::Speaker));
        assert_eq!(FacetField::parse("kind"), None);
    }

    fn day(y: i32, m: u32, d: u32) -> i64 {
        (NaiveDate::from_ymd_opt(y, m, d).unwrap() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
    }

    #[test]
    fn histogram_picks_days_months_or_years() {
        let h = histogram(&HashMap::from([(day(2017, 3, 2), 4), (day(2017, 3, 4), 1)]));
        assert_eq!(h.unit, DateUnit::Day);
        assert_eq!(h.buckets.iter().map(|b| b.count).collect::<Vec<_>>(), [4, 0, 1]);

        let h = histogram(&HashMap::from([(day(2017, 1, 31), 2), (day(2017, 6, 1), 3)]));
        assert_eq!(h.unit, DateUnit::Month);
        assert_eq!(h.buckets.len(), 6);
        assert_eq!(h.buckets[0].first, NaiveDate::from_ymd_opt(2017, 1, 1).unwrap());
        assert_eq!(h.buckets[0].last, NaiveDate::from_ymd_opt(2017, 1, 31).unwrap());

        let h = histogram(&HashMap::from([(day(2012, 5, 1), 2), (day(2020, 6, 1), 3)]));
        assert_eq!(h.unit, DateUnit::Year);
        assert_eq!(h.buckets.len(), 9);
        assert_eq!(h.buckets.iter().map(|b| b.count).sum::<u64>(), 5);

        assert!(histogram(&HashMap::new()).buckets.is_empty());
    }
}
