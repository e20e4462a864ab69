//! Building and updating an index: walk, compare with the manifest, then read, clean and
//! annotate changed files on worker threads that add documents straight to tantivy's
//! writer (its `add_document` is thread-safe), committing every few thousand files so an
//! interruption loses at most the work since the last commit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::indexer::UserOperation;
use tantivy::{Index, IndexWriter, Term};

use super::document::to_document;
use super::manifest::{FileEntry, Manifest, MANIFEST_PREFIX};
use super::schema::{schema, Fields, SCHEMA_VERSION};
use crate::annotate::{Annotator, ParagraphRecord};
use crate::corpus::{self, CorpusFile, FieldMap, Format};
use crate::cpu::{StageTimes, Stopwatch};
use crate::{Error, Result};

/// How to build an index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Where the index lives.
    pub index_dir: PathBuf,
    /// Directories and files to index.
    pub roots: Vec<PathBuf>,
    /// JSON field mapping.
    pub fields: FieldMap,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Worker threads for reading and annotating.
    pub threads: usize,
    /// tantivy's indexing memory budget in bytes (split over its threads).
    pub memory_budget: usize,
    /// tantivy indexing threads.
    pub index_threads: usize,
    /// Commit after this many changed files.
    pub commit_every: usize,
}

impl IndexOptions {
    /// Defaults for indexing `roots` into `index_dir`: one worker per core, a 400 MB
    /// tantivy budget, a commit every 20,000 files.
    pub fn new(index_dir: PathBuf, roots: Vec<PathBuf>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        IndexOptions {
            index_dir,
            roots,
            fields: FieldMap::default(),
            rebuild: false,
            threads: cores,
            memory_budget: 400 << 20,
            index_threads: cores.clamp(1, 4),
            commit_every: 20_000,
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct IndexSummary {
    /// Files walked that newsdex reads.
    pub files_seen: u64,
    /// Files read and (re)indexed.
    pub files_indexed: u64,
    /// Files unchanged since the last run, not read.
    pub files_unchanged: u64,
    /// Files gone since the last run, their paragraphs removed.
    pub files_removed: u64,
    /// Files skipped for their extension.
    pub files_skipped: u64,
    /// Files that could not be read or parsed, with the reason.
    pub failures: Vec<Error>,
    /// Recoverable problems (bad lines, bad dates, bad encodings).
    pub warnings: Vec<Error>,
    /// Articles indexed in this run.
    pub articles: u64,
    /// Paragraphs indexed in this run.
    pub paragraphs: u64,
    /// Commits made.
    pub commits: u64,
    /// Articles and paragraphs in the whole index after the run.
    pub total_articles: u64,
    /// See `total_articles`.
    pub total_paragraphs: u64,
    /// Bytes of input read.
    pub bytes_read: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// CPU time of the worker threads by stage (tantivy's own indexing threads are the
    /// process's CPU time less these).
    pub stage_cpu: StageTimes,
}

impl IndexSummary {
    /// A summary opened on a walk: the files it found and skipped. Walk errors are
    /// reported to `progress`; the caller decides when they count as failures.
    pub fn for_walk(walked: &corpus::Walk, progress: &dyn Progress) -> IndexSummary {
        for error in &walked.errors {
            progress.warn(error);
        }
        IndexSummary {
            files_seen: walked.files.len() as u64,
            files_skipped: walked.skipped as u64,
            ..IndexSummary::default()
        }
    }

    /// Counts one file read and annotated: its articles, paragraphs, bytes and warnings
    /// (reported to `progress` as they are counted).
    pub fn add_indexed(&mut self, entry: &FileEntry, warnings: Vec<Error>, progress: &dyn Progress) {
        self.files_indexed += 1;
        self.articles += entry.articles;
        self.paragraphs += entry.paragraphs;
        self.bytes_read += entry.size;
        for w in &warnings {
            progress.warn(w);
        }
        self.warnings.extend(warnings);
    }
}

/// Receives progress from a run; the CLI draws a bar with it.
pub trait Progress: Sync {
    /// The run will look at `files` files (`bytes` in all).
    fn start(&self, _files: u64, _bytes: u64) {}
    /// One more file done, of `bytes` bytes.
    fn advance(&self, _bytes: u64) {}
    /// A problem with one file, reported as it happens.
    fn warn(&self, _problem: &Error) {}
    /// The run is over.
    fn finish(&self) {}
}

/// A [`Progress`] that reports nothing.
pub struct SilentProgress;
impl Progress for SilentProgress {}

/// Opens the index at `dir` for reading, checking its schema version.
pub fn open_index(dir: &Path) -> Result<(Index, Fields)> {
    if !dir.join("meta.json").exists() {
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    check_version(dir)?;
    let index = Index::open_in_dir(dir)?;
    super::stem::register(&index);
    let fields = Fields::resolve(&index.schema()).map_err(|_| Error::SchemaVersion {
        path: dir.to_path_buf(),
        found: 0,
        expected: SCHEMA_VERSION,
    })?;
    Ok((index, fields))
}

fn check_version(dir: &Path) -> Result<()> {
    let found = Manifest::schema_version(dir)?.unwrap_or(0);
    if found != SCHEMA_VERSION {
        return Err(Error::SchemaVersion { path: dir.to_path_buf(), found, expected: SCHEMA_VERSION });
    }
    Ok(())
}

/// Creates or opens the index for writing.
fn open_for_writing(options: &IndexOptions) -> Result<(Index, Manifest)> {
    let dir = &options.index_dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let exists = dir.join("meta.json").exists();
    if exists && options.rebuild {
        // Clearing under the writer lock: a rebuild must never delete the files of a run
        // in progress (it fails as locked instead).
        use tantivy::directory::Directory as _;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| Error::Tantivy(e.into()))?;
        let lock = directory.acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK).map_err(|e| match e {
            tantivy::directory::error::LockError::LockBusy => Error::Locked(dir.to_path_buf()),
            other => Error::io(dir, std::io::Error::other(other)),
        })?;
        clear_index_dir(dir)?;
        drop(lock);
    }
    if exists && !options.rebuild {
        check_version(dir)?;
        let index = Index::open_in_dir(dir)?;
        super::stem::register(&index);
        let manifest = Manifest::load(dir)?.unwrap_or_default();
        return Ok((index, manifest));
    }
    let index = Index::builder().schema(schema()).settings(index_settings()).create_in_dir(dir)?;
    super::stem::register(&index);
    let manifest = Manifest::new();
    manifest.save(dir)?;
    Ok((index, manifest))
}

/// zstd for the document store: stored paragraphs are most of the index, zstd makes
/// them about 40 % smaller than lz4, and only the hits shown are ever decompressed.
/// 128 KB blocks compress 8 % better than 32 KB ones (one AllSides sample); the reader's
/// block cache keeps a page of hits from decompressing a block twice. Level 3: level 7
/// stores 5 % less but compresses 3.7 times slower, which cost 8 % of all indexing
/// instructions (callgrind, 300 articles).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 128 * 1024,
        ..tantivy::IndexSettings::default()
    }
}

/// Removes a previous index's files (and nothing else) from `dir`.
fn clear_index_dir(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(MANIFEST_PREFIX)
            || name.ends_with(".idx")
            || name.ends_with(".pos")
            || name.ends_with(".term")
            || name.ends_with(".store")
            || name.ends_with(".fast")
            || name.ends_with(".fieldnorm")
            || name.ends_with(".del");
        // Lock files stay: deleting one another process holds would let a third process
        // lock a fresh file while the holder still writes.
        if ours {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| Error::io(path, e))?;
        }
    }
    Ok(())
}

fn lock_error(dir: &Path, e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.to_path_buf()),
        other => Error::Tantivy(other),
    }
}

/// Files of `recorded` under the walked `roots` that the walk no longer found. Files
/// under a directory the walk could not read are kept: an unreadable directory is not a
/// deletion. Shared by `index` and `push`.
pub fn deleted_files(recorded: &BTreeMap<String, FileEntry>, roots: &[PathBuf], walked: &corpus::Walk) -> Vec<String> {
    let present: std::collections::HashSet<&str> = walked.files.iter().map(|f| f.label.as_str()).collect();
    let unreadable: Vec<String> = walked
        .errors
        .iter()
        .filter_map(|e| match e {
            Error::Io { path, .. } => Some(path.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let roots: Vec<String> = roots.iter().map(|r| corpus::path_label(r)).collect();
    // Component-wise: root `corpus` holds `corpus/a.txt`, not `corpus2/a.txt`.
    let under = |label: &str, dir: &str| Path::new(label).starts_with(dir);
    recorded
        .keys()
        .filter(|label| roots.iter().any(|r| under(label, r)))
        .filter(|label| !present.contains(label.as_str()))
        .filter(|label| !unreadable.iter().any(|u| under(label, u)))
        .cloned()
        .collect()
}

/// The outcome of one file, sent from a worker to the coordinating thread.
enum FileOutcome {
    Indexed { label: String, entry: FileEntry, warnings: Vec<Error>, cpu: StageTimes },
    Unchanged { label: String, entry: FileEntry },
    Failed { label: String, error: Error },
}

/// Builds or updates the index described by `options`.
pub fn build(options: &IndexOptions, annotator: Annotator, progress: &dyn Progress) -> Result<IndexSummary> {
    let started = Instant::now();
    let (index, mut manifest) = open_for_writing(options)?;
    let fields = Fields::resolve(&index.schema())?;
    let mut writer: IndexWriter = index
        .writer_with_num_threads(options.index_threads.max(1), options.memory_budget.max(15 << 20))
        .map_err(|e| lock_error(&options.index_dir, e))?;
    let walked = corpus::walk(&options.roots);
    let mut summary = IndexSummary::for_walk(&walked, progress);
    summary.files_removed = remove_deleted(&writer, &fields, &mut manifest, &options.roots, &walked);
    summary.failures.extend(walked.errors);

    let (todo, unchanged): (Vec<CorpusFile>, Vec<CorpusFile>) = walked
        .files
        .into_iter()
        .partition(|f| manifest.files.get(&f.label).is_none_or(|e| e.size != f.size || e.modified_ns != f.modified_ns));
    summary.files_unchanged = unchanged.len() as u64;
    progress.start(todo.len() as u64, todo.iter().map(|f| f.size).sum());

    for chunk in todo.chunks(options.commit_every.max(1)) {
        let outcomes = run_chunk(chunk, options, annotator, &writer, &fields, &manifest, progress);
        apply_outcomes(outcomes, &mut manifest, &mut summary, progress);
        writer.commit()?;
        manifest.save(&options.index_dir)?;
        summary.commits += 1;
    }
    if todo.is_empty() && summary.files_removed > 0 {
        writer.commit()?;
        manifest.save(&options.index_dir)?;
        summary.commits += 1;
    }
    writer.wait_merging_threads()?;
    progress.finish();
    (summary.total_articles, summary.total_paragraphs) = manifest.totals();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Deletes the paragraphs of manifest files under the walked roots that the walk no
/// longer found (see [`deleted_files`]).
fn remove_deleted(
    writer: &IndexWriter,
    fields: &Fields,
    manifest: &mut Manifest,
    roots: &[PathBuf],
    walked: &corpus::Walk,
) -> u64 {
    let gone = deleted_files(&manifest.files, roots, walked);
    for label in &gone {
        writer.delete_term(Term::from_field_text(fields.path, label));
        manifest.files.remove(label);
    }
    gone.len() as u64
}

/// The writer as the worker threads share it. tantivy's `IndexWriter::run` takes its
/// opstamps first and queues the batch's delete after, so two threads running batches at
/// once can queue deletes out of opstamp order; tantivy then applies the late, older delete
/// to a segment already flushed and drops the file's new paragraphs with its old ones
/// (seen as lost files with small commits). One batch at a time keeps the queue in order.
struct BatchWriter<'w> {
    writer: &'w IndexWriter,
    one_at_a_time: std::sync::Mutex<()>,
}

impl BatchWriter<'_> {
    fn run(&self, batch: Vec<UserOperation>) -> tantivy::Result<u64> {
        let _turn = self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner());
        self.writer.run(batch)
    }
}

fn run_chunk(
    chunk: &[CorpusFile],
    options: &IndexOptions,
    annotator: Annotator,
    writer: &IndexWriter,
    fields: &Fields,
    manifest: &Manifest,
    progress: &dyn Progress,
) -> Vec<FileOutcome> {
    let writer = BatchWriter { writer, one_at_a_time: std::sync::Mutex::new(()) };
    crate::parallel::map_in_order(chunk, options.threads, |file| {
        let outcome = index_file(file, options, annotator, &writer, fields, manifest);
        if let FileOutcome::Failed { error, .. } = &outcome {
            progress.warn(error);
        }
        progress.advance(file.size);
        outcome
    })
}

/// One corpus file run through corpus -> clean -> annotate: what `index` adds to tantivy
/// and what `push` sends to a search server.
#[derive(Debug)]
pub struct AnnotatedFile {
    /// xxh3 hash of the raw bytes.
    pub hash: u64,
    /// Size of the raw bytes.
    pub size: u64,
    /// Articles read.
    pub articles: u64,
    /// The annotated paragraphs of all its articles, in order.
    pub records: Vec<ParagraphRecord>,
    /// Recoverable problems met while reading.
    pub warnings: Vec<Error>,
    /// CPU time spent parsing and annotating (the other stages stay zero).
    pub cpu: StageTimes,
}

/// Reads the raw bytes of `file`, with their hash.
pub fn read_raw_file(file: &CorpusFile) -> Result<(Vec<u8>, u64)> {
    let raw = std::fs::read(&file.path).map_err(|e| Error::io(&file.label, e))?;
    let hash = xxhash_rust::xxh3::xxh3_64(&raw);
    Ok((raw, hash))
}

/// Parses, cleans and annotates the raw bytes of `file`.
pub fn annotate_raw(
    file: &CorpusFile,
    raw: &[u8],
    hash: u64,
    fields: &FieldMap,
    annotator: Annotator,
) -> Result<AnnotatedFile> {
    let (format, gzipped) = Format::of(&file.path)
        .ok_or_else(|| Error::parse(&file.path, None, "not a .txt, .json, .jsonl or .ndjson file"))?;
    let mut watch = Stopwatch::start();
    let read = corpus::read_raw(raw, format, gzipped, &file.path, &file.label, fields)?;
    let parse = watch.lap();
    let records = read.articles.iter().flat_map(|article| annotator.annotate(article)).collect();
    Ok(AnnotatedFile {
        hash,
        size: raw.len() as u64,
        articles: read.articles.len() as u64,
        records,
        warnings: read.warnings,
        cpu: StageTimes { parse, annotate: watch.lap(), ..StageTimes::default() },
    })
}

fn index_file(
    file: &CorpusFile,
    options: &IndexOptions,
    annotator: Annotator,
    writer: &BatchWriter,
    fields: &Fields,
    manifest: &Manifest,
) -> FileOutcome {
    let label = file.label.clone();
    let mut watch = Stopwatch::start();
    let (raw, hash) = match read_raw_file(file) {
        Ok(read) => read,
        Err(error) => return FileOutcome::Failed { label, error },
    };
    let read_cpu = watch.lap();
    let mut entry =
        FileEntry { size: raw.len() as u64, modified_ns: file.modified_ns, hash, articles: 0, paragraphs: 0 };
    if let Some(old) = manifest.files.get(&label).filter(|old| old.hash == hash) {
        entry.articles = old.articles;
        entry.paragraphs = old.paragraphs;
        return FileOutcome::Unchanged { label, entry };
    }
    // A bug in annotation must cost one file, reported, never the run or other files.
    let annotated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        annotate_raw(file, &raw, hash, &options.fields, annotator)
    }));
    let annotated = match annotated {
        Ok(Ok(annotated)) => annotated,
        Ok(Err(error)) => return FileOutcome::Failed { label, error },
        Err(_) => {
            let error = Error::parse(&file.path, None, "internal error while annotating this file (please report it)");
            return FileOutcome::Failed { label, error };
        }
    };
    drop(raw);
    let mut cpu = StageTimes { read: read_cpu, ..annotated.cpu };
    watch.lap();
    entry.articles = annotated.articles;
    entry.paragraphs = annotated.records.len() as u64;
    // One batch per file: the delete before the adds replaces the file's earlier
    // paragraphs, and a batch's documents land in one segment in order, which the stored
    // layout relies on (an article's fields live on its first paragraph).
    let mut batch = Vec::with_capacity(annotated.records.len() + 1);
    batch.push(UserOperation::Delete(Term::from_field_text(fields.path, &label)));
    batch.extend(annotated.records.iter().map(|record| UserOperation::Add(to_document(fields, record))));
    if let Err(e) = writer.run(batch) {
        return FileOutcome::Failed { label, error: Error::Tantivy(e) };
    }
    cpu.documents = watch.lap();
    FileOutcome::Indexed { label, entry, warnings: annotated.warnings, cpu }
}

fn apply_outcomes(
    outcomes: Vec<FileOutcome>,
    manifest: &mut Manifest,
    summary: &mut IndexSummary,
    progress: &dyn Progress,
) {
    for outcome in outcomes {
        match outcome {
            FileOutcome::Indexed { label, entry, warnings, cpu } => {
                summary.add_indexed(&entry, warnings, progress);
                summary.stage_cpu.add(&cpu);
                manifest.files.insert(label, entry);
            }
            FileOutcome::Unchanged { label, entry } => {
                summary.files_unchanged += 1;
                manifest.files.insert(label, entry);
            }
            FileOutcome::Failed { label, error } => {
                // A file that now fails keeps its earlier paragraphs: nothing is lost.
                let _ = label;
                summary.failures.push(error);
            }
        }
    }
}
