//! Walking corpus paths in a deterministic order.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::read::Format;
use crate::Error;

/// A file newsdex can read, found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How it is named in article ids and output (the path as walked, lossily UTF-8).
    pub label: String,
    /// Size in bytes when walked.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub modified_ns: u64,
}

/// Everything a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Readable article files, sorted by path within each root.
    pub files: Vec<CorpusFile>,
    /// Files skipped because of their extension.
    pub skipped: usize,
    /// Entries that could not be walked (unreadable directories, symlink loops).
    pub errors: Vec<Error>,
}

/// Walks each root (a directory or a single file), following symlinks with loop detection,
/// in file-name order so that runs are reproducible.
pub fn walk(roots: &[PathBuf]) -> Walk {
    let mut out = Walk::default();
    for root in roots {
        walk_root(root, &mut out);
    }
    out
}

fn walk_root(root: &Path, out: &mut Walk) {
    let entries = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                let io = e.into_io_error().unwrap_or_else(|| std::io::Error::other("symlink loop"));
                out.errors.push(Error::io(path, io));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        if Format::of(entry.path()).is_none() || is_hidden(entry.path()) {
            out.skipped += 1;
            continue;
        }
        let metadata = entry.metadata().ok();
        let modified_ns = metadata
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        out.files.push(CorpusFile {
            label: entry.path().to_string_lossy().into_owned(),
            path: entry.into_path(),
            size: metadata.map_or(0, |m| m.len()),
            modified_ns,
        });
    }
}

/// Editors and sync tools leave hidden files (`.#draft.txt`, `._x.json`) beside articles.
fn is_hidden(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_counts_skipped() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.txt", "a.json", "c.png", ".hidden.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/z.jsonl.gz"), "x").unwrap();
        let walked = walk(&[dir.path().to_path_buf()]);
        let names: Vec<_> = walked.files.iter().map(|f| f.path.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["a.json", "b.txt", "z.jsonl.gz"]);
        assert_eq!(walked.skipped, 2);
        assert!(walked.errors.is_empty());
    }

    #[test]
    fn missing_root_is_an_error() {
        let walked = walk(&[PathBuf::from("/definitely/not/here")]);
        assert_eq!(walked.errors.len(), 1);
        assert!(walked.errors[0].to_string().contains("/definitely/not/here"));
    }
}
