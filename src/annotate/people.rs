//! The people of one article: every name mention resolved to a canonical person (the first
//! full mention sets the name; surnames and titles map back), with gender and party, and
//! the order of mentions that pronouns and descriptions resolve against.

use chrono::NaiveDate;

use super::lexicon::{self, GENDERED_HONORIFICS};
use super::party::FROM_ROSTER;
use crate::roster::{same_first_name, Gender, Party, Roster};

/// One person of the article.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Canonical name: the fullest form the article uses.
    pub name: String,
    /// Lowercase surname.
    pub last: String,
    /// Lowercase first name, when the article gave one.
    pub first: Option<String>,
    /// `Some(true)` male, `Some(false)` female.
    pub gender: Option<bool>,
    /// The party and where it came from.
    pub party: Option<(Party, &'static str)>,
    /// Lowercase titles and descriptions written before the name.
    pub titles: Vec<String>,
    /// For a spokesperson: whom they speak for.
    pub speaks_for: Option<String>,
}

/// A mention of a person at a byte offset of the article body.
#[derive(Debug, Clone, Copy)]
struct Mention {
    pos: usize,
    person: usize,
    possessive: bool,
}

/// Name suffixes that are not surnames.
const SUFFIXES: &[&str] = &["I", "II", "III", "IV", "Jr", "Jr.", "Sr", "Sr."];

/// The people of one article.
pub struct People<'r> {
    roster: &'r Roster,
    date: Option<NaiveDate>,
    persons: Vec<Person>,
    mentions: Vec<Mention>,
    /// Where each person attributed so far last spoke: (article offset, person).
    speakers: Vec<(usize, usize)>,
}

/// How far back (in bytes of the article) the last speaker still outranks a more recent
/// mention for a pronoun: about a paragraph. `“...,” Sanders said of Trump. “...,” he
/// added.` means Sanders.
const CURRENT_SPEAKER_REACH: usize = 600;

impl<'r> People<'r> {
    /// An empty registry for an article published on `date`.
    pub fn new(roster: &'r Roster, date: Option<NaiveDate>) -> Self {
        People { roster, date, persons: Vec::new(), mentions: Vec::new(), speakers: Vec::new() }
    }

    /// The person with index `i`.
    pub fn person(&self, i: usize) -> &Person {
        &self.persons[i]
    }

    /// Records a mention of the name `parts` (titles excluded) at article offset `pos`,
    /// written after `titles`, and returns the person it refers to.
    pub fn mention(&mut self, parts: &[&str], titles: &[&str], pos: usize, possessive: bool) -> Option<usize> {
        let parts: Vec<&str> =
            parts.iter().copied().filter(|p| !SUFFIXES.contains(p) && p.chars().any(char::is_alphabetic)).collect();
        let last = name_key(parts.last()?);
        let first = (parts.len() > 1).then(|| name_key(parts[0]));
        // "Mrs. Clinton" after "Bill Clinton" is not him.
        let honorific = titles.iter().find_map(|t| lexicon::lookup(GENDERED_HONORIFICS, t));
        let person = match self.find(&last, first.as_deref(), honorific) {
            Some(i) => {
                if first.is_some() && self.persons[i].first.is_none() {
                    self.persons[i].first = first.clone();
                    self.persons[i].name = display_name(&parts);
                    self.complete_from_roster(i);
                }
                i
            }
            None if parts.len() == 1 && first.is_none() => self.add_surname_only(parts[0], &last)?,
            None => match self.with_name_ending(&parts) {
                Some(i) => i,
                None => self.add(display_name(&parts), last, first),
            },
        };
        self.note_titles(person, titles);
        self.mentions.push(Mention { pos, person, possessive });
        Some(person)
    }

    /// The most recently added person whose full name ends with all the words of `parts`
    /// and has more: a compound surname ("Guajardo Villarreal" after "Ildefonso Guajardo
    /// Villarreal", "Van Hollen" after "Chris Van Hollen") is that person again, not a
    /// new one whose first name is the surname's first word.
    fn with_name_ending(&self, parts: &[&str]) -> Option<usize> {
        let keys: Vec<String> = parts.iter().map(|p| name_key(p)).collect();
        self.persons.iter().rposition(|p| {
            let words: Vec<String> = p.name.split_whitespace().map(name_key).collect();
            words.len() > keys.len() && words.ends_with(&keys)
        })
    }

    /// The person already known by the name `parts` (titles excluded), without recording
    /// a mention.
    pub fn known(&self, parts: &[&str]) -> Option<usize> {
        let last = name_key(parts.last()?);
        let first = (parts.len() > 1).then(|| name_key(parts[0]));
        self.find(&last, first.as_deref(), None).filter(|&i| self.persons[i].last == last)
    }

    /// A person already known under this surname (and compatible first name and, when an
    /// honorific gives one, gender), preferring the most recently mentioned; a lone word
    /// may also be a known first name.
    fn find(&self, last: &str, first: Option<&str>, male: Option<bool>) -> Option<usize> {
        let by_recency = self.mentions.iter().rev().map(|m| m.person).chain((0..self.persons.len()).rev());
        let mut found = None;
        for i in by_recency {
            let p = &self.persons[i];
            // The surname test is the cheap one and rules out almost everyone.
            if p.last != last || male.is_some_and(|m| p.gender.is_some_and(|g| g != m)) {
                continue;
            }
            let compatible_first = match (first, p.first.as_deref()) {
                (Some(a), Some(b)) => a == b || a.starts_with(b) || b.starts_with(a) || same_first_name(a, b),
                _ => true,
            };
            if compatible_first {
                found = Some(i);
                break;
            }
        }
        found.or_else(|| {
            first.is_none().then(|| self.persons.iter().rposition(|p| p.first.as_deref() == Some(last))).flatten()
        })
    }

    /// A person first named by surname alone and now by full name: the roster may know
    /// the full name where the surname was ambiguous ("Clinton", then "Hillary Clinton").
    fn complete_from_roster(&mut self, i: usize) {
        let Some(found) = self.roster.lookup(&self.persons[i].name, self.date) else { return };
        let p = &mut self.persons[i];
        p.gender = p.gender.or(found.gender.map(|g| g == Gender::Male));
        if p.party.is_none() {
            p.party = found.party.map(|party| (party, FROM_ROSTER));
        }
    }

    fn add(&mut self, name: String, last: String, first: Option<String>) -> usize {
        let roster = self.roster.lookup(&name, self.date);
        let gender = roster
            .as_ref()
            .and_then(|r| r.gender)
            .or_else(|| first.as_deref().and_then(|f| self.roster.first_name_gender(f)))
            .map(|g| g == Gender::Male);
        self.persons.push(Person {
            name,
            last,
            first,
            gender,
            party: roster.and_then(|r| r.party).map(|p| (p, FROM_ROSTER)),
            titles: Vec::new(),
            speaks_for: None,
        });
        self.persons.len() - 1
    }

    /// A surname never seen with a first name: the roster may know who it is ("Trump").
    fn add_surname_only(&mut self, word: &str, last: &str) -> Option<usize> {
        match self.roster.lookup_surname(word, self.date) {
            Some(m) => {
                let first = m.common_name.split_whitespace().next().map(str::to_lowercase);
                let i = self.add(m.common_name.clone(), last.to_owned(), first);
                let p = &mut self.persons[i];
                p.gender = p.gender.or(m.gender.map(|g| g == Gender::Male));
                p.party = p.party.or(m.party.map(|party| (party, FROM_ROSTER)));
                Some(i)
            }
            None => Some(self.add(word.to_owned(), last.to_owned(), None)),
        }
    }

    fn note_titles(&mut self, person: usize, titles: &[&str]) {
        let p = &mut self.persons[person];
        for title in titles {
            if let Some(male) = lexicon::lookup(GENDERED_HONORIFICS, title) {
                p.gender = Some(male);
            }
            let lower = title.to_lowercase();
            if !p.titles.contains(&lower) {
                p.titles.push(lower);
            }
        }
        if p.speaks_for.is_none() {
            p.speaks_for = spokesperson_for(titles);
        }
    }

    /// Sets the party of `person` from evidence in the text, which outranks the roster.
    pub fn set_party(&mut self, person: usize, party: (Party, &'static str)) {
        let p = &mut self.persons[person];
        if p.party.is_none_or(|(_, from)| from == FROM_ROSTER) {
            p.party = Some(party);
        }
    }

    /// The person a pronoun at `pos` refers to: the most recent earlier non-possessive
    /// mention of someone of that gender (possessive modifiers such as "Trump's campaign"
    /// are rarely what a later "he" means). Unknown-gender people are a fallback.
    pub fn resolve_pronoun(&self, male: Option<bool>, pos: usize) -> Option<usize> {
        let male = male?;
        let current =
            self.speakers.iter().rev().find(|&&(at, _)| at < pos).filter(|&&(at, person)| {
                pos - at <= CURRENT_SPEAKER_REACH && self.persons[person].gender == Some(male)
            });
        if let Some(&(_, person)) = current {
            return Some(person);
        }
        let earlier = self.mentions.iter().rev().filter(|m| m.pos < pos && !m.possessive);
        let mut fallback = None;
        for m in earlier {
            match self.persons[m.person].gender {
                Some(g) if g == male => return Some(m.person),
                None if fallback.is_none() => fallback = Some(m.person),
                _ => {}
            }
        }
        fallback
    }

    /// Records that `person` is the speaker of an attribution at article offset `pos`.
    pub fn note_speaker(&mut self, person: usize, pos: usize) {
        self.speakers.push((pos, person));
    }

    /// The person a definite description ("the senator", "the Minnesota Democrat", "the
    /// GOP nominee") at `pos` refers to: the most recently mentioned person it fits, by
    /// title, or by `party` when the description names one.
    pub fn resolve_description(&self, head: &str, party: Option<Party>, pos: usize) -> Option<usize> {
        let party_noun = Party::parse(head).filter(|_| matches!(head, "democrat" | "republican" | "independent"));
        let fits = |p: &Person| match party_noun.or(party) {
            Some(party) if party_noun.is_some() => p.party.is_some_and(|(q, _)| q == party),
            Some(party) => p.titles.iter().any(|t| same_title(t, head)) || p.party.is_some_and(|(q, _)| q == party),
            None => p.titles.iter().any(|t| same_title(t, head)),
        };
        // Mentions are pushed in text order, so the earlier ones are a prefix.
        let earlier = self.mentions.partition_point(|m| m.pos < pos);
        self.mentions[..earlier].iter().rev().map(|m| m.person).find(|&i| fits(&self.persons[i]))
    }
}

/// "Sen." and "senator", "Rep." and "representative", "Gov." and "governor" are one title.
fn same_title(written: &str, head: &str) -> bool {
    let short = |s: &str| -> String {
        match s.trim_end_matches('.') {
            "sen" => "senator".into(),
            "rep" => "representative".into(),
            "gov" => "governor".into(),
            "congressman" | "congresswoman" => "representative".into(),
            other => other.into(),
        }
    };
    short(written) == short(head)
}

/// "Justice Department spokeswoman": the words before the spokesperson title.
fn spokesperson_for(titles: &[&str]) -> Option<String> {
    let at = titles
        .iter()
        .position(|t| matches!(t.to_lowercase().as_str(), "spokesman" | "spokeswoman" | "spokesperson"))?;
    let org: Vec<&str> =
        titles[..at].iter().copied().filter(|t| t.chars().next().is_some_and(char::is_uppercase)).collect();
    (!org.is_empty()).then(|| org.join(" "))
}

/// The name as displayed: words joined by single spaces, all-capitals names (transcripts)
/// in title case.
fn display_name(parts: &[&str]) -> String {
    // "Donald J. Trump" and "Donald Trump" are one speaker across articles: a middle
    // initial is left out, as the roster's canonical names leave it out.
    let kept: Vec<&str>;
    let parts = if parts.len() >= 3 && parts[1..parts.len() - 1].iter().any(|p| is_initial(p)) {
        kept = parts
            .iter()
            .enumerate()
            .filter(|&(i, p)| i == 0 || i + 1 == parts.len() || !is_initial(p))
            .map(|(_, p)| *p)
            .collect();
        &kept[..]
    } else {
        parts
    };
    let shout = parts.iter().all(|p| !p.chars().any(char::is_lowercase));
    if !shout {
        return parts.join(" ");
    }
    parts
        .iter()
        .map(|p| {
            let mut chars = p.chars();
            chars.next().map(|c| c.to_string() + &chars.as_str().to_lowercase()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "J." or "J": a single-letter initial.
fn is_initial(part: &str) -> bool {
    let mut chars = part.trim_end_matches('.').chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
}

/// A name word as people are matched on it: lowercase, and with the typographic
/// apostrophe written as the plain one, since one article may spell O'Neill both ways.
fn name_key(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.contains('\u{2019}') {
        lower.replace('\u{2019}', "'")
    } else {
        lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> People<'static> {
        People::new(Roster::builtin(), NaiveDate::from_ymd_opt(2017, 3, 2))
    }

    #[test]
    fn apostrophes_of_either_kind_name_one_person() {
        assert_eq!(name_key("O\u{2019}Neill"), name_key("O'Neill"));
    }

    #[test]
    fn a_compound_surname_maps_back_to_the_full_name() {
        let mut p = people();
        let a = p.mention(&["Ildefonso", "Guajardo", "Villarreal"], &[], 0, false).unwrap();
        assert_eq!(p.mention(&["Guajardo", "Villarreal"], &["Mr."], 40, false), Some(a));
        let b = p.mention(&["Chris", "Van", "Hollen"], &["Sen."], 80, false).unwrap();
        assert_eq!(p.mention(&["Van", "Hollen"], &[], 120, false), Some(b));
        // Two names sharing only the surname are two people.
        let c = p.mention(&["Maria", "Villarreal"], &[], 160, false).unwrap();
        assert_ne!(c, a);
        assert_eq!(p.person(a).name, "Ildefonso Guajardo Villarreal");
    }

    #[test]
    fn surname_maps_back_to_full_name() {
        let mut p = people();
        let a = p.mention(&["Jeff", "Sessions"], &["Attorney", "General"], 0, false).unwrap();
        let b = p.mention(&["Sessions"], &[], 50, false).unwrap();
        assert_eq!(a, b);
        assert_eq!(p.person(a).name, "Jeff Sessions");
    }

    #[test]
    fn pronoun_takes_most_recent_person_of_that_gender_skipping_possessives() {
        let mut p = people();
        let sessions = p.mention(&["Jeff", "Sessions"], &[], 0, false).unwrap();
        p.mention(&["Donald", "Trump"], &[], 10, true);
        let warren = p.mention(&["Elizabeth", "Warren"], &["Senator"], 20, false).unwrap();
        assert_eq!(p.resolve_pronoun(Some(true), 30), Some(sessions));
        assert_eq!(p.resolve_pronoun(Some(false), 30), Some(warren));
        assert_eq!(p.resolve_pronoun(None, 30), None);
    }

    #[test]
    fn pronoun_prefers_the_current_speaker_over_a_later_mention() {
        let mut p = people();
        let sessions = p.mention(&["Jeff", "Sessions"], &[], 0, false).unwrap();
        p.note_speaker(sessions, 0);
        p.mention(&["Donald", "Trump"], &[], 40, false);
        assert_eq!(p.resolve_pronoun(Some(true), 80), Some(sessions));
        // Long after, the most recent mention wins again.
        assert_ne!(p.resolve_pronoun(Some(true), 5000), Some(sessions));
    }

    #[test]
    fn surname_first_then_full_name_gets_the_roster_party() {
        let mut p = people();
        let i = p.mention(&["Clinton"], &[], 0, false).unwrap();
        p.mention(&["Hillary", "Clinton"], &[], 30, false);
        assert_eq!(p.person(i).name, "Hillary Clinton");
        assert_eq!(p.person(i).party.map(|(party, _)| party), Some(Party::Democrat));
    }

    #[test]
    fn short_first_names_match_full_ones() {
        let mut p = people();
        let a = p.mention(&["Richard", "Roe"], &[], 0, false).unwrap();
        let b = p.mention(&["Dick", "Roe"], &[], 30, false).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn honorific_picks_the_namesake_of_its_gender() {
        let mut p = people();
        let hillary = p.mention(&["Hillary", "Clinton"], &[], 0, false).unwrap();
        let bill = p.mention(&["Bill", "Clinton"], &[], 30, false).unwrap();
        assert_ne!(hillary, bill);
        assert_eq!(p.mention(&["Clinton"], &["Mrs."], 60, false), Some(hillary));
        assert_eq!(p.mention(&["Clinton"], &["Mr."], 90, false), Some(bill));
    }

    #[test]
    fn honorific_sets_gender() {
        let mut p = people();
        let i = p.mention(&["Pat", "Quux"], &["Ms."], 0, false).unwrap();
        assert_eq!(p.person(i).gender, Some(false));
    }

    #[test]
    fn roster_gives_party_and_text_outranks_it() {
        let mut p = people();
        let i = p.mention(&["Elizabeth", "Warren"], &[], 0, false).unwrap();
        assert_eq!(p.person(i).party, Some((Party::Democrat, FROM_ROSTER)));
        p.set_party(i, (Party::Independent, "tag"));
        assert_eq!(p.person(i).party, Some((Party::Independent, "tag")));
    }

    #[test]
    fn descriptions_resolve_by_title_or_party() {
        let mut p = people();
        let franken = p.mention(&["Al", "Franken"], &["Sen."], 0, false).unwrap();
        p.mention(&["Jeff", "Sessions"], &["Attorney", "General"], 10, false);
        assert_eq!(p.resolve_description("senator", None, 20), Some(franken));
        assert_eq!(p.resolve_description("democrat", None, 20), Some(franken));
        assert_eq!(p.resolve_description("mayor", None, 20), None);
        assert_eq!(p.resolve_description("nominee", Some(Party::Democrat), 20), Some(franken));
    }

    #[test]
    fn spokesperson_records_whom_they_speak_for() {
        let mut p = people();
        let i = p.mention(&["Sarah", "Isgur", "Flores"], &["Justice", "Department", "spokeswoman"], 0, false).unwrap();
        assert_eq!(p.person(i).speaks_for.as_deref(), Some("Justice Department"));
        assert_eq!(p.person(i).gender, Some(false));
    }

    #[test]
    fn transcript_names_are_title_cased() {
        assert_eq!(display_name(&["TRUMP"]), "Trump");
    }

    #[test]
    fn middle_initials_leave_the_canonical_name() {
        assert_eq!(display_name(&["Donald", "J.", "Trump"]), "Donald Trump");
        assert_eq!(display_name(&["Richard", "J", "Durbin"]), "Richard Durbin");
        // A first initial, or a name that is all initials, stays.
        assert_eq!(display_name(&["J.", "Crew"]), "J. Crew");
        assert_eq!(display_name(&["Lyndon", "B.", "Johnson"]), "Lyndon Johnson");
    }
}
