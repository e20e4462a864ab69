//! Annotation throughput for `newsdex bench annotate`: paragraphs per second on the
//! calling thread, with the share of the time spent cleaning and tagging, so a slowdown
//! can be pinned on a stage.

use std::time::{Duration, Instant};

use super::Annotator;
use crate::clean;
use crate::corpus::Article;
use crate::tagger::Tagger;

/// What the benchmark measured: medians of several passes over the same articles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Articles annotated per pass.
    pub articles: usize,
    /// Paragraphs annotated per pass (all kinds: captions and headings are paragraphs too).
    pub paragraphs: usize,
    /// Attributions found per pass.
    pub attributions: usize,
    /// Median time of one full annotation pass.
    pub annotate: Duration,
    /// Median time of splitting and classifying paragraphs alone.
    pub clean: Duration,
    /// Median time of entity tagging alone.
    pub tag: Duration,
}

impl Throughput {
    /// Paragraphs per second of full annotation.
    pub fn paragraphs_per_second(&self) -> f64 {
        self.paragraphs as f64 / self.annotate.as_secs_f64().max(1e-12)
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Annotates every article `runs` times on the calling thread and reports the median
/// pass; cleaning and tagging are timed alone in separate passes. Only annotation is
/// timed: the articles are already in memory.
pub fn throughput(annotator: &Annotator, tagger: &Tagger, articles: &[Article], runs: usize) -> Throughput {
    let runs = runs.max(1);
    let (mut paragraphs, mut attributions) = (0, 0);
    let mut annotate = Vec::with_capacity(runs);
    let mut clean_times = Vec::with_capacity(runs);
    let mut tag = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let (mut p, mut a) = (0, 0);
        for article in articles {
            let records = annotator.annotate(article);
            p += records.len();
            a += records.iter().map(|r| r.attributions.len()).sum::<usize>();
        }
        annotate.push(start.elapsed());
        (paragraphs, attributions) = (p, a);
        let start = Instant::now();
        let n: usize = articles.iter().map(|article| clean::paragraphs(article).len()).sum();
        clean_times.push(start.elapsed());
        std::hint::black_box(n);
        let start = Instant::now();
        let n: usize = articles.iter().map(|article| tagger.entities(&article.body).len()).sum();
        tag.push(start.elapsed());
        std::hint::black_box(n);
    }
    Throughput {
        articles: articles.len(),
        paragraphs,
        attributions,
        annotate: median(annotate),
        clean: median(clean_times),
        tag: median(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_paragraphs_and_attributions() {
        let article = Article {
            body: "\u{201c}We will win,\u{201d} Jane Roe said.\n\nThe rain fell.".to_owned(),
            ..Article::default()
        };
        let t = throughput(&Annotator::builtin(), Tagger::builtin(), std::slice::from_ref(&article), 2);
        assert_eq!((t.articles, t.paragraphs, t.attributions), (1, 2, 1));
        assert!(t.paragraphs_per_second() > 0.0);
    }
}
