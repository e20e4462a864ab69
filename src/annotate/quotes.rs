//! Pairing quote marks in a paragraph. News uses curly marks (“ ”) and straight ones ("),
//! nests single marks inside double ones, and opens a quote in every paragraph of a
//! multi-paragraph quotation while closing it only in the last. Apostrophes are single
//! marks too, so only double marks delimit quotes here.

/// One quotation inside a paragraph, in byte offsets into the paragraph text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// Offset of the opening mark (or 0 when the paragraph continues an open quote).
    pub open: usize,
    /// Offset of the closing mark; `None` when the quote runs to the end of the paragraph.
    pub close: Option<usize>,
    /// First byte of the quoted words.
    pub content_start: usize,
    /// One past the last byte of the quoted words.
    pub content_end: usize,
    /// The marks are doubled apostrophes (`''quote''`, as the New York Times archive and
    /// Penn Treebank text write them) rather than double quote marks.
    pub apostrophe_marks: bool,
}

impl Quote {
    /// Offset just past the closing mark, or the end of the content when unclosed.
    pub fn after(&self, text: &str) -> usize {
        self.close.map_or(self.content_end, |c| c + mark_len(text, c))
    }
}

const OPEN_CURLY: char = '\u{201c}';
const CLOSE_CURLY: char = '\u{201d}';
const LOW_OPEN: char = '\u{201e}';

fn mark_len(text: &str, at: usize) -> usize {
    if text[at..].starts_with(DOUBLED_APOSTROPHE) {
        return DOUBLED_APOSTROPHE.len();
    }
    text[at..].chars().next().map_or(1, char::len_utf8)
}

/// Two apostrophes standing for a double quote mark.
const DOUBLED_APOSTROPHE: &str = "''";

/// Every quote mark of `text` in order: its offset and the mark (`'` stands for a doubled
/// apostrophe, which the scan treats like a straight double quote).
fn marks(text: &str) -> Vec<(usize, char)> {
    let mut marks: Vec<(usize, char)> = text
        .match_indices(['"', OPEN_CURLY, CLOSE_CURLY, LOW_OPEN])
        .map(|(i, s)| (i, s.chars().next().unwrap_or('"')))
        .collect();
    if text.contains(DOUBLED_APOSTROPHE) {
        let mut from = 0;
        while let Some(found) = text[from..].find(DOUBLED_APOSTROPHE) {
            let at = from + found;
            // A run of three or more apostrophes is not a quote mark.
            if !text[at + 2..].starts_with('\'') {
                marks.push((at, '\''));
            }
            from = at + 2;
            while text[from..].starts_with('\'') {
                from += 1;
            }
        }
        marks.sort_unstable_by_key(|m| m.0);
    }
    marks
}

/// Whether a straight `"` at `at` opens a quote: it follows whitespace, an opening
/// bracket or dash, or starts the paragraph, and a word follows it.
fn straight_opens(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + mark_len(text, at)..].chars().next();
    let opens_after = before.is_none_or(|c| c.is_whitespace() || "([{\u{2014}\u{2013}-:,".contains(c));
    opens_after && after.is_some_and(|c| !c.is_whitespace())
}

/// Finds the quotations of `text`. Unbalanced marks never fail: a second opening mark
/// closes an unclosed quote before it, a stray closing mark is ignored, and an open quote
/// at the end of the paragraph runs to its end.
pub fn find_quotes(text: &str) -> Vec<Quote> {
    let mut quotes = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in marks(text) {
        let opens = match c {
            OPEN_CURLY | LOW_OPEN => true,
            CLOSE_CURLY => false,
            _ => open.is_none() && straight_opens(text, at),
        };
        match (opens, open) {
            (true, Some(start)) => {
                // A new opening mark while one is open: the earlier quote was never closed.
                quotes.push(quote(text, start, None, at));
                open = Some(at);
            }
            (true, None) => open = Some(at),
            (false, Some(start)) => {
                quotes.push(quote(text, start, Some(at), at));
                open = None;
            }
            (false, None) if quotes.is_empty() && c == CLOSE_CURLY && text[..at].trim().len() > 1 => {
                // A closing mark with no opening one in the first quote position: the
                // paragraph continues a quotation opened earlier without a new mark.
                quotes.push(Quote {
                    open: 0,
                    close: Some(at),
                    content_start: 0,
                    content_end: at,
                    apostrophe_marks: false,
                });
            }
            (false, None) => {}
        }
    }
    if let Some(start) = open {
        quotes.push(quote(text, start, None, text.len()));
    }
    quotes.retain(|q| !text[q.content_start..q.content_end].trim().is_empty());
    quotes
}

fn quote(text: &str, open: usize, close: Option<usize>, end: usize) -> Quote {
    let content_start = open + mark_len(text, open);
    let content = &text[content_start..end.max(content_start)];
    let lead = content.len() - content.trim_start().len();
    let trail = content.len() - content.trim_end().len();
    Quote {
        open,
        close,
        content_start: content_start + lead,
        content_end: (end - trail).max(content_start + lead),
        apostrophe_marks: text[open..].starts_with(DOUBLED_APOSTROPHE),
    }
}

/// Whether the quoted words read as a full quotation (ending in punctuation inside the
/// marks, or long), rather than a few words woven into the writer's sentence.
pub fn is_full_quote(text: &str, q: &Quote) -> bool {
    let content = text[q.content_start..q.content_end].trim_end();
    let ends_punct = content.ends_with([',', '.', '!', '?', '\u{2026}', '-', '\u{2014}']);
    ends_punct || q.close.is_none() || content.split_whitespace().count() >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<&str> {
        find_quotes(text).into_iter().map(|q| &text[q.content_start..q.content_end]).collect()
    }

    #[test]
    fn curly_and_straight_pairs() {
        assert_eq!(contents("\u{201c}We will win,\u{201d} she said."), ["We will win,"]);
        assert_eq!(contents("He said \"no way\" and \"not now.\""), ["no way", "not now."]);
    }

    #[test]
    fn apostrophes_do_not_pair() {
        assert_eq!(
            contents("\u{201c}It\u{2019}s clear,\u{201d} Franken said of Trump\u{2019}s team."),
            ["It\u{2019}s clear,"]
        );
    }

    #[test]
    fn open_quote_runs_to_paragraph_end() {
        let q = find_quotes("\u{201c}We need it now. And more");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].close, None);
    }

    #[test]
    fn second_opening_closes_the_first() {
        assert_eq!(contents("\u{201c}one two \u{201c}three four\u{201d}"), ["one two", "three four"]);
    }

    #[test]
    fn doubled_apostrophes_pair_like_double_quotes() {
        let text = "''It has virtue,'' said Mr. Burman, calling it ''a close look'' at the plan. Rock 'n' roll's '''";
        assert_eq!(contents(text), ["It has virtue,", "a close look"]);
        assert!(find_quotes(text).iter().all(|q| q.apostrophe_marks));
        assert!(!find_quotes("\"We won,\" she said.")[0].apostrophe_marks);
    }

    #[test]
    fn stray_marks_never_panic() {
        for text in ["\"", "\u{201d}", "\"\"\"", "a \" b", "\u{201c}\u{201c}\u{201d}\u{201d}", ""] {
            let _ = find_quotes(text);
        }
    }

    #[test]
    fn full_versus_woven_quote() {
        let text = "He called them \"deplorables\" and said \"we will win.\"";
        let q = find_quotes(text);
        assert!(!is_full_quote(text, &q[0]));
        assert!(is_full_quote(text, &q[1]));
    }
}
