//! Evaluation against gold data: entity tagging (CoNLL) and attribution (PolNeAR).

pub mod attribution;
pub mod ner;
