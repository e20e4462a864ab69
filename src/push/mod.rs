//! Push stage: the annotated archive into a Typesense cluster, for archives that outgrow
//! one machine.
//!
//! [`push`] runs the same corpus -> clean -> annotate path as the index writer (its
//! [`read_raw_file`] and [`annotate_raw`]) on worker threads and imports the paragraphs,
//! as [`schema::ServerDocument`]s, in batched JSON Lines upserts from one sending thread;
//! [`client`] retries and fails over between nodes. Like `index`, a second push reads the
//! files' sizes, modification times and content hashes ([`state`], kept in the cluster)
//! and sends only what changed: a changed file's old paragraphs are deleted before its new
//! ones are imported, a deleted file's paragraphs are deleted. [`query`] turns a search
//! [`crate::search::Request`] into Typesense search parameters and the answer back into a
//! [`crate::search::Response`].
//!
//! This module never reaches into tantivy: it takes annotate records and speaks HTTP.

pub mod client;
pub mod query;
pub mod schema;
pub mod state;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::annotate::Annotator;
use crate::corpus::{self, CorpusFile, FieldMap};
use crate::index::manifest::FileEntry;
use crate::index::{annotate_raw, deleted_files, read_raw_file, IndexSummary, Progress};
use crate::{Error, Result};
pub use client::{Client, ImportOutcome, RetryPolicy};
pub use schema::{ServerDocument, DEFAULT_COLLECTION};

/// How to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The Typesense collection.
    pub collection: String,
    /// Directories and files to push.
    pub roots: Vec<PathBuf>,
    /// JSON field mapping.
    pub fields: FieldMap,
    /// Drop the collection (and its file state) first.
    pub rebuild: bool,
    /// Worker threads for reading and annotating.
    pub threads: usize,
    /// Paragraph documents per import request.
    pub batch_size: usize,
}

impl PushOptions {
    /// Defaults for pushing `roots` into `collection`: one worker per core, 1,000
    /// paragraphs per import.
    pub fn new(collection: impl Into<String>, roots: Vec<PathBuf>) -> Self {
        PushOptions {
            collection: collection.into(),
            roots,
            fields: FieldMap::default(),
            rebuild: false,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            batch_size: 1000,
        }
    }
}

/// The outcome of one file, sent from a worker to the sending thread.
pub(crate) enum FileOutcome {
    /// Read, annotated and turned into documents.
    Annotated { label: String, entry: FileEntry, documents: Vec<ServerDocument>, warnings: Vec<Error> },
    /// The content hash is the pushed one: only the entry (a new modification time) changes.
    Unchanged { label: String, entry: FileEntry },
    /// Could not be read or parsed.
    Failed { error: Error },
}

/// Pushes the corpus of `options` to the cluster behind `client`; the summary has the
/// meaning of [`crate::index::build`]'s, with `commits` counting import requests.
pub fn push(
    client: &Client,
    options: &PushOptions,
    annotator: Annotator,
    progress: &dyn Progress,
) -> Result<IndexSummary> {
    let started = Instant::now();
    let collection = options.collection.as_str();
    // Reads of the file state must see the last push's writes.
    client.prefer_leader();
    prepare_collections(client, collection, options.rebuild)?;
    let mut pushed = state::load(client, collection)?;
    let walked = corpus::walk(&options.roots);
    let mut summary = IndexSummary::for_walk(&walked, progress);
    let gone = deleted_files(&pushed, &options.roots, &walked);
    if !gone.is_empty() {
        let labels: Vec<&str> = gone.iter().map(String::as_str).collect();
        state::delete_files(client, collection, &labels)?;
        state::delete_files(client, &state::state_collection(collection), &labels)?;
        for label in &gone {
            pushed.remove(label);
        }
    }
    summary.files_removed = gone.len() as u64;
    summary.failures.extend(walked.errors);

    let (todo, unchanged): (Vec<CorpusFile>, Vec<CorpusFile>) = walked
        .files
        .into_iter()
        .partition(|f| pushed.get(&f.label).is_none_or(|e| e.size != f.size || e.modified_ns != f.modified_ns));
    summary.files_unchanged = unchanged.len() as u64;
    progress.start(todo.len() as u64, todo.iter().map(|f| f.size).sum());
    let mut sender =
        Sender { client, options, pushed: &mut pushed, summary: &mut summary, progress, batch: Batch::default() };
    let result = {
        let hashes = sender.pushed_snapshot();
        run_workers(&todo, options.threads, &options.fields, annotator, &hashes, |_, outcome| sender.take(outcome))
    };
    let result = result.and_then(|()| sender.flush());
    progress.finish();
    result?;
    (summary.total_articles, summary.total_paragraphs) =
        pushed.values().fold((0, 0), |(a, p), f| (a + f.articles, p + f.paragraphs));
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Creates the paragraph and files collections when missing (after dropping them for a
/// rebuild); refuses a paragraph collection with another schema.
fn prepare_collections(client: &Client, collection: &str, rebuild: bool) -> Result<()> {
    let files = state::state_collection(collection);
    if rebuild {
        client.delete_collection(collection)?;
        client.delete_collection(&files)?;
    }
    match client.get_collection(collection)? {
        None => client.create_collection(&schema::typesense_collection(collection))?,
        Some(existing) if !schema::typesense_schema_matches(&existing) => {
            return Err(Error::Server {
                server: collection.to_owned(),
                message: "the collection has another schema (an older newsdex, or not newsdex's): push with --rebuild"
                    .into(),
            })
        }
        Some(_) => {}
    }
    if client.get_collection(&files)?.is_none() {
        client.create_collection(&state::state_schema(&files))?;
    }
    Ok(())
}

/// Reads and annotates `todo` on `threads` worker threads, handing each outcome with the
/// position of its file in `todo` to `take` on this thread, in the order they finish;
/// stops early when `take` fails. `pushed` holds the content hashes already sent.
pub(crate) fn run_workers(
    todo: &[CorpusFile],
    threads: usize,
    fields: &FieldMap,
    annotator: Annotator,
    pushed: &HashMap<String, u64>,
    mut take: impl FnMut(usize, FileOutcome) -> Result<()>,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let workers = threads.clamp(1, todo.len().max(1));
    std::thread::scope(|scope| {
        let (tx, rx) = crossbeam_channel::bounded::<(usize, FileOutcome)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = todo.get(i) else { break };
                let outcome = annotate_file(file, fields, annotator, pushed.get(&file.label).copied());
                // The receiver stopped (it failed): stop too.
                if tx.send((i, outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, outcome) in rx {
            take(i, outcome)?;
        }
        Ok(())
    })
}

/// One file through read -> (unchanged?) -> clean and annotate -> documents.
fn annotate_file(file: &CorpusFile, fields: &FieldMap, annotator: Annotator, old_hash: Option<u64>) -> FileOutcome {
    let label = file.label.clone();
    let (raw, hash) = match read_raw_file(file) {
        Ok(read) => read,
        Err(error) => return FileOutcome::Failed { error },
    };
    let mut entry =
        FileEntry { size: raw.len() as u64, modified_ns: file.modified_ns, hash, articles: 0, paragraphs: 0 };
    if old_hash == Some(hash) {
        return FileOutcome::Unchanged { label, entry };
    }
    // A bug in annotation must cost one file, reported, never the run or other files.
    let annotated =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| annotate_raw(file, &raw, hash, fields, annotator)));
    let annotated = match annotated {
        Ok(Ok(annotated)) => annotated,
        Ok(Err(error)) => return FileOutcome::Failed { error },
        Err(_) => {
            let error = Error::parse(&file.path, None, "internal error while annotating this file (please report it)");
            return FileOutcome::Failed { error };
        }
    };
    entry.articles = annotated.articles;
    entry.paragraphs = annotated.records.len() as u64;
    let documents = annotated.records.iter().map(ServerDocument::new).collect();
    FileOutcome::Annotated { label, entry, documents, warnings: annotated.warnings }
}

/// Files waiting to be sent, with their documents.
#[derive(Default)]
struct Batch {
    files: Vec<(String, FileEntry, Vec<Error>)>,
    lines: Vec<String>,
    /// Files whose modification time changed but whose content did not: only their
    /// entries are sent.
    touched: Vec<(String, FileEntry)>,
}

/// The sending side: collects outcomes into batches and sends them.
struct Sender<'a> {
    client: &'a Client,
    options: &'a PushOptions,
    pushed: &'a mut BTreeMap<String, FileEntry>,
    summary: &'a mut IndexSummary,
    progress: &'a dyn Progress,
    batch: Batch,
}

impl Sender<'_> {
    /// Content hashes of the pushed files, for the workers.
    fn pushed_snapshot(&self) -> HashMap<String, u64> {
        self.pushed.iter().map(|(label, e)| (label.clone(), e.hash)).collect()
    }

    fn take(&mut self, outcome: FileOutcome) -> Result<()> {
        match outcome {
            FileOutcome::Annotated { label, entry, documents, warnings } => {
                let lines = documents.iter().map(|d| serde_json::to_string(d).unwrap_or_default());
                self.batch.lines.extend(lines);
                self.batch.files.push((label, entry, warnings));
                if self.batch.lines.len() >= self.options.batch_size.max(1) {
                    self.flush()?;
                }
            }
            FileOutcome::Unchanged { label, entry } => {
                self.summary.files_unchanged += 1;
                self.batch.touched.push((label, entry));
            }
            FileOutcome::Failed { error } => {
                // A file that now fails keeps its earlier paragraphs: nothing is lost.
                self.progress.warn(&error);
                self.summary.failures.push(error);
            }
        }
        self.progress.advance(0);
        Ok(())
    }

    /// Sends the batch: deletes the earlier paragraphs of changed files, imports the new
    /// ones, then records the files that were stored whole as pushed.
    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        let collection = self.options.collection.as_str();
        let replaced: Vec<&str> =
            batch.files.iter().map(|(label, ..)| label.as_str()).filter(|l| self.pushed.contains_key(*l)).collect();
        if !replaced.is_empty() {
            state::delete_files(self.client, collection, &replaced)?;
        }
        let mut refused: HashMap<String, (u64, String)> = HashMap::new();
        for chunk in batch.lines.chunks(self.options.batch_size.max(1)) {
            let outcomes = self.client.import(collection, chunk.join("\n"))?;
            self.summary.commits += 1;
            for (line, outcome) in chunk.iter().zip(outcomes) {
                if let ImportOutcome::Failed(why) = outcome {
                    let file = file_of_line(line);
                    let slot = refused.entry(file).or_insert((0, why));
                    slot.0 += 1;
                }
            }
        }
        let mut done = batch.touched;
        for (label, entry, warnings) in batch.files {
            if let Some((n, why)) = refused.get(&schema::file_id(&label)) {
                let message = format!("{label}: {n} paragraphs refused: {why}");
                let error = Error::Server { server: collection.to_owned(), message };
                self.progress.warn(&error);
                self.summary.failures.push(error);
                continue;
            }
            self.summary.add_indexed(&entry, warnings, self.progress);
            done.push((label, entry));
        }
        state::save(self.client, collection, &done)?;
        self.pushed.extend(done);
        Ok(())
    }
}

/// The file id of a document line (the first 16 characters of its id).
fn file_of_line(line: &str) -> String {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v[schema::FILE].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> FileEntry {
        FileEntry { size: 1, modified_ns: 1, hash: 1, articles: 1, paragraphs: 1 }
    }

    #[test]
    fn deleted_files_are_those_under_the_roots_not_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("kept.txt"), "x").unwrap();
        let walked = corpus::walk(std::slice::from_ref(&root));
        let label = |name: &str| walked.files[0].label.replace("kept.txt", name);
        let mut pushed = BTreeMap::new();
        for name in ["kept.txt", "gone.txt"] {
            pushed.insert(label(name), entry());
        }
        pushed.insert("elsewhere/other.txt".to_owned(), entry());
        assert_eq!(deleted_files(&pushed, &[root], &walked), [label("gone.txt")]);
    }

    #[test]
    fn lines_name_their_file() {
        let record = &schema::tests::sample_records()[0];
        let line = serde_json::to_string(&ServerDocument::new(record)).unwrap();
        assert_eq!(file_of_line(&line), schema::file_id("dir/a.txt"));
    }
}
