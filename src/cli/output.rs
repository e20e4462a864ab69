//! Shared printing helpers: terminal detection, highlighting, speaker labels.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use newsdex::index::{IndexSummary, Progress};

use newsdex::annotate::Speaker;

/// Whether stdout is a terminal (colour and progress only then).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// `text` with the byte ranges `highlights` in bold yellow when `colour`, else as is.
pub fn highlight(text: &str, highlights: &[[usize; 2]], colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + highlights.len() * 12);
    let mut at = 0;
    for &[s, e] in highlights {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str("\x1b[1;33m");
        out.push_str(&text[s..e]);
        out.push_str("\x1b[0m");
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// "Al Franken (D)", or the name alone when the party is unknown.
pub fn speaker_label(s: &Speaker) -> String {
    match s.party {
        Some(p) => format!("{} ({})", s.name, p.code()),
        None => s.name.clone(),
    }
}

/// Parses `--field role=key` values into a field map.
pub fn field_map(specs: &[String]) -> anyhow::Result<newsdex::corpus::FieldMap> {
    let mut map = newsdex::corpus::FieldMap::default();
    for spec in specs {
        map.set(spec).map_err(|e| anyhow::anyhow!("--field {e}"))?;
    }
    Ok(map)
}

/// The roster from `--roster FILE`, or the built-in one.
pub fn roster(path: Option<&std::path::Path>) -> anyhow::Result<&'static newsdex::roster::Roster> {
    match path {
        None => Ok(newsdex::roster::Roster::builtin()),
        Some(p) => Ok(Box::leak(Box::new(newsdex::roster::Roster::from_path(p)?))),
    }
}

/// A progress bar on stderr; warnings print above it.
pub struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
    warnings: Mutex<u64>,
}

/// Most warnings printed one by one; the rest are counted in the summary.
const MAX_PRINTED_WARNINGS: u64 = 50;

impl Bar {
    /// A bar when stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool, unit: &str) -> Bar {
        let show = !quiet && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let template =
                format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} ETA {{eta}}");
            let style = ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
            ProgressBar::new(0).with_style(style)
        });
        Bar { bar, quiet, warnings: Mutex::new(0) }
    }
}

impl Progress for Bar {
    fn start(&self, files: u64, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(files);
        }
    }
    fn advance(&self, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
    fn warn(&self, problem: &newsdex::Error) {
        let mut n = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        if self.quiet || *n > MAX_PRINTED_WARNINGS {
            return;
        }
        let line = format!("newsdex: warning: {problem}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The one-line summary, worded as `index`'s: `verb` what was done, `target` where it
/// went, `batches` what `commits` counts.
pub fn summary_line(verb: &str, s: &IndexSummary, target: &str, batches: &str) -> String {
    format!(
        "{verb} {} articles, {} paragraphs from {} files in {:.1}s ({} unchanged, {} removed, {} skipped, {} failed, {} warnings, {} {batches}); {target} now holds {} articles, {} paragraphs",
        s.articles,
        s.paragraphs,
        s.files_indexed,
        s.elapsed.as_secs_f64(),
        s.files_unchanged,
        s.files_removed,
        s.files_skipped,
        s.failures.len(),
        s.warnings.len(),
        s.commits,
        s.total_articles,
        s.total_paragraphs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_ranges_and_skips_bad_ones() {
        assert_eq!(highlight("a recuse b", &[[2, 8]], true), "a \x1b[1;33mrecuse\x1b[0m b");
        assert_eq!(highlight("a recuse b", &[[2, 8]], false), "a recuse b");
        assert_eq!(highlight("ab", &[[1, 9]], true), "ab");
    }
}
