//! The library's one error type. Variants about a file carry its path (and line), so a
//! warning printed at the top names exactly what was wrong.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content could not be parsed.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line, for line-oriented formats.
        line: Option<usize>,
        /// What was wrong.
        message: String,
    },
    /// No index exists at the given directory.
    #[error("no index at {0}: run `newsdex index` first")]
    NoIndex(PathBuf),
    /// The index was written by an incompatible schema version.
    #[error("the index at {path} has schema version {found}, this newsdex needs {expected}: rebuild with `newsdex index --rebuild`")]
    SchemaVersion {
        /// The index directory.
        path: PathBuf,
        /// The version found on disk.
        found: u32,
        /// The version this build writes.
        expected: u32,
    },
    /// A paragraph's article fields are not where the writer puts them (its first paragraph,
    /// `paragraph` documents back): the index was changed by something other than newsdex.
    #[error("the index is damaged: paragraph document {doc} of segment {segment} has no article head; rebuild with `newsdex index --rebuild`")]
    IndexLayout {
        /// The segment's ordinal in the searcher.
        segment: u32,
        /// The paragraph's document id in the segment.
        doc: u32,
    },
    /// Another process holds the index writer lock.
    #[error("the index at {0} is locked by another process (another `newsdex index` is running)")]
    Locked(PathBuf),
    /// A search request was invalid (bad query syntax, bad filter value).
    #[error("invalid {what}: {message}")]
    InvalidRequest {
        /// The argument or parameter at fault, such as `query` or `--since`.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// A model or data file shipped with newsdex could not be loaded.
    #[error("cannot load {what}: {message}")]
    Model {
        /// Which model.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// A search server (Typesense) could not be reached or refused a request.
    #[error("search server {server}: {message}")]
    Server {
        /// The server (node URL) or collection at fault.
        server: String,
        /// What went wrong, with the server's own message when it sent one.
        message: String,
    },
    /// An error from tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// An error from the query parser.
    #[error("invalid query: {0}")]
    Query(#[from] tantivy::query::QueryParserError),
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// A parse error about `path` (and `line`, when known).
    pub fn parse(path: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Error::Parse { path: path.into(), line, message: message.into() }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
