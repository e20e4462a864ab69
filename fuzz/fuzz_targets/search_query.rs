//! Query parsing and search: any query text and filter values against a small index must
//! give a response or an `InvalidRequest`-style error, never a panic.
//!
//! Input lines: query, speaker, party, since, until (missing lines are empty).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsdex::annotate::Annotator;
use newsdex::corpus::parse_date;
use newsdex::index::{build, IndexOptions, SilentProgress};
use newsdex::search::{Request, Searchable};

/// An index of two short articles, built once per fuzzing process.
fn searchable() -> &'static Searchable {
    static INDEX: OnceLock<(tempfile::TempDir, Searchable)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let corpus = dir.path().join("corpus");
            std::fs::create_dir(&corpus).expect("corpus dir");
            std::fs::write(
                corpus.join("a.txt"),
                "Senate votes\n\n\u{201c}We will pass it,\u{201d} said Senator Jane Roe, a Republican.\n",
            )
            .expect("write");
            std::fs::write(corpus.join("b.json"), r#"{"text":"The mayor spoke on Monday.","date":"2017-02-28"}"#)
                .expect("write");
            let mut options = IndexOptions::new(dir.path().join("index"), vec![corpus]);
            options.threads = 1;
            options.index_threads = 1;
            options.memory_budget = 15 << 20;
            build(&options, Annotator::builtin(), &SilentProgress).expect("index");
            let searchable = Searchable::open(&dir.path().join("index")).expect("open");
            (dir, searchable)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or("").to_owned();
    let query = next();
    let speaker = next();
    let party = next();
    let (since, until) = (parse_date(&next()), parse_date(&next()));
    let request = Request {
        query,
        speakers: vec![speaker].into_iter().filter(|s| !s.is_empty()).collect(),
        parties: vec![party].into_iter().filter(|p| !p.is_empty()).collect(),
        since,
        until,
        ..Request::default()
    };
    let _ = searchable().search(&request);
});
