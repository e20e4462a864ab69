//! `newsdex push`: annotate a corpus and import its paragraphs into a Typesense cluster;
//! and the `--typesense` options `search` shares.

use std::process::ExitCode;

use anyhow::Context;
use newsdex::push::query::RemoteSearch;
use newsdex::push::{Client, PushOptions, DEFAULT_COLLECTION};

use super::corpus_args::CorpusArgs;
use super::output;

/// The environment variable read for the API key when `--api-key` is not given.
pub const API_KEY_ENV: &str = "NEWSDEX_TYPESENSE_API_KEY";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    corpus: CorpusArgs,
    #[command(flatten)]
    server: ServerArgs,
    /// Drop the collection and push everything again.
    #[arg(long)]
    rebuild: bool,
    /// Paragraphs per import request.
    #[arg(long, default_value_t = 1000)]
    batch_size: usize,
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = args.server.client()?.context("push needs --typesense URL (a Typesense node)")?;
    let mut options = PushOptions::new(args.server.collection.clone(), args.corpus.paths.clone());
    options.fields = args.corpus.field_map()?;
    options.rebuild = args.rebuild;
    options.batch_size = args.batch_size.max(1);
    options.threads = args.corpus.threads_or(options.threads);
    let progress = args.corpus.progress();
    let summary = newsdex::push::push(&client, &options, args.corpus.annotator()?, &progress)?;
    eprintln!("{}", output::summary_line("pushed", &summary, &format!("collection {}", options.collection), "imports"));
    Ok(if summary.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsdex::index::IndexSummary;

    #[test]
    fn summary_reads_like_index() {
        let s = IndexSummary { articles: 2, paragraphs: 9, files_indexed: 1, commits: 3, ..IndexSummary::default() };
        let line = output::summary_line("pushed", &s, "collection news", "imports");
        assert!(line.starts_with("pushed 2 articles, 9 paragraphs from 1 files in 0.0s (0 unchanged"), "{line}");
        assert!(line.contains("3 imports); collection news now holds 0 articles"), "{line}");
    }
}
