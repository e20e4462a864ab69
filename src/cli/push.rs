//! `newsdex push`: annotate a corpus and import its paragraphs into a Typesense cluster;
//! and the `--typesense` options `search` shares.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use newsdex::annotate::Annotator;
use newsdex::index::{IndexSummary, Progress};
use newsdex::push::query::RemoteSearch;
use newsdex::push::{Client, PushOptions, DEFAULT_COLLECTION};
use newsdex::tagger::Tagger;

use super::output;

/// The environment variable read for the API key when `--api-key` is not given.
pub const API_KEY_ENV: &str = "NEWSDEX_TYPESENSE_API_KEY";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directories or files to push: .txt, .json, .jsonl, .ndjson, each optionally .gz.
    #[arg(default_value = "corpus")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    server: ServerArgs,
    /// Drop the collection and push everything again.
    #[arg(long)]
    rebuild: bool,
    /// JSON key for an article part, as ROLE=KEY (roles: title, body, date, source, url,
    /// authors); repeatable.
    #[arg(long = "field", value_name = "ROLE=KEY")]
    fields: Vec<String>,
    /// Roster file (see README) instead of the built-in US roster.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Reading and annotation threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Paragraphs per import request.
    #[arg(long, default_value_t = 1000)]
    batch_size: usize,
    /// No progress bar and no warnings, only the summary.
    #[arg(long, short)]
    quiet: bool,
}

/// Where the Typesense cluster is; `search` takes the same options, all optional.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Typesense node URL (http://host:port); repeat it or separate nodes with commas to
    /// fail over between the nodes of a cluster.
    #[arg(long = "typesense", value_name = "URL")]
    typesense: Vec<String>,
    /// Typesense API key (default: the NEWSDEX_TYPESENSE_API_KEY environment variable).
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Typesense collection.
    #[arg(long, default_value = DEFAULT_COLLECTION)]
    collection: String,
}

impl ServerArgs {
    /// The client, or `None` when no `--typesense` was given.
    fn client(&self) -> anyhow::Result<Option<Client>> {
        if self.typesense.is_empty() {
            return Ok(None);
        }
        let key = match &self.api_key {
            Some(key) => key.clone(),
            None => std::env::var(API_KEY_ENV)
                .with_context(|| format!("--typesense needs an API key: pass --api-key or set {API_KEY_ENV}"))?,
        };
        Ok(Some(Client::new(&self.typesense, &key)?))
    }
}

/// The Typesense search `search --typesense` runs, or `None` for a local search.
pub fn remote_search(server: &ServerArgs) -> anyhow::Result<Option<RemoteSearch>> {
    Ok(server.client()?.map(|client| RemoteSearch::new(client, server.collection.clone())))
}

/// A progress bar on stderr; warnings print above it.
struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
    warnings: Mutex<u64>,
}

/// Most warnings printed one by one; the rest are counted in the summary.
const MAX_PRINTED_WARNINGS: u64 = 50;

impl Bar {
    /// A bar when stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool, unit: &str) -> Bar {
        let show = !quiet && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let template =
                format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} ETA {{eta}}");
            let style = ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
            ProgressBar::new(0).with_style(style)
        });
        Bar { bar, quiet, warnings: Mutex::new(0) }
    }
}

impl Progress for Bar {
    fn start(&self, files: u64, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(files);
        }
    }
    fn advance(&self, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
    fn warn(&self, problem: &newsdex::Error) {
        let mut n = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        if self.quiet || *n > MAX_PRINTED_WARNINGS {
            return;
        }
        let line = format!("newsdex: warning: {problem}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A progress reporter for `export` too.
pub fn progress_bar(quiet: bool) -> impl Progress {
    Bar::new(quiet, "files")
}

/// The annotator from `--roster`.
pub fn annotator(roster: Option<&std::path::Path>) -> anyhow::Result<Annotator<'static>> {
    Ok(Annotator::new(output::roster(roster)?, Tagger::builtin()))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = args.server.client()?.context("push needs --typesense URL (a Typesense node)")?;
    let mut options = PushOptions::new(args.server.collection.clone(), args.paths.clone());
    options.fields = output::field_map(&args.fields)?;
    options.rebuild = args.rebuild;
    options.batch_size = args.batch_size.max(1);
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    let annotator = annotator(args.roster.as_deref())?;
    let progress = Bar::new(args.quiet, "files");
    let summary = newsdex::push::push(&client, &options, annotator, &progress)?;
    eprintln!("{}", summary_line("pushed", &summary, &format!("collection {}", options.collection), "imports"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The one-line summary, worded as `index`'s: `verb` what was done, `target` where it
/// went, `batches` what `commits` counts.
pub fn summary_line(verb: &str, s: &IndexSummary, target: &str, batches: &str) -> String {
    format!(
        "{verb} {} articles, {} paragraphs from {} files in {:.1}s ({} unchanged, {} removed, {} skipped, {} failed, {} warnings, {} {batches}); {target} now holds {} articles, {} paragraphs",
        s.articles,
        s.paragraphs,
        s.files_indexed,
        s.elapsed.as_secs_f64(),
        s.files_unchanged,
        s.files_removed,
        s.files_skipped,
        s.failures.len(),
        s.warnings.len(),
        s.commits,
        s.total_articles,
        s.total_paragraphs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_like_index() {
        let s = IndexSummary { articles: 2, paragraphs: 9, files_indexed: 1, commits: 3, ..IndexSummary::default() };
        let line = summary_line("pushed", &s, "collection news", "imports");
        assert!(line.starts_with("pushed 2 articles, 9 paragraphs from 1 files in 0.0s (0 unchanged"), "{line}");
        assert!(line.contains("3 imports); collection news now holds 0 articles"), "{line}");
    }
}
