//! `search --typesense`: a [`Request`] as Typesense search parameters, and Typesense's
//! answer as the same [`Response`] a local search gives.
//!
//! What translates:
//!
//! | local                           | Typesense                                            |
//! |---------------------------------|------------------------------------------------------|
//! | words (all must match)          | `q` words, `drop_tokens_threshold=0`                 |
//! | `"a phrase"`                    | `"a phrase"`                                         |
//! | `-word`, `NOT word`             | `-word`                                              |
//! | `a AND b`, `+word`, `text:word` | `a b`, `word`, `word`                                |
//! | empty query                     | `*`                                                  |
//! | `--speaker/--entity/--source`   | `filter_by` on `speaker_key`/`entity_key`/`source_key` |
//! | `--party`, `--kind`, `--quotes` | `filter_by` on `party`, `kind`, `quoted`             |
//! | `--since/--until`               | `filter_by` on `date` (seconds)                      |
//! | facets                          | `facet_by=speaker,party,entity,source`               |
//!
//! `OR`, grouping with parentheses, other fields (`title:`), wildcards, fuzzy `~`, boosts
//! `^`, ranges and excluded phrases are refused with an error naming the part. Matching
//! differs in one documented way: tantivy stems English words, Typesense matches the last
//! word as a prefix without typos (`recuse` finds "recused" in both; "recusal" only
//! locally). Scores are Typesense's `text_match`, scaled by 1e-18, comparable only within
//! one response; snippets are Typesense's, cut around the first match.

use serde_json::Value;

use super::client::Client;
use super::schema::FILE;
use crate::annotate::ParagraphRecord;
use crate::index::schema::{filter_key, names};
use crate::search::{parse_party, FacetCounts, Hit, Request, Response, FACET_LIMIT};
use crate::{Error, Result};

/// Most hits Typesense returns in one page.
pub const MAX_PER_PAGE: usize = 250;

/// Longest snippet, in characters (as the local search's).
const SNIPPET_CHARS: usize = 240;

/// Facet values asked for per field, so that ties at the cut are broken by name here, as
/// the local search breaks them.
const FACET_DEPTH: usize = 4 * FACET_LIMIT;

/// Marks around matched words in Typesense's highlights: control characters that never
/// occur in cleaned paragraph text.
const MARK_START: &str = "\u{2}";
const MARK_END: &str = "\u{3}";

/// Searches a Typesense collection with the local search's requests and responses.
pub struct RemoteSearch {
    client: Client,
    collection: String,
}

impl RemoteSearch {
    /// Searches `collection` through `client`.
    pub fn new(client: Client, collection: impl Into<String>) -> Self {
        RemoteSearch { client, collection: collection.into() }
    }

    /// Runs `request`.
    pub fn search(&self, request: &Request) -> Result<Response> {
        let params = search_params(request)?;
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = self.client.search(&self.collection, &pairs).map_err(|e| match e {
            Error::Server { server, message } if message.starts_with("404") => Error::Server {
                server,
                message: format!("no collection `{}`: run `newsdex push` first", self.collection),
            },
            other => other,
        })?;
        to_response(request, &answer).map_err(|message| Error::Server { server: self.collection.clone(), message })
    }
}

/// The local query text in Typesense's `q` syntax, or an error naming what does not
/// translate.
pub fn translate_query(text: &str) -> Result<String> {
    let mut out: Vec<String> = Vec::new();
    let mut negate_next = false;
    for token in tokens(text)? {
        let refuse = |what: &str| {
            Err(Error::InvalidRequest {
                what: "query".into(),
                message: format!(
                    "{what} does not translate to Typesense (it takes words, \"phrases\", -word or NOT word, and AND)"
                ),
            })
        };
        if token == "AND" {
            continue;
        }
        if token == "OR" || token == "||" {
            return refuse("`OR`");
        }
        if token == "NOT" {
            negate_next = true;
            continue;
        }
        let (mut negated, mut body) = (std::mem::take(&mut negate_next), token.as_str());
        if let Some(rest) = body.strip_prefix('-') {
            negated = true;
            body = rest;
        } else if let Some(rest) = body.strip_prefix('+') {
            body = rest;
        }
        if body.starts_with('"') {
            if negated {
                return refuse("an excluded phrase");
            }
            out.push(body.to_owned());
            continue;
        }
        if let Some(rest) = body.strip_prefix("text:") {
            body = rest;
        }
        if let Some(field) = body.split_once(':').map(|(f, _)| f) {
            return refuse(&format!("the field query `{field}:`"));
        }
        if let Some(c) = body.chars().find(|c| "()[]{}*?~^\\".contains(*c)) {
            return refuse(&format!("`{c}`"));
        }
        if body.is_empty() {
            continue;
        }
        out.push(if negated { format!("-{body}") } else { body.to_owned() });
    }
    if negate_next {
        return Err(Error::InvalidRequest { what: "query".into(), message: "NOT at the end of the query".into() });
    }
    if out.is_empty() || out.iter().all(|t| t.starts_with('-')) {
        out.insert(0, "*".into());
    }
    Ok(out.join(" "))
}

/// Whitespace-separated tokens, a quoted phrase (with its quotes and any leading `-`/`+`)
/// being one token.
fn tokens(text: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_phrase = false;
    for c in text.chars() {
        match c {
            '"' => {
                current.push(c);
                in_phrase = !in_phrase;
            }
            c if c.is_whitespace() && !in_phrase => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if in_phrase {
        return Err(Error::InvalidRequest { what: "query".into(), message: "unclosed quote".into() });
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// The Typesense search parameters for `request`.
pub fn search_params(request: &Request) -> Result<Vec<(&'static str, String)>> {
    request.validate()?;
    if request.limit > MAX_PER_PAGE {
        return Err(Error::InvalidRequest {
            what: "limit".into(),
            message: format!("{} is over Typesense's {MAX_PER_PAGE} hits a page", request.limit),
        });
    }
    let mut params = vec![
        ("q", translate_query(&request.query)?),
        ("query_by", names::TEXT.to_owned()),
        ("prefix", "true".to_owned()),
        ("num_typos", "0".to_owned()),
        ("drop_tokens_threshold", "0".to_owned()),
        ("typo_tokens_threshold", "0".to_owned()),
        ("offset", request.offset.to_string()),
        ("limit", request.limit.to_string()),
        ("facet_by", super::schema::FACET_FIELDS.join(",")),
        ("max_facet_values", FACET_DEPTH.to_string()),
        ("highlight_fields", names::TEXT.to_owned()),
        ("highlight_full_fields", names::TEXT.to_owned()),
        ("highlight_affix_num_tokens", "20".to_owned()),
        ("highlight_start_tag", MARK_START.to_owned()),
        ("highlight_end_tag", MARK_END.to_owned()),
        ("exclude_fields", format!("{FILE},{},{}", names::SPEAKER_KEY, names::ENTITY_KEY)),
    ];
    let filter = filter_by(request)?;
    if !filter.is_empty() {
        params.push(("filter_by", filter));
    }
    Ok(params)
}

/// The `filter_by` expression for the request's filters ("" for none).
pub fn filter_by(r: &Request) -> Result<String> {
    let any_of = |field: &str, values: Vec<String>| -> Option<String> {
        if values.is_empty() {
            return None;
        }
        let quoted: Vec<String> = values.iter().map(|v| format!("`{}`", v.replace('`', ""))).collect();
        Some(format!("{field}:=[{}]", quoted.join(",")))
    };
    let keys = |values: &[String]| values.iter().map(|v| filter_key(v)).collect::<Vec<_>>();
    let parties = r.parties.iter().map(|p| parse_party(p).map(|p| p.code().to_owned())).collect::<Result<_>>()?;
    let kinds = r.effective_kinds().iter().map(|k| k.as_str().to_owned()).collect();
    let mut clauses: Vec<String> = [
        any_of(names::SPEAKER_KEY, keys(&r.speakers)),
        any_of(names::ENTITY_KEY, keys(&r.entities)),
        any_of(names::SOURCE_KEY, keys(&r.sources)),
        any_of(names::PARTY, parties),
        any_of(names::KIND, kinds),
    ]
    .into_iter()
    .flatten()
    .collect();
    if r.quotes {
        clauses.push(format!("{}:=true", names::QUOTED));
    }
    // Dates are stored at midnight, so an inclusive bound on both ends keeps the whole of
    // the `until` day.
    let seconds = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    if let Some(since) = r.since.and_then(seconds) {
        clauses.push(format!("{}:>={since}", names::DATE));
    }
    if let Some(until) = r.until.and_then(seconds) {
        clauses.push(format!("{}:<={until}", names::DATE));
    }
    Ok(clauses.join(" && "))
}

/// Typesense's search answer as a local [`Response`]; the error is a message.
pub fn to_response(request: &Request, answer: &Value) -> Result<Response, String> {
    let total = answer["found"].as_u64().ok_or("the answer has no `found` count")?;
    let hits = answer["hits"]
        .as_array()
        .map(|hits| hits.iter().map(to_hit).collect::<Result<Vec<Hit>, String>>())
        .transpose()?
        .unwrap_or_default();
    let hits = if request.limit == 0 { Vec::new() } else { hits };
    let mut facets = FacetCounts::default();
    for facet in answer["facet_counts"].as_array().into_iter().flatten() {
        let counts: Vec<(String, u64)> = facet["counts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c["value"].as_str()?.to_owned(), c["count"].as_u64()?)))
            .collect();
        match facet["field_name"].as_str() {
            Some(names::SPEAKER) => facets.speaker = top(counts),
            Some(names::PARTY) => facets.party = top(counts),
            Some(names::SOURCE) => facets.source = top(counts),
            Some(names::ENTITY) => facets.entity = merge_entities(counts),
            _ => {}
        }
    }
    Ok(Response { query: request.query.clone(), total, hits, facets })
}

/// The `FACET_LIMIT` highest counts, ties by name.
fn top(mut counts: Vec<(String, u64)>) -> Vec<(String, u64)> {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(FACET_LIMIT);
    counts
}

/// `kind/name` entity counts ranked as the local search ranks `/entity/kind/name`
/// facets, then listed by name once, with its larger count.
fn merge_entities(counts: Vec<(String, u64)>) -> Vec<(String, u64)> {
    let ranked = top(counts);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(String, u64)> = ranked
        .into_iter()
        .map(|(value, n)| (value.split_once('/').map_or(value.clone(), |(_, name)| name.to_owned()), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.retain(|(name, _)| seen.insert(name.clone()));
    out
}

fn to_hit(hit: &Value) -> Result<Hit, String> {
    let record_json = hit["document"][names::RECORD].as_str().ok_or("a hit has no stored record")?;
    let record: ParagraphRecord =
        serde_json::from_str(record_json).map_err(|e| format!("a hit's stored record does not read: {e}"))?;
    let text_highlight = hit["highlights"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|h| h["field"] == names::TEXT)
        .or_else(|| hit["highlight"].get(names::TEXT));
    let (snippet, highlights) = snippet_of(&record.text, text_highlight);
    let score = hit["text_match"].as_u64().unwrap_or(0) as f64 * 1e-18;
    Ok(Hit::from_record(record, score as f32, snippet, highlights))
}

/// The snippet and its highlight ranges: the whole marked paragraph when it is short, else
/// Typesense's marked snippet with an ellipsis where it cuts; the paragraph's start when
/// nothing matched.
fn snippet_of(text: &str, highlight: Option<&Value>) -> (String, Vec<[usize; 2]>) {
    let value = highlight.and_then(|h| h["value"].as_str());
    let snippet = highlight.and_then(|h| h["snippet"].as_str());
    if text.chars().count() <= SNIPPET_CHARS {
        return match value.or(snippet).map(unmark).filter(|(plain, _)| plain == text) {
            Some(marked) => marked,
            None => (text.to_owned(), Vec::new()),
        };
    }
    if let Some((plain, ranges)) = snippet.map(unmark).filter(|(plain, _)| !plain.is_empty()) {
        let prefix = if text.starts_with(&plain) { "" } else { "\u{2026}" };
        let suffix = if text.ends_with(&plain) { "" } else { "\u{2026}" };
        let shift = prefix.len();
        let ranges = ranges.into_iter().map(|[s, e]| [s + shift, e + shift]).collect();
        return (format!("{prefix}{plain}{suffix}"), ranges);
    }
    let cut = text.char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(i, _)| i);
    let end = text[..cut].rfind(' ').filter(|&sp| sp > 0).unwrap_or(cut);
    (format!("{}\u{2026}", &text[..end]), Vec::new())
}

/// Text with [`MARK_START`]/[`MARK_END`] marks as plain text and the byte ranges marked.
fn unmark(marked: &str) -> (String, Vec<[usize; 2]>) {
    let mut plain = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open = None;
    let mut rest = marked;
    while let Some(at) = rest.find(['\u{2}', '\u{3}']) {
        plain.push_str(&rest[..at]);
        let mark = &rest[at..at + 1];
        if mark == MARK_START {
            open = Some(plain.len());
        } else if let Some(start) = open.take() {
            ranges.push([start, plain.len()]);
        }
        rest = &rest[at + 1..];
    }
    plain.push_str(rest);
    (plain, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check_query(local: &str, typesense: &str) {
        assert_eq!(translate_query(local).unwrap(), typesense, "{local}");
    }

    fn refused(local: &str, part: &str) {
        let err = translate_query(local).unwrap_err().to_string();
        assert!(err.contains(part) && err.contains("does not translate"), "{local}: {err}");
    }

    #[test]
    fn query_syntax_that_translates() {
        check_query("recuse", "recuse");
        check_query("", "*");
        check_query("russia AND sessions", "russia sessions");
        check_query("\"special prosecutor\"", "\"special prosecutor\"");
        check_query("trump -russia", "trump -russia");
        check_query("trump NOT russia", "trump -russia");
        check_query("+trump text:wall", "trump wall");
        check_query("-russia", "* -russia");
    }

    #[test]
    fn query_syntax_that_does_not_translate_is_named() {
        refused("trump OR clinton", "`OR`");
        refused("title:budget", "`title:`");
        refused("(a b)", "`(`");
        refused("recus*", "`*`");
        refused("trump~1", "`~`");
        refused("trump^2", "`^`");
        refused("-\"special prosecutor\"", "excluded phrase");
        assert!(translate_query("\"open").unwrap_err().to_string().contains("unclosed quote"));
    }

    #[test]
    fn filters_translate_to_filter_by() {
        let r = Request {
            speakers: vec!["Al  Franken".into(), "graham".into()],
            parties: vec!["Democrat".into()],
            quotes: true,
            since: chrono::NaiveDate::from_ymd_opt(2017, 2, 28),
            ..Request::new("x")
        };
        assert_eq!(
            filter_by(&r).unwrap(),
            "speaker_key:=[`al franken`,`graham`] && party:=[`D`] && kind:=[`body`] && quoted:=true && date:>=1488240000"
        );
        let r = Request { parties: vec!["Whig".into()], ..Request::new("x") };
        assert!(search_params(&r).unwrap_err().to_string().contains("unknown party"));
        let r = Request { limit: 300, ..Request::new("x") };
        assert!(search_params(&r).unwrap_err().to_string().contains("250"));
    }

    #[test]
    fn marks_become_byte_ranges() {
        assert_eq!(unmark("a \u{2}recuse\u{3} b"), ("a recuse b".to_owned(), vec![[2, 8]]));
        let long = format!("{} must \u{2}recuse\u{3} now", "word ".repeat(60));
        let text = format!("{} must recuse now and then {}", "word ".repeat(60), "more ".repeat(10));
        let h = json!({"snippet": long, "value": ""});
        let (snippet, ranges) = snippet_of(&text, Some(&h));
        assert!(snippet.ends_with('\u{2026}'));
        assert_eq!(&snippet[ranges[0][0]..ranges[0][1]], "recuse");
        let (snippet, ranges) = snippet_of(&text, None);
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 1 && ranges.is_empty());
    }

    #[test]
    fn answers_become_responses() {
        let record = &super::super::schema::tests::sample_records()[1];
        let answer = json!({
            "found": 3,
            "hits": [{
                "document": {"record": serde_json::to_string(record).unwrap()},
                "highlights": [{"field": "text", "value": record.text.replacen("win", "\u{2}win\u{3}", 1)}],
                "text_match": 578730123365187705u64,
            }],
            "facet_counts": [
                {"field_name": "speaker", "counts": [{"value": "B", "count": 2}, {"value": "A", "count": 2}]},
                {"field_name": "entity", "counts": [
                    {"value": "place/Ohio", "count": 1}, {"value": "organization/Ohio", "count": 3}]},
            ],
        });
        let response = to_response(&Request::new("win"), &answer).unwrap();
        assert_eq!(response.total, 3);
        assert_eq!(response.hits[0].text, record.text);
        let [s, e] = response.hits[0].highlights[0];
        assert_eq!(&response.hits[0].snippet[s..e], "win");
        assert_eq!(response.facets.speaker, [("A".to_owned(), 2), ("B".to_owned(), 2)]);
        assert_eq!(response.facets.entity, [("Ohio".to_owned(), 3)]);
        assert!(to_response(&Request::new("x"), &json!({})).is_err());
    }
}
