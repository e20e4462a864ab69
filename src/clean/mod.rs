//! clean stage.
