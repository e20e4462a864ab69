//! Command-line definition and glue: one file per subcommand, each a thin adapter that
//! builds a plain request, calls the library and prints the result.

mod annotate;
mod bench_annotate;
mod bench_index;
mod bench_tagger;
mod corpus_args;
mod eval_attribution;
mod eval_ner;
mod export;
mod index;
mod output;
mod push;
mod search;
mod serve;
mod stats;
mod train_tagger;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Search news archives by what was said, who said it, and whom it mentions.
#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Index a corpus directory (default `corpus`) into the index directory.
    Index(index::Args),
    /// Search the index: tantivy query syntax, filters, facet counts.
    Search(search::Args),
    /// Show the annotation of articles without indexing them.
    Annotate(annotate::Args),
    /// Summarise an index: articles, paragraphs, size, top speakers, parties, sources.
    Stats(stats::Args),
    /// Serve the search page and the JSON API over an index.
    Serve(serve::Args),
    /// Annotate a corpus and import its paragraphs into a Typesense collection.
    Push(push::Args),
    /// Write a search engine's schema and the annotated paragraphs as JSON Lines.
    Export(export::Args),
    /// Measure annotation quality against gold data.
    #[command(subcommand, hide = true)]
    Eval(EvalCommand),
    /// Measure speed.
    #[command(subcommand, hide = true)]
    Bench(BenchCommand),
    /// Train the entity tagger from CoNLL data.
    #[command(hide = true)]
    TrainTagger(train_tagger::Args),
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Tag a CoNLL-2003 file and score it with exact-span precision, recall and F1.
    Ner(eval_ner::Args),
    /// Score speaker attribution on a PolNeAR split (BRAT gold), per ATTRIBUTION.md.
    Attribution(eval_attribution::Args),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Entity tagger throughput on AllSides text.
    Tagger(bench_tagger::Args),
    /// Annotation throughput (paragraphs/s on one core) on AllSides text.
    Annotate(bench_annotate::Args),
    /// Indexing against the bare tantivy loop, re-indexing, query latency, FTS5, ripgrep.
    Index(bench_index::Args),
    /// Query latency on an existing index.
    Query(bench_index::QueryArgs),
    /// (child process of `bench index`) the bare tantivy loop.
    #[command(hide = true)]
    BareLoop(bench_index::ChildArgs),
    /// (child process of `bench index`) newsdex indexing.
    #[command(hide = true)]
    RunIndex(bench_index::ChildArgs),
}

impl Cli {
    /// Whether the command runs until stopped (the server) rather than as a batch.
    pub fn runs_until_stopped(&self) -> bool {
        matches!(self.command, Command::Serve(_))
    }
}

/// Where the index lives unless `--index` says otherwise.
fn default_index_dir() -> PathBuf {
    PathBuf::from("index")
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Index(args) => index::run(args),
        Command::Search(args) => search::run(args),
        Command::Annotate(args) => annotate::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Push(args) => push::run(args),
        Command::Export(args) => export::run(args),
        Command::Eval(EvalCommand::Ner(args)) => eval_ner::run(args),
        Command::Eval(EvalCommand::Attribution(args)) => eval_attribution::run(args),
        Command::Bench(BenchCommand::Tagger(args)) => bench_tagger::run(args),
        Command::Bench(BenchCommand::Annotate(args)) => bench_annotate::run(args),
        Command::Bench(BenchCommand::Index(args)) => bench_index::run(args),
        Command::Bench(BenchCommand::Query(args)) => bench_index::run_queries(args),
        Command::Bench(BenchCommand::BareLoop(args)) => bench_index::run_bare_loop(args),
        Command::Bench(BenchCommand::RunIndex(args)) => bench_index::run_newsdex_index(args),
        Command::TrainTagger(args) => train_tagger::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
