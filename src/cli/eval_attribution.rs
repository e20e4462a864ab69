//! `newsdex eval attribution`: score speaker attribution on a PolNeAR split.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use newsdex::annotate::Annotator;
use newsdex::eval::attribution;
use newsdex::tagger::Tagger;

/// Annotate `DIR/text/*.txt` exactly as `newsdex annotate` does and score the
/// attributions against the BRAT gold in `DIR/attributions` with the metric of
/// ATTRIBUTION.md: sourced and direct precision, recall and F1, and each rule's precision.
/// With the hand-checked speaker file, also the share of found attributions whose
/// canonical speaker (and party) is right.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A PolNeAR split, such as ../shared/data/polnear/dev.
    pub dir: PathBuf,
    /// Also write the `annotate --json` lines here (offsets into the files), for
    /// `score-attribution.py DIR PRED.jsonl` to check the figures.
    #[arg(long, value_name = "PRED.jsonl")]
    pub output: Option<PathBuf>,
    /// Hand-checked canonical speakers (format in `newsdex::eval::attribution::SpeakerGold`);
    /// rows naming articles of another split are an error.
    #[arg(long, value_name = "TSV")]
    pub speakers: Option<PathBuf>,
    /// Roster file instead of the built-in US roster.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// List the hand-checked rows whose speaker is wrong.
    #[arg(long)]
    pub misses: bool,
}

/// Runs the evaluation and prints the report to stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let annotator = Annotator::new(super::output::roster(args.roster.as_deref())?, Tagger::builtin());
    let (report, split) = attribution::evaluate(&args.dir, &annotator, args.speakers.as_deref())
        .with_context(|| format!("evaluating {}", args.dir.display()))?;
    for w in split.warnings.iter().chain(&split.failed) {
        eprintln!("newsdex: warning: {w}");
    }
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        for record in split.records.iter().flatten() {
            serde_json::to_writer(&mut out, record)?;
            writeln!(out)?;
        }
        out.flush().with_context(|| format!("writing {}", path.display()))?;
    }
    write!(std::io::stdout(), "{report}")?;
    if args.misses {
        for [article, relation, source, expected, got] in report.speakers.iter().flat_map(|s| &s.misses) {
            writeln!(std::io::stdout(), "miss  {article} {relation}  {source:?}  expected {expected:?}  got {got:?}")?;
        }
    }
    // Only a file that could not be read at all fails the run, as with `annotate`.
    Ok(if split.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
