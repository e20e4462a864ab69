//! `newsdex stats`: what an index holds.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::search::{Searchable, Stats};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory.
    #[arg(long, default_value_os_t = super::default_index_dir())]
    index: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stats: Stats = Searchable::open(&args.index)?.stats(&args.index)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &stats)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "index      {}", args.index.display())?;
    writeln!(out, "files      {}", stats.files)?;
    writeln!(out, "articles   {}", stats.articles)?;
    writeln!(out, "paragraphs {} ({} with a speaker)", stats.paragraphs, stats.quoted_paragraphs)?;
    writeln!(out, "size       {:.1} MB", stats.size_bytes as f64 / 1e6)?;
    for (name, values) in [
        ("kinds", &stats.kinds),
        ("speakers", &stats.speakers),
        ("parties", &stats.parties),
        ("sources", &stats.sources),
    ] {
        let list: Vec<String> = values.iter().map(|(v, n)| format!("{v} ({n})")).collect();
        writeln!(out, "{name:<10} {}", list.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
