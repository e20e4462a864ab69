//! A search request: query text and filters, with the same meaning in the CLI and the
//! HTTP API.

use chrono::NaiveDate;

use crate::clean::ParagraphKind;
use crate::roster::Party;
use crate::{Error, Result};

/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 1000;

/// Deepest page start: ranking deeper than this is not browsing, and offset plus limit
/// must stay far from overflow.
pub const MAX_OFFSET: usize = 100_000;

/// Deepest parenthesis nesting a query may have. tantivy's query parser recurses once per
/// level, so ten thousand `(` overflowed the stack and aborted the process (or a server
/// thread) instead of failing the request.
pub const MAX_QUERY_NESTING: usize = 100;

/// What to search for. Repeated values of one filter are OR-ed; different filters are
/// AND-ed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    /// tantivy query syntax over paragraph text; empty matches everything.
    pub query: String,
    /// Speaker names or name parts, case-insensitive.
    pub speakers: Vec<String>,
    /// Parties: D/R/I or Democrat/Republican/Independent.
    pub parties: Vec<String>,
    /// Entity names or name parts.
    pub entities: Vec<String>,
    /// Source (outlet) names.
    pub sources: Vec<String>,
    /// Earliest date, inclusive.
    pub since: Option<NaiveDate>,
    /// Latest date, inclusive.
    pub until: Option<NaiveDate>,
    /// Paragraph kinds; empty means body only.
    pub kinds: Vec<ParagraphKind>,
    /// Only paragraphs where someone speaks.
    pub quotes: bool,
    /// Hits per page.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            query: String::new(),
            speakers: Vec::new(),
            parties: Vec::new(),
            entities: Vec::new(),
            sources: Vec::new(),
            since: None,
            until: None,
            kinds: Vec::new(),
            quotes: false,
            limit: 10,
            offset: 0,
        }
    }
}

impl Request {
    /// A request for `query` with default filters.
    pub fn new(query: impl Into<String>) -> Self {
        Request { query: query.into(), ..Request::default() }
    }

    /// The kinds searched: body paragraphs unless kinds were asked for.
    pub fn effective_kinds(&self) -> Vec<ParagraphKind> {
        if self.kinds.is_empty() {
            vec![ParagraphKind::Body]
        } else {
            self.kinds.clone()
        }
    }

    /// Checks the request before it runs.
    pub fn validate(&self) -> Result<()> {
        let nesting = query_nesting(&self.query);
        if nesting > MAX_QUERY_NESTING {
            return Err(invalid(
                "query",
                format!("parentheses nest {nesting} deep, over the limit of {MAX_QUERY_NESTING}"),
            ));
        }
        if self.limit > MAX_LIMIT {
            return Err(invalid("limit", format!("{} is over the maximum of {MAX_LIMIT}", self.limit)));
        }
        if self.offset > MAX_OFFSET {
            return Err(invalid("offset", format!("{} is over the maximum of {MAX_OFFSET}", self.offset)));
        }
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since > until {
                return Err(invalid("since", format!("{since} is after --until {until}")));
            }
        }
        for p in &self.parties {
            parse_party(p)?;
        }
        Ok(())
    }
}

fn invalid(what: &str, message: String) -> Error {
    Error::InvalidRequest { what: what.to_owned(), message }
}

/// The deepest nesting of parentheses in `query`, counting every `(` outside a quoted
/// phrase and not escaped with `\` (unbalanced ones too: the parser recurses on them).
fn query_nesting(query: &str) -> usize {
    let (mut depth, mut deepest, mut quoted, mut escaped) = (0usize, 0, false, false);
    for c in query.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A party as typed in a filter.
pub fn parse_party(typed: &str) -> Result<Party> {
    Party::parse(typed).ok_or_else(|| {
        invalid("party", format!("unknown party `{typed}`; use D, R, I (or Democrat, Republican, Independent)"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_kind_is_body() {
        assert_eq!(Request::new("x").effective_kinds(), [ParagraphKind::Body]);
    }

    #[test]
    fn validation_names_the_parameter() {
        let r = Request { limit: 5000, ..Request::new("x") };
        assert!(r.validate().unwrap_err().to_string().contains("invalid limit"));
        let r = Request { offset: MAX_OFFSET + 1, ..Request::new("x") };
        assert!(r.validate().unwrap_err().to_string().contains("invalid offset"));
        let r = Request { parties: vec!["Whig".into()], ..Request::new("x") };
        assert!(r.validate().unwrap_err().to_string().contains("unknown party `Whig`"));
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let r = Request { since: d("2018-01-01"), until: d("2017-01-01"), ..Request::new("x") };
        assert!(r.validate().is_err());
    }

    #[test]
    fn deep_parentheses_are_an_error_not_a_stack_overflow() {
        // Input: 10,000 `(` (with or without a term and closing marks) crashed the parser.
        for query in
            ["(".repeat(10_000), format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)), "(x ".repeat(10_000)]
        {
            let err = Request::new(query).validate().unwrap_err().to_string();
            assert!(err.contains("invalid query: parentheses nest 10000 deep"), "{err}");
        }
        let fine = format!("{}x{}", "(".repeat(MAX_QUERY_NESTING), ")".repeat(MAX_QUERY_NESTING));
        assert!(Request::new(fine).validate().is_ok());
        assert_eq!(query_nesting(r#"a "((((" \( (b (c)) d"#), 2);
    }

    #[test]
    fn party_spellings() {
        assert_eq!(parse_party("d").unwrap(), Party::Democrat);
        assert_eq!(parse_party("Republican").unwrap(), Party::Republican);
        assert_eq!(parse_party("I").unwrap(), Party::Independent);
    }
}
