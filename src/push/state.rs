//! What a collection was pushed from, kept in the cluster itself: a second collection,
//! `<collection>_newsdex_files`, with one document per pushed file (label, size,
//! modification time, xxh3 content hash, article and paragraph counts), the same facts as
//! the local index's manifest. Keeping it in the cluster means it is replicated with the
//! paragraphs, survives the loss of a node, and is shared by every machine that pushes to
//! the collection; dropping the collection's files collection (or `push --rebuild`)
//! makes the next push send everything again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::client::{Client, ImportOutcome};
use super::schema::file_id;
use crate::index::manifest::FileEntry;
use crate::{Error, Result};

/// The name of the files collection of `collection`.
pub fn state_collection(collection: &str) -> String {
    format!("{collection}_newsdex_files")
}

/// The Typesense schema of the files collection `name`.
pub fn state_schema(name: &str) -> Value {
    let stored = |n: &str, t: &str| json!({"name": n, "type": t, "index": false, "optional": true});
    json!({
        "name": name,
        "fields": [
            {"name": "file", "type": "string"},
            stored("label", "string"),
            stored("hash", "string"),
            stored("size", "int64"),
            stored("modified_ns", "int64"),
            stored("articles", "int64"),
            stored("paragraphs", "int64"),
        ]
    })
}

/// One file as stored in the files collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StateDocument {
    id: String,
    file: String,
    label: String,
    /// The u64 hash as 16 hex digits (Typesense integers are signed).
    hash: String,
    size: i64,
    modified_ns: i64,
    articles: i64,
    paragraphs: i64,
}

impl StateDocument {
    fn new(label: &str, e: &FileEntry) -> StateDocument {
        let id = file_id(label);
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        StateDocument {
            file: id.clone(),
            id,
            label: label.to_owned(),
            hash: format!("{:016x}", e.hash),
            size: signed(e.size),
            modified_ns: signed(e.modified_ns),
            articles: signed(e.articles),
            paragraphs: signed(e.paragraphs),
        }
    }

    fn entry(&self) -> Option<FileEntry> {
        let unsigned = |n: i64| u64::try_from(n).unwrap_or(0);
        Some(FileEntry {
            size: unsigned(self.size),
            modified_ns: unsigned(self.modified_ns),
            hash: u64::from_str_radix(&self.hash, 16).ok()?,
            articles: unsigned(self.articles),
            paragraphs: unsigned(self.paragraphs),
        })
    }
}

/// Reads every file entry of `collection`'s files collection, by label.
pub fn load(client: &Client, collection: &str) -> Result<BTreeMap<String, FileEntry>> {
    let name = state_collection(collection);
    let mut files = BTreeMap::new();
    for line in client.export(&name)?.lines().filter(|l| !l.trim().is_empty()) {
        let doc: StateDocument = serde_json::from_str(line)
            .map_err(|e| Error::Server { server: name.clone(), message: format!("unreadable file entry: {e}") })?;
        // An entry that does not read back is left out: its file is simply pushed again.
        if let Some(entry) = doc.entry() {
            files.insert(doc.label, entry);
        }
    }
    Ok(files)
}

/// Records `entries` (label, entry) as pushed.
pub fn save(client: &Client, collection: &str, entries: &[(String, FileEntry)]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let name = state_collection(collection);
    let lines: Vec<String> = entries
        .iter()
        .map(|(label, e)| serde_json::to_string(&StateDocument::new(label, e)).unwrap_or_default())
        .collect();
    let refused = client.import(&name, lines.join("\n"))?.into_iter().find_map(|o| match o {
        ImportOutcome::Ok => None,
        ImportOutcome::Failed(why) => Some(why),
    });
    match refused {
        Some(why) => Err(Error::Server { server: name, message: format!("file entry refused: {why}") }),
        None => Ok(()),
    }
}

/// Most values put in one `field:=[...]` filter.
pub const FILTER_CHUNK: usize = 100;

/// Deletes, from `collection` (a paragraph or a files collection), every document whose
/// `file` field is one of `labels`' file ids.
pub fn delete_files(client: &Client, collection: &str, labels: &[&str]) -> Result<u64> {
    let mut deleted = 0;
    for chunk in labels.chunks(FILTER_CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|label| file_id(label)).collect();
        deleted += client.delete_where(collection, &format!("file:=[{}]", ids.join(",")))?;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_state_documents() {
        let entry = FileEntry {
            size: 10,
            modified_ns: 1_700_000_000_000_000_000,
            hash: u64::MAX - 3,
            articles: 2,
            paragraphs: 9,
        };
        let doc = StateDocument::new("corpus/a.txt", &entry);
        assert_eq!(doc.id, file_id("corpus/a.txt"));
        let back: StateDocument = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(back.entry(), Some(entry));
    }

    #[test]
    fn schema_declares_every_state_field() {
        let schema = state_schema("x_newsdex_files");
        let declared: Vec<&str> =
            schema["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        let doc = serde_json::to_value(StateDocument::new(
            "a",
            &FileEntry { size: 1, modified_ns: 2, hash: 3, articles: 4, paragraphs: 5 },
        ))
        .unwrap();
        for key in doc.as_object().unwrap().keys().filter(|k| *k != "id") {
            assert!(declared.contains(&key.as_str()), "{key}");
        }
        assert_eq!(state_collection("news"), "news_newsdex_files");
    }
}
