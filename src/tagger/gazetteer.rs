//! Gazetteers: lists of known names by category, matched against token sequences.
//!
//! Entries are hashes of lowercased token sequences (see [`features::lower_hash`]), so
//! matching allocates nothing and works for headlines in capitals. Categories 0-3 are the
//! entity types seen in the training data, 4-6 come from the congress-legislators roster
//! (full names, last names, first names), read at training time only, and 7-14 from the
//! hand-written lists in [`super::lexicon`] (countries, regions, cities, nationalities,
//! titles, calendar words, organisation and place words).

use std::path::Path;

use super::features::{lower_hash, mix, TokenInfo};
use super::IdMap;

/// Number of gazetteer categories.
pub(crate) const N_CATEGORIES: usize = 15;
// Every category needs four position bits in a `u64` mark and one bit in an entry.
const _: () = assert!(4 * N_CATEGORIES <= 64 && N_CATEGORIES < 16);

/// Category of legislators' full names.
pub(crate) const LEGISLATOR_FULL: u8 = 4;
/// Category of legislators' last names.
pub(crate) const LEGISLATOR_LAST: u8 = 5;
/// Category of legislators' first names and nicknames.
pub(crate) const LEGISLATOR_FIRST: u8 = 6;
/// The first category of the hand-written lexicon tables, in the order of
/// [`super::lexicon::TABLES`].
pub(crate) const LEXICON_FIRST: u8 = 7;
/// Longest entry, in tokens.
pub(crate) const MAX_LEN: usize = 6;
/// Mask bit marking a proper prefix of some longer entry (lets matching stop early).
const PREFIX_BIT: u16 = 0x8000;

/// Seed of the sequence hash.
const SEQ_SEED: u64 = 0x6A09_E667_F3BC_C908;

/// A set of token sequences, each with a bit mask of categories.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gazetteer {
    entries: IdMap<u16>,
}

impl Gazetteer {
    /// Adds a sequence of words (already split into tokens) under `category`.
    pub(crate) fn insert(&mut self, words: &[&str], category: u8) {
        debug_assert!((category as usize) < N_CATEGORIES);
        if words.is_empty() || words.len() > MAX_LEN {
            return;
        }
        let mut h = SEQ_SEED;
        for (k, w) in words.iter().enumerate() {
            h = mix(h, lower_hash(w));
            let bit = if k + 1 == words.len() { 1 << category } else { PREFIX_BIT };
            *self.entries.entry(h).or_insert(0) |= bit;
        }
    }

    /// Adds every entry of `other`.
    pub(crate) fn extend(&mut self, other: &Gazetteer) {
        for (&h, &m) in &other.entries {
            *self.entries.entry(h).or_insert(0) |= m;
        }
    }

    /// Number of entries (including prefix-only ones).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Entries sorted by hash, for a deterministic model file.
    pub(crate) fn sorted_entries(&self) -> Vec<(u64, u16)> {
        let mut v: Vec<(u64, u16)> = self.entries.iter().map(|(&h, &m)| (h, m)).collect();
        v.sort_unstable();
        v
    }

    /// Builds a gazetteer from stored entries.
    pub(crate) fn from_entries(entries: impl IntoIterator<Item = (u64, u16)>) -> Gazetteer {
        Gazetteer { entries: entries.into_iter().collect() }
    }

    /// Marks the tokens of a sentence covered by entries: bit `4 * category + position`,
    /// position 0 = first token of a multi-token match, 1 = inside, 2 = last, 3 = a
    /// single-token match. Matches start only at tokens with a capital letter or digit.
    pub(crate) fn mark(&self, info: &[TokenInfo], out: &mut Vec<u64>) {
        out.clear();
        out.resize(info.len(), 0);
        if self.entries.is_empty() {
            return;
        }
        for i in 0..info.len() {
            if !info[i].is_candidate() {
                continue;
            }
            let mut h = SEQ_SEED;
            for j in i..info.len().min(i + MAX_LEN) {
                h = mix(h, info[j].lower);
                let Some(&m) = self.entries.get(&h) else {
                    break;
                };
                let mut cats = m & !PREFIX_BIT;
                while cats != 0 {
                    let c = cats.trailing_zeros();
                    cats &= cats - 1;
                    if j == i {
                        out[i] |= 1 << (4 * c + 3);
                    } else {
                        out[i] |= 1 << (4 * c);
                        for o in &mut out[i + 1..j] {
                            *o |= 1 << (4 * c + 1);
                        }
                        out[j] |= 1 << (4 * c + 2);
                    }
                }
                if m & PREFIX_BIT == 0 {
                    break;
                }
            }
        }
    }
}

/// The hand-written lexicon tables as a gazetteer (categories from [`LEXICON_FIRST`]).
pub(crate) fn lexicon_entries() -> Gazetteer {
    let mut gaz = Gazetteer::default();
    for (k, table) in super::lexicon::TABLES.iter().enumerate() {
        for entry in table.iter() {
            let words: Vec<&str> = entry.split(' ').collect();
            gaz.insert(&words, LEXICON_FIRST + k as u8);
        }
    }
    gaz
}

/// Reads the names of the congress-legislators roster under `dir`: the two 2018 CSV files
/// (`last_name,first_name,...`) and the `name:` blocks of the YAML files. Missing files
/// are skipped; the roster is optional training data.
pub(crate) fn legislator_names(dir: &Path) -> crate::Result<Gazetteer> {
    let mut gaz = Gazetteer::default();
    let mut add = |first: &str, last: &str| {
        let (first, last) = (first.trim(), last.trim());
        if last.is_empty() {
            return;
        }
        let last_tokens: Vec<&str> = last.split_whitespace().collect();
        gaz.insert(&last_tokens, LEGISLATOR_LAST);
        if !first.is_empty() {
            let mut full: Vec<&str> = first.split_whitespace().collect();
            if let Some(&f) = full.first() {
                gaz.insert(&[f], LEGISLATOR_FIRST);
            }
            full.extend(last_tokens.iter());
            gaz.insert(&full, LEGISLATOR_FULL);
            if let Some(&f) = full.first() {
                let mut short = vec![f];
                short.extend(last_tokens.iter());
                gaz.insert(&short, LEGISLATOR_FULL);
            }
        }
    };
    for name in ["legislators-historical-2018.csv", "legislators-current-2018.csv"] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let mut cols = csv_fields(line);
            let last = cols.next().unwrap_or_default();
            let first = cols.next().unwrap_or_default();
            add(&first, &last);
        }
    }
    for name in ["legislators-current.yaml", "executive.yaml"] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // A tiny line scanner is enough: `name:` blocks hold `first:`, `last:` and
        // `nickname:` lines indented under them.
        let (mut first, mut nick, mut last) = (String::new(), String::new(), String::new());
        let mut flush = |first: &mut String, nick: &mut String, last: &mut String| {
            add(first, last);
            add(nick, last);
            first.clear();
            nick.clear();
            last.clear();
        };
        for line in text.lines() {
            let t = line.trim_start();
            if let Some(v) = t.strip_prefix("first: ") {
                first = unquote(v);
            } else if let Some(v) = t.strip_prefix("nickname: ") {
                nick = unquote(v);
            } else if let Some(v) = t.strip_prefix("last: ") {
                last = unquote(v);
            } else if t.starts_with("- id:") || t.starts_with("bio:") {
                flush(&mut first, &mut nick, &mut last);
            }
        }
        flush(&mut first, &mut nick, &mut last);
    }
    Ok(gaz)
}

/// Strips YAML quotes.
fn unquote(v: &str) -> String {
    v.trim().trim_matches(|c| c == '\'' || c == '"').to_string()
}

/// The fields of one CSV line (double quotes honoured, no escaped quotes inside fields
/// needed for the columns we read).
fn csv_fields(line: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let r = rest?;
        if let Some(q) = r.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            let field = q[..end].to_string();
            let after = q.get(end + 1..).unwrap_or("");
            rest = after.strip_prefix(',');
            Some(field)
        } else {
            match r.find(',') {
                Some(i) => {
                    rest = Some(&r[i + 1..]);
                    Some(r[..i].to_string())
                }
                None => {
                    rest = None;
                    Some(r.to_string())
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(gaz: &Gazetteer, words: &[&str]) -> Vec<u64> {
        let info: Vec<TokenInfo> = words.iter().map(|w| TokenInfo::new(w)).collect();
        let mut out = Vec::new();
        gaz.mark(&info, &mut out);
        out
    }

    #[test]
    fn multi_token_matches_mark_positions() {
        let mut g = Gazetteer::default();
        g.insert(&["New", "York"], 2);
        g.insert(&["York"], 2);
        let m = marks(&g, &["in", "NEW", "YORK", "today"]);
        assert_eq!(m[0], 0);
        assert_eq!(m[1], 1 << 8);
        assert_eq!(m[2], (1 << 10) | (1 << 11));
        assert_eq!(m[3], 0);
    }

    #[test]
    fn lexicon_tables_are_marked() {
        let g = lexicon_entries();
        let m = marks(&g, &["Sen.", "Smith", "of", "New", "Mexico"]);
        let titles = u32::from(LEXICON_FIRST) + 4;
        assert_ne!(m[0] & (1 << (4 * titles + 3)), 0);
        let regions = u32::from(LEXICON_FIRST) + 1;
        assert_ne!(m[3] & (1 << (4 * regions)), 0);
        assert_ne!(m[4] & (1 << (4 * regions + 2)), 0);
    }

    #[test]
    fn csv_fields_honour_quotes() {
        let f: Vec<String> = csv_fields("\"Smith, Jr.\",John,x").collect();
        assert_eq!(f, vec!["Smith, Jr.", "John", "x"]);
    }

    #[test]
    fn roster_names_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/congress-legislators");
        let g = legislator_names(&dir).unwrap();
        if dir.exists() {
            assert!(g.len() > 10_000);
            let m = marks(&g, &["Maria", "Cantwell"]);
            assert_ne!(m[0] & (1 << (4 * LEGISLATOR_FULL)), 0);
        }
    }
}
