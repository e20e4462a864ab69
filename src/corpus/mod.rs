//! Corpus stage: walk directories and read articles from `.txt`, `.json`, `.jsonl` /
//! `.ndjson` files, each optionally gzipped.
//!
//! Reading never aborts a run: a file that cannot be read is an error for that file
//! only, and a bad line of a JSON Lines file is a warning while the other lines are read.

mod date;
mod fields;
mod read;
mod walk;

pub use date::parse_date;
pub use fields::{FieldMap, FieldRole};
pub use read::{read_bytes, read_file, read_raw, FileArticles, Format, MAX_ARTICLE_BYTES};
pub use walk::{path_label, walk, CorpusFile, Walk};

use chrono::NaiveDate;
use serde::Serialize;

/// One news article as read from the corpus, before cleaning.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    /// The file it came from, as given on the command line plus the walked part.
    pub path: String,
    /// Position of the article inside its file (0 for a file with one article).
    pub position: usize,
    /// The headline, when the file has one.
    pub title: Option<String>,
    /// The body exactly as read: every annotation offset is a byte offset into it.
    pub body: String,
    /// Publication date, when present and parseable.
    pub date: Option<NaiveDate>,
    /// Outlet name.
    pub source: Option<String>,
    /// Original address.
    pub url: Option<String>,
    /// Authors, in byline order.
    pub authors: Vec<String>,
}

impl Article {
    /// The stable identity of an article across runs: its path and position in the file.
    pub fn key(&self) -> String {
        article_key(&self.path, self.position)
    }
}

/// The stable identity of the article at `position` inside the file `path`.
pub fn article_key(path: &str, position: usize) -> String {
    format!("{path}#{position}")
}
