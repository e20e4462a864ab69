//! A fast tokenizer for raw news text, close to the CoNLL-2003 (Penn Treebank) convention
//! the tagger was trained on: punctuation split off, abbreviations such as `U.S.` and
//! `Mr.` kept whole, clitics split (`Trump's` -> `Trump` `'s`, `don't` -> `do` `n't`),
//! curly quotes and apostrophes treated like straight ones. It never allocates per token
//! and never panics: every span it returns lies on char boundaries.

/// Abbreviations that keep their final period (sorted, for binary search).
const ABBREVIATIONS: &[&str] = &[
    "Ala", "Ariz", "Ark", "Aug", "Ave", "Blvd", "Brig", "Calif", "Capt", "Cmdr", "Co", "Col", "Colo", "Conn", "Corp",
    "Dec", "Del", "Dept", "Dr", "Feb", "Fla", "Ft", "Ga", "Gen", "Gov", "Ill", "Inc", "Ind", "Jan", "Jr", "Kan", "Ky",
    "La", "Lt", "Ltd", "Maj", "Mass", "Md", "Messrs", "Mich", "Minn", "Miss", "Mo", "Mr", "Mrs", "Ms", "Mt", "Neb",
    "Nev", "No", "Nov", "Oct", "Okla", "Ore", "Pa", "Prof", "Rep", "Reps", "Rev", "Sen", "Sens", "Sept", "Sgt", "Sr",
    "St", "Supt", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo", "etc", "vs",
];

/// Clitics split off the end of a word (lowercase; curly apostrophes are normalised
/// before comparing).
const CLITICS: &[&str] = &["'d", "'ll", "'m", "'re", "'s", "'ve", "n't"];

/// True for chars that separate tokens and are dropped: whitespace and control chars
/// (NUL included).
#[inline]
fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{FEFF}' || c == '\u{200B}'
}

/// True for punctuation that is always a token of its own, even inside a word.
#[inline]
fn is_hard_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | ';'
            | '!'
            | '?'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{201E}'
            | '\u{2014}'
            | '\u{2013}'
            | '\u{2026}'
            | '\u{00AB}'
            | '\u{00BB}'
    )
}

/// True for punctuation split off the start or end of a word.
#[inline]
fn is_edge_punct(c: char) -> bool {
    is_hard_punct(c)
        || matches!(
            c,
            '.' | ','
                | ':'
                | '\''
                | '`'
                | '\u{2018}'
                | '\u{2019}'
                | '*'
                | '#'
                | '$'
                | '<'
                | '>'
                | '|'
                | '~'
                | '^'
                | '='
                | '+'
                | '/'
                | '\\'
                | '_'
                | '@'
                | '%'
                | '&'
                | '-'
                | '\u{00A3}'
                | '\u{20AC}'
                | '\u{2022}'
                | '\u{00B7}'
        )
}

/// What the tokenizer does with a char: drop it, make it a token of its own, or add it to
/// the current chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Space,
    HardPunct,
    Other,
}

/// The class of a char by [`is_space`] and [`is_hard_punct`].
#[inline]
fn char_class(c: char) -> CharClass {
    if is_space(c) {
        CharClass::Space
    } else if is_hard_punct(c) {
        CharClass::HardPunct
    } else {
        CharClass::Other
    }
}

/// [`char_class`] of every ASCII char, so that the common case is one table load.
const ASCII_CLASSES: [CharClass; 128] = {
    let mut table = [CharClass::Other; 128];
    let mut b = 0;
    while b < 128 {
        // ASCII whitespace is all below `!`, and every ASCII control char is a space.
        if b <= b' ' || b == 0x7F {
            table[b as usize] = CharClass::Space;
        } else if matches!(b, b'"' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b';' | b'!' | b'?') {
            table[b as usize] = CharClass::HardPunct;
        }
        b += 1;
    }
    table
};

/// Byte spans `(start, end)` of the tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let mut start = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (class, len) = if b < 0x80 {
            (ASCII_CLASSES[b as usize], 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (char_class(c), c.len_utf8())
        };
        if class == CharClass::Space {
            if let Some(s) = start.take() {
                split_chunk(text, s, i, &mut out);
            }
        } else if class == CharClass::HardPunct {
            if let Some(s) = start.take() {
                split_chunk(text, s, i, &mut out);
            }
            out.push((i, i + len));
        } else if start.is_none() {
            start = Some(i);
        }
        i += len;
    }
    if let Some(s) = start {
        split_chunk(text, s, text.len(), &mut out);
    }
    out
}

/// Splits one whitespace-free chunk `text[s..e]` (no hard punctuation inside).
fn split_chunk(text: &str, mut s: usize, mut e: usize, out: &mut Vec<(usize, usize)>) {
    // Leading punctuation, one char a token ("(" "'" "$"), except a leading `'` of a
    // year such as '90s is kept: it is rare and harmless either way.
    while let Some(c) = text[s..e].chars().next() {
        if is_edge_punct(c) && s + c.len_utf8() < e && !is_clitic(&text[s..e]) {
            out.push((s, s + c.len_utf8()));
            s += c.len_utf8();
        } else {
            break;
        }
    }
    // Trailing punctuation, collected right to left and emitted after the word; a run
    // of one char (`...`, `!!`) is one token. At most eight tokens are split off, so a
    // pathological chunk stays linear.
    let mut tail: [(usize, usize); 8] = [(0, 0); 8];
    let mut n_tail = 0;
    while let Some(c) = text[s..e].chars().next_back() {
        let p = e - c.len_utf8();
        if !is_edge_punct(c) || p == s {
            break;
        }
        if c == '.' && n_tail == 0 && keeps_period(&text[s..p]) {
            break;
        }
        if n_tail > 0 && text[tail[n_tail - 1].0..].starts_with(c) {
            tail[n_tail - 1].0 = p;
        } else if n_tail < tail.len() {
            tail[n_tail] = (p, e);
            n_tail += 1;
        } else {
            break;
        }
        e = p;
    }
    let word_end = e;
    let mut split_at = None;
    let word = &text[s..word_end];
    if may_end_with_clitic(word) {
        for clitic in CLITICS {
            if let Some(at) = clitic_start(word, clitic) {
                split_at = Some(s + at);
                break;
            }
        }
    }
    match split_at {
        Some(at) => {
            out.push((s, at));
            out.push((at, word_end));
        }
        None => out.push((s, word_end)),
    }
    for k in (0..n_tail).rev() {
        out.push(tail[k]);
    }
}

/// A quick test that rules out most words before [`clitic_start`]: every clitic holds an
/// apostrophe among its last three chars, so one of the last five bytes of the word is
/// `'`, `` ` `` or the lead byte of a curly apostrophe.
#[inline]
fn may_end_with_clitic(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes[bytes.len().saturating_sub(5)..].iter().any(|&b| matches!(b, b'\'' | b'`' | 0xE2))
}

/// Where `clitic` starts in `word`, if the word ends with it (apostrophes and case
/// normalised) and something is left before it.
fn clitic_start(word: &str, clitic: &str) -> Option<usize> {
    // Compare chars from the end; the clitic is ASCII with one apostrophe.
    let mut it = word.char_indices().rev();
    let mut at = word.len();
    for want in clitic.chars().rev() {
        let (i, c) = it.next()?;
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            _ => c.to_ascii_lowercase(),
        };
        if c != want {
            return None;
        }
        at = i;
    }
    // Something must precede it, and `n't` needs a letter before (`don't`, not `'n't`).
    let before = word[..at].chars().next_back()?;
    before.is_alphanumeric().then_some(at)
}

/// True when `word` is just a clitic such as `'s` (already split from its word).
fn is_clitic(word: &str) -> bool {
    CLITICS.iter().any(|c| {
        word.len() <= c.len() + 2
            && word.chars().count() == c.len()
            && word.chars().zip(c.chars()).all(|(a, b)| {
                let a = if matches!(a, '\u{2019}' | '\u{2018}' | '`') { '\'' } else { a };
                a.to_ascii_lowercase() == b
            })
    })
}

/// True when a word followed by `.` is an abbreviation that keeps its period: a single
/// letter (an initial), a word with inner periods (`U.S`, `p.m`), or a listed
/// abbreviation.
fn keeps_period(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => return c.is_alphabetic(),
        (None, _) => return false,
        _ => {}
    }
    if word.contains('.') {
        // `U.S`, `p.m`, `Ph.D`: short alphabetic parts between single periods.
        return word
            .split('.')
            .all(|part| !part.is_empty() && part.len() <= 4 && part.chars().all(char::is_alphabetic));
    }
    ABBREVIATIONS.binary_search(&word).is_ok()
}

/// Whether a token after a period shows the period belongs to an abbreviation.
pub(crate) fn continues_sentence(next: &str) -> bool {
    matches!(next, "," | ")" | ";") || next.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Groups token spans into sentences: a sentence ends after `.`, `!` or `?` (or a closing
/// quote right after one), and at every line break in the text between two tokens.
pub(crate) fn sentences(text: &str, tokens: &[(usize, usize)]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..tokens.len() {
        let (s, e) = tokens[i];
        let tok = &text[s..e];
        let mut end_here = matches!(tok, "." | "!" | "?");
        if tok == "." && tokens.get(i + 1).is_some_and(|&(ns, ne)| continues_sentence(&text[ns..ne])) {
            // "Sen. Bernie Sanders (I-Vt.) said", "Rand Paul, R-Ky., said": an
            // abbreviation's period before a comma, a closing parenthesis or a lowercase
            // word ends no sentence.
            end_here = false;
        }
        if !end_here && matches!(tok, "\"" | "\u{201D}" | "'" | "\u{2019}") && i > start {
            let (ps, pe) = tokens[i - 1];
            end_here = matches!(&text[ps..pe], "." | "!" | "?");
        }
        if let Some(&(ns, _)) = tokens.get(i + 1) {
            if !end_here && text.as_bytes()[e..ns].contains(&b'\n') {
                end_here = true;
            }
            // A closing quote after the period belongs to this sentence.
            if end_here && matches!(&text[ns..tokens[i + 1].1], "\"" | "\u{201D}") {
                end_here = text.as_bytes()[e..ns].contains(&b'\n');
            }
        }
        if end_here || i + 1 == tokens.len() {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[&str]) {
        let got: Vec<&str> = tokenize(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, expected, "tokenizing {text:?}");
    }

    #[test]
    fn the_ascii_table_agrees_with_the_char_tests() {
        for b in 0u8..128 {
            assert_eq!(ASCII_CLASSES[b as usize], char_class(b as char), "byte {b}");
        }
    }

    #[test]
    fn every_clitic_passes_the_quick_test() {
        for clitic in CLITICS {
            for apostrophe in ["'", "`", "\u{2018}", "\u{2019}"] {
                let word = format!("Trump{}", clitic.replace('\'', apostrophe));
                assert!(may_end_with_clitic(&word), "{word}");
            }
        }
        assert!(!may_end_with_clitic("Washington"));
    }

    #[test]
    fn abbreviations_are_sorted() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn punctuation_and_abbreviations() {
        check("The U.S. said, \"no.\"", &["The", "U.S.", "said", ",", "\"", "no", ".", "\""]);
        check("Mr. Smith (R-Texas) won.", &["Mr.", "Smith", "(", "R-Texas", ")", "won", "."]);
        check("J. Edgar Hoover", &["J.", "Edgar", "Hoover"]);
        check("$5.2 billion, 1,000 people", &["$", "5.2", "billion", ",", "1,000", "people"]);
        check("end... really?!", &["end", "...", "really", "?", "!"]);
    }

    #[test]
    fn clitics_and_curly_quotes() {
        check("Trump's", &["Trump", "'s"]);
        check("Trump’s “deal”", &["Trump", "’s", "“", "deal", "”"]);
        check("don't", &["do", "n't"]);
        check("States' rights", &["States", "'", "rights"]);
        check("'s", &["'s"]);
    }

    #[test]
    fn dashes_split() {
        check("Obama—and Biden", &["Obama", "—", "and", "Biden"]);
        check("Anglo-Dutch", &["Anglo-Dutch"]);
    }

    #[test]
    fn odd_input_never_panics() {
        check("", &[]);
        check("\0\0a\0b", &["a", "b"]);
        check("e\u{301}te\u{301}.", &["e\u{301}te\u{301}", "."]);
        let long = "x".repeat(1 << 20);
        assert_eq!(tokenize(&long), vec![(0, long.len())]);
        let punct = ".".repeat(1000);
        let spans = tokenize(&punct);
        assert_eq!(spans.first().map(|s| s.0), Some(0));
        assert_eq!(spans.last().map(|s| s.1), Some(1000));
        for text in ["'", "''", "’’s", "n't", "..", "A.", ".A", "\u{2019}s'"] {
            for (s, e) in tokenize(text) {
                assert!(s < e && text.is_char_boundary(s) && text.is_char_boundary(e));
            }
        }
    }

    #[test]
    fn sentence_split() {
        let text = "He won. She lost!\nNew line \"Yes.\" Next";
        let toks = tokenize(text);
        let sents: Vec<Vec<&str>> =
            sentences(text, &toks).into_iter().map(|r| toks[r].iter().map(|&(s, e)| &text[s..e]).collect()).collect();
        assert_eq!(
            sents,
            vec![
                vec!["He", "won", "."],
                vec!["She", "lost", "!"],
                vec!["New", "line", "\"", "Yes", ".", "\""],
                vec!["Next"]
            ]
        );
    }

    #[test]
    fn abbreviation_periods_inside_a_sentence_end_nothing() {
        for text in [
            "Sen. Bernie Sanders (I-Vt.) said he will.",
            "Sen. Rand Paul, R-Ky., told Fox News so.",
            "Sen. Tim Scott, R-S.C. said it was done.",
        ] {
            assert_eq!(sentences(text, &tokenize(text)).len(), 1, "{text}");
        }
    }
}
