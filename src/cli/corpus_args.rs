//! The options every command that reads a corpus takes (`index`, `push`, `export`).

use std::path::PathBuf;

use newsdex::annotate::Annotator;
use newsdex::corpus::FieldMap;
use newsdex::tagger::Tagger;

use super::output;

#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// Directories or files to read: .txt, .json, .jsonl, .ndjson, each optionally .gz.
    #[arg(default_value = "corpus")]
    pub paths: Vec<PathBuf>,
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
    /// No progress bar and no warnings, only the summary.
    #[arg(long, short)]
    quiet: bool,
}

impl CorpusArgs {
    /// The `--field` mapping.
    pub fn field_map(&self) -> anyhow::Result<FieldMap> {
        output::field_map(&self.fields)
    }

    /// The annotator with the `--roster` roster.
    pub fn annotator(&self) -> anyhow::Result<Annotator<'static>> {
        Ok(Annotator::new(output::roster(self.roster.as_deref())?, Tagger::builtin()))
    }

    /// `--threads`, or `default` when not given; at least one.
    pub fn threads_or(&self, default: usize) -> usize {
        self.threads.unwrap_or(default).max(1)
    }

    /// The progress bar for a run over files (nothing with `--quiet`).
    pub fn progress(&self) -> output::Bar {
        output::Bar::new(self.quiet, "files")
    }
}
