//! Feature extraction: per-token hashes computed once, then hashed feature templates.
//!
//! Every feature is a 64-bit hash of a template id and a value; nothing is allocated per
//! token. The hashes must stay stable: a trained model stores them, so changing a template
//! or the hash function means bumping [`super::model::FORMAT_VERSION`] and retraining.

use super::wordclass::{caps, coarse, fine, WordClass};
use super::IdMap;

/// Multiplier from the golden ratio, used by the string hash.
const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Mixes two 64-bit values into one well-distributed hash (order matters).
#[inline]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut x = a.wrapping_mul(K).rotate_left(31) ^ b;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One step of the incremental string hash.
#[inline]
fn step(h: u64, c: u32) -> u64 {
    (h.rotate_left(5) ^ u64::from(c)).wrapping_mul(K)
}

/// Maps typographic variants to one form, so that `’s` and `'s` share features.
#[inline]
fn normalize_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
        '\u{2010}' | '\u{2011}' => '-',
        _ => c,
    }
}

/// The lowercase form used by word features: digits collapse to `0` so that numbers and
/// dates share statistics. Only the first char of a multi-char lowercase is kept, which
/// is fine for a hash.
#[inline]
fn lower_char(c: char) -> char {
    let c = normalize_char(c);
    if c.is_ascii() {
        ascii_lower(c as u8) as char
    } else if c.is_uppercase() {
        c.to_lowercase().next().unwrap_or(c)
    } else {
        c
    }
}

/// The shape class of a char: `X` upper, `x` lower, `d` digit, else the char itself.
#[inline]
fn shape_char(c: char) -> char {
    if c.is_ascii() {
        ascii_shape(c as u8) as char
    } else if c.is_uppercase() {
        'X'
    } else if c.is_alphabetic() {
        'x'
    } else if c.is_numeric() {
        'd'
    } else {
        normalize_char(c)
    }
}

/// [`lower_char`] of an ASCII char (already normalised).
#[inline]
const fn ascii_lower(b: u8) -> u8 {
    if b.is_ascii_digit() {
        b'0'
    } else {
        b.to_ascii_lowercase()
    }
}

/// [`shape_char`] of an ASCII char.
#[inline]
const fn ascii_shape(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b'X',
        b'a'..=b'z' => b'x',
        b'0'..=b'9' => b'd',
        _ => b,
    }
}

/// What [`TokenInfo::new`] needs of a char.
#[derive(Debug, Clone, Copy)]
struct CharFacts {
    /// [`normalize_char`].
    normal: char,
    /// [`lower_char`].
    lower: char,
    /// [`shape_char`].
    shape: char,
    /// The char is a lowercase letter.
    is_lower: bool,
}

impl CharFacts {
    #[inline]
    fn of(c: char) -> CharFacts {
        CharFacts { normal: normalize_char(c), lower: lower_char(c), shape: shape_char(c), is_lower: c.is_lowercase() }
    }
}

/// [`CharFacts::of`] every ASCII char. Nearly all chars of English news are ASCII, and a
/// table load per char is much cheaper than the normalising, case and shape branches.
const ASCII_FACTS: [CharFacts; 128] = {
    let mut table = [CharFacts { normal: '\0', lower: '\0', shape: '\0', is_lower: false }; 128];
    let mut b = 0u8;
    while b < 128 {
        // The only ASCII char `normalize_char` changes.
        let normal = if b == b'`' { b'\'' } else { b };
        table[b as usize] = CharFacts {
            normal: normal as char,
            lower: ascii_lower(normal) as char,
            shape: ascii_shape(b) as char,
            is_lower: b.is_ascii_lowercase(),
        };
        b += 1;
    }
    table
};

/// Calls `$f` (generic over the iterator) with the [`CharFacts`] of the chars of `$word`:
/// from [`ASCII_FACTS`] when the word is ASCII, which skips UTF-8 decoding too.
macro_rules! with_char_facts {
    ($word:expr, $f:path) => {
        if $word.is_ascii() {
            $f($word.bytes().map(|b| ASCII_FACTS[usize::from(b)]))
        } else {
            $f($word.chars().map(CharFacts::of))
        }
    };
}

/// Token property: contains an uppercase letter.
pub(crate) const HAS_UPPER: u16 = 1;
/// Token property: the first char is uppercase.
pub(crate) const INIT_UPPER: u16 = 1 << 1;
/// Token property: contains a lowercase letter.
pub(crate) const HAS_LOWER: u16 = 1 << 2;
/// Token property: contains a digit.
pub(crate) const HAS_DIGIT: u16 = 1 << 3;
/// Token property: contains a letter.
pub(crate) const HAS_ALPHA: u16 = 1 << 4;
/// Token property: a plain lowercase word of four or more chars (`about`, `crew`).
pub(crate) const PLAIN_WORD: u16 = 1 << 5;

/// The cheap per-token facts every token gets, whether or not the model scores it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokenInfo {
    /// Hash of the lowercased, digit-collapsed form.
    pub lower: u64,
    /// Hash of the short shape (runs collapsed: `Xx`, `X.X.`, `d-d`).
    pub short_shape: u64,
    /// `HAS_*` / `INIT_UPPER` bits.
    pub flags: u16,
    /// The word's class from unlabeled text (see `wordclass`), 0 when unknown.
    pub class: WordClass,
}

impl TokenInfo {
    /// Computes the facts for one token in a single pass over its chars.
    pub(crate) fn new(word: &str) -> TokenInfo {
        with_char_facts!(word, TokenInfo::from_chars)
    }

    #[inline(always)]
    fn from_chars(chars: impl Iterator<Item = CharFacts>) -> TokenInfo {
        let mut lower = 0x51_7CC1_B727_220Au64;
        let mut short = 0x2545_F491_4F6C_DD1Du64;
        let mut last_shape = '\0';
        let mut flags = 0u16;
        let mut n_chars = 0usize;
        let mut all_lower = true;
        for (i, c) in chars.enumerate() {
            n_chars += 1;
            all_lower &= c.is_lower;
            lower = step(lower, c.lower as u32);
            let s = c.shape;
            if s != last_shape {
                short = step(short, s as u32);
                last_shape = s;
            }
            match s {
                'X' => {
                    flags |= HAS_UPPER | HAS_ALPHA;
                    if i == 0 {
                        flags |= INIT_UPPER;
                    }
                }
                'x' => flags |= HAS_LOWER | HAS_ALPHA,
                'd' => flags |= HAS_DIGIT,
                _ => {}
            }
        }
        if all_lower && n_chars >= 4 {
            flags |= PLAIN_WORD;
        }
        TokenInfo { lower, short_shape: short, flags, class: 0 }
    }

    /// True when an entity may continue into this token. Names run on through
    /// capitalised words, numbers, punctuation and short lowercase links (`of`, `and`,
    /// `de`, `the`), but practically never through a plain lowercase word of four or more
    /// letters (about 1 in 2,000 CoNLL-2003 entities does), so decoding closes an entity
    /// before one. Without this, one wrong begin label in greedy decoding drags an
    /// entity across a clause of real news text (`Times recently wrote about how ...`).
    #[inline]
    pub(crate) fn can_continue_entity(&self) -> bool {
        self.flags & PLAIN_WORD == 0
    }

    /// True when the model should look at this token even outside an entity: only tokens
    /// with a capital letter can start a name in news text.
    #[inline]
    pub(crate) fn is_candidate(&self) -> bool {
        self.flags & HAS_UPPER != 0
    }
}

/// Hashes of the exact form, the long shape, and the 1-4 char prefixes and suffixes of
/// the lowercase form; computed only for tokens the model scores.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordHashes {
    pub exact: u64,
    pub long_shape: u64,
    pub prefix: [u64; 4],
    pub suffix: [u64; 4],
    /// How many of `prefix`/`suffix` are set (the word's length in chars, at most 4).
    pub n_affix: usize,
}

/// Seed of the exact-form hash.
const EXACT_SEED: u64 = 0x1234_5678_9ABC_DEF1;
/// Seed of the suffix hashes.
const SUFFIX_SEED: u64 = 0xA54F_F53A_5F1D_36F1;

/// The hashes of the 1-4 char suffixes of the lowercase form of `word` (as many as it has
/// chars).
#[inline(always)]
fn suffix_hashes(chars: impl DoubleEndedIterator<Item = CharFacts>, out: &mut [u64; 4]) {
    let mut s = SUFFIX_SEED;
    for (k, c) in chars.rev().take(4).enumerate() {
        s = step(s, c.lower as u32);
        out[k] = s;
    }
}

/// What the features of the *next* token need of a word: its exact-form hash and, when
/// it has three chars or more, its three-char suffix hash (as in [`WordHashes`]).
#[inline]
pub(crate) fn exact_and_suffix3(word: &str) -> (u64, Option<u64>) {
    with_char_facts!(word, exact_and_suffix3_of)
}

#[inline(always)]
fn exact_and_suffix3_of(chars: impl DoubleEndedIterator<Item = CharFacts> + Clone) -> (u64, Option<u64>) {
    let exact = chars.clone().fold(EXACT_SEED, |h, c| step(h, c.normal as u32));
    let mut suffix = [0; 4];
    let has_three = chars.clone().nth(2).is_some();
    suffix_hashes(chars, &mut suffix);
    (exact, has_three.then_some(suffix[2]))
}

impl WordHashes {
    pub(crate) fn new(word: &str) -> WordHashes {
        with_char_facts!(word, WordHashes::from_chars)
    }

    #[inline(always)]
    fn from_chars(chars: impl DoubleEndedIterator<Item = CharFacts> + Clone) -> WordHashes {
        let mut out = WordHashes::default();
        let mut exact = EXACT_SEED;
        let mut long = 0x0FED_CBA9_8765_4321u64;
        let mut last_shape = '\0';
        let mut run = 0usize;
        let mut p = 0x3C6E_F372_FE94_F82Bu64;
        let mut n = 0usize;
        for c in chars.clone() {
            exact = step(exact, c.normal as u32);
            let s = c.shape;
            if s == last_shape {
                run += 1;
            } else {
                run = 1;
                last_shape = s;
            }
            // Runs are capped at four so `Washington` and `Pennsylvania` share a shape.
            if run <= 4 {
                long = step(long, s as u32);
            }
            if n < 4 {
                p = step(p, c.lower as u32);
                out.prefix[n] = p;
            }
            n += 1;
        }
        suffix_hashes(chars, &mut out.suffix);
        out.exact = exact;
        out.long_shape = long;
        out.n_affix = n.min(4);
        out
    }
}

/// Feature template ids. Each feature hash is `mix(template, value)`.
pub(crate) mod tpl {
    pub const BIAS: u64 = 1;
    pub const WORD: u64 = 2;
    pub const LOWER: u64 = 3;
    pub const PREFIX: u64 = 4; // 4..=7
    pub const SUFFIX: u64 = 8; // 8..=11
    pub const LONG_SHAPE: u64 = 12;
    pub const SHORT_SHAPE: u64 = 13;
    pub const LOWER_M1: u64 = 14;
    pub const LOWER_P1: u64 = 15;
    pub const LOWER_M2: u64 = 16;
    pub const LOWER_P2: u64 = 17;
    pub const SHAPE_M1_0: u64 = 18;
    pub const SHAPE_0_P1: u64 = 19;
    pub const LOWER_M1_0: u64 = 20;
    pub const LOWER_0_P1: u64 = 21;
    pub const FIRST_SHAPE: u64 = 22;
    pub const CAPS_SENT_SHAPE: u64 = 23;
    pub const GAZ: u64 = 24;
    pub const GAZ_M1: u64 = 25;
    pub const GAZ_P1: u64 = 26;
    pub const DOC_HAS: u64 = 27;
    pub const DOC_MAJ: u64 = 28;
    pub const DOC_MAJ_M1: u64 = 29;
    pub const DOC_MAJ_P1: u64 = 30;
    pub const SUFFIX3_M1: u64 = 31;
    pub const WORD_M1_INIT: u64 = 32;
    pub const DOC_MAJ_SHAPE: u64 = 33;
    pub const WC_FINE: u64 = 34;
    pub const WC_COARSE: u64 = 35;
    pub const WC_FINE_INIT: u64 = 36;
    pub const WC_CAPS: u64 = 37;
    pub const WC_FINE_M1: u64 = 38;
    pub const WC_FINE_P1: u64 = 39;
    pub const WC_COARSE_M1_0: u64 = 44;
    pub const WC_COARSE_0_P1: u64 = 45;
    pub const DOC_PREVIOUS: u64 = 46;
    pub const AGG_CONTEXT: u64 = 47;
    pub const PREV: u64 = 40;
    pub const PREV2_PREV: u64 = 41;
    pub const PREV_LOWER: u64 = 42;
    pub const PREV_SHAPE: u64 = 43;
}

/// Stand-in hashes for positions before the sentence start and after its end.
const BOS: u64 = 0xB05B_05B0_5B05_B05B;
const EOS: u64 = 0xE05E_05E0_5E05_E05E;

/// Document-level facts about a token from the first pass (stage 2 only): which entity
/// types other occurrences of the same word got, and the majority among them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DocFacts {
    /// Bit t set when another occurrence was tagged with entity type t.
    pub has: u8,
    /// 0 = no evidence, 1..=4 = majority entity type + 1, 5 = mostly untagged when
    /// capitalised mid-sentence.
    pub majority: u8,
    /// What the nearest earlier occurrence got, coded like `majority`.
    pub previous: u8,
}

/// A sentence prepared for feature extraction.
pub(crate) struct SentenceView<'a> {
    pub words: &'a [&'a str],
    pub info: &'a [TokenInfo],
    /// Gazetteer bits per token (see `gazetteer::Gazetteer::mark`).
    pub gaz: &'a [u64],
    /// Stage-2 document facts, `None` in stage 1.
    pub doc: Option<&'a [DocFacts]>,
    /// The sentence is written in capitals (a headline).
    pub all_caps: bool,
    /// Per token, the aggregated contexts of the word's other occurrences in the
    /// document (see [`aggregate_contexts`]).
    pub contexts: &'a [(u32, u32)],
    /// The hashes `contexts` points into.
    pub context_hashes: &'a [u64],
}

impl SentenceView<'_> {
    #[inline]
    fn lower_at(&self, i: isize) -> u64 {
        if i < 0 {
            BOS
        } else if i as usize >= self.info.len() {
            EOS
        } else {
            self.info[i as usize].lower
        }
    }

    #[inline]
    fn shape_at(&self, i: isize) -> u64 {
        if i < 0 {
            BOS
        } else if i as usize >= self.info.len() {
            EOS
        } else {
            self.info[i as usize].short_shape
        }
    }

    /// Appends the features of token `i` that do not depend on earlier predictions:
    /// [`Self::token_features`], then in stage 2 [`Self::doc_features`].
    pub(crate) fn static_features(&self, i: usize, out: &mut Vec<u64>) {
        self.token_features(i, out);
        self.doc_features(i, out);
    }

    /// Appends the features of token `i` that are the same in both stages: the token,
    /// its neighbours, word classes, aggregated contexts and gazetteer marks.
    pub(crate) fn token_features(&self, i: usize, out: &mut Vec<u64>) {
        let info = &self.info[i];
        let w = WordHashes::new(self.words[i]);
        let ii = i as isize;
        out.push(mix(tpl::BIAS, 0));
        out.push(mix(tpl::WORD, w.exact));
        out.push(mix(tpl::LOWER, info.lower));
        for k in 0..w.n_affix {
            out.push(mix(tpl::PREFIX + k as u64, w.prefix[k]));
            out.push(mix(tpl::SUFFIX + k as u64, w.suffix[k]));
        }
        out.push(mix(tpl::LONG_SHAPE, w.long_shape));
        out.push(mix(tpl::SHORT_SHAPE, info.short_shape));
        let (lm1, lp1) = (self.lower_at(ii - 1), self.lower_at(ii + 1));
        out.push(mix(tpl::LOWER_M1, lm1));
        out.push(mix(tpl::LOWER_P1, lp1));
        out.push(mix(tpl::LOWER_M2, self.lower_at(ii - 2)));
        out.push(mix(tpl::LOWER_P2, self.lower_at(ii + 2)));
        let (sm1, sp1) = (self.shape_at(ii - 1), self.shape_at(ii + 1));
        out.push(mix(tpl::SHAPE_M1_0, mix(sm1, info.short_shape)));
        out.push(mix(tpl::SHAPE_0_P1, mix(info.short_shape, sp1)));
        out.push(mix(tpl::LOWER_M1_0, mix(lm1, info.lower)));
        out.push(mix(tpl::LOWER_0_P1, mix(info.lower, lp1)));
        if i == 0 {
            out.push(mix(tpl::FIRST_SHAPE, info.short_shape));
        }
        if self.all_caps {
            out.push(mix(tpl::CAPS_SENT_SHAPE, info.short_shape));
        }
        if i > 0 {
            let (exact, suffix3) = exact_and_suffix3(self.words[i - 1]);
            if let Some(suffix3) = suffix3 {
                out.push(mix(tpl::SUFFIX3_M1, suffix3));
            }
            let init = self.info[i - 1].flags & INIT_UPPER != 0;
            out.push(mix(tpl::WORD_M1_INIT, mix(exact, u64::from(init))));
        }
        let class = info.class;
        let init = u64::from(info.flags & INIT_UPPER != 0);
        out.push(mix(tpl::WC_FINE, fine(class)));
        out.push(mix(tpl::WC_COARSE, coarse(class)));
        out.push(mix(tpl::WC_FINE_INIT, mix(fine(class), init)));
        let position = if self.all_caps { 2 } else { u64::from(i == 0) };
        out.push(mix(tpl::WC_CAPS, caps(class) | position << 4 | init << 6));
        let class_at = |j: isize| -> Option<WordClass> {
            (j >= 0 && (j as usize) < self.info.len()).then(|| self.info[j as usize].class)
        };
        let (cm1, cp1) = (class_at(ii - 1), class_at(ii + 1));
        out.push(mix(tpl::WC_FINE_M1, cm1.map_or(BOS, fine)));
        out.push(mix(tpl::WC_FINE_P1, cp1.map_or(EOS, fine)));
        out.push(mix(tpl::WC_COARSE_M1_0, mix(cm1.map_or(BOS, coarse), coarse(class))));
        out.push(mix(tpl::WC_COARSE_0_P1, mix(coarse(class), cp1.map_or(EOS, coarse))));
        let (start, end) = self.contexts[i];
        for &c in self.context_hashes.get(start as usize..end as usize).unwrap_or_default() {
            out.push(mix(tpl::AGG_CONTEXT, c));
        }
        push_bits(out, tpl::GAZ, self.gaz[i]);
        if i > 0 {
            push_bits(out, tpl::GAZ_M1, self.gaz[i - 1]);
        }
        if i + 1 < self.gaz.len() {
            push_bits(out, tpl::GAZ_P1, self.gaz[i + 1]);
        }
    }

    /// Appends the stage-2 features of token `i` (none in stage 1): what the first pass
    /// said about the other occurrences of the word in the document.
    pub(crate) fn doc_features(&self, i: usize, out: &mut Vec<u64>) {
        if let Some(doc) = self.doc {
            let info = &self.info[i];
            let d = doc[i];
            push_bits(out, tpl::DOC_HAS, u64::from(d.has));
            out.push(mix(tpl::DOC_MAJ, u64::from(d.majority)));
            out.push(mix(tpl::DOC_PREVIOUS, u64::from(d.previous)));
            out.push(mix(tpl::DOC_MAJ_SHAPE, mix(u64::from(d.majority), info.short_shape)));
            if i > 0 {
                out.push(mix(tpl::DOC_MAJ_M1, u64::from(doc[i - 1].majority)));
            }
            if i + 1 < doc.len() {
                out.push(mix(tpl::DOC_MAJ_P1, u64::from(doc[i + 1].majority)));
            }
        }
    }

    /// Appends the features that depend on the labels chosen for the previous two tokens:
    /// [`history_features`] and [`Self::token_history_features`].
    #[inline]
    pub(crate) fn dynamic_features(&self, i: usize, prev: u8, prev2: u8, out: &mut Vec<u64>) {
        history_features(prev, prev2, out);
        self.token_history_features(i, prev, out);
    }

    /// Appends the features of the previous label together with token `i`.
    #[inline]
    pub(crate) fn token_history_features(&self, i: usize, prev: u8, out: &mut Vec<u64>) {
        let info = &self.info[i];
        let p = u64::from(prev);
        out.push(mix(tpl::PREV_LOWER, mix(p, info.lower)));
        out.push(mix(tpl::PREV_SHAPE, mix(p, info.short_shape)));
    }
}

/// Appends the features of the previous two labels alone. They do not depend on the
/// token, so decoding adds their weights from a table made when the model loads.
#[inline]
pub(crate) fn history_features(prev: u8, prev2: u8, out: &mut Vec<u64>) {
    let p = u64::from(prev);
    out.push(mix(tpl::PREV, p));
    out.push(mix(tpl::PREV2_PREV, (u64::from(prev2) << 8) | p));
}

/// At most this many other occurrences of a word feed its aggregated context.
const MAX_OCCURRENCES: usize = 8;

/// Context aggregation across a document (Ratinov & Roth 2009): for each capitalised
/// token, the words just before and after the *other* occurrences of the same word
/// (case-insensitively) in the document, deduplicated, and whether the word also occurs
/// in lowercase (then it is probably an ordinary word). A name introduced as `Mr. Mulvaney`
/// or `Mulvaney Inc.` carries that evidence to its bare mentions. `info` is the whole
/// document, `sentences` its sentence ranges; the result has one entry per token, empty
/// for tokens that are not capitalised or have no such evidence.
pub(crate) fn aggregate_contexts(info: &[TokenInfo], sentences: &[std::ops::Range<usize>]) -> AggregatedContexts {
    // Capitalised tokens grouped by word (sorted, so each group is in document order),
    // and the lowercase tokens; a few allocations per document, none per word.
    let mut occurrences: Vec<(u64, u32)> = Vec::new();
    let mut lowercase: Vec<u64> = Vec::new();
    let mut sentence_of = vec![0u32; info.len()];
    for (k, r) in sentences.iter().enumerate() {
        for i in r.clone() {
            sentence_of[i] = k as u32;
            if info[i].is_candidate() {
                occurrences.push((info[i].lower, i as u32));
            } else if info[i].flags & HAS_LOWER != 0 {
                lowercase.push(info[i].lower);
            }
        }
    }
    occurrences.sort_unstable();
    // Which capitalised words also occur in lowercase: one lookup per lowercase token in
    // the few capitalised words costs less than sorting the many lowercase tokens.
    let mut also_lowercase: IdMap<bool> = occurrences.iter().map(|&(w, _)| (w, false)).collect();
    for w in &lowercase {
        if let Some(seen) = also_lowercase.get_mut(w) {
            *seen = true;
        }
    }
    let context = |j: usize, left: bool| -> u64 {
        let r = &sentences[sentence_of[j] as usize];
        if left {
            mix(1, if j > r.start { info[j - 1].lower } else { BOS })
        } else {
            mix(2, if j + 1 < r.end { info[j + 1].lower } else { EOS })
        }
    };
    let mut out = AggregatedContexts { ranges: vec![(0, 0); info.len()], hashes: Vec::new() };
    let mut ctx: Vec<u64> = Vec::with_capacity(2 * MAX_OCCURRENCES + 1);
    for group in occurrences.chunk_by(|a, b| a.0 == b.0) {
        let in_lowercase = also_lowercase.get(&group[0].0).copied().unwrap_or_default();
        if group.len() < 2 && !in_lowercase {
            continue;
        }
        for &(_, i) in group {
            ctx.clear();
            if in_lowercase {
                ctx.push(mix(3, 0));
            }
            for &(_, j) in group.iter().filter(|&&(_, j)| j != i).take(MAX_OCCURRENCES) {
                ctx.push(context(j as usize, true));
                ctx.push(context(j as usize, false));
            }
            ctx.sort_unstable();
            ctx.dedup();
            let start = out.hashes.len() as u32;
            out.hashes.extend_from_slice(&ctx);
            out.ranges[i as usize] = (start, out.hashes.len() as u32);
        }
    }
    out
}

/// The aggregated contexts of a document's tokens, flat.
#[derive(Debug, Clone, Default)]
pub(crate) struct AggregatedContexts {
    /// Per token, its range in `hashes`.
    pub ranges: Vec<(u32, u32)>,
    /// The context hashes of all tokens.
    pub hashes: Vec<u64>,
}

/// One feature per set bit of `bits`.
#[inline]
fn push_bits(out: &mut Vec<u64>, template: u64, mut bits: u64) {
    while bits != 0 {
        let b = bits.trailing_zeros();
        out.push(mix(template, u64::from(b)));
        bits &= bits - 1;
    }
}

/// The lowercase hash of a word on its own (used by the gazetteer).
pub(crate) fn lower_hash(word: &str) -> u64 {
    TokenInfo::new(word).lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_table_agrees_with_the_char_functions() {
        for b in 0..128u8 {
            let (table, computed) = (ASCII_FACTS[usize::from(b)], CharFacts::of(char::from(b)));
            let facts = |f: CharFacts| (f.normal, f.lower, f.shape, f.is_lower);
            assert_eq!(facts(table), facts(computed));
        }
    }

    #[test]
    fn curly_and_straight_apostrophes_share_features() {
        assert_eq!(TokenInfo::new("’s").lower, TokenInfo::new("'s").lower);
        assert_eq!(WordHashes::new("’s").exact, WordHashes::new("'s").exact);
    }

    #[test]
    fn case_and_digits_fold_in_the_lower_form() {
        assert_eq!(lower_hash("OBAMA"), lower_hash("Obama"));
        assert_eq!(lower_hash("1996"), lower_hash("2017"));
        assert_ne!(lower_hash("Obama"), lower_hash("Obamas"));
    }

    #[test]
    fn flags_and_shapes() {
        let t = TokenInfo::new("McCain");
        assert!(t.is_candidate());
        assert_ne!(t.flags & INIT_UPPER, 0);
        assert!(!TokenInfo::new("said").is_candidate());
        assert_eq!(TokenInfo::new("Washington").short_shape, TokenInfo::new("Obama").short_shape);
        assert_eq!(WordHashes::new("Washington").long_shape, WordHashes::new("Pennsylvania").long_shape);
        assert_ne!(WordHashes::new("Bo").long_shape, WordHashes::new("Bob").long_shape);
    }

    #[test]
    fn the_previous_word_hashes_match_the_full_ones() {
        for w in ["Obama", "of", "U.S.", "’s", "Zoë", "abc"] {
            let full = WordHashes::new(w);
            let (exact, suffix3) = exact_and_suffix3(w);
            assert_eq!(exact, full.exact, "{w}");
            assert_eq!(suffix3, (full.n_affix >= 3).then_some(full.suffix[2]), "{w}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for w in ["", "\0", "e\u{301}", "ß", "İstanbul", "\u{10FFFF}"] {
            let _ = TokenInfo::new(w);
            let _ = WordHashes::new(w);
        }
    }
}
