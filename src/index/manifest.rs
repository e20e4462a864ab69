//! What an index was built from: every file with its size, modification time and content
//! hash, and the schema version. It lets a second `index` run skip unchanged files,
//! replace changed ones and remove deleted ones.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The manifest's file name inside the index directory: gzipped JSON, because for a large
/// corpus the plain form (random hashes and file names) is 2 % of the index.
pub const MANIFEST_FILE: &str = "newsdex-manifest.json.gz";

/// The plain-JSON manifest of indexes before schema version 5, read only to tell their
/// version.
pub const LEGACY_MANIFEST_FILE: &str = "newsdex-manifest.json";

/// What every manifest file name (current, legacy, temporary) starts with.
pub const MANIFEST_PREFIX: &str = "newsdex-manifest";

/// One indexed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified_ns: u64,
    /// xxh3 hash of the raw bytes.
    pub hash: u64,
    /// Articles indexed from it.
    pub articles: u64,
    /// Paragraphs indexed from it.
    pub paragraphs: u64,
}

/// The manifest of an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Schema version the index was written with.
    pub schema_version: u32,
    /// Indexed files by label (path as walked).
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    /// An empty manifest for the current schema.
    pub fn new() -> Self {
        Manifest { schema_version: super::schema::SCHEMA_VERSION, files: BTreeMap::new() }
    }

    /// Reads the manifest of the index at `dir`, or `None` when it has none.
    pub fn load(dir: &Path) -> Result<Option<Manifest>> {
        if let Some(bytes) = read_if_present(&dir.join(MANIFEST_FILE))? {
            let path = dir.join(MANIFEST_FILE);
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut json)
                .map_err(|e| Error::parse(&path, None, format!("corrupt index manifest: {e}")))?;
            return parse(&path, &json).map(Some);
        }
        match read_if_present(&dir.join(LEGACY_MANIFEST_FILE))? {
            Some(json) => parse(&dir.join(LEGACY_MANIFEST_FILE), &json).map(Some),
            None => Ok(None),
        }
    }

    /// The schema version of the index at `dir`, or `None` when it has no manifest.
    /// Every search checks it, so it inflates only the head of the manifest: the version is
    /// its first field, and a large corpus's file table is megabytes of JSON.
    pub fn schema_version(dir: &Path) -> Result<Option<u32>> {
        let path = dir.join(MANIFEST_FILE);
        let Some(bytes) = read_if_present(&path)? else {
            return Ok(Manifest::load(dir)?.map(|m| m.schema_version));
        };
        let mut head = Vec::with_capacity(VERSION_HEAD);
        flate2::read::GzDecoder::new(bytes.as_slice())
            .take(VERSION_HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::parse(&path, None, format!("corrupt index manifest: {e}")))?;
        match version_in_head(&head) {
            Some(version) => Ok(Some(version)),
            None => Ok(Manifest::load(dir)?.map(|m| m.schema_version)),
        }
    }

    /// Writes the manifest atomically (temporary file, then rename), so an interrupted run
    /// leaves the previous manifest intact.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let tmp: PathBuf = dir.join(format!("{MANIFEST_FILE}.tmp"));
        let json = serde_json::to_vec(self).map_err(|e| Error::parse(&path, None, e.to_string()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let bytes = gz.write_all(&json).and_then(|()| gz.finish()).map_err(|e| Error::io(&path, e))?;
        std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }

    /// Total articles and paragraphs recorded.
    pub fn totals(&self) -> (u64, u64) {
        self.files.values().fold((0, 0), |(a, p), f| (a + f.articles, p + f.paragraphs))
    }
}

/// Bytes of the inflated manifest enough to hold `{"schema_version":N,`.
const VERSION_HEAD: usize = 64;

/// The version in the head of a manifest written by [`Manifest::save`] (serde writes the
/// fields in declaration order), or `None` when the head has another shape.
fn version_in_head(head: &[u8]) -> Option<u32> {
    let rest = head.strip_prefix(br#"{"schema_version":"#)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !matches!(rest.get(digits), Some(b',' | b'}')) {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn parse(path: &Path, json: &[u8]) -> Result<Manifest> {
    serde_json::from_slice(json).map_err(|e| Error::parse(path, Some(e.line()), format!("corrupt index manifest: {e}")))
}

impl Default for Manifest {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), None);
        let mut m = Manifest::new();
        m.files.insert("a.txt".into(), FileEntry { size: 1, modified_ns: 2, hash: 3, articles: 1, paragraphs: 4 });
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), Some(m.clone()));
        assert_eq!(m.totals(), (1, 4));
    }

    #[test]
    fn schema_version_reads_only_the_head_and_agrees_with_load() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::schema_version(dir.path()).unwrap(), None);
        let mut m = Manifest::new();
        for i in 0..2000 {
            m.files.insert(
                format!("f{i}.txt"),
                FileEntry { size: i, modified_ns: i, hash: i, articles: 1, paragraphs: 1 },
            );
        }
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::schema_version(dir.path()).unwrap(), Some(super::super::schema::SCHEMA_VERSION));
        assert_eq!(version_in_head(br#"{"schema_version":12}"#), Some(12));
        assert_eq!(version_in_head(br#"{"schema_version":1"#), None, "a cut-off number is not a version");
        assert_eq!(version_in_head(br#"{"files":{},"schema_version":5}"#), None);
    }

    #[test]
    fn corrupt_manifest_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST_FILE), "{not gzip").unwrap();
        let err = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(MANIFEST_FILE), "{err}");
    }

    #[test]
    fn legacy_plain_manifest_still_tells_its_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LEGACY_MANIFEST_FILE), r#"{"schema_version":4,"files":{}}"#).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap().map(|m| m.schema_version), Some(4));
        std::fs::write(dir.path().join(LEGACY_MANIFEST_FILE), "{not json").unwrap();
        let err = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(LEGACY_MANIFEST_FILE), "{err}");
    }
}
