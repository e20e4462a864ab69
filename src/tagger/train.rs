//! Training: an averaged structured perceptron over the hashed features, decoding with
//! the beam search of inference and updating early (when the gold labelling leaves the
//! beam), in two stages.
//!
//! Stage 1 sees token, context and gazetteer features. Stage 2 also sees document-level
//! facts computed from stage-1 labels; on the training data those labels come from
//! jackknifed stage-1 models (trained without the document's fold), so stage 2 learns how
//! far to trust a first pass that has not seen the document. Gazetteer features on
//! training data likewise use a gazetteer built without the document's fold, so the model
//! does not learn that every training name is in the gazetteer.
//!
//! Everything is deterministic: fixed seed, fold assignment by document index, results
//! collected by fold regardless of thread timing, integer perceptron updates, and the
//! model file written in sorted order.

use std::path::PathBuf;

use super::conll::{chunks, Document};
use super::features::{DocFacts, SentenceView};
use super::gazetteer::{legislator_names, lexicon_entries, Gazetteer};
use super::model::{
    self, decode_with, doc_facts, is_scored, label, quantize, Beam, Model, PreparedDoc, Scorer, SparseRow, Weights, B,
    I, L, N_LABELS, U,
};
use super::wordclass::{read_article_bodies, WordClasses};
use super::IdMap;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Passes over the training data, per stage.
    pub epochs: usize,
    /// Seed of the document shuffle.
    pub seed: u64,
    /// Folds for the jackknifed gazetteer and stage-1 predictions.
    pub folds: usize,
    /// The congress-legislators directory, for the name gazetteer (optional).
    pub roster_dir: Option<PathBuf>,
    /// Weights smaller than this fraction of the largest are dropped from the file.
    pub prune: f32,
    /// Worker threads for the jackknife (results do not depend on it).
    pub threads: usize,
    /// A directory of `.json.gz` news articles to learn word classes from (optional).
    pub unlabeled_dir: Option<PathBuf>,
    /// Read at most this many unlabeled articles.
    pub unlabeled_limit: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 6,
            seed: 1,
            folds: 5,
            roster_dir: None,
            prune: 0.0,
            threads: 2,
            unlabeled_dir: None,
            unlabeled_limit: usize::MAX,
        }
    }
}

/// Precision, recall and F1 (exact spans, in percent) on some gold data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpanScore {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// The type index of a CoNLL type name.
pub(crate) fn type_index(name: &str) -> Option<usize> {
    match name {
        "PER" => Some(0),
        "ORG" => Some(1),
        "LOC" => Some(2),
        "MISC" => Some(3),
        _ => None,
    }
}

/// BILOU labels of one sentence's gold IOB tags.
fn gold_labels(tags: &[String]) -> Vec<u8> {
    let mut out = vec![0u8; tags.len()];
    for (ty, s, e) in chunks(tags) {
        let Some(t) = type_index(&ty) else { continue };
        if e - s == 1 {
            out[s] = label(t, U);
        } else {
            out[s] = label(t, B);
            for o in &mut out[s + 1..e - 1] {
                *o = label(t, I);
            }
            out[e - 1] = label(t, L);
        }
    }
    out
}

/// Adds the gold entities of `doc` to `gaz`.
fn add_entities(doc: &Document, gaz: &mut Gazetteer) {
    for s in &doc.sentences {
        for (ty, a, b) in chunks(&s.tags) {
            if let Some(t) = type_index(&ty) {
                let words: Vec<&str> = s.tokens[a..b].iter().map(String::as_str).collect();
                gaz.insert(&words, t as u8);
            }
        }
    }
}

/// An averaged perceptron with exact integer arithmetic.
#[derive(Default)]
struct Perceptron {
    index: IdMap<u32>,
    keys: Vec<u64>,
    weights: Vec<i32>,
    /// Sum of `step * delta` per weight, for the averaging trick: the average is
    /// `weights - totals / steps`.
    totals: Vec<i64>,
    steps: i64,
}

impl Scorer for Perceptron {
    fn add_scores(&self, features: &[u64], scores: &mut [i32; N_LABELS]) {
        for f in features {
            if let Some(&r) = self.index.get(f) {
                let row = &self.weights[r as usize * N_LABELS..(r as usize + 1) * N_LABELS];
                for (s, &w) in scores.iter_mut().zip(row) {
                    *s += w;
                }
            }
        }
    }
}

impl Perceptron {
    /// Adds `delta` to the weights of `features` for `label`.
    fn add(&mut self, features: &[u64], label: u8, delta: i32) {
        for &f in features {
            let r = *self.index.entry(f).or_insert_with(|| {
                self.keys.push(f);
                self.weights.extend_from_slice(&[0; N_LABELS]);
                self.totals.extend_from_slice(&[0; N_LABELS]);
                (self.keys.len() - 1) as u32
            }) as usize;
            self.weights[r * N_LABELS + label as usize] += delta;
            self.totals[r * N_LABELS + label as usize] += self.steps * i64::from(delta);
        }
    }

    fn averaged(&self) -> Vec<(u64, [f32; N_LABELS])> {
        let steps = self.steps.max(1) as f64;
        self.keys
            .iter()
            .enumerate()
            .map(|(r, &k)| {
                let mut row = [0f32; N_LABELS];
                for (l, v) in row.iter_mut().enumerate() {
                    let i = r * N_LABELS + l;
                    *v = (f64::from(self.weights[i]) - self.totals[i] as f64 / steps) as f32;
                }
                (k, row)
            })
            .collect()
    }
}

/// A training document: prepared tokens (gazetteer marks from its jackknife gazetteer),
/// gold BILOU labels (flat) and its fold.
struct TrainDoc<'a> {
    prep: PreparedDoc<'a>,
    gold: Vec<u8>,
    fold: usize,
}

/// Static features of every token of every document, flat.
struct FeatureStore {
    features: Vec<u64>,
    /// Per document, per token: the start of its features; one extra end entry per doc.
    offsets: Vec<Vec<usize>>,
}

impl FeatureStore {
    fn new(docs: &[TrainDoc<'_>], facts: Option<&[Vec<DocFacts>]>) -> FeatureStore {
        let mut features = Vec::new();
        let mut offsets = Vec::with_capacity(docs.len());
        for (d, doc) in docs.iter().enumerate() {
            let mut off = Vec::with_capacity(doc.prep.words.len() + 1);
            for k in 0..doc.prep.sentences.len() {
                let view = doc.prep.view(k, facts.map(|f| f[d].as_slice()));
                for i in 0..view.words.len() {
                    off.push(features.len());
                    view.static_features(i, &mut features);
                }
            }
            off.push(features.len());
            offsets.push(off);
        }
        FeatureStore { features, offsets }
    }
}

/// The small deterministic generator used for shuffling (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// The labels before token `i` of a labelling (O before the sentence start).
fn history(labels: &[u8], i: usize) -> (u8, u8) {
    let at = |k: Option<usize>| k.map_or(0, |k| labels[k]);
    (at(i.checked_sub(1)), at(i.checked_sub(2)))
}

/// The structured perceptron update on the first `pred.len()` tokens of a sentence:
/// the features of the gold labelling gain a point for its labels and those of the
/// prediction lose one for its labels. Tokens where both agree on the label and on the
/// two before it have the same features and would cancel, so they are skipped.
fn update_sequence(
    p: &mut Perceptron,
    view: &SentenceView<'_>,
    static_features: impl Fn(usize) -> std::ops::Range<usize>,
    store: &[u64],
    gold: &[u8],
    pred: &[u8],
    buf: &mut Vec<u64>,
) {
    for i in 0..pred.len() {
        let (gp, pp) = (history(gold, i), history(pred, i));
        if gold[i] == pred[i] && gp == pp {
            continue;
        }
        for (labels, (prev, prev2), delta) in [(gold, gp, 1), (pred, pp, -1)] {
            if !is_scored(&view.info[i], prev) {
                continue;
            }
            buf.clear();
            buf.extend_from_slice(&store[static_features(i)]);
            view.dynamic_features(i, prev, prev2, buf);
            p.add(buf, labels[i], delta);
        }
    }
}

/// One pass of structured perceptron training with beam search and early update
/// (Collins & Roark 2004) over the documents in `order`: each sentence is decoded with
/// the current weights; as soon as the gold labelling falls out of the beam, or at the
/// end if the best labelling is not the gold one, the weights move towards the gold
/// prefix and away from the best one.
fn train_epoch(p: &mut Perceptron, docs: &[TrainDoc<'_>], store: &FeatureStore, order: &[usize]) {
    let mut beam = Beam::default();
    let mut pred = Vec::new();
    let mut buf = Vec::with_capacity(64);
    for &d in order {
        let doc = &docs[d];
        let off = &store.offsets[d];
        for (k, r) in doc.prep.sentences.iter().enumerate() {
            let view = doc.prep.view(k, None);
            let gold = &doc.gold[r.clone()];
            let static_features = |i: usize| off[r.start + i]..off[r.start + i + 1];
            let mut seen = 0;
            {
                let scorer = &*p;
                let mut static_scores = |i: usize, scores: &mut [i32; N_LABELS]| {
                    scorer.add_scores(&store.features[static_features(i)], scores)
                };
                beam.reset();
                while seen < gold.len() {
                    beam.advance(&view, seen, Some(gold[seen]), &mut static_scores, scorer);
                    seen += 1;
                    if !beam.holds_gold() {
                        break;
                    }
                }
            }
            pred.clear();
            pred.resize(seen, 0);
            beam.best(&mut pred);
            if pred[..] != gold[..seen] {
                update_sequence(p, &view, static_features, &store.features, gold, &pred, &mut buf);
            }
            p.steps += 1;
        }
    }
}

/// Called after each training epoch with the epoch number and the weights so far.
type EpochHook<'a> = Option<&'a mut dyn FnMut(usize, &[SparseRow])>;

/// Trains one stage on the documents in `subset`, calling `after_epoch` with the
/// quantised weights after each epoch when given.
fn train_stage(
    docs: &[TrainDoc<'_>],
    store: &FeatureStore,
    subset: &[usize],
    config: &TrainConfig,
    salt: u64,
    mut after_epoch: EpochHook<'_>,
) -> Vec<SparseRow> {
    let mut p = Perceptron::default();
    let mut rng = Rng(config.seed ^ salt.wrapping_mul(0xA076_1D64_78BD_642F));
    let mut order = subset.to_vec();
    for epoch in 0..config.epochs {
        rng.shuffle(&mut order);
        train_epoch(&mut p, docs, store, &order);
        if let Some(f) = after_epoch.as_mut() {
            f(epoch + 1, &quantize(&p.averaged(), config.prune));
        }
    }
    quantize(&p.averaged(), config.prune)
}

/// Scores `tagger` on gold documents (exact spans, all types): a quick check used while
/// training; `eval::ner` gives the full per-type report.
pub fn score_documents(tagger: &super::Tagger, docs: &[Document]) -> SpanScore {
    score_model(&tagger.model, docs)
}

/// [`score_documents`] for a bare model.
fn score_model(model: &Model, docs: &[Document]) -> SpanScore {
    let (mut tp, mut n_gold, mut n_pred) = (0usize, 0usize, 0usize);
    for doc in docs {
        let sentences: Vec<Vec<&str>> =
            doc.sentences.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect();
        let prep = PreparedDoc::new(&sentences, model);
        let labels = model.tag(&prep);
        for (s, r) in doc.sentences.iter().zip(&prep.sentences) {
            let pred: Vec<&str> = labels[r.clone()].iter().map(|&l| super::bio_str(l)).collect();
            let g = chunks(&s.tags);
            let p = chunks(&pred);
            n_gold += g.len();
            n_pred += p.len();
            tp += p.iter().filter(|x| g.contains(x)).count();
        }
    }
    let precision = if n_pred > 0 { 100.0 * tp as f64 / n_pred as f64 } else { 0.0 };
    let recall = if n_gold > 0 { 100.0 * tp as f64 / n_gold as f64 } else { 0.0 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    SpanScore { precision, recall, f1 }
}

/// Trains a model on `train` and returns the model file's bytes. With `dev`, the dev
/// score after each epoch of the final stage-1 and stage-2 training is passed to `log`
/// (dev data is only ever scored, never trained on).
pub fn train(
    train: &[Document],
    dev: Option<&[Document]>,
    config: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> crate::Result<Vec<u8>> {
    let folds = config.folds.max(2);
    let mut roster = match &config.roster_dir {
        Some(dir) => legislator_names(dir)?,
        None => Gazetteer::default(),
    };
    roster.extend(&lexicon_entries());
    let classes = match &config.unlabeled_dir {
        Some(dir) => {
            let (texts, skipped) = read_article_bodies(dir, config.unlabeled_limit)?;
            let classes = WordClasses::learn(&texts);
            log(&format!(
                "word classes for {} words from {} unlabeled articles ({skipped} skipped)",
                classes.len(),
                texts.len()
            ));
            classes
        }
        None => WordClasses::default(),
    };
    // Per-fold entity gazetteers, then for each fold the union of the others.
    let mut fold_gaz = vec![Gazetteer::default(); folds];
    for (d, doc) in train.iter().enumerate() {
        add_entities(doc, &mut fold_gaz[d % folds]);
    }
    let mut full = roster.clone();
    for g in &fold_gaz {
        full.extend(g);
    }
    let jack_gaz: Vec<Gazetteer> = (0..folds)
        .map(|f| {
            let mut g = roster.clone();
            for (j, other) in fold_gaz.iter().enumerate() {
                if j != f {
                    g.extend(other);
                }
            }
            g
        })
        .collect();
    log(&format!(
        "{} documents, {} sentences; gazetteer {} entries (roster {})",
        train.len(),
        train.iter().map(|d| d.sentences.len()).sum::<usize>(),
        full.len(),
        roster.len()
    ));

    let sentences: Vec<Vec<Vec<&str>>> = train
        .iter()
        .map(|d| d.sentences.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect())
        .collect();
    let docs: Vec<TrainDoc<'_>> = train
        .iter()
        .enumerate()
        .map(|(d, doc)| TrainDoc {
            prep: PreparedDoc::with(&sentences[d], &jack_gaz[d % folds], &classes),
            gold: doc.sentences.iter().flat_map(|s| gold_labels(&s.tags)).collect(),
            fold: d % folds,
        })
        .collect();
    let all: Vec<usize> = (0..docs.len()).collect();

    // Stage 1: jackknifed predictions for the stage-2 document facts.
    let store1 = FeatureStore::new(&docs, None);
    let threads = config.threads.clamp(1, folds);
    let mut jack_labels: Vec<Vec<u8>> = vec![Vec::new(); docs.len()];
    let per_fold: Vec<Vec<(usize, Vec<u8>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let (docs, store1, all) = (&docs, &store1, &all);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for k in (w..folds).step_by(threads) {
                        let subset: Vec<usize> = all.iter().copied().filter(|&d| docs[d].fold != k).collect();
                        let rows = train_stage(docs, store1, &subset, config, k as u64 + 1, None);
                        let weights = Weights::from_rows(&rows);
                        let mut beam = Beam::default();
                        for (d, doc) in docs.iter().enumerate().filter(|(_, doc)| doc.fold == k) {
                            let mut labels = vec![0u8; doc.prep.words.len()];
                            for (s, r) in doc.prep.sentences.iter().enumerate() {
                                decode_with(&doc.prep.view(s, None), &weights, &mut labels[r.clone()], &mut beam);
                            }
                            out.push((d, labels));
                        }
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("jackknife worker panicked")).collect()
    });
    for (d, labels) in per_fold.into_iter().flatten() {
        jack_labels[d] = labels;
    }
    log("stage 1 jackknife done");

    let mut dev_log = |stage: usize, epoch: usize, m: &Model| {
        if let Some(dev) = dev {
            let s = score_model(m, dev);
            log(&format!("stage {stage} epoch {epoch:2}: dev P {:.2} R {:.2} F1 {:.2}", s.precision, s.recall, s.f1));
        }
    };
    let stage1 = {
        let mut cb = |epoch: usize, rows: &[SparseRow]| {
            dev_log(1, epoch, &Model::new(full.clone(), classes.clone(), rows, &[]));
        };
        let cb: EpochHook<'_> = if dev.is_some() { Some(&mut cb) } else { None };
        train_stage(&docs, &store1, &all, config, 0, cb)
    };
    drop(store1);

    // Stage 2 on document facts from the jackknifed stage-1 labels.
    let facts: Vec<Vec<DocFacts>> =
        docs.iter().zip(&jack_labels).map(|(doc, labels)| doc_facts(&doc.prep, labels)).collect();
    let store2 = FeatureStore::new(&docs, Some(&facts));
    let stage2 = {
        let mut cb = |epoch: usize, rows: &[SparseRow]| {
            dev_log(2, epoch, &Model::new(full.clone(), classes.clone(), &stage1, rows));
        };
        let cb: EpochHook<'_> = if dev.is_some() { Some(&mut cb) } else { None };
        train_stage(&docs, &store2, &all, config, 1000, cb)
    };
    Ok(model::serialize(&full, &classes, &stage1, &stage2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::conll::parse_conll;
    use std::path::Path;

    /// A small training slice: the first documents of eng.train when the data is
    /// present, else a synthetic two-document corpus.
    fn slice() -> Vec<Document> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/conll2003/eng.train");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut docs = parse_conll(&text, &path).unwrap();
                docs.truncate(12);
                docs
            }
            Err(_) => {
                let text = "-DOCSTART- -X- -X- O\n\nPeter X X B-PER\nBlackburn X X I-PER\nsaid X X O\nin X X O\nBrussels X X B-LOC\n\n-DOCSTART- -X- -X- O\n\nThe X X O\nEU X X B-ORG\nrejects X X O\nGerman X X B-MISC\ncall X X O\n";
                parse_conll(text, Path::new("synthetic")).unwrap()
            }
        }
    }

    #[test]
    fn training_is_deterministic() {
        let docs = slice();
        let config = TrainConfig { epochs: 2, folds: 3, threads: 2, ..TrainConfig::default() };
        let a = train(&docs, None, &config, &mut |_| {}).unwrap();
        let config1 = TrainConfig { threads: 1, ..config.clone() };
        let b = train(&docs, None, &config1, &mut |_| {}).unwrap();
        assert_eq!(a, b, "the model must not depend on thread timing or count");
        let c = train(&docs, None, &TrainConfig { seed: 2, ..config }, &mut |_| {}).unwrap();
        assert!(crate::tagger::Tagger::from_bytes(&c).is_ok());
    }

    #[test]
    fn the_update_moves_weights_only_where_gold_and_prediction_differ() {
        let words = ["Peter", "Blackburn", "said"];
        let prep = PreparedDoc::with(&[&words[..]], &Gazetteer::default(), &WordClasses::default());
        let docs = [TrainDoc { prep, gold: Vec::new(), fold: 0 }];
        let store = FeatureStore::new(&docs, None);
        let view = docs[0].prep.view(0, None);
        let ranges = |i: usize| store.offsets[0][i]..store.offsets[0][i + 1];
        let (b_per, l_per, u_per, u_org) = (label(0, B), label(0, L), label(0, U), label(1, U));
        let gold = [b_per, l_per, 0];
        let mut p = Perceptron::default();
        let mut buf = Vec::new();
        update_sequence(&mut p, &view, ranges, &store.features, &gold, &gold, &mut buf);
        assert!(p.keys.is_empty(), "a correct prediction changes nothing");
        update_sequence(&mut p, &view, ranges, &store.features, &gold, &[u_per, u_org, 0], &mut buf);
        let mut scores = [0; N_LABELS];
        p.add_scores(&store.features[ranges(0)], &mut scores);
        // The first token's own features moved from U-PER to B-PER.
        assert!(scores[usize::from(b_per)] > 0 && scores[usize::from(u_per)] < 0, "{scores:?}");
        // The lowercase third token is scored by neither labelling, so it taught nothing.
        let mut third = [0; N_LABELS];
        let earlier = &store.features[ranges(0).start..ranges(1).end];
        let only_third: Vec<u64> = store.features[ranges(2)].iter().filter(|f| !earlier.contains(f)).copied().collect();
        p.add_scores(&only_third, &mut third);
        assert_eq!(third, [0; N_LABELS]);
    }

    #[test]
    fn gold_labels_are_bilou() {
        let tags: Vec<String> = ["B-PER", "I-PER", "O", "B-LOC", "I-ORG"].iter().map(|s| s.to_string()).collect();
        assert_eq!(gold_labels(&tags), vec![label(0, B), label(0, L), 0, label(2, U), label(1, U)]);
    }

    #[test]
    fn the_trained_model_learns_the_training_names() {
        let docs = slice();
        let config = TrainConfig { epochs: 4, folds: 3, ..TrainConfig::default() };
        let bytes = train(&docs, None, &config, &mut |_| {}).unwrap();
        let tagger = crate::tagger::Tagger::from_bytes(&bytes).unwrap();
        let score = score_documents(&tagger, &docs);
        assert!(score.f1 > 60.0, "{score:?}");
    }
}
