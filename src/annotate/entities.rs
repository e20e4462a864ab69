//! Entity names canonicalised within an article: people through the article's person
//! registry, other names by folding known aliases ("U.S." = "United States") and
//! expanding acronyms the article spells out ("FBI" after "Federal Bureau of
//! Investigation").

use std::collections::HashMap;

use crate::tagger::EntityKind;

/// Place names and their usual forms in news. Sorted by alias.
const PLACE_ALIASES: &[(&str, &str)] = &[
    ("America", "United States"),
    ("Britain", "United Kingdom"),
    ("Great Britain", "United Kingdom"),
    ("U.K.", "United Kingdom"),
    ("U.S.", "United States"),
    ("U.S.A.", "United States"),
    ("UK", "United Kingdom"),
    ("US", "United States"),
    ("USA", "United States"),
    ("United States of America", "United States"),
];

/// The canonical name of a non-person entity written as `text`.
pub fn canonical_name(text: &str, kind: EntityKind, acronyms: &HashMap<String, String>) -> String {
    let text = text.trim();
    let text = text.strip_prefix("the ").or_else(|| text.strip_prefix("The ")).unwrap_or(text);
    if kind == EntityKind::Place || kind == EntityKind::Organization {
        if let Ok(i) = PLACE_ALIASES.binary_search_by(|(alias, _)| alias.cmp(&text)) {
            return PLACE_ALIASES[i].1.to_owned();
        }
    }
    if let Some(full) = acronyms.get(text) {
        return full.clone();
    }
    text.to_owned()
}

/// Learns "FBI" -> "Federal Bureau of Investigation" from a multi-word organisation name:
/// the acronym is the initials of its capitalised words.
pub fn learn_acronym(name: &str, acronyms: &mut HashMap<String, String>) {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 {
        return;
    }
    let initials: String = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .collect();
    if initials.len() >= 2 {
        acronyms.entry(initials).or_insert_with(|| name.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_sorted() {
        assert!(PLACE_ALIASES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn places_fold_to_one_name() {
        let none = HashMap::new();
        assert_eq!(canonical_name("U.S.", EntityKind::Place, &none), "United States");
        assert_eq!(canonical_name("the Senate", EntityKind::Organization, &none), "Senate");
    }

    #[test]
    fn acronyms_expand_when_the_article_spells_them_out() {
        let mut acronyms = HashMap::new();
        learn_acronym("Federal Bureau of Investigation", &mut acronyms);
        assert_eq!(canonical_name("FBI", EntityKind::Organization, &acronyms), "Federal Bureau of Investigation");
        assert_eq!(canonical_name("CIA", EntityKind::Organization, &acronyms), "CIA");
    }
}
