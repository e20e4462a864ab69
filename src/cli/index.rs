//! `newsdex index`: build or update the index.

use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::annotate::Annotator;
use newsdex::index::{self, IndexOptions};
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
    #[arg(long, default_value_t = 20_000)]
    commit_every: usize,
    /// No progress bar and no warnings, only the summary.
    #[arg(long, short)]
    quiet: bool,
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
    let progress = output::Bar::new(args.quiet, "files");
    let summary = index::build(&options, annotator, &progress)?;
    eprintln!("{}", output::summary_line("indexed", &summary, &format!("index {}", args.index.display()), "commits"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
