//! The search response: the `search --json` wire format.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::annotate::{Attribution, Entity, ParagraphRecord, Speaker};
use crate::clean::ParagraphKind;

/// A search result: `{"query", "total", "hits", "facets"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The query text as given.
    pub query: String,
    /// Paragraphs matching the query and filters.
    pub total: u64,
    /// The page of hits, best first.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching paragraphs.
    pub facets: FacetCounts,
}

/// One matching paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// BM25 score.
    pub score: f32,
    /// The file.
    pub path: String,
    /// Position of the article in the file.
    pub article: usize,
    /// Article title.
    pub title: Option<String>,
    /// Article date.
    pub date: Option<NaiveDate>,
    /// Article source.
    pub source: Option<String>,
    /// Paragraph number in the article.
    pub paragraph: usize,
    /// Paragraph kind.
    pub kind: ParagraphKind,
    /// The subheading the paragraph sits under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The whole paragraph.
    pub text: String,
    /// A fragment around the matched terms.
    pub snippet: String,
    /// Byte ranges of matched terms inside `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// Who speaks in the paragraph.
    pub speakers: Vec<Speaker>,
    /// The paragraph's attributions (offsets into the article body).
    #[serde(default)]
    pub attributions: Vec<Attribution>,
    /// Entities mentioned.
    pub entities: Vec<Entity>,
}

impl Hit {
    /// The hit for a stored paragraph `record`, with its score and snippet.
    pub fn from_record(record: ParagraphRecord, score: f32, snippet: String, highlights: Vec<[usize; 2]>) -> Hit {
        Hit {
            score,
            path: record.path,
            article: record.article,
            title: record.title,
            date: record.date,
            source: record.source,
            paragraph: record.paragraph,
            kind: record.kind,
            section: record.section,
            text: record.text,
            snippet,
            highlights,
            speakers: record.speakers,
            attributions: record.attributions,
            entities: record.entities,
        }
    }
}

/// Facet counts: `[name, count]` pairs, highest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCounts {
    /// Speakers.
    pub speaker: Vec<(String, u64)>,
    /// Party codes.
    pub party: Vec<(String, u64)>,
    /// Entity names (all kinds).
    pub entity: Vec<(String, u64)>,
    /// Sources.
    pub source: Vec<(String, u64)>,
}
