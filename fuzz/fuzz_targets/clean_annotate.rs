//! Cleaning plus annotation of any text: never a panic, and every span lies on char
//! boundaries of the body, inside its paragraph (an inherited source: before it);
//! annotating twice gives the same result.
//!
//! Input: the article body (lossily UTF-8). A first line ending in a newline pair also
//! becomes the title, as the text reader does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsdex::annotate::Annotator;
use newsdex::corpus::Article;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data).into_owned();
    let title = body.split_once("\n\n").map(|(first, _)| first.trim().to_owned()).filter(|t| t.len() < 200);
    let article = Article { body, title, ..Article::default() };
    let annotator = Annotator::builtin();
    let records = annotator.annotate(&article);
    let body = &article.body;
    for r in &records {
        assert!(r.start <= r.end && r.end <= body.len());
        assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end));
        assert_eq!(r.text.len(), r.end - r.start);
        let inside = |[s, e]: [usize; 2]| {
            assert!(r.start <= s && s <= e && e <= r.end, "span {s}..{e} outside paragraph {}..{}", r.start, r.end);
            assert!(body.is_char_boundary(s) && body.is_char_boundary(e), "span {s}..{e} not on char boundaries");
        };
        for a in &r.attributions {
            inside(a.content);
            a.cue.map(inside);
            // A continued or floating quote points at the source mention it inherits, in
            // an earlier paragraph.
            if let Some([s, e]) = a.source {
                assert!(s <= e && (e <= r.start || r.start <= s && e <= r.end), "source {s}..{e} after its paragraph");
                assert!(body.is_char_boundary(s) && body.is_char_boundary(e), "source {s}..{e} not on char boundaries");
            }
        }
        for e in &r.entities {
            inside(e.span);
            // Entity text is paragraph text: line breaks inside a name read as spaces.
            assert_eq!(body[e.span[0]..e.span[1]].replace(['\n', '\r'], " "), e.text);
        }
    }
    assert_eq!(annotator.annotate(&article), records, "annotation is not deterministic");
});
