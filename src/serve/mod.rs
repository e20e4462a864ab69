//! `newsdex serve`: the search page and the JSON API over one index.
//!
//! Both are thin layers over the [`search`](crate::search) and
//! [`annotate`](crate::annotate) library calls the CLI makes: `/api/search` answers
//! exactly the `search --json` wire format, `/api/annotate` the `annotate --json` lines.
//! One [`Searchable`] (one reloading tantivy reader) serves every request, so a search
//! sees what the latest commit of a concurrent `newsdex index` run made visible.
//!
//! Searches run on tokio's blocking pool; the async workers only parse, route and write.
//! Every response carries a Content-Security-Policy that allows the page's own assets
//! and nothing else; every string from an article is escaped by the templates.
//!
//! **Invariant:** no input makes the server panic or answer 500; bad parameters get a
//! 4xx whose JSON names the parameter.

mod api;
mod cache;
mod page;
pub mod params;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request as HttpRequest, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::search::{FacetDictionary, FacetField, Searchable};
use crate::{Error, Result};
use params::ApiError;

/// Longest query string accepted (bytes after `?`); longer ones get 413.
pub const MAX_QUERY_BYTES: usize = 10 * 1024;

/// Largest request body accepted (`POST /api/annotate`); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// The Content-Security-Policy of every response: the page's own script, style and
/// API, nothing inline, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Every API route as (method, path): the OpenAPI document lists exactly these.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/search"),
    ("GET", "/api/facets"),
    ("GET", "/api/article"),
    ("POST", "/api/annotate"),
    ("GET", "/api/stats"),
    ("GET", "/api/openapi.json"),
    ("GET", "/healthz"),
];

/// The OpenAPI 3 document of the API, served at `/api/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("assets/openapi.json");

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The index directory.
    pub index: PathBuf,
    /// Where to listen; loopback unless the user asks otherwise.
    pub addr: SocketAddr,
    /// Whether to leave out the one line per request on stderr.
    pub quiet: bool,
    /// Whether to keep whole `/api/search` answers until the next commit.
    pub response_cache: bool,
}

/// What every handler shares.
pub struct AppState {
    searchable: Searchable,
    index_dir: PathBuf,
    quiet: bool,
    /// Autocompletion dictionaries, rebuilt when the index has a new commit.
    facet_dictionaries: Mutex<HashMap<FacetField, Arc<FacetDictionary>>>,
    /// Permits for index work running at once: one per core.
    workers: Arc<tokio::sync::Semaphore>,
    /// `/api/search` answers of the current generation (`None`: not kept).
    search_answers: Option<cache::ResponseCache>,
}

/// The state handlers receive.
type Shared = Arc<AppState>;

impl AppState {
    /// Opens the index at `index_dir`; `response_cache` keeps `/api/search` answers.
    pub fn open(index_dir: PathBuf, quiet: bool, response_cache: bool) -> Result<AppState> {
        Ok(AppState {
            searchable: Searchable::open(&index_dir)?,
            index_dir,
            quiet,
            facet_dictionaries: Mutex::new(HashMap::new()),
            workers: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            )),
            search_answers: response_cache.then(cache::ResponseCache::default),
        })
    }

    /// The dictionary of `field` for the index as it is now: the cached one while no
    /// commit has come since it was read, else a fresh one. Blocking.
    fn facet_dictionary(&self, field: FacetField) -> Result<Arc<FacetDictionary>> {
        let generation = self.searchable.searcher().generation().generation_id();
        // Holding the lock while building keeps concurrent lookups from each reading the
        // whole dictionary after a commit; a poisoned lock only means a build panicked.
        let mut cache = self.facet_dictionaries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(dictionary) = cache.get(&field).filter(|d| d.generation() >= generation) {
            return Ok(Arc::clone(dictionary));
        }
        let dictionary = Arc::new(self.searchable.facet_dictionary(field)?);
        cache.insert(field, Arc::clone(&dictionary));
        Ok(dictionary)
    }

    /// Runs `work` on the blocking pool, where tantivy's synchronous reads belong, at most
    /// [`AppState::workers`] at a time: more would only share the same cores, each holding
    /// its own facet-count arrays, and a fair queue keeps the slowest waits short.
    async fn blocking<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.workers)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::status(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down".to_owned()))?;
        let state = Arc::clone(self);
        let work = move || {
            let result = work(&state);
            drop(permit);
            result
        };
        match tokio::task::spawn_blocking(work).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => Err(ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, format!("the request failed: {e}"))),
        }
    }
}

/// The routes: the page, its assets and the API, with logging, limits and security
/// headers around them.
pub fn router(state: Arc<AppState>) -> Router {
    let quiet = state.quiet;
    Router::new()
        .route("/", get(page::search_page))
        .route("/article", get(page::article_page))
        .route("/assets/{name}", get(page::asset))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/article", get(api::article))
        .route("/api/annotate", post(api::annotate).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)))
        .route("/api/stats", get(api::stats))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(api::healthz))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(refuse_long_queries))
        .layer(middleware::from_fn_with_state(quiet, log_request))
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        // If the handler cannot be installed, only SIGTERM stops the server.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Opens the index, binds `config.addr`, calls `on_listening` with the bound address
/// (port 0 picks a free one) and serves until Ctrl-C or SIGTERM.
pub fn run(config: &ServeConfig, on_listening: impl FnOnce(SocketAddr)) -> Result<()> {
    let state = Arc::new(AppState::open(config.index.clone(), config.quiet, config.response_cache)?);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Error::io("tokio runtime", e))?;
    runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(config.addr).await.map_err(|e| Error::io(config.addr.to_string(), e))?;
        let bound = listener.local_addr().map_err(|e| Error::io(config.addr.to_string(), e))?;
        on_listening(bound);
        serve(listener, router(state), shutdown_signal()).await.map_err(|e| Error::io(bound.to_string(), e))
    })
}

/// One line per request on stderr: method, path, status, milliseconds.
async fn log_request(State(quiet): State<bool>, request: HttpRequest, next: Next) -> Response {
    if quiet {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    // One write per line: stderr is unbuffered, so `eprintln!` wrote each formatted piece
    // with its own system call, nine per request.
    let line = format!("{method} {path} {} {ms:.1}ms\n", response.status().as_u16());
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    response
}

/// Refuses query strings over [`MAX_QUERY_BYTES`] before any handler parses them.
async fn refuse_long_queries(request: HttpRequest, next: Next) -> Response {
    let length = request.uri().query().map_or(0, str::len);
    if length > MAX_QUERY_BYTES {
        return ApiError::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the query string is {length} bytes; the limit is {MAX_QUERY_BYTES}"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Sets the Content-Security-Policy and related headers on every response.
async fn security_headers(request: HttpRequest, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// 404: JSON under `/api/`, a page elsewhere.
async fn not_found(request: HttpRequest) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        ApiError::status(StatusCode::NOT_FOUND, format!("no route {} {path}", request.method())).into_response()
    } else {
        page::not_found(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_lists_exactly_the_api_routes() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let mut documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(|m| (m.to_uppercase(), path.clone())))
            .collect();
        documented.sort();
        let mut routes: Vec<(String, String)> =
            API_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
        routes.sort();
        assert_eq!(documented, routes);
    }

    #[test]
    fn openapi_parameters_are_the_ones_the_routes_take() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        for (path, taken) in [
            ("/api/search", params::SEARCH_PARAMS),
            ("/api/facets", params::FACET_PARAMS),
            ("/api/article", params::ARTICLE_PARAMS),
        ] {
            let mut documented: Vec<&str> = doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            documented.sort_unstable();
            let mut taken = taken.to_vec();
            taken.sort_unstable();
            assert_eq!(documented, taken, "{path}");
        }
    }
}
