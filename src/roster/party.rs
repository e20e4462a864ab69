//! Parties and genders: the two closed vocabularies the roster speaks.

use serde::{Deserialize, Serialize};

/// A political party, as far as newsdex distinguishes them.
///
/// Serialized as its one-letter [`code`](Party::code), the form the index stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Party {
    /// The Democratic Party (`D`).
    #[serde(rename = "D")]
    Democrat,
    /// The Republican Party (`R`).
    #[serde(rename = "R")]
    Republican,
    /// No party (`I`); see the caucus for whom an independent votes with.
    #[serde(rename = "I")]
    Independent,
    /// The Libertarian Party (`L`).
    #[serde(rename = "L")]
    Libertarian,
    /// The Green Party (`G`).
    #[serde(rename = "G")]
    Green,
    /// Any other party: historical ones (Whig, Federalist) or those of other countries.
    #[serde(rename = "O")]
    Other,
}

/// Spellings [`Party::parse`] accepts, lowercase, sorted so a test can keep them tidy.
/// "Rep" and "Ind" are left out on purpose: in news they are usually "Representative"
/// and "Indiana".
const PARTY_WORDS: &[(&str, Party)] = &[
    ("d", Party::Democrat),
    ("dem", Party::Democrat),
    ("democrat", Party::Democrat),
    ("democratic", Party::Democrat),
    ("democratic party", Party::Democrat),
    ("democrats", Party::Democrat),
    ("dems", Party::Democrat),
    ("g", Party::Green),
    ("gop", Party::Republican),
    ("green", Party::Green),
    ("green party", Party::Green),
    ("greens", Party::Green),
    ("i", Party::Independent),
    ("independent", Party::Independent),
    ("independents", Party::Independent),
    ("l", Party::Libertarian),
    ("libertarian", Party::Libertarian),
    ("libertarian party", Party::Libertarian),
    ("libertarians", Party::Libertarian),
    ("o", Party::Other),
    ("other", Party::Other),
    ("r", Party::Republican),
    ("republican", Party::Republican),
    ("republican party", Party::Republican),
    ("republicans", Party::Republican),
];

impl Party {
    /// The one-letter code: `"D"`, `"R"`, `"I"`, `"L"`, `"G"` or `"O"`.
    pub fn code(self) -> &'static str {
        match self {
            Party::Democrat => "D",
            Party::Republican => "R",
            Party::Independent => "I",
            Party::Libertarian => "L",
            Party::Green => "G",
            Party::Other => "O",
        }
    }

    /// The English name: `"Democrat"`, `"Republican"`, `"Independent"`, ...
    pub fn name(self) -> &'static str {
        match self {
            Party::Democrat => "Democrat",
            Party::Republican => "Republican",
            Party::Independent => "Independent",
            Party::Libertarian => "Libertarian",
            Party::Green => "Green",
            Party::Other => "Other",
        }
    }

    /// Parses a code or a party word, ignoring case and surrounding space: `"D"`, `"Dem"`,
    /// `"Democratic"`, `"Democrats"`, `"GOP"`, `"Republican"`, `"I"`, `"Independent"`, ...
    /// Unknown words (including historical parties such as `"Whig"`) give `None`.
    pub fn parse(s: &str) -> Option<Party> {
        let word = s.trim().to_lowercase();
        PARTY_WORDS.binary_search_by(|(w, _)| (*w).cmp(word.as_str())).ok().map(|i| PARTY_WORDS[i].1)
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A person's gender as the roster records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Gender {
    /// Male (`M` in the roster file).
    Male,
    /// Female (`F` in the roster file).
    Female,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_words_are_sorted_and_unique() {
        for pair in PARTY_WORDS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} must sort before {:?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn parse_accepts_common_spellings() {
        for s in ["D", "d", "Dem", "Democrat", "Democratic", "Democrats", " democrat "] {
            assert_eq!(Party::parse(s), Some(Party::Democrat), "{s}");
        }
        for s in ["R", "GOP", "gop", "Republican", "Republicans"] {
            assert_eq!(Party::parse(s), Some(Party::Republican), "{s}");
        }
        assert_eq!(Party::parse("Independent"), Some(Party::Independent));
        assert_eq!(Party::parse("I"), Some(Party::Independent));
        assert_eq!(Party::parse("Libertarian"), Some(Party::Libertarian));
        assert_eq!(Party::parse("Green"), Some(Party::Green));
        assert_eq!(Party::parse("O"), Some(Party::Other));
        for s in ["", "Whig", "Democratic-Republican", "Rep", "Ind"] {
            assert_eq!(Party::parse(s), None, "{s}");
        }
    }

    #[test]
    fn code_and_name_round_trip() {
        for party in
            [Party::Democrat, Party::Republican, Party::Independent, Party::Libertarian, Party::Green, Party::Other]
        {
            assert_eq!(Party::parse(party.code()), Some(party));
            if party != Party::Other {
                assert_eq!(Party::parse(party.name()), Some(party));
            }
        }
    }

    #[test]
    fn party_serializes_as_code() {
        assert_eq!(serde_json::to_string(&Party::Democrat).ok().as_deref(), Some("\"D\""));
        let back: Option<Party> = serde_json::from_str("\"R\"").ok();
        assert_eq!(back, Some(Party::Republican));
    }
}
