//! A search request: query text and filters, with the same meaning in the CLI and the
//! HTTP API.

use chrono::NaiveDate;

use crate::clean::ParagraphKind;
use crate::roster::Party;
use crate::{Error, Result};

/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 1000;

/// What to search for. Repeated values of one filter are OR-ed; different filters are
/// AND-ed.
#[derive(Debug, Clone, PartialEq)]
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
        if self.limit > MAX_LIMIT {
            return Err(invalid("limit", format!("{} is over the maximum of {MAX_LIMIT}", self.limit)));
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
        let r = Request { parties: vec!["Whig".into()], ..Request::new("x") };
        assert!(r.validate().unwrap_err().to_string().contains("unknown party `Whig`"));
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let r = Request { since: d("2018-01-01"), until: d("2017-01-01"), ..Request::new("x") };
        assert!(r.validate().is_err());
    }

    #[test]
    fn party_spellings() {
        assert_eq!(parse_party("d").unwrap(), Party::Democrat);
        assert_eq!(parse_party("Republican").unwrap(), Party::Republican);
        assert_eq!(parse_party("I").unwrap(), Party::Independent);
    }
}
