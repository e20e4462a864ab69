//! `newsdex annotate`: run corpus -> clean -> annotate on files and print the result.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::annotate::{Annotator, ParagraphRecord};
use newsdex::clean::ParagraphKind;
use newsdex::corpus;
use newsdex::tagger::Tagger;

use super::output::{self, speaker_label};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Article files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// One JSON object per paragraph (the documented wire format).
    #[arg(long)]
    json: bool,
    /// JSON key for an article part, as ROLE=KEY; repeatable.
    #[arg(long = "field", value_name = "ROLE=KEY")]
    fields: Vec<String>,
    /// Roster file instead of the built-in US roster.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fields = output::field_map(&args.fields)?;
    let annotator = Annotator::new(output::roster(args.roster.as_deref())?, Tagger::builtin());
    let walked = corpus::walk(&args.paths);
    let mut failed = walked.errors.len();
    for e in &walked.errors {
        eprintln!("newsdex: warning: {e}");
    }
    let mut out = std::io::stdout().lock();
    for file in &walked.files {
        let read = match corpus::read_file(&file.path, &file.label, &fields) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("newsdex: warning: {e}");
                failed += 1;
                continue;
            }
        };
        for w in &read.warnings {
            eprintln!("newsdex: warning: {w}");
        }
        for article in &read.articles {
            for record in annotator.annotate(article) {
                if args.json {
                    serde_json::to_writer(&mut out, &record)?;
                    writeln!(out)?;
                } else {
                    print_human(&mut out, &record)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_human(out: &mut impl Write, r: &ParagraphRecord) -> std::io::Result<()> {
    let kind = if r.kind == ParagraphKind::Body { String::new() } else { format!(" [{}]", r.kind.as_str()) };
    writeln!(out, "{}#{}{kind}  {}", r.path, r.paragraph, r.text)?;
    for a in &r.attributions {
        let who = match (&a.speaker, a.party) {
            (Some(name), Some(p)) => format!("{name} ({})", p.code()),
            (Some(name), None) => name.clone(),
            (None, _) => "(unresolved)".to_owned(),
        };
        let content = r.text.get(a.content[0] - r.start..a.content[1] - r.start).unwrap_or("");
        let quote = if a.direct { "direct" } else { "indirect" };
        writeln!(out, "    said by {who}  [{}, {quote}]  {}", a.rule, shorten(content, 80))?;
    }
    if !r.speakers.is_empty() {
        let names: Vec<String> = r.speakers.iter().map(speaker_label).collect();
        writeln!(out, "    speakers: {}", names.join(", "))?;
    }
    if !r.entities.is_empty() {
        let names: Vec<String> = r.entities.iter().map(|e| format!("{} ({})", e.name, e.kind.code())).collect();
        writeln!(out, "    entities: {}", names.join(", "))?;
    }
    writeln!(out)
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}
