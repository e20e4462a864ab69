//! Evaluation against gold data: entity tagging (CoNLL) and attribution (PolNeAR).

pub mod ner;
