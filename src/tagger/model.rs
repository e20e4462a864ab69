//! The trained model: label set, quantised weight tables, the file format, and beam
//! decoding of a document in two stages (the second sees document-level facts from the
//! first, as in Ratinov & Roth 2009).

use std::collections::HashMap;

use super::features::{
    aggregate_contexts, history_features, AggregatedContexts, DocFacts, SentenceView, TokenInfo, HAS_ALPHA, HAS_LOWER,
};
use super::gazetteer::Gazetteer;
use super::wordclass::WordClasses;
use super::IdMap;

/// Version of the model file format and of the feature templates. Bump it whenever
/// either changes; older files are then refused with a "retrain" message.
pub(crate) const FORMAT_VERSION: u32 = 4;
/// File magic.
const MAGIC: &[u8; 8] = b"NDXNER\0\0";

/// Entity types, in label order: PER, ORG, LOC, MISC.
pub(crate) const N_TYPES: usize = 4;
/// BILOU labels: 0 = O, then `1 + 4 * type + position` with position B, I, L, U.
pub(crate) const N_LABELS: usize = 1 + 4 * N_TYPES;
/// Position codes within a BILOU label.
pub(crate) const B: u8 = 0;
pub(crate) const I: u8 = 1;
pub(crate) const L: u8 = 2;
pub(crate) const U: u8 = 3;

/// The label for `position` of an entity of type `t`.
#[inline]
pub(crate) const fn label(t: usize, position: u8) -> u8 {
    1 + 4 * t as u8 + position
}

/// The entity type and position of a label, `None` for O.
#[inline]
pub(crate) fn split_label(l: u8) -> Option<(usize, u8)> {
    (l != 0).then(|| (((l - 1) / 4) as usize, (l - 1) % 4))
}

/// Labels allowed after `prev` (a bit set): an open entity (B, I) must continue or close
/// with its own type; at the end of a sentence nothing may stay open.
#[inline]
pub(crate) fn allowed_after(prev: u8, last: bool) -> u32 {
    match split_label(prev) {
        Some((t, B | I)) => {
            if last {
                1 << label(t, L)
            } else {
                (1 << label(t, I)) | (1 << label(t, L))
            }
        }
        _ => {
            let mut m = 1u32;
            for t in 0..N_TYPES {
                if !last {
                    m |= 1 << label(t, B);
                }
                m |= 1 << label(t, U);
            }
            m
        }
    }
}

/// True when an entity open at token `i` of a sentence must end there: at the last
/// token, or before a token no entity continues into.
#[inline]
pub(crate) fn closes_here(info: &[TokenInfo], i: usize) -> bool {
    info.get(i + 1).is_none_or(|next| !next.can_continue_entity())
}

/// Anything that turns a feature list into label scores.
pub(crate) trait Scorer {
    /// Adds the weights of `features` to `scores`.
    fn add_scores(&self, features: &[u64], scores: &mut [i32; N_LABELS]);

    /// Adds the weights of the label-history features of token `i` of `view` after the
    /// labels `prev` and `prev2`; `buf` is scratch space.
    fn add_history_scores(
        &self,
        view: &SentenceView<'_>,
        i: usize,
        (prev, prev2): (u8, u8),
        buf: &mut Vec<u64>,
        scores: &mut [i32; N_LABELS],
    ) {
        buf.clear();
        view.dynamic_features(i, prev, prev2, buf);
        self.add_scores(buf, scores);
    }
}

/// The 32-bit key a feature is stored under.
#[inline]
fn fold_key(f: u64) -> u32 {
    let k = (f ^ (f >> 32)) as u32;
    // Zero marks an empty slot.
    if k == 0 {
        1
    } else {
        k
    }
}

/// Weights of one stage (`W` = [`N_LABELS`]) or of both (`W` = [`BOTH_STAGES`]: a
/// feature's stage-1 row then its stage-2 row), as an open-addressing table of 32-bit
/// feature keys and, at the same slot index, a dense row of quantised label weights.
///
/// The keys are small enough to stay in the L2 cache (4 bytes a slot), so probing is
/// cheap and a feature the model does not know costs no trip to memory; the row of a
/// known feature is found from its slot without a second, dependent lookup. Scoring finds
/// all slots first and prefetches their rows, so the cache misses of one token's
/// features overlap instead of queueing one after another.
#[derive(Debug, Clone)]
pub(crate) struct Weights<const W: usize = N_LABELS> {
    /// Feature key per slot, 0 when empty.
    keys: Vec<u32>,
    /// The weights of the feature in the same slot (zero for empty slots).
    rows: Vec<[i16; W]>,
    mask: usize,
    /// Stored features per stage.
    lens: Vec<usize>,
}

/// Row width of a table holding both stages.
pub(crate) const BOTH_STAGES: usize = 2 * N_LABELS;

/// One feature of a stage as stored in the file: key and its nonzero label weights.
pub(crate) type SparseRow = (u32, Vec<(u8, i16)>);

/// Features looked up together: their slots are found and prefetched in one pass. Sixteen
/// loads in flight are already more than a core tracks at once, and the batch's scratch
/// arrays are zeroed on every call (most calls score the two label-history features).
const SCORE_BATCH: usize = 16;

impl<const W: usize> Default for Weights<W> {
    fn default() -> Self {
        Weights::from_stages(&[])
    }
}

impl Weights<N_LABELS> {
    /// Builds one stage's table from its rows.
    pub(crate) fn from_rows(rows: &[SparseRow]) -> Self {
        Weights::from_stages(&[rows])
    }
}

impl<const W: usize> Weights<W> {
    /// Builds the table from the rows of each stage (stage `k` fills columns
    /// `k * N_LABELS..`); a feature of several stages gets one slot.
    pub(crate) fn from_stages(stages: &[&[SparseRow]]) -> Self {
        assert!(stages.len() * N_LABELS <= W, "{} stages do not fit rows of {W}", stages.len());
        // Most features are in both stages: size the table for the distinct ones.
        let mut distinct: Vec<u32> = stages.iter().flat_map(|rows| rows.iter().map(|r| r.0)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let n = distinct.len();
        // A load factor of at most 3/4 keeps the expected probe runs short.
        let cap = (n + n / 3 + 1).next_power_of_two().max(16);
        let mut w = Weights { keys: vec![0; cap], rows: vec![[0; W]; cap], mask: cap - 1, lens: Vec::new() };
        for (k, rows) in stages.iter().enumerate() {
            for (key, entries) in rows.iter() {
                let mut s = *key as usize & w.mask;
                while w.keys[s] != 0 && w.keys[s] != *key {
                    s = (s + 1) & w.mask;
                }
                w.keys[s] = *key;
                for &(l, v) in entries {
                    w.rows[s][k * N_LABELS + l as usize] = v;
                }
            }
            w.lens.push(rows.len());
        }
        w
    }

    /// Number of stored features of `stage` (0 for a stage the table does not hold).
    pub(crate) fn len(&self, stage: usize) -> usize {
        self.lens.get(stage).copied().unwrap_or(0)
    }

    /// The slot of the feature with folded key `key`, if the model knows it.
    #[inline]
    fn slot(&self, key: u32) -> Option<usize> {
        let mut s = key as usize & self.mask;
        loop {
            let k = *self.keys.get(s)?;
            if k == key {
                return Some(s);
            }
            if k == 0 {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }

    /// Calls `add` with the row of every feature the table knows, in three passes over
    /// each batch so that their cache misses overlap: prefetch the home slots of their
    /// keys, probe the keys and prefetch the rows found, then read the rows.
    #[inline]
    fn for_each_row(&self, features: &[u64], mut add: impl FnMut(&[i16; W])) {
        let mut keys = [0u32; SCORE_BATCH];
        let mut found = [0u32; SCORE_BATCH];
        for batch in features.chunks(SCORE_BATCH) {
            let keys = &mut keys[..batch.len()];
            for (key, &f) in keys.iter_mut().zip(batch) {
                *key = fold_key(f);
                if let Some(home) = self.keys.get(*key as usize & self.mask) {
                    prefetch(home);
                }
            }
            let mut n = 0;
            for &key in keys.iter() {
                if let Some(s) = self.slot(key) {
                    // A row may span two cache lines.
                    prefetch(&self.rows[s][0]);
                    prefetch(&self.rows[s][W - 1]);
                    found[n] = s as u32;
                    n += 1;
                }
            }
            for &s in &found[..n] {
                add(&self.rows[s as usize]);
            }
        }
    }
}

/// Adds a row of weights to scores. Both lengths are fixed so that the compiler widens
/// and adds the row with vector instructions instead of one label at a time.
#[inline(always)]
fn add_row(scores: &mut [i32; N_LABELS], row: &[i16; N_LABELS]) {
    for (score, &w) in scores.iter_mut().zip(row) {
        *score += i32::from(w);
    }
}

/// The columns of one stage in a row of a two-stage table, starting at `offset`.
#[inline(always)]
fn stage_row(row: &[i16; BOTH_STAGES], offset: usize) -> &[i16; N_LABELS] {
    row[offset..].first_chunk().expect("a stage's columns lie inside the row")
}

/// Asks the CPU to start loading the cache line of `value`; the caller reads it a little
/// later, after issuing the loads of the other features of the token.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults and reads nothing into the
    // program, and `value` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

impl Scorer for Weights<N_LABELS> {
    #[inline]
    fn add_scores(&self, features: &[u64], scores: &mut [i32; N_LABELS]) {
        self.for_each_row(features, |row| add_row(scores, row));
    }
}

impl Weights<BOTH_STAGES> {
    /// Adds the stage-1 weights of `features` to `first` and their stage-2 weights to
    /// `second`, with one lookup per feature.
    #[inline]
    fn add_both(&self, features: &[u64], first: &mut [i32; N_LABELS], second: &mut [i32; N_LABELS]) {
        self.for_each_row(features, |row| {
            add_row(first, stage_row(row, 0));
            add_row(second, stage_row(row, N_LABELS));
        });
    }

    /// The weights of one stage.
    fn stage(&self, stage: usize) -> Stage<'_> {
        Stage { weights: self, offset: stage * N_LABELS }
    }
}

/// One stage of a two-stage table, as a [`Scorer`].
#[derive(Clone, Copy)]
struct Stage<'a> {
    weights: &'a Weights<BOTH_STAGES>,
    offset: usize,
}

impl Scorer for Stage<'_> {
    #[inline]
    fn add_scores(&self, features: &[u64], scores: &mut [i32; N_LABELS]) {
        self.weights.for_each_row(features, |row| add_row(scores, stage_row(row, self.offset)));
    }
}

/// Quantises averaged weights to i16 rows keyed by 32-bit feature keys, dropping weights
/// whose magnitude is below `prune` (relative to the largest weight) and features left
/// with none. Features whose keys collide are summed. The result is sorted by key.
pub(crate) fn quantize(weights: &[(u64, [f32; N_LABELS])], prune: f32) -> Vec<SparseRow> {
    let max = weights.iter().flat_map(|(_, r)| r.iter()).fold(0f32, |m, &w| m.max(w.abs())).max(1e-9);
    let scale = 32_000.0 / max;
    let mut merged: HashMap<u32, [i32; N_LABELS]> = HashMap::new();
    for (f, row) in weights {
        let acc = merged.entry(fold_key(*f)).or_insert([0; N_LABELS]);
        for (a, &w) in acc.iter_mut().zip(row) {
            if w.abs() >= prune * max {
                *a += (w * scale).round() as i32;
            }
        }
    }
    let mut out: Vec<SparseRow> = merged
        .into_iter()
        .filter_map(|(k, row)| {
            let entries: Vec<(u8, i16)> = row
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0)
                .map(|(l, &v)| (l as u8, v.clamp(-32_767, 32_767) as i16))
                .collect();
            (!entries.is_empty()).then_some((k, entries))
        })
        .collect();
    out.sort_unstable_by_key(|r| r.0);
    out
}

/// A loaded model: gazetteer, word classes and the two stages' weights.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub gazetteer: Gazetteer,
    pub classes: WordClasses,
    /// Both stages in one table: most features are shared by the stages, and stage 1
    /// scores them for stage 2 with the same lookup (see [`Model::tag`]).
    pub weights: Weights<BOTH_STAGES>,
    /// Per stage, the weights of [`history_features`] for each pair of previous labels.
    history: [Vec<[i32; N_LABELS]>; 2],
}

impl Model {
    /// A model from its parts; an empty `stage2` means a single-stage model.
    pub(crate) fn new(gazetteer: Gazetteer, classes: WordClasses, stage1: &[SparseRow], stage2: &[SparseRow]) -> Model {
        let weights = Weights::from_stages(&[stage1, stage2]);
        let history = [0, 1].map(|k| history_table(&weights.stage(k)));
        Model { gazetteer, classes, weights, history }
    }

    /// Stage `k` as decoding scores it.
    fn scorer(&self, k: usize) -> ModelStage<'_> {
        ModelStage { stage: self.weights.stage(k), history: &self.history[k] }
    }
}

/// The weights of the token-independent label-history features of a stage, at
/// `prev2 * N_LABELS + prev`: each hypothesis of the beam needs them, and a table saves
/// two hash lookups per hypothesis and token.
fn history_table(stage: &impl Scorer) -> Vec<[i32; N_LABELS]> {
    let mut table = vec![[0; N_LABELS]; N_LABELS * N_LABELS];
    let mut buf = Vec::new();
    for prev2 in 0..N_LABELS {
        for prev in 0..N_LABELS {
            buf.clear();
            history_features(prev as u8, prev2 as u8, &mut buf);
            stage.add_scores(&buf, &mut table[prev2 * N_LABELS + prev]);
        }
    }
    table
}

/// A stage of a loaded model, with its label-history table.
#[derive(Clone, Copy)]
struct ModelStage<'a> {
    stage: Stage<'a>,
    history: &'a [[i32; N_LABELS]],
}

impl Scorer for ModelStage<'_> {
    #[inline]
    fn add_scores(&self, features: &[u64], scores: &mut [i32; N_LABELS]) {
        self.stage.add_scores(features, scores);
    }

    #[inline]
    fn add_history_scores(
        &self,
        view: &SentenceView<'_>,
        i: usize,
        (prev, prev2): (u8, u8),
        buf: &mut Vec<u64>,
        scores: &mut [i32; N_LABELS],
    ) {
        let row = &self.history[usize::from(prev2) * N_LABELS + usize::from(prev)];
        scores.iter_mut().zip(row).for_each(|(s, w)| *s += w);
        buf.clear();
        view.token_history_features(i, prev, buf);
        self.stage.add_scores(buf, scores);
    }
}

/// Writes a model file.
pub(crate) fn serialize(gaz: &Gazetteer, classes: &WordClasses, stage1: &[SparseRow], stage2: &[SparseRow]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(N_LABELS as u32).to_le_bytes());
    let entries = gaz.sorted_entries();
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (h, m) in entries {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&m.to_le_bytes());
    }
    let classes = classes.sorted_entries();
    out.extend_from_slice(&(classes.len() as u32).to_le_bytes());
    for (h, c) in classes {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&c.to_le_bytes());
    }
    for stage in [stage1, stage2] {
        out.extend_from_slice(&(stage.len() as u32).to_le_bytes());
        for (key, entries) in stage {
            out.extend_from_slice(&key.to_le_bytes());
            out.push(entries.len() as u8);
            for &(l, v) in entries {
                out.push(l);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}

/// A bounds-checked little-endian reader.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> crate::Result<&'a [u8]> {
        let end =
            self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
                model_error(format!("truncated model file (needed {n} bytes at offset {})", self.pos))
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> crate::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> crate::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> crate::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn u16(&mut self) -> crate::Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn i16(&mut self) -> crate::Result<i16> {
        Ok(i16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
}

fn model_error(message: String) -> crate::Error {
    crate::Error::Model { what: "entity tagger model".into(), message }
}

/// Parses a model file written by [`serialize`].
pub(crate) fn deserialize(bytes: &[u8]) -> crate::Result<Model> {
    let file = read_file(bytes)?;
    Ok(Model::new(file.gazetteer, file.classes, &file.stages[0], &file.stages[1]))
}

/// The parts of a model file as stored.
struct ModelFile {
    gazetteer: Gazetteer,
    classes: WordClasses,
    stages: [Vec<SparseRow>; 2],
}

/// Reads and checks a model file written by [`serialize`].
fn read_file(bytes: &[u8]) -> crate::Result<ModelFile> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8).ok() != Some(MAGIC.as_slice()) {
        return Err(model_error("not a newsdex tagger model (bad magic bytes)".into()));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(model_error(format!(
            "model format version {version}, this newsdex needs {FORMAT_VERSION}: retrain with `newsdex train-tagger`"
        )));
    }
    let n_labels = r.u32()?;
    if n_labels as usize != N_LABELS {
        return Err(model_error(format!("model has {n_labels} labels, expected {N_LABELS}")));
    }
    let n_gaz = r.u32()? as usize;
    let mut gaz = Vec::with_capacity(n_gaz.min(bytes.len() / 10));
    for _ in 0..n_gaz {
        let h = r.u64()?;
        gaz.push((h, r.u16()?));
    }
    let n_classes = r.u32()? as usize;
    let mut classes = Vec::with_capacity(n_classes.min(bytes.len() / 12));
    for _ in 0..n_classes {
        let h = r.u64()?;
        classes.push((h, r.u32()?));
    }
    let mut stages: [Vec<SparseRow>; 2] = Default::default();
    for stage in &mut stages {
        let n = r.u32()? as usize;
        let mut rows = Vec::with_capacity(n.min(bytes.len() / 5));
        for _ in 0..n {
            let key = r.u32()?;
            let nnz = r.u8()? as usize;
            let mut entries = Vec::with_capacity(nnz);
            for _ in 0..nnz {
                let l = r.u8()?;
                if l as usize >= N_LABELS {
                    return Err(model_error(format!("label {l} out of range")));
                }
                entries.push((l, r.i16()?));
            }
            rows.push((key, entries));
        }
        *stage = rows;
    }
    if r.pos != bytes.len() {
        return Err(model_error(format!("{} trailing bytes", bytes.len() - r.pos)));
    }
    Ok(ModelFile { gazetteer: Gazetteer::from_entries(gaz), classes: WordClasses::from_entries(classes), stages })
}

/// A document prepared for decoding: per-token facts and gazetteer marks, flat, with
/// sentence boundaries.
#[derive(Debug, Default)]
pub(crate) struct PreparedDoc<'a> {
    pub words: Vec<&'a str>,
    pub info: Vec<TokenInfo>,
    pub gaz: Vec<u64>,
    pub sentences: Vec<std::ops::Range<usize>>,
    pub all_caps: Vec<bool>,
    /// Per token, the aggregated contexts of its other occurrences.
    pub contexts: AggregatedContexts,
}

impl<'a> PreparedDoc<'a> {
    /// Computes token facts and gazetteer marks for `sentences`.
    pub(crate) fn new<S: AsRef<[&'a str]>>(sentences: &[S], model: &Model) -> PreparedDoc<'a> {
        PreparedDoc::with(sentences, &model.gazetteer, &model.classes)
    }

    /// [`PreparedDoc::new`] with an explicit gazetteer (training uses one per fold).
    pub(crate) fn with<S: AsRef<[&'a str]>>(
        sentences: &[S],
        gaz: &Gazetteer,
        classes: &WordClasses,
    ) -> PreparedDoc<'a> {
        let mut doc = PreparedDoc::default();
        // One allocation per vector and document, not a doubling per few sentences.
        let n_tokens = sentences.iter().map(|s| s.as_ref().len()).sum();
        doc.words.reserve_exact(n_tokens);
        doc.info.reserve_exact(n_tokens);
        doc.gaz.reserve_exact(n_tokens);
        doc.all_caps.reserve_exact(sentences.len());
        doc.sentences.reserve_exact(sentences.len());
        let mut marks = Vec::new();
        for s in sentences {
            let s = s.as_ref();
            let start = doc.words.len();
            doc.words.extend_from_slice(s);
            doc.info.extend(s.iter().map(|w| TokenInfo::new(w)));
            assign_classes(&mut doc.info[start..], classes);
            let info = &doc.info[start..];
            gaz.mark(info, &mut marks);
            doc.gaz.extend_from_slice(&marks);
            let n_alpha = info.iter().filter(|t| t.flags & HAS_ALPHA != 0).count();
            let any_lower = info.iter().any(|t| t.flags & HAS_LOWER != 0);
            doc.all_caps.push(n_alpha >= 2 && !any_lower);
            doc.sentences.push(start..doc.words.len());
        }
        doc.contexts = aggregate_contexts(&doc.info, &doc.sentences);
        doc
    }

    /// The view of sentence `k`, with stage-2 facts when given.
    pub(crate) fn view<'b>(&'b self, k: usize, doc: Option<&'b [DocFacts]>) -> SentenceView<'b> {
        let r = self.sentences[k].clone();
        SentenceView {
            words: &self.words[r.clone()],
            info: &self.info[r.clone()],
            gaz: &self.gaz[r.clone()],
            doc: doc.map(|d| &d[r.clone()]),
            all_caps: self.all_caps[k],
            contexts: &self.contexts.ranges[r],
            context_hashes: &self.contexts.hashes,
        }
    }
}

/// Looks up the word classes of the tokens of a sentence whose features may be
/// extracted: the tokens decoding may score (candidates, and the tokens an entity opened
/// at one can run on through) and their neighbours. The other tokens' classes are never
/// read, and each lookup is a likely cache miss.
fn assign_classes(info: &mut [TokenInfo], classes: &WordClasses) {
    let mut reachable = false;
    let mut needed_until = 0;
    let n = info.len();
    for i in 0..n {
        reachable = info[i].is_candidate() || (reachable && info[i].can_continue_entity());
        if reachable {
            // This token may be scored: it and both neighbours need their classes.
            let end = (i + 2).min(n);
            for t in &mut info[i.saturating_sub(1).max(needed_until)..end] {
                t.class = classes.get(t.lower);
            }
            needed_until = end;
        }
    }
}

/// Hypotheses kept per token by beam decoding.
pub(crate) const BEAM: usize = 4;

/// A partial labelling of a sentence in the beam: its score so far, the last two labels
/// (all that later features look at) and where it came from.
#[derive(Debug, Clone, Copy)]
struct Hypothesis {
    score: i64,
    prev: u8,
    prev2: u8,
    /// Index of the hypothesis it extends in the previous token's beam.
    parent: u8,
    /// The labelling so far is the gold one (training only).
    on_gold: bool,
}

impl Hypothesis {
    /// This hypothesis (number `j` of its beam) extended by label `l`, reaching `score`.
    fn extended(&self, j: usize, l: u8, score: i64, gold: Option<u8>) -> Hypothesis {
        Hypothesis { score, prev: l, prev2: self.prev, parent: j as u8, on_gold: self.on_gold && gold == Some(l) }
    }
}

/// True when `l` leaves an entity open (B or I).
#[inline]
pub(crate) fn is_open(l: u8) -> bool {
    matches!(split_label(l), Some((_, B | I)))
}

/// True when a labelling whose previous label is `prev` scores token `info`: tokens that
/// can start a name (a capital letter), and any token while an entity is open. The
/// others are O and add nothing to the score, which is how most tokens cost only the
/// pass over their chars.
#[inline]
pub(crate) fn is_scored(info: &TokenInfo, prev: u8) -> bool {
    info.is_candidate() || is_open(prev)
}

/// Beam search over the BILOU labels of one sentence, one token at a time, keeping the
/// [`BEAM`] best labellings and, of those ending in the same two labels, only the best
/// (the features cannot tell them apart later). The score of a labelling is the sum over
/// its scored tokens (see [`is_scored`]) of the weights of the token's features for its
/// label; training (a structured perceptron) and decoding use the same search.
///
/// Greedy decoding commits to a label per token and then has to live with it: a wrong
/// begin drags an entity on (`Board of Trade was`), a wrong type splits a name (`Edward`
/// MISC, `D. Jones` PER).
#[derive(Debug)]
pub(crate) struct Beam {
    /// Hypotheses kept per token.
    width: usize,
    hyps: Vec<Hypothesis>,
    next: Vec<Hypothesis>,
    /// Per token, the label and parent of each hypothesis of its beam, flat.
    history: Vec<(u8, u8)>,
    /// Where each token's beam starts in `history`.
    starts: Vec<usize>,
    /// Scratch space for label-history features.
    features: Vec<u64>,
}

impl Default for Beam {
    fn default() -> Self {
        Beam::with_width(BEAM)
    }
}

impl Beam {
    /// A beam keeping `width` hypotheses (1 is greedy decoding).
    pub(crate) fn with_width(width: usize) -> Beam {
        Beam {
            width: width.max(1),
            hyps: Vec::new(),
            next: Vec::new(),
            history: Vec::new(),
            starts: Vec::new(),
            features: Vec::new(),
        }
    }

    /// Starts a new sentence.
    pub(crate) fn reset(&mut self) {
        self.hyps.clear();
        self.hyps.push(Hypothesis { score: 0, prev: 0, prev2: 0, parent: 0, on_gold: true });
        self.history.clear();
        self.starts.clear();
    }

    /// Extends the hypotheses by token `i` of `view`. `static_scores(i, ..)` adds the
    /// weights of the features that do not depend on earlier labels; it is called at most
    /// once per token. `scorer` holds the weights of the label-history features. With
    /// `gold`, hypotheses remember whether they are still the gold labelling.
    pub(crate) fn advance(
        &mut self,
        view: &SentenceView<'_>,
        i: usize,
        gold: Option<u8>,
        static_scores: &mut impl FnMut(usize, &mut [i32; N_LABELS]),
        scorer: &impl Scorer,
    ) {
        let info = &view.info[i];
        self.next.clear();
        if self.hyps.iter().all(|h| !is_scored(info, h.prev)) {
            self.extend_outside(gold);
        } else {
            self.extend_scored(view, i, gold, static_scores, scorer);
        }
        self.starts.push(self.history.len());
        self.history.extend(self.next.iter().map(|h| (h.prev, h.parent)));
        std::mem::swap(&mut self.hyps, &mut self.next);
    }

    /// Extends every hypothesis by O at a token none of them scores (most tokens). The
    /// hypotheses are in rank order and all gain nothing, so offering them one by one
    /// would keep the first of each previous label in the same order: do that directly.
    fn extend_outside(&mut self, gold: Option<u8>) {
        for (j, h) in self.hyps.iter().enumerate() {
            if self.next.iter().all(|o| o.prev2 != h.prev) {
                self.next.push(h.extended(j, 0, h.score, gold));
            }
        }
    }

    /// Extends the hypotheses by every label allowed at a token some of them score.
    fn extend_scored(
        &mut self,
        view: &SentenceView<'_>,
        i: usize,
        gold: Option<u8>,
        static_scores: &mut impl FnMut(usize, &mut [i32; N_LABELS]),
        scorer: &impl Scorer,
    ) {
        let info = &view.info[i];
        let mut token: Option<[i32; N_LABELS]> = None;
        let closes = closes_here(view.info, i);
        for (j, h) in self.hyps.iter().enumerate() {
            if !is_scored(info, h.prev) {
                offer(&mut self.next, self.width, h.extended(j, 0, h.score, gold));
                continue;
            }
            let mut scores = *token.get_or_insert_with(|| {
                let mut s = [0; N_LABELS];
                static_scores(i, &mut s);
                s
            });
            scorer.add_history_scores(view, i, (h.prev, h.prev2), &mut self.features, &mut scores);
            let mut allowed = allowed_after(h.prev, closes);
            while allowed != 0 {
                let l = allowed.trailing_zeros() as u8;
                allowed &= allowed - 1;
                offer(&mut self.next, self.width, h.extended(j, l, h.score + i64::from(scores[usize::from(l)]), gold));
            }
        }
    }

    /// True while the gold labelling is among the hypotheses (training only).
    pub(crate) fn holds_gold(&self) -> bool {
        self.hyps.iter().any(|h| h.on_gold)
    }

    /// Writes the labels of the best hypothesis, one per token advanced so far.
    pub(crate) fn best(&self, labels: &mut [u8]) {
        // The best hypothesis is first in every beam; follow its parents back.
        let mut j = 0usize;
        for (i, &start) in self.starts.iter().enumerate().rev() {
            let (l, parent) = self.history[start + j];
            labels[i] = l;
            j = usize::from(parent);
        }
    }
}

/// The order of hypotheses in a beam: best score first; ties go to the earlier parent,
/// then the lower label, so decoding is deterministic.
#[inline]
fn rank(h: &Hypothesis) -> (std::cmp::Reverse<i64>, u8, u8) {
    (std::cmp::Reverse(h.score), h.parent, h.prev)
}

/// Offers a hypothesis to a beam of at most `width`, kept in [`rank`] order: it enters
/// unless a better one ends in the same two labels (the features cannot tell them apart
/// later) or the beam is full of better ones. Offering candidates one by one keeps the
/// best of each pair of last labels and of those the `width` best, without sorting them
/// all.
#[inline]
fn offer(beam: &mut Vec<Hypothesis>, width: usize, h: Hypothesis) {
    let key = rank(&h);
    // Most candidates lose to a full beam's worst: settle them first.
    if beam.len() >= width && beam.last().is_some_and(|worst| rank(worst) <= key) {
        return;
    }
    if let Some(k) = beam.iter().position(|o| o.prev == h.prev && o.prev2 == h.prev2) {
        if rank(&beam[k]) <= key {
            return;
        }
        beam.remove(k);
    } else if beam.len() >= width {
        beam.pop();
    }
    let at = beam.partition_point(|o| rank(o) < key);
    beam.insert(at, h);
}

/// Decodes one sentence with [`Beam`] into `labels`.
pub(crate) fn decode_sentence(
    view: &SentenceView<'_>,
    labels: &mut [u8],
    beam: &mut Beam,
    mut static_scores: impl FnMut(usize, &mut [i32; N_LABELS]),
    scorer: &impl Scorer,
) {
    beam.reset();
    for i in 0..view.words.len() {
        beam.advance(view, i, None, &mut static_scores, scorer);
    }
    beam.best(labels);
}

/// Decodes a sentence with a single-stage model (training's jackknife).
pub(crate) fn decode_with(view: &SentenceView<'_>, weights: &Weights, labels: &mut [u8], beam: &mut Beam) {
    let mut features = Vec::with_capacity(64);
    let static_scores = |i: usize, scores: &mut [i32; N_LABELS]| {
        features.clear();
        view.static_features(i, &mut features);
        weights.add_scores(&features, scores);
    };
    decode_sentence(view, labels, beam, static_scores, weights);
}

/// The stage-2 scores of the token features of the tokens stage 1 scored, which stage 1
/// gets from the same lookups as its own (most tokens are scored in both stages).
struct Stage2Scores {
    /// Per token of the document, its index in `scores` plus one, 0 when not scored.
    index: Vec<u32>,
    scores: Vec<[i32; N_LABELS]>,
}

/// Document-level facts for stage 2 from stage-1 labels: for each capitalised token, the
/// entity types that *other* occurrences of the same word (case-insensitively) received.
pub(crate) fn doc_facts(doc: &PreparedDoc<'_>, labels: &[u8]) -> Vec<DocFacts> {
    // Per word: counts of types 0..4 and of capitalised mid-sentence untagged uses.
    let mut counts: IdMap<[u16; N_TYPES + 1]> = IdMap::default();
    let contribution = |idx: usize, first: bool, caps: bool| -> Option<usize> {
        if !doc.info[idx].is_candidate() {
            return None;
        }
        match split_label(labels[idx]) {
            Some((t, _)) => Some(t),
            None if !first && !caps => Some(N_TYPES),
            None => None,
        }
    };
    for (k, r) in doc.sentences.iter().enumerate() {
        for idx in r.clone() {
            if let Some(c) = contribution(idx, idx == r.start, doc.all_caps[k]) {
                let e = counts.entry(doc.info[idx].lower).or_insert([0; N_TYPES + 1]);
                e[c] = e[c].saturating_add(1);
            }
        }
    }
    let mut out = vec![DocFacts::default(); doc.words.len()];
    let mut last_seen: IdMap<u8> = IdMap::default();
    for (k, r) in doc.sentences.iter().enumerate() {
        for idx in r.clone() {
            if !doc.info[idx].is_candidate() {
                continue;
            }
            let own = contribution(idx, idx == r.start, doc.all_caps[k]);
            let previous = match own {
                Some(c) => last_seen.insert(doc.info[idx].lower, c as u8 + 1),
                None => last_seen.get(&doc.info[idx].lower).copied(),
            };
            out[idx].previous = previous.unwrap_or(0);
            let Some(mut c) = counts.get(&doc.info[idx].lower).copied() else {
                continue;
            };
            if let Some(own) = own {
                c[own] -= 1;
            }
            let mut has = 0u8;
            let (mut best, mut best_n) = (0u8, 0u16);
            for (t, &n) in c.iter().enumerate().take(N_TYPES) {
                if n > 0 {
                    has |= 1 << t;
                    if n > best_n {
                        best_n = n;
                        best = t as u8 + 1;
                    }
                }
            }
            if c[N_TYPES] > best_n {
                best = N_TYPES as u8 + 1;
            }
            out[idx].has = has;
            out[idx].majority = best;
        }
    }
    out
}

impl Model {
    /// Tags a prepared document with both stages; BILOU labels, flat.
    pub(crate) fn tag(&self, doc: &PreparedDoc<'_>) -> Vec<u8> {
        let mut labels = vec![0u8; doc.words.len()];
        let mut beam = Beam::default();
        let mut features = Vec::with_capacity(64);
        let mut stage2 = Stage2Scores { index: vec![0; doc.words.len()], scores: Vec::new() };
        for (k, r) in doc.sentences.iter().enumerate() {
            let view = doc.view(k, None);
            let static_scores = |i: usize, scores: &mut [i32; N_LABELS]| {
                features.clear();
                view.token_features(i, &mut features);
                let mut second = [0; N_LABELS];
                self.weights.add_both(&features, scores, &mut second);
                stage2.scores.push(second);
                stage2.index[r.start + i] = stage2.scores.len() as u32;
            };
            decode_sentence(&view, &mut labels[r.clone()], &mut beam, static_scores, &self.scorer(0));
        }
        if self.weights.len(1) == 0 {
            return labels;
        }
        let facts = doc_facts(doc, &labels);
        let second = self.scorer(1);
        for (k, r) in doc.sentences.iter().enumerate() {
            let view = doc.view(k, Some(&facts));
            let static_scores = |i: usize, scores: &mut [i32; N_LABELS]| {
                features.clear();
                match stage2.index[r.start + i] {
                    0 => view.token_features(i, &mut features),
                    j => scores.iter_mut().zip(&stage2.scores[j as usize - 1]).for_each(|(s, v)| *s += v),
                }
                view.doc_features(i, &mut features);
                second.add_scores(&features, scores);
            };
            decode_sentence(&view, &mut labels[r.clone()], &mut beam, static_scores, &second);
        }
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilou_constraints() {
        let b_per = label(0, B);
        assert_eq!(allowed_after(b_per, false), (1 << label(0, I)) | (1 << label(0, L)));
        assert_eq!(allowed_after(b_per, true), 1 << label(0, L));
        let at_end = allowed_after(0, true);
        assert_eq!(at_end & (1 << label(2, B)), 0);
        assert_ne!(at_end & (1 << label(2, U)), 0);
        assert_eq!(split_label(label(3, U)), Some((3, U)));
        assert_eq!(split_label(0), None);
    }

    /// A scorer that knows no features: the test's static scores decide alone.
    struct NoWeights;

    impl Scorer for NoWeights {
        fn add_scores(&self, _: &[u64], _: &mut [i32; N_LABELS]) {}
    }

    /// Decodes `words` as one sentence with fixed per-token scores of some labels (the
    /// others score 0) and a beam of `width`.
    fn decode_fixed(words: &[&str], scores: &[&[(u8, i32)]], width: usize) -> Vec<u8> {
        let doc = PreparedDoc::with(&[words], &Gazetteer::default(), &WordClasses::default());
        let view = doc.view(0, None);
        let mut static_scores = |i: usize, s: &mut [i32; N_LABELS]| {
            for &(l, v) in scores[i] {
                s[usize::from(l)] += v;
            }
        };
        let mut beam = Beam::with_width(width);
        beam.reset();
        for i in 0..words.len() {
            beam.advance(&view, i, None, &mut static_scores, &NoWeights);
        }
        let mut labels = vec![0; words.len()];
        beam.best(&mut labels);
        labels
    }

    #[test]
    fn the_beam_recovers_from_a_begin_that_greedy_decoding_regrets() {
        // "Bank Rome": B-ORG wins the first token by a little, but the entity must then
        // close with L-ORG, which the second token strongly refuses; PER then LOC is better.
        let (b_org, l_org, u_per, u_loc) = (label(1, B), label(1, L), label(0, U), label(2, U));
        let scores: [&[(u8, i32)]; 2] = [&[(b_org, 10), (u_per, 9)], &[(l_org, -100), (u_loc, 5)]];
        assert_eq!(decode_fixed(&["Bank", "Rome"], &scores, 1), vec![b_org, l_org]);
        assert_eq!(decode_fixed(&["Bank", "Rome"], &scores, BEAM), vec![u_per, u_loc]);
    }

    #[test]
    fn offering_one_by_one_keeps_the_best_of_each_state() {
        // Against the plain way: sort all, keep the first of each state, truncate.
        let mut x = 12345u64;
        for round in 0..200 {
            let mut all = Vec::new();
            for parent in 0..4u8 {
                for prev in 0..6u8 {
                    x = crate::tagger::features::mix(x, round);
                    let h = Hypothesis { score: (x % 7) as i64, prev, prev2: parent % 2, parent, on_gold: false };
                    all.push(h);
                }
            }
            let mut sorted = all.clone();
            sorted.sort_by_key(rank);
            let mut expected: Vec<Hypothesis> = Vec::new();
            for h in sorted {
                if !expected.iter().any(|o| (o.prev, o.prev2) == (h.prev, h.prev2)) {
                    expected.push(h);
                }
            }
            expected.truncate(BEAM);
            let mut beam = Vec::new();
            for h in all {
                offer(&mut beam, BEAM, h);
            }
            let ids = |v: &[Hypothesis]| v.iter().map(|h| (h.score, h.parent, h.prev)).collect::<Vec<_>>();
            assert_eq!(ids(&beam), ids(&expected), "round {round}");
        }
    }

    #[test]
    fn extending_by_outside_keeps_what_offering_would() {
        let mut x = 99u64;
        for round in 0..200 {
            let mut beam = Beam::default();
            for parent in 0..BEAM as u8 {
                x = crate::tagger::features::mix(x, round);
                let h = Hypothesis {
                    score: (x % 5) as i64,
                    prev: (x % 3) as u8,
                    prev2: parent,
                    parent,
                    on_gold: x % 2 == 0,
                };
                offer(&mut beam.hyps, BEAM, h);
            }
            let mut expected = Vec::new();
            for (j, h) in beam.hyps.iter().enumerate() {
                let on_gold = h.on_gold;
                offer(
                    &mut expected,
                    BEAM,
                    Hypothesis { score: h.score, prev: 0, prev2: h.prev, parent: j as u8, on_gold },
                );
            }
            beam.extend_outside(Some(0));
            let ids = |v: &[Hypothesis]| {
                v.iter().map(|h| (h.score, h.prev, h.prev2, h.parent, h.on_gold)).collect::<Vec<_>>()
            };
            assert_eq!(ids(&beam.next), ids(&expected), "round {round}");
        }
    }

    #[test]
    fn tokens_nobody_scores_are_outside_and_free() {
        // Lowercase words outside an entity are O without being scored at all.
        let u_per = label(0, U);
        let scores: [&[(u8, i32)]; 3] = [&[(u_per, 7)], &[(u_per, 1000)], &[]];
        assert_eq!(decode_fixed(&["Obama", "spoke", "today"], &scores, BEAM), vec![u_per, 0, 0]);
    }

    /// The plain two-stage decoding the fast path must agree with: each stage with its
    /// own table and every feature looked up again.
    fn reference_tag(file: &ModelFile, doc: &PreparedDoc<'_>) -> Vec<u8> {
        let (first, second) = (Weights::from_rows(&file.stages[0]), Weights::from_rows(&file.stages[1]));
        let mut labels = vec![0u8; doc.words.len()];
        let mut beam = Beam::default();
        for (k, r) in doc.sentences.iter().enumerate() {
            decode_with(&doc.view(k, None), &first, &mut labels[r.clone()], &mut beam);
        }
        let facts = doc_facts(doc, &labels);
        for (k, r) in doc.sentences.iter().enumerate() {
            decode_with(&doc.view(k, Some(&facts)), &second, &mut labels[r.clone()], &mut beam);
        }
        labels
    }

    #[test]
    fn shared_lookups_give_the_labels_of_plain_decoding() {
        let file = read_file(crate::tagger::BUILTIN_MODEL).unwrap();
        let model = deserialize(crate::tagger::BUILTIN_MODEL).unwrap();
        let text = "WASHINGTON (Reuters) - Senate Majority Leader Mitch McConnell said on Tuesday that the \
            Bank of America and Goldman Sachs met officials of the U.S. Treasury in New York.\n\
            McConnell, a Kentucky Republican, told reporters the EU plan was dead. Later McConnell left for Paris.";
        let spans = crate::tagger::tokenize(text);
        let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        let sentences: Vec<&[&str]> = crate::tagger::sentences(text, &spans).into_iter().map(|r| &words[r]).collect();
        let doc = PreparedDoc::new(&sentences, &model);
        let labels = model.tag(&doc);
        assert!(labels.iter().filter(|&&l| l != 0).count() >= 10, "{labels:?}");
        assert_eq!(labels, reference_tag(&file, &doc));
    }

    #[test]
    fn both_stages_share_one_slot_per_feature() {
        let first = quantize(&[(42, [1.0; N_LABELS]), (7, [0.5; N_LABELS])], 0.0);
        let second = quantize(&[(42, [0.25; N_LABELS]), (9, [1.0; N_LABELS])], 0.0);
        let weights: Weights<BOTH_STAGES> = Weights::from_stages(&[&first, &second]);
        assert_eq!((weights.len(0), weights.len(1)), (2, 2));
        let (mut a, mut b) = ([0; N_LABELS], [0; N_LABELS]);
        weights.add_both(&[42, 7, 9, 1234], &mut a, &mut b);
        assert_eq!((a, b), ([48_000; N_LABELS], [40_000; N_LABELS]));
        let mut c = [0; N_LABELS];
        weights.stage(1).add_scores(&[42], &mut c);
        assert_eq!(c, [8_000; N_LABELS]);
    }

    #[test]
    fn model_file_round_trips_and_rejects_garbage() {
        let mut gaz = Gazetteer::default();
        gaz.insert(&["New", "York"], 2);
        let rows = quantize(&[(42, [0.5; N_LABELS]), (7, [0.0; N_LABELS])], 0.0);
        assert_eq!(rows.len(), 1);
        let bytes = serialize(&gaz, &WordClasses::default(), &rows, &rows);
        let model = deserialize(&bytes).unwrap();
        assert_eq!(model.weights.len(0), 1);
        let mut scores = [0; N_LABELS];
        model.weights.stage(1).add_scores(&[42, 7], &mut scores);
        assert_eq!(scores, [32_000; N_LABELS]);
        assert!(deserialize(b"").is_err());
        assert!(deserialize(&bytes[..bytes.len() - 1]).is_err());
        let mut bad = bytes.clone();
        bad[8] = 99;
        let err = deserialize(&bad).unwrap_err().to_string();
        assert!(err.contains("retrain"), "{err}");
    }
}
