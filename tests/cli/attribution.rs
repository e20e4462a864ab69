//! `newsdex eval attribution` and `newsdex bench annotate` on tiny inputs written by the
//! tests (no dependency on ../shared), and the shipped hand-checked speaker file.

use std::path::Path;

use crate::util::newsdex;

/// A one-article PolNeAR-style split: a direct quote attributed to a named speaker.
fn write_split(root: &Path) {
    std::fs::create_dir_all(root.join("text")).unwrap();
    std::fs::create_dir_all(root.join("attributions")).unwrap();
    // Code points: "We will win," is 1..13, "Ann Lee" 20..27.
    std::fs::write(root.join("text/a.txt"), "\u{201c}We will win,\u{201d} said Ann Lee.\n").unwrap();
    std::fs::write(
        root.join("attributions/a_x1.ann"),
        "T1\tSource 20 27\tAnn Lee\nT2\tCue 15 19\tsaid\nT3\tContent 1 13\tWe will win,\n\
         T4\tAttribution 15 19\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
    )
    .unwrap();
}

#[test]
fn eval_attribution_scores_a_split_and_writes_predictions() {
    let dir = tempfile::tempdir().unwrap();
    write_split(dir.path());
    std::fs::write(dir.path().join("speakers.tsv"), "a\tE1\tsurname\tAnn Lee\tAnn Lee\t-\n").unwrap();
    let pred = dir.path().join("pred.jsonl");
    let out = newsdex()
        .args(["eval", "attribution"])
        .arg(dir.path())
        .arg("--output")
        .arg(&pred)
        .arg("--speakers")
        .arg(dir.path().join("speakers.tsv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("sourced  P 1.000  R 1.000  F1 1.000  (predicted 1, gold 1"), "{stdout}");
    assert!(stdout.contains("direct   P 1.000  R 1.000  F1 1.000"), "{stdout}");
    assert!(stdout.contains("quote-said-name"), "{stdout}");
    assert!(stdout.contains("all              1      1      1 (100.0 %)"), "{stdout}");
    let lines = std::fs::read_to_string(&pred).unwrap();
    let record: newsdex::annotate::ParagraphRecord = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(record.attributions[0].speaker.as_deref(), Some("Ann Lee"));
}

/// Regression: a speaker row whose source no longer matches the gold is an error, not a
/// silently wrong score.
#[test]
fn eval_attribution_rejects_a_drifted_speaker_row() {
    let dir = tempfile::tempdir().unwrap();
    write_split(dir.path());
    std::fs::write(dir.path().join("speakers.tsv"), "a\tE1\tsurname\tBob\tBob\t-\n").unwrap();
    let out = newsdex()
        .args(["eval", "attribution"])
        .arg(dir.path())
        .arg("--speakers")
        .arg(dir.path().join("speakers.tsv"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not `Bob`"));
}

#[test]
fn shipped_speaker_gold_parses_with_enough_rows() {
    let path = Path::new("data/speaker-gold.tsv");
    let rows = newsdex::eval::attribution::read_speaker_gold(path).unwrap();
    assert!(rows.len() >= 200, "{} rows", rows.len());
    assert!(rows.iter().all(|r| !r.speakers.is_empty() && !r.source.is_empty()));
}

#[test]
fn bench_annotate_reports_paragraphs_per_second() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "\u{201c}We will win,\u{201d} Jane Roe said.\n\nThe rain fell.\n")
        .unwrap();
    let out = newsdex().args(["bench", "annotate", "--runs", "1", "--dir"]).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 articles, 2 paragraphs, 1 attributions"), "{stdout}");
    assert!(stdout.contains("paragraphs/s on one thread"), "{stdout}");
}
