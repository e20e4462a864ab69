//! The `en_stem` analyzer with a memo. It splits, lowercases and stems exactly as tantivy's
//! built-in `en_stem` does (same tokenizer, same filters, same Snowball English
//! algorithm), so indexes stay readable by plain tantivy; but frequent words are stemmed
//! once per analyzer and then looked up. Stemming was ~7 % of indexing CPU before.

use std::borrow::Cow;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use super::schema::TEXT_TOKENIZER;

/// Memo slots: direct-mapped, so a lookup is one hash and one 32-byte slot. 4,096 slots
/// (128 KB) can stay in the core's L2 cache beside tantivy's own tables and hold the
/// words that make up most news text; a hash map of every distinct word was no faster
/// than stemming because of its cache misses.
const SLOTS: usize = 1 << 12;

/// Longest word (and stem) kept in a slot; longer words are stemmed every time.
const INLINE: usize = 15;

/// tantivy drops tokens longer than this in `en_stem`; so do we.
const LONGEST_TOKEN: usize = 40;

/// The analyzer registered as [`TEXT_TOKENIZER`].
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(MemoStemmer)
        .build()
}

/// Registers [`analyzer`] on `index`, replacing tantivy's own `en_stem`.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(TEXT_TOKENIZER, analyzer());
}

/// Snowball English stemming, memoised.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter { inner: tokenizer, memo: Memo::default() }
    }
}

/// [`MemoStemmer`] applied to a tokenizer; each clone (one per indexing thread) has its
/// own memo, so no locking.
#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    memo: Memo,
}

#[derive(Clone, Copy)]
struct Slot {
    word_len: u8,
    stem_len: u8,
    word: [u8; INLINE],
    stem: [u8; INLINE],
}

const EMPTY: Slot = Slot { word_len: 0, stem_len: 0, word: [0; INLINE], stem: [0; INLINE] };

#[derive(Clone)]
struct Memo {
    stemmer: frostem::Stemmer,
    slots: Box<[Slot]>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo { stemmer: frostem::Stemmer::new(frostem::Algorithm::English), slots: vec![EMPTY; SLOTS].into() }
    }
}

impl Memo {
    /// Replaces `word` by its stem.
    fn stem_in_place(&mut self, word: &mut String) {
        let bytes = word.as_bytes();
        // An empty word never matches: slot word lengths start at 0 but no token is empty.
        if bytes.is_empty() || bytes.len() > INLINE {
            self.stem_uncached(word);
            return;
        }
        let slot = &mut self.slots[slot_of(bytes)];
        if usize::from(slot.word_len) == bytes.len() && &slot.word[..bytes.len()] == bytes {
            let stem = &slot.stem[..usize::from(slot.stem_len)];
            word.clear();
            // Slots hold only stems the stemmer returned as `str`, so this cannot fail.
            word.push_str(std::str::from_utf8(stem).unwrap_or_default());
            return;
        }
        let (len, mut key) = (bytes.len(), [0; INLINE]);
        key[..len].copy_from_slice(bytes);
        self.stem_uncached(word);
        if word.len() <= INLINE {
            let slot = &mut self.slots[slot_of(&key[..len])];
            slot.word = key;
            slot.word_len = len as u8;
            slot.stem[..word.len()].copy_from_slice(word.as_bytes());
            slot.stem_len = word.len() as u8;
        }
    }

    fn stem_uncached(&self, word: &mut String) {
        // A borrowed result is the word itself, unchanged.
        if let Cow::Owned(stem) = self.stemmer.stem(word) {
            *word = stem;
        }
    }
}

fn slot_of(word: &[u8]) -> usize {
    use std::hash::BuildHasher as _;
    (rustc_hash::FxBuildHasher.hash_one(word) as usize) & (SLOTS - 1)
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream { tail: self.inner.token_stream(text), memo: &mut self.memo }
    }
}

/// The token stream of [`MemoStemmerFilter`].
pub struct MemoStemmerStream<'a, S> {
    tail: S,
    memo: &'a mut Memo,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.memo.stem_in_place(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t: &Token| out.push((t.text.clone(), t.position, t.offset_from, t.offset_to)));
        out
    }

    fn builtin() -> TextAnalyzer {
        tantivy::tokenizer::TokenizerManager::default().get(TEXT_TOKENIZER).unwrap()
    }

    #[test]
    fn same_tokens_as_tantivys_en_stem() {
        let text = "Sessions recused himself; the Senators' hearings were RECUSING, running runs ran. \
                    Ünïcode Straße naïve café 2017 U.S. e-mail don't \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa generously generous";
        assert_eq!(tokens(analyzer(), text), tokens(builtin(), text));
    }

    #[test]
    fn memo_hits_give_the_same_stem_as_misses() {
        let mut analyzer = analyzer();
        let first = tokens(analyzer.clone(), "hearings hearings");
        assert_eq!(first[0].0, "hear");
        assert_eq!(first[1].0, "hear");
        // The same analyzer again: every word now comes from the memo.
        let mut out = Vec::new();
        analyzer.token_stream("hearings").process(&mut |t: &Token| out.push(t.text.clone()));
        analyzer.token_stream("hearings").process(&mut |t: &Token| out.push(t.text.clone()));
        assert_eq!(out, ["hear", "hear"]);
    }

    #[test]
    fn colliding_and_long_words_stay_right() {
        let mut memo = Memo::default();
        // More words than slots, so slots are overwritten; every answer must still be the
        // stemmer's.
        for i in 0..SLOTS * 2 {
            let mut word = format!("runnings{i}");
            let expected = frostem::Stemmer::new(frostem::Algorithm::English).stem(&word).into_owned();
            memo.stem_in_place(&mut word);
            assert_eq!(word, expected);
        }
        let long = "internationalizationsinternationalizations";
        let mut word = long.to_owned();
        memo.stem_in_place(&mut word);
        assert_eq!(word, frostem::Stemmer::new(frostem::Algorithm::English).stem(long));
        let mut word = "running".to_owned();
        memo.stem_in_place(&mut word);
        assert_eq!(word, "run");
    }

    proptest::proptest! {
        #[test]
        fn same_tokens_as_tantivys_en_stem_on_any_text(text in "([A-Za-z]{1,12}|[ ,.'-]|é|ß|[0-9]{1,4}){0,60}") {
            proptest::prop_assert_eq!(tokens(analyzer(), &text), tokens(builtin(), &text));
        }
    }
}
