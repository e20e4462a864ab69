//! Scoring the entity tagger on CoNLL-format files exactly as conlleval does: exact
//! spans, precision, recall and F1 per type and overall, plus a `TOKEN GOLD PREDICTED`
//! file that the reference scorer (`conlleval.py`) reads to check the numbers.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::tagger::conll::{chunks, read_conll, Document};
use crate::tagger::{Tag, Tagger};

/// Counts for one entity type (or all types together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeScore {
    /// The CoNLL type (`PER`, `ORG`, ...), or `overall`.
    pub kind: String,
    /// Gold entities.
    pub gold: usize,
    /// Predicted entities.
    pub predicted: usize,
    /// Predicted entities with exactly the gold span and type.
    pub correct: usize,
}

impl TypeScore {
    /// Precision in percent (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        100.0 * super::share(self.correct, self.predicted)
    }

    /// Recall in percent (0 when there is no gold entity).
    pub fn recall(&self) -> f64 {
        100.0 * super::share(self.correct, self.gold)
    }

    /// F1 in percent.
    pub fn f1(&self) -> f64 {
        super::f1(self.precision(), self.recall())
    }
}

/// The result of scoring predictions against gold tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NerReport {
    /// Tokens scored.
    pub tokens: usize,
    /// One row per type seen in gold or predictions, sorted by name.
    pub types: Vec<TypeScore>,
    /// All types together.
    pub overall: TypeScore,
}

impl std::fmt::Display for NerReport {
    /// The same lines, in the same format, as `conlleval.py`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "tokens {}, gold entities {}, predicted {}",
            self.tokens, self.overall.gold, self.overall.predicted
        )?;
        for t in &self.types {
            writeln!(
                f,
                "{:<6} P {:6.2}  R {:6.2}  F1 {:6.2}  ({} gold, {} predicted)",
                t.kind,
                t.precision(),
                t.recall(),
                t.f1(),
                t.gold,
                t.predicted
            )?;
        }
        let o = &self.overall;
        writeln!(f, "overall P {:6.2}  R {:6.2}  F1 {:6.2}", o.precision(), o.recall(), o.f1())
    }
}

/// Tags every document with `tagger` (document by document, so document-level
/// consistency applies); one tag per gold token.
pub fn tag_documents(tagger: &Tagger, docs: &[Document]) -> Vec<Vec<Vec<Tag>>> {
    docs.iter()
        .map(|doc| {
            let sentences: Vec<Vec<&str>> =
                doc.sentences.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect();
            tagger.tag_document(&sentences)
        })
        .collect()
}

/// Scores predicted tags against the gold tags of `docs` (exact spans, per sentence).
pub fn score(docs: &[Document], predicted: &[Vec<Vec<Tag>>]) -> NerReport {
    let mut gold_spans = BTreeSet::new();
    let mut pred_spans = BTreeSet::new();
    let mut offset = 0;
    for (doc, pred_doc) in docs.iter().zip(predicted) {
        for (s, pred) in doc.sentences.iter().zip(pred_doc) {
            let pred: Vec<&str> = pred.iter().map(|t| t.as_str()).collect();
            for (ty, a, b) in chunks(&s.tags) {
                gold_spans.insert((ty, a + offset, b + offset));
            }
            for (ty, a, b) in chunks(&pred) {
                pred_spans.insert((ty, a + offset, b + offset));
            }
            offset += s.tokens.len();
        }
    }
    let kinds: BTreeSet<&String> = gold_spans.iter().chain(&pred_spans).map(|s| &s.0).collect();
    let count = |kind: Option<&String>| TypeScore {
        kind: kind.cloned().unwrap_or_else(|| "overall".into()),
        gold: gold_spans.iter().filter(|s| kind.is_none() || kind == Some(&s.0)).count(),
        predicted: pred_spans.iter().filter(|s| kind.is_none() || kind == Some(&s.0)).count(),
        correct: pred_spans
            .iter()
            .filter(|s| (kind.is_none() || kind == Some(&s.0)) && gold_spans.contains(*s))
            .count(),
    };
    NerReport { tokens: offset, types: kinds.iter().map(|k| count(Some(k))).collect(), overall: count(None) }
}

/// Writes `TOKEN GOLD PREDICTED` lines, a blank line after each sentence and a
/// `-DOCSTART-` line before each document, as `conlleval.py` reads them.
pub fn write_predictions(mut out: impl Write, docs: &[Document], predicted: &[Vec<Vec<Tag>>]) -> std::io::Result<()> {
    for (doc, pred_doc) in docs.iter().zip(predicted) {
        writeln!(out, "-DOCSTART- O O\n")?;
        for (s, pred) in doc.sentences.iter().zip(pred_doc) {
            for ((token, gold), p) in s.tokens.iter().zip(&s.tags).zip(pred) {
                writeln!(out, "{token} {gold} {p}")?;
            }
            writeln!(out)?;
        }
    }
    out.flush()
}

/// Tags the CoNLL file at `path`, optionally writes the predictions to `output`, and
/// returns the scores.
pub fn evaluate_file(tagger: &Tagger, path: &Path, output: Option<&Path>) -> crate::Result<NerReport> {
    let docs = read_conll(path)?;
    let predicted = tag_documents(tagger, &docs);
    if let Some(out) = output {
        let file = std::fs::File::create(out).map_err(|e| crate::Error::io(out, e))?;
        write_predictions(std::io::BufWriter::new(file), &docs, &predicted).map_err(|e| crate::Error::io(out, e))?;
    }
    Ok(score(&docs, &predicted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::conll::parse_conll;
    use crate::tagger::EntityKind::{Organization, Person};

    #[test]
    fn scores_exact_spans_like_conlleval() {
        let text =
            "-DOCSTART- O O\n\nPeter X X B-PER\nBlackburn X X I-PER\nof X X O\nEU X X B-ORG\n\nSmith X X B-PER\n";
        let docs = parse_conll(text, Path::new("t")).unwrap();
        let pred = vec![vec![
            vec![Tag::Begin(Person), Tag::Outside, Tag::Outside, Tag::Begin(Organization)],
            vec![Tag::Begin(Person)],
        ]];
        let report = score(&docs, &pred);
        assert_eq!(report.tokens, 5);
        assert_eq!((report.overall.gold, report.overall.predicted, report.overall.correct), (3, 3, 2));
        let per = &report.types[1];
        assert_eq!((per.kind.as_str(), per.correct, per.gold), ("PER", 1, 2));
        let shown = report.to_string();
        assert!(shown.contains("PER    P  50.00  R  50.00  F1  50.00  (2 gold, 2 predicted)"), "{shown}");
        assert!(shown.ends_with("overall P  66.67  R  66.67  F1  66.67\n"), "{shown}");
        let mut out = Vec::new();
        write_predictions(&mut out, &docs, &pred).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("-DOCSTART- O O\n\nPeter B-PER B-PER\nBlackburn I-PER O\n"), "{out}");
    }
}
