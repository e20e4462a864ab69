//! Reading CoNLL-2003 files (`TOKEN POS CHUNK NER` a line, blank lines between
//! sentences, `-DOCSTART-` between documents) and finding entity spans in IOB tags the
//! way conlleval does. Only the first and last columns are used: real news text has no
//! POS or chunk tags.

use std::path::Path;

/// One sentence: tokens and their gold tags (IOB1 or IOB2 strings such as `B-PER`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence {
    /// The tokens.
    pub tokens: Vec<String>,
    /// The gold tag of each token.
    pub tags: Vec<String>,
}

/// One document: the sentences between two `-DOCSTART-` lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The sentences, in order.
    pub sentences: Vec<Sentence>,
}

/// Reads a CoNLL file.
pub fn read_conll(path: &Path) -> crate::Result<Vec<Document>> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    parse_conll(&text, path)
}

/// Parses CoNLL text; `path` is only used in error messages.
pub fn parse_conll(text: &str, path: &Path) -> crate::Result<Vec<Document>> {
    let mut docs = vec![Document::default()];
    let mut sentence = Sentence::default();
    for (n, line) in text.lines().enumerate() {
        let mut cols = line.split_whitespace();
        let Some(token) = cols.next() else {
            if !sentence.tokens.is_empty() {
                docs.last_mut().expect("one doc").sentences.push(std::mem::take(&mut sentence));
            }
            continue;
        };
        if token == "-DOCSTART-" {
            if !sentence.tokens.is_empty() {
                docs.last_mut().expect("one doc").sentences.push(std::mem::take(&mut sentence));
            }
            if !docs.last().expect("one doc").sentences.is_empty() {
                docs.push(Document::default());
            }
            continue;
        }
        let Some(tag) = cols.last() else {
            return Err(crate::Error::parse(path, Some(n + 1), "expected `TOKEN ... TAG`"));
        };
        if tag != "O" && !(tag.starts_with("B-") || tag.starts_with("I-")) {
            return Err(crate::Error::parse(path, Some(n + 1), format!("bad tag {tag:?}")));
        }
        sentence.tokens.push(token.to_string());
        sentence.tags.push(tag.to_string());
    }
    if !sentence.tokens.is_empty() {
        docs.last_mut().expect("one doc").sentences.push(sentence);
    }
    docs.retain(|d| !d.sentences.is_empty());
    Ok(docs)
}

/// Entity spans `(type, start, end)` (token indices, end exclusive) of IOB1/IOB2 tags,
/// exactly as conlleval finds them: an `I-` tag whose type differs from the open
/// entity's starts a new entity.
pub fn chunks<S: AsRef<str>>(tags: &[S]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    for (i, t) in tags.iter().enumerate() {
        let t = t.as_ref();
        let (prefix, ty) = t.split_once('-').unwrap_or((t, ""));
        let continues = prefix == "I" && open.is_some_and(|(o, _)| o == ty);
        if !continues {
            if let Some((o, s)) = open.take() {
                out.push((o.to_string(), s, i));
            }
            if prefix == "B" || prefix == "I" {
                open = Some((ty, i));
            }
        }
    }
    if let Some((o, s)) = open {
        out.push((o.to_string(), s, tags.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_and_sentences() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n-DOCSTART- -X- O O\n\nX X X O\n";
        let docs = parse_conll(text, Path::new("t")).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tags, vec!["B-ORG", "O"]);
        let err = parse_conll("a b c X-PER\n", Path::new("t")).unwrap_err();
        assert!(err.to_string().contains("t:1"), "{err}");
    }

    #[test]
    fn chunks_follow_conlleval() {
        let c = chunks(&["B-PER", "I-PER", "I-ORG", "O", "I-LOC", "B-LOC", "B-LOC", "I-LOC"]);
        let c: Vec<(&str, usize, usize)> = c.iter().map(|(t, s, e)| (t.as_str(), *s, *e)).collect();
        assert_eq!(c, vec![("PER", 0, 2), ("ORG", 2, 3), ("LOC", 4, 5), ("LOC", 5, 6), ("LOC", 6, 8)]);
    }
}
