//! The words attribution rules look for. Every table is sorted and duplicate-free (tested
//! below) so lookups are binary searches, and all entries are lowercase.

/// Verbs that report speech, writing or a stated position, in the forms news uses.
pub const SPEECH_VERBS: &[&str] = &[
    "accused",
    "accuses",
    "accusing",
    "acknowledged",
    "acknowledges",
    "added",
    "adding",
    "adds",
    "admits",
    "admitted",
    "advised",
    "agreed",
    "alleged",
    "alleges",
    "answered",
    "argued",
    "argues",
    "arguing",
    "asked",
    "asks",
    "asserted",
    "asserts",
    "blasted",
    "boasted",
    "cautioned",
    "charged",
    "claimed",
    "claiming",
    "claims",
    "commented",
    "complained",
    "conceded",
    "concedes",
    "concluded",
    "confirmed",
    "confirms",
    "contended",
    "contends",
    "continued",
    "countered",
    "counters",
    "declared",
    "declares",
    "demanded",
    "demands",
    "denied",
    "denies",
    "denying",
    "emphasized",
    "explained",
    "explains",
    "insisted",
    "insisting",
    "insists",
    "joked",
    "maintained",
    "maintains",
    "mused",
    "noted",
    "notes",
    "noting",
    "objected",
    "observed",
    "pledged",
    "posted",
    "predicted",
    "predicts",
    "promised",
    "promises",
    "quipped",
    "recalled",
    "recalls",
    "remarked",
    "replied",
    "replies",
    "reported",
    "responded",
    "responds",
    "retorted",
    "said",
    "say",
    "saying",
    "says",
    "shouted",
    "stated",
    "states",
    "stressed",
    "stresses",
    "suggested",
    "suggests",
    "testified",
    "told",
    "tweeted",
    "tweets",
    "urged",
    "urges",
    "urging",
    "vowed",
    "vows",
    "warned",
    "warning",
    "warns",
    "writes",
    "wrote",
];

/// Verbs that are a speech cue only with a particle after them ("called for", "called on",
/// "pointed out"): alone they are mostly something else ("so-called", "he pointed").
pub const PARTICLE_VERBS: &[(&str, &str)] = &[
    ("call", "for"),
    ("call", "on"),
    ("called", "for"),
    ("called", "on"),
    ("calling", "for"),
    ("calling", "on"),
    ("calls", "for"),
    ("calls", "on"),
    ("point", "out"),
    ("pointed", "out"),
    ("points", "out"),
];

/// Words that may stand between a source and its verb ("X also said", "X has denied").
pub const SOURCE_VERB_FILLERS: &[&str] = &[
    "again",
    "already",
    "also",
    "could",
    "did",
    "does",
    "even",
    "first",
    "flatly",
    "further",
    "had",
    "has",
    "have",
    "initially",
    "later",
    "long",
    "may",
    "might",
    "never",
    "often",
    "once",
    "previously",
    "privately",
    "publicly",
    "quickly",
    "recently",
    "repeatedly",
    "reportedly",
    "separately",
    "similarly",
    "since",
    "then",
    "will",
    "would",
];

/// Person pronouns that can be a source, with the gender they imply (`None`: any).
pub const PRONOUNS: &[(&str, Option<bool>)] = &[
    ("he", Some(true)),
    ("i", None),
    ("she", Some(false)),
    ("they", None),
    ("we", None),
];

/// Titles and offices written before a name. They are not part of the canonical name.
pub const TITLES: &[&str] = &[
    "acting",
    "adm",
    "adm.",
    "administrator",
    "adviser",
    "advisor",
    "aide",
    "ambassador",
    "analyst",
    "anchor",
    "assemblyman",
    "assemblywoman",
    "assistant",
    "associate",
    "attorney",
    "author",
    "bishop",
    "brig",
    "candidate",
    "capt",
    "capt.",
    "cardinal",
    "ceo",
    "chair",
    "chairman",
    "chairwoman",
    "chancellor",
    "chief",
    "co-founder",
    "col",
    "col.",
    "commander",
    "commissioner",
    "congressman",
    "congresswoman",
    "councilman",
    "councilwoman",
    "counsel",
    "counselor",
    "cpl.",
    "dame",
    "delegate",
    "deputy",
    "designate",
    "director",
    "dr",
    "dr.",
    "economist",
    "editor",
    "executive",
    "father",
    "first",
    "former",
    "founder",
    "gen",
    "gen.",
    "general",
    "gov",
    "gov.",
    "governor",
    "host",
    "judge",
    "justice",
    "king",
    "lady",
    "lawmaker",
    "lawyer",
    "leader",
    "lieutenant",
    "lt",
    "lt.",
    "madam",
    "maj",
    "maj.",
    "majority",
    "manager",
    "mayor",
    "minister",
    "minority",
    "miss",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "nominee",
    "officer",
    "pastor",
    "pope",
    "premier",
    "president",
    "president-elect",
    "press",
    "prime",
    "prince",
    "princess",
    "professor",
    "prosecutor",
    "queen",
    "rabbi",
    "rep",
    "rep.",
    "representative",
    "retired",
    "rev",
    "rev.",
    "secretary",
    "sen",
    "sen.",
    "senator",
    "sgt",
    "sgt.",
    "sheriff",
    "sir",
    "speaker",
    "special",
    "spokesman",
    "spokesperson",
    "spokeswoman",
    "strategist",
    "treasurer",
    "vice",
    "whip",
];

/// Honorifics that say a person's gender (`true`: male).
pub const GENDERED_HONORIFICS: &[(&str, bool)] = &[
    ("congressman", true),
    ("congresswoman", false),
    ("father", true),
    ("king", true),
    ("lady", false),
    ("madam", false),
    ("miss", false),
    ("mr", true),
    ("mr.", true),
    ("mrs", false),
    ("mrs.", false),
    ("ms", false),
    ("ms.", false),
    ("prince", true),
    ("princess", false),
    ("queen", false),
    ("sir", true),
    ("spokesman", true),
    ("spokeswoman", false),
];

/// Nouns for an unnamed individual source ("a senior official said").
pub const ANONYMOUS_HEADS: &[&str] = &[
    "adviser",
    "advisor",
    "aide",
    "analyst",
    "diplomat",
    "insider",
    "lawyer",
    "officer",
    "official",
    "person",
    "source",
    "spokesman",
    "spokesperson",
    "spokeswoman",
    "staffer",
];

/// Plural nouns for a collective source ("Democrats said", "officials warned").
pub const GROUP_HEADS: &[&str] = &[
    "activists",
    "advisers",
    "aides",
    "analysts",
    "authorities",
    "conservatives",
    "critics",
    "democrats",
    "diplomats",
    "economists",
    "experts",
    "investigators",
    "lawmakers",
    "leaders",
    "liberals",
    "members",
    "officials",
    "opponents",
    "organizers",
    "police",
    "progressives",
    "prosecutors",
    "protesters",
    "republicans",
    "researchers",
    "residents",
    "scientists",
    "senators",
    "sources",
    "supporters",
    "voters",
];

/// Last words of organisation names ("the Justice Department said").
pub const ORGANIZATION_HEADS: &[&str] = &[
    "administration",
    "agency",
    "association",
    "board",
    "bureau",
    "campaign",
    "caucus",
    "center",
    "church",
    "cia",
    "commission",
    "committee",
    "company",
    "congress",
    "corp",
    "corp.",
    "corporation",
    "council",
    "court",
    "department",
    "dnc",
    "doj",
    "embassy",
    "fbi",
    "foundation",
    "government",
    "group",
    "house",
    "inc",
    "inc.",
    "institute",
    "kremlin",
    "ministry",
    "nato",
    "network",
    "office",
    "organization",
    "party",
    "pentagon",
    "police",
    "rnc",
    "senate",
    "service",
    "team",
    "times",
    "union",
    "university",
];

/// Determiners that open a descriptive source ("the senator", "a White House official").
pub const DETERMINERS: &[&str] = &["a", "an", "another", "one", "that", "the", "this"];

/// Words after which a capitalised word is not a name start (sentence-initial adverbs).
pub const NOT_NAMES: &[&str] = &[
    "according", "after", "also", "and", "as", "asked", "but", "during", "earlier", "however",
    "in", "it", "later", "meanwhile", "on", "so", "still", "the", "then", "there", "this", "when",
    "while", "yet",
];

/// Lowercases `word` into `buf` when it is short ASCII-compatible, for table lookups
/// without allocating. Longer words are never in the tables.
pub fn fold<'b>(word: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() {
        return None;
    }
    for (slot, b) in buf.iter_mut().zip(bytes) {
        *slot = b.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

/// Whether `word`, lowercased, is in the sorted `table`.
pub fn contains(table: &[&str], word: &str) -> bool {
    let mut buf = [0u8; 32];
    fold(word, &mut buf).is_some_and(|w| table.binary_search(&w).is_ok())
}

/// The value stored for `word`, lowercased, in a sorted table of pairs.
pub fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    let mut buf = [0u8; 32];
    let w = fold(word, &mut buf)?;
    table.binary_search_by(|(k, _)| k.cmp(&w)).ok().map(|i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_unique(table: &[&str]) -> bool {
        table.windows(2).all(|w| w[0] < w[1]) && table.iter().all(|w| *w == w.to_lowercase())
    }

    #[test]
    fn tables_are_sorted_lowercase_and_unique() {
        for table in [
            SPEECH_VERBS, SOURCE_VERB_FILLERS, TITLES, ANONYMOUS_HEADS, GROUP_HEADS,
            ORGANIZATION_HEADS, DETERMINERS, NOT_NAMES,
        ] {
            let mut sorted = table.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, table, "table not sorted/unique");
            assert!(sorted_unique(table));
        }
        assert!(PARTICLE_VERBS.windows(2).all(|w| w[0] < w[1]));
        assert!(PRONOUNS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(GENDERED_HONORIFICS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn lookups_fold_case() {
        assert!(contains(SPEECH_VERBS, "Said"));
        assert!(contains(TITLES, "Sen."));
        assert_eq!(lookup(PRONOUNS, "She"), Some(Some(false)));
        assert!(!contains(SPEECH_VERBS, "walked"));
    }
}
