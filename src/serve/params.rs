//! Query-string parameters: parsing them into library requests, and back into URLs for
//! the page's links. Every mistake becomes an [`ApiError`] that names the parameter.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::clean::ParagraphKind;
use crate::search::{FacetField, Request};
use crate::Error;

/// Most hits one API or page request may ask for.
pub const MAX_LIMIT: usize = 100;

/// Largest `offset`: deeper pages cost a heap of `offset + limit` hits and nobody reads them.
pub const MAX_OFFSET: usize = 10_000;

/// Hits per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 10;

/// Facet values listed unless `limit` says otherwise.
pub const DEFAULT_FACET_LIMIT: usize = 20;

/// The parameters of `/api/search` and of the search page.
pub const SEARCH_PARAMS: &[&str] =
    &["q", "speaker", "party", "entity", "source", "since", "until", "kind", "quotes", "limit", "offset"];

/// The parameters of `/api/facets`.
pub const FACET_PARAMS: &[&str] = &["field", "prefix", "limit"];

/// The parameters of `/api/article`.
pub const ARTICLE_PARAMS: &[&str] = &["path", "article"];

/// A request the server refuses or could not answer: a status and a JSON body
/// `{"error": message, "parameter": name, "status": code}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The parameter at fault, when one is.
    pub parameter: Option<String>,
    /// What was wrong.
    pub message: String,
}

impl ApiError {
    /// A 400 about `parameter`.
    pub fn bad(parameter: &str, message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, parameter: Some(parameter.to_owned()), message: message.into() }
    }

    /// An error with `status` about no parameter in particular.
    pub fn status(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, parameter: None, message: message.into() }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidRequest { what, message } => {
                // The library names CLI arguments; the API's query text is `q`.
                let parameter = match what.trim_start_matches("--") {
                    "query" => "q".to_owned(),
                    other => other.to_owned(),
                };
                ApiError::bad(&parameter, format!("invalid {parameter}: {message}"))
            }
            Error::Query(e) => ApiError::bad("q", format!("invalid q: {e}")),
            other => ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.message,
            "parameter": self.parameter,
            "status": self.status.as_u16(),
        });
        (self.status, Json(body)).into_response()
    }
}

/// Decoded `name=value` pairs of a query string, checked against the names a route takes.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `raw` (the part after `?`), refusing names not in `allowed`.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((name, _)) = pairs.iter().find(|(name, _)| !allowed.contains(&name.as_str())) {
            return Err(ApiError::bad(
                name,
                format!("unknown parameter `{name}`; this route takes {}", allowed.join(", ")),
            ));
        }
        Ok(Params { pairs })
    }

    /// The value of a parameter given at most once; an empty value counts as absent.
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim());
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::bad(name, format!("`{name}` was given more than once")));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }

    /// The non-empty values of a repeatable parameter, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_owned()).collect()
    }

    /// A count parameter: absent gives `default`; over `max` is an error.
    pub fn count(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(text) = self.one(name)? else { return Ok(default) };
        let n: usize = text
            .parse()
            .map_err(|_| ApiError::bad(name, format!("`{name}` must be a whole number, not `{}`", shorten(text))))?;
        if n > max {
            return Err(ApiError::bad(name, format!("`{name}` is {n}, over the maximum of {max}")));
        }
        Ok(n)
    }
}

/// The search request of a query string (the `/api/search` and page parameters).
pub fn search_request(p: &Params) -> Result<Request, ApiError> {
    let date = |name: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        match p.one(name)? {
            None => Ok(None),
            Some(text) => crate::corpus::parse_date(text).map(Some).ok_or_else(|| {
                ApiError::bad(name, format!("cannot read `{}` as a date; use YYYY-MM-DD", shorten(text)))
            }),
        }
    };
    let kinds = p
        .all("kind")
        .iter()
        .map(|k| {
            ParagraphKind::parse(k).ok_or_else(|| {
                ApiError::bad(
                    "kind",
                    format!("unknown kind `{}`; kinds are body, caption, heading, boilerplate", shorten(k)),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let quotes = match p.one("quotes")? {
        None | Some("0" | "false" | "no" | "off") => false,
        Some("1" | "true" | "yes" | "on") => true,
        Some(other) => {
            return Err(ApiError::bad("quotes", format!("`quotes` is true or false, not `{}`", shorten(other))))
        }
    };
    let request = Request {
        query: p.one("q")?.unwrap_or("").to_owned(),
        speakers: p.all("speaker"),
        parties: p.all("party"),
        entities: p.all("entity"),
        sources: p.all("source"),
        since: date("since")?,
        until: date("until")?,
        kinds,
        quotes,
        limit: p.count("limit", DEFAULT_LIMIT, MAX_LIMIT)?,
        offset: p.count("offset", 0, MAX_OFFSET)?,
    };
    request.validate()?;
    Ok(request)
}

/// What `/api/facets` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetRequest {
    /// The facet.
    pub field: FacetField,
    /// Start of the value or of one of its words.
    pub prefix: String,
    /// Values to list.
    pub limit: usize,
}

/// The facet request of a query string.
pub fn facet_request(p: &Params) -> Result<FacetRequest, ApiError> {
    let names: Vec<&str> = FacetField::ALL.iter().map(|f| f.as_str()).collect();
    let field =
        p.one("field")?.ok_or_else(|| ApiError::bad("field", format!("`field` is required: {}", names.join(", "))))?;
    let field = FacetField::parse(field).ok_or_else(|| {
        ApiError::bad("field", format!("unknown field `{}`; fields are {}", shorten(field), names.join(", ")))
    })?;
    Ok(FacetRequest {
        field,
        prefix: p.one("prefix")?.unwrap_or("").to_owned(),
        limit: p.count("limit", DEFAULT_FACET_LIMIT, MAX_LIMIT)?,
    })
}

/// The article a query string names: `path` (required) and `article` (default 0).
pub fn article_request(p: &Params) -> Result<(String, usize), ApiError> {
    let path = p.one("path")?.ok_or_else(|| ApiError::bad("path", "`path` is required"))?;
    Ok((path.to_owned(), p.count("article", 0, usize::MAX)?))
}

/// The query string that reproduces `r` (without the `?`); defaults are left out, so
/// equal requests give equal URLs.
pub fn search_query_string(r: &Request) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if !r.query.is_empty() {
        out.append_pair("q", &r.query);
    }
    for (name, values) in
        [("speaker", &r.speakers), ("party", &r.parties), ("entity", &r.entities), ("source", &r.sources)]
    {
        for v in values {
            out.append_pair(name, v);
        }
    }
    for (name, date) in [("since", r.since), ("until", r.until)] {
        if let Some(d) = date {
            out.append_pair(name, &d.to_string());
        }
    }
    for k in &r.kinds {
        out.append_pair("kind", k.as_str());
    }
    if r.quotes {
        out.append_pair("quotes", "1");
    }
    if r.limit != DEFAULT_LIMIT {
        out.append_pair("limit", &r.limit.to_string());
    }
    if r.offset > 0 {
        out.append_pair("offset", &r.offset.to_string());
    }
    out.finish()
}

/// Long values are cut in error messages, which echo what was sent.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(query: &str) -> Result<Request, ApiError> {
        search_request(&Params::parse(Some(query), SEARCH_PARAMS)?)
    }

    fn parameter_of(query: &str) -> String {
        search(query).unwrap_err().parameter.unwrap_or_default()
    }

    #[test]
    fn repeatable_filters_and_defaults() {
        let r = search("q=recuse&party=D&party=R&speaker=Al+Franken&speaker=&since=2017-03-01").unwrap();
        assert_eq!(r.query, "recuse");
        assert_eq!(r.parties, ["D", "R"]);
        assert_eq!(r.speakers, ["Al Franken"]);
        assert_eq!(r.since.map(|d| d.to_string()).as_deref(), Some("2017-03-01"));
        assert_eq!((r.limit, r.offset, r.quotes), (DEFAULT_LIMIT, 0, false));
        assert_eq!(search("").unwrap(), Request::default());
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(parameter_of("limit=101"), "limit");
        assert_eq!(parameter_of("limit=-1"), "limit");
        assert_eq!(parameter_of("offset=99999999999999999999999"), "offset");
        assert_eq!(parameter_of("since=yesterday-ish"), "since");
        assert_eq!(parameter_of("until=2017-13-45"), "until");
        assert_eq!(parameter_of("since=2018-01-01&until=2017-01-01"), "since");
        assert_eq!(parameter_of("kind=poem"), "kind");
        assert_eq!(parameter_of("quotes=maybe"), "quotes");
        assert_eq!(parameter_of("party=Whig"), "party");
        assert_eq!(parameter_of("q=a&q=b"), "q");
        assert_eq!(parameter_of("colour=red"), "colour");
    }

    #[test]
    fn query_strings_round_trip() {
        let r = search("q=%22special+prosecutor%22&speaker=Warren&party=D&entity=FBI&source=AP&since=2017-01-01&until=2017-12-31&kind=body&kind=caption&quotes=1&limit=20&offset=40").unwrap();
        assert_eq!(search(&search_query_string(&r)).unwrap(), r);
        assert_eq!(search_query_string(&Request::default()), "");
    }

    #[test]
    fn library_errors_map_to_parameters() {
        let e = ApiError::from(Error::InvalidRequest { what: "query".into(), message: "x".into() });
        assert_eq!((e.status, e.parameter.as_deref()), (StatusCode::BAD_REQUEST, Some("q")));
        let e = ApiError::from(Error::NoIndex("ix".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn facet_and_article_parameters() {
        let p = Params::parse(Some("field=speaker&prefix=War&limit=5"), FACET_PARAMS).unwrap();
        assert_eq!(
            facet_request(&p).unwrap(),
            FacetRequest { field: FacetField::Speaker, prefix: "War".into(), limit: 5 }
        );
        let p = Params::parse(Some("field=kind"), FACET_PARAMS).unwrap();
        assert_eq!(facet_request(&p).unwrap_err().parameter.as_deref(), Some("field"));
        let p = Params::parse(Some(""), FACET_PARAMS).unwrap();
        assert_eq!(facet_request(&p).unwrap_err().parameter.as_deref(), Some("field"));
        let p = Params::parse(Some("path=a%2Fb.txt"), ARTICLE_PARAMS).unwrap();
        assert_eq!(article_request(&p).unwrap(), ("a/b.txt".to_owned(), 0));
        let p = Params::parse(Some("article=1"), ARTICLE_PARAMS).unwrap();
        assert_eq!(article_request(&p).unwrap_err().parameter.as_deref(), Some("path"));
    }
}
