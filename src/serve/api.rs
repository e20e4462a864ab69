//! The JSON API: each handler parses its parameters, makes one library call on the
//! blocking pool and writes the library's own wire type.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::params::{self, ApiError, Params};
use super::Shared;
use crate::annotate::Annotator;
use crate::corpus::{self, FieldMap, Format};
use crate::search::{ArticleView, FacetField, FacetValue, Stats};

/// `GET /api/search`: the `search --json` wire format.
pub(super) async fn search(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let request = params::search_request(&Params::parse(raw.as_deref(), params::SEARCH_PARAMS)?)?;
    let Some(answers) = &app.search_answers else {
        let response = app.blocking(move |s| s.searchable.search(&request)).await?;
        return Ok(Json(response).into_response());
    };
    let generation = app.searchable.searcher().generation().generation_id();
    if let Some(answer) = answers.get(generation, &request) {
        return Ok(json_bytes(answer));
    }
    let asked = request.clone();
    let response = app.blocking(move |s| s.searchable.search(&asked)).await?;
    // The same bytes `Json` writes.
    let answer = Bytes::from(
        serde_json::to_vec(&response)
            .map_err(|e| ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?,
    );
    answers.insert(generation, request, answer.clone());
    Ok(json_bytes(answer))
}

/// A JSON answer already serialised, with the headers `Json` gives.
fn json_bytes(answer: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], answer).into_response()
}

/// The answer of `/api/facets`.
#[derive(Debug, Serialize)]
struct FacetsAnswer {
    field: FacetField,
    prefix: String,
    values: Vec<FacetValue>,
}

/// `GET /api/facets`: values of a facet by prefix, for autocompletion.
pub(super) async fn facets(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let asked = params::facet_request(&Params::parse(raw.as_deref(), params::FACET_PARAMS)?)?;
    let (field, prefix, limit) = (asked.field, asked.prefix.clone(), asked.limit);
    let values = app.blocking(move |s| Ok(s.facet_dictionary(field)?.complete(&prefix, limit))).await?;
    Ok(Json(FacetsAnswer { field: asked.field, prefix: asked.prefix, values }).into_response())
}

/// `GET /api/article`: an article's paragraphs in order with their annotations.
pub(super) async fn article(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (path, position) = params::article_request(&Params::parse(raw.as_deref(), params::ARTICLE_PARAMS)?)?;
    let wanted = path.clone();
    let found: Option<ArticleView> = app.blocking(move |s| s.searchable.article(&wanted, position)).await?;
    match found {
        Some(view) => Ok(Json(view).into_response()),
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            parameter: Some("path".to_owned()),
            message: format!("the index has no article {position} in `{path}`"),
        }),
    }
}

/// `POST /api/annotate`: a plain-text article in, the `annotate --json` lines out.
pub(super) async fn annotate(
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        parameter: Some("body".to_owned()),
        message: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the body is over the limit of {} bytes", super::MAX_BODY_BYTES)
        } else {
            e.body_text()
        },
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad("body", "the body is empty; send the article as plain text"));
    }
    let lines = tokio::task::spawn_blocking(move || annotate_text(&body))
        .await
        .map_err(|e| ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, format!("annotation failed: {e}")))??;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], lines).into_response())
}

/// The `annotate --json` lines of a plain-text article, read as a `.txt` file would be.
fn annotate_text(body: &[u8]) -> Result<String, ApiError> {
    let label = "draft.txt";
    let read = corpus::read_bytes(body, Format::Text, Path::new(label), label, &FieldMap::default())
        .map_err(|e| ApiError::bad("body", e.to_string()))?;
    let annotator = Annotator::builtin();
    let mut out = String::new();
    for article in &read.articles {
        for record in annotator.annotate(article) {
            let line = serde_json::to_string(&record)
                .map_err(|e| ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// `GET /api/stats`: what the index holds (`stats --json`).
pub(super) async fn stats(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let stats: Stats = app.blocking(|s| s.searchable.stats(&s.index_dir)).await?;
    Ok(Json(stats).into_response())
}

/// `GET /api/openapi.json`: the OpenAPI document.
pub(super) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], super::OPENAPI_JSON).into_response()
}

/// `GET /healthz`: `{"status": "ok", "paragraphs": N}` while the index can be read.
pub(super) async fn healthz(State(app): State<Shared>) -> Result<Response, ApiError> {
    let paragraphs = app.blocking(|s| Ok(s.searchable.searcher().num_docs())).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "paragraphs": paragraphs })).into_response())
}
