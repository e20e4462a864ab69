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
    /// How it is named in article ids and output: the path as walked, rendered by
    /// [`path_label`] (distinct paths get distinct labels).
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
                out.errors.push(Error::io(path_label(&path), io));
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
            label: path_label(entry.path()),
            path: entry.into_path(),
            size: metadata.map_or(0, |m| m.len()),
            modified_ns,
        });
    }
}

/// A path as text for article ids, the manifest and messages. Valid UTF-8 stays as it is;
/// bytes that are not UTF-8 (possible in Unix file names) are written `\xFF`, control
/// characters `\x1b` or `\u{9b}` (a file name must not drive the terminal it is shown
/// on), and on Unix a backslash `\\`. Unlike a lossy conversion, which turns every bad
/// byte into U+FFFD, two different paths never share a label, so one file's paragraphs
/// never replace another's: a label without a backslash is the path itself, one with a
/// backslash decodes back to it.
pub fn path_label(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let needs_escape = |s: &str| s.chars().any(|c| c.is_control() || (cfg!(unix) && c == '\\'));
    if std::str::from_utf8(bytes).is_ok_and(|s| !needs_escape(s)) {
        return path.to_string_lossy().into_owned();
    }
    let mut label = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' if cfg!(unix) => label.push_str("\\\\"),
                c if c.is_ascii_control() => label.push_str(&format!("\\x{:02x}", c as u32)),
                c if c.is_control() => label.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => label.push(c),
            }
        }
        for byte in chunk.invalid() {
            label.push_str(&format!("\\x{byte:02X}"));
        }
    }
    label
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
    fn labels_are_the_path_when_clean_and_escaped_otherwise() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let label = |bytes: &[u8]| path_label(Path::new(OsStr::from_bytes(bytes)));
        assert_eq!(label("corpus/caf\u{e9} story.txt".as_bytes()), "corpus/caf\u{e9} story.txt");
        assert_eq!(label(b"corpus/caf\xff.txt"), "corpus/caf\\xFF.txt");
        assert_eq!(label(b"a\x1b[2J\xc2\x9b.txt"), "a\\x1b[2J\\u{9b}.txt");
        assert_eq!(label(b"back\\slash.txt"), "back\\\\slash.txt");
        // Lossy conversion would give all three the same label.
        let distinct =
            [label(b"x\xff.txt"), label(b"x\xfe.txt"), label("x\u{fffd}.txt".as_bytes()), label(b"x\\xFF.txt")];
        assert!(distinct.iter().enumerate().all(|(i, a)| distinct[i + 1..].iter().all(|b| a != b)), "{distinct:?}");
    }

    #[test]
    fn non_utf8_names_are_walked_with_distinct_labels() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for name in [&b"caf\xff.txt"[..], b"caf\xfe.txt"] {
            std::fs::write(dir.path().join(OsStr::from_bytes(name)), "x").unwrap();
        }
        let walked = walk(&[dir.path().to_path_buf()]);
        assert_eq!(walked.files.len(), 2);
        assert_ne!(walked.files[0].label, walked.files[1].label);
    }

    #[test]
    fn symlink_loops_are_errors_and_the_rest_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::os::unix::fs::symlink("self.txt", dir.path().join("self.txt")).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
        let walked = walk(&[dir.path().to_path_buf()]);
        assert_eq!(walked.files.len(), 1, "{:?}", walked.files);
        assert_eq!(walked.errors.len(), 2, "{:?}", walked.errors);
        let messages: Vec<String> = walked.errors.iter().map(ToString::to_string).collect();
        assert!(messages.iter().any(|m| m.contains("self.txt")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("sub/up")), "{messages:?}");
    }

    #[test]
    fn missing_root_is_an_error() {
        let walked = walk(&[PathBuf::from("/definitely/not/here")]);
        assert_eq!(walked.errors.len(), 1);
        assert!(walked.errors[0].to_string().contains("/definitely/not/here"));
    }
}
