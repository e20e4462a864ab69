//! Index stage: the tantivy schema ([`schema`]), the manifest of indexed files
//! ([`manifest`]), the memoised stemming analyzer ([`stem`]) and the writer that runs corpus -> clean -> annotate on worker threads
//! and feeds tantivy's own indexing threads.

mod document;
pub mod manifest;
pub mod schema;
pub mod stem;
mod writer;

pub use document::{read_hit_record, read_record, to_document};
pub use writer::{
    annotate_raw, build, deleted_files, open_index, read_raw_file, AnnotatedFile, IndexOptions, IndexSummary, Progress,
    SilentProgress,
};
