//! `newsdex export`: write a search engine's schema and the annotated paragraphs as JSON
//! Lines into a directory.

use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::export::{ExportFormat, ExportOptions};
use newsdex::push::DEFAULT_COLLECTION;

use super::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The engine: typesense, opensearch or quickwit.
    #[arg(long, value_parser = parse_format)]
    format: ExportFormat,
    /// Directory to write the schema and the documents into.
    dir: PathBuf,
    /// Directories or files to export: .txt, .json, .jsonl, .ndjson, each optionally .gz.
    #[arg(default_value = "corpus")]
    paths: Vec<PathBuf>,
    /// Collection or index name written in the schema.
    #[arg(long, default_value = DEFAULT_COLLECTION)]
    name: String,
    /// JSON key for an article part, as ROLE=KEY; repeatable.
    #[arg(long = "field", value_name = "ROLE=KEY")]
    fields: Vec<String>,
    /// Roster file (see README) instead of the built-in US roster.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Reading and annotation threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar and no warnings, only the summary.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s).ok_or_else(|| format!("unknown format `{s}`; formats are typesense, opensearch, quickwit"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ExportOptions {
        format: args.format,
        out_dir: args.dir.clone(),
        name: args.name.clone(),
        roots: args.paths.clone(),
        fields: output::field_map(&args.fields)?,
        threads: args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1),
    };
    let annotator = super::push::annotator(args.roster.as_deref())?;
    let progress = super::push::progress_bar(args.quiet);
    let summary = newsdex::export::export(&options, annotator, &progress)?;
    let target = format!("{} ({} + {})", args.dir.display(), args.format.schema_file(), args.format.documents_file());
    eprintln!("{}", super::output::summary_line("exported", &summary, &target, "files written"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
