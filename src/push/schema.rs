//! The search-server mirror of the tantivy schema: one paragraph as one JSON document, and
//! the Typesense collection that holds such documents.
//!
//! The field names are those of [`crate::index::schema::names`]; what tantivy keeps as
//! hierarchical facets (`/speaker/<name>`, `/entity/<kind>/<name>`) becomes flat string
//! arrays (`speaker: [name]`, `entity: ["<kind>/<name>"]`), the date becomes seconds since
//! the epoch (int64, for ranges), and the whole annotate record travels as a JSON string
//! that is stored but not indexed, for display. Two fields exist only here: `id` (a
//! paragraph's stable document id) and `file` (the hash of the file label, so a changed or
//! deleted file's paragraphs can be deleted by a filter without escaping paths).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::annotate::ParagraphRecord;
use crate::corpus::article_key;
use crate::index::schema::{entity_kind_path, filter_key, name_keys, names};

/// Field holding the document id (Typesense's and OpenSearch's primary key).
pub const ID: &str = "id";

/// Field holding [`file_id`] of the file a paragraph came from.
pub const FILE: &str = "file";

/// The collection (and index) name used unless told otherwise.
pub const DEFAULT_COLLECTION: &str = "newsdex";

/// The facet fields, in the order the search response lists them.
pub const FACET_FIELDS: [&str; 4] = [names::SPEAKER, names::PARTY, names::ENTITY, names::SOURCE];

/// The id of a file label: 16 hex digits of its xxh3 hash. Safe in URLs and filters.
pub fn file_id(label: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(label.as_bytes()))
}

/// One paragraph as a search-server document (see the module docs for the layout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerDocument {
    /// `<file id>-<article>-<paragraph>`.
    pub id: String,
    /// [`file_id`] of `path`.
    pub file: String,
    /// Paragraph text (searched).
    pub text: String,
    /// Article title, on the article's first paragraph only (as in tantivy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The file label.
    pub path: String,
    /// `path#position`.
    pub article_key: String,
    /// Position of the article in its file.
    pub article: u64,
    /// Paragraph number in the article.
    pub paragraph: u64,
    /// Article date at midnight UTC, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    /// Paragraph kind (facet).
    pub kind: String,
    /// Speaker names (facet).
    pub speaker: Vec<String>,
    /// Lowercase speaker names and name parts (filters).
    pub speaker_key: Vec<String>,
    /// Party codes of the speakers (facet).
    pub party: Vec<String>,
    /// `<kind>/<name>` of each distinct entity (facet).
    pub entity: Vec<String>,
    /// Lowercase entity names and name parts (filters).
    pub entity_key: Vec<String>,
    /// Source (outlet) name (facet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Lowercase source name (filters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key: Option<String>,
    /// Whether someone speaks in the paragraph.
    pub quoted: bool,
    /// The annotate record as JSON (stored, not indexed).
    pub record: String,
}

impl ServerDocument {
    /// The document for `record`.
    pub fn new(record: &ParagraphRecord) -> ServerDocument {
        let file = file_id(&record.path);
        let mut speaker_key = Vec::new();
        let mut party = Vec::new();
        for speaker in &record.speakers {
            speaker_key.extend(name_keys(&speaker.name));
            if let Some(code) = speaker.party.map(|p| p.code().to_owned()).filter(|c| !party.contains(c)) {
                party.push(code);
            }
        }
        let mut entity = Vec::new();
        let mut entity_key = Vec::new();
        for e in &record.entities {
            let value = format!("{}/{}", entity_kind_path(e.kind), e.name);
            if !entity.contains(&value) {
                entity.push(value);
                entity_key.extend(name_keys(&e.name));
            }
        }
        for keys in [&mut speaker_key, &mut entity_key] {
            keys.sort();
            keys.dedup();
        }
        ServerDocument {
            id: format!("{file}-{}-{}", record.article, record.paragraph),
            file,
            text: record.text.clone(),
            title: record.title.clone().filter(|_| record.paragraph == 0),
            path: record.path.clone(),
            article_key: article_key(&record.path, record.article),
            article: record.article as u64,
            paragraph: record.paragraph as u64,
            date: record.date.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc().timestamp()),
            kind: record.kind.as_str().to_owned(),
            speaker: record.speakers.iter().map(|s| s.name.clone()).collect(),
            speaker_key,
            party,
            entity,
            entity_key,
            source: record.source.clone(),
            source_key: record.source.as_deref().map(filter_key),
            quoted: record.attributions.iter().any(|a| a.speaker.is_some()),
            record: serde_json::to_string(record).unwrap_or_default(),
        }
    }

    /// The annotate record this document was built from, when its JSON reads back.
    pub fn read_record(&self) -> Option<ParagraphRecord> {
        serde_json::from_str(&self.record).ok()
    }
}

/// One field of a Typesense collection.
struct TypesenseField {
    name: &'static str,
    kind: &'static str,
    facet: bool,
    index: bool,
    optional: bool,
}

/// The Typesense fields, in document order.
fn typesense_fields() -> Vec<TypesenseField> {
    let f = |name, kind, facet, index, optional| TypesenseField { name, kind, facet, index, optional };
    vec![
        f(FILE, "string", false, true, false),
        f(names::TEXT, "string", false, true, false),
        f(names::TITLE, "string", false, true, true),
        f(names::PATH, "string", false, false, true),
        f(names::ARTICLE_KEY, "string", false, true, false),
        f(names::ARTICLE, "int64", false, true, false),
        f(names::PARAGRAPH, "int64", false, true, false),
        f(names::DATE, "int64", false, true, true),
        f(names::KIND, "string", true, true, false),
        f(names::SPEAKER, "string[]", true, true, true),
        f(names::SPEAKER_KEY, "string[]", false, true, true),
        f(names::PARTY, "string[]", true, true, true),
        f(names::ENTITY, "string[]", true, true, true),
        f(names::ENTITY_KEY, "string[]", false, true, true),
        f(names::SOURCE, "string", true, true, true),
        f(names::SOURCE_KEY, "string", false, true, true),
        f(names::QUOTED, "bool", false, true, false),
        f(names::RECORD, "string", false, false, true),
    ]
}

/// The Typesense collection schema for paragraph documents, named `collection`.
pub fn typesense_collection(collection: &str) -> Value {
    let fields: Vec<Value> = typesense_fields()
        .into_iter()
        .map(|f| json!({"name": f.name, "type": f.kind, "facet": f.facet, "index": f.index, "optional": f.optional}))
        .collect();
    json!({"name": collection, "fields": fields})
}

/// Whether an existing collection (as `GET /collections/NAME` returns it) has every field
/// of [`typesense_collection`] with the same type, facet and index settings.
pub fn typesense_schema_matches(existing: &Value) -> bool {
    let Some(fields) = existing.get("fields").and_then(Value::as_array) else { return false };
    typesense_fields().iter().all(|want| {
        fields.iter().any(|have| {
            have.get("name").and_then(Value::as_str) == Some(want.name)
                && have.get("type").and_then(Value::as_str) == Some(want.kind)
                && have.get("facet").and_then(Value::as_bool).unwrap_or(false) == want.facet
                && have.get("index").and_then(Value::as_bool).unwrap_or(true) == want.index
        })
    })
}

/// The names of every field a [`ServerDocument`] may carry, `id` included.
pub fn document_fields() -> Vec<&'static str> {
    std::iter::once(ID).chain(typesense_fields().into_iter().map(|f| f.name)).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::annotate::Annotator;
    use crate::corpus::Article;

    /// The annotated paragraphs of a small article with a quoted senator and a date.
    pub(crate) fn sample_records() -> Vec<ParagraphRecord> {
        let body = "Intro line here.\n\n\u{201c}We will win,\u{201d} said Sen. Jane Roe, D-Ohio, in Columbus.";
        let article = Article {
            path: "dir/a.txt".into(),
            title: Some("T".into()),
            body: body.into(),
            date: chrono::NaiveDate::from_ymd_opt(2017, 2, 28),
            source: Some("Daily Planet".into()),
            ..Article::default()
        };
        Annotator::builtin().annotate(&article)
    }

    #[test]
    fn documents_carry_facets_keys_and_the_record() {
        let records = sample_records();
        let quote = records.iter().find(|r| !r.speakers.is_empty()).unwrap();
        let doc = ServerDocument::new(quote);
        assert_eq!(doc.id, format!("{}-0-{}", file_id("dir/a.txt"), quote.paragraph));
        assert_eq!(doc.speaker, ["Jane Roe"]);
        assert_eq!(doc.party, ["D"]);
        assert!(doc.speaker_key.contains(&"roe".to_owned()) && doc.speaker_key.contains(&"jane roe".to_owned()));
        assert!(doc.entity.iter().any(|e| e == "place/Columbus"), "{:?}", doc.entity);
        assert_eq!(doc.source_key.as_deref(), Some("daily planet"));
        assert_eq!(doc.date, Some(1_488_240_000));
        assert!(doc.quoted);
        assert_eq!(doc.title, None, "titles only on the first paragraph");
        assert_eq!(doc.read_record().as_ref(), Some(quote));
        assert_eq!(ServerDocument::new(&records[0]).title.as_deref(), Some("T"));
    }

    #[test]
    fn collection_schema_covers_every_document_field() {
        let schema = typesense_collection("c");
        let declared: Vec<&str> =
            schema["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        for record in sample_records() {
            let doc = serde_json::to_value(ServerDocument::new(&record)).unwrap();
            for key in doc.as_object().unwrap().keys() {
                assert!(key == ID || declared.contains(&key.as_str()), "{key} not in the schema");
            }
        }
        for facet in FACET_FIELDS.iter().chain([&names::KIND]) {
            let field = schema["fields"].as_array().unwrap().iter().find(|f| f["name"] == *facet).unwrap();
            assert_eq!(field["facet"], true, "{facet}");
        }
        assert!(typesense_schema_matches(&schema));
        let mut changed = schema.clone();
        changed["fields"][1]["type"] = json!("int64");
        assert!(!typesense_schema_matches(&changed));
    }
}
