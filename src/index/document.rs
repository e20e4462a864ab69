//! One annotated paragraph as one tantivy document, and back.
//!
//! Indexed fields carry what search filters and counts on; everything shown for a hit but
//! not searched (title, date, source, section, speakers, attributions, entities) travels
//! in one compact stored JSON value, with spans relative to the paragraph and entity
//! texts left out (they are slices of the paragraph text). What is the same for a whole
//! article (path, title, date, source) is stored on its first paragraph only: an article's
//! paragraphs are added as one batch, so they sit in one segment as consecutive documents in
//! paragraph order (merges keep that order), and paragraph `n` finds the article's fields `n`
//! documents back. [`to_document`], [`read_record`] and [`read_hit_record`] are the only
//! places that know that layout.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::schema::{Facet, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::schema::{entity_kind_path, Fields};
use crate::annotate::{Attribution, Entity, ParagraphRecord, Speaker};
use crate::clean::ParagraphKind;
use crate::tagger::EntityKind;
use crate::{Error, Result};

fn body_kind() -> ParagraphKind {
    ParagraphKind::Body
}

/// A span as its start relative to the paragraph start (negative for a source inherited
/// from an earlier paragraph) and its length: short numbers, and nothing lost.
type Rel = (i64, u32);

/// The stored part of a paragraph; short keys because it is stored 900,000 times.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    date: Option<NaiveDate>,
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    /// Facets are indexed, not stored, so the kind travels here too.
    #[serde(rename = "k", default = "body_kind")]
    kind: ParagraphKind,
    #[serde(rename = "b", default)]
    start: usize,
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    speakers: Vec<Speaker>,
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    attributions: Vec<StoredAttribution>,
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    entities: Vec<StoredEntity>,
}

/// An attribution: content, source, cue, index of the speaker in `speakers`, direct, rule.
#[derive(Debug, Serialize, Deserialize)]
struct StoredAttribution(Rel, Option<Rel>, Option<Rel>, Option<usize>, bool, String);

/// An entity: its start as an offset from the previous entity's start (the first one's
/// from the paragraph start), its length, a one-letter kind, and its canonical name when
/// it differs from its text. Entities are the largest part of a record; deltas keep the
/// numbers short and the letter keeps the kind to one byte, which together make stored
/// records ~20 % smaller. The delta is signed so any order round-trips.
#[derive(Debug, Serialize, Deserialize)]
struct StoredEntity(
    i64,
    u32,
    #[serde(with = "kind_letter")] EntityKind,
    #[serde(default, skip_serializing_if = "Option::is_none")] Option<String>,
);

/// [`EntityKind`] as one letter in stored records.
mod kind_letter {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::tagger::EntityKind;

    const LETTERS: [(EntityKind, char); 4] =
        [(EntityKind::Person, 'p'), (EntityKind::Organization, 'o'), (EntityKind::Place, 'l'), (EntityKind::Misc, 'm')];

    pub fn serialize<S: Serializer>(kind: &EntityKind, s: S) -> Result<S::Ok, S::Error> {
        let letter = LETTERS.iter().find(|(k, _)| k == kind).map_or('m', |(_, c)| *c);
        s.serialize_char(letter)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EntityKind, D::Error> {
        let letter = char::deserialize(d)?;
        LETTERS
            .iter()
            .find(|(_, c)| *c == letter)
            .map(|(k, _)| *k)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown entity kind letter {letter:?}")))
    }
}

/// Entities of one paragraph as delta-encoded [`StoredEntity`] values.
fn store_entities(entities: &[Entity], start: usize) -> Vec<StoredEntity> {
    let mut previous = start as i64;
    entities
        .iter()
        .map(|e| {
            let [from, to] = e.span;
            let delta = from as i64 - previous;
            previous = from as i64;
            let name = (e.name != e.text).then(|| e.name.clone());
            StoredEntity(delta, to.saturating_sub(from) as u32, e.kind, name)
        })
        .collect()
}

/// The inverse of [`store_entities`]: entity texts are slices of the paragraph `text`.
fn load_entities(stored: Vec<StoredEntity>, text: &str, start: usize) -> Vec<Entity> {
    let mut previous = start as i64;
    stored
        .into_iter()
        .map(|StoredEntity(delta, len, kind, name)| {
            let from = (previous + delta).max(0) as usize;
            previous = from as i64;
            let to = from + len as usize;
            let written = text.get(from.saturating_sub(start)..to.saturating_sub(start)).unwrap_or_default().to_owned();
            Entity { name: name.unwrap_or_else(|| written.clone()), text: written, kind, span: [from, to] }
        })
        .collect()
}

fn relative(span: [usize; 2], start: usize) -> Rel {
    (span[0] as i64 - start as i64, span[1].saturating_sub(span[0]) as u32)
}

fn absolute(rel: Rel, start: usize) -> [usize; 2] {
    let from = (start as i64 + rel.0).max(0) as usize;
    [from, from + rel.1 as usize]
}

/// Builds the document for `record`.
pub fn to_document(f: &Fields, record: &ParagraphRecord) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.text, &record.text);
    // The title is searchable once per article (on its first paragraph), not once per
    // paragraph: that would index every title word twenty times over.
    if let Some(title) = record.title.as_ref().filter(|_| record.paragraph == 0) {
        doc.add_text(f.title, title);
    }
    doc.add_text(f.path, &record.path);
    doc.add_u64(f.article, record.article as u64);
    doc.add_u64(f.paragraph, record.paragraph as u64);
    if let Some(date) = record.date.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        doc.add_date(f.date, tantivy::DateTime::from_timestamp_secs(date.and_utc().timestamp()));
    }
    doc.add_facet(f.kind, Facet::from_path(["kind", record.kind.as_str()]));
    add_speakers(&mut doc, f, &record.speakers);
    add_entities(&mut doc, f, &record.entities);
    if let Some(source) = &record.source {
        doc.add_facet(f.source, Facet::from_path(["source", source.as_str()]));
    }
    let quoted = record.attributions.iter().any(|a| a.speaker.is_some());
    doc.add_u64(f.quoted, u64::from(quoted));
    doc.add_text(f.record, serde_json::to_string(&stored(record)).unwrap_or_default());
    doc
}

fn add_speakers(doc: &mut TantivyDocument, f: &Fields, speakers: &[Speaker]) {
    let mut parties = Vec::new();
    for speaker in speakers {
        doc.add_facet(f.speaker, Facet::from_path(["speaker", speaker.name.as_str()]));
        if let Some(party) = speaker.party.filter(|p| !parties.contains(p)) {
            parties.push(party);
            doc.add_facet(f.party, Facet::from_path(["party", party.code()]));
        }
    }
}

fn add_entities(doc: &mut TantivyDocument, f: &Fields, entities: &[Entity]) {
    let mut seen: Vec<(EntityKind, &str)> = Vec::new();
    for entity in entities {
        if seen.contains(&(entity.kind, entity.name.as_str())) {
            continue;
        }
        seen.push((entity.kind, entity.name.as_str()));
        doc.add_facet(f.entity, Facet::from_path(["entity", entity_kind_path(entity.kind), entity.name.as_str()]));
    }
}

impl Stored {
    /// What a document without a readable record shows.
    fn empty() -> Stored {
        Stored {
            path: None,
            title: None,
            date: None,
            source: None,
            section: None,
            kind: ParagraphKind::Body,
            start: 0,
            speakers: Vec::new(),
            attributions: Vec::new(),
            entities: Vec::new(),
        }
    }
}

fn stored(record: &ParagraphRecord) -> Stored {
    let start = record.start;
    let attributions = record
        .attributions
        .iter()
        .map(|a| {
            let speaker = a.speaker.as_ref().and_then(|name| record.speakers.iter().position(|s| &s.name == name));
            StoredAttribution(
                relative(a.content, start),
                a.source.map(|s| relative(s, start)),
                a.cue.map(|c| relative(c, start)),
                speaker,
                a.direct,
                a.rule.clone(),
            )
        })
        .collect();
    let entities = store_entities(&record.entities, start);
    let first = record.paragraph == 0;
    Stored {
        path: first.then(|| record.path.clone()),
        title: record.title.clone().filter(|_| first),
        date: record.date.filter(|_| first),
        source: record.source.clone().filter(|_| first),
        section: record.section.clone(),
        kind: record.kind,
        start,
        speakers: record.speakers.clone(),
        attributions,
        entities,
    }
}

/// Reads back the record a document was built from; the article's fields (path, title,
/// date, source) are filled on its first paragraph only (see [`read_hit_record`]).
pub fn read_record(f: &Fields, doc: &TantivyDocument) -> ParagraphRecord {
    let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_owned);
    let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
    let stored: Stored = text_of(f.record).and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_else(Stored::empty);
    let text = text_of(f.text).unwrap_or_default();
    let start = stored.start;
    let kind = stored.kind;
    let speakers = stored.speakers;
    let attributions = stored
        .attributions
        .into_iter()
        .map(|StoredAttribution(content, source, cue, speaker, direct, rule)| {
            let speaker = speaker.and_then(|i| speakers.get(i));
            Attribution {
                content: absolute(content, start),
                source: source.map(|s| absolute(s, start)),
                cue: cue.map(|c| absolute(c, start)),
                speaker: speaker.map(|s| s.name.clone()),
                party: speaker.and_then(|s| s.party),
                direct,
                rule,
            }
        })
        .collect();
    let entities = load_entities(stored.entities, &text, start);
    ParagraphRecord {
        path: stored.path.unwrap_or_default(),
        article: u64_of(f.article),
        title: stored.title,
        date: stored.date,
        source: stored.source,
        paragraph: u64_of(f.paragraph),
        kind,
        section: stored.section,
        start,
        end: start + text.len(),
        text,
        speakers,
        attributions,
        entities,
    }
}

/// The whole record of the paragraph at `address`, with its article's fields read from the
/// article's first paragraph, `paragraph` documents back in the same segment.
pub fn read_hit_record(f: &Fields, searcher: &Searcher, address: DocAddress) -> Result<ParagraphRecord> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let mut record = read_record(f, &doc);
    if record.paragraph > 0 {
        let first = article_head(f, searcher, address, &record)?;
        record.path = first.path;
        record.title = first.title;
        record.date = first.date;
        record.source = first.source;
    }
    Ok(record)
}

fn article_head(
    f: &Fields,
    searcher: &Searcher,
    address: DocAddress,
    record: &ParagraphRecord,
) -> Result<ParagraphRecord> {
    let layout_broken = || Error::IndexLayout { segment: address.segment_ord, doc: address.doc_id };
    let doc_id = address.doc_id.checked_sub(record.paragraph as u32).ok_or_else(layout_broken)?;
    let doc: TantivyDocument = searcher.doc(DocAddress::new(address.segment_ord, doc_id))?;
    let head = read_record(f, &doc);
    if head.paragraph != 0 || head.article != record.article || head.path.is_empty() {
        return Err(layout_broken());
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::Annotator;
    use crate::corpus::Article;

    #[test]
    fn records_round_trip_through_documents() {
        let body = "Intro line here.\n\n\u{201c}We will win,\u{201d} said Sen. Jane Roe, D-Ohio, in Columbus.\n\n\
                    \u{201c}And we will keep on winning until the very last vote is counted.\u{201d}";
        let article = Article {
            path: "a.txt".into(),
            title: Some("T".into()),
            body: body.into(),
            date: chrono::NaiveDate::from_ymd_opt(2017, 2, 28),
            source: Some("Daily".into()),
            ..Article::default()
        };
        let records = Annotator::builtin().annotate(&article);
        // The follow-up quote inherits its source from the paragraph before: a span
        // before its own paragraph must survive too.
        let inherited = |r: &ParagraphRecord| r.attributions.iter().any(|a| a.source.is_some_and(|s| s[0] < r.start));
        assert!(records.iter().any(inherited), "{records:#?}");
        assert_eq!(read_back(std::slice::from_ref(&records)), records);
    }

    /// Indexes each file's records as the writer does (one batch per file, two segments'
    /// worth of threads) and reads every paragraph back as a search hit would.
    fn read_back(files: &[Vec<ParagraphRecord>]) -> Vec<ParagraphRecord> {
        use tantivy::indexer::UserOperation;
        let index = tantivy::Index::create_in_ram(super::super::schema::schema());
        super::super::stem::register(&index);
        let fields = Fields::resolve(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(2, 30 << 20).unwrap();
        for records in files {
            writer.run(records.iter().map(|r| UserOperation::Add(to_document(&fields, r)))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut back = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..reader.max_doc() {
                back.push(read_hit_record(&fields, &searcher, DocAddress::new(segment as u32, doc)).unwrap());
            }
        }
        back.sort_by(|a, b| (&a.path, a.article, a.paragraph).cmp(&(&b.path, b.article, b.paragraph)));
        back
    }

    #[test]
    fn article_fields_live_on_the_first_paragraph_and_reach_every_hit() {
        let annotator = Annotator::builtin();
        let files: Vec<Vec<ParagraphRecord>> = (0..40)
            .map(|i| {
                let article = Article {
                    path: format!("f{i:02}.txt"),
                    title: Some(format!("Title {i}")),
                    body: (0..5).map(|p| format!("Paragraph {p} of article {i}.")).collect::<Vec<_>>().join("\n\n"),
                    date: chrono::NaiveDate::from_ymd_opt(2017, 1, 1 + i % 28),
                    source: Some(format!("Outlet {}", i % 3)),
                    ..Article::default()
                };
                annotator.annotate(&article)
            })
            .collect();
        let stored = serde_json::to_string(&stored(&files[0][1])).unwrap();
        assert!(!stored.contains("Title") && !stored.contains("Outlet"), "{stored}");
        assert_eq!(read_back(&files), files.concat());
    }

    #[test]
    fn a_paragraph_without_its_head_is_a_layout_error_not_a_wrong_title() {
        let record = Annotator::builtin()
            .annotate(&Article { path: "a.txt".into(), body: "One.\n\nTwo.".into(), ..Article::default() })
            .pop()
            .unwrap();
        let index = tantivy::Index::create_in_ram(super::super::schema::schema());
        super::super::stem::register(&index);
        let fields = Fields::resolve(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15 << 20).unwrap();
        writer.add_document(to_document(&fields, &record)).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let err = read_hit_record(&fields, &searcher, DocAddress::new(0, 0)).unwrap_err();
        assert!(matches!(err, Error::IndexLayout { .. }), "{err}");
    }

    #[test]
    fn entities_round_trip_in_any_order_with_names() {
        let text = "Sen. Jane Roe met U.S. officials";
        let start = 100;
        let entity = |from: usize, to: usize, kind, name: &str| Entity {
            text: text[from..to].to_owned(),
            name: name.to_owned(),
            kind,
            span: [start + from, start + to],
        };
        let entities = vec![
            entity(18, 22, EntityKind::Place, "United States"),
            entity(5, 13, EntityKind::Person, "Jane Roe"),
            entity(18, 22, EntityKind::Organization, "U.S."),
        ];
        let json = serde_json::to_string(&store_entities(&entities, start)).unwrap();
        assert_eq!(json, r#"[[18,4,"l","United States"],[-13,8,"p"],[13,4,"o"]]"#);
        let back: Vec<StoredEntity> = serde_json::from_str(&json).unwrap();
        assert_eq!(load_entities(back, text, start), entities);
    }

    #[test]
    fn unknown_entity_letter_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<StoredEntity>(r#"[0,4,"x"]"#).is_err());
    }
}
