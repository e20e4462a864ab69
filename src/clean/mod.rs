//! Clean stage: split an article body into paragraphs, drop the copies that scrapers
//! leave behind, and label page furniture (captions, headings, boilerplate) so it can be
//! kept out of the default search.
//!
//! **Invariant:** a paragraph's `text` has exactly the bytes of `body[start..end]`, with
//! line breaks turned into spaces, so an offset into the text plus `start` is an offset
//! into the body.

mod furniture;

use serde::{Deserialize, Serialize};

use crate::corpus::Article;

/// What a paragraph is on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParagraphKind {
    /// Article text.
    Body,
    /// A photo caption.
    Caption,
    /// A subheading.
    Heading,
    /// Promotions, credits and other page furniture.
    Boilerplate,
}

impl ParagraphKind {
    /// Every kind, in facet order.
    pub const ALL: [ParagraphKind; 4] =
        [ParagraphKind::Body, ParagraphKind::Caption, ParagraphKind::Heading, ParagraphKind::Boilerplate];

    /// The lowercase name used in facets, JSON and `--kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParagraphKind::Body => "body",
            ParagraphKind::Caption => "caption",
            ParagraphKind::Heading => "heading",
            ParagraphKind::Boilerplate => "boilerplate",
        }
    }

    /// The kind named `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<ParagraphKind> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// One paragraph of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Position among the article's kept paragraphs, from 0.
    pub index: usize,
    /// Byte offset of the first byte in the article body.
    pub start: usize,
    /// Byte offset one past the last byte in the article body.
    pub end: usize,
    /// The paragraph with its line breaks joined by spaces (same length as the span).
    pub text: String,
    /// What the paragraph is.
    pub kind: ParagraphKind,
    /// The subheading this paragraph sits under, if any.
    pub section: Option<String>,
}

/// A line of the body: byte range without its line terminator.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// Splits `article` into labelled paragraphs.
pub fn paragraphs(article: &Article) -> Vec<Paragraph> {
    let body = article.body.as_str();
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut previous_block: Option<&str> = None;
    for block in blocks(body) {
        let block_text = body[block[0].start..block[block.len() - 1].end].trim();
        if previous_block == Some(block_text) || is_title_copy(article, &out, block_text) {
            continue;
        }
        previous_block = Some(block_text);
        let (kept, had_copies) = drop_copies(body, &block);
        for run in contiguous_runs(&kept) {
            let (start, end) = (run[0].start, run[run.len() - 1].end);
            let text = join_lines(&body[start..end]);
            let kind = furniture::classify(&text, had_copies);
            if kind == ParagraphKind::Heading {
                section = Some(text.trim().to_owned());
            }
            let section = (kind == ParagraphKind::Body).then(|| section.clone()).flatten();
            out.push(Paragraph { index: out.len(), start, end, text, kind, section });
        }
    }
    out
}

/// A `.txt` article's first block is its headline when the reader took it as the title.
fn is_title_copy(article: &Article, so_far: &[Paragraph], block_text: &str) -> bool {
    so_far.is_empty() && article.title.as_deref().is_some_and(|t| t.trim() == block_text)
}

/// `body` cut after every `\n` and `\r`, as `split_inclusive(['\n', '\r'])` cuts it, with
/// the breaks found by memchr: the char pattern decoded and tested every char of every body.
fn line_pieces(body: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr2_iter(b'\n', b'\r', body.as_bytes()).map(|i| i + 1).chain(std::iter::once(body.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        // Both breaks are ASCII, so every cut is on a char boundary.
        let piece = &body[start..end];
        start = end;
        (!piece.is_empty()).then_some(piece)
    })
}

/// Runs of non-blank lines, separated by blank ones.
fn blocks(body: &str) -> Vec<Vec<Line>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    let mut start = 0;
    for piece in line_pieces(body) {
        let end = start + piece.len();
        let content_end = end - piece.ends_with(['\n', '\r']) as usize;
        if piece == "\n" && body[..start].ends_with('\r') {
            // The second half of a CRLF pair ends no line of its own.
        } else if body[start..content_end].trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(trimmed_line(body, start, content_end));
        }
        start = end;
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// The line without surrounding whitespace, so spans start and end on text.
fn trimmed_line(body: &str, start: usize, end: usize) -> Line {
    let text = &body[start..end];
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    Line { start: start + lead, end: end - trail }
}

/// Drops lines that repeat the previous line or are a cut-off copy of the next one (what
/// scrapers make of image alt text and captions). Dropped lines become `None`.
fn drop_copies(body: &str, block: &[Line]) -> (Vec<Option<Line>>, bool) {
    let mut kept = Vec::with_capacity(block.len());
    let mut had_copies = false;
    for (i, line) in block.iter().enumerate() {
        let text = &body[line.start..line.end];
        let repeats_previous = i > 0 && &body[block[i - 1].start..block[i - 1].end] == text;
        let truncates_next = block.get(i + 1).is_some_and(|next| {
            let next = &body[next.start..next.end];
            next.len() > text.len() && next.starts_with(text) && text.split_whitespace().count() >= 2
        });
        if repeats_previous || truncates_next {
            had_copies = true;
            kept.push(None);
        } else {
            kept.push(Some(*line));
        }
    }
    (kept, had_copies)
}

/// Consecutive kept lines; a dropped line in the middle of a block splits it.
fn contiguous_runs(kept: &[Option<Line>]) -> Vec<Vec<Line>> {
    kept.split(Option::is_none).filter(|r| !r.is_empty()).map(|r| r.iter().flatten().copied().collect()).collect()
}

/// Line breaks inside a paragraph become spaces, keeping every byte offset.
fn join_lines(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str) -> Article {
        Article { body: body.to_owned(), ..Article::default() }
    }

    fn kinds_and_texts(body: &str) -> Vec<(ParagraphKind, String)> {
        paragraphs(&article(body)).into_iter().map(|p| (p.kind, p.text)).collect()
    }

    #[test]
    fn blank_lines_separate_and_single_breaks_join() {
        let body = "First line\nsame paragraph.\n\n\nSecond paragraph.\n";
        let paras = paragraphs(&article(body));
        assert_eq!(paras.len(), 2);
        assert_eq!(paras[0].text, "First line same paragraph.");
        assert_eq!(&body[paras[1].start..paras[1].end], "Second paragraph.");
    }

    #[test]
    fn crlf_and_lone_cr_line_endings() {
        let body = "One.\r\nStill one.\r\n\r\nTwo.\rStill two.\r\rThree.";
        let texts: Vec<String> = paragraphs(&article(body)).into_iter().map(|p| p.text).collect();
        assert_eq!(texts, ["One.  Still one.", "Two. Still two.", "Three."]);
    }

    #[test]
    fn repeated_caption_line_is_dropped_and_labelled_caption() {
        let body =
            "A man speaks at a meeting, Feb. 28, 2017.\nA man speaks at a meeting, Feb. 28, 2017.\n\nBody text here.";
        let got = kinds_and_texts(body);
        assert_eq!(got[0], (ParagraphKind::Caption, "A man speaks at a meeting, Feb. 28, 2017.".to_owned()));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn truncated_copy_is_dropped() {
        let body = "FILE - Senator A\nFILE - Senator Al Franken questions a nominee.\n\nBody.";
        let paras = paragraphs(&article(body));
        assert_eq!(paras[0].text, "FILE - Senator Al Franken questions a nominee.");
        assert_eq!(paras[0].start, body.find("FILE - Senator Al").unwrap());
        assert_eq!(paras[0].kind, ParagraphKind::Caption);
    }

    #[test]
    fn heading_sets_section_of_following_body() {
        let paras = paragraphs(&article("Intro text here.\n\nTwo meetings\n\nThey met twice in July."));
        assert_eq!(paras[1].kind, ParagraphKind::Heading);
        assert_eq!(paras[2].section.as_deref(), Some("Two meetings"));
        assert_eq!(paras[0].section, None);
    }

    #[test]
    fn repeated_block_is_dropped() {
        assert_eq!(paragraphs(&article("Same text.\n\nSame text.\n\nOther.")).len(), 2);
    }

    #[test]
    fn txt_title_block_is_not_a_paragraph() {
        let a = Article { title: Some("Big news today".into()), ..article("Big news today\n\nBody.") };
        let paras = paragraphs(&a);
        assert_eq!(paras.len(), 1);
        assert_eq!(paras[0].index, 0);
    }

    #[test]
    fn empty_and_whitespace_bodies_have_no_paragraphs() {
        assert!(paragraphs(&article("")).is_empty());
        assert!(paragraphs(&article(" \n\t\n \r\n")).is_empty());
    }

    /// Lines an article body is built from in the property tests: prose, furniture, copies
    /// and cut-off copies, quotes, multi-byte text, whitespace-only lines.
    const LINES: &[&str] = &[
        "The committee met on Tuesday.",
        "FILE - Senator A",
        "FILE - Senator Al Franken questions a nominee.",
        "\u{201c}We will win,\u{201d} she said.",
        "Caf\u{e9} owners \u{2014} all of them \u{2014} agreed.",
        "Two meetings",
        "WATCH: the full hearing",
        "   ",
        "\t",
    ];

    /// Line terminators, including CRLF, lone CR and blank-line separators.
    const BREAKS: &[&str] = &["\n", "\n\n", "\r\n", "\r", "\r\n\r\n", " \n", "\r\r"];

    fn body_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let line = prop_oneof![proptest::sample::select(LINES).prop_map(str::to_owned), "\\PC{0,30}"];
        proptest::collection::vec((line, proptest::sample::select(BREAKS)), 0..16)
            .prop_map(|parts| parts.into_iter().flat_map(|(l, b)| [l, b.to_owned()]).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Bodies are cut into lines exactly as the standard library's split cuts them.
        #[test]
        fn line_pieces_cut_like_split_inclusive(body in body_strategy()) {
            let expected: Vec<&str> = body.split_inclusive(['\n', '\r']).collect();
            proptest::prop_assert_eq!(line_pieces(&body).collect::<Vec<_>>(), expected);
        }

        /// Every paragraph is its span of the body, on char boundaries, with line breaks
        /// turned into spaces.
        #[test]
        fn paragraphs_are_spans_of_the_body(body in body_strategy()) {
            for p in paragraphs(&article(&body)) {
                proptest::prop_assert!(p.start <= p.end && p.end <= body.len());
                proptest::prop_assert!(body.is_char_boundary(p.start) && body.is_char_boundary(p.end));
                proptest::prop_assert_eq!(&p.text, &join_lines(&body[p.start..p.end]));
            }
        }

        /// No body text is lost: every non-whitespace byte is in a paragraph, or on a line
        /// dropped as a copy of text that is kept (or of the title).
        #[test]
        fn cleaning_loses_no_text(body in body_strategy(), title_line in 0usize..3) {
            let title = LINES.get(title_line).map(|t| (*t).to_owned());
            let a = Article { title: title.clone(), ..article(&body) };
            let paras = paragraphs(&a);
            let kept: Vec<&str> = paras.iter().map(|p| p.text.as_str()).collect();
            let mut start = 0;
            for piece in body.split_inclusive(['\n', '\r']) {
                let line = piece.trim();
                let end = start + piece.len();
                let covered = |at: usize| paras.iter().any(|p| (p.start..p.end).contains(&at));
                let lost = piece.char_indices().any(|(i, c)| !c.is_whitespace() && !covered(start + i));
                if lost {
                    let copied = kept.iter().any(|k| k.contains(line)) || title.as_deref().is_some_and(|t| t.contains(line));
                    proptest::prop_assert!(copied, "line {:?} at {} was dropped but is kept nowhere", line, start);
                }
                start = end;
            }
        }
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in ParagraphKind::ALL {
            assert_eq!(ParagraphKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ParagraphKind::parse("sidebar"), None);
    }
}
