//! `newsdex eval ner`: score the entity tagger on a CoNLL-format file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Tag a CoNLL-2003 file (`TOKEN POS CHUNK NER` lines, IOB2 tags) with the built-in entity
/// tagger and print exact-span precision, recall and F1 per type and overall, as
/// conlleval does. Only the TOKEN column is used as input.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CoNLL file with gold tags, such as ../shared/data/conll2003/eng.testa.
    pub file: PathBuf,
    /// Also write `TOKEN GOLD PREDICTED` lines here (readable by conlleval.py).
    #[arg(long, value_name = "PRED")]
    pub output: Option<PathBuf>,
    /// Use this model file instead of the built-in model.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
}

/// Runs the evaluation and prints the report to stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let owned;
    let tagger = match &args.model {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            owned =
                newsdex::tagger::Tagger::from_bytes(&bytes).with_context(|| format!("loading {}", path.display()))?;
            &owned
        }
        None => newsdex::tagger::Tagger::builtin(),
    };
    let report = newsdex::eval::ner::evaluate_file(tagger, &args.file, args.output.as_deref())?;
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}
