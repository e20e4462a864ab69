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
//! | `name-said-that` | indirect speech: X said (that) ... / X denied ... / X called for ... |
//! | `mixed-quote` | indirect speech with quoted words woven in: X accused "partisan Democrats" of ... |
//! | `according-to` | according to X, ... / ..., according to X. |
//! | `participle-cue` | X went further, calling for ... |
//! | `relative-cue` | X was among the Democrats who said ... |
//! | `transcript` | TRUMP: We're going to win. |

use std::ops::Range;

use super::lexicon::{self, PARTICLE_VERBS, SPEECH_VERBS};
use super::phrase::{source_after, source_before, SourcePhrase, Tokens};
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

/// Longest distance in tokens between a closing quote mark and its cue verb.
const MAX_TAIL_TOKENS: usize = 9;

/// Finds the attributions of a body paragraph. `previous` is what the paragraph before
/// left open.
pub fn find(t: &Tokens, sentences: &[Range<usize>], quotes: &[Quote], previous: &Carry) -> ParagraphAttributions {
    let mut found = Vec::new();
    let mut used = vec![false; t.spans.len()];
    let in_quote = quote_membership(t, quotes);
    if let Some(f) = transcript_line(t) {
        mark(&mut used, 0..t.spans.len());
        found.push(f);
    }
    for (qi, q) in quotes.iter().enumerate() {
        if !is_full_quote(t.text, q) || !found.is_empty() && found.iter().any(|f: &Found| f.rule == "transcript") {
            continue;
        }
        let content = (q.content_start, q.content_end);
        let next_open = quotes.get(qi + 1).map_or(t.spans.len(), |n| t.first_at(n.open));
        let own = quote_tail(t, q, next_open, &in_quote).or_else(|| quote_head(t, q, sentences, &in_quote));
        let f = match own {
            Some((source, cue, cue_tokens, rule)) => {
                mark(&mut used, cue_tokens);
                mark(&mut used, source.tokens.clone());
                Found { content, cue: Some(cue), source: Some(source), direct: true, rule, inherit: Inherit::No }
            }
            None => match inherited_rule(t, q, qi, &found, previous) {
                Some((rule, inherit, intro)) => Found {
                    content,
                    cue: intro.as_ref().map(|(_, cue)| *cue),
                    source: intro.map(|(s, _)| s),
                    direct: true,
                    rule,
                    inherit,
                },
                None => continue,
            },
        };
        found.push(f);
    }
    for sentence in sentences {
        if let Some(f) = sentence_cue(t, sentence.clone(), &used, &in_quote, quotes) {
            found.push(f);
        }
    }
    found.sort_by_key(|f| f.content.0);
    let carry =
        Carry { open_quote: quotes.last().is_some_and(|q| q.close.is_none()), colon_intro: colon_intro_at_end(t) };
    ParagraphAttributions { found, carry }
}

fn mark(used: &mut [bool], range: Range<usize>) {
    for u in &mut used[range] {
        *u = true;
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
    if lexicon::contains(SPEECH_VERBS, w) {
        return Some(i..i + 1);
    }
    let next = *t.spans.get(i + 1)?;
    let particle = &t.text[next.0..next.1];
    let mut buf = [0u8; 32];
    let lower = lexicon::fold(w, &mut buf)?;
    PARTICLE_VERBS.binary_search(&(lower, particle)).ok().map(|_| i..i + 2)
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
    if let Some(cue) = cue_at(t, a) {
        let source = source_after(t, cue.end, limit)?;
        return Some((source, span_of(t, cue.clone()), cue, "quote-said-name"));
    }
    let window_end = limit.min(a + MAX_TAIL_TOKENS);
    let k = (a + 1..window_end)
        .take_while(|&k| !matches!(t.word(k), "." | "!" | "?" | ";") && !in_quote[k])
        .find(|&k| cue_at(t, k).is_some())?;
    let cue = cue_at(t, k)?;
    let source = source_before(t, k, a)?;
    (source.tokens.start == a).then(|| (source, span_of(t, cue.clone()), cue, "quote-name-said"))
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
    let cue = cue_at(t, k).or_else(|| k.checked_sub(1).and_then(|j| cue_at(t, j).filter(|c| c.end == k + 1)))?;
    if in_quote[cue.start] {
        return None;
    }
    let floor = sentences.iter().find(|s| s.contains(&cue.start)).map_or(0, |s| s.start);
    let source = source_before(t, cue.start, floor)?;
    let rule = if colon { "colon-intro" } else { "name-said-quote" };
    Some((source, span_of(t, cue.clone()), cue, rule))
}

type InheritedRule = (&'static str, Inherit, Option<(SourcePhrase, (usize, usize))>);

/// A quote with no cue of its own: a continuation inside the paragraph, or a paragraph
/// that opens with a quote right after an attributed one.
fn inherited_rule(t: &Tokens, q: &Quote, qi: usize, found: &[Found], previous: &Carry) -> Option<InheritedRule> {
    if qi > 0 && !found.is_empty() {
        return Some(("quote-continued", Inherit::Paragraph, None));
    }
    let opens_paragraph = t.text[..q.open].trim().is_empty();
    if !opens_paragraph {
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

/// A paragraph that ends with "X said:" or "X wrote:" introduces the next paragraph.
fn colon_intro_at_end(t: &Tokens) -> Option<(SourcePhrase, (usize, usize))> {
    let n = t.spans.len();
    if n < 3 || t.word(n - 1) != ":" {
        return None;
    }
    let cue = cue_at(t, n - 2).or_else(|| cue_at(t, n - 3).filter(|c| c.end == n - 1))?;
    let source = source_before(t, cue.start, 0)?;
    Some((source, span_of(t, cue)))
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

/// Indirect speech and woven quotes: a cue in a sentence with a source before it (or after
/// "according to"); the content runs from the cue to the end of the sentence.
fn sentence_cue(
    t: &Tokens,
    sentence: Range<usize>,
    used: &[bool],
    in_quote: &[bool],
    quotes: &[Quote],
) -> Option<Found> {
    let end = trim_sentence_end(t, sentence.clone());
    for k in sentence.clone() {
        if used[k] || in_quote[k] {
            continue;
        }
        if t.word(k).eq_ignore_ascii_case("according") && t.spans.get(k + 1).is_some() && t.word(k + 1) == "to" {
            if let Some(f) = according_to(t, sentence.start, k, end) {
                return Some(f);
            }
            continue;
        }
        let Some(cue) = cue_at(t, k) else { continue };
        let (source, rule) = if k > sentence.start && t.word(k - 1).eq_ignore_ascii_case("who") {
            // Only "X was among the Democrats who said": the subject, not the group, spoke.
            let among = (sentence.start..k).any(|i| t.word(i).eq_ignore_ascii_case("among"));
            if !among {
                continue;
            }
            (source_after(t, sentence.start, k), "relative-cue")
        } else if t.word(k).ends_with("ing") && k > sentence.start && t.word(k - 1) == "," {
            (source_after(t, sentence.start, k), "participle-cue")
        } else {
            (source_before(t, k, sentence.start), "name-said-that")
        };
        let Some(source) = source else { continue };
        let mut c = cue.end;
        while c < end && is_cue_trailer(t.word(c)) {
            c += 1;
        }
        // "said during a town hall event Wednesday that ...": the content starts after "that".
        let that = (c..end.min(c + 12))
            .take_while(|&i| !matches!(t.word(i), "," | "\"" | "\u{201c}" | ";"))
            .find(|&i| t.word(i) == "that");
        if let Some(that) = that {
            c = that + 1;
        }
        if c + 2 > end || used[c..end].iter().any(|&u| u) {
            continue;
        }
        let content = span_of(t, c..end);
        let woven = quotes.iter().any(|q| q.content_start >= content.0 && q.content_end <= content.1);
        let rule = if woven && rule == "name-said-that" { "mixed-quote" } else { rule };
        return Some(Found {
            content,
            cue: Some(span_of(t, cue)),
            source: Some(source),
            direct: false,
            rule,
            inherit: Inherit::No,
        });
    }
    None
}

/// The sentence without its final punctuation and closing marks.
fn trim_sentence_end(t: &Tokens, sentence: Range<usize>) -> usize {
    let mut end = sentence.end;
    while end > sentence.start && matches!(t.word(end - 1), "." | "!" | "?" | "\"" | "\u{201d}" | "," | ";") {
        end -= 1;
    }
    end
}

/// "According to X, ..." or "..., according to X."
fn according_to(t: &Tokens, start: usize, k: usize, end: usize) -> Option<Found> {
    let source = source_after(t, k + 2, end)?;
    let content = if k == start {
        let mut c = source.tokens.end;
        while c < end && t.word(c) == "," {
            c += 1;
        }
        (c < end).then(|| span_of(t, c..end))?
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
        let got: Vec<(&str, &str, Option<&str>)> = find(&t, &sents, &quotes, previous)
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
            &[("relative-cue", "the attorney general should step aside", Some("Senator Al Franken"))],
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
        assert!(find(&t, &sentences(text, &spans), &[], &NONE).carry.colon_intro.is_some());
    }

    #[test]
    fn narrative_has_no_attribution() {
        check("Sessions had met the ambassador in July at an event.", &NONE, &[]);
        check("The committee announced parameters for its investigation Wednesday.", &NONE, &[]);
    }
}
