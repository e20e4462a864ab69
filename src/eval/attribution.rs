//! Scoring attributions against PolNeAR's BRAT annotations with exactly the metric of
//! `guides/ATTRIBUTION.md` (the reference implementation is `tools/score-attribution.py`;
//! the two must print the same numbers), plus canonical speaker and party accuracy on a
//! hand-checked set of attributions (`data/speaker-gold.tsv`, format in [`SpeakerGold`]).
//!
//! The metric works on sets of non-whitespace character positions: BRAT offsets are
//! Unicode code points, the annotator's are bytes, so predictions are mapped to
//! characters first. Sets are sorted `Vec<u32>`s: articles are small, and a sorted merge
//! is both exact and cheap.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::annotate::{Annotator, ParagraphRecord};
use crate::corpus::{self, FieldMap};
use crate::roster::Party;
use crate::{Error, Result};

/// Sorted character positions (code point indices into the article text).
pub type CharSet = Vec<u32>;

/// One gold attribution (an `E` relation with a non-empty content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldAttribution {
    /// The relation id in the `.ann` file, such as `E3`.
    pub id: String,
    /// Non-whitespace characters of the content span(s).
    pub content: CharSet,
    /// Non-whitespace characters of the source span(s); empty when there is no source.
    pub source: CharSet,
    /// The source words as written, pieces joined by a space.
    pub source_text: String,
    /// Whether the content is a direct quote (see [`is_direct`]).
    pub direct: bool,
}

/// A gold article: its text and attributions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldArticle {
    /// The file name without `.txt`.
    pub name: String,
    /// The article text as in the file (a byte-order mark, if any, included).
    pub text: String,
    /// Attributions in file order.
    pub attributions: Vec<GoldAttribution>,
}

/// One predicted attribution, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicted {
    /// Non-whitespace characters of the content.
    pub content: CharSet,
    /// Non-whitespace characters of the source span; empty when there is none.
    pub source: CharSet,
    /// Canonical speaker name, empty when unresolved.
    pub speaker: String,
    /// The speaker's party.
    pub party: Option<Party>,
    /// Whether the annotator called it a direct quote.
    pub direct: bool,
    /// The rule that found it.
    pub rule: String,
}

/// Whitespace as Python's `str.isspace` sees it (the reference scorer), which adds the
/// ASCII information separators to Unicode's White_Space.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The non-whitespace characters of the code point ranges `segments` of `chars`.
fn char_set(chars: &[char], segments: &[(usize, usize)]) -> CharSet {
    let mut set: CharSet = segments
        .iter()
        .flat_map(|&(s, e)| s.min(chars.len())..e.min(chars.len()))
        .filter(|&i| !is_space(chars[i]))
        .map(|i| i as u32)
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// Number of positions two sorted sets share.
fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Whether a gold content span is a direct quote: it starts with an opening double mark
/// or has one within 3 characters before it, and ends with a closing one (before trailing
/// punctuation) or has one within 3 characters after it.
pub fn is_direct(chars: &[char], start: usize, end: usize) -> bool {
    let (start, end) = (start.min(chars.len()), end.min(chars.len()));
    let inner: &[char] = chars.get(start..end.max(start)).unwrap_or(&[]);
    let first = inner.iter().position(|&c| !is_space(c));
    let last = inner.iter().rposition(|&c| !is_space(c));
    let inner = match (first, last) {
        (Some(f), Some(l)) => &inner[f..=l],
        _ => &[][..],
    };
    // As in the reference scorer, an empty span counts as opening and closing.
    let opens = matches!(inner.first(), None | Some('"' | '\u{201c}'))
        || chars[start.saturating_sub(3)..start].iter().any(|&c| matches!(c, '"' | '\u{201c}'));
    let stripped_len = inner.len() - inner.iter().rev().take_while(|&&c| ".,;:!?".contains(c)).count();
    let closes = matches!(inner[..stripped_len].last(), None | Some('"' | '\u{201d}'))
        || chars[end..(end + 3).min(chars.len())].iter().any(|&c| matches!(c, '"' | '\u{201d}'));
    opens && closes
}

/// Parses one BRAT `.ann` file of the article `text` into its attributions. Relations
/// pointing at a span the file does not define are reported as parse errors.
pub fn parse_brat(text: &str, ann: &str, path: &Path) -> Result<Vec<GoldAttribution>> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    let mut relations: Vec<(usize, &str, BTreeMap<&str, &str>)> = Vec::new();
    for (n, line) in ann.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else { continue };
        if id.starts_with('T') {
            let bad = || Error::parse(path, Some(n + 1), format!("bad span line `{line}`"));
            let (_, ranges) = body.split_once(' ').ok_or_else(bad)?;
            let mut segments = Vec::new();
            for piece in ranges.split(';') {
                let mut nums = piece.split_whitespace().map(str::parse::<usize>);
                match (nums.next(), nums.next()) {
                    (Some(Ok(s)), Some(Ok(e))) if s <= e => segments.push((s, e)),
                    _ => return Err(bad()),
                }
            }
            spans.insert(id, segments);
        } else if id.starts_with('E') {
            let args = body.split_whitespace().filter_map(|a| a.split_once(':')).collect();
            relations.push((n + 1, id, args));
        }
    }
    let mut out = Vec::new();
    for (line, id, args) in relations {
        let span = |role: &str| -> Result<Option<&Vec<(usize, usize)>>> {
            match args.get(role) {
                None => Ok(None),
                Some(t) => spans
                    .get(t)
                    .map(Some)
                    .ok_or_else(|| Error::parse(path, Some(line), format!("{id} refers to undefined span {t}"))),
            }
        };
        let Some(content_segments) = span("Content")? else { continue };
        let content = char_set(&chars, content_segments);
        if content.is_empty() {
            continue;
        }
        let (start, end) = (content_segments[0].0, content_segments[content_segments.len() - 1].1);
        let (source, source_text) = match span("Source")? {
            Some(segments) => {
                let pieces: Vec<String> = segments
                    .iter()
                    .map(|&(s, e)| chars[s.min(chars.len())..e.min(chars.len())].iter().collect())
                    .collect();
                (char_set(&chars, segments), pieces.join(" "))
            }
            None => (Vec::new(), String::new()),
        };
        out.push(GoldAttribution {
            id: id.to_owned(),
            content,
            source,
            source_text,
            direct: is_direct(&chars, start, end),
        });
    }
    Ok(out)
}

/// Reads a PolNeAR split: `DIR/text/<name>.txt` and, for each, the first annotator's
/// `DIR/attributions/<name>_<annotator>.ann` in sort order. Articles come sorted by name.
pub fn load_split(dir: &Path) -> Result<Vec<GoldArticle>> {
    let ann_dir = dir.join("attributions");
    let entries = std::fs::read_dir(&ann_dir).map_err(|e| Error::io(&ann_dir, e))?;
    let mut by_name: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&ann_dir, e))?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else { continue };
        let Some(stem) = file.strip_suffix(".ann") else { continue };
        let name = stem.rsplit_once('_').map_or(stem, |(name, _)| name);
        by_name.entry(name.to_owned()).or_default().push(path.clone());
    }
    let mut articles = Vec::with_capacity(by_name.len());
    for (name, mut anns) in by_name {
        anns.sort();
        let text_path = dir.join("text").join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&text_path).map_err(|e| Error::io(&text_path, e))?;
        let ann = std::fs::read_to_string(&anns[0]).map_err(|e| Error::io(&anns[0], e))?;
        let attributions = parse_brat(&text, &ann, &anns[0])?;
        articles.push(GoldArticle { name, text, attributions });
    }
    Ok(articles)
}

/// The predicted attributions of `records` (one article's `annotate --json` output) in
/// characters of `text`. Offsets that are not char boundaries of `text` are skipped.
pub fn predictions(text: &str, records: &[ParagraphRecord]) -> Vec<Predicted> {
    let mut char_at = vec![0u32; text.len() + 1];
    let mut n = 0u32;
    for (b, _) in text.char_indices() {
        char_at[b] = n;
        n += 1;
    }
    char_at[text.len()] = n;
    let chars: Vec<char> = text.chars().collect();
    let to_chars = |[s, e]: [usize; 2]| -> Option<(usize, usize)> {
        (e <= text.len() && s <= e && text.is_char_boundary(s) && text.is_char_boundary(e))
            .then(|| (char_at[s] as usize, char_at[e] as usize))
    };
    let mut out = Vec::new();
    for a in records.iter().flat_map(|r| &r.attributions) {
        let Some(content) = to_chars(a.content) else { continue };
        let content = char_set(&chars, &[content]);
        if content.is_empty() {
            continue;
        }
        let source = a.source.and_then(to_chars).map(|s| char_set(&chars, &[s])).unwrap_or_default();
        out.push(Predicted {
            content,
            source,
            speaker: a.speaker.clone().unwrap_or_default(),
            party: a.party,
            direct: a.direct,
            rule: a.rule.clone(),
        });
    }
    out
}

/// Words of 3+ ASCII letters, lowercased, that are not stop words: what a speaker name and
/// a gold source must share for a resolved speaker to count.
fn name_tokens(text: &str) -> Vec<String> {
    const STOP: &[&str] = &["and", "dr", "her", "his", "mr", "mrs", "ms", "of", "rep", "said", "sen", "the"];
    let lower = text.to_lowercase();
    let mut words: Vec<String> = lower
        .split(|c: char| !c.is_ascii_lowercase())
        .filter(|w| w.len() >= 3 && !STOP.contains(w))
        .map(str::to_owned)
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Source agreement: the gold has no source, the spans overlap, or the speaker name and
/// the gold source text share a word.
fn source_agrees(p: &Predicted, g: &GoldAttribution) -> bool {
    if g.source.is_empty() || overlap(&p.source, &g.source) > 0 {
        return true;
    }
    let gold_words = name_tokens(&g.source_text);
    name_tokens(&p.speaker).iter().any(|w| gold_words.contains(w))
}

/// Whether at least half of `p`'s content lies in `g`'s content.
fn inside(p: &Predicted, g: &GoldAttribution) -> bool {
    2 * overlap(&p.content, &g.content) >= p.content.len()
}

/// Counts behind precision, recall and F1 for one selection of gold and predictions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Score {
    /// Predictions scored.
    pub predicted: usize,
    /// Predictions inside a gold attribution with source agreement.
    pub predicted_correct: usize,
    /// Gold attributions scored.
    pub gold: usize,
    /// Gold attributions at least half covered by predictions with source agreement.
    pub gold_found: usize,
    /// Per rule: (fired, correct).
    pub rules: BTreeMap<String, (usize, usize)>,
}

impl Score {
    /// Share of predictions that are right (0 when there are none).
    pub fn precision(&self) -> f64 {
        super::share(self.predicted_correct, self.predicted)
    }

    /// Share of gold attributions found (0 when there are none).
    pub fn recall(&self) -> f64 {
        super::share(self.gold_found, self.gold)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        super::f1(self.precision(), self.recall())
    }

    /// Adds one article's gold and predictions, keeping those the filters select.
    fn add(
        &mut self,
        gold: &[GoldAttribution],
        pred: &[Predicted],
        want_gold: impl Fn(&GoldAttribution) -> bool,
        want_pred: impl Fn(&Predicted) -> bool,
    ) {
        let gs: Vec<&GoldAttribution> = gold.iter().filter(|g| want_gold(g)).collect();
        let ps: Vec<&Predicted> = pred.iter().filter(|p| want_pred(p)).collect();
        for p in &ps {
            let ok = gs.iter().any(|g| inside(p, g) && source_agrees(p, g));
            self.predicted += 1;
            self.predicted_correct += usize::from(ok);
            let rule = self.rules.entry(p.rule.clone()).or_default();
            rule.0 += 1;
            rule.1 += usize::from(ok);
        }
        for g in &gs {
            let mut covered = vec![false; g.content.len()];
            for p in ps.iter().filter(|p| source_agrees(p, g)) {
                let (mut i, mut j) = (0, 0);
                while i < p.content.len() && j < g.content.len() {
                    match p.content[i].cmp(&g.content[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            covered[j] = true;
                            i += 1;
                            j += 1;
                        }
                    }
                }
            }
            let n = covered.iter().filter(|&&c| c).count();
            self.gold += 1;
            self.gold_found += usize::from(2 * n >= g.content.len());
        }
    }
}

/// One row of the hand-checked speaker set: a gold attribution whose source is a
/// pronoun, surname or description, and the person it refers to.
///
/// The file is tab-separated UTF-8, `#` lines are comments, and each row has six fields:
/// `article` (PolNeAR name without `.txt`), `relation` (the `E` id in the first
/// annotator's `.ann` file), `kind` (`pronoun`, `surname` or `description`), `source`
/// (the gold source text, checked against the `.ann` file so a row cannot drift),
/// `speaker` (the canonical person; alternatives separated by `|`), `party` (`D`, `R`,
/// `I`... when the article or the roster states it, else `-`; `D/I` when either is
/// right).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerGold {
    /// PolNeAR article name.
    pub article: String,
    /// Relation id.
    pub relation: String,
    /// `pronoun`, `surname` or `description`.
    pub kind: String,
    /// The gold source text.
    pub source: String,
    /// Accepted canonical names.
    pub speakers: Vec<String>,
    /// The accepted parties; empty when no party is stated.
    pub parties: Vec<Party>,
}

/// Reads a hand-checked speaker file (format in [`SpeakerGold`]).
pub fn read_speaker_gold(path: &Path) -> Result<Vec<SpeakerGold>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_speaker_gold(&text, path)
}

/// Parses the text of a hand-checked speaker file.
pub fn parse_speaker_gold(text: &str, path: &Path) -> Result<Vec<SpeakerGold>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let bad = |m: String| Error::parse(path, Some(n + 1), m);
        let [article, relation, kind, source, speaker, party] = fields[..] else {
            return Err(bad(format!("expected 6 tab-separated fields, found {}", fields.len())));
        };
        if !matches!(kind, "pronoun" | "surname" | "description") {
            return Err(bad(format!("unknown kind `{kind}`")));
        }
        let parties = match party {
            "-" | "" => Vec::new(),
            codes => codes
                .split('/')
                .map(|code| Party::parse(code).ok_or_else(|| bad(format!("unknown party `{code}`"))))
                .collect::<Result<_>>()?,
        };
        rows.push(SpeakerGold {
            article: article.to_owned(),
            relation: relation.to_owned(),
            kind: kind.to_owned(),
            source: source.to_owned(),
            speakers: speaker.split('|').map(|s| s.trim().to_owned()).collect(),
            parties,
        });
    }
    Ok(rows)
}

/// Speaker and party accuracy on the hand-checked set, per source kind and overall.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerCounts {
    /// Rows.
    pub rows: usize,
    /// Rows whose attribution was found (a prediction at least half inside its content).
    pub found: usize,
    /// Found rows whose speaker is one of the accepted names.
    pub speaker_right: usize,
    /// Found rows with a stated party.
    pub party_rows: usize,
    /// Of those, the predicted party is right.
    pub party_right: usize,
}

/// The speaker report: overall and per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerScore {
    /// All rows.
    pub all: SpeakerCounts,
    /// Per kind (`pronoun`, `surname`, `description`).
    pub by_kind: BTreeMap<String, SpeakerCounts>,
    /// Found rows with a wrong speaker: (article, relation, source, expected, predicted).
    pub misses: Vec<[String; 5]>,
}

/// Whether two names are the same, ignoring case and middle initials ("Gregory W. Meeks"
/// and "Gregory Meeks" name one person).
fn same_name(a: &str, b: &str) -> bool {
    fn words(name: &str) -> impl Iterator<Item = String> + '_ {
        name.split_whitespace()
            .enumerate()
            .filter(|&(i, w)| i == 0 || w.trim_end_matches('.').chars().count() > 1)
            .map(|(_, w)| w.to_lowercase())
    }
    words(a).eq(words(b))
}

/// Scores the speaker rows against the predictions: each row's prediction is the one
/// with the most content inside the gold attribution (and at least half of its own).
pub fn score_speakers(
    rows: &[SpeakerGold],
    articles: &[(GoldArticle, Vec<Predicted>)],
    path: &Path,
) -> Result<SpeakerScore> {
    let mut score = SpeakerScore::default();
    for (n, row) in rows.iter().enumerate() {
        let missing = |what: &str| Error::parse(path, None, format!("row {}: {what}", n + 1));
        let (gold, pred) = articles
            .iter()
            .find(|(a, _)| a.name == row.article)
            .ok_or_else(|| missing(&format!("no article `{}` in the split", row.article)))?;
        let g = gold
            .attributions
            .iter()
            .find(|g| g.id == row.relation)
            .ok_or_else(|| missing(&format!("no relation {} in {}", row.relation, row.article)))?;
        if g.source_text != row.source {
            return Err(missing(&format!("source of {} is `{}`, not `{}`", row.relation, g.source_text, row.source)));
        }
        let best = pred.iter().filter(|p| inside(p, g)).max_by_key(|p| overlap(&p.content, &g.content));
        let kind = score.by_kind.entry(row.kind.clone()).or_default();
        for counts in [&mut score.all, kind] {
            counts.rows += 1;
            let Some(p) = best else { continue };
            counts.found += 1;
            counts.speaker_right += usize::from(row.speakers.iter().any(|s| same_name(s, &p.speaker)));
            if !row.parties.is_empty() {
                counts.party_rows += 1;
                counts.party_right += usize::from(p.party.is_some_and(|party| row.parties.contains(&party)));
            }
        }
        if let Some(p) = best.filter(|p| !row.speakers.iter().any(|s| same_name(s, &p.speaker))) {
            score.misses.push([
                row.article.clone(),
                row.relation.clone(),
                row.source.clone(),
                row.speakers.join("|"),
                p.speaker.clone(),
            ]);
        }
    }
    Ok(score)
}

/// The whole evaluation of a split.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributionReport {
    /// Articles scored.
    pub articles: usize,
    /// Paragraphs annotated.
    pub paragraphs: usize,
    /// Gold with a source; predictions with a source span or a speaker.
    pub sourced: Score,
    /// Gold direct quotes; predictions marked direct.
    pub direct: Score,
    /// Speaker and party accuracy on the hand-checked set, when one was given.
    pub speakers: Option<SpeakerScore>,
}

/// Scores each article's predictions against its gold attributions.
pub fn score(articles: &[(GoldArticle, Vec<Predicted>)]) -> (Score, Score) {
    let (mut sourced, mut direct) = (Score::default(), Score::default());
    for (gold, pred) in articles {
        sourced.add(
            &gold.attributions,
            pred,
            |g| !g.source.is_empty(),
            |p| !p.source.is_empty() || !p.speaker.is_empty(),
        );
        direct.add(&gold.attributions, pred, |g| g.direct, |p| p.direct);
    }
    (sourced, direct)
}

/// An annotated split: each gold article with its predictions and annotate records.
pub struct AnnotatedSplit {
    /// Gold articles with predictions in characters.
    pub articles: Vec<(GoldArticle, Vec<Predicted>)>,
    /// The `annotate --json` records of each article, offsets into the file.
    pub records: Vec<Vec<ParagraphRecord>>,
    /// Recoverable problems met while reading (the article was still annotated).
    pub warnings: Vec<Error>,
    /// Files that could not be read at all (scored as articles without predictions).
    pub failed: Vec<Error>,
}

/// Loads the split at `dir` and annotates each `text/<name>.txt` through the same path as
/// `newsdex annotate` (corpus reader, then [`Annotator::annotate`]). Record offsets are
/// shifted to be offsets into the file when the reader stripped a byte-order mark.
pub fn annotate_split(dir: &Path, annotator: &Annotator) -> Result<AnnotatedSplit> {
    let gold = load_split(dir)?;
    let mut out = AnnotatedSplit {
        articles: Vec::with_capacity(gold.len()),
        records: Vec::new(),
        warnings: Vec::new(),
        failed: Vec::new(),
    };
    let fields = FieldMap::default();
    for article in gold {
        let path = dir.join("text").join(format!("{}.txt", article.name));
        let label = path.to_string_lossy().into_owned();
        let mut records = Vec::new();
        match corpus::read_file(&path, &label, &fields) {
            Ok(read) => {
                out.warnings.extend(read.warnings);
                for a in &read.articles {
                    records.extend(annotator.annotate(a));
                }
            }
            Err(e) => out.failed.push(e),
        }
        let predicted = predictions(&article.text, &records);
        out.articles.push((article, predicted));
        out.records.push(records);
    }
    Ok(out)
}

/// Annotates the split at `dir` and scores it; with `speaker_gold`, also scores the
/// hand-checked speaker rows. Returns the report and the annotated split (for `--output`).
pub fn evaluate(
    dir: &Path,
    annotator: &Annotator,
    speaker_gold: Option<&Path>,
) -> Result<(AttributionReport, AnnotatedSplit)> {
    let split = annotate_split(dir, annotator)?;
    let (sourced, direct) = score(&split.articles);
    let speakers = match speaker_gold {
        Some(path) => Some(score_speakers(&read_speaker_gold(path)?, &split.articles, path)?),
        None => None,
    };
    let report = AttributionReport {
        articles: split.articles.len(),
        paragraphs: split.records.iter().map(Vec::len).sum(),
        sourced,
        direct,
        speakers,
    };
    Ok((report, split))
}

impl fmt::Display for AttributionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} articles, {} paragraphs", self.articles, self.paragraphs)?;
        for (name, s) in [("sourced", &self.sourced), ("direct", &self.direct)] {
            writeln!(
                f,
                "{name:8} P {:.3}  R {:.3}  F1 {:.3}  (predicted {}, gold {}; right {}, found {})",
                s.precision(),
                s.recall(),
                s.f1(),
                s.predicted,
                s.gold,
                s.predicted_correct,
                s.gold_found
            )?;
        }
        writeln!(f, "rule                      fired  precision")?;
        for (rule, (fired, correct)) in &self.sourced.rules {
            writeln!(f, "{rule:24} {fired:6}  {:.3}", super::share(*correct, *fired))?;
        }
        if let Some(s) = &self.speakers {
            writeln!(f, "canonical speakers (hand-checked set)")?;
            writeln!(f, "kind          rows  found  speaker right      party right")?;
            let line = |f: &mut fmt::Formatter<'_>, name: &str, c: &SpeakerCounts| {
                writeln!(
                    f,
                    "{name:12} {:5}  {:5}  {:5} ({:5.1} %)  {:4}/{:<4} ({:5.1} %)",
                    c.rows,
                    c.found,
                    c.speaker_right,
                    100.0 * super::share(c.speaker_right, c.found),
                    c.party_right,
                    c.party_rows,
                    100.0 * super::share(c.party_right, c.party_rows)
                )
            };
            for (kind, c) in &s.by_kind {
                line(f, kind, c)?;
            }
            line(f, "all", &s.all)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::Attribution;
    use crate::clean::ParagraphKind;

    /// A two-attribution article: a direct quote with a source and an indirect one.
    const TEXT: &str = "\u{201c}We will win,\u{201d} said Ann Lee. Critics said the plan would fail.";
    // Code points: the quote content "We will win," is 1..13; "Ann Lee" 20..27;
    // "Critics" 29..36; "the plan would fail" 42..61.
    const ANN: &str = "T1\tSource 20 27\tAnn Lee\n\
        T2\tCue 15 19\tsaid\n\
        T3\tContent 1 13\tWe will win,\n\
        T4\tAttribution 15 19\tsaid\n\
        E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
        T5\tSource 29 36\tCritics\n\
        T6\tContent 42 61\tthe plan would fail\n\
        T7\tAttribution 37 41\tsaid\n\
        E2\tAttribution:T7 Content:T6 Source:T5\n\
        E3\tAttribution:T7\n";

    fn gold() -> GoldArticle {
        let attributions = parse_brat(TEXT, ANN, Path::new("x.ann")).unwrap();
        GoldArticle { name: "x".into(), text: TEXT.into(), attributions }
    }

    fn attribution(content: &str, source: Option<&str>, speaker: Option<&str>, direct: bool) -> Attribution {
        let at = |s: &str| {
            let b = TEXT.find(s).unwrap();
            [b, b + s.len()]
        };
        Attribution {
            content: at(content),
            source: source.map(at),
            cue: None,
            speaker: speaker.map(str::to_owned),
            party: None,
            direct,
            rule: "r".into(),
        }
    }

    fn record(attributions: Vec<Attribution>) -> ParagraphRecord {
        ParagraphRecord {
            path: "x.txt".into(),
            article: 0,
            title: None,
            date: None,
            source: None,
            paragraph: 0,
            kind: ParagraphKind::Body,
            section: None,
            start: 0,
            end: TEXT.len(),
            text: TEXT.into(),
            speakers: Vec::new(),
            attributions,
            entities: Vec::new(),
        }
    }

    #[test]
    fn brat_spans_are_code_points_and_relations_need_content() {
        let g = gold();
        assert_eq!(g.attributions.len(), 2, "E3 has no content");
        let first = &g.attributions[0];
        assert_eq!(first.id, "E1");
        assert_eq!(first.source_text, "Ann Lee");
        // "We will win," has 10 non-space characters.
        assert_eq!(first.content.len(), 10);
        assert!(first.direct);
        assert!(!g.attributions[1].direct);
    }

    #[test]
    fn byte_offsets_become_characters() {
        let p = predictions(TEXT, &[record(vec![attribution("We will win,", Some("Ann Lee"), None, true)])]);
        assert_eq!(p[0].content, gold().attributions[0].content);
        assert_eq!(p[0].source, gold().attributions[0].source);
    }

    #[test]
    fn scores_follow_the_reference_metric() {
        let records = [record(vec![
            attribution("We will win,", Some("Ann Lee"), Some("Ann Lee"), true),
            // Wrong source span, but the speaker name shares a word with the gold source.
            attribution("the plan would fail", Some("plan"), Some("Critics"), false),
            // Outside any gold content: a false positive.
            attribution("Critics said", Some("Critics"), None, false),
        ])];
        let g = gold();
        let p = predictions(TEXT, &records);
        let (sourced, direct) = score(&[(g, p)]);
        assert_eq!((sourced.predicted, sourced.predicted_correct, sourced.gold, sourced.gold_found), (3, 2, 2, 2));
        assert_eq!((direct.predicted, direct.predicted_correct, direct.gold, direct.gold_found), (1, 1, 1, 1));
        assert!((sourced.precision() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(sourced.rules["r"], (3, 2));
    }

    #[test]
    fn wrong_source_is_not_credited() {
        let records = [record(vec![attribution("the plan would fail", Some("Ann Lee"), Some("Ann Lee"), false)])];
        let (sourced, _) = score(&[(gold(), predictions(TEXT, &records))]);
        assert_eq!((sourced.predicted_correct, sourced.gold_found), (0, 0));
    }

    #[test]
    fn direct_needs_marks_on_both_sides() {
        let chars: Vec<char> = "He said \"yes, fine.\" and no".chars().collect();
        assert!(is_direct(&chars, 9, 19));
        assert!(!is_direct(&chars, 0, 7));
        // A closing mark after trailing punctuation inside the span counts.
        let chars: Vec<char> = "x \u{201c}a b.\u{201d}".chars().collect();
        assert!(is_direct(&chars, 2, 8));
    }

    #[test]
    fn names_match_without_middle_initials() {
        assert!(same_name("Gregory W. Meeks", "gregory meeks"));
        assert!(same_name("J. D. Vance", "J. Vance"));
        assert!(!same_name("Gregory Meeks", "Greg Meeks"));
    }

    #[test]
    fn bad_brat_is_a_parse_error_with_line() {
        let err = parse_brat(TEXT, "T1\tSource x y\tz\n", Path::new("a.ann")).unwrap_err();
        assert!(err.to_string().starts_with("a.ann:1:"), "{err}");
        let err = parse_brat(TEXT, "E1\tAttribution:T9 Content:T8\n", Path::new("a.ann")).unwrap_err();
        assert!(err.to_string().contains("undefined span T8"), "{err}");
    }

    #[test]
    fn speaker_rows_parse_and_score() {
        let rows = parse_speaker_gold(
            "# comment\nx\tE2\tdescription\tCritics\tCritics|The critics\t-\nx\tE1\tsurname\tAnn Lee\tAnn Lee\tD/I\n",
            Path::new("s.tsv"),
        )
        .unwrap();
        assert_eq!(rows[0].speakers, ["Critics", "The critics"]);
        assert_eq!(rows[1].parties, [Party::Democrat, Party::Independent]);
        let records = [record(vec![
            attribution("We will win,", Some("Ann Lee"), Some("ann lee"), true),
            attribution("the plan would fail", Some("Critics"), Some("Critics"), false),
        ])];
        let articles = [(gold(), predictions(TEXT, &records))];
        let s = score_speakers(&rows, &articles, Path::new("s.tsv")).unwrap();
        assert_eq!((s.all.rows, s.all.found, s.all.speaker_right), (2, 2, 2));
        assert_eq!((s.all.party_rows, s.all.party_right), (1, 0));
        assert!(parse_speaker_gold("x\tE1\tnickname\ta\tb\t-\n", Path::new("s.tsv")).is_err());
        let drifted = parse_speaker_gold("x\tE1\tsurname\tBob\tBob\t-\n", Path::new("s.tsv")).unwrap();
        assert!(score_speakers(&drifted, &articles, Path::new("s.tsv")).is_err());
    }
}
