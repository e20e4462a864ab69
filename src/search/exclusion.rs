//! A guard for excluded clauses (`-"some phrase"`). tantivy 0.27's exclusion asks an
//! excluded scorer whether it holds a document by seeking it there, even when the scorer
//! already stands past that document; a phrase scorer that matched nothing in a segment
//! stands at the end and trips its own assertion (tantivy issue #2811, fixed after 0.27).
//! Release builds carry on correctly; debug builds, which run the test suite and the
//! fuzzers, panic. [`guard_exclusions`] wraps every excluded clause in [`ForwardOnly`],
//! which answers a backward seek from where it stands instead of passing it on.

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};
use tantivy::{SeekDangerResult, TERMINATED};

/// `query` with each excluded clause, at any depth of boolean nesting, wrapped in
/// [`ForwardOnly`].
pub fn guard_exclusions(query: Box<dyn Query>) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else { return query };
    let clauses = boolean
        .clauses()
        .iter()
        .map(|(occur, clause)| {
            let clause = guard_exclusions(clause.box_clone());
            let clause: Box<dyn Query> = if *occur == Occur::MustNot { Box::new(ForwardOnly(clause)) } else { clause };
            (*occur, clause)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// A query whose scorers ignore seeks to documents they already stand past.
#[derive(Debug)]
pub struct ForwardOnly(Box<dyn Query>);

impl Clone for ForwardOnly {
    fn clone(&self) -> Self {
        ForwardOnly(self.0.box_clone())
    }
}

impl Query for ForwardOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardOnlyWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ForwardOnlyWeight(Box<dyn Weight>);

impl Weight for ForwardOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardOnlyScorer { inner: self.0.scorer(reader, boost)?, in_danger_zone: false }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardOnlyScorer {
    inner: Box<dyn Scorer>,
    /// After a `seek_danger` that did not find its target, `doc()` is not to be trusted
    /// until the next successful move (tantivy's contract), so no guard then.
    in_danger_zone: bool,
}

impl DocSet for ForwardOnlyScorer {
    fn advance(&mut self) -> DocId {
        self.in_danger_zone = false;
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.in_danger_zone = false;
        let doc = self.inner.doc();
        if target <= doc {
            return doc;
        }
        self.inner.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if !self.in_danger_zone {
            let doc = self.inner.doc();
            if target == doc && doc != TERMINATED {
                return SeekDangerResult::Found;
            }
            if target < doc {
                return SeekDangerResult::SeekLowerBound(doc);
            }
        }
        let result = self.inner.seek_danger(target);
        self.in_danger_zone = result != SeekDangerResult::Found;
        result
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for ForwardOnlyScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::QueryParser;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    use super::*;

    /// Two segments, so a phrase can match nothing in one of them.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15 << 20).unwrap();
        writer.add_document(doc!(text => "said a senator, a republican")).unwrap();
        writer.commit().unwrap();
        writer.add_document(doc!(text => "the mayor spoke")).unwrap();
        writer.add_document(doc!(text => "a a vote")).unwrap();
        writer.commit().unwrap();
        (index, text)
    }

    fn count(index: &Index, text: tantivy::schema::Field, query: &str) -> usize {
        let parsed = QueryParser::for_index(index, vec![text]).parse_query(query).unwrap();
        let searcher = index.reader().unwrap().searcher();
        searcher.search(&*guard_exclusions(parsed), &Count).unwrap()
    }

    #[test]
    fn excluded_phrases_that_match_nothing_in_a_segment_do_not_panic() {
        let (index, text) = index();
        assert_eq!(count(&index, text, r#"-"a a" *"#), 2);
        assert_eq!(count(&index, text, r#"-"x y" *"#), 3);
        assert_eq!(count(&index, text, r#"(-"a a" *) AND -mayor"#), 1);
    }

    #[test]
    fn guarding_keeps_every_other_query_the_same() {
        let (index, text) = index();
        for query in ["a", "\"a a\"", "a AND -mayor", "mayor OR senator", "*"] {
            let parsed = QueryParser::for_index(&index, vec![text]).parse_query(query).unwrap();
            let searcher = index.reader().unwrap().searcher();
            let plain = searcher.search(&*parsed, &Count).unwrap();
            assert_eq!(count(&index, text, query), plain, "{query}");
        }
    }
}
