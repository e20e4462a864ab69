//! One annotated paragraph as one tantivy document.

use tantivy::schema::Facet;
use tantivy::TantivyDocument;

use super::schema::{name_keys, Fields};
use crate::annotate::ParagraphRecord;
use crate::corpus::article_key;

/// The part of a record stored for display beside the indexed fields.
#[derive(serde::Serialize)]
struct Stored<'r> {
    date: &'r Option<chrono::NaiveDate>,
    source: &'r Option<String>,
    section: &'r Option<String>,
    start: usize,
    end: usize,
    speakers: &'r [crate::annotate::Speaker],
    attributions: &'r [crate::annotate::Attribution],
    entities: &'r [crate::annotate::Entity],
}

/// Builds the document for `record`.
pub fn to_document(f: &Fields, record: &ParagraphRecord) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.text, &record.text);
    if let Some(title) = &record.title {
        doc.add_text(f.title, title);
    }
    doc.add_text(f.path, &record.path);
    doc.add_text(f.article_key, article_key(&record.path, record.article));
    doc.add_u64(f.article, record.article as u64);
    doc.add_u64(f.paragraph, record.paragraph as u64);
    if let Some(date) = record.date.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        doc.add_date(f.date, tantivy::DateTime::from_timestamp_secs(date.and_utc().timestamp()));
    }
    doc.add_facet(f.kind, Facet::from_path(["kind", record.kind.as_str()]));
    let mut parties = Vec::new();
    for speaker in &record.speakers {
        doc.add_facet(f.speaker, Facet::from_path(["speaker", speaker.name.as_str()]));
        for key in name_keys(&speaker.name) {
            doc.add_text(f.speaker_key, key);
        }
        if let Some(party) = speaker.party.filter(|p| !parties.contains(p)) {
            parties.push(party);
            doc.add_facet(f.party, Facet::from_path(["party", party.code()]));
        }
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for entity in &record.entities {
        let kind = super::schema::entity_kind_path(entity.kind);
        if seen.contains(&(kind, entity.name.as_str())) {
            continue;
        }
        seen.push((kind, entity.name.as_str()));
        doc.add_facet(f.entity, Facet::from_path(["entity", kind, entity.name.as_str()]));
        for key in name_keys(&entity.name) {
            doc.add_text(f.entity_key, key);
        }
    }
    if let Some(source) = &record.source {
        doc.add_facet(f.source, Facet::from_path(["source", source.as_str()]));
        doc.add_text(f.source_key, super::schema::filter_key(source));
    }
    let quoted = record.attributions.iter().any(|a| a.speaker.is_some());
    doc.add_u64(f.quoted, u64::from(quoted));
    let stored = Stored {
        date: &record.date,
        source: &record.source,
        section: &record.section,
        start: record.start,
        end: record.end,
        speakers: &record.speakers,
        attributions: &record.attributions,
        entities: &record.entities,
    };
    doc.add_text(f.record, serde_json::to_string(&stored).unwrap_or_default());
    doc
}
