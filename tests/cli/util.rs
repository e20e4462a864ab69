//! Test helpers: a temporary corpus with its own index directory, and the binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// The seed article, relative to the package root where tests run.
pub const SEED: &str = "corpus/000_4ddafa5cbd3e59b5.txt";

/// The `newsdex` binary built for these tests.
pub fn newsdex() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsdex"))
}

/// A corpus directory and an index directory, removed when dropped.
pub struct Corpus {
    root: tempfile::TempDir,
}

impl Corpus {
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("corpus")).unwrap();
        Corpus { root }
    }

    pub fn with_seed() -> Self {
        let c = Corpus::new();
        std::fs::copy(SEED, c.dir().join("seed.txt")).unwrap();
        c
    }

    pub fn dir(&self) -> PathBuf {
        self.root.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.root.path().join("index")
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir().join(name), text).unwrap();
    }

    pub fn write_gz(&self, name: &str, text: &str) {
        let file = std::fs::File::create(self.dir().join(name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap();
    }

    /// Runs `newsdex index` with `extra` arguments; returns stderr (the summary).
    pub fn index_with(&self, extra: &[&str]) -> String {
        let out = newsdex().arg("index").arg(self.dir()).arg("--index").arg(self.index()).args(extra).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "index failed: {stderr}");
        stderr
    }

    pub fn index_ok(&self) -> String {
        self.index_with(&[])
    }
}
