//! `newsdex bench-tagger`: measure the entity tagger's speed on real news text.

use std::io::Read;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use newsdex::tagger::{bench, Tagger};

/// Tag the article bodies (`content_original`) of the AllSides `.json.gz` files on one
/// thread and print tokens per second (median of several runs) and the model load time.
/// Reading and decompressing the files is not timed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of gzipped JSON articles.
    #[arg(long, default_value = "../shared/data/allsides/articles")]
    pub dir: PathBuf,
    /// Read at most this many files (in name order).
    #[arg(long, default_value_t = 3000)]
    pub limit: usize,
    /// Timed passes over the texts; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

/// Reads the texts, runs the benchmark and prints the results.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    paths.sort();
    paths.truncate(args.limit);
    let mut texts = Vec::with_capacity(paths.len());
    for path in &paths {
        let mut json = String::new();
        let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        if let Err(e) = flate2::read::GzDecoder::new(file).read_to_string(&mut json) {
            eprintln!("skipping {}: {e}", path.display());
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(&json) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("skipping {}: {e}", path.display());
                continue;
            }
        };
        if let Some(body) = value.get("content_original").and_then(|v| v.as_str()) {
            texts.push(body.to_string());
        }
    }
    let load = bench::load_time(args.runs.max(5));
    // Load once outside the timed passes.
    let tagger = Tagger::builtin();
    let t = bench::throughput(tagger, &texts, args.runs);
    writeln!(
        std::io::stdout(),
        "model {:.2} MB, load {:.1} ms (median)",
        bench::builtin_model_size() as f64 / 1e6,
        load.as_secs_f64() * 1e3
    )?;
    writeln!(
        std::io::stdout(),
        "{} texts, {} tokens, {} entities: {:.3} s (median of {}), {:.0} tokens/s on one thread",
        t.texts,
        t.tokens,
        t.entities,
        t.median.as_secs_f64(),
        args.runs,
        t.tokens_per_second()
    )?;
    Ok(ExitCode::SUCCESS)
}
