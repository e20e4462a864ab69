//! annotate stage.
