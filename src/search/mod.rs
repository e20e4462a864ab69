//! search stage.
