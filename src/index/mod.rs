//! Index stage: the tantivy schema ([`schema`]), the manifest of indexed files
//! ([`manifest`]) and the writer that runs corpus -> clean -> annotate on worker threads
//! and feeds tantivy's own indexing threads.

mod document;
pub mod manifest;
pub mod schema;
mod writer;

pub use document::to_document;
pub use writer::{build, open_index, IndexOptions, IndexSummary, Progress, SilentProgress};
