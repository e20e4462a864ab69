//! Attribution rules: which content in a paragraph is attributed to which source phrase
//! through which cue. Each rule is a general news-writing convention with a stable name
//! (the `rule` field of the output):
//!
//! | rule | convention |
//! |---|---|
//! | `quote-name-said` | “...,” Franken said. / “...,” he responded. |
//! | `quote-said-name` | “...,” said Sen. Al Franken. |
//! | `name-said-quote` | Warren said “...” / Warren said, “...” |
//! | `colon-intro` | Warren said: “...” ; a paragraph ending “X wrote:” introducing the next |
//! | `quote-continued` | a second quote in the paragraph after an attributed one |
//! | `floating-quote` | a quote-only paragraph right after an attributed paragraph |
//! | `multi-paragraph-quote` | a paragraph continuing a quotation left open in the previous one |
//! | `name-said-that` | indirect speech: X said (that) ... / X denied ... / People close to X said ... |
//! | `inverted-said` | ..., said X. / ..., X said. / ..., the poll found. / This campaign, he says, is different. |
//! | `mixed-quote` | indirect speech with quoted words woven in: X accused "partisan Democrats" of ... |
//! | `according-to` | according to X, ... / ..., according to X. / Fundraising, according to X, has surged. |
//! | `in-document` | In the latest CBS poll, Trump leads by 10 points. |
//! | `participle-cue` | X went further, calling for ... |
//! | `relative-cue` | X was among the Democrats who said ... / voters who said ... |
//! | `conjoined-cue` | X caucused on Saturday and says he voted ... |
//! | `transcript` | TRUMP: We're going to win. |
//! | `headline-colon` | Graham: Trump's rhetoric is destroying the party (the article's first line) |
//! | `headline-verb` | Sanders Says He's Already Writing His Inaugural (a title-case first line) |

use std::ops::Range;

use super::lexicon::{self, Stance, PARTICLE_VERBS, SPEECH_VERBS};
use super::phrase::{source_after, source_before, subject_description, SourceKind, SourcePhrase, Tokens};
use super::quotes::{is_full_quote, Quote};

/// Where an attribution without a source of its own takes its speaker from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inherit {
    /// It has its own source phrase.
    No,
    /// From the previous attribution in the same paragraph.
    Paragraph,
    /// From the last attribution of the previous paragraph.
    PreviousParagraph,
}

/// An attribution found in one paragraph; spans are byte offsets into the paragraph text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What was said.
    pub content: (usize, usize),
    /// The cue words.
    pub cue: Option<(usize, usize)>,
    /// The source phrase, with its token range.
    pub source: Option<SourcePhrase>,
    /// Whether the content is a direct quotation.
    pub direct: bool,
    /// The rule's name.
    pub rule: &'static str,
    /// Where the speaker comes from when `source` is `None`.
    pub inherit: Inherit,
}

/// What a paragraph leaves open for the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carry {
    /// The paragraph ends inside a quotation.
    pub open_quote: bool,
    /// The paragraph ends "X wrote:", introducing the next paragraph.
    pub colon_intro: Option<(SourcePhrase, (usize, usize))>,
}

/// The attributions of one paragraph.
pub struct ParagraphAttributions {
    /// Attributions in text order.
    pub found: Vec<Found>,
    /// What carries into the next paragraph.
    pub carry: Carry,
}

/// Longest distance in tokens between a closing quote mark and its cue verb: room for a
/// long source with an apposition ("Brent Bozell III, founder of the Media Research
/// Center, said").
const MAX_TAIL_TOKENS: usize = 30;

/// Finds the attributions of a body paragraph. `previous` is what the paragraph before
/// left open; `headline` says the paragraph is the article's first line.
pub fn find(
    t: &Tokens,
    sentences: &[Range<usize>],
    quotes: &[Quote],
    previous: &Carry,
    headline: bool,
) -> ParagraphAttributions {
    let mut found = Vec::new();
    let mut used = vec![false; t.spans.len()];
    let in_quote = quote_membership(t, quotes);
    let headline_rule = || headline_colon(t).or_else(|| headline_verb(t));
    if let Some(f) = transcript_line(t).or_else(|| headline.then(headline_rule).flatten()) {
        mark(&mut used, 0..t.spans.len());
        found.push(f);
    }
    for (qi, q) in quotes.iter().enumerate() {
        let transcript =
            found.iter().any(|f: &Found| matches!(f.rule, "transcript" | "headline-colon" | "headline-verb"));
        if transcript || !is_full_quote(t.text, q) || !opens_clause(t, q) {
            // Words woven into the writer's sentence are content of an indirect
            // attribution (`mixed-quote`), found per sentence below.
            continue;
        }
        let content = (q.content_start, q.content_end);
        // `direct` follows the convention of double quote marks; quotations in doubled
        // apostrophes are attributed the same way but not flagged direct.
        let direct = !q.apostrophe_marks;
        let next_open = quotes.get(qi + 1).map_or(t.spans.len(), |n| t.first_at(n.open));
        let own = quote_tail(t, q, next_open, &in_quote).or_else(|| quote_head(t, q, sentences, &in_quote));
        let f = match own {
            Some((source, cue, cue_tokens, rule)) => {
                mark(&mut used, cue_tokens);
                mark(&mut used, source.tokens.clone());
                Found { content, cue: Some(cue), source: Some(source), direct, rule, inherit: Inherit::No }
            }
            None => match inherited_rule(t, q, qi, &found, previous) {
                Some((rule, inherit, intro)) => Found {
                    content,
                    cue: intro.as_ref().map(|(_, cue)| *cue),
                    source: intro.map(|(s, _)| s),
                    direct,
                    rule,
                    inherit,
                },
                None => continue,
            },
        };
        found.push(f);
    }
    for sentence in sentences {
        // "according to X" frames its whole sentence, whatever verbs stand in it ("The group
        // has called for attacks, according to the SITE Intelligence Group"): it is read
        // first, and its words are no other cue's content or source.
        if let Some((f, taken)) = according_in(t, sentence.clone(), &used, &in_quote) {
            mark(&mut used, taken);
            found.push(f);
        }
        // Several attributions may share a sentence ("X, who asked the question, was among
        // the Democrats who said ..."): scan on after each one's cue.
        let mut from = sentence.start;
        while let Some((f, next)) = sentence_cue(t, sentence.clone(), from, &used, &in_quote, quotes) {
            found.push(f);
            from = next;
        }
    }
    found.sort_by_key(|f| f.content.0);
    let carry = Carry {
        open_quote: quotes.last().is_some_and(|q| q.close.is_none()),
        colon_intro: colon_intro_at_end(t, sentences, &in_quote),
    };
    ParagraphAttributions { found, carry }
}

fn mark(used: &mut [bool], range: Range<usize>) {
    for u in &mut used[range] {
        *u = true;
    }
}

/// Whether a quote stands for itself rather than being words woven into the writer's
/// sentence: it opens the paragraph or continues an open quotation, or follows the end of
/// a sentence, a colon, a dash, another quote, a speech verb, or a comma right after a
/// speech verb phrase ("Clinton said Tuesday, “...”").
fn opens_clause(t: &Tokens, q: &Quote) -> bool {
    let Some(prev) = t.end_before(q.open).checked_sub(1) else { return true };
    if q.content_start == 0 {
        return true;
    }
    match t.word(prev) {
        "." | "!" | "?" | ":" | ";" | "\u{2014}" | "\u{2013}" | "-" | "--" | "\u{201d}" | "\"" | "(" | "[" => true,
        "," => (prev.saturating_sub(4)..prev).any(|k| cue_at(t, k).is_some()),
        _ => {
            cue_at(t, prev).is_some()
                || prev.checked_sub(1).and_then(|k| cue_at(t, k)).is_some_and(|c| c.end == prev + 1)
        }
    }
}

/// For each token, whether it lies inside quoted words (of any quote). Quotes come in
/// text order without overlap, so a binary search finds the one quote that can hold a
/// token (a scan over all quotes made long quote-heavy paragraphs quadratic).
fn quote_membership(t: &Tokens, quotes: &[Quote]) -> Vec<bool> {
    t.spans
        .iter()
        .map(|&(s, e)| {
            let candidate = quotes.partition_point(|q| q.content_start <= s).checked_sub(1);
            candidate.is_some_and(|i| e <= quotes[i].content_end)
        })
        .collect()
}

/// Whether token `i` is a cue; returns the token range of the cue words.
fn cue_at(t: &Tokens, i: usize) -> Option<Range<usize>> {
    let w = t.word(i);
    // Verbs are lowercase in running text: "States" in "the United States" is no cue.
    if !w.starts_with(|c: char| c.is_ascii_lowercase()) || !lexicon::CUE_VERB_SHAPES.may_hold(w) {
        return None;
    }
    if lexicon::contains(SPEECH_VERBS, w) {
        return Some(i..i + 1);
    }
    let next = *t.spans.get(i + 1)?;
    let particle = &t.text[next.0..next.1];
    let mut buf = [0u8; 32];
    let lower = lexicon::fold(w, &mut buf)?;
    PARTICLE_VERBS.binary_search(&(lower, particle)).ok().map(|_| i..i + 2)
}

/// A stance verb in the company that makes it a cue (see [`lexicon::Stance`]): for
/// indirect speech only, never next to a direct quote. Returns the cue's tokens and
/// whether the source must be a document (a finding without "that").
fn stance_cue(t: &Tokens, i: usize, limit: usize, in_quote: &[bool]) -> Option<(Range<usize>, bool)> {
    let w = t.word(i);
    // Cheap tests first: this runs on every word that is no speech verb. The table's
    // words are 4 to 9 lowercase letters, so no case folding is needed.
    if i + 1 >= limit || !(4..=9).contains(&w.len()) || !w.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let stance = lexicon::STANCE_VERBS.binary_search_by(|(k, _)| k.cmp(&w)).ok().map(|j| lexicon::STANCE_VERBS[j].1)?;
    let next = t.word(i + 1);
    let that = next == "that";
    match stance {
        Stance::Thought if that || lexicon::contains(lexicon::SUBJECT_PRONOUNS, next) => Some((i..i + 1, false)),
        Stance::Thought => {
            // "thinks Clinton will win": a name opens the clause.
            next.starts_with(|c: char| c.is_ascii_uppercase()).then_some((i..i + 1, false))
        }
        Stance::Evidence if that => Some((i..i + 1, false)),
        // "..., the poll found.": a finding closing the sentence reports what came before.
        Stance::Evidence if matches!(next, "." | ",") => Some((i..i + 1, true)),
        Stance::Evidence => next.starts_with(|c: char| c.is_alphanumeric()).then_some((i..i + 1, true)),
        Stance::Infinitive => (next == "to").then_some((i..i + 1, false)),
        Stance::Naming => {
            // "called the plan “a disaster”": a quotation within a few words, same clause.
            (i + 1..limit.min(i + 7))
                .take_while(|&k| !matches!(t.word(k), "," | "." | ";" | ":" | "?" | "!"))
                .any(|k| in_quote[k])
                .then_some((i..i + 1, false))
        }
    }
}

fn span_of(t: &Tokens, range: Range<usize>) -> (usize, usize) {
    (t.spans[range.start].0, t.spans[range.end - 1].1)
}

type OwnSource = (SourcePhrase, (usize, usize), Range<usize>, &'static str);

/// `“...,” Franken said` or `“...,” said Franken` right after the closing mark.
fn quote_tail(t: &Tokens, q: &Quote, limit: usize, in_quote: &[bool]) -> Option<OwnSource> {
    q.close?;
    let mut a = t.first_at(q.after(t.text));
    if a < limit && t.word(a) == "," {
        a += 1;
    }
    if a >= limit {
        return None;
    }
    let closed_sentence = t.text[q.content_start..q.content_end].trim_end().ends_with('.');
    if let Some(cue) = cue_at(t, a) {
        let source = source_after(t, cue.end, limit)?;
        return Some((source, span_of(t, cue.clone()), cue, "quote-said-name"));
    }
    let window_end = limit.min(a + MAX_TAIL_TOKENS);
    let k =
        (a + 1..window_end).take_while(|&k| !ends_sentence(t, k) && !in_quote[k]).find(|&k| cue_at(t, k).is_some())?;
    let cue = cue_at(t, k)?;
    let source = source_before(t, k, a)?;
    // The phrase must start at the closing mark; plain words before a name belong to it
    // ("Daily News opinion editor Josh Greenman told").
    let gap = a..source.tokens.start;
    let plain = |i: usize| t.word(i).chars().all(char::is_alphabetic);
    let gap_is_description = gap.len() <= 6 && gap.clone().all(plain);
    // "Sanders's campaign manager, Jeff Weaver, said": a description, then the name.
    let gap_is_apposition =
        gap.len() <= 8 && gap.clone().all(|i| plain(i) || t.word(i) == "," || t.is_possessive_mark(i));
    let source = match source.kind {
        _ if gap.is_empty() => source,
        SourceKind::Name { name, .. } if gap_is_description => {
            SourcePhrase { tokens: a..source.tokens.end, kind: SourceKind::Name { prefix: a..name.start, name } }
        }
        SourceKind::Name { .. } if gap_is_apposition => source,
        _ => return None,
    };
    if closed_sentence && opens_new_clause(t, cue.end, limit) {
        // `“... the end.” Rubio said he does support it.`: the quote closed its sentence
        // and the verb has content of its own.
        return None;
    }
    Some((source, span_of(t, cue.clone()), cue, "quote-name-said"))
}

/// Whether token `k` ends a sentence: a period of an abbreviation before a comma or a
/// lowercase word ("Rep. Earl Blumenauer (D-Ore.) said") does not.
fn ends_sentence(t: &Tokens, k: usize) -> bool {
    match t.word(k) {
        "!" | "?" | ";" => true,
        "." => t.spans.get(k + 1).is_none_or(|_| !crate::tagger::continues_sentence(t.word(k + 1))),
        _ => false,
    }
}

/// Whether the words after a cue ending at token `after` start a reported clause
/// ("said he would", "said that", "said the plan") rather than ending the sentence or
/// adding circumstances ("said.", "said in a statement").
fn opens_new_clause(t: &Tokens, after: usize, limit: usize) -> bool {
    let mut i = after;
    while i < limit && is_cue_trailer(t.word(i)) && !t.word(i).eq_ignore_ascii_case("that") {
        i += 1;
    }
    i < limit && {
        let w = t.word(i);
        w.eq_ignore_ascii_case("that")
            || w.eq_ignore_ascii_case("there")
            || w.eq_ignore_ascii_case("it")
            || lexicon::lookup(lexicon::PRONOUNS, w).is_some()
            || (lexicon::contains(lexicon::DETERMINERS, w) && !w.eq_ignore_ascii_case("one"))
    }
}

/// `Warren said: “...”`, `Warren said, “...”`, `Warren said “...”` before the opening mark.
fn quote_head(t: &Tokens, q: &Quote, sentences: &[Range<usize>], in_quote: &[bool]) -> Option<OwnSource> {
    let b = t.end_before(q.open);
    let mut k = b.checked_sub(1)?;
    let colon = t.word(k) == ":";
    if colon || t.word(k) == "," {
        k = k.checked_sub(1)?;
    }
    if t.word(k).eq_ignore_ascii_case("that") {
        k = k.checked_sub(1)?;
    }
    // The cue may be a particle verb ("called for") ending at k.
    let adjacent = cue_at(t, k).or_else(|| k.checked_sub(1).and_then(|j| cue_at(t, j).filter(|c| c.end == k + 1)));
    let floor = sentences.iter().find(|s| s.contains(&k)).map_or(0, |s| s.start);
    let Some(cue) = adjacent else {
        // "Carly Fiorina wrote on Facebook: “...”", "he gave a blunt answer: “...”": a
        // colon introduces the quote, and the clause before it names the speaker.
        return if colon {
            colon_clause(t, floor, k + 1, in_quote).map(|(s, c, r)| (s, c, r, "colon-intro"))
        } else {
            None
        };
    };
    if in_quote[cue.start] {
        return None;
    }
    match source_before(t, cue.start, floor) {
        Some(source) => {
            let rule = if colon { "colon-intro" } else { "name-said-quote" };
            Some((source, span_of(t, cue.clone()), cue, rule))
        }
        None if colon => colon_clause(t, floor, k + 1, in_quote).map(|(s, c, r)| (s, c, r, "colon-intro")),
        None => None,
    }
}

/// The source and cue of a clause `from..colon` that ends in a colon introducing a
/// quotation: the last speech verb in it with its source, or else the clause's subject
/// (a name, pronoun or description opening the clause and followed by a verb), with
/// the colon as the cue.
fn colon_clause(
    t: &Tokens,
    from: usize,
    colon: usize,
    in_quote: &[bool],
) -> Option<(SourcePhrase, (usize, usize), Range<usize>)> {
    if colon <= from || colon >= t.spans.len() {
        return None;
    }
    let subject = || {
        let mut start = from;
        while start < colon && (lexicon::contains(lexicon::NOT_NAMES, t.word(start)) || t.word(start) == ",") {
            start += 1;
        }
        let source = source_after(t, start, colon)?;
        let next = source.tokens.end;
        let verb_follows = next < colon && t.word(next).chars().next().is_some_and(char::is_lowercase);
        verb_follows.then_some(source)
    };
    if let Some(k) = (from..colon).rev().find(|&k| !in_quote[k] && cue_at(t, k).is_some()) {
        let cue = cue_at(t, k)?;
        // "X rallied supporters, saying:": the participle's subject opens the clause.
        let participle = t.word(k).ends_with("ing") && k > from && t.word(k - 1) == ",";
        let source = if participle { subject() } else { source_before(t, k, from) };
        if let Some(source) = source {
            return Some((source, span_of(t, cue.clone()), cue));
        }
    }
    subject().map(|source| (source, span_of(t, colon..colon + 1), colon..colon + 1))
}

type InheritedRule = (&'static str, Inherit, Option<(SourcePhrase, (usize, usize))>);

/// A quote with no cue of its own: a continuation inside the paragraph, or a paragraph
/// that opens with a quote right after an attributed one.
fn inherited_rule(t: &Tokens, q: &Quote, qi: usize, found: &[Found], previous: &Carry) -> Option<InheritedRule> {
    if qi > 0 && !found.is_empty() {
        return Some(("quote-continued", Inherit::Paragraph, None));
    }
    let opens_paragraph = t.text[..q.open].trim().is_empty();
    if !opens_paragraph || has_own_attribution(t, q) {
        return None;
    }
    if previous.colon_intro.is_some() {
        // The source phrase sits in the previous paragraph, which resolved its speaker.
        return Some(("colon-intro", Inherit::PreviousParagraph, None));
    }
    if previous.open_quote {
        return Some(("multi-paragraph-quote", Inherit::PreviousParagraph, None));
    }
    Some(("floating-quote", Inherit::PreviousParagraph, None))
}

/// Whether a quote opening a paragraph shows signs of an attribution of its own that the
/// rules could not read (`“...,” the tycoon recalled.`): it ends in a comma, or a speech
/// verb follows it. Such a quote is not the previous speaker's.
fn has_own_attribution(t: &Tokens, q: &Quote) -> bool {
    let ends_with_comma = t.text[q.content_start..q.content_end].trim_end().ends_with(',');
    ends_with_comma || (t.first_at(q.after(t.text))..t.spans.len()).any(|k| cue_at(t, k).is_some())
}

/// `TRUMP: We're going to win.`: an all-capitals name and a colon opening the paragraph.
fn transcript_line(t: &Tokens) -> Option<Found> {
    let colon = (0..t.spans.len().min(4)).find(|&i| t.word(i) == ":")?;
    let name_ok = colon > 0
        && (0..colon).all(|i| {
            let w = t.word(i);
            w.chars().any(char::is_alphabetic) && w.chars().all(|c| !c.is_lowercase()) && w.len() > 1
        });
    let content_start = *t.spans.get(colon + 1)?;
    if !name_ok || t.spans.len() < colon + 3 {
        return None;
    }
    let source =
        SourcePhrase { tokens: 0..colon, kind: super::phrase::SourceKind::Name { name: 0..colon, prefix: 0..0 } };
    Some(Found {
        content: (content_start.0, t.text.trim_end().len()),
        cue: Some(t.spans[colon]),
        source: Some(source),
        direct: true,
        rule: "transcript",
        inherit: Inherit::No,
    })
}

/// Longest source before a headline's colon, in tokens.
const MAX_HEADLINE_SOURCE: usize = 5;

/// `Graham: Trump's rhetoric is destroying the party.`: a headline whose first words,
/// capitalised, name who says the rest. Headline-style titles start this way; a leading
/// article ("The Ninth Circle: ...") makes it a title of another kind.
fn headline_colon(t: &Tokens) -> Option<Found> {
    let colon = (1..t.spans.len().min(MAX_HEADLINE_SOURCE + 1)).find(|&i| t.word(i) == ":")?;
    let words_ok = (0..colon).all(|i| t.is_capitalised(i) || t.is_possessive_mark(i) || t.word(i) == ".");
    if !words_ok || t.word(0).eq_ignore_ascii_case("the") || t.word(0).eq_ignore_ascii_case("a") {
        return None;
    }
    let content_start = t.spans.get(colon + 1)?.0;
    if t.spans.len() < colon + 3 {
        return None;
    }
    let kind = if colon == 1 && lexicon::contains(lexicon::DOCUMENT_HEADS, t.word(0)) {
        SourceKind::Document
    } else {
        source_after(t, 0, colon).filter(|s| s.tokens == (0..colon))?.kind
    };
    Some(Found {
        content: (content_start, t.text.trim_end().len()),
        cue: Some(t.spans[colon]),
        source: Some(SourcePhrase { tokens: 0..colon, kind }),
        direct: false,
        rule: "headline-colon",
        inherit: Inherit::No,
    })
}

/// Title-case words before a headline's verb that show no name stands there ("Trump
/// Just Responded"). Sorted, for binary search.
const HEADLINE_FILLERS: &[&str] =
    &["can", "could", "finally", "got", "has", "have", "just", "may", "not", "to", "will"];

/// Words right after a headline's verb that show it takes an object, not a reported
/// clause ("Accused Of", "Says No To"). Sorted, for binary search.
const NO_CLAUSE: &[&str] = &["about", "for", "herself", "himself", "no", "of", "to", "with"];

/// `Sanders Says He's Already Writing His Inaugural`: a title-case headline whose first
/// words name a source and whose speech verb is capitalised like every other word (in
/// running text a capitalised verb is no cue, see [`cue_at`]).
fn headline_verb(t: &Tokens) -> Option<Found> {
    let verb = (1..t.spans.len().min(MAX_HEADLINE_SOURCE + 1))
        .find(|&i| t.is_capitalised(i) && lexicon::contains(SPEECH_VERBS, t.word(i)))?;
    if t.spans.len() < verb + 3 {
        return None;
    }
    // Title case hides which words are names: "Trump Just Responded To ..." has no
    // source, and "Accuses X Of", "Says No To" report an object, not a clause.
    if (0..verb).any(|i| lexicon::contains(HEADLINE_FILLERS, t.word(i)))
        || (verb + 1..t.spans.len().min(verb + 3)).any(|i| lexicon::contains(NO_CLAUSE, t.word(i)))
    {
        return None;
    }
    let content_start = t.spans[verb + 1].0;
    let source = source_after(t, 0, verb).filter(|s| s.tokens == (0..verb))?;
    Some(Found {
        content: (content_start, t.text.trim_end().len()),
        cue: Some(t.spans[verb]),
        source: Some(source),
        direct: false,
        rule: "headline-verb",
        inherit: Inherit::No,
    })
}

/// A paragraph that ends with "X said:", "X wrote on Facebook:" or "The foundation
/// describes itself this way:" introduces the next paragraph.
fn colon_intro_at_end(
    t: &Tokens,
    sentences: &[Range<usize>],
    in_quote: &[bool],
) -> Option<(SourcePhrase, (usize, usize))> {
    let n = t.spans.len();
    if n < 3 || t.word(n - 1) != ":" {
        return None;
    }
    let from = sentences.iter().find(|s| s.contains(&(n - 1))).map_or(0, |s| s.start);
    colon_clause(t, from, n - 1, in_quote).map(|(source, cue, _)| (source, cue))
}

/// Words between a cue and its content that belong to neither ("said Wednesday that").
fn is_cue_trailer(word: &str) -> bool {
    const TRAILERS: &[&str] = &[
        "friday",
        "monday",
        "on",
        "reporters",
        "saturday",
        "sunday",
        "that",
        "thursday",
        "to",
        "today",
        "tuesday",
        "wednesday",
        "yesterday",
    ];
    lexicon::contains(TRAILERS, word)
}

/// Cue verbs whose object is the hearer ("told reporters", "assured donors").
const HEARER_VERBS: &[&str] = &[
    "assured",
    "assures",
    "convinced",
    "informed",
    "reassured",
    "reminded",
    "reminds",
    "tell",
    "telling",
    "tells",
    "told",
    "warned",
    "warning",
    "warns",
];

/// Whether the words right after a cue are circumstances or a hearer that a later "that"
/// closes ("said in a memo Tuesday that", "told reporters that", "assured donors that"),
/// not the start of the reported clause itself ("said Clinton ran a race that").
fn leads_to_that(t: &Tokens, cue: Range<usize>) -> bool {
    const OPENERS: &[&str] = &[
        "after",
        "again",
        "also",
        "as",
        "at",
        "before",
        "by",
        "during",
        "earlier",
        "for",
        "from",
        "in",
        "last",
        "late",
        "later",
        "often",
        "over",
        "privately",
        "publicly",
        "recently",
        "repeatedly",
        "since",
        "this",
        "through",
        "to",
        "under",
        "via",
        "when",
        "while",
        "with",
    ];
    let Some(&(s, e)) = t.spans.get(cue.end) else { return false };
    let next = &t.text[s..e];
    lexicon::contains(HEARER_VERBS, t.word(cue.start)) || lexicon::contains(OPENERS, next) || is_cue_trailer(next)
}

/// Indirect speech and woven quotes: a cue in a sentence with a source before it (or after
/// "according to"); the content runs from the cue to the end of the sentence.
/// Returns the attribution and the token to scan on from.
fn sentence_cue(
    t: &Tokens,
    sentence: Range<usize>,
    from: usize,
    used: &[bool],
    in_quote: &[bool],
    quotes: &[Quote],
) -> Option<(Found, usize)> {
    let end = trim_sentence_end(t, sentence.clone());
    if from == sentence.start {
        if let Some(f) = in_document(t, sentence.start, end, used) {
            return Some((f, sentence.end));
        }
    }
    for k in from..sentence.end {
        if used[k] || in_quote[k] {
            continue;
        }
        if is_according_to(t, k) {
            continue;
        }
        let (cue, needs_document) = match cue_at(t, k) {
            Some(cue) => (cue, false),
            None => match stance_cue(t, k, sentence.end, in_quote) {
                Some(found) => found,
                None => continue,
            },
        };
        let from_document = |f: &Found| f.source.as_ref().is_some_and(|s| matches!(s.kind, SourceKind::Document));
        if let Some(f) =
            inverted(t, sentence.clone(), end, cue.clone(), used).filter(|f| !needs_document || from_document(f))
        {
            return Some((f, sentence.end));
        }
        let (source, rule) = if let Some(who) = relative_who(t, sentence.start, k) {
            (Some(who), "relative-cue")
        } else if k > sentence.start && t.word(k - 1).eq_ignore_ascii_case("who") {
            // Only "X was among the Democrats who said": the subject, not the group, spoke.
            let among = (sentence.start..k).any(|i| t.word(i).eq_ignore_ascii_case("among"));
            if among {
                (source_after(t, sentence.start, k), "relative-cue")
            } else {
                // "voters who said ...": PolNeAR's source is the relative pronoun.
                (Some(SourcePhrase { tokens: k - 1..k, kind: SourceKind::Relative }), "relative-cue")
            }
        } else if t.word(k).ends_with("ing") && k > sentence.start && t.word(k - 1) == "," {
            (subject_of(t, sentence.start, k), "participle-cue")
        } else if let Some(conjunction) = conjunction_before(t, k, sentence.start) {
            // "Reid caucused on Saturday and says he voted": the sentence's subject speaks.
            (subject_of(t, sentence.start, conjunction), "conjoined-cue")
        } else {
            (source_before(t, k, sentence.start).or_else(|| modified_subject(t, sentence.start, k)), "name-said-that")
        };
        let Some(source) = source else { continue };
        if needs_document && !matches!(source.kind, SourceKind::Document) {
            continue;
        }
        // A relative clause ends at its closing comma: "Weaver, who asked the question, was".
        let end = if rule == "relative-cue" { (cue.end..end).find(|&i| t.word(i) == ",").unwrap_or(end) } else { end };
        let end = next_clause_attribution(t, cue.end, end, in_quote).unwrap_or(end);
        let mut c = cue.end;
        while c < end && is_cue_trailer(t.word(c)) {
            c += 1;
        }
        // "said during a town hall event Wednesday that ...": the content starts after "that".
        // Only across circumstances or a hearer: in "says Clinton ran a campaign that won"
        // the clause starts at once and its "that" is a relative pronoun.
        let that = (c..end.min(c + 12))
            .take_while(|&i| !matches!(t.word(i), "," | "\"" | "\u{201c}" | ";"))
            .find(|&i| t.word(i) == "that")
            .filter(|&that| that == c || leads_to_that(t, cue.clone()));
        if let Some(that) = that {
            c = that + 1;
        }
        if c + 2 > end || used[c..end].iter().any(|&u| u) {
            continue;
        }
        let mut content = span_of(t, c..end);
        if in_quote[end - 1] {
            // The sentence ended inside a quotation woven into it: the content runs to the
            // quotation's end ("He said Cruz “has courage. He’s not only unafraid.”").
            if let Some(q) = quotes.iter().find(|q| q.content_start <= content.1 && content.1 <= q.content_end) {
                content.1 = q.content_end;
            }
        }
        let woven = quotes.iter().any(|q| q.content_start >= content.0 && q.content_end <= content.1);
        // `X said, “...”` that the quote rules could not read: the quotation is all the
        // content, a direct quote. Only when the clause opens the sentence and the quote
        // follows the cue at once: in "Instead, X said, “...”" the content starts before
        // the cue, and "said that “...”" is indirect speech.
        let opens_sentence = (sentence.start..source.tokens.start).all(|i| t.word(i) != ",");
        let whole = (rule == "name-said-that" && opens_sentence)
            .then(|| whole_quote(t.text, content, quotes))
            .flatten()
            .filter(|q| only_marks(&t.text[t.spans[cue.end - 1].1..q.open]));
        let (content, direct, rule) = match whole {
            Some(q) if rule == "name-said-that" => ((q.content_start, q.content_end), true, "name-said-quote"),
            _ if woven && rule == "name-said-that" => (content, false, "mixed-quote"),
            _ => (content, false, rule),
        };
        let f = Found { content, cue: Some(span_of(t, cue)), source: Some(source), direct, rule, inherit: Inherit::No };
        return Some((f, end.max(k + 1)));
    }
    None
}

/// Longest source phrase looked for at the start of a joined clause ("but the former
/// secretary of state also warned").
const MAX_JOINED_SOURCE_TOKENS: usize = 8;

/// The comma where a clause joined by a conjunction starts an attribution of its own
/// within `from..end`: "X said A, but he also warned B", "..., and Rubio railed against
/// B". The content of the first cue ends there, and the scan goes on from it.
fn next_clause_attribution(t: &Tokens, from: usize, end: usize, in_quote: &[bool]) -> Option<usize> {
    const JOINERS: &[&str] = &["although", "and", "but", "though", "while", "whereas", "yet"];
    (from..end.saturating_sub(2)).find(|&j| {
        let clause = j + 2;
        !in_quote[j]
            && t.word(j) == ","
            && lexicon::contains(JOINERS, t.word(j + 1))
            && (clause + 1..end.min(clause + MAX_JOINED_SOURCE_TOKENS)).any(|m| {
                !in_quote[m]
                    && cue_at(t, m).is_some()
                    && source_before(t, m, clause).is_some_and(|s| s.tokens.start == clause)
            })
    })
}

/// The quotation in double marks that is all of `content` but for punctuation around its
/// marks (", “...”").
fn whole_quote<'q>(text: &str, content: (usize, usize), quotes: &'q [Quote]) -> Option<&'q Quote> {
    // Quotes come in text order: only the first one at or after the content's start can be it.
    let q = quotes[quotes.partition_point(|q| q.open < content.0)..].first()?;
    let whole = !q.apostrophe_marks
        && q.content_end <= content.1
        && only_marks(&text[content.0..q.content_start])
        && only_marks(&text[q.content_end..content.1])
        && is_full_quote(text, q);
    whole.then_some(q)
}

/// Whether `s` holds only spaces, quote marks and the punctuation next to them.
fn only_marks(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || matches!(c, ',' | ':' | '.' | '"' | '\u{201c}' | '\u{201d}'))
}

/// Inverted indirect speech: "..., said David Autor, a professor." or "..., Autor said."
/// The content is the clause before the comma; when the source and cue stand between
/// commas mid-sentence ("This campaign, he says, is different") it is the whole sentence.
fn inverted(t: &Tokens, sentence: Range<usize>, end: usize, cue: Range<usize>, used: &[bool]) -> Option<Found> {
    let k = cue.start;
    let mut aside = false;
    let (source, comma) = if k > sentence.start + 1 && t.word(k - 1) == "," {
        if t.word(k).ends_with("ing") || is_cue_trailer(t.word(cue.end.min(end.saturating_sub(1)))) {
            return None;
        }
        let source = source_after(t, cue.end, end)?;
        // The source closes the sentence, or an apposition or a time follows it; anything
        // else means the verb has its own content ("X, who is 28, said he decided").
        let after = source.tokens.end;
        if after < end && t.word(after) != "," && !is_cue_trailer(t.word(after)) {
            return None;
        }
        (source, k - 1)
    } else {
        let mut c = cue.end;
        while c < end && is_cue_trailer(t.word(c)) {
            c += 1;
        }
        aside = is_aside_end(t, c, end);
        // "..., the mayor said, adding that ...": the participle starts an attribution of
        // its own; this one ends at the cue.
        let participle_follows = c + 1 < end && t.word(c) == "," && t.word(c + 1).ends_with("ing");
        if c < end && !aside && !participle_follows && !closes_with_circumstance(t, cue.clone(), c, end) {
            return None;
        }
        let source = source_before(t, k, sentence.start)?;
        let mut comma = source.tokens.start.checked_sub(1)?;
        if matches!(t.word(comma), "\u{201d}" | "\"" | "''" | "\u{2019}\u{2019}") && comma > sentence.start {
            // `a "very welcome tack," he said.`: the comma sits inside the closing mark
            // (doubled apostrophes in NYT copy: `a ''welcome tack,'' he said.`).
            comma -= 1;
        }
        if matches!(source.kind, SourceKind::Group | SourceKind::Document) {
            // "..., former officials said.", "..., court records show.": a group's or a
            // document's adjectives stand before its head.
            comma = (comma.saturating_sub(2).max(sentence.start)..=comma)
                .rev()
                .take_while(|&i| t.word(i) == "," || t.word(i).starts_with(|c: char| c.is_ascii_lowercase()))
                .find(|&i| t.word(i) == ",")
                .unwrap_or(comma);
        }
        if comma <= sentence.start || t.word(comma) != "," {
            return None;
        }
        (source, comma)
    };
    let mut start = sentence.start;
    while start < comma && matches!(t.word(start), "\"" | "\u{201c}" | "'") {
        start += 1;
    }
    let content_end = if aside { end } else { comma };
    if comma < start + 3 && !(aside && content_end >= start + 4) || used[start..content_end].iter().any(|&u| u) {
        return None;
    }
    Some(Found {
        content: span_of(t, start..content_end),
        cue: Some(span_of(t, cue)),
        source: Some(source),
        direct: false,
        rule: "inverted-said",
        inherit: Inherit::No,
    })
}

/// Whether a comma at token `c` right after a cue closes an aside inside the sentence
/// ("This campaign, he says, is different"): the sentence goes on with its own words, not
/// a participle adding a second attribution ("X said, adding that") or a quotation.
fn is_aside_end(t: &Tokens, c: usize, end: usize) -> bool {
    c + 2 < end && t.word(c) == "," && {
        let next = t.word(c + 1);
        !next.ends_with("ing") && !matches!(next, "\"" | "\u{201c}" | "according")
    }
}

/// Whether the words `from..end` after a cue, closing the sentence, only say to whom or
/// where it was said ("told The New York Times.", "said in a statement."), leaving the
/// verb without content of its own.
fn closes_with_circumstance(t: &Tokens, cue: Range<usize>, from: usize, end: usize) -> bool {
    const PLACES: &[&str] = &["at", "during", "in", "on", "to", "via", "with"];
    if from >= end || end - from > MAX_CIRCUMSTANCE_TOKENS {
        return false;
    }
    let plain = (from..end).all(|i| t.word(i).chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-'));
    let first = t.word(from);
    let opens_noun_phrase =
        |i: usize| i < end && (t.is_capitalised(i) || lexicon::contains(lexicon::DETERMINERS, t.word(i)));
    let hearer =
        lexicon::contains(HEARER_VERBS, t.word(cue.start)) && (opens_noun_phrase(from) || first == "reporters");
    let place = lexicon::contains(PLACES, first) && opens_noun_phrase(from + 1);
    plain && (hearer || place)
}

/// Longest circumstance phrase closing an inverted attribution ("told the Des Moines
/// Register on Friday").
const MAX_CIRCUMSTANCE_TOKENS: usize = 7;

/// The subject of a clause starting at token `from`, before token `limit`: the source
/// phrase opening it (after an introductory phrase up to its comma, "In April, Trump
/// ..."), followed by a lowercase word, its verb.
fn subject_of(t: &Tokens, from: usize, limit: usize) -> Option<SourcePhrase> {
    let mut start = from;
    let first = t.word(from);
    if lexicon::contains(lexicon::CLAUSE_OPENERS, first) || first.ends_with("ing") {
        start = (from..limit).find(|&i| t.word(i) == ",")? + 1;
    }
    let source = match subject_description(t, start, limit) {
        Some(description) => description,
        None => {
            while start < limit && (lexicon::contains(lexicon::NOT_NAMES, t.word(start)) || t.word(start) == ",") {
                start += 1;
            }
            source_after(t, start, limit)?
        }
    };
    let next = source.tokens.end;
    let verb_follows = next < limit && t.word(next).starts_with(|c: char| c.is_lowercase());
    verb_follows.then_some(source)
}

/// Longest run of modifiers between a subject and its cue ("Democrats in Iowa who watched
/// the Saturday debate said").
const MAX_SUBJECT_MODIFIER_TOKENS: usize = 16;

/// The sentence's subject as the source of a cue at token `k` when the words right before
/// the cue are no source but modify the subject ("People with knowledge of the group's
/// activities said", "Republican activists clamoring to block Trump say"). No other
/// clause may stand in between: no conjunction, auxiliary ("was charged", "are so opposed
/// that"), quotation or second cue, and no infinitive ("refused to say").
fn modified_subject(t: &Tokens, from: usize, k: usize) -> Option<SourcePhrase> {
    const BREAKS: &[&str] = &[
        "and", "are", "be", "been", "but", "can", "could", "had", "has", "have", "is", "not", "or", "than", "to",
        "was", "were", "will", "would",
    ];
    let plain = |i: usize| {
        let w = t.word(i);
        (w.starts_with(|c: char| c.is_alphanumeric()) || t.is_possessive_mark(i) || w == ",")
            && !lexicon::contains(BREAKS, w)
            && cue_at(t, i).is_none()
    };
    if k == from || !plain(k - 1) {
        return None;
    }
    let source = subject_of(t, from, k)?;
    // One capitalised word opening the sentence may be any noun ("Assessments by U.S.
    // agencies found"): too weak a name to reach across modifiers.
    let lone_word = matches!(&source.kind, SourceKind::Name { name, .. } if name.len() == 1 && name.start == from);
    if lone_word || matches!(source.kind, SourceKind::Pronoun(_)) {
        return None;
    }
    let gap = source.tokens.end..k;
    (gap.len() <= MAX_SUBJECT_MODIFIER_TOKENS && gap.clone().all(plain)).then_some(source)
}

/// The "and", "but" or "then" joining a cue at token `k` to an earlier verb of the same
/// subject ("X met the mayor and said", "X declined, but told reporters").
fn conjunction_before(t: &Tokens, k: usize, floor: usize) -> Option<usize> {
    let mut j = k;
    while j > floor && lexicon::contains(lexicon::SOURCE_VERB_FILLERS, t.word(j - 1)) {
        j -= 1;
    }
    let conjunction = j.checked_sub(1).filter(|&c| c > floor + 1)?;
    matches!(t.word(conjunction), "and" | "but" | "then").then_some(conjunction)
}

/// ", who said ...": PolNeAR's source is the relative pronoun; the speaker is the name
/// before the comma.
fn relative_who(t: &Tokens, floor: usize, k: usize) -> Option<SourcePhrase> {
    let who = k.checked_sub(1).filter(|&w| w > floor + 1 && t.word(w).eq_ignore_ascii_case("who"))?;
    if t.word(who - 1) != "," {
        return None;
    }
    let antecedent = source_before(t, who - 1, floor)?;
    match antecedent.kind {
        SourceKind::Name { name, prefix } => {
            // Only when the name ends right at the comma: "Weaver, who said".
            (antecedent.tokens.end == who - 1)
                .then_some(SourcePhrase { tokens: who..who + 1, kind: SourceKind::Name { name, prefix } })
        }
        _ => None,
    }
}

/// The sentence without its final punctuation and closing marks.
fn trim_sentence_end(t: &Tokens, sentence: Range<usize>) -> usize {
    let mut end = sentence.end;
    while end > sentence.start && matches!(t.word(end - 1), "." | "!" | "?" | "\"" | "\u{201d}" | "," | ";") {
        end -= 1;
    }
    end
}

/// Longest opening phrase "In the ... poll," read as a source, in tokens.
const MAX_DOCUMENT_OPENING: usize = 12;

/// "In the latest CBS poll, Trump leads by 10 points.": a sentence opening with the
/// document it reports from. Only when no verb of its own reports the rest: in "In a
/// statement, the mayor said ..." the mayor speaks.
fn in_document(t: &Tokens, start: usize, end: usize, used: &[bool]) -> Option<Found> {
    if start + 4 > end || !t.word(start).eq_ignore_ascii_case("in") {
        return None;
    }
    let comma = (start + 2..end.min(start + MAX_DOCUMENT_OPENING)).find(|&k| t.word(k) == ",")?;
    let opens_noun_phrase = lexicon::contains(lexicon::DETERMINERS, t.word(start + 1)) || t.is_capitalised(start + 1);
    if !opens_noun_phrase || !lexicon::contains(lexicon::DOCUMENT_HEADS, t.word(comma - 1)) || comma + 3 > end {
        return None;
    }
    let reported = |k: usize| {
        let w = t.word(k);
        cue_at(t, k).is_some() || lexicon::STANCE_VERBS.binary_search_by(|(v, _)| v.cmp(&w)).is_ok()
    };
    if (comma + 1..end).any(reported) || used[start..end].iter().any(|&u| u) {
        return None;
    }
    Some(Found {
        content: span_of(t, comma + 1..end),
        cue: Some(span_of(t, start..start + 1)),
        source: Some(SourcePhrase { tokens: start + 1..comma, kind: SourceKind::Document }),
        direct: false,
        rule: "in-document",
        inherit: Inherit::No,
    })
}

fn is_according_to(t: &Tokens, k: usize) -> bool {
    t.word(k).eq_ignore_ascii_case("according") && t.spans.get(k + 1).is_some() && t.word(k + 1) == "to"
}

/// The first "according to" of a sentence outside quotations, with the tokens of its cue
/// and source.
fn according_in(t: &Tokens, sentence: Range<usize>, used: &[bool], in_quote: &[bool]) -> Option<(Found, Range<usize>)> {
    let end = trim_sentence_end(t, sentence.clone());
    let k = (sentence.start..end).find(|&k| !used[k] && !in_quote[k] && is_according_to(t, k))?;
    let f = according_to(t, sentence.start, k, end)?;
    let source_end = f.source.as_ref().map_or(k + 2, |s| s.tokens.end);
    Some((f, k..source_end))
}

/// Whether the words at token `i`, after an aside's closing comma, carry on the sentence
/// ("..., according to the campaign, has surged") rather than adding to the aside's own
/// noun: an apposition ("..., a spokesman"), a name, a relative clause or a participle.
fn resumes_clause(t: &Tokens, i: usize) -> bool {
    const ADDS_TO_NOUN: &[&str] = &["a", "an", "the", "which", "who", "whose"];
    let w = t.word(i);
    !t.is_capitalised(i) && !lexicon::contains(ADDS_TO_NOUN, w) && !w.ends_with("ing")
}

/// "According to X, ...", "..., according to X." or "Fundraising, according to the
/// campaign, has surged": the content is the rest of the sentence.
fn according_to(t: &Tokens, start: usize, k: usize, end: usize) -> Option<Found> {
    // Whatever follows "according to" is the source: a poll, records, "multiple sources
    // familiar with the effort".
    let source = source_after(t, k + 2, end).or_else(|| super::phrase::noun_phrase(t, k + 2, end))?;
    let content = if k == start {
        let mut c = source.tokens.end;
        while c < end && t.word(c) == "," {
            c += 1;
        }
        (c < end).then(|| span_of(t, c..end))?
    } else if source.tokens.end + 1 < end
        && t.word(source.tokens.end) == ","
        && resumes_clause(t, source.tokens.end + 1)
    {
        // An aside between commas: the sentence around it is the content.
        span_of(t, start..end)
    } else {
        let mut e = k;
        while e > start && t.word(e - 1) == "," {
            e -= 1;
        }
        (e > start).then(|| span_of(t, start..e))?
    };
    Some(Found {
        content,
        cue: Some(span_of(t, k..k + 2)),
        source: Some(source),
        direct: false,
        rule: "according-to",
        inherit: Inherit::No,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::quotes::find_quotes;
    use crate::tagger::{sentences, tokenize};

    /// (rule, content text, source text) of each attribution of `text`.
    fn check(text: &str, previous: &Carry, expected: &[(&str, &str, Option<&str>)]) {
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let sents = sentences(text, &spans);
        let quotes = find_quotes(text);
        let got: Vec<(&str, &str, Option<&str>)> = find(&t, &sents, &quotes, previous, false)
            .found
            .iter()
            .map(|f| {
                let src = f.source.as_ref().map(|s| &text[spans[s.tokens.start].0..spans[s.tokens.end - 1].1]);
                (f.rule, &text[f.content.0..f.content.1], src)
            })
            .collect();
        assert_eq!(got, expected, "{text}");
    }

    const NONE: Carry = Carry { open_quote: false, colon_intro: None };

    #[test]
    fn quote_then_name_said() {
        check(
            "\u{201c}We must act now,\u{201d} Franken said.",
            &NONE,
            &[("quote-name-said", "We must act now,", Some("Franken"))],
        );
        check(
            "\u{201c}I am unable to comment,\u{201d} he responded.",
            &NONE,
            &[("quote-name-said", "I am unable to comment,", Some("he"))],
        );
    }

    #[test]
    fn quote_then_said_name() {
        check(
            "\u{201c}We must act now,\u{201d} said Sen. Al Franken.",
            &NONE,
            &[("quote-said-name", "We must act now,", Some("Sen. Al Franken"))],
        );
    }

    #[test]
    fn split_quote_continues_with_the_same_source() {
        check(
            "\u{201c}I never met them,\u{201d} Sessions said in a statement. \u{201c}It is false.\u{201d}",
            &NONE,
            &[("quote-name-said", "I never met them,", Some("Sessions")), ("quote-continued", "It is false.", None)],
        );
    }

    #[test]
    fn colon_and_comma_introductions() {
        check(
            "Warren said: \u{201c}We need it now.\u{201d}",
            &NONE,
            &[("colon-intro", "We need it now.", Some("Warren"))],
        );
        check("Warren said, \"We need it now.\"", &NONE, &[("name-said-quote", "We need it now.", Some("Warren"))]);
    }

    #[test]
    fn floating_quote_inherits_from_previous_paragraph() {
        check(
            "\u{201c}It is clear to me that he cannot decide this.\u{201d}",
            &NONE,
            &[("floating-quote", "It is clear to me that he cannot decide this.", None)],
        );
        let open = Carry { open_quote: true, colon_intro: None };
        check("\u{201c}And it goes on.\u{201d}", &open, &[("multi-paragraph-quote", "And it goes on.", None)]);
    }

    #[test]
    fn indirect_speech() {
        check(
            "Senator Elizabeth Warren said the situation is a serious threat.",
            &NONE,
            &[("name-said-that", "the situation is a serious threat", Some("Senator Elizabeth Warren"))],
        );
        check(
            "Trump has denied multiple reports of contacts.",
            &NONE,
            &[("name-said-that", "multiple reports of contacts", Some("Trump"))],
        );
        check(
            "The mayor told reporters that the bridge would reopen.",
            &NONE,
            &[("name-said-that", "the bridge would reopen", Some("The mayor"))],
        );
    }

    #[test]
    fn woven_quote_is_mixed() {
        check(
            "The official accused \"partisan Democrats\" of launching another attack.",
            &NONE,
            &[("mixed-quote", "\"partisan Democrats\" of launching another attack", Some("The official"))],
        );
    }

    #[test]
    fn participle_and_relative_cues() {
        check(
            "House Democratic Leader Nancy Pelosi went further, calling for Sessions to step down.",
            &NONE,
            &[("participle-cue", "Sessions to step down", Some("House Democratic Leader Nancy Pelosi"))],
        );
        check(
            "Senator Al Franken, who asked the question, was among the Democrats who said Wednesday the attorney general should step aside.",
            &NONE,
            &[
                ("relative-cue", "the question", Some("who")),
                ("relative-cue", "the attorney general should step aside", Some("Senator Al Franken")),
            ],
        );
    }

    #[test]
    fn according_to_either_side() {
        check(
            "According to the FBI, the probe continues.",
            &NONE,
            &[("according-to", "the probe continues", Some("the FBI"))],
        );
        check(
            "The probe continues, according to officials.",
            &NONE,
            &[("according-to", "The probe continues", Some("officials"))],
        );
    }

    #[test]
    fn transcript_line() {
        check(
            "TRUMP: We're going to win so much.",
            &NONE,
            &[("transcript", "We're going to win so much.", Some("TRUMP"))],
        );
    }

    #[test]
    fn colon_at_paragraph_end_introduces_the_next() {
        let text = "In a post on Twitter, the senator wrote:";
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        assert!(find(&t, &sentences(text, &spans), &[], &NONE, false).carry.colon_intro.is_some());
    }

    #[test]
    fn woven_quote_is_content_of_the_sentence() {
        check(
            "The new strategy is a \"very welcome tack,\" he said.",
            &NONE,
            &[("inverted-said", "The new strategy is a \"very welcome tack", Some("he"))],
        );
        // A show title in quotes is not a quotation of its own.
        check("He appeared on ABC's \"Good Morning America.\" on Sunday.", &NONE, &[]);
    }

    #[test]
    fn long_sources_after_the_quote() {
        check(
            "\"We will win,\" Brent Bozell III, founder of the Media Research Center, said.",
            &NONE,
            &[("quote-name-said", "We will win,", Some("Brent Bozell III"))],
        );
        check(
            "\"It is a big field,\" Rep. Earl Blumenauer (D-Ore.) said.",
            &NONE,
            &[("quote-name-said", "It is a big field,", Some("Rep. Earl Blumenauer"))],
        );
        check(
            "\"We won't run his columns,\" Daily News opinion editor Josh Greenman told reporters.",
            &NONE,
            &[("quote-name-said", "We won't run his columns,", Some("Daily News opinion editor Josh Greenman"))],
        );
        check(
            "\"California stuck out,\" Sanders's campaign manager, Jeff Weaver, said.",
            &NONE,
            &[("quote-name-said", "California stuck out,", Some("Jeff Weaver"))],
        );
        check(
            "\"It never happened,\" said the base chief known as Bob.",
            &NONE,
            &[("quote-said-name", "It never happened,", Some("the base chief"))],
        );
    }

    #[test]
    fn documents_speak() {
        check(
            "\"We stand with France,\" the statement said.",
            &NONE,
            &[("quote-name-said", "We stand with France,", Some("the statement"))],
        );
    }

    #[test]
    fn colon_after_a_clause_introduces_the_quote() {
        check(
            "Carly Fiorina wrote on Facebook: \"Anyone can do it.\"",
            &NONE,
            &[("colon-intro", "Anyone can do it.", Some("Carly Fiorina"))],
        );
        check("He gave a blunt answer: \"Not now.\"", &NONE, &[("colon-intro", "Not now.", Some("He"))]);
    }

    #[test]
    fn stance_verbs_in_their_company() {
        check(
            "A new survey found that most offices lack backup power.",
            &NONE,
            &[("name-said-that", "most offices lack backup power", Some("A new survey"))],
        );
        check(
            "The governor thinks the levy will pass easily.",
            &NONE,
            &[("name-said-that", "the levy will pass easily", Some("The governor"))],
        );
        check(
            "The latest poll shows the mayor ahead by six points.",
            &NONE,
            &[("name-said-that", "the mayor ahead by six points", Some("The latest poll"))],
        );
        check(
            "Hallor declined to say whether the plant would close.",
            &NONE,
            &[("name-said-that", "say whether the plant would close", Some("Hallor"))],
        );
        check(
            "Mayor Dana Quill called the budget \u{201c}a fair deal for everyone.\u{201d}",
            &NONE,
            &[("mixed-quote", "the budget \u{201c}a fair deal for everyone.", Some("Mayor Dana Quill"))],
        );
        // Without their company the verbs report nothing: a person finding, an object.
        check("The governor found the missing ledger in a drawer.", &NONE, &[]);
        check("Hallor called the office twice on Monday.", &NONE, &[]);
        check("Hallor knew the building well.", &NONE, &[]);
    }

    #[test]
    fn verbs_of_stated_positions_are_cues() {
        check(
            "The mayor pointed to rising costs in the county.",
            &NONE,
            &[("name-said-that", "rising costs in the county", Some("The mayor"))],
        );
        check(
            "Hallor repeated that the plant would close.",
            &NONE,
            &[("name-said-that", "the plant would close", Some("Hallor"))],
        );
    }

    #[test]
    fn relative_that_does_not_open_the_content() {
        check(
            "Ortega says the council passed a budget that cuts road repairs.",
            &NONE,
            &[("name-said-that", "the council passed a budget that cuts road repairs", Some("Ortega"))],
        );
        check(
            "Ortega said in a radio interview on Friday that the council erred.",
            &NONE,
            &[("name-said-that", "the council erred", Some("Ortega"))],
        );
        check(
            "Ortega told the board that the council erred.",
            &NONE,
            &[("name-said-that", "the council erred", Some("Ortega"))],
        );
    }

    #[test]
    fn inverted_indirect_speech() {
        check(
            "Nor are tariffs likely to bring the jobs back, said David Autor, a professor of economics.",
            &NONE,
            &[("inverted-said", "Nor are tariffs likely to bring the jobs back", Some("David Autor"))],
        );
        check(
            "Sooner or later, ''we will have a consumption tax,'' he said.",
            &NONE,
            &[("inverted-said", "Sooner or later, ''we will have a consumption tax", Some("he"))],
        );
        check(
            "The plant will close, the mayor told The Des Moines Register.",
            &NONE,
            &[("inverted-said", "The plant will close", Some("the mayor"))],
        );
        check(
            "The plant will close, the mayor said in a statement.",
            &NONE,
            &[("inverted-said", "The plant will close", Some("the mayor"))],
        );
        check(
            "The plant, the mayor said, will close in May.",
            &NONE,
            &[("inverted-said", "The plant, the mayor said, will close in May", Some("the mayor"))],
        );
        check(
            "The plant will close, former officials said.",
            &NONE,
            &[("inverted-said", "The plant will close", Some("officials"))],
        );
        // A comma then a participle: a second attribution, not an aside.
        check(
            "The plant will close, the mayor said, adding that jobs would go.",
            &NONE,
            &[("inverted-said", "The plant will close", Some("the mayor"))],
        );
        check(
            "The talks will resume next week, the minister said on Tuesday.",
            &NONE,
            &[("inverted-said", "The talks will resume next week", Some("the minister"))],
        );
        // The verb has content of its own: not inverted.
        check(
            "Bamberg, who is 28, said he decided to vote.",
            &NONE,
            &[("name-said-that", "he decided to vote", Some("Bamberg"))],
        );
    }

    #[test]
    fn relative_pronoun_is_the_source() {
        check(
            "The plan was praised by Weaver, who said the campaign would grow.",
            &NONE,
            &[("relative-cue", "the campaign would grow", Some("who"))],
        );
    }

    #[test]
    fn sentence_opening_in_a_poll_reports_from_it() {
        check(
            "In the latest CBS poll, the mayor leads by six points.",
            &NONE,
            &[("in-document", "the mayor leads by six points", Some("the latest CBS poll"))],
        );
        // The sentence's own verb names the source; a place is no document.
        check(
            "In a statement, the mayor said the plant would close.",
            &NONE,
            &[("name-said-that", "the plant would close", Some("the mayor"))],
        );
        check("In the city, the mayor leads by six points.", &NONE, &[]);
    }

    #[test]
    fn a_joined_clause_with_its_own_cue_is_its_own_attribution() {
        check(
            "Carter said the approach remained firm, but he also warned China against provocations.",
            &NONE,
            &[
                ("name-said-that", "the approach remained firm", Some("Carter")),
                ("name-said-that", "China against provocations", Some("he")),
            ],
        );
        // No source of its own: the clause belongs to the first content.
        check(
            "Carter said the approach remained firm, but warned of costs.",
            &NONE,
            &[("name-said-that", "the approach remained firm, but warned of costs", Some("Carter"))],
        );
    }

    #[test]
    fn a_whole_quote_after_the_cue_is_direct() {
        check(
            "Another source familiar with Cruz\u{2019}s thinking said, \u{201c}He will try to be friendlier.\u{201d}",
            &NONE,
            &[("name-said-quote", "He will try to be friendlier.", Some("Another source"))],
        );
        check(
            "Another source familiar with his thinking said that \u{201c}he will try to be friendlier.\u{201d}",
            &NONE,
            &[("mixed-quote", "\u{201c}he will try to be friendlier.", Some("Another source"))],
        );
    }

    #[test]
    fn subject_with_modifiers_before_the_cue() {
        check(
            "Democrats in Iowa who watched the debate said they were unfazed.",
            &NONE,
            &[("name-said-that", "they were unfazed", Some("Democrats"))],
        );
        check(
            "People with knowledge of the group's activities said new donors have come aboard.",
            &NONE,
            &[("name-said-that", "new donors have come aboard", Some("People"))],
        );
        // Another verb's clause or an infinitive stands between: no source.
        check("Trump visited Iowa and the mood at the event said little about the race.", &NONE, &[]);
        check("The senator went home to say goodbye to his family.", &NONE, &[]);
        check("A man in the crowd was charged with assault after the rally.", &NONE, &[]);
        check("Assessments by U.S. intelligence agencies found that Russia meddled.", &NONE, &[]);
    }

    #[test]
    fn according_to_frames_the_sentence() {
        check(
            "The group has called for attacks, according to the SITE Intelligence Group, which tracks them.",
            &NONE,
            &[("according-to", "The group has called for attacks", Some("the SITE Intelligence Group"))],
        );
        check(
            "Fundraising, according to the campaign, has surged in the same period.",
            &NONE,
            &[(
                "according-to",
                "Fundraising, according to the campaign, has surged in the same period",
                Some("the campaign"),
            )],
        );
    }

    #[test]
    fn findings_closing_the_sentence() {
        check(
            "Most Latino voters in Florida dislike Trump, the poll found.",
            &NONE,
            &[("inverted-said", "Most Latino voters in Florida dislike Trump", Some("the poll"))],
        );
        check(
            "Bush lent his campaign money last month, fundraising documents show.",
            &NONE,
            &[("inverted-said", "Bush lent his campaign money last month", Some("documents"))],
        );
        check("Most voters dislike Trump, the senator found.", &NONE, &[]);
        check(
            "Polls show voters trust Clinton more.",
            &NONE,
            &[("name-said-that", "voters trust Clinton more", Some("Polls"))],
        );
    }

    #[test]
    fn according_to_any_noun_phrase() {
        check(
            "Revenue rose 3 percent, according to data released Friday by regulators.",
            &NONE,
            &[("according-to", "Revenue rose 3 percent", Some("data released Friday by regulators"))],
        );
    }

    #[test]
    fn capitalised_words_are_not_cues() {
        check("There are fewer players in the United States than a decade ago.", &NONE, &[]);
    }

    #[test]
    fn content_runs_to_the_end_of_a_woven_quote() {
        check(
            "He said Cruz \"has courage. He is not afraid.\"",
            &NONE,
            &[("mixed-quote", "Cruz \"has courage. He is not afraid.", Some("He"))],
        );
    }

    #[test]
    fn headline_names_its_speaker_before_the_colon() {
        let text = "Governor Smith: The budget will pass this week.";
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let found = find(&t, &sentences(text, &spans), &[], &NONE, true).found;
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].content.0..found[0].content.1], "The budget will pass this week.");
        assert_eq!(found[0].rule, "headline-colon");
        // A title of another kind, and the same line inside an article.
        let text = "The Long Road: A year on the campaign trail.";
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        assert!(find(&t, &sentences(text, &spans), &[], &NONE, true).found.is_empty());
    }

    #[test]
    fn title_case_headline_names_its_speaker_before_the_verb() {
        let text = "Governor Smith Says The Budget Will Pass";
        let spans = tokenize(text);
        let t = Tokens { text, spans: &spans };
        let found = find(&t, &sentences(text, &spans), &[], &NONE, true).found;
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].content.0..found[0].content.1], "The Budget Will Pass");
        assert_eq!(found[0].rule, "headline-verb");
        // Inside an article a capitalised verb is no cue.
        assert!(find(&t, &sentences(text, &spans), &[], &NONE, false).found.is_empty());
        assert!(HEADLINE_FILLERS.windows(2).all(|w| w[0] < w[1]) && NO_CLAUSE.windows(2).all(|w| w[0] < w[1]));
        // No name before the verb, or an object after it: no attribution.
        for text in ["Trump Just Responded To The Attack", "Mayor Smith Accused Of Hiding Funds"] {
            let spans = tokenize(text);
            let t = Tokens { text, spans: &spans };
            assert!(find(&t, &sentences(text, &spans), &[], &NONE, true).found.is_empty(), "{text}");
        }
    }

    #[test]
    fn conjoined_verb_takes_the_subject() {
        check(
            "The mayor toured the plant on Monday and said the jobs would stay.",
            &NONE,
            &[("conjoined-cue", "the jobs would stay", Some("The mayor"))],
        );
    }

    #[test]
    fn relative_pronoun_without_comma_is_the_source() {
        check(
            "The poll counted voters who said the economy was their main worry.",
            &NONE,
            &[("relative-cue", "the economy was their main worry", Some("who"))],
        );
    }

    #[test]
    fn narrative_has_no_attribution() {
        check("Sessions had met the ambassador in July at an event.", &NONE, &[]);
        check("The committee met to plan its investigation Wednesday.", &NONE, &[]);
    }
}
