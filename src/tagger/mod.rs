//! The trained named-entity tagger.
