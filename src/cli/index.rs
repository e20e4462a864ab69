//! `newsdex index`: build or update the index.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use newsdex::annotate::Annotator;
use newsdex::index::{self, IndexOptions, IndexSummary, Progress};
use newsdex::tagger::Tagger;

use super::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directories or files to index: .txt, .json, .jsonl, .ndjson, each optionally .gz.
    #[arg(default_value = "corpus")]
    paths: Vec<PathBuf>,
    /// Index directory.
    #[arg(long, default_value_os_t = super::default_index_dir())]
    index: PathBuf,
    /// Start from an empty index instead of updating.
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
    /// tantivy indexing memory budget in MB.
    #[arg(long, default_value_t = 400)]
    memory_mb: usize,
    /// Commit after this many changed files, so an interruption loses little.
    #[arg(long, default_value_t = 5000)]
    commit_every: usize,
    /// No progress bar and no warnings, only the summary.
    #[arg(long, short)]
    quiet: bool,
}

/// A progress bar on stderr; warnings print above it.
struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
    warnings: Mutex<u64>,
}

/// Most warnings printed one by one; the rest are counted in the summary.
const MAX_PRINTED_WARNINGS: u64 = 50;

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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut options = IndexOptions::new(args.index.clone(), args.paths.clone());
    options.fields = output::field_map(&args.fields)?;
    options.rebuild = args.rebuild;
    options.memory_budget = args.memory_mb << 20;
    options.commit_every = args.commit_every;
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    let roster = output::roster(args.roster.as_deref())?;
    let annotator = Annotator::new(roster, Tagger::builtin());
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = show_bar.then(|| {
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::new(0).with_style(style)
    });
    let progress = Bar { bar, quiet: args.quiet, warnings: Mutex::new(0) };
    let summary = index::build(&options, annotator, &progress)?;
    eprintln!("{}", summary_line(&summary, &args.index));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn summary_line(s: &IndexSummary, dir: &std::path::Path) -> String {
    format!(
        "indexed {} articles, {} paragraphs from {} files in {:.1}s ({} unchanged, {} removed, {} skipped, {} failed, {} warnings, {} commits); index {} now holds {} articles, {} paragraphs",
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
        dir.display(),
        s.total_articles,
        s.total_paragraphs,
    )
}
