//! Page furniture: captions, headings and boilerplate that scrapers mix into article text.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::ParagraphKind;

/// Openings of promotions, credits and calls to action. Sorted; matched case-sensitively
/// because the all-caps forms are what marks them as furniture.
const BOILERPLATE_OPENINGS: &[&str] = &[
    "ADVERTISEMENT",
    "Advertisement",
    "CLICK HERE",
    "Click here",
    "Copyright",
    "Editing by",
    "FOLLOW",
    "Follow us",
    "LISTEN:",
    "Like us on Facebook",
    "MORE:",
    "PHOTOS:",
    "READ MORE",
    "READ:",
    "RELATED",
    "Read more:",
    "Related:",
    "Reporting by",
    "SEE ALSO",
    "SIGN UP",
    "SUBSCRIBE",
    "Share this",
    "Sign up",
    "Subscribe to",
    "This article originally appeared",
    "VIDEO:",
    "WATCH",
    "Watch:",
    "\u{a9}",
];

/// Openings of photo captions.
const CAPTION_OPENINGS: &[&str] = &[
    "FILE -",
    "FILE PHOTO",
    "FILE \u{2013}",
    "FILE \u{2014}",
    "FILE:",
    "IMAGE:",
    "In this file photo",
    "In this photo",
    "PHOTO:",
    "Pictured:",
];

/// Credits that only photo captions carry.
const CAPTION_CREDITS: &[&str] = &[
    "(AP Photo",
    "(Getty Images",
    "(Photo by",
    "(Photo:",
    "(REUTERS",
    "/Getty Images",
    "Image copyright",
    "Photo credit",
    "REUTERS/",
];

/// Longest text still taken for a subheading.
const MAX_HEADING_WORDS: usize = 12;

/// The kind of a paragraph; `had_copies` says the scraper left a repeated or cut-off copy
/// of it, which in practice only happens to captions and image alt text.
pub(super) fn classify(text: &str, had_copies: bool) -> ParagraphKind {
    let text = text.trim();
    if BOILERPLATE_OPENINGS.iter().any(|p| text.starts_with(p)) {
        ParagraphKind::Boilerplate
    } else if had_copies || CAPTION_OPENINGS.iter().any(|p| text.starts_with(p)) || has_caption_credit(text) {
        ParagraphKind::Caption
    } else if looks_like_heading(text) {
        ParagraphKind::Heading
    } else {
        ParagraphKind::Body
    }
}

/// Whether `text` holds one of [`CAPTION_CREDITS`]. Every paragraph is searched for each,
/// so the searchers are built once rather than per paragraph and credit.
fn has_caption_credit(text: &str) -> bool {
    static FINDERS: LazyLock<Vec<Finder<'static>>> =
        LazyLock::new(|| CAPTION_CREDITS.iter().map(|c| Finder::new(c.as_bytes())).collect());
    FINDERS.iter().any(|f| f.find(text.as_bytes()).is_some())
}

/// A short line that starts with a capital and does not end like a sentence or a quote.
fn looks_like_heading(text: &str) -> bool {
    // Most paragraphs are longer: settle them before scanning for words.
    if text.len() > 100 {
        return false;
    }
    let words = text.split_whitespace().count();
    let starts_capital = text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let ends_open = !text.ends_with(['.', '!', '?', ',', ';', ':', '"', '\'', ')', '\u{201d}', '\u{2019}', '\u{2026}']);
    (1..=MAX_HEADING_WORDS).contains(&words) && starts_capital && ends_open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique() {
        for table in [BOILERPLATE_OPENINGS, CAPTION_OPENINGS, CAPTION_CREDITS] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{:?}", table);
        }
    }

    #[test]
    fn classifies_news_furniture() {
        let cases = [
            ("WATCH: Sessions denies contact with Russia", ParagraphKind::Boilerplate),
            ("READ MORE: The full transcript", ParagraphKind::Boilerplate),
            ("Reporting by Jane Doe; Editing by John Roe", ParagraphKind::Boilerplate),
            ("FILE - The senator speaks, Jan. 10, 2017.", ParagraphKind::Caption),
            ("The senator at the hearing. (AP Photo/Jane Doe)", ParagraphKind::Caption),
            ("Two meetings", ParagraphKind::Heading),
            ("The committee met on Tuesday.", ParagraphKind::Body),
            ("\u{201c}We will win,\u{201d}", ParagraphKind::Body),
            ("and then they left", ParagraphKind::Body),
        ];
        for (text, kind) in cases {
            assert_eq!(classify(text, false), kind, "{text}");
        }
    }

    #[test]
    fn every_credit_marks_a_caption() {
        for credit in CAPTION_CREDITS {
            let text = format!("The senator at the hearing. {credit} Jane Doe");
            assert!(has_caption_credit(&text), "{text}");
        }
        assert!(!has_caption_credit("The senator spoke about photos and images."));
    }

    #[test]
    fn scraped_copies_mark_a_caption() {
        assert_eq!(classify("A man speaks at a meeting in Washington.", true), ParagraphKind::Caption);
    }
}
