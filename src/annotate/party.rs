//! Party evidence written next to a name: AP tags (`D-Minn.`), postal tags (`(R-IN)`),
//! WSJ tags (`(D., Minn.)`), NYT style ("Democrat of Minnesota"), appositions ("a prominent
//! Republican") and party words before a title ("House Democratic Leader").

use crate::roster::Party;

/// Where a party came from, as recorded in the output.
pub const FROM_TAG: &str = "tag";
/// A party word in the title or an apposition.
pub const FROM_TITLE: &str = "title";
/// The roster.
pub const FROM_ROSTER: &str = "roster";

fn party_letter(c: u8) -> Option<Party> {
    match c {
        b'D' => Some(Party::Democrat),
        b'R' => Some(Party::Republican),
        b'I' => Some(Party::Independent),
        _ => None,
    }
}

/// Party evidence right after a name ending at byte `end` of `text`. A bare `(R)` counts
/// only when `allow_bare`: in photo captions `(R)` and `(L)` mean right and left.
pub fn after_name(text: &str, end: usize, allow_bare: bool) -> Option<(Party, &'static str)> {
    let rest = text.get(end..)?;
    let rest = rest.trim_start();
    let (rest, in_parens) = match rest.as_bytes().first() {
        Some(b',') => (rest[1..].trim_start(), false),
        Some(b'(') => (&rest[1..], true),
        _ => return None,
    };
    let bytes = rest.as_bytes();
    if let (Some(&letter), Some(&sep)) = (bytes.first(), bytes.get(1)) {
        if let Some(party) = party_letter(letter) {
            let state_follows = bytes.get(2).is_some_and(u8::is_ascii_uppercase)
                || (sep == b'.' && bytes.get(2) == Some(&b',') && bytes.get(4).is_some_and(u8::is_ascii_uppercase));
            if (sep == b'-' || sep == b'.') && state_follows {
                return Some((party, FROM_TAG));
            }
            if in_parens && allow_bare && sep == b')' {
                return Some((party, FROM_TAG));
            }
        }
    }
    if in_parens {
        return None;
    }
    apposition(rest)
}

/// "a prominent Republican", "the Democrat of Minnesota", "Republican of Texas".
fn apposition(rest: &str) -> Option<(Party, &'static str)> {
    let mut words = rest.split_whitespace().map(|w| w.trim_end_matches([',', '.', ';']));
    let first = words.next()?;
    let mut candidates: Vec<&str> = Vec::with_capacity(4);
    if matches!(first, "a" | "an" | "the" | "A" | "An" | "The") {
        candidates.extend(words.by_ref().take(3));
    } else {
        candidates.push(first);
        let of = words.next() == Some("of");
        if !of {
            return None;
        }
        return party_noun(first).map(|p| (p, FROM_TAG));
    }
    candidates.iter().find_map(|w| party_noun(w)).map(|p| (p, FROM_TITLE))
}

/// "Democrat", "Republican", "Independent" as a noun for a member.
fn party_noun(word: &str) -> Option<Party> {
    match word {
        "Democrat" => Some(Party::Democrat),
        "Republican" => Some(Party::Republican),
        "Independent" => Some(Party::Independent),
        _ => None,
    }
}

/// A party word among the titles before a name: "Democratic Sen.", "Republican Gov.",
/// "House Democratic Leader", "GOP Rep.".
pub fn in_titles<'w>(titles: impl IntoIterator<Item = &'w str>) -> Option<(Party, &'static str)> {
    titles
        .into_iter()
        .find_map(|w| match w {
            "Democratic" | "Democrat" => Some(Party::Democrat),
            "Republican" | "GOP" => Some(Party::Republican),
            "Independent" => Some(Party::Independent),
            _ => None,
        })
        .map(|p| (p, FROM_TITLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(text: &str, name: &str, bare: bool) -> Option<Party> {
        let end = text.find(name).unwrap() + name.len();
        after_name(text, end, bare).map(|(p, _)| p)
    }

    #[test]
    fn tags_in_news_styles() {
        assert_eq!(after("Sen. Al Franken, D-Minn., asked", "Al Franken", false), Some(Party::Democrat));
        assert_eq!(after("Jeff Sessions, R-Ala., on Capitol Hill", "Jeff Sessions", false), Some(Party::Republican));
        assert_eq!(after("Rep. Jane Doe (R-IN) said", "Jane Doe", false), Some(Party::Republican));
        assert_eq!(after("Sen. Bernie Sanders (I-Vt.) said", "Bernie Sanders", false), Some(Party::Independent));
        assert_eq!(after("Sen. Amy Klobuchar (D., Minn.) said", "Amy Klobuchar", false), Some(Party::Democrat));
        assert_eq!(after("Amy Klobuchar, Democrat of Minnesota, said", "Amy Klobuchar", false), Some(Party::Democrat));
    }

    #[test]
    fn appositions() {
        assert_eq!(
            after("Lindsey Graham, a prominent Republican who", "Lindsey Graham", false),
            Some(Party::Republican)
        );
        assert_eq!(after("Joe Manchin, a moderate Democrat, said", "Joe Manchin", false), Some(Party::Democrat));
        assert_eq!(after("John Smith, a lawyer, said", "John Smith", false), None);
    }

    #[test]
    fn photo_positions_are_not_parties() {
        assert_eq!(after("President Vladimir Putin (R) sits next to", "Vladimir Putin", false), None);
        assert_eq!(after("Michael Flynn (L) as they attend", "Michael Flynn", false), None);
        assert_eq!(after("Sen. John Doe (R) said", "John Doe", true), Some(Party::Republican));
    }

    #[test]
    fn party_words_in_titles() {
        assert_eq!(in_titles(["House", "Democratic", "Leader"]).map(|p| p.0), Some(Party::Democrat));
        assert_eq!(in_titles(["GOP", "Sen."]).map(|p| p.0), Some(Party::Republican));
        assert_eq!(in_titles(["Senate", "Majority", "Leader"]), None);
    }
}
