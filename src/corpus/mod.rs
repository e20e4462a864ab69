//! corpus stage.
