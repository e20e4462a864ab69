//! `newsdex export`: write a search engine's schema and the annotated paragraphs as JSON
//! Lines into a directory.

use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::export::{ExportFormat, ExportOptions};
use newsdex::push::DEFAULT_COLLECTION;

use super::corpus_args::CorpusArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The engine: typesense, opensearch or quickwit.
    #[arg(long, value_parser = parse_format)]
    format: ExportFormat,
    /// Directory to write the schema and the documents into.
    dir: PathBuf,
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Collection or index name written in the schema.
    #[arg(long, default_value = DEFAULT_COLLECTION)]
    name: String,
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s).ok_or_else(|| format!("unknown format `{s}`; formats are typesense, opensearch, quickwit"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ExportOptions {
        format: args.format,
        out_dir: args.dir.clone(),
        name: args.name.clone(),
        roots: args.corpus.paths.clone(),
        fields: args.corpus.field_map()?,
        threads: args.corpus.threads_or(std::thread::available_parallelism().map_or(2, |n| n.get())),
    };
    let progress = args.corpus.progress();
    let summary = newsdex::export::export(&options, args.corpus.annotator()?, &progress)?;
    let target = format!("{} ({} + {})", args.dir.display(), args.format.schema_file(), args.format.documents_file());
    eprintln!("{}", super::output::summary_line("exported", &summary, &target, "files written"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
