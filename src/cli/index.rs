//! `newsdex index`: build or update the index.

use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::index::{self, IndexOptions};

use super::corpus_args::CorpusArgs;
use super::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Index directory.
    #[arg(long, default_value_os_t = super::default_index_dir())]
    index: PathBuf,
    /// Start from an empty index instead of updating.
    #[arg(long)]
    rebuild: bool,
    /// tantivy indexing memory budget in MB.
    #[arg(long, default_value_t = 400)]
    memory_mb: usize,
    /// Commit after this many changed files, so an interruption loses little.
    #[arg(long, default_value_t = 20_000)]
    commit_every: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut options = IndexOptions::new(args.index.clone(), args.corpus.paths.clone());
    options.fields = args.corpus.field_map()?;
    options.rebuild = args.rebuild;
    options.memory_budget = args.memory_mb << 20;
    options.commit_every = args.commit_every;
    options.threads = args.corpus.threads_or(options.threads);
    let progress = args.corpus.progress();
    let summary = index::build(&options, args.corpus.annotator()?, &progress)?;
    eprintln!("{}", output::summary_line("indexed", &summary, &format!("index {}", args.index.display()), "commits"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
