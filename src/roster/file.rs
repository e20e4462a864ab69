//! Reading the roster's tab-separated format (documented in the [module
//! docs](super)) into plain person records.

use std::path::Path;

use chrono::NaiveDate;

use super::names::{name_words, normalize};
use super::{Gender, Party};
use crate::{Error, Result};

/// The number of columns a roster line may have.
const MAX_COLUMNS: usize = 10;

/// One span of time a person belonged to a party, `start <= day < end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) party: Party,
    pub(crate) caucus: Option<Party>,
    pub(crate) start: Option<NaiveDate>,
    pub(crate) end: Option<NaiveDate>,
}

impl Period {
    /// Whether the period has at least one known date, so it says *when* the person
    /// held office rather than only *which* party they had.
    pub(crate) fn is_dated(&self) -> bool {
        self.start.is_some() || self.end.is_some()
    }

    /// Whether `day` falls inside the period (unknown bounds are open).
    pub(crate) fn covers(&self, day: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= day) && self.end.is_none_or(|e| day < e)
    }
}

/// One roster line, parsed and normalized for matching.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// The canonical name, as written in the file.
    pub(crate) name: String,
    pub(crate) gender: Option<Gender>,
    /// Sorted by start date, unknown starts first.
    pub(crate) periods: Vec<Period>,
    /// Normalized words that may stand first in a written name: the first name (whole
    /// and its first word), nickname, first middle name, and other names' first words.
    pub(crate) firsts: Vec<String>,
    /// Normalized last names under which the person is indexed.
    pub(crate) lasts: Vec<String>,
    /// The first word of the first name, and the nickname: the names that vote on a
    /// first name's gender.
    pub(crate) given: Vec<String>,
    /// Birth year, for people without dated periods.
    pub(crate) born: Option<i32>,
    /// The name news writes (see [`common_name`]).
    pub(crate) common_name: String,
}

/// Parses one non-comment line; `line_no` is 1-based and only used in errors.
pub(crate) fn parse_line(line: &str, origin: &Path, line_no: usize) -> Result<Person> {
    let err = |message: String| Error::parse(origin, Some(line_no), message);
    let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
    if fields.len() > MAX_COLUMNS {
        return Err(err(format!("{} tab-separated columns, at most {MAX_COLUMNS} expected", fields.len())));
    }
    let field = |i: usize| fields.get(i).copied().unwrap_or("");
    let name = field(0);
    if name.is_empty() {
        return Err(err("empty name (column 1)".to_string()));
    }
    let gender = match field(1) {
        "" => None,
        "M" | "m" => Some(Gender::Male),
        "F" | "f" => Some(Gender::Female),
        other => return Err(err(format!("gender must be M, F or empty, not {other:?}"))),
    };
    let mut periods = field(2)
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| parse_period(p).map_err(&err))
        .collect::<Result<Vec<_>>>()?;
    periods.sort_by_key(|p| p.start);
    let born = match field(9) {
        "" => None,
        year => Some(
            year.parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .ok_or_else(|| err(format!("birth year must be a four-digit year, not {year:?}")))?,
        ),
    };

    // Missing first and last names come from the name itself, so a hand-written roster
    // can be just "Keir Starmer<TAB>M<TAB>Labour:2015".
    let words_of_name = name_words(name);
    let first = match normalize(field(3)) {
        f if f.is_empty() => words_of_name.first().cloned().unwrap_or_default(),
        f => f,
    };
    let last = match normalize(field(5)) {
        l if l.is_empty() => words_of_name.last().cloned().unwrap_or_default(),
        l => l,
    };
    let nickname = normalize(field(7));
    let mut given = Vec::new();
    push_first_word(&mut given, &first);
    push_first_word(&mut given, &nickname);
    let mut firsts = vec![first.clone()];
    firsts.extend(given.iter().cloned());
    if !nickname.is_empty() {
        firsts.push(nickname);
    }
    // People known by their middle name (Mitt Romney, Woodrow Wilson) are written with
    // it first; a middle initial is not, so single letters are skipped.
    let middle = normalize(field(4));
    if middle.split(' ').next().is_some_and(|m| m.chars().count() > 1) {
        push_first_word(&mut firsts, &middle);
    }
    let mut lasts = vec![last];
    for other in field(8).split(';') {
        // "Jenniffer González" adds first "jenniffer" and last "gonzalez"; a three-word
        // name may have a two-word surname, so both endings are indexed.
        let words = name_words(other);
        if words.len() < 2 {
            continue;
        }
        push_first_word(&mut firsts, &words[0]);
        let mut endings = vec![words[words.len() - 1].clone()];
        if words.len() >= 3 {
            endings.push(words[words.len() - 2..].join(" "));
        }
        for ending in endings {
            if !lasts.contains(&ending) {
                lasts.push(ending);
            }
        }
    }
    lasts.retain(|l| !l.is_empty());
    firsts.retain(|f| !f.is_empty());
    firsts.sort_unstable();
    firsts.dedup();

    let common_name = common_name(name, field(5), field(7), field(8));
    Ok(Person { name: name.to_string(), gender, periods, firsts, lasts, given, born, common_name })
}

/// The name news writes for a person: nickname and surname ("Chuck Schumer"), else the
/// first of the other names ("Dick Durbin"), else the name without middle initials and
/// generational suffixes ("Charles Grassley" for "Charles E. Grassley").
fn common_name(name: &str, last: &str, nickname: &str, other: &str) -> String {
    let is_suffix = |w: &str| matches!(w.trim_end_matches([',', '.']), "Jr" | "Sr" | "II" | "III" | "IV");
    let words: Vec<&str> = name.split_whitespace().map(|w| w.trim_end_matches(',')).collect();
    let surname = match last.trim() {
        "" => words.iter().rev().find(|w| !is_suffix(w)).copied().unwrap_or(name),
        written => written,
    };
    if !nickname.trim().is_empty() {
        return format!("{} {surname}", nickname.trim());
    }
    if let Some(first_other) = other.split(';').map(str::trim).find(|o| o.split_whitespace().count() >= 2) {
        return first_other.to_string();
    }
    let is_initial = |w: &str| w.trim_end_matches('.').chars().count() == 1;
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, w)| i == 0 || !(is_initial(w) || is_suffix(w)))
        .map(|(_, w)| *w)
        .collect();
    kept.join(" ")
}

/// Adds the first word of `s` to `firsts` unless it is empty or already there.
fn push_first_word(firsts: &mut Vec<String>, s: &str) {
    if let Some(word) = s.split(' ').next().filter(|w| !w.is_empty()) {
        if !firsts.iter().any(|f| f == word) {
            firsts.push(word.to_string());
        }
    }
}

/// Parses `PARTY[/CAUCUS][:START[:END]]`.
fn parse_period(text: &str) -> std::result::Result<Period, String> {
    let mut parts = text.split(':');
    let parties = parts.next().unwrap_or("");
    let start = parts.next().unwrap_or("");
    let end = parts.next().unwrap_or("");
    if parts.next().is_some() {
        return Err(format!("party period {text:?} has more than PARTY:START:END"));
    }
    let (party, caucus) = match parties.split_once('/') {
        Some((party, caucus)) => (party, Some(caucus)),
        None => (parties, None),
    };
    let party = parse_party(party).ok_or_else(|| format!("party period {text:?} has no party"))?;
    let caucus = match caucus {
        Some(c) => Some(parse_party(c).ok_or_else(|| format!("party period {text:?} has an empty caucus"))?),
        None => None,
    };
    let start = parse_date(start, false).map_err(|e| format!("party period {text:?}: {e}"))?;
    let end = parse_date(end, true).map_err(|e| format!("party period {text:?}: {e}"))?;
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err(format!("party period {text:?} ends before it starts"));
        }
    }
    Ok(Period { party, caucus, start, end })
}

/// A party word from a roster file. Parties newsdex does not know (Whig, Labour) are
/// [`Party::Other`] rather than errors, so rosters of other countries load.
fn parse_party(s: &str) -> Option<Party> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        Some(Party::parse(s).unwrap_or(Party::Other))
    }
}

/// Parses `YYYY-MM-DD` or `YYYY`; a bare year means its first day as a start and the
/// first day of the next year as an (exclusive) end.
fn parse_date(s: &str, is_end: bool) -> std::result::Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || format!("date {s:?} is not YYYY-MM-DD or YYYY");
    if s.len() == 4 {
        let year: i32 = s.parse().map_err(|_| bad())?;
        let year = if is_end { year + 1 } else { year };
        return NaiveDate::from_ymd_opt(year, 1, 1).map(Some).ok_or_else(bad);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Person> {
        parse_line(line, Path::new("test.tsv"), 7)
    }

    fn day(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn minimal_line_derives_first_and_last() {
        let person = parse("Keir Starmer").expect("valid line");
        assert_eq!(person.firsts, ["keir"]);
        assert_eq!(person.lasts, ["starmer"]);
        assert!(person.periods.is_empty());
        assert_eq!(person.gender, None);
    }

    #[test]
    fn common_names_are_the_ones_news_writes() {
        let name = |line: &str| parse(line).expect("valid line").common_name;
        assert_eq!(name("Charles E. Schumer\tM\tD::\t\tE.\t\t\tChuck"), "Chuck Schumer");
        assert_eq!(name("Richard J. Durbin\tM\tD::\t\tJ.\t\t\t\tDick Durbin"), "Dick Durbin");
        assert_eq!(name("Pat Q. Example, Jr."), "Pat Example");
        assert_eq!(name("Keir Starmer"), "Keir Starmer");
    }

    #[test]
    fn full_line() {
        let line = "Charles E. Schumer\tM\tD:1981-01-05:2029-01-03\t\tE.\t\t\tChuck";
        let person = parse(line).expect("valid line");
        assert_eq!(person.firsts, ["charles", "chuck"]);
        assert_eq!(person.given, ["charles", "chuck"]);
        assert_eq!(person.lasts, ["schumer"]);
        assert_eq!(person.gender, Some(Gender::Male));
        assert_eq!(person.periods[0].start, day("1981-01-05"));
    }

    #[test]
    fn periods_with_caucus_years_and_foreign_parties() {
        let person = parse("Bernie Sanders\tM\tI/D:1991,Labour:2015:2016").expect("valid line");
        assert_eq!(person.periods[0].party, Party::Independent);
        assert_eq!(person.periods[0].caucus, Some(Party::Democrat));
        assert_eq!(person.periods[0].start, day("1991-01-01"));
        assert_eq!(person.periods[1].party, Party::Other);
        assert_eq!(person.periods[1].end, day("2017-01-01"));
    }

    #[test]
    fn errors_name_file_and_line() {
        for line in [
            "\tM",
            "A B\tX",
            "A B\tM\tD:2009-13-01:",
            "A B\tM\tD:2010:2009",
            "A B\tM\t:2010",
            "A B\tM\tD:1:2:3",
            "A B\tM\tD\t\t\t\t\t\t\tabc",
            "A\tB\tC\tD\tE\tF\tG\tH\tI\tJ\tK",
        ] {
            let message = parse(line).map(|_| ()).expect_err(line).to_string();
            assert!(message.starts_with("test.tsv:7: "), "{line:?} gave {message}");
        }
    }
}
