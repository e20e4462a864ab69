//! Reading one corpus file into articles. Formats are chosen by extension; a `.gz`
//! suffix adds gzip decompression to any of them.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fields::{FieldMap, FieldRole};
use super::walk::path_label;
use super::{parse_date, Article};
use crate::{Error, Result};

/// Longest article body newsdex reads, in bytes. A news article is a few kilobytes and a
/// long transcript a megabyte or two; a body over this is a data dump (a 100 MB file on one
/// line), which would take minutes to annotate and could not be shown as paragraphs. It is
/// refused with a message naming the file (and line); other articles of the file are kept.
pub const MAX_ARTICLE_BYTES: usize = 8 << 20;

/// Decompressed `.gz` data may be at most this many times the compressed size (text
/// compresses about ten to one), and never less than [`MIN_GZIP_LIMIT`]: a guard against
/// "gzip bombs" that would exhaust memory.
const MAX_GZIP_RATIO: u64 = 100;

/// See [`MAX_GZIP_RATIO`].
const MIN_GZIP_LIMIT: u64 = 1 << 30;

/// The article formats newsdex reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One article a file; the first line is the title when it looks like one.
    Text,
    /// One article object, or an array of them.
    Json,
    /// One article object a line (`.jsonl`, `.ndjson`).
    JsonLines,
}

impl Format {
    /// The format of `path` and whether it is gzipped, or `None` for files newsdex skips.
    pub fn of(path: &Path) -> Option<(Format, bool)> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (name, gzipped) = match name.strip_suffix(".gz") {
            Some(inner) => (inner.to_owned(), true),
            None => (name, false),
        };
        let format = match name.rsplit_once('.')?.1 {
            "txt" | "text" => Format::Text,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            _ => return None,
        };
        Some((format, gzipped))
    }
}

/// What one file yielded: its articles and the problems met on the way, which did not
/// stop the rest of the file from being read.
#[derive(Debug, Default)]
pub struct FileArticles {
    /// The articles, in file order.
    pub articles: Vec<Article>,
    /// Recoverable problems (a bad line, an unparseable date, invalid UTF-8).
    pub warnings: Vec<Error>,
}

/// Reads the articles of `path`. `label` is the path as it appears in article ids.
pub fn read_file(path: &Path, label: &str, fields: &FieldMap) -> Result<FileArticles> {
    let (format, gzipped) =
        Format::of(path).ok_or_else(|| Error::parse(shown(path), None, "not a .txt, .json, .jsonl or .ndjson file"))?;
    let raw = std::fs::read(path).map_err(|e| Error::io(shown(path), e))?;
    read_raw(&raw, format, gzipped, path, label, fields)
}

/// Reads articles from the raw bytes of a file of `format`, decompressing them first when
/// `gzipped`. Callers that hash or cache raw bytes read the file themselves.
pub fn read_raw(
    raw: &[u8],
    format: Format,
    gzipped: bool,
    path: &Path,
    label: &str,
    fields: &FieldMap,
) -> Result<FileArticles> {
    if gzipped {
        read_bytes(&gunzip(raw, &shown(path))?, format, path, label, fields)
    } else {
        read_bytes(raw, format, path, label, fields)
    }
}

/// Reads articles of `format` from `bytes` that came from `path`.
///
/// Never panics, whatever the bytes: content that is not text is an error, and problems
/// that leave the rest readable (invalid UTF-8, control characters, a bad line, an article
/// without a body) are warnings naming the file and, where there is one, the line.
pub fn read_bytes(bytes: &[u8], format: Format, path: &Path, label: &str, fields: &FieldMap) -> Result<FileArticles> {
    let path = &shown(path);
    let mut out = FileArticles::default();
    if let Some(why) = not_text(bytes) {
        return Err(Error::parse(path, None, format!("not a text file: {why}")));
    }
    let text = decode(bytes, path, &mut out.warnings);
    match format {
        Format::Text => {
            if let Some(article) = text_article(text, label, path, &mut out.warnings)? {
                out.articles.push(article);
            }
        }
        Format::Json => {
            let value: Value =
                serde_json::from_str(&text).map_err(|e| Error::parse(path, Some(e.line()), json_message(&e)))?;
            drop(text);
            read_json_value(value, path, label, fields, &mut out)?;
        }
        Format::JsonLines => read_json_lines(&text, path, label, fields, &mut out),
    }
    if out.articles.is_empty() && out.warnings.is_empty() {
        out.warnings.push(Error::parse(path, None, "no articles: the file holds no text, or an empty array"));
    }
    Ok(out)
}

/// `path` as messages show it: see [`path_label`].
fn shown(path: &Path) -> PathBuf {
    PathBuf::from(path_label(path))
}

/// serde_json's message without its trailing "at line L column C", which would repeat (or,
/// for a JSON Lines line, contradict) the line the warning already names.
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let reason = full.strip_suffix(&position).unwrap_or(&full);
    if e.column() > 0 {
        format!("invalid JSON at column {}: {reason}", e.column())
    } else {
        format!("invalid JSON: {reason}")
    }
}

fn gunzip(raw: &[u8], path: &Path) -> Result<Vec<u8>> {
    gunzip_limited(raw, path, gzip_limit(raw.len()))
}

/// Most bytes `compressed` bytes of gzip data may expand to.
fn gzip_limit(compressed: usize) -> u64 {
    (compressed as u64).saturating_mul(MAX_GZIP_RATIO).max(MIN_GZIP_LIMIT)
}

fn gunzip_limited(raw: &[u8], path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(raw.len().saturating_mul(4).min(64 << 20));
    flate2::read::MultiGzDecoder::new(raw)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::parse(path, None, format!("corrupt or truncated gzip data: {e}")))?;
    if bytes.len() as u64 > limit {
        let message = format!("gzip data expands to more than {limit} bytes, a likely gzip bomb; not read");
        return Err(Error::parse(path, None, message));
    }
    Ok(bytes)
}

/// Why `bytes` are not text, judged from their first 8 KiB, or `None` when they are.
/// Scraped text sometimes has a stray NUL or a few Latin-1 bytes, so a little of each is
/// tolerated (and handled by [`decode`]); images, archives and UTF-16 are refused.
fn not_text(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 text (convert it to UTF-8)");
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    let controls = head.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b)).count();
    // A sequence cut by the 8 KiB boundary is not counted against the file.
    let invalid = head.utf8_chunks().filter(|c| !c.invalid().is_empty()).count().saturating_sub(1);
    if nuls > 2 || controls * 10 > head.len() {
        Some("binary content (NUL bytes and control characters)")
    } else if invalid * 6 > head.len() {
        Some("binary content (mostly invalid UTF-8)")
    } else {
        None
    }
}

/// UTF-8 with a byte-order mark turned into three spaces: the text reads as if it had
/// none, and every offset still counts bytes from the start of the file. Invalid
/// sequences become U+FFFD with a warning, so no article is lost to one bad byte.
/// Control characters (NUL, ESC and the like, which would corrupt a terminal showing the
/// text) become spaces, also with a warning.
fn decode(bytes: &[u8], path: &Path, warnings: &mut Vec<Error>) -> String {
    let unmarked;
    let bytes = match bytes.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => {
            unmarked = [b"   ".as_slice(), rest].concat();
            unmarked.as_slice()
        }
        None => bytes,
    };
    let mut text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            warnings.push(Error::parse(
                path,
                Some(line_of(bytes, e.valid_up_to())),
                "invalid UTF-8, decoded with replacement characters",
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    if let Some(first) = blank_controls(&mut text) {
        let line = line_of(text.as_bytes(), first);
        warnings.push(Error::parse(path, Some(line), "control characters (such as NUL) replaced by spaces"));
    }
    text
}

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The 1-based line of byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// Whether `c` is a control character other than whitespace (tab, line breaks, form feed).
fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}')
}

/// Replaces each stray control character of `text` by as many spaces as it has bytes, so
/// byte offsets do not move; returns the offset of the first one, if any.
pub(crate) fn blank_controls(text: &mut String) -> Option<usize> {
    let first = text.find(is_stray_control)?;
    let mut blanked = String::with_capacity(text.len());
    blanked.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_stray_control(c) {
            blanked.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            blanked.push(c);
        }
    }
    *text = blanked;
    Some(first)
}

/// A plain-text article: the body is the whole text, so offsets are offsets into the
/// file; a first line that looks like a headline also becomes the title. Empty text is
/// no article; text over [`MAX_ARTICLE_BYTES`] is an error.
fn text_article(text: String, label: &str, path: &Path, warnings: &mut Vec<Error>) -> Result<Option<Article>> {
    if text.trim().is_empty() {
        warnings.push(Error::parse(path, None, "no article: the file is empty or holds only whitespace"));
        return Ok(None);
    }
    if text.len() > MAX_ARTICLE_BYTES {
        return Err(Error::parse(path, None, too_long(text.len())));
    }
    Ok(Some(Article {
        path: label.to_owned(),
        title: headline(&text).map(str::to_owned),
        body: text,
        ..Article::default()
    }))
}

/// The message for an article body of `len` bytes, over [`MAX_ARTICLE_BYTES`].
fn too_long(len: usize) -> String {
    format!(
        "article body of {:.1} MB is over the {} MB limit for one article; not indexed",
        len as f64 / 1e6,
        MAX_ARTICLE_BYTES >> 20
    )
}

/// The first line, when it stands alone (followed by a blank line), is short, and does
/// not end like a sentence.
pub(crate) fn headline(text: &str) -> Option<&str> {
    let text = text.trim_start_matches(['\n', '\r']);
    let (first, rest) = text.split_once('\n')?;
    let first = first.trim();
    let stands_alone = rest.trim_start_matches([' ', '\t', '\r']).starts_with('\n');
    let words = first.split_whitespace().count();
    let sentence_end = first.ends_with(['.', '!', '?', '"', '\u{201d}', ':', ',']);
    (stands_alone && (2..=30).contains(&words) && first.len() <= 250 && !sentence_end).then_some(first)
}

fn read_json_value(value: Value, path: &Path, label: &str, fields: &FieldMap, out: &mut FileArticles) -> Result<()> {
    match value {
        Value::Object(object) => push_json_article(&object, path, label, 0, None, fields, out),
        Value::Array(items) => {
            // One warning for all non-objects: an array of a million numbers is one problem.
            let mut not_objects = Vec::new();
            for (position, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(object) => push_json_article(&object, path, label, position, None, fields, out),
                    _ => not_objects.push(position),
                }
            }
            if let Some(first) = not_objects.first() {
                let message = match not_objects.len() {
                    1 => format!("array element {first} is not an article object"),
                    n => format!("{n} array elements are not article objects (the first is element {first})"),
                };
                out.warnings.push(Error::parse(path, None, message));
            }
        }
        _ => return Err(Error::parse(path, None, "JSON is neither an article object nor an array of them")),
    }
    Ok(())
}

fn read_json_lines(text: &str, path: &Path, label: &str, fields: &FieldMap, out: &mut FileArticles) {
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => push_json_article(&object, path, label, index, Some(line_no), fields, out),
            Ok(_) => out.warnings.push(Error::parse(path, Some(line_no), "not an article object")),
            Err(e) => out.warnings.push(Error::parse(path, Some(line_no), json_message(&e))),
        }
    }
}

fn push_json_article(
    object: &serde_json::Map<String, Value>,
    path: &Path,
    label: &str,
    position: usize,
    line: Option<usize>,
    fields: &FieldMap,
    out: &mut FileArticles,
) {
    let Some(mut body) = fields.text(object, FieldRole::Body) else {
        out.warnings.push(Error::parse(path, line, format!("article {position} has no body text")));
        return;
    };
    if body.len() > MAX_ARTICLE_BYTES {
        out.warnings.push(Error::parse(path, line, format!("article {position}: {}", too_long(body.len()))));
        return;
    }
    let raw_date = fields.text(object, FieldRole::Date);
    let date = raw_date.as_deref().and_then(parse_date);
    if let (Some(raw), None) = (&raw_date, date) {
        let message = format!("unparseable date `{}`, article kept without a date", excerpt(raw));
        out.warnings.push(Error::parse(path, line, message));
    }
    let mut title = fields.text(object, FieldRole::Title);
    let mut source = fields.text(object, FieldRole::Source);
    let mut url = fields.text(object, FieldRole::Url);
    let mut authors = fields.authors(object);
    // JSON strings may spell control characters as escapes (`\u001b`); they are blanked
    // as in text files.
    let texts = [&mut title, &mut source, &mut url].into_iter().flatten().chain(&mut authors);
    // Every field is blanked, so this counts rather than stopping at the first.
    let blanked = texts.chain(std::iter::once(&mut body)).map(|t| blank_controls(t).is_some()).filter(|&b| b).count();
    if blanked > 0 {
        out.warnings.push(Error::parse(
            path,
            line,
            format!("article {position}: control characters replaced by spaces"),
        ));
    }
    out.articles.push(Article { path: label.to_owned(), position, title, body, date, source, url, authors });
}

/// At most the first 60 characters of `text`, controls blanked, for a message.
fn excerpt(text: &str) -> String {
    let mut short = match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    };
    blank_controls(&mut short);
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, format: Format) -> Result<FileArticles> {
        read_bytes(text.as_bytes(), format, Path::new("t"), "t", &FieldMap::default())
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.txt")), Some((Format::Text, false)));
        assert_eq!(Format::of(Path::new("b.JSON.gz")), Some((Format::Json, true)));
        assert_eq!(Format::of(Path::new("b.ndjson")), Some((Format::JsonLines, false)));
        assert_eq!(Format::of(Path::new("b.png")), None);
        assert_eq!(Format::of(Path::new("README")), None);
    }

    #[test]
    fn text_title_only_when_it_looks_like_one() {
        assert_eq!(headline("Senate passes the bill\n\nThe Senate voted."), Some("Senate passes the bill"));
        assert_eq!(headline("The Senate voted on Tuesday.\n\nMore."), None);
        assert_eq!(headline("Line one\nline two\n\nMore."), None);
    }

    #[test]
    fn text_body_is_the_whole_file() {
        let got = read("Title here\n\nBody.\n", Format::Text).unwrap();
        assert_eq!(got.articles[0].body, "Title here\n\nBody.\n");
        assert_eq!(got.articles[0].title.as_deref(), Some("Title here"));
    }

    #[test]
    fn json_object_and_array() {
        let one = read(r#"{"title":"T","text":"B","date":"2017-02-28"}"#, Format::Json).unwrap();
        assert_eq!(one.articles.len(), 1);
        assert_eq!(one.articles[0].date, chrono::NaiveDate::from_ymd_opt(2017, 2, 28));
        let many = read(r#"[{"text":"A"},{"text":"B"},3]"#, Format::Json).unwrap();
        assert_eq!(many.articles.iter().map(|a| a.position).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(many.warnings.len(), 1);
    }

    #[test]
    fn json_that_is_not_an_article_is_an_error() {
        let err = read("42", Format::Json).unwrap_err().to_string();
        assert!(err.contains("neither an article object"), "{err}");
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(read(&deep, Format::Json).is_err());
    }

    #[test]
    fn json_lines_keep_good_lines_and_name_the_bad_one() {
        let got = read("{\"text\":\"A\"}\n{broken\n{\"text\":\"C\"}\n", Format::JsonLines).unwrap();
        assert_eq!(got.articles.len(), 2);
        assert_eq!(got.articles[1].position, 2);
        assert!(got.warnings[0].to_string().starts_with("t:2: invalid JSON"), "{}", got.warnings[0]);
    }

    #[test]
    fn unparseable_date_is_a_warning() {
        let got = read(r#"{"text":"A","date":"someday"}"#, Format::Json).unwrap();
        assert_eq!(got.articles[0].date, None);
        assert!(got.warnings[0].to_string().contains("unparseable date"));
    }

    #[test]
    fn invalid_utf8_and_bom() {
        let bytes = b"\xEF\xBB\xBFHello \xFF world\n";
        let got = read_bytes(bytes, Format::Text, Path::new("t"), "t", &FieldMap::default()).unwrap();
        // The mark becomes spaces, so "Hello" is at byte 3 of the body as of the file.
        assert_eq!(got.articles[0].body, "   Hello \u{FFFD} world\n");
        assert_eq!(got.warnings.len(), 1);
        let json = b"\xEF\xBB\xBF{\"text\": \"Marked\"}";
        let got = read_bytes(json, Format::Json, Path::new("j"), "j", &FieldMap::default()).unwrap();
        assert_eq!(got.articles[0].body, "Marked");
    }

    #[test]
    fn binary_content_is_refused() {
        let bytes = [0u8, 1, 2, 3, 0, 0, 0, 5, 6];
        assert!(read_bytes(&bytes, Format::Text, Path::new("t"), "t", &FieldMap::default()).is_err());
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        assert!(gunzip(b"\x1f\x8b\x08\x00garbage", Path::new("x.gz")).is_err());
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn truncated_gzip_names_the_file() {
        let whole = gzip(br#"{"text":"A whole article."}"#);
        let err = gunzip(&whole[..whole.len() / 2], Path::new("cut.json.gz")).unwrap_err().to_string();
        assert!(err.starts_with("cut.json.gz: corrupt or truncated gzip data"), "{err}");
    }

    #[test]
    fn gzip_bomb_is_refused_at_its_limit() {
        // Input: 2 MB of zeros, a few kilobytes compressed; limit: 100 times that.
        let bomb = gzip(&vec![b' '; 2 << 20]);
        let err = gunzip_limited(&bomb, Path::new("bomb.txt.gz"), 100 * bomb.len() as u64).unwrap_err();
        assert!(err.to_string().contains("expands to more than"), "{err}");
        assert_eq!(gunzip_limited(&bomb, Path::new("ok.txt.gz"), 2 << 20).unwrap().len(), 2 << 20);
        assert!(gzip_limit(10) >= MIN_GZIP_LIMIT && gzip_limit(100 << 20) == 100 * (100 << 20));
    }

    #[test]
    fn control_characters_become_spaces_keeping_offsets() {
        // Input: a NUL on line 2 and an ESC sequence on line 3.
        let got = read("First line.\nA NUL\u{0}here.\nAn \u{1b}[2J escape \u{9b} too.\n", Format::Text).unwrap();
        let body = &got.articles[0].body;
        assert_eq!(body, "First line.\nA NUL here.\nAn  [2J escape    too.\n");
        assert_eq!(body.len(), "First line.\nA NUL\u{0}here.\nAn \u{1b}[2J escape \u{9b} too.\n".len());
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].to_string().starts_with("t:2: control characters"), "{}", got.warnings[0]);
    }

    #[test]
    fn json_escaped_controls_are_blanked_in_every_field() {
        let got = read(r#"{"title":"T\u001b[31m","text":"B\u0000ody","author":"A\u0007"}"#, Format::Json).unwrap();
        let a = &got.articles[0];
        assert_eq!((a.title.as_deref(), a.body.as_str(), a.authors[0].as_str()), (Some("T [31m"), "B ody", "A "));
        assert!(got.warnings[0].to_string().contains("control characters replaced"), "{}", got.warnings[0]);
    }

    #[test]
    fn empty_and_whitespace_files_warn() {
        for (text, format) in
            [("", Format::Text), (" \n\t\r\n ", Format::Text), ("", Format::JsonLines), ("[]", Format::Json)]
        {
            let got = read(text, format).unwrap();
            assert!(got.articles.is_empty());
            assert!(got.warnings[0].to_string().contains("no article"), "{text:?}: {}", got.warnings[0]);
        }
    }

    #[test]
    fn article_over_the_size_limit_is_refused_alone() {
        let huge = "x".repeat(MAX_ARTICLE_BYTES + 1);
        let err = read(&huge, Format::Text).unwrap_err().to_string();
        assert!(err.starts_with("t: article body of 8.4 MB is over the 8 MB limit"), "{err}");
        let lines = format!("{{\"text\":\"small\"}}\n{{\"text\":\"{huge}\"}}\n{{\"text\":\"also small\"}}\n");
        let got = read(&lines, Format::JsonLines).unwrap();
        assert_eq!(got.articles.len(), 2);
        assert!(got.warnings[0].to_string().starts_with("t:2: article 1: article body of"), "{}", got.warnings[0]);
    }

    #[test]
    fn one_line_json_array_of_many_articles_is_read_whole() {
        let array = format!("[{}]", vec![r#"{"text":"An article."}"#; 5000].join(","));
        assert_eq!(read(&array, Format::Json).unwrap().articles.len(), 5000);
    }

    #[test]
    fn non_object_array_elements_are_one_warning() {
        let got = read("[1,2,{\"text\":\"A\"},\"x\"]", Format::Json).unwrap();
        assert_eq!(got.articles.len(), 1);
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0]
            .to_string()
            .contains("3 array elements are not article objects (the first is element 0)"));
    }

    #[test]
    fn json_errors_name_line_and_column_once() {
        let err = read("{\n\"text\" 1}", Format::Json).unwrap_err().to_string();
        assert_eq!(err, "t:2: invalid JSON at column 8: expected `:`");
        let err = read("{\n\"text\": tru\n}", Format::Json).unwrap_err().to_string();
        assert_eq!(err, "t:3: invalid JSON: expected ident");
        let got = read("{\"text\":\"A\"}\n{\"text\" 1}\n", Format::JsonLines).unwrap();
        assert_eq!(got.warnings[0].to_string(), "t:2: invalid JSON at column 9: expected `:`");
    }

    #[test]
    fn utf16_and_random_bytes_are_not_text_but_latin1_is() {
        let utf16: Vec<u8> = "\u{feff}Hello".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let err = read_bytes(&utf16, Format::Text, Path::new("t"), "t", &FieldMap::default()).unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
        // A deterministic pseudo-random byte soup with no NULs, like compressed data.
        let soup: Vec<u8> = (0u32..4096).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80).collect();
        assert!(read_bytes(&soup, Format::Text, Path::new("t"), "t", &FieldMap::default()).is_err());
        let latin1 = b"Le pr\xe9sident a d\xe9clar\xe9 que la r\xe9forme passera.\n";
        let got = read_bytes(latin1, Format::Text, Path::new("t"), "t", &FieldMap::default()).unwrap();
        assert_eq!(got.articles.len(), 1);
        assert!(got.warnings[0].to_string().contains("invalid UTF-8"));
    }

    #[test]
    fn messages_show_non_utf8_and_control_file_names_escaped() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"bad\xff\x1b.json"));
        let err = read_bytes(b"42", Format::Json, path, "x", &FieldMap::default()).unwrap_err().to_string();
        assert!(err.starts_with("bad\\xFF\\x1b.json: "), "{err}");
    }

    #[test]
    fn unparseable_date_message_is_short_and_clean() {
        let date = "\u{1b}".to_owned() + &"9".repeat(1000);
        let got =
            read(&format!(r#"{{"text":"A","date":"{}"}}"#, date.replace('\u{1b}', "\\u001b")), Format::Json).unwrap();
        let message = got.warnings[0].to_string();
        assert!(message.len() < 150 && !message.contains('\u{1b}'), "{message}");
    }
}
