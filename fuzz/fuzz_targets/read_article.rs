//! Article reading: any bytes, in each format, gzipped or not, must give articles and
//! warnings or an error, never a panic; every article then goes through cleaning.
//!
//! The first byte picks the format (bits 0-1: text, JSON, JSON Lines) and gzip (bit 2).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use newsdex::corpus::{read_raw, FieldMap, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let format = match selector & 3 {
        0 => Format::Text,
        1 => Format::Json,
        _ => Format::JsonLines,
    };
    let gzipped = selector & 4 != 0;
    let Ok(read) = read_raw(bytes, format, gzipped, Path::new("fuzz.txt"), "fuzz.txt", &FieldMap::default()) else {
        return;
    };
    for article in &read.articles {
        assert!(article.body.len() <= newsdex::corpus::MAX_ARTICLE_BYTES);
        for paragraph in newsdex::clean::paragraphs(article) {
            assert_eq!(paragraph.text.len(), paragraph.end - paragraph.start);
        }
    }
});
