//! `newsdex bench index`: in one run, the bare tantivy loop and newsdex over the same
//! corpus (each in its own process, so peak memory is measured per run), re-index times
//! (unchanged, 1 % changed), query latency with facet counts, and the same questions
//! through SQLite FTS5 and ripgrep when they are installed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use newsdex::annotate::Annotator;
use newsdex::bench::{self, Latency, RunReport};
use newsdex::index::{self, IndexOptions, SilentProgress};
use newsdex::search::Searchable;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpus of AllSides-style `.json.gz` files.
    #[arg(long, default_value = "../shared/data/allsides/articles")]
    corpus: PathBuf,
    /// Work directory (a copy of the corpus and the indexes go here; it is emptied first).
    #[arg(long, default_value = "/tmp/newsdex-bench")]
    work: PathBuf,
    /// Use only the first N files.
    #[arg(long)]
    limit: Option<usize>,
    /// Runs per query for the latency percentiles.
    #[arg(long, default_value_t = 51)]
    runs: usize,
}

#[derive(Debug, clap::Args)]
pub struct ChildArgs {
    /// Corpus directory.
    #[arg(long)]
    corpus: PathBuf,
    /// Index directory.
    #[arg(long)]
    out: PathBuf,
    /// Start from an empty index (newsdex only).
    #[arg(long)]
    rebuild: bool,
}

/// The baseline loop, in this process; prints its report as JSON.
pub fn run_bare_loop(args: ChildArgs) -> anyhow::Result<ExitCode> {
    let report = bench::bare_loop(&args.corpus, &args.out, None)?;
    writeln!(std::io::stdout(), "{}", serde_json::to_string(&report)?)?;
    Ok(ExitCode::SUCCESS)
}

/// newsdex indexing, in this process; prints its report as JSON.
pub fn run_newsdex_index(args: ChildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut options = IndexOptions::new(args.out.clone(), vec![args.corpus]);
    options.rebuild = args.rebuild;
    let summary = index::build(&options, Annotator::builtin(), &SilentProgress)?;
    let report = RunReport {
        seconds: started.elapsed().as_secs_f64(),
        articles: summary.articles,
        paragraphs: summary.paragraphs,
        text_bytes: summary.bytes_read,
        peak_rss: bench::peak_rss_bytes().unwrap_or(0),
        index_bytes: bench::dir_size(&args.out),
        cpu_seconds: newsdex::cpu::process_time().as_secs_f64(),
        stages: summary.stage_cpu.into(),
    };
    writeln!(std::io::stdout(), "{}", serde_json::to_string(&report)?)?;
    Ok(ExitCode::SUCCESS)
}

fn child(kind: &str, corpus: &Path, out: &Path, rebuild: bool) -> anyhow::Result<RunReport> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench", kind, "--corpus"]).arg(corpus).arg("--out").arg(out);
    if rebuild {
        cmd.arg("--rebuild");
    }
    let output = cmd.output().with_context(|| format!("running bench {kind}"))?;
    if !output.status.success() {
        bail!("bench {kind} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(line.trim()).with_context(|| format!("reading bench {kind} report"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let work = &args.work;
    if work.exists() {
        std::fs::remove_dir_all(work).with_context(|| format!("emptying {}", work.display()))?;
    }
    let corpus = work.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    let files = bench::json_files(&args.corpus, args.limit)?;
    if files.is_empty() {
        bail!("no .json or .json.gz files in {}", args.corpus.display());
    }
    for file in &files {
        let name = file.file_name().context("file name")?;
        std::fs::copy(file, corpus.join(name))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "corpus: {} files copied to {}", files.len(), corpus.display())?;

    let bare = child("bare-loop", &corpus, &work.join("bare"), false)?;
    let full = child("run-index", &corpus, &work.join("newsdex"), true)?;
    let unchanged = child("run-index", &corpus, &work.join("newsdex"), false)?;
    let changed_files = change_one_percent(&corpus)?;
    let changed = child("run-index", &corpus, &work.join("newsdex"), false)?;

    writeln!(
        out,
        "\nindexing ({} paragraphs of {:.0} MB text in the bare loop)",
        bare.paragraphs,
        bare.text_bytes as f64 / 1e6
    )?;
    writeln!(
        out,
        "{:<24} {:>8} {:>12} {:>8} {:>10} {:>10}",
        "run", "wall s", "paragraphs/s", "MB/s", "peak RSS", "index MB"
    )?;
    for (name, r) in [("bare tantivy loop", &bare), ("newsdex (all annotation)", &full)] {
        writeln!(
            out,
            "{:<24} {:>8.1} {:>12.0} {:>8.1} {:>8.0}MB {:>10.0}",
            name,
            r.seconds,
            r.paragraphs as f64 / r.seconds,
            bare.text_bytes as f64 / 1e6 / r.seconds,
            r.peak_rss as f64 / 1e6,
            r.index_bytes as f64 / 1e6
        )?;
    }
    writeln!(out, "newsdex / bare loop: {:.2} x wall time", full.seconds / bare.seconds)?;
    print_cpu(&mut out, &bare, &full)?;
    writeln!(out, "index size / body text: {:.2}", full.index_bytes as f64 / bare.text_bytes as f64)?;
    writeln!(
        out,
        "re-index, nothing changed: {:.2} s ({:.1} % of full)",
        unchanged.seconds,
        100.0 * unchanged.seconds / full.seconds
    )?;
    writeln!(
        out,
        "re-index, {changed_files} files (1 %) changed: {:.2} s ({:.1} % of full)",
        changed.seconds,
        100.0 * changed.seconds / full.seconds
    )?;

    let latencies = print_latencies(&mut out, &work.join("newsdex"), args.runs, &[])?;
    compare_fts5(&mut out, &corpus, work, &latencies)?;
    compare_ripgrep(&mut out, &corpus, &latencies)?;
    Ok(ExitCode::SUCCESS)
}

/// Where the CPU went: the worker threads' stages, and the rest of the process (tantivy's
/// indexing threads, merging, the walk), against the bare loop's total.
fn print_cpu(out: &mut impl Write, bare: &RunReport, full: &RunReport) -> anyhow::Result<()> {
    let s = &full.stages;
    let rest = (full.cpu_seconds - s.total()).max(0.0);
    writeln!(
        out,
        "CPU seconds: bare loop {:.1} ({:.2} cores busy)",
        bare.cpu_seconds,
        bare.cpu_seconds / bare.seconds
    )?;
    writeln!(
        out,
        "CPU seconds: newsdex {:.1} ({:.2} cores busy) = read {:.1} + parse {:.1} + clean and annotate {:.1} \
         + documents {:.1} + tantivy and the rest {:.1}",
        full.cpu_seconds,
        full.cpu_seconds / full.seconds,
        s.read,
        s.parse,
        s.annotate,
        s.documents,
        rest
    )?;
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// Index directory.
    #[arg(long, default_value_os_t = super::default_index_dir())]
    index: PathBuf,
    /// Runs per query.
    #[arg(long, default_value_t = 51)]
    runs: usize,
    /// Run only the query with this label (as printed, e.g. `trump --party D`);
    /// repeatable. For profiling one query.
    #[arg(long)]
    only: Vec<String>,
}

/// `newsdex bench query`: the latency table alone, on an existing index.
pub fn run_queries(args: QueryArgs) -> anyhow::Result<ExitCode> {
    print_latencies(&mut std::io::stdout().lock(), &args.index, args.runs, &args.only)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the query set (the queries labelled `only`, if any) on the index at `dir` and
/// prints p50/p95 per query.
fn print_latencies(out: &mut impl Write, dir: &Path, runs: usize, only: &[String]) -> anyhow::Result<Vec<Latency>> {
    let index = Searchable::open(dir)?;
    let latencies: Vec<Latency> = bench::query_set()
        .iter()
        .filter(|(label, _)| only.is_empty() || only.contains(label))
        .map(|(label, request)| bench::latency(&index, label, request, runs))
        .collect::<newsdex::Result<_>>()?;
    writeln!(out, "\nquery latency, top 10 + count + facet counts, {runs} runs each (in process)")?;
    writeln!(out, "{:<40} {:>8} {:>8} {:>8}", "query", "total", "p50 ms", "p95 ms")?;
    for l in &latencies {
        writeln!(out, "{:<40} {:>8} {:>8.2} {:>8.2}", l.label, l.total, l.p50_ms, l.p95_ms)?;
    }
    Ok(latencies)
}

/// Rewrites every hundredth file with one more paragraph, as an edited article would be.
fn change_one_percent(corpus: &Path) -> anyhow::Result<usize> {
    let files = bench::json_files(corpus, None)?;
    let mut changed = 0;
    for file in files.iter().step_by(100) {
        let Some(body) = bench::content_original(file) else { continue };
        let json = serde_json::json!({ "content_original": format!("{body}\n\nThis article was updated.") });
        let gz = std::fs::File::create(file)?;
        let mut encoder = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
        encoder.write_all(json.to_string().as_bytes())?;
        encoder.finish()?;
        changed += 1;
    }
    Ok(changed)
}

/// The plain queries through SQLite FTS5 (Python's sqlite3, porter tokenizer), when
/// `python3` is installed.
fn compare_fts5(out: &mut impl Write, corpus: &Path, work: &Path, ours: &[Latency]) -> anyhow::Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_fts5.py");
    let output = Command::new("python3").arg(&script).arg(corpus).arg(work.join("fts5.db")).output();
    let Some(output) = output.ok().filter(|o| o.status.success()) else {
        writeln!(out, "\nSQLite FTS5: skipped (python3 with sqlite3 FTS5 not available)")?;
        return Ok(());
    };
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    writeln!(
        out,
        "\nSQLite FTS5 (porter): build {:.1} s, {:.0} MB",
        report["build_seconds"].as_f64().unwrap_or(0.0),
        report["bytes"].as_f64().unwrap_or(0.0) / 1e6
    )?;
    writeln!(out, "{:<40} {:>8} {:>8} {:>14}", "query", "total", "p50 ms", "fts5 / newsdex")?;
    for l in ours.iter().filter(|l| !l.label.contains("--")) {
        let q = &report["queries"][&l.label];
        let p50 = q["p50_ms"].as_f64().unwrap_or(f64::NAN);
        writeln!(out, "{:<40} {:>8} {:>8.2} {:>14.1}", l.label, q["total"], p50, p50 / l.p50_ms)?;
    }
    Ok(())
}

/// `rg -z -l -i TERM` over the corpus copy, warm cache, median of 5, when installed.
fn compare_ripgrep(out: &mut impl Write, corpus: &Path, ours: &[Latency]) -> anyhow::Result<()> {
    let Some(recuse) = ours.iter().find(|l| l.label == "recuse") else { return Ok(()) };
    let mut times = Vec::new();
    for _ in 0..6 {
        let started = Instant::now();
        let status = Command::new("rg").args(["-z", "-l", "-i", "recuse"]).arg(corpus).output();
        if status.is_err() {
            writeln!(out, "\nripgrep: skipped (rg not installed)")?;
            return Ok(());
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.remove(0);
    times.sort_by(f64::total_cmp);
    let median = bench::percentile(&times, 0.5);
    writeln!(out, "\nripgrep `rg -z -l -i recuse`: {median:.0} ms; newsdex is {:.0} x faster", median / recuse.p50_ms)?;
    Ok(())
}
