//! newsdex: a search engine for news archives.
//!
//! The library is a pipeline, one module a stage:
//! [`corpus`] (walk and read articles) -> [`clean`] (paragraphs, page furniture) ->
//! [`annotate`] (quotes, speakers, parties, entities) -> [`index`] (tantivy schema and
//! writer) -> [`search`] (request -> response). [`roster`] and [`tagger`] are the
//! shipped models the annotator uses; [`eval`] measures annotation against gold data.
#![warn(missing_docs)]

pub mod annotate;
pub mod bench;
pub mod clean;
pub mod corpus;
pub mod cpu;
mod error;
pub mod eval;
pub mod export;
pub mod index;
mod parallel;
pub mod push;
pub mod roster;
pub mod search;
pub mod serve;
pub mod tagger;

pub use error::{Error, Result};
