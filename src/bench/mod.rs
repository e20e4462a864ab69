//! Benchmark building blocks: the bare tantivy indexing loop that newsdex is measured
//! against, query latency percentiles, and process figures (peak RSS, directory size).
//! The `newsdex bench` command runs them and prints the comparison; nothing here is a
//! test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};
use tantivy::{Index, TantivyDocument};

use crate::search::{Request, Searchable};
use crate::{Error, Result};

/// What one indexing run did and cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Wall time in seconds.
    pub seconds: f64,
    /// Articles read.
    pub articles: u64,
    /// Paragraph documents added.
    pub paragraphs: u64,
    /// Bytes of article text indexed.
    pub text_bytes: u64,
    /// Peak resident memory of the process, bytes (0 when unknown).
    pub peak_rss: u64,
    /// Index size on disk, bytes.
    pub index_bytes: u64,
    /// CPU time of the whole process (all threads), seconds.
    pub cpu_seconds: f64,
    /// CPU seconds of newsdex's worker threads by stage (zero for the bare loop).
    pub stages: StageSeconds,
}

/// [`crate::cpu::StageTimes`] in seconds, as the benchmark's child processes report them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSeconds {
    /// Reading and hashing files.
    pub read: f64,
    /// Decompressing and parsing.
    pub parse: f64,
    /// Cleaning and annotating.
    pub annotate: f64,
    /// Building and queueing tantivy documents.
    pub documents: f64,
}

impl From<crate::cpu::StageTimes> for StageSeconds {
    fn from(t: crate::cpu::StageTimes) -> StageSeconds {
        StageSeconds {
            read: t.read.as_secs_f64(),
            parse: t.parse.as_secs_f64(),
            annotate: t.annotate.as_secs_f64(),
            documents: t.documents.as_secs_f64(),
        }
    }
}

impl StageSeconds {
    /// All the stages together.
    pub fn total(&self) -> f64 {
        self.read + self.parse + self.annotate + self.documents
    }
}

/// The baseline: read each `.json.gz` / `.json`, take `content_original`, split on blank
/// lines, add each paragraph as `text` (English stemming, positions, stored) plus a stored
/// path, with one indexing thread, a 200 MB budget and one commit.
pub fn bare_loop(corpus: &Path, out: &Path, limit: Option<usize>) -> Result<RunReport> {
    let started = Instant::now();
    let mut schema = Schema::builder();
    let text_options = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let text = schema.add_text_field("text", text_options);
    let path_field = schema.add_text_field("path", STORED);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let index = Index::create_in_dir(out, schema.build())?;
    let mut writer = index.writer_with_num_threads(1, 200 << 20)?;
    let mut report = RunReport::default();
    for path in json_files(corpus, limit)? {
        let Some(body) = content_original(&path) else { continue };
        report.articles += 1;
        let label = path.to_string_lossy();
        for paragraph in body.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, paragraph);
            doc.add_text(path_field, &label);
            writer.add_document(doc)?;
            report.paragraphs += 1;
            report.text_bytes += paragraph.len() as u64;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    report.seconds = started.elapsed().as_secs_f64();
    report.peak_rss = peak_rss_bytes().unwrap_or(0);
    report.index_bytes = dir_size(out);
    report.cpu_seconds = crate::cpu::process_time().as_secs_f64();
    Ok(report)
}

/// The `.json` and `.json.gz` files of `corpus`, sorted, at most `limit`.
pub fn json_files(corpus: &Path, limit: Option<usize>) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .map_err(|e| Error::io(corpus, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz") || p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.truncate(limit.unwrap_or(usize::MAX));
    Ok(files)
}

/// The `content_original` of an AllSides file, `None` when unreadable.
pub fn content_original(path: &Path) -> Option<String> {
    let raw = std::fs::read(path).ok()?;
    let mut json = Vec::with_capacity(raw.len() * 4);
    if path.to_string_lossy().ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut json).ok()?;
    } else {
        json = raw;
    }
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    value.get("content_original")?.as_str().map(str::to_owned)
}

/// This process's peak resident set size (Linux `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Total size of the files directly in `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum()
        })
        .unwrap_or(0)
}

/// Latency of one request over repeated runs, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// What was asked.
    pub label: String,
    /// Matching paragraphs.
    pub total: u64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
}

/// Runs `request` `runs` times (after one warm-up) and reports the percentiles.
pub fn latency(index: &Searchable, label: &str, request: &Request, runs: usize) -> Result<Latency> {
    let total = index.search(request)?.total;
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            let response = index.search(request);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            response.map(|_| ms)
        })
        .collect::<Result<_>>()?;
    times.sort_by(f64::total_cmp);
    Ok(Latency { label: label.to_owned(), total, p50_ms: percentile(&times, 0.50), p95_ms: percentile(&times, 0.95) })
}

/// The `q` quantile of sorted `values` (nearest rank).
pub fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// The query set: a rare term, a common term, a phrase and a boolean query, each alone,
/// with a party filter and with a speaker filter.
pub fn query_set() -> Vec<(String, Request)> {
    let queries = ["recuse", "trump", "\"special prosecutor\"", "russia AND sessions"];
    let mut out = Vec::new();
    for q in queries {
        out.push((q.to_owned(), Request::new(q)));
        out.push((format!("{q} --party D"), Request { parties: vec!["D".into()], ..Request::new(q) }));
        out.push((format!("{q} --speaker trump"), Request { speakers: vec!["trump".into()], ..Request::new(q) }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.95), 95.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn bare_loop_indexes_blank_line_paragraphs() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.json"), r#"{"content_original":"One.\n\nTwo.\n\nThree."}"#).unwrap();
        let report = bare_loop(&corpus, &dir.path().join("ix"), None).unwrap();
        assert_eq!((report.articles, report.paragraphs), (1, 3));
        assert!(report.index_bytes > 0);
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().unwrap() > 0);
        }
    }
}
