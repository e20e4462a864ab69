//! Shared printing helpers: terminal detection, highlighting, speaker labels.

use std::io::IsTerminal;

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
