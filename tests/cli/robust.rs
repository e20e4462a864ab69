//! Robustness: hostile input files, hostile queries, interrupted and concurrent runs, and
//! indexes of another schema version. Every fixture is written by its test.
//!
//! Exit status of `newsdex index` (see README, "Robustness"): 0 when every file was read
//! (warnings about lines, dates, encodings or empty files do not change it), 1 when some
//! file could not be read at all (each is named on stderr), 2 when the run could not
//! start or stopped (locked index, another schema version). No input ever panics.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use newsdex::search::Response;

use super::util::{newsdex, Corpus};

/// Every paragraph kind, so a search counts all paragraphs.
const ALL_KINDS: [&str; 8] = ["--kind", "body", "--kind", "caption", "--kind", "heading", "--kind", "boilerplate"];

/// What one `newsdex` run did.
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "newsdex panicked: {stderr}");
        Run { code: out.status.code(), stderr }
    }

    /// Asserts the exit status and that stderr holds every one of `needles`.
    fn expect(&self, code: i32, needles: &[&str]) -> &Run {
        assert_eq!(self.code, Some(code), "{}", self.stderr);
        for needle in needles {
            assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", self.stderr);
        }
        self
    }
}

fn write_bytes(corpus: &Corpus, name: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
    let path = corpus.dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A hostile fixture always sits beside this file, which must still be indexed.
fn corpus_with_good_file() -> Corpus {
    let corpus = Corpus::new();
    corpus.write("good.txt", "The good article is about the harbour bridge.");
    corpus
}

fn index(corpus: &Corpus, extra: &[&str]) -> Run {
    let out = newsdex().arg("index").arg(corpus.dir()).arg("--index").arg(corpus.index()).args(extra).output().unwrap();
    Run::from(out)
}

fn search(index_dir: &Path, args: &[&str]) -> (Run, Option<Response>) {
    let out = newsdex().arg("search").arg("--index").arg(index_dir).arg("--json").args(args).output().unwrap();
    let response = serde_json::from_slice(&out.stdout).ok();
    (Run::from(out), response)
}

/// The response of a search that must succeed.
fn search_ok(index_dir: &Path, args: &[&str]) -> Response {
    let (run, response) = search(index_dir, args);
    run.expect(0, &[]);
    response.expect("JSON response")
}

fn total(index_dir: &Path, query: &str) -> u64 {
    let mut args = vec![query];
    args.extend(ALL_KINDS);
    search_ok(index_dir, &args).total
}

/// The good file was indexed: the run did not stop at the hostile one.
fn assert_good_file_indexed(corpus: &Corpus) {
    assert_eq!(total(&corpus.index(), "harbour"), 1, "good.txt was not indexed");
}

// ---------------------------------------------------------------------------------------
// Hostile input files
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning_naming_the_line() {
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, "latin1.txt", b"First line.\n\nThe caf\xe9 reopened on Monday.\n");
    index(&corpus, &[]).expect(0, &["latin1.txt:3: invalid UTF-8, decoded with replacement characters"]);
    assert_eq!(total(&corpus.index(), "reopened"), 1);
    assert_good_file_indexed(&corpus);
}

#[test]
fn utf8_bom_is_read_as_spaces_and_offsets_stay_file_offsets() {
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, "bom.txt", b"\xEF\xBB\xBFBomword opens the file.\n");
    write_bytes(&corpus, "bom.json", b"\xEF\xBB\xBF{\"text\":\"Jsonbom article.\"}");
    index(&corpus, &[]).expect(0, &[]);
    let hit = &search_ok(&corpus.index(), &["bomword"]).hits[0];
    assert!(hit.text.starts_with("Bomword"), "{:?}", hit.text);
    // "Bomword" is at byte 3 of the file, after the 3-byte mark.
    let annotated = newsdex().arg("annotate").arg("--json").arg(corpus.dir().join("bom.txt")).output().unwrap();
    let first: serde_json::Value =
        serde_json::from_slice(annotated.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["start"], 3, "{first}");
    assert_eq!(total(&corpus.index(), "jsonbom"), 1);
}

#[test]
fn crlf_and_lone_cr_line_endings_separate_paragraphs() {
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, "crlf.txt", b"Alpha one.\r\nAlpha two.\r\n\r\nBravo para.\rStill bravo.\r\rCharlie para.\r");
    index(&corpus, &[]).expect(0, &[]);
    let texts = |q| search_ok(&corpus.index(), &[q]).hits.into_iter().map(|h| h.text).collect::<Vec<_>>();
    assert_eq!(texts("alpha"), ["Alpha one.  Alpha two."]);
    assert_eq!(texts("bravo"), ["Bravo para. Still bravo."]);
    assert_eq!(texts("charlie"), ["Charlie para."]);
}

#[test]
fn nul_and_escape_bytes_become_spaces_with_a_warning() {
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, "nul.txt", b"Nulword starts here.\n\nA NUL\x00and an escape \x1b[2J inside.\n");
    index(&corpus, &[]).expect(0, &["nul.txt:3: control characters (such as NUL) replaced by spaces"]);
    let hit = &search_ok(&corpus.index(), &["escape"]).hits[0];
    assert_eq!(hit.text, "A NUL and an escape  [2J inside.");
    assert_good_file_indexed(&corpus);
}

#[test]
fn binary_file_with_a_text_extension_fails_alone() {
    let corpus = corpus_with_good_file();
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".iter().copied().chain((0..=255u8).cycle().take(4000)).collect();
    write_bytes(&corpus, "image.txt", &png);
    write_bytes(&corpus, "utf16.json", &[0xFF, 0xFE, b'{', 0, b'}', 0]);
    index(&corpus, &[]).expect(
        1,
        &["image.txt: not a text file: binary content", "utf16.json: not a text file: UTF-16 text", "2 failed"],
    );
    assert_good_file_indexed(&corpus);
}

#[test]
fn empty_and_whitespace_only_files_warn_and_do_not_fail() {
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, "empty.txt", b"");
    write_bytes(&corpus, "blank.txt", b" \n\t\r\n  \n");
    write_bytes(&corpus, "empty.jsonl", b"\n\n");
    write_bytes(&corpus, "empty.json", b"[]");
    index(&corpus, &[]).expect(
        0,
        &[
            "empty.txt: no article: the file is empty or holds only whitespace",
            "blank.txt: no article",
            "empty.jsonl: no articles",
            "empty.json: no articles",
            "4 warnings",
        ],
    );
    assert_good_file_indexed(&corpus);
}

#[test]
fn hundred_megabyte_single_line_file_is_refused_alone() {
    let corpus = corpus_with_good_file();
    // 100 MB of words and no line break, written in one go.
    let line = "word ".repeat(20 << 20);
    write_bytes(&corpus, "huge.txt", line.as_bytes());
    drop(line);
    index(&corpus, &[]).expect(1, &["huge.txt: article body of 104.9 MB is over the 8 MB limit", "1 failed"]);
    assert_good_file_indexed(&corpus);
}

#[test]
fn megabyte_paragraph_without_spaces_is_indexed() {
    let corpus = corpus_with_good_file();
    let mut text = "Spaceless follows.\n\n".to_owned();
    text.push_str(&"x".repeat(1 << 20));
    corpus.write("spaceless.txt", &text);
    index(&corpus, &[]).expect(0, &[]);
    let everything = search_ok(&corpus.index(), &["", "--limit", "100"]);
    assert!(everything.hits.iter().any(|h| h.text.len() == 1 << 20), "the 1 MB paragraph is missing");
    assert_eq!(total(&corpus.index(), "spaceless"), 1);
    assert_good_file_indexed(&corpus);
}

#[test]
fn unbalanced_and_nested_quote_marks_keep_spans_inside_paragraphs() {
    let corpus = corpus_with_good_file();
    let text = "He said \"this is \u{201c}nested \u{201c}\u{201c} quotes\" and \"unbalanced \u{201d}\u{201d}\n\n\
                \"\u{201c}\u{201c}\u{2018}\u{2019}\"\n\n\u{201c}Open never closed, said Senator Jane Roe.\n\n\
                \u{201d}\u{201d} stray closers first,\u{201d} she said. \"\"\"\"\n";
    corpus.write("quotes.txt", text);
    let out = newsdex().args(["annotate", "--json"]).arg(corpus.dir().join("quotes.txt")).output().unwrap();
    Run::from(out.clone()).expect(0, &[]);
    let body = text;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let r: newsdex::annotate::ParagraphRecord = serde_json::from_str(line).unwrap();
        for a in &r.attributions {
            for [s, e] in std::iter::once(a.content).chain(a.source).chain(a.cue) {
                assert!(r.start <= s && s <= e && e <= r.end, "span {s}..{e} outside {}..{}", r.start, r.end);
                assert!(body.is_char_boundary(s) && body.is_char_boundary(e));
            }
        }
    }
    index(&corpus, &[]).expect(0, &[]);
    assert_eq!(total(&corpus.index(), "stray"), 1);
}

#[test]
fn json_that_is_not_an_article_object_is_named() {
    let corpus = corpus_with_good_file();
    corpus.write("number.json", "42");
    corpus.write("string.json", "\"just a string\"");
    corpus.write("numbers.json", "[1, 2, {\"text\":\"Arrayword survives.\"}, null]");
    index(&corpus, &[]).expect(
        1,
        &[
            "number.json: JSON is neither an article object nor an array of them",
            "string.json: JSON is neither",
            "numbers.json: 3 array elements are not article objects (the first is element 0)",
            "2 failed",
        ],
    );
    assert_eq!(total(&corpus.index(), "arrayword"), 1);
    assert_good_file_indexed(&corpus);
}

#[test]
fn json_nested_ten_thousand_deep_is_an_error_not_a_crash() {
    let corpus = corpus_with_good_file();
    corpus.write("deep.json", &("[".repeat(10_000) + &"]".repeat(10_000)));
    corpus.write("deep_body.jsonl", &format!("{{\"text\":{}{}}}\n", "{\"a\":".repeat(10_000), "}".repeat(10_000)));
    index(&corpus, &[])
        .expect(1, &["deep.json:1: invalid JSON at column", "recursion limit exceeded", "deep_body.jsonl:1:"]);
    assert_good_file_indexed(&corpus);
}

#[test]
fn json_lines_with_a_malformed_middle_line_keep_the_others() {
    let corpus = corpus_with_good_file();
    corpus.write("lines.jsonl", "{\"text\":\"Lineone here.\"}\n{\"text\": \"cut off\n{\"text\":\"Linethree here.\"}\n");
    index(&corpus, &[]).expect(0, &["lines.jsonl:2: invalid JSON", "1 warnings"]);
    assert_eq!(total(&corpus.index(), "lineone OR linethree"), 2);
    assert_good_file_indexed(&corpus);
}

#[test]
fn truncated_and_corrupt_gzip_fail_alone() {
    let corpus = corpus_with_good_file();
    corpus.write_gz("whole.json.gz", "{\"text\":\"Gzipword article.\"}");
    let whole = std::fs::read(corpus.dir().join("whole.json.gz")).unwrap();
    write_bytes(&corpus, "truncated.json.gz", &whole[..whole.len() - 12]);
    let mut corrupt = whole.clone();
    corrupt[12..20].fill(0xAA);
    write_bytes(&corpus, "corrupt.txt.gz", &corrupt);
    write_bytes(&corpus, "notgzip.jsonl.gz", b"plain text, not gzip");
    index(&corpus, &[]).expect(
        1,
        &[
            "truncated.json.gz: corrupt or truncated gzip data",
            "corrupt.txt.gz: corrupt or truncated gzip data",
            "notgzip.jsonl.gz: corrupt or truncated gzip data",
            "3 failed",
        ],
    );
    assert_eq!(total(&corpus.index(), "gzipword"), 1);
    assert_good_file_indexed(&corpus);
}

/// Whether this process can read `path` even with no permissions (root can).
fn permissions_are_bypassed(path: &Path) -> bool {
    if path.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::File::open(path).is_ok()
    }
}

#[test]
fn unreadable_file_and_directory_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let corpus = corpus_with_good_file();
    let file = write_bytes(&corpus, "locked.txt", b"Lockedword article.");
    let dir = corpus.dir().join("private");
    std::fs::create_dir(&dir).unwrap();
    write_bytes(&corpus, "private/inside.txt", b"Insideword article.");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (file_bypassed, dir_bypassed) = (permissions_are_bypassed(&file), permissions_are_bypassed(&dir));
    let run = index(&corpus, &[]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    // As root, chmod 000 does not stop reads: then the files are simply indexed, and a
    // warning would be a lie. Each warning is asserted only when the read really fails.
    let mut expected = Vec::new();
    if !file_bypassed {
        expected.push("locked.txt: Permission denied");
    }
    if !dir_bypassed {
        expected.push("private: Permission denied");
    }
    run.expect(if expected.is_empty() { 0 } else { 1 }, &expected);
    assert_eq!(total(&corpus.index(), "lockedword"), u64::from(file_bypassed));
    assert_eq!(total(&corpus.index(), "insideword"), u64::from(dir_bypassed));
    assert_good_file_indexed(&corpus);
}

#[test]
fn unreadable_directory_is_not_a_deletion() {
    use std::os::unix::fs::PermissionsExt;
    let corpus = corpus_with_good_file();
    std::fs::create_dir(corpus.dir().join("private")).unwrap();
    write_bytes(&corpus, "private/inside.txt", b"Insideword article.");
    index(&corpus, &[]).expect(0, &[]);
    let dir = corpus.dir().join("private");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bypassed = permissions_are_bypassed(&dir);
    let run = index(&corpus, &[]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    if bypassed {
        run.expect(0, &["2 unchanged"]);
    } else {
        run.expect(1, &["private: Permission denied", "0 removed"]);
    }
    assert_eq!(total(&corpus.index(), "insideword"), 1);
}

#[test]
fn symlink_loops_are_named_and_the_rest_indexed() {
    let corpus = corpus_with_good_file();
    std::os::unix::fs::symlink("self.txt", corpus.dir().join("self.txt")).unwrap();
    std::fs::create_dir(corpus.dir().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", corpus.dir().join("sub/up")).unwrap();
    index(&corpus, &[]).expect(1, &["self.txt: ", "sub/up: ", "2 failed"]);
    assert_good_file_indexed(&corpus);
}

/// Regression: `caf\xff.txt` and `caf\xfe.txt` both became `caf\u{fffd}.txt`, so the second
/// replaced the first in the index ("indexed 2 articles ... holds 1").
#[test]
fn file_names_that_are_not_utf8_are_indexed_separately() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let corpus = corpus_with_good_file();
    write_bytes(&corpus, OsStr::from_bytes(b"caf\xff.txt"), b"Namedword one.");
    write_bytes(&corpus, OsStr::from_bytes(b"caf\xfe.txt"), b"Namedword two.");
    write_bytes(&corpus, OsStr::from_bytes(b"esc\x1b[2J.txt"), b"Namedword three.");
    index(&corpus, &[]).expect(0, &["holds 4 articles"]);
    let hits = search_ok(&corpus.index(), &["namedword"]).hits;
    let mut paths: Vec<&str> = hits.iter().map(|h| h.path.rsplit('/').next().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, ["caf\\xFE.txt", "caf\\xFF.txt", "esc\\x1b[2J.txt"]);
    index(&corpus, &[]).expect(0, &["4 unchanged", "holds 4 articles"]);
}

/// Regression: indexing root `corpus` removed the files of an earlier run over `corpus2`,
/// because `corpus2/a.txt` starts with the text `corpus`.
#[test]
fn indexing_a_root_keeps_files_of_a_sibling_root_sharing_its_prefix() {
    let corpus = corpus_with_good_file();
    let sibling = corpus.dir().with_file_name("corpus2");
    std::fs::create_dir(&sibling).unwrap();
    std::fs::write(sibling.join("other.txt"), "Siblingword article.").unwrap();
    let out = newsdex().arg("index").arg(&sibling).arg("--index").arg(corpus.index()).output().unwrap();
    Run::from(out).expect(0, &[]);
    index(&corpus, &[]).expect(0, &["0 removed", "holds 2 articles"]);
    assert_eq!(total(&corpus.index(), "siblingword"), 1);
}

/// A [`newsdex::index::Progress`] that changes the corpus between the walk and the reads,
/// the window in which a real archive changes under a run.
struct ChangeCorpus {
    vanish: PathBuf,
    rewrite: PathBuf,
}

impl newsdex::index::Progress for ChangeCorpus {
    fn start(&self, _files: u64, _bytes: u64) {
        std::fs::remove_file(&self.vanish).unwrap();
        std::fs::write(&self.rewrite, "Rewritten text, longer than it was when walked.").unwrap();
    }
}

#[test]
fn files_that_vanish_or_change_while_indexing() {
    use newsdex::index::{build, IndexOptions, SilentProgress};
    let corpus = corpus_with_good_file();
    let vanish = write_bytes(&corpus, "vanish.txt", b"Vanishword article.");
    let rewrite = write_bytes(&corpus, "rewrite.txt", b"Original text.");
    let annotator = newsdex::annotate::Annotator::builtin();
    let mut options = IndexOptions::new(corpus.index(), vec![corpus.dir()]);
    options.threads = 1;
    let summary = build(&options, annotator, &ChangeCorpus { vanish: vanish.clone(), rewrite }).unwrap();
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    let failure = summary.failures[0].to_string();
    assert!(failure.contains("vanish.txt") && failure.contains("No such file"), "{failure}");
    assert_eq!(total(&corpus.index(), "rewritten"), 1);
    assert_eq!(total(&corpus.index(), "original"), 0);
    assert_good_file_indexed(&corpus);
    // The next run sees the deletion and finds nothing else to do twice.
    let again = build(&options, annotator, &SilentProgress).unwrap();
    assert_eq!((again.files_removed, again.failures.len()), (0, 0));
    assert_eq!(total(&corpus.index(), "rewritten"), 1);
    assert_eq!(total(&corpus.index(), ""), 2);
}

// ---------------------------------------------------------------------------------------
// Hostile queries
// ---------------------------------------------------------------------------------------

/// Found by the `search_query` fuzzer: an excluded phrase that matches nothing in one
/// segment tripped an assertion inside tantivy (see `search::exclusion`).
#[test]
fn excluded_phrase_matching_nothing_in_a_segment_is_not_a_crash() {
    let corpus = Corpus::new();
    corpus.write("a.txt", "Said a senator, a Republican.");
    corpus.index_ok();
    corpus.write("b.txt", "The mayor spoke.\n\nA a vote.");
    corpus.index_ok();
    let fuzzed = "-\u{fffd}\u{fffd}a#\u{12}\u{fffd}#a \u{12}\u{fffd} *";
    for query in [r#"-"a a" *"#, fuzzed] {
        let args: Vec<&str> = ALL_KINDS.iter().copied().chain(["--", query]).collect();
        let (run, response) = search(&corpus.index(), &args);
        assert_eq!(run.code, Some(0), "{query}: {}", run.stderr);
        assert_eq!(response.map(|r| r.total), Some(2), "{query}");
    }
}

#[test]
fn hostile_queries_give_a_message_or_a_documented_lenient_result() {
    let corpus = Corpus::with_seed();
    corpus.index_ok();
    let dir = corpus.index();
    let ten_thousand = (0..10_000).map(|i| format!("w{i}")).collect::<Vec<_>>();
    let all_terms = ten_thousand.join(" ");
    let any_term = format!("{} OR recuse", ten_thousand.join(" OR "));
    let deep = format!("{}recuse{}", "(".repeat(10_000), ")".repeat(10_000));
    let fine = format!("{}recuse{}", "(".repeat(100), ")".repeat(100));
    // (arguments, exit status, text stderr must hold, total hits when it succeeds)
    let cases: Vec<(Vec<&str>, i32, &str, Option<u64>)> = vec![
        (vec!["\"special prosecutor"], 2, "invalid query: Syntax Error", None),
        (vec!["(recuse OR"], 2, "invalid query: Syntax Error", None),
        (vec!["recuse)"], 2, "invalid query: Syntax Error", None),
        (vec!["nosuchfield:recuse"], 2, "invalid query: Field does not exist: 'nosuchfield'", None),
        (vec!["date:>2017"], 2, "invalid query", None),
        (vec![&all_terms], 0, "", Some(0)),
        (vec![&any_term], 0, "", Some(2)),
        (vec![&deep], 2, "invalid query: parentheses nest 10000 deep, over the limit of 100", None),
        (vec![&fine], 0, "", Some(2)),
        (vec![""], 0, "", Some(21)),
        (vec!["   "], 0, "", Some(21)),
        (vec!["--", "-recuse"], 2, "invalid query: Invalid query: Only excluding terms given", None),
        (vec!["recuse", "--speaker", "nobody at all"], 0, "", Some(0)),
        (vec!["recuse", "--source", "no such outlet"], 0, "", Some(0)),
        (vec!["", "--since", "2100-01-01"], 0, "", Some(0)),
        (vec!["x", "--since", "someday"], 2, "invalid value 'someday' for '--since", None),
        (vec!["x", "--until", "2017-02-30"], 2, "invalid value '2017-02-30' for '--until", None),
        (vec!["x", "--since", "2018-01-01", "--until", "2017-01-01"], 2, "invalid since: 2018-01-01 is after", None),
        (vec!["x", "--party", "Whig"], 2, "unknown party `Whig`", None),
        (vec!["x", "--kind", "sidebar"], 2, "unknown kind `sidebar`", None),
        (vec!["x", "--limit", "100000"], 2, "invalid limit", None),
    ];
    for (args, code, message, want_total) in cases {
        let label = args.iter().map(|a| a.chars().take(40).collect::<String>()).collect::<Vec<_>>().join(" ");
        let (run, response) = search(&dir, &args);
        assert_eq!(run.code, Some(code), "{label}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{label}: stderr lacks {message:?}: {}", run.stderr);
        assert!(run.stderr.len() < 2_000, "{label}: the message echoes too much: {} bytes", run.stderr.len());
        if let Some(want) = want_total {
            assert_eq!(response.map(|r| r.total), Some(want), "{label}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Interrupted and concurrent runs
// ---------------------------------------------------------------------------------------

/// Files in the generated corpus, and how often a run commits.
const GENERATED_FILES: usize = 1500;
const COMMIT_EVERY: &str = "25";

/// Writes `GENERATED_FILES` articles of exactly two body paragraphs each; file `i` holds
/// the word `tagNNNNN`.
fn generated_corpus() -> Corpus {
    let corpus = Corpus::new();
    for i in 0..GENERATED_FILES {
        corpus.write(
            &format!("doc{i:05}.txt"),
            &format!("Report {i} from the council, tag{i:05}.\n\nThe council met again and voted on item {i}."),
        );
    }
    corpus
}

fn start_index(corpus: &Corpus, extra: &[&str]) -> Child {
    newsdex()
        .arg("index")
        .arg(corpus.dir())
        .arg("--index")
        .arg(corpus.index())
        .args(["--commit-every", COMMIT_EVERY, "--threads", "1", "--quiet"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Files recorded in the index manifest (0 before the first commit).
fn manifest_files(index_dir: &Path) -> usize {
    newsdex::index::manifest::Manifest::load(index_dir).ok().flatten().map_or(0, |m| m.files.len())
}

/// Waits until the running index has committed at least one chunk of files.
fn wait_for_first_commit(child: &mut Child, index_dir: &Path) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let files = manifest_files(index_dir);
        if files > 0 {
            return files;
        }
        assert!(child.try_wait().unwrap().is_none(), "index ended before its first commit");
        assert!(Instant::now() < deadline, "no commit within a minute");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Body paragraphs in the index and the number of distinct generated files they come from.
fn indexed_state(index_dir: &Path) -> (u64, usize) {
    let paragraphs = search_ok(index_dir, &[""]).total;
    let files = search_ok(index_dir, &["council", "--limit", "0"]).total;
    (paragraphs, files as usize)
}

#[test]
fn killed_index_run_keeps_its_last_commit_and_a_rerun_completes_it() {
    let corpus = generated_corpus();
    let mut child = start_index(&corpus, &[]);
    wait_for_first_commit(&mut child, &corpus.index());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let committed = manifest_files(&corpus.index());
    assert!(committed < GENERATED_FILES, "the run finished before it was killed; make the corpus bigger");
    // The index opens and holds whole files only: what the manifest records, plus at most
    // one chunk committed to tantivy just before the manifest would have been saved.
    let (paragraphs, _) = indexed_state(&corpus.index());
    assert_eq!(paragraphs % 2, 0, "a file was half indexed");
    let files_in_index = (paragraphs / 2) as usize;
    let chunk: usize = COMMIT_EVERY.parse().unwrap();
    assert!((committed..=committed + chunk).contains(&files_in_index), "{files_in_index} vs {committed}");
    assert_eq!(total(&corpus.index(), "tag00000"), 1);
    // The rerun (through the stale lock the killed run left) ends with one copy of each.
    let rerun = index(&corpus, &["--commit-every", COMMIT_EVERY]);
    rerun.expect(0, &[&format!("holds {GENERATED_FILES} articles, {} paragraphs", 2 * GENERATED_FILES)]);
    assert_eq!(indexed_state(&corpus.index()).0, 2 * GENERATED_FILES as u64);
    for i in [0, committed.saturating_sub(1), committed, GENERATED_FILES - 1] {
        assert_eq!(total(&corpus.index(), &format!("tag{i:05}")), 1, "file {i}");
    }
}

#[test]
fn small_commits_on_two_threads_keep_every_file() {
    // Each file is one delete-then-add batch; batches from two threads with a commit every
    // few files once lost files (deletes queued out of order). The corpus is plain, so
    // every one of its paragraphs must be there.
    let corpus = generated_corpus();
    index(&corpus, &["--commit-every", "5", "--threads", "2"])
        .expect(0, &[&format!("holds {GENERATED_FILES} articles, {} paragraphs", 2 * GENERATED_FILES)]);
    assert_eq!(indexed_state(&corpus.index()).0, 2 * GENERATED_FILES as u64);
}

#[test]
fn search_and_a_second_index_while_an_index_run_is_in_progress() {
    let corpus = generated_corpus();
    let mut child = start_index(&corpus, &[]);
    let committed = wait_for_first_commit(&mut child, &corpus.index());
    // Searching works and sees at least what was committed.
    let (paragraphs, _) = indexed_state(&corpus.index());
    assert!(paragraphs >= 2 * committed as u64, "{paragraphs} paragraphs for {committed} committed files");
    // A second run fails at once, and a rebuild does not delete the running index's files.
    for extra in [&[][..], &["--rebuild"]] {
        let started = Instant::now();
        index(&corpus, extra).expect(2, &["is locked by another process"]);
        assert!(started.elapsed() < Duration::from_secs(10), "the second run waited");
    }
    assert!(corpus.index().join("meta.json").exists());
    assert!(child.try_wait().unwrap().is_none(), "the first run ended before the checks; make the corpus bigger");
    // A stale lock from a killed run does not block the next one.
    child.kill().unwrap();
    child.wait().unwrap();
    index(&corpus, &["--commit-every", "500"])
        .expect(0, &[&format!("holds {GENERATED_FILES} articles, {} paragraphs", 2 * GENERATED_FILES)]);
}

// ---------------------------------------------------------------------------------------
// Versioning
// ---------------------------------------------------------------------------------------

#[test]
fn index_of_another_schema_version_asks_for_a_rebuild() {
    let corpus = Corpus::new();
    corpus.write("a.txt", "Versionword article.");
    corpus.index_ok();
    let mut manifest = newsdex::index::manifest::Manifest::load(&corpus.index()).unwrap().unwrap();
    manifest.schema_version += 1;
    manifest.save(&corpus.index()).unwrap();
    let rebuild = "rebuild with `newsdex index --rebuild`";
    search(&corpus.index(), &["versionword"]).0.expect(2, &[rebuild]);
    index(&corpus, &[]).expect(2, &[rebuild]);
    index(&corpus, &["--rebuild"]).expect(0, &["holds 1 articles"]);
    assert_eq!(total(&corpus.index(), "versionword"), 1);
}

#[test]
fn index_with_a_foreign_tantivy_schema_asks_for_a_rebuild() {
    let corpus = Corpus::new();
    corpus.write("a.txt", "Foreignword article.");
    corpus.index_ok();
    // Replace the tantivy index by one with another schema, keeping our manifest.
    for entry in std::fs::read_dir(corpus.index()).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().contains("manifest") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("body", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(corpus.index(), builder.build()).unwrap();
    search(&corpus.index(), &["foreignword"]).0.expect(2, &["rebuild with `newsdex index --rebuild`"]);
    index(&corpus, &["--rebuild"]).expect(0, &["holds 1 articles"]);
    assert_eq!(total(&corpus.index(), "foreignword"), 1);
}

// ---------------------------------------------------------------------------------------
// Annotation properties
// ---------------------------------------------------------------------------------------

/// Sentences with speakers, titles, parties and quote marks, to be shuffled and cut.
const PIECES: &[&str] = &[
    "\u{201c}We will not give up,\u{201d} said Senator Jane Roe, a Republican.",
    "Rep. John Doe (D-Ohio) told reporters: \"It is over.\"",
    "The senator said the bill would pass.",
    "According to the White House, talks continue.",
    "\u{201c}Open quote never closed",
    "\u{201d}\u{201d} stray closers \"\"",
    "Caf\u{e9} \u{2014} \u{2018}single\u{2019} marks \u{2026}",
    "Democrats said Republicans would block it.",
    "FILE - Senator Al Franken",
];

fn annotation_body() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![proptest::sample::select(PIECES).prop_map(str::to_owned), "\\PC{0,24}"];
    let glue = proptest::sample::select(&[" ", "\n", "\n\n", "\r\n\r\n", ", "][..]);
    proptest::collection::vec((piece, glue), 0..10)
        .prop_map(|parts| parts.into_iter().flat_map(|(p, g)| [p, g.to_owned()]).collect())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    /// Every span of the annotation lies on char boundaries of the body; content, cues and
    /// entities lie inside their paragraph, and a source does too unless the attribution
    /// inherits it from an earlier paragraph (continued and floating quotes point at the
    /// mention they inherit, which lies before the paragraph). Annotating the same article
    /// twice gives the same records.
    #[test]
    fn annotation_spans_are_inside_paragraphs_and_deterministic(body in annotation_body()) {
        let annotator = newsdex::annotate::Annotator::builtin();
        let article = newsdex::corpus::Article { body: body.clone(), ..Default::default() };
        let records = annotator.annotate(&article);
        for r in &records {
            proptest::prop_assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end) && r.end <= body.len());
            let inside = |[s, e]: [usize; 2]| r.start <= s && s <= e && e <= r.end;
            let on_chars = |[s, e]: [usize; 2]| s <= e && body.is_char_boundary(s) && body.is_char_boundary(e);
            let own = r.attributions.iter().flat_map(|a| std::iter::once(a.content).chain(a.cue));
            for span in own.chain(r.entities.iter().map(|e| e.span)) {
                proptest::prop_assert!(inside(span) && on_chars(span), "span {:?} outside {}..{}", span, r.start, r.end);
            }
            for e in &r.entities {
                // Entity text is paragraph text: a line break inside a name reads as a space.
                proptest::prop_assert_eq!(&body[e.span[0]..e.span[1]].replace(['\n', '\r'], " "), &e.text);
            }
            for source in r.attributions.iter().filter_map(|a| a.source) {
                proptest::prop_assert!(on_chars(source), "source {:?}", source);
                proptest::prop_assert!(inside(source) || source[1] <= r.start, "source {:?} after paragraph {}..{}", source, r.start, r.end);
            }
        }
        proptest::prop_assert_eq!(annotator.annotate(&article), records);
    }
}
