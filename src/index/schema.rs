//! Every field name, facet path and the schema version, in one place. The index writer
//! and the search module both build their fields from here.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED,
};

/// Bumped whenever the schema or the meaning of a field changes; an index with another
/// version must be rebuilt.
pub const SCHEMA_VERSION: u32 = 6;

/// The tokenizer for searchable text: lowercasing, English stemming.
pub const TEXT_TOKENIZER: &str = "en_stem";

/// Field names.
pub mod names {
    /// Paragraph text (searched, stored for snippets).
    pub const TEXT: &str = "text";
    /// Article title (searched, on each article's first paragraph).
    pub const TITLE: &str = "title";
    /// The file the article came from (exact; deletes go by it; stored in the record of the
    /// article's first paragraph).
    pub const PATH: &str = "path";
    /// `path#position`: the article's stable id in the search-server mirrors (the tantivy
    /// index narrows the path's postings on `article` instead).
    pub const ARTICLE_KEY: &str = "article_key";
    /// Position of the article in its file.
    pub const ARTICLE: &str = "article";
    /// Paragraph number in the article.
    pub const PARAGRAPH: &str = "paragraph";
    /// Publication date.
    pub const DATE: &str = "date";
    /// Facet: `/kind/body` and so on.
    pub const KIND: &str = "kind";
    /// Facet: `/speaker/<name>`.
    pub const SPEAKER: &str = "speaker";
    /// Lowercase speaker names and name parts (a field of the Typesense mirror; the
    /// tantivy index filters on speaker facets instead).
    pub const SPEAKER_KEY: &str = "speaker_key";
    /// Facet: `/party/<code>`.
    pub const PARTY: &str = "party";
    /// Facet: `/entity/<kind>/<name>`.
    pub const ENTITY: &str = "entity";
    /// Lowercase entity names and name parts (Typesense mirror only).
    pub const ENTITY_KEY: &str = "entity_key";
    /// Facet: `/source/<outlet>`.
    pub const SOURCE: &str = "source";
    /// Lowercase outlet name (Typesense mirror only).
    pub const SOURCE_KEY: &str = "source_key";
    /// 1 when someone speaks in the paragraph.
    pub const QUOTED: &str = "quoted";
    /// The rest of the annotation as stored JSON, for display.
    pub const RECORD: &str = "record";
}

/// Facet roots.
pub mod facets {
    /// Paragraph kinds.
    pub const KIND: &str = "/kind";
    /// Speakers.
    pub const SPEAKER: &str = "/speaker";
    /// Parties.
    pub const PARTY: &str = "/party";
    /// Entities, by kind below it.
    pub const ENTITY: &str = "/entity";
    /// Sources.
    pub const SOURCE: &str = "/source";
}

/// The facet path component of an entity kind: `/entity/person/...`.
pub fn entity_kind_path(kind: crate::tagger::EntityKind) -> &'static str {
    use crate::tagger::EntityKind;
    match kind {
        EntityKind::Person => "person",
        EntityKind::Organization => "organization",
        EntityKind::Place => "place",
        EntityKind::Misc => "misc",
    }
}

/// The schema's fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// See [`names::TEXT`].
    pub text: Field,
    /// See [`names::TITLE`].
    pub title: Field,
    /// See [`names::PATH`].
    pub path: Field,
    /// See [`names::ARTICLE`].
    pub article: Field,
    /// See [`names::PARAGRAPH`].
    pub paragraph: Field,
    /// See [`names::DATE`].
    pub date: Field,
    /// See [`names::KIND`].
    pub kind: Field,
    /// See [`names::SPEAKER`].
    pub speaker: Field,
    /// See [`names::PARTY`].
    pub party: Field,
    /// See [`names::ENTITY`].
    pub entity: Field,
    /// See [`names::SOURCE`].
    pub source: Field,
    /// See [`names::QUOTED`].
    pub quoted: Field,
    /// See [`names::RECORD`].
    pub record: Field,
}

/// Builds the schema.
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    let searchable = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    b.add_text_field(names::TEXT, searchable.clone().set_stored());
    // Titles are shown from the stored record; the field is for `title:` queries only.
    b.add_text_field(names::TITLE, searchable);
    // Exact keys are only matched, never scored: no field norms (a byte per document each).
    let key = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("raw").set_fieldnorms(false));
    b.add_text_field(names::PATH, key);
    // An article is its path's postings narrowed on this column.
    b.add_u64_field(names::ARTICLE, NumericOptions::default().set_stored().set_fast());
    b.add_u64_field(names::PARAGRAPH, NumericOptions::default().set_stored());
    // Date ranges run on the fast column (tantivy's range query prefers it), so the date
    // needs no postings; it is shown from the record.
    b.add_date_field(names::DATE, DateOptions::from(FAST).set_precision(DateTimePrecision::Seconds));
    for facet in [names::KIND, names::SPEAKER, names::PARTY, names::ENTITY, names::SOURCE] {
        b.add_facet_field(facet, FacetOptions::default());
    }
    // Only filtered on, never scored: no field norms.
    b.add_u64_field(names::QUOTED, NumericOptions::default().set_indexed().set_fast());
    b.add_text_field(names::RECORD, STORED);
    b.build()
}

impl Fields {
    /// Resolves the fields of `schema`; fails when a field is missing (an index from an
    /// incompatible version).
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name| schema.get_field(name);
        Ok(Fields {
            text: f(names::TEXT)?,
            title: f(names::TITLE)?,
            path: f(names::PATH)?,
            article: f(names::ARTICLE)?,
            paragraph: f(names::PARAGRAPH)?,
            date: f(names::DATE)?,
            kind: f(names::KIND)?,
            speaker: f(names::SPEAKER)?,
            party: f(names::PARTY)?,
            entity: f(names::ENTITY)?,
            source: f(names::SOURCE)?,
            quoted: f(names::QUOTED)?,
            record: f(names::RECORD)?,
        })
    }
}

/// The lookup keys of a name: the whole name and each part, lowercased, so `--speaker
/// franken` and `--speaker "al franken"` both match "Al Franken".
pub fn name_keys(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut keys: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    keys.push(lower.split_whitespace().collect::<Vec<_>>().join(" "));
    keys.sort();
    keys.dedup();
    keys
}

/// The normalised form of a name typed in a filter, matching [`name_keys`].
pub fn filter_key(typed: &str) -> String {
    typed.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_every_field() {
        Fields::resolve(&schema()).unwrap();
    }

    #[test]
    fn name_keys_cover_whole_name_and_parts() {
        assert_eq!(name_keys("Al Franken"), ["al", "al franken", "franken"]);
        assert!(name_keys("Sarah Isgur Flores").contains(&"isgur".to_owned()));
        assert_eq!(filter_key("  Al   FRANKEN "), "al franken");
    }
}
