//! Annotate stage: who speaks in each paragraph (attributions resolved to canonical
//! speakers with party) and which people, organisations and places it mentions.
//!
//! Annotation never fails: any text yields a (possibly empty) annotation.
//!
//! **Invariant:** every span in the output is a byte range of the article body that falls
//! on char boundaries; content and cue spans lie inside their paragraph, and so does the
//! source span except for a quote that inherits its speaker from an earlier paragraph,
//! whose source span is that speaker's mention there.

mod attribution;
pub mod bench;
mod entities;
pub mod lexicon;
mod party;
mod people;
mod phrase;
mod quotes;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clean::{self, Paragraph, ParagraphKind};
use crate::corpus::Article;
use crate::roster::{Party, Roster};
use crate::tagger::{self, EntityKind, EntitySpan, Tagger};
use attribution::{Carry, Found, Inherit};
use people::People;
use phrase::{SourceKind, SourcePhrase, Tokens};

pub use quotes::{find_quotes, Quote};

/// What kind of speaker a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    /// A named person.
    Person,
    /// An organisation ("the White House said").
    Organization,
    /// A collective ("Democrats", "officials").
    Group,
    /// An unnamed individual ("a senior official").
    Anonymous,
}

impl SpeakerKind {
    /// The lowercase name used in facets and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerKind::Person => "person",
            SpeakerKind::Organization => "organization",
            SpeakerKind::Group => "group",
            SpeakerKind::Anonymous => "anonymous",
        }
    }
}

/// A speaker of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Speaker {
    /// Canonical name.
    pub name: String,
    /// What kind of speaker.
    pub kind: SpeakerKind,
    /// Party, when the text or the roster gives one.
    pub party: Option<Party>,
    /// Where the party came from: `tag`, `title` or `roster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_source: Option<String>,
    /// For a spokesperson, whom they speak for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaks_for: Option<String>,
}

/// One attribution: content tied to a source through a cue. Spans are byte offsets into
/// the article body, end-exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// What was said.
    pub content: [usize; 2],
    /// The words naming the source, when the paragraph has them.
    pub source: Option<[usize; 2]>,
    /// The cue ("said", "according to", a colon).
    pub cue: Option<[usize; 2]>,
    /// Canonical speaker name, when resolved.
    pub speaker: Option<String>,
    /// The speaker's party.
    pub party: Option<Party>,
    /// Whether the content is a direct quotation.
    pub direct: bool,
    /// The rule that found it (see the table in `attribution`).
    pub rule: String,
}

/// A named entity mention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The words as written.
    pub text: String,
    /// Canonical name within the article.
    pub name: String,
    /// Person, organization, place or misc.
    pub kind: EntityKind,
    /// Byte offsets into the article body.
    pub span: [usize; 2],
}

/// One annotated paragraph: the `annotate --json` wire format, one object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphRecord {
    /// The file the article came from.
    pub path: String,
    /// Position of the article in its file.
    pub article: usize,
    /// Article title.
    pub title: Option<String>,
    /// Article date.
    pub date: Option<NaiveDate>,
    /// Article source (outlet).
    pub source: Option<String>,
    /// Paragraph number within the article.
    pub paragraph: usize,
    /// Paragraph kind.
    pub kind: ParagraphKind,
    /// The subheading the paragraph sits under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Byte offset of the paragraph in the article body.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// Paragraph text, line breaks joined.
    pub text: String,
    /// Distinct speakers of the paragraph's attributions.
    pub speakers: Vec<Speaker>,
    /// Attributions in text order.
    pub attributions: Vec<Attribution>,
    /// Entity mentions in text order.
    pub entities: Vec<Entity>,
}

/// The annotator: the shipped roster and tagger, loaded once and shared by all threads.
#[derive(Clone, Copy)]
pub struct Annotator<'m> {
    roster: &'m Roster,
    tagger: &'m Tagger,
}

impl Annotator<'static> {
    /// The annotator with the built-in roster and tagger.
    pub fn builtin() -> Self {
        Annotator { roster: Roster::builtin(), tagger: Tagger::builtin() }
    }
}

/// A speaker reference before names are final: a person of the article or another source.
#[derive(Debug, Clone, PartialEq)]
enum SpeakerRef {
    Person(usize),
    Other(Speaker),
}

/// An attribution with its speaker reference, during annotation.
struct Pending {
    found: Found,
    /// The source mention in article body offsets. An attribution without a source of its
    /// own (a continued or floating quote) takes the mention of the attribution it
    /// inherits its speaker from, which may lie in an earlier paragraph.
    source_span: Option<(usize, usize)>,
    speaker: Option<SpeakerRef>,
}

/// The speaker a paragraph leaves for a floating quote in the next one, with the
/// paragraph index and the source mention (article body offsets).
type LastSpeaker = (usize, SpeakerRef, Option<(usize, usize)>);

/// A speaker with their source mention (article body offsets), as a quote without a
/// source of its own inherits them.
type Inherited = (SpeakerRef, Option<(usize, usize)>);

/// Per-paragraph analysis shared by the passes.
struct Analysis {
    paragraph: Paragraph,
    spans: Vec<(usize, usize)>,
    entities: Vec<EntitySpan>,
    entity_people: Vec<Option<usize>>,
    pending: Vec<Pending>,
}

impl<'m> Annotator<'m> {
    /// An annotator using `roster` (for `--roster FILE`) and `tagger`.
    pub fn new(roster: &'m Roster, tagger: &'m Tagger) -> Self {
        Annotator { roster, tagger }
    }

    /// Annotates every paragraph of `article`.
    pub fn annotate(&self, article: &Article) -> Vec<ParagraphRecord> {
        let mut people = People::new(self.roster, article.date);
        // The body is tokenized once, for the tagger and for every paragraph.
        let body_spans = tagger::tokenize(&article.body);
        let article_entities = self.tagger.entities_of_tokens(&article.body, &body_spans);
        let mut analyses: Vec<Analysis> = clean::paragraphs(article)
            .into_iter()
            .map(|p| analyse(p, &article.body, &body_spans, &article_entities))
            .collect();
        let first_paragraph = analyses.first().map_or(article.body.len(), |a| a.paragraph.start);
        register_headline_people(&article.body, &article_entities, first_paragraph, &mut people);
        let mut anonymous: Vec<Speaker> = Vec::new();
        let mut carry = Carry::default();
        let mut last_speaker: Option<LastSpeaker> = None;
        // Blocks are numbered across the article so that a floating quote inherits only
        // from the block right before it (a caption or heading in between breaks the chain).
        let mut block_no = 0usize;
        for a in &mut analyses {
            register_people(a, &mut people);
            // The article's first line is its headline, attributed like body text even
            // when it reads as a heading ("Sanders Says He Will Stay In").
            let headline_heading = block_no == 0 && a.paragraph.kind == ParagraphKind::Heading;
            if a.paragraph.kind != ParagraphKind::Body && !headline_heading {
                block_no += 1;
                continue;
            }
            let raw = &article.body[a.paragraph.start..a.paragraph.end];
            for (from, to) in blocks(raw) {
                block_no += 1;
                let first = a.spans.partition_point(|&(s, _)| s < from);
                let last = a.spans.partition_point(|&(s, _)| s < to);
                // Most paragraphs are one block starting at 0: their spans need no shift.
                let shifted: Vec<(usize, usize)>;
                let spans = if from == 0 {
                    &a.spans[..last]
                } else {
                    shifted = a.spans[first..last].iter().map(|&(s, e)| (s - from, e - from)).collect();
                    &shifted[..]
                };
                let t = Tokens { text: &a.paragraph.text[from..to], spans };
                let offset = a.paragraph.start + from;
                let previous = last_speaker
                    .as_ref()
                    .filter(|(index, _, _)| index + 1 == block_no)
                    .map(|(_, s, span)| (s.clone(), *span));
                let headline = block_no == 1;
                let (pending, last) =
                    attribute_block(&t, offset, headline, &carry, previous, &mut people, &mut anonymous);
                carry = pending.1;
                if let Some((s, span)) = last {
                    last_speaker = Some((block_no, s, span));
                }
                a.pending.extend(pending.0.into_iter().map(|mut p| {
                    p.found.content = (p.found.content.0 + from, p.found.content.1 + from);
                    p.found.cue = p.found.cue.map(|(s, e)| (s + from, e + from));
                    p
                }));
            }
        }
        let acronyms = learn_acronyms(&analyses);
        analyses.into_iter().map(|a| record(article, a, &people, &acronyms)).collect()
    }
}

/// Attributions of one block with their speakers, what the block leaves open for the
/// next, and the speaker a floating quote in the next block would inherit.
fn attribute_block(
    t: &Tokens,
    offset: usize,
    headline: bool,
    carry: &Carry,
    previous: Option<Inherited>,
    people: &mut People,
    anonymous: &mut Vec<Speaker>,
) -> ((Vec<Pending>, Carry), Option<Inherited>) {
    let sentences = tagger::sentences(t.text, t.spans);
    let bytes = t.text.as_bytes();
    // Most blocks hold no quote mark (`"`, curly marks start with 0xE2, or `''`).
    let quotes = if memchr::memchr2(b'"', 0xe2, bytes).is_some() || memchr::memmem::find(bytes, b"''").is_some() {
        find_quotes(t.text)
    } else {
        Vec::new()
    };
    let found = attribution::find(t, &sentences, &quotes, carry, headline);
    let carry = found.carry;
    let pending = resolve(t, offset, found.found, people, anonymous, previous);
    let intro_speaker = carry.colon_intro.as_ref().and_then(|(source, _)| {
        let speaker = resolve_source(t, offset, source, people, anonymous)?;
        Some((speaker, Some(absolute_span(t, offset, source))))
    });
    let last =
        intro_speaker.or_else(|| pending.iter().rev().find_map(|p| p.speaker.clone().map(|s| (s, p.source_span))));
    ((pending, carry), last)
}

/// Longest line of a hard-wrapped paragraph: lines this short, all of them, most ending
/// mid-sentence, are a text wrapped for width rather than paragraphs written one a line.
const MAX_WRAPPED_LINE: usize = 80;

/// The byte ranges of `raw` (a paragraph as written in the body) that are attributed one
/// after another like paragraphs: its lines when the source separates paragraphs with
/// single line breaks (liveblogs, a headline above its deck), else the whole paragraph.
fn blocks(raw: &str) -> Vec<(usize, usize)> {
    if memchr::memchr(b'\n', raw.as_bytes()).is_none() {
        return vec![(0, raw.len())];
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for line in raw.split('\n') {
        let end = start + line.len();
        let kept = line.trim_end();
        let lead = kept.len() - kept.trim_start().len();
        if kept.len() > lead {
            lines.push((start + lead, start + kept.len()));
        }
        start = end + 1;
    }
    if lines.len() <= 1 {
        return vec![(0, raw.len())];
    }
    // Wrapped prose: short lines, most of them breaking mid-sentence.
    let inner = &lines[..lines.len() - 1];
    let short = inner.iter().all(|&(s, e)| e - s <= MAX_WRAPPED_LINE);
    let mid_sentence =
        inner.iter().filter(|&&(s, e)| !raw[s..e].ends_with(['.', '!', '?', ':', '"', '\u{201d}'])).count();
    let wrapped = lines.len() >= 3 && short && 2 * mid_sentence >= inner.len();
    if wrapped {
        return vec![(0, raw.len())];
    }
    lines
}

/// Tokens of the paragraph and the article's entity spans that fall inside it (tagged once
/// per article, so a name is tagged consistently across paragraphs), cleaned up and made
/// relative to the paragraph.
fn analyse(
    paragraph: Paragraph,
    body: &str,
    body_spans: &[(usize, usize)],
    article_entities: &[EntitySpan],
) -> Analysis {
    let spans = paragraph_tokens(&paragraph, body_spans);
    let first = article_entities.partition_point(|e| e.start < paragraph.start);
    let entities = article_entities[first..]
        .iter()
        .take_while(|e| e.start < paragraph.end)
        .filter(|e| e.end <= paragraph.end)
        .filter_map(|e| tidy_entity(body, e))
        .map(|e| EntitySpan { start: e.start - paragraph.start, end: e.end - paragraph.start, kind: e.kind })
        .collect();
    Analysis { paragraph, spans, entity_people: Vec::new(), entities, pending: Vec::new() }
}

/// The tokens of `paragraph`, relative to it, from the tokens of the whole body. They are
/// the tokens of its text: a paragraph starts and ends next to whitespace or the body's
/// ends, and its line breaks, turned into spaces, separate tokens either way.
fn paragraph_tokens(paragraph: &Paragraph, body_spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let first = body_spans.partition_point(|&(s, _)| s < paragraph.start);
    body_spans[first..]
        .iter()
        .take_while(|&&(s, _)| s < paragraph.end)
        .map(|&(s, e)| (s - paragraph.start, e - paragraph.start))
        .collect()
}

/// Cuts an entity span at a quote mark or a comma and trims punctuation from its ends;
/// drops it when nothing capitalised is left.
fn tidy_entity(body: &str, e: &EntitySpan) -> Option<EntitySpan> {
    let text = &body[e.start..e.end];
    let cut = text.find(['"', '\u{201c}', '\u{201d}', ',', ';']).unwrap_or(text.len());
    let kept = &text[..cut];
    let trimmed_start = kept.len() - kept.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let kept = kept.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.');
    if trimmed_start >= kept.len() || !kept.chars().any(|c| c.is_uppercase() || c.is_ascii_digit()) {
        return None;
    }
    Some(EntitySpan { start: e.start + trimmed_start, end: e.start + kept.len(), kind: e.kind })
}

/// Registers the paragraph's person mentions (the tagger's PER spans) in text order, with
/// the titles before them and any party written next to them.
fn register_people(a: &mut Analysis, people: &mut People) {
    let text = &a.paragraph.text;
    let t = Tokens { text, spans: &a.spans };
    let allow_bare_party = a.paragraph.kind == ParagraphKind::Body;
    a.entity_people = a
        .entities
        .iter()
        .map(|e| {
            if e.kind != EntityKind::Person {
                return None;
            }
            let first = t.first_at(e.start);
            let end = t.end_before(e.end);
            let (titles, name) = split_titles(&t, first, end);
            let parts: Vec<&str> = name.clone().map(|i| t.word(i)).collect();
            if parts.last().is_none_or(|w| lexicon::contains(lexicon::ORGANIZATION_HEADS, w)) {
                return None;
            }
            let possessive = t.spans.get(end).is_some_and(|_| t.is_possessive_mark(end));
            let person = people.mention(&parts, &titles, a.paragraph.start + e.start, possessive)?;
            let evidence =
                party::after_name(text, e.end, allow_bare_party).or_else(|| party::in_titles(titles.iter().copied()));
            if let Some(evidence) = evidence {
                people.set_party(person, evidence);
            }
            Some(person)
        })
        .collect();
}

/// Registers the people named before the first paragraph: a headline that the reader
/// took for the title is no paragraph, but "Rush Limbaugh: ..." above "Limbaugh said"
/// gives the surname its full name.
fn register_headline_people(body: &str, entities: &[EntitySpan], first_paragraph: usize, people: &mut People) {
    let before = entities.partition_point(|e| e.start < first_paragraph);
    for e in entities[..before].iter().filter(|e| e.kind == EntityKind::Person && e.end <= first_paragraph) {
        let Some(e) = tidy_entity(body, e) else { continue };
        let words: Vec<&str> = body[e.start..e.end].split_whitespace().collect();
        let n_titles = words.iter().take_while(|w| lexicon::contains(lexicon::TITLES, w)).count();
        let (titles, name) = words.split_at(n_titles.min(words.len().saturating_sub(1)));
        let name = before_headline_verb(name);
        if name.last().is_none_or(|w| lexicon::contains(lexicon::ORGANIZATION_HEADS, w)) {
            continue;
        }
        people.mention(name, titles, e.start, false);
    }
}

/// A name in a title-case headline up to its verb: headlines write the present tense
/// ("Obama Says ...", "Graham Warns ..."), and in capitalised words the tagger can run a
/// name on into the verb and what follows it. Only the "-s" form counts, so a surname
/// that is a past tense (Edward Said) stays whole.
fn before_headline_verb<'w>(name: &'w [&'w str]) -> &'w [&'w str] {
    let verb = name
        .iter()
        .skip(1)
        .position(|w| w.ends_with('s') && lexicon::contains(lexicon::SPEECH_VERBS, w))
        .map_or(name.len(), |i| i + 1);
    &name[..verb]
}

/// The titles before a name span (inside it, and the title words just before it), and the
/// token range of the name proper.
fn split_titles<'t>(t: &Tokens<'t>, first: usize, end: usize) -> (Vec<&'t str>, std::ops::Range<usize>) {
    let mut start = first;
    while start > 0 && first - start < 4 && is_title_word(t, start - 1) {
        start -= 1;
    }
    let mut name_start = first;
    while name_start + 1 < end && lexicon::contains(lexicon::TITLES, t.word(name_start)) {
        name_start += 1;
    }
    ((start..name_start).map(|i| t.word(i)).collect(), name_start..end)
}

fn is_title_word(t: &Tokens, i: usize) -> bool {
    let w = t.word(i);
    lexicon::contains(lexicon::TITLES, w) || matches!(w, "Democratic" | "Republican" | "GOP" | "House" | "Senate")
}

/// Resolves the source of each attribution to a speaker.
fn resolve(
    t: &Tokens,
    offset: usize,
    found: Vec<Found>,
    people: &mut People,
    anonymous: &mut Vec<Speaker>,
    previous: Option<(SpeakerRef, Option<(usize, usize)>)>,
) -> Vec<Pending> {
    let mut out: Vec<Pending> = Vec::with_capacity(found.len());
    for f in found {
        let (speaker, source_span) = match (&f.source, f.inherit) {
            (Some(source), _) => {
                (resolve_source(t, offset, source, people, anonymous), Some(absolute_span(t, offset, source)))
            }
            (None, Inherit::Paragraph) => out
                .iter()
                .rev()
                .find(|p| p.speaker.is_some() || p.source_span.is_some())
                .map_or((None, None), |p| (p.speaker.clone(), p.source_span)),
            (None, Inherit::PreviousParagraph) => previous.clone().map_or((None, None), |(s, span)| (Some(s), span)),
            (None, Inherit::No) => (None, None),
        };
        if let (Some(SpeakerRef::Person(person)), Some((at, _))) = (&speaker, source_span) {
            people.note_speaker(*person, at);
        }
        if f.source.is_none() && speaker.is_none() && source_span.is_none() {
            // A continued or floating quote with nobody to inherit from says nothing about
            // who spoke; reporting it would only be a quote without a speaker.
            continue;
        }
        out.push(Pending { found: f, source_span, speaker });
    }
    out
}

/// The article body offsets of a source phrase of the paragraph at `offset`.
fn absolute_span(t: &Tokens, offset: usize, source: &SourcePhrase) -> (usize, usize) {
    (offset + t.spans[source.tokens.start].0, offset + t.spans[source.tokens.end - 1].1)
}

fn phrase_text<'t>(t: &Tokens<'t>, range: std::ops::Range<usize>) -> &'t str {
    &t.text[t.spans[range.start].0..t.spans[range.end - 1].1]
}

fn resolve_source(
    t: &Tokens,
    offset: usize,
    source: &SourcePhrase,
    people: &mut People,
    anonymous: &mut Vec<Speaker>,
) -> Option<SpeakerRef> {
    let pos = offset + t.spans[source.tokens.start].0;
    let other = |kind| {
        let text = phrase_text(t, source.tokens.clone());
        let name = strip_determiner(text);
        let party = match name.to_lowercase().as_str() {
            "democrats" => Some(Party::Democrat),
            "republicans" => Some(Party::Republican),
            _ => None,
        };
        Some(SpeakerRef::Other(Speaker { name: name.to_owned(), kind, party, party_source: None, speaks_for: None }))
    };
    match &source.kind {
        SourceKind::Name { name, prefix } => {
            let parts: Vec<&str> = name.clone().map(|i| t.word(i)).collect();
            let titles: Vec<&str> = prefix.clone().map(|i| t.word(i)).collect();
            let person = people.mention(&parts, &titles, pos, false)?;
            if let Some(evidence) = party::in_titles(titles.iter().copied()) {
                people.set_party(person, evidence);
            }
            Some(SpeakerRef::Person(person))
        }
        SourceKind::Pronoun(male) => people.resolve_pronoun(*male, pos).map(SpeakerRef::Person),
        SourceKind::Definite { head } => match people.resolve_description(head, party_in_phrase(t, source), pos) {
            Some(person) => Some(SpeakerRef::Person(person)),
            // "A White House official said ... The official added": the same unnamed source.
            None => anonymous
                .iter()
                .rev()
                .find(|s| s.name.to_lowercase().ends_with(head.as_str()))
                .cloned()
                .map(SpeakerRef::Other),
        },
        SourceKind::Anonymous => {
            let speaker = other(SpeakerKind::Anonymous);
            if let Some(SpeakerRef::Other(s)) = &speaker {
                anonymous.push(s.clone());
            }
            speaker
        }
        SourceKind::Organization => other(SpeakerKind::Organization),
        SourceKind::Group => other(SpeakerKind::Group),
        // Who stands behind "the statement" is left to the source span: guessing the
        // issuer would be wrong as often as right.
        SourceKind::Document => None,
        // "voters who said": the antecedent is rarely a resolvable person.
        SourceKind::Relative => None,
    }
}

/// A party named inside a description ("the GOP nominee", "the Democratic candidate").
fn party_in_phrase(t: &Tokens, source: &SourcePhrase) -> Option<Party> {
    party::in_titles(source.tokens.clone().map(|i| t.word(i))).map(|(party, _)| party)
}

/// "a White House official" -> "White House official"; "the FBI" -> "FBI".
fn strip_determiner(text: &str) -> &str {
    match text.split_once(' ') {
        // Possessives stay: "his campaign" is not "campaign".
        Some((first, rest))
            if lexicon::contains(lexicon::DETERMINERS, first)
                && !matches!(first.to_lowercase().as_str(), "her" | "his" | "its" | "their") =>
        {
            rest
        }
        _ => text,
    }
}

fn learn_acronyms(analyses: &[Analysis]) -> HashMap<String, String> {
    let mut acronyms = HashMap::new();
    for a in analyses {
        for e in a.entities.iter().filter(|e| e.kind == EntityKind::Organization) {
            entities::learn_acronym(&a.paragraph.text[e.start..e.end], &mut acronyms);
        }
    }
    acronyms
}

/// A name the tagger gave another kind that is a person of the article after all
/// ("Senator Jeff Sessions" tagged ORG while "Jeff Sessions" is a person): document-level
/// consistency with the people the article names.
fn known_person(text: &str, people: &People) -> Option<usize> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let first_name_word = words.iter().position(|w| !lexicon::contains(lexicon::TITLES, w))?;
    let parts = &words[first_name_word..];
    let org_like = parts.iter().any(|w| lexicon::contains(lexicon::ORGANIZATION_HEADS, w));
    if org_like || parts.is_empty() || parts.len() > 4 {
        return None;
    }
    people.known(parts)
}

fn speaker_of(r: &SpeakerRef, people: &People) -> Speaker {
    match r {
        SpeakerRef::Other(s) => s.clone(),
        SpeakerRef::Person(i) => {
            let p = people.person(*i);
            Speaker {
                name: p.name.clone(),
                kind: SpeakerKind::Person,
                party: p.party.map(|(party, _)| party),
                party_source: p.party.map(|(_, from)| from.to_owned()),
                speaks_for: p.speaks_for.clone(),
            }
        }
    }
}

fn record(article: &Article, a: Analysis, people: &People, acronyms: &HashMap<String, String>) -> ParagraphRecord {
    let base = a.paragraph.start;
    let shift = |(s, e): (usize, usize)| [base + s, base + e];
    let mut speakers: Vec<Speaker> = Vec::new();
    let attributions = a
        .pending
        .iter()
        .map(|p| {
            let speaker = p.speaker.as_ref().map(|r| speaker_of(r, people));
            if let Some(s) = &speaker {
                if !speakers.iter().any(|known| known.name == s.name) {
                    speakers.push(s.clone());
                }
            }
            Attribution {
                content: shift(p.found.content),
                source: p.source_span.map(|(s, e)| [s, e]),
                cue: p.found.cue.map(shift),
                party: speaker.as_ref().and_then(|s| s.party),
                speaker: speaker.map(|s| s.name),
                direct: p.found.direct,
                rule: p.found.rule.to_owned(),
            }
        })
        .collect();
    let entities = a
        .entities
        .iter()
        .zip(a.entity_people.iter().copied().chain(std::iter::repeat(None)))
        .map(|(e, person)| {
            let text = &a.paragraph.text[e.start..e.end];
            let person = person.or_else(|| known_person(text, people));
            let (name, kind) = match person {
                Some(i) => (people.person(i).name.clone(), EntityKind::Person),
                None => (entities::canonical_name(text, e.kind, acronyms), e.kind),
            };
            Entity { text: text.to_owned(), name, kind, span: shift((e.start, e.end)) }
        })
        .collect();
    ParagraphRecord {
        path: article.path.clone(),
        article: article.position,
        title: article.title.clone(),
        date: article.date,
        source: article.source.clone(),
        paragraph: a.paragraph.index,
        kind: a.paragraph.kind,
        section: a.paragraph.section,
        start: a.paragraph.start,
        end: a.paragraph.end,
        text: a.paragraph.text,
        speakers,
        attributions,
        entities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const LINES: &[&str] = &[
            "Mr. Smith said: \u{201c}We\u{2019}ll see.\u{201d}",
            "  U.S. officials (who declined) met\tthe \u{feff}press\u{200b}today... ",
            "\u{0}\u{7}odd\u{85}controls\u{a0}and spaces",
            "It's don't 'em -- well\u{2014}no.",
        ];
        const BREAKS: &[&str] = &["\n", "\n\n", "\r\n", "\r\n\r\n", " \n \n", "\u{2029}", "\n\u{a0}\n"];
        let line = prop_oneof![proptest::sample::select(LINES).prop_map(str::to_owned), "\\PC{0,30}", ".{0,20}"];
        proptest::collection::vec((line, proptest::sample::select(BREAKS)), 0..12)
            .prop_map(|parts| parts.into_iter().flat_map(|(l, b)| [l, b.to_owned()]).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The tokens a paragraph takes from the body's are those of its own text.
        #[test]
        fn paragraph_tokens_are_the_tokens_of_its_text(body in body_strategy()) {
            let article = Article {
                path: "t.txt".into(),
                position: 0,
                title: None,
                body: body.clone(),
                date: None,
                source: None,
                url: None,
                authors: Vec::new(),
            };
            let body_spans = tagger::tokenize(&body);
            for p in clean::paragraphs(&article) {
                proptest::prop_assert_eq!(paragraph_tokens(&p, &body_spans), tagger::tokenize(&p.text));
            }
        }
    }

    /// Annotates `body` as one article and returns (rule, speaker) of each attribution.
    fn attributions(body: &str) -> Vec<(String, Option<String>)> {
        let article = Article {
            path: "t.txt".into(),
            position: 0,
            title: None,
            body: body.into(),
            date: None,
            source: None,
            url: None,
            authors: Vec::new(),
        };
        Annotator::builtin()
            .annotate(&article)
            .into_iter()
            .flat_map(|r| r.attributions)
            .map(|a| (a.rule, a.speaker))
            .collect()
    }

    #[test]
    fn lines_of_a_paragraph_are_attributed_like_paragraphs() {
        // Paragraphs written with single line breaks: the quote on its own line floats
        // after the attributed line.
        let body = "The rally ended late.\nMayor Ann Quill said the city would rebuild.\n\u{201c}We will not wait for anyone.\u{201d}\n";
        let got = attributions(body);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], ("floating-quote".to_string(), Some("Ann Quill".to_string())));
    }

    #[test]
    fn a_surname_takes_the_full_name_from_a_headline_taken_as_title() {
        let article = Article {
            path: "t.txt".into(),
            position: 0,
            title: Some("Rush Limbaugh: Taxes Are Too High".into()),
            body: "Rush Limbaugh: Taxes Are Too High\n\nLimbaugh said the levy would hurt families.\n".into(),
            date: None,
            source: None,
            url: None,
            authors: Vec::new(),
        };
        let speakers: Vec<Option<String>> = Annotator::builtin()
            .annotate(&article)
            .into_iter()
            .flat_map(|r| r.attributions)
            .map(|a| a.speaker)
            .collect();
        assert_eq!(speakers, vec![Some("Rush Limbaugh".to_string())]);
    }

    #[test]
    fn a_headline_name_stops_at_the_headline_verb() {
        assert_eq!(before_headline_verb(&["Obama", "Says", "African-American"]), ["Obama"]);
        assert_eq!(before_headline_verb(&["Lindsey", "Graham", "Warns"]), ["Lindsey", "Graham"]);
        assert_eq!(before_headline_verb(&["Edward", "Said"]), ["Edward", "Said"]);
        assert_eq!(before_headline_verb(&["Says"]), ["Says"], "a lone word is left to the other checks");
    }

    #[test]
    fn a_quote_with_nobody_to_inherit_from_is_not_reported() {
        let body = "The hall was full.\n\n\u{201c}We will not wait for anyone.\u{201d}\n";
        assert_eq!(attributions(body), Vec::new());
    }

    #[test]
    fn hard_wrapped_lines_stay_one_block() {
        let raw = "a line of wrapped text that is not long at all\nand another one just like it, still short\nend.";
        assert_eq!(blocks(raw), vec![(0, raw.len())]);
        assert_eq!(blocks("Title; \nSubtitle."), vec![(0, 6), (8, 17)]);
        assert_eq!(blocks("\n \n"), vec![(0, 3)]);
    }
}
