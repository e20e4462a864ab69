//! Evaluation against gold data: entity tagging (CoNLL) and attribution (PolNeAR).

pub mod attribution;
pub mod ner;

/// `part / whole`, 0 when `whole` is 0 (no predictions, or no gold).
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The harmonic mean of precision and recall, 0 when both are 0.
fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_f1_are_zero_without_data() {
        assert_eq!(share(3, 0), 0.0);
        assert_eq!(share(1, 4), 0.25);
        assert_eq!(f1(0.0, 0.0), 0.0);
        assert!((f1(0.5, 1.0) - 2.0 / 3.0).abs() < 1e-12);
    }
}
