//! `newsdex bench annotate`: annotation throughput in paragraphs per second on one core.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use newsdex::annotate::{bench, Annotator};
use newsdex::corpus::{self, FieldMap};
use newsdex::tagger::Tagger;

/// Read AllSides articles (`.json.gz`, body in `content_original`), then annotate them on
/// one thread several times (clean, tag, attribute, resolve speakers and parties) and
/// print paragraphs per second of the median pass, with the cleaning and tagging share.
/// Reading and decompressing the files is not timed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of article files (any format newsdex reads).
    #[arg(long, default_value = "../shared/data/allsides/articles")]
    pub dir: PathBuf,
    /// Read at most this many files (in name order).
    #[arg(long, default_value_t = 3000)]
    pub limit: usize,
    /// Timed passes over the articles; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

/// Reads the articles, runs the benchmark and prints the results.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| corpus::Format::of(p).is_some())
        .collect();
    paths.sort();
    paths.truncate(args.limit);
    let fields = FieldMap::default();
    let mut articles = Vec::with_capacity(paths.len());
    for path in &paths {
        match corpus::read_file(path, &path.to_string_lossy(), &fields) {
            Ok(read) => articles.extend(read.articles),
            Err(e) => eprintln!("newsdex: warning: skipping {e}"),
        }
    }
    let tagger = Tagger::builtin();
    let annotator = Annotator::new(newsdex::roster::Roster::builtin(), tagger);
    let t = bench::throughput(&annotator, tagger, &articles, args.runs);
    let share = |d: std::time::Duration| 100.0 * d.as_secs_f64() / t.annotate.as_secs_f64().max(1e-12);
    writeln!(
        std::io::stdout(),
        "{} articles, {} paragraphs, {} attributions: {:.3} s (median of {}), {:.0} paragraphs/s on one thread",
        t.articles,
        t.paragraphs,
        t.attributions,
        t.annotate.as_secs_f64(),
        args.runs,
        t.paragraphs_per_second()
    )?;
    writeln!(
        std::io::stdout(),
        "of which cleaning {:.3} s ({:.0} %), entity tagging {:.3} s ({:.0} %), attribution and speakers the rest",
        t.clean.as_secs_f64(),
        share(t.clean),
        t.tag.as_secs_f64(),
        share(t.tag)
    )?;
    Ok(ExitCode::SUCCESS)
}
