//! CLI tests: the `newsdex` binary run on small corpora written by each test, and on the
//! seed article in `corpus/`.

mod attribution;
mod export;
mod push;
mod robust;
mod serve;
mod util;

use newsdex::annotate::{ParagraphRecord, SpeakerKind};
use newsdex::roster::Party;
use newsdex::search::Response;
use util::{newsdex, Corpus, SEED};

/// Annotation of the seed article, one record per paragraph.
fn seed_records() -> Vec<ParagraphRecord> {
    let out = newsdex().args(["annotate", "--json", SEED]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn paragraph_starting<'r>(records: &'r [ParagraphRecord], start: &str) -> &'r ParagraphRecord {
    records.iter().find(|r| r.text.starts_with(start)).unwrap_or_else(|| panic!("no paragraph starts with {start:?}"))
}

/// (name, party) of the person speakers of a paragraph.
fn people(r: &ParagraphRecord) -> Vec<(String, Option<Party>)> {
    r.speakers.iter().filter(|s| s.kind == SpeakerKind::Person).map(|s| (s.name.clone(), s.party)).collect()
}

#[test]
fn seed_speakers_and_parties() {
    let records = seed_records();
    let d = Some(Party::Democrat);
    let r = Some(Party::Republican);
    let expected: &[(&str, &str, Option<Party>)] = &[
        ("\u{201c}I have been called a surrogate", "Jeff Sessions", r),
        ("Earlier, Justice Department spokeswoman", "Sarah Isgur Flores", None),
        ("\u{201c}I have never met with any Russian", "Jeff Sessions", r),
        ("Senator Al Franken, who asked", "Al Franken", d),
        ("\u{201c}It\u{2019}s clearer than ever", "Al Franken", d),
        ("House Democratic Leader Nancy Pelosi", "Nancy Pelosi", d),
        ("\u{201c}Sessions is not fit", "Nancy Pelosi", d),
        ("Senator Elizabeth Warren said", "Elizabeth Warren", d),
        ("\u{201c}We need a special prosecutor", "Elizabeth Warren", d),
        ("Senator Lindsey Graham, a prominent Republican", "Lindsey Graham", r),
        ("\u{201c}It is clear to me", "Lindsey Graham", r),
        ("Trump has denied", "Donald Trump", r),
    ];
    for (start, name, party) in expected {
        let p = paragraph_starting(&records, start);
        assert_eq!(people(p), vec![((*name).to_owned(), *party)], "{start}");
    }
}

#[test]
fn seed_captions_and_narrative_have_no_person_speaker() {
    let records = seed_records();
    for start in [
        "Attorney General Jeff Sessions speaks",
        "FILE - Senate Judiciary",
        "FILE - Russian President",
        "WASHINGTON - Democrats",
        "Sessions supported President",
        "After being nominated",
        "Sessions had met Ambassador",
        "The Federal Bureau of Investigation",
        "Trump\u{2019}s administration has seen",
        "Assessments by U.S.",
    ] {
        assert!(people(paragraph_starting(&records, start)).is_empty(), "{start}");
    }
}

#[test]
fn seed_furniture_is_labelled_and_copies_dropped() {
    let records = seed_records();
    let kind = |start: &str| paragraph_starting(&records, start).kind.as_str();
    assert_eq!(kind("Attorney General Jeff Sessions speaks"), "caption");
    assert_eq!(kind("WATCH: Sessions denies"), "boilerplate");
    assert_eq!(kind("Two meetings"), "heading");
    assert_eq!(kind("FILE - Senate Judiciary Committee member Senator Al Franken"), "caption");
    assert!(records.iter().all(|r| r.text != "FILE - Senate Judiciary Committee member Senator A"));
    assert_eq!(records.iter().filter(|r| r.text.starts_with("Attorney General Jeff Sessions speaks")).count(), 1);
    assert_eq!(paragraph_starting(&records, "Sessions had met").section.as_deref(), Some("Two meetings"));
}

#[test]
fn seed_offsets_index_the_file_bytes() {
    let body = std::fs::read_to_string(SEED).unwrap();
    for r in seed_records() {
        assert_eq!(body[r.start..r.end].replace('\n', " "), r.text);
        for a in &r.attributions {
            assert!(r.start <= a.content[0] && a.content[1] <= r.end);
            assert!(body.is_char_boundary(a.content[0]) && body.is_char_boundary(a.content[1]));
        }
        for e in &r.entities {
            assert_eq!(&body[e.span[0]..e.span[1]], e.text);
        }
    }
}

fn search_json(corpus: &Corpus, args: &[&str]) -> Response {
    let out = newsdex().arg("search").args(args).arg("--index").arg(corpus.index()).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn seed_search_done_when_conditions() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let d = search_json(&corpus, &["recuse", "--party", "D"]);
    assert!(d.hits.iter().any(|h| h.text.contains("must recuse himself immediately")
        && h.speakers.iter().any(|s| s.name == "Al Franken" && s.party == Some(Party::Democrat))));
    assert_eq!(search_json(&corpus, &["recuse", "--party", "R"]).total, 0);
    let graham = search_json(&corpus, &["\"special prosecutor\"", "--speaker", "Graham"]);
    assert_eq!(graham.total, 1);
    assert!(graham.hits[0].text.starts_with("\u{201c}It is clear to me"));
    assert!(d.facets.party.iter().any(|(p, n)| p == "D" && *n >= 1));
}

#[test]
fn human_search_output_shows_speaker_and_facets() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let out =
        newsdex().args(["search", "recuse", "--party", "Democrat", "--index"]).arg(corpus.index()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("speakers: Al Franken (D)"), "{text}");
    assert!(text.contains("must recuse himself"), "{text}");
    assert!(text.contains("1 matching paragraphs"), "{text}");
    assert!(!text.contains("\x1b["), "no colour when piped");
}

#[test]
fn formats_json_array_jsonl_and_gzip() {
    let corpus = Corpus::new();
    corpus.write("a.json", r#"[{"title":"One","content":"Mayor Jane Doe said the bridge will reopen."},{"title":"Two","text":"The budget passed."}]"#);
    corpus.write("b.jsonl", "{\"headline\":\"Three\",\"body\":\"Rain fell on Tuesday.\"}\n{\"headline\":\"Four\",\"body\":\"Snow fell on Friday.\"}\n");
    corpus.write_gz(
        "c.json.gz",
        r#"{"title":"Five","content_original":"Wind blew on Monday.","source":"Daily Planet","date":"2017-02-28"}"#,
    );
    corpus.write("notes.md", "ignored");
    let summary = corpus.index_ok();
    assert!(summary.contains("indexed 5 articles"), "{summary}");
    assert!(summary.contains("1 skipped"), "{summary}");
    let wind = search_json(&corpus, &["wind", "--source", "daily planet"]);
    assert_eq!(wind.total, 1);
    assert_eq!(wind.hits[0].date.map(|d| d.to_string()).as_deref(), Some("2017-02-28"));
    assert_eq!(search_json(&corpus, &["", "--since", "2017-03-01"]).total, 0);
    assert_eq!(search_json(&corpus, &["bridge", "--speaker", "doe"]).total, 1);
}

#[test]
fn field_override_maps_an_unusual_key() {
    let corpus = Corpus::new();
    corpus.write("x.json", r#"{"title":"T","story":"Unusual storage key text."}"#);
    corpus.index_with(&["--field", "body=story"]);
    assert_eq!(search_json(&corpus, &["unusual"]).total, 1);
}

#[test]
fn reindex_replaces_and_removes_without_duplicates() {
    let corpus = Corpus::new();
    corpus.write("a.txt", "Alpha bravo charlie.\n\nDelta echo.");
    corpus.write("b.txt", "Foxtrot golf.");
    corpus.index_ok();
    let again = corpus.index_ok();
    assert!(again.contains("2 unchanged"), "{again}");
    assert_eq!(search_json(&corpus, &["alpha"]).total, 1);
    std::thread::sleep(std::time::Duration::from_millis(20));
    corpus.write("a.txt", "Alpha zulu.");
    std::fs::remove_file(corpus.dir().join("b.txt")).unwrap();
    let changed = corpus.index_ok();
    assert!(changed.contains("1 removed"), "{changed}");
    assert_eq!(search_json(&corpus, &["alpha"]).total, 1);
    assert_eq!(search_json(&corpus, &["delta"]).total, 0);
    assert_eq!(search_json(&corpus, &["foxtrot"]).total, 0);
    let rebuilt = corpus.index_with(&["--rebuild"]);
    assert!(rebuilt.contains("holds 1 articles"), "{rebuilt}");
}

#[test]
fn bad_files_are_warnings_and_exit_status_one() {
    let corpus = Corpus::new();
    corpus.write("good.txt", "Fine text here.");
    corpus.write("lines.jsonl", "{\"text\":\"first ok\"}\n{broken\n{\"text\":\"third ok\"}\n");
    corpus.write("bad.json.gz", "not gzip at all");
    let out = newsdex().arg("index").arg(corpus.dir()).arg("--index").arg(corpus.index()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("lines.jsonl:2: invalid JSON"), "{stderr}");
    assert!(stderr.contains("bad.json.gz"), "{stderr}");
    assert!(stderr.contains("1 failed"), "{stderr}");
    assert_eq!(search_json(&corpus, &["ok"]).total, 2);
    assert_eq!(search_json(&corpus, &["fine"]).total, 1);
}

#[test]
fn missing_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdex().args(["search", "x", "--index"]).arg(dir.path().join("none")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no index at") && stderr.contains("run `newsdex index` first"), "{stderr}");
}

#[test]
fn bad_query_and_filters_name_the_problem() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let run = |args: &[&str]| {
        let out = newsdex().arg("search").args(args).arg("--index").arg(corpus.index()).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(&["nosuchfield:x"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("invalid query"), "{err}");
    let (code, err) = run(&["x", "--party", "Whig"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown party `Whig`"), "{err}");
    let (code, err) = run(&["x", "--since", "someday"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn kinds_are_excluded_by_default_and_included_on_request() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    assert_eq!(search_json(&corpus, &["exhibition"]).total, 0);
    let captions = search_json(&corpus, &["exhibition", "--kind", "caption"]);
    assert_eq!(captions.total, 1);
    // Regression: hits reported every paragraph as body (the kind facet is not stored).
    assert_eq!(captions.hits[0].kind, newsdex::clean::ParagraphKind::Caption);
    let quoted = search_json(&corpus, &["russia", "--quotes"]);
    assert!(quoted.total > 0 && quoted.hits.iter().all(|h| !h.speakers.is_empty()));
}

#[test]
fn stats_reports_counts() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let out = newsdex().args(["stats", "--json", "--index"]).arg(corpus.index()).output().unwrap();
    let stats: newsdex::search::Stats = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats.articles, 1);
    assert_eq!(stats.paragraphs, 27);
    assert!(stats.speakers.iter().any(|(s, _)| s == "Al Franken"));
    // Every paragraph has one kind; most first.
    assert_eq!(stats.kinds.iter().map(|(_, n)| n).sum::<u64>(), 27);
    assert_eq!(stats.kinds[0].0, "body");
    assert!(stats.kinds.len() > 1 && stats.kinds.windows(2).all(|w| w[0].1 >= w[1].1), "{:?}", stats.kinds);
}

#[test]
fn wire_formats_round_trip() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let response = search_json(&corpus, &["russia"]);
    let again: Response = serde_json::from_str(&serde_json::to_string(&response).unwrap()).unwrap();
    assert_eq!(again, response);
    for record in seed_records() {
        let again: ParagraphRecord = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(again, record);
    }
}

/// Regression: a paragraph ending "X wrote:" made the next paragraph index the previous
/// paragraph's tokens (a panic on AllSides). Input: "Senator Jane Roe wrote:" + a quote.
#[test]
fn colon_intro_carries_its_speaker_into_the_next_paragraph() {
    let corpus = Corpus::new();
    corpus.write(
        "a.txt",
        "Senator Jane Roe of Ohio, a Republican, posted on Facebook on Monday night. Later she wrote:\n\n\u{201c}We will not give up on this bill, whatever the leaders say.\u{201d}\n",
    );
    let out = newsdex().args(["annotate", "--json"]).arg(corpus.dir()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<ParagraphRecord> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let quote = &records[1].attributions[0];
    assert_eq!(quote.rule, "colon-intro");
    assert_eq!(quote.speaker.as_deref(), Some("Jane Roe"));
}
