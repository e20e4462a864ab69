//! Compatibility of model files: a tiny model written in the current format version
//! (committed under `testdata/`) keeps loading, and a file of another version fails with
//! a message that says to retrain. When the format changes, bump
//! `model::FORMAT_VERSION`, keep the old fixture as the "other version" case and commit a
//! tiny file of the new version.

use super::Tagger;

/// A tiny model in the current format: one gazetteer entry, one word class, one stage-1
/// feature row and an empty stage 2.
const CURRENT: &[u8] = include_bytes!("testdata/ner-v4-tiny.bin");
/// A tiny model in the previous format (version 3, one-byte gazetteer masks).
const PREVIOUS: &[u8] = include_bytes!("testdata/ner-v3-tiny.bin");

#[test]
fn the_fixture_is_the_current_version() {
    assert_eq!(u32::from_le_bytes(CURRENT[8..12].try_into().unwrap()), super::model::FORMAT_VERSION);
}

#[test]
fn a_model_of_the_current_version_loads_and_tags() {
    let tagger = Tagger::from_bytes(CURRENT).expect("the current-version fixture loads");
    assert_eq!(tagger.model.weights.len(0), 1);
    assert_eq!(tagger.model.weights.len(1), 0);
    // Tagging with a near-empty model is well defined (and finds nothing here).
    let text = "Senator Maria Cantwell spoke in Seattle.";
    for e in tagger.entities(text) {
        assert!(e.start < e.end && e.end <= text.len());
    }
}

#[test]
fn a_model_of_another_version_asks_for_a_retrain() {
    let err = Tagger::from_bytes(PREVIOUS).unwrap_err();
    assert!(matches!(err, crate::Error::Model { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("version 3") && message.contains("retrain"), "{message}");
}
