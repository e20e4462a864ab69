//! `newsdex export`: schema and documents files for other engines.

use newsdex::push::ServerDocument;

use super::util::{newsdex, Corpus};

#[test]
fn typesense_export_holds_the_schema_and_every_paragraph() {
    let corpus = Corpus::with_seed();
    let out_dir = corpus.dir().parent().unwrap().join("export");
    let out = newsdex().args(["export", "--format", "typesense"]).arg(&out_dir).arg(corpus.dir()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("exported 1 articles, 27 paragraphs from 1 files"), "{stderr}");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("collection.json")).unwrap()).unwrap();
    assert_eq!(schema["name"], "newsdex");
    let documents: Vec<ServerDocument> = std::fs::read_to_string(out_dir.join("documents.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(documents.len(), 27);
    let franken = documents.iter().find(|d| d.text.contains("must recuse himself immediately")).unwrap();
    assert_eq!(
        (franken.speaker.as_slice(), franken.party.as_slice()),
        (&["Al Franken".to_owned()][..], &["D".to_owned()][..])
    );
    assert_eq!(franken.read_record().unwrap().text, franken.text);
}

#[test]
fn opensearch_export_writes_bulk_lines_and_unknown_formats_are_refused() {
    let corpus = Corpus::new();
    corpus.write("a.txt", "One paragraph.\n\nAnother paragraph.");
    let out_dir = corpus.dir().parent().unwrap().join("os");
    let out = newsdex()
        .args(["export", "--format", "opensearch", "--name", "news"])
        .arg(&out_dir)
        .arg(corpus.dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bulk = std::fs::read_to_string(out_dir.join("bulk.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = bulk.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["index"]["_id"], lines[1]["id"]);
    assert!(out_dir.join("index.json").exists());
    let out = newsdex().args(["export", "--format", "solr"]).arg(&out_dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("formats are typesense, opensearch, quickwit"));
}
