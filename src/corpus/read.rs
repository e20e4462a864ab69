//! Reading one corpus file into articles. Formats are chosen by extension; a `.gz`
//! suffix adds gzip decompression to any of them.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::fields::{FieldMap, FieldRole};
use super::{parse_date, Article};
use crate::{Error, Result};

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
        Format::of(path).ok_or_else(|| Error::parse(path, None, "not a .txt, .json, .jsonl or .ndjson file"))?;
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
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
        read_bytes(&gunzip(raw, path)?, format, path, label, fields)
    } else {
        read_bytes(raw, format, path, label, fields)
    }
}

/// Reads articles of `format` from `bytes` that came from `path`.
pub fn read_bytes(bytes: &[u8], format: Format, path: &Path, label: &str, fields: &FieldMap) -> Result<FileArticles> {
    let mut out = FileArticles::default();
    if looks_binary(bytes) {
        return Err(Error::parse(path, None, "binary content, not text"));
    }
    let text = decode(bytes, path, &mut out.warnings);
    match format {
        Format::Text => out.articles.extend(text_article(&text, label)),
        Format::Json => {
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| Error::parse(path, Some(e.line()), format!("invalid JSON: {e}")))?;
            read_json_value(value, path, label, fields, &mut out)?;
        }
        Format::JsonLines => read_json_lines(&text, path, label, fields, &mut out),
    }
    Ok(out)
}

fn gunzip(raw: &[u8], path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(raw.len() * 4);
    flate2::read::MultiGzDecoder::new(raw)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::parse(path, None, format!("corrupt or truncated gzip data: {e}")))?;
    Ok(bytes)
}

/// A file is binary when its first 8 KiB hold NUL bytes or mostly control characters;
/// text scraped from the web sometimes has a stray NUL, so one or two are tolerated.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    let controls = head.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b)).count();
    nuls > 2 || controls * 10 > head.len().max(1)
}

/// UTF-8 with a BOM stripped; invalid sequences become U+FFFD with a warning, so no
/// article is lost to one bad byte.
fn decode(bytes: &[u8], path: &Path, warnings: &mut Vec<Error>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            warnings.push(Error::parse(
                path,
                Some(1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count()),
                "invalid UTF-8, decoded with replacement characters",
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// A plain-text article: the body is the whole text, so offsets are offsets into the
/// file; a first line that looks like a headline also becomes the title.
fn text_article(text: &str, label: &str) -> Option<Article> {
    if text.trim().is_empty() {
        return None;
    }
    Some(Article {
        path: label.to_owned(),
        title: headline(text).map(str::to_owned),
        body: text.to_owned(),
        ..Article::default()
    })
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
            for (position, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(object) => push_json_article(&object, path, label, position, None, fields, out),
                    _ => out.warnings.push(Error::parse(
                        path,
                        None,
                        format!("array element {position} is not an article object"),
                    )),
                }
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
            Err(e) => out.warnings.push(Error::parse(path, Some(line_no), format!("invalid JSON: {e}"))),
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
    let Some(body) = fields.text(object, FieldRole::Body) else {
        out.warnings.push(Error::parse(path, line, format!("article {position} has no body text")));
        return;
    };
    let raw_date = fields.text(object, FieldRole::Date);
    let date = raw_date.as_deref().and_then(parse_date);
    if let (Some(raw), None) = (&raw_date, date) {
        out.warnings.push(Error::parse(path, line, format!("unparseable date `{raw}`, article kept without a date")));
    }
    out.articles.push(Article {
        path: label.to_owned(),
        position,
        title: fields.text(object, FieldRole::Title),
        body,
        date,
        source: fields.text(object, FieldRole::Source),
        url: fields.text(object, FieldRole::Url),
        authors: fields.authors(object),
    });
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
        assert_eq!(got.articles[0].body, "Hello \u{FFFD} world\n");
        assert_eq!(got.warnings.len(), 1);
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
}
