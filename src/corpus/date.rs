//! Lenient date parsing: news metadata spells dates in many ways, and a date that cannot
//! be read is a warning for the caller, never a failure.

use chrono::{DateTime, NaiveDate};

/// Month names and their AP abbreviations, sorted by spelling, for "Feb. 28, 2017".
const MONTHS: &[(&str, u32)] = &[
    ("apr", 4),
    ("april", 4),
    ("aug", 8),
    ("august", 8),
    ("dec", 12),
    ("december", 12),
    ("feb", 2),
    ("february", 2),
    ("jan", 1),
    ("january", 1),
    ("jul", 7),
    ("july", 7),
    ("jun", 6),
    ("june", 6),
    ("mar", 3),
    ("march", 3),
    ("may", 5),
    ("nov", 11),
    ("november", 11),
    ("oct", 10),
    ("october", 10),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
];

/// Years outside this range are scraper noise (`0001-01-01`, `2050-...`), not dates.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1800..=2100;

/// Parses a date written as an ISO date or datetime, RFC 2822 / 3339, `M/D/YY[YY]`,
/// "Feb. 28, 2017", "28 February 2017" or a Unix timestamp. Returns `None` for empty,
/// unparseable or implausible dates.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let date = parse_iso(s)
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|d| d.date_naive()))
        .or_else(|| DateTime::parse_from_rfc2822(s).ok().map(|d| d.date_naive()))
        .or_else(|| parse_slashed(s))
        .or_else(|| parse_words(s))
        .or_else(|| parse_timestamp(s))?;
    PLAUSIBLE_YEARS.contains(&chrono::Datelike::year(&date)).then_some(date)
}

/// `2017-02-28`, also when followed by a time (`2017-02-28T10:00:00Z`, `2017-02-28 10:00`).
fn parse_iso(s: &str) -> Option<NaiveDate> {
    let head = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' ', 't'])) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// US order `M/D/YY` or `M/D/YYYY`.
fn parse_slashed(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('/');
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    let year_text = year_text.split_whitespace().next()?;
    if parts.next().is_some() {
        return None;
    }
    let mut year: i32 = year_text.parse().ok()?;
    if year_text.len() == 2 {
        // Two-digit years in news metadata are this century unless that is in the future.
        year += if year <= 69 { 2000 } else { 1900 };
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// "Feb. 28, 2017", "February 28 2017", "28 Feb 2017", optionally with a weekday first.
fn parse_words(s: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let month_at = words.iter().position(|w| month_number(w).is_some())?;
    let month = month_number(words[month_at])?;
    let number = |w: &&str| w.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse::<i32>().ok();
    let after: Vec<i32> = words[month_at + 1..].iter().filter_map(number).collect();
    let before: Option<i32> = month_at.checked_sub(1).and_then(|i| number(&words[i]));
    let (day, year) = match (before, after.as_slice()) {
        (_, [day, year, ..]) if *day <= 31 => (*day, *year),
        (Some(day), [year, ..]) if day <= 31 => (day, *year),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, u32::try_from(day).ok()?)
}

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    MONTHS.binary_search_by(|(name, _)| name.cmp(&lower.as_str())).ok().map(|i| MONTHS[i].1)
}

/// Seconds (or milliseconds) since the Unix epoch.
fn parse_timestamp(s: &str) -> Option<NaiveDate> {
    if s.len() < 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = s.parse().ok()?;
    if s.len() >= 13 {
        secs /= 1000;
    }
    DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn months_are_sorted_and_unique() {
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn parses_the_spellings_news_uses() {
        let cases = [
            ("2017-02-28", ymd(2017, 2, 28)),
            ("2017-02-28T15:04:05Z", ymd(2017, 2, 28)),
            ("2017-02-28 15:04", ymd(2017, 2, 28)),
            ("Tue, 28 Feb 2017 10:00:00 +0000", ymd(2017, 2, 28)),
            ("Feb. 28, 2017", ymd(2017, 2, 28)),
            ("February 28, 2017", ymd(2017, 2, 28)),
            ("28 February 2017", ymd(2017, 2, 28)),
            ("Sept. 3, 2016", ymd(2016, 9, 3)),
            ("2/28/17", ymd(2017, 2, 28)),
            ("12/1/1999", ymd(1999, 12, 1)),
            ("1488276000", ymd(2017, 2, 28)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), want, "{text}");
        }
    }

    #[test]
    fn rejects_empty_nonsense_and_implausible_dates() {
        for text in ["", "  ", "yesterday", "0001-01-01", "2150-05-05", "13/45/2017", "Feb. 30, 2017"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }
}
