//! Export stage: the annotated archive as files another search engine loads, for engines
//! that cannot be reached from here. Each format writes the engine's schema and the
//! paragraph documents (the [`ServerDocument`]s that `push` sends) as JSON Lines:
//!
//! | format      | schema file         | documents                                         |
//! |-------------|---------------------|---------------------------------------------------|
//! | `typesense` | `collection.json`   | `documents.jsonl` (for `documents/import`)        |
//! | `opensearch`| `index.json` (settings and mappings) | `bulk.ndjson` (`_bulk` action and document lines) |
//! | `quickwit`  | `index-config.json` | `documents.jsonl` (for `ingest`)                  |
//!
//! Documents are written in corpus order (the walk's), so an export is reproducible.
//! Like `push`, it reads and annotates through the index writer's per-file path.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use crate::annotate::Annotator;
use crate::corpus::{self, FieldMap};
use crate::index::schema::names;
use crate::index::{IndexSummary, Progress};
use crate::push::schema::{typesense_collection, FILE, ID};
use crate::push::{run_workers, FileOutcome, ServerDocument};
use crate::{Error, Result};

/// The engines newsdex exports for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A Typesense collection schema and import JSON Lines.
    Typesense,
    /// An OpenSearch (or Elasticsearch) index body and `_bulk` lines.
    OpenSearch,
    /// A Quickwit index config and ingest JSON Lines.
    Quickwit,
}

impl ExportFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Typesense, ExportFormat::OpenSearch, ExportFormat::Quickwit];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Typesense => "typesense",
            ExportFormat::OpenSearch => "opensearch",
            ExportFormat::Quickwit => "quickwit",
        }
    }

    /// The format named `name`.
    pub fn parse(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(name))
    }

    /// The schema file's name.
    pub fn schema_file(self) -> &'static str {
        match self {
            ExportFormat::Typesense => "collection.json",
            ExportFormat::OpenSearch => "index.json",
            ExportFormat::Quickwit => "index-config.json",
        }
    }

    /// The documents file's name.
    pub fn documents_file(self) -> &'static str {
        match self {
            ExportFormat::OpenSearch => "bulk.ndjson",
            ExportFormat::Typesense | ExportFormat::Quickwit => "documents.jsonl",
        }
    }

    /// The schema for an index or collection called `name`.
    pub fn schema(self, name: &str) -> Value {
        match self {
            ExportFormat::Typesense => typesense_collection(name),
            ExportFormat::OpenSearch => opensearch_index(),
            ExportFormat::Quickwit => quickwit_index_config(name),
        }
    }
}

/// How a document field is searched, across engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Full text, English stemming.
    Text,
    /// Exact value, filtered and counted.
    Keyword,
    /// Exact values (an array), filtered and counted.
    Keywords,
    /// Stored for display only.
    Stored,
    /// A whole number.
    Integer,
    /// Seconds since the epoch.
    Date,
    /// True or false.
    Bool,
}

/// Every document field and its role.
const FIELDS: [(&str, Role); 19] = [
    (ID, Role::Keyword),
    (FILE, Role::Keyword),
    (names::TEXT, Role::Text),
    (names::TITLE, Role::Text),
    (names::PATH, Role::Keyword),
    (names::ARTICLE_KEY, Role::Keyword),
    (names::ARTICLE, Role::Integer),
    (names::PARAGRAPH, Role::Integer),
    (names::DATE, Role::Date),
    (names::KIND, Role::Keyword),
    (names::SPEAKER, Role::Keywords),
    (names::SPEAKER_KEY, Role::Keywords),
    (names::PARTY, Role::Keywords),
    (names::ENTITY, Role::Keywords),
    (names::ENTITY_KEY, Role::Keywords),
    (names::SOURCE, Role::Keyword),
    (names::SOURCE_KEY, Role::Keyword),
    (names::QUOTED, Role::Bool),
    (names::RECORD, Role::Stored),
];

/// The OpenSearch index body: an `en_stem` analyzer (lowercase, Porter stemming, like
/// tantivy's) and a strict mapping; keyword fields take arrays as they come.
pub fn opensearch_index() -> Value {
    let properties: serde_json::Map<String, Value> = FIELDS
        .iter()
        .map(|&(name, role)| {
            let mapping = match role {
                Role::Text => json!({"type": "text", "analyzer": "en_stem"}),
                Role::Keyword | Role::Keywords => json!({"type": "keyword"}),
                Role::Stored => json!({"type": "keyword", "index": false, "doc_values": false}),
                Role::Integer => json!({"type": "long"}),
                Role::Date => json!({"type": "date", "format": "epoch_second"}),
                Role::Bool => json!({"type": "boolean"}),
            };
            (name.to_owned(), mapping)
        })
        .collect();
    json!({
        "settings": {"analysis": {"analyzer": {"en_stem": {
            "type": "custom", "tokenizer": "standard", "filter": ["lowercase", "porter_stem"]
        }}}},
        "mappings": {"dynamic": "strict", "properties": properties},
    })
}

/// The Quickwit index config for index `name`: `en_stem` text fields, raw fast fields for
/// filters and counts, the date as a fast datetime.
pub fn quickwit_index_config(name: &str) -> Value {
    let mappings: Vec<Value> = FIELDS
        .iter()
        .map(|&(field, role)| match role {
            Role::Text => {
                json!({"name": field, "type": "text", "tokenizer": "en_stem", "record": "position", "stored": true})
            }
            Role::Keyword => json!({"name": field, "type": "text", "tokenizer": "raw", "fast": true, "stored": true}),
            Role::Keywords => {
                json!({"name": field, "type": "array<text>", "tokenizer": "raw", "fast": true, "stored": true})
            }
            Role::Stored => json!({"name": field, "type": "text", "indexed": false, "stored": true}),
            Role::Integer => json!({"name": field, "type": "u64", "fast": true, "stored": true}),
            Role::Date => json!({
                "name": field, "type": "datetime", "input_formats": ["unix_timestamp"],
                "output_format": "unix_timestamp_secs", "fast": true, "fast_precision": "seconds", "stored": true
            }),
            Role::Bool => json!({"name": field, "type": "bool", "fast": true, "stored": true}),
        })
        .collect();
    json!({
        "version": "0.8",
        "index_id": name,
        "doc_mapping": {"mode": "strict", "field_mappings": mappings},
        "search_settings": {"default_search_fields": [names::TEXT]},
    })
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The engine.
    pub format: ExportFormat,
    /// Directory written (created when missing).
    pub out_dir: PathBuf,
    /// Collection or index name in the schema.
    pub name: String,
    /// Directories and files to read.
    pub roots: Vec<PathBuf>,
    /// JSON field mapping.
    pub fields: FieldMap,
    /// Reading and annotation threads.
    pub threads: usize,
}

/// Writes the schema and the documents of `options.roots` into `options.out_dir`; the
/// summary has the meaning of [`crate::index::build`]'s (every file is "indexed").
pub fn export(options: &ExportOptions, annotator: Annotator, progress: &dyn Progress) -> Result<IndexSummary> {
    let started = Instant::now();
    let dir = &options.out_dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let schema_path = dir.join(options.format.schema_file());
    let schema = serde_json::to_string_pretty(&options.format.schema(&options.name)).unwrap_or_default();
    std::fs::write(&schema_path, schema + "\n").map_err(|e| Error::io(&schema_path, e))?;

    let walked = corpus::walk(&options.roots);
    let mut summary = IndexSummary::for_walk(&walked, progress);
    summary.failures.extend(walked.errors);
    progress.start(walked.files.len() as u64, walked.files.iter().map(|f| f.size).sum());
    let docs_path = dir.join(options.format.documents_file());
    let file = std::fs::File::create(&docs_path).map_err(|e| Error::io(&docs_path, e))?;
    let mut out = DocumentWriter { format: options.format, out: BufWriter::new(file), path: docs_path.clone() };
    // Outcomes arrive as workers finish; they are written in corpus order.
    let mut waiting: BTreeMap<usize, FileOutcome> = BTreeMap::new();
    let mut next_to_write = 0;
    let mut write_ready = |waiting: &mut BTreeMap<usize, FileOutcome>, summary: &mut IndexSummary| -> Result<()> {
        while let Some(outcome) = waiting.remove(&next_to_write) {
            next_to_write += 1;
            match outcome {
                FileOutcome::Annotated { entry, documents, warnings, .. } => {
                    for document in &documents {
                        out.write(document)?;
                    }
                    summary.add_indexed(&entry, warnings, progress);
                }
                FileOutcome::Unchanged { .. } => {}
                FileOutcome::Failed { error } => {
                    progress.warn(&error);
                    summary.failures.push(error);
                }
            }
            progress.advance(0);
        }
        Ok(())
    };
    let result = run_workers(&walked.files, options.threads, &options.fields, annotator, &HashMap::new(), |i, o| {
        waiting.insert(i, o);
        write_ready(&mut waiting, &mut summary)
    });
    progress.finish();
    result?;
    out.finish()?;
    // The schema file and the documents file.
    summary.commits = 2;
    (summary.total_articles, summary.total_paragraphs) = (summary.articles, summary.paragraphs);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Writes documents as the format's JSON Lines.
struct DocumentWriter {
    format: ExportFormat,
    out: BufWriter<std::fs::File>,
    path: PathBuf,
}

impl DocumentWriter {
    fn write(&mut self, document: &ServerDocument) -> Result<()> {
        let line = serde_json::to_string(document).unwrap_or_default();
        let written = match self.format {
            ExportFormat::OpenSearch => {
                let action = json!({"index": {"_id": document.id}});
                writeln!(self.out, "{action}\n{line}")
            }
            ExportFormat::Typesense | ExportFormat::Quickwit => writeln!(self.out, "{line}"),
        };
        written.map_err(|e| Error::io(&self.path, e))
    }

    fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }
}

/// The path of `format`'s documents file in `dir`.
pub fn documents_path(dir: &Path, format: ExportFormat) -> PathBuf {
    dir.join(format.documents_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::schema::{document_fields, tests::sample_records};

    /// Every key of every sample document, with its JSON value.
    fn sample_fields() -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for record in sample_records() {
            let doc = serde_json::to_value(ServerDocument::new(&record)).unwrap();
            out.extend(doc.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }

    #[test]
    fn field_table_matches_the_documents() {
        let table: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
        assert_eq!(table, document_fields());
        for (key, value) in sample_fields() {
            let role = FIELDS.iter().find(|(name, _)| *name == key).unwrap().1;
            assert_eq!(value.is_array(), role == Role::Keywords, "{key}");
        }
    }

    #[test]
    fn opensearch_mapping_types_every_document_field() {
        let index = opensearch_index();
        let properties = index["mappings"]["properties"].as_object().unwrap();
        assert_eq!(index["mappings"]["dynamic"], "strict");
        for (key, value) in sample_fields() {
            let mapping = &properties.get(&key).unwrap_or_else(|| panic!("{key} not mapped"))["type"];
            let expected = match value {
                Value::Bool(_) => "boolean",
                Value::Number(_) if key == names::DATE => "date",
                Value::Number(_) => "long",
                Value::String(_) if key == names::TEXT || key == names::TITLE => "text",
                _ => "keyword",
            };
            assert_eq!(mapping, expected, "{key}");
        }
        assert_eq!(properties[names::TEXT]["analyzer"], "en_stem");
        assert!(index["settings"]["analysis"]["analyzer"]["en_stem"].is_object());
        assert_eq!(properties[names::RECORD]["index"], false);
    }

    #[test]
    fn quickwit_config_types_every_document_field() {
        let config = quickwit_index_config("news");
        assert_eq!(config["index_id"], "news");
        let mappings = config["doc_mapping"]["field_mappings"].as_array().unwrap();
        for (key, value) in sample_fields() {
            let mapping = mappings.iter().find(|m| m["name"] == key.as_str()).unwrap_or_else(|| panic!("{key}"));
            let expected = match value {
                Value::Array(_) => "array<text>",
                Value::Bool(_) => "bool",
                Value::Number(_) if key == names::DATE => "datetime",
                Value::Number(_) => "u64",
                _ => "text",
            };
            assert_eq!(mapping["type"], expected, "{key}");
        }
        let text = mappings.iter().find(|m| m["name"] == names::TEXT).unwrap();
        assert_eq!(text["tokenizer"], "en_stem");
        let speaker = mappings.iter().find(|m| m["name"] == names::SPEAKER).unwrap();
        assert_eq!((&speaker["tokenizer"], &speaker["fast"]), (&json!("raw"), &json!(true)));
        assert_eq!(config["search_settings"]["default_search_fields"], json!([names::TEXT]));
    }

    #[test]
    fn formats_parse_by_name() {
        for format in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(format.as_str()), Some(format));
        }
        assert_eq!(ExportFormat::parse("OpenSearch"), Some(ExportFormat::OpenSearch));
        assert_eq!(ExportFormat::parse("solr"), None);
    }

    #[test]
    fn export_writes_schema_and_ordered_documents() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c");
        std::fs::create_dir(&corpus).unwrap();
        for (name, text) in [("a.txt", "Alpha one.\n\nAlpha two."), ("b.txt", "Bravo."), ("c.txt", "Charlie.")] {
            std::fs::write(corpus.join(name), text).unwrap();
        }
        for format in ExportFormat::ALL {
            let out_dir = dir.path().join(format.as_str());
            let options = ExportOptions {
                format,
                out_dir: out_dir.clone(),
                name: "news".into(),
                roots: vec![corpus.clone()],
                fields: FieldMap::default(),
                threads: 3,
            };
            let summary = export(&options, Annotator::builtin(), &crate::index::SilentProgress).unwrap();
            assert_eq!((summary.files_indexed, summary.paragraphs), (3, 4));
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(out_dir.join(format.schema_file())).unwrap()).unwrap();
            assert_eq!(schema, format.schema("news"));
            let lines = std::fs::read_to_string(documents_path(&out_dir, format)).unwrap();
            let docs: Vec<ServerDocument> = lines
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .filter(|d: &ServerDocument| !d.id.is_empty())
                .collect();
            let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
            assert_eq!(texts, ["Alpha one.", "Alpha two.", "Bravo.", "Charlie."], "{}", format.as_str());
            let per_doc = if format == ExportFormat::OpenSearch { 2 } else { 1 };
            assert_eq!(lines.lines().count(), 4 * per_doc);
        }
    }
}
