//! Name normalization and first-name equivalence (Chuck = Charles, Bob = Robert).

/// Common short forms of first names, `(short, full)`, lowercase, sorted and unique.
/// The roster's own nickname column covers the people it knows; this table covers news
/// writing "Bob Casey" for a Robert nobody gave a nickname in the data.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("abe", "abraham"),
    ("al", "alan"),
    ("al", "albert"),
    ("al", "alfred"),
    ("al", "allen"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("barb", "barbara"),
    ("ben", "benjamin"),
    ("bernie", "bernard"),
    ("beth", "elizabeth"),
    ("betsy", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("cathy", "catherine"),
    ("charlie", "charles"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("deb", "deborah"),
    ("debbie", "deborah"),
    ("dick", "richard"),
    ("don", "donald"),
    ("doug", "douglas"),
    ("ed", "edward"),
    ("ed", "edwin"),
    ("frank", "francis"),
    ("fred", "frederick"),
    ("gene", "eugene"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("jack", "john"),
    ("jake", "jacob"),
    ("jeff", "jefferson"),
    ("jeff", "jeffrey"),
    ("jerry", "gerald"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("jon", "jonathan"),
    ("josh", "joshua"),
    ("kathy", "kathleen"),
    ("ken", "kenneth"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("matt", "matthew"),
    ("mike", "michael"),
    ("mitch", "mitchell"),
    ("nick", "nicholas"),
    ("pat", "patricia"),
    ("pat", "patrick"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("ray", "raymond"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("steve", "stephen"),
    ("steve", "steven"),
    ("sue", "susan"),
    ("ted", "edward"),
    ("ted", "theodore"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vince", "vincent"),
    ("walt", "walter"),
    ("will", "william"),
    ("zach", "zachary"),
];

/// Name words dropped when matching: generational suffixes.
const SUFFIXES: &[&str] = &["ii", "iii", "iv", "jr", "sr"];

/// Whether two normalized first names denote the same name, directly or through
/// [`SHORT_FORMS`] in either direction.
pub(crate) fn same_first_name(a: &str, b: &str) -> bool {
    a == b || SHORT_FORMS.binary_search(&(a, b)).is_ok() || SHORT_FORMS.binary_search(&(b, a)).is_ok()
}

/// Every name [`SHORT_FORMS`] pairs with `first` (not including `first` itself).
pub(crate) fn equivalent_first_names(first: &str) -> impl Iterator<Item = &'static str> + '_ {
    SHORT_FORMS.iter().filter_map(move |&(short, full)| {
        if short == first {
            Some(full)
        } else if full == first {
            Some(short)
        } else {
            None
        }
    })
}

/// The comparison form of one name word or phrase: lowercase, common accents removed,
/// periods and commas dropped, typographic apostrophes made plain.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            '.' | ',' => {}
            '\u{2019}' | '\u{2018}' => out.push('\''),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' | 'č' | 'ć' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' | 'ń' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ű' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'š' | 'ś' => out.push('s'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'ł' => out.push('l'),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Splits a name as written into normalized words, without generational suffixes
/// (a suffix is kept only when it is the first word, where it cannot be one).
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name.split_whitespace().map(normalize).filter(|w| !w.is_empty()).collect();
    let mut i = 1;
    while i < words.len() {
        if SUFFIXES.binary_search(&words[i].as_str()).is_ok() {
            words.remove(i);
        } else {
            i += 1;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_are_sorted_and_unique() {
        for pair in SHORT_FORMS.windows(2) {
            assert!(pair[0] < pair[1], "{:?} must sort before {:?}", pair[0], pair[1]);
        }
        for (short, full) in SHORT_FORMS {
            assert_ne!(short, full);
            assert_eq!(*short, normalize(short), "table entries must be normalized");
            assert_eq!(*full, normalize(full), "table entries must be normalized");
        }
    }

    #[test]
    fn suffixes_are_sorted() {
        assert!(SUFFIXES.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn first_names_match_both_ways() {
        assert!(same_first_name("chuck", "charles"));
        assert!(same_first_name("charles", "chuck"));
        assert!(same_first_name("jeff", "jefferson"));
        assert!(!same_first_name("jeff", "jim"));
        let mut eq: Vec<_> = equivalent_first_names("robert").collect();
        eq.sort_unstable();
        assert_eq!(eq, ["bob", "bobby", "rob"]);
    }

    #[test]
    fn normalize_folds_case_accents_and_punctuation() {
        assert_eq!(normalize("Luján"), "lujan");
        assert_eq!(normalize("J.D."), "jd");
        assert_eq!(normalize("O\u{2019}Rourke"), "o'rourke");
        assert_eq!(normalize("González-Colón"), "gonzalez-colon");
    }

    #[test]
    fn name_words_drop_suffixes_and_initial_periods() {
        assert_eq!(name_words("Angus S. King, Jr."), ["angus", "s", "king"]);
        assert_eq!(name_words("Joseph P. Kennedy III"), ["joseph", "p", "kennedy"]);
        assert_eq!(name_words("  Donald   J. Trump "), ["donald", "j", "trump"]);
    }
}
