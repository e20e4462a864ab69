//! `newsdex train-tagger`: train the entity tagger and write the model file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use newsdex::tagger::{conll::read_conll, train, Tagger, TrainConfig};

/// Train the named-entity tagger on CoNLL-2003 data (deterministic: the same data, seed
/// and epochs give a byte-identical model file).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Training data in CoNLL format.
    #[arg(long, default_value = "../shared/data/conll2003/eng.train")]
    pub train: PathBuf,
    /// Development data: when given, its F1 is printed after every epoch (it is never
    /// trained on).
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// The congress-legislators directory used for the name gazetteer.
    #[arg(long, default_value = "../shared/data/congress-legislators")]
    pub roster: PathBuf,
    /// Unlabeled news articles (`.json.gz`) to learn word classes from.
    #[arg(long, default_value = "../shared/data/allsides/articles")]
    pub unlabeled: PathBuf,
    /// Passes over the training data for each of the two stages.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
    /// Seed of the document shuffle.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Where to write the model.
    #[arg(long, default_value = "models/ner.bin")]
    pub out: PathBuf,
}

/// Trains, writes the model and prints progress and the model size to stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let train_docs = read_conll(&args.train)?;
    let dev_docs = args.dev.as_deref().map(read_conll).transpose()?;
    let config = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        roster_dir: Some(args.roster.clone()),
        unlabeled_dir: Some(args.unlabeled.clone()),
        ..TrainConfig::default()
    };
    let bytes = train(&train_docs, dev_docs.as_deref(), &config, &mut |line| {
        println!("[{:6.1}s] {line}", started.elapsed().as_secs_f64());
    })?;
    // Check the file loads before replacing the old one.
    Tagger::from_bytes(&bytes).context("the trained model does not load")?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} ({:.2} MB) in {:.1}s",
        args.out.display(),
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
