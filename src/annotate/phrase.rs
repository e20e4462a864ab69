//! Reading the noun phrase that names a source, to the left of a cue ("Senator Lindsey
//! Graham, a prominent Republican ..., also said") or to its right ("said Sen. Al Franken").
//!
//! Works on the token spans of one paragraph; returns what the phrase is (a name, a
//! pronoun, a description, an organisation, a group), never what it refers to: that is
//! resolved per article in `people`.

use super::lexicon::{self, DETERMINERS, GROUP_HEADS, ORGANIZATION_HEADS, SOURCE_VERB_FILLERS, TITLES};

/// Token spans of a paragraph with the text they index.
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'t> {
    /// The paragraph text.
    pub text: &'t str,
    /// Byte spans of its tokens.
    pub spans: &'t [(usize, usize)],
}

impl<'t> Tokens<'t> {
    /// The text of token `i`.
    pub fn word(&self, i: usize) -> &'t str {
        let (s, e) = self.spans[i];
        &self.text[s..e]
    }

    /// Whether token `i` starts with an uppercase letter.
    pub fn is_capitalised(&self, i: usize) -> bool {
        self.word(i).chars().next().is_some_and(char::is_uppercase)
    }

    /// Whether token `i` is a possessive clitic (`'s`, `’s`, or a bare apostrophe after s).
    pub fn is_possessive_mark(&self, i: usize) -> bool {
        matches!(self.word(i), "'s" | "\u{2019}s" | "'" | "\u{2019}" | "'S")
    }

    /// Index of the first token starting at or after byte `at`.
    pub fn first_at(&self, at: usize) -> usize {
        self.spans.partition_point(|&(s, _)| s < at)
    }

    /// Index one past the last token ending at or before byte `at`.
    pub fn end_before(&self, at: usize) -> usize {
        self.spans.partition_point(|&(_, e)| e <= at)
    }
}

/// What a source phrase is, before it is resolved to a speaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A personal name; `name` is token range of the name proper (titles excluded) and
    /// `prefix` the titles and affiliations written before it.
    Name {
        /// Token range of the name.
        name: std::ops::Range<usize>,
        /// Token range of the words before the name inside the phrase.
        prefix: std::ops::Range<usize>,
    },
    /// `he`, `she`, `they`...; `Some(true)` male, `Some(false)` female.
    Pronoun(Option<bool>),
    /// "the senator", "the Minnesota Democrat": refers back to someone named earlier.
    Definite {
        /// Lowercase head noun.
        head: String,
    },
    /// "a senior White House official": an unnamed individual.
    Anonymous,
    /// "the Justice Department", "the White House", "CNN".
    Organization,
    /// "Democrats", "officials".
    Group,
    /// "the statement", "an email from the campaign": a document or message.
    Document,
    /// "who" in "voters who said": a relative pronoun standing for a phrase before it.
    Relative,
}

/// A source phrase: its token range and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePhrase {
    /// Token range of the whole phrase.
    pub tokens: std::ops::Range<usize>,
    /// What it is.
    pub kind: SourceKind,
}

/// Longest name kept: titles and affiliations beyond it belong to the prefix.
const MAX_NAME_TOKENS: usize = 4;

/// Longest description read ("the independent Vermont senator and Democratic
/// presidential candidate").
const MAX_DESCRIPTION_TOKENS: usize = 10;

/// The source phrase ending just before token `cue` (skipping "also", "has" and the like,
/// and an apposition between commas), not reaching before token `floor`.
pub fn source_before(t: &Tokens, cue: usize, floor: usize) -> Option<SourcePhrase> {
    let mut end = skip_fillers(t, cue, floor);
    if end > floor && lexicon::contains(WEEKDAYS, t.word(end - 1)) {
        // "the Kentucky Republican on Tuesday dismissed", "a document filed Thursday says":
        // the day is when, not who.
        end -= 1;
        if end > floor && t.word(end - 1) == "on" {
            end -= 1;
        }
        end = skip_fillers(t, end, floor);
    }
    // Between a name and its verb news copy puts party tags and appositions, often two
    // ("Sen. Lindsey Graham, R-S.C., a long-shot candidate, said", "Sen. Jack Reed
    // (D-R.I.), said"): peel them off from the right.
    for _ in 0..MAX_ASIDES {
        if end > floor && t.word(end - 1) == ")" {
            // "Rep. Earl Blumenauer (D-Ore.) said": the party tag is not part of the phrase.
            match (floor..end - 1).rev().take(8).find(|&k| t.word(k) == "(") {
                Some(open) => end = open,
                None => break,
            }
        } else if let Some(comma) = short_aside_after_comma(t, floor, end) {
            // "..., R-S.C., a long-shot candidate," once the apposition is gone; "Cory
            // James, 22, of Flint, Mich., said".
            end = comma;
        } else if end > floor && t.word(end - 1) == "," {
            let Some(comma) = (floor..end - 1).rev().take(40).find(|&k| t.word(k) == ",") else {
                // "Sen. Jack Reed (D-R.I.), said": the comma closes only the party tag.
                if end - 1 > floor && t.word(end - 2) == ")" {
                    end -= 1;
                    continue;
                }
                return None;
            };
            // "Sanders's campaign manager, Jeff Weaver, said": the name is the apposition.
            if !is_party_tag(t, comma + 1, end - 1) {
                if let Some(name) = capitalised_phrase(t, comma + 1, end - 1) {
                    if name.tokens.start == comma + 1 && matches!(name.kind, SourceKind::Name { .. }) {
                        return Some(name);
                    }
                }
            }
            // "X, a prominent Republican who served ..., also said": skip the apposition.
            end = comma;
        } else {
            break;
        }
    }
    if end <= floor {
        return None;
    }
    let last = end - 1;
    if let Some(gender) = lexicon::lookup(lexicon::PRONOUNS, t.word(last)) {
        return Some(SourcePhrase { tokens: last..end, kind: SourceKind::Pronoun(gender) });
    }
    if let Some(start) = proportion_start(t, floor, end) {
        return Some(SourcePhrase { tokens: start..end, kind: SourceKind::Group });
    }
    if is_bare_documents(t, floor, last) {
        return Some(SourcePhrase { tokens: last..end, kind: SourceKind::Document });
    }
    if t.is_capitalised(last) {
        return capitalised_phrase(t, floor, end);
    }
    description_before(t, floor, end)
}

/// "Polls show", "court records show": a plural document noun is a source without a
/// determiner. Capitalised only at the start of the sentence ("Washington Post" is a name).
fn is_bare_documents(t: &Tokens, floor: usize, i: usize) -> bool {
    let w = t.word(i);
    w.ends_with('s') && (i == floor || !t.is_capitalised(i)) && lexicon::contains(lexicon::DOCUMENT_HEADS, w)
}

/// Days of the week, which news copy puts between a source and its verb.
const WEEKDAYS: &[&str] = &["friday", "monday", "saturday", "sunday", "thursday", "tuesday", "wednesday"];

/// The end of the words before token `end` once "also", "has" and the like are skipped.
fn skip_fillers(t: &Tokens, mut end: usize, floor: usize) -> usize {
    while end > floor && lexicon::contains(SOURCE_VERB_FILLERS, t.word(end - 1)) {
        end -= 1;
    }
    end
}

/// Most asides read between a source and its verb.
const MAX_ASIDES: usize = 4;

/// Whether tokens `from..end` are an AP party tag standing alone between commas ("R-Ky.",
/// "D-N.Y."): a tag, not a name in apposition.
fn is_party_tag(t: &Tokens, from: usize, end: usize) -> bool {
    if from >= end || t.spans[end - 1].1 - t.spans[from].0 > 12 {
        return false;
    }
    let text = &t.text[t.spans[from].0..t.spans[end - 1].1];
    let bytes = text.as_bytes();
    matches!(bytes.first(), Some(b'D' | b'R' | b'I')) && bytes.get(1) == Some(&b'-')
}

/// The comma before a short aside that ends the phrase at `end`: a party tag ("Graham,
/// R-S.C."), an age ("James, 22") or a hometown ("James, of Flint").
fn short_aside_after_comma(t: &Tokens, floor: usize, end: usize) -> Option<usize> {
    let comma = (floor..end).rev().take(5).find(|&k| t.word(k) == ",")?;
    let first = comma + 1;
    let age = end == first + 1 && t.word(first).bytes().all(|b| b.is_ascii_digit());
    let hometown = end > first + 1
        && matches!(t.word(first), "of" | "from")
        && (first + 1..end).all(|k| t.is_capitalised(k) || t.word(k) == ".");
    (age || hometown || is_party_tag(t, first, end)).then_some(comma)
}

/// Poll shares as sources: "Six in 10 say", "one out of three said": the start of the
/// proportion ending at `end`. ("56 percent" and "a majority" end in group nouns.)
fn proportion_start(t: &Tokens, floor: usize, end: usize) -> Option<usize> {
    let is_number = |i: usize| {
        let w = t.word(i);
        w.bytes().all(|b| b.is_ascii_digit()) || lexicon::contains(lexicon::NUMBER_WORDS, w)
    };
    if end < floor + 3 || !is_number(end - 1) {
        return None;
    }
    let mut of = end - 2;
    if !matches!(t.word(of), "in" | "of") {
        return None;
    }
    if t.word(of) == "of" && of > floor && t.word(of - 1) == "out" {
        of -= 1;
    }
    let first = of.checked_sub(1).filter(|&i| i >= floor && is_number(i))?;
    // "About six in 10", "Nearly two out of three".
    let hedged = first > floor && lexicon::contains(lexicon::PROPORTION_HEDGES, t.word(first - 1));
    Some(if hedged { first - 1 } else { first })
}

/// The source phrase starting at token `from` (after "said", "according to").
pub fn source_after(t: &Tokens, from: usize, limit: usize) -> Option<SourcePhrase> {
    let first = from;
    if first >= limit {
        return None;
    }
    if let Some(gender) = lexicon::lookup(lexicon::PRONOUNS, t.word(first)) {
        return Some(SourcePhrase { tokens: first..first + 1, kind: SourceKind::Pronoun(gender) });
    }
    let mut end = first;
    if t.is_capitalised(first) || lexicon::contains(TITLES, t.word(first)) {
        while end < limit && end - first < 8 && is_name_or_title(t, end) {
            end += 1;
        }
        return capitalised_phrase(t, first, end);
    }
    if lexicon::contains(DETERMINERS, t.word(first)) {
        // "the base chief known as Bob", "a senior official familiar with the talks": the
        // description ends before its modifiers.
        end += 1;
        while end < limit
            && end - first < MAX_DESCRIPTION_TOKENS
            && is_description_word(t, end)
            && !lexicon::contains(lexicon::DESCRIPTION_ENDS, t.word(end))
        {
            end += 1;
        }
        return description_before(t, first, end);
    }
    if lexicon::contains(GROUP_HEADS, t.word(first)) {
        return Some(SourcePhrase { tokens: first..first + 1, kind: SourceKind::Group });
    }
    None
}

/// Any noun phrase from token `from` to the next comma, semicolon or parenthesis (at most
/// 14 tokens): the source after "according to", which may be a poll, records or "multiple
/// sources familiar with the effort". Capitalised at the end: an organisation; a plural:
/// a group; else a document.
pub fn noun_phrase(t: &Tokens, from: usize, limit: usize) -> Option<SourcePhrase> {
    let end = (from..limit.min(from + 14))
        .find(|&k| matches!(t.word(k), "," | ";" | "(" | ":"))
        .unwrap_or(limit.min(from + 14));
    if end <= from || !t.word(end - 1).chars().any(char::is_alphanumeric) {
        return None;
    }
    let last = t.word(end - 1);
    let kind = if t.is_capitalised(end - 1) {
        SourceKind::Organization
    } else if last.ends_with('s') {
        SourceKind::Group
    } else {
        SourceKind::Document
    };
    Some(SourcePhrase { tokens: from..end, kind })
}

/// The shortest description starting at the determiner `from` that names a source ("The
/// mayor" in "The mayor toured the plant and said"), for a clause subject whose verb is
/// not a cue.
pub fn subject_description(t: &Tokens, from: usize, limit: usize) -> Option<SourcePhrase> {
    if from >= limit || !lexicon::contains(DETERMINERS, t.word(from)) {
        return None;
    }
    let last = limit.min(from + MAX_DESCRIPTION_TOKENS);
    (from + 2..=last).find_map(|end| description_before(t, from, end).filter(|p| p.tokens.start == from))
}

fn is_name_or_title(t: &Tokens, i: usize) -> bool {
    let w = t.word(i);
    (t.is_capitalised(i) && w.chars().any(char::is_alphabetic)) || lexicon::contains(TITLES, w)
}

fn is_description_word(t: &Tokens, i: usize) -> bool {
    t.word(i).chars().next().is_some_and(char::is_alphabetic)
}

/// A run of capitalised words and titles ending at `end`: a person's name with its titles,
/// an organisation, or a capitalised group ("Democrats").
fn capitalised_phrase(t: &Tokens, floor: usize, end: usize) -> Option<SourcePhrase> {
    let mut start = end;
    while start > floor && is_name_or_title(t, start - 1) {
        start -= 1;
    }
    // Sentence-initial function words ("But Sessions said") are not part of the name.
    while start < end && lexicon::contains(lexicon::NOT_NAMES, t.word(start)) {
        start += 1;
    }
    if start == end {
        return None;
    }
    let definite = start > floor && t.word(start - 1).eq_ignore_ascii_case("the");
    let last_word = t.word(end - 1);
    if lexicon::contains(GROUP_HEADS, last_word) {
        return Some(SourcePhrase { tokens: start..end, kind: SourceKind::Group });
    }
    let person_noun =
        lexicon::contains(TITLES, last_word) || matches!(last_word, "Democrat" | "Republican" | "Independent");
    if definite && person_noun {
        return Some(SourcePhrase {
            tokens: start - 1..end,
            kind: SourceKind::Definite { head: last_word.to_lowercase() },
        });
    }
    let acronym = last_word.len() >= 2 && last_word.chars().all(|c| c.is_ascii_uppercase() || c == '.');
    if lexicon::contains(ORGANIZATION_HEADS, last_word) || acronym || definite {
        let start = if definite { start - 1 } else { start };
        return Some(SourcePhrase { tokens: start..end, kind: SourceKind::Organization });
    }
    let mut name_start = end;
    while name_start > start && end - name_start < MAX_NAME_TOKENS && !lexicon::contains(TITLES, t.word(name_start - 1))
    {
        name_start -= 1;
    }
    if name_start == end {
        return None;
    }
    Some(SourcePhrase {
        tokens: start..end,
        kind: SourceKind::Name { name: name_start..end, prefix: start..name_start },
    })
}

/// A description ending at `end`: "a White House official", "the senator", "officials".
fn description_before(t: &Tokens, floor: usize, end: usize) -> Option<SourcePhrase> {
    let head = t.word(end - 1);
    if lexicon::contains(GROUP_HEADS, head) {
        // The determiner, if any, within the group's own words: "the plan failed, former
        // officials said" has none.
        let start = (floor..end)
            .rev()
            .take(MAX_DESCRIPTION_TOKENS)
            .take_while(|&k| t.word(k).starts_with(char::is_alphanumeric))
            .find(|&k| lexicon::contains(DETERMINERS, t.word(k)));
        return Some(SourcePhrase { tokens: start.unwrap_or(end - 1)..end, kind: SourceKind::Group });
    }
    let det = (floor..end)
        .rev()
        .take(MAX_DESCRIPTION_TOKENS)
        .find(|&k| lexicon::contains(DETERMINERS, t.word(k)))
        .or_else(|| possessive_start(t, floor, end))?;
    if (det + 1..end).any(|k| matches!(t.word(k), "," | "\"" | "\u{201c}" | "\u{201d}")) {
        return None;
    }
    let indefinite = !t.word(det).eq_ignore_ascii_case("the") && !t.word(det).eq_ignore_ascii_case("this");
    let is_person_noun = lexicon::contains(lexicon::ANONYMOUS_HEADS, head)
        || lexicon::contains(TITLES, head)
        || matches!(head, "Democrat" | "Republican" | "Independent");
    let kind = match (indefinite, is_person_noun) {
        (true, true) => SourceKind::Anonymous,
        (false, true) => SourceKind::Definite { head: head.to_lowercase() },
        (_, false) if lexicon::contains(ORGANIZATION_HEADS, head) => SourceKind::Organization,
        (_, false) if lexicon::contains(lexicon::DOCUMENT_HEADS, head) => SourceKind::Document,
        _ => return None,
    };
    Some(SourcePhrase { tokens: det..end, kind })
}

/// "Trump's campaign", "Clinton’s spokesman": the start of a capitalised possessor right
/// before the head words, which stands where a determiner would.
fn possessive_start(t: &Tokens, floor: usize, end: usize) -> Option<usize> {
    let mark = (floor..end).rev().take(4).find(|&k| t.is_possessive_mark(k))?;
    let mut start = mark;
    while start > floor && start + 4 > mark && t.is_capitalised(start - 1) {
        start -= 1;
    }
    (start < mark && (mark + 1..end).all(|k| !t.is_capitalised(k))).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::tokenize;

    /// The source phrase before the last occurrence of `cue` in `text`, as text and kind.
    fn before(text: &str, cue: &str) -> Option<(String, SourceKind)> {
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let i = (0..spans.len()).rev().find(|&i| t.word(i) == cue)?;
        let p = source_before(&t, i, 0)?;
        Some((text[spans[p.tokens.start].0..spans[p.tokens.end - 1].1].to_owned(), p.kind))
    }

    fn name_of(text: &str, cue: &str) -> String {
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let i = (0..spans.len()).rev().find(|&i| t.word(i) == cue).unwrap();
        match source_before(&t, i, 0).unwrap().kind {
            SourceKind::Name { name, .. } => text[spans[name.start].0..spans[name.end - 1].1].to_owned(),
            other => panic!("not a name: {other:?}"),
        }
    }

    #[test]
    fn names_lose_their_titles() {
        assert_eq!(name_of("Justice Department spokeswoman Sarah Isgur Flores said it", "said"), "Sarah Isgur Flores");
        assert_eq!(
            name_of("House Democratic Leader Nancy Pelosi went further, calling for it", "went"),
            "Nancy Pelosi"
        );
        assert_eq!(name_of("Senator Elizabeth Warren said the situation is bad", "said"), "Elizabeth Warren");
    }

    #[test]
    fn apposition_and_fillers_are_skipped() {
        let text = "Senator Lindsey Graham, a prominent Republican who served with him, also said that";
        assert_eq!(name_of(text, "said"), "Lindsey Graham");
        assert_eq!(name_of("Trump has denied the reports", "denied"), "Trump");
    }

    #[test]
    fn pronouns_descriptions_groups_organisations() {
        assert_eq!(before("\u{201d} she said", "said").unwrap().1, SourceKind::Pronoun(Some(false)));
        assert_eq!(before("A White House official said the talks", "said").unwrap().1, SourceKind::Anonymous);
        assert_eq!(
            before("The official accused them", "accused").unwrap().1,
            SourceKind::Definite { head: "official".into() }
        );
        assert_eq!(
            before("the Minnesota Democrat said", "said").unwrap().1,
            SourceKind::Definite { head: "democrat".into() }
        );
        assert_eq!(before("Democrats said", "said").unwrap().1, SourceKind::Group);
        assert_eq!(before("Many officials said", "said").unwrap().1, SourceKind::Group);
        assert_eq!(before("The Justice Department said", "said").unwrap().1, SourceKind::Organization);
        assert_eq!(before("the White House said", "said").unwrap().1, SourceKind::Organization);
    }

    #[test]
    fn party_tags_and_asides_between_name_and_verb() {
        assert_eq!(name_of("Sen. Rand Paul, R-Ky., told Fox News", "told"), "Rand Paul");
        assert_eq!(name_of("Cory James, 22, of Flint, Mich., said he had hope", "said"), "Cory James");
        assert_eq!(name_of("Sen. Jack Reed (D-R.I.), said after a lunch", "said"), "Jack Reed");
        assert_eq!(name_of("Sen. Lindsey Graham, R-S.C., a long-shot candidate, said", "said"), "Lindsey Graham");
        assert_eq!(
            name_of("But Sen. Richard Durbin (D-Ill.), noting the size of the list, said", "said"),
            "Richard Durbin"
        );
    }

    #[test]
    fn poll_shares_are_groups() {
        assert_eq!(before("Six in 10 say he is decisive", "say"), Some(("Six in 10".into(), SourceKind::Group)));
        assert_eq!(
            before("Nearly two out of three said no", "said"),
            Some(("Nearly two out of three".into(), SourceKind::Group))
        );
        // A count is no share: "in 2016 said" has no source.
        assert_eq!(before("the plan in 2016 said", "said"), None);
    }

    #[test]
    fn no_source_for_plain_nouns() {
        assert_eq!(before("the plan said", "said"), None);
    }

    #[test]
    fn a_day_is_no_source() {
        let text = |p: Option<(String, SourceKind)>| p.map(|(text, _)| text);
        assert_eq!(
            text(before("the Kentucky Republican on Tuesday dismissed", "dismissed")).as_deref(),
            Some("the Kentucky Republican")
        );
        assert_eq!(name_of("Sanders on Friday also said", "said"), "Sanders");
        assert_eq!(before("A court document filed Thursday says", "says"), None);
    }

    #[test]
    fn sentence_openers_are_no_names() {
        // Capitalised at the start of a sentence, yet no name before the verb.
        assert_eq!(before("Perhaps says", "says"), None);
        assert_eq!(before("That said", "said"), None);
    }

    #[test]
    fn plural_documents_need_no_determiner() {
        assert_eq!(before("Polls show", "show"), Some(("Polls".into(), SourceKind::Document)));
        assert_eq!(before("as fundraising documents show", "show"), Some(("documents".into(), SourceKind::Document)));
    }

    #[test]
    fn documents_are_sources() {
        assert_eq!(before("\u{201d} the statement said", "said").unwrap().1, SourceKind::Document);
        assert_eq!(before("The campaign's email said", "said").unwrap().1, SourceKind::Document);
    }

    #[test]
    fn source_after_the_verb() {
        let text = "said Sen. Al Franken, D-Minn.";
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let p = source_after(&t, 1, spans.len()).unwrap();
        let SourceKind::Name { name, .. } = p.kind else { panic!("{p:?}") };
        assert_eq!(&text[spans[name.start].0..spans[name.end - 1].1], "Al Franken");
    }
}
