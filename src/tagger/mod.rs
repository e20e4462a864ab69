//! The trained named-entity tagger: finds people, organisations, places and other names
//! in news text.
//!
//! An averaged perceptron over hashed features (word, shape, affixes, neighbouring words,
//! previous labels, gazetteer membership) labels tokens with BILOU labels by beam search,
//! trained as a structured perceptron with the same search. It runs twice over a
//! document: the second pass also sees which entity types the first pass gave to other
//! occurrences of each word in the document, so a name tagged as a person once tends to
//! be a person throughout (Ratinov & Roth 2009). Only tokens that
//! can start or continue an entity (a capital letter, or inside an open entity) are
//! scored; the rest are labelled outside at the cost of one pass over their chars.
//!
//! The tagger knows nothing about tantivy or the annotator: tokens or text in, tags or
//! byte spans out.

pub mod bench;
pub mod conll;
mod features;
mod gazetteer;
mod lexicon;
mod model;
mod tokenize;
mod train;
mod wordclass;

#[cfg(test)]
mod compat_tests;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

pub use tokenize::tokenize;
pub(crate) use tokenize::{continues_sentence, sentences};
pub use train::{score_documents, train, SpanScore, TrainConfig};
pub use wordclass::read_article_bodies;

use model::{split_label, Model, PreparedDoc, B, I, L, U};

/// A hasher for keys that are already well-mixed 64-bit hashes (feature and word
/// hashes): hashing them again would only cost time.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by such hashes.
pub(crate) type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// The kind of a named entity (the four CoNLL-2003 types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A person (CoNLL `PER`).
    Person,
    /// A company, party, team, agency or other organisation (`ORG`).
    Organization,
    /// A country, city, region or other place (`LOC`).
    Place,
    /// Other names: nationalities, events, titles of works (`MISC`).
    Misc,
}

impl EntityKind {
    /// Every kind, in model order.
    pub const ALL: [EntityKind; 4] =
        [EntityKind::Person, EntityKind::Organization, EntityKind::Place, EntityKind::Misc];

    /// The CoNLL type code: `PER`, `ORG`, `LOC` or `MISC`.
    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Organization => "ORG",
            EntityKind::Place => "LOC",
            EntityKind::Misc => "MISC",
        }
    }
}

/// A BIO tag of one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Not part of an entity (`O`).
    Outside,
    /// The first token of an entity (`B-...`).
    Begin(EntityKind),
    /// A later token of an entity (`I-...`).
    Inside(EntityKind),
}

impl Tag {
    /// The IOB2 string, such as `B-PER` or `O`.
    pub fn as_str(self) -> &'static str {
        const B_TAGS: [&str; 4] = ["B-PER", "B-ORG", "B-LOC", "B-MISC"];
        const I_TAGS: [&str; 4] = ["I-PER", "I-ORG", "I-LOC", "I-MISC"];
        match self {
            Tag::Outside => "O",
            Tag::Begin(k) => B_TAGS[k as usize],
            Tag::Inside(k) => I_TAGS[k as usize],
        }
    }

    /// The entity kind, `None` for `O`.
    pub fn kind(self) -> Option<EntityKind> {
        match self {
            Tag::Outside => None,
            Tag::Begin(k) | Tag::Inside(k) => Some(k),
        }
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The BIO tag of a BILOU label.
fn label_to_tag(l: u8) -> Tag {
    match split_label(l) {
        None => Tag::Outside,
        Some((t, B | U)) => Tag::Begin(EntityKind::ALL[t]),
        Some((t, I | L)) => Tag::Inside(EntityKind::ALL[t]),
        Some((t, _)) => Tag::Inside(EntityKind::ALL[t]),
    }
}

/// The IOB2 string of a BILOU label.
pub(crate) fn bio_str(l: u8) -> &'static str {
    label_to_tag(l).as_str()
}

/// A named entity found in text: byte offsets into the text (end exclusive, on char
/// boundaries) and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntitySpan {
    /// Byte offset of the first char.
    pub start: usize,
    /// Byte offset just past the last char.
    pub end: usize,
    /// The kind of entity.
    pub kind: EntityKind,
}

/// A loaded entity tagger.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
}

/// The model shipped with newsdex, trained by `newsdex train-tagger`.
static BUILTIN_MODEL: &[u8] = include_bytes!("../../models/ner.bin");

impl Tagger {
    /// The tagger shipped with newsdex, loaded once on first use.
    ///
    /// # Panics
    /// If the embedded model does not load, which a unit test rules out.
    pub fn builtin() -> &'static Tagger {
        static TAGGER: OnceLock<Tagger> = OnceLock::new();
        TAGGER.get_or_init(|| Tagger::from_bytes(BUILTIN_MODEL).expect("the embedded tagger model is valid"))
    }

    /// Loads a model file. Fails with [`crate::Error::Model`] on a truncated, foreign
    /// or incompatible (other format version) file.
    pub fn from_bytes(bytes: &[u8]) -> crate::Result<Tagger> {
        Ok(Tagger { model: model::deserialize(bytes)? })
    }

    /// Tags the sentences of one document (tokens in, one BIO tag per token out). Names
    /// are tagged consistently across the document's sentences.
    pub fn tag_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<Tag>> {
        let prep = PreparedDoc::new(sentences, &self.model);
        let labels = self.model.tag(&prep);
        prep.sentences.iter().map(|r| labels[r.clone()].iter().map(|&l| label_to_tag(l)).collect()).collect()
    }

    /// Finds the named entities in raw news text (a paragraph or a whole article), which
    /// is tokenized with [`tokenize`], split into sentences and tagged as one document.
    pub fn entities(&self, text: &str) -> Vec<EntitySpan> {
        self.entities_of_tokens(text, &tokenize(text))
    }

    /// [`Tagger::entities`] of `text` already tokenized into `spans` by [`tokenize`], for a
    /// caller that needs the tokens too.
    pub fn entities_of_tokens(&self, text: &str, spans: &[(usize, usize)]) -> Vec<EntitySpan> {
        if spans.is_empty() {
            return Vec::new();
        }
        let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        let ranges = tokenize::sentences(text, spans);
        let sentences: Vec<&[&str]> = ranges.iter().map(|r| &words[r.clone()]).collect();
        let prep = PreparedDoc::new(&sentences, &self.model);
        let labels = self.model.tag(&prep);
        let mut out = Vec::new();
        let mut open: Option<EntitySpan> = None;
        for r in &ranges {
            for i in r.clone() {
                let tag = label_to_tag(labels[i]);
                match (tag, open.as_mut()) {
                    (Tag::Inside(k), Some(o)) if o.kind == k => o.end = spans[i].1,
                    (Tag::Outside, _) => out.extend(open.take()),
                    (Tag::Begin(k) | Tag::Inside(k), _) => {
                        out.extend(open.take());
                        open = Some(EntitySpan { start: spans[i].0, end: spans[i].1, kind: k });
                    }
                }
            }
            out.extend(open.take());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_print_as_iob2() {
        assert_eq!(Tag::Begin(EntityKind::Place).to_string(), "B-LOC");
        assert_eq!(Tag::Inside(EntityKind::Misc).as_str(), "I-MISC");
        assert_eq!(label_to_tag(model::label(1, U)), Tag::Begin(EntityKind::Organization));
        assert_eq!(label_to_tag(model::label(1, L)), Tag::Inside(EntityKind::Organization));
    }

    #[test]
    fn builtin_model_loads_and_finds_names() {
        let tagger = Tagger::builtin();
        let text = "WASHINGTON (Reuters) - President Barack Obama met German Chancellor Angela Merkel at the White House on Friday.";
        let found: Vec<(&str, EntityKind)> =
            tagger.entities(text).iter().map(|e| (&text[e.start..e.end], e.kind)).collect();
        assert!(found.contains(&("Barack Obama", EntityKind::Person)), "{found:?}");
        assert!(found.contains(&("Angela Merkel", EntityKind::Person)), "{found:?}");
        assert!(found.contains(&("WASHINGTON", EntityKind::Place)), "{found:?}");
    }

    #[test]
    fn tag_document_keeps_the_shape_of_its_input() {
        let tagger = Tagger::builtin();
        let doc = vec![vec!["Clinton", "spoke", "."], vec![], vec!["Later", ",", "Clinton", "left", "."]];
        let tags = tagger.tag_document(&doc);
        assert_eq!(tags.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 0, 5]);
    }

    #[test]
    fn odd_text_never_panics() {
        let tagger = Tagger::builtin();
        let long = "A".repeat(1 << 20);
        for text in ["", "\0\0\0", "e\u{301}\u{301} Zo\u{308}e", &long, "U.S. U.S. U.S.", "\u{2019}s \u{201C}"] {
            for e in tagger.entities(text) {
                assert!(e.start < e.end && e.end <= text.len());
                assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
            }
        }
    }

    #[test]
    fn bad_model_files_fail_cleanly() {
        let err = Tagger::from_bytes(b"garbage").unwrap_err();
        assert!(matches!(err, crate::Error::Model { .. }));
    }
}
